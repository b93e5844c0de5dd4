import { GraphQLObjectType, GraphQLSchema, getNamedType, isInterfaceType, isObjectType, isNonNullType } from 'graphql';
import { hubSchema } from '../../src/graphql/schema';
import { Role } from '../../src/modules/auth/role';
import { startTestHub, tokenFor, TestHub } from '../harness/hub';

/**
 * The Relay contract, walked from the built schema: every object type implementing Node resolves through
 * node(id) and nodes(ids) within the caller's organization, and every connection type has the full
 * PageInfo and pages forward (first/after) and backward (last/before) to the same list.
 */
const MARK = 'RELAY-MARK';
let t: TestHub;
let schema: GraphQLSchema;
/** One object of each Node type, made in the test organization. */
const made: Record<string, string> = {};
let webhookEndpoint: string;
const tokens = {} as Record<'integrator' | 'otherOrg' | 'viewer', string>;

beforeAll(async () => {
  t = await startTestHub();
  schema = await hubSchema();
  const q = (query: string, variables?: Record<string, unknown>) => t.data(query, variables);
  tokens.integrator = (await q(`mutation { createApiToken(input: { name: "relay-integrator", role: INTEGRATOR }) { token } }`)).createApiToken.token;
  tokens.viewer = (await q(`mutation { createApiToken(input: { name: "relay-viewer", role: VIEWER }) { token } }`)).createApiToken.token;
  tokens.otherOrg = await tokenFor(t, 'relay-other', Role.ADMIN, 'relay-other-admin');
  made.AiSystem = (await q(`mutation { registerAiSystem(input: { name: "${MARK} system", euRoles: [DEPLOYER], riskClass: MINIMAL_RISK }) { id } }`)).registerAiSystem.id;
  made.ImpactAssessment = (await q(`mutation($s: ID!) { startImpactAssessment(aiSystemId: $s, assessor: "${MARK}") { id } }`, { s: made.AiSystem })).startImpactAssessment.id;
  for (let i = 0; i < 7; i++) {
    const e = await q(`mutation { upsertEvidence(input: { sourceSystem: "relay", externalId: "e${i}", title: "${MARK} ${i}", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z",
      links: [{ framework: "iso27001", ref: "A.5.1" }] }) { evidence { id } } }`);
    made.Evidence ??= e.upsertEvidence.evidence.id;
  }
  for (let i = 0; i < 4; i++) await q(`mutation { registerAiSystem(input: { name: "${MARK} extra ${i}", euRoles: [PROVIDER], riskClass: MINIMAL_RISK }) { id } }`);
  made.MappingSource = (await q(`mutation { createMappingSet(input: { key: "relay-set", name: "${MARK} set", sourceFramework: "iso27001", targetFramework: "iso42001",
    mappings: [{ sourceRef: "A.5.1", targetRef: "A.2.2", relationship: EQUAL }] }) { mappingSource { id } } }`)).createMappingSet.mappingSource.id;
  made.Framework = (await q(`mutation($d: String!) { importFramework(input: { format: CSV, key: "relay-private", version: "1", name: "${MARK} controls", document: $d }) { framework { id } } }`,
    { d: `ref,title\nRC-1,${MARK} one\nRC-2,${MARK} two\n` })).importFramework.framework.id;
  made.Requirement = (await q(`{ requirement(framework: "relay-private", ref: "RC-1") { id } }`)).requirement.id;
  webhookEndpoint = (await q(`mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/relay" }) { endpoint { id } } }`)).createWebhookEndpoint.endpoint.id;
  // Deliveries as a worker writes them (this hub runs none): one per event of the organization so far.
  await t.ds.query(`INSERT INTO webhook_delivery (organization_id, endpoint_id, event_id, ordering_key)
    SELECT e.organization_id, w.id, e.id, e.key FROM hub_event e JOIN webhook_endpoint w ON w.organization_id = e.organization_id WHERE w.id = $1 ORDER BY e.id LIMIT 9`, [webhookEndpoint]);
  // Events are published by the workers (off here): publish what the writes above left.
  await t.events!.publish();
  made.HubEvent = (await q(`{ events(first: 1) { nodes { id } } }`)).events.nodes[0].id;
});
afterAll(async () => {
  await t.stop();
});

const nodeTypes = () => schema.getImplementations(schema.getType('Node') as never).objects.map((o) => o.name).sort();

describe('node(id) and nodes(ids)', () => {
  it('every object type implementing Node resolves through both, as its own type', async () => {
    const types = nodeTypes();
    expect(types).toEqual(expect.arrayContaining(['AiSystem', 'Evidence', 'Framework', 'ImpactAssessment', 'MappingSource', 'Requirement']));
    const problems: string[] = [];
    for (const type of types) {
      const id = made[type];
      if (!id) { problems.push(`${type}: the test makes no object of this Node type`); continue; }
      const one = await t.gql(`query($id: ID!) { node(id: $id) { __typename id } }`, { id });
      if (one.errors || one.data?.node?.__typename !== type || one.data.node.id !== id) problems.push(`${type}: node(id) -> ${JSON.stringify(one)}`);
    }
    const ids = types.map((type) => made[type]).filter(Boolean);
    const many = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids });
    expect(many.errors).toBeUndefined();
    expect(many.data.nodes).toEqual(types.filter((type) => made[type]).map((type) => ({ __typename: type, id: made[type] })));
    expect(problems).toEqual([]);
  });

  it('nodes keeps the order asked and answers null for unknown, malformed and repeated-but-unknown ids', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const res = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Evidence { title } ... on Framework { key } } }`,
      { ids: [made.Framework, unknown, 'not-a-uuid', made.Evidence, made.Framework] });
    expect(res.errors).toBeUndefined();
    expect(res.data.nodes).toEqual([{ id: made.Framework, key: 'relay-private' }, null, null, { id: made.Evidence, title: `${MARK} 0` }, { id: made.Framework, key: 'relay-private' }]);
    const missing = await t.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: unknown });
    expect(missing.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  it('another organization gets NOT_FOUND from node and null from nodes, for every Node type it does not share', async () => {
    const own = nodeTypes().filter((type) => made[type]);
    for (const type of own) {
      const res = await t.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: made[type] }, { token: tokens.otherOrg });
      expect([type, res.data?.node ?? null, res.errors?.map((e) => e.extensions?.code)]).toEqual([type, null, ['NOT_FOUND']]);
    }
    const many = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: own.map((type) => made[type]) }, { token: tokens.otherOrg });
    expect(many.errors).toBeUndefined();
    expect(many.data.nodes).toEqual(own.map(() => null));
    expect(JSON.stringify(many)).not.toContain(MARK);
    // A shared catalog object is everyone's.
    const shared = (await t.data(`{ framework(key: "iso27001") { id } }`)).framework.id;
    expect((await t.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: shared }, { token: tokens.otherOrg })).data.node).toEqual({ id: shared });
  });

  it('follows the read rules: an INTEGRATOR finds catalogs and what it wrote, nothing else', async () => {
    const mine = (await t.gql(`mutation { upsertEvidence(input: { sourceSystem: "ci", externalId: "mine", title: "mine", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z" }) { evidence { id } } }`,
      undefined, { token: tokens.integrator })).data.upsertEvidence.evidence.id;
    const ask = [made.Framework, made.Requirement, made.MappingSource, made.Evidence, made.AiSystem, made.ImpactAssessment, mine];
    const res = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids: ask }, { token: tokens.integrator });
    expect(res.errors).toBeUndefined();
    expect(res.data.nodes).toEqual([
      { __typename: 'Framework', id: made.Framework }, { __typename: 'Requirement', id: made.Requirement }, { __typename: 'MappingSource', id: made.MappingSource },
      null, null, null, { __typename: 'Evidence', id: mine },
    ]);
    const refused = await t.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: made.AiSystem }, { token: tokens.integrator });
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    // A VIEWER reads the registers.
    const viewer = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }`, { ids: [made.AiSystem, made.ImpactAssessment] }, { token: tokens.viewer });
    expect(viewer.data.nodes).toEqual([{ __typename: 'AiSystem' }, { __typename: 'ImpactAssessment' }]);
  });

  it('is bounded, and a constant number of statements however many ids', async () => {
    const over = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: Array.from({ length: 101 }, () => made.Evidence) });
    expect(over.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const requirements = (await t.data(`{ framework(key: "iso27001") { requirements(first: 60) { nodes { id } } } }`)).framework.requirements.nodes.map((n: { id: string }) => n.id);
    const few = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: requirements.slice(0, 2) });
    const lots = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: requirements });
    expect(lots.data.nodes.map((n: { id: string }) => n.id)).toEqual(requirements);
    expect(lots.extensions?.sqlStatements).toBe(few.extensions?.sqlStatements);
  });
});

/**
 * A request per connection type: `page` is spliced in as the connection field's paging arguments, and `at`
 * picks the connection out of the answer. Small filtered lists with small pages, so both ends are reached.
 */
const PROBES: Record<string, { query: (page: string) => string; at: (data: any) => any; size: number }> = {
  RequirementConnection: {
    query: (page) => `{ framework(key: "iso27001") { requirements(${page}, filter: { parentRef: "A.5" }) { CONN } } }`,
    at: (d) => d.framework.requirements, size: 8,
  },
  EvidenceConnection: { query: (page) => `{ evidences(${page}, filter: { sourceSystem: "relay" }) { CONN } }`, at: (d) => d.evidences, size: 3 },
  RequirementCoverageConnection: {
    query: (page) => `{ coverage(framework: "iso42001") { requirements(${page}) { CONN } } }`, at: (d) => d.coverage.requirements, size: 9,
  },
  AuditEventConnection: { query: (page) => `{ auditTrail(${page}) { CONN } }`, at: (d) => d.auditTrail, size: 4 },
  HubEventConnection: { query: (page) => `{ events(${page}, types: [EVIDENCE_CREATED]) { CONN } }`, at: (d) => d.events, size: 3 },
  FrameworkConnection: { query: (page) => `{ frameworksConnection(${page}, allVersions: true) { CONN } }`, at: (d) => d.frameworksConnection, size: 2 },
  AiSystemConnection: { query: (page) => `{ aiSystemsConnection(${page}) { CONN } }`, at: (d) => d.aiSystemsConnection, size: 2 },
  MappingSourceConnection: { query: (page) => `{ mappingSourcesConnection(${page}) { CONN } }`, at: (d) => d.mappingSourcesConnection, size: 3 },
  WebhookDeliveryConnection: { query: (page) => `{ webhookDeliveries(${page}, endpointId: "${webhookEndpoint}") { CONN } }`, at: (d) => d.webhookDeliveries, size: 3 },
  RequirementSearchHitConnection: {
    query: (page) => `{ searchRequirementsConnection(${page}, query: "risk") { CONN } }`, at: (d) => d.searchRequirementsConnection, size: 6,
  },
};

const CONN = 'totalCount edges { cursor } nodes { __typename } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

function connectionTypes(): GraphQLObjectType[] {
  return Object.values(schema.getTypeMap()).filter((type): type is GraphQLObjectType => isObjectType(type) && type.name.endsWith('Connection') && !type.name.startsWith('__'));
}

describe('connections', () => {
  it('every connection type has edges, nodes, totalCount and the full PageInfo', () => {
    const types = connectionTypes();
    expect(types.length).toBeGreaterThanOrEqual(4);
    const shape = (type: GraphQLObjectType) => Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, String(f.type)]));
    for (const type of types) {
      const edge = type.name.replace(/Connection$/, 'Edge');
      expect([type.name, shape(type)]).toEqual([type.name, expect.objectContaining({ edges: `[${edge}!]!`, pageInfo: 'PageInfo!', totalCount: 'Int!' })]);
      expect(shape(schema.getType(edge) as GraphQLObjectType)).toEqual(expect.objectContaining({ cursor: 'String!' }));
    }
    expect(shape(schema.getType('PageInfo') as GraphQLObjectType)).toEqual({ hasNextPage: 'Boolean!', hasPreviousPage: 'Boolean!', startCursor: 'String', endCursor: 'String' });
  });

  it('every field returning a connection takes first, after, last and before', () => {
    const problems: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if ((!isObjectType(type) && !isInterfaceType(type)) || type.name.startsWith('__')) continue;
      for (const f of Object.values(type.getFields())) {
        if (!getNamedType(f.type).name.endsWith('Connection')) continue;
        const args = Object.fromEntries(f.args.map((a) => [a.name, String(a.type)]));
        const want = { first: 'Int', after: 'String', last: 'Int', before: 'String' };
        for (const [name, typeName] of Object.entries(want)) if (args[name] !== typeName) problems.push(`${type.name}.${f.name}(${name}: ${args[name] ?? 'missing'})`);
        if (isNonNullType(f.type) === false) problems.push(`${type.name}.${f.name} is nullable`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every connection type pages forward and backward to the same list, with PageInfo right at both ends', async () => {
    const untested = connectionTypes().map((c) => c.name).filter((name) => !PROBES[name]);
    expect(untested).toEqual([]);
    for (const [name, probe] of Object.entries(PROBES)) {
      const fetchPage = async (page: string) => {
        const res = await t.gql(probe.query(page).replace('CONN', CONN));
        if (res.errors) throw new Error(`${name}: ${JSON.stringify(res.errors)}`);
        return probe.at(res.data);
      };
      const all = await fetchPage(`first: 200`);
      const cursors: string[] = all.edges.map((e: { cursor: string }) => e.cursor);
      expect([name, cursors.length]).toEqual([name, all.totalCount]);
      expect(cursors.length).toBeGreaterThan(probe.size);
      expect(all.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: cursors[0], endCursor: cursors[cursors.length - 1] });
      // Forward.
      const forward: string[] = [];
      let after: string | null = null;
      for (;;) {
        const c = await fetchPage(after ? `first: ${probe.size}, after: ${JSON.stringify(after)}` : `first: ${probe.size}`);
        forward.push(...c.edges.map((e: { cursor: string }) => e.cursor));
        expect([name, c.nodes.length, c.pageInfo.hasPreviousPage, c.pageInfo.startCursor]).toEqual([name, c.edges.length, after !== null, c.edges[0].cursor]);
        if (!c.pageInfo.hasNextPage) break;
        after = c.pageInfo.endCursor;
      }
      expect([name, forward]).toEqual([name, cursors]);
      // Backward.
      const backward: string[] = [];
      let before: string | null = null;
      for (;;) {
        const c = await fetchPage(before ? `last: ${probe.size}, before: ${JSON.stringify(before)}` : `last: ${probe.size}`);
        backward.unshift(...c.edges.map((e: { cursor: string }) => e.cursor));
        expect([name, c.pageInfo.hasNextPage, c.pageInfo.endCursor]).toEqual([name, before !== null, c.edges[c.edges.length - 1].cursor]);
        if (!c.pageInfo.hasPreviousPage) break;
        before = c.pageInfo.startCursor;
      }
      expect([name, backward]).toEqual([name, cursors]);
      // A window between two cursors, from either end.
      const [a, b] = [cursors[1], cursors[probe.size]];
      const between = cursors.slice(2, probe.size);
      expect((await fetchPage(`first: 200, after: ${JSON.stringify(a)}, before: ${JSON.stringify(b)}`)).edges.map((e: { cursor: string }) => e.cursor)).toEqual(between);
      expect((await fetchPage(`last: 2, after: ${JSON.stringify(a)}, before: ${JSON.stringify(b)}`)).edges.map((e: { cursor: string }) => e.cursor)).toEqual(between.slice(-2));
    }
  });

  it('the connections next to the old lists hold the same items (the lists stay, deprecated)', async () => {
    const pairs: [string, string, (x: any) => unknown][] = [
      ['frameworks(allVersions: true) { id }', 'frameworksConnection(allVersions: true, first: 200) { totalCount nodes { id } }', (x) => x.id],
      ['aiSystems(includeRetired: true) { id }', 'aiSystemsConnection(includeRetired: true, first: 200) { totalCount nodes { id } }', (x) => x.id],
      ['mappingSources { id }', 'mappingSourcesConnection(first: 200) { totalCount nodes { id } }', (x) => x.id],
    ];
    for (const [list, conn, key] of pairs) {
      const d = await t.data(`{ list: ${list} conn: ${conn} }`);
      expect([list, d.conn.totalCount]).toEqual([list, d.list.length]);
      expect(d.conn.nodes.map(key).sort()).toEqual(d.list.map(key).sort());
    }
    // Search: the same ranking, page for page.
    const d = await t.data(`{ list: searchRequirements(query: "access control", first: 200) { score requirement { id } }
      conn: searchRequirementsConnection(query: "access control", first: 200) { totalCount nodes { score requirement { id } } } }`);
    expect(d.conn.nodes).toEqual(d.list);
    expect(d.conn.totalCount).toBe(d.list.length);
    const deprecated = Object.values(schema.getQueryType()!.getFields()).filter((f) => f.deprecationReason).map((f) => [f.name, f.deprecationReason]);
    expect(deprecated).toEqual(expect.arrayContaining([
      ['frameworks', expect.stringContaining('frameworksConnection')], ['aiSystems', expect.stringContaining('aiSystemsConnection')],
      ['mappingSources', expect.stringContaining('mappingSourcesConnection')], ['searchRequirements', expect.stringContaining('searchRequirementsConnection')],
    ]));
  });

  it('first with last, and a bad cursor in before, are BAD_USER_INPUT', async () => {
    const both = await t.gql(`{ evidences(first: 2, last: 2) { nodes { id } } }`);
    expect(both.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['BAD_USER_INPUT', 'pass first or last, not both']]);
    const bad = await t.gql(`{ evidences(last: 2, before: "nope") { nodes { id } } }`);
    expect(bad.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const size = await t.gql(`{ evidences(last: 0) { nodes { id } } }`);
    expect(size.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});
