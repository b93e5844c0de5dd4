import { createHash } from 'node:crypto';
import type express from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { DataSource } from 'typeorm';
import { currentQueryScope, withQueryScope } from '../database/query-counter';
import { bearerToken } from '../modules/auth/principal';
import { tokenHash } from '../modules/auth/token.service';
import type { Principal } from '../modules/auth/token.service';
import type { Role } from '../modules/auth/role';

/** The window of both limits, as the express-rate-limit limiters of /export and /import have it. */
const WINDOW_MS = 60_000;

/** What the gate found: the caller's principal, or why there is none (the reason a 401 gives). */
export type GateResult = Principal | string;

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
    const scope = currentQueryScope();
    // Needs no organization and no timeout, so no transaction around it (database/tenant.ts): a scope of
    // its own, whose statement is then added to the request's.
    const own = { statements: 0 };
    withQueryScope(own, () =>
      ds.query(`SELECT * FROM hub_begin_request($1, $2, $3, $4, $5, $6)`, [
        token ? tokenHash(token) : null, key('requests', caller), limits.ratePerMinute, key('auth-failures', address), limits.authFailuresPerMinute, WINDOW_MS,
      ]) as Promise<GateRow[]>,
    ).then(
      ([row]) => {
        if (scope) {
          scope.statements += own.statements;
          if (row.catalog_stamp !== null) scope.gateCatalogStamp = String(row.catalog_stamp);
        }
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
      (err) => {
        if (scope) scope.statements += own.statements;
        next(err);
      },
    );
  };
}

interface GateRow {
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
