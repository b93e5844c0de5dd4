import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { currentQueryScope } from './query-counter';

/**
 * Row-level security needs app.organization_id set on the connection a statement runs on. TypeORM
 * takes a pooled connection per statement (or per transaction), so the setting is made here, on the
 * connection, right before a statement whenever it differs from what the request is scoped to: the
 * request's organization, or none (and then RLS shows no organization rows at all).
 */
const CURRENT = Symbol('hubOrganization');
let installed = false;

export function installTenantGuard(): void {
  if (installed) return;
  installed = true;
  const original = PostgresQueryRunner.prototype.query;
  PostgresQueryRunner.prototype.query = async function (this: PostgresQueryRunner, ...args: Parameters<typeof original>) {
    const connection = (await this.connect()) as { query: (sql: string, params: unknown[]) => Promise<unknown>; [CURRENT]?: string };
    const wanted = currentQueryScope()?.organizationId ?? '';
    if (connection[CURRENT] !== wanted) {
      try {
        await connection.query(`SELECT set_config('app.organization_id', $1, false)`, [wanted]);
      } catch (err) {
        // pg can reject with a bare socket error object; make it an Error that keeps its code.
        if (err instanceof Error) throw err;
        const e = err as { code?: string; message?: string };
        throw Object.assign(new Error(e?.message ?? `database connection failed (${e?.code ?? 'unknown'})`), { code: e?.code });
      }
      connection[CURRENT] = wanted;
    }
    return original.apply(this, args);
  } as typeof original;
}
