import { Role } from '../../src/modules/auth/role';
import { TestHub, declareIntegratedCompetence, startTestHub, tokenFor } from '../harness/hub';
import WebSocket from 'ws';
import { until, wsClient, WsClient } from '../harness/subscriptions';

/**
 * GraphQL subscriptions over graphql-ws (src/graphql/subscriptions.ts, src/modules/events/event-feed.ts),
 * with the real client on ws against a hub whose workers publish: what a client receives is compared
 * with the outbox (hub_event) rows the writes produced, by id and in position order.
 */
const UPSERT = `mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) { evidence { id } } }`;
const REVIEW = `mutation($id: ID!, $s: EvidenceStatus!) { reviewEvidence(input: { evidenceId: $id, status: $s, comment: "ok" }) { evidence { status } } }`;
const COVERAGE = `subscription($after: ID, $framework: String) { coverageChanged(after: $after, framework: $framework) {
  eventId position from to asOf causes framework { key } requirement { ref } } }`;
const EVENTS = `subscription($after: ID, $types: [EventType!]) { events(after: $after, types: $types) {
  id type key position occurredAt evidenceId aiSystemId payload framework { key } requirement { ref } } }`;

const evidence = (externalId: string, over: Record<string, unknown> = {}) => ({
  sourceSystem: 'lms', externalId, title: `Competence ${externalId}`, kind: 'PROCEDURE', effectiveAt: '2026-01-01T00:00:00Z',
  links: [{ framework: 'iso27001', ref: '7.2' }], ...over,
});

interface Row { id: string; type: string; position: string; framework_key: string | null; ref: string | null; data: any }

let t: TestHub;
let org: string;
const clients: WsClient[] = [];
const connect = (params?: Record<string, unknown> | null) => {
  const c = wsClient(t, params);
  clients.push(c);
  return c;
};

/** The organization's published events after a position, as the outbox holds them, once nothing is left to publish. */
async function published(after: number, types?: string[]): Promise<Row[]> {
  await until(async () => (await t.ds.query(`SELECT count(*)::int AS n FROM hub_event WHERE position IS NULL`))[0].n === 0, 'every event to be published');
  return t.ds.query(
    `SELECT e.id, e.type, e.position, f.key AS framework_key, r.ref, e.data FROM hub_event e
     LEFT JOIN framework f ON f.id = e.framework_id LEFT JOIN requirement r ON r.id = e.requirement_id
     WHERE e.organization_id = $1 AND e.position > $2 AND ($3::text[] IS NULL OR e.type = ANY($3::text[])) ORDER BY e.position`,
    [org, after, types ?? null],
  );
}

const head = async (): Promise<number> => Number((await t.ds.query(`SELECT last_position FROM hub_event_stream`))[0].last_position);
/** A subscription without `after` starts when the feed has its listener: wait for that before writing. */
const live = (n: number) => until(() => t.feed.listening(org) >= n, `${n} live subscription(s)`);

beforeAll(async () => {
  t = await startTestHub({ events: { workers: true } });
  [{ id: org }] = await t.ds.query(`SELECT id FROM organization WHERE slug = 'test-org'`);
  await declareIntegratedCompetence(t);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await until(() => t.feed.listening() === 0, 'every subscription to be closed');
});
afterAll(() => t.stop());

describe('subscriptions over graphql-ws', () => {
  it('coverageChanged delivers exactly the deltas the writes produced, in position order, with the causes', async () => {
    const sub = connect().subscribe(COVERAGE);
    await live(1);
    const mark = await head();
    const id = (await t.data(UPSERT, { input: evidence('SUB-1') })).upsertEvidence.evidence.id;
    await t.data(REVIEW, { id, s: 'ACCEPTED' });
    const rows = await published(mark, ['coverage.changed']);
    expect(rows.length).toBeGreaterThan(2);
    const got = await sub.wait((d) => d.length >= rows.length, `${rows.length} coverage changes`);
    expect(got.map((c) => c.eventId)).toEqual(rows.map((r) => r.id));
    expect(got.map((c) => c.position)).toEqual(rows.map((r) => Number(r.position)));
    expect(got.map((c) => `${c.framework.key}|${c.requirement.ref}|${c.from}|${c.to}`))
      .toEqual(rows.map((r) => `${r.framework_key}|${r.ref}|${r.data.from}|${r.data.to}`));
    expect(got.map((c) => `${c.framework.key}|${c.requirement.ref}|${c.from}|${c.to}`)).toEqual(expect.arrayContaining([
      'iso27001|7.2|GAP|PENDING', 'iso42001|7.2|GAP|PENDING', 'iso27001|7.2|PENDING|COVERED', 'iso42001|7.2|PENDING|PREFILLED']));
    const prefilled = got.find((c) => c.requirement.ref === '7.2' && c.framework.key === 'iso42001' && c.to === 'PREFILLED')!;
    expect(prefilled.causes).toEqual([expect.objectContaining({ kind: 'EVIDENCE_CHANGED', evidenceId: id, fromStatus: 'DRAFT', toStatus: 'ACCEPTED' })]);
    expect(sub.errors).toEqual([]);
  });

  it('a client that reconnects with the last event id it saw gets what it missed, then live events, none twice', async () => {
    const first = connect();
    const before = first.subscribe(EVENTS);
    await live(1);
    const mark = await head();
    await t.data(UPSERT, { input: evidence('SUB-2') });
    const seen = await published(mark);
    await before.wait((d) => d.length >= seen.length, `${seen.length} events`);
    expect(before.data.map((e) => e.id)).toEqual(seen.map((r) => r.id));
    const last = before.data[before.data.length - 1];
    await first.dispose();
    await until(() => t.feed.listening() === 0, 'the first client to be gone');

    // While it is away.
    const away = (await t.data(UPSERT, { input: evidence('SUB-3') })).upsertEvidence.evidence.id;
    await t.data(REVIEW, { id: away, s: 'ACCEPTED' });
    const missed = await published(last.position);
    expect(missed.length).toBeGreaterThan(3);

    const after = connect().subscribe(EVENTS, { after: last.id });
    await after.wait((d) => d.length >= missed.length, `${missed.length} missed events`);
    expect(after.data.map((e) => e.id)).toEqual(missed.map((r) => r.id));
    // Then live, from where the replay ended.
    await t.data(UPSERT, { input: evidence('SUB-4') });
    const all = await published(last.position);
    await after.wait((d) => d.length >= all.length, `${all.length} events in all`);
    expect(after.data.map((e) => e.id)).toEqual(all.map((r) => r.id));
    expect(after.data.map((e) => e.payload)).toEqual(after.data.map((e) => expect.objectContaining({ id: e.id, type: e.type.toLowerCase().replace('_', '.'), position: e.position, organizationId: org })));
    expect(after.errors).toEqual([]);
  });

  it('resuming while writes are being published, and a burst larger than a live buffer, still gives every event once, in order', async () => {
    const mark = await head();
    const [{ id: anchor }] = await t.ds.query(`SELECT id FROM hub_event WHERE organization_id = $1 AND position = (SELECT max(position) FROM hub_event WHERE organization_id = $1)`, [org]);
    const [{ position: anchorPosition }] = await t.ds.query(`SELECT position FROM hub_event WHERE id = $1`, [anchor]);
    // 600 items (each created and linked, and the coverage they move): more than the 1,000 events a stream buffers live.
    const items = Array.from({ length: 600 }, (_, i) => evidence(`BURST-${i}`, { links: [{ framework: 'iso27001', ref: i % 2 ? 'A.5.1' : 'A.8.2' }] }));
    const writing = t.data(`mutation($items: [UpsertEvidenceInput!]!) { bulkUpsertEvidence(input: { items: $items }) { created } }`, { items });
    const resumed = connect().subscribe(`subscription($after: ID) { events(after: $after) { id position } }`, { after: anchor });
    const lively = connect().subscribe(`subscription { events { id position } }`);
    expect((await writing).bulkUpsertEvidence.created).toBe(600);
    await t.data(UPSERT, { input: evidence('SUB-5') });
    const all = await published(Number(anchorPosition));
    expect(all.length).toBeGreaterThan(1000);
    const got = await resumed.wait((d) => d.length >= all.length, `${all.length} events`, 60_000);
    expect(got.map((e) => e.id)).toEqual(all.map((r) => r.id));
    // The live one started somewhere in the burst: from there on, everything once, in order.
    const tail = await lively.wait((d) => d.length > 0 && d[d.length - 1].id === all[all.length - 1].id, 'the last event live', 60_000);
    const start = all.findIndex((r) => r.id === tail[0].id);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(tail.map((e) => e.id)).toEqual(all.slice(start).map((r) => r.id));
    expect(Number(all[0].position)).toBeGreaterThan(Number(anchorPosition));
    expect(mark).toBeGreaterThanOrEqual(Number(anchorPosition));
  });

  it('an unknown, malformed or pruned `after` is EVENT_NOT_FOUND, never a silent gap', async () => {
    const c = connect();
    const [{ id: pruned }] = await t.ds.query(`SELECT id FROM hub_event WHERE organization_id = $1 AND position IS NOT NULL ORDER BY position LIMIT 1`, [org]);
    await t.ds.query(`DELETE FROM hub_event WHERE id = $1`, [pruned]);
    for (const after of ['00000000-0000-4000-8000-000000000000', 'not-an-id', pruned]) {
      for (const query of [EVENTS, COVERAGE, `subscription($after: ID) { evidenceExpiring(after: $after) { id } }`]) {
        const sub = c.subscribe(query, { after });
        await sub.ended();
        expect([after, sub.data, sub.errors.map((e) => [e.extensions?.code, e.extensions?.field])]).toEqual([after, [], [['EVENT_NOT_FOUND', 'after']]]);
      }
      const page = await t.gql(`query($after: String) { events(first: 5, after: $after) { nodes { id } } }`, { after });
      expect(page.errors?.map((e) => e.extensions?.code)).toEqual(['EVENT_NOT_FOUND']);
    }
  });

  it('the types filter: exactly the events of those types', async () => {
    const sub = connect().subscribe(EVENTS, { types: ['EVIDENCE_CREATED', 'EVIDENCE_REVIEWED'] });
    await live(1);
    const mark = await head();
    const id = (await t.data(UPSERT, { input: evidence('SUB-6') })).upsertEvidence.evidence.id;
    await t.data(REVIEW, { id, s: 'ACCEPTED' });
    const rows = await published(mark, ['evidence.created', 'evidence.reviewed']);
    expect(rows.map((r) => r.type)).toEqual(['evidence.created', 'evidence.reviewed']);
    await sub.wait((d) => d.length >= 2, 'two events');
    // A later event of another kind proves nothing else came in between.
    const other = connect().subscribe(EVENTS, { types: ['EVIDENCE_UPDATED'] });
    await live(2);
    await t.data(UPSERT, { input: evidence('SUB-6', { title: 'renamed' }) });
    await other.wait((d) => d.length >= 1, 'the update');
    await t.data(REVIEW, { id, s: 'DRAFT' });
    await sub.wait((d) => d.length >= 3, 'the second review');
    const all = await published(mark, ['evidence.created', 'evidence.reviewed']);
    expect(sub.data.map((e) => [e.id, e.type, e.evidenceId])).toEqual(all.map((r) => [r.id, r.type === 'evidence.created' ? 'EVIDENCE_CREATED' : 'EVIDENCE_REVIEWED', id]));
  });

  it('coverageChanged(framework) keeps to the framework; unknown frameworks and AI systems are NOT_FOUND', async () => {
    const system = (await t.data(`mutation { registerAiSystem(input: { name: "Dashboard system", euRoles: [DEPLOYER], riskClass: MINIMAL_RISK }) { id } }`)).registerAiSystem.id;
    await published(0);
    const c = connect();
    const only = c.subscribe(COVERAGE, { framework: 'iso42001' });
    const forSystem = c.subscribe(`subscription($s: ID) { coverageChanged(aiSystemId: $s) { eventId } }`, { s: system });
    await live(2);
    const mark = await head();
    const id = (await t.data(UPSERT, { input: evidence('SUB-7', { links: [{ framework: 'iso27001', ref: '7.3' }] }) })).upsertEvidence.evidence.id;
    await t.data(REVIEW, { id, s: 'ACCEPTED' });
    const rows = await published(mark, ['coverage.changed']);
    const mine = rows.filter((r) => r.framework_key === 'iso42001');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.length).toBeLessThan(rows.length);
    await forSystem.wait((d) => d.length >= rows.length, 'every organization-wide delta');
    expect(forSystem.data.map((e) => e.eventId)).toEqual(rows.map((r) => r.id));
    // The framework's deltas are a prefix of everything received: the system's subscription saw the last of them.
    await only.wait((d) => d.length >= mine.length, `${mine.length} iso42001 deltas`);
    expect(only.data.map((e) => e.eventId)).toEqual(mine.map((r) => r.id));
    for (const [query, variables] of [[COVERAGE, { framework: 'no-such-framework' }], [`subscription($s: ID) { coverageChanged(aiSystemId: $s) { eventId } }`, { s: '00000000-0000-4000-8000-000000000000' }]] as const) {
      const refused = c.subscribe(query, variables);
      await refused.ended();
      expect(refused.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    }
  });

  it('evidenceExpiring delivers evidence.expiring and evidence.expired as the scheduler finds them', async () => {
    const sub = connect().subscribe(`subscription { evidenceExpiring { id type evidenceId occurredAt } }`);
    await live(1);
    const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
    const day = 86_400_000;
    const expiring = (await t.data(UPSERT, { input: evidence('EXP-1', { status: 'ACCEPTED', effectiveAt: soon(-day), validUntil: soon(30 * day + 1500) }) })).upsertEvidence.evidence.id;
    const expired = (await t.data(UPSERT, { input: evidence('EXP-2', { status: 'ACCEPTED', effectiveAt: soon(-day), validUntil: soon(1500) }) })).upsertEvidence.evidence.id;
    const got = await sub.wait((d) => d.length >= 2, 'the expiry events (one scheduler period after their time)');
    expect(got.map((e) => `${e.type}|${e.evidenceId}`).sort()).toEqual([`EVIDENCE_EXPIRED|${expired}`, `EVIDENCE_EXPIRING|${expiring}`].sort());
    const rows: Row[] = await t.ds.query(`SELECT id FROM hub_event WHERE type IN ('evidence.expiring', 'evidence.expired') AND organization_id = $1 ORDER BY position`, [org]);
    expect(got.map((e) => e.id)).toEqual(rows.map((r) => r.id));
  });

  it('the events query pages the same events (cursors are event ids, usable as `after`), and node(id) finds one', async () => {
    const rows = await published(0, ['evidence.created']);
    const first = await t.data(`{ events(first: 2, types: [EVIDENCE_CREATED]) { totalCount edges { cursor node { id type position } } pageInfo { endCursor hasNextPage } } }`);
    expect(first.events.totalCount).toBe(rows.length);
    expect(first.events.edges.map((e: any) => [e.cursor, e.node.id])).toEqual(rows.slice(0, 2).map((r) => [r.id, r.id]));
    const next = await t.data(`query($a: String) { events(first: 200, after: $a, types: [EVIDENCE_CREATED]) { nodes { id } } }`, { a: first.events.pageInfo.endCursor });
    expect(next.events.nodes.map((n: any) => n.id)).toEqual(rows.slice(2, 202).map((r) => r.id));
    const node = await t.data(`query($id: ID!) { node(id: $id) { __typename id ... on HubEvent { type key requirement { ref } } } }`, { id: rows[0].id });
    expect(node.node).toMatchObject({ __typename: 'HubEvent', id: rows[0].id, type: 'EVIDENCE_CREATED', requirement: null });
  });
});

describe('who may subscribe to what', () => {
  it('a missing, unknown or revoked token is refused with 4401 and the reason; the token also works as `token`', async () => {
    for (const [params, reason] of [
      [null, /^Unauthenticated: Missing bearer token/],
      [{ authorization: 'Bearer cmh_not-a-token' }, /^Unauthenticated: Invalid, expired or revoked token$/],
      [{ token: 'cmh_not-a-token' }, /^Unauthenticated: Invalid, expired or revoked token$/],
    ] as const) {
      const c = connect(params);
      const sub = c.subscribe(EVENTS);
      const closed = await c.closed;
      expect([params, closed.code]).toEqual([params, 4401]);
      expect(closed.reason).toMatch(reason);
      await sub.ended();
      expect(sub.data).toEqual([]);
    }
    const byToken = connect({ token: t.token }).subscribe(`subscription { events { id } }`);
    await live(1);
    expect(byToken.errors).toEqual([]);
    // A token revoked while connected: the next subscribe closes the connection.
    const created = await t.data(`mutation { createApiToken(input: { name: "sub-revoked", role: VIEWER }) { token apiToken { id } } }`);
    const c = connect({ authorization: `Bearer ${created.createApiToken.token}` });
    const ok = c.subscribe(`subscription { events { id } }`);
    await live(2);
    expect(ok.errors).toEqual([]);
    await t.data(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: created.createApiToken.apiToken.id });
    const refused = c.subscribe(`subscription { events { id } }`);
    expect((await c.closed).code).toBe(4401);
    await refused.ended();
    expect(refused.data).toEqual([]);
  });

  it('the roles of queries: VIEWER receives evidence events but not coverage deltas; an INTEGRATOR none', async () => {
    const viewer = await tokenFor(t, 'test-org', Role.VIEWER, 'sub-viewer');
    const integrator = await tokenFor(t, 'test-org', Role.INTEGRATOR, 'sub-integrator');
    const v = connect({ authorization: `Bearer ${viewer}` });
    for (const [client, query, message] of [
      [v, COVERAGE, 'Role VIEWER may not use Subscription.coverageChanged (needs ANALYST)'],
      [v, `subscription { events(types: [COVERAGE_CHANGED]) { id } }`, 'Role VIEWER may not receive coverage.changed events (types; needs ANALYST)'],
      [connect({ authorization: `Bearer ${integrator}` }), EVENTS, 'Role INTEGRATOR may not use Subscription.events (needs VIEWER)'],
    ] as const) {
      const sub = client.subscribe(query);
      await sub.ended();
      expect(sub.errors.map((e) => [e.extensions?.code, e.message])).toEqual([['FORBIDDEN', message]]);
    }
    const all = v.subscribe(`subscription { events { id type } }`);
    await live(1);
    const mark = await head();
    const id = (await t.data(UPSERT, { input: evidence('SUB-8', { links: [{ framework: 'iso27001', ref: '7.4' }] }) })).upsertEvidence.evidence.id;
    await t.data(REVIEW, { id, s: 'ACCEPTED' });
    const rows = await published(mark);
    expect(rows.some((r) => r.type === 'coverage.changed')).toBe(true);
    const readable = rows.filter((r) => r.type.startsWith('evidence.'));
    await all.wait((d) => d.length >= readable.length, `${readable.length} evidence events`);
    expect(all.data.map((e) => e.id)).toEqual(readable.map((r) => r.id));
  });

  it('limits: subscriptions only, on /graphql only, the depth and cost limits of HTTP, and at most 20 subscriptions per connection', async () => {
    const c = connect();
    const refusals: [string, string][] = [
      [`{ frameworks { key } }`, 'BAD_REQUEST'],
      [`mutation { createInternalAudit(input: { title: "x" }) { id } }`, 'BAD_REQUEST'],
      [`subscription { events { requirement { children { children { children { children { children { children { children { children { children { children { children { ref } } } } } } } } } } } } } }`, 'QUERY_TOO_COMPLEX'],
      [`subscription { events { nope } }`, 'GRAPHQL_VALIDATION_FAILED'],
      [`subscription { events {`, 'GRAPHQL_PARSE_FAILED'],
    ];
    for (const [query, code] of refusals) {
      const sub = c.subscribe(query);
      await sub.ended();
      expect([query, sub.errors.map((e) => e.extensions?.code)]).toEqual([query, [code]]);
    }
    // Only /graphql upgrades.
    const elsewhere = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(t.url.replace(/^http/, 'ws').replace(/\/graphql$/, '/elsewhere'), 'graphql-transport-ws');
      socket.on('unexpected-response', (request, response) => {
        request.destroy();
        resolve(response.statusCode ?? 0);
      });
      socket.on('open', () => reject(new Error('upgraded on /elsewhere')));
      socket.on('error', () => undefined);
    });
    expect(elsewhere).toBe(404);
    const open = Array.from({ length: 20 }, () => c.subscribe(`subscription { events { id } }`));
    await live(20);
    const extra = c.subscribe(`subscription { events { id } }`);
    await extra.ended();
    expect(extra.errors.map((e) => [e.extensions?.code, e.extensions?.maxSubscriptionsPerConnection])).toEqual([['TOO_MANY_SUBSCRIPTIONS', 20]]);
    open[0].unsubscribe();
    await until(() => t.feed.listening(org) === 19, 'one subscription to end');
    c.subscribe(`subscription { events { id } }`);
    await live(20);
  });
});

describe('stopping the hub', () => {
  it('closes open subscription sockets with 1001', async () => {
    const other = await startTestHub();
    try {
      const c = wsClient(other);
      const sub = c.subscribe(`subscription { events { id } }`);
      await until(() => other.feed.listening() === 1, 'the subscription');
      await other.stop();
      expect(await c.closed).toEqual({ code: 1001, reason: 'The hub is stopping' });
      await sub.ended();
    } finally {
      await other.stop().catch(() => undefined);
    }
  });
});
