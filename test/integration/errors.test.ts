import fs from 'node:fs';
import path from 'node:path';
import { startTestHub, TestHub, GqlResponse } from '../harness/hub';
import { logger } from '../../src/logger';

let t: TestHub;
const seenCodes = new Set<string>();
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

/** Every error response goes through here: one error, the expected code, nothing internal. */
async function expectError(query: string, code: string, variables?: Record<string, unknown>): Promise<NonNullable<GqlResponse['errors']>[number]> {
  const res = await t.gql(query, variables);
  expect(res.errors).toHaveLength(1);
  const err = res.errors![0];
  expect(err.extensions?.code).toBe(code);
  const raw = JSON.stringify(res);
  expect(raw).not.toMatch(/stacktrace|exception|SELECT |FROM |QueryFailedError|\.ts:\d+/);
  seenCodes.add(code);
  return err;
}

describe('not found', () => {
  it('unknown framework key or version', async () => {
    const e = await expectError(`{ framework(key: "iso9001") { key } }`, 'NOT_FOUND');
    expect(e.message).toBe('Unknown framework "iso9001"');
    expect(e.path).toEqual(['framework']);
    const v = await expectError(`{ framework(key: "iso42001", version: "1999") { key } }`, 'NOT_FOUND');
    expect(v.message).toBe('Unknown framework "iso42001" version "1999"');
  });

  it('unknown ref, in a lookup, a filter and a path start', async () => {
    const e = await expectError(`{ requirement(framework: "iso42001", ref: "A.99") { title } }`, 'NOT_FOUND');
    expect(e.message).toBe('Unknown ref "A.99" in framework "iso42001"');
    expect(e.extensions).toMatchObject({ framework: 'iso42001', ref: 'A.99' });
    await expectError(`{ framework(key: "iso27001") { requirements(filter: { parentRef: "A.9" }) { totalCount } } }`, 'NOT_FOUND');
    await expectError(`{ mappingPaths(from: { framework: "iso27001", ref: "A.5.99" }, toFramework: "iso42001") { length } }`, 'NOT_FOUND');
    await expectError(`{ mappingPaths(from: { framework: "iso27001", ref: "A.5.1" }, toFramework: "soc2") { length } }`, 'NOT_FOUND');
  });

  it('node(id) finds every node type and nothing else', async () => {
    const d = await t.data(`{ framework(key: "iso42001") { id requirements(first: 1) { nodes { id } } } mappingSources { id } }`);
    const ids = [d.framework.id, d.framework.requirements.nodes[0].id, d.mappingSources[0].id];
    const q = `query($id: ID!) { node(id: $id) { __typename id } }`;
    const types = [];
    for (const id of ids) types.push((await t.data(q, { id })).node.__typename);
    expect(types).toEqual(['Framework', 'Requirement', 'MappingSource']);
    await expectError(q, 'NOT_FOUND', { id: '00000000-0000-4000-8000-000000000000' });
    const bad = await expectError(q, 'NOT_FOUND', { id: "x'; DROP TABLE requirement; --" });
    expect(bad.message).toBe(`No object with id "x'; DROP TABLE requirement; --"`);
  });
});

describe('bad input', () => {
  it('page size outside 1-200', async () => {
    const zero = await expectError(`{ framework(key: "iso42001") { requirements(first: 0) { totalCount } } }`, 'BAD_USER_INPUT');
    expect(zero).toMatchObject({ message: 'first must not be less than 1', extensions: { field: 'first' } });
    const big = await expectError(`{ framework(key: "iso42001") { requirements(first: 201) { totalCount } } }`, 'BAD_USER_INPUT');
    expect(big.message).toBe('first must not be greater than 200');
  });

  it('malformed cursors', async () => {
    const q = `query($after: String) { framework(key: "iso42001") { requirements(after: $after) { totalCount } } }`;
    for (const after of ['not a cursor!', 'Zm9vOmJhcg', Buffer.from('map:12').toString('base64url'), 'x'.repeat(200)]) {
      const e = await expectError(q, 'BAD_USER_INPUT', { after });
      expect(e.extensions?.field).toBe('after');
      expect(e.message).toMatch(/^after: malformed cursor/);
    }
    // Longer than any cursor: refused by the text bounds before the resolver.
    const long = await expectError(q, 'BAD_USER_INPUT', { after: 'x'.repeat(300) });
    expect(long).toMatchObject({ message: 'after is 300 characters long; the limit is 200', extensions: { field: 'after' } });
  });

  it('maxDepth outside 1-5', async () => {
    for (const depth of [0, 6]) {
      const e = await expectError(`{ mappingPaths(from: { framework: "iso27001", ref: "A.5.1" }, toFramework: "iso42001", maxDepth: ${depth}) { length } }`, 'BAD_USER_INPUT');
      expect(e.extensions?.field).toBe('maxDepth');
    }
  });

  it('variables of the wrong type', async () => {
    await expectError(`query($n: Int!) { framework(key: "iso42001") { requirements(first: $n) { totalCount } } }`, 'BAD_USER_INPUT', { n: 'ten' });
  });

  it('syntax and schema errors are refused with HTTP 400', async () => {
    const parse = await t.gql(`{ frameworks { key `);
    expect(parse.status).toBe(400);
    expect(parse.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    seenCodes.add('GRAPHQL_PARSE_FAILED');
    const unknown = await t.gql(`{ frameworks { password } }`);
    expect(unknown.status).toBe(400);
    expect(unknown.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    seenCodes.add('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('unexpected failures', () => {
  it('are masked: a generic message, no SQL, logged on the server, and the rest of the response served', async () => {
    const { mappingSources } = await t.data(`{ mappingSources { id } }`);
    const log = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    await t.ds.query(`ALTER TABLE mapping_source RENAME COLUMN publisher TO publisher_broken`);
    try {
      const res = await t.gql(`query($id: ID!) { frameworks { key } node(id: $id) { id } }`, { id: mappingSources[0].id });
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]).toMatchObject({ message: 'Internal server error', path: ['node'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(res.errors![0].extensions?.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.data?.node).toBeNull();
      expect(JSON.stringify(res)).not.toMatch(/publisher|SELECT|does not exist|mapping_source/);
      expect(res.data?.frameworks).toHaveLength(4);
      expect(log).toHaveBeenCalledWith(expect.objectContaining({ requestId: res.errors![0].extensions?.requestId }), 'unexpected error');
      seenCodes.add('INTERNAL_SERVER_ERROR');
    } finally {
      await t.ds.query(`ALTER TABLE mapping_source RENAME COLUMN publisher_broken TO publisher`);
      log.mockRestore();
    }
  });
});

describe('docs/errors.md', () => {
  it('lists every code these tests saw', () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/errors.md'), 'utf8');
    expect([...seenCodes].sort()).toEqual(['BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'INTERNAL_SERVER_ERROR', 'NOT_FOUND']);
    for (const code of seenCodes) expect(doc).toContain(`\`${code}\``);
  });
});
