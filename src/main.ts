import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { closeDataSource, createDataSource } from './database/data-source';
import { migrate, pendingMigrations } from './database/migrator';
import { isCatalogEmpty, seed } from './modules/catalog/catalog.seeder';
import { startHub } from './graphql/server';

async function main(): Promise<void> {
  const config = loadConfig();
  const where = config.database.kind === 'pglite' ? `embedded PostgreSQL (PGlite) in ${config.database.dataDir}` : 'PostgreSQL at DATABASE_URL';
  console.info(`[hub] database: ${where}`);
  const ds = await createDataSource(config.database, { logLevel: config.logLevel });
  await ds.initialize();

  if (config.migrateOnStart) {
    const applied = await migrate(ds);
    if (applied.length) console.info(`[hub] applied migrations: ${applied.join(', ')}`);
  } else if (await pendingMigrations(ds)) {
    throw new ConfigError('the database has pending migrations: run `npm run migrate` (or set HUB_MIGRATE_ON_START=true)');
  }
  if (config.seedOnStart && (await isCatalogEmpty(ds))) {
    const report = await seed(ds);
    const n = report.frameworks.reduce((a, f) => a + f.requirements, 0);
    const m = report.mappingSets.reduce((a, s) => a + s.mappings, 0);
    console.info(`[hub] seeded ${report.frameworks.length} frameworks (${n} requirements) and ${report.mappingSets.length} mapping sets (${m} mappings)`);
  }

  const hub = await startHub(config, ds);
  console.info(`[hub] GraphQL API ready at ${hub.url}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.info(`[hub] ${signal}: shutting down`);
    await hub.stop();
    await closeDataSource(ds);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? `[hub] configuration error: ${err.message}` : err);
  process.exit(1);
});
