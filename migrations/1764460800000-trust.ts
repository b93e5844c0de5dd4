import { MigrationInterface, QueryRunner } from 'typeorm';

/** API tokens (stored only as hashes) and the append-only audit trail. */
export class Trust1764460800000 implements MigrationInterface {
  name = 'Trust1764460800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_token (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        name text NOT NULL,
        role text NOT NULL,
        prefix text NOT NULL,
        token_hash text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        CONSTRAINT pk_api_token PRIMARY KEY (id),
        CONSTRAINT fk_api_token_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT uq_api_token_hash UNIQUE (token_hash),
        CONSTRAINT ck_api_token_role CHECK (role IN ('VIEWER', 'ANALYST', 'INTEGRATOR', 'EDITOR', 'ADMIN')),
        CONSTRAINT ck_api_token_hash CHECK (token_hash ~ '^[0-9a-f]{64}$')
      )`);
    await q.query(`
      CREATE TABLE audit_event (
        id bigint GENERATED ALWAYS AS IDENTITY,
        organization_id uuid NOT NULL,
        token_id uuid,
        token_prefix text,
        actor text NOT NULL,
        operation text NOT NULL,
        touched_ids text[] NOT NULL DEFAULT '{}',
        variables jsonb,
        outcome text NOT NULL,
        request_id text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_audit_event PRIMARY KEY (id),
        CONSTRAINT fk_audit_event_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX ix_audit_event_org_at ON audit_event (organization_id, id DESC)`);
    // Append-only: the trail itself refuses to be changed, whoever asks.
    await q.query(`
      CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER trg_audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()`);
    await q.query(`CREATE TRIGGER trg_audit_event_no_truncate BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_event`);
    await q.query(`DROP FUNCTION audit_event_append_only()`);
    await q.query(`DROP TABLE api_token`);
  }
}
