import { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunction as previousGrantFunction } from './1765238400000-eu-ai-act-facts';

const ORG = `nullif(current_setting('app.organization_id', true), '')::uuid`;
const OWNER = `(SELECT hub_is_schema_owner())`;

/** The graph every organization reads unless it pinned a version, declared a condition or has sets of its own. */
export const DEFAULT_GRAPH_ID = '00000000-0000-4000-8000-000000000001';

/**
 * Versioned mapping sets, conditional relationships and the mapping graph an organization reads (issue 13):
 * - mapping_source.version / revision: a set (key) has versions; a shipped version is revision 0, an
 *   organization's overlay of a shipped version (an approved change) is revision 1, 2, ... of that
 *   version, owned by the organization. supersedes_id names the version a new one replaces, base_id the
 *   shipped version an overlay starts from.
 * - mapping.qualifiers: conditions under which a row reads another relationship (OSCAL qualifier-item plus
 *   when / process / relationship / strength).
 * - organization_condition: an organization's declaration that a condition holds (or not), one row per
 *   period (valid_from, valid_to), so a report at asOf reads the declaration then in force.
 * - mapping_set_pin: the version of a set an organization reads instead of the latest.
 * - mapping_graph: which set versions and conditions an organization's reports read, per period. The
 *   default graph (organization NULL) is the latest shipped versions with no condition; an organization
 *   gets its own graph only when it pins, declares or owns sets. mapping_closure is now kept per graph.
 * - mapping_change_set: a proposed change to a set, its review and its outcome.
 */
export class MappingVersions1765324800000 implements MigrationInterface {
  name = 'MappingVersions1765324800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mapping_source ADD COLUMN version int NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE mapping_source ADD COLUMN revision int NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE mapping_source ADD COLUMN supersedes_id uuid`);
    await q.query(`ALTER TABLE mapping_source ADD COLUMN base_id uuid`);
    await q.query(`ALTER TABLE mapping_source ADD CONSTRAINT fk_mapping_source_supersedes FOREIGN KEY (supersedes_id) REFERENCES mapping_source (id) ON DELETE SET NULL`);
    await q.query(`ALTER TABLE mapping_source ADD CONSTRAINT fk_mapping_source_base FOREIGN KEY (base_id) REFERENCES mapping_source (id) ON DELETE SET NULL`);
    await q.query(`ALTER TABLE mapping_source ADD CONSTRAINT ck_mapping_source_version CHECK (version >= 1 AND revision >= 0)`);
    await q.query(`ALTER TABLE mapping_source DROP CONSTRAINT uq_mapping_source_key`);
    await q.query(`ALTER TABLE mapping_source ADD CONSTRAINT uq_mapping_source_key UNIQUE NULLS NOT DISTINCT (organization_id, key, version, revision)`);

    await q.query(`ALTER TABLE mapping ADD COLUMN qualifiers jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(`ALTER TABLE mapping ADD CONSTRAINT ck_mapping_qualifiers CHECK (jsonb_typeof(qualifiers) = 'array')`);

    await q.query(`
      CREATE TABLE organization_condition (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        condition text NOT NULL,
        parameter text NOT NULL DEFAULT '',
        holds boolean NOT NULL,
        note text,
        valid_from timestamptz NOT NULL DEFAULT now(),
        valid_to timestamptz,
        declared_by text NOT NULL,
        ended_by text,
        CONSTRAINT pk_organization_condition PRIMARY KEY (id),
        CONSTRAINT fk_organization_condition_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT ck_organization_condition_period CHECK (valid_to IS NULL OR valid_to >= valid_from),
        CONSTRAINT ck_organization_condition_note CHECK (length(note) <= 2000)
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_organization_condition_current ON organization_condition (organization_id, condition, parameter) WHERE valid_to IS NULL`);

    await q.query(`
      CREATE TABLE mapping_set_pin (
        organization_id uuid NOT NULL,
        key text NOT NULL,
        mapping_source_id uuid NOT NULL,
        pinned_by text NOT NULL,
        pinned_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_mapping_set_pin PRIMARY KEY (organization_id, key),
        CONSTRAINT fk_mapping_set_pin_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT fk_mapping_set_pin_source FOREIGN KEY (mapping_source_id) REFERENCES mapping_source (id) ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE mapping_graph (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid,
        descriptor jsonb NOT NULL,
        source_ids uuid[] NOT NULL,
        conditions text[] NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_to timestamptz,
        reason text NOT NULL,
        created_by text NOT NULL,
        built_at timestamptz,
        closure_rows int,
        CONSTRAINT pk_mapping_graph PRIMARY KEY (id),
        CONSTRAINT fk_mapping_graph_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT ck_mapping_graph_period CHECK (valid_to IS NULL OR valid_to >= valid_from)
      )`);
    await q.query(`CREATE INDEX ix_mapping_graph_organization ON mapping_graph (organization_id, valid_from)`);
    await q.query(`CREATE UNIQUE INDEX uq_mapping_graph_current ON mapping_graph (organization_id) WHERE valid_to IS NULL AND organization_id IS NOT NULL`);
    await q.query(`INSERT INTO mapping_graph (id, organization_id, descriptor, source_ids, conditions, valid_from, reason, created_by)
                   VALUES ('${DEFAULT_GRAPH_ID}', NULL, '{"pins": {}, "conditions": []}', '{}', '{}', '-infinity', 'default', 'migration')`);
    // Organizations with sets of their own read a graph of their own, built by the seeder on the next start.
    await q.query(`INSERT INTO mapping_graph (organization_id, descriptor, source_ids, conditions, valid_from, reason, created_by)
                   SELECT DISTINCT organization_id, '{"pins": {}, "conditions": []}'::jsonb, '{}'::uuid[], '{}'::text[], '-infinity'::timestamptz, 'own mapping sets', 'migration'
                   FROM mapping_source WHERE organization_id IS NOT NULL`);

    // The closure is per graph now; the seeder rebuilds every graph when the default one is empty.
    await q.query(`DELETE FROM mapping_closure`);
    await q.query(`ALTER TABLE mapping_closure ADD COLUMN graph_id uuid NOT NULL`);
    await q.query(`ALTER TABLE mapping_closure ADD CONSTRAINT fk_mapping_closure_graph FOREIGN KEY (graph_id) REFERENCES mapping_graph (id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE mapping_closure DROP CONSTRAINT uq_mapping_closure`);
    await q.query(`DROP INDEX ix_mapping_closure_to`);
    await q.query(`ALTER TABLE mapping_closure ADD CONSTRAINT uq_mapping_closure UNIQUE (graph_id, from_requirement_id, to_requirement_id)`);
    await q.query(`CREATE INDEX ix_mapping_closure_to ON mapping_closure (graph_id, to_requirement_id)`);

    await q.query(`
      CREATE TABLE mapping_change_set (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        mapping_source_id uuid NOT NULL,
        title text NOT NULL,
        changes jsonb NOT NULL,
        status text NOT NULL,
        proposed_by text NOT NULL,
        proposed_by_token uuid NOT NULL,
        proposed_at timestamptz NOT NULL DEFAULT now(),
        decided_by text,
        decided_by_token uuid,
        decided_at timestamptz,
        decision_comment text,
        result_source_id uuid,
        CONSTRAINT pk_mapping_change_set PRIMARY KEY (id),
        CONSTRAINT fk_mapping_change_set_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT fk_mapping_change_set_source FOREIGN KEY (mapping_source_id) REFERENCES mapping_source (id) ON DELETE CASCADE,
        CONSTRAINT fk_mapping_change_set_result FOREIGN KEY (result_source_id) REFERENCES mapping_source (id) ON DELETE SET NULL,
        CONSTRAINT ck_mapping_change_set_status CHECK (status IN ('PROPOSED', 'APPROVED', 'REJECTED', 'WITHDRAWN')),
        CONSTRAINT ck_mapping_change_set_changes CHECK (jsonb_typeof(changes) = 'array'),
        CONSTRAINT ck_mapping_change_set_title CHECK (length(title) BETWEEN 1 AND 500),
        CONSTRAINT ck_mapping_change_set_comment CHECK (length(decision_comment) <= 2000)
      )`);
    await q.query(`CREATE INDEX ix_mapping_change_set_organization ON mapping_change_set (organization_id, proposed_at)`);

    for (const t of ['organization_condition', 'mapping_set_pin', 'mapping_change_set']) {
      await q.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY p_${t}_organization ON ${t} USING (organization_id = ${ORG}) WITH CHECK (organization_id = ${ORG})`);
    }
    // Like mapping_source: the default graph is for everyone, an organization's graphs only for it.
    await q.query(`ALTER TABLE mapping_graph ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE mapping_graph FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY p_mapping_graph_read ON mapping_graph FOR SELECT USING (organization_id IS NULL OR organization_id = ${ORG})`);
    for (const cmd of ['INSERT', 'UPDATE', 'DELETE']) {
      const own = `(organization_id = ${ORG} OR ${OWNER})`;
      const clauses = cmd === 'INSERT' ? `WITH CHECK ${own}` : cmd === 'DELETE' ? `USING ${own}` : `USING ${own} WITH CHECK ${own}`;
      await q.query(`CREATE POLICY p_mapping_graph_${cmd.toLowerCase()} ON mapping_graph FOR ${cmd} ${clauses}`);
    }
    // A new graph's closure rows are invisible to the planner until statistics are refreshed, and a report then
    // plans for a handful of rows instead of tens of thousands (a nested loop 60 times slower). The application
    // role does not own the table, so the refresh runs as its owner.
    await q.query(`
      CREATE FUNCTION hub_analyze_mapping_closure() RETURNS void
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        ANALYZE mapping_closure;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION hub_analyze_mapping_closure() FROM PUBLIC`);
    await q.query(grantFunction(true));
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(previousGrantFunction(true));
    await q.query(`DROP FUNCTION hub_analyze_mapping_closure()`);
    await q.query(`DROP TABLE mapping_change_set`);
    await q.query(`DELETE FROM mapping_closure`);
    await q.query(`ALTER TABLE mapping_closure DROP CONSTRAINT uq_mapping_closure`);
    await q.query(`DROP INDEX ix_mapping_closure_to`);
    await q.query(`ALTER TABLE mapping_closure DROP COLUMN graph_id`);
    await q.query(`ALTER TABLE mapping_closure ADD CONSTRAINT uq_mapping_closure UNIQUE NULLS NOT DISTINCT (scope_id, from_requirement_id, to_requirement_id)`);
    await q.query(`CREATE INDEX ix_mapping_closure_to ON mapping_closure (scope_id, to_requirement_id)`);
    await q.query(`DROP TABLE mapping_graph`);
    await q.query(`DROP TABLE mapping_set_pin`);
    await q.query(`DROP TABLE organization_condition`);
    await q.query(`ALTER TABLE mapping DROP COLUMN qualifiers`);
    // Only the first version of each set fits the old one-set-per-key constraint.
    await q.query(`DELETE FROM mapping_source WHERE version > 1 OR revision > 0`);
    await q.query(`ALTER TABLE mapping_source DROP CONSTRAINT uq_mapping_source_key`);
    await q.query(`ALTER TABLE mapping_source ADD CONSTRAINT uq_mapping_source_key UNIQUE NULLS NOT DISTINCT (organization_id, key)`);
    for (const c of ['ck_mapping_source_version', 'fk_mapping_source_base', 'fk_mapping_source_supersedes']) await q.query(`ALTER TABLE mapping_source DROP CONSTRAINT ${c}`);
    for (const c of ['base_id', 'supersedes_id', 'revision', 'version']) await q.query(`ALTER TABLE mapping_source DROP COLUMN ${c}`);
  }
}

/** hub_grant_application_role as in EuAiActFacts1765238400000, plus (withMappingReview) the tables above. */
export function grantFunction(withMappingReview: boolean): string {
  const base = previousGrantFunction(true);
  if (!withMappingReview) return base;
  const extra = `
      FOREACH t IN ARRAY ARRAY['organization_condition', 'mapping_graph', 'mapping_change_set'] LOOP
        EXECUTE format('GRANT INSERT, UPDATE ON %I TO %I', t, app);
      END LOOP;
      EXECUTE format('GRANT INSERT, UPDATE, DELETE ON mapping_set_pin TO %I', app);
      EXECUTE format('GRANT UPDATE (status, updated_at) ON mapping_source TO %I', app);
      EXECUTE format('GRANT EXECUTE ON FUNCTION hub_analyze_mapping_closure() TO %I', app);
    END $$`;
  return base.replace(/\n\s*END \$\$$/, () => extra);
}
