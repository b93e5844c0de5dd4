import 'reflect-metadata';
import { loadConfig } from '../config';
import { seed, seedReportLines } from '../modules/catalog/catalog.seeder';
import { withOwner } from '../app';

/** `npm run seed`: loads seeds/ into the database; running it again changes nothing. */
async function main(): Promise<void> {
  const config = loadConfig();
  // Shared catalog rows are writable only by the schema owner.
  const report = await withOwner(config, null, (owner) => seed(owner));
  for (const line of seedReportLines(report)) console.info(`[seed] ${line}`);
  const a = report.applicability;
  if (a) console.info(`[seed] EU AI Act applicability rules: ${a.outcome} (${a.rules} rules${a.unresolved.length ? `; no catalog node for ${a.unresolved.join(', ')}` : ''})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
