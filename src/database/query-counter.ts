import { AsyncLocalStorage } from 'node:async_hooks';
import { boundedError } from '../logger';
import type { Logger, QueryRunner } from 'typeorm';

/**
 * Counts SQL statements per unit of work (a GraphQL request, a benchmark step). TypeORM reports every
 * statement to its logger, so the count is exact and needs no driver hooks.
 */
export interface QueryScope {
  statements: number;
  /** The organization row-level security admits for statements in this scope (database/tenant.ts). */
  organizationId?: string;
  /** statement_timeout for this scope's statements, in ms (database/tenant.ts); unset: none. */
  statementTimeoutMs?: number;
  /** The request's own transaction: every statement of the scope runs in it (database/request-transaction.ts). */
  transaction?: PinnedTransaction;
  /** Why the request's transaction could not be opened: its mutation fields fail with it. */
  transactionError?: unknown;
  /** Backend process ids of the statements running now, to cancel them when the client goes away. */
  running?: Map<number, number>;
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

export class HubQueryLogger implements Logger {
  constructor(private readonly level: Level = 'warn') {}

  logQuery(query: string, parameters?: unknown[]): void {
    const scope = scopes.getStore();
    if (scope) scope.statements++;
    if (rank[this.level] >= rank.debug) console.debug('[sql]', query, boundedError(parameters ?? []));
  }

  logQueryError(error: string | Error, query: string): void {
    const scope = scopes.getStore();
    if (scope) scope.statements++;
    // Server-side only: SQL never reaches a client (see graphql/errors.ts).
    if (rank[this.level] >= rank.debug) console.error('[sql error]', typeof error === 'string' ? error : error.message, query);
  }

  logQuerySlow(time: number, query: string): void {
    if (rank[this.level] >= rank.warn) console.warn(`[sql slow ${time} ms]`, query.slice(0, 500));
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    if (rank[this.level] >= rank.info) console.info('[migration]', message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown, _qr?: QueryRunner): void {
    if (level === 'warn' && rank[this.level] >= rank.warn) console.warn(message);
    else if (rank[this.level] >= rank.debug) console.info(message);
  }
}
