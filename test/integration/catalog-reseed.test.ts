import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestHub, TestHub } from '../harness/hub';
import { loadSeedBundle, seedsDir } from '../../src/modules/catalog/catalog.files';
import { carriedRows, seed, seedReportLines } from '../../src/modules/catalog/catalog.seeder';
import { TokenService } from '../../src/modules/auth/token.service';
import { OrganizationService } from '../../src/modules/organization/organization.service';
import { Role } from '../../src/modules/auth/role';

/**
 * A database seeded with the EU AI Act catalog as it was before the applicability table aligned it (the same
 * seeds without the manifest's `applicability` entry and the v2 mapping sets: the bundle the code before that
 * change built, byte for byte), with an organization's evidence and SoA decision on Art. 60(9), then seeded with today's catalog.
 */
function catalogBeforeTheTable() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seeds-'));
  try {
    fs.cpSync(seedsDir(), tmp, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(tmp, 'manifest.json'), 'utf8'));
    for (const f of manifest.frameworks) delete f.applicability;
    // and the mapping sets of then: version 1 of each, none superseded yet (v2 names paragraphs the table adds)
    manifest.mappingSets = manifest.mappingSets.filter((m: any) => !m.changes).map((m: any) => ({ ...m, status: m.status === 'SUPERSEDED' ? 'DRAFT' : m.status }));
    fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest));
    return loadSeedBundle(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ seeded: false });
});
afterAll(async () => {
  await t.stop();
});

const euIds = async (): Promise<Map<string, { id: string; assessable: boolean }>> => {
  const rows: { ref: string; id: string; assessable: boolean }[] = await t.ds.query(
    `SELECT r.ref, r.id::text AS id, r.assessable FROM requirement r JOIN framework f ON f.id = r.framework_id WHERE f.key = 'eu-ai-act'`,
  );
  return new Map(rows.map((r) => [r.ref, { id: r.id, assessable: r.assessable }]));
};

it('keeps links, SoA decisions and ids when a paragraph stops being assessable, and reports it', async () => {
  const first = await seed(t.ds, catalogBeforeTheTable());
  expect(first.frameworks.map((f) => f.outcome)).toEqual(['CREATED', 'CREATED', 'CREATED', 'CREATED']);
  expect(first.assessabilityChanged).toEqual([]);
  const before = await euIds();
  expect([before.size, [...before.values()].filter((r) => r.assessable).length, before.get('Art. 60(9)')!.assessable]).toEqual([356, 173, true]);

  // An organization links evidence to Art. 60(9) and records its SoA decision there, through the API.
  const { token } = await new TokenService(t.ds, new OrganizationService(t.ds)).createForSlug('reseed-org', Role.ADMIN, 'reseed-admin');
  const data = async (query: string, variables?: Record<string, unknown>) => {
    const res = await t.gql(query, variables, { token });
    if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
    return res.data;
  };
  const evidenceId = (await data(`mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) { evidence { id } } }`, { input: {
    sourceSystem: 'grc', externalId: 'liability-insurance', title: 'Liability insurance for real-world testing', kind: 'DOCUMENT',
    effectiveAt: '2026-01-01T00:00:00Z', status: 'ACCEPTED', links: [{ framework: 'eu-ai-act', ref: 'Art. 60(9)' }],
  } })).upsertEvidence.evidence.id;
  await data(`mutation { setApplicability(input: { framework: "eu-ai-act", ref: "Art. 60(9)", applicability: APPLICABLE, reasons: [LEGAL_REGULATORY] }) { id } }`);

  const second = await seed(t.ds);
  expect(second.frameworks.map((f) => [f.key, f.outcome])).toEqual([['iso42001', 'UNCHANGED'], ['iso27001', 'UNCHANGED'], ['nist-ai-rmf', 'UNCHANGED'], ['eu-ai-act', 'UPDATED']]);
  const p609 = before.get('Art. 60(9)')!.id;
  expect(second.assessabilityChanged).toEqual([
    { framework: 'eu-ai-act', ref: 'Art. 46(1)', requirementId: before.get('Art. 46(1)')!.id, assessable: false, evidenceLinks: 0, applicabilityDecisions: 0, mappings: 0 },
    { framework: 'eu-ai-act', ref: 'Art. 60(9)', requirementId: p609, assessable: false, evidenceLinks: 1, applicabilityDecisions: 1, mappings: 0 },
  ]);
  expect(seedReportLines(second)).toContain('eu-ai-act Art. 60(9): no longer assessable; carries 1 evidence link, 1 applicability decision, 0 mappings');

  // Same ids for every node that was there; the new ones added; the link and the decision untouched.
  const after = await euIds();
  expect([...before].filter(([ref, r]) => after.get(ref)?.id !== r.id)).toEqual([]);
  expect([after.size, [...after.values()].filter((r) => r.assessable).length, after.get('Art. 60(9)')!.assessable]).toEqual([371, 185, false]);
  expect(await t.ds.query(`SELECT requirement_id::text AS id, unlinked_at FROM evidence_link WHERE evidence_id = $1`, [evidenceId])).toEqual([{ id: p609, unlinked_at: null }]);
  expect(await t.ds.query(`SELECT requirement_id::text AS id, applicability, superseded_at FROM applicability_decision`)).toEqual([{ id: p609, applicability: 'APPLICABLE', superseded_at: null }]);
  const read = await data(`{ requirement(framework: "eu-ai-act", ref: "Art. 60(9)") { id assessable operatorDuty } }`);
  expect(read.requirement).toEqual({ id: p609, assessable: false, operatorDuty: false });

  // The counts hold for a role that row-level security binds (the seeder need not be a superuser).
  expect(await t.appDs.transaction((em) => carriedRows(em, [p609]))).toEqual(new Map([[p609, { evidenceLinks: 1, applicabilityDecisions: 1, mappings: 0 }]]));

  const third = await seed(t.ds);
  expect([third.frameworks.map((f) => f.outcome), third.assessabilityChanged]).toEqual([['UNCHANGED', 'UNCHANGED', 'UNCHANGED', 'UNCHANGED'], []]);
});
