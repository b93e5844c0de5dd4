import { DEFAULT_GRAPH_ID } from '../../src/modules/mapping/mapping-graph.service';
import { Client } from 'pg';
import { startTestHub, TestHub, tokenFor as createToken } from '../harness/hub';
import { Role } from '../../src/modules/auth/role';
import { boundedError } from '../../src/logger';

/**
 * The findings of a hostile tenant's attack (issue 11), each as it was reported: every test here
 * failed on the code before the fix.
 */
let t: TestHub;
let tokens: { orgB: string; integrator: string; integrator2: string; editor: string };
const tokenFor = async (slug: string, role: Role, name: string) => ({ token: await createToken(t, slug, role, name) });

beforeAll(async () => {
  t = await startTestHub();
  tokens = {
    orgB: (await tokenFor('org-b', Role.ADMIN, 'b-admin')).token,
    integrator: (await tokenFor('test-org', Role.INTEGRATOR, 'ci-connector')).token,
    integrator2: (await tokenFor('test-org', Role.INTEGRATOR, 'other-connector')).token,
    editor: (await tokenFor('test-org', Role.EDITOR, 'grc-editor')).token,
  };
});
afterAll(async () => {
  await t.stop();
});

const gqlAs = (token: string, query: string, variables?: Record<string, unknown>) => t.gql(query, variables, { token });
const post = (headers: Record<string, string>, hub: TestHub = t) =>
  fetch(hub.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ frameworks { key } }' }) });

describe('finding 1: the audit trail leaks nothing of another organization', () => {
  it("revoking another organization's token id records the same empty images as a random id", async () => {
    const victim = await t.data(`mutation { createApiToken(input: { name: "victim-secret-name", role: EDITOR }) { apiToken { id } } }`);
    const victimId = victim.createApiToken.apiToken.id;
    const random = '00000000-0000-4000-8000-000000000001';
    for (const id of [victimId, random]) {
      const res = await gqlAs(tokens.orgB, `mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id });
      expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    const trail = await gqlAs(tokens.orgB, `{ auditTrail(filter: { operation: "revokeApiToken" }) { nodes { touchedIds before after outcome arguments variables } } }`);
    // The id came as a variable: recorded once, in variables.
    expect(trail.data.auditTrail.nodes).toEqual([
      { touchedIds: [random], before: {}, after: {}, outcome: 'NOT_FOUND', arguments: null, variables: { id: random } },
      { touchedIds: [victimId], before: {}, after: {}, outcome: 'NOT_FOUND', arguments: null, variables: { id: victimId } },
    ]);
    expect(JSON.stringify(trail)).not.toContain('victim-secret-name');
    // The token still works: B's call changed nothing.
    const [row] = await t.ds.query(`SELECT revoked_at FROM api_token WHERE id = $1`, [victimId]);
    expect(row.revoked_at).toBeNull();
  });
});

describe('finding 2: one credential, one quota', () => {
  let limited: TestHub;
  beforeAll(async () => {
    limited = await startTestHub({ limits: { ratePerMinute: 4, authFailuresPerMinute: 3 } });
  });
  afterAll(async () => {
    await limited.stop();
  });

  it('every spelling of the Bearer scheme counts against the same token', async () => {
    const fresh = await createToken(limited, 'test-org', Role.VIEWER, 'spellings');
    const spellings = [`Bearer ${fresh}`, `bearer ${fresh}`, `BEARER ${fresh}`, `Bearer  ${fresh}`, `Bearer\t${fresh}`];
    const statuses: number[] = [];
    for (const authorization of spellings) statuses.push((await post({ authorization }, limited)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it('made-up tokens are refused per address after 3 failures, before any lookup', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post({ authorization: `Bearer cmh_madeup${i}aaaaaaaaaaaaaaaaaaaaaaaaaa` }, limited)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const refused = await post({ authorization: 'Bearer cmh_madeup9aaaaaaaaaaaaaaaaaaaaaaaaa' }, limited);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
  });
});

describe("finding 5: an INTEGRATOR cannot take over another writer's evidence", () => {
  const UPSERT = `mutation($i: UpsertEvidenceInput!) { upsertEvidence(input: $i) { outcome evidence { id uri reviewCadence title createdBy } } }`;
  const item = { sourceSystem: 'jira', externalId: 'OWNED-1', title: 'Access review Q1', kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z', uri: 'https://jira.example.com/OWNED-1', reviewCadence: 'P1Y', status: 'ACCEPTED', links: [{ framework: 'iso27001', ref: 'A.5.18' }] };

  it('answers CONFLICT and reveals and changes nothing, alone and in a bulk call', async () => {
    const made = (await gqlAs(tokens.editor, UPSERT, { i: item })).data.upsertEvidence.evidence;
    const res = await gqlAs(tokens.integrator, UPSERT, { i: { sourceSystem: 'jira', externalId: 'OWNED-1', title: 'hijacked', kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z' } });
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions).toEqual({
      code: 'CONFLICT', field: 'externalId', unknownRefs: [],
      problems: [{ field: 'externalId', message: 'sourceSystem and externalId name evidence another writer created; it was not changed (use another externalId)' }],
    });
    const text = JSON.stringify(res);
    for (const secret of [made.id, 'grc-editor', made.uri]) expect(text).not.toContain(secret);

    const bulk = await gqlAs(tokens.integrator, `mutation($i: BulkUpsertEvidenceInput!) { bulkUpsertEvidence(input: $i) { created failed results { index outcome evidence { id } error { code } } } }`,
      { i: { items: [{ ...item, externalId: 'MINE-1', title: 'mine' }, { ...item, title: 'hijacked' }] } });
    expect(bulk.data.bulkUpsertEvidence).toMatchObject({ created: 1, failed: 1 });
    expect(bulk.data.bulkUpsertEvidence.results[1]).toEqual({ index: 1, outcome: 'FAILED', evidence: null, error: { code: 'CONFLICT' } });
    const [stored] = await t.ds.query(`SELECT title, uri, review_cadence, version FROM evidence WHERE external_id = 'OWNED-1'`);
    expect(stored).toEqual({ title: 'Access review Q1', uri: 'https://jira.example.com/OWNED-1', review_cadence: 'P1Y', version: 1 });
    // Another INTEGRATOR cannot take over the first one's item either.
    const other = await gqlAs(tokens.integrator2, UPSERT, { i: { ...item, externalId: 'MINE-1', title: 'taken' } });
    expect(other.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it("cannot link or unlink another writer's evidence either: to it, that evidence does not exist", async () => {
    const [{ id }] = await t.ds.query(`SELECT id FROM evidence WHERE external_id = 'OWNED-1'`);
    const before = await t.ds.query(`SELECT count(*)::int AS n FROM evidence_link WHERE evidence_id = $1 AND unlinked_at IS NULL`, [id]);
    const link = await gqlAs(tokens.integrator, `mutation($e: ID!) { linkEvidence(input: { evidenceId: $e, framework: "iso42001", ref: "A.2.2" }) { changed } }`, { e: id });
    const unlink = await gqlAs(tokens.integrator, `mutation($e: ID!) { unlinkEvidence(input: { evidenceId: $e, framework: "iso27001", ref: "A.5.18" }) { link { id } } }`, { e: id });
    for (const res of [link, unlink]) {
      expect(res.errors?.[0]).toMatchObject({ message: `No evidence with id "${id}"`, extensions: { code: 'NOT_FOUND', id } });
    }
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM evidence_link WHERE evidence_id = $1 AND unlinked_at IS NULL`, [id])).toEqual(before);
    expect(before[0].n).toBe(1);
  });

  it("an update keeps the fields the caller did not send; null clears one", async () => {
    const first = await gqlAs(tokens.integrator, UPSERT, { i: { ...item, externalId: 'KEEP-1' } });
    expect(first.data.upsertEvidence.outcome).toBe('CREATED');
    const { uri, links, reviewCadence, ...rest } = item;
    void uri; void links; void reviewCadence;
    const renamed = await gqlAs(tokens.integrator, UPSERT, { i: { ...rest, externalId: 'KEEP-1', title: 'Access review Q1 (renamed)' } });
    expect(renamed.data.upsertEvidence).toMatchObject({ outcome: 'UPDATED', evidence: { uri: 'https://jira.example.com/OWNED-1', reviewCadence: 'P1Y', title: 'Access review Q1 (renamed)' } });
    const [row] = await t.ds.query(`SELECT valid_until FROM evidence WHERE external_id = 'KEEP-1'`);
    expect(row.valid_until.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    const cleared = await gqlAs(tokens.integrator, UPSERT, { i: { ...rest, externalId: 'KEEP-1', title: 'Access review Q1 (renamed)', uri: null } });
    expect(cleared.data.upsertEvidence).toMatchObject({ outcome: 'UPDATED', evidence: { uri: null, reviewCadence: 'P1Y' } });
    const again = await gqlAs(tokens.integrator, UPSERT, { i: { ...rest, externalId: 'KEEP-1', title: 'Access review Q1 (renamed)' } });
    expect(again.data.upsertEvidence.outcome).toBe('UNCHANGED');
    // A kept validUntil that the new effectiveAt passes is not silently kept or dropped.
    await gqlAs(tokens.integrator, UPSERT, { i: { ...rest, externalId: 'KEEP-2', validUntil: '2026-06-01T00:00:00Z' } });
    const moved = await gqlAs(tokens.integrator, UPSERT, { i: { ...rest, externalId: 'KEEP-2', effectiveAt: '2026-07-01T00:00:00Z' } });
    expect(moved.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT', field: 'effectiveAt',
      problems: [{ field: 'effectiveAt', message: 'effectiveAt is not before the stored validUntil (2026-06-01T00:00:00.000Z); send validUntil, reviewCadence or null with it' }],
    });
    const renewed = await gqlAs(tokens.integrator, UPSERT, { i: { ...rest, externalId: 'KEEP-2', effectiveAt: '2026-07-01T00:00:00Z', validUntil: null } });
    expect(renewed.data.upsertEvidence.outcome).toBe('UPDATED');
  });
});

describe('finding 6: a mutation and its audit event commit together', () => {
  it('when the event cannot be written, nothing of the call is kept and the caller is told', async () => {
    await t.ds.query(`REVOKE EXECUTE ON FUNCTION hub_audit_append(jsonb) FROM hub_app`);
    let res;
    try {
      res = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` },
        body: JSON.stringify({ query: `mutation { upsertEvidence(input: { sourceSystem: "atomic", externalId: "A-1", title: "t", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z" }) { outcome } }` }),
      });
    } finally {
      await t.ds.query(`GRANT EXECUTE ON FUNCTION hub_audit_append(jsonb) TO hub_app`);
    }
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const body = (await res.json()) as any;
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.errors[0].message).toBe('The database did not confirm this request; nothing was written; retry');
    expect(await t.ds.query(`SELECT id FROM evidence WHERE source_system = 'atomic'`)).toEqual([]);
  });

  it('a failing field is rolled back alone; every field has its event, with its inline arguments', async () => {
    const res = await t.gql(`mutation {
      ok: upsertEvidence(input: { sourceSystem: "atomic", externalId: "A-2", title: "kept", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z" }) { outcome }
      bad: registerAiSystem(input: { name: "Chatbot", euRoles: [DEPLOYER] }) { id }
      dup: registerAiSystem(input: { name: "Chatbot" }) { id }
    }`);
    // registerAiSystem is non-null, so GraphQL nulls the whole answer; the error names the field that failed.
    expect(res.data).toBeNull();
    expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['dup'], 'CONFLICT']]);
    expect(await t.ds.query(`SELECT title FROM evidence WHERE external_id = 'A-2'`)).toEqual([{ title: 'kept' }]);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM ai_system WHERE name = 'Chatbot'`))[0].n).toBe(1);
    const events: { operation: string; outcome: string; arguments: any; variables: unknown }[] = await t.ds.query(
      `SELECT operation, outcome, arguments, variables FROM audit_event WHERE operation IN ('upsertEvidence', 'registerAiSystem') ORDER BY id DESC LIMIT 3`);
    expect(events.map((e) => `${e.operation}:${e.outcome}`).sort()).toEqual(['registerAiSystem:CONFLICT', 'registerAiSystem:OK', 'upsertEvidence:OK']);
    const byOutcome = Object.fromEntries(events.map((e) => [`${e.operation}:${e.outcome}`, e]));
    expect(byOutcome['upsertEvidence:OK'].arguments.input).toMatchObject({ sourceSystem: 'atomic', externalId: 'A-2', title: 'kept', effectiveAt: '2026-01-01T00:00:00.000Z' });
    // As the server read them: the schema's default lifecycle stage included.
    expect(byOutcome['registerAiSystem:CONFLICT'].arguments).toEqual({ input: { name: 'Chatbot', lifecycleStage: 'IDEA' } });
    expect(byOutcome['registerAiSystem:OK'].arguments.input).toMatchObject({ name: 'Chatbot', euRoles: ['DEPLOYER'] });
    expect(byOutcome['upsertEvidence:OK'].variables).toBeNull();
  });
});

describe('finding 9: the database does not rely on the absence of SQL injection', () => {
  let app: Client;
  let org: string;
  beforeAll(async () => {
    app = new Client({ connectionString: t.appUrl });
    await app.connect();
    [{ id: org }] = await t.ds.query(`SELECT id FROM organization WHERE slug = 'test-org'`);
    await app.query(`SELECT set_config('app.organization_id', $1, false)`, [org]);
  });
  afterAll(async () => {
    await app.end();
  });
  const refused = async (sql: string, params: unknown[] = []) => {
    await app.query('BEGIN');
    try {
      await app.query(sql, params);
      return 'accepted';
    } catch (err) {
      return (err as { code: string }).code;
    } finally {
      await app.query('ROLLBACK');
    }
  };

  it("the application role cannot raise a token's role, touch shared catalog rows or forge audit events", async () => {
    expect(await refused(`UPDATE api_token SET role = 'ADMIN'`)).toBe('42501');
    expect(await refused(`INSERT INTO framework (key, version, name, publisher, kind, licence_note) VALUES ('forged', '1', 'f', 'p', 'STANDARD', 'n')`)).toBe('42501');
    expect(await refused(`INSERT INTO audit_event (organization_id, actor, operation, outcome, request_id) VALUES ($1, 'x', 'forged', 'OK', 'r')`, [org])).toBe('42501');
    expect(await refused(`DELETE FROM evidence`)).toBe('42501');
    expect(await refused(`UPDATE requirement SET title = 'forged' WHERE organization_id IS NULL`)).toBe('42501');
    // Where the role may write (its own mappings, closure rows), shared rows stay out of reach: no error, no row.
    const del = await app.query(`DELETE FROM mapping WHERE TRUE`);
    const closure = await app.query(`DELETE FROM mapping_closure WHERE graph_id = '${DEFAULT_GRAPH_ID}'`);
    expect([del.rowCount, closure.rowCount]).toEqual([0, 0]);
    expect(await refused(`INSERT INTO mapping_source (key, name, publisher, method, status) SELECT 'forged', 'f', 'p', method, status FROM mapping_source LIMIT 1`)).toBe('42501');
    // Another organization's tokens are invisible to the role, whatever the SQL.
    expect((await app.query(`SELECT count(*)::int AS n FROM api_token WHERE organization_id <> $1`, [org])).rows[0].n).toBe(0);
  });

  it('hub_audit_append stamps the session organization and request, and refuses outside a request', async () => {
    const event = [{ actor: 'forged', operation: 'forged', touched_ids: [], outcome: 'OK', organization_id: '00000000-0000-4000-8000-000000000009', request_id: 'forged-id' }];
    expect(await refused(`SELECT hub_audit_append($1::jsonb)`, [JSON.stringify(event)])).toBe('42501');
    await app.query('BEGIN');
    await app.query(`SELECT set_config('app.request_id', 'req-sql-0001', true)`);
    await app.query(`SELECT hub_audit_append($1::jsonb)`, [JSON.stringify(event)]);
    await app.query('COMMIT');
    const rows = await t.ds.query(`SELECT organization_id, request_id FROM audit_event WHERE actor = 'forged'`);
    expect(rows).toEqual([{ organization_id: org, request_id: 'req-sql-0001' }]);
  });

  it('an organization cannot create a mapping set under a shared set\'s key', async () => {
    const res = await t.gql(`mutation { createMappingSet(input: { key: "iso27001-to-iso42001", name: "shadow", sourceFramework: "iso27001", targetFramework: "iso42001", mappings: [{ sourceRef: "A.5.1", targetRef: "A.2.2", relationship: EQUAL }] }) { mappingSource { id } } }`);
    expect(res.errors?.[0]).toMatchObject({ message: 'A shared mapping set with key "iso27001-to-iso42001" already exists', extensions: { code: 'CONFLICT', field: 'key' } });
  });

  it('error logs carry truncated parameters and no token', () => {
    const err = Object.assign(new Error('index row too large'), { query: 'INSERT INTO ai_system (name) VALUES ($1)', parameters: ['x'.repeat(1_000_000), `cmh_${'a'.repeat(43)}`] });
    const logged = boundedError(err) as { parameters: string[]; message: string };
    expect(logged.parameters[0]).toBe(`${'x'.repeat(300)}… [1000000 characters]`);
    expect(logged.parameters[1]).toBe('cmh_[redacted]');
    expect(JSON.stringify(logged).length).toBeLessThan(3_000);
  });
});
