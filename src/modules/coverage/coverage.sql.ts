/**
 * The coverage rules of coverage.rules.ts in SQL. Parameters by position:
 *   $1 organization, $2 asOf, $3 maxDepth, $4 closure scope (NULL: shared graph), $5 target framework ids,
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
 */
/** The closure rows of scope $n (NULL: the shared graph), written so the planner can estimate them. */
export const closureScopeSql = (param: string) => `(c.scope_id = ${param}::uuid OR (${param}::uuid IS NULL AND c.scope_id IS NULL))`;

export const EVIDENCE_STATE_SQL = `CASE
      WHEN e.status = 'ACCEPTED' AND e.effective_at <= $2 AND (e.valid_until IS NULL OR $2 < e.valid_until) THEN 'VALID'
      WHEN e.status = 'ACCEPTED' AND e.valid_until <= $2 THEN 'STALE'
      WHEN e.status IN ('DRAFT', 'IN_REVIEW') THEN 'PENDING'
    END`;

export const ACTIVE_LINK_SQL = `l.organization_id = $1 AND l.linked_at <= $2 AND (l.unlinked_at IS NULL OR l.unlinked_at > $2)`;

/** Evidence scoped to another AI system does not count in one system's report. */
export const systemScopeSql = (param: string) => `(${param}::uuid IS NULL OR e.ai_system_id IS NULL OR e.ai_system_id = ${param}::uuid)`;

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
 * rej: links of evidence whose pre-fill was rejected, counted the same way per (target, evidenced requirement).
 */
export function aggregateCtes(): string {
  return `
  ro AS (
    SELECT r.* FROM evidence_rollup r
    WHERE r.organization_id = $1
      AND CASE WHEN $6::uuid IS NULL THEN r.all_systems ELSE NOT r.all_systems AND (r.ai_system_id IS NULL OR r.ai_system_id = $6::uuid) END
  ),
  closed AS (SELECT DISTINCT ro.requirement_id FROM ro WHERE NOT (ro.fresh_from <= $2 AND $2 < ro.fresh_until)),
  live AS (
    SELECT ev.requirement_id, ${COUNTS('ev')}
    FROM (SELECT l.requirement_id, l.coverage, ${EVIDENCE_STATE_SQL} AS state
          FROM closed JOIN evidence_link l ON l.organization_id = $1 AND l.requirement_id = closed.requirement_id
          JOIN evidence e ON e.id = l.evidence_id
          WHERE ${ACTIVE_LINK_SQL} AND ${systemScopeSql('$6')} AND EXISTS (SELECT 1 FROM closed)) ev
    GROUP BY ev.requirement_id
  ),
  agg AS (
    SELECT u.requirement_id, sum(u.vf)::int AS vf, sum(u.vp)::int AS vp, sum(u.sf)::int AS sf, sum(u.sp)::int AS sp,
           sum(u.pf)::int AS pf, sum(u.pp)::int AS pp, sum(u.sf + u.sp)::int AS st, sum(u.pf + u.pp)::int AS pe
    FROM (
      SELECT ro.requirement_id, ro.valid_full AS vf, ro.valid_partial AS vp, ro.stale_full AS sf, ro.stale_partial AS sp,
             ro.pending_full AS pf, ro.pending_partial AS pp
      FROM ro WHERE NOT EXISTS (SELECT 1 FROM closed WHERE closed.requirement_id = ro.requirement_id)
      UNION ALL SELECT * FROM live
    ) u
    GROUP BY u.requirement_id
    HAVING sum(u.vf + u.vp + u.sf + u.sp + u.pf + u.pp) > 0
  ),
  rej AS (
    SELECT j.target_id, j.source_id, ${COUNTS('j')}
    FROM (SELECT x.requirement_id AS target_id, l.requirement_id AS source_id, l.coverage, ${EVIDENCE_STATE_SQL} AS state
          FROM prefill_rejection x
          JOIN evidence_link l ON l.evidence_id = x.evidence_id
          JOIN evidence e ON e.id = l.evidence_id
          WHERE x.organization_id = $1 AND ${ACTIVE_LINK_SQL} AND ${systemScopeSql('$6')}) j
    WHERE j.state IS NOT NULL
    GROUP BY 1, 2
  )`;
}

/** ev-free agg and rej, then inf; `sourceFilter` (SQL on alias s, the evidenced requirement) narrows inference sources. */
export function inferenceCtes(sourceFilter = 'TRUE'): string {
  return `${aggregateCtes()},
  inf AS (
    SELECT c.to_requirement_id AS requirement_id,
      bool_or(c.full_depth <= $3 AND a.vf - coalesce(j.vf, 0) > 0) AS prefill,
      bool_or(a.vf + a.vp - coalesce(j.vf, 0) - coalesce(j.vp, 0) > 0) AS valid_any,
      bool_or(a.st - coalesce(j.sf + j.sp, 0) > 0) AS stale,
      bool_or(a.pe - coalesce(j.pf + j.pp, 0) > 0) AS pending
    FROM agg a
    JOIN requirement s ON s.id = a.requirement_id
    JOIN mapping_closure c ON c.from_requirement_id = a.requirement_id
      AND ${closureScopeSql('$4')} AND c.any_depth <= $3
    JOIN requirement t ON t.id = c.to_requirement_id AND t.assessable AND t.framework_id = ANY($5::uuid[])
    LEFT JOIN rej j ON j.target_id = c.to_requirement_id AND j.source_id = a.requirement_id
    WHERE ${sourceFilter}
    GROUP BY 1
  )`;
}

/** Everything up to st: the status of every assessable requirement of the target frameworks. */
export function statusCtes(): string {
  return `WITH ${inferenceCtes()},
  soa AS (
    SELECT d.requirement_id, d.applicability FROM applicability_decision d
    WHERE d.organization_id = $1 AND d.decided_at <= $2 AND (d.superseded_at IS NULL OR d.superseded_at > $2)
  ),
  st AS (
    SELECT r.id AS requirement_id, r.framework_id, r.position, r.ancestor_ids,
      CASE
        WHEN d.applicability = 'NOT_APPLICABLE' THEN 'NOT_APPLICABLE'
        WHEN coalesce(a.vf, 0) > 0 THEN 'COVERED'
        WHEN coalesce(i.prefill, false) THEN 'PREFILLED'
        WHEN coalesce(a.vp, 0) > 0 OR coalesce(i.valid_any, false) THEN 'PARTIAL'
        WHEN coalesce(a.st, 0) > 0 OR coalesce(i.stale, false) THEN 'STALE'
        WHEN coalesce(a.pe, 0) > 0 OR coalesce(i.pending, false) THEN 'PENDING'
        ELSE 'GAP'
      END AS status
    FROM requirement r
    LEFT JOIN agg a ON a.requirement_id = r.id
    LEFT JOIN inf i ON i.requirement_id = r.id
    LEFT JOIN soa d ON d.requirement_id = r.id
    WHERE r.assessable AND r.framework_id = ANY($5::uuid[])
  )`;
}
