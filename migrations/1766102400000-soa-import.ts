import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a Statement of Applicability spreadsheet says beside the decision (issue 19): the implementation
 * status the organization declares (IMPLEMENTED, PARTIALLY_IMPLEMENTED, PLANNED, NOT_IMPLEMENTED; the
 * hub's own implementation status stays the one coverage computes) and the control's owner.
 * Both optional; the owner's bound is `owner`'s in src/graphql/input-bounds.ts.
 */
export class SoaImport1766102400000 implements MigrationInterface {
  name = 'SoaImport1766102400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE applicability_decision ADD COLUMN implementation text, ADD COLUMN owner text`);
    await q.query(`ALTER TABLE applicability_decision ADD CONSTRAINT ck_applicability_decision_implementation CHECK (implementation IN ('IMPLEMENTED', 'PARTIALLY_IMPLEMENTED', 'PLANNED', 'NOT_IMPLEMENTED'))`);
    await q.query(`ALTER TABLE applicability_decision ADD CONSTRAINT ck_applicability_decision_owner_length CHECK (length(owner) BETWEEN 1 AND 200)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE applicability_decision DROP COLUMN owner, DROP COLUMN implementation`);
  }
}
