import 'reflect-metadata';
import { loadConfig } from '../config';
import { closeDataSource, createDataSource } from '../database/data-source';
import { migrate, revertLast } from '../database/migrator';

/** `npm run migrate` applies pending migrations; `npm run migrate:down` reverts the last one. */
async function main(): Promise<void> {
  const config = loadConfig();
  const ds = await createDataSource(config.database, { logLevel: config.logLevel });
  await ds.initialize();
  try {
    if (process.argv.includes('--down')) {
      await revertLast(ds);
      console.info('[migrate] reverted the last migration');
    } else {
      const applied = await migrate(ds);
      console.info(applied.length ? `[migrate] applied: ${applied.join(', ')}` : '[migrate] nothing to apply');
    }
  } finally {
    await closeDataSource(ds);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
