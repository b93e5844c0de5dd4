import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { projectRoot } from '../../src/config';
import { createDataSource } from '../../src/database/data-source';
import { startHub } from '../../src/graphql/server';
import { Role } from '../../src/modules/auth/role';
import { DEFAULT_WEBHOOKS } from '../../src/modules/events/event-runtime';
import type { Job } from '../../src/modules/events/job-queue';
import { WebhookDeliveryService } from '../../src/modules/webhooks/webhook-delivery.service';
import { WebhookEndpointService } from '../../src/modules/webhooks/webhook-endpoint.service';
import { newSecret } from '../../src/modules/webhooks/webhook-signature';
import { TEST_LIMITS, TEST_WORK, TestHub, declareIntegratedCompetence, startTestHub, testEvents, tokenFor } from '../harness/hub';
import { Received, Receiver, startReceiver, waitFor } from '../harness/webhook-receiver';

/**
 * Webhooks end to end (docs/webhooks.md): real receivers on 127.0.0.1, hubs with their event workers
 * on a real PostgreSQL, pg-boss delivering. Every receiver and endpoint is a test's own.
 */
const UPSERT = `mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) { outcome evidence { id } } }`;
const REVIEW = `mutation($id: ID!) { reviewEvidence(input: { evidenceId: $id, status: ACCEPTED, comment: "ok" }) { evidence { status } } }`;
const CREATE = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id url eventTypes enabled secrets { id prefix expiresAt } } } }`;
const DELIVERIES = `query($id: ID!, $status: WebhookDeliveryStatus) { webhookDeliveries(endpointId: $id, status: $status, first: 200) { totalCount
  nodes { id eventId eventType eventPosition orderingKey replay status attemptCount lastStatusCode payload attempts { statusCode error durationMs responseExcerpt } } } }`;
const ENDPOINT = `query($id: ID!) { webhookEndpoint(id: $id) { id url description enabled disabledAt disabledReason consecutiveFailures failingSince eventTypes
  framework { key } secrets { id prefix createdAt expiresAt } } }`;

const evidence = (externalId: string, over: Record<string, unknown> = {}) => ({
  sourceSystem: 'webhooks', externalId, title: externalId, kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z', links: [{ framework: 'iso27001', ref: 'A.5.1' }], ...over,
});

/** The verification snippet of docs/webhooks.md, as published: the doc cannot drift from what the hub sends. */
function documentedVerifier(): (secret: string, headers: Record<string, unknown>, body: string, tolerance?: number) => any {
  const doc = fs.readFileSync(path.join(projectRoot(), 'docs', 'webhooks.md'), 'utf8');
  const block = /<!-- verify-snippet[^>]*-->\s*```js\n([\s\S]*?)```/.exec(doc);
  if (!block) throw new Error('docs/webhooks.md has no verify-snippet block');
  return new Function('require', `${block[1]}\nreturn verifyWebhook;`)(require);
}

async function createEndpoint(hub: TestHub, url: string, eventTypes: string[] = [], extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const d = await hub.data(CREATE, { input: { url, eventTypes, description: 'test receiver', ...extra } });
  return { id: d.createWebhookEndpoint.endpoint.id, secret: d.createWebhookEndpoint.secret };
}

/** Deleted at the end of a test, so the next tests' events are not sent to its closed receiver. */
async function removeEndpoint(hub: TestHub, id: string): Promise<void> {
  await hub.data(`mutation($id: ID!) { deleteWebhookEndpoint(input: { id: $id }) { deletedEndpointId } }`, { id });
}

/** The newest event id so far: events written after it have greater ids (time-ordered). */
async function lastEventId(hub: TestHub): Promise<string> {
  return (await hub.ds.query(`SELECT coalesce((SELECT id FROM hub_event ORDER BY id DESC LIMIT 1), '00000000-0000-0000-0000-000000000000') AS id`))[0].id;
}

/** Published events after a mark, of some types, in position order (waits for them to be published). */
async function publishedSince(hub: TestHub, mark: string, types: string[]): Promise<{ id: string; key: string; position: number }[]> {
  return waitFor('the events to be published', async () => {
    const rows = await hub.ds.query(`SELECT id, key, position::int AS position FROM hub_event WHERE id > $1 AND type = ANY($2::text[]) ORDER BY position NULLS LAST, id`, [mark, types]);
    return rows.length && rows.every((r: { position: number | null }) => r.position !== null) ? rows : undefined;
  });
}

const headersOf = (r: Received) => Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));

async function post(url: string, token: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const receivers: Receiver[] = [];
async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

describe('webhooks on one hub with workers', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ events: { workers: true } });
    await declareIntegratedCompetence(t);
  });
  afterAll(() => t.stop());

  it('end to end: evidence that pre-fills 42001 7.2 delivers coverage.changed for 7.2 with its cause, signed, verified by the documented snippet', async () => {
    const rx = await receiver();
    const ep = await createEndpoint(t, rx.url, ['COVERAGE_CHANGED']);
    const mark = await lastEventId(t);
    const id = (await t.data(UPSERT, { input: evidence('E2E-1', { title: 'Competence procedure', kind: 'PROCEDURE', links: [{ framework: 'iso27001', ref: '7.2' }] }) })).upsertEvidence.evidence.id;
    await t.data(REVIEW, { id });
    const [r42] = await t.ds.query(`SELECT r.id FROM requirement r JOIN framework f ON f.id = r.framework_id WHERE f.key = 'iso42001' AND r.ref = '7.2'`);
    const [r27] = await t.ds.query(`SELECT r.id FROM requirement r JOIN framework f ON f.id = r.framework_id WHERE f.key = 'iso27001' AND r.ref = '7.2'`);
    const got = await waitFor('coverage.changed for 42001 7.2', () => rx.acked().find((r) => {
      const e = JSON.parse(r.body);
      return e.subject.requirementId === r42.id && e.data.to === 'PREFILLED';
    }));

    const verify = documentedVerifier();
    const event = verify(ep.secret, got.headers, got.body);
    expect(event).toMatchObject({ id: got.headers['webhook-id'], type: 'coverage.changed', key: `requirement:${r42.id}`, data: { from: 'PENDING', to: 'PREFILLED' } });
    expect(event.data.causes).toEqual([expect.objectContaining({ kind: 'EVIDENCE_CHANGED', evidenceId: id, requirementId: r27.id, fromStatus: 'DRAFT', toStatus: 'ACCEPTED' })]);
    expect(event.data.causes[0].path).toEqual(expect.objectContaining({ coverage: 'FULL', mappingIds: [expect.any(String)] }));
    expect(new Webhook(ep.secret).verify(got.body, headersOf(got))).toEqual(event);
    expect([got.headers['content-type'], got.headers['user-agent'], String(got.headers['webhook-signature']).split(' ').length]).toEqual(['application/json', 'control-mapping-hub-webhooks/1', 1]);
    // The snippet refuses a changed body, another secret and an old timestamp.
    expect(() => verify(ep.secret, got.headers, got.body.replace('PREFILLED', 'COVERED'))).toThrow('no valid signature');
    expect(() => verify(newSecret(), got.headers, got.body)).toThrow('no valid signature');
    expect(() => verify(ep.secret, { ...got.headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 600) }, got.body)).toThrow('timestamp too old or too new');

    // Every coverage.changed since, and nothing else, each once; the log says so.
    const expected = await publishedSince(t, mark, ['coverage.changed']);
    await waitFor('every coverage.changed delivered', () => rx.acked().length >= expected.length);
    expect(rx.acked().map((r) => r.id).sort()).toEqual(expected.map((e) => e.id).sort());
    expect(rx.received).toHaveLength(expected.length);
    // The hub records a delivery when the receiver's answer reaches it, which can come after the receiver counted it.
    const log = await waitFor('every delivery recorded', async () => {
      const l = (await t.data(DELIVERIES, { id: ep.id })).webhookDeliveries;
      return l.totalCount === expected.length && l.nodes.every((d: any) => d.status !== 'PENDING' && d.attemptCount > 0) ? l : undefined;
    });
    expect(log.totalCount).toBe(expected.length);
    expect(log.nodes.every((d: any) => d.status === 'DELIVERED' && d.eventType === 'COVERAGE_CHANGED' && d.attemptCount === 1 && d.replay === 0
      && d.attempts.length === 1 && d.attempts[0].statusCode === 200 && d.attempts[0].responseExcerpt === 'ok' && d.attempts[0].error === null)).toBe(true);
    // The log's payload is the body that was sent.
    expect(log.nodes.find((d: any) => d.eventId === event.id).payload).toEqual(event);
    // Newest first, page by page.
    const PAGE = `query($id: ID!, $after: String) { webhookDeliveries(endpointId: $id, first: 2, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`;
    const pages: string[] = [];
    for (let after: string | null = null, more = true; more;) {
      const p: any = (await t.data(PAGE, { id: ep.id, after })).webhookDeliveries;
      pages.push(...p.nodes.map((n: any) => n.id));
      [after, more] = [p.pageInfo.endCursor, p.pageInfo.hasNextPage];
    }
    expect(pages).toEqual(log.nodes.map((d: any) => d.id));
    expect(pages).toEqual([...pages].sort().reverse());
    const bad = await t.gql(PAGE, { id: ep.id, after: 'bm90LWEtY3Vyc29y' });
    expect(bad.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'after']]);
    await removeEndpoint(t, ep.id);
  });

  it('receiver answering 503, then refusing connections, then up: every event delivered once, in key order, every attempt logged', async () => {
    const rx = await receiver(() => 503);
    const types = ['evidence.created', 'evidence.updated', 'evidence.linked', 'evidence.reviewed'];
    const ep = await createEndpoint(t, rx.url, ['EVIDENCE_CREATED', 'EVIDENCE_UPDATED', 'EVIDENCE_LINKED', 'EVIDENCE_REVIEWED']);
    const mark = await lastEventId(t);
    for (const k of [1, 2, 3]) {
      const id = (await t.data(UPSERT, { input: evidence(`DOWN-${k}`) })).upsertEvidence.evidence.id;
      await t.data(UPSERT, { input: evidence(`DOWN-${k}`, { title: `DOWN-${k} v2` }) });
      await t.data(REVIEW, { id });
    }
    const expected = await publishedSince(t, mark, types);
    // 3 items x (created, linked, updated, updated by the review, reviewed).
    expect(expected).toHaveLength(15);
    await waitFor('several 503 answers', () => rx.received.filter((r) => r.answer === 503).length >= 6);
    await rx.down();
    const refused = () => t.ds.query(`SELECT count(*)::int AS n FROM webhook_attempt a JOIN webhook_delivery d ON d.id = a.delivery_id WHERE d.endpoint_id = $1 AND a.error = 'connection refused'`, [ep.id]);
    await waitFor('refused attempts', async () => (await refused())[0].n >= 3);
    rx.behave(() => 200);
    await rx.up();
    await waitFor('every event acknowledged', () => rx.acked().length >= expected.length, 30_000);
    await new Promise((r) => setTimeout(r, 500));

    // Exactly once each, by webhook-id.
    expect(rx.acked().map((r) => r.id).sort()).toEqual(expected.map((e) => e.id).sort());
    // Per key, in position order.
    const acked = rx.events();
    for (const key of new Set(expected.map((e) => e.key))) {
      const seq = acked.filter((e) => e.key === key).map((e) => e.position);
      expect(seq).toEqual(expected.filter((e) => e.key === key).map((e) => e.position));
    }
    // Every attempt is in the log with what the receiver answered (or that it refused the connection).
    const attempts: { status_code: number | null; error: string | null }[] = await t.ds.query(
      `SELECT a.status_code, a.error FROM webhook_attempt a JOIN webhook_delivery d ON d.id = a.delivery_id WHERE d.endpoint_id = $1`, [ep.id]);
    expect(attempts.filter((a) => a.status_code === 503)).toHaveLength(rx.received.filter((r) => r.answer === 503).length);
    expect(attempts.filter((a) => a.status_code === 503).every((a) => a.error === 'HTTP 503')).toBe(true);
    expect(attempts.filter((a) => a.status_code === 200)).toHaveLength(15);
    const noAnswer = attempts.filter((a) => a.status_code === null);
    expect(noAnswer.length).toBeGreaterThanOrEqual(3);
    expect(noAnswer.every((a) => a.error === 'connection refused')).toBe(true);
    expect(attempts).toHaveLength(rx.received.length + noAnswer.length);
    const log = (await t.data(DELIVERIES, { id: ep.id })).webhookDeliveries;
    expect([log.totalCount, log.nodes.filter((d: any) => d.status === 'DELIVERED' && d.lastStatusCode === 200).length]).toEqual([15, 15]);
    expect(log.nodes.some((d: any) => d.attemptCount > 1 && d.attempts[0].statusCode === 503)).toBe(true);
    // The endpoint's run of failures ended with the first success.
    expect((await t.data(ENDPOINT, { id: ep.id })).webhookEndpoint).toMatchObject({ enabled: true, consecutiveFailures: 0, failingSince: null });
    await removeEndpoint(t, ep.id);
  }, 60_000);

  it('two hub processes on one database, both working: each event delivered once', async () => {
    const ds2 = await createDataSource({ kind: 'postgres', url: t.appUrl }, { poolSize: 4 });
    await ds2.initialize();
    const hub2 = await startHub({ port: 0, host: '127.0.0.1', introspection: true, exposeQueryCount: false, limits: TEST_LIMITS, work: TEST_WORK, events: testEvents({ workers: true }) }, ds2);
    try {
      const rx = await receiver();
      const ep = await createEndpoint(t, rx.url, ['EVIDENCE_CREATED', 'EVIDENCE_UPDATED']);
      const mark = await lastEventId(t);
      // Writes through both processes at once: each publishes after its own commits, both deliver.
      await Promise.all(Array.from({ length: 12 }, (_, k) => post(k % 2 ? hub2.url : t.url, t.token, UPSERT, { input: evidence(`TWO-${k}`) })));
      await Promise.all(Array.from({ length: 12 }, (_, k) => post(k % 2 ? t.url : hub2.url, t.token, UPSERT, { input: evidence(`TWO-${k}`, { title: `TWO-${k} v2` }) })));
      const expected = await publishedSince(t, mark, ['evidence.created', 'evidence.updated']);
      expect(expected).toHaveLength(24);
      await waitFor('every event acknowledged', () => rx.acked().length >= 24);
      await new Promise((r) => setTimeout(r, 1500));
      expect(rx.received.map((r) => r.id).sort()).toEqual(expected.map((e) => e.id).sort());
      const rows = await t.ds.query(`SELECT status, count(*)::int AS n FROM webhook_delivery WHERE endpoint_id = $1 GROUP BY status`, [ep.id]);
      expect(rows).toEqual([{ status: 'DELIVERED', n: 24 }]);
      // Created before updated, for every item.
      const acked = rx.events();
      for (let k = 0; k < 12; k++) {
        expect(acked.filter((e) => e.data.evidence.externalId === `TWO-${k}`).map((e) => e.type)).toEqual(['evidence.created', 'evidence.updated']);
      }
      await removeEndpoint(t, ep.id);
    } finally {
      await hub2.stop();
      await ds2.destroy();
    }
  }, 60_000);

  it('a transaction that rolls back leaves nothing to deliver', async () => {
    const rx = await receiver();
    const ep = await createEndpoint(t, rx.url, ['EVIDENCE_UPDATED']);
    await t.data(UPSERT, { input: evidence('ROLLBACK-1') });
    const runner = t.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`UPDATE evidence SET title = 'rolled back' WHERE external_id = 'ROLLBACK-1'`);
      await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
    await t.data(UPSERT, { input: evidence('ROLLBACK-1', { title: 'committed' }) });
    await waitFor('the committed update', () => rx.acked().length >= 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(rx.events().map((e) => [e.type, e.data.evidence.title])).toEqual([['evidence.updated', 'committed']]);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM webhook_delivery WHERE endpoint_id = $1`, [ep.id]))[0].n).toBe(1);
    await removeEndpoint(t, ep.id);
  });

  it('secrets: shown once, rotated with overlap, never in a query result, the audit trail or a job', async () => {
    const rx = await receiver();
    const verify = documentedVerifier();
    const ep = await createEndpoint(t, rx.url, ['EVIDENCE_CREATED']);
    const ROTATE = `mutation($id: ID!, $h: Int!) { rotateWebhookSecret(input: { endpointId: $id, overlapHours: $h }) { secret endpoint { id } } }`;
    const second = (await t.data(ROTATE, { id: ep.id, h: 24 })).rotateWebhookSecret.secret;
    await t.data(UPSERT, { input: evidence('SECRET-1') });
    const a = await waitFor('the first delivery', () => rx.acked()[0]);
    // Both secrets sign during the overlap, the new one first.
    expect(String(a.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(second, a.headers, a.body).type).toBe('evidence.created');
    expect(verify(ep.secret, a.headers, a.body).type).toBe('evidence.created');
    // Without overlap, only the newest signs.
    const third = (await t.data(ROTATE, { id: ep.id, h: 0 })).rotateWebhookSecret.secret;
    await t.data(UPSERT, { input: evidence('SECRET-2') });
    const b = await waitFor('the second delivery', () => rx.acked()[1]);
    expect(String(b.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verify(third, b.headers, b.body).data.evidence.externalId).toBe('SECRET-2');
    expect(() => verify(second, b.headers, b.body)).toThrow('no valid signature');
    expect((await t.data(`mutation($id: ID!, $h: Int!) { rotateWebhookSecret(input: { endpointId: $id, overlapHours: $h }) { secret } }`, { id: ep.id, h: 169 }).catch((e) => e.message))).toContain('overlapHours must be an integer from 0 to 168');

    await t.data(`mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, description: "renamed", framework: "iso27001" }) { endpoint { id } } }`, { id: ep.id });
    const seen = JSON.stringify([
      await t.data(`{ webhookEndpoints { id url secrets { id prefix createdAt expiresAt } } }`),
      await t.data(ENDPOINT, { id: ep.id }),
      await t.data(DELIVERIES, { id: ep.id }),
    ]);
    const one = (await t.data(ENDPOINT, { id: ep.id })).webhookEndpoint;
    expect(one).toMatchObject({ description: 'renamed', framework: { key: 'iso27001' }, eventTypes: ['EVIDENCE_CREATED'] });
    expect(one.secrets.map((s: any) => s.prefix)).toEqual([third.slice(0, 10), second.slice(0, 10), ep.secret.slice(0, 10)]);
    expect(one.secrets.map((s: any) => s.expiresAt === null)).toEqual([true, false, false]);
    await removeEndpoint(t, ep.id);

    const audit: { operation: string; text: string; after: any; before: any }[] = await t.ds.query(
      `SELECT operation, to_jsonb(a)::text AS text, after, before FROM audit_event a WHERE $1 = ANY(touched_ids) ORDER BY id`, [ep.id]);
    expect(audit.map((e) => e.operation)).toEqual(['createWebhookEndpoint', 'rotateWebhookSecret', 'rotateWebhookSecret', 'rotateWebhookSecret', 'updateWebhookEndpoint', 'deleteWebhookEndpoint']);
    expect(audit[0].after[ep.id]).toMatchObject({ table: 'webhook_endpoint', url: rx.url, event_types: ['evidence.created'] });
    expect(audit[4].after[ep.id]).toMatchObject({ description: 'renamed' });
    expect(audit[5].before[ep.id]).toMatchObject({ table: 'webhook_endpoint', description: 'renamed' });
    expect(audit[5].after).toEqual({});
    const jobs = (await t.ds.query(`SELECT coalesce(string_agg(data::text, ' '), '') AS text FROM hub_jobs.job WHERE name = 'hub-webhook'`))[0].text;
    const everything = [seen, ...audit.map((e) => e.text), jobs].join('\n');
    for (const s of [ep.secret, second, third]) {
      expect(everything).not.toContain(s.slice(6));
      expect(everything).not.toContain(s.slice(10, 30));
    }
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM webhook_secret WHERE endpoint_id = $1`, [ep.id]))[0].n).toBe(0);
  });

  it('only ADMIN manages webhooks; another organization sees none of them', async () => {
    const rx = await receiver();
    const ep = await createEndpoint(t, rx.url, ['EVIDENCE_CREATED']);
    const delivery = `{ webhookDeliveries(endpointId: "${ep.id}") { totalCount } }`;
    for (const role of [Role.VIEWER, Role.ANALYST, Role.EDITOR, Role.INTEGRATOR]) {
      const token = await tokenFor(t, 'test-org', role, `webhooks-${role.toLowerCase()}`);
      const answers = [
        await t.gql(`{ webhookEndpoints { id } }`, undefined, { token }),
        await t.gql(delivery, undefined, { token }),
        await t.gql(CREATE, { input: { url: rx.url } }, { token }),
        await t.gql(`mutation { rotateWebhookSecret(input: { endpointId: "${ep.id}" }) { secret } }`, undefined, { token }),
      ];
      expect(answers.map((a) => [a.data, a.errors?.map((e) => [e.extensions?.code, e.message])])).toEqual([
        [null, [['FORBIDDEN', `Role ${role} may not use Query.webhookEndpoints (needs ADMIN)`]]],
        [null, [['FORBIDDEN', `Role ${role} may not use Query.webhookDeliveries (needs ADMIN)`]]],
        [null, [['FORBIDDEN', `Role ${role} may not use Mutation.createWebhookEndpoint (needs ADMIN)`]]],
        [null, [['FORBIDDEN', `Role ${role} may not use Mutation.rotateWebhookSecret (needs ADMIN)`]]],
      ]);
    }
    const other = await tokenFor(t, 'webhooks-other-org', Role.ADMIN, 'other-admin');
    const seen = await t.gql(`{ webhookEndpoints { id } webhookEndpoint(id: "${ep.id}") { id } }`, undefined, { token: other });
    expect(seen.data).toEqual({ webhookEndpoints: [], webhookEndpoint: null });
    const touch = await t.gql(`mutation { deleteWebhookEndpoint(input: { id: "${ep.id}" }) { deletedEndpointId } }`, undefined, { token: other });
    expect(touch.errors?.map((e) => [e.extensions?.code, e.extensions?.id])).toEqual([['NOT_FOUND', ep.id]]);
    const log = await t.gql(delivery, undefined, { token: other });
    expect(log.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['NOT_FOUND', 'endpointId']]);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM webhook_endpoint WHERE id = $1`, [ep.id]))[0].n).toBe(1);
    await removeEndpoint(t, ep.id);
  });
});

describe('an endpoint that keeps failing', () => {
  let t: TestHub;
  beforeAll(async () => {
    // Disabled after 1 s of failures (and 5 in a row), so the test sees it in seconds.
    t = await startTestHub({ events: { workers: true, webhooks: { ...DEFAULT_WEBHOOKS, allowPrivateNetworks: true, timeoutMs: 2000, retryDelaySeconds: 1, retryDelayMaxSeconds: 1, disableAfterHours: 1 / 3600 } } });
  });
  afterAll(() => t.stop());

  it('is disabled with a reason and a webhook.endpoint_disabled event; enabled again, replays re-deliver', async () => {
    const failing = await receiver(() => 500);
    const watcher = await receiver();
    const ep = await createEndpoint(t, failing.url);
    await createEndpoint(t, watcher.url, ['WEBHOOK_ENDPOINT_DISABLED']);
    const since = new Date(Date.now() - 1000).toISOString();
    for (const k of [1, 2, 3]) await t.data(UPSERT, { input: evidence(`FAIL-${k}`) });

    const disabled = await waitFor('the endpoint disabled', async () => {
      const e = (await t.data(ENDPOINT, { id: ep.id })).webhookEndpoint;
      return e.enabled ? undefined : e;
    });
    expect(disabled.disabledReason).toMatch(/^Every delivery attempt failed for at least 1 s: \d+ in a row since .+; the last: HTTP 500$/);
    expect(disabled.consecutiveFailures).toBeGreaterThanOrEqual(5);
    expect(disabled.disabledAt).not.toBeNull();
    const notice = await waitFor('the disabled event at the watcher', () => watcher.events().find((e) => e.type === 'webhook.endpoint_disabled'));
    expect(notice).toMatchObject({ key: `webhook:${ep.id}`, data: { endpoint: { id: ep.id, url: failing.url }, reason: disabled.disabledReason, lastStatusCode: 500, lastError: 'HTTP 500' } });
    const [stored] = await t.ds.query(`SELECT count(*)::int AS n FROM hub_event WHERE type = 'webhook.endpoint_disabled' AND key = $1`, [`webhook:${ep.id}`]);
    expect(stored.n).toBe(1);
    // Nothing is left pending, and nothing more is sent.
    const statuses = await t.ds.query(`SELECT status, count(*)::int AS n FROM webhook_delivery WHERE endpoint_id = $1 GROUP BY status`, [ep.id]);
    expect(statuses.map((s: { status: string }) => s.status)).toEqual(['CANCELLED']);
    const cancelled = statuses[0].n;
    const sent = failing.received.length;
    await new Promise((r) => setTimeout(r, 2500));
    expect(failing.received).toHaveLength(sent);
    expect(failing.acked()).toHaveLength(0);

    // Replaying a disabled endpoint is refused; enabled, its missed events come again, each once.
    const REPLAY = `mutation($id: ID!, $since: DateTime) { replayWebhookEvents(input: { endpointId: $id, since: $since }) { queued continueAfterEventId deliveries { id eventId replay status } } }`;
    const refused = await t.gql(REPLAY, { id: ep.id, since });
    expect(refused.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['CONFLICT', 'endpointId']]);
    failing.behave(() => 200);
    const enabled = await t.data(`mutation($id: ID!) { enableWebhookEndpoint(input: { id: $id }) { endpoint { enabled disabledAt disabledReason consecutiveFailures } } }`, { id: ep.id });
    expect(enabled.enableWebhookEndpoint.endpoint).toEqual({ enabled: true, disabledAt: null, disabledReason: null, consecutiveFailures: 0 });
    const replay = (await t.data(REPLAY, { id: ep.id, since })).replayWebhookEvents;
    const events = await t.ds.query(`SELECT id FROM hub_event WHERE occurred_at >= $1 AND position IS NOT NULL AND type <> 'webhook.endpoint_disabled'`, [since]);
    // Everything since, the disabled notice included (the endpoint takes every type).
    expect(replay.queued).toBe(events.length + 1);
    expect(replay.continueAfterEventId).toBeNull();
    expect(replay.deliveries.every((d: any) => d.replay === 1 && d.status === 'PENDING')).toBe(true);
    expect(cancelled).toBeLessThanOrEqual(events.length);
    await waitFor('the replayed events', () => failing.acked().length >= replay.queued, 30_000);
    expect(failing.acked().map((r) => r.id).sort()).toEqual(replay.deliveries.map((d: any) => d.eventId).sort());

    // One delivery again: the same webhook-id, a new delivery (replay 2).
    const again = (await t.data(`mutation($id: ID!) { replayWebhookDelivery(input: { deliveryId: $id }) { delivery { id eventId replay status } } }`, { id: replay.deliveries[0].id })).replayWebhookDelivery.delivery;
    expect([again.eventId, again.replay, again.status]).toEqual([replay.deliveries[0].eventId, 2, 'PENDING']);
    await waitFor('the second replay', () => failing.acked().filter((r) => r.id === again.eventId).length === 2);
    const done = (await t.data(DELIVERIES, { id: ep.id, status: 'DELIVERED' })).webhookDeliveries;
    expect(done.totalCount).toBe(replay.queued + 1);

    // From an event on: what follows it, and only one of the two starting points.
    const AFTER = `mutation($id: ID!, $after: ID, $since: DateTime) { replayWebhookEvents(input: { endpointId: $id, afterEventId: $after, since: $since }) { queued deliveries { eventId } } }`;
    const last = replay.deliveries[replay.deliveries.length - 1].eventId;
    const secondLast = replay.deliveries[replay.deliveries.length - 2].eventId;
    expect((await t.data(AFTER, { id: ep.id, after: last })).replayWebhookEvents).toEqual({ queued: 0, deliveries: [] });
    expect((await t.data(AFTER, { id: ep.id, after: secondLast })).replayWebhookEvents).toEqual({ queued: 1, deliveries: [{ eventId: last }] });
    const both = await t.gql(AFTER, { id: ep.id, after: last, since });
    const unknown = await t.gql(AFTER, { id: ep.id, after: '00000000-0000-7000-8000-000000000000' });
    expect([both, unknown].map((r) => r.errors?.map((e) => [e.extensions?.code, e.extensions?.field]))).toEqual([[['BAD_USER_INPUT', 'afterEventId']], [['NOT_FOUND', 'afterEventId']]]);
    await waitFor('the last replay', () => failing.acked().filter((r) => r.id === last).length === 2);
  }, 60_000);
});

describe('a hub process killed between commit and delivery, and private addresses', () => {
  let t: TestHub;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    // Workers off in this process: the spawned hubs deliver. Private addresses forbidden here.
    t = await startTestHub({ events: { webhooks: { ...DEFAULT_WEBHOOKS, allowPrivateNetworks: false, timeoutMs: 2000 } } });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await t.stop();
  });

  const freePort = () => new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

  /** The built hub (dist/, which `npm test` makes first) as its own process, with its event workers. */
  async function spawnHub(): Promise<{ child: ChildProcess; url: string }> {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'src', 'main.js')], {
      env: {
        ...process.env, DATABASE_URL: t.appUrl, PORT: String(port), HOST: '127.0.0.1', HUB_MIGRATE_ON_START: 'false', HUB_SEED_ON_START: 'false',
        HUB_RATE_LIMIT_PER_MINUTE: '0', HUB_ROLLUP_REFRESH_SECONDS: '0', LOG_LEVEL: 'error', HUB_SCHEDULER_SECONDS: '1',
        HUB_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', HUB_WEBHOOK_TIMEOUT_MS: '3000', HUB_WEBHOOK_RETRY_DELAY_SECONDS: '1', HUB_WEBHOOK_RETRY_DELAY_MAX_SECONDS: '2',
      },
      stdio: 'ignore',
    });
    children.push(child);
    await waitFor('the hub process ready', () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false), 20_000, 50);
    return { child, url: `http://127.0.0.1:${port}/graphql` };
  }

  it('SIGKILL while an attempt is in flight: the event is delivered after a restart', async () => {
    const rx = await receiver((_r, n) => (n === 0 ? 'hang' : 200));
    const first = await spawnHub();
    const created = await post(first.url, t.token, CREATE, { input: { url: rx.url, eventTypes: ['EVIDENCE_CREATED'] } });
    const ep = created.createWebhookEndpoint.endpoint;
    const arrived = rx.next();
    await post(first.url, t.token, UPSERT, { input: evidence('KILL-1') });
    const hung = await arrived;
    const exited = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    await exited;
    // Committed and queued, the attempt lost with the process.
    const [pending] = await t.ds.query(`SELECT status, attempts FROM webhook_delivery WHERE endpoint_id = $1`, [ep.id]);
    expect(pending).toEqual({ status: 'PENDING', attempts: 0 });

    await spawnHub();
    const acked = await waitFor('the delivery after the restart', () => rx.acked().find((r) => r.id === hung.id), 30_000);
    expect(JSON.parse(acked.body)).toMatchObject({ type: 'evidence.created', data: { evidence: { externalId: 'KILL-1' } } });
    expect(rx.received.map((r) => [r.id, r.answer])).toEqual([[hung.id, 'hang'], [hung.id, 200]]);
    const log = (await t.data(DELIVERIES, { id: ep.id })).webhookDeliveries.nodes;
    expect(log.map((d: any) => [d.eventId, d.status, d.attemptCount, d.attempts.map((a: any) => a.statusCode)])).toEqual([[hung.id, 'DELIVERED', 1, [200]]]);
  }, 90_000);

  it('private and loopback addresses are refused at registration, naming the field, and again at delivery', async () => {
    const before = (await t.ds.query(`SELECT count(*)::int AS n FROM webhook_endpoint`))[0].n;
    const refusal = async (url: string) => {
      const res = await t.gql(CREATE, { input: { url } });
      return [res.data?.createWebhookEndpoint ?? null, res.errors?.map((e) => [e.extensions?.code, e.extensions?.field, e.extensions?.reason])];
    };
    for (const url of ['http://127.0.0.1:9/x', 'http://localhost:9/x', 'http://[::1]/x', 'http://[::ffff:127.0.0.1]/x', 'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.1/', 'http://192.168.1.10/', 'http://100.64.0.1/', 'http://[fd00::1]/', 'http://[fe80::1]/', 'http://0.0.0.0/', 'http://224.0.0.1/']) {
      expect([url, ...(await refusal(url))]).toEqual([url, null, [['BAD_USER_INPUT', 'url', 'PRIVATE_ADDRESS']]]);
    }
    expect(await refusal('ftp://example.com/in')).toEqual([null, [['BAD_USER_INPUT', 'url', 'SCHEME']]]);
    expect(await refusal('https://user:pw@example.com/in')).toEqual([null, [['BAD_USER_INPUT', 'url', 'CREDENTIALS']]]);
    const existing = (await t.ds.query(`SELECT id FROM webhook_endpoint LIMIT 1`))[0].id;
    const update = await t.gql(`mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, url: "http://127.0.0.2/" }) { endpoint { url } } }`, { id: existing });
    expect(update.errors?.map((e) => [e.extensions?.code, e.extensions?.field, e.extensions?.reason])).toEqual([['BAD_USER_INPUT', 'url', 'PRIVATE_ADDRESS']]);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM webhook_endpoint`))[0].n).toBe(before);

    // At delivery: the endpoint registered where loopback was allowed (the test above) is refused by a
    // worker that forbids it, before any connection. The replay is queued by this process, which runs
    // no workers, through the queue's client.
    // Deliveries of earlier tests still in flight (retries) must not count as this one: wait for the receivers to go quiet.
    const total = () => receivers.reduce((n, r) => n + r.received.length, 0);
    let last = -1;
    await waitFor('receivers quiet for a second', async () => {
      const now = total();
      const quiet = now === last;
      last = now;
      return quiet || undefined;
    }, 30_000, 1000);
    const [d] = await t.ds.query(`SELECT id FROM webhook_delivery WHERE endpoint_id = $1`, [existing]);
    const replayed = (await t.data(`mutation($id: ID!) { replayWebhookDelivery(input: { deliveryId: $id }) { delivery { id replay } } }`, { id: d.id })).replayWebhookDelivery.delivery;
    const [queued] = await t.ds.query(`SELECT d.job_id, d.organization_id, j.state FROM webhook_delivery d JOIN hub_jobs.job j ON j.id = d.job_id WHERE d.id = $1`, [replayed.id]);
    expect([replayed.replay, queued.state]).toEqual([1, 'created']);
    const config = { ...DEFAULT_WEBHOOKS, allowPrivateNetworks: false, timeoutMs: 2000 };
    const worker = new WebhookDeliveryService(t.appDs, config, new WebhookEndpointService(t.appDs, config, null as never, null as never));
    const job = { id: queued.job_id, name: 'hub-webhook', data: { deliveryId: replayed.id, organizationId: queued.organization_id, lastRetry: 3 }, retryCount: 0, signal: new AbortController().signal } as unknown as Job<any>;
    const seen = total();
    await expect(worker.deliver(job)).rejects.toThrow(/failed: 127\.0\.0\.1 is \(or resolves to\) 127\.0\.0\.1, a loopback, private/);
    const attempts = await t.ds.query(`SELECT status_code, error FROM webhook_attempt WHERE delivery_id = $1`, [replayed.id]);
    expect(attempts).toEqual([{ status_code: null, error: expect.stringContaining('webhooks may only call public addresses here') }]);
    expect(total()).toBe(seen);
  });
});
