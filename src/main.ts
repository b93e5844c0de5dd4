import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { bootstrap } from './app';
import { logger } from './logger';

/** How long in-flight requests get to finish on SIGTERM before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 15_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const where =
    config.database.kind === 'pglite' ? `embedded PostgreSQL (PGlite) in ${config.database.dataDir}` : 'PostgreSQL at DATABASE_URL';
  const log = (msg: string) => logger.info(msg);
  log(`[hub] database: ${where}`);
  const app = await bootstrap({ ...config, logRequests: true }, log);
  log(`[hub] GraphQL API ready at ${app.hub.url}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`[hub] ${signal}: no new requests; finishing in-flight ones (at most ${SHUTDOWN_GRACE_MS / 1000} s)`);
    const timer = setTimeout(() => {
      logger.error('[hub] shutdown grace period over; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    timer.unref();
    await app.stop();
    log('[hub] stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError) logger.error(`[hub] configuration error: ${err.message}`);
  else logger.error({ err }, '[hub] failed to start');
  process.exit(1);
});
