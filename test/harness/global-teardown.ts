import type { TestPostgres } from './postgres';

/** Runs whether or not the tests passed. */
export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as Record<string, unknown>).__HUB_TEST_PG__ as TestPostgres | undefined;
  if (pg) await pg.stop();
}
