import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { bootstrap } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const where =
    config.database.kind === 'pglite' ? `embedded PostgreSQL (PGlite) in ${config.database.dataDir}` : 'PostgreSQL at DATABASE_URL';
  console.info(`[hub] database: ${where}`);
  const app = await bootstrap(config);
  console.info(`[hub] GraphQL API ready at ${app.hub.url}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.info(`[hub] ${signal}: shutting down`);
    await app.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? `[hub] configuration error: ${err.message}` : err);
  process.exit(1);
});
