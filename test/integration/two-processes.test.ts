import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import express from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { startTestHub, TestHub, tokenFor } from '../harness/hub';
import { startHubProcess } from '../harness/process';
import { Role } from '../../src/modules/auth/role';
import { SharedRateLimitStore } from '../../src/graphql/rate-limit-store';

/**
 * Two hub processes (the build in dist/, which `npm test` makes first, started as `npm start` starts one)
 * on one database, each with its own pool, limiter stores and refresher: together they answer as one
 * process would (docs/scaling.md).
 */
const METRICS_TOKEN = 'two-processes-metrics-token';
let t: TestHub;
let hubs: { origin: string; child: ChildProcess }[] = [];
let started = 0;

const startProcess = () => startHubProcess(t.appUrl, { HUB_RATE_LIMIT_PER_MINUTE: '600', HUB_ROLLUP_REFRESH_SECONDS: '1', HUB_METRICS_TOKEN: METRICS_TOKEN });

beforeAll(async () => {
  t = await startTestHub();
  started = Date.now();
  hubs = await Promise.all([startProcess(), startProcess()]);
});
afterAll(async () => {
  await Promise.all(hubs.map(({ child }) => new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  })));
  await t.stop();
});

const query = (origin: string, token: string, body: object) =>
  fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

const metric = async (origin: string, series: string): Promise<number> => {
  const text = await (await fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const m = new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};

it('1,000 requests of one token within a minute, alternating between the processes, are limited as one process limits them', async () => {
  const token = await tokenFor(t, 'test-org', Role.VIEWER, 'two-processes');
  const results: { hub: number; status: number; remaining: number | null; retryAfter: number | null; body: any }[] = [];
  const t0 = Date.now();
  let next = 0;
  // 16 at a time, request i to process i mod 2.
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let i = next++; i < 1000; i = next++) {
      const res = await query(hubs[i % 2].origin, token, { query: '{ __typename }' });
      const remaining = /remaining=(\d+)/.exec(res.headers.get('ratelimit') ?? '');
      results.push({ hub: i % 2, status: res.status, remaining: remaining ? Number(remaining[1]) : null, retryAfter: res.headers.has('retry-after') ? Number(res.headers.get('retry-after')) : null, body: await res.json() });
    }
  }));
  // The window opened at the first request and lasts a minute: all 1,000 fell in it.
  expect(Date.now() - t0).toBeLessThan(55_000);

  const passed = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status === 429);
  expect([passed.length, refused.length]).toEqual([600, 400]);
  // Both processes answered both ways, and every hit got its own count: remaining 599 down to 0, each once.
  expect([0, 1].map((hub) => [passed.some((r) => r.hub === hub), refused.some((r) => r.hub === hub)])).toEqual([[true, true], [true, true]]);
  expect(passed.map((r) => r.remaining).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 600 }, (_, i) => i));
  expect(passed.every((r) => r.body.data?.__typename === 'Query')).toBe(true);
  for (const r of refused) {
    expect(r.body).toEqual({ errors: [{ message: expect.stringMatching(/^Rate limit of 600 requests per minute reached; retry in \d+ s$/), extensions: { code: 'RATE_LIMITED' } }] });
    expect(r.retryAfter).toBeGreaterThanOrEqual(1);
    expect(r.retryAfter).toBeLessThanOrEqual(60);
  }
  // One counter for the caller, under a hash of the limiter's name and its key (itself a hash of the token).
  const key = createHash('sha256').update('requests').update('\0').update(`t:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`).digest();
  expect(await t.ds.query(`SELECT hits FROM hub_rate_limit WHERE key = $1`, [key])).toEqual([{ hits: 1000 }]);
  const refusedByMetrics = (await metric(hubs[0].origin, 'hub_rate_limit_rejections_total{limit="requests"}')) + (await metric(hubs[1].origin, 'hub_rate_limit_rejections_total{limit="requests"}'));
  expect(refusedByMetrics).toBe(400);
}, 120_000);

it('the rollup refresher, started in both processes every second, runs once per period; both report its lag from the database', async () => {
  const runsOf = async () => (await metric(hubs[0].origin, 'hub_rollup_refresh_runs_total{outcome="ok"}')) + (await metric(hubs[1].origin, 'hub_rollup_refresh_runs_total{outcome="ok"}'));
  const recorded = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM hub_job_run WHERE job = 'rollup-refresh' AND ok`))[0].n as number;
  // At least five periods run, however long a loaded machine takes to run them (a fixed 3 s saw only 4 in a CI run).
  for (let i = 0; i < 300 && (await recorded()) < 5; i++) await new Promise((r) => setTimeout(r, 100));
  // A run may end between two reads: take a moment when the processes' counts and the table agree.
  let runs = -1;
  let periods = -2;
  for (let i = 0; i < 30 && runs !== periods; i++) {
    const before = await runsOf();
    periods = await recorded();
    runs = (await runsOf()) === before ? before : -1;
    if (runs !== periods) await new Promise((r) => setTimeout(r, 100));
  }
  const elapsedSeconds = (Date.now() - started) / 1000;
  // Each run its own period, counted by the processes that ran them; had both run each period, they would count twice the periods.
  expect(runs).toBe(periods);
  expect(runs).toBeGreaterThanOrEqual(5);
  expect(runs).toBeLessThanOrEqual(Math.ceil(elapsedSeconds) + 1);
  const rows: { period: number; claimed_by: string; ok: boolean }[] = await t.ds.query(
    `SELECT extract(epoch FROM period_start)::float8 AS period, claimed_by, ok FROM hub_job_run WHERE job = 'rollup-refresh' ORDER BY period_start`);
  expect(rows.every((r) => Number.isInteger(r.period) && r.ok)).toBe(true);
  expect(new Set(rows.map((r) => r.period)).size).toBe(rows.length);
  expect(await metric(hubs[0].origin, 'hub_rollup_refresh_runs_total{outcome="error"}') + await metric(hubs[1].origin, 'hub_rollup_refresh_runs_total{outcome="error"}')).toBe(0);
  // Whichever process ran the last period, both report a fresh rollup (read from hub_job_run).
  for (const { origin } of hubs) expect(await metric(origin, 'hub_rollup_refresh_lag_seconds')).toBeLessThan(3);
}, 60_000);

it('an APQ hash registered with one process is unknown to the other, which asks for the query (safe to lose)', async () => {
  const text = '{ frameworks { key } }';
  const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(text).digest('hex') };
  expect((await query(hubs[0].origin, t.token, { query: text, extensions: { persistedQuery } })).status).toBe(200);
  const unknown = (await (await query(hubs[1].origin, t.token, { extensions: { persistedQuery } })).json()) as any;
  expect(unknown.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  const retried = (await (await query(hubs[1].origin, t.token, { query: text, extensions: { persistedQuery } })).json()) as any;
  const known = (await (await query(hubs[0].origin, t.token, { extensions: { persistedQuery } })).json()) as any;
  expect(retried.data).toEqual(known.data);
  expect(known.data.frameworks.length).toBeGreaterThan(0);
});

it('a token revoked through one process is refused by the other on its next request', async () => {
  const victim = await tokenFor(t, 'test-org', Role.VIEWER, 'revoked-elsewhere');
  expect((await query(hubs[1].origin, victim, { query: '{ __typename }' })).status).toBe(200);
  const [{ id }] = await t.ds.query(`SELECT id FROM api_token WHERE name = 'revoked-elsewhere'`);
  const revoked = (await (await query(hubs[0].origin, t.token, { query: `mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, variables: { id } })).json()) as any;
  expect(revoked.data.revokeApiToken.revokedAt).toEqual(expect.any(String));
  const refused = await query(hubs[1].origin, victim, { query: '{ __typename }' });
  expect(refused.status).toBe(401);
  expect(((await refused.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
});

describe('the shared store', () => {
  /** A server with one limiter (a fixed key) on `store`; GET /fail answers 401, anything else 200. */
  async function serve(store: Store | undefined, options: { windowMs: number; skipSuccessfulRequests?: boolean }) {
    const limiter = rateLimit({
      windowMs: options.windowMs, limit: 3, store, standardHeaders: 'draft-7', legacyHeaders: false, keyGenerator: () => 'caller',
      skipSuccessfulRequests: options.skipSuccessfulRequests ?? false, requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    });
    const app = express();
    app.get('/:outcome', limiter, (req, res) => void res.sendStatus(req.params.outcome === 'fail' ? 401 : 200));
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const hit = async (outcome = 'ok') => {
      const res = await fetch(`${url}/${outcome}`);
      await res.text();
      return `${res.status} ${/remaining=(\d+)/.exec(res.headers.get('ratelimit') ?? '')?.[1] ?? '-'}`;
    };
    return { hit, limiter, close: () => new Promise((r) => server.close(r)) };
  }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('counts as express-rate-limit\'s MemoryStore does: a window from the first hit, a new one windowMs later, resetKey', async () => {
    const run = async (store: Store | undefined) => {
      const s = await serve(store, { windowMs: 1000 });
      try {
        const first = [await s.hit(), await s.hit(), await s.hit(), await s.hit(), await s.hit()];
        await sleep(1100);
        const after = [await s.hit(), await s.hit()];
        await s.limiter.resetKey('caller');
        const reset = [await s.hit(), await s.hit(), await s.hit(), await s.hit()];
        return { first, after, reset };
      } finally {
        await s.close();
      }
    };
    const memory = await run(undefined);
    expect(memory).toEqual({ first: ['200 2', '200 1', '200 0', '429 0', '429 0'], after: ['200 2', '200 1'], reset: ['200 2', '200 1', '200 0', '429 0'] });
    expect(await run(new SharedRateLimitStore(t.appDs, 'equivalence-window'))).toEqual(memory);
  });

  it('takes back the hits of successful requests as MemoryStore does (the failed-authentication limiter)', async () => {
    const run = async (store: Store | undefined) => {
      const s = await serve(store, { windowMs: 60_000, skipSuccessfulRequests: true });
      try {
        const out: string[] = [];
        for (const outcome of ['fail', 'ok', 'fail', 'ok', 'fail', 'ok', 'fail']) {
          out.push(await s.hit(outcome));
          // The hit is taken back once the answer is sent: let that land before the next request.
          await sleep(100);
        }
        return out;
      } finally {
        await s.close();
      }
    };
    const memory = await run(undefined);
    expect(memory.map((r) => r.split(' ')[0])).toEqual(['401', '200', '401', '200', '401', '429', '429']);
    expect(await run(new SharedRateLimitStore(t.appDs, 'equivalence-decrement'))).toEqual(memory);
  });
});
