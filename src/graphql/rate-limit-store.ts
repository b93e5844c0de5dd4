import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { withQueryScope } from '../database/query-counter';
import { everyPeriod } from '../database/periodic-job';
import { isEmbedded } from '../database/transaction';
import { logger } from '../logger';

/** How often expired counters are deleted (once across processes); every limiter's window is a minute. */
const PRUNE_MS = 60_000;

/**
 * express-rate-limit's counters in PostgreSQL (hub_rate_limit, migrations/1765929600000-shared-state.ts),
 * so that every process behind a load balancer counts the same hits.
 *
 * The algorithm is MemoryStore's fixed window: a key's window opens at its first hit and closes windowMs
 * later; the first hit after that opens a new one at 1. Each hit is one upsert that returns the count and
 * the window's end; concurrent hits on one key queue on its row lock, so hits through N processes are
 * counted exactly as through one. Times are the database's, so processes whose clocks differ agree.
 * decrement (a successful authentication, for the failed-authentication limiter) takes one hit back;
 * resetKey forgets the key.
 *
 * The key stored is a SHA-256 of the limiter's name and express-rate-limit's key (a token's hash or an
 * address), never the address itself; the name keeps two limiters' counters of one address apart.
 */
export class SharedRateLimitStore implements Store {
  /** Hits through any process count for every process (express-rate-limit's checks read this). */
  readonly localKeys = false;
  private windowMs = 60_000;

  constructor(private readonly ds: DataSource, readonly prefix: string) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const [row]: { hits: number; reset_at: Date }[] = await this.run(
      `INSERT INTO hub_rate_limit AS r (key, hits, reset_at) VALUES ($1, 1, now() + $2::int * interval '1 millisecond')
       ON CONFLICT ON CONSTRAINT pk_hub_rate_limit DO UPDATE SET
         hits = CASE WHEN r.reset_at <= now() THEN 1 ELSE r.hits + 1 END,
         reset_at = CASE WHEN r.reset_at <= now() THEN excluded.reset_at ELSE r.reset_at END
       RETURNING hits, reset_at`,
      [this.hash(key), this.windowMs],
    );
    return { totalHits: row.hits, resetTime: row.reset_at };
  }

  async decrement(key: string): Promise<void> {
    await this.run(`UPDATE hub_rate_limit SET hits = hits - 1 WHERE key = $1 AND hits > 0`, [this.hash(key)]);
  }

  async resetKey(key: string): Promise<void> {
    await this.run(`DELETE FROM hub_rate_limit WHERE key = $1`, [this.hash(key)]);
  }

  private hash(key: string): Buffer {
    return createHash('sha256').update(this.prefix).update('\0').update(key).digest();
  }

  /**
   * In a query scope of its own: the request's scope would count these statements in its
   * `extensions.sqlStatements`, and could hold the request's transaction (a rolled-back mutation must
   * not take its hit back).
   */
  private run<T>(sql: string, params: unknown[]): Promise<T> {
    return withQueryScope({ statements: 0 }, () => this.ds.query(sql, params));
  }
}

/**
 * The stores of one server's limiters. On PostgreSQL each limiter gets a SharedRateLimitStore, and
 * expired counters are deleted once a minute across processes. On PGlite, express-rate-limit's own
 * MemoryStore (`undefined` here): a PGlite data folder is opened by one process only, and its one session
 * is shared by every caller, so a counter written there could land in another request's transaction.
 */
export class RateLimitStores {
  private stopPruning: (() => Promise<void>) | null = null;

  constructor(private readonly ds: DataSource) {}

  /** The store for the limiter `name` (unique per limiter: it is part of every key). */
  store(name: string): Store | undefined {
    if (isEmbedded(this.ds)) return undefined;
    this.stopPruning ??= everyPeriod(this.ds, 'rate-limit-prune', PRUNE_MS,
      () => this.ds.query(`DELETE FROM hub_rate_limit WHERE reset_at <= now()`),
      (run) => {
        if (!run.ok) logger.warn({ err: run.error }, '[hub] expired rate-limit counters not deleted; the next period retries');
      });
    return new SharedRateLimitStore(this.ds, name);
  }

  async stop(): Promise<void> {
    await this.stopPruning?.();
  }
}
