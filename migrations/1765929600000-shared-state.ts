import { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunction as previousGrantFunction } from './1765756800000-duty-events';

/**
 * What the hub's processes share so that any number of them behind a load balancer answer alike
 * (issue 17, docs/scaling.md). Neither table holds organization data, so neither is under row-level security.
 * - hub_rate_limit: express-rate-limit's counters (src/graphql/rate-limit-store.ts), one row per limiter
 *   and caller: hits in the current window and when it closes. The key is a SHA-256 of the limiter's name
 *   and its key (a token's hash or an address), never the address itself. UNLOGGED: it is written on every
 *   request and its rows live a minute; a crash empties it, which only opens a fresh window for everyone.
 * - hub_job_run: one row per periodic job and period (src/database/periodic-job.ts). The process whose
 *   insert claims a period runs it; the row then says who ran it, when it ended and whether it succeeded.
 */
export class SharedState1765929600000 implements MigrationInterface {
  name = 'SharedState1765929600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE hub_rate_limit (
        key bytea NOT NULL,
        hits integer NOT NULL,
        reset_at timestamptz NOT NULL,
        CONSTRAINT pk_hub_rate_limit PRIMARY KEY (key),
        CONSTRAINT ck_hub_rate_limit_hits CHECK (hits >= 0)
      )`);
    await q.query(`CREATE INDEX ix_hub_rate_limit_reset_at ON hub_rate_limit (reset_at)`);
    await q.query(`
      CREATE TABLE hub_job_run (
        job text NOT NULL,
        period_start timestamptz NOT NULL,
        claimed_by text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        ok boolean,
        CONSTRAINT pk_hub_job_run PRIMARY KEY (job, period_start),
        CONSTRAINT ck_hub_job_run_finished CHECK ((finished_at IS NULL) = (ok IS NULL))
      )`);
    await q.query(grantFunction());
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(previousGrantFunction());
    await q.query(`DROP TABLE hub_job_run`);
    await q.query(`DROP TABLE hub_rate_limit`);
  }
}

/** hub_grant_application_role as in DutyEvents1765756800000, plus the shared counters and job runs. */
export function grantFunction(): string {
  const extra = `
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON hub_rate_limit, hub_job_run TO %I', app);
    END $$`;
  return previousGrantFunction().replace(/\n\s*END \$\$$/, () => extra);
}
