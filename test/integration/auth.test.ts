import { getMetadataStorage } from 'type-graphql';
import { hubSchema } from '../../src/graphql/schema';
import { startTestHub, TestHub } from '../harness/hub';
import { TokenService } from '../../src/modules/auth/token.service';
import { OrganizationService } from '../../src/modules/organization/organization.service';
import { Role } from '../../src/modules/auth/role';

let t: TestHub;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  t = await startTestHub();
  for (const role of ['VIEWER', 'ANALYST', 'INTEGRATOR', 'EDITOR']) {
    const d = await t.data(`mutation($r: Role!) { createApiToken(input: { name: "${role.toLowerCase()}-bot", role: $r }) { token apiToken { prefix role } } }`, { r: role });
    expect(d.createApiToken.apiToken).toMatchObject({ role, prefix: d.createApiToken.token.slice(0, 12) });
    tokens[role] = d.createApiToken.token;
  }
});
afterAll(async () => {
  await t.stop();
});

const raw = async (token: string | null, query = '{ frameworks { key } }') => {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, auth: res.headers.get('www-authenticate'), body: (await res.json()) as any };
};

describe('authentication', () => {
  it('refuses a missing, malformed, unknown, revoked or expired token with HTTP 401, catalogs included', async () => {
    const missing = await raw(null);
    expect(missing).toMatchObject({ status: 401, auth: 'Bearer' });
    expect(missing.body.errors[0]).toEqual({ message: 'Missing bearer token: send "Authorization: Bearer <token>"', extensions: { code: 'UNAUTHENTICATED' } });
    expect((await raw('cmh_not-a-real-token')).status).toBe(401);
    expect((await raw('Basic abc')).status).toBe(401);

    const made = await t.data(`mutation { createApiToken(input: { name: "short-lived", role: VIEWER }) { token apiToken { id } } }`);
    expect((await raw(made.createApiToken.token)).status).toBe(200);
    await t.data(`mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id: made.createApiToken.apiToken.id });
    expect((await raw(made.createApiToken.token)).body.errors[0]).toEqual({ message: 'Invalid, expired or revoked token', extensions: { code: 'UNAUTHENTICATED' } });

    const soon = await t.data(`mutation($at: DateTime) { createApiToken(input: { name: "expiring", role: VIEWER, expiresAt: $at }) { token apiToken { id } } }`, { at: new Date(Date.now() + 60_000).toISOString() });
    await t.ds.query(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [soon.createApiToken.apiToken.id]);
    expect((await raw(soon.createApiToken.token)).status).toBe(401);
  });

  it('stores only a hash and records lastUsedAt', async () => {
    const rows = await t.ds.query(`SELECT prefix, token_hash, last_used_at FROM api_token WHERE name = 'viewer-bot'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await t.ds.query(`SELECT * FROM api_token`))).not.toContain(tokens.VIEWER);
    await raw(tokens.VIEWER);
    const [used] = await t.ds.query(`SELECT last_used_at FROM api_token WHERE name = 'viewer-bot'`);
    expect(used.last_used_at).not.toBeNull();
  });
});

describe('roles', () => {
  const cases: [string, string, string[]][] = [
    // query, roles allowed (the rest must be FORBIDDEN)
    ['{ frameworks { key } }', 'catalogs', ['VIEWER', 'ANALYST', 'INTEGRATOR', 'EDITOR']],
    ['{ aiSystems { name } }', 'registers', ['VIEWER', 'ANALYST', 'EDITOR']],
    ['{ coverageSummary { totals { covered } } }', 'reports', ['ANALYST', 'EDITOR']],
    ['{ evidences { totalCount } }', 'evidence', ['VIEWER', 'ANALYST', 'INTEGRATOR', 'EDITOR']],
    ['mutation { upsertEvidence(input: { sourceSystem: "ci", externalId: "x", title: "t", kind: TEST_RESULT, effectiveAt: "2026-01-01T00:00:00Z" }) { outcome } }', 'ingest', ['INTEGRATOR', 'EDITOR']],
    ['mutation { registerAiSystem(input: { name: "by role" }) { id } }', 'edit', ['EDITOR']],
    ['{ apiTokens { prefix } }', 'admin', []],
  ];
  it.each(cases)('%s (%s)', async (query, _what, allowed) => {
    for (const role of ['VIEWER', 'ANALYST', 'INTEGRATOR', 'EDITOR']) {
      const r = await raw(tokens[role], query.replace('"by role"', `"by ${role}"`).replace('externalId: "x"', `externalId: "x-${role}"`));
      const code = r.body.errors?.[0]?.extensions?.code ?? 'OK';
      expect([role, code]).toEqual([role, allowed.includes(role) ? 'OK' : 'FORBIDDEN']);
    }
    expect((await raw(t.token, query.replace('"by role"', '"by admin"').replace('externalId: "x"', 'externalId: "x-admin"'))).body.errors).toBeUndefined();
  });

  it('viewer tells every role who it is and what it may do', async () => {
    const q = `{ viewer { organizationSlug organizationName role tokenName tokenPrefix permissions { reports ingest edit admin } } }`;
    const seen: Record<string, unknown> = {};
    for (const role of ['VIEWER', 'ANALYST', 'INTEGRATOR', 'EDITOR']) {
      const r = await raw(tokens[role], q);
      expect(r.body.errors).toBeUndefined();
      const v = r.body.data.viewer;
      expect([v.role, v.organizationSlug, v.tokenName, v.tokenPrefix]).toEqual([role, 'test-org', `${role.toLowerCase()}-bot`, tokens[role].slice(0, 12)]);
      seen[role] = v.permissions;
    }
    expect(seen).toEqual({
      VIEWER: { reports: false, ingest: false, edit: false, admin: false },
      ANALYST: { reports: true, ingest: false, edit: false, admin: false },
      INTEGRATOR: { reports: false, ingest: true, edit: false, admin: false },
      EDITOR: { reports: true, ingest: true, edit: true, admin: false },
    });
    const admin = (await raw(t.token, q)).body.data.viewer;
    expect(admin.permissions).toEqual({ reports: true, ingest: true, edit: true, admin: true });
    expect((await raw('cmh_not-a-token', q)).status).toBe(401);
  });

  it('names the role and the field in FORBIDDEN', async () => {
    const r = await raw(tokens.VIEWER, '{ coverageSummary { totals { covered } } }');
    expect(r.body.errors[0]).toMatchObject({ message: 'Role VIEWER may not use Query.coverageSummary (needs ANALYST)', extensions: { code: 'FORBIDDEN' } });
  });

  it('an integrator reads only the evidence it wrote', async () => {
    const mine = await raw(tokens.INTEGRATOR, '{ evidences { nodes { externalId createdBy } } }');
    expect(mine.body.data.evidences.nodes.map((n: any) => n.externalId)).toEqual(['x-INTEGRATOR']);
    const all = await t.data(`{ evidences(filter: { sourceSystem: "ci" }) { nodes { externalId id } } }`);
    expect(all.evidences.nodes.map((n: any) => n.externalId).sort()).toEqual(['x-EDITOR', 'x-INTEGRATOR', 'x-admin']);
    const other = all.evidences.nodes.find((n: any) => n.externalId === 'x-EDITOR');
    const peek = await raw(tokens.INTEGRATOR, `{ evidence(id: "${other.id}") { title } }`);
    expect(peek.body.errors[0].extensions.code).toBe('NOT_FOUND');
    // nor through a requirement's links
    const around = await raw(tokens.INTEGRATOR, `{ requirement(framework: "iso27001", ref: "A.5.1") { ref evidence { id } } }`);
    expect(around.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('CSV exports need a token and ANALYST', async () => {
    const get = (token: string | null) => fetch(t.url.replace('/graphql', '/export/coverage.csv?framework=iso42001'), { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await get(null)).status).toBe(401);
    expect((await get(tokens.VIEWER)).status).toBe(403);
    expect((await get(tokens.ANALYST)).status).toBe(200);
  });

  it('every root field of the schema declares its rule once', async () => {
    const schema = await hubSchema();
    const storage = getMetadataStorage();
    const authorized = new Set(storage.authorizedFields.map((a) => `${a.target.name}.${a.fieldName}`));
    const resolvers = [...storage.queries, ...storage.mutations];
    const missing: string[] = [];
    for (const type of [schema.getQueryType()!, schema.getMutationType()!]) {
      for (const name of Object.keys(type.getFields())) {
        const r = resolvers.find((x) => x.schemaName === name);
        if (!r || !authorized.has(`${r.target.name}.${r.methodName}`)) missing.push(`${type.name}.${name}`);
      }
    }
    expect(missing).toEqual([]);
    expect(Object.keys(schema.getQueryType()!.getFields()).length + Object.keys(schema.getMutationType()!.getFields()).length).toBeGreaterThan(50);
  });
});

describe('tenant isolation', () => {
  it("another organization's token sees nothing of this one's", async () => {
    const sys = (await t.data(`mutation { registerAiSystem(input: { name: "Isolated" }) { id } }`)).registerAiSystem.id;
    const ev = (await t.data(`{ evidences { nodes { id } } }`)).evidences.nodes[0].id;
    const other = (await new TokenService(t.ds, new OrganizationService(t.ds)).createForSlug('other-org', Role.ADMIN, 'other-admin')).token;
    const q = async (query: string) => (await raw(other, query)).body;
    expect((await q(`{ aiSystem(id: "${sys}") { name } }`)).errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await q(`{ evidence(id: "${ev}") { title } }`)).errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await q(`{ node(id: "${sys}") { id } }`)).errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await q(`{ aiSystems { name } evidences { totalCount } }`)).data).toEqual({ aiSystems: [], evidences: { totalCount: 0 } });
    expect((await q(`mutation { linkEvidence(input: { evidenceId: "${ev}", framework: "iso27001", ref: "A.5.1" }) { changed } }`)).errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await q(`{ coverage(framework: "iso27001", aiSystemId: "${sys}") { totals { covered } } }`)).errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await q(`{ frameworks { key } }`)).data.frameworks).toHaveLength(4);
  });
});
