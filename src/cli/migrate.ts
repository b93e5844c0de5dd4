import 'reflect-metadata';
import { loadConfig } from '../config';
import { closeDataSource, createDataSource } from '../database/data-source';
import { migrate, revertLast } from '../database/migrator';
import { grantApplicationRole, withOwner } from '../app';

/**
 * `npm run migrate` applies pending migrations as the schema owner (DATABASE_MIGRATION_URL, else
 * DATABASE_URL) and, when the two differ, grants DATABASE_URL's role what the server needs;
 * `npm run migrate:down` reverts the last one.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  await withOwner(config, null, async (owner) => {
    if (process.argv.includes('--down')) {
      await revertLast(owner);
      console.info('[migrate] reverted the last migration');
      return;
    }
    const applied = await migrate(owner);
    console.info(applied.length ? `[migrate] applied: ${applied.join(', ')}` : '[migrate] nothing to apply');
    if (config.ownerDatabase !== config.database) {
      const app = await createDataSource(config.database, { logLevel: config.logLevel, poolSize: 1 });
      await app.initialize();
      try {
        console.info(`[migrate] granted role ${await grantApplicationRole(owner, app)} what the server needs`);
      } finally {
        await closeDataSource(app);
      }
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
