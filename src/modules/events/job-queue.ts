import type { DataSource, EntityManager } from 'typeorm';
import type { PgBoss, Job, SendOptions, JobInsert } from 'pg-boss' with { 'resolution-mode': 'import' };
import { isEmbedded, writerLock } from '../../database/transaction';
import { JOB_SCHEMA } from '../../../migrations/1765497600000-events';
import { logger } from '../../logger';

export type { Job };

/**
 * The hub's job queue: pg-boss (a maintained PostgreSQL queue: SKIP LOCKED fetches, retries with
 * exponential backoff and jitter, FIFO per key, throttled singletons) in the schema the migrations made.
 * On PostgreSQL it has its own small pool on DATABASE_URL; on the embedded PGlite it shares the hub's one
 * session, each of its statements taken under the same lock as the hub's transactions so it never runs
 * inside one of them.
 */
export class JobQueue {
  private constructor(readonly boss: PgBoss) {}

  static async start(ds: DataSource, options: { monitorIntervalSeconds?: number } = {}): Promise<JobQueue> {
    const { PgBoss } = await import('pg-boss');
    const common = {
      schema: JOB_SCHEMA,
      migrate: false,
      createSchema: false,
      schedule: false,
      supervise: true,
      superviseIntervalSeconds: options.monitorIntervalSeconds ?? 30,
      monitorIntervalSeconds: options.monitorIntervalSeconds ?? 30,
      persistQueueStats: false,
      persistWarnings: false,
    };
    let boss: PgBoss;
    if (isEmbedded(ds)) {
      const { fromPglite } = (await import('pg-boss/dist/adapters/index.js' as string)) as { fromPglite: (db: unknown) => { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> } };
      const { PGliteInstance } = await import('typeorm-pglite/dist/pglite-instance.js' as string) as { PGliteInstance: { getInstance(): Promise<unknown> } };
      const adapter = fromPglite(await PGliteInstance.getInstance());
      const lock = writerLock(ds);
      boss = new PgBoss({ ...common, backend: 'pglite', db: { executeSql: (text: string, values?: unknown[]) => lock.runExclusive(() => adapter.executeSql(text, values)) } });
    } else {
      const url = (ds.options as { url?: string }).url;
      boss = new PgBoss({ ...common, connectionString: url, max: 3, application_name: 'hub-jobs' } as ConstructorParameters<typeof PgBoss>[0]);
    }
    boss.on('error', (err) => logger.error({ err }, '[hub] job queue error'));
    await boss.start();
    return new JobQueue(boss);
  }

  /**
   * A queue this process only writes to (it runs no workers): never started, so it polls and supervises
   * nothing; each statement goes through the data source, inside the caller's request transaction when
   * there is one. Jobs sent through it are worked by the processes that run workers.
   */
  static async client(ds: DataSource): Promise<JobQueue> {
    const { PgBoss } = await import('pg-boss');
    const boss = new PgBoss({ schema: JOB_SCHEMA, migrate: false, createSchema: false, schedule: false, supervise: false, db: { executeSql: (text: string, values?: unknown[]) => sqlOf(ds.manager)(text, values) } } as ConstructorParameters<typeof PgBoss>[0]);
    boss.on('error', (err) => logger.error({ err }, '[hub] job queue client error'));
    return new JobQueue(boss);
  }

  /** Jobs written by the caller's transaction: they exist exactly when it commits. */
  async insertIn(em: EntityManager, name: string, jobs: JobInsert[]): Promise<void> {
    if (!jobs.length) return;
    await this.boss.insert(name, jobs, { db: { executeSql: sqlOf(em) } });
  }

  /** Jobs cancelled by the caller's transaction (those already finished are left as they are). */
  async cancelIn(em: EntityManager, name: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.boss.cancel(name, ids, { db: { executeSql: sqlOf(em) } });
  }

  send(name: string, data: object | null, options: SendOptions = {}): Promise<string | null> {
    return this.boss.send(name, data, options);
  }

  /** At most one job per `seconds` across every process. */
  sendThrottled(name: string, data: object | null, seconds: number): Promise<string | null> {
    return this.boss.sendThrottled(name, data, null, seconds);
  }

  /**
   * One job at a time per worker, `localConcurrency` workers. A worker waits `pollingIntervalSeconds` after
   * each fetch unless `burst`: then it fetches again at once while the queue holds more than one ready job (pg-boss's
   * burstWhenReadyExceeds), so a backlog drains at the workers' pace rather than one job per poll.
   */
  async work<T>(name: string, options: { pollingIntervalSeconds: number; localConcurrency?: number; burst?: boolean }, handler: (job: Job<T>) => Promise<unknown>): Promise<void> {
    await this.boss.work<T>(name, {
      pollingIntervalSeconds: options.pollingIntervalSeconds, batchSize: 1, localConcurrency: options.localConcurrency ?? 1,
      ...(options.burst ? { burstWhenReadyExceeds: 1 } : {}),
    }, async ([job]) => handler(job));
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 5000, close: true });
  }
}

/**
 * pg-boss's statements run through a TypeORM manager, which answers UPDATE and DELETE as [rows, count]
 * where pg-boss expects the rows.
 */
function sqlOf(em: EntityManager) {
  return async (text: string, values?: unknown[]) => {
    const result: unknown = await em.query(text, values);
    const updated = Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number';
    return { rows: (updated ? result[0] : result) as unknown[] };
  };
}
