import path from 'node:path';
import fs from 'node:fs';
import type { EventsConfig } from './modules/events/event-runtime';
import type { ReplicaConfig } from './database/replicas';

/** Where package.json lives: works from src/ (ts-jest) and from dist/src/ (built). */
export function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

export type DatabaseConfig =
  | { kind: 'postgres'; url: string }
  | { kind: 'pglite'; dataDir: string };

export interface HubConfig {
  port: number;
  host: string;
  /** Where the server reads and writes, as the application role (DATABASE_URL). */
  database: DatabaseConfig;
  /** Where migrations, seeds and the token CLI run, as the schema owner (DATABASE_MIGRATION_URL, else DATABASE_URL). */
  ownerDatabase: DatabaseConfig;
  /** Apply pending migrations when the server starts (default: on for the embedded database only). */
  migrateOnStart: boolean;
  /** Seed the catalogs and mappings when the database holds none (default: on for the embedded database only). */
  seedOnStart: boolean;
  /** Report the number of SQL statements of each GraphQL request in `extensions.sqlStatements`. */
  exposeQueryCount: boolean;
  /** Streaming replicas queries read from (DATABASE_REPLICA_URLS, database/replicas.ts); null: none. */
  replicas: ReplicaConfig | null;
  /** Report where each GraphQL request read and how stale that was in `extensions.readFrom` (HUB_READ_EXTENSIONS). */
  exposeReadFrom: boolean;
  introspection: boolean;
  /** Serve GraphiQL, bundled from node_modules (no CDN), at GET /graphql (from a browser) and /graphiql. */
  explorer: boolean;
  /** Origins (scheme://host[:port]) a browser may call the API from; empty: no CORS headers at all. */
  corsOrigins: string[];
  /** The bearer token GET /metrics requires; null: no /metrics endpoint. */
  metricsToken: string | null;
  /** OpenTelemetry tracing: W3C traceparent in and out, spans for operations and SQL; the OTLP endpoint exports them. */
  tracing: { enabled: boolean; otlpEndpoint: string | null; serviceName: string };
  /** Load the demo organization's programme on start when it holds no evidence (`npm run demo`). */
  demo: boolean;
  /** Seconds between recounts of coverage rollup rows that time has closed (evidence expired or became effective); 0: never. */
  rollupRefreshSeconds: number;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  limits: {
    /** Deepest field nesting an operation may have. */
    maxDepth: number;
    /** Most an operation may cost; lists cost their page size. */
    maxComplexity: number;
    /** Most root fields (aliases included) in one operation. */
    maxRootFields: number;
    /** Requests per token (or per address without one) per minute; 0 turns the limit off. */
    ratePerMinute: number;
    /** Largest request body, in bytes. */
    bodyBytes: number;
    /** Largest body of `POST /import/oscal` (a document uploaded as itself, not in a GraphQL string), in bytes. */
    importBytes: number;
    /** Most lexical tokens a GraphQL document may have; parsing stops there. */
    maxTokens: number;
    /** Most aliased fields in one operation, `__typename` and other `__` fields included. */
    maxAliases: number;
    /** Failed authentications per address per minute before the address is refused without a lookup; 0: off. */
    authFailuresPerMinute: number;
    /** Subscriptions one graphql-ws connection may have open at once. */
    maxSubscriptionsPerConnection: number;
  };
  /** Bounds on the work of one request (graphql/work-limits.ts). */
  work: {
    statementTimeoutMs: number;
    heavyStatementTimeoutMs: number;
    heavyConcurrency: number;
    poolWaitMs: number;
  };
  /** Database connections this process keeps at most. */
  poolSize: number;
  /** The hot reads as named prepared statements (HUB_PREPARED_STATEMENTS; off behind a transaction-mode pooler that does not track them). */
  preparedStatements: boolean;
  /** Events, coverage history, the scheduler, webhooks and subscriptions (src/modules/events). */
  events: EventsConfig;
}

export class ConfigError extends Error {}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/** A number with a fraction allowed (hours, for instance), within bounds. */
function decimal(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw new ConfigError(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** A comma-separated list of origins; each must be exactly scheme://host[:port], as browsers send it. */
function origins(env: NodeJS.ProcessEnv, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  return raw.split(',').map((o) => o.trim()).filter(Boolean).map((o) => {
    let url: URL | null = null;
    try {
      url = new URL(o);
    } catch {
      // reported below
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== o.replace(/\/$/, '')) {
      throw new ConfigError(`${name} must list origins like https://dashboard.example.com (scheme, host, optional port), got "${o}"`);
    }
    return url.origin;
  });
}

function metricsToken(env: NodeJS.ProcessEnv): string | null {
  const raw = env.HUB_METRICS_TOKEN?.trim();
  if (!raw) return null;
  // A scraper's secret, compared in constant time; a short one could be guessed.
  if (raw.length < 16 || /\s/.test(raw)) throw new ConfigError('HUB_METRICS_TOKEN must be at least 16 characters without spaces');
  return raw;
}

/** All environment parsing lives here; the rest of the code takes a HubConfig. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const url = env.DATABASE_URL?.trim();
  const database: DatabaseConfig = url
    ? { kind: 'postgres', url }
    : { kind: 'pglite', dataDir: path.resolve(projectRoot(), env.HUB_DATA_DIR || '.data/pglite') };
  const embedded = database.kind === 'pglite';
  const logLevel = (env.LOG_LEVEL || 'info') as HubConfig['logLevel'];
  if (!['error', 'warn', 'info', 'debug'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be error, warn, info or debug, got "${env.LOG_LEVEL}"`);
  }
  const ownerUrl = env.DATABASE_MIGRATION_URL?.trim();
  if (ownerUrl && !url) throw new ConfigError('DATABASE_MIGRATION_URL needs DATABASE_URL (the embedded database has one role)');
  const introspection = bool(env, 'HUB_INTROSPECTION', env.NODE_ENV !== 'production');
  const replicaUrls = (env.DATABASE_REPLICA_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  if (replicaUrls.length && !url) throw new ConfigError('DATABASE_REPLICA_URLS needs DATABASE_URL (the embedded database has no replicas)');
  const otlpEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return {
    port: int(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    database,
    ownerDatabase: ownerUrl ? { kind: 'postgres', url: ownerUrl } : database,
    migrateOnStart: bool(env, 'HUB_MIGRATE_ON_START', embedded),
    seedOnStart: bool(env, 'HUB_SEED_ON_START', embedded),
    exposeQueryCount: bool(env, 'HUB_EXPOSE_QUERY_COUNT', false),
    replicas: replicaUrls.length ? {
      urls: replicaUrls,
      maxLagMs: int(env, 'HUB_MAX_REPLICA_LAG_MS', 2_000, 0, 3_600_000),
      checkMs: int(env, 'HUB_REPLICA_CHECK_MS', 500, 50, 60_000),
      poolSize: int(env, 'HUB_POOL_SIZE', 10, 2, 1000),
    } : null,
    exposeReadFrom: bool(env, 'HUB_READ_EXTENSIONS', false),
    introspection,
    explorer: bool(env, 'HUB_EXPLORER', introspection),
    corsOrigins: origins(env, 'HUB_CORS_ORIGINS'),
    metricsToken: metricsToken(env),
    tracing: {
      enabled: Boolean(otlpEndpoint) || bool(env, 'HUB_TRACING', false),
      otlpEndpoint: otlpEndpoint || null,
      serviceName: env.OTEL_SERVICE_NAME?.trim() || 'control-mapping-hub',
    },
    demo: bool(env, 'HUB_DEMO', false),
    rollupRefreshSeconds: int(env, 'HUB_ROLLUP_REFRESH_SECONDS', 60, 0, 86_400),
    logLevel,
    limits: {
      maxDepth: int(env, 'HUB_MAX_DEPTH', 12, 2, 100),
      maxComplexity: int(env, 'HUB_MAX_COMPLEXITY', 200_000, 100, 10_000_000),
      maxRootFields: int(env, 'HUB_MAX_ROOT_FIELDS', 25, 1, 1000),
      ratePerMinute: int(env, 'HUB_RATE_LIMIT_PER_MINUTE', 600, 0, 1_000_000),
      bodyBytes: int(env, 'HUB_MAX_BODY_BYTES', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
      importBytes: int(env, 'HUB_IMPORT_MAX_BYTES', 64 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      maxTokens: int(env, 'HUB_MAX_TOKENS', 10_000, 100, 1_000_000),
      maxAliases: int(env, 'HUB_MAX_ALIASES', 100, 1, 10_000),
      authFailuresPerMinute: int(env, 'HUB_AUTH_FAILURES_PER_MINUTE', 30, 0, 1_000_000),
      maxSubscriptionsPerConnection: int(env, 'HUB_MAX_SUBSCRIPTIONS_PER_CONNECTION', 20, 1, 1000),
    },
    work: {
      statementTimeoutMs: int(env, 'HUB_STATEMENT_TIMEOUT_MS', 15_000, 100, 3_600_000),
      heavyStatementTimeoutMs: int(env, 'HUB_HEAVY_STATEMENT_TIMEOUT_MS', 120_000, 100, 3_600_000),
      heavyConcurrency: int(env, 'HUB_HEAVY_CONCURRENCY', 2, 1, 100),
      poolWaitMs: int(env, 'HUB_POOL_WAIT_MS', 5_000, 10, 600_000),
    },
    poolSize: int(env, 'HUB_POOL_SIZE', 10, 2, 1000),
    preparedStatements: bool(env, 'HUB_PREPARED_STATEMENTS', true),
    events: {
      enabled: bool(env, 'HUB_EVENTS', true),
      workers: bool(env, 'HUB_EVENT_WORKERS', true),
      schedulerSeconds: int(env, 'HUB_SCHEDULER_SECONDS', 60, 1, 86_400),
      retentionDays: int(env, 'HUB_EVENT_RETENTION_DAYS', 90, 1, 3650),
      feedPollMs: int(env, 'HUB_EVENT_FEED_POLL_MS', 500, 50, 60_000),
      webhooks: {
        allowPrivateNetworks: bool(env, 'HUB_WEBHOOK_ALLOW_PRIVATE_NETWORKS', env.NODE_ENV !== 'production'),
        timeoutMs: int(env, 'HUB_WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
        retryDelaySeconds: int(env, 'HUB_WEBHOOK_RETRY_DELAY_SECONDS', 10, 1, 3600),
        retryDelayMaxSeconds: int(env, 'HUB_WEBHOOK_RETRY_DELAY_MAX_SECONDS', 3600, 1, 86_400),
        retryLimit: int(env, 'HUB_WEBHOOK_RETRY_LIMIT', 40, 0, 1000),
        // A fraction of an hour is allowed, so a test or a staging hub can see an endpoint disabled in minutes.
        disableAfterHours: decimal(env, 'HUB_WEBHOOK_DISABLE_AFTER_HOURS', 24, 0.001, 24 * 30),
      },
    },
  };
}
