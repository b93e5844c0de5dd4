import { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunction as previousGrantFunction } from './1765497600000-events';

const ORG = `nullif(current_setting('app.organization_id', true), '')::uuid`;
const ORG_FK = (table: string) => `CONSTRAINT fk_${table}_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE`;

export const WEBHOOK_TABLES = ['webhook_endpoint', 'webhook_secret', 'webhook_delivery', 'webhook_attempt'];

/**
 * Webhooks (issue 16, src/modules/webhooks):
 * - webhook_endpoint: where an organization wants its events POSTed, with filters (event types, a
 *   framework, an AI system). consecutive_failures and failing_since count the current run of failed
 *   attempts, which disables the endpoint once it is long enough.
 * - webhook_secret: the signing secrets. Kept in clear because signing needs them; after rotation the
 *   older one signs too until expires_at. The audit trail never snapshots this table.
 * - webhook_delivery: one row per (endpoint, event, replay): the delivery log. ordering_key is the
 *   event's key, the unit deliveries are ordered by; job_id is its current pg-boss job.
 * - webhook_attempt: every HTTP attempt, with at most 1 KB of the response.
 * A filter on a framework or AI system that is deleted takes the endpoint with it, rather than
 * silently widening to every event.
 */
export class Webhooks1765584000000 implements MigrationInterface {
  name = 'Webhooks1765584000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoint (
        id uuid NOT NULL DEFAULT hub_uuid_v7(),
        organization_id uuid NOT NULL,
        url text NOT NULL,
        description text,
        event_types text[] NOT NULL DEFAULT '{}',
        framework_id uuid,
        ai_system_id uuid,
        enabled boolean NOT NULL DEFAULT true,
        disabled_at timestamptz,
        disabled_reason text,
        consecutive_failures int NOT NULL DEFAULT 0,
        failing_since timestamptz,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_webhook_endpoint PRIMARY KEY (id),
        ${ORG_FK('webhook_endpoint')},
        CONSTRAINT fk_webhook_endpoint_framework FOREIGN KEY (framework_id) REFERENCES framework (id) ON DELETE CASCADE,
        CONSTRAINT fk_webhook_endpoint_ai_system FOREIGN KEY (ai_system_id) REFERENCES ai_system (id) ON DELETE CASCADE,
        CONSTRAINT ck_webhook_endpoint_url CHECK (url ~ '^https?://'),
        CONSTRAINT ck_webhook_endpoint_url_length CHECK (length(url) <= 2000),
        CONSTRAINT ck_webhook_endpoint_description_length CHECK (length(description) <= 1000),
        CONSTRAINT ck_webhook_endpoint_event_types CHECK (cardinality(event_types) <= 100),
        CONSTRAINT ck_webhook_endpoint_disabled CHECK (enabled = (disabled_at IS NULL))
      )`);
    await q.query(`CREATE INDEX ix_webhook_endpoint_organization ON webhook_endpoint (organization_id, id)`);

    await q.query(`
      CREATE TABLE webhook_secret (
        id uuid NOT NULL DEFAULT hub_uuid_v7(),
        organization_id uuid NOT NULL,
        endpoint_id uuid NOT NULL,
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        expires_at timestamptz,
        CONSTRAINT pk_webhook_secret PRIMARY KEY (id),
        ${ORG_FK('webhook_secret')},
        CONSTRAINT fk_webhook_secret_endpoint FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
        CONSTRAINT ck_webhook_secret_format CHECK (secret ~ '^whsec_[A-Za-z0-9+/]{20,200}={0,2}$')
      )`);
    await q.query(`CREATE INDEX ix_webhook_secret_endpoint ON webhook_secret (endpoint_id, created_at)`);

    await q.query(`
      CREATE TABLE webhook_delivery (
        id uuid NOT NULL DEFAULT hub_uuid_v7(),
        organization_id uuid NOT NULL,
        endpoint_id uuid NOT NULL,
        event_id uuid NOT NULL,
        ordering_key text NOT NULL,
        replay int NOT NULL DEFAULT 0,
        status text NOT NULL DEFAULT 'PENDING',
        attempts int NOT NULL DEFAULT 0,
        last_status_code int,
        last_error text,
        job_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        finished_at timestamptz,
        CONSTRAINT pk_webhook_delivery PRIMARY KEY (id),
        ${ORG_FK('webhook_delivery')},
        CONSTRAINT fk_webhook_delivery_endpoint FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
        CONSTRAINT fk_webhook_delivery_event FOREIGN KEY (event_id) REFERENCES hub_event (id) ON DELETE CASCADE,
        CONSTRAINT uq_webhook_delivery_replay UNIQUE (endpoint_id, event_id, replay),
        CONSTRAINT ck_webhook_delivery_status CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED', 'CANCELLED')),
        CONSTRAINT ck_webhook_delivery_replay CHECK (replay >= 0)
      )`);
    await q.query(`CREATE INDEX ix_webhook_delivery_endpoint ON webhook_delivery (endpoint_id, id)`);
    await q.query(`CREATE INDEX ix_webhook_delivery_pending ON webhook_delivery (endpoint_id, ordering_key) WHERE status = 'PENDING'`);
    // Pruning events deletes their deliveries.
    await q.query(`CREATE INDEX ix_webhook_delivery_event ON webhook_delivery (event_id)`);

    await q.query(`
      CREATE TABLE webhook_attempt (
        id uuid NOT NULL DEFAULT hub_uuid_v7(),
        organization_id uuid NOT NULL,
        delivery_id uuid NOT NULL,
        attempted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        status_code int,
        duration_ms int NOT NULL,
        error text,
        response_excerpt text,
        CONSTRAINT pk_webhook_attempt PRIMARY KEY (id),
        ${ORG_FK('webhook_attempt')},
        CONSTRAINT fk_webhook_attempt_delivery FOREIGN KEY (delivery_id) REFERENCES webhook_delivery (id) ON DELETE CASCADE,
        CONSTRAINT ck_webhook_attempt_excerpt_size CHECK (octet_length(response_excerpt) <= 1024),
        CONSTRAINT ck_webhook_attempt_error_size CHECK (length(error) <= 1000)
      )`);
    await q.query(`CREATE INDEX ix_webhook_attempt_delivery ON webhook_attempt (delivery_id, attempted_at)`);

    for (const t of WEBHOOK_TABLES) {
      await q.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY p_${t}_organization ON ${t} USING (organization_id = ${ORG}) WITH CHECK (organization_id = ${ORG})`);
    }
    await q.query(grantFunction());
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(previousGrantFunction());
    for (const t of [...WEBHOOK_TABLES].reverse()) await q.query(`DROP TABLE ${t}`);
  }
}

/** hub_grant_application_role as in Events1765497600000, plus the webhook tables. */
export function grantFunction(): string {
  const base = previousGrantFunction();
  const extra = `
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ${WEBHOOK_TABLES.join(', ')} TO %I', app);
    END $$`;
  return base.replace(/\n\s*END \$\$$/, () => extra);
}
