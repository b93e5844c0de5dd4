import { createHash, timingSafeEqual } from 'node:crypto';
import type express from 'express';
import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { QueryScope } from '../database/query-counter';
import type { RollupRun } from '../modules/coverage/rollup.service';
import { replicasOf } from '../database/replicas';
import { ErrorCode } from '../graphql/errors';

/** Client-chosen operation names become labels: beyond this many distinct ones they count as "other". */
const MAX_OPERATION_NAMES = 200;
const KNOWN_CODES = new Set<string>([...Object.values(ErrorCode), 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);
const ROUTES = ['/graphql', '/export', '/import', '/healthz', '/readyz', '/metrics', '/graphiql', '/assets', '/'];

/** The server's Prometheus metrics, in a registry of their own (a process may run several servers in tests). */
export class HubMetrics {
  readonly registry = new Registry();
  private readonly names = new Set<string>();

  readonly httpRequests = new Counter({ name: 'hub_http_requests_total', help: 'HTTP requests by route, method and status.', labelNames: ['route', 'method', 'status'], registers: [this.registry] });
  readonly operations = new Counter({ name: 'hub_graphql_operations_total', help: 'GraphQL operations by operation name, type and outcome (ok or the first error code).', labelNames: ['operation', 'type', 'outcome'], registers: [this.registry] });
  readonly operationSeconds = new Histogram({
    name: 'hub_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency, from request to response.',
    labelNames: ['operation', 'type'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly sqlStatements = new Histogram({
    name: 'hub_sql_statements_per_request',
    help: 'SQL statements one GraphQL request made.',
    labelNames: ['operation'],
    buckets: [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144],
    registers: [this.registry],
  });
  readonly sqlSeconds = new Histogram({
    name: 'hub_sql_duration_seconds_per_request',
    help: 'Time one GraphQL request spent in SQL statements (summed).',
    labelNames: ['operation'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({ name: 'hub_rate_limit_rejections_total', help: 'Requests refused with 429, by limit (requests per credential, failed authentications per address).', labelNames: ['limit'], registers: [this.registry] });

  readonly rollupRuns = new Counter({ name: 'hub_rollup_refresh_runs_total', help: 'Coverage rollup refresher runs of this process, by outcome (ok or error); another process may run a period instead.', labelNames: ['outcome'], registers: [this.registry] });
  readonly rollupSeconds = new Histogram({
    name: 'hub_rollup_refresh_duration_seconds',
    help: 'How long one refresher run over every organization took.',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly rollupRequirements = new Counter({ name: 'hub_rollup_refreshed_requirements_total', help: 'Requirements whose rollup rows a refresher run recomputed (their evidence window had closed).', registers: [this.registry] });
  private readonly started = Date.now();
  private lastRollupSuccess: number | null = null;
  private rollupIntervalSeconds: number | null = null;

  constructor(ds: DataSource, options: { processMetrics?: boolean } = {}) {
    // node-postgres keeps its pool as the driver's master; PGlite has none, and reports nothing.
    const pool = () => (ds.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } }).master;
    new Gauge({
      name: 'hub_db_pool_connections',
      help: 'Database pool connections: total (open), idle, and callers waiting for one.',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const p = pool();
        if (!p || typeof p.totalCount !== 'number') return;
        this.set({ state: 'total' }, p.totalCount);
        this.set({ state: 'idle' }, p.idleCount);
        this.set({ state: 'waiting' }, p.waitingCount);
      },
    });
    // Read replicas (DATABASE_REPLICA_URLS): as the last check found them; nothing without replicas.
    new Gauge({
      name: 'hub_replica_up',
      help: 'Whether a read replica is read (1) or left out (0: unreachable, lagging past HUB_MAX_REPLICA_LAG_MS, or no longer in recovery).',
      labelNames: ['replica'],
      registers: [this.registry],
      collect() {
        for (const r of replicasOf(ds)?.replicas ?? []) this.set({ replica: r.name }, r.up ? 1 : 0);
      },
    });
    new Gauge({
      name: 'hub_replica_lag_seconds',
      help: 'How far a read replica was behind the primary at its last check (its WAL replay against the primary\'s insert position).',
      labelNames: ['replica'],
      registers: [this.registry],
      collect() {
        for (const r of replicasOf(ds)?.replicas ?? []) if (r.lagMs !== null) this.set({ replica: r.name }, r.lagMs / 1000);
      },
    });
    new Gauge({
      name: 'hub_replica_requests_moved',
      help: 'Requests of this process that were reading a replica when it failed them and went on on the primary, since start.',
      labelNames: ['replica'],
      registers: [this.registry],
      collect() {
        for (const r of replicasOf(ds)?.replicas ?? []) this.set({ replica: r.name }, r.moved);
      },
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'hub_' });
  }

  /**
   * The refresher runs every `intervalSeconds`: from now on its lag is reported. The gauges exist only
   * then (an unset gauge would read 0, claiming a fresh rollup where no refresher runs).
   * With several processes one of them runs each period (database/periodic-job.ts): the lag and the last
   * success are read from the database on each scrape (`lastRun`), so every process reports the
   * rollup's freshness, whichever process refreshed it; the run counters and durations are this
   * process's own runs (sum them over processes).
   */
  rollupStarted(intervalSeconds: number, lastRun: () => Promise<Date | null>): void {
    if (this.rollupIntervalSeconds !== null) return;
    this.rollupIntervalSeconds = intervalSeconds;
    const hub = this;
    // One read per scrape, shared by the two gauges that need it. When the database cannot be read, the
    // last success known stands and the lag keeps growing from it.
    let reading: Promise<void> | null = null;
    const readLastRun = () => (reading ??= lastRun().then((at) => {
      if (at) hub.lastRollupSuccess = Math.max(hub.lastRollupSuccess ?? 0, at.getTime());
    }, () => undefined).finally(() => {
      reading = null;
    }));
    // Lag: seconds since the last successful refresher run ended (since the process started, before the
    // first one). Reports stay exact while it grows (they recount closed windows); they only get slower.
    // Alert when it exceeds a few intervals.
    new Gauge({
      name: 'hub_rollup_refresh_lag_seconds',
      help: 'Seconds since the coverage rollup refresher last completed a run in any process (since this process started, before the first run).',
      registers: [this.registry],
      async collect() {
        await readLastRun();
        this.set((Date.now() - (hub.lastRollupSuccess ?? hub.started)) / 1000);
      },
    });
    new Gauge({
      name: 'hub_rollup_refresh_interval_seconds',
      help: 'The refresher interval (HUB_ROLLUP_REFRESH_SECONDS).',
      registers: [this.registry],
      collect() {
        this.set(hub.rollupIntervalSeconds!);
      },
    });
    new Gauge({
      name: 'hub_rollup_last_success_timestamp_seconds',
      help: 'Unix time the refresher last completed a run in any process (0 before the first).',
      registers: [this.registry],
      async collect() {
        await readLastRun();
        if (hub.lastRollupSuccess !== null) this.set(hub.lastRollupSuccess / 1000);
      },
    });
  }

  /** Records one refresher run of this process (RollupService.start's onRun). */
  rollupRun(run: RollupRun): void {
    this.rollupRuns.inc({ outcome: run.ok ? 'ok' : 'error' });
    this.rollupSeconds.observe(run.seconds);
    if (!run.ok) return;
    this.rollupRequirements.inc(run.requirements);
    this.lastRollupSuccess = Math.max(this.lastRollupSuccess ?? 0, run.finishedAt.getTime());
  }

  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    const clean = name.slice(0, 100);
    if (this.names.has(clean)) return clean;
    if (this.names.size >= MAX_OPERATION_NAMES) return 'other';
    this.names.add(clean);
    return clean;
  }

  /** Counts every HTTP answer, 401s and 429s included (they never reach the GraphQL plugin). */
  httpCounter(): express.RequestHandler {
    return (req, res, next) => {
      // Read now: inside a mounted router (app.use('/graphql', ...)) req.path is relative to the mount.
      const path = req.path;
      const route = ROUTES.find((r) => path === r || path.startsWith(`${r}/`)) ?? 'other';
      res.once('finish', () => {
        this.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
      });
      next();
    };
  }

  plugin<C extends { queryScope: QueryScope }>(): ApolloServerPlugin<C> {
    const metrics = this;
    return {
      async requestDidStart() {
        const started = process.hrtime.bigint();
        let operation = 'anonymous';
        let type = 'unknown';
        return {
          async didResolveOperation({ operationName, operation: op }) {
            operation = metrics.operationLabel(operationName);
            type = op?.operation ?? 'unknown';
          },
          async willSendResponse({ response, contextValue, errors }) {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            const first = (response.body.kind === 'single' ? response.body.singleResult.errors?.[0]?.extensions?.code : undefined) ?? errors?.[0]?.extensions?.code;
            const outcome = first === undefined ? 'ok' : KNOWN_CODES.has(String(first)) ? String(first) : 'error';
            metrics.operations.inc({ operation, type, outcome });
            metrics.operationSeconds.observe({ operation, type }, seconds);
            const scope = contextValue?.queryScope;
            if (scope) {
              metrics.sqlStatements.observe({ operation }, scope.statements);
              metrics.sqlSeconds.observe({ operation }, (scope.sqlMs ?? 0) / 1000);
            }
          },
        };
      },
    };
  }

  /** GET /metrics for a scraper holding the token; anyone else gets 401 in the API's error shape. */
  endpoint(token: string): express.RequestHandler {
    const digest = (s: string) => createHash('sha256').update(s).digest();
    const expected = digest(token);
    return async (req, res) => {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!given || !timingSafeEqual(digest(given), expected)) {
        res.setHeader('www-authenticate', 'Bearer');
        res.status(401).json({ errors: [{ message: 'GET /metrics needs the HUB_METRICS_TOKEN bearer token', extensions: { code: ErrorCode.UNAUTHENTICATED } }] });
        return;
      }
      res.setHeader('content-type', this.registry.contentType);
      res.setHeader('cache-control', 'no-store');
      res.send(await this.registry.metrics());
    };
  }
}
