import { startTestHub, TestHub } from '../harness/hub';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

const UPSERT = `mutation($i: UpsertEvidenceInput!) { upsertEvidence(input: $i) { outcome evidence { id } } }`;
const BULK = `mutation($items: [UpsertEvidenceInput!]!) { bulkUpsertEvidence(input: { items: $items }) { created unchanged failed } }`;
const item = (externalId: string) => ({
  sourceSystem: 'rel', externalId, title: `item ${externalId}`, kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z',
  links: [{ framework: 'iso27001', ref: 'A.5.1' }, { framework: 'iso42001', ref: 'A.2.2' }],
});

describe('reliability', () => {
  it('50 concurrent upserts of the same key make exactly one row and answer every call', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => t.gql(UPSERT, { i: item('same-key') })));
    expect(results.every((r) => r.status === 200 && !r.errors)).toBe(true);
    const outcomes = results.map((r) => r.data.upsertEvidence.outcome).sort();
    expect(outcomes.filter((o) => o === 'CREATED')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'UNCHANGED')).toHaveLength(49);
    expect(new Set(results.map((r) => r.data.upsertEvidence.evidence.id)).size).toBe(1);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM evidence WHERE external_id = 'same-key'`))[0].n).toBe(1);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM evidence_link l JOIN evidence e ON e.id = l.evidence_id WHERE e.external_id = 'same-key'`))[0].n).toBe(2);
  });

  it('a bulk upsert whose connection is killed mid-transaction writes nothing; the retry completes without duplicates', async () => {
    // Hold the transaction open at its link insert, so the kill lands inside it.
    await t.ds.query(`CREATE FUNCTION slow_link() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN NULL; END $$`);
    await t.ds.query(`CREATE TRIGGER trg_slow_link AFTER INSERT ON evidence_link FOR EACH STATEMENT EXECUTE FUNCTION slow_link()`);
    const items = Array.from({ length: 1000 }, (_, i) => item(`bulk-${i}`));
    const pending = t.gql(BULK, { items });
    let killed = 0;
    for (let i = 0; i < 100 && !killed; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const rows = await t.ds.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
        WHERE usename = 'hub_app' AND datname = current_database() AND wait_event = 'PgSleep'`);
      killed = rows.length;
    }
    expect(killed).toBe(1);
    const failed = await pending;
    expect(failed.errors?.[0]).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(JSON.stringify(failed.errors)).not.toMatch(/terminat|SQL|evidence_link/i);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM evidence WHERE external_id LIKE 'bulk-%'`))[0].n).toBe(0);

    await t.ds.query(`DROP TRIGGER trg_slow_link ON evidence_link`);
    await t.ds.query(`DROP FUNCTION slow_link()`);
    const retried = await t.data(BULK, { items });
    expect(retried.bulkUpsertEvidence).toEqual({ created: 1000, unchanged: 0, failed: 0 });
    const again = await t.data(BULK, { items });
    expect(again.bulkUpsertEvidence).toEqual({ created: 0, unchanged: 1000, failed: 0 });
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM evidence WHERE external_id LIKE 'bulk-%'`))[0].n).toBe(1000);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM evidence_link l JOIN evidence e ON e.id = l.evidence_id WHERE e.external_id LIKE 'bulk-%'`))[0].n).toBe(2000);
  });

  it('hostile input: 1,000 generated documents and payloads get coded errors or 4xx, never a 500, and the server stays up', async () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const fields = ['frameworks { key }', 'framework(key: "iso42001") { key }', 'requirement(framework: "x", ref: "y") { ref }', 'evidences { totalCount }',
      'coverage(framework: "iso42001") { totals { gap } }', 'node(id: "1") { id }', 'nope { x }', 'frameworks { password }', 'mappingPaths(from: { framework: "iso27001", ref: "A.5.1" }, toFramework: "iso42001", maxDepth: 99) { length }'];
    const values = [null, 1, -1, 1e308, 'x', 'x'.repeat(100_000), true, [], {}, [[[[[]]]]], { a: { b: { c: 1 } } }, '\u0000', '\ud800', '💥'.repeat(1000)];
    const bodies: (string | Buffer)[] = [];
    for (let i = 0; i < 1000; i++) {
      switch (i % 8) {
        case 0: bodies.push(JSON.stringify({ query: `{ ${pick(fields)} }` })); break;
        case 1: bodies.push(JSON.stringify({ query: `{ ${'a: frameworks { key } '.repeat(1 + Math.floor(rnd() * 500)).replace(/a:/g, () => `a${Math.floor(rnd() * 1e9)}:`)} }` })); break;
        case 2: {
          const n = 5 + Math.floor(rnd() * 200);
          bodies.push(JSON.stringify({ query: `{ requirement(framework: "iso42001", ref: "A.2.2") ${'{ parent '.repeat(n)}{ ref }${' }'.repeat(n)} }` }));
          break;
        }
        case 3: bodies.push(JSON.stringify({ query: UPSERT, variables: { i: { ...item(`h-${i}`), [pick(['title', 'kind', 'effectiveAt', 'links', 'sourceSystem'])]: pick(values) } } })); break;
        case 4: bodies.push(JSON.stringify({ query: BULK, variables: { items: pick(values) } })); break;
        case 5: bodies.push(Buffer.from([0x7b, 0x22, 0x71, 0x22, 0x3a, 0xff, 0xfe, 0xc3, 0x28, 0x7d])); break;
        case 6: bodies.push(JSON.stringify({ query: pick(values), variables: pick(values) })); break;
        default: bodies.push(JSON.stringify({ query: `query($x: ${pick(['Int!', 'String', 'ID!', '[String!]!', 'Nope'])}) { frameworks { key } }`, variables: { x: pick(values) } }));
      }
    }
    const allowed = new Set(['BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'NOT_FOUND', 'QUERY_TOO_COMPLEX', 'PAYLOAD_TOO_LARGE', 'CONFLICT', 'FORBIDDEN']);
    const rssBefore = process.memoryUsage().rss;
    const seen = new Map<string, number>();
    for (let i = 0; i < bodies.length; i += 20) {
      const batch = await Promise.all(bodies.slice(i, i + 20).map(async (body) => {
        const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` }, body });
        return { status: res.status, text: await res.text() };
      }));
      for (const r of batch) {
        expect(r.status).toBeLessThan(500);
        const json = JSON.parse(r.text);
        for (const e of json.errors ?? []) {
          expect(allowed.has(e.extensions?.code)).toBe(true);
          seen.set(e.extensions.code, (seen.get(e.extensions.code) ?? 0) + 1);
        }
        expect(r.text).not.toMatch(/stacktrace|at .*\.(ts|js):\d+|SELECT |node_modules/);
      }
    }
    expect([...seen.keys()].sort()).toEqual(expect.arrayContaining(['BAD_REQUEST', 'BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'QUERY_TOO_COMPLEX']));
    expect((await t.gql('{ frameworks { key } }')).data.frameworks).toHaveLength(4);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
  });
});
