import type { DataSource } from 'typeorm';
import { withQueryScope } from '../../database/query-counter';
import { inTransaction } from '../../database/transaction';

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
   * Refreshes every organization every `intervalMs`; the returned stop waits for a run in progress.
   * `onRun` hears of every run (the metrics' refresh lag comes from it).
   */
  start(intervalMs: number, onError: (err: unknown) => void, onRun: (run: RollupRun) => void = () => {}): () => Promise<void> {
    let running: Promise<void> | null = null;
    const tick = () => {
      if (running) return;
      running = (async () => {
        const t0 = performance.now();
        let requirements = 0;
        let ok = false;
        try {
          const orgs: { id: string }[] = await this.ds.query(`SELECT id FROM organization ORDER BY id`);
          for (const o of orgs) requirements += await this.refresh(o.id);
          ok = true;
        } catch (err) {
          onError(err);
        } finally {
          running = null;
          onRun({ ok, seconds: (performance.now() - t0) / 1000, requirements: ok ? requirements : 0, finishedAt: new Date() });
        }
      })();
    };
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      if (running) await running;
    };
  }
}
