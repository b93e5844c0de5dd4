import { startTestHub, TestHub } from '../harness/hub';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

const search = async (query: string, extra = '') => {
  const d = await t.data(`query($q: String!) { searchRequirements(query: $q ${extra}) { score requirement { ref title framework { key } } } }`, { q: query });
  return d.searchRequirements as { score: number; requirement: { ref: string; title: string; framework: { key: string } } }[];
};

describe('searchRequirements', () => {
  it('puts an exact ref first', async () => {
    const hits = await search('A.5.19');
    expect(hits[0].requirement).toEqual({ ref: 'A.5.19', title: 'Information security in supplier relationships', framework: { key: 'iso27001' } });
    expect(hits[0].score).toBeGreaterThanOrEqual(10);
  });

  it('ranks a ref prefix: the category, then its subcategories in order', async () => {
    const hits = await search('GOVERN 1', ', frameworks: ["nist-ai-rmf"], first: 8');
    expect(hits.map((h) => h.requirement.ref)).toEqual(['GOVERN 1', 'GOVERN 1.1', 'GOVERN 1.2', 'GOVERN 1.3', 'GOVERN 1.4', 'GOVERN 1.5', 'GOVERN 1.6', 'GOVERN 1.7']);
  });

  it('ranks an exact title above titles that merely contain the words', async () => {
    const hits = await search('human oversight', ', frameworks: ["eu-ai-act"], first: 5');
    expect(hits[0].requirement.ref).toBe('Art. 14');
    expect(hits.slice(1, 3).map((h) => h.requirement.ref).sort()).toEqual(['Art. 14(1)', 'Art. 26(2)']);
  });

  it('finds the impact-assessment requirements across frameworks, stemming included', async () => {
    const hits = await search('impact assessments', ', first: 8');
    const refs = hits.map((h) => `${h.requirement.framework.key} ${h.requirement.ref}`);
    expect(refs.slice(0, 5).sort()).toEqual(['iso42001 6.1.4', 'iso42001 8.4', 'iso42001 A.5', 'iso42001 A.5.2', 'iso42001 A.5.3']);
    expect(refs).toContain('eu-ai-act Art. 27');
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
  });

  it('searches NIST statements (verbatim text) and respects the framework filter', async () => {
    const hits = await search('third-party software', ', frameworks: ["nist-ai-rmf"]');
    // the three statements that mention both third-party (data or) software
    expect(hits.map((h) => h.requirement.ref).sort()).toEqual(['GOVERN 6', 'MAP 4', 'MAP 4.1']);
    expect(hits.every((h) => h.requirement.framework.key === 'nist-ai-rmf')).toBe(true);
  });

  it('returns nothing for no match, and treats LIKE wildcards literally', async () => {
    expect(await search('quantum blockchain')).toEqual([]);
    expect(await search('%')).toEqual([]);
    expect(await search('A._.19')).toEqual([]);
  });

  it('rejects unknown frameworks and bad sizes', async () => {
    const unknown = await t.gql(`{ searchRequirements(query: "policy", frameworks: ["iso42001", "nope"]) { score } }`);
    expect(unknown.errors?.[0]).toMatchObject({ message: 'Unknown framework "nope"', extensions: { code: 'NOT_FOUND' } });
    const big = await t.gql(`{ searchRequirements(query: "policy", first: 201) { score } }`);
    expect(big.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(big.errors?.[0].message).toBe('first must not be greater than 200');
    const empty = await t.gql(`{ searchRequirements(query: "") { score } }`);
    expect(empty.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
  });
});
