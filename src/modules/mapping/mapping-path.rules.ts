/**
 * The semantics of the mapping graph, as pure functions. Every report that follows mappings (paths,
 * pre-fill, coverage) must read relationships the way this module does; its unit tests are the spec.
 *
 *  - A mapping is stored "source <relationship> target". Seen from the target, SUBSET_OF reads
 *    SUPERSET_OF and the reverse; EQUAL, INTERSECTS_WITH and NO_RELATIONSHIP read the same both ways.
 *  - NO_RELATIONSHIP rows are kept (an analyst asserted "unrelated") but never traversed.
 *  - A hop is FULL when, read from the side the walk starts on, it is EQUAL or SUPERSET_OF
 *    (what you start from contains the next requirement). A path is FULL only if every hop is FULL;
 *    otherwise PARTIAL: the weakest link decides.
 *  - Strength of a path is its weakest hop; unknown (null) if any hop has no strength, because the
 *    minimum of an unknown value is unknown.
 */
import { MappingDirection, PathCoverage, Relationship } from './mapping.enums';

export function inverse(relationship: Relationship): Relationship {
  switch (relationship) {
    case Relationship.SUBSET_OF:
      return Relationship.SUPERSET_OF;
    case Relationship.SUPERSET_OF:
      return Relationship.SUBSET_OF;
    default:
      return relationship;
  }
}

/** The relationship as read from one side: OUTGOING when that side is the stored source. */
export function readFrom(stored: Relationship, direction: MappingDirection.OUTGOING | MappingDirection.INCOMING): Relationship {
  return direction === MappingDirection.OUTGOING ? stored : inverse(stored);
}

export function isTraversable(relationship: Relationship): boolean {
  return relationship !== Relationship.NO_RELATIONSHIP;
}

/** Coverage one hop carries, given the relationship read from the side the walk comes from. */
export function hopCoverage(seen: Relationship): PathCoverage {
  if (!isTraversable(seen)) throw new Error('NO_RELATIONSHIP is never traversed');
  return seen === Relationship.EQUAL || seen === Relationship.SUPERSET_OF ? PathCoverage.FULL : PathCoverage.PARTIAL;
}

export function pathCoverage(seen: readonly Relationship[]): PathCoverage {
  if (seen.length === 0) throw new Error('a path has at least one hop');
  return seen.every((r) => hopCoverage(r) === PathCoverage.FULL) ? PathCoverage.FULL : PathCoverage.PARTIAL;
}

export function weakestStrength(strengths: readonly (number | null)[]): number | null {
  if (strengths.length === 0 || strengths.some((s) => s === null)) return null;
  return Math.min(...(strengths as number[]));
}

/** One traversable step, already read from the `from` side. */
export interface Hop {
  mappingId: string;
  from: string;
  to: string;
  relationship: Relationship;
  strength: number | null;
}

export interface PathCandidate {
  hops: Hop[];
  target: string;
  coverage: PathCoverage;
  minStrength: number | null;
}

export interface PathSearch {
  start: string;
  /** Traversable hops by the node they leave from. Must hold every node reachable in maxDepth - 1 hops. */
  adjacency: ReadonlyMap<string, readonly Hop[]>;
  /** True for requirements of the framework the walk is looking for: a path ends at the first one. */
  isTarget: (requirementId: string) => boolean;
  maxDepth: number;
  /** Stop expanding once this many partial paths were generated (guards against dense graphs). */
  expansionLimit?: number;
}

export interface PathSearchResult {
  paths: PathCandidate[];
  /** True when the expansion limit cut the search short; longer paths may be missing. */
  truncated: boolean;
}

/**
 * Every simple path (no requirement visited twice) from `start` to a target-framework requirement
 * with at most maxDepth hops, breadth first, so shorter paths are complete before longer ones.
 */
export function enumeratePaths(search: PathSearch): PathSearchResult {
  const limit = search.expansionLimit ?? 200_000;
  const found: PathCandidate[] = [];
  let frontier: Hop[][] = [[]];
  let generated = 0;
  for (let depth = 1; depth <= search.maxDepth && frontier.length > 0; depth++) {
    const next: Hop[][] = [];
    for (const partial of frontier) {
      const at = partial.length === 0 ? search.start : partial[partial.length - 1].to;
      for (const hop of search.adjacency.get(at) ?? []) {
        if (!isTraversable(hop.relationship)) continue;
        if (hop.to === search.start || partial.some((h) => h.to === hop.to)) continue;
        const path = [...partial, hop];
        if (search.isTarget(hop.to)) {
          found.push({
            hops: path,
            target: hop.to,
            coverage: pathCoverage(path.map((h) => h.relationship)),
            minStrength: weakestStrength(path.map((h) => h.strength)),
          });
        } else if (depth < search.maxDepth) {
          if (++generated > limit) return { paths: found.sort(comparePaths), truncated: true };
          next.push(path);
        }
      }
    }
    frontier = next;
  }
  return { paths: found.sort(comparePaths), truncated: false };
}

/** Shortest first; then FULL before PARTIAL; then stronger before weaker (unknown last). */
export function comparePaths(a: PathCandidate, b: PathCandidate): number {
  if (a.hops.length !== b.hops.length) return a.hops.length - b.hops.length;
  if (a.coverage !== b.coverage) return a.coverage === PathCoverage.FULL ? -1 : 1;
  const sa = a.minStrength ?? -1;
  const sb = b.minStrength ?? -1;
  return sb - sa;
}
