import type { DataSource } from 'typeorm';
import { withQueryScope } from '../../database/query-counter';
import { inTransaction } from '../../database/transaction';
import { everyPeriod, lastSuccess } from '../../database/periodic-job';

/** The refresher's name in hub_job_run. */
const ROLLUP_JOB = 'rollup-refresh';

/**
 * Keeps evidence_rollup fresh (migrations/1764720000000-evidence-rollup.ts). Writes keep it exact
 * through triggers; what they cannot see coming is time: when evidence expires or becomes effective,
 * the rows of its requirements leave their window and reads recount those requirements from the links.
 * This recomputes such rows, per organization, in that organization's row-level security scope.
 */
/** One refresher run over every organization, for metrics. */
export interface RollupRun {
  ok: boolean;
  seconds: number;
  /** Requirements recomputed (over every organization), when the run succeeded. */
  requirements: number;
  finishedAt: Date;
}

export class RollupService {
  constructor(private readonly ds: DataSource) {}

  /** Recomputes the organization's rows whose window has closed (all rows with `all`); returns how many requirements. */
  async refresh(organizationId: string, all = false): Promise<number> {
    return withQueryScope({ statements: 0, organizationId }, () =>
      inTransaction(this.ds, async (em) => {
        const [row] = await em.query(`SELECT evidence_rollup_refresh($1, $2) AS n`, [organizationId, !all]);
        return Number(row.n);
      }),
    );
  }

  /**
   * Refreshes every organization once per `intervalMs` across every process (database/periodic-job.ts);
   * the returned stop waits for a run in progress. `onRun` hears of every run this process made (the
   * metrics count them); periods another process ran are not this process's runs.
   */
  start(intervalMs: number, onError: (err: unknown) => void, onRun: (run: RollupRun) => void = () => {}): () => Promise<void> {
    return everyPeriod(this.ds, ROLLUP_JOB, intervalMs, async () => {
      let requirements = 0;
      const orgs: { id: string }[] = await this.ds.query(`SELECT id FROM organization ORDER BY id`);
      for (const o of orgs) requirements += await this.refresh(o.id);
      return requirements;
    }, (run) => {
      if (!run.ok) onError(run.error);
      onRun({ ok: run.ok, seconds: run.seconds, requirements: run.ok ? run.value : 0, finishedAt: run.finishedAt });
    });
  }

  /** When the refresher last completed a run, in whichever process ran it; null: never. */
  lastRun(): Promise<Date | null> {
    return lastSuccess(this.ds, ROLLUP_JOB);
  }
}
