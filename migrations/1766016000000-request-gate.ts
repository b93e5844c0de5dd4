import { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunction as previousGrantFunction } from './1765929600000-shared-state';

/**
 * hub_begin_request: what every GraphQL request used to ask in five statements (the failed-authentication
 * counter up, the request counter up, the token lookup in a transaction of its own, the failure counter
 * back down), asked in one (src/graphql/request-gate.ts, issue 18). In order, as before:
 * 1. an address with `failure_limit` failed authentications in the current window is refused
 *    ('auth_failures') before anything else is read;
 * 2. the caller's request counter (the token's, else the address's) counts the hit; past `request_limit`
 *    the request is refused ('rate_limited'), counted all the same, as express-rate-limit counts;
 * 3. the token is looked up as hub_authenticate_token does (not revoked, not expired, last_used_at touched
 *    at most once a minute); when there is none, the address's failure counter counts it ('unauthenticated').
 * The counters are the rows of hub_rate_limit that the express-rate-limit store writes (same keys, same
 * fixed windows), so the limits of /graphql, /export and /import stay one per caller. A limit of 0 is off.
 * SECURITY DEFINER, as hub_authenticate_token: api_token is under row-level security and no organization
 * is known yet.
 *
 * It also answers the catalog stamp (hub_catalog_stamp), a number every change to the framework table
 * moves on (a statement trigger): a process keeps the frameworks an organization sees for as long as the
 * stamp has not moved, so a query reads them without a statement of its own (framework.service.ts).
 */
export class RequestGate1766016000000 implements MigrationInterface {
  name = 'RequestGate1766016000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE hub_catalog_stamp (id smallint NOT NULL DEFAULT 1, stamp bigint NOT NULL, CONSTRAINT pk_hub_catalog_stamp PRIMARY KEY (id), CONSTRAINT ck_hub_catalog_stamp_one CHECK (id = 1))`);
    await q.query(`INSERT INTO hub_catalog_stamp (stamp) VALUES (1)`);
    await q.query(`
      CREATE FUNCTION hub_catalog_changed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        UPDATE hub_catalog_stamp SET stamp = stamp + 1;
        RETURN NULL;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION hub_catalog_changed() FROM PUBLIC`);
    await q.query(`CREATE TRIGGER tr_framework_catalog_stamp AFTER INSERT OR UPDATE OR DELETE ON framework FOR EACH STATEMENT EXECUTE FUNCTION hub_catalog_changed()`);
    await q.query(`CREATE TRIGGER tr_framework_catalog_stamp_truncate AFTER TRUNCATE ON framework FOR EACH STATEMENT EXECUTE FUNCTION hub_catalog_changed()`);
    await q.query(`
      CREATE FUNCTION hub_begin_request(p_token_hash text, p_request_key bytea, p_request_limit integer, p_failure_key bytea, p_failure_limit integer, p_window_ms integer)
      RETURNS TABLE (outcome text, hits integer, reset_at timestamptz, id uuid, organization_id uuid, name text, role text, prefix text, catalog_stamp bigint)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      #variable_conflict use_column
      DECLARE
        v_hits integer;
        v_reset timestamptz;
        v_request_hits integer;
        v_request_reset timestamptz;
        t record;
      BEGIN
        IF p_failure_limit > 0 THEN
          SELECT l.hits, l.reset_at INTO v_hits, v_reset FROM hub_rate_limit l WHERE l.key = p_failure_key AND l.reset_at > now();
          IF v_hits >= p_failure_limit THEN
            RETURN QUERY SELECT 'auth_failures'::text, v_hits, v_reset, NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::bigint;
            RETURN;
          END IF;
        END IF;
        IF p_request_limit > 0 THEN
          INSERT INTO hub_rate_limit AS l (key, hits, reset_at) VALUES (p_request_key, 1, now() + p_window_ms * interval '1 millisecond')
          ON CONFLICT ON CONSTRAINT pk_hub_rate_limit DO UPDATE SET
            hits = CASE WHEN l.reset_at <= now() THEN 1 ELSE l.hits + 1 END,
            reset_at = CASE WHEN l.reset_at <= now() THEN excluded.reset_at ELSE l.reset_at END
          RETURNING l.hits, l.reset_at INTO v_request_hits, v_request_reset;
          IF v_request_hits > p_request_limit THEN
            RETURN QUERY SELECT 'rate_limited'::text, v_request_hits, v_request_reset, NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::bigint;
            RETURN;
          END IF;
        END IF;
        SELECT a.id, a.organization_id, a.name, a.role, a.prefix, a.last_used_at INTO t FROM api_token a
        WHERE p_token_hash IS NOT NULL AND a.token_hash = p_token_hash AND a.revoked_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > now());
        IF t.id IS NULL THEN
          IF p_failure_limit > 0 THEN
            INSERT INTO hub_rate_limit AS l (key, hits, reset_at) VALUES (p_failure_key, 1, now() + p_window_ms * interval '1 millisecond')
            ON CONFLICT ON CONSTRAINT pk_hub_rate_limit DO UPDATE SET
              hits = CASE WHEN l.reset_at <= now() THEN 1 ELSE l.hits + 1 END,
              reset_at = CASE WHEN l.reset_at <= now() THEN excluded.reset_at ELSE l.reset_at END;
          END IF;
          RETURN QUERY SELECT 'unauthenticated'::text, v_request_hits, v_request_reset, NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::bigint;
          RETURN;
        END IF;
        IF t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute' THEN
          UPDATE api_token a SET last_used_at = now() WHERE a.id = t.id;
        END IF;
        RETURN QUERY SELECT 'ok'::text, v_request_hits, v_request_reset, t.id, t.organization_id, t.name, t.role, t.prefix, (SELECT c.stamp FROM hub_catalog_stamp c);
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION hub_begin_request(text, bytea, integer, bytea, integer, integer) FROM PUBLIC`);
    await q.query(grantFunction());
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(previousGrantFunction());
    await q.query(`DROP FUNCTION hub_begin_request(text, bytea, integer, bytea, integer, integer)`);
    await q.query(`DROP TRIGGER tr_framework_catalog_stamp_truncate ON framework`);
    await q.query(`DROP TRIGGER tr_framework_catalog_stamp ON framework`);
    await q.query(`DROP FUNCTION hub_catalog_changed()`);
    await q.query(`DROP TABLE hub_catalog_stamp`);
  }
}

/** hub_grant_application_role as in SharedState1765929600000, plus hub_begin_request. */
export function grantFunction(): string {
  const extra = `
      EXECUTE format('GRANT EXECUTE ON FUNCTION hub_begin_request(text, bytea, integer, bytea, integer, integer) TO %I', app);
    END $$`;
  return previousGrantFunction().replace(/\n\s*END \$\$$/, () => extra);
}
