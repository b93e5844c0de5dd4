import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTestHub, TestHub } from '../harness/hub';
import { startTracing } from '../../src/observability/tracing';
import { HubQueryLogger } from '../../src/database/query-counter';
import pino from 'pino';
import { logger } from '../../src/logger';

/** What operators scrape and trace: /metrics behind its token, W3C trace context, JSON-only logs. */
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
      body: JSON.stringify({ query: 'query Traced { frameworks { key } }' }),
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
    expect(String(sql[0].attributes['db.query.text'])).toMatch(/SELECT/i);
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
