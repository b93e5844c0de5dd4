import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { currentQueryScope } from './query-counter';
import { ErrorCode, HubError } from '../graphql/errors';

/**
 * Row-level security needs app.organization_id set on the connection a statement runs on, and a
 * request's statements are bounded by its statement_timeout. TypeORM takes a pooled connection per
 * statement (or per transaction), so both settings are made here, on the connection, right before a
 * statement whenever they differ from what the current scope wants: the request's organization (or
 * none, and then RLS shows no organization rows at all) and the request's timeout (or none).
 */
const CURRENT = Symbol('hubSessionSettings');
let installed = false;

interface PgConnection {
  query: (sql: string, params: unknown[]) => Promise<unknown>;
  processID?: number;
  [CURRENT]?: string;
}

/** After a rolled-back transaction the session settings made inside it are gone: set them again next time. */
export function forgetSessionSettings(connection: unknown): void {
  if (connection && typeof connection === 'object') delete (connection as PgConnection)[CURRENT];
}

export function installTenantGuard(): void {
  if (installed) return;
  installed = true;
  const original = PostgresQueryRunner.prototype.query;
  PostgresQueryRunner.prototype.query = async function (this: PostgresQueryRunner, ...args: Parameters<typeof original>) {
    const scope = currentQueryScope();
    // A request whose client left runs nothing more, except what undoes its work.
    if (scope?.aborted && !/^\s*ROLLBACK\b/i.test(String(args[0]))) {
      throw new HubError(ErrorCode.SERVICE_UNAVAILABLE, 'The request was abandoned by its client; nothing more runs for it', {});
    }
    const connection = (await this.connect()) as PgConnection;
    const org = scope?.organizationId ?? '';
    const timeout = String(scope?.statementTimeoutMs ?? 0);
    const wanted = `${org}|${timeout}`;
    if (connection[CURRENT] !== wanted) {
      try {
        await connection.query(`SELECT set_config('app.organization_id', $1, false), set_config('statement_timeout', $2, false)`, [org, timeout]);
      } catch (err) {
        // pg can reject with a bare socket error object; make it an Error that keeps its code.
        if (err instanceof Error) throw err;
        const e = err as { code?: string; message?: string };
        throw Object.assign(new Error(e?.message ?? `database connection failed (${e?.code ?? 'unknown'})`), { code: e?.code });
      }
      connection[CURRENT] = wanted;
    }
    const pid = connection.processID;
    if (!scope || pid === undefined) return original.apply(this, args);
    // A pinned connection can have several statements queued: count them per backend.
    const running = (scope.running ??= new Map());
    running.set(pid, (running.get(pid) ?? 0) + 1);
    try {
      return await original.apply(this, args);
    } finally {
      const left = (running.get(pid) ?? 1) - 1;
      if (left) running.set(pid, left);
      else running.delete(pid);
    }
  } as typeof original;
}
