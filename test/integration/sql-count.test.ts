import { startTestHub, TestHub } from '../harness/hub';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

/** The dashboard's nested read; every relation level must be one batched statement. */
const NESTED = `query($first: Int!) { framework(key: "iso27001") {
  key
  requirements(first: $first) { nodes { ref parent { ref } mappings { relationship counterpart { ref framework { key } } source { key } } } }
} }`;

describe('SQL statements per request', () => {
  it('do not grow with the page size (no N+1)', async () => {
    const small = await t.gql(NESTED, { first: 10 });
    const large = await t.gql(NESTED, { first: 100 });
    expect(small.errors).toBeUndefined();
    expect(large.errors).toBeUndefined();
    expect(small.data.framework.requirements.nodes).toHaveLength(10);
    expect(large.data.framework.requirements.nodes).toHaveLength(100);
    // the large page really fans out: 27001 Annex A rows have mappings into 42001
    const edges = large.data.framework.requirements.nodes.reduce((n: number, r: any) => n + r.mappings.length, 0);
    expect(edges).toBeGreaterThan(30);
    // framework, page, mappings, counterparts, counterpart frameworks, mapping sources; parents come
    // before children in document order, so the page itself primes the requirement loader with them
    expect(small.extensions?.sqlStatements).toBe(6);
    expect(large.extensions?.sqlStatements).toBe(6);
  });

  it('the same holds across frameworks: one statement per level for all four', async () => {
    const q = `query($first: Int!) { frameworks { key requirementCount(assessableOnly: true) requirements(first: $first) { totalCount nodes { ref children { ref } ancestors { ref } } } } }`;
    const a = await t.gql(q, { first: 5 });
    const b = await t.gql(q, { first: 150 });
    expect(a.errors).toBeUndefined();
    expect(b.data.frameworks.map((f: any) => f.requirements.nodes.length)).toEqual([150, 138, 92, 95]);
    // list, counts (assessable + total share one grouped statement each), page, children, ancestors
    expect(a.extensions?.sqlStatements).toBe(b.extensions?.sqlStatements);
    expect(a.extensions?.sqlStatements).toBeLessThanOrEqual(6);
  });
});
