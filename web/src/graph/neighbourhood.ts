/**
 * A requirement's neighbourhood in the mapping graph, read the way the hub reads paths
 * (src/modules/mapping/mapping-path.rules.ts): NO_RELATIONSHIP rows are never followed, and a hop is
 * FULL when, read from the side the walk comes from, it is EQUAL or SUPERSET_OF. A requirement is
 * reached FULL when some path from the centre within the depth has only FULL hops.
 */

export type Relationship = 'EQUAL' | 'SUBSET_OF' | 'SUPERSET_OF' | 'INTERSECTS_WITH' | 'NO_RELATIONSHIP';

/** A requirement as the API gives it. */
export interface RequirementInfo {
  id: string;
  ref: string;
  title: string;
  framework: { key: string; name: string; shortName: string | null };
}

/** One of requirement.mappings, read from the requirement it was asked on. */
export interface RawEdge {
  mappingId: string;
  relationship: Relationship;
  strength: number | null;
  source: { key: string; name: string; versionLabel: string };
  counterpart: RequirementInfo;
}

export interface GraphNode extends RequirementInfo {
  /** Fewest hops from the centre. */
  hops: number;
  /** Fewest hops of a FULL path from the centre; null when only PARTIAL paths reach it. */
  fullHops: number | null;
}

export interface GraphEdge {
  mappingId: string;
  from: string;
  to: string;
  /** Read "from <relationship> to", from the side nearer the centre. */
  relationship: Relationship;
  strength: number | null;
  source: RawEdge['source'];
  /** True when the edge lies on a FULL path from the centre (a FULL hop one step further out). */
  onFullPath: boolean;
}

export interface Neighbourhood {
  centre: GraphNode;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** True when a level was not expanded because the graph would exceed the node limit. */
  truncated: boolean;
}

export const isFullHop = (r: Relationship) => r === 'EQUAL' || r === 'SUPERSET_OF';
const traversable = (e: RawEdge) => e.relationship !== 'NO_RELATIONSHIP';

/**
 * Builds the graph from the centre and each expanded requirement's mappings (every requirement fewer
 * than `depth` hops out, unless truncated). Pure: the page fetches, this decides.
 */
export function buildNeighbourhood(centre: RequirementInfo, expansions: ReadonlyMap<string, readonly RawEdge[]>, depth: number, truncated = false): Neighbourhood {
  const info = new Map<string, RequirementInfo>([[centre.id, centre]]);
  const hops = new Map<string, number>([[centre.id, 0]]);
  const edges = new Map<string, Omit<GraphEdge, 'onFullPath'>>();
  let frontier = [centre.id];
  for (let level = 0; level < depth && frontier.length; level++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const e of (expansions.get(id) ?? []).filter(traversable)) {
        const to = e.counterpart.id;
        if (!info.has(to)) info.set(to, e.counterpart);
        if (!hops.has(to)) {
          hops.set(to, level + 1);
          next.push(to);
        }
        // The first reading kept is from the side nearer the centre (levels are walked in order).
        if (!edges.has(e.mappingId)) edges.set(e.mappingId, { mappingId: e.mappingId, from: id, to, relationship: e.relationship, strength: e.strength, source: e.source });
      }
    }
    frontier = next;
  }
  // FULL reach: a walk over FULL hops only, each read from the requirement it leaves.
  const fullHops = new Map<string, number>([[centre.id, 0]]);
  let fullFrontier = [centre.id];
  for (let level = 0; level < depth && fullFrontier.length; level++) {
    const next: string[] = [];
    for (const id of fullFrontier) {
      for (const e of expansions.get(id) ?? []) {
        if (!isFullHop(e.relationship) || fullHops.has(e.counterpart.id) || !hops.has(e.counterpart.id)) continue;
        fullHops.set(e.counterpart.id, level + 1);
        next.push(e.counterpart.id);
      }
    }
    fullFrontier = next;
  }
  const onFull = (from: string, to: string, r: Relationship) => {
    const a = fullHops.get(from);
    const b = fullHops.get(to);
    // Stored reading is from `from`; the same edge walked the other way reads the inverse.
    if (a !== undefined && b === a + 1 && isFullHop(r)) return true;
    return b !== undefined && a === b + 1 && (r === 'EQUAL' || r === 'SUBSET_OF');
  };
  const node = (id: string): GraphNode => ({ ...info.get(id)!, hops: hops.get(id)!, fullHops: fullHops.get(id) ?? null });
  const nodes = [...hops.keys()].map(node).sort((a, b) => a.hops - b.hops || a.framework.key.localeCompare(b.framework.key) || a.ref.localeCompare(b.ref, undefined, { numeric: true }));
  return {
    centre: node(centre.id),
    nodes,
    edges: [...edges.values()].map((e) => ({ ...e, onFullPath: onFull(e.from, e.to, e.relationship) })),
    truncated,
  };
}

/** Words for a relationship read "from <words> to". */
export const relationshipWords: Record<Relationship, string> = {
  EQUAL: 'equal to',
  SUBSET_OF: 'subset of',
  SUPERSET_OF: 'superset of',
  INTERSECTS_WITH: 'intersects with',
  NO_RELATIONSHIP: 'unrelated to',
};
