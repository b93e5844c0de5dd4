import { startTestHub, TestHub } from '../harness/hub';
import { prepared } from '../../src/database/prepared';

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
    // The first query of an organization in a process reads its frameworks once (then again only when the
    // framework table changes: framework.service.ts); the counts below are those of every later query.
    const first = await t.gql(`{ frameworks { key } }`);
    const again = await t.gql(`{ frameworks { key } }`);
    expect([first.extensions?.sqlStatements, again.extensions?.sqlStatements]).toEqual([3, 2]);
    const small = await t.gql(NESTED, { first: 10 });
    const large = await t.gql(NESTED, { first: 100 });
    expect(small.errors).toBeUndefined();
    expect(large.errors).toBeUndefined();
    expect(small.data.framework.requirements.nodes).toHaveLength(10);
    expect(large.data.framework.requirements.nodes).toHaveLength(100);
    // the large page really fans out: 27001 Annex A rows have mappings into 42001
    const edges = large.data.framework.requirements.nodes.reduce((n: number, r: any) => n + r.mappings.length, 0);
    expect(edges).toBeGreaterThan(30);
    // START TRANSACTION with the request gate (token and limits) and the organization's settings in one round
    // trip, page, mappings with their counterparts (light: ref alone), mapping sources, COMMIT; the frameworks
    // come from the process's catalog, and parents come before children in document order, so the page
    // itself primes the requirement loader with them.
    expect(small.extensions?.sqlStatements).toBe(5);
    expect(large.extensions?.sqlStatements).toBe(5);
  });

  it('the same holds across frameworks: one statement per level for all four', async () => {
    const q = `query($first: Int!) { frameworks { key requirementCount(assessableOnly: true) requirements(first: $first) { totalCount nodes { ref children { ref } ancestors { ref } } } } }`;
    const a = await t.gql(q, { first: 5 });
    const b = await t.gql(q, { first: 150 });
    expect(a.errors).toBeUndefined();
    expect(b.data.frameworks.map((f: any) => f.requirements.nodes.length)).toEqual([150, 138, 92, 95]);
    // START with the gate, counts (assessable + total share one grouped statement each), page, children, ancestors, COMMIT
    expect(a.extensions?.sqlStatements).toBe(b.extensions?.sqlStatements);
    expect(a.extensions?.sqlStatements).toBeLessThanOrEqual(7);
  });
});

describe('SQL statements of the coverage reports', () => {
  // One branch per request: sibling root fields resolve concurrently, and whether their loads share a
  // batch depends on database timing, which would make counts differ by chance rather than by data.
  const REPORTS = {
    totals: `{ coverage(framework: "iso42001") { totals { covered prefilled partial gap } groups { group { ref } totals { gap } children { group { ref } totals { gap } } } } }`,
    requirements: `{ coverage(framework: "iso42001") { requirements(first: 100) { nodes { requirement { ref } status applicability { applicability }
      direct { evidence { title } } inferred { evidence { title } from { ref } path { hops { relationship counterpart { ref } source { key } } } } } } } }`,
    summary: `{ coverageSummary { framework { key } totals { covered } } }`,
    summaryGroups: `{ coverageSummary { framework { key } totals { covered } groups { group { ref title } totals { covered gap } } } }`,
    gaps: `{ gaps(framework: "iso42001") { items { requirement { ref } suggestedEvidence { evidence { title } path { hops { relationship } } } } } }`,
    prefill: `{ prefill(from: "iso27001", to: "iso42001") { totals { full partial } requirements { requirement { ref } contributions { evidence { title } path { hops { relationship } } } residual { partialHops { relationship } } } } }`,
  };
  const counts = async (hub: TestHub) => {
    const out: Record<string, number> = {};
    for (const [name, q] of Object.entries(REPORTS)) {
      const res = await hub.gql(q);
      expect(res.errors).toBeUndefined();
      out[name] = res.extensions?.sqlStatements;
    }
    return out;
  };

  const ingest = async (hub: TestHub, from: number, to: number) => {
    const refs = ['7.2', '4.1', 'A.5.1', 'A.8.15', 'A.5.19', 'A.5.34', '9.2.1', '10.2'];
    for (let start = from; start < to; start += 1000) {
      const items = Array.from({ length: Math.min(1000, to - start) }, (_, k) => {
        const i = start + k;
        return {
          sourceSystem: 'load', externalId: `x-${i}`, title: `item ${i}`, kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z',
          status: i % 3 === 0 ? 'DRAFT' : 'ACCEPTED',
          links: [{ framework: 'iso27001', ref: refs[i % refs.length], coverage: i % 2 ? 'FULL' : 'PARTIAL' }],
        };
      });
      const d = await hub.data(`mutation($items: [UpsertEvidenceInput!]!) { bulkUpsertEvidence(input: { items: $items }) { failed } }`, { items });
      expect(d.bulkUpsertEvidence.failed).toBe(0);
    }
  };

  it('do not grow with the amount of evidence (10 vs 2,000 items)', async () => {
    await ingest(t, 0, 10);
    const small = await counts(t);
    await ingest(t, 10, 2000);
    const large = await counts(t);
    const totals = await t.data(`{ coverage(framework: "iso42001") { totals { covered prefilled partial gap } } }`);
    // No condition is declared, so no row reads EQUAL and nothing is PREFILLED. PARTIAL, within two hops: directly
    // 7.2, 9.2.1, 10.2, 4.1, A.6.2.8, A.2.2-A.2.4, A.10.2-A.10.3, A.7.2-A.7.3, A.5.4; through an EU AI Act paragraph
    // (27001 -> Art. x -> 42001) 6.1.4, A.4.3, A.7.4-A.7.6 and A.8.5. 70 - 19 = 51 GAP.
    expect(totals.coverage.totals).toEqual({ covered: 0, prefilled: 0, partial: 19, gap: 51 });
    expect(large).toEqual(small);
    // (START TRANSACTION with the request gate, and COMMIT included)
    for (const n of Object.values(large)) expect(n).toBeLessThanOrEqual(13);
  });

  it('bulk ingestion makes the same number of statements for 1 item and for 1,000', async () => {
    const one = await t.gql(`mutation($items: [UpsertEvidenceInput!]!) { bulkUpsertEvidence(input: { items: $items }) { created } }`, {
      items: [{ sourceSystem: 'count', externalId: 'single', title: 't', kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z', links: [{ framework: 'iso27001', ref: '7.2' }] }],
    });
    const many = await t.gql(`mutation($items: [UpsertEvidenceInput!]!) { bulkUpsertEvidence(input: { items: $items }) { created } }`, {
      items: Array.from({ length: 1000 }, (_, i) => ({ sourceSystem: 'count', externalId: `many-${i}`, title: 't', kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z', links: [{ framework: 'iso27001', ref: '7.2' }, { framework: 'iso42001', ref: 'A.6.2.8' }] })),
    });
    expect([one.data.bulkUpsertEvidence.created, many.data.bulkUpsertEvidence.created]).toEqual([1, 1000]);
    expect(one.extensions?.sqlStatements).toBe(many.extensions?.sqlStatements);
  });
});

describe('light rows', () => {
  // A selection of identifying fields reads only LIGHT_COLUMNS (graphql/lookahead.ts); asking for the text
  // too reads whole rows. Both must answer the same for what they share, with the same statements.
  const fields = `id ref title kind depth position assessable parent { ref title } mappings { relationship counterpart { id ref title kind depth position assessable parent { ref } framework { key } } }`;
  const light = `{ framework(key: "eu-ai-act") { requirements(first: 80) { nodes { ${fields} } } } }`;
  const whole = `{ framework(key: "eu-ai-act") { requirements(first: 80) { nodes { summary ${fields.replace('counterpart { id', 'counterpart { text id')} } } } }`;

  it('answer what whole rows answer, field for field', async () => {
    const a = await t.gql(light);
    const b = await t.gql(whole);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    const nodes = b.data.framework.requirements.nodes;
    // The whole read really read whole rows: EU AI Act provisions carry a summary.
    expect(nodes.filter((n: any) => typeof n.summary === 'string' && n.summary.length > 0).length).toBeGreaterThan(40);
    const stripped = nodes.map(({ summary: _summary, mappings, ...rest }: any) => ({
      ...rest,
      mappings: mappings.map((m: any) => ({ ...m, counterpart: (({ text: _text, ...c }) => c)(m.counterpart) })),
    }));
    expect(a.data.framework.requirements.nodes).toEqual(stripped);
    // Some requirements here have parents and mapped counterparts, so the comparison covers both paths.
    expect(a.data.framework.requirements.nodes.filter((n: any) => n.parent).length).toBeGreaterThan(40);
    expect(a.data.framework.requirements.nodes.flatMap((n: any) => n.mappings).length).toBeGreaterThan(10);
    // Light: the gate's message, the page (which has the parents: they come first in document order), the
    // mappings with their light counterparts, the counterparts' parents, COMMIT. Whole counterparts take a
    // batch of their own after the mappings.
    expect([a.extensions?.sqlStatements, b.extensions?.sqlStatements]).toEqual([5, 6]);
  });

  it('a parent and ancestors asked for light fields share one batch', async () => {
    const both = await t.gql(`{ requirement(framework: "iso27001", ref: "A.5.1") { ref parent { ref title } ancestors { ref } } }`);
    const alone = await t.gql(`{ requirement(framework: "iso27001", ref: "A.5.1") { ref ancestors { ref } } }`);
    expect(both.data.requirement).toEqual({ ref: 'A.5.1', parent: { ref: 'A.5', title: expect.any(String) }, ancestors: [{ ref: 'A.5' }] });
    // The gate's message, the requirement, one batch for parent and ancestors, COMMIT.
    expect([both.extensions?.sqlStatements, alone.extensions?.sqlStatements]).toEqual([4, 4]);
  });

  it('counterparts that are on the page itself are the page\'s own rows, light or whole', async () => {
    // A mapping between two requirements of one page: the mappings' statement leaves out a counterpart that
    // is one of the requirements asked for, which the page has primed.
    const set = await t.gql(`mutation($input: CreateMappingSetInput!) { createMappingSet(input: $input) { mappingCount } }`, { input: {
      key: 'within-27001', name: 'Within 27001', sourceFramework: 'iso27001', targetFramework: 'iso27001',
      mappings: [{ sourceRef: 'A.5.1', targetRef: 'A.5.2', relationship: 'INTERSECTS_WITH', strength: 5, rationale: 'SEMANTIC' }],
    } });
    expect(set.errors).toBeUndefined();
    expect(set.data.createMappingSet.mappingCount).toBe(1);
    const read = (extra: string) => t.gql(`{ framework(key: "iso27001") { requirements(first: 200) { nodes { ref ${extra} mappings { source { key } counterpart { ref title kind ${extra} } } } } } }`);
    const [a, b] = [await read(''), await read('text')];
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    const within = (d: any, ref: string) => d.framework.requirements.nodes.find((n: any) => n.ref === ref).mappings.filter((m: any) => m.source.key === 'within-27001').map((m: any) => m.counterpart);
    expect(within(a.data, 'A.5.1')).toEqual([{ ref: 'A.5.2', title: 'Information security roles and responsibilities', kind: 'CONTROL' }]);
    expect(within(a.data, 'A.5.2')).toEqual([{ ref: 'A.5.1', title: 'Policies for information security', kind: 'CONTROL' }]);
    expect(within(b.data, 'A.5.1')).toEqual([{ ref: 'A.5.2', title: 'Information security roles and responsibilities', kind: 'CONTROL', text: null }]);
    // Light: the gate's message, the page, the mappings with their counterparts, the mapping sources, COMMIT.
    expect(a.extensions?.sqlStatements).toBe(5);
  });
});

describe('prepared statements', () => {
  it('the server\'s connections keep a marked statement by name', async () => {
    const runner = t.appDs.createQueryRunner();
    try {
      const sql = prepared('SELECT $1::int + 1 AS n');
      expect(await runner.query(sql, [41])).toEqual([{ n: 42 }]);
      expect(await runner.query(sql, [1])).toEqual([{ n: 2 }]);
      const kept = await runner.query(`SELECT name FROM pg_prepared_statements WHERE statement = $1`, [sql]);
      expect(kept).toEqual([{ name: expect.stringMatching(/^hub_[0-9a-f]{24}$/) }]);
    } finally {
      await runner.release();
    }
  });

  it('answer each call with its own parameters, past the point where PostgreSQL plans them once for all', async () => {
    // PostgreSQL plans a prepared statement for its values five times, then may keep one generic plan.
    const refs = ['A.5.1', 'A.5.2', 'A.8.1', '4.1', 'A.5.5'];
    const rounds: string[][][] = [];
    for (let round = 0; round < 4; round++) {
      const answers: string[][] = [];
      for (const ref of refs) {
        const d = await t.data(`query($ref: String!) { requirement(framework: "iso27001", ref: $ref) { ref mappings { counterpart { ref framework { key } } } } }`, { ref });
        answers.push([d.requirement.ref, ...d.requirement.mappings.map((m: any) => `${m.counterpart.framework.key} ${m.counterpart.ref}`)]);
      }
      rounds.push(answers);
    }
    expect(rounds[0].map((a) => a[0])).toEqual(refs);
    // 27001 A.5.5 (contact with authorities) is mapped to 42001 and the EU AI Act (seeds/mappings).
    expect(rounds[0][4].filter((c) => c.startsWith('iso42001 ')).length).toBeGreaterThan(0);
    expect(rounds[0][4].filter((c) => c.startsWith('eu-ai-act ')).length).toBeGreaterThan(0);
    for (const later of rounds.slice(1)) expect(later).toEqual(rounds[0]);
  });
});

