import { Pool, type PoolClient, type QueryConfig } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { logger } from '../logger';
import { currentQueryScope } from './query-counter';
import { restartTransaction } from './tenant';

/**
 * Read replicas (DATABASE_REPLICA_URLS): PostgreSQL streaming replicas that GraphQL queries read from.
 *
 * - Only a query request's own transaction reads a replica (request-transaction.ts opens it in TypeORM's
 *   "slave" mode when the request allows it); mutations, and everything a mutation reads, stay on the
 *   primary, so a request that wrote reads its own writes.
 * - Every `checkMs` the primary's WAL position is sampled and each replica's replay position compared
 *   with the samples: a replica is as current as the newest sample it has replayed. One that is more
 *   than `maxLagMs` behind, unreachable, or no longer in recovery is taken out until a check finds it
 *   well again; requests then read the primary.
 * - A request that sees its replica fail (connection lost, replica shut down, a recovery conflict, a
 *   statement a replica refuses) goes on on the primary from that statement (tenant.ts retries it once),
 *   so a replica going away fails no request.
 * - In this process, a token that wrote reads only replicas known to have replayed that write.
 */
export interface ReplicaConfig {
  urls: string[];
  /** Largest replication lag a replica may have and still be read, ms. */
  maxLagMs: number;
  /** How often the primary's position and each replica's lag are checked, ms. */
  checkMs: number;
  /** Connections per replica. */
  poolSize: number;
}

/** Where a request's reads went and how stale that was: `extensions.readFrom` when HUB_READ_EXTENSIONS is on. */
export interface ReadFrom {
  node: string;
  /** Replication lag at the last check, ms (0 on the primary). */
  lagMs: number;
  /** The primary's state the replica is known to hold, as the time the primary was at it. */
  asOf: string | null;
}

interface Sample {
  at: number;
  lsn: bigint;
}

export class Replica {
  up = false;
  /** Lag at the last check, ms; null before the first. */
  lagMs: number | null = null;
  /** The replica holds everything the primary had at this time (ms since the epoch); 0: unknown. */
  asOf = 0;
  lastError: string | null = null;
  /** Requests that were reading this replica when it failed them, and went on on the primary. */
  moved = 0;
  constructor(readonly name: string, readonly pool: Pool) {}
}

const REPLICA = Symbol('hubReplica');
type Tagged = PoolClient & { [REPLICA]?: Replica };
const sets = new WeakMap<DataSource, ReplicaSet>();

/** A replica connection is cut off (or refused the statement): move the request to the primary. */
const MOVE_CODES = new Set(['57P01', '57P02', '57P03', '25006', '40001', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOENT', 'ETIMEDOUT']);

export class ReplicaSet {
  readonly replicas: Replica[];
  private samples: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private next = 0;
  /** Per token, when its last write committed (ms): its reads need a replica at least that current. */
  private writes = new Map<string, number>();

  constructor(private readonly ds: DataSource, private readonly config: ReplicaConfig) {
    this.replicas = config.urls.map((url, i) => {
      const pool = new Pool({ connectionString: url, max: config.poolSize, connectionTimeoutMillis: 2000, idleTimeoutMillis: 30_000 });
      // An idle connection that the replica dropped: the pool forgets it; the next check marks the replica.
      pool.on('error', (err) => logger.debug({ err, replica: `replica-${i + 1}` }, 'replica connection closed'));
      return new Replica(`replica-${i + 1}`, pool);
    });
  }

  /** Routes the data source's "slave" query runners through this set; checks the replicas right away. */
  async start(): Promise<void> {
    const driver = this.ds.driver as unknown as { isReplicated: boolean; obtainSlaveConnection: () => Promise<[PoolClient, (err?: unknown) => void]>; obtainMasterConnection: () => Promise<[PoolClient, (err?: unknown) => void]> };
    driver.isReplicated = true;
    driver.obtainSlaveConnection = () => this.obtain(() => driver.obtainMasterConnection());
    sets.set(this.ds, this);
    await this.check();
    this.timer = setInterval(() => void this.check(), this.config.checkMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.checking;
    await Promise.all(this.replicas.map((r) => r.pool.end().catch(() => undefined)));
  }

  /** A token's write committed now: its next reads in this process wait for a replica that has it. */
  wrote(tokenId: string | null): void {
    if (!tokenId) return;
    this.writes.set(tokenId, Date.now());
    // Older than any lag a replica may have: every replica still in use has those writes.
    if (this.writes.size > 10_000) {
      const horizon = Date.now() - this.config.maxLagMs - this.config.checkMs;
      for (const [id, at] of this.writes) if (at < horizon) this.writes.delete(id);
    }
  }

  /** The time a replica must be current to for this token's reads (0: any replica in use will do). */
  currentTo(tokenId: string | null): number {
    return (tokenId && this.writes.get(tokenId)) || 0;
  }

  private async obtain(primary: () => Promise<[PoolClient, (err?: unknown) => void]>): Promise<[PoolClient, (err?: unknown) => void]> {
    const scope = currentQueryScope();
    if (scope?.readReplica) {
      const need = scope.replicaCurrentTo ?? 0;
      const candidates = this.replicas.filter((r) => r.up && r.asOf >= need);
      for (let i = 0; i < candidates.length; i++) {
        const replica = candidates[(this.next + i) % candidates.length];
        try {
          const client = (await replica.pool.connect()) as Tagged;
          this.next = (this.next + i + 1) % candidates.length;
          client[REPLICA] = replica;
          scope.readFrom = { node: replica.name, lagMs: replica.lagMs ?? 0, asOf: replica.asOf ? new Date(replica.asOf).toISOString() : null };
          return [client, (err?: unknown) => client.release(err as Error | undefined)];
        } catch (err) {
          this.takeOut(replica, err);
        }
      }
    }
    if (scope) scope.readFrom = { node: 'primary', lagMs: 0, asOf: null };
    return primary();
  }

  takeOut(replica: Replica, err: unknown): void {
    if (replica.up) logger.warn({ replica: replica.name, err: String((err as Error)?.message ?? err) }, 'replica taken out of reads');
    replica.up = false;
    replica.lastError = String((err as Error)?.message ?? err);
  }

  /** Samples the primary's WAL position, then each replica's replay position against the samples. */
  check(): Promise<void> {
    if (this.checking) return this.checking;
    this.checking = (async () => {
      try {
        const at = Date.now();
        let lsn: bigint;
        try {
          // The insert position, not the write one: with synchronous_commit off a commit returns before
          // its WAL is written, and a replica level with the write position could still lack it.
          const [row] = await this.ds.query(`SELECT pg_current_wal_insert_lsn()::text AS lsn`);
          lsn = parseLsn(row.lsn);
        } catch (err) {
          // The primary is out of reach: requests fail on it anyway; the replicas keep their state.
          logger.debug({ err }, 'replica check: primary position unknown');
          return;
        }
        this.samples.push({ at, lsn });
        const keep = at - Math.max(4 * this.config.maxLagMs, 10_000);
        while (this.samples.length > 1 && this.samples[0].at < keep) this.samples.shift();
        await Promise.all(this.replicas.map((r) => this.checkOne(r, at, lsn)));
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  private async checkOne(replica: Replica, at: number, primary: bigint): Promise<void> {
    try {
      // pg reads query_timeout per query too: a replica that hangs fails its check rather than stalling the next.
      const check: QueryConfig & { query_timeout: number } = { text: `SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS lsn`, query_timeout: 2000 };
      const { rows: [row] } = await replica.pool.query<{ standby: boolean; lsn: string | null }>(check);
      if (!row.standby) throw new Error('not in recovery: it is no longer a replica');
      const replayed = parseLsn(row.lsn);
      // The newest primary sample the replica has replayed: it holds everything up to that moment.
      let asOf = 0;
      if (replayed >= primary) asOf = at;
      else for (const s of this.samples) if (s.lsn <= replayed) asOf = s.at;
      if (!asOf) {
        // Behind every position sampled: at least that far behind, and how much further is unknown
        // (soon after start the samples span less than the limit). Not read until a check places it.
        replica.lagMs = at - this.samples[0].at;
        replica.asOf = 0;
        this.takeOut(replica, new Error(`behind every primary position of the last ${replica.lagMs} ms`));
        return;
      }
      const lag = at - asOf;
      replica.lagMs = lag;
      replica.asOf = asOf;
      if (lag > this.config.maxLagMs) {
        this.takeOut(replica, new Error(`lag ${lag} ms is over ${this.config.maxLagMs} ms`));
        return;
      }
      if (!replica.up) logger.info({ replica: replica.name, lagMs: lag }, 'replica back in reads');
      replica.up = true;
      replica.lastError = null;
    } catch (err) {
      this.takeOut(replica, err);
    }
  }
}

function parseLsn(text: string | null): bigint {
  if (!text) return -1n;
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

export function replicasOf(ds: DataSource): ReplicaSet | undefined {
  return sets.get(ds);
}

/** Whether an error on this connection means the replica under it failed the request's reads. */
export function isReplicaConnection(connection: unknown, err: unknown): boolean {
  const replica = (connection as Tagged | undefined)?.[REPLICA];
  if (!replica) return false;
  const e = err as { code?: string; name?: string; message?: string };
  return MOVE_CODES.has(String(e?.code)) || String(e?.code ?? '').startsWith('08') || e?.name === 'QueryRunnerAlreadyReleasedError'
    // pg's own words for a client whose connection ended ("Client was closed and is not queryable", ...).
    || /Connection terminated|connection closed|is not queryable/i.test(String(e?.message ?? ''));
}

const MOVING = Symbol('hubMovingToPrimary');
/** The runner's connection state, reset here so it connects again (TypeORM keeps it in these fields). */
type Movable = { [MOVING]?: Promise<void>; databaseConnection?: unknown; databaseConnectionPromise?: unknown; isReleased: boolean; mode: 'master' | 'slave'; releasePostgresConnection: (err?: Error) => Promise<void> };

/** The move of this runner to the primary, while one is under way. */
export function moving(runner: PostgresQueryRunner): Promise<void> | undefined {
  return (runner as unknown as Movable)[MOVING];
}

/**
 * Moves a query runner whose replica failed to the primary, once however many of its statements saw
 * the failure: the replica connection goes back to its pool as broken, the runner connects to the
 * primary and, inside a transaction, opens it again there with the same settings.
 */
export async function failOver(runner: PostgresQueryRunner, connection: unknown, err: unknown): Promise<void> {
  const r = runner as unknown as Movable;
  const replica = (connection as Tagged)[REPLICA]!;
  sets.get(runner.connection)?.takeOut(replica, err);
  if (r.databaseConnection !== connection) {
    await r[MOVING];
    return;
  }
  replica.moved++;
  r[MOVING] = (async () => {
    logger.warn({ replica: replica.name, code: (err as { code?: string })?.code }, 'a request moved from its replica to the primary');
    await r.releasePostgresConnection(err as Error);
    r.isReleased = false;
    r.databaseConnection = undefined;
    r.databaseConnectionPromise = undefined;
    r.mode = 'master';
    const scope = currentQueryScope();
    if (scope) scope.readFrom = { node: 'primary', lagMs: 0, asOf: null };
    if (runner.isTransactionActive) await restartTransaction(runner);
  })();
  try {
    await r[MOVING];
  } finally {
    r[MOVING] = undefined;
  }
}
