import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import { inTransaction } from './transaction';

/** Which process ran a period, as hub_job_run.claimed_by records it. */
const THIS_PROCESS = `${hostname()}:${process.pid}`;

/** Runs are kept this long: enough to read what happened overnight the next morning. */
const KEEP = `interval '1 day'`;

/** How one run of a periodic job in this process ended. */
export type PeriodRun<T> = { seconds: number; finishedAt: Date } & ({ ok: true; value: T } | { ok: false; error: unknown });

/**
 * Runs `work` once per period across every process on the database (migrations/1765929600000-shared-state.ts).
 * Periods are fixed slots of the database's clock (multiples of periodMs since the epoch), so processes
 * started at different times, with clocks that differ, agree on them. Each process tries every half
 * period, so timer drift never skips a slot; the first whose insert claims the slot runs it, the others
 * find it taken and wait for the next. Nothing is held on a session (no session advisory lock), so this
 * works behind PgBouncer in transaction mode.
 *
 * `report` hears of every run this process made, not of periods another process ran. A claim that fails
 * (the database unreachable) is a failed run of this process. A process that dies during a run leaves its
 * period unfinished (finished_at NULL); the next period runs as usual. A run longer than its period may
 * overlap the next one's, run by another process: the jobs given here are idempotent.
 * Returns stop, which waits for a run in progress.
 */
export function everyPeriod<T>(ds: DataSource, job: string, periodMs: number, work: () => Promise<T>, report: (run: PeriodRun<T>) => void): () => Promise<void> {
  let running: Promise<void> | null = null;
  const runOnce = async () => {
    const t0 = performance.now();
    const done = (run: { finishedAt: Date } & ({ ok: true; value: T } | { ok: false; error: unknown })) => report({ ...run, seconds: (performance.now() - t0) / 1000 });
    let period: string | null;
    try {
      period = await claim(ds, job, periodMs);
    } catch (error) {
      return done({ ok: false, error, finishedAt: new Date() });
    }
    if (period === null) return;
    let value: T;
    try {
      value = await work();
    } catch (error) {
      return done({ ok: false, error, finishedAt: await finish(ds, job, period, false).catch(() => new Date()) });
    }
    let finishedAt: Date;
    try {
      finishedAt = await finish(ds, job, period, true);
    } catch (error) {
      return done({ ok: false, error, finishedAt: new Date() });
    }
    done({ ok: true, value, finishedAt });
  };
  const tick = () => {
    if (running) return;
    running = runOnce().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(tick, periodMs / 2);
  timer.unref();
  return async () => {
    clearInterval(timer);
    if (running) await running;
  };
}

/**
 * Claims the current period of `job` for this process; null when another process has it. A claim also
 * deletes the job's runs older than KEEP, so the table stays small without a job of its own.
 */
async function claim(ds: DataSource, job: string, periodMs: number): Promise<string | null> {
  const rows: { period: string }[] = await inTransaction(ds, (em) => em.query(
    `WITH claimed AS (
       INSERT INTO hub_job_run (job, period_start, claimed_by)
       VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) * 1000 / $2::int) * $2::int / 1000), $3)
       ON CONFLICT ON CONSTRAINT pk_hub_job_run DO NOTHING
       RETURNING period_start
     ), old AS (
       DELETE FROM hub_job_run WHERE job = $1 AND period_start < now() - ${KEEP} AND EXISTS (SELECT FROM claimed)
     )
     SELECT period_start::text AS period FROM claimed`,
    [job, periodMs, THIS_PROCESS],
  ));
  return rows[0]?.period ?? null;
}

/** Records how the claimed period ended; returns when, by the database's clock. */
async function finish(ds: DataSource, job: string, period: string, ok: boolean): Promise<Date> {
  const [row]: { finished_at: Date }[] = await inTransaction(ds, (em) => em.query(
    // (A SELECT on top: TypeORM answers a bare UPDATE with [rows, count].)
    `WITH f AS (UPDATE hub_job_run SET finished_at = now(), ok = $3 WHERE job = $1 AND period_start = $2::timestamptz RETURNING finished_at)
     SELECT finished_at FROM f`,
    [job, period, ok],
  ));
  return row.finished_at;
}

/** When `job` last completed a run successfully, in any process; null: never (or not within KEEP). */
export async function lastSuccess(ds: DataSource, job: string): Promise<Date | null> {
  const [row]: { finished_at: Date }[] = await ds.query(
    `SELECT finished_at FROM hub_job_run WHERE job = $1 AND ok ORDER BY period_start DESC LIMIT 1`, [job]);
  return row?.finished_at ?? null;
}
