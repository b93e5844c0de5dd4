import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTestHub, TestHub } from '../harness/hub';
import { startTracing } from '../../src/observability/tracing';
import { HubQueryLogger } from '../../src/database/query-counter';
import pino from 'pino';
import { logger } from '../../src/logger';

/** What operators scrape and trace: /metrics behind its token, W3C trace context, JSON-only logs. */
import { RollupRun, RollupService } from '../../src/modules/coverage/rollup.service';

const METRICS_TOKEN = 'scrape-me-0123456789abcdef';
const exporter = new InMemorySpanExporter();
let stopTracing: () => Promise<void>;
let t: TestHub;
let base: string;
beforeAll(async () => {
  stopTracing = await startTracing({ serviceName: 'hub-test', otlpEndpoint: null, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  t = await startTestHub({ http: { metricsToken: METRICS_TOKEN, tracing: { enabled: true, otlpEndpoint: null, serviceName: 'hub-test' } } });
  base = new URL(t.url).origin;
});
afterAll(async () => {
  await t.stop();
  await stopTracing();
});

const scrape = (token?: string) => fetch(`${base}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('metrics', () => {
  it('GET /metrics needs the token', async () => {
    for (const token of [undefined, 'wrong-token-0123456789']) {
      const res = await scrape(token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await res.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('counts operations by name and outcome, their latency, SQL per request and the pool', async () => {
    await t.data(`query FrameworkList { frameworks { key } }`);
    await t.gql(`query Broken { framework(key: "iso9001") { key } }`);
    await t.gql(`{ frameworks { key } }`, undefined, { token: null });
    const res = await scrape(METRICS_TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^# TYPE hub_graphql_operations_total counter$/m);
    expect(text).toMatch(/^hub_graphql_operations_total\{operation="FrameworkList",type="query",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^hub_graphql_operations_total\{operation="Broken",type="query",outcome="NOT_FOUND"\} 1$/m);
    expect(text).toMatch(/^# TYPE hub_graphql_operation_duration_seconds histogram$/m);
    expect(text).toMatch(/^hub_graphql_operation_duration_seconds_count\{operation="FrameworkList",type="query"\} 1$/m);
    expect(text).toMatch(/^hub_sql_statements_per_request_count\{operation="FrameworkList"\} 1$/m);
    const sqlSum = Number(/^hub_sql_duration_seconds_per_request_sum\{operation="FrameworkList"\} (\S+)$/m.exec(text)?.[1]);
    expect(sqlSum).toBeGreaterThan(0);
    expect(text).toMatch(/^hub_http_requests_total\{route="\/graphql",method="POST",status="401"\} 1$/m);
    expect(text).toMatch(/^hub_db_pool_connections\{state="total"\} [1-9]/m);
    expect(text).toMatch(/^# TYPE hub_rate_limit_rejections_total counter$/m);
    expect(text).toMatch(/^# TYPE hub_process_cpu_seconds_total counter$/m);
  });

  it('reports the coverage rollup refresher: runs by outcome, duration, requirements recomputed and the lag since the last good run', async () => {
    const value = (text: string, series: string) => {
      const m = new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : null;
    };
    let text = await (await scrape(METRICS_TOKEN)).text();
    // No refresher yet: no lag to report (a lag of 0 would claim a fresh rollup).
    expect([value(text, 'hub_rollup_refresh_lag_seconds'), value(text, 'hub_rollup_refresh_interval_seconds')]).toEqual([null, null]);

    // The last good run is read from the database: whichever process ran it.
    t.metrics!.rollupStarted(60, () => new RollupService(t.appDs).lastRun());
    // Evidence valid for a moment more: once that passes, its requirement's rollup window has closed and a run recomputes it.
    await t.data(`mutation($i: UpsertEvidenceInput!) { upsertEvidence(input: $i) { outcome } }`, {
      i: { sourceSystem: 'rollup-metrics', externalId: 'R-1', title: 'Short-lived approval', kind: 'POLICY', effectiveAt: '2025-01-01T00:00:00Z',
        validUntil: new Date(Date.now() + 300).toISOString(), links: [{ framework: 'iso27001', ref: 'A.5.3' }] },
    });
    await new Promise((r) => setTimeout(r, 500));
    const runs: RollupRun[] = [];
    const stop = new RollupService(t.ds).start(20, () => undefined, (run) => {
      runs.push(run);
      t.metrics!.rollupRun(run);
    });
    for (let i = 0; i < 200 && !runs.length; i++) await new Promise((r) => setTimeout(r, 10));
    await stop();
    const failing = new RollupService({ query: async () => { throw new Error('database down'); } } as never).start(20, () => undefined, (run) => t.metrics!.rollupRun(run));
    await new Promise((r) => setTimeout(r, 60));
    await failing();

    text = await (await scrape(METRICS_TOKEN)).text();
    expect([runs[0].ok, runs[0].requirements]).toEqual([true, 1]);
    expect(value(text, 'hub_rollup_refresh_runs_total{outcome="ok"}')).toBe(runs.length);
    expect(value(text, 'hub_rollup_refresh_runs_total{outcome="error"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'hub_rollup_refreshed_requirements_total')).toBe(runs.reduce((n, r) => n + r.requirements, 0));
    expect(value(text, 'hub_rollup_refresh_duration_seconds_count')).toBe(runs.length + value(text, 'hub_rollup_refresh_runs_total{outcome="error"}')!);
    expect(value(text, 'hub_rollup_refresh_interval_seconds')).toBe(60);
    // The failing runs do not reset the lag: it counts from the last good run, which ended moments ago.
    const lag = value(text, 'hub_rollup_refresh_lag_seconds')!;
    expect(lag).toBeGreaterThanOrEqual(0.05);
    expect(lag).toBeLessThan(30);
    expect(value(text, 'hub_rollup_last_success_timestamp_seconds')).toBeCloseTo(runs[runs.length - 1].finishedAt.getTime() / 1000, 3);
  });

  it('without HUB_METRICS_TOKEN there is no /metrics', async () => {
    const plain = await startTestHub();
    try {
      const res = await fetch(`${new URL(plain.url).origin}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(404);
      expect(res.headers.get('traceparent')).toBeNull();
    } finally {
      await plain.stop();
    }
  });

  it('rate-limit rejections are counted', async () => {
    const limited = await startTestHub({ limits: { ratePerMinute: 1 }, http: { metricsToken: METRICS_TOKEN } });
    try {
      await limited.gql(`{ frameworks { key } }`);
      expect((await limited.gql(`{ frameworks { key } }`)).status).toBe(429);
      const text = await (await fetch(`${new URL(limited.url).origin}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      expect(text).toMatch(/^hub_rate_limit_rejections_total\{limit="requests"\} 1$/m);
    } finally {
      await limited.stop();
    }
  });
});

describe('tracing', () => {
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
  it('continues the caller traceparent, answers with its own, and traces the operation and its SQL', async () => {
    exporter.reset();
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}`, traceparent: `00-${TRACE}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ query: 'query Traced { frameworks { key requirementCount } }' }),
    });
    expect(res.status).toBe(200);
    const out = res.headers.get('traceparent');
    expect(out).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    expect(out).not.toContain('00f067aa0ba902b7');
    await new Promise((r) => setTimeout(r, 50));
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === TRACE);
    const server = spans.find((s) => s.name === 'POST /graphql')!;
    const op = spans.find((s) => s.name === 'query Traced')!;
    const sql = spans.filter((s) => s.name === 'sql');
    expect(server.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(out).toContain(server.spanContext().spanId);
    expect(op.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(sql.length).toBeGreaterThan(0);
    expect(sql.some((s) => s.parentSpanContext?.spanId === op.spanContext().spanId)).toBe(true);
    // The request's transaction first (its START carries the request gate and the settings), then its reads.
    expect(String(sql[0].attributes['db.query.text'])).toBe('START TRANSACTION');
    expect(sql.some((s) => /^\s*SELECT/i.test(String(s.attributes['db.query.text'])))).toBe(true);
  });

  it('without an incoming traceparent a new trace starts and is returned', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});

describe('logs', () => {
  it('TypeORM slow-query lines are JSON through pino, not console', () => {
    const lines: string[] = [];
    const warn = jest.spyOn(console, 'warn');
    const child = jest.spyOn(logger, 'child');
    // The SQL logger holds a child made at module load: write through pino's stream to see the line.
    const stream = (logger as unknown as Record<symbol, { write: (s: string) => void }>)[pino.symbols.streamSym];
    const write = jest.spyOn(stream, 'write').mockImplementation((s: string) => void lines.push(s));
    try {
      new HubQueryLogger('warn').logQuerySlow(2500, 'SELECT 1');
    } finally {
      write.mockRestore();
    }
    expect(warn).not.toHaveBeenCalled();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 40, component: 'sql', durationMs: 2500, query: 'SELECT 1', msg: 'slow sql' });
    warn.mockRestore();
    child.mockRestore();
  });
});
