import { MappingDirection, PathCoverage, Relationship } from '../../src/modules/mapping/mapping.enums';
import {
  Hop, enumeratePaths, hopCoverage, inverse, isTraversable, pathCoverage, readFrom, weakestStrength,
} from '../../src/modules/mapping/mapping-path.rules';

const { EQUAL, SUBSET_OF, SUPERSET_OF, INTERSECTS_WITH, NO_RELATIONSHIP } = Relationship;

describe('reading a relationship from either side', () => {
  it.each([
    [EQUAL, EQUAL],
    [SUBSET_OF, SUPERSET_OF],
    [SUPERSET_OF, SUBSET_OF],
    [INTERSECTS_WITH, INTERSECTS_WITH],
    [NO_RELATIONSHIP, NO_RELATIONSHIP],
  ])('%s read from the target is %s', (stored, seen) => {
    expect(readFrom(stored, MappingDirection.INCOMING)).toBe(seen);
    expect(readFrom(stored, MappingDirection.OUTGOING)).toBe(stored);
    expect(inverse(inverse(stored))).toBe(stored);
  });
});

describe('hop and path coverage', () => {
  it('a hop is FULL only for EQUAL and SUPERSET_OF (start contains next)', () => {
    expect(hopCoverage(EQUAL)).toBe(PathCoverage.FULL);
    expect(hopCoverage(SUPERSET_OF)).toBe(PathCoverage.FULL);
    expect(hopCoverage(SUBSET_OF)).toBe(PathCoverage.PARTIAL);
    expect(hopCoverage(INTERSECTS_WITH)).toBe(PathCoverage.PARTIAL);
    expect(() => hopCoverage(NO_RELATIONSHIP)).toThrow('never traversed');
    expect(isTraversable(NO_RELATIONSHIP)).toBe(false);
  });

  it('the weakest hop decides the path', () => {
    expect(pathCoverage([EQUAL, SUPERSET_OF, EQUAL])).toBe(PathCoverage.FULL);
    expect(pathCoverage([EQUAL, SUPERSET_OF, SUBSET_OF])).toBe(PathCoverage.PARTIAL);
    expect(pathCoverage([INTERSECTS_WITH, EQUAL])).toBe(PathCoverage.PARTIAL);
    expect(() => pathCoverage([])).toThrow();
  });

  it('path strength is the minimum, unknown when any hop is unknown', () => {
    expect(weakestStrength([8, 3, 10])).toBe(3);
    expect(weakestStrength([8, null, 10])).toBeNull();
    expect(weakestStrength([])).toBeNull();
  });
});

/**
 * Hand-built graph. Frameworks by prefix: a* start framework, b* intermediate, t* target.
 *   a1 -EQUAL(9)-> b1 -SUPERSET_OF(7)-> t1        (FULL, 2 hops, strength 7)
 *   a1 -INTERSECTS(5)-> t2                         (PARTIAL, 1 hop)
 *   b1 -SUBSET_OF(8)-> t3                          (PARTIAL via b1)
 *   b1 <-> b2 cycle: b1 -EQUAL-> b2 -EQUAL-> b1
 *   b2 -EQUAL(null)-> t4                           (FULL, 3 hops via b1,b2, strength unknown)
 *   a1 -NO_RELATIONSHIP-> t5                       (never a path)
 *   t1 -EQUAL-> t6                                 (a path ends at t1; t6 only via t1 is not a path)
 */
function graph(): Map<string, Hop[]> {
  const edges: [string, string, Relationship, number | null][] = [
    ['a1', 'b1', EQUAL, 9],
    ['b1', 't1', SUPERSET_OF, 7],
    ['a1', 't2', INTERSECTS_WITH, 5],
    ['b1', 't3', SUBSET_OF, 8],
    ['b1', 'b2', EQUAL, 6],
    ['b2', 'b1', EQUAL, 6],
    ['b2', 't4', EQUAL, null],
    ['a1', 't5', NO_RELATIONSHIP, 9],
    ['t1', 't6', EQUAL, 9],
  ];
  const adj = new Map<string, Hop[]>();
  edges.forEach(([from, to, relationship, strength], i) => {
    adj.set(from, [...(adj.get(from) ?? []), { mappingId: `m${i}`, from, to, relationship, strength }]);
  });
  return adj;
}

const isTarget = (id: string) => id.startsWith('t');
const describePath = (p: { hops: Hop[]; coverage: PathCoverage; minStrength: number | null }) =>
  `${['a1', ...p.hops.map((h) => h.to)].join('>')} ${p.coverage} ${p.minStrength}`;

describe('enumeratePaths', () => {
  it('finds every simple path, shortest first, FULL before PARTIAL at equal length', () => {
    const { paths, truncated } = enumeratePaths({ start: 'a1', adjacency: graph(), isTarget, maxDepth: 3 });
    expect(truncated).toBe(false);
    expect(paths.map(describePath)).toEqual([
      'a1>t2 PARTIAL 5',
      'a1>b1>t1 FULL 7',
      'a1>b1>t3 PARTIAL 8',
      'a1>b1>b2>t4 FULL null',
    ]);
  });

  it('respects the depth bound', () => {
    const one = enumeratePaths({ start: 'a1', adjacency: graph(), isTarget, maxDepth: 1 });
    expect(one.paths.map(describePath)).toEqual(['a1>t2 PARTIAL 5']);
    const two = enumeratePaths({ start: 'a1', adjacency: graph(), isTarget, maxDepth: 2 });
    expect(two.paths).toHaveLength(3);
  });

  it('never revisits a requirement, so the b1/b2 cycle adds no longer paths', () => {
    const { paths } = enumeratePaths({ start: 'a1', adjacency: graph(), isTarget, maxDepth: 5 });
    expect(paths).toHaveLength(4);
    for (const p of paths) {
      const visited = ['a1', ...p.hops.map((h) => h.to)];
      expect(new Set(visited).size).toBe(visited.length);
    }
  });

  it('never returns to the start through a cycle', () => {
    const adj = new Map<string, Hop[]>([
      ['a1', [{ mappingId: 'x', from: 'a1', to: 'b1', relationship: EQUAL, strength: 5 }]],
      ['b1', [{ mappingId: 'y', from: 'b1', to: 'a1', relationship: EQUAL, strength: 5 }, { mappingId: 'z', from: 'b1', to: 't1', relationship: EQUAL, strength: 5 }]],
    ]);
    const { paths } = enumeratePaths({ start: 'a1', adjacency: adj, isTarget, maxDepth: 5 });
    expect(paths.map(describePath)).toEqual(['a1>b1>t1 FULL 5']);
  });

  it('reports truncation instead of running away on dense graphs', () => {
    const { truncated, paths } = enumeratePaths({ start: 'a1', adjacency: graph(), isTarget, maxDepth: 5, expansionLimit: 1 });
    // a1>b1 is the one partial path allowed; expanding it finds t1 and t3, then a1>b1>b2 exceeds the limit.
    expect(truncated).toBe(true);
    expect(paths.map(describePath)).toEqual(['a1>t2 PARTIAL 5', 'a1>b1>t1 FULL 7', 'a1>b1>t3 PARTIAL 8']);
  });
});
