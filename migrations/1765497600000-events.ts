import { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunction as previousGrantFunction } from './1765324800000-mapping-versions';

const ORG = `nullif(current_setting('app.organization_id', true), '')::uuid`;
const OWNER = `(SELECT hub_is_schema_owner())`;

/** Where pg-boss keeps its queues (created here, by the schema owner, so the server's role needs no CREATE). */
export const JOB_SCHEMA = 'hub_jobs';

/**
 * The queues, made here because a queue of its own table would need DDL the server's role may not run.
 * Retry settings are given per job (src/modules/events/job-queue.ts); these are the queue's defaults.
 * hub-webhook: one job per delivery, first in first out per (endpoint, event key) however long a retry takes.
 * hub-tick: the scheduler's period, one job per period across every process (sendThrottled).
 */
export const JOB_QUEUES = {
  'hub-webhook': { policy: 'key_strict_fifo', retryLimit: 40, retryDelay: 10, retryBackoff: true, retryDelayMax: 3600, expireInSeconds: 120 },
  'hub-tick': { policy: 'standard', retryLimit: 0, expireInSeconds: 600 },
};

/** Off for the whole session (`-c hub.events=off`): no outbox rows, no coverage deltas (the benchmark's baseline). */
export const EVENTS_OFF = `IF current_setting('hub.events', true) = 'off' THEN RETURN NULL; END IF;`;

export const EVIDENCE_JSON = (e: string) => `jsonb_build_object('id', ${e}.id, 'sourceSystem', ${e}.source_system, 'externalId', ${e}.external_id,
  'title', ${e}.title, 'kind', ${e}.kind, 'status', ${e}.status, 'effectiveAt', ${e}.effective_at, 'validUntil', ${e}.valid_until,
  'aiSystemId', ${e}.ai_system_id, 'version', ${e}.version)`;

export const LINK_JSON = (l: string) => `jsonb_build_object('id', ${l}.id, 'evidenceId', ${l}.evidence_id, 'requirementId', ${l}.requirement_id,
  'requirementRef', r.ref, 'frameworkKey', f.key, 'coverage', ${l}.coverage, 'origin', ${l}.origin, 'linkedAt', ${l}.linked_at, 'unlinkedAt', ${l}.unlinked_at)`;

/**
 * Requirements whose coverage a statement touched, with why: one row per requirement and statement, its
 * first ten causes as a JSON array (a bulk of 10,000 links writes a row per requirement, not per link).
 */
export const dirty = (rows: string) => `
  INSERT INTO coverage_dirty (organization_id, requirement_id, cause)
  SELECT organization_id, requirement_id, to_jsonb((array_agg(cause))[1:10]) FROM (${rows}) d GROUP BY organization_id, requirement_id`;

/** evidence.updated for every evidence row whose fields (other than its update time) changed. */
export const EVIDENCE_UPDATED_EVENT = `
INSERT INTO hub_event (organization_id, type, key, evidence_id, ai_system_id, data)
        SELECT n.organization_id, 'evidence.updated', 'evidence:' || n.id, n.id, n.ai_system_id,
               jsonb_build_object('evidence', ${EVIDENCE_JSON('n')}, 'previous', ${EVIDENCE_JSON('o')})
        FROM new_evidence n JOIN old_evidence o ON o.id = n.id
        WHERE (to_jsonb(n) - 'updated_at') IS DISTINCT FROM (to_jsonb(o) - 'updated_at')
        ORDER BY n.id;`;

/** Trigger functions as this migration made them (EventWritePath1765670400000 replaces them; its down restores these). */
export const EVIDENCE_UPDATE_FN = `FUNCTION hub_events_evidence_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        ${EVIDENCE_UPDATED_EVENT}
        ${dirty(`
          SELECT l.organization_id, l.requirement_id,
                 jsonb_build_object('kind', 'EVIDENCE_CHANGED', 'evidenceId', n.id, 'linkId', l.id,
                   'fromStatus', o.status, 'toStatus', n.status, 'validUntil', n.valid_until, 'effectiveAt', n.effective_at) AS cause
          FROM new_evidence n JOIN old_evidence o ON o.id = n.id
          JOIN evidence_link l ON l.evidence_id = n.id AND l.unlinked_at IS NULL
          WHERE (n.status, n.effective_at, n.valid_until, n.ai_system_id) IS DISTINCT FROM (o.status, o.effective_at, o.valid_until, o.ai_system_id)`)};
        RETURN NULL;
      END $$`;
export const LINK_INSERT_FN = `FUNCTION hub_events_link_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        -- One event per evidence (and kind): a bulk of 1,000 items with 10 links each writes 1,000 events.
        INSERT INTO hub_event (organization_id, type, key, evidence_id, data)
        SELECT n.organization_id, CASE WHEN n.origin = 'CONFIRMED_PREFILL' THEN 'prefill.confirmed' ELSE 'evidence.linked' END,
               'evidence:' || n.evidence_id, n.evidence_id,
               jsonb_build_object('evidenceId', n.evidence_id, 'links', jsonb_agg(${LINK_JSON('n')} ORDER BY f.key, r.position))
        FROM new_links n JOIN requirement r ON r.id = n.requirement_id JOIN framework f ON f.id = r.framework_id
        GROUP BY n.organization_id, n.evidence_id, n.origin
        ORDER BY n.evidence_id, n.origin;
        ${dirty(`SELECT n.organization_id, n.requirement_id,
                        jsonb_build_object('kind', 'EVIDENCE_LINKED', 'evidenceId', n.evidence_id, 'linkId', n.id, 'coverage', n.coverage) AS cause
                 FROM new_links n`)};
        RETURN NULL;
      END $$`;
export const LINK_UPDATE_FN = `FUNCTION hub_events_link_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        INSERT INTO hub_event (organization_id, type, key, evidence_id, data)
        SELECT n.organization_id, 'evidence.unlinked', 'evidence:' || n.evidence_id, n.evidence_id,
               jsonb_build_object('evidenceId', n.evidence_id, 'links', jsonb_agg(${LINK_JSON('n')} ORDER BY f.key, r.position))
        FROM new_links n JOIN old_links o ON o.id = n.id JOIN requirement r ON r.id = n.requirement_id JOIN framework f ON f.id = r.framework_id
        WHERE o.unlinked_at IS NULL AND n.unlinked_at IS NOT NULL
        GROUP BY n.organization_id, n.evidence_id
        ORDER BY n.evidence_id;
        ${dirty(`SELECT n.organization_id, n.requirement_id,
                        jsonb_build_object('kind', CASE WHEN o.unlinked_at IS NULL AND n.unlinked_at IS NOT NULL THEN 'EVIDENCE_UNLINKED' ELSE 'LINK_CHANGED' END,
                          'evidenceId', n.evidence_id, 'linkId', n.id, 'coverage', n.coverage) AS cause
                 FROM new_links n JOIN old_links o ON o.id = n.id
                 WHERE (n.coverage, n.linked_at, n.unlinked_at, n.requirement_id) IS DISTINCT FROM (o.coverage, o.linked_at, o.unlinked_at, o.requirement_id)`)};
        RETURN NULL;
      END $$`;
export const LINK_DELETE_FN = `FUNCTION hub_events_link_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        ${dirty(`SELECT o.organization_id, o.requirement_id,
                        jsonb_build_object('kind', 'EVIDENCE_UNLINKED', 'evidenceId', o.evidence_id, 'linkId', o.id, 'coverage', o.coverage) AS cause
                 FROM old_links o WHERE o.unlinked_at IS NULL`)};
        RETURN NULL;
      END $$`;

export const PENDING_ORGANIZATIONS_FN = `FUNCTION hub_events_pending_organizations() RETURNS TABLE (organization_id uuid, unpublished boolean, dirty boolean)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT o.id, EXISTS (SELECT 1 FROM hub_event e WHERE e.organization_id = o.id AND e.position IS NULL),
               EXISTS (SELECT 1 FROM coverage_dirty d WHERE d.organization_id = o.id)
        FROM organization o
        WHERE EXISTS (SELECT 1 FROM hub_event e WHERE e.organization_id = o.id AND e.position IS NULL)
           OR EXISTS (SELECT 1 FROM coverage_dirty d WHERE d.organization_id = o.id)
      $$`;

/**
 * Events (issue 16):
 * - hub_event, the transactional outbox: every event is written by the transaction whose change causes it
 *   (triggers below, and the coverage flush of src/modules/events/coverage-events.service.ts), so a
 *   rolled-back change leaves none and a committed one cannot lose its event. `position` is given when the
 *   dispatcher publishes the event, under one lock, so positions grow in the order events become visible:
 *   a reader that has seen position n has seen every event before it (subscriptions resume from there).
 * - coverage_dirty: per transaction, the requirements whose links, evidence, applicability or rejected
 *   pre-fills changed, and the cause; the flush at the end of the transaction turns them into coverage
 *   deltas and deletes them.
 * - coverage_status_period: the history of every assessable requirement's organization-wide status (at the
 *   default depth, on the organization's mapping graph): one row per period, the open one with valid_to NULL.
 *   coverage_baseline says since when an organization's history is complete, on which graph, and up to
 *   when time (evidence expiring or becoming effective) has been accounted for.
 * - the job queue's schema (pg-boss), so the server's role only needs to use it.
 */
export class Events1765497600000 implements MigrationInterface {
  name = 'Events1765497600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE hub_event (
        id uuid NOT NULL DEFAULT hub_uuid_v7(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        organization_id uuid NOT NULL,
        type text NOT NULL,
        key text NOT NULL,
        framework_id uuid,
        requirement_id uuid,
        evidence_id uuid,
        ai_system_id uuid,
        data jsonb NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        position bigint,
        published_at timestamptz,
        CONSTRAINT pk_hub_event PRIMARY KEY (id),
        CONSTRAINT fk_hub_event_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT ck_hub_event_type CHECK (type ~ '^[a-z_]+\\.[a-z_]+$')
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_hub_event_position ON hub_event (position)`);
    await q.query(`CREATE INDEX ix_hub_event_organization_position ON hub_event (organization_id, position)`);
    // Publication order: the order rows were written (ids share a millisecond and then sort at random).
    await q.query(`CREATE INDEX ix_hub_event_unpublished ON hub_event (organization_id, seq) WHERE position IS NULL`);
    await q.query(`CREATE INDEX ix_hub_event_occurred ON hub_event (occurred_at)`);
    // The last position given; one row, updated under the dispatcher's lock (positions never restart after pruning).
    await q.query(`CREATE TABLE hub_event_stream (id int PRIMARY KEY CHECK (id = 1), last_position bigint NOT NULL)`);
    await q.query(`INSERT INTO hub_event_stream VALUES (1, 0)`);

    await q.query(`
      CREATE TABLE coverage_dirty (
        organization_id uuid NOT NULL,
        requirement_id uuid,
        cause jsonb NOT NULL,
        CONSTRAINT fk_coverage_dirty_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ix_coverage_dirty_organization ON coverage_dirty (organization_id)`);

    await q.query(`
      CREATE TABLE coverage_status_period (
        organization_id uuid NOT NULL,
        requirement_id uuid NOT NULL,
        framework_id uuid NOT NULL,
        status text NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_to timestamptz,
        event_id uuid,
        CONSTRAINT fk_coverage_status_period_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT fk_coverage_status_period_requirement FOREIGN KEY (requirement_id) REFERENCES requirement (id) ON DELETE CASCADE,
        CONSTRAINT ck_coverage_status_period_range CHECK (valid_to IS NULL OR valid_to >= valid_from)
      )`);
    await q.query(`CREATE INDEX ix_coverage_status_period_current ON coverage_status_period (organization_id, requirement_id) WHERE valid_to IS NULL`);
    await q.query(`CREATE INDEX ix_coverage_status_period_framework ON coverage_status_period (organization_id, framework_id, valid_from)`);
    await q.query(`
      CREATE TABLE coverage_baseline (
        organization_id uuid NOT NULL,
        since timestamptz NOT NULL,
        graph_signature text NOT NULL,
        max_depth int NOT NULL,
        time_scanned_until timestamptz NOT NULL,
        CONSTRAINT pk_coverage_baseline PRIMARY KEY (organization_id),
        CONSTRAINT fk_coverage_baseline_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE
      )`);
    // Time scans look for evidence that expires or becomes effective after a moment.
    await q.query(`CREATE INDEX ix_evidence_valid_until ON evidence (organization_id, valid_until) WHERE valid_until IS NOT NULL`);
    await q.query(`CREATE INDEX ix_evidence_effective_at ON evidence (organization_id, effective_at)`);
    await q.query(`ALTER TABLE organization ADD COLUMN expiry_window_days int NOT NULL DEFAULT 30`);
    await q.query(`ALTER TABLE organization ADD CONSTRAINT ck_organization_expiry_window CHECK (expiry_window_days BETWEEN 0 AND 366)`);

    // hub_event and coverage_dirty are also read across organizations by the SECURITY DEFINER functions
    // below (the publication's and the subscription feed's), which run as the schema owner: the owner
    // sees every row, as it does api_token's for hub_authenticate_token. The server's role never does.
    for (const t of ['hub_event', 'coverage_dirty', 'coverage_status_period', 'coverage_baseline']) {
      const who = t === 'hub_event' || t === 'coverage_dirty' ? `organization_id = ${ORG} OR ${OWNER}` : `organization_id = ${ORG}`;
      await q.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY p_${t}_organization ON ${t} USING (${who}) WITH CHECK (${who})`);
    }

    // Evidence: created, updated (any column but updated_at), and its status or validity moving its links.
    await q.query(`
      CREATE FUNCTION hub_events_evidence_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        INSERT INTO hub_event (organization_id, type, key, evidence_id, ai_system_id, data)
        SELECT n.organization_id, 'evidence.created', 'evidence:' || n.id, n.id, n.ai_system_id, jsonb_build_object('evidence', ${EVIDENCE_JSON('n')})
        FROM new_evidence n ORDER BY n.id;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE ${EVIDENCE_UPDATE_FN}`);
    await q.query(`
      CREATE FUNCTION hub_events_review_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        INSERT INTO hub_event (organization_id, type, key, evidence_id, data)
        SELECT v.organization_id, 'evidence.reviewed', 'evidence:' || v.evidence_id, v.evidence_id,
               jsonb_build_object('review', jsonb_build_object('id', v.id, 'evidenceId', v.evidence_id, 'fromStatus', v.from_status,
                 'toStatus', v.to_status, 'comment', v.comment, 'reviewedBy', v.reviewed_by, 'reviewedAt', v.reviewed_at))
        FROM new_reviews v ORDER BY v.id;
        RETURN NULL;
      END $$`);
    // Links: linked (a confirmed pre-fill is its own event), unlinked, coverage changed, deleted with their evidence.
    await q.query(`CREATE ${LINK_INSERT_FN}`);
    await q.query(`CREATE ${LINK_UPDATE_FN}`);
    await q.query(`CREATE ${LINK_DELETE_FN}`);
    await q.query(`
      CREATE FUNCTION hub_events_applicability_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        ${dirty(`SELECT n.organization_id, n.requirement_id,
                        jsonb_build_object('kind', 'APPLICABILITY', 'decisionId', n.id, 'applicability', n.applicability) AS cause
                 FROM new_decisions n`)};
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION hub_events_rejection_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        IF TG_OP = 'INSERT' THEN
          INSERT INTO hub_event (organization_id, type, key, framework_id, requirement_id, evidence_id, data)
          SELECT n.organization_id, 'prefill.rejected', 'requirement:' || n.requirement_id, r.framework_id, n.requirement_id, n.evidence_id,
                 jsonb_build_object('rejection', jsonb_build_object('id', n.id, 'requirementId', n.requirement_id, 'requirementRef', r.ref,
                   'frameworkKey', f.key, 'evidenceId', n.evidence_id, 'reason', n.reason, 'rejectedBy', n.rejected_by, 'rejectedAt', n.rejected_at))
          FROM new_rows n JOIN requirement r ON r.id = n.requirement_id JOIN framework f ON f.id = r.framework_id ORDER BY n.id;
          ${dirty(`SELECT n.organization_id, n.requirement_id,
                          jsonb_build_object('kind', 'PREFILL_REJECTED', 'evidenceId', n.evidence_id, 'rejectionId', n.id) AS cause
                   FROM new_rows n`)};
        ELSE
          ${dirty(`SELECT o.organization_id, o.requirement_id,
                          jsonb_build_object('kind', 'PREFILL_REJECTION_WITHDRAWN', 'evidenceId', o.evidence_id, 'rejectionId', o.id) AS cause
                   FROM old_rows o`)};
        END IF;
        RETURN NULL;
      END $$`);
    // A new period of the organization's mapping graph (a pin, a declared condition, a set of its own): every requirement.
    await q.query(`
      CREATE FUNCTION hub_events_graph_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        ${dirty(`SELECT n.organization_id, NULL::uuid AS requirement_id,
                        jsonb_build_object('kind', 'MAPPING_GRAPH', 'graphId', n.id, 'sourceIds', n.source_ids, 'conditions', n.conditions) AS cause
                 FROM new_graphs n WHERE n.organization_id IS NOT NULL AND n.valid_to IS NULL`)};
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tr_hub_events_graph_insert AFTER INSERT ON mapping_graph
      REFERENCING NEW TABLE AS new_graphs FOR EACH STATEMENT EXECUTE FUNCTION hub_events_graph_change()`);
    await q.query(`CREATE TRIGGER tr_hub_events_graph_update AFTER UPDATE ON mapping_graph
      REFERENCING NEW TABLE AS new_graphs FOR EACH STATEMENT EXECUTE FUNCTION hub_events_graph_change()`);
    // A monitoring metric's newest reading crosses out of its thresholds (register.rules.ts isBreach): one
    // event per crossing, not per reading outside them.
    const breach = (m: string) => `coalesce((jsonb_typeof(r.data->'min') = 'number' AND ${m}.value < (r.data->>'min')::float8), false)
      OR coalesce((jsonb_typeof(r.data->'max') = 'number' AND ${m}.value > (r.data->>'max')::float8), false)`;
    await q.query(`
      CREATE FUNCTION hub_events_measurement_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        INSERT INTO hub_event (organization_id, type, key, ai_system_id, data)
        SELECT n.organization_id, 'monitoring.threshold_breached', 'record:' || r.id, r.ai_system_id,
               jsonb_build_object('metric', jsonb_build_object('id', r.id, 'title', r.title, 'min', r.data->'min', 'max', r.data->'max', 'aiSystemId', r.ai_system_id),
                 'measurement', jsonb_build_object('id', n.id, 'externalId', n.external_id, 'value', n.value, 'measuredAt', n.measured_at),
                 'previous', CASE WHEN p.id IS NULL THEN NULL ELSE jsonb_build_object('id', p.id, 'value', p.value, 'measuredAt', p.measured_at) END)
        FROM (SELECT DISTINCT ON (record_id) * FROM new_measurements ORDER BY record_id, measured_at DESC, id DESC) n
        JOIN register_record r ON r.id = n.record_id AND r.kind = 'MONITORING_METRIC' AND r.status = 'ACTIVE'
        LEFT JOIN LATERAL (
          SELECT m.* FROM measurement m WHERE m.record_id = n.record_id AND m.measured_at < n.measured_at
            AND NOT EXISTS (SELECT 1 FROM new_measurements x WHERE x.id = m.id)
          ORDER BY m.measured_at DESC, m.id DESC LIMIT 1) p ON true
        WHERE (${breach('n')})
          AND (p.id IS NULL OR NOT (${breach('p')}))
          AND NOT EXISTS (SELECT 1 FROM measurement later WHERE later.record_id = n.record_id AND later.measured_at > n.measured_at)
        ORDER BY r.id;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tr_hub_events_measurement_insert AFTER INSERT ON measurement
      REFERENCING NEW TABLE AS new_measurements FOR EACH STATEMENT EXECUTE FUNCTION hub_events_measurement_insert()`);
    await q.query(`CREATE TRIGGER tr_hub_events_evidence_insert AFTER INSERT ON evidence
      REFERENCING NEW TABLE AS new_evidence FOR EACH STATEMENT EXECUTE FUNCTION hub_events_evidence_insert()`);
    await q.query(`CREATE TRIGGER tr_hub_events_evidence_update AFTER UPDATE ON evidence
      REFERENCING OLD TABLE AS old_evidence NEW TABLE AS new_evidence FOR EACH STATEMENT EXECUTE FUNCTION hub_events_evidence_update()`);
    await q.query(`CREATE TRIGGER tr_hub_events_review_insert AFTER INSERT ON evidence_review
      REFERENCING NEW TABLE AS new_reviews FOR EACH STATEMENT EXECUTE FUNCTION hub_events_review_insert()`);
    await q.query(`CREATE TRIGGER tr_hub_events_link_insert AFTER INSERT ON evidence_link
      REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION hub_events_link_insert()`);
    await q.query(`CREATE TRIGGER tr_hub_events_link_update AFTER UPDATE ON evidence_link
      REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION hub_events_link_update()`);
    await q.query(`CREATE TRIGGER tr_hub_events_link_delete AFTER DELETE ON evidence_link
      REFERENCING OLD TABLE AS old_links FOR EACH STATEMENT EXECUTE FUNCTION hub_events_link_delete()`);
    await q.query(`CREATE TRIGGER tr_hub_events_applicability_insert AFTER INSERT ON applicability_decision
      REFERENCING NEW TABLE AS new_decisions FOR EACH STATEMENT EXECUTE FUNCTION hub_events_applicability_insert()`);
    await q.query(`CREATE TRIGGER tr_hub_events_rejection_insert AFTER INSERT ON prefill_rejection
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_events_rejection_change()`);
    await q.query(`CREATE TRIGGER tr_hub_events_rejection_delete AFTER DELETE ON prefill_rejection
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_events_rejection_change()`);

    // Published events of every organization after a position, for the process-wide subscription feed
    // (each subscriber then keeps its own organization's). SECURITY DEFINER: the server's role reads
    // hub_event only through RLS otherwise.
    await q.query(`
      CREATE FUNCTION hub_events_after(after_position bigint, max_rows int)
      RETURNS SETOF hub_event LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT * FROM hub_event WHERE position > after_position ORDER BY position LIMIT max_rows
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION hub_events_after(bigint, int) FROM PUBLIC`);
    // The organizations with work for the scheduler or the dispatcher (across organizations, so SECURITY DEFINER).
    await q.query(`CREATE ${PENDING_ORGANIZATIONS_FN}`);
    await q.query(`REVOKE ALL ON FUNCTION hub_events_pending_organizations() FROM PUBLIC`);

    // pg-boss's own schema, as its construction plan writes it, inside this migration's transaction.
    const { getConstructionPlans } = await import('pg-boss');
    await q.query(getConstructionPlans(JOB_SCHEMA).replace(/^\s*BEGIN;/, '').replace(/COMMIT;\s*$/, ''));
    for (const [name, options] of Object.entries(JOB_QUEUES)) {
      await q.query(`SELECT ${JOB_SCHEMA}.create_queue($1, $2::jsonb)`, [name, JSON.stringify(options)]);
    }
    await q.query(grantFunction());
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(previousGrantFunction(true));
    await q.query(`DROP SCHEMA ${JOB_SCHEMA} CASCADE`);
    await q.query(`DROP FUNCTION hub_events_pending_organizations()`);
    await q.query(`DROP FUNCTION hub_events_after(bigint, int)`);
    for (const [t, table] of [['evidence_insert', 'evidence'], ['evidence_update', 'evidence'], ['review_insert', 'evidence_review'], ['link_insert', 'evidence_link'],
      ['link_update', 'evidence_link'], ['link_delete', 'evidence_link'], ['applicability_insert', 'applicability_decision'],
      ['rejection_insert', 'prefill_rejection'], ['rejection_delete', 'prefill_rejection'], ['graph_insert', 'mapping_graph'], ['graph_update', 'mapping_graph'], ['measurement_insert', 'measurement']]) {
      await q.query(`DROP TRIGGER tr_hub_events_${t} ON ${table}`);
    }
    for (const f of ['evidence_insert', 'evidence_update', 'review_insert', 'link_insert', 'link_update', 'link_delete', 'applicability_insert', 'rejection_change', 'graph_change', 'measurement_insert']) {
      await q.query(`DROP FUNCTION hub_events_${f}()`);
    }
    await q.query(`ALTER TABLE organization DROP CONSTRAINT ck_organization_expiry_window`);
    await q.query(`ALTER TABLE organization DROP COLUMN expiry_window_days`);
    await q.query(`DROP INDEX ix_evidence_effective_at`);
    await q.query(`DROP INDEX ix_evidence_valid_until`);
    for (const t of ['coverage_baseline', 'coverage_status_period', 'coverage_dirty', 'hub_event_stream', 'hub_event']) await q.query(`DROP TABLE ${t}`);
  }
}

/** hub_grant_application_role as in MappingVersions1765324800000, plus the tables above and the job queue. */
export function grantFunction(): string {
  const base = previousGrantFunction(true);
  const extra = `
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON hub_event, coverage_dirty, coverage_status_period, coverage_baseline TO %I', app);
      EXECUTE format('GRANT SELECT, UPDATE ON hub_event_stream TO %I', app);
      EXECUTE format('GRANT UPDATE (expiry_window_days) ON organization TO %I', app);
      EXECUTE format('GRANT EXECUTE ON FUNCTION hub_events_after(bigint, int) TO %I', app);
      EXECUTE format('GRANT EXECUTE ON FUNCTION hub_events_pending_organizations() TO %I', app);
      EXECUTE format('GRANT USAGE ON SCHEMA ${JOB_SCHEMA} TO %I', app);
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${JOB_SCHEMA} TO %I', app);
      EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${JOB_SCHEMA} TO %I', app);
      EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${JOB_SCHEMA} TO %I', app);
    END $$`;
  return base.replace(/\n\s*END \$\$$/, () => extra);
}
