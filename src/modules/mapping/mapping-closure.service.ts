import type { DataSource, EntityManager } from 'typeorm';
import { MappingDirection, PathCoverage, Relationship } from './mapping.enums';
import { Hop, PathCandidate, enumeratePaths, isTraversable, readFrom } from './mapping-path.rules';
import { Qualifier, relationshipInForce } from './mapping-qualifier.rules';
import type { MappingGraph } from './mapping-graph.service';

/** The closure holds paths up to this many hops; reports may ask for fewer. */
export const CLOSURE_MAX_DEPTH = 4;

export interface ClosureRow {
  from: string;
  to: string;
  any: PathCandidate;
  full: PathCandidate | null;
}

interface EdgeRow {
  id: string;
  source_requirement_id: string;
  target_requirement_id: string;
  relationship: Relationship;
  strength: number | null;
  source_framework_id: string;
  target_framework_id: string;
}

interface StoredEdgeRow extends EdgeRow {
  qualifiers: Qualifier[];
}

/**
 * Best paths between requirements of different frameworks, computed by the same pure rules as
 * mappingPaths: for each start and each other framework, every simple path of at most
 * CLOSURE_MAX_DEPTH hops that ends at the first requirement of that framework. Per (from, to) pair
 * it keeps the best path of all (shortest, FULL first, strongest) and the best FULL path, so a report
 * with maxDepth d reads "FULL if full_depth <= d, PARTIAL if any_depth <= d".
 */
export function computeClosure(edges: readonly EdgeRow[], maxDepth = CLOSURE_MAX_DEPTH): ClosureRow[] {
  const adjacency = new Map<string, Hop[]>();
  const frameworkOf = new Map<string, string>();
  const add = (from: string, hop: Hop) => {
    const list = adjacency.get(from);
    if (list) list.push(hop);
    else adjacency.set(from, [hop]);
  };
  for (const e of edges) {
    frameworkOf.set(e.source_requirement_id, e.source_framework_id);
    frameworkOf.set(e.target_requirement_id, e.target_framework_id);
    const out = readFrom(e.relationship, MappingDirection.OUTGOING);
    const back = readFrom(e.relationship, MappingDirection.INCOMING);
    if (isTraversable(out)) add(e.source_requirement_id, { mappingId: e.id, from: e.source_requirement_id, to: e.target_requirement_id, relationship: out, strength: e.strength });
    if (isTraversable(back)) add(e.target_requirement_id, { mappingId: e.id, from: e.target_requirement_id, to: e.source_requirement_id, relationship: back, strength: e.strength });
  }
  // Deterministic order: results must not depend on the order rows came back in.
  for (const list of adjacency.values()) list.sort((a, b) => (a.to + a.mappingId).localeCompare(b.to + b.mappingId));
  const frameworks = [...new Set(frameworkOf.values())];

  const rows: ClosureRow[] = [];
  for (const start of [...adjacency.keys()].sort()) {
    for (const fw of frameworks) {
      if (fw === frameworkOf.get(start)) continue;
      const { paths } = enumeratePaths({ start, adjacency, isTarget: (id) => frameworkOf.get(id) === fw, maxDepth });
      const best = new Map<string, ClosureRow>();
      for (const p of paths) {
        // paths arrive sorted (shortest, FULL first, strongest): the first seen per target wins
        let row = best.get(p.target);
        if (!row) {
          row = { from: start, to: p.target, any: p, full: null };
          best.set(p.target, row);
        }
        if (!row.full && p.coverage === PathCoverage.FULL) row.full = p;
      }
      rows.push(...best.values());
    }
  }
  return rows;
}

/** Writes the closure of one mapping graph: its set versions, each row read with the graph's conditions. */
export class MappingClosureService {
  constructor(private readonly ds: DataSource) {}

  async rebuild(graph: MappingGraph, em: EntityManager = this.ds.manager): Promise<number> {
    const stored: StoredEdgeRow[] = await em.query(
      `SELECT m.id, m.source_requirement_id, m.target_requirement_id, m.relationship, m.strength, m.qualifiers,
              s.framework_id AS source_framework_id, t.framework_id AS target_framework_id
       FROM mapping m
       JOIN requirement s ON s.id = m.source_requirement_id
       JOIN requirement t ON t.id = m.target_requirement_id
       WHERE m.mapping_source_id = ANY($1::uuid[])`,
      [graph.sourceIds],
    );
    const conditions = new Set(graph.conditions);
    const edges = stored.map((e) => {
      const f = relationshipInForce({ relationship: e.relationship, strength: e.strength === null ? null : Number(e.strength), qualifiers: e.qualifiers }, conditions);
      return { ...e, relationship: f.relationship, strength: f.strength };
    });
    const rows = computeClosure(edges);
    const payload = rows.map((r) => ({
      f: r.from,
      t: r.to,
      ad: r.any.hops.length,
      ac: r.any.coverage,
      as: r.any.minStrength,
      am: r.any.hops.map((h) => h.mappingId),
      an: r.any.hops.map((h) => h.to),
      fd: r.full?.hops.length ?? null,
      fs: r.full?.minStrength ?? null,
      fm: r.full?.hops.map((h) => h.mappingId) ?? null,
      fn: r.full?.hops.map((h) => h.to) ?? null,
    }));
    await em.query(`DELETE FROM mapping_closure WHERE graph_id = $1`, [graph.id]);
    await em.query(
      `INSERT INTO mapping_closure (graph_id, scope_id, from_requirement_id, to_requirement_id, any_depth, any_coverage, any_min_strength,
                                    any_mapping_ids, any_node_ids, full_depth, full_min_strength, full_mapping_ids, full_node_ids)
       SELECT $1, $2, x.f, x.t, x.ad, x.ac, x."as", x.am, x.an, x.fd, x.fs, x.fm, x.fn
       FROM jsonb_to_recordset($3::jsonb) AS x(f uuid, t uuid, ad smallint, ac text, "as" smallint, am uuid[], an uuid[],
            fd smallint, fs smallint, fm uuid[], fn uuid[])`,
      [graph.id, graph.organizationId, JSON.stringify(payload)],
    );
    return rows.length;
  }
}
