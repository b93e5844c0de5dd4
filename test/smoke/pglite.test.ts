import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootstrap } from '../../src/app';
import { loadConfig } from '../../src/config';
import { classifyAll, loadApplicability } from '../../src/modules/ai-system/applicability.rules';
import { Webhook } from 'standardwebhooks';
import { startReceiver, waitFor } from '../harness/webhook-receiver';

/**
 * The embedded default (no DATABASE_URL): PGlite in a data folder, migrated and seeded on the first
 * start, reused on the second. Runs the same bootstrap as `npm start`.
 */
describe('embedded PGlite default', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-pglite-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const config = loadConfig({ HUB_DATA_DIR: path.join(dir, 'nested', 'pglite'), PORT: '0', LOG_LEVEL: 'warn' });

  const count = async (url: string, token: string | null) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ framework(key: "iso42001") { requirementCount(assessableOnly: true) controls: requirements(first: 1, filter: { kind: CONTROL }) { totalCount } } mappingSources { key mappingCount } }' }),
    });
    return (await res.json()) as any;
  };

  it('migrates and seeds on the first start, then reuses the data', async () => {
    expect(config.database).toEqual({ kind: 'pglite', dataDir: path.join(dir, 'nested', 'pglite') });
    expect(config.migrateOnStart && config.seedOnStart).toBe(true);

    const firstLog: string[] = [];
    const shown: string[] = [];
    const first = await bootstrap(config, (m) => firstLog.push(m), (m) => shown.push(m));
    try {
      expect(first.adminToken).toMatch(/^cmh_[A-Za-z0-9_-]{43}$/);
      const body = await count(first.hub.url, first.adminToken);
      expect(body.errors).toBeUndefined();
      expect(body.data.framework).toEqual({ requirementCount: 70, controls: { totalCount: 38 } });
      expect(body.data.mappingSources.map((s: any) => s.mappingCount)).toEqual([82, 93, 187, 84, 150, 79, 80, 280]);

      // The applicability functions (PL/pgSQL) run here too and answer as the rules do.
      const data = loadApplicability();
      const system = { roles: ['deployer', 'provider'], facts: { highRiskRoute: 'ANNEX_III', annexIIIPoint: '5(b)', art6_3Derogation: false, publicAuthority: false } };
      const [row] = await first.dataSource.query(`
        SELECT jsonb_agg(hub_appl_classify(r.record, $1, d.derived, $3, $4, '2026-09-01') ORDER BY r.n) AS classes
        FROM (SELECT hub_appl_derived($1, $2, $3) AS derived) d, jsonb_array_elements($5::jsonb) WITH ORDINALITY AS r(record, n)`,
      [data.facts, data.derivedFacts, system.facts, system.roles, JSON.stringify(data.records)]);
      expect(row.classes).toEqual([...classifyAll(data, system, '2026-09-01').values()]);
    } finally {
      await first.stop();
    }
    expect(firstLog.slice(0, 3)).toEqual([
      '[hub] applied migrations: ControlGraph1764201600000, EvidenceCoverage1764288000000, AiManagementSystem1764374400000, Trust1764460800000, RowLevelSecurity1764547200000, AuditImages1764633600000, EvidenceRollup1764720000000, Interchange1764806400000, LeastPrivilege1764892800000, TextLimits1764979200000, ApplicabilitySql1765152000000, EuAiActFacts1765238400000, MappingVersions1765324800000, TimeOrderedIds1765411200000, Events1765497600000, Webhooks1765584000000, EventWritePath1765670400000, DutyEvents1765756800000, CitusKeys1765843200000, SharedState1765929600000, RequestGate1766016000000, SoaImport1766102400000',
      '[hub] seeded 4 frameworks (696 requirements) and 8 mapping set versions (1035 mappings)',
      expect.stringMatching(/^\[hub\] created organization "local" and an ADMIN token/),
    ]);
    expect(firstLog.join('\n')).not.toContain(first.adminToken!);
    expect(shown.join('\n')).toContain(`ADMIN token: ${first.adminToken}`);
    expect(shown.join('\n')).toContain(`Dashboard: ${new URL('/', first.hub.url).href} (paste the token there)`);
    expect(fs.existsSync(path.join(dir, 'nested', 'pglite', 'PG_VERSION'))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'nested', 'admin-token'), 'utf8').trim()).toBe(first.adminToken);
    expect(fs.statSync(path.join(dir, 'nested', 'admin-token')).mode & 0o777).toBe(0o600);

    const secondLog: string[] = [];
    const second = await bootstrap(config, (m) => secondLog.push(m), () => undefined);
    try {
      expect(second.adminToken).toBe(first.adminToken);
      const body = await count(second.hub.url, second.adminToken);
      expect(body.data.framework.requirementCount).toBe(70);
      // The EU AI Act rules run on the embedded database too: a private credit-scoring deployer (Annex III 5(b)) gets Art. 27(1).
      const post = async (query: string) => (await (await fetch(second.hub.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${second.adminToken}` }, body: JSON.stringify({ query }) })).json()) as any;
      const reg = await post(`mutation { registerAiSystem(input: { name: "credit", euRoles: [DEPLOYER], euFacts: [{ fact: "highRiskRoute", answer: YES, value: "ANNEX_III" },
        { fact: "annexIIIPoint", answer: YES, value: "5(b)" }, { fact: "art6_3Derogation", answer: NO }, { fact: "publicAuthority", answer: NO }] }) { id } }`);
      const obl = await post(`{ aiSystem(id: "${reg.data.registerAiSystem.id}") { obligations(asOf: "2026-09-01T00:00:00Z") { requirement { ref } applicability bindingFrom } } }`);
      expect(obl.data.aiSystem.obligations.find((o: any) => o.requirement.ref === 'Art. 27(1)')).toEqual({ requirement: { ref: 'Art. 27(1)' }, applicability: 'BINDING', bindingFrom: '2026-08-02' });
      const anonymous = await count(second.hub.url, null);
      expect(anonymous.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    } finally {
      await second.stop();
    }
    expect(secondLog).toEqual([expect.stringMatching(/^\[hub\] local ADMIN token: /)]);
  });

  it('counts rate limits in memory on the embedded database (one process only), as before', async () => {
    const hub = await bootstrap({ ...config, limits: { ...config.limits, ratePerMinute: 3 } }, () => undefined, () => undefined);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(hub.hub.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.adminToken}` }, body: JSON.stringify({ query: '{ __typename }' }) });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(await hub.dataSource.query(`SELECT count(*)::int AS n FROM hub_rate_limit`)).toEqual([{ n: 0 }]);
    } finally {
      await hub.stop();
    }
  });

  it('delivers signed webhooks from the embedded database (its job queue shares the one session)', async () => {
    const rx = await startReceiver();
    const hub = await bootstrap({ ...config, events: { ...config.events, schedulerSeconds: 1 } }, () => undefined, () => undefined);
    try {
      const post = async (query: string, variables?: Record<string, unknown>) => (await (await fetch(hub.hub.url, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.adminToken}` }, body: JSON.stringify({ query, variables }),
      })).json()) as any;
      const created = await post(`mutation($url: String!) { createWebhookEndpoint(input: { url: $url, eventTypes: [EVIDENCE_CREATED] }) { secret endpoint { id } } }`, { url: rx.url });
      const { secret } = created.data.createWebhookEndpoint;
      const upserted = await post(`mutation { upsertEvidence(input: { sourceSystem: "smoke", externalId: "hook-1", title: "t", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z",
        links: [{ framework: "iso27001", ref: "5.1" }, { framework: "iso42001", ref: "5.2", coverage: PARTIAL }] }) { outcome evidence { links { coverage requirement { ref } } } } }`);
      expect(upserted.data.upsertEvidence.outcome).toBe('CREATED');
      // Links go in as arrays (unnest), which the embedded driver passes as PostgreSQL's.
      expect(upserted.data.upsertEvidence.evidence.links).toEqual([{ coverage: 'FULL', requirement: { ref: '5.1' } }, { coverage: 'PARTIAL', requirement: { ref: '5.2' } }]);
      const got = await waitFor('the delivery', () => rx.acked()[0]);
      const event = new Webhook(secret).verify(got.body, Object.fromEntries(Object.entries(got.headers).map(([k, v]) => [k, String(v)]))) as any;
      expect([event.type, event.data.evidence.externalId]).toEqual(['evidence.created', 'hook-1']);
      const log = await post(`query($id: ID!) { webhookDeliveries(endpointId: $id) { nodes { status attemptCount } } }`, { id: created.data.createWebhookEndpoint.endpoint.id });
      expect(log.data.webhookDeliveries.nodes).toEqual([{ status: 'DELIVERED', attemptCount: 1 }]);
    } finally {
      await hub.stop();
      await rx.close();
    }
  });
});
