import 'reflect-metadata';
import { loadConfig } from '../config';
import { closeDataSource, createDataSource } from '../database/data-source';
import { seed } from '../modules/catalog/catalog.seeder';

/** `npm run seed`: loads seeds/ into the database; running it again changes nothing. */
async function main(): Promise<void> {
  const config = loadConfig();
  const ds = await createDataSource(config.database, { logLevel: config.logLevel });
  await ds.initialize();
  try {
    const report = await seed(ds);
    for (const f of report.frameworks) console.info(`[seed] framework ${f.key} ${f.version}: ${f.outcome} (${f.requirements} requirements)`);
    for (const s of report.mappingSets) console.info(`[seed] mapping set ${s.key}: ${s.outcome} (${s.mappings} mappings)`);
  } finally {
    await closeDataSource(ds);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
