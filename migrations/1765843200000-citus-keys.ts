import { MigrationInterface, QueryRunner } from 'typeorm';

/** Organization-owned tables whose primary key was (id) alone. */
const KEYED_BY_ID = ['ai_system', 'ai_system_history', 'amendment_publication', 'api_token', 'applicability_decision', 'audit_event',
  'audit_finding', 'evidence', 'evidence_link', 'evidence_review', 'evidence_revision', 'gate_task', 'hub_event', 'impact_assessment',
  'internal_audit', 'mapping_change_set', 'measurement', 'nonconformity', 'organization_condition', 'oversight_point', 'oversight_record',
  'prefill_rejection', 'register_record', 'webhook_attempt', 'webhook_delivery', 'webhook_endpoint', 'webhook_secret'];

interface UniqueKey {
  table: string;
  name: string;
  before: string;
  after: string;
  /** A partial unique index rather than a constraint: its predicate, kept as it was. */
  where?: string;
}

/**
 * Unique keys without organization_id. It goes last where the lookups give the leading columns without
 * it (a link by evidence and requirement, a token by its hash), first where the one index it replaces
 * was already the organization's (evidence pages by seq, events by position).
 */
const UNIQUE_KEYS: UniqueKey[] = [
  { table: 'api_token', name: 'uq_api_token_hash', before: 'token_hash', after: 'token_hash, organization_id' },
  { table: 'evidence', name: 'uq_evidence_seq', before: 'seq', after: 'organization_id, seq' },
  { table: 'evidence_link', name: 'uq_evidence_link_active', before: 'evidence_id, requirement_id', after: 'evidence_id, requirement_id, organization_id', where: 'unlinked_at IS NULL' },
  { table: 'evidence_revision', name: 'uq_evidence_revision_version', before: 'evidence_id, version', after: 'evidence_id, version, organization_id' },
  { table: 'hub_event', name: 'uq_hub_event_position', before: 'position', after: 'organization_id, position', where: 'position IS NOT NULL' },
  { table: 'impact_assessment', name: 'uq_impact_assessment_version', before: 'ai_system_id, version', after: 'ai_system_id, version, organization_id' },
  { table: 'measurement', name: 'uq_measurement', before: 'record_id, external_id', after: 'record_id, external_id, organization_id' },
  { table: 'oversight_point', name: 'uq_oversight_point_name', before: 'ai_system_id, name', after: 'ai_system_id, name, organization_id' },
  { table: 'oversight_record', name: 'uq_oversight_record', before: 'point_id, case_ref, decided_at', after: 'point_id, case_ref, decided_at, organization_id' },
  { table: 'webhook_delivery', name: 'uq_webhook_delivery_replay', before: 'endpoint_id, event_id, replay', after: 'endpoint_id, event_id, replay, organization_id' },
];

/** Plain indexes the new unique keys make redundant (same leading columns, same predicate). */
const COVERED_INDEXES = [
  { name: 'ix_evidence_org_seq', sql: 'CREATE INDEX ix_evidence_org_seq ON evidence (organization_id, seq)' },
  { name: 'ix_hub_event_organization_position', sql: 'CREATE INDEX ix_hub_event_organization_position ON hub_event (organization_id, position) WHERE position IS NOT NULL' },
];

interface ForeignKey {
  table: string;
  name: string;
  column: string;
  parent: string;
  onDelete: 'CASCADE' | 'SET NULL';
}

/** Every foreign key from one organization-owned table to another. */
const FOREIGN_KEYS: ForeignKey[] = [
  { table: 'ai_system_duty', name: 'fk_ai_system_duty_ai_system', column: 'ai_system_id', parent: 'ai_system', onDelete: 'CASCADE' },
  { table: 'ai_system_history', name: 'fk_ai_system_history_ai_system', column: 'ai_system_id', parent: 'ai_system', onDelete: 'CASCADE' },
  { table: 'audit_finding', name: 'fk_audit_finding_audit', column: 'audit_id', parent: 'internal_audit', onDelete: 'CASCADE' },
  { table: 'evidence', name: 'fk_evidence_ai_system', column: 'ai_system_id', parent: 'ai_system', onDelete: 'CASCADE' },
  { table: 'evidence_link', name: 'fk_evidence_link_organization_evidence', column: 'evidence_id', parent: 'evidence', onDelete: 'CASCADE' },
  { table: 'evidence_review', name: 'fk_evidence_review_evidence', column: 'evidence_id', parent: 'evidence', onDelete: 'CASCADE' },
  { table: 'evidence_revision', name: 'fk_evidence_revision_evidence', column: 'evidence_id', parent: 'evidence', onDelete: 'CASCADE' },
  { table: 'gate_task', name: 'fk_gate_task_ai_system', column: 'ai_system_id', parent: 'ai_system', onDelete: 'CASCADE' },
  { table: 'impact_assessment', name: 'fk_impact_assessment_ai_system', column: 'ai_system_id', parent: 'ai_system', onDelete: 'CASCADE' },
  { table: 'measurement', name: 'fk_measurement_record', column: 'record_id', parent: 'register_record', onDelete: 'CASCADE' },
  { table: 'nonconformity', name: 'fk_nonconformity_ai_system', column: 'ai_system_id', parent: 'ai_system', onDelete: 'SET NULL' },
  { table: 'nonconformity', name: 'fk_nonconformity_finding', column: 'finding_id', parent: 'audit_finding', onDelete: 'SET NULL' },
  { table: 'oversight_point', name: 'fk_oversight_point_ai_system', column: 'ai_system_id', parent: 'ai_system', onDelete: 'CASCADE' },
  { table: 'oversight_record', name: 'fk_oversight_record_point', column: 'point_id', parent: 'oversight_point', onDelete: 'CASCADE' },
  { table: 'prefill_rejection', name: 'fk_prefill_rejection_evidence', column: 'evidence_id', parent: 'evidence', onDelete: 'CASCADE' },
  { table: 'register_record', name: 'fk_register_record_ai_system', column: 'ai_system_id', parent: 'ai_system', onDelete: 'SET NULL' },
  { table: 'webhook_attempt', name: 'fk_webhook_attempt_delivery', column: 'delivery_id', parent: 'webhook_delivery', onDelete: 'CASCADE' },
  { table: 'webhook_delivery', name: 'fk_webhook_delivery_endpoint', column: 'endpoint_id', parent: 'webhook_endpoint', onDelete: 'CASCADE' },
  { table: 'webhook_delivery', name: 'fk_webhook_delivery_event', column: 'event_id', parent: 'hub_event', onDelete: 'CASCADE' },
  { table: 'webhook_endpoint', name: 'fk_webhook_endpoint_ai_system', column: 'ai_system_id', parent: 'ai_system', onDelete: 'CASCADE' },
  { table: 'webhook_secret', name: 'fk_webhook_secret_endpoint', column: 'endpoint_id', parent: 'webhook_endpoint', onDelete: 'CASCADE' },
];

const addUnique = (k: UniqueKey, columns: string) => (k.where
  ? `CREATE UNIQUE INDEX ${k.name} ON ${k.table} (${columns}) WHERE ${k.where}`
  : `ALTER TABLE ${k.table} ADD CONSTRAINT ${k.name} UNIQUE (${columns})`);
const dropUnique = (k: UniqueKey) => (k.where ? `DROP INDEX ${k.name}` : `ALTER TABLE ${k.table} DROP CONSTRAINT ${k.name}`);

/**
 * Keys a table distributed by organization_id can keep (issue 17; docs/scaling.md, "Citus"): every
 * primary key and unique key of an organization-owned table includes organization_id, and every foreign
 * key between two of them pairs organization_id with organization_id, so a row and what it refers to
 * are always of one organization (and, under Citus, on one shard).
 * - Primary keys become (id, organization_id): id first, so a lookup by id alone still finds the row by
 *   the key. ON CONFLICT ON CONSTRAINT and the error messages keep working: every key keeps its name.
 * - A foreign key that set its column to NULL sets only that column (PostgreSQL 15's column list), not
 *   organization_id; otherwise every ON DELETE is what it was.
 * - uq_evidence_organization_id (the pair evidence_link's key referred to) is the primary key now.
 * No row is written: the migration builds indexes and checks the keys, and stops, changing nothing,
 * if a row refers to a row of another organization.
 */
export class CitusKeys1765843200000 implements MigrationInterface {
  name = 'CitusKeys1765843200000';

  public async up(q: QueryRunner): Promise<void> {
    // A key cannot be replaced while foreign keys use its index.
    for (const f of FOREIGN_KEYS) await q.query(`ALTER TABLE ${f.table} DROP CONSTRAINT ${f.name}`);
    await q.query(`DROP INDEX uq_evidence_organization_id`);
    for (const t of KEYED_BY_ID) {
      await q.query(`ALTER TABLE ${t} DROP CONSTRAINT pk_${t}`);
      await q.query(`ALTER TABLE ${t} ADD CONSTRAINT pk_${t} PRIMARY KEY (id, organization_id)`);
    }
    for (const k of UNIQUE_KEYS) {
      await q.query(dropUnique(k));
      await q.query(addUnique(k, k.after));
    }
    for (const i of COVERED_INDEXES) await q.query(`DROP INDEX ${i.name}`);
    for (const f of FOREIGN_KEYS) {
      await q.query(`ALTER TABLE ${f.table} ADD CONSTRAINT ${f.name} FOREIGN KEY (organization_id, ${f.column})
        REFERENCES ${f.parent} (organization_id, id) ON DELETE ${f.onDelete === 'SET NULL' ? `SET NULL (${f.column})` : f.onDelete}`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const f of FOREIGN_KEYS) await q.query(`ALTER TABLE ${f.table} DROP CONSTRAINT ${f.name}`);
    for (const i of COVERED_INDEXES) await q.query(i.sql);
    for (const k of UNIQUE_KEYS) {
      await q.query(dropUnique(k));
      await q.query(addUnique(k, k.before));
    }
    for (const t of KEYED_BY_ID) {
      await q.query(`ALTER TABLE ${t} DROP CONSTRAINT pk_${t}`);
      await q.query(`ALTER TABLE ${t} ADD CONSTRAINT pk_${t} PRIMARY KEY (id)`);
    }
    await q.query(`CREATE UNIQUE INDEX uq_evidence_organization_id ON evidence (organization_id, id)`);
    for (const f of FOREIGN_KEYS) {
      await q.query(f.table === 'evidence_link'
        ? `ALTER TABLE evidence_link ADD CONSTRAINT ${f.name} FOREIGN KEY (organization_id, evidence_id) REFERENCES evidence (organization_id, id) ON DELETE CASCADE`
        : `ALTER TABLE ${f.table} ADD CONSTRAINT ${f.name} FOREIGN KEY (${f.column}) REFERENCES ${f.parent} (id) ON DELETE ${f.onDelete}`);
    }
  }
}
