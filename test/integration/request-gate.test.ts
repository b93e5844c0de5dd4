import { createHash } from 'node:crypto';
import { ipKeyGenerator } from 'express-rate-limit';
import { startTestHub, TestHub, tokenFor } from '../harness/hub';
import { Role } from '../../src/modules/auth/role';

/**
 * The request gate (src/graphql/request-gate.ts, hub_begin_request): the failed-authentication limit, the
 * request limit and the token in one statement per GraphQL request, and the catalog stamp that lets a
 * query read frameworks from the process's catalog (framework.service.ts) without serving a stale one.
 */
let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ limits: { ratePerMinute: 5, authFailuresPerMinute: 2 } });
});
afterAll(async () => {
  await t.stop();
});
// Every test starts with fresh windows: the failures of one (a revoked token's 401 counts) would refuse the next.
beforeEach(async () => {
  await t.ds.query(`DELETE FROM hub_rate_limit`);
});

const post = (authorization: string | null, query = '{ viewer { role } }') =>
  fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify({ query }) });

describe('one statement before the operation', () => {
  it('counts the request, answers the limiter headers and finds the token; an operation that reads nothing makes two statements: START with the gate, and COMMIT', async () => {
    const token = await tokenFor(t, 'test-org', Role.VIEWER, 'gate-headers');
    const statuses: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await post(`Bearer ${token}`, '{ __typename }');
      const body = (await res.json()) as any;
      statuses.push(`${res.status} ${/remaining=(\d+)/.exec(res.headers.get('ratelimit') ?? '')?.[1] ?? '-'} ${body.extensions?.sqlStatements ?? body.errors?.[0]?.extensions?.code}`);
      if (i === 0) {
        expect(res.headers.get('ratelimit-policy')).toBe('5;w=60');
        expect(res.headers.get('ratelimit')).toMatch(/^limit=5, remaining=4, reset=(59|60)$/);
      }
    }
    // The sixth is refused by the same statement that counted it, as express-rate-limit refused it.
    expect(statuses).toEqual(['200 4 2', '200 3 2', '200 2 2', '200 1 2', '200 0 2', '429 0 RATE_LIMITED']);
  });

  it('touches lastUsedAt at most once a minute, and refuses a revoked token on its very next request', async () => {
    const token = await tokenFor(t, 'test-org', Role.VIEWER, 'gate-last-used');
    const lastUsed = async () => (await t.ds.query(`SELECT last_used_at FROM api_token WHERE name = 'gate-last-used'`))[0].last_used_at as Date | null;
    await t.ds.query(`UPDATE api_token SET last_used_at = now() - interval '2 minutes' WHERE name = 'gate-last-used'`);
    const before = await lastUsed();
    expect((await post(`Bearer ${token}`)).status).toBe(200);
    const touched = await lastUsed();
    expect(touched!.getTime() - before!.getTime()).toBeGreaterThanOrEqual(115_000);
    await t.ds.query(`UPDATE api_token SET last_used_at = now() - interval '30 seconds' WHERE name = 'gate-last-used'`);
    const recent = await lastUsed();
    expect((await post(`Bearer ${token}`)).status).toBe(200);
    expect(await lastUsed()).toEqual(recent);

    await t.ds.query(`UPDATE api_token SET revoked_at = now() WHERE name = 'gate-last-used'`);
    const refused = await post(`Bearer ${token}`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect(await refused.json()).toEqual({ errors: [{ message: 'Invalid, expired or revoked token', extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('counts failed authentications per address; past the limit the address is refused before any lookup, and a success in between takes none back', async () => {
    const good = await tokenFor(t, 'test-org', Role.VIEWER, 'gate-failures');
    const codes: string[] = [];
    for (const authorization of ['Bearer cmh_nothere1', null, `Bearer ${good}`, 'Bearer cmh_nothere2', `Bearer ${good}`]) {
      const res = await post(authorization);
      codes.push(`${res.status} ${((await res.json()) as any).errors?.[0]?.extensions?.code ?? 'OK'}`);
    }
    // Two failures (a made-up token, then none at all) reach the limit: the third failure and even a good token are refused.
    expect(codes).toEqual(['401 UNAUTHENTICATED', '401 UNAUTHENTICATED', '429 RATE_LIMITED', '429 RATE_LIMITED', '429 RATE_LIMITED']);
    // The counter is the failed-authentication limiter's own row (as rate-limit-store.ts keys it): the refusals added nothing.
    const keys = ['127.0.0.1', '::ffff:127.0.0.1'].map((ip) => createHash('sha256').update('auth-failures').update('\0').update(`ip:${ipKeyGenerator(ip)}`).digest());
    expect(await t.ds.query(`SELECT hits FROM hub_rate_limit WHERE key = ANY($1::bytea[])`, [keys])).toEqual([{ hits: 2 }]);
  });
});

describe('a request whose transaction rolls back', () => {
  it('still counts: the gate commits its count before the request runs, so a mutation whose audit event cannot be written counts against the limit', async () => {
    const token = await tokenFor(t, 'test-org', Role.EDITOR, 'gate-rollback');
    const key = createHash('sha256').update('requests').update('\0').update(`t:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`).digest();
    const hits = async () => (await t.ds.query(`SELECT hits FROM hub_rate_limit WHERE key = $1`, [key]))[0]?.hits ?? 0;
    expect((await post(`Bearer ${token}`)).status).toBe(200);
    expect(await hits()).toBe(1);
    await t.ds.query(`REVOKE EXECUTE ON FUNCTION hub_audit_append(jsonb) FROM hub_app`);
    let status: number;
    try {
      status = (await post(`Bearer ${token}`, `mutation { upsertEvidence(input: { sourceSystem: "gate", externalId: "R-1", title: "t", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z" }) { outcome } }`)).status;
    } finally {
      await t.ds.query(`GRANT EXECUTE ON FUNCTION hub_audit_append(jsonb) TO hub_app`);
    }
    // The mutation's transaction rolled back; the gate's count, committed before it opened, stands.
    expect(status).toBe(503);
    expect(await t.ds.query(`SELECT id FROM evidence WHERE source_system = 'gate'`)).toEqual([]);
    expect(await hits()).toBe(2);
  });

  it('a gate that fails leaves no transaction open on its connection: the requests after it are answered', async () => {
    // The gate's message opens its own transaction (BEGIN) before the gate runs: a gate that fails (here
    // refused its function; a cancelled or timed-out one alike) must not hand the pool a connection inside an
    // aborted transaction, where every later statement is refused (pg-pool hands the last released first).
    const token = await tokenFor(t, 'test-org', Role.VIEWER, 'gate-failure');
    const signature = 'hub_begin_request(text, bytea, integer, bytea, integer, integer)';
    await t.ds.query(`REVOKE EXECUTE ON FUNCTION ${signature} FROM hub_app`);
    let failed: Response;
    try {
      failed = await post(`Bearer ${token}`);
    } finally {
      await t.ds.query(`GRANT EXECUTE ON FUNCTION ${signature} TO hub_app`);
    }
    expect(failed.status).toBe(500);
    expect(JSON.stringify(await failed.json())).not.toMatch(/hub_begin_request|permission denied/);
    const after: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await post(`Bearer ${token}`);
      after.push(`${res.status} ${JSON.stringify(((await res.json()) as any).data ?? null)}`);
    }
    expect(after).toEqual(Array(4).fill('200 {"viewer":{"role":"VIEWER"}}'));
  });
});

describe('the catalog stamp', () => {
  const FRAMEWORKS = `{ frameworks(allVersions: true) { key version name } }`;

  it('a query reads frameworks from the process catalog until the framework table changes, then reads it again', async () => {
    const token = await tokenFor(t, 'test-org', Role.VIEWER, 'gate-catalog');
    const read = async () => {
      // More reads than this hub's limit of 5 a minute: each starts a fresh window.
      await t.ds.query(`DELETE FROM hub_rate_limit`);
      const res = await post(`Bearer ${token}`, FRAMEWORKS);
      const body = (await res.json()) as any;
      expect(body.errors).toBeUndefined();
      return { names: body.data.frameworks.map((f: any) => `${f.key} ${f.version} ${f.name}`), statements: body.extensions.sqlStatements as number };
    };
    const first = await read();
    const second = await read();
    // START with the gate, COMMIT: the list itself came from the catalog the first read filled.
    expect([first.statements, second.statements]).toEqual([3, 2]);
    expect(second.names).toEqual(first.names);
    expect(first.names).toHaveLength(4);

    // A change to the table, made outside the hub, moves the stamp: the next query sees it.
    const [{ stamp: before }] = await t.ds.query(`SELECT stamp FROM hub_catalog_stamp`);
    await t.ds.query(`UPDATE framework SET name = name || ' (renamed)' WHERE key = 'iso27001'`);
    const [{ stamp: after }] = await t.ds.query(`SELECT stamp FROM hub_catalog_stamp`);
    expect(Number(after)).toBe(Number(before) + 1);
    const renamed = await read();
    expect(renamed.statements).toBe(3);
    expect(renamed.names.filter((n: string) => n.startsWith('iso27001 '))).toEqual([expect.stringMatching(/^iso27001 2022 .* \(renamed\)$/)]);

    const version = await t.ds.query(`INSERT INTO framework (key, version, name, publisher, kind, licence_note, content_sha256, released_on)
      SELECT key, '2099', name, publisher, kind, licence_note, content_sha256, '2099-01-01' FROM framework WHERE key = 'iso42001' RETURNING id`);
    try {
      const newer = await read();
      expect(newer.names.filter((n: string) => n.startsWith('iso42001 '))).toEqual([expect.stringMatching(/^iso42001 2099 /), expect.stringMatching(/^iso42001 2023 /)]);
      // framework(key:) picks the newest version from the catalog as the SQL did.
      const latest = (await (await post(`Bearer ${token}`, `{ framework(key: "iso42001") { version } }`)).json()) as any;
      expect(latest.data.framework.version).toBe('2099');
    } finally {
      await t.ds.query(`DELETE FROM framework WHERE id = $1`, [version[0].id]);
      await t.ds.query(`UPDATE framework SET name = replace(name, ' (renamed)', '') WHERE key = 'iso27001'`);
    }
    const back = await read();
    expect(back.names).toEqual(first.names);
  });

  it("another organization's own framework never reaches this organization's catalog", async () => {
    const other = await tokenFor(t, 'org-other', Role.ADMIN, 'gate-other');
    const mine = await tokenFor(t, 'test-org', Role.VIEWER, 'gate-mine');
    const [{ id: otherOrg }] = await t.ds.query(`SELECT id FROM organization WHERE slug = 'org-other'`);
    await t.ds.query(`INSERT INTO framework (key, version, name, publisher, kind, licence_note, content_sha256, organization_id) VALUES ('internal-policy', '1', 'Internal policy', 'Other Org', 'internal', 'own', repeat('0', 64), $1)`, [otherOrg]);
    const keys = async (token: string) => ((await (await post(`Bearer ${token}`, `{ frameworks { key } }`)).json()) as any).data.frameworks.map((f: any) => f.key);
    expect(await keys(other)).toContain('internal-policy');
    expect(await keys(mine)).not.toContain('internal-policy');
    expect(await keys(mine)).toHaveLength(4);
  });
});
