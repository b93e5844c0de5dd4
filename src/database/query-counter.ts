import { AsyncLocalStorage } from 'node:async_hooks';
import { boundedError, logger } from '../logger';
import type { Logger, QueryRunner } from 'typeorm';
import type { Context } from '@opentelemetry/api';

/**
 * Counts SQL statements per unit of work (a GraphQL request, a benchmark step). TypeORM reports every
 * statement to its logger, so the count is exact and needs no driver hooks.
 */
export interface QueryScope {
  statements: number;
  /** Time spent in this scope's SQL statements, in ms (database/sql-instrumentation.ts). */
  sqlMs?: number;
  /** The trace context SQL spans of this scope hang under: the GraphQL operation's span (observability/tracing.ts). */
  traceContext?: Context;
  /** The organization row-level security admits for statements in this scope (database/tenant.ts). */
  organizationId?: string;
  /** statement_timeout for this scope's statements, in ms (database/tenant.ts); unset: none. */
  statementTimeoutMs?: number;
  /** The request id, set with the request's transaction (app.request_id, for the audit trail). */
  requestId?: string;
  /** This request's transaction may read a replica (a query, database/replicas.ts). */
  readReplica?: boolean;
  /** The time a replica must hold the primary's state of, for this request (its token's last write in this process). */
  replicaCurrentTo?: number;
  /** Where the request's transaction reads, and how stale that is (database/replicas.ts). */
  readFrom?: import('./replicas').ReadFrom;
  /** The request's own transaction: every statement of the scope runs in it (database/request-transaction.ts). */
  transaction?: PinnedTransaction;
  /** Why the request's transaction could not be opened: its mutation fields fail with it. */
  transactionError?: unknown;
  /** Backend process ids of the statements running now, to cancel them when the client goes away. */
  running?: Map<number, number>;
  /**
   * The request gate's call (hub_begin_request with its arguments as literals) and the token lookup that
   * gives the request's transaction its organization, made in the same round trip as the request's START
   * TRANSACTION (database/tenant.ts), and what the gate answered.
   */
  gate?: { call: string; lookup: string; row?: import('./tenant').GateRow };
  /** The operation reached execution (mutation-transaction.plugin.ts); a transaction that did not only holds the gate's counts. */
  executed?: boolean;
  /** The catalog stamp the request gate read (hub_begin_request): frameworks changed since move it. */
  gateCatalogStamp?: string;
  /** Set for queries only: framework reads may come from the process's catalog at this stamp (framework.service.ts). */
  catalogStamp?: string;
  /** Settles when the request's transaction has ended (COMMIT or ROLLBACK sent): the count is taken after it. */
  finished?: Promise<void>;
  /** The client went away: statements not yet sent are refused, running ones cancelled. */
  aborted?: boolean;
}

/** A query runner held for a whole request, in a transaction, and how to really release it. */
export interface PinnedTransaction {
  runner: QueryRunner;
  release: () => Promise<void>;
  /** Savepoints taken so far (one per mutation field). */
  savepoints: number;
}

const scopes = new AsyncLocalStorage<QueryScope>();

export function withQueryScope<T>(scope: QueryScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

export function currentQueryScope(): QueryScope | undefined {
  return scopes.getStore();
}

type Level = 'error' | 'warn' | 'info' | 'debug';
const rank: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** TypeORM's messages as JSON log lines through pino, like every other line the server writes. */
const sqlLog = logger.child({ component: 'sql' });

export class HubQueryLogger implements Logger {
  constructor(private readonly level: Level = 'warn') {}

  logQuery(query: string, parameters?: unknown[]): void {
    const scope = scopes.getStore();
    if (scope) scope.statements++;
    if (rank[this.level] >= rank.debug) sqlLog.debug({ query, parameters: boundedError(parameters ?? []) }, 'sql');
  }

  logQueryError(error: string | Error, query: string): void {
    const scope = scopes.getStore();
    if (scope) scope.statements++;
    // Server-side only: SQL never reaches a client (see graphql/errors.ts). Errors that reach a client
    // as INTERNAL_SERVER_ERROR are logged at error level by the server; expected ones (a unique
    // violation mapped to CONFLICT) stay at debug here.
    if (rank[this.level] >= rank.debug) sqlLog.debug({ error: typeof error === 'string' ? error : error.message, query }, 'sql error');
  }

  logQuerySlow(time: number, query: string): void {
    if (rank[this.level] >= rank.warn) sqlLog.warn({ durationMs: time, query: query.slice(0, 500) }, 'slow sql');
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    if (rank[this.level] >= rank.info) sqlLog.info({ migration: message }, 'migration');
  }

  log(level: 'log' | 'info' | 'warn', message: unknown, _qr?: QueryRunner): void {
    if (level === 'warn' && rank[this.level] >= rank.warn) sqlLog.warn({ detail: boundedError(message) }, 'typeorm');
    else if (rank[this.level] >= rank.debug) sqlLog.debug({ detail: boundedError(message) }, 'typeorm');
  }
}
