import { MigrationInterface, QueryRunner } from 'typeorm';

/** Before and after images of the rows a mutation touched. */
export class AuditImages1764633600000 implements MigrationInterface {
  name = 'AuditImages1764633600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_event ADD COLUMN before jsonb, ADD COLUMN after jsonb`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // The append-only trigger refuses row changes, not schema changes.
    await q.query(`ALTER TABLE audit_event DROP COLUMN before, DROP COLUMN after`);
  }
}
