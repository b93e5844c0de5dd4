import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { closeDataSource, createDataSource } from '../database/data-source';
import { migrate, pendingMigrations } from '../database/migrator';
import { OrganizationService } from '../modules/organization/organization.service';
import { TokenService } from '../modules/auth/token.service';
import { Role } from '../modules/auth/role';

/**
 * `npm run --silent token -- --org <slug> --role <ROLE> [--name <name>]`: creates the organization when
 * missing and prints only the new token (shown this once; only its hash is stored).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { org: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } } });
  const role = values.role?.toUpperCase() as Role;
  if (!values.org || !Object.values(Role).includes(role)) {
    console.error(`usage: npm run --silent token -- --org <slug> --role <${Object.values(Role).join('|')}> [--name <name>]`);
    process.exit(2);
  }
  const config = loadConfig();
  // As the schema owner: a new organization and its first token exist before any organization is set.
  const ds = await createDataSource(config.ownerDatabase, { logLevel: 'error' });
  await ds.initialize();
  try {
    // The embedded default migrates itself, as `npm start` would; a server at DATABASE_URL must be migrated already.
    if (config.migrateOnStart) await migrate(ds);
    else if (await pendingMigrations(ds)) throw new Error('the database has pending migrations: run `npm run migrate` first');
    const { token } = await new TokenService(ds, new OrganizationService(ds)).createForSlug(values.org, role, values.name ?? `${role.toLowerCase()} token`);
    process.stdout.write(`${token}\n`);
  } finally {
    await closeDataSource(ds);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
