import { startTestHub, TestHub } from '../harness/hub';
import { withQueryScope } from '../../src/database/query-counter';

/** Row-level security, as defence in depth: the application's own connection, without the organization set, sees no organization rows. */
let t: TestHub;
let org: string;
beforeAll(async () => {
  t = await startTestHub();
  await t.data(`mutation { upsertEvidence(input: { sourceSystem: "s", externalId: "e1", title: "t", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z", links: [{ framework: "iso27001", ref: "A.5.1" }] }) { outcome } }`);
  await t.data(`mutation { registerAiSystem(input: { name: "RLS system" }) { id } }`);
  [{ id: org }] = await t.ds.query(`SELECT id FROM organization WHERE slug = 'test-org'`);
});
afterAll(async () => {
  await t.stop();
});

const OWNED = ['evidence', 'evidence_link', 'ai_system', 'ai_system_history', 'audit_event'];

describe('row-level security', () => {
  it('the application role neither bypasses RLS nor is a superuser', async () => {
    expect(await t.appDs.query(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`)).toEqual([{ rolsuper: false, rolbypassrls: false }]);
  });

  it('a raw query through the application connection without the setting returns no organization rows', async () => {
    for (const table of OWNED) {
      const [{ n: all }] = await t.ds.query(`SELECT count(*)::int AS n FROM ${table}`);
      const [{ n: visible }] = await t.appDs.query(`SELECT count(*)::int AS n FROM ${table}`);
      expect([table, all > 0, visible]).toEqual([table, true, 0]);
    }
    // shared catalogs and mapping sets stay visible
    const [{ n }] = await t.appDs.query(`SELECT count(*)::int AS n FROM mapping`);
    expect(n).toBe(1035);
  });

  it('with the organization set, exactly its rows; with another, none; writes for another organization are refused', async () => {
    const count = (orgId: string) => withQueryScope({ statements: 0, organizationId: orgId }, () => t.appDs.query(`SELECT count(*)::int AS n FROM evidence`));
    const [{ n: mine }] = await count(org);
    const [{ n: total }] = await t.ds.query(`SELECT count(*)::int AS n FROM evidence WHERE organization_id = $1`, [org]);
    expect(mine).toBe(total);
    const [{ id: other }] = await t.ds.query(`INSERT INTO organization (slug, name) VALUES ('rls-other', 'Other') RETURNING id`);
    expect((await count(other))[0].n).toBe(0);
    await expect(withQueryScope({ statements: 0, organizationId: other }, () =>
      t.appDs.query(`INSERT INTO ai_system (organization_id, name, created_by) VALUES ($1, 'sneaky', 'x')`, [org]),
    )).rejects.toThrow(/row-level security/);
  });

  it('a link belongs to its evidence\'s organization, whoever writes it (one foreign key on both columns)', async () => {
    const [{ id: other }] = await t.ds.query(`INSERT INTO organization (slug, name) VALUES ('rls-link-other', 'Other') RETURNING id`);
    const [link] = await t.ds.query(`SELECT evidence_id FROM evidence_link WHERE organization_id = $1 LIMIT 1`, [org]);
    const [req] = await t.ds.query(`SELECT r.id FROM requirement r JOIN framework f ON f.id = r.framework_id WHERE f.key = 'iso42001' AND r.ref = '5.2'`);
    const insert = (orgId: string) => t.ds.query(`INSERT INTO evidence_link (organization_id, evidence_id, requirement_id, coverage, linked_by) VALUES ($1, $2, $3, 'FULL', 'x') RETURNING id`,
      [orgId, link.evidence_id, req.id]);
    // Even the superuser, past row-level security: the link's organization must be its evidence's.
    await expect(insert(other)).rejects.toThrow(/fk_evidence_link_organization_evidence/);
    // The same link in the evidence's own organization is taken (so the refusal above is the organization's).
    expect(await insert(org)).toHaveLength(1);
  });
});
