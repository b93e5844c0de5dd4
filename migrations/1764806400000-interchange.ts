import { MigrationInterface, QueryRunner } from 'typeorm';

const ORG = `nullif(current_setting('app.organization_id', true), '')::uuid`;

/**
 * An organization's own frameworks (internal control sets, customer schedules, imported OSCAL
 * catalogs): framework and requirement rows with an owner, visible only to it. Shared catalogs keep
 * organization_id NULL. Keys are unique per owner and version.
 */
export class Interchange1764806400000 implements MigrationInterface {
  name = 'Interchange1764806400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE framework ADD COLUMN organization_id uuid,
      ADD CONSTRAINT fk_framework_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE framework DROP CONSTRAINT uq_framework_key_version`);
    await q.query(`ALTER TABLE framework ADD CONSTRAINT uq_framework_key_version UNIQUE NULLS NOT DISTINCT (organization_id, key, version)`);
    await q.query(`ALTER TABLE requirement ADD COLUMN organization_id uuid,
      ADD CONSTRAINT fk_requirement_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE`);
    await q.query(`CREATE INDEX ix_requirement_organization ON requirement (organization_id) WHERE organization_id IS NOT NULL`);
    for (const t of ['framework', 'requirement']) {
      await q.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY p_${t}_organization ON ${t} USING (organization_id IS NULL OR organization_id = ${ORG})
        WITH CHECK (organization_id IS NULL OR organization_id = ${ORG})`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const t of ['requirement', 'framework']) {
      await q.query(`DROP POLICY p_${t}_organization ON ${t}`);
      await q.query(`ALTER TABLE ${t} NO FORCE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} DISABLE ROW LEVEL SECURITY`);
    }
    await q.query(`DELETE FROM framework WHERE organization_id IS NOT NULL`);
    await q.query(`DROP INDEX ix_requirement_organization`);
    await q.query(`ALTER TABLE requirement DROP COLUMN organization_id`);
    await q.query(`ALTER TABLE framework DROP CONSTRAINT uq_framework_key_version`);
    await q.query(`ALTER TABLE framework ADD CONSTRAINT uq_framework_key_version UNIQUE (key, version)`);
    await q.query(`ALTER TABLE framework DROP COLUMN organization_id`);
  }
}
