import { startTestHub, TestHub, tokenFor } from '../harness/hub';
import { Role } from '../../src/modules/auth/role';
import { DemoSummary, loadDemo } from '../../src/demo/demo';

/**
 * The demo organization (`npm run demo`), loaded through the API into a fresh organization. The expected
 * numbers were worked out from src/demo/demo.data.ts, docs/record-evidence.md and the seeded mappings,
 * not read back from a run:
 *
 * ISO/IEC 27001, 123 assessable. NOT_APPLICABLE 1: A.8.30 (SoA). COVERED 93, the controls with a valid
 * direct FULL link: clauses 28 of 30 (4.1-4.4, 5.1-5.3, 6.1.1-6.1.3, 6.2, 6.3, 7.1-7.4, 7.5.1-7.5.3, 8.1-8.3,
 * 9.2.2 from the confluence items; 9.2.1 from the performed audit, 9.3.1-9.3.3 from the held review, 10.2
 * from the closed NC), A.5 30 of 37, A.6 all 8, A.7 4 of 14 (7.1-7.3, 7.7), A.8 23 of 34. STALE 2: A.5.29
 * (ISMS-017, reviewed 400 days ago, yearly) and A.8.23 (dns-firewall, 45 days, monthly); neither has a
 * mapping. PENDING 2: A.8.6 (IN_REVIEW; its only mapping, 42001 A.4.5, holds no evidence and neither do A.4.5's
 * NIST counterparts) and A.8.9 (IN_REVIEW, no mapping). PARTIAL 15: only PARTIAL direct links (9.1, 10.1, A.5.14, A.5.36, A.7.4, A.7.9,
 * A.8.1, A.8.7, A.8.11, A.8.21) or reached through INTERSECTS_WITH mappings only (A.5.7 <- Art. 15(5) <-
 * NIST MEASURE 2.7; A.5.22 <- 42001 A.10.3; A.8.17 <- Art. 12(3) <- 42001 A.6.2.8; and A.5.30, A.5.37,
 * whose own evidence is stale or a draft, <- Art. 15(4) and <- 42001 A.6.2.7). GAP 10: A.7.5, A.7.6,
 * A.7.8, A.7.10-A.7.14, A.8.34 have no mapping at all; A.8.10's only one leads to Art. 10(5), which holds
 * no evidence and whose only counterpart outside 27001, NIST MEASURE 2.10, holds none either.
 *
 * ISO/IEC 42001, 70 assessable. COVERED 28: 14 from hub records (AI policy: 5.2, A.2.2; impact assessment:
 * 6.1.4, 8.4, A.5.3-A.5.5; treated risk: 8.2, 8.3; audit 9.2.1; review 9.3.1-9.3.3; NC 10.2) and 14 from
 * confluence, jira and CI items (A.3.2, A.3.3, A.6.1.2, A.6.1.3, A.6.2.2, A.6.2.4, A.6.2.7, A.6.2.8, A.7.2-
 * A.7.4, A.8.2, A.10.2, A.10.3). PREFILLED 8: with integratedManagementSystem declared, the 13 qualified
 * 27001 -> 42001 clause rows read EQUAL; 27001 holds valid FULL evidence on 12 of them (not 10.1), 4 of
 * which 42001 covers directly: 6.3, 7.1, 7.2, 7.4, 7.5.1-7.5.3 and 9.2.2 (the audit's direct PARTIAL link
 * ranks below the pre-fill). GAP 2: A.8.3 and A.10.4: their counterparts (Art. 72(2); NIST GOVERN 4.3, 5.1,
 * 5.2, MAP 5.2, MEASURE 3.3, 4.2, MANAGE 4.1) hold no evidence, nor do those counterparts' own ones. PARTIAL: the other 32.
 *
 * EU AI Act: COVERED 5 (Art. 4, 26(1), 26(4), 26(6), 50(1)); NIST AI RMF: COVERED 4 (GOVERN 2.1, 2.2,
 * MEASURE 2.7, 2.11). How many of the others partial evidence reaches within two mappings (the EU AI Act's
 * 64 GAPs; none in the NIST AI RMF, which 27001 evidence reaches entirely through 42001) was counted with
 * a script over the seeded mapping rows that applies the README's rules, not with the hub's code.
 */
let t: TestHub;
let token: string;
let first: DemoSummary;
// Both runs count back from the same day, as two runs on one day do.
const now = new Date();

beforeAll(async () => {
  t = await startTestHub();
  token = await tokenFor(t, 'demo-test', Role.ADMIN, 'demo-loader');
  first = await loadDemo(t.url, token, { now });
});
afterAll(async () => {
  await t.stop();
});

async function data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await t.gql<T>(query, variables, { token });
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

const SUMMARY = `{ coverageSummary { framework { key } totals { assessable notApplicable covered prefilled partial stale pending gap } } }`;
const totals = async () => Object.fromEntries((await data(SUMMARY)).coverageSummary.map((f: any) => [f.framework.key, f.totals]));
const EXPECTED_TOTALS = {
  'eu-ai-act': { assessable: 185, notApplicable: 0, covered: 5, prefilled: 0, partial: 116, stale: 0, pending: 0, gap: 64 },
  iso27001: { assessable: 123, notApplicable: 1, covered: 93, prefilled: 0, partial: 15, stale: 2, pending: 2, gap: 10 },
  iso42001: { assessable: 70, notApplicable: 0, covered: 28, prefilled: 8, partial: 32, stale: 0, pending: 0, gap: 2 },
  'nist-ai-rmf': { assessable: 72, notApplicable: 0, covered: 4, prefilled: 0, partial: 68, stale: 0, pending: 0, gap: 0 },
};

const EVIDENCE_MIX = `{
  confluence: evidences(filter: { sourceSystem: "confluence" }) { totalCount }
  jira: evidences(filter: { sourceSystem: "jira" }) { totalCount }
  ci: evidences(filter: { sourceSystem: "github-actions" }) { totalCount }
  aws: evidences(filter: { sourceSystem: "aws-config" }) { totalCount }
  hub: evidences(filter: { sourceSystem: "hub" }) { totalCount }
  draft: evidences(filter: { status: DRAFT }) { totalCount }
  inReview: evidences(filter: { status: IN_REVIEW }) { totalCount }
}`;
const EXPECTED_MIX = {
  confluence: { totalCount: 33 }, jira: { totalCount: 11 }, ci: { totalCount: 5 }, aws: { totalCount: 10 },
  // one per qualifying record: 2 registered systems, the approved assessment, 2 oversight logs, the performed
  // audit, the closed NC (the open one does not qualify), the held review, the assessed risk, the policy, the improvement
  hub: { totalCount: 11 },
  draft: { totalCount: 2 }, inReview: { totalCount: 2 },
};

describe('the demo organization', () => {
  it('creates the programme through the API: 59 evidence items from four systems, two AI systems and their records', async () => {
    expect(first).toEqual({
      organization: 'demo-test',
      created: {
        evidence: 59, evidenceUpdated: 0, aiSystems: 2, impactAssessmentVersions: 2, oversightPoints: 3, oversightRecords: 21,
        internalAudits: 1, auditFindings: 2, nonconformities: 2, registerRecords: 4, applicabilityDecisions: 1, conditionDeclarations: 1,
      },
      aiSystems: { cvScreening: expect.any(String), supportAssistant: expect.any(String) },
    });
    expect(await data(EVIDENCE_MIX)).toEqual(EXPECTED_MIX);
  });

  it('leaves each framework covered, pre-filled, partial, stale, pending and with gaps as worked out by hand', async () => {
    expect(await totals()).toEqual(EXPECTED_TOTALS);
  });

  it('explains named requirements: pre-fill from 27001, a stale plan, pending drafts, an SoA exclusion, gaps', async () => {
    const statuses = async (framework: string) => {
      const d = await data(`query($f: String!) { coverage(framework: $f) { requirements(first: 200) { nodes { requirement { ref } status } } } }`, { f: framework });
      return Object.fromEntries(d.coverage.requirements.nodes.map((n: any) => [n.requirement.ref, n.status]));
    };
    const iso27001 = await statuses('iso27001');
    const iso42001 = await statuses('iso42001');
    expect(['A.5.1', 'A.5.29', 'A.8.23', 'A.8.6', 'A.8.9', 'A.5.37', 'A.8.30', 'A.7.5'].map((r) => iso27001[r]))
      .toEqual(['COVERED', 'STALE', 'STALE', 'PENDING', 'PENDING', 'PARTIAL', 'NOT_APPLICABLE', 'GAP']);
    expect(['6.1.4', '7.2', '9.2.2', '9.2.1', '10.1', 'A.7.5', 'A.8.3', 'A.10.4'].map((r) => iso42001[r]))
      .toEqual(['COVERED', 'PREFILLED', 'PREFILLED', 'COVERED', 'PARTIAL', 'PARTIAL', 'GAP', 'GAP']);
  });

  it('gives the CV screener BINDING, NOT_YET and CONDITIONAL duties from its facts, and the chatbot Art. 50', async () => {
    const q = `query($id: ID!) { aiSystem(id: $id) {
      september: obligations(asOf: "2026-09-01T00:00:00Z") { requirement { ref } applicability bindingFrom openQuestions { fact } }
      june: obligations(asOf: "2026-06-01T00:00:00Z") { requirement { ref } applicability bindingFrom }
      omnibus: obligations(asOf: "2026-12-15T00:00:00Z", basis: ADOPTED) { requirement { ref } applicability bindingFrom }
      now: obligations { requirement { ref } status }
      impactAssessments { version status template }
    } }`;
    const pick = (os: any[], ref: string) => os.find((o) => o.requirement.ref === ref);
    const cv = (await data(q, { id: first.aiSystems.cvScreening })).aiSystem;
    // A deployer of an Annex III 4(a) system: Art. 26 from 2 Aug 2026 (Art. 113); Art. 26(7) turns on
    // whether it is an employer using it at the workplace, left open; no Art. 27(1) (a private body, not
    // point 5(b)/(c)), so the assessment uses the base template; no Art. 50 (it talks to nobody).
    expect(pick(cv.september, 'Art. 26(1)')).toEqual({ requirement: { ref: 'Art. 26(1)' }, applicability: 'BINDING', bindingFrom: '2026-08-02', openQuestions: [] });
    expect(pick(cv.september, 'Art. 26(7)')).toMatchObject({ applicability: 'CONDITIONAL', openQuestions: [{ fact: 'employerUsingAtWorkplace' }] });
    expect(pick(cv.september, 'Art. 4')).toMatchObject({ applicability: 'BINDING', bindingFrom: '2025-02-02' });
    expect([pick(cv.september, 'Art. 27(1)'), pick(cv.september, 'Art. 50(1)')]).toEqual([undefined, undefined]);
    expect(pick(cv.june, 'Art. 26(1)')).toMatchObject({ applicability: 'NOT_YET', bindingFrom: '2026-08-02' });
    // The Digital Omnibus, as adopted, moves Annex III duties to 2 Dec 2027.
    expect(pick(cv.omnibus, 'Art. 26(1)')).toMatchObject({ applicability: 'NOT_YET', bindingFrom: '2027-12-02' });
    // AI-118 (FULL, scoped to it), AI-121, and the organization-wide AI literacy programme
    expect(['Art. 26(1)', 'Art. 26(6)', 'Art. 4'].map((r) => pick(cv.now, r).status)).toEqual(['COVERED', 'COVERED', 'COVERED']);
    expect(cv.impactAssessments).toEqual([{ version: 1, status: 'APPROVED', template: 'BASE' }, { version: 2, status: 'DRAFT', template: 'BASE' }]);

    const bot = (await data(q, { id: first.aiSystems.supportAssistant })).aiSystem;
    expect(['Art. 50(1)', 'Art. 50(2)'].map((r) => pick(bot.september, r))).toEqual([
      { requirement: { ref: 'Art. 50(1)' }, applicability: 'BINDING', bindingFrom: '2026-08-02', openQuestions: [] },
      { requirement: { ref: 'Art. 50(2)' }, applicability: 'BINDING', bindingFrom: '2026-08-02', openQuestions: [] },
    ]);
    expect(pick(bot.september, 'Art. 26(1)')).toBeUndefined();
    expect(pick(bot.now, 'Art. 50(1)').status).toBe('COVERED');
  });

  it('a second run reports nothing new and leaves every number as it was', async () => {
    const again = await loadDemo(t.url, token, { now });
    expect(again).toEqual({ ...first, created: Object.fromEntries(Object.keys(first.created).map((k) => [k, 0])) });
    expect(await totals()).toEqual(EXPECTED_TOTALS);
    expect(await data(EVIDENCE_MIX)).toEqual(EXPECTED_MIX);
    const counts = await data(`query($id: ID!) { aiSystem(id: $id) { impactAssessments { version } oversightPoints { id } } internalAudits { findings { id } } nonconformities { id } registerRecords { id } }`, { id: first.aiSystems.cvScreening });
    expect([counts.aiSystem.impactAssessments.length, counts.aiSystem.oversightPoints.length, counts.internalAudits.length, counts.internalAudits[0].findings.length, counts.nonconformities.length, counts.registerRecords.length])
      .toEqual([2, 2, 1, 2, 2, 4]);
  });
});
