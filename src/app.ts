import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { TokenService } from './modules/auth/token.service';
import { OrganizationService } from './modules/organization/organization.service';
import { Role } from './modules/auth/role';
import { ConfigError, HubConfig } from './config';
import { closeDataSource, createDataSource } from './database/data-source';
import { ReplicaSet } from './database/replicas';
import { migrate, pendingMigrations } from './database/migrator';
import { assessabilityLines, isCatalogEmpty, seed } from './modules/catalog/catalog.seeder';
import { RunningHub, startHub } from './graphql/server';
import { RollupService } from './modules/coverage/rollup.service';
import { logger } from './logger';
import { startTracing } from './observability/tracing';
import { startDemo } from './demo/demo.start';

export interface App {
  hub: RunningHub;
  /** Embedded default only: the local ADMIN token (kept in the data folder). */
  adminToken: string | null;
  dataSource: DataSource;
  stop: () => Promise<void>;
}

/**
 * On the embedded default, the first start creates a local organization and an ADMIN token, prints it
 * once, and keeps it next to the data (mode 600) so the README's examples work on a fresh machine.
 */
async function localAdminToken(ds: DataSource, dataDir: string, log: (msg: string) => void): Promise<{ token: string; created: boolean }> {
  const file = path.join(path.dirname(dataDir), 'admin-token');
  const tokens = new TokenService(ds, new OrganizationService(ds));
  if (fs.existsSync(file) && (await tokens.count()) > 0) {
    log(`[hub] local ADMIN token: ${path.relative(process.cwd(), file) || file} (export TOKEN=$(cat ${path.relative(process.cwd(), file)}))`);
    return { token: fs.readFileSync(file, 'utf8').trim(), created: false };
  }
  const { token } = await tokens.createForSlug('local', Role.ADMIN, 'local-admin');
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  log(`[hub] created organization "local" and an ADMIN token (shown once below, also kept in ${path.relative(process.cwd(), file)})`);
  return { token, created: true };
}

/** The first-start banner, with the address the server really listens on (HOST, PORT). */
export function adminTokenBanner(token: string, url: string): string {
  return `\n  ADMIN token: ${token}\n  Dashboard: ${new URL('/', url).href} (paste the token there)\n  curl -s ${url} -H "authorization: Bearer ${token}" -H 'content-type: application/json' -d '{"query":"{ frameworks { key version } }"}'\n`;
}

/** Runs fn on the schema owner's connection: its own when DATABASE_MIGRATION_URL is set, else the server's. */
export async function withOwner<T>(config: Pick<HubConfig, 'database' | 'ownerDatabase' | 'logLevel'>, ds: DataSource | null, fn: (owner: DataSource) => Promise<T>): Promise<T> {
  if (ds && config.ownerDatabase === config.database) return fn(ds);
  const owner = await createDataSource(config.ownerDatabase, { logLevel: config.logLevel, poolSize: 2 });
  await owner.initialize();
  try {
    return await fn(owner);
  } finally {
    await closeDataSource(owner);
  }
}

/** Grants the server's role (DATABASE_URL's user) exactly what it needs, as the owner (migrations/1764892800000-least-privilege.ts). */
export async function grantApplicationRole(owner: DataSource, app: DataSource): Promise<string> {
  const [{ role }] = await app.query(`SELECT current_user AS role`);
  await owner.query(`SELECT hub_grant_application_role($1)`, [role]);
  return role;
}

/** config -> database -> migrations -> first-start seed -> server. Used by main.ts and the smoke test. */
export async function bootstrap(
  config: HubConfig & { logRequests?: boolean },
  log: (msg: string) => void = (msg) => logger.info(msg),
  announce: (msg: string) => void = (msg) => process.stdout.write(`${msg}\n`),
): Promise<App> {
  // Before the data source and server exist, so every span they make has a provider.
  const stopTracing = config.tracing.enabled ? await startTracing(config.tracing) : async () => {};
  const ds = await createDataSource(config.database, { logLevel: config.logLevel, poolSize: config.poolSize, poolWaitMs: config.work.poolWaitMs, eventsOff: !config.events.enabled, preparedStatements: config.preparedStatements });
  await ds.initialize();
  if (!config.events.enabled && config.database.kind === 'pglite') await ds.query(`SET hub.events = 'off'`);
  let app: App;
  let replicas: ReplicaSet | null = null;
  try {
    // Migrations and seeds run as the schema owner when DATABASE_MIGRATION_URL names one.
    await withOwner(config, ds, async (owner) => {
      if (config.migrateOnStart) {
        const applied = await migrate(owner);
        if (applied.length) log(`[hub] applied migrations: ${applied.join(', ')}`);
        if (owner !== ds) await grantApplicationRole(owner, ds);
      } else if (await pendingMigrations(owner)) {
        throw new ConfigError('the database has pending migrations: run `npm run migrate` (or set HUB_MIGRATE_ON_START=true)');
      }
      if (config.seedOnStart) {
        // Idempotent: an unchanged bundle costs a few reads; a newer one (an upgrade) is written.
        const first = await isCatalogEmpty(owner);
        const report = await seed(owner);
        const n = report.frameworks.reduce((a, f) => a + f.requirements, 0);
        const m = report.mappingSets.reduce((a, s) => a + s.mappings, 0);
        const changed = [...report.frameworks, ...report.mappingSets, ...(report.applicability ? [report.applicability] : [])].filter((x) => x.outcome !== 'UNCHANGED');
        if (first) log(`[hub] seeded ${report.frameworks.length} frameworks (${n} requirements) and ${report.mappingSets.length} mapping set versions (${m} mappings)`);
        else if (changed.length) log(`[hub] catalog updated: ${changed.length} part(s) changed (npm run seed lists them)`);
        for (const line of assessabilityLines(report.assessabilityChanged)) log(`[hub] ${line}`);
        if (report.applicability?.unresolved.length) log(`[hub] EU AI Act applicability rules without a catalog node: ${report.applicability.unresolved.join(', ')}`);
      }
    });
    if (config.database.kind === 'postgres') {
      const [role] = await ds.query(`SELECT rolsuper OR rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user`);
      if (role?.bypass) log('[hub] warning: the database role bypasses row-level security (superuser or BYPASSRLS); connect as an ordinary role so RLS backs up tenant isolation');
    }
    const local = config.database.kind === 'pglite' ? await localAdminToken(ds, config.database.dataDir, log) : null;
    // Before the server: its first queries may already read a replica.
    replicas = config.replicas ? new ReplicaSet(ds, config.replicas) : null;
    await replicas?.start();
    const hub = await startHub({ ...config, work: config.work }, ds);
    // The token goes to the person at the terminal, never into the structured log.
    if (local?.created) announce(adminTokenBanner(local.token, hub.url));
    const adminToken = local?.token ?? null;
    const rollup = new RollupService(ds);
    if (config.rollupRefreshSeconds > 0) hub.metrics?.rollupStarted(config.rollupRefreshSeconds, () => rollup.lastRun());
    const stopRefresher = config.rollupRefreshSeconds > 0
      ? rollup.start(
          config.rollupRefreshSeconds * 1000,
          (err) => logger.error({ err }, '[hub] coverage rollup refresh failed'),
          (run) => hub.metrics?.rollupRun(run),
        )
      : async () => {};
    app = {
      hub,
      adminToken,
      dataSource: ds,
      stop: async () => {
        await stopRefresher();
        await hub.stop();
        await replicas?.stop();
        await closeDataSource(ds);
        await stopTracing();
      },
    };
  } catch (err) {
    await replicas?.stop();
    await closeDataSource(ds);
    await stopTracing();
    throw err;
  }
  if (config.demo) {
    // Through the hub's own API, so only once it listens; a failure stops the hub like any failed start.
    try {
      await startDemo(config, (fn) => withOwner(config, ds, fn), ds, app.hub.url, log, announce);
    } catch (err) {
      await app.stop();
      throw err;
    }
  }
  return app;
}
