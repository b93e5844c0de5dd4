import { startTestHub, TestHub } from '../harness/hub';
import { TokenService } from '../../src/modules/auth/token.service';
import { OrganizationService } from '../../src/modules/organization/organization.service';
import { Role } from '../../src/modules/auth/role';

let t: TestHub;
let limited: TestHub;
beforeAll(async () => {
  t = await startTestHub({ limits: { maxDepth: 12, maxComplexity: 200_000 } });
  limited = await startTestHub({ limits: { ratePerMinute: 5, bodyBytes: 4096 } });
});
afterAll(async () => {
  await t.stop();
  await limited.stop();
});

const post = (hub: TestHub, body: string, token: string | null = hub.token) =>
  fetch(hub.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });

/** requirement { parent { parent { ... { ref } } } } with `levels` fields nested in all. */
const deep = (levels: number) => `{ requirement(framework: "iso42001", ref: "A.6.2.8") ${'{ parent '.repeat(levels - 2)}{ ref }${' }'.repeat(levels - 2)} }`;

describe('query limits', () => {
  it('refuse a query deeper than the limit before running it, and allow one at the limit', async () => {
    const ok = await t.gql(deep(12));
    expect(ok.errors).toBeUndefined();
    const res = await t.gql(deep(13));
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toEqual({ message: 'Query depth 13 exceeds the limit of 12', extensions: { code: 'QUERY_TOO_COMPLEX', depth: 13, maxDepth: 12 } });
    // Only the request gate's transaction: START TRANSACTION with the gate (token and limits), and COMMIT.
    expect(res.extensions?.sqlStatements).toBe(2);
  });

  it('refuse more root fields than the limit: aliases count', async () => {
    const res = await t.gql(`{ ${Array.from({ length: 26 }, (_, i) => `a${i}: frameworks { key }`).join(' ')} }`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toEqual({ message: '26 root fields exceed the limit of 25 per operation', extensions: { code: 'QUERY_TOO_COMPLEX', rootFields: 26, maxRootFields: 25 } });
    expect((await t.gql(`{ ${Array.from({ length: 25 }, (_, i) => `a${i}: frameworks { key }`).join(' ')} }`)).errors).toBeUndefined();
  });

  it('count __typename and other __ fields as root fields and aliases', async () => {
    const roots = await t.gql(`{ ${Array.from({ length: 26 }, (_, i) => `a${i}: __typename`).join(' ')} }`);
    expect(roots.status).toBe(400);
    expect(roots.errors?.[0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', rootFields: 26, maxRootFields: 25 });
    // 101 aliases below one root field: over the alias limit of 100; 100 pass.
    const nested = (n: number) => `{ frameworks { ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} } }`;
    const over = await t.gql(nested(101));
    expect(over.status).toBe(400);
    expect(over.errors?.[0]).toEqual({ message: 'More than 100 aliased fields in one operation', extensions: { code: 'QUERY_TOO_COMPLEX', aliases: 101, maxAliases: 100 } });
    const at = await t.gql(nested(100));
    expect(at.errors).toBeUndefined();
    expect(Object.keys(at.data.frameworks[0])).toHaveLength(100);
  });

  it('stop parsing at the token limit: 200,000 aliases are refused at once, with no database work', async () => {
    const bomb = `{ ${Array.from({ length: 200_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const res = await post(t, JSON.stringify({ query: bomb }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors[0].message).toMatch(/^Syntax Error: Document contains more tha[nt] 10000 tokens/); // graphql-js spells it "that"
  });

  it('an operationName that names no operation, or none with several operations, is a 400, not a 500', async () => {
    const unknown = await post(t, JSON.stringify({ query: 'query A { frameworks { key } }', operationName: 'B' }));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as any).errors[0]).toMatchObject({ message: 'Unknown operation named "B".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
    const mutation = await post(t, JSON.stringify({ query: 'mutation A { revokeApiToken(id: "x") { id } }', operationName: 'B' }));
    expect(mutation.status).toBe(400);
    const several = await post(t, JSON.stringify({ query: 'query A { frameworks { key } } query B { frameworks { key } }' }));
    expect(several.status).toBe(400);
    expect(((await several.json()) as any).errors[0]).toMatchObject({ message: 'Must provide operation name if query contains multiple operations.', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
  });

  it('cost lists by their page size: an alias bomb is refused', async () => {
    const one = 'framework(key: "iso27001") { requirements(first: 200) { nodes { mappings { counterpart { mappings { counterpart { ref } } } } } } }';
    const res = await t.gql(`{ ${Array.from({ length: 20 }, (_, i) => `a${i}: ${one}`).join(' ')} }`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxComplexity: 200_000 });
    expect(res.errors?.[0].extensions?.complexity).toBeGreaterThan(200_000);
    const single = await t.gql(`{ ${one} }`);
    expect(single.errors).toBeUndefined();
  });

  it('judge the same document afresh for other variables: page sizes and text lengths from variables, in either order', async () => {
    // 20 aliases of framework { requirements(first: $n) { nodes { mappings { counterpart { mappings { counterpart { ref } } } } } } }:
    // each costs 2 + 62n (nodes 62: mappings 1 + 5 x (counterpart 1 + mappings (1 + 5 x 2))), so n = 10 is 20 x 622 = 12,440 and
    // n = 200 is 20 x 12,402 = 248,040, over 200,000.
    const one = 'framework(key: "iso27001") { requirements(first: $n) { nodes { mappings { counterpart { mappings { counterpart { ref } } } } } } }';
    const doc = `query($n: Int!) { ${Array.from({ length: 20 }, (_, i) => `a${i}: ${one}`).join(' ')} }`;
    for (const n of [10, 200, 10, 200]) {
      const res = await t.gql(doc, { n });
      if (n === 10) {
        expect(res.errors).toBeUndefined();
        expect(res.data.a19.requirements.nodes).toHaveLength(10);
      } else {
        expect(res.status).toBe(400);
        expect(res.errors?.[0]).toEqual({
          message: 'Query cost 248040 exceeds the limit of 200000 (lists cost their page size)',
          extensions: { code: 'QUERY_TOO_COMPLEX', complexity: 248_040, maxComplexity: 200_000 },
        });
      }
    }
    // A text input within its bound, then over it, then within it again: the same document, told apart by its variables.
    const search = 'query($q: String!) { searchRequirementsConnection(query: $q, first: 1) { totalCount } }';
    for (const q of ['risk', 'r'.repeat(5000), 'risk']) {
      const res = await t.gql(search, { q });
      if (q === 'risk') expect(res.errors).toBeUndefined();
      else expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
    }
  });

  it('do not count introspection', async () => {
    const res = await t.gql(`{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.__schema.types.length).toBeGreaterThan(50);
  });

  it('refuse batched operations', async () => {
    const res = await post(t, JSON.stringify([{ query: '{ frameworks { key } }' }, { query: '{ frameworks { key } }' }]));
    expect(res.status).toBe(400);
  });
});

describe('HTTP limits', () => {
  it('a body over the limit is refused with 413 in the API error shape', async () => {
    const res = await post(limited, JSON.stringify({ query: `{ frameworks { key } } # ${'x'.repeat(5000)}` }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ errors: [{ message: 'Request body larger than 4096 bytes', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });

  it('a body that is not JSON is refused with 400', async () => {
    const res = await post(t, '{"query": ');
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('each token has its own rate limit: 429 with Retry-After past it', async () => {
    const fresh = (await new TokenService(limited.ds, new OrganizationService(limited.ds)).createForSlug('test-org', Role.VIEWER, 'rate')).token;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(limited, JSON.stringify({ query: '{ frameworks { key } }' }), fresh)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await post(limited, JSON.stringify({ query: '{ frameworks { key } }' }), fresh);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    // another token still has its own budget
    expect((await post(limited, JSON.stringify({ query: '{ frameworks { key } }' }))).status).toBe(200);
  });
});
