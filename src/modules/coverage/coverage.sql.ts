/**
 * The coverage rules of coverage.rules.ts in SQL. Parameters by position:
 *   $1 organization, $2 asOf, $3 maxDepth, $4 mapping graph (its closure), $5 target framework ids,
 *   $6 AI system (NULL: the whole organization; else organization-wide evidence plus that system's).
 * Callers append their own parameters from $7 on. The CTEs:
 *   ro, closed, live  the evidence_rollup rows in scope, those whose window does not hold asOf, and
 *                     the live recount of those requirements' links
 *   agg  per evidenced requirement: how many valid, stale and pending links (full and partial)
 *   rej  rejected pre-fills, counted the same way per (target, evidenced requirement)
 *   inf  per target requirement: what reaches it through the closure within maxDepth
 *   soa  the Statement of Applicability decision in force at asOf
 *   st   per assessable requirement of the target frameworks: its status
 * With fresh rollup rows, agg is proportional to the organization's (requirement, AI system) pairs,
 * not to its links; everything after it to the number of evidenced requirements. The statement count
 * never depends on the data.
 *
 * Per system (CteOptions.perSystem): $6 is a uuid[] of AI systems and the statement holds one report
 * per system, each what the single-system statement gives for it. ro and live stay keyed by the
 * evidence's own ai_system_id (NULL: organization-wide), so the rollup is read and closed requirements
 * are recounted once for all systems; agg hands each row to every system it counts for (an
 * organization-wide row to all of them), and agg, rej, inf and st carry that system_id (st reads the
 * (system, requirement) pairs to report from pairs). agg then grows with systems x evidenced
 * requirements: on the full benchmark data, 200 systems take about 0.9 s in one statement, against
 * 9-13 s for 200 single-system statements.
 *
 * Two tables of the organization are always joined on organization_id as well (the equalities that let
 * Citus send a statement to one organization's shard: docs/scaling.md; test/integration/citus-ready.test.ts).
 */
/** The closure rows of the mapping graph $n. */
export const closureScopeSql = (param: string) => `c.graph_id = ${param}::uuid`;

export const EVIDENCE_STATE_SQL = `CASE
      WHEN e.status = 'ACCEPTED' AND e.effective_at <= $2 AND (e.valid_until IS NULL OR $2 < e.valid_until) THEN 'VALID'
      WHEN e.status = 'ACCEPTED' AND e.valid_until <= $2 THEN 'STALE'
      WHEN e.status IN ('DRAFT', 'IN_REVIEW') THEN 'PENDING'
    END`;

export const ACTIVE_LINK_SQL = `l.organization_id = $1 AND l.linked_at <= $2 AND (l.unlinked_at IS NULL OR l.unlinked_at > $2)`;

/** Evidence scoped to another AI system does not count in one system's report. */
export const systemScopeSql = (param: string) => `(${param}::uuid IS NULL OR e.ai_system_id IS NULL OR e.ai_system_id = ${param}::uuid)`;

/** Per system: rows of the organization (ai_system_id NULL) or of one of the systems of $6. */
const SYSTEMS_SCOPE_SQL = (alias: string) => `(${alias}.ai_system_id IS NULL OR ${alias}.ai_system_id = ANY($6::uuid[]))`;

/** Per system: the systems of $6 that a row with column ai_system_id counts for (every one, for the organization's rows). */
const SYSTEMS_OF_SQL = (alias: string) => `unnest(CASE WHEN ${alias}.ai_system_id IS NULL THEN $6::uuid[] ELSE ARRAY[${alias}.ai_system_id] END)`;

/** How the CTEs are built. The default is one report: the organization's, or one AI system's ($6 a uuid or NULL). */
export interface CteOptions {
  /**
   * One report per AI system: $6 is a uuid[] of AI systems; agg, rej, inf and st carry system_id
   * (and st also ord, the system's position in $6, from 1). Each system's rows are what the
   * single-system statement gives with $6 that system.
   */
  perSystem?: boolean;
  /** A parameter (e.g. '$7', uuid[] or NULL for all) that narrows the target requirements of inf and st. */
  requirementIds?: string;
  /**
   * Instead of requirementIds: an expression (uuid[], NULL for all) computed once, in a CTE of its own
   * (targets), that inf and st then read (the coverage events' flush: the closure's reach of what changed).
   */
  targets?: string;
}

/** Per system: `col, ` (a key column before the others); else nothing. */
const perSystemCol = (o: CteOptions, col: string) => (o.perSystem ? `${col}, ` : '');

/** The same target narrowing in inf (alias t) and st (alias r). */
const targetsSql = (o: CteOptions, alias: string) => (o.targets
  ? ` AND ((SELECT ids FROM targets) IS NULL OR ${alias}.id IN (SELECT unnest(ids) FROM targets))`
  : o.requirementIds ? ` AND (${o.requirementIds}::uuid[] IS NULL OR ${alias}.id = ANY(${o.requirementIds}::uuid[]))` : '');

/** Counts of rows with columns state and coverage: the six kinds the rollup keeps. */
const COUNTS = (alias: string) => `
    count(*) FILTER (WHERE ${alias}.state = 'VALID' AND ${alias}.coverage = 'FULL')::int AS vf,
    count(*) FILTER (WHERE ${alias}.state = 'VALID' AND ${alias}.coverage = 'PARTIAL')::int AS vp,
    count(*) FILTER (WHERE ${alias}.state = 'STALE' AND ${alias}.coverage = 'FULL')::int AS sf,
    count(*) FILTER (WHERE ${alias}.state = 'STALE' AND ${alias}.coverage = 'PARTIAL')::int AS sp,
    count(*) FILTER (WHERE ${alias}.state = 'PENDING' AND ${alias}.coverage = 'FULL')::int AS pf,
    count(*) FILTER (WHERE ${alias}.state = 'PENDING' AND ${alias}.coverage = 'PARTIAL')::int AS pp`;

/**
 * agg: per evidenced requirement, the links counted at asOf by kind (vf, vp, sf, sp, pf, pp, and the
 * sums st and pe). It reads the evidence_rollup rows (migrations/1764720000000-evidence-rollup.ts)
 * whose window holds asOf, and recomputes from the links only the requirements with a row outside
 * its window (asOf in the past, or evidence that expired since the last write and refresh).
 * rej: links of evidence whose pre-fill was rejected (by asOf: a rejection counts from when it was made),
 * counted the same way per (target, evidenced requirement).
 * Per system, both are per system as well. A requirement closed for one system is recounted for all of
 * them, in the same pass over its links: the recount equals a row inside its window, so it changes no count.
 */
export function aggregateCtes(o: CteOptions = {}): string {
  const per = !!o.perSystem;
  const col = (c: string) => perSystemCol(o, c);
  const evidenceScope = per ? SYSTEMS_SCOPE_SQL('e') : systemScopeSql('$6');
  // Per system, ro and live keep the evidence's own AI system; agg and rej hand rows to the systems of $6.
  return `${o.targets ? `
  targets AS MATERIALIZED (SELECT ${o.targets} AS ids),` : ''}
  ro AS (
    SELECT r.* FROM evidence_rollup r
    WHERE r.organization_id = $1
      AND ${per ? `NOT r.all_systems AND ${SYSTEMS_SCOPE_SQL('r')}`
    : 'CASE WHEN $6::uuid IS NULL THEN r.all_systems ELSE NOT r.all_systems AND (r.ai_system_id IS NULL OR r.ai_system_id = $6::uuid) END'}
  ),
  closed AS (SELECT DISTINCT ro.requirement_id FROM ro WHERE NOT (ro.fresh_from <= $2 AND $2 < ro.fresh_until)),
  live AS (
    SELECT ev.requirement_id, ${col('ev.ai_system_id')}${COUNTS('ev')}
    FROM (SELECT l.requirement_id, ${col('e.ai_system_id')}l.coverage, ${EVIDENCE_STATE_SQL} AS state
          FROM closed JOIN evidence_link l ON l.organization_id = $1 AND l.requirement_id = closed.requirement_id
          JOIN evidence e ON e.organization_id = l.organization_id AND e.id = l.evidence_id
          WHERE ${ACTIVE_LINK_SQL} AND ${evidenceScope} AND EXISTS (SELECT 1 FROM closed)) ev
    GROUP BY ${col('ev.ai_system_id')}ev.requirement_id
  ),
  agg AS (
    SELECT ${col('y.system_id')}u.requirement_id, sum(u.vf)::int AS vf, sum(u.vp)::int AS vp, sum(u.sf)::int AS sf, sum(u.sp)::int AS sp,
           sum(u.pf)::int AS pf, sum(u.pp)::int AS pp, sum(u.sf + u.sp)::int AS st, sum(u.pf + u.pp)::int AS pe
    FROM (
      SELECT ro.requirement_id, ${col('ro.ai_system_id')}ro.valid_full AS vf, ro.valid_partial AS vp, ro.stale_full AS sf, ro.stale_partial AS sp,
             ro.pending_full AS pf, ro.pending_partial AS pp
      FROM ro WHERE NOT EXISTS (SELECT 1 FROM closed WHERE closed.requirement_id = ro.requirement_id)
      UNION ALL SELECT * FROM live
    ) u${per ? `
    CROSS JOIN LATERAL ${SYSTEMS_OF_SQL('u')} AS y(system_id)` : ''}
    GROUP BY ${col('y.system_id')}u.requirement_id
    HAVING sum(u.vf + u.vp + u.sf + u.sp + u.pf + u.pp) > 0
  ),
  rej AS (
    SELECT ${col('j.system_id')}j.target_id, j.source_id, ${COUNTS('j')}
    FROM (SELECT ${col('y.system_id')}x.requirement_id AS target_id, l.requirement_id AS source_id, l.coverage, ${EVIDENCE_STATE_SQL} AS state
          FROM prefill_rejection x
          JOIN evidence_link l ON l.organization_id = x.organization_id AND l.evidence_id = x.evidence_id
          JOIN evidence e ON e.organization_id = l.organization_id AND e.id = l.evidence_id${per ? `
          CROSS JOIN LATERAL ${SYSTEMS_OF_SQL('e')} AS y(system_id)` : ''}
          WHERE x.organization_id = $1 AND x.rejected_at <= $2 AND ${ACTIVE_LINK_SQL} AND ${evidenceScope}) j
    WHERE j.state IS NOT NULL
    GROUP BY ${per ? '1, 2, 3' : '1, 2'}
  )`;
}

/** agg and rej, then inf; `sourceFilter` (SQL on alias s, the evidenced requirement) narrows inference sources. */
export function inferenceCtes(o: CteOptions & { sourceFilter?: string } = {}): string {
  const per = !!o.perSystem;
  return `${aggregateCtes(o)},
  inf AS (
    SELECT ${perSystemCol(o, 'a.system_id')}c.to_requirement_id AS requirement_id,
      bool_or(c.full_depth <= $3 AND a.vf - coalesce(j.vf, 0) > 0) AS prefill,
      bool_or(a.vf + a.vp - coalesce(j.vf, 0) - coalesce(j.vp, 0) > 0) AS valid_any,
      bool_or(a.st - coalesce(j.sf + j.sp, 0) > 0) AS stale,
      bool_or(a.pe - coalesce(j.pf + j.pp, 0) > 0) AS pending
    FROM agg a
    JOIN requirement s ON s.id = a.requirement_id
    JOIN mapping_closure c ON c.from_requirement_id = a.requirement_id
      AND ${closureScopeSql('$4')} AND c.any_depth <= $3
    JOIN requirement t ON t.id = c.to_requirement_id AND t.assessable AND t.framework_id = ANY($5::uuid[])${targetsSql(o, 't')}
    LEFT JOIN rej j ON j.target_id = c.to_requirement_id AND j.source_id = a.requirement_id${per ? ' AND j.system_id = a.system_id' : ''}
    WHERE ${o.sourceFilter ?? 'TRUE'}
    GROUP BY ${per ? '1, 2' : '1'}
  )`;
}

/**
 * Everything up to st: the status of every assessable requirement of the target frameworks. Per system,
 * for each system of $6: the (system, requirement) pairs come first, materialized, then agg and inf join
 * them on both keys. Crossed with requirement in st itself, the planner (which cannot estimate how
 * many rows agg has per system) merge-joined on the requirement alone and filtered the systems out of
 * 6 million rows: 3.4 s instead of 1.0 s for 200 systems on the full benchmark data.
 */
export function statusCtes(o: CteOptions = {}): string {
  const per = !!o.perSystem;
  const targets = `r.assessable AND r.framework_id = ANY($5::uuid[])${targetsSql(o, 'r')}`;
  return `WITH ${inferenceCtes(o)},
  soa AS (
    SELECT d.requirement_id, d.applicability FROM applicability_decision d
    WHERE d.organization_id = $1 AND d.decided_at <= $2 AND (d.superseded_at IS NULL OR d.superseded_at > $2)
  ),${per ? `
  pairs AS MATERIALIZED (
    SELECT y.system_id, y.ord, r.id, r.framework_id, r.position, r.ancestor_ids
    FROM unnest($6::uuid[]) WITH ORDINALITY AS y(system_id, ord) CROSS JOIN requirement r
    WHERE ${targets}
  ),` : ''}
  st AS (
    SELECT ${perSystemCol(o, 'r.system_id, r.ord')}r.id AS requirement_id, r.framework_id, r.position, r.ancestor_ids,
      CASE
        WHEN d.applicability = 'NOT_APPLICABLE' THEN 'NOT_APPLICABLE'
        WHEN coalesce(a.vf, 0) > 0 THEN 'COVERED'
        WHEN coalesce(i.prefill, false) THEN 'PREFILLED'
        WHEN coalesce(a.vp, 0) > 0 OR coalesce(i.valid_any, false) THEN 'PARTIAL'
        WHEN coalesce(a.st, 0) > 0 OR coalesce(i.stale, false) THEN 'STALE'
        WHEN coalesce(a.pe, 0) > 0 OR coalesce(i.pending, false) THEN 'PENDING'
        ELSE 'GAP'
      END AS status
    FROM ${per ? `pairs r
    LEFT JOIN agg a ON a.system_id = r.system_id AND a.requirement_id = r.id
    LEFT JOIN inf i ON i.system_id = r.system_id AND i.requirement_id = r.id` : `requirement r
    LEFT JOIN agg a ON a.requirement_id = r.id
    LEFT JOIN inf i ON i.requirement_id = r.id`}
    LEFT JOIN soa d ON d.requirement_id = r.id${per ? '' : `
    WHERE ${targets}`}
  )`;
}

/**
 * The same `st` as statusCtes, read from the status history (coverage_status_period, kept by
 * src/modules/events/coverage-events.service.ts) instead of recounted: each requirement's status in the
 * period that holds $2, GAP where none does. Only for what history records: the organization-wide
 * report ($6 NULL) at the default depth, at a moment history covers (CoverageScope.fromHistory). $3, $4
 * and $6 are read only to keep the parameters of statusCtes.
 */
export function historyStatusCtes(): string {
  return `WITH st AS (
    SELECT r.id AS requirement_id, r.framework_id, r.position, r.ancestor_ids, coalesce(p.status, 'GAP') AS status
    FROM requirement r
    LEFT JOIN coverage_status_period p ON p.organization_id = $1 AND p.requirement_id = r.id
      AND p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)
    WHERE r.assessable AND r.framework_id = ANY($5::uuid[]) AND $3::int > 0 AND $4::uuid IS NOT NULL AND $6::uuid IS NULL
  )`;
}
