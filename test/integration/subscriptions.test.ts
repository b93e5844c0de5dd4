import { Role } from '../../src/modules/auth/role';
import { TestHub, declareIntegratedCompetence, startTestHub, tokenFor } from '../harness/hub';
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
const connect = (params?: Record<string, unknown>) => {
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
});
