import { createHash } from 'node:crypto';
import type express from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { DataSource } from 'typeorm';
import { currentQueryScope, withQueryScope, type QueryScope } from '../database/query-counter';
import { beginRequestTransaction, endRequestTransaction } from '../database/request-transaction';
import { replicasOf } from '../database/replicas';
import { isEmbedded } from '../database/transaction';
import type { GateRow } from '../database/tenant';
import { bearerToken } from '../modules/auth/principal';
import { tokenHash } from '../modules/auth/token.service';
import type { Principal } from '../modules/auth/token.service';
import type { Role } from '../modules/auth/role';

/** The window of both limits, as the express-rate-limit limiters of /export and /import have it. */
const WINDOW_MS = 60_000;

export interface GateRefusal {
  limit: 'requests' | 'auth_failures';
  retryAfterSeconds: number;
}

/**
 * The start of every GraphQL request on PostgreSQL, in one statement (hub_begin_request, migrations/
 * 1766016000000-request-gate.ts): the failed-authentication limit of the address, the request limit of
 * the credential, and the token itself. It used to take five: two express-rate-limit upserts, the token
 * lookup in a transaction of its own (three round trips) and the failure counter taken back down.
 *
 * The counters are the rows the express-rate-limit store of /export and /import writes (same limiter
 * names, keys and fixed windows: rate-limit-store.ts), so each limit stays one per caller across routes and
 * processes, and the answers are the limiters' own: 429 with Retry-After and the same messages, the
 * draft-7 RateLimit headers. The statement counts in the request's `extensions.sqlStatements`.
 */
export function requestGate(ds: DataSource, limits: { ratePerMinute: number; authFailuresPerMinute: number }, refuse: (res: express.Response, r: GateRefusal, message: string) => void): express.RequestHandler {
  const key = (limiter: string, k: string) => createHash('sha256').update(limiter).update('\0').update(k).digest();
  return (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    const address = `ip:${ipKeyGenerator(req.ip ?? '')}`;
    // As rateLimiter's keyGenerator (server.ts): a credential is counted under a hash of it, never as is.
    const caller = token ? `t:${createHash('sha256').update(token).digest('hex').slice(0, 32)}` : address;
    const args = [token ? tokenHash(token) : null, key('requests', caller), limits.ratePerMinute, key('auth-failures', address), limits.authFailuresPerMinute, WINDOW_MS] as const;
    const scope = currentQueryScope();
    gate(ds, scope, args, String(res.locals.requestId)).then(
      (row) => {
        if (scope && row.catalog_stamp !== null) scope.gateCatalogStamp = String(row.catalog_stamp);
        const retryAfterSeconds = row.reset_at ? Math.max(1, Math.ceil((new Date(row.reset_at).getTime() - Date.now()) / 1000)) : 60;
        if (row.outcome === 'auth_failures') {
          return refuse(res, { limit: 'auth_failures', retryAfterSeconds },
            `Too many failed authentications from this address (${limits.authFailuresPerMinute} per minute); retry in ${retryAfterSeconds} s`);
        }
        if (limits.ratePerMinute > 0 && row.hits !== null) {
          const reset = row.reset_at ? Math.max(0, Math.ceil((new Date(row.reset_at).getTime() - Date.now()) / 1000)) : WINDOW_MS / 1000;
          res.setHeader('RateLimit-Policy', `${limits.ratePerMinute};w=${WINDOW_MS / 1000}`);
          res.setHeader('RateLimit', `limit=${limits.ratePerMinute}, remaining=${Math.max(limits.ratePerMinute - row.hits, 0)}, reset=${reset}`);
        }
        if (row.outcome === 'rate_limited') {
          return refuse(res, { limit: 'requests', retryAfterSeconds }, `Rate limit of ${limits.ratePerMinute} requests per minute reached; retry in ${retryAfterSeconds} s`);
        }
        res.locals.principal = row.outcome === 'ok'
          ? ({ tokenId: row.id!, prefix: row.prefix!, name: row.name!, role: row.role as Role, organizationId: row.organization_id! } satisfies Principal)
          : token ? 'Invalid, expired or revoked token' : 'Missing bearer token: send "Authorization: Bearer <token>"';
        next();
      },
    ).catch(next);
    // Whatever answered (Apollo, or an error before it), the request's transaction ends with the response.
    res.once('finish', () => {
      if (scope?.transaction) void endRequestTransaction(scope, true).catch(() => undefined);
    });
  };
}

type GateArgs = readonly [string | null, Buffer, number, Buffer, number, number];

/**
 * On one primary, the gate goes in the round trip that opens the request's transaction: the gate in a
 * transaction of its own, committed at once, then START TRANSACTION with the settings of the organization
 * of the token it found (database/tenant.ts). Its counts are committed before the request runs, so they
 * stand whatever the request does (a client that leaves, a mutation that rolls back), and no request
 * holds the caller's counter row while it runs. A refusal ends the request's transaction at once.
 * With read replicas the request may read one, which cannot count: the gate is then a statement of its own
 * on the primary, before the request's transaction opens where it reads.
 */
async function gate(ds: DataSource, scope: QueryScope | undefined, args: GateArgs, requestId: string): Promise<GateRow> {
  if (!scope || replicasOf(ds) || isEmbedded(ds)) {
    // Needs no organization and no timeout, so no transaction around it (database/tenant.ts): a scope of
    // its own, whose statement is then added to the request's.
    const own = { statements: 0 };
    try {
      const [row] = await withQueryScope(own, () => ds.query(`SELECT * FROM hub_begin_request($1, $2, $3, $4, $5, $6)`, [...args]) as Promise<GateRow[]>);
      return row;
    } finally {
      if (scope) scope.statements += own.statements;
    }
  }
  scope.gate = { call: gateCall(args), lookup: gateCall([args[0], args[1], 0, args[3], 0, args[5]]) };
  await beginRequestTransaction(ds, scope, requestId);
  const row = scope.gate.row!;
  if (row.outcome !== 'ok') await endRequestTransaction(scope, true);
  return row;
}

/** The call with its arguments as literals (it shares a simple-protocol round trip, which takes no parameters). */
function gateCall([hash, requestKey, requestLimit, failureKey, failureLimit, windowMs]: GateArgs): string {
  if (hash !== null && !/^[0-9a-f]{64}$/.test(hash)) throw new Error('token hash is not hex');
  for (const n of [requestLimit, failureLimit, windowMs]) if (!Number.isInteger(n) || n < 0) throw new Error('gate limits are not integers');
  return `SELECT * FROM hub_begin_request(${hash === null ? 'NULL' : `'${hash}'`}, '\\x${requestKey.toString('hex')}'::bytea, ${requestLimit}, '\\x${failureKey.toString('hex')}'::bytea, ${failureLimit}, ${windowMs})`;
}
