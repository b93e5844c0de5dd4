import { createHash } from 'node:crypto';
import { logger } from '../logger';

/**
 * Named prepared statements for the hot reads. pg sends every parameterized statement unnamed, so
 * PostgreSQL parses and plans it on every call: the mappings statement plans in about four times the
 * time it runs. A statement marked with `prepared()` is sent under a name derived from its text instead,
 * so each connection parses it once and PostgreSQL keeps its plan (a generic one once it has found that
 * as cheap as the custom ones, plan_cache_mode's default).
 *
 * Only statements whose plan does not depend much on their parameters are marked (lookups by key, by
 * id arrays, keyset pages, and what an evidence write runs inside its organization's coverage flush lock
 * for a few requirements), never the reports callers ask for. Behind a pooler in transaction mode that does not track
 * prepared statements (PgBouncer before 1.21, or without max_prepared_statements), a name prepared on
 * one server connection is unknown on the next: HUB_PREPARED_STATEMENTS=false sends them unnamed. If it
 * was left on there, the first such failure turns them off for the process and says so in the log.
 */
const MARK = '/* prepared */ ';
/** Distinct texts named per process; more (a caller building endless variants) run unnamed. */
const MAX_NAMES = 500;
const names = new Map<string, string>();
const WRAPPED = Symbol('hubPreparedStatements');
/** Off for the process after a pooler lost a statement (see above). */
let failed = false;

/** The statement, marked to run as a named prepared statement where the data source allows it. */
export function prepared(sql: string): string {
  return MARK + sql;
}

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMES) {
    name = `hub_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

type Query = (config: unknown, values?: unknown, ...rest: unknown[]) => Promise<unknown>;
interface Connection {
  query: Query;
  [WRAPPED]?: true;
}

/** `26000`: the statement is unknown on this server connection; `42P05`: another client prepared the name there. */
const POOLER_LOST_IT = new Set(['26000', '42P05']);

/** Makes this pg client send marked statements by name (once per client). */
export function preparedStatementsOn(connection: object): void {
  const c = connection as Connection;
  if (c[WRAPPED]) return;
  c[WRAPPED] = true;
  const query = c.query;
  c.query = function (this: Connection, text: unknown, values?: unknown, ...rest: unknown[]) {
    const name = !failed && typeof text === 'string' && text.startsWith(MARK) && Array.isArray(values) ? nameOf(text) : undefined;
    if (!name) return query.call(this, text, values, ...rest);
    return query.call(this, { name, text, values }, ...rest).catch((err: { code?: string }) => {
      if (POOLER_LOST_IT.has(err?.code ?? '') && !failed) {
        failed = true;
        logger.error({ code: err.code }, 'a prepared statement was lost between server connections (a pooler in transaction mode?): prepared statements are off for this process; set HUB_PREPARED_STATEMENTS=false');
      }
      throw err;
    });
  };
}
