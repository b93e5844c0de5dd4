import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { ConfigError, HubConfig } from './config';
import { closeDataSource, createDataSource } from './database/data-source';
import { migrate, pendingMigrations } from './database/migrator';
import { isCatalogEmpty, seed } from './modules/catalog/catalog.seeder';
import { RunningHub, startHub } from './graphql/server';

export interface App {
  hub: RunningHub;
  dataSource: DataSource;
  stop: () => Promise<void>;
}

/** config -> database -> migrations -> first-start seed -> server. Used by main.ts and the smoke test. */
export async function bootstrap(config: HubConfig, log: (msg: string) => void = console.info): Promise<App> {
  const ds = await createDataSource(config.database, { logLevel: config.logLevel });
  await ds.initialize();
  try {
    if (config.migrateOnStart) {
      const applied = await migrate(ds);
      if (applied.length) log(`[hub] applied migrations: ${applied.join(', ')}`);
    } else if (await pendingMigrations(ds)) {
      throw new ConfigError('the database has pending migrations: run `npm run migrate` (or set HUB_MIGRATE_ON_START=true)');
    }
    if (config.seedOnStart && (await isCatalogEmpty(ds))) {
      const report = await seed(ds);
      const n = report.frameworks.reduce((a, f) => a + f.requirements, 0);
      const m = report.mappingSets.reduce((a, s) => a + s.mappings, 0);
      log(`[hub] seeded ${report.frameworks.length} frameworks (${n} requirements) and ${report.mappingSets.length} mapping sets (${m} mappings)`);
    }
    const hub = await startHub(config, ds);
    return {
      hub,
      dataSource: ds,
      stop: async () => {
        await hub.stop();
        await closeDataSource(ds);
      },
    };
  } catch (err) {
    await closeDataSource(ds);
    throw err;
  }
}
