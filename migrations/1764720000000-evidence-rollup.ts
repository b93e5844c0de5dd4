import { MigrationInterface, QueryRunner } from 'typeorm';

const ORG = `nullif(current_setting('app.organization_id', true), '')::uuid`;

/**
 * The state of one link at time `at`, exactly as EVIDENCE_STATE_SQL and ACTIVE_LINK_SQL in
 * src/modules/coverage/coverage.sql.ts define it (a test holds the two equal).
 */
const STATE_FN = `
CREATE FUNCTION evidence_link_state(linked_at timestamptz, unlinked_at timestamptz, status text,
                                    effective_at timestamptz, valid_until timestamptz, at timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN NOT (linked_at <= at AND (unlinked_at IS NULL OR unlinked_at > at)) THEN NULL
    WHEN status = 'ACCEPTED' AND effective_at <= at AND (valid_until IS NULL OR at < valid_until) THEN 'VALID'
    WHEN status = 'ACCEPTED' AND valid_until <= at THEN 'STALE'
    WHEN status IN ('DRAFT', 'IN_REVIEW') THEN 'PENDING'
  END
$$`;

/** The per-link contribution of a set `src` of (link, evidence) rows at now(), signed, with the times it holds between. */
const contribution = (src: string, sign: number) => `
  SELECT x.organization_id, x.requirement_id, x.ai_system_id,
    ${sign} * coalesce(x.state = 'VALID' AND x.coverage = 'FULL', false)::int AS vf,
    ${sign} * coalesce(x.state = 'VALID' AND x.coverage = 'PARTIAL', false)::int AS vp,
    ${sign} * coalesce(x.state = 'STALE' AND x.coverage = 'FULL', false)::int AS sf,
    ${sign} * coalesce(x.state = 'STALE' AND x.coverage = 'PARTIAL', false)::int AS sp,
    ${sign} * coalesce(x.state = 'PENDING' AND x.coverage = 'FULL', false)::int AS pf,
    ${sign} * coalesce(x.state = 'PENDING' AND x.coverage = 'PARTIAL', false)::int AS pp,
    ${sign > 0 ? `greatest('-infinity'::timestamptz,
      CASE WHEN x.linked_at <= now() THEN x.linked_at END, CASE WHEN x.unlinked_at <= now() THEN x.unlinked_at END,
      CASE WHEN x.effective_at <= now() THEN x.effective_at END, CASE WHEN x.valid_until <= now() THEN x.valid_until END)`
      : `'-infinity'::timestamptz`} AS fresh_from,
    ${sign > 0 ? `least('infinity'::timestamptz,
      CASE WHEN x.linked_at > now() THEN x.linked_at END, CASE WHEN x.unlinked_at > now() THEN x.unlinked_at END,
      CASE WHEN x.effective_at > now() THEN x.effective_at END, CASE WHEN x.valid_until > now() THEN x.valid_until END)`
      : `'infinity'::timestamptz`} AS fresh_until
  FROM (${src}) x`;

/** Adds the signed contributions to the rollup: counts add up, the window only narrows. */
const apply = (parts: string[]) => `
  INSERT INTO evidence_rollup AS r (organization_id, requirement_id, ai_system_id, all_systems,
    valid_full, valid_partial, stale_full, stale_partial, pending_full, pending_partial, fresh_from, fresh_until)
  SELECT organization_id, requirement_id, ai_system_id, grouping(ai_system_id) = 1,
         sum(vf), sum(vp), sum(sf), sum(sp), sum(pf), sum(pp), max(fresh_from), min(fresh_until)
  FROM (${parts.join(' UNION ALL ')}) d
  GROUP BY GROUPING SETS ((organization_id, requirement_id, ai_system_id), (organization_id, requirement_id))
  ON CONFLICT ON CONSTRAINT uq_evidence_rollup DO UPDATE SET
    valid_full = r.valid_full + EXCLUDED.valid_full, valid_partial = r.valid_partial + EXCLUDED.valid_partial,
    stale_full = r.stale_full + EXCLUDED.stale_full, stale_partial = r.stale_partial + EXCLUDED.stale_partial,
    pending_full = r.pending_full + EXCLUDED.pending_full, pending_partial = r.pending_partial + EXCLUDED.pending_partial,
    fresh_from = greatest(r.fresh_from, EXCLUDED.fresh_from), fresh_until = least(r.fresh_until, EXCLUDED.fresh_until)`;

/**
 * The changed links with their evidence. The evidence rows are fetched by id: a plain join lets the
 * planner hash the whole evidence table (transition tables have no statistics), 8x slower per batch.
 */
const linkRows = (links: string) => `
  SELECT l.organization_id, l.requirement_id, e.ai_system_id, l.coverage, l.linked_at, l.unlinked_at, e.effective_at, e.valid_until,
         evidence_link_state(l.linked_at, l.unlinked_at, e.status, e.effective_at, e.valid_until, now()) AS state
  FROM ${links} l
  JOIN (SELECT * FROM evidence WHERE id = ANY(ARRAY(SELECT DISTINCT evidence_id FROM ${links}))) e ON e.id = l.evidence_id`;

const lockShared = (orgs: string) => `
  PERFORM pg_advisory_xact_lock_shared(hashtextextended('evidence_rollup:' || o, 0))
  FROM (SELECT DISTINCT organization_id::text AS o FROM ${orgs} ORDER BY 1) s`;

/**
 * A rollup of link states per (organization, requirement, AI system), maintained by triggers on every
 * write to evidence and evidence_link, so coverage reads a few hundred rows instead of every link.
 * Rows with all_systems hold the sum over every AI system (and none), for organization-wide reports;
 * the others (ai_system_id NULL: evidence of no particular system) serve one system's report.
 *
 * Each row holds the counts of valid, stale and pending links (full and partial) and the window
 * [fresh_from, fresh_until) in which those counts are exact: between the last and the next moment any
 * of its links is linked, unlinked, becomes effective or expires. A read at `asOf` uses a row only
 * inside its window and recomputes the requirement from its links otherwise, so `asOf` in the past and
 * evidence that expired since the last write stay exact. Writers add signed deltas (counts commute, the
 * window only narrows); evidence_rollup_refresh recomputes rows whose window has closed.
 */
export class EvidenceRollup1764720000000 implements MigrationInterface {
  name = 'EvidenceRollup1764720000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE evidence_rollup (
        organization_id uuid NOT NULL,
        requirement_id uuid NOT NULL,
        ai_system_id uuid,
        all_systems boolean NOT NULL,
        valid_full int NOT NULL DEFAULT 0,
        valid_partial int NOT NULL DEFAULT 0,
        stale_full int NOT NULL DEFAULT 0,
        stale_partial int NOT NULL DEFAULT 0,
        pending_full int NOT NULL DEFAULT 0,
        pending_partial int NOT NULL DEFAULT 0,
        fresh_from timestamptz NOT NULL DEFAULT '-infinity',
        fresh_until timestamptz NOT NULL DEFAULT 'infinity',
        CONSTRAINT uq_evidence_rollup UNIQUE NULLS NOT DISTINCT (organization_id, requirement_id, ai_system_id, all_systems),
        CONSTRAINT fk_evidence_rollup_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT fk_evidence_rollup_requirement FOREIGN KEY (requirement_id) REFERENCES requirement (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ix_evidence_rollup_expiry ON evidence_rollup (organization_id, fresh_until)`);
    // Contributions read the most recently linked links of a requirement, by coverage, in index order.
    await q.query(`CREATE INDEX ix_evidence_link_ranked ON evidence_link (organization_id, requirement_id, coverage, linked_at DESC, id DESC)`);
    await q.query(`DROP INDEX ix_evidence_link_org_requirement`);
    await q.query(`ALTER TABLE evidence_rollup ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE evidence_rollup FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY p_evidence_rollup_organization ON evidence_rollup USING (organization_id = ${ORG}) WITH CHECK (organization_id = ${ORG})`);
    await q.query(STATE_FN);

    // Links: new rows add, old rows subtract. Transition tables allow one event per trigger.
    await q.query(`
      CREATE FUNCTION evidence_rollup_link_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${lockShared('new_links')};
        ${apply([contribution(linkRows('new_links'), 1)])};
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION evidence_rollup_link_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${lockShared('new_links')};
        ${apply([contribution(linkRows('new_links'), 1), contribution(linkRows('old_links'), -1)])};
        RETURN NULL;
      END $$`);
    // A deleted link whose evidence is deleted with it cannot be subtracted: its rows are closed,
    // so reads recompute them until the next refresh.
    await q.query(`
      CREATE FUNCTION evidence_rollup_link_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${lockShared('old_links')};
        ${apply([contribution(linkRows('old_links'), -1)])};
        UPDATE evidence_rollup r SET fresh_until = '-infinity'
        FROM (SELECT DISTINCT l.organization_id, l.requirement_id FROM old_links l
              WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.id = l.evidence_id)) g
        WHERE r.organization_id = g.organization_id AND r.requirement_id = g.requirement_id;
        RETURN NULL;
      END $$`);
    // Evidence: a change of status, validity or AI system moves every one of its links.
    const changed = `(SELECT n.* FROM new_evidence n JOIN old_evidence o ON o.id = n.id
        WHERE (n.status, n.effective_at, n.valid_until, n.ai_system_id) IS DISTINCT FROM (o.status, o.effective_at, o.valid_until, o.ai_system_id))`;
    const before = `(SELECT o.* FROM old_evidence o JOIN new_evidence n ON n.id = o.id
        WHERE (n.status, n.effective_at, n.valid_until, n.ai_system_id) IS DISTINCT FROM (o.status, o.effective_at, o.valid_until, o.ai_system_id))`;
    const evidenceRows = (ev: string) => `
      SELECT l.organization_id, l.requirement_id, e.ai_system_id, l.coverage, l.linked_at, l.unlinked_at, e.effective_at, e.valid_until,
             evidence_link_state(l.linked_at, l.unlinked_at, e.status, e.effective_at, e.valid_until, now()) AS state
      FROM ${ev} e JOIN evidence_link l ON l.evidence_id = e.id`;
    await q.query(`
      CREATE FUNCTION evidence_rollup_evidence_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS ${changed.replace('SELECT n.*', 'SELECT 1')} THEN RETURN NULL; END IF;
        ${lockShared('new_evidence')};
        ${apply([contribution(evidenceRows(changed), 1), contribution(evidenceRows(before), -1)])};
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tr_evidence_rollup_link_insert AFTER INSERT ON evidence_link
      REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION evidence_rollup_link_insert()`);
    await q.query(`CREATE TRIGGER tr_evidence_rollup_link_update AFTER UPDATE ON evidence_link
      REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION evidence_rollup_link_update()`);
    await q.query(`CREATE TRIGGER tr_evidence_rollup_link_delete AFTER DELETE ON evidence_link
      REFERENCING OLD TABLE AS old_links FOR EACH STATEMENT EXECUTE FUNCTION evidence_rollup_link_delete()`);
    await q.query(`CREATE TRIGGER tr_evidence_rollup_evidence_update AFTER UPDATE ON evidence
      REFERENCING OLD TABLE AS old_evidence NEW TABLE AS new_evidence FOR EACH STATEMENT EXECUTE FUNCTION evidence_rollup_evidence_update()`);

    // Recomputes an organization's rows exactly: all of them, or only those whose window has closed.
    // The exclusive lock waits for writers in flight, so the recount sees every committed delta.
    await q.query(`
      CREATE FUNCTION evidence_rollup_refresh(org uuid, only_closed boolean) RETURNS int LANGUAGE plpgsql AS $$
      DECLARE targets uuid[];
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('evidence_rollup:' || org::text, 0));
        IF only_closed THEN
          targets := ARRAY(SELECT DISTINCT requirement_id FROM evidence_rollup WHERE organization_id = org AND fresh_until <= now());
        ELSE
          targets := ARRAY(SELECT requirement_id FROM evidence_link WHERE organization_id = org
                           UNION SELECT requirement_id FROM evidence_rollup WHERE organization_id = org);
        END IF;
        IF cardinality(targets) = 0 THEN RETURN 0; END IF;
        DELETE FROM evidence_rollup WHERE organization_id = org AND requirement_id = ANY(targets);
        ${apply([contribution(`
          SELECT l.organization_id, l.requirement_id, e.ai_system_id, l.coverage, l.linked_at, l.unlinked_at, e.effective_at, e.valid_until,
                 evidence_link_state(l.linked_at, l.unlinked_at, e.status, e.effective_at, e.valid_until, now()) AS state
          FROM evidence_link l JOIN evidence e ON e.id = l.evidence_id
          WHERE l.organization_id = org AND l.requirement_id = ANY(targets)`, 1)])};
        RETURN cardinality(targets);
      END $$`);
    // Links that exist before this migration.
    for (const { id } of (await q.query(`SELECT id FROM organization ORDER BY id`)) as { id: string }[]) {
      await q.query(`SELECT set_config('app.organization_id', $1, true)`, [id]);
      await q.query(`SELECT evidence_rollup_refresh($1, false)`, [id]);
    }
    await q.query(`SELECT set_config('app.organization_id', '', true)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tr_evidence_rollup_evidence_update ON evidence`);
    await q.query(`DROP TRIGGER tr_evidence_rollup_link_delete ON evidence_link`);
    await q.query(`DROP TRIGGER tr_evidence_rollup_link_update ON evidence_link`);
    await q.query(`DROP TRIGGER tr_evidence_rollup_link_insert ON evidence_link`);
    await q.query(`DROP FUNCTION evidence_rollup_refresh(uuid, boolean)`);
    await q.query(`DROP FUNCTION evidence_rollup_evidence_update()`);
    await q.query(`DROP FUNCTION evidence_rollup_link_delete()`);
    await q.query(`DROP FUNCTION evidence_rollup_link_update()`);
    await q.query(`DROP FUNCTION evidence_rollup_link_insert()`);
    await q.query(`DROP FUNCTION evidence_link_state(timestamptz, timestamptz, text, timestamptz, timestamptz, timestamptz)`);
    await q.query(`DROP TABLE evidence_rollup`);
    await q.query(`CREATE INDEX ix_evidence_link_org_requirement ON evidence_link (organization_id, requirement_id)`);
    await q.query(`DROP INDEX ix_evidence_link_ranked`);
  }
}
