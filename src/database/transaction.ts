import { Mutex } from 'async-mutex';
import type { DataSource, EntityManager } from 'typeorm';

const pgliteWriters = new WeakMap<DataSource, Mutex>();

/**
 * Runs fn in a transaction. PGlite is one session shared by every caller (typeorm-pglite hands the same
 * client to all), so two interleaved transactions would mix their statements: on PGlite, transactions
 * run one at a time.
 */
export async function inTransaction<T>(ds: DataSource, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  const embedded = 'driver' in ds.options && ds.options.driver !== undefined;
  if (!embedded) return ds.transaction(fn);
  let mutex = pgliteWriters.get(ds);
  if (!mutex) {
    mutex = new Mutex();
    pgliteWriters.set(ds, mutex);
  }
  return mutex.runExclusive(() => ds.transaction(fn));
}
