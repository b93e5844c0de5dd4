import { MigrationInterface, QueryRunner } from 'typeorm';

const ORG = `nullif(current_setting('app.organization_id', true), '')::uuid`;
/** The role that owns the schema (runs migrations and seeds): the only one that writes shared rows. */
const OWNER = `(SELECT hub_is_schema_owner())`;
/** Catalog tables whose rows are shared (organization NULL) or one organization's own. */
const SHARED = [['framework', 'organization_id'], ['requirement', 'organization_id'], ['mapping_source', 'organization_id'], ['mapping_closure', 'scope_id']];
const WRITE_COMMANDS = ['INSERT', 'UPDATE', 'DELETE'] as const;

/**
 * Least privilege for the application role, so the database does not rely on the absence of SQL
 * injection:
 * - api_token gets row-level security; the token lookup before any organization is known goes through
 *   hub_authenticate_token (SECURITY DEFINER), never table access.
 * - shared catalog rows (frameworks, requirements, mapping sets, mappings, closure rows with no
 *   organization) are writable only by the schema owner; an organization writes only its own.
 * - audit events are inserted only through hub_audit_append, which stamps the session's organization
 *   and request id.
 * - hub_grant_application_role(role) grants exactly what the server needs; migrations that add tables
 *   must replace it.
 * Also: audit events keep each mutation field's resolved arguments.
 */
export class LeastPrivilege1764892800000 implements MigrationInterface {
  name = 'LeastPrivilege1764892800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION hub_is_schema_owner() RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'public.organization'::regclass), 'MEMBER')
      $$`);

    await q.query(`ALTER TABLE api_token ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE api_token FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY p_api_token_organization ON api_token USING (organization_id = ${ORG} OR ${OWNER}) WITH CHECK (organization_id = ${ORG} OR ${OWNER})`);
    await q.query(`
      CREATE FUNCTION hub_authenticate_token(hash text)
      RETURNS TABLE (id uuid, organization_id uuid, name text, role text, prefix text)
      LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        WITH t AS (
          SELECT a.id, a.organization_id, a.name, a.role, a.prefix, a.last_used_at FROM api_token a
          WHERE a.token_hash = hash AND a.revoked_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > now())
        ), touched AS (
          UPDATE api_token a SET last_used_at = now() FROM t
          WHERE a.id = t.id AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute')
        )
        SELECT t.id, t.organization_id, t.name, t.role, t.prefix FROM t
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION hub_authenticate_token(text) FROM PUBLIC`);

    for (const [t, col] of SHARED) {
      await q.query(`DROP POLICY p_${t}_organization ON ${t}`);
      await q.query(`CREATE POLICY p_${t}_read ON ${t} FOR SELECT USING (${col} IS NULL OR ${col} = ${ORG})`);
      for (const cmd of WRITE_COMMANDS) {
        const own = `(${col} = ${ORG} OR ${OWNER})`;
        const clauses = cmd === 'INSERT' ? `WITH CHECK ${own}` : cmd === 'DELETE' ? `USING ${own}` : `USING ${own} WITH CHECK ${own}`;
        await q.query(`CREATE POLICY p_${t}_${cmd.toLowerCase()} ON ${t} FOR ${cmd} ${clauses}`);
      }
    }
    const ownSet = `EXISTS (SELECT 1 FROM mapping_source s WHERE s.id = mapping.mapping_source_id AND (s.organization_id = ${ORG} OR ${OWNER}))`;
    await q.query(`DROP POLICY p_mapping_source_visible ON mapping`);
    await q.query(`CREATE POLICY p_mapping_read ON mapping FOR SELECT USING (EXISTS (SELECT 1 FROM mapping_source s WHERE s.id = mapping.mapping_source_id))`);
    await q.query(`CREATE POLICY p_mapping_insert ON mapping FOR INSERT WITH CHECK (${ownSet})`);
    await q.query(`CREATE POLICY p_mapping_update ON mapping FOR UPDATE USING (${ownSet}) WITH CHECK (${ownSet})`);
    await q.query(`CREATE POLICY p_mapping_delete ON mapping FOR DELETE USING (${ownSet})`);

    await q.query(`ALTER TABLE audit_event ADD COLUMN arguments jsonb`);
    await q.query(`
      CREATE FUNCTION hub_audit_append(events jsonb) RETURNS int
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        org uuid := ${ORG};
        req text := nullif(current_setting('app.request_id', true), '');
        n int;
      BEGIN
        IF org IS NULL OR req IS NULL THEN
          RAISE EXCEPTION 'audit events are written inside a request: app.organization_id and app.request_id must be set' USING ERRCODE = '42501';
        END IF;
        INSERT INTO audit_event (organization_id, token_id, token_prefix, actor, operation, touched_ids, variables, arguments, outcome, request_id, before, after)
        SELECT org, x.token_id, x.token_prefix, x.actor, x.operation, x.touched_ids, x.variables, x.arguments, x.outcome, req, x.before, x.after
        FROM jsonb_to_recordset(events) AS x(token_id uuid, token_prefix text, actor text, operation text, touched_ids text[],
             variables jsonb, arguments jsonb, outcome text, before jsonb, after jsonb);
        GET DIAGNOSTICS n = ROW_COUNT;
        RETURN n;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION hub_audit_append(jsonb) FROM PUBLIC`);

    // Tables by what the server does to them; every other table (the catalogs' shared parts, the
    // organization register, the audit trail, the migration log) it only reads.
    await q.query(`
      CREATE FUNCTION hub_grant_application_role(app name) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE t text;
      BEGIN
        EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app);
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', app);
        EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', app);
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app);
        -- Written and corrected: registers, evidence and links, decisions; the rollup through its triggers.
        FOREACH t IN ARRAY ARRAY['ai_system', 'applicability_decision', 'evidence', 'evidence_link', 'gate_task', 'impact_assessment',
                                 'internal_audit', 'nonconformity', 'prefill_rejection', 'register_record'] LOOP
          EXECUTE format('GRANT INSERT, UPDATE ON %I TO %I', t, app);
        END LOOP;
        -- Append-only history and records.
        FOREACH t IN ARRAY ARRAY['ai_system_history', 'audit_finding', 'evidence_review', 'evidence_revision', 'measurement',
                                 'oversight_point', 'oversight_record'] LOOP
          EXECUTE format('GRANT INSERT ON %I TO %I', t, app);
        END LOOP;
        -- An organization's own frameworks and mapping sets (row-level security keeps shared rows out of reach).
        FOREACH t IN ARRAY ARRAY['framework', 'requirement', 'mapping_source'] LOOP
          EXECUTE format('GRANT INSERT ON %I TO %I', t, app);
        END LOOP;
        FOREACH t IN ARRAY ARRAY['mapping', 'mapping_closure', 'evidence_rollup'] LOOP
          EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %I TO %I', t, app);
        END LOOP;
        -- Tokens: created and revoked, never changed otherwise (role, hash, organization stay as made).
        EXECUTE format('GRANT INSERT, UPDATE (revoked_at) ON api_token TO %I', app);
        EXECUTE format('GRANT EXECUTE ON FUNCTION hub_authenticate_token(text) TO %I', app);
        EXECUTE format('GRANT EXECUTE ON FUNCTION hub_audit_append(jsonb) TO %I', app);
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION hub_grant_application_role(name) FROM PUBLIC`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION hub_grant_application_role(name)`);
    await q.query(`DROP FUNCTION hub_audit_append(jsonb)`);
    await q.query(`ALTER TABLE audit_event DROP COLUMN arguments`);
    for (const p of ['read', 'insert', 'update', 'delete']) await q.query(`DROP POLICY p_mapping_${p} ON mapping`);
    await q.query(`CREATE POLICY p_mapping_source_visible ON mapping USING (EXISTS (SELECT 1 FROM mapping_source s WHERE s.id = mapping.mapping_source_id))
      WITH CHECK (EXISTS (SELECT 1 FROM mapping_source s WHERE s.id = mapping.mapping_source_id))`);
    for (const [t, col] of SHARED) {
      for (const p of ['read', 'insert', 'update', 'delete']) await q.query(`DROP POLICY p_${t}_${p} ON ${t}`);
      await q.query(`CREATE POLICY p_${t}_organization ON ${t} USING (${col} IS NULL OR ${col} = ${ORG}) WITH CHECK (${col} IS NULL OR ${col} = ${ORG})`);
    }
    await q.query(`DROP FUNCTION hub_authenticate_token(text)`);
    await q.query(`DROP POLICY p_api_token_organization ON api_token`);
    await q.query(`ALTER TABLE api_token NO FORCE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE api_token DISABLE ROW LEVEL SECURITY`);
    await q.query(`DROP FUNCTION hub_is_schema_owner()`);
  }
}
