import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The control graph: versioned frameworks, their requirement trees, mapping sets (provenance) and
 * typed mappings. Vocabularies are text + CHECK rather than PostgreSQL enums, so a later migration can
 * widen them without the ALTER TYPE ... ADD VALUE transaction restrictions.
 */
export class ControlGraph1764201600000 implements MigrationInterface {
  name = 'ControlGraph1764201600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE framework (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        key text NOT NULL,
        version text NOT NULL,
        name text NOT NULL,
        short_name text,
        publisher text NOT NULL,
        kind text NOT NULL,
        edition text,
        source_url text,
        source_citation text,
        licence_note text NOT NULL,
        released_on date,
        notes text,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        content_sha256 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_framework PRIMARY KEY (id),
        CONSTRAINT uq_framework_key_version UNIQUE (key, version),
        CONSTRAINT ck_framework_kind CHECK (kind IN ('standard', 'framework', 'regulation', 'internal')),
        CONSTRAINT ck_framework_key CHECK (key ~ '^[a-z0-9][a-z0-9-]*$')
      )`);

    await q.query(`
      CREATE TABLE requirement (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        framework_id uuid NOT NULL,
        parent_id uuid,
        ancestor_ids uuid[] NOT NULL DEFAULT '{}',
        depth smallint NOT NULL,
        ref text NOT NULL,
        kind text NOT NULL,
        title text NOT NULL,
        text text,
        summary text,
        assessable boolean NOT NULL,
        position integer NOT NULL,
        actors text[] NOT NULL DEFAULT '{}',
        risk_tiers text[] NOT NULL DEFAULT '{}',
        applies_from date,
        applies_from_annex_i date,
        operator_duty boolean,
        pending_amendment text,
        attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
        search_vector tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('simple'::regconfig, ref), 'A') ||
          setweight(to_tsvector('english'::regconfig, title), 'A') ||
          setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') ||
          setweight(to_tsvector('english'::regconfig, coalesce(text, '')), 'C')
        ) STORED,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_requirement PRIMARY KEY (id),
        CONSTRAINT fk_requirement_framework FOREIGN KEY (framework_id) REFERENCES framework (id) ON DELETE CASCADE,
        CONSTRAINT fk_requirement_parent FOREIGN KEY (parent_id) REFERENCES requirement (id) ON DELETE CASCADE,
        CONSTRAINT uq_requirement_framework_ref UNIQUE (framework_id, ref),
        CONSTRAINT uq_requirement_framework_position UNIQUE (framework_id, position),
        CONSTRAINT ck_requirement_kind CHECK (kind IN ('clause', 'annex-area', 'control', 'function', 'category',
          'subcategory', 'chapter', 'section', 'article', 'paragraph', 'point', 'group', 'requirement'))
      )`);
    await q.query(`CREATE INDEX ix_requirement_parent ON requirement (parent_id, position)`);
    await q.query(`CREATE INDEX ix_requirement_assessable ON requirement (framework_id, position) WHERE assessable`);
    await q.query(`CREATE INDEX ix_requirement_search ON requirement USING gin (search_vector)`);

    await q.query(`
      CREATE TABLE mapping_source (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        key text NOT NULL,
        name text NOT NULL,
        publisher text NOT NULL,
        url text,
        licence_note text,
        method text NOT NULL,
        method_note text,
        status text NOT NULL,
        relationship_vocabulary text,
        compiled_on date,
        source_framework_id uuid NOT NULL,
        target_framework_id uuid NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        content_sha256 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_mapping_source PRIMARY KEY (id),
        CONSTRAINT uq_mapping_source_key UNIQUE (key),
        CONSTRAINT fk_mapping_source_source_framework FOREIGN KEY (source_framework_id) REFERENCES framework (id) ON DELETE CASCADE,
        CONSTRAINT fk_mapping_source_target_framework FOREIGN KEY (target_framework_id) REFERENCES framework (id) ON DELETE CASCADE,
        CONSTRAINT ck_mapping_source_method CHECK (method IN ('HUMAN', 'AUTOMATION', 'HYBRID')),
        CONSTRAINT ck_mapping_source_status CHECK (status IN ('DRAFT', 'COMPLETE', 'SUPERSEDED'))
      )`);

    await q.query(`
      CREATE TABLE mapping (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        mapping_source_id uuid NOT NULL,
        source_requirement_id uuid NOT NULL,
        target_requirement_id uuid NOT NULL,
        relationship text NOT NULL,
        strength smallint,
        rationale text,
        note text,
        attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_mapping PRIMARY KEY (id),
        CONSTRAINT fk_mapping_mapping_source FOREIGN KEY (mapping_source_id) REFERENCES mapping_source (id) ON DELETE CASCADE,
        CONSTRAINT fk_mapping_source_requirement FOREIGN KEY (source_requirement_id) REFERENCES requirement (id) ON DELETE CASCADE,
        CONSTRAINT fk_mapping_target_requirement FOREIGN KEY (target_requirement_id) REFERENCES requirement (id) ON DELETE CASCADE,
        CONSTRAINT uq_mapping_pair UNIQUE (mapping_source_id, source_requirement_id, target_requirement_id),
        CONSTRAINT ck_mapping_not_self CHECK (source_requirement_id <> target_requirement_id),
        CONSTRAINT ck_mapping_relationship CHECK (relationship IN ('EQUAL', 'SUBSET_OF', 'SUPERSET_OF', 'INTERSECTS_WITH', 'NO_RELATIONSHIP')),
        CONSTRAINT ck_mapping_strength CHECK (strength BETWEEN 1 AND 10),
        CONSTRAINT ck_mapping_rationale CHECK (rationale IN ('SYNTACTIC', 'SEMANTIC', 'FUNCTIONAL'))
      )`);
    await q.query(`CREATE INDEX ix_mapping_source_requirement ON mapping (source_requirement_id)`);
    await q.query(`CREATE INDEX ix_mapping_target_requirement ON mapping (target_requirement_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mapping`);
    await q.query(`DROP TABLE mapping_source`);
    await q.query(`DROP TABLE requirement`);
    await q.query(`DROP TABLE framework`);
  }
}
