import { Mutex } from 'async-mutex';
import type { DataSource, EntityManager } from 'typeorm';
import { currentQueryScope } from './query-counter';

const pgliteWriters = new WeakMap<DataSource, Mutex>();

/** PGlite (a driver instance instead of a URL): one session shared by every caller. */
export const isEmbedded = (ds: DataSource) => 'driver' in ds.options && ds.options.driver !== undefined;

/** PGlite's one writer at a time (see inTransaction). */
export function writerLock(ds: DataSource): Mutex {
  let mutex = pgliteWriters.get(ds);
  if (!mutex) {
    mutex = new Mutex();
    pgliteWriters.set(ds, mutex);
  }
  return mutex;
}

/**
 * Runs fn in a transaction. PGlite is one session shared by every caller (typeorm-pglite hands the same
 * client to all), so two interleaved transactions would mix their statements: on PGlite, transactions
 * run one at a time. Inside a request's own transaction (a mutation) this is a savepoint of it, and the
 * request already holds PGlite's lock.
 */
export async function inTransaction<T>(ds: DataSource, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  if (!isEmbedded(ds) || currentQueryScope()?.transaction) return ds.transaction(fn);
  return writerLock(ds).runExclusive(() => ds.transaction(fn));
}
