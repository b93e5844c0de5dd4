import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organizations, evidence (with revisions, review history and time-ranged links), the Statement of
 * Applicability, rejected pre-fills, organization-owned mapping sets, and the mapping closure that the
 * coverage reports join against.
 */
export class EvidenceCoverage1764288000000 implements MigrationInterface {
  name = 'EvidenceCoverage1764288000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organization (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        slug text NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_organization PRIMARY KEY (id),
        CONSTRAINT uq_organization_slug UNIQUE (slug),
        CONSTRAINT ck_organization_slug CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$')
      )`);

    // Organization-owned mapping sets: NULL means shared by everyone (the seeded sets).
    await q.query(`ALTER TABLE mapping_source ADD COLUMN organization_id uuid`);
    await q.query(`ALTER TABLE mapping_source ADD CONSTRAINT fk_mapping_source_organization
      FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE mapping_source DROP CONSTRAINT uq_mapping_source_key`);
    await q.query(`ALTER TABLE mapping_source ADD CONSTRAINT uq_mapping_source_key UNIQUE NULLS NOT DISTINCT (organization_id, key)`);

    await q.query(`
      CREATE TABLE evidence (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        organization_id uuid NOT NULL,
        source_system text NOT NULL,
        external_id text NOT NULL,
        title text NOT NULL,
        description text,
        kind text NOT NULL,
        uri text,
        content_sha256 text,
        effective_at timestamptz NOT NULL,
        valid_until timestamptz,
        review_cadence text,
        status text NOT NULL,
        owner text,
        version integer NOT NULL DEFAULT 1,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_evidence PRIMARY KEY (id),
        CONSTRAINT fk_evidence_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT uq_evidence_external UNIQUE (organization_id, source_system, external_id),
        CONSTRAINT uq_evidence_seq UNIQUE (seq),
        CONSTRAINT ck_evidence_kind CHECK (kind IN ('DOCUMENT', 'POLICY', 'PROCEDURE', 'TICKET', 'CONFIG_SNAPSHOT',
          'LOG_EXTRACT', 'TEST_RESULT', 'ATTESTATION', 'RECORD', 'OTHER')),
        CONSTRAINT ck_evidence_status CHECK (status IN ('DRAFT', 'IN_REVIEW', 'ACCEPTED', 'REJECTED')),
        CONSTRAINT ck_evidence_cadence CHECK (review_cadence IN ('P1M', 'P3M', 'P6M', 'P1Y')),
        CONSTRAINT ck_evidence_sha256 CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
        CONSTRAINT ck_evidence_validity CHECK (valid_until IS NULL OR valid_until > effective_at)
      )`);
    await q.query(`CREATE INDEX ix_evidence_org_seq ON evidence (organization_id, seq)`);
    await q.query(`CREATE INDEX ix_evidence_org_valid_until ON evidence (organization_id, valid_until)`);

    await q.query(`
      CREATE TABLE evidence_revision (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        evidence_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        version integer NOT NULL,
        uri text,
        content_sha256 text,
        effective_at timestamptz NOT NULL,
        valid_until timestamptz,
        review_cadence text,
        superseded_at timestamptz NOT NULL DEFAULT now(),
        superseded_by text NOT NULL,
        CONSTRAINT pk_evidence_revision PRIMARY KEY (id),
        CONSTRAINT fk_evidence_revision_evidence FOREIGN KEY (evidence_id) REFERENCES evidence (id) ON DELETE CASCADE,
        CONSTRAINT fk_evidence_revision_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT uq_evidence_revision_version UNIQUE (evidence_id, version)
      )`);

    await q.query(`
      CREATE TABLE evidence_review (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        evidence_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        from_status text NOT NULL,
        to_status text NOT NULL,
        comment text,
        reviewed_by text NOT NULL,
        reviewed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_evidence_review PRIMARY KEY (id),
        CONSTRAINT fk_evidence_review_evidence FOREIGN KEY (evidence_id) REFERENCES evidence (id) ON DELETE CASCADE,
        CONSTRAINT fk_evidence_review_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ix_evidence_review_evidence ON evidence_review (evidence_id, reviewed_at)`);

    await q.query(`
      CREATE TABLE evidence_link (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        evidence_id uuid NOT NULL,
        requirement_id uuid NOT NULL,
        coverage text NOT NULL,
        note text,
        origin text NOT NULL DEFAULT 'DIRECT',
        prefill_path jsonb,
        linked_by text NOT NULL,
        linked_at timestamptz NOT NULL DEFAULT now(),
        unlinked_by text,
        unlinked_at timestamptz,
        CONSTRAINT pk_evidence_link PRIMARY KEY (id),
        CONSTRAINT fk_evidence_link_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT fk_evidence_link_evidence FOREIGN KEY (evidence_id) REFERENCES evidence (id) ON DELETE CASCADE,
        CONSTRAINT fk_evidence_link_requirement FOREIGN KEY (requirement_id) REFERENCES requirement (id) ON DELETE RESTRICT,
        CONSTRAINT ck_evidence_link_coverage CHECK (coverage IN ('FULL', 'PARTIAL')),
        CONSTRAINT ck_evidence_link_origin CHECK (origin IN ('DIRECT', 'CONFIRMED_PREFILL')),
        CONSTRAINT ck_evidence_link_period CHECK (unlinked_at IS NULL OR unlinked_at >= linked_at)
      )`);
    // One active link per evidence and requirement; ended links stay for as-of reports.
    await q.query(`CREATE UNIQUE INDEX uq_evidence_link_active ON evidence_link (evidence_id, requirement_id) WHERE unlinked_at IS NULL`);
    await q.query(`CREATE INDEX ix_evidence_link_org_requirement ON evidence_link (organization_id, requirement_id)`);
    await q.query(`CREATE INDEX ix_evidence_link_evidence ON evidence_link (evidence_id)`);

    await q.query(`
      CREATE TABLE applicability_decision (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        requirement_id uuid NOT NULL,
        applicability text NOT NULL,
        justification text,
        reasons text[] NOT NULL DEFAULT '{}',
        decided_by text NOT NULL,
        decided_at timestamptz NOT NULL DEFAULT now(),
        superseded_at timestamptz,
        CONSTRAINT pk_applicability_decision PRIMARY KEY (id),
        CONSTRAINT fk_applicability_decision_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT fk_applicability_decision_requirement FOREIGN KEY (requirement_id) REFERENCES requirement (id) ON DELETE RESTRICT,
        CONSTRAINT ck_applicability_decision_value CHECK (applicability IN ('APPLICABLE', 'NOT_APPLICABLE')),
        CONSTRAINT ck_applicability_decision_justified CHECK (applicability = 'APPLICABLE' OR length(trim(coalesce(justification, ''))) > 0),
        CONSTRAINT ck_applicability_decision_reasons CHECK (reasons <@ ARRAY['LEGAL_REGULATORY', 'CONTRACTUAL', 'RISK_TREATMENT', 'BUSINESS_REQUIREMENT', 'BEST_PRACTICE']::text[])
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_applicability_decision_current ON applicability_decision (organization_id, requirement_id) WHERE superseded_at IS NULL`);

    await q.query(`
      CREATE TABLE prefill_rejection (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        requirement_id uuid NOT NULL,
        evidence_id uuid NOT NULL,
        reason text NOT NULL,
        rejected_by text NOT NULL,
        rejected_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_prefill_rejection PRIMARY KEY (id),
        CONSTRAINT fk_prefill_rejection_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT fk_prefill_rejection_requirement FOREIGN KEY (requirement_id) REFERENCES requirement (id) ON DELETE CASCADE,
        CONSTRAINT fk_prefill_rejection_evidence FOREIGN KEY (evidence_id) REFERENCES evidence (id) ON DELETE CASCADE,
        CONSTRAINT uq_prefill_rejection UNIQUE (organization_id, requirement_id, evidence_id)
      )`);

    // Best paths between requirements of different frameworks, up to 4 hops, per mapping graph:
    // scope NULL is the shared graph, an organization id the shared graph plus that organization's sets.
    await q.query(`
      CREATE TABLE mapping_closure (
        scope_id uuid,
        from_requirement_id uuid NOT NULL,
        to_requirement_id uuid NOT NULL,
        any_depth smallint NOT NULL,
        any_coverage text NOT NULL,
        any_min_strength smallint,
        any_mapping_ids uuid[] NOT NULL,
        any_node_ids uuid[] NOT NULL,
        full_depth smallint,
        full_min_strength smallint,
        full_mapping_ids uuid[],
        full_node_ids uuid[],
        CONSTRAINT fk_mapping_closure_scope FOREIGN KEY (scope_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT fk_mapping_closure_from FOREIGN KEY (from_requirement_id) REFERENCES requirement (id) ON DELETE CASCADE,
        CONSTRAINT fk_mapping_closure_to FOREIGN KEY (to_requirement_id) REFERENCES requirement (id) ON DELETE CASCADE,
        CONSTRAINT uq_mapping_closure UNIQUE NULLS NOT DISTINCT (scope_id, from_requirement_id, to_requirement_id),
        CONSTRAINT ck_mapping_closure_coverage CHECK (any_coverage IN ('FULL', 'PARTIAL'))
      )`);
    await q.query(`CREATE INDEX ix_mapping_closure_to ON mapping_closure (scope_id, to_requirement_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mapping_closure`);
    await q.query(`DROP TABLE prefill_rejection`);
    await q.query(`DROP TABLE applicability_decision`);
    await q.query(`DROP TABLE evidence_link`);
    await q.query(`DROP TABLE evidence_review`);
    await q.query(`DROP TABLE evidence_revision`);
    await q.query(`DROP TABLE evidence`);
    await q.query(`DELETE FROM mapping WHERE mapping_source_id IN (SELECT id FROM mapping_source WHERE organization_id IS NOT NULL)`);
    await q.query(`DELETE FROM mapping_source WHERE organization_id IS NOT NULL`);
    await q.query(`ALTER TABLE mapping_source DROP CONSTRAINT uq_mapping_source_key`);
    await q.query(`ALTER TABLE mapping_source ADD CONSTRAINT uq_mapping_source_key UNIQUE (key)`);
    await q.query(`ALTER TABLE mapping_source DROP CONSTRAINT fk_mapping_source_organization`);
    await q.query(`ALTER TABLE mapping_source DROP COLUMN organization_id`);
    await q.query(`DROP TABLE organization`);
  }
}
