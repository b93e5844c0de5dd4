/**
 * The coverage rules of coverage.rules.ts in SQL. Parameters by position:
 *   $1 organization, $2 asOf, $3 maxDepth, $4 closure scope (NULL: shared graph), $5 target framework ids,
 *   $6 AI system (NULL: the whole organization; else organization-wide evidence plus that system's).
 * Callers append their own parameters from $7 on. The CTEs:
 *   ev   links active at asOf, each with its evidence's state (VALID / STALE / PENDING / NULL)
 *   agg  per evidenced requirement: how many valid-full, valid-partial, stale, pending links
 *   rej  rejected pre-fills, counted the same way per (target, evidenced requirement)
 *   inf  per target requirement: what reaches it through the closure within maxDepth
 *   soa  the Statement of Applicability decision in force at asOf
 *   st   per assessable requirement of the target frameworks: its status
 * The heavy part (ev, agg) is proportional to the organization's links; everything after it to the
 * number of evidenced requirements, so the statement count never depends on the data.
 */
export const EVIDENCE_STATE_SQL = `CASE
      WHEN e.status = 'ACCEPTED' AND e.effective_at <= $2 AND (e.valid_until IS NULL OR $2 < e.valid_until) THEN 'VALID'
      WHEN e.status = 'ACCEPTED' AND e.valid_until <= $2 THEN 'STALE'
      WHEN e.status IN ('DRAFT', 'IN_REVIEW') THEN 'PENDING'
    END`;

export const ACTIVE_LINK_SQL = `l.organization_id = $1 AND l.linked_at <= $2 AND (l.unlinked_at IS NULL OR l.unlinked_at > $2)`;

/** Evidence scoped to another AI system does not count in one system's report. */
export const systemScopeSql = (param: string) => `(${param}::uuid IS NULL OR e.ai_system_id IS NULL OR e.ai_system_id = ${param}::uuid)`;

const COUNTS = `
    count(*) FILTER (WHERE ev.state = 'VALID' AND ev.coverage = 'FULL')::int AS vf,
    count(*) FILTER (WHERE ev.state = 'VALID' AND ev.coverage = 'PARTIAL')::int AS vp,
    count(*) FILTER (WHERE ev.state = 'STALE')::int AS st,
    count(*) FILTER (WHERE ev.state = 'PENDING')::int AS pe`;

/** ev, agg, rej and inf; `sourceFilter` (SQL on alias s, the evidenced requirement) narrows inference sources. */
export function inferenceCtes(sourceFilter = 'TRUE'): string {
  return `
  ev AS (
    SELECT l.requirement_id, l.evidence_id, l.coverage, ${EVIDENCE_STATE_SQL} AS state
    FROM evidence_link l JOIN evidence e ON e.id = l.evidence_id
    WHERE ${ACTIVE_LINK_SQL} AND ${systemScopeSql('$6')}
  ),
  agg AS (
    SELECT ev.requirement_id, ${COUNTS}
    FROM ev WHERE ev.state IS NOT NULL
    GROUP BY ev.requirement_id
  ),
  rej AS (
    SELECT x.requirement_id AS target_id, ev.requirement_id AS source_id, ${COUNTS}
    FROM prefill_rejection x JOIN ev ON ev.evidence_id = x.evidence_id
    WHERE x.organization_id = $1 AND ev.state IS NOT NULL
    GROUP BY 1, 2
  ),
  inf AS (
    SELECT c.to_requirement_id AS requirement_id,
      bool_or(c.full_depth <= $3 AND a.vf - coalesce(j.vf, 0) > 0) AS prefill,
      bool_or(a.vf + a.vp - coalesce(j.vf, 0) - coalesce(j.vp, 0) > 0) AS valid_any,
      bool_or(a.st - coalesce(j.st, 0) > 0) AS stale,
      bool_or(a.pe - coalesce(j.pe, 0) > 0) AS pending
    FROM agg a
    JOIN requirement s ON s.id = a.requirement_id
    JOIN mapping_closure c ON c.from_requirement_id = a.requirement_id
      AND c.scope_id IS NOT DISTINCT FROM $4::uuid AND c.any_depth <= $3
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
