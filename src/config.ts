import path from 'node:path';
import fs from 'node:fs';

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
  database: DatabaseConfig;
  /** Apply pending migrations when the server starts (default: on for the embedded database only). */
  migrateOnStart: boolean;
  /** Seed the catalogs and mappings when the database holds none (default: on for the embedded database only). */
  seedOnStart: boolean;
  /** Report the number of SQL statements of each GraphQL request in `extensions.sqlStatements`. */
  exposeQueryCount: boolean;
  introspection: boolean;
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
    /** Most lexical tokens a GraphQL document may have; parsing stops there. */
    maxTokens: number;
    /** Most aliased fields in one operation, `__typename` and other `__` fields included. */
    maxAliases: number;
  };
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
  return {
    port: int(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    database,
    migrateOnStart: bool(env, 'HUB_MIGRATE_ON_START', embedded),
    seedOnStart: bool(env, 'HUB_SEED_ON_START', embedded),
    exposeQueryCount: bool(env, 'HUB_EXPOSE_QUERY_COUNT', false),
    introspection: bool(env, 'HUB_INTROSPECTION', env.NODE_ENV !== 'production'),
    rollupRefreshSeconds: int(env, 'HUB_ROLLUP_REFRESH_SECONDS', 60, 0, 86_400),
    logLevel,
    limits: {
      maxDepth: int(env, 'HUB_MAX_DEPTH', 12, 2, 100),
      maxComplexity: int(env, 'HUB_MAX_COMPLEXITY', 200_000, 100, 10_000_000),
      maxRootFields: int(env, 'HUB_MAX_ROOT_FIELDS', 25, 1, 1000),
      ratePerMinute: int(env, 'HUB_RATE_LIMIT_PER_MINUTE', 600, 0, 1_000_000),
      bodyBytes: int(env, 'HUB_MAX_BODY_BYTES', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
      maxTokens: int(env, 'HUB_MAX_TOKENS', 10_000, 100, 1_000_000),
      maxAliases: int(env, 'HUB_MAX_ALIASES', 100, 1, 10_000),
    },
  };
}
