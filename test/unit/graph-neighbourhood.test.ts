import { buildNeighbourhood, isFullHop, type RawEdge, type Relationship, type RequirementInfo } from '../../web/src/graph/neighbourhood';
import { hopCoverage, inverse } from '../../src/modules/mapping/mapping-path.rules';
import { PathCoverage, Relationship as ServerRelationship } from '../../src/modules/mapping/mapping.enums';

/** The dashboard's graph reads hops as the hub's path rules do; a small hand-made graph shows each case. */
const req = (id: string, framework = 'iso42001'): RequirementInfo => ({ id, ref: id, title: `title ${id}`, framework: { key: framework, name: framework, shortName: null } });
const SOURCE = { key: 'set', name: 'Set', versionLabel: '1' };
let n = 0;
const edge = (to: RequirementInfo, relationship: Relationship, strength: number | null = 5, mappingId = `m${++n}`): RawEdge => ({ mappingId, relationship, strength, source: SOURCE, counterpart: to });

describe('graph neighbourhood', () => {
  it('calls a hop FULL exactly where the hub\'s hopCoverage does', () => {
    for (const r of [ServerRelationship.EQUAL, ServerRelationship.SUBSET_OF, ServerRelationship.SUPERSET_OF, ServerRelationship.INTERSECTS_WITH]) {
      expect([r, isFullHop(r as Relationship)]).toEqual([r, hopCoverage(r) === PathCoverage.FULL]);
      expect([r, isFullHop(inverse(r) as Relationship)]).toEqual([r, hopCoverage(inverse(r)) === PathCoverage.FULL]);
    }
  });

  it('walks by level, skips NO_RELATIONSHIP, keeps each mapping once read from the nearer side, and marks FULL reach', () => {
    // c SUPERSET_OF a (FULL), c INTERSECTS b (PARTIAL), c NO_RELATIONSHIP x (not followed);
    // a EQUAL d (FULL at 2 hops), b SUPERSET_OF e (PARTIAL: the first hop is partial), a SUBSET_OF e (not FULL either).
    const [c, a, b, d, e, x] = [req('c', 'iso27001'), req('a'), req('b', 'nist-ai-rmf'), req('d', 'eu-ai-act'), req('e'), req('x')];
    const expansions = new Map<string, RawEdge[]>([
      ['c', [edge(a, 'SUPERSET_OF', 8, 'ca'), edge(b, 'INTERSECTS_WITH', 3, 'cb'), edge(x, 'NO_RELATIONSHIP', null, 'cx')]],
      ['a', [edge(c, 'SUBSET_OF', 8, 'ca'), edge(d, 'EQUAL', 9, 'ad'), edge(e, 'SUBSET_OF', 4, 'ae')]],
      ['b', [edge(c, 'INTERSECTS_WITH', 3, 'cb'), edge(e, 'SUPERSET_OF', 6, 'be')]],
    ]);
    const g = buildNeighbourhood(c, expansions, 2);
    expect(g.nodes.map((v) => [v.id, v.hops, v.fullHops])).toEqual([['c', 0, 0], ['a', 1, 1], ['b', 1, null], ['d', 2, 2], ['e', 2, null]]);
    expect(g.edges.map((v) => [v.mappingId, v.from, v.to, v.relationship, v.onFullPath])).toEqual([
      ['ca', 'c', 'a', 'SUPERSET_OF', true], ['cb', 'c', 'b', 'INTERSECTS_WITH', false],
      ['ad', 'a', 'd', 'EQUAL', true], ['ae', 'a', 'e', 'SUBSET_OF', false], ['be', 'b', 'e', 'SUPERSET_OF', false],
    ]);
    // Depth 1: only the centre's own mappings.
    expect(buildNeighbourhood(c, expansions, 1).nodes.map((v) => v.id)).toEqual(['c', 'a', 'b']);
  });

  it('reads an edge walked outward against its stored side: "b SUBSET_OF c" seen from c is a FULL hop', () => {
    const [c, b] = [req('c'), req('b')];
    const g = buildNeighbourhood(c, new Map([['c', [edge(b, 'SUPERSET_OF', 7, 'bc')]]]), 1);
    expect([g.nodes[1].fullHops, g.edges[0].onFullPath]).toEqual([1, true]);
  });
});
