import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The longest text each user-writable column of an organization's tables holds: the numbers of
 * src/graphql/input-bounds.ts (TEXT_LIMITS), copied here as literals because a migration never changes
 * after it lands. The API refuses longer input first (BAD_USER_INPUT naming the field); these CHECKs
 * catch any path that skips it, and errors.ts maps their violation (23514) to BAD_USER_INPUT too.
 * Plain CHECKs, validated against existing rows: rows written before the API bounds must be shortened
 * by hand before this migration can run.
 */
const LIMITS: [table: string, column: string, max: number][] = [
  ['evidence', 'source_system', 100], ['evidence', 'external_id', 200], ['evidence', 'title', 500], ['evidence', 'description', 10000],
  ['evidence', 'uri', 2000], ['evidence', 'owner', 200],
  ['evidence_revision', 'uri', 2000],
  ['evidence_review', 'comment', 5000],
  ['evidence_link', 'note', 2000],
  ['applicability_decision', 'justification', 5000],
  ['prefill_rejection', 'reason', 2000],
  ['ai_system', 'name', 200], ['ai_system', 'description', 10000], ['ai_system', 'intended_purpose', 10000], ['ai_system', 'owner', 200],
  ['ai_system', 'business_unit', 200], ['ai_system', 'annex_iii_area', 100], ['ai_system', 'classification_rationale', 10000],
  ['ai_system_history', 'reason', 2000],
  ['gate_task', 'title', 500], ['gate_task', 'owner', 200], ['gate_task', 'justification', 10000],
  ['impact_assessment', 'assessor', 200], ['impact_assessment', 'decision_comment', 2000],
  ['oversight_point', 'name', 200], ['oversight_point', 'location', 500], ['oversight_point', 'decision', 2000],
  ['oversight_point', 'overseer_role', 200], ['oversight_point', 'trigger_criteria', 2000],
  ['oversight_record', 'reviewer', 200], ['oversight_record', 'case_ref', 200], ['oversight_record', 'rationale', 10000],
  ['internal_audit', 'title', 500], ['internal_audit', 'programme', 200], ['internal_audit', 'auditor', 200],
  ['audit_finding', 'description', 10000],
  ['nonconformity', 'description', 10000], ['nonconformity', 'root_cause', 10000], ['nonconformity', 'correction', 10000],
  ['nonconformity', 'corrective_action', 10000], ['nonconformity', 'owner', 200],
  ['register_record', 'title', 500], ['register_record', 'owner', 200], ['register_record', 'status', 100],
  ['measurement', 'external_id', 200],
  ['api_token', 'name', 100],
  ['mapping_source', 'key', 100], ['mapping_source', 'name', 200], ['mapping_source', 'publisher', 200], ['mapping_source', 'url', 2000],
  ['mapping_source', 'licence_note', 2000], ['mapping_source', 'method_note', 10000],
  ['mapping', 'note', 2000],
];

export class TextLimits1764979200000 implements MigrationInterface {
  name = 'TextLimits1764979200000';

  public async up(q: QueryRunner): Promise<void> {
    for (const [table, column, max] of LIMITS) {
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ck_${table}_${column}_length CHECK (char_length(${column}) <= ${max})`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const [table, column] of [...LIMITS].reverse()) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ck_${table}_${column}_length`);
    }
  }
}
