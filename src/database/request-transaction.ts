import { DataSource } from 'typeorm';
import type { ReplicationMode } from 'typeorm/driver/types/ReplicationMode.js';
import { PinnedTransaction, QueryScope, currentQueryScope, withQueryScope } from './query-counter';
import { forgetSessionSettings } from './tenant';
import { isEmbedded, writerLock } from './transaction';

/**
 * A mutation request runs in one transaction of its own, so what it writes and the audit event that
 * describes it commit together or not at all. While a scope holds such a transaction, every query
 * runner the data source hands out in that scope is the pinned one: repository calls and ds.query run
 * in it, and services' own transactions become savepoints inside it (TypeORM nests them that way).
 */
let installed = false;

export function installRequestPinning(): void {
  if (installed) return;
  installed = true;
  const original = DataSource.prototype.createQueryRunner;
  DataSource.prototype.createQueryRunner = function (this: DataSource, mode?: ReplicationMode) {
    const pinned = currentQueryScope()?.transaction;
    if (pinned && pinned.runner.dataSource === this) return pinned.runner;
    return original.call(this, mode);
  };
}

/**
 * Opens the scope's transaction; request id and organization are set for hub_audit_append (database/
 * tenant.ts sets them with the START TRANSACTION). `replica`: a read-only request, which may read a
 * replica (database/replicas.ts decides which, or the primary).
 */
export async function beginRequestTransaction(ds: DataSource, scope: QueryScope, requestId: string, replica = false): Promise<void> {
  // PGlite is one session for everyone: one writing request at a time (see database/transaction.ts).
  const unlock = isEmbedded(ds) ? await writerLock(ds).acquire() : null;
  scope.requestId = requestId;
  scope.readReplica = replica;
  const runner = ds.createQueryRunner(replica ? 'slave' : 'master');
  const release = async () => {
    try {
      await runner.release();
    } finally {
      unlock?.();
    }
  };
  const realRelease = runner.release.bind(runner);
  // Code inside the request releases what it believes is its own runner: that must not end ours.
  runner.release = async () => undefined;
  const pinned: PinnedTransaction = {
    runner,
    savepoints: 0,
    release: async () => {
      runner.release = realRelease;
      await release();
    },
  };
  try {
    await runner.startTransaction();
    if (isEmbedded(ds)) await runner.query(`SELECT set_config('app.request_id', $1, true)`, [requestId]);
  } catch (err) {
    await pinned.release().catch(() => undefined);
    throw err;
  }
  scope.transaction = pinned;
}

/** Commits or rolls back the scope's transaction and gives its connection back; safe to call twice. */
export async function endRequestTransaction(scope: QueryScope, commit: boolean): Promise<void> {
  const pinned = scope.transaction;
  if (!pinned) return;
  scope.transaction = undefined;
  const connection = (pinned.runner as unknown as { databaseConnection?: unknown }).databaseConnection;
  try {
    if (commit) await pinned.runner.commitTransaction();
    else if (pinned.runner.isTransactionActive) await pinned.runner.rollbackTransaction();
  } catch (err) {
    if (commit) await pinned.runner.rollbackTransaction().catch(() => undefined);
    throw err;
  } finally {
    forgetSessionSettings(connection);
    await pinned.release().catch(() => undefined);
  }
}

/** Runs fn in a savepoint of the scope's transaction: a failing mutation field leaves nothing behind. */
export async function inSavepoint<T>(pinned: PinnedTransaction, fn: () => Promise<T>): Promise<T> {
  const name = `hub_field_${++pinned.savepoints}`;
  await pinned.runner.query(`SAVEPOINT ${name}`);
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    // Also clears an aborted transaction state, so the next field and the audit event can still run.
    await pinned.runner.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
    throw err;
  }
  await pinned.runner.query(`RELEASE SAVEPOINT ${name}`);
  return result;
}

/** The client went away: refuse the scope's next statements and cancel the running ones. */
export async function abandon(ds: DataSource, scope: QueryScope): Promise<void> {
  scope.aborted = true;
  const pids = [...(scope.running?.keys() ?? [])];
  if (!pids.length || isEmbedded(ds)) return;
  // Outside the request's scope: a pooled connection of its own, no organization needed.
  await withQueryScope({ statements: 0 }, () => ds.query(`SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid`, [pids])).catch(() => undefined);
}
