/**
 * Hand-written SQL baselines: the counts per status of each measured report, one statement each,
 * straight against the database (as a superuser, filtering the organization itself). Written from the
 * rules in src/modules/coverage/coverage.rules.ts, not from the service's SQL: flags per requirement
 * (bool_or) instead of counts, rejected pre-fills recomputed per pair instead of subtracted. The
 * mapping closure table is shared with the service; test/integration/coverage-agreement.test.ts checks
 * the service's statuses against ones computed from the raw mapping rows without it.
 */
import { DEFAULT_GRAPH_ID } from '../src/modules/mapping/mapping-graph.service';
import type { DataSource } from 'typeorm';

export interface StatusCounts {
  assessable: number;
  notApplicable: number;
  covered: number;
  prefilled: number;
  partial: number;
  stale: number;
  pending: number;
  gap: number;
}

export interface ReachCounts {
  assessable: number;
  full: number;
  partial: number;
  none: number;
}

/**
 * Flags per evidenced requirement, and per (target, source) pair where a pre-fill was rejected, the
 * same flags without the rejected evidence. $1 organization, $3 maxDepth, $4 AI system or NULL.
 */
const FLAGS = `
  st8 AS (
    SELECT l.requirement_id, l.evidence_id, l.coverage,
      CASE
        WHEN e.status = 'ACCEPTED' AND e.valid_until <= now() THEN 'STALE'
        WHEN e.status = 'ACCEPTED' AND e.effective_at <= now() THEN 'VALID'
        WHEN e.status IN ('DRAFT', 'IN_REVIEW') THEN 'PENDING'
      END AS s
    FROM evidence_link l JOIN evidence e ON e.id = l.evidence_id
    WHERE l.organization_id = $1 AND e.organization_id = $1 AND l.linked_at <= now() AND l.unlinked_at IS NULL
      AND ($4::uuid IS NULL OR e.ai_system_id IS NULL OR e.ai_system_id = $4::uuid)
  ),
  src AS (
    SELECT requirement_id,
      bool_or(s = 'VALID' AND coverage = 'FULL') AS vf, bool_or(s = 'VALID') AS va,
      bool_or(s = 'STALE') AS st, bool_or(s = 'PENDING') AS pe
    FROM st8 WHERE s IS NOT NULL GROUP BY requirement_id
  ),
  rejected_pair AS (
    SELECT DISTINCT x.requirement_id AS target_id, v.requirement_id AS source_id
    FROM prefill_rejection x JOIN st8 v ON v.evidence_id = x.evidence_id
    WHERE x.organization_id = $1
  ),
  pair AS (
    SELECT p.target_id, p.source_id,
      coalesce(bool_or(v.s = 'VALID' AND v.coverage = 'FULL'), false) AS vf, coalesce(bool_or(v.s = 'VALID'), false) AS va,
      coalesce(bool_or(v.s = 'STALE'), false) AS st, coalesce(bool_or(v.s = 'PENDING'), false) AS pe
    FROM rejected_pair p
    LEFT JOIN st8 v ON v.requirement_id = p.source_id AND v.s IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM prefill_rejection x WHERE x.organization_id = $1 AND x.requirement_id = p.target_id AND x.evidence_id = v.evidence_id)
    GROUP BY p.target_id, p.source_id
  ),
  reach AS (
    SELECT c.to_requirement_id AS target_id, c.from_requirement_id AS source_id, c.full_depth,
      coalesce(p.vf, s.vf) AS vf, coalesce(p.va, s.va) AS va, coalesce(p.st, s.st) AS st, coalesce(p.pe, s.pe) AS pe
    FROM src s
    JOIN mapping_closure c ON c.from_requirement_id = s.requirement_id AND c.any_depth <= $3
      AND c.graph_id = coalesce((SELECT g.id FROM mapping_graph g WHERE g.organization_id = $1 AND g.valid_to IS NULL), '${DEFAULT_GRAPH_ID}')
    LEFT JOIN pair p ON p.target_id = c.to_requirement_id AND p.source_id = c.from_requirement_id
  )`;

/** Counts per status for the assessable requirements of the given frameworks ($2 keys), by key. */
export async function statusBaseline(ds: DataSource, orgId: string, keys: string[], maxDepth: number, aiSystemId: string | null): Promise<Record<string, StatusCounts>> {
  const rows: (StatusCounts & { key: string })[] = await ds.query(
    `WITH ${FLAGS},
     target AS (
       SELECT f.key, r.id FROM requirement r JOIN framework f ON f.id = r.framework_id
       WHERE r.assessable AND f.key = ANY($2::text[])
     ),
     via AS (
       SELECT target_id, bool_or(vf AND full_depth <= $3) AS vf, bool_or(va) AS va, bool_or(st) AS st, bool_or(pe) AS pe
       FROM reach GROUP BY target_id
     ),
     na AS (
       SELECT DISTINCT requirement_id FROM applicability_decision
       WHERE organization_id = $1 AND decided_at <= now() AND superseded_at IS NULL AND applicability = 'NOT_APPLICABLE'
     ),
     status AS (
       SELECT t.key,
         CASE
           WHEN na.requirement_id IS NOT NULL THEN 'NOT_APPLICABLE'
           WHEN d.vf THEN 'COVERED'
           WHEN x.vf THEN 'PREFILLED'
           WHEN d.va OR x.va THEN 'PARTIAL'
           WHEN d.st OR x.st THEN 'STALE'
           WHEN d.pe OR x.pe THEN 'PENDING'
           ELSE 'GAP'
         END AS status
       FROM target t
       LEFT JOIN src d ON d.requirement_id = t.id
       LEFT JOIN via x ON x.target_id = t.id
       LEFT JOIN na ON na.requirement_id = t.id
     )
     SELECT key, count(*)::int AS assessable,
       count(*) FILTER (WHERE status = 'NOT_APPLICABLE')::int AS "notApplicable",
       count(*) FILTER (WHERE status = 'COVERED')::int AS covered,
       count(*) FILTER (WHERE status = 'PREFILLED')::int AS prefilled,
       count(*) FILTER (WHERE status = 'PARTIAL')::int AS partial,
       count(*) FILTER (WHERE status = 'STALE')::int AS stale,
       count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
       count(*) FILTER (WHERE status = 'GAP')::int AS gap
     FROM status GROUP BY key ORDER BY key`,
    [orgId, keys, maxDepth, aiSystemId],
  );
  return Object.fromEntries(rows.map(({ key, ...counts }) => [key, counts]));
}

/** Pre-fill reach of `to` from valid evidence on `from` requirements (no Statement of Applicability). */
export async function prefillBaseline(ds: DataSource, orgId: string, from: string, to: string, maxDepth: number): Promise<ReachCounts> {
  const [row]: ReachCounts[] = await ds.query(
    `WITH ${FLAGS},
     via AS (
       SELECT x.target_id, bool_or(x.vf AND x.full_depth <= $3) AS vf, bool_or(x.va) AS va
       FROM reach x JOIN requirement s ON s.id = x.source_id JOIN framework f ON f.id = s.framework_id
       WHERE f.key = $5 GROUP BY x.target_id
     ),
     target AS (
       SELECT CASE WHEN x.vf THEN 'FULL' WHEN x.va THEN 'PARTIAL' ELSE 'NONE' END AS reach
       FROM requirement r JOIN framework f ON f.id = r.framework_id
       LEFT JOIN via x ON x.target_id = r.id
       WHERE r.assessable AND f.key = $2
     )
     SELECT count(*)::int AS assessable,
       count(*) FILTER (WHERE reach = 'FULL')::int AS full,
       count(*) FILTER (WHERE reach = 'PARTIAL')::int AS partial,
       count(*) FILTER (WHERE reach = 'NONE')::int AS none
     FROM target`,
    [orgId, to, maxDepth, null, from],
  );
  return row;
}
