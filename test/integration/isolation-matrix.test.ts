import { GraphQLArgument, GraphQLField, getNamedType } from 'graphql';
import { hubSchema } from '../../src/graphql/schema';
import { Client } from 'pg';
import { startTestHub, TestHub } from '../harness/hub';
import { startTestPooler, type TestPooler } from '../harness/postgres';
import { TokenService } from '../../src/modules/auth/token.service';
import { OrganizationService } from '../../src/modules/organization/organization.service';
import { Role } from '../../src/modules/auth/role';
import { declaredRoles, inputValue, selectionOf } from '../harness/schema-probe';
import { allows } from '../../src/modules/auth/role';
import { Received, until, wsClient, WsClient } from '../harness/subscriptions';

/**
 * Generated from schema.graphql: every root query and mutation is called with each of organization B's
 * roles and arguments aimed at organization A (A's ids, guessed by argument name), selecting every field
 * to DEPTH levels of nested objects. Nothing of A may come back (no A id, no A text) and nothing of A may change.
 */
const MARK = 'ORGA-SECRET';
let t: TestHub;
let other: string;
const others = {} as Record<Role, string>;
const ids: Record<string, string> = {};

let pooler: TestPooler | undefined;

describe.each([
  ['with row-level security', false, false],
  ['application layer alone (server on a role that bypasses RLS)', true, false],
  // Three server connections shared by the hub's pool of four: consecutive transactions of one request
  // stream land on different sessions, so a setting left on a session would leak or be missing.
  ['with row-level security, behind PgBouncer in transaction mode', false, true],
])('tenant isolation matrix, %s', (_name, bypassRls, pooled) => {
beforeAll(async () => {
  pooler = pooled ? await startTestPooler(3) : undefined;
  // The nested selections are long: more tokens than a client needs.
  t = await startTestHub({ bypassRls, pooler, limits: { maxTokens: 100_000 } });
  const q = (query: string, variables?: Record<string, unknown>) => t.data(query, variables);
  ids.aiSystem = (await q(`mutation { registerAiSystem(input: { name: "${MARK} system", euRoles: [DEPLOYER], riskClass: HIGH_RISK, highRiskRoute: ANNEX_III }) { id } }`)).registerAiSystem.id;
  ids.evidence = (await q(`mutation($s: ID) { upsertEvidence(input: { sourceSystem: "${MARK}", externalId: "e", title: "${MARK} doc", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z", status: ACCEPTED, aiSystemId: $s, links: [{ framework: "iso27001", ref: "A.5.1" }] }) { evidence { id } } }`, { s: ids.aiSystem })).upsertEvidence.evidence.id;
  ids.assessment = (await q(`mutation($s: ID!) { startImpactAssessment(aiSystemId: $s, assessor: "${MARK}") { id } }`, { s: ids.aiSystem })).startImpactAssessment.id;
  ids.point = (await q(`mutation($s: ID!) { addOversightPoint(input: { aiSystemId: $s, name: "${MARK} point", mechanism: OVERRIDE }) { id } }`, { s: ids.aiSystem })).addOversightPoint.id;
  ids.audit = (await q(`mutation { createInternalAudit(input: { title: "${MARK} audit" }) { id } }`)).createInternalAudit.id;
  ids.finding = (await q(`mutation($a: ID!) { addAuditFinding(input: { auditId: $a, type: MINOR_NC, description: "${MARK} finding" }) { id } }`, { a: ids.audit })).addAuditFinding.id;
  ids.nc = (await q(`mutation($f: ID!) { raiseNonconformity(input: { source: AUDIT_FINDING, findingId: $f, description: "${MARK} nc" }) { id } }`, { f: ids.finding })).raiseNonconformity.id;
  ids.record = (await q(`mutation($s: ID) { upsertRegisterRecord(input: { kind: MONITORING_METRIC, aiSystemId: $s, title: "${MARK} metric", status: "ACTIVE", data: { max: 1 } }) { id } }`, { s: ids.aiSystem })).upsertRegisterRecord.id;
  ids.gateTask = (await q(`mutation($s: ID!) { addGateTask(input: { aiSystemId: $s, stage: DEPLOYMENT, title: "${MARK} task" }) { id } }`, { s: ids.aiSystem })).addGateTask.id;
  ids.mappingSet = (await q(`mutation { createMappingSet(input: { key: "orga-set", name: "${MARK} set", sourceFramework: "iso27001", targetFramework: "iso42001", mappings: [{ sourceRef: "A.5.1", targetRef: "A.2.2", relationship: EQUAL }] }) { mappingSource { id } } }`)).createMappingSet.mappingSource.id;
  ids.token = (await q(`mutation { createApiToken(input: { name: "${MARK} token", role: VIEWER }) { apiToken { id } } }`)).createApiToken.apiToken.id;
  const imported = await q(`mutation($d: String!) { importFramework(input: { format: CSV, key: "orga-private", version: "1", name: "${MARK} controls", document: $d }) { framework { id } } }`,
    { d: `ref,title\nPC-1,${MARK} control one\nPC-2,${MARK} control two\n` });
  ids.privateFramework = imported.importFramework.framework.id;
  [{ id: ids.privateRequirement }] = await t.ds.query(`SELECT id FROM requirement WHERE ref = 'PC-1' AND framework_id = $1`, [ids.privateFramework]);
  await q(`mutation($d: String!) { importMappings(input: { format: CSV, provenance: { key: "orga-private-map", name: "${MARK} map" }, document: $d }) { mappingCount } }`,
    { d: 'source_framework,source_ref,relationship,target_framework,target_ref\norga-private,PC-1,EQUAL,iso27001,A.5.15\n' });
  // Events are published by the workers (off here): publish A's, to have an event id of A's to aim at.
  await t.events!.publish();
  ids.event = (await q(`{ events(first: 1) { nodes { id } } }`)).events.nodes[0].id;
  const tokenService = new TokenService(t.ds, new OrganizationService(t.ds));
  for (const role of Object.values(Role)) others[role] = (await tokenService.createForSlug('org-b', role, `b-${role.toLowerCase()}`)).token;
  other = others.ADMIN;
});
afterAll(async () => {
  if (pooler) {
    // The hub's transactions really went through PgBouncer, and over fewer server sessions than it has clients.
    const admin = new Client({ connectionString: pooler.adminUrl });
    await admin.connect();
    try {
      const { rows: stats } = await admin.query('SHOW STATS');
      const { rows: servers } = await admin.query('SHOW SERVERS');
      const db = new URL(t.appUrl).pathname.slice(1);
      expect(Number(stats.find((r) => r.database === db)?.total_xact_count)).toBeGreaterThan(100);
      expect(servers.filter((r) => r.database === db).length).toBeLessThanOrEqual(3);
    } finally {
      await admin.end();
    }
  }
  await t.stop();
  await pooler?.stop();
});

/** Which of A's ids an argument most likely wants. */
function idFor(field: string, arg: string): string {
  const byArg: Record<string, string> = {
    after: ids.event, evidenceId: ids.evidence, aiSystemId: ids.aiSystem, pointId: ids.point, auditId: ids.audit, findingId: ids.finding, recordId: ids.record,
  };
  if (byArg[arg]) return byArg[arg];
  const byField: [RegExp, string][] = [
    [/ImpactAssessment|impactAssessment/, ids.assessment], [/GateTask/, ids.gateTask], [/Nonconformity|nonconformit/, ids.nc],
    [/InternalAudit/, ids.audit], [/ApiToken/, ids.token], [/RegisterRecord/, ids.record], [/evidence/i, ids.evidence],
    [/AiSystem|aiSystem|LifecycleStage/, ids.aiSystem], [/node/, ids.aiSystem],
  ];
  return byField.find(([re]) => re.test(field))?.[1] ?? ids.evidence;
}

const args = (f: GraphQLField<unknown, unknown>) => f.args.map((a: GraphQLArgument) => [a.name, inputValue(a.type, a.name, f.name, idFor)] as const);

/** Nested fields to this many object levels below the root's (3 doubles the run time, to ~45 s, for catalog-sized answers). */
const DEPTH = 2;

it('organization B cannot reach organization A\'s private framework by key, ref, id, search or export', async () => {
  const probes = [
    `{ frameworks(allVersions: true) { key name } }`,
    `{ framework(key: "orga-private") { key name } }`,
    `{ requirement(framework: "orga-private", ref: "PC-1") { ref title } }`,
    `{ node(id: "${ids.privateRequirement}") { id ... on Requirement { title } } }`,
    `{ node(id: "${ids.privateFramework}") { id ... on Framework { name } } }`,
    `{ searchRequirements(query: "control") { requirement { ref title } } }`,
    `{ exportOscal(kind: CATALOG, framework: "orga-private") }`,
    `{ exportOscal(kind: MAPPING, source: "orga-private", target: "iso27001") }`,
    `{ exportOscal(kind: ASSESSMENT_RESULTS, framework: "orga-private") }`,
    `{ coverage(framework: "orga-private") { totals { assessable } } }`,
    `mutation { upsertEvidence(input: { sourceSystem: "b", externalId: "b1", title: "b", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z", links: [{ framework: "orga-private", ref: "PC-1" }] }) { outcome } }`,
    `mutation { importMappings(input: { format: CSV, provenance: { key: "b-map", name: "b" }, document: "source_framework,source_ref,relationship,target_framework,target_ref\\norga-private,PC-1,EQUAL,iso27001,A.5.1\\n" }) { mappingCount } }`,
  ];
  for (const doc of probes) {
    const res = await t.gql(doc, undefined, { token: other });
    const text = JSON.stringify(res);
    expect([doc, text.includes(MARK) || text.includes(ids.privateRequirement) && !doc.includes(ids.privateRequirement)]).toEqual([doc, false]);
    expect([doc, res.status < 500]).toEqual([doc, true]);
  }
  // the mapping import above was refused for B: nothing written
  expect((await t.ds.query(`SELECT count(*)::int AS n FROM mapping_source WHERE key = 'b-map'`))[0].n).toBe(0);
  // and B may use the same key for its own framework
  const mine = await t.gql(`mutation { importFramework(input: { format: CSV, key: "orga-private", version: "1", name: "B's", document: "ref,title\\nX,x\\n" }) { created } }`, undefined, { token: other });
  expect(mine.data?.importFramework.created).toBe(true);
});

it('organization B gets nothing of organization A from any root query or mutation, nested fields included, whatever its role', async () => {
  const schema = await hubSchema();
  const [{ id: orgA }] = await t.ds.query(`SELECT id FROM organization WHERE slug = 'test-org'`);
  const A = `organization_id = '${orgA}'`;
  const snapshot = async () => JSON.stringify(await t.ds.query(`SELECT
      (SELECT count(*) FROM evidence WHERE ${A}) e, (SELECT max(updated_at) FROM evidence WHERE ${A}) eu,
      (SELECT count(*) FROM evidence_link WHERE ${A} AND unlinked_at IS NULL) l, (SELECT max(updated_at) FROM ai_system WHERE ${A}) su,
      (SELECT string_agg(status || coalesce(approved_at::text, ''), ',') FROM impact_assessment WHERE ${A}) ia,
      (SELECT string_agg(status, ',') FROM nonconformity WHERE ${A}) nc, (SELECT max(updated_at) FROM register_record WHERE ${A}) rr,
      (SELECT string_agg(status, ',') FROM gate_task WHERE ${A}) gt, (SELECT count(*) FROM api_token WHERE ${A} AND revoked_at IS NOT NULL) rt,
      (SELECT count(*) FROM applicability_decision WHERE ${A}) ad, (SELECT count(*) FROM prefill_rejection WHERE ${A}) pr,
      (SELECT count(*) FROM oversight_record WHERE ${A}) ovr, (SELECT count(*) FROM measurement WHERE ${A}) m,
      (SELECT count(*) FROM mapping_source WHERE ${A}) ms, (SELECT count(*) FROM audit_finding WHERE ${A}) af`));
  const before = await snapshot();
  let calls = 0;
  // The roles probe side by side (each its fields in order), to keep the file's run time down.
  await Promise.all(Object.entries(others).map(async ([role, token]) => {
    for (const [kind, type] of [['query', schema.getQueryType()!], ['mutation', schema.getMutationType()!]] as const) {
      for (const f of Object.values(type.getFields())) {
        const a = args(f);
        const decl = a.map(([n], i) => `$v${i}: ${f.args[i].type.toString()}`).join(', ');
        const use = a.map(([n], i) => `${n}: $v${i}`).join(', ');
        const doc = `${kind}${decl ? `(${decl})` : ''} { ${f.name}${use ? `(${use})` : ''} ${selectionOf(getNamedType(f.type), DEPTH, idFor)} }`;
        const res = await t.gql(doc, Object.fromEntries(a.map(([, v], i) => [`v${i}`, v])), { token });
        calls++;
        const text = JSON.stringify(res);
        const sent = JSON.stringify(a);
        // A's text (every A object carries MARK) must never appear; an A id only as an echo of B's own
        // arguments (e.g. "unknown oversight point <id>"), never otherwise.
        const leaked = [...(text.includes(MARK) ? [MARK] : []), ...Object.values(ids).filter((id) => text.includes(id) && !sent.includes(id))];
        expect([role, f.name, leaked]).toEqual([role, f.name, []]);
        expect([role, f.name, res.status, (res.errors ?? []).filter((e) => !e.extensions?.code || e.extensions.code === 'INTERNAL_SERVER_ERROR')])
          .toEqual([role, f.name, 200, []]);
      }
    }
  }));
  expect(calls).toBeGreaterThan(50 * Object.values(Role).length);
  expect(await snapshot()).toBe(before);
});

it('organization B subscribed to every subscription, whatever its role, receives nothing while organization A writes', async () => {
  const schema = await hubSchema();
  const [{ id: orgA }] = await t.ds.query(`SELECT id FROM organization WHERE slug = 'test-org'`);
  const [{ id: orgB }] = await t.ds.query(`SELECT id FROM organization WHERE slug = 'org-b'`);
  const clients: WsClient[] = [];
  const connect = (token: string) => {
    const c = wsClient(t, { authorization: `Bearer ${token}` });
    clients.push(c);
    return c;
  };
  try {
    // A's own subscriber: shows when A's events have gone out.
    const control = connect(t.token).subscribe(`subscription { events { id payload } }`);
    const subs: { role: string; field: string; sent: string; sub: Received }[] = [];
    for (const [role, token] of Object.entries(others)) {
      const c = connect(token);
      for (const f of Object.values(schema.getSubscriptionType()!.getFields())) {
        const sel = selectionOf(getNamedType(f.type), DEPTH, idFor);
        // Live, without arguments; and aimed at A: A's AI system, A's event as `after`.
        subs.push({ role, field: f.name, sent: '', sub: c.subscribe(`subscription { ${f.name} ${sel} }`) });
        const a = args(f);
        const decl = a.map(([n], i) => `$v${i}: ${f.args[i].type.toString()}`).join(', ');
        const use = a.map(([n], i) => `${n}: $v${i}`).join(', ');
        subs.push({ role, field: f.name, sent: JSON.stringify(a), sub: c.subscribe(`subscription(${decl}) { ${f.name}(${use}) ${sel} }`, Object.fromEntries(a.map(([, v], i) => [`v${i}`, v]))) });
      }
    }
    const admitted = subs.filter((s) => !s.sent && allows(declaredRoles('Subscription', s.field)!, s.role as Role));
    expect(admitted.length).toBeGreaterThan(5);
    await until(() => t.feed.listening(orgB) === admitted.length && t.feed.listening(orgA) === 1 && subs.every((s) => admitted.includes(s) || s.sub.completed),
      'B\'s subscriptions to be live or refused');
    // Aimed at A: refused, each with its code (A's event and system are unknown to B), nothing else.
    for (const s of subs.filter((x) => !admitted.includes(x))) {
      expect([s.role, s.field, s.sent, s.sub.data, s.sub.errors.map((e) => e.extensions?.code).filter((c) => !['FORBIDDEN', 'NOT_FOUND', 'EVENT_NOT_FOUND'].includes(c))])
        .toEqual([s.role, s.field, s.sent, [], []]);
    }

    // A writes (evidence, a review that moves coverage), and A's events go out.
    const mark = Number((await t.ds.query(`SELECT last_position FROM hub_event_stream`))[0].last_position);
    const e = (await t.data(`mutation { upsertEvidence(input: { sourceSystem: "${MARK}", externalId: "live", title: "${MARK} live", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z",
      links: [{ framework: "iso27001", ref: "A.5.2" }] }) { evidence { id } } }`)).upsertEvidence.evidence.id;
    await t.data(`mutation { reviewEvidence(input: { evidenceId: "${e}", status: ACCEPTED, comment: "${MARK}" }) { evidence { id } } }`);
    await t.events!.publish();
    const fromA: { id: string }[] = await t.ds.query(`SELECT id FROM hub_event WHERE organization_id = $1 AND position > $2 ORDER BY position`, [orgA, mark]);
    expect(fromA.length).toBeGreaterThan(3);
    await control.wait((d) => d.length >= fromA.length, 'A\'s events at A\'s subscriber');
    expect(control.data.map((x) => x.id)).toEqual(fromA.map((r) => r.id));

    // Then B writes: B's own events come after A's on every B connection, so what B holds now is all it would get.
    await t.gql(`mutation { upsertEvidence(input: { sourceSystem: "b", externalId: "sentinel", title: "b sentinel", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z" }) { evidence { id } } }`, undefined, { token: other });
    await t.events!.publish();
    for (const s of admitted.filter((x) => x.field === 'events')) await s.sub.wait((d) => d.some((x) => x.payload.data.evidence?.title === 'b sentinel'), `B's own event at ${s.role}`);
    for (const s of subs) {
      const text = JSON.stringify([s.sub.data, s.sub.errors]);
      const leaked = [...(text.includes(MARK) ? [MARK] : []), ...(text.includes(orgA) ? ['organization A'] : []),
        ...Object.values(ids).filter((id) => text.includes(id) && !s.sent.includes(id)), ...fromA.map((r) => r.id).filter((id) => text.includes(id))];
      expect([s.role, s.field, s.sent, leaked]).toEqual([s.role, s.field, s.sent, []]);
      expect([s.role, s.field, s.sub.data.filter((x) => x.payload && x.payload.organizationId !== orgB)]).toEqual([s.role, s.field, []]);
    }
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
  }
});
});
