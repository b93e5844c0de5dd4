import { GraphQLField, GraphQLObjectType, GraphQLSchema, getNamedType, isObjectType } from 'graphql';
import { hubSchema } from '../../src/graphql/schema';
import { READ_RULES } from '../../src/modules/auth/read-rules';
import { Role, allows } from '../../src/modules/auth/role';
import { startTestHub, GqlResponse, TestHub } from '../harness/hub';
import { argumentsOf, declaredRoles } from '../harness/schema-probe';

/**
 * Role x object type, over nested paths generated from the schema: for every role and every object type,
 * the shortest field paths that reach the type from a root field (queries generated, mutations below), and
 * the answer must be exactly what READ_RULES says: data where the role may read every object on the path,
 * null and FORBIDDEN at the first object (or root field) it may not read, and never anything beyond it.
 */
const MARK = 'MATRIX-MARK';
const roles = Object.values(Role);
let t: TestHub;
let schema: GraphQLSchema;
const tokens = {} as Record<Role, string>;
const ids: Record<string, string> = {};
let serial = 0;

beforeAll(async () => {
  t = await startTestHub();
  schema = await hubSchema();
  tokens.ADMIN = t.token;
  for (const role of roles.filter((r) => r !== Role.ADMIN)) {
    tokens[role] = (await t.data(`mutation($r: Role!) { createApiToken(input: { name: "${role.toLowerCase()}-matrix", role: $r }) { token } }`, { r: role })).createApiToken.token;
  }
  const q = (query: string, variables?: Record<string, unknown>) => t.data(query, variables);
  const as = async (role: Role, query: string) => {
    const res = await t.gql(query, undefined, { token: tokens[role] });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data;
  };
  ids.sys = (await q(`mutation { registerAiSystem(input: { name: "${MARK} system", euRoles: [DEPLOYER], riskClass: HIGH_RISK, highRiskRoute: ANNEX_III,
    components: [{ supplier: "${MARK}", model: "m", version: "1" }] }) { id } }`)).registerAiSystem.id;
  await q(`mutation { updateAiSystem(input: { id: "${ids.sys}", intendedPurpose: "${MARK} purpose", reason: "matrix" }) { version } }`);
  await q(`mutation { addGateTask(input: { aiSystemId: "${ids.sys}", stage: DEPLOYMENT, title: "${MARK} task", requirements: ["iso42001 A.6.2.4"] }) { id } }`);
  ids.ia = (await q(`mutation { startImpactAssessment(aiSystemId: "${ids.sys}", assessor: "${MARK}") { id } }`)).startImpactAssessment.id;
  ids.point = (await q(`mutation { addOversightPoint(input: { aiSystemId: "${ids.sys}", name: "${MARK} point", mechanism: OVERRIDE }) { id } }`)).addOversightPoint.id;
  await q(`mutation { recordOversight(input: { items: [{ pointId: "${ids.point}", reviewer: "${MARK}", decidedAt: "${new Date(Date.now() - 86_400_000).toISOString()}", decision: APPROVED, caseRef: "C-1" }] }) { created } }`);
  ids.metric = (await q(`mutation { upsertRegisterRecord(input: { kind: MONITORING_METRIC, aiSystemId: "${ids.sys}", title: "${MARK} metric", status: "ACTIVE", data: { max: 1 } }) { id } }`)).upsertRegisterRecord.id;
  await q(`mutation { recordMeasurements(input: { items: [{ recordId: "${ids.metric}", measuredAt: "2026-01-01T00:00:00Z", value: 0.5, externalId: "w1" }] }) { created } }`);
  ids.audit = (await q(`mutation { createInternalAudit(input: { title: "${MARK} audit" }) { id } }`)).createInternalAudit.id;
  ids.finding = (await q(`mutation { addAuditFinding(input: { auditId: "${ids.audit}", type: MINOR_NC, description: "${MARK} finding", requirements: ["iso42001 A.6.2.6"] }) { id } }`)).addAuditFinding.id;
  await q(`mutation { raiseNonconformity(input: { source: AUDIT_FINDING, findingId: "${ids.finding}", aiSystemId: "${ids.sys}", description: "${MARK} nc" }) { id } }`);
  await q(`mutation { setApplicability(input: { framework: "iso27001", ref: "A.5.1", applicability: APPLICABLE, justification: "${MARK}" }) { id } }`);
  // A declared condition: its history is readable, and the qualified 27001 -> 42001 rows name the qualifier they rely on.
  await q(`mutation { declareOrganizationCondition(input: { condition: "integratedManagementSystem", parameters: ["internalAudit"], holds: true, note: "${MARK}" }) { graph { id } } }`);
  // An own set that contradicts the shipped 27001 -> 42001 (EQUAL where v2 says INTERSECTS_WITH): mappingConsistency has findings to show.
  await q(`mutation { createMappingSet(input: { key: "matrix-own", name: "${MARK} own", sourceFramework: "iso27001", targetFramework: "iso42001",
    mappings: [{ sourceRef: "9.3.2", targetRef: "9.3.2", relationship: EQUAL }] }) { mappingCount } }`);
  // Evidence the organization holds (pre-fills iso42001 4.1 through the seeded mappings), and evidence the integrator wrote.
  ids.ctx = (await q(`mutation { upsertEvidence(input: { sourceSystem: "admin", externalId: "ctx", title: "${MARK} context", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z",
    status: ACCEPTED, aiSystemId: "${ids.sys}", links: [{ framework: "iso27001", ref: "4.1" }] }) { evidence { id } } }`)).upsertEvidence.evidence.id;
  const own = (effectiveAt: string) => `mutation { upsertEvidence(input: { sourceSystem: "ci", externalId: "own", title: "own", kind: TEST_RESULT, effectiveAt: "${effectiveAt}",
    aiSystemId: "${ids.sys}", links: [{ framework: "iso27001", ref: "A.5.1" }] }) { evidence { id } } }`;
  ids.own = (await as(Role.INTEGRATOR, own('2026-01-01T00:00:00Z'))).upsertEvidence.evidence.id;
  await as(Role.INTEGRATOR, own('2026-02-01T00:00:00Z')); // new content: a revision
  await q(`mutation { reviewEvidence(input: { evidenceId: "${ids.own}", status: ACCEPTED, comment: "${MARK} review" }) { evidence { id } } }`);
  ids.requirement = (await q(`{ requirement(framework: "iso27001", ref: "A.5.1") { id } }`)).requirement.id;
  // Mapping review: the shipped versions of 27001 -> 42001 to compare, and a proposed change to read.
  const versions = (await q(`{ mappingSources { id key version } }`)).mappingSources.filter((s: { key: string }) => s.key === 'iso27001-to-iso42001');
  [ids.v1, ids.v2] = [1, 2].map((v) => versions.find((s: { version: number }) => s.version === v).id);
  GIVEN.mappingSetDiff = { from: ids.v1, to: ids.v2 };
  ids.change = await proposed(Role.ANALYST);
  // A webhook endpoint with one delivery and one attempt (this hub runs no workers: written as a worker would).
  ids.webhook = (await q(`mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/matrix", description: "${MARK} hook", framework: "iso27001" }) { endpoint { id } } }`)).createWebhookEndpoint.endpoint.id;
  const [event] = await t.ds.query(`SELECT id, organization_id, key FROM hub_event ORDER BY id LIMIT 1`);
  [{ id: ids.delivery }] = await t.ds.query(`INSERT INTO webhook_delivery (organization_id, endpoint_id, event_id, ordering_key, status, attempts, last_status_code)
    VALUES ($1, $2, $3, $4, 'DELIVERED', 1, 200) RETURNING id`, [event.organization_id, ids.webhook, event.id, event.key]);
  await t.ds.query(`INSERT INTO webhook_attempt (organization_id, delivery_id, status_code, duration_ms, response_excerpt) VALUES ($1, $2, 200, 5, 'ok')`, [event.organization_id, ids.delivery]);
  await q(`mutation { recordAmendmentPublication(input: { amendment: "digital-omnibus-ai-2026", ojReference: "${MARK} OJ", publishedOn: "2026-07-20", entryIntoForce: "2028-01-01" }) { key } }`);
  // Events are published by the workers (off here): publish what the writes above left, for the events query.
  await t.events!.publish();
});
afterAll(async () => {
  await t.stop();
});

/** The root fields the paths start from: every query (arguments generated), and the mutations below with valid input. */
interface Root { kind: 'query' | 'mutation'; field: GraphQLField<unknown, unknown>; call: (role: Role) => Promise<{ pre: string; args: string }> }

const at = '2026-01-01T00:00:00Z';
const MUTATIONS: Record<string, (role: Role, n: number) => Promise<string> | string> = {
  upsertEvidence: (role) => `(input: { sourceSystem: "matrix", externalId: "m-${role}", title: "m", kind: RECORD, effectiveAt: "${at}", aiSystemId: "${ids.sys}", links: [{ framework: "iso27001", ref: "A.5.1" }] })`,
  bulkUpsertEvidence: (role) => `(input: { items: [{ sourceSystem: "matrix", externalId: "b-${role}", title: "b", kind: RECORD, effectiveAt: "${at}" },
    { sourceSystem: "matrix", externalId: "bad", title: "b", kind: RECORD, effectiveAt: "${at}", links: [{ framework: "iso27001", ref: "NO-SUCH" }] }] })`,
  linkEvidence: () => `(input: { evidenceId: "${ids.own}", framework: "iso27001", ref: "A.5.2" })`,
  unlinkEvidence: () => `(input: { evidenceId: "${ids.own}", framework: "iso27001", ref: "A.5.3" })`,
  recordOversight: () => `(input: { items: [{ pointId: "${ids.point}", reviewer: "m", decidedAt: "${at}", decision: APPROVED, caseRef: "M-1" }] })`,
  recordMeasurements: () => `(input: { items: [{ recordId: "${ids.metric}", measuredAt: "${at}", value: 1, externalId: "m1" }] })`,
  reviewEvidence: () => `(input: { evidenceId: "${ids.ctx}", status: ACCEPTED, comment: "again" })`,
  rejectPrefill: async (_role, n) => {
    // A rejection is made once per evidence: a fresh piece each time, pre-filling iso42001 4.1.
    const e = await t.data(`mutation { upsertEvidence(input: { sourceSystem: "admin", externalId: "rp-${n}", title: "rp", kind: RECORD, effectiveAt: "${at}", status: ACCEPTED,
      links: [{ framework: "iso27001", ref: "4.1" }] }) { evidence { id } } }`);
    return `(input: { framework: "iso42001", ref: "4.1", evidenceId: "${e.upsertEvidence.evidence.id}", reason: "matrix" })`;
  },
  createMappingSet: (_role, n) => `(input: { key: "m-set-${n}", name: "m", sourceFramework: "iso27001", targetFramework: "iso42001", mappings: [{ sourceRef: "A.5.1", targetRef: "A.2.2", relationship: EQUAL }] })`,
  importFramework: (_role, n) => `(input: { format: CSV, key: "m-fw-${n}", version: "1", name: "m", document: "ref,title\\nM-1,m\\n" })`,
  importApplicability: () => `(input: { framework: "iso27001", document: "ref,applicable\\nA.5.1,yes\\nA.9.9,yes\\n", keepGoodRows: true, reuseTo: ["iso42001"] })`,
  // The role's own item, linked, made first with its token under this source system: absent from the sheet. The second row has no title.
  importEvidenceRegister: async (role, n) => {
    await t.gql(`mutation { upsertEvidence(input: { sourceSystem: "matrix-sheet-${n}", externalId: "earlier", title: "e", kind: RECORD, effectiveAt: "${at}",
      links: [{ framework: "iso27001", ref: "A.5.1" }] }) { outcome } }`, undefined, { token: tokens[role] });
    return `(input: { framework: "iso27001", sourceSystem: "matrix-sheet-${n}", document: "id,title,effective date,controls\\nS-1,s,2026-01-01,A.5.1\\nS-2,,2026-01-01,A.5.1\\n", keepGoodRows: true, reuseTo: ["iso42001"] })`;
  },
  importMappings: (_role, n) => `(input: { format: CSV, provenance: { key: "m-map-${n}", name: "m" }, document: "source_framework,source_ref,relationship,target_framework,target_ref\\niso27001,A.5.1,EQUAL,iso42001,A.2.2\\n" })`,
  createApiToken: (_role, n) => `(input: { name: "m-${n}", role: VIEWER })`,
  declareOrganizationCondition: () => `(input: { condition: "integratedManagementSystem", parameters: ["managementReview"], holds: true })`,
  proposeMappingChange: () => `(input: { mappingSourceId: "${ids.v2}", title: "m", changes: [{ op: CHANGE, sourceRef: "4.3", targetRef: "4.3", strength: 6 }] })`,
  // Decided by someone other than its proposer; withdrawn by its proposer (the role itself where it may propose).
  decideMappingChange: async () => `(input: { id: "${await proposed(Role.ANALYST)}", approve: false, comment: "matrix" })`,
  rebuildCoverageHistory: () => `(since: "2026-01-01T00:00:00Z")`,
  createWebhookEndpoint: (_role, n) => `(input: { url: "http://127.0.0.1:9/matrix-${n}", eventTypes: [EVIDENCE_CREATED] })`,
  updateWebhookEndpoint: () => `(input: { id: "${ids.webhook}", description: "m" })`,
  enableWebhookEndpoint: () => `(input: { id: "${ids.webhook}" })`,
  deleteWebhookEndpoint: async (_role, n) => {
    const made = await t.data(`mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/gone-${n}" }) { endpoint { id } } }`);
    return `(input: { id: "${made.createWebhookEndpoint.endpoint.id}" })`;
  },
  rotateWebhookSecret: () => `(input: { endpointId: "${ids.webhook}", overlapHours: 1 })`,
  replayWebhookDelivery: () => `(input: { deliveryId: "${ids.delivery}" })`,
  replayWebhookEvents: () => `(input: { endpointId: "${ids.webhook}", since: "2020-01-01T00:00:00Z" })`,
  withdrawMappingChange: async (role) => `(input: { id: "${await proposed(allows(declaredRoles('Mutation', 'proposeMappingChange')!, role) ? role : Role.ANALYST)}" })`,
};

/**
 * A PROPOSED mapping change set on the shipped 27001 -> 42001 v2, proposed with the role's token: 4.1 -> 4.1 made EQUAL,
 * so the evidence on 27001 4.1 pre-fills 42001 4.1 (an impact with a status change) and a qualifier to read.
 */
async function proposed(role: Role): Promise<string> {
  const res = await t.gql(`mutation { proposeMappingChange(input: { mappingSourceId: "${ids.v2}", title: "${MARK} change",
    changes: [{ op: CHANGE, sourceRef: "4.1", targetRef: "4.1", relationship: EQUAL, strength: 9, qualifiers: [{ when: "integratedManagementSystem", relationship: EQUAL }] }] }) { changeSet { id } } }`,
  undefined, { token: tokens[role] });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.proposeMappingChange.changeSet.id;
}
/** Arguments of root queries where a guess would find nothing. */
const GIVEN: Record<string, Record<string, unknown>> = {
  coverage: { framework: 'iso42001' }, mappingChangeSets: { first: 1 }, mappingPaths: { from: { framework: 'iso27001', ref: '9.2.2' }, toFramework: 'iso42001' }, gaps: { framework: 'eu-ai-act' }, framework: { key: 'iso27001' },
  requirement: { framework: 'iso27001', ref: '9.2.2' }, searchRequirements: { query: 'access' }, searchRequirementsConnection: { query: 'access' }, mappingVersionImpact: { key: 'iso27001-to-iso42001', version: 1 },
};

function idFor(field: string): string {
  return ({ webhookEndpoint: ids.webhook, webhookDeliveries: ids.webhook, aiSystem: ids.sys, impactAssessment: ids.ia, evidence: ids.own, node: ids.requirement, mappingChangeSet: ids.change, mappingChangeImpact: ids.change } as Record<string, string>)[field] ?? ids.sys;
}

function roots(): Root[] {
  const out: Root[] = [];
  for (const f of Object.values(schema.getQueryType()!.getFields())) {
    out.push({ kind: 'query', field: f, call: async () => ({ pre: '', args: argumentsOf(f, idFor, { ...GIVEN[f.name], ...(f.args.some((a) => a.name === 'aiSystemId') ? { aiSystemId: ids.sys } : {}) }) }) });
  }
  for (const [name, args] of Object.entries(MUTATIONS)) {
    const f = schema.getMutationType()!.getFields()[name];
    out.push({
      kind: 'mutation', field: f,
      call: async (role) => ({
        // Unlinking needs an active link: made first, in the same request (mutations run in order).
        pre: name === 'unlinkEvidence' && allows(declaredRoles('Mutation', 'linkEvidence')!, role) ? `made: linkEvidence(input: { evidenceId: "${ids.own}", framework: "iso27001", ref: "A.5.3" }) { changed }` : '',
        args: await args(role, ++serial),
      }),
    });
  }
  return out;
}


interface Path { root: Root; fields: GraphQLField<unknown, unknown>[]; type: string; refusedAt: number | null }

/** Whether `role` gets the object(s) a field returns: its own @Authorized rule and the read rule of its type. */
function admits(role: Role, parent: string, f: GraphQLField<unknown, unknown>): boolean {
  const declared = declaredRoles(parent, f.name);
  return (!declared || allows(declared, role)) && allows(READ_RULES[getNamedType(f.type).name] ?? [], role);
}

/**
 * Up to `k` shortest readable paths and `k` shortest refused ones per object type, from the root fields the role
 * may call; through refused fields, then from any root field, only for a type no such path reaches.
 */
function pathsFor(role: Role, k = 2): Map<string, Path[]> {
  const found = new Map<string, Path[]>();
  const search = (throughRefused: boolean, allRoots: boolean) => {
    const expanded = new Set<string>();
    let queue: Path[] = roots().filter((r) => isObjectType(getNamedType(r.field.type))).map((r) => ({
      root: r, fields: [], type: getNamedType(r.field.type).name, refusedAt: admits(role, r.kind === 'query' ? 'Query' : 'Mutation', r.field) ? null : 0,
    })).filter((p) => allRoots || p.refusedAt === null || allows(declaredRoles(p.root.kind === 'query' ? 'Query' : 'Mutation', p.root.field.name) ?? [], role));
    while (queue.length) {
      const next: Path[] = [];
      for (const p of queue) {
        const list = found.get(p.type) ?? [];
        const wanted = throughRefused ? !list.length : list.filter((x) => (x.refusedAt === null) === (p.refusedAt === null)).length < k;
        if (wanted && (!throughRefused || p.refusedAt !== null)) found.set(p.type, [...list, p]);
        if (expanded.has(p.type) || (!throughRefused && p.refusedAt !== null) || p.fields.length >= 6) continue;
        expanded.add(p.type);
        for (const f of Object.values((schema.getType(p.type) as GraphQLObjectType).getFields())) {
          const inner = getNamedType(f.type);
          if (!isObjectType(inner)) continue;
          const refusedAt = p.refusedAt ?? (admits(role, p.type, f) ? null : p.fields.length + 1);
          next.push({ root: p.root, fields: [...p.fields, f], type: inner.name, refusedAt });
        }
      }
      queue = next;
    }
  };
  search(false, false);
  search(true, false);
  search(true, true);
  return found;
}

async function run(role: Role, p: Path): Promise<{ doc: string; res: GqlResponse }> {
  const { pre, args } = await p.root.call(role);
  let sel = '{ __typename }';
  for (const f of [...p.fields].reverse()) sel = `{ ${f.name}${argumentsOf(f, idFor)} ${sel} }`;
  const doc = `${p.root.kind} { ${pre} ${p.root.field.name}${args} ${sel} }`;
  return { doc, res: await t.gql(doc, undefined, { token: tokens[role] }) };
}

/** The values at each level of a path, through lists. */
function valuesAt(data: unknown, names: string[]): unknown[][] {
  const levels: unknown[][] = [];
  let current: unknown[] = [data];
  for (const name of names) {
    current = current.flatMap((v) => (v && typeof v === 'object' ? [(v as Record<string, unknown>)[name]] : [])).flatMap((v) => (Array.isArray(v) ? v : [v]));
    levels.push(current);
  }
  return levels;
}

describe.each(roles)('%s', (role) => {
  it('reads exactly the object types its rules allow, whatever path reaches them', async () => {
    const problems: string[] = [];
    const paths = pathsFor(role);
    const types = Object.keys(READ_RULES);
    for (const type of types) {
      const candidates = paths.get(type) ?? [];
      if (!candidates.length) { problems.push(`${type}: no path`); continue; }
      let served = 0;
      for (const p of candidates) {
        const { doc, res } = await run(role, p);
        const names = [p.root.field.name, ...p.fields.map((f) => f.name)];
        const levels = valuesAt(res.data, names);
        const forbidden = (res.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN');
        const objects = levels[names.length - 1].filter((v) => v !== null && v !== undefined);
        if (p.refusedAt === null) {
          if (forbidden.length) problems.push(`${type}: FORBIDDEN on a readable path: ${doc} -> ${JSON.stringify(forbidden)}`);
          if (objects.some((o) => (o as { __typename: string }).__typename !== type)) problems.push(`${type}: wrong type ${doc}`);
          if (objects.length) served++;
        } else {
          const where = names.slice(0, p.refusedAt + 1).join('.');
          const refusals = forbidden.filter((e) => (e.path ?? []).filter((s) => typeof s === 'string').join('.') === where);
          if (!refusals.length || refusals.some((e) => !e.message.startsWith(`Role ${role} may not `))) problems.push(`${type}: no FORBIDDEN at ${where}: ${doc} -> ${JSON.stringify(res.errors)}`);
          if (levels[p.refusedAt].some((v) => v !== null && v !== undefined)) problems.push(`${type}: data at the refused ${where}: ${doc}`);
          if (JSON.stringify(res.data ?? null).includes(MARK)) problems.push(`${type}: ${MARK} came back: ${doc}`);
        }
      }
      const readable = candidates.some((p) => p.refusedAt === null);
      if (readable !== allows(READ_RULES[type], role)) problems.push(`${type}: ${readable ? 'reached though refused' : 'never reached though readable'}`);
      if (readable && !served) problems.push(`${type}: readable but no path brought data: ${candidates.map((p) => [p.root.field.name, ...p.fields.map((f) => f.name)].join('.')).join(' | ')}`);
    }
    expect(problems).toEqual([]);
    expect(types.length).toBeGreaterThan(70);
  });
});

describe('the finding, and objects an INTEGRATOR did not write', () => {
  it('upsertEvidence gives the integrator its evidence but not the AI system behind it', async () => {
    const res = await t.gql(`mutation { upsertEvidence(input: { sourceSystem: "ci", externalId: "finding", title: "mine", kind: RECORD, effectiveAt: "${at}", aiSystemId: "${ids.sys}" }) {
      outcome evidence { title aiSystem { name history { snapshot } impactAssessments { assessor } gateTasks { title } oversightPoints { name } } } } }`, undefined, { token: tokens.INTEGRATOR });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ upsertEvidence: { outcome: 'CREATED', evidence: { title: 'mine', aiSystem: null } } });
    expect(res.errors).toEqual([expect.objectContaining({
      message: 'Role INTEGRATOR may not read AiSystem (Evidence.aiSystem; needs VIEWER)', path: ['upsertEvidence', 'evidence', 'aiSystem'], extensions: { code: 'FORBIDDEN' },
    })]);
    expect(JSON.stringify(res)).not.toContain(MARK);
    // A VIEWER reads the same system through the same evidence.
    const viewer = await t.gql(`{ evidences(filter: { sourceSystem: "ci" }) { nodes { externalId aiSystem { name } } } }`, undefined, { token: tokens.VIEWER });
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data.evidences.nodes.find((n: { externalId: string }) => n.externalId === 'finding').aiSystem).toEqual({ name: `${MARK} system` });
  });

  it('the integrator cannot link evidence it did not write: to it, that evidence does not exist', async () => {
    const res = await t.gql(`mutation { linkEvidence(input: { evidenceId: "${ids.ctx}", framework: "iso27001", ref: "A.5.9" }) { changed link { linkedBy requirement { ref } evidence { title } } } }`,
      undefined, { token: tokens.INTEGRATOR });
    expect(res.data).toBeNull();
    expect(res.errors).toEqual([expect.objectContaining({ message: `No evidence with id "${ids.ctx}"`, path: ['linkEvidence'], extensions: { code: 'NOT_FOUND', id: ids.ctx } })]);
    expect(JSON.stringify(res)).not.toContain(MARK);
    expect(await t.ds.query(`SELECT l.id FROM evidence_link l JOIN requirement r ON r.id = l.requirement_id WHERE l.evidence_id = $1 AND r.ref = 'A.5.9'`, [ids.ctx])).toEqual([]);
    // Through its own evidence's links it reads its own evidence back.
    const mine = await t.gql(`{ evidence(id: "${ids.own}") { links { evidence { externalId } } } }`, undefined, { token: tokens.INTEGRATOR });
    expect(mine.errors).toBeUndefined();
    expect(mine.data.evidence.links.map((l: { evidence: { externalId: string } }) => l.evidence.externalId)).toContain('own');
  });

  it('upserting under another writer\'s key is a CONFLICT: nothing is handed over or changed', async () => {
    const res = await t.gql(`mutation { upsertEvidence(input: { sourceSystem: "admin", externalId: "ctx", title: "taken over", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z" }) {
      outcome evidence { title description aiSystem { id } } } }`, undefined, { token: tokens.INTEGRATOR });
    expect(JSON.stringify(res)).not.toContain(MARK);
    expect(res.data).toBeNull();
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['CONFLICT']);
    expect(await t.ds.query(`SELECT title FROM evidence WHERE id = $1`, [ids.ctx])).not.toEqual([{ title: 'taken over' }]);
  });
});
