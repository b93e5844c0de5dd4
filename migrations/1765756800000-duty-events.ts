import { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunction as previousGrantFunction } from './1765584000000-webhooks';

const ORG = `nullif(current_setting('app.organization_id', true), '')::uuid`;

/**
 * EU AI Act duties that bind an AI system (issue 16, "an EU AI Act duty began to bind for a system";
 * src/modules/events/duty-events.ts):
 * - ai_system_duty: per system, the duties the scheduler last found BINDING under the law in force, with
 *   the date each binds from. A duty that appears here (its date came, or the system's facts or roles
 *   changed, or the system is new) is announced once as `obligation.binding`; one that no longer binds
 *   leaves it.
 * - organization.duties_scanned_at: when the organization's duties were last compared. NULL: never, so
 *   the first pass records what binds without announcing duties that bound long before.
 */
export class DutyEvents1765756800000 implements MigrationInterface {
  name = 'DutyEvents1765756800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ai_system_duty (
        organization_id uuid NOT NULL,
        ai_system_id uuid NOT NULL,
        requirement_id uuid NOT NULL,
        binding_from date,
        found_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_ai_system_duty PRIMARY KEY (organization_id, ai_system_id, requirement_id),
        CONSTRAINT fk_ai_system_duty_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT fk_ai_system_duty_ai_system FOREIGN KEY (ai_system_id) REFERENCES ai_system (id) ON DELETE CASCADE,
        CONSTRAINT fk_ai_system_duty_requirement FOREIGN KEY (requirement_id) REFERENCES requirement (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ix_ai_system_duty_ai_system ON ai_system_duty (ai_system_id)`);
    await q.query(`ALTER TABLE ai_system_duty ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE ai_system_duty FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY p_ai_system_duty_organization ON ai_system_duty USING (organization_id = ${ORG}) WITH CHECK (organization_id = ${ORG})`);
    await q.query(`ALTER TABLE organization ADD COLUMN duties_scanned_at timestamptz`);
    await q.query(grantFunction());
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(previousGrantFunction());
    await q.query(`ALTER TABLE organization DROP COLUMN duties_scanned_at`);
    await q.query(`DROP TABLE ai_system_duty`);
  }
}

/** hub_grant_application_role as in Webhooks1765584000000, plus the duties the scheduler keeps. */
export function grantFunction(): string {
  const extra = `
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ai_system_duty TO %I', app);
      EXECUTE format('GRANT UPDATE (duties_scanned_at) ON organization TO %I', app);
    END $$`;
  return previousGrantFunction().replace(/\n\s*END \$\$$/, () => extra);
}
