import { MigrationInterface, QueryRunner } from 'typeorm';

/** Organization-owned tables: a row is visible and writable only when app.organization_id names its organization. */
const OWNED = [
  'evidence', 'evidence_revision', 'evidence_review', 'evidence_link', 'applicability_decision', 'prefill_rejection',
  'ai_system', 'ai_system_history', 'gate_task', 'impact_assessment', 'oversight_point', 'oversight_record',
  'internal_audit', 'audit_finding', 'nonconformity', 'register_record', 'measurement', 'audit_event',
];
const ORG = `nullif(current_setting('app.organization_id', true), '')::uuid`;

/**
 * Row-level security as defence in depth behind the application's own scoping. FORCE makes it apply to
 * the tables' owner too; only superusers and BYPASSRLS roles escape it, so the application must not
 * connect as one (the server warns when it does). api_token (hashes only) is read before any
 * organization is known, and the catalogs are shared, so they have no policy.
 */
export class RowLevelSecurity1764547200000 implements MigrationInterface {
  name = 'RowLevelSecurity1764547200000';

  public async up(q: QueryRunner): Promise<void> {
    for (const t of OWNED) {
      await q.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY p_${t}_organization ON ${t} USING (organization_id = ${ORG}) WITH CHECK (organization_id = ${ORG})`);
    }
    // Shared rows (NULL) are for everyone; an organization's own only for it.
    for (const [t, col] of [['mapping_source', 'organization_id'], ['mapping_closure', 'scope_id']]) {
      await q.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY p_${t}_organization ON ${t} USING (${col} IS NULL OR ${col} = ${ORG}) WITH CHECK (${col} IS NULL OR ${col} = ${ORG})`);
    }
    // A mapping is visible when its set is.
    await q.query(`ALTER TABLE mapping ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE mapping FORCE ROW LEVEL SECURITY`);
    const visible = `EXISTS (SELECT 1 FROM mapping_source s WHERE s.id = mapping.mapping_source_id)`;
    await q.query(`CREATE POLICY p_mapping_source_visible ON mapping USING (${visible}) WITH CHECK (${visible})`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY p_mapping_source_visible ON mapping`);
    await q.query(`ALTER TABLE mapping NO FORCE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE mapping DISABLE ROW LEVEL SECURITY`);
    for (const t of [...OWNED, 'mapping_source', 'mapping_closure']) {
      await q.query(`DROP POLICY p_${t}_organization ON ${t}`);
      await q.query(`ALTER TABLE ${t} NO FORCE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} DISABLE ROW LEVEL SECURITY`);
    }
  }
}
