import type { DataSource } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { currentQueryScope, type QueryScope } from './query-counter';
import { ErrorCode, HubError } from '../graphql/errors';
import { failOver, isReplicaConnection, moving } from './replicas';
import { isEmbedded } from './transaction';
import { preparedStatementsOn } from './prepared';

/**
 * Row-level security needs app.organization_id set where a statement runs, and a request's statements
 * are bounded by its statement_timeout. Both come from the current query scope and are made here, right
 * before a statement, so no caller can forget them.
 *
 * On PostgreSQL they are made per transaction (`set_config(..., true)`), never per session: behind
 * PgBouncer in transaction mode consecutive transactions of one client run on different server
 * connections, and a session setting would stay behind for someone else. So:
 * - a transaction gets them in the same round trip as its START TRANSACTION;
 * - a statement in a transaction whose scope wants other values sets them first (still local);
 * - a statement outside any transaction that needs a setting runs in a short transaction of its own;
 *   one that needs none (the token lookup, the scheduler's cross-organization functions) runs as is.
 * GraphQL requests run in one transaction each (request-transaction.ts), so they pay one round trip.
 *
 * PGlite is one session shared by every caller and never sits behind a pooler: there the settings are
 * made on the session whenever they differ from what it has, as before.
 */
const CURRENT = Symbol('hubSessionSettings');
/** The settings of the transaction open on a connection (server mode). */
const IN_TRANSACTION = Symbol('hubTransactionSettings');
/** The last statement sent on a connection: the next one waits for it (see counted). */
const QUEUE = Symbol('hubStatementQueue');
let installed = false;

interface PgConnection {
  query: (sql: string, params?: unknown[]) => Promise<unknown>;
  processID?: number;
  [CURRENT]?: string;
  [IN_TRANSACTION]?: string;
  [QUEUE]?: Promise<void>;
}

/** What a data source sets on every transaction besides the scope's values (createDataSource's options). */
export interface SessionDefaults {
  /** `hub.events = off`: the event triggers write nothing (HUB_EVENTS=false, the benchmark's generator). */
  eventsOff?: boolean;
  /** Statements marked with prepared() run as named prepared statements (HUB_PREPARED_STATEMENTS, database/prepared.ts). */
  preparedStatements?: boolean;
}
const defaults = new WeakMap<DataSource, SessionDefaults>();
export function setSessionDefaults(ds: DataSource, value: SessionDefaults): void {
  defaults.set(ds, value);
}

/** After a rolled-back transaction the session settings made inside it are gone: set them again next time. */
export function forgetSessionSettings(connection: unknown): void {
  if (connection && typeof connection === 'object') delete (connection as PgConnection)[CURRENT];
}

interface Settings {
  org: string;
  timeout: string;
  requestId: string;
  eventsOff: boolean;
}

function wantedSettings(scope: QueryScope | undefined, ds: DataSource): Settings {
  return {
    org: scope?.organizationId ?? '',
    timeout: String(scope?.statementTimeoutMs ?? 0),
    requestId: scope?.requestId ?? '',
    eventsOff: defaults.get(ds)?.eventsOff ?? false,
  };
}

const key = (s: Settings) => `${s.org}|${s.timeout}|${s.requestId}|${s.eventsOff}`;
/** Whether a statement outside a transaction needs a transaction of its own for these settings. */
const needsSettings = (s: Settings) => s.org !== '' || s.timeout !== '0' || s.eventsOff;

/**
 * The settings as one SELECT of literals, to share a round trip with START TRANSACTION (the simple query
 * protocol takes no parameters). Each value is checked to be what it claims before it is inlined.
 */
function settingsSql(s: Settings, organization = `'${s.org}'`): string {
  if (s.org !== '' && !/^[0-9a-f-]{36}$/i.test(s.org)) throw new Error('organization id is not a uuid');
  if (!/^\d+$/.test(s.timeout)) throw new Error('statement timeout is not a number');
  if (!/^[A-Za-z0-9._-]*$/.test(s.requestId)) throw new Error('request id has unexpected characters');
  // JIT off: the reports are short statements whose estimated cost includes fallback branches that
  // rarely run (see coverage.sql.ts), so PostgreSQL would compile them for ~140 ms to save a few.
  const parts = [
    `set_config('app.organization_id', ${organization}, true) AS organization_id`,
    `set_config('statement_timeout', '${s.timeout}', true)`,
    `set_config('jit', 'off', true)`,
  ];
  if (s.requestId) parts.push(`set_config('app.request_id', '${s.requestId}', true)`);
  if (s.eventsOff) parts.push(`set_config('hub.events', 'off', true)`);
  return `SELECT ${parts.join(', ')}`;
}

/** What hub_begin_request answers (migrations/1766016000000-request-gate.ts). */
export interface GateRow {
  outcome: 'ok' | 'unauthenticated' | 'rate_limited' | 'auth_failures';
  hits: number | null;
  reset_at: Date | null;
  id: string | null;
  organization_id: string | null;
  name: string | null;
  role: string | null;
  prefix: string | null;
  /** bigint, as pg answers it: a string. */
  catalog_stamp: string | null;
}

/**
 * The gate in a transaction of its own, committed before the request's opens, then the request's
 * transaction with its settings: one round trip (simple protocol, several statements). The gate's counter
 * rows must not stay locked for the length of the request: each request of a token updates the same row, so
 * a lock held to the request's COMMIT made a token's concurrent requests run one after another. The gate's
 * commit does not wait for its WAL to reach disk (synchronous_commit off, for that transaction only): a crash
 * can forget the last fraction of a second of counts and `last_used_at` touches, nothing else.
 * The request's organization is that of the token the gate found: hub_begin_request is asked again with
 * both limits off, which counts nothing and writes nothing (the gate has just touched `last_used_at`).
 */
function gatedStartSql(gate: { call: string; lookup: string }, s: Settings): string {
  const organization = `coalesce((SELECT o.organization_id::text FROM (${gate.lookup}) o WHERE o.outcome = 'ok'), '')`;
  return `BEGIN; SELECT set_config('synchronous_commit', 'off', true), g.* FROM (${gate.call}) g; COMMIT; START TRANSACTION; ${settingsSql(s, organization)}`;
}

/** pg can reject with a bare socket error object; make it an Error that keeps its code. */
function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  const e = err as { code?: string; message?: string };
  return Object.assign(new Error(e?.message ?? `database connection failed (${e?.code ?? 'unknown'})`), { code: e?.code });
}

/** A statement of the guard's own (settings, the transaction around a lone statement): it counts in the scope as every other. */
async function send(connection: PgConnection, sql: string, params?: unknown[]): Promise<void> {
  const scope = currentQueryScope();
  if (scope) scope.statements++;
  try {
    await connection.query(sql, params);
  } catch (err) {
    throw asError(err);
  }
}

type Query = PostgresQueryRunner['query'];

/** A statement queued on a connection its runner has left; it is sent again on the runner's new one. */
class ConnectionMoved extends Error {}

export function installTenantGuard(): void {
  if (installed) return;
  installed = true;
  const original = PostgresQueryRunner.prototype.query;

  /** START TRANSACTION with the scope's settings in the same round trip, and the request gate's first when it has one. */
  async function startTransaction(runner: PostgresQueryRunner, connection: PgConnection, scope: QueryScope | undefined, wanted: Settings, args: Parameters<Query>): ReturnType<Query> {
    const gate = scope?.gate;
    if (gate && !gate.row) {
      // The request gate's transaction (graphql/request-gate.ts): the gate's statement sets the organization
      // of the token it finds, in the same round trip as START TRANSACTION and the other settings.
      const results = (await counted(runner, connection, scope, args, async () => {
        if (scope) scope.statements++;
        return connection.query(gatedStartSql(gate, wanted));
      })) as unknown as { rows: Record<string, unknown>[] }[];
      const row = results[1].rows[0] as unknown as GateRow;
      gate.row = row;
      const org = String(results[4].rows[0].organization_id ?? '');
      connection[IN_TRANSACTION] = key({ ...wanted, org });
      return undefined as never;
    }
    // One round trip: the transaction and its settings.
    const result = await counted(runner, connection, scope, [`START TRANSACTION; ${settingsSql(wanted)}`, ...args.slice(1)] as Parameters<Query>);
    connection[IN_TRANSACTION] = key(wanted);
    return result;
  }

  /** The statement itself, with the scope's settings in place on whatever connection runs it. */
  async function run(runner: PostgresQueryRunner, args: Parameters<Query>, sent: { on?: PgConnection }): ReturnType<Query> {
    const scope = currentQueryScope();
    const connection = (await runner.connect()) as PgConnection;
    sent.on = connection;
    const wanted = wantedSettings(scope, runner.connection);
    const sql = String(args[0]);

    if (isEmbedded(runner.connection)) {
      const k = key(wanted);
      if (connection[CURRENT] !== k) {
        await send(connection, `SELECT set_config('app.organization_id', $1, false), set_config('statement_timeout', $2, false)`, [wanted.org, wanted.timeout]);
        connection[CURRENT] = k;
      }
      return counted(runner, connection, scope, args);
    }
    if (defaults.get(runner.connection)?.preparedStatements) preparedStatementsOn(connection);

    if (/^\s*START TRANSACTION\s*$/i.test(sql)) {
      try {
        return await startTransaction(runner, connection, scope, wanted, args);
      } catch (err) {
        // The message may have opened a transaction before it failed (the gate's BEGIN, or START TRANSACTION
        // before its settings; a refused gate, a cancelled or timed-out statement), and TypeORM will not end
        // one it believes never started: ended here, or the pool would hand the next caller a connection that
        // refuses every statement. Not when the message was never sent here (the runner moved on).
        if (!(err instanceof ConnectionMoved)) await connection.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }
    if (runner.isTransactionActive && connection[IN_TRANSACTION] !== undefined) {
      if (/^\s*(COMMIT|ROLLBACK)\s*$/i.test(sql)) delete connection[IN_TRANSACTION];
      // Settings made after the savepoint are undone with it: make them again next time.
      else if (/^\s*ROLLBACK TO SAVEPOINT\b/i.test(sql)) connection[IN_TRANSACTION] = '';
      else if (connection[IN_TRANSACTION] !== key(wanted)) {
        await send(connection, settingsSql(wanted));
        connection[IN_TRANSACTION] = key(wanted);
      }
      return counted(runner, connection, scope, args);
    }
    if (!needsSettings(wanted)) return counted(runner, connection, scope, args);
    // A statement of its own that needs the organization or a timeout: a transaction around it.
    await send(connection, `START TRANSACTION; ${settingsSql(wanted)}`);
    try {
      const result = await counted(runner, connection, scope, args);
      await send(connection, 'COMMIT');
      return result;
    } catch (err) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  PostgresQueryRunner.prototype.query = async function (this: PostgresQueryRunner, ...args: Parameters<Query>) {
    const scope = currentQueryScope();
    // A request whose client left runs nothing more, except what undoes its work.
    if (scope?.aborted && !/^\s*ROLLBACK\b/i.test(String(args[0]))) {
      throw new HubError(ErrorCode.SERVICE_UNAVAILABLE, 'The request was abandoned by its client; nothing more runs for it', {});
    }
    // A request moving from its replica to the primary: nothing of it runs until it is there.
    await moving(this);
    for (let attempt = 0; ; attempt++) {
      // The connection and mode as they were when the statement was sent: another statement of the
      // request may move the runner to the primary before this one fails.
      const sent: { on?: PgConnection } = {};
      const mode = this.mode;
      try {
        return await run(this, args, sent);
      } catch (err) {
        if (err instanceof ConnectionMoved) {
          await moving(this);
          continue;
        }
        // A read on a replica that went away (or refused the statement): once more on the primary.
        if (attempt > 0 || mode !== 'slave' || !isReplicaConnection(sent.on, err)) throw asError(err);
        await failOver(this, sent.on, err);
      }
    }
  } as Query;

  /**
   * Runs the statement, counting it per backend. A request's connection is shared by its resolvers,
   * which run concurrently: their statements wait for each other here, one at a time on the connection
   * (pg itself queues them too, but says it will stop doing so).
   */
  async function counted(runner: PostgresQueryRunner, connection: PgConnection, scope: QueryScope | undefined, args: Parameters<Query>, exec?: () => Promise<unknown>): ReturnType<Query> {
    const previous = connection[QUEUE];
    const mine = (async () => {
      if (previous) await previous;
      // The runner moved to another connection while this waited (database/replicas.ts failOver): it
      // must go through the checks again there, or it could run outside the reopened transaction.
      if ((runner as unknown as { databaseConnection?: unknown }).databaseConnection !== connection) throw new ConnectionMoved();
      return exec ? exec() : original.apply(runner, args);
    })();
    connection[QUEUE] = mine.then(() => undefined, () => undefined);
    const pid = connection.processID;
    if (!scope || pid === undefined) return mine;
    const running = (scope.running ??= new Map());
    running.set(pid, (running.get(pid) ?? 0) + 1);
    try {
      return await mine;
    } finally {
      const left = (running.get(pid) ?? 1) - 1;
      if (left) running.set(pid, left);
      else running.delete(pid);
    }
  }
}

/** Opens the settings of a transaction already begun on a new connection (a replica's request moved to the primary). */
export async function restartTransaction(runner: PostgresQueryRunner): Promise<void> {
  const connection = (await runner.connect()) as PgConnection;
  const wanted = wantedSettings(currentQueryScope(), runner.connection);
  const depth = (runner as unknown as { transactionDepth: number }).transactionDepth;
  const savepoints = Array.from({ length: Math.max(0, depth - 1) }, (_, i) => `SAVEPOINT typeorm_${i + 1}`);
  await send(connection, [`START TRANSACTION`, settingsSql(wanted), ...savepoints].join('; '));
  connection[IN_TRANSACTION] = key(wanted);
}
