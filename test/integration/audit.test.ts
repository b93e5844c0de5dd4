import { startTestHub, TestHub } from '../harness/hub';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

const TRAIL = `query($f: AuditTrailFilter) { auditTrail(filter: $f, first: 10) { totalCount nodes { operation actor tokenPrefix tokenId touchedIds variables outcome requestId at } } }`;

describe('audit trail', () => {
  it('records every mutation with token, operation, touched ids, arguments and outcome', async () => {
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}`, 'x-request-id': 'req-audit-0001' },
      body: JSON.stringify({ query: `mutation($i: UpsertEvidenceInput!) { upsertEvidence(input: $i) { evidence { id } } }`, variables: { i: {
        sourceSystem: 'jira', externalId: 'SEC-9', title: 'Access review', kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z', links: [{ framework: 'iso27001', ref: 'A.5.18' }] } } }),
    });
    expect(res.headers.get('x-request-id')).toBe('req-audit-0001');
    const id = ((await res.json()) as any).data.upsertEvidence.evidence.id;
    await t.gql(`mutation { upsertEvidence(input: { sourceSystem: "jira", externalId: "SEC-10", title: "x", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z", contentSha256: "nope" }) { outcome } }`);

    const d = await t.data(TRAIL, { f: { operation: 'upsertEvidence' } });
    expect(d.auditTrail.totalCount).toBe(2);
    const [failed, ok] = d.auditTrail.nodes;
    expect(ok).toMatchObject({ operation: 'upsertEvidence', actor: t.actor, tokenPrefix: t.actor.slice(-13, -1), outcome: 'OK', requestId: 'req-audit-0001' });
    expect(ok.touchedIds).toEqual([id]);
    expect(ok.variables.i).toMatchObject({ externalId: 'SEC-9' });
    expect(failed).toMatchObject({ outcome: 'BAD_USER_INPUT', touchedIds: [] });
    const byId = await t.data(TRAIL, { f: { touchedId: id } });
    expect(byId.auditTrail.nodes.map((n: any) => n.operation)).toEqual(['upsertEvidence']);
  });

  it('keeps before and after images of the rows an update touched', async () => {
    const id = (await t.data(`mutation { registerAiSystem(input: { name: "Chatbot" }) { id } }`)).registerAiSystem.id;
    await t.data(`mutation($id: ID!) { updateAiSystem(input: { id: $id, name: "Support chatbot", riskClass: LIMITED_RISK }) { version } }`, { id });
    const d = await t.data(TRAIL + '', { f: { operation: 'updateAiSystem' } });
    const [e] = d.auditTrail.nodes;
    const full = await t.data(`{ auditTrail(filter: { operation: "updateAiSystem" }) { nodes { before after } } }`);
    const { before, after } = full.auditTrail.nodes[0];
    expect(e.touchedIds).toEqual([id]);
    expect([before[id].table, before[id].name, before[id].version, before[id].risk_class]).toEqual(['ai_system', 'Chatbot', 1, null]);
    expect([after[id].name, after[id].version, after[id].risk_class]).toEqual(['Support chatbot', 2, 'LIMITED_RISK']);
  });

  it('keeps the event of a request whose variables hold text jsonb refuses (NUL, unpaired surrogates)', async () => {
    const hostile = { sourceSystem: 'fuzz', externalId: 'F-1', title: 'bad \ud800 text', kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z', description: 'nul \u0000 here' };
    await t.gql(`mutation($i: UpsertEvidenceInput!) { upsertEvidence(input: $i) { outcome } }`, { i: hostile });
    const d = await t.data(`query { auditTrail(filter: { operation: "upsertEvidence" }, first: 50) { nodes { variables } } }`);
    const event = d.auditTrail.nodes.find((n: any) => n.variables.i?.sourceSystem === 'fuzz');
    expect(event.variables.i).toMatchObject({ title: 'bad \ufffd text', description: 'nul \ufffd here' });
  });

  it('never stores a token secret', async () => {
    const made = await t.data(`mutation { createApiToken(input: { name: "auditor", role: VIEWER }) { token apiToken { id } } }`);
    const rows = await t.ds.query(`SELECT * FROM audit_event WHERE operation = 'createApiToken'`);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(made.createApiToken.token);
    expect(rows[0].touched_ids).toEqual([made.createApiToken.apiToken.id]);
    expect(rows[0].after[made.createApiToken.apiToken.id]).toMatchObject({ table: 'api_token', name: 'auditor', role: 'VIEWER' });
    expect(JSON.stringify(rows[0].after)).not.toContain('token_hash');
  });

  it('is append-only in the database: UPDATE, DELETE and TRUNCATE are refused', async () => {
    await expect(t.ds.query(`UPDATE audit_event SET outcome = 'OK'`)).rejects.toThrow(/append-only \(UPDATE refused\)/);
    await expect(t.ds.query(`DELETE FROM audit_event`)).rejects.toThrow(/append-only \(DELETE refused\)/);
    await expect(t.ds.query(`TRUNCATE audit_event`)).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM audit_event`))[0].n).toBe(6);
  });

  it('is for ADMIN only', async () => {
    const editor = (await t.data(`mutation { createApiToken(input: { name: "ed", role: EDITOR }) { token } }`)).createApiToken.token;
    const r = await t.gql(`{ auditTrail { totalCount } }`, undefined, { token: editor });
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('operations endpoints', () => {
  it('healthz and readyz answer without a token', async () => {
    const base = t.url.replace('/graphql', '');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  });
});
