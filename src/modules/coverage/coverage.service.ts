import type { DataSource } from 'typeorm';
import { hydrate, selectColumns } from '../../database/hydrate';
import { Keyset, keysetPage, keysetSql } from '../../graphql/connection.type';
import { Requirement } from '../framework/requirement.entity';
import { EvidenceLink } from '../evidence/evidence-link.entity';
import { LinkCoverage } from '../evidence/evidence.enums';
import { PathCoverage } from '../mapping/mapping.enums';
import { CLOSURE_MAX_DEPTH } from '../mapping/mapping-closure.service';
import type { MappingGraph } from '../mapping/mapping-graph.service';
import { CoverageCounts, CoverageStatus, EvidenceState, addStatus, emptyCounts } from './coverage.rules';
import { ACTIVE_LINK_SQL, EVIDENCE_STATE_SQL, aggregateCtes, closureScopeSql, historyStatusCtes, inferenceCtes, statusCtes, systemScopeSql } from './coverage.sql';
import { EVENT_MAX_DEPTH } from '../events/coverage-events.service';

/** What every coverage query is relative to. */
export interface CoverageScope {
  organizationId: string;
  asOf: Date;
  maxDepth: number;
  /** The mapping graph read (MappingGraphService.at for the organization and asOf): its closure decides inference. */
  graph: MappingGraph;
  /** Report for one AI system: organization-wide evidence plus evidence scoped to it. */
  aiSystemId?: string | null;
  /**
   * Statuses read from the status history rather than recounted: set (by historyCovers) for a past
   * organization-wide report at the default depth within the recorded history.
   */
  fromHistory?: boolean;
}

export interface StatusRow {
  requirement: Requirement;
  status: CoverageStatus;
}

/** One way evidence on another requirement reaches a target. */
export interface ContributionRow {
  targetId: string;
  fromId: string;
  link: EvidenceLink;
  state: EvidenceState;
  coverage: LinkCoverage;
  pathCoverage: PathCoverage;
  minStrength: number | null;
  mappingIds: string[];
  nodeIds: string[];
  /** The graph whose closure gave the path: its rows are read with its conditions. */
  graph: MappingGraph;
}

export type Reach = 'FULL' | 'PARTIAL' | 'NONE';

export interface PrefillRejectionRow {
  id: string;
  requirementId: string;
  evidenceId: string;
  reason: string;
  rejectedBy: string;
  rejectedAt: Date;
}

/** $1-$6 of coverage.sql.ts; `systems` replaces $6 for the per-system statements. */
const base = (s: CoverageScope, frameworkIds: readonly string[], systems?: readonly string[]) => [
  s.organizationId,
  s.asOf.toISOString(),
  s.maxDepth,
  s.graph.id,
  [...frameworkIds],
  systems ? [...systems] : s.aiSystemId ?? null,
];

/** The statuses of a report: recounted (statusCtes) or read from history. */
const stCtes = (s: CoverageScope) => (s.fromHistory ? historyStatusCtes() : statusCtes());

/** Coverage, pre-fill, gap and reuse queries: set-based, a constant number of statements per report. */
export class CoverageService {
  private readonly reqCols: string;

  constructor(private readonly ds: DataSource) {
    this.reqCols = selectColumns(ds, Requirement, 'r', 'r_');
  }

  /** Counts per status for each framework, and (optionally) per grouping node. One statement. */
  async counts(s: CoverageScope, frameworkIds: readonly string[], withGroups: boolean): Promise<{
    totals: Map<string, CoverageCounts>;
    groups: Map<string, CoverageCounts>;
  }> {
    const rows: { part: string; framework_id: string; group_id: string | null; status: CoverageStatus; n: number }[] = await this.ds.query(
      `${stCtes(s)}
       SELECT 'total' AS part, st.framework_id, NULL::uuid AS group_id, st.status, count(*)::int AS n
       FROM st GROUP BY st.framework_id, st.status
       ${withGroups ? `UNION ALL
       SELECT 'group', st.framework_id, g.id, st.status, count(*)::int
       FROM st CROSS JOIN LATERAL unnest(st.ancestor_ids) AS g(id)
       GROUP BY st.framework_id, g.id, st.status` : ''}`,
      base(s, frameworkIds),
    );
    const totals = new Map<string, CoverageCounts>(frameworkIds.map((id) => [id, emptyCounts()]));
    const groups = new Map<string, CoverageCounts>();
    for (const r of rows) {
      const target = r.part === 'total' ? totals : groups;
      const key = r.part === 'total' ? r.framework_id : r.group_id!;
      let counts = target.get(key);
      if (!counts) {
        counts = emptyCounts();
        target.set(key, counts);
      }
      addStatus(counts, r.status, r.n);
    }
    return { totals, groups };
  }

  /** A keyset page of assessable requirements with their status, in document order. */
  async page(s: CoverageScope, frameworkId: string, statuses: CoverageStatus[] | null, window: Keyset<number>): Promise<{ rows: StatusRow[]; hasNextPage: boolean; hasPreviousPage: boolean; count: () => Promise<number> }> {
    const params: unknown[] = [...base(s, [frameworkId]), statuses];
    const ks = keysetSql(window, ['st.position'], 'ASC', (position) => { params.push(position); return [`$${params.length}`]; });
    params.push(ks.limit);
    const raw: Record<string, unknown>[] = await this.ds.query(
      `${stCtes(s)}
       SELECT ${this.reqCols}, st.status
       FROM st JOIN requirement r ON r.id = st.requirement_id
       WHERE ($7::text[] IS NULL OR st.status = ANY($7::text[]))${ks.where.map((w) => ` AND ${w}`).join('')}
       ORDER BY ${ks.orderBy}
       LIMIT $${params.length}`,
      params,
    );
    const rows = raw.map((r) => ({ requirement: hydrate(this.ds, Requirement, r, 'r_'), status: r.status as CoverageStatus }));
    return {
      ...keysetPage(rows, window),
      count: async () => {
        const c: { n: number }[] = await this.ds.query(
          `${stCtes(s)} SELECT count(*)::int AS n FROM st WHERE ($7::text[] IS NULL OR st.status = ANY($7::text[]))`,
          [...base(s, [frameworkId]), statuses],
        );
        return c[0].n;
      },
    };
  }

  /** Status of the framework's assessable requirements, optionally only some kinds or statuses, in document order. */
  async statuses(s: CoverageScope, frameworkId: string, only: { kinds?: string[]; statuses?: CoverageStatus[] } = {}): Promise<StatusRow[]> {
    const raw: Record<string, unknown>[] = await this.ds.query(
      `${stCtes(s)}
       SELECT ${this.reqCols}, st.status
       FROM st JOIN requirement r ON r.id = st.requirement_id
       WHERE ($7::text[] IS NULL OR r.kind = ANY($7::text[])) AND ($8::text[] IS NULL OR st.status = ANY($8::text[]))
       ORDER BY st.position`,
      [...base(s, [frameworkId]), only.kinds ?? null, only.statuses ?? null],
    );
    return raw.map((r) => ({ requirement: hydrate(this.ds, Requirement, r, 'r_'), status: r.status as CoverageStatus }));
  }

  /**
   * For each AI system, exactly what `statuses({ ...s, aiSystemId: id }, frameworkId)` gives (the same
   * rows in the same order), in one statement whatever the number of systems; none for no system.
   * `only.requirementIds` keeps only those requirements (ids that are not assessable requirements of the
   * framework give no row), the same list for every system: the obligations matrix asks each system for
   * a subset of one framework's requirements, and the union of the subsets costs little more than each,
   * while the agreement of the rows across systems lets one row carry a requirement for all of them.
   * The rows of different systems share their Requirement objects.
   */
  async statusesForSystems(
    s: Omit<CoverageScope, 'aiSystemId'>,
    frameworkId: string,
    aiSystemIds: readonly string[],
    only: { requirementIds?: readonly string[] } = {},
  ): Promise<Map<string, StatusRow[]>> {
    const ids = [...new Set(aiSystemIds)];
    const out = new Map<string, StatusRow[]>(ids.map((id) => [id, []]));
    if (!ids.length || only.requirementIds?.length === 0) return out;
    // One row per requirement, its statuses in the order of $6: the requirement's columns travel once.
    const raw: Record<string, unknown>[] = await this.ds.query(
      `${statusCtes({ perSystem: true, requirementIds: '$7' })}
       SELECT ${this.reqCols}, x.statuses
       FROM (SELECT st.requirement_id, array_agg(st.status ORDER BY st.ord) AS statuses FROM st GROUP BY st.requirement_id) x
       JOIN requirement r ON r.id = x.requirement_id
       ORDER BY r.position`,
      [...base(s, [frameworkId], ids), only.requirementIds ? [...only.requirementIds] : null],
    );
    for (const r of raw) {
      const requirement = hydrate(this.ds, Requirement, r, 'r_');
      (r.statuses as CoverageStatus[]).forEach((status, i) => out.get(ids[i])!.push({ requirement, status }));
    }
    return out;
  }

  /**
   * Whether the status history answers a report at this scope: organization-wide, at the depth history
   * keeps, at a moment from when the organization's history began up to where its time has been
   * accounted for (later moments are recounted: they are the present). One statement.
   */
  async historyCovers(s: CoverageScope): Promise<boolean> {
    if (s.aiSystemId || s.maxDepth !== EVENT_MAX_DEPTH) return false;
    const rows: { covers: boolean }[] = await this.ds.query(
      `SELECT (since <= $2 AND $2 < time_scanned_until) AS covers FROM coverage_baseline WHERE organization_id = $1`,
      [s.organizationId, s.asOf.toISOString()],
    );
    return rows[0]?.covers ?? false;
  }

  /** Since when and up to when the organization's status history is complete; null without one. */
  async historySpan(organizationId: string): Promise<{ since: Date; until: Date } | null> {
    const rows: { since: Date; until: Date }[] = await this.ds.query(
      `SELECT since, time_scanned_until AS until FROM coverage_baseline WHERE organization_id = $1`,
      [organizationId],
    );
    return rows[0] ? { since: new Date(rows[0].since), until: new Date(rows[0].until) } : null;
  }

  /**
   * Counts per status of one framework's assessable requirements at each moment, from the status history:
   * one statement for every moment. A requirement with no period at a moment was a GAP.
   */
  async historyCounts(organizationId: string, frameworkId: string, moments: readonly Date[]): Promise<Map<number, CoverageCounts>> {
    const rows: { at: Date; status: CoverageStatus; n: number; total: number }[] = await this.ds.query(
      `WITH g AS (SELECT unnest($3::timestamptz[]) AS at),
            a AS (SELECT count(*)::int AS total FROM requirement r WHERE r.framework_id = $2 AND r.assessable)
       SELECT g.at, p.status, count(p.status)::int AS n, (SELECT total FROM a) AS total
       FROM g
       LEFT JOIN (coverage_status_period p JOIN requirement r ON r.id = p.requirement_id AND r.assessable)
         ON p.organization_id = $1 AND p.framework_id = $2 AND p.valid_from <= g.at AND (p.valid_to IS NULL OR p.valid_to > g.at)
       GROUP BY g.at, p.status`,
      [organizationId, frameworkId, moments.map((m) => m.toISOString())],
    );
    const out = new Map<number, CoverageCounts>(moments.map((m) => [m.getTime(), emptyCounts()]));
    const known = new Map<number, number>();
    let total = 0;
    for (const r of rows) {
      total = r.total;
      const t = new Date(r.at).getTime();
      if (!r.status) continue;
      addStatus(out.get(t)!, r.status, r.n);
      known.set(t, (known.get(t) ?? 0) + r.n);
    }
    // Requirements with no period at the moment (none recorded for them yet) add to the GAP periods.
    for (const m of moments) out.get(m.getTime())!.gap += total - (known.get(m.getTime()) ?? 0);
    return out;
  }

  /** Records that a person rejected a pre-fill; the same rejection again only updates the reason (and who), not since when it holds. */
  async rejectPrefill(org: string, actor: string, requirementId: string, evidenceId: string, reason: string): Promise<PrefillRejectionRow> {
    const rows: PrefillRejectionRow[] = await this.ds.query(
      `INSERT INTO prefill_rejection (organization_id, requirement_id, evidence_id, reason, rejected_by)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ON CONSTRAINT uq_prefill_rejection DO UPDATE SET reason = EXCLUDED.reason, rejected_by = EXCLUDED.rejected_by
       RETURNING id, requirement_id AS "requirementId", evidence_id AS "evidenceId", reason, rejected_by AS "rejectedBy", rejected_at AS "rejectedAt"`,
      [org, requirementId, evidenceId, reason, actor],
    );
    return rows[0];
  }

  /**
   * How evidence on other requirements reaches each target, best first, at most `perTarget` each.
   * Best: a FULL contribution (full link on a full path within maxDepth) first, then valid, stale,
   * pending evidence, then the shorter path, the stronger weakest mapping, the source requirement in
   * document order, the most recently linked evidence.
   * mode 'counted': what the status counts (valid, stale or pending evidence within maxDepth), exactly.
   * mode 'suggest': evidence the organization holds in a valid, stale or pending state within the
   * closure's depth, not already linked to the target and not rejected for it: candidates to link after
   * review, taken from the best-reaching source requirements.
   */
  async contributions(
    s: CoverageScope,
    targetIds: readonly string[],
    perTarget: number,
    mode: 'counted' | 'suggest',
    sourceFrameworkId: string | null = null,
    evidenceId: string | null = null,
  ): Promise<Map<string, ContributionRow[]>> {
    const out = new Map<string, ContributionRow[]>(targetIds.map((id) => [id, []]));
    if (!targetIds.length) return out;
    const depth = mode === 'counted' ? s.maxDepth : CLOSURE_MAX_DEPTH;
    const raw = evidenceId
      ? await this.contributionsOfEvidence(s, targetIds, perTarget, depth, sourceFrameworkId, evidenceId)
      : await this.bestContributions(s, targetIds, perTarget, depth, mode, sourceFrameworkId);
    for (const r of raw) {
      out.get(r.target_id as string)!.push({
        targetId: r.target_id as string,
        fromId: r.from_id as string,
        link: hydrate(this.ds, EvidenceLink, r),
        state: r.state as EvidenceState,
        coverage: r.full_contribution ? LinkCoverage.FULL : LinkCoverage.PARTIAL,
        pathCoverage: r.path_coverage as PathCoverage,
        minStrength: r.min_strength === null ? null : Number(r.min_strength),
        mappingIds: r.mapping_ids as string[],
        nodeIds: r.node_ids as string[],
        graph: s.graph,
      });
    }
    return out;
  }

  /**
   * Two steps, so the cost follows the rollup and the links of a few source requirements, not every link:
   * 1. pairs: per (target, source) the best kind of link the source holds (from agg, net of rejections),
   *    and the sources ranked per target by it; only the first `perTarget` sources can hold the best
   *    links, because every source holds at least one link of its best kind and the link order extends
   *    the source order.
   * 2. per chosen source and kind of link it holds (full or partial; valid, stale or pending), the most
   *    recently linked ones, read in index order (ix_evidence_link_ranked) and stopped early; every
   *    order a target can see a source's links in (over a full path, full links first; otherwise by
   *    state) ranks them kind by kind, so the best links of each kind are enough. Then merged per target.
   * Rejections (and, for suggestions, links the target already has) are removed per target in step 2;
   * each kind lists twice `perTarget` links plus the number of rejections, so the counted result stays
   * exact; suggestions list three times `perTarget`.
   */
  private async bestContributions(
    s: CoverageScope,
    targetIds: readonly string[],
    perTarget: number,
    depth: number,
    mode: 'counted' | 'suggest',
    sourceFrameworkId: string | null,
  ): Promise<Record<string, unknown>[]> {
    const suggest = mode === 'suggest';
    const fullKind = `(p.full_path AND p.f_vf + p.f_sf + p.f_pf > 0)`;
    return this.ds.query(
      `WITH ${aggregateCtes()},
       extra AS (
         SELECT count(*)::int AS n FROM prefill_rejection x WHERE x.organization_id = $1 AND x.requirement_id = ANY($5::uuid[]) AND x.rejected_at <= $2
       ),
       p0 AS (
         SELECT c.to_requirement_id AS target_id, c.from_requirement_id AS from_id, src.position AS from_position,
                (c.full_depth IS NOT NULL AND c.full_depth <= $3) AS full_path, c.*,
                a.vf - coalesce(j.vf, 0) AS f_vf, a.sf - coalesce(j.sf, 0) AS f_sf, a.pf - coalesce(j.pf, 0) AS f_pf,
                a.vf + a.vp - coalesce(j.vf, 0) - coalesce(j.vp, 0) AS a_v,
                a.st - coalesce(j.sf + j.sp, 0) AS a_s, a.pe - coalesce(j.pf + j.pp, 0) AS a_p
         FROM mapping_closure c
         JOIN requirement src ON src.id = c.from_requirement_id
         JOIN agg a ON a.requirement_id = c.from_requirement_id
         LEFT JOIN rej j ON j.target_id = c.to_requirement_id AND j.source_id = c.from_requirement_id
         WHERE c.to_requirement_id = ANY($5::uuid[]) AND ${closureScopeSql('$4')} AND c.any_depth <= $7
           AND ($8::uuid IS NULL OR src.framework_id = $8::uuid)
       ),
       pairs AS (
         SELECT p.target_id, p.from_id, p.from_position, p.full_path, ${fullKind} AS full_kind,
                CASE WHEN ${fullKind} THEN (CASE WHEN p.f_vf > 0 THEN 0 WHEN p.f_sf > 0 THEN 1 ELSE 2 END)
                     ELSE (CASE WHEN p.a_v > 0 THEN 0 WHEN p.a_s > 0 THEN 1 ELSE 2 END) END AS state_rank,
                CASE WHEN ${fullKind} THEN cardinality(p.full_mapping_ids) ELSE cardinality(p.any_mapping_ids) END AS hops,
                CASE WHEN ${fullKind} THEN p.full_min_strength ELSE p.any_min_strength END AS strength,
                p.full_mapping_ids, p.full_node_ids, p.full_min_strength, p.any_mapping_ids, p.any_node_ids, p.any_coverage, p.any_min_strength
         FROM p0 p
         WHERE p.a_v + p.a_s + p.a_p > 0
       ),
       chosen AS MATERIALIZED (
         SELECT * FROM (
           SELECT pairs.*, row_number() OVER (PARTITION BY target_id
             ORDER BY full_kind DESC, state_rank, hops, strength DESC NULLS LAST, from_position, from_id) AS source_rank
           FROM pairs) r
         WHERE source_rank <= $9
       ),
       classes AS (
         SELECT s.from_id, k.coverage, k.state
         FROM (SELECT DISTINCT from_id FROM chosen) s
         JOIN agg a ON a.requirement_id = s.from_id
         CROSS JOIN LATERAL (VALUES ('FULL', 'VALID', a.vf), ('PARTIAL', 'VALID', a.vp), ('FULL', 'STALE', a.sf),
                                    ('PARTIAL', 'STALE', a.sp), ('FULL', 'PENDING', a.pf), ('PARTIAL', 'PENDING', a.pp)) AS k(coverage, state, n)
         WHERE k.n > 0
       ),
       per_source AS MATERIALIZED (
         SELECT x.*, CASE x.state WHEN 'VALID' THEN 0 WHEN 'STALE' THEN 1 ELSE 2 END AS link_state_rank
         FROM classes k
         CROSS JOIN LATERAL (
           SELECT l.*, ${EVIDENCE_STATE_SQL} AS state
           FROM evidence_link l JOIN evidence e ON e.organization_id = l.organization_id AND e.id = l.evidence_id
           WHERE l.organization_id = $1 AND l.requirement_id = k.from_id AND l.coverage = k.coverage
             AND ${ACTIVE_LINK_SQL} AND ${systemScopeSql('$6')} AND (${EVIDENCE_STATE_SQL}) = k.state
           ORDER BY l.linked_at DESC, l.id DESC
           LIMIT $9 * ${suggest ? 3 : 2} + (SELECT n FROM extra)
         ) x
       ),
       cand AS (
         SELECT ch.target_id, ch.from_id, ps.*,
                (ch.full_path AND ps.coverage = 'FULL') AS full_contribution,
                CASE WHEN ch.full_path AND ps.coverage = 'FULL' THEN ch.full_mapping_ids ELSE ch.any_mapping_ids END AS mapping_ids,
                CASE WHEN ch.full_path AND ps.coverage = 'FULL' THEN ch.full_node_ids ELSE ch.any_node_ids END AS node_ids,
                CASE WHEN ch.full_path AND ps.coverage = 'FULL' THEN 'FULL' ELSE ch.any_coverage END AS path_coverage,
                CASE WHEN ch.full_path AND ps.coverage = 'FULL' THEN ch.full_min_strength ELSE ch.any_min_strength END AS min_strength,
                ch.from_position
         FROM chosen ch
         JOIN per_source ps ON ps.requirement_id = ch.from_id
         WHERE NOT EXISTS (SELECT 1 FROM prefill_rejection x
                           WHERE x.organization_id = ps.organization_id AND x.requirement_id = ch.target_id AND x.evidence_id = ps.evidence_id AND x.rejected_at <= $2)
           ${suggest ? `AND NOT EXISTS (SELECT 1 FROM evidence_link d WHERE d.requirement_id = ch.target_id
                  AND d.evidence_id = ps.evidence_id AND d.organization_id = ps.organization_id AND d.unlinked_at IS NULL)` : ''}
       ),
       ranked AS (
         SELECT cand.*, row_number() OVER (
           PARTITION BY target_id
           ORDER BY full_contribution DESC, link_state_rank, cardinality(mapping_ids), min_strength DESC NULLS LAST,
                    from_position, from_id, linked_at DESC, id DESC) AS rank
         FROM cand
       )
       SELECT * FROM ranked WHERE rank <= $9 ORDER BY target_id, rank`,
      [...base(s, targetIds), depth, sourceFrameworkId, perTarget],
    );
  }

  /** The contributions of one piece of evidence: few links, read directly. */
  private async contributionsOfEvidence(
    s: CoverageScope,
    targetIds: readonly string[],
    perTarget: number,
    depth: number,
    sourceFrameworkId: string | null,
    evidenceId: string,
  ): Promise<Record<string, unknown>[]> {
    return this.ds.query(
      `WITH cand AS (
         SELECT c.to_requirement_id AS target_id, c.from_requirement_id AS from_id, l.*, src.position AS from_position,
                ${EVIDENCE_STATE_SQL} AS state,
                coalesce(l.coverage = 'FULL' AND c.full_depth <= $3, false) AS full_contribution,
                CASE WHEN l.coverage = 'FULL' AND c.full_depth <= $3 THEN c.full_mapping_ids ELSE c.any_mapping_ids END AS mapping_ids,
                CASE WHEN l.coverage = 'FULL' AND c.full_depth <= $3 THEN c.full_node_ids ELSE c.any_node_ids END AS node_ids,
                CASE WHEN l.coverage = 'FULL' AND c.full_depth <= $3 THEN 'FULL' ELSE c.any_coverage END AS path_coverage,
                CASE WHEN l.coverage = 'FULL' AND c.full_depth <= $3 THEN c.full_min_strength ELSE c.any_min_strength END AS min_strength,
                e.effective_at AS evidence_effective_at
         FROM evidence_link l
         JOIN evidence e ON e.organization_id = l.organization_id AND e.id = l.evidence_id
         JOIN mapping_closure c ON c.from_requirement_id = l.requirement_id
         JOIN requirement src ON src.id = c.from_requirement_id
         WHERE l.evidence_id = $8 AND ${ACTIVE_LINK_SQL} AND ${systemScopeSql('$6')}
           AND c.to_requirement_id = ANY($5::uuid[]) AND ${closureScopeSql('$4')} AND c.any_depth <= $7
           AND ($9::uuid IS NULL OR src.framework_id = $9::uuid)
           AND (${EVIDENCE_STATE_SQL}) IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM prefill_rejection x
                           WHERE x.organization_id = $1 AND x.requirement_id = c.to_requirement_id AND x.evidence_id = l.evidence_id AND x.rejected_at <= $2)
       ),
       ranked AS (
         SELECT cand.*, row_number() OVER (
           PARTITION BY target_id
           ORDER BY full_contribution DESC, CASE state WHEN 'VALID' THEN 0 WHEN 'STALE' THEN 1 ELSE 2 END,
                    cardinality(mapping_ids), min_strength DESC NULLS LAST, from_position, from_id, linked_at DESC, id DESC) AS rank
         FROM cand
       )
       SELECT * FROM ranked WHERE rank <= $10 ORDER BY target_id, rank`,
      [...base(s, targetIds), depth, evidenceId, sourceFrameworkId, perTarget],
    );
  }

  /** For every assessable requirement of `to`: what valid evidence on `from` requirements pre-fills. */
  async prefill(s: CoverageScope, fromFrameworkId: string, toFrameworkId: string): Promise<{ requirement: Requirement; reach: Reach }[]> {
    const raw: Record<string, unknown>[] = await this.ds.query(
      `WITH ${inferenceCtes({ sourceFilter: 's.framework_id = $7' })}
       SELECT ${this.reqCols},
              CASE WHEN i.prefill THEN 'FULL' WHEN i.valid_any THEN 'PARTIAL' ELSE 'NONE' END AS reach
       FROM requirement r LEFT JOIN inf i ON i.requirement_id = r.id
       WHERE r.assessable AND r.framework_id = ($5::uuid[])[1]
       ORDER BY r.position`,
      [...base(s, [toFrameworkId]), fromFrameworkId],
    );
    return raw.map((r) => ({ requirement: hydrate(this.ds, Requirement, r, 'r_'), reach: r.reach as Reach }));
  }

  /** Without evidence: which assessable requirements of `to` a FULL or only a PARTIAL path reaches from `from`. */
  async reuse(graphId: string, maxDepth: number, fromFrameworkId: string, toFrameworkId: string): Promise<{
    requirement: Requirement;
    reach: Reach;
    fromId: string | null;
    mappingIds: string[];
    nodeIds: string[];
    pathCoverage: PathCoverage | null;
    minStrength: number | null;
  }[]> {
    const raw: Record<string, unknown>[] = await this.ds.query(
      `WITH best AS (
         SELECT DISTINCT ON (c.to_requirement_id) c.to_requirement_id, c.from_requirement_id,
                (c.full_depth IS NOT NULL AND c.full_depth <= $2) AS full,
                CASE WHEN c.full_depth <= $2 THEN c.full_mapping_ids ELSE c.any_mapping_ids END AS mapping_ids,
                CASE WHEN c.full_depth <= $2 THEN c.full_node_ids ELSE c.any_node_ids END AS node_ids,
                CASE WHEN c.full_depth <= $2 THEN 'FULL' ELSE c.any_coverage END AS path_coverage,
                CASE WHEN c.full_depth <= $2 THEN c.full_min_strength ELSE c.any_min_strength END AS min_strength
         FROM mapping_closure c
         JOIN requirement s ON s.id = c.from_requirement_id AND s.framework_id = $3
         WHERE ${closureScopeSql('$1')} AND c.any_depth <= $2
         ORDER BY c.to_requirement_id, (c.full_depth IS NOT NULL AND c.full_depth <= $2) DESC,
                  CASE WHEN c.full_depth <= $2 THEN c.full_depth ELSE c.any_depth END,
                  CASE WHEN c.full_depth <= $2 THEN c.full_min_strength ELSE c.any_min_strength END DESC NULLS LAST, s.position
       )
       SELECT ${this.reqCols}, b.from_requirement_id, b.full, b.mapping_ids, b.node_ids, b.path_coverage, b.min_strength
       FROM requirement r LEFT JOIN best b ON b.to_requirement_id = r.id
       WHERE r.assessable AND r.framework_id = $4
       ORDER BY r.position`,
      [graphId, maxDepth, fromFrameworkId, toFrameworkId],
    );
    return raw.map((r) => ({
      requirement: hydrate(this.ds, Requirement, r, 'r_'),
      reach: r.from_requirement_id === null ? 'NONE' : r.full ? 'FULL' : 'PARTIAL',
      fromId: (r.from_requirement_id as string | null) ?? null,
      mappingIds: (r.mapping_ids as string[] | null) ?? [],
      nodeIds: (r.node_ids as string[] | null) ?? [],
      pathCoverage: (r.path_coverage as PathCoverage | null) ?? null,
      minStrength: r.min_strength === null || r.min_strength === undefined ? null : Number(r.min_strength),
    }));
  }
}
