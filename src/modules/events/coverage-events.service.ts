import type { DataSource, EntityManager } from 'typeorm';
import { statusCtes } from '../coverage/coverage.sql';
import { DEFAULT_GRAPH_ID } from '../mapping/mapping-graph.service';
import { prepared } from '../../database/prepared';

/** The depth the history and coverage.changed events are kept at: the reports' default. */
export const EVENT_MAX_DEPTH = 2;

/** Where statements run: a DataSource or a transaction's EntityManager. */
type Db = Pick<DataSource | EntityManager, 'query'>;

/** What one flush did. */
export interface FlushResult {
  /** Requirements whose organization-wide status changed (one coverage.changed event each). */
  changed: number;
  /** Moments of time (evidence expiring or becoming effective) accounted for before the writes. */
  instants: number;
  /** Whether the organization's history started here (no events: nothing to compare with). */
  baseline: boolean;
}

/** Times travel as PostgreSQL's own text (microseconds): a JS Date would cut them to milliseconds. */
interface Baseline {
  since: Date | null;
  graph_signature: string | null;
  time_scanned_until: string | null;
  at: string;
  just_before: string;
  graph_id: string;
  source_ids: string[];
  conditions: string[];
  framework_ids: string[];
  window_days: number;
}

/**
 * This transaction's coverage_dirty rows (and any a path without a flush left), taken: per requirement, its
 * first ten causes. When there are any, the organization's flush lock is taken in the same statement (an
 * InitPlan, evaluated once and only when a row is returned), so the statements after it see every flush
 * committed before.
 */
const TAKE_DIRTY_SQL = prepared(`
  WITH d AS (DELETE FROM coverage_dirty WHERE organization_id = $1 RETURNING requirement_id, cause)
  SELECT d.requirement_id, to_jsonb((array_agg(c.cause))[1:10]) AS causes,
         (SELECT pg_advisory_xact_lock(hashtextextended('coverage_events:' || $1::text, 0)))::text AS locked
  FROM d CROSS JOIN LATERAL jsonb_array_elements(d.cause) AS c(cause) GROUP BY d.requirement_id`);

const lockSql = `SELECT pg_advisory_xact_lock(hashtextextended('coverage_events:' || $1::text, 0))`;

/**
 * The graph an organization reads now (MappingGraphService.at), with what history needs beside it, in one
 * statement. `at`, the moment the deltas are dated, is the clock after the lock, not the transaction's start:
 * a transaction that started earlier but flushes later must not date a change before one already recorded.
 * The transaction's own links (stamped with its start) are in force by then.
 */
const baselineSql = prepared(`
  SELECT b.since, b.graph_signature, to_json(b.time_scanned_until) #>> '{}' AS time_scanned_until,
         to_json(greatest(clock_timestamp(), b.time_scanned_until)) #>> '{}' AS at, to_json(now() - interval '1 millisecond') #>> '{}' AS just_before,
         g.id AS graph_id, g.source_ids, g.conditions,
         ARRAY(SELECT f.id FROM framework f ORDER BY f.id) AS framework_ids,
         (SELECT o.expiry_window_days FROM organization o WHERE o.id = $1) AS window_days
  FROM (SELECT id, source_ids, conditions FROM mapping_graph
        WHERE id = $2 OR (organization_id = $1 AND valid_from <= now() AND (valid_to IS NULL OR valid_to > now()))
        ORDER BY organization_id NULLS LAST LIMIT 1) g
  LEFT JOIN coverage_baseline b ON b.organization_id = $1`);

/** The mapping graph's content: when it differs from the baseline's, every requirement is recomputed. */
const signatureOf = (b: Baseline) => `${b.graph_id}|${[...b.source_ids].sort().join(',')}|${[...b.conditions].sort().join(',')}`;

/**
 * The requirements to recompute: the sources ($7, NULL for all) and every requirement the closure
 * reaches from them within the depth: statusCtes computes it once, in its targets CTE.
 */
const TARGETS = `(CASE WHEN $7::uuid[] IS NULL THEN NULL ELSE ARRAY(
    SELECT unnest($7::uuid[])
    UNION SELECT c.to_requirement_id FROM mapping_closure c
    WHERE c.graph_id = $4::uuid AND c.any_depth <= $3 AND c.from_requirement_id = ANY($7::uuid[])) END)`;

/** The path a cause on requirement `cz.source_id` reaches the changed requirement by (alias mc: its closure row, or none). */
const PATH_JSON = `CASE WHEN mc.to_requirement_id IS NULL THEN NULL ELSE jsonb_build_object(
    'coverage', CASE WHEN mc.full_depth <= $3 THEN 'FULL' ELSE mc.any_coverage END,
    'mappingIds', CASE WHEN mc.full_depth <= $3 THEN mc.full_mapping_ids ELSE mc.any_mapping_ids END,
    'requirementIds', CASE WHEN mc.full_depth <= $3 THEN mc.full_node_ids ELSE mc.any_node_ids END) END`;

/**
 * Statuses of the target requirements at $2 compared with their open history period; changed ones get a
 * new period from $2 and (unless silent) a coverage.changed event with the causes that reach them, and a
 * prefill.appeared event when the new status is PREFILLED. One statement.
 * $7 sources (NULL: all), $8 causes per source [{requirementId, causes: [...]}], $9 silent (a baseline),
 * $10 causes of every change when no source's cause reaches it (a graph change, time).
 */
const deltaSql = `${statusCtes({ targets: TARGETS })},
  ch AS MATERIALIZED (
    SELECT st.requirement_id, st.framework_id, p.status AS prior, st.status, hub_uuid_v7() AS event_id,
           ($9::boolean OR (p.status IS NULL AND st.status = 'GAP')) AS silent
    FROM st LEFT JOIN coverage_status_period p ON p.organization_id = $1 AND p.requirement_id = st.requirement_id AND p.valid_to IS NULL
    WHERE p.status IS DISTINCT FROM st.status
  ),
  ended AS (
    UPDATE coverage_status_period p SET valid_to = $2 FROM ch
    WHERE p.organization_id = $1 AND p.requirement_id = ch.requirement_id AND p.valid_to IS NULL
    RETURNING 1
  ),
  opened AS (
    INSERT INTO coverage_status_period (organization_id, requirement_id, framework_id, status, valid_from, event_id)
    SELECT $1, ch.requirement_id, ch.framework_id, ch.status, $2, CASE WHEN ch.silent THEN NULL ELSE ch.event_id END FROM ch
    RETURNING 1
  ),
  cz AS (SELECT x.requirement_id AS source_id, x.causes FROM jsonb_to_recordset($8::jsonb) AS x(requirement_id uuid, causes jsonb)),
  payload AS (
    SELECT ch.*, r.ref, r.title, f.key AS framework_key,
      jsonb_build_object(
        'framework', jsonb_build_object('id', f.id, 'key', f.key),
        'requirement', jsonb_build_object('id', r.id, 'ref', r.ref, 'title', r.title),
        'from', coalesce(ch.prior, 'GAP'), 'to', ch.status, 'asOf', $2::timestamptz, 'maxDepth', $3::int,
        'graphId', $4::uuid, 'aiSystemId', NULL,
        'causes', coalesce((
          SELECT jsonb_agg(k.cause) FROM (
            SELECT e.cause || jsonb_build_object('requirementId', cz.source_id, 'path', ${PATH_JSON}) AS cause
            FROM cz
            LEFT JOIN mapping_closure mc ON mc.graph_id = $4::uuid AND mc.from_requirement_id = cz.source_id
              AND mc.to_requirement_id = ch.requirement_id AND mc.any_depth <= $3
            CROSS JOIN LATERAL jsonb_array_elements(cz.causes) AS e(cause)
            WHERE cz.source_id = ch.requirement_id OR mc.to_requirement_id IS NOT NULL
            ORDER BY (cz.source_id = ch.requirement_id) DESC, mc.any_depth NULLS FIRST
            LIMIT 10) k), $10::jsonb)
      ) AS data
    FROM ch JOIN requirement r ON r.id = ch.requirement_id JOIN framework f ON f.id = r.framework_id
    WHERE NOT ch.silent AND coalesce(ch.prior, 'GAP') <> ch.status
  ),
  ev AS (
    INSERT INTO hub_event (id, organization_id, type, key, framework_id, requirement_id, data)
    SELECT id, $1, type, 'requirement:' || requirement_id, framework_id, requirement_id, data FROM (
      SELECT p.event_id AS id, 'coverage.changed' AS type, p.requirement_id, p.framework_id, p.data, p.framework_key, p.ref, 0 AS k FROM payload p
      UNION ALL
      SELECT hub_uuid_v7(), 'prefill.appeared', p.requirement_id, p.framework_id, p.data, p.framework_key, p.ref, 1 FROM payload p WHERE p.status = 'PREFILLED'
    ) x ORDER BY x.framework_key, x.ref, x.k
    RETURNING type
  )
  SELECT (SELECT count(*)::int FROM ev WHERE type = 'coverage.changed') AS changed, (SELECT count(*)::int FROM opened) AS opened, (SELECT count(*)::int FROM ended) AS ended`;

/**
 * The delta of a flush with a few dirty requirements (an integrator's write of one item): a prepared
 * statement of its own, so that PostgreSQL parses it once per connection and may keep one plan for all
 * (it plans in several times what it runs in, inside the organization's flush lock). Larger flushes (bulk
 * writes, a whole recompute, a baseline) stay unnamed and get a plan for their own sizes.
 */
const DELTA_OF_SOURCES_SQL = prepared(deltaSql);
const PREPARED_DELTA_SOURCES = 16;

/**
 * Everything that can change a status in ($2, $3], per moment and requirement, with why: links made and
 * ended, evidence becoming effective or expiring (its links in force then), Statement of Applicability
 * decisions made and superseded, pre-fill rejections. A NULL requirement: the organization's mapping
 * graph changed (every requirement). For rebuilding history.
 */
const changesSql = `
  WITH x AS (
    SELECT l.linked_at AS t, l.requirement_id, jsonb_build_object('kind', 'EVIDENCE_LINKED', 'evidenceId', l.evidence_id, 'linkId', l.id) AS cause
    FROM evidence_link l WHERE l.organization_id = $1 AND l.linked_at > $2 AND l.linked_at <= $3
    UNION ALL
    SELECT l.unlinked_at, l.requirement_id, jsonb_build_object('kind', 'EVIDENCE_UNLINKED', 'evidenceId', l.evidence_id, 'linkId', l.id)
    FROM evidence_link l WHERE l.organization_id = $1 AND l.unlinked_at > $2 AND l.unlinked_at <= $3
    UNION ALL
    SELECT w.t, l.requirement_id, jsonb_build_object('kind', 'TIME', 'what', w.what, 'evidenceId', e.id, 'linkId', l.id, 'at', w.t)
    FROM evidence e
    CROSS JOIN LATERAL (VALUES (e.effective_at, 'EFFECTIVE'), (e.valid_until, 'EXPIRED')) AS w(t, what)
    JOIN evidence_link l ON l.evidence_id = e.id AND l.linked_at <= w.t AND (l.unlinked_at IS NULL OR l.unlinked_at > w.t)
    WHERE e.organization_id = $1 AND w.t > $2 AND w.t <= $3
    UNION ALL
    SELECT d.decided_at, d.requirement_id, jsonb_build_object('kind', 'APPLICABILITY', 'decisionId', d.id, 'applicability', d.applicability)
    FROM applicability_decision d WHERE d.organization_id = $1 AND d.decided_at > $2 AND d.decided_at <= $3
    UNION ALL
    SELECT d.superseded_at, d.requirement_id, jsonb_build_object('kind', 'APPLICABILITY', 'decisionId', d.id, 'superseded', true)
    FROM applicability_decision d WHERE d.organization_id = $1 AND d.superseded_at > $2 AND d.superseded_at <= $3
    UNION ALL
    SELECT j.rejected_at, j.requirement_id, jsonb_build_object('kind', 'PREFILL_REJECTED', 'evidenceId', j.evidence_id, 'rejectionId', j.id)
    FROM prefill_rejection j WHERE j.organization_id = $1 AND j.rejected_at > $2 AND j.rejected_at <= $3
    UNION ALL
    SELECT g.valid_from, NULL::uuid, jsonb_build_object('kind', 'MAPPING_GRAPH', 'graphId', g.id)
    FROM mapping_graph g WHERE g.organization_id = $1 AND g.valid_from > $2 AND g.valid_from <= $3
    UNION ALL
    SELECT g.valid_to, NULL::uuid, jsonb_build_object('kind', 'MAPPING_GRAPH', 'graphId', g.id, 'ended', true)
    FROM mapping_graph g WHERE g.organization_id = $1 AND g.valid_to > $2 AND g.valid_to <= $3
  )
  SELECT to_json(x.t) #>> '{}' AS t, x.requirement_id, to_jsonb((array_agg(x.cause))[1:10]) AS causes
  FROM x GROUP BY x.t, x.requirement_id ORDER BY x.t, x.requirement_id NULLS FIRST`;

/** The mapping graph an organization read at a moment (MappingGraphService.at). */
const graphAtSql = `
  SELECT id FROM mapping_graph
  WHERE id = $3 OR (organization_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2))
  ORDER BY organization_id NULLS LAST LIMIT 1`;

/** evidence.expired for validity that ended in ($2, $3]; evidence.expiring for accepted evidence whose end came within the window ($4 days). */
const EXPIRY_EVENTS = `
  INSERT INTO hub_event (organization_id, type, key, evidence_id, ai_system_id, data, occurred_at)
  SELECT e.organization_id, x.type, 'evidence:' || e.id, e.id, e.ai_system_id,
         jsonb_build_object('evidence', jsonb_build_object('id', e.id, 'sourceSystem', e.source_system, 'externalId', e.external_id,
           'title', e.title, 'kind', e.kind, 'status', e.status, 'effectiveAt', e.effective_at, 'validUntil', e.valid_until,
           'aiSystemId', e.ai_system_id, 'version', e.version), 'windowDays', $4::int),
         x.at
  FROM evidence e
  CROSS JOIN LATERAL (
    SELECT 'evidence.expired' AS type, e.valid_until AS at, 0 AS k WHERE e.valid_until > $2 AND e.valid_until <= $3
    UNION ALL
    SELECT 'evidence.expiring', e.valid_until - make_interval(days => $4), 1
    WHERE e.valid_until - make_interval(days => $4) > $2 AND e.valid_until - make_interval(days => $4) <= $3 AND e.valid_until > $3
  ) x
  WHERE e.organization_id = $1 AND e.status = 'ACCEPTED' AND e.valid_until > $2 AND e.valid_until <= $3 + make_interval(days => $4)
  ORDER BY x.at, e.id`;

/**
 * Due dates crossed in ($2, $3]: an approved impact assessment (each system's latest approved version)
 * coming due within the window ($4 days) and overdue; an open nonconformity overdue.
 */
const DATE_EVENTS = `
  INSERT INTO hub_event (organization_id, type, key, ai_system_id, data, occurred_at)
  SELECT organization_id, type, key, ai_system_id, data, at FROM (
    SELECT a.organization_id, x.type, 'impact_assessment:' || a.ai_system_id AS key, a.ai_system_id,
           jsonb_build_object('impactAssessment', jsonb_build_object('id', a.id, 'aiSystemId', a.ai_system_id, 'version', a.version,
             'template', a.template, 'approvedAt', a.approved_at, 'nextReviewDue', a.next_review_due), 'windowDays', $4::int) AS data, x.at
    FROM (SELECT DISTINCT ON (ai_system_id) * FROM impact_assessment
          WHERE organization_id = $1 AND status = 'APPROVED' ORDER BY ai_system_id, version DESC) a
    CROSS JOIN LATERAL (
      SELECT 'impact_assessment.overdue' AS type, a.next_review_due AS at WHERE a.next_review_due > $2 AND a.next_review_due <= $3
      UNION ALL
      SELECT 'impact_assessment.due', a.next_review_due - make_interval(days => $4)
      WHERE a.next_review_due - make_interval(days => $4) > $2 AND a.next_review_due - make_interval(days => $4) <= $3 AND a.next_review_due > $3
    ) x
    UNION ALL
    SELECT n.organization_id, 'nonconformity.overdue', 'nonconformity:' || n.id, n.ai_system_id,
           jsonb_build_object('nonconformity', jsonb_build_object('id', n.id, 'source', n.source, 'description', n.description, 'owner', n.owner,
             'dueAt', n.due_at, 'aiSystemId', n.ai_system_id)), n.due_at
    FROM nonconformity n WHERE n.organization_id = $1 AND n.status = 'OPEN' AND n.due_at > $2 AND n.due_at <= $3
  ) d ORDER BY at, key`;

/**
 * Time in ($2, $3], in one statement: evidence.expired / evidence.expiring and the due-date events
 * (EXPIRY_EVENTS, DATE_EVENTS) written, the organization's watermark moved to $3, and per moment and
 * requirement the evidence whose validity ended or started then (with its links in force), in time order.
 */
const TIME_SQL = prepared(`
  WITH expiry AS (${EXPIRY_EVENTS} RETURNING 1),
  dates AS (${DATE_EVENTS} RETURNING 1),
  watermark AS (UPDATE coverage_baseline SET time_scanned_until = greatest(time_scanned_until, $3) WHERE organization_id = $1 RETURNING 1),
  x AS (
    SELECT e.id, e.valid_until AS t, 'EXPIRED' AS what FROM evidence e
    WHERE e.organization_id = $1 AND e.valid_until > $2 AND e.valid_until <= $3
    UNION ALL
    SELECT e.id, e.effective_at, 'EFFECTIVE' FROM evidence e
    WHERE e.organization_id = $1 AND e.effective_at > $2 AND e.effective_at <= $3
  )
  SELECT to_json(x.t) #>> '{}' AS t, l.requirement_id,
         jsonb_agg(jsonb_build_object('kind', 'TIME', 'what', x.what, 'evidenceId', x.id, 'linkId', l.id, 'at', x.t) ORDER BY x.id) AS causes
  FROM x JOIN evidence_link l ON l.organization_id = $1 AND l.evidence_id = x.id
    AND l.linked_at <= x.t AND (l.unlinked_at IS NULL OR l.unlinked_at > x.t)
  GROUP BY x.t, l.requirement_id
  ORDER BY x.t, l.requirement_id`);

/**
 * Coverage deltas: at the end of every writing transaction (and on the scheduler's period, for time),
 * the requirements the transaction's changes can reach are recomputed with the reports' own SQL
 * (coverage.sql.ts, rollup and closure) and compared with their open history period. The statements
 * are the same whatever the number of items written: a lock, the baseline, then one statement per
 * moment of time to account for and one for the writes.
 */
export class CoverageEventsService {
  constructor(private readonly ds: DataSource) {}
  // Every method runs on `db`: the data source inside a request (its statements are pinned to the
  // request's transaction), or the EntityManager of the transaction a background job opened.

  /**
   * Turns this transaction's coverage_dirty rows (and time up to now) into history and events. Runs in
   * the caller's transaction (a request's pinned one, or the scheduler's): rolled back, it leaves nothing.
   * `always` (the scheduler's pass) accounts for time even when nothing was written. Statements: the take
   * (with the lock), the baseline, time, and one for the writes, plus one per moment of time passed.
   */
  async flush(organizationId: string, db: Db = this.ds, { always = false } = {}): Promise<FlushResult | null> {
    const dirty: { requirement_id: string | null; causes: unknown[] }[] = await db.query(TAKE_DIRTY_SQL, [organizationId]);
    if (!dirty.length) {
      if (!always) return null;
      await db.query(lockSql, [organizationId]);
    }
    return this.apply(db, organizationId, dirty);
  }

  /** The scheduler's pass for one organization: time up to now (and any writes a path without a flush left). */
  async advance(organizationId: string, db: Db = this.ds): Promise<FlushResult> {
    return (await this.flush(organizationId, db, { always: true }))!;
  }

  private async apply(db: Db, org: string, dirty: { requirement_id: string | null; causes: unknown[] }[]): Promise<FlushResult> {
    const [b]: Baseline[] = await db.query(baselineSql, [org, DEFAULT_GRAPH_ID]);
    const signature = signatureOf(b);
    const base = (asOf: string) => [org, asOf, EVENT_MAX_DEPTH, b.graph_id, b.framework_ids, null];
    const at = b.at;
    let baseline = false;
    if (!b.since) {
      // No history yet: it starts just before this transaction (whose links are stamped with its start,
      // `at`), every requirement's status then without events; this transaction's changes follow as deltas.
      const since = b.just_before;
      await db.query(deltaSql, [...base(since), null, '[]', true, '[]']);
      await db.query(
        `INSERT INTO coverage_baseline (organization_id, since, graph_signature, max_depth, time_scanned_until) VALUES ($1, $2, $3, $4, $2)`,
        [org, since, signature, EVENT_MAX_DEPTH],
      );
      Object.assign(b, { since, graph_signature: signature, time_scanned_until: since });
      baseline = true;
    }
    // Time first, moment by moment, so history holds each change when it happened.
    const instants = await this.advanceTime(db, org, b, b.time_scanned_until!, at, base);
    let changed = instants.changed;
    const graphChanged = b.graph_signature !== signature;
    const everything = graphChanged || dirty.some((d) => d.requirement_id === null);
    const sources = dirty.filter((d) => d.requirement_id !== null);
    const causes = JSON.stringify(sources.map((d) => ({ requirement_id: d.requirement_id, causes: d.causes })));
    if (everything) {
      const graphCause = dirty.find((d) => d.requirement_id === null)?.causes ?? [{ kind: 'MAPPING_GRAPH', graphId: b.graph_id, sourceIds: b.source_ids, conditions: b.conditions }];
      const [r] = await db.query(deltaSql, [...base(at), null, causes, false, JSON.stringify(graphCause)]);
      changed += r.changed;
    } else if (sources.length) {
      const sql = sources.length <= PREPARED_DELTA_SOURCES ? DELTA_OF_SOURCES_SQL : deltaSql;
      const [r] = await db.query(sql, [...base(at), sources.map((d) => d.requirement_id), causes, false, '[]']);
      changed += r.changed;
    }
    if (graphChanged) await db.query(`UPDATE coverage_baseline SET graph_signature = $2 WHERE organization_id = $1`, [org, signature]);
    return { changed, instants: instants.instants, baseline };
  }

  /**
   * Starts the organization's status history again at `since`: its statuses then, and every change after
   * it replayed moment by moment (with the mapping graph in force at each), as periods without events (they
   * are the past). For an organization whose data predates the history (an upgrade, an import) and wants
   * past reports and trends read from it. A replay reads evidence as it is now (like a recount of the past).
   * Statements: a few, plus one per moment at which something changed.
   */
  async rebuild(org: string, since: string, db: Db = this.ds): Promise<{ since: string; moments: number; periods: number }> {
    await db.query(lockSql, [org]);
    await db.query(`DELETE FROM coverage_status_period WHERE organization_id = $1`, [org]);
    await db.query(`DELETE FROM coverage_baseline WHERE organization_id = $1`, [org]);
    await db.query(`DELETE FROM coverage_dirty WHERE organization_id = $1`, [org]);
    const [b]: Baseline[] = await db.query(baselineSql, [org, DEFAULT_GRAPH_ID]);
    const graphAt = async (t: string): Promise<string> => (await db.query(graphAtSql, [org, t, DEFAULT_GRAPH_ID]))[0].id;
    const params = async (t: string) => [org, t, EVENT_MAX_DEPTH, await graphAt(t), b.framework_ids, null];
    await db.query(deltaSql, [...(await params(since)), null, '[]', true, '[]']);
    const rows: { t: string; requirement_id: string | null; causes: unknown[] }[] = await db.query(changesSql, [org, since, b.at]);
    const byMoment = new Map<string, { requirement_id: string | null; causes: unknown[] }[]>();
    for (const r of rows) {
      const list = byMoment.get(r.t) ?? [];
      list.push(r);
      byMoment.set(r.t, list);
    }
    for (const [t, changes] of byMoment) {
      const all = changes.some((c) => c.requirement_id === null);
      const sources = changes.filter((c) => c.requirement_id !== null);
      await db.query(deltaSql, [...(await params(t)), all ? null : sources.map((c) => c.requirement_id), JSON.stringify(sources), true, '[]']);
    }
    await db.query(
      `INSERT INTO coverage_baseline (organization_id, since, graph_signature, max_depth, time_scanned_until) VALUES ($1, $2, $3, $4, $5)`,
      [org, since, signatureOf(b), EVENT_MAX_DEPTH, b.at],
    );
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM coverage_status_period WHERE organization_id = $1`, [org]);
    return { since, moments: byMoment.size, periods: n };
  }

  /** Evidence expiring, expired or becoming effective in (from, to], due dates, the watermark: one statement; then each moment's deltas. */
  private async advanceTime(db: Db, org: string, b: Baseline, from: string, to: string, base: (asOf: string) => unknown[]): Promise<{ changed: number; instants: number }> {
    // In time order (the statement orders by t; the text keys keep it).
    const rows: { t: string; requirement_id: string; causes: unknown[] }[] = await db.query(TIME_SQL, [org, from, to, b.window_days]);
    const byInstant = new Map<string, { t: string; sources: { requirement_id: string; causes: unknown[] }[] }>();
    for (const r of rows) {
      let g = byInstant.get(r.t);
      if (!g) byInstant.set(r.t, (g = { t: r.t, sources: [] }));
      g.sources.push({ requirement_id: r.requirement_id, causes: r.causes });
    }
    let changed = 0;
    for (const { t, sources } of byInstant.values()) {
      const [r] = await db.query(deltaSql, [
        ...base(t), sources.map((s) => s.requirement_id), JSON.stringify(sources), false, '[]',
      ]);
      changed += r.changed;
    }
    return { changed, instants: byInstant.size };
  }
}
