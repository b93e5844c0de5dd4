import { startTestHub, TestHub } from '../harness/hub';

/**
 * One story, end to end: a high-risk deployer system is registered, its obligations read at two dates,
 * its impact assessment approved (after being refused while incomplete), oversight records ingested,
 * and an NCR from an internal-audit finding closed; coverage moves with each step and every status is
 * explained by the record behind it. Expected obligations were worked out from the EU AI Act catalog
 * (actors x risk tiers x appliesFrom / Art. 6(1) date) independently of the code.
 */
let t: TestHub;
let sys: string;
// Dates the story needs to be recent are relative to the run, so the test holds on any day.
const DAY = 86_400_000;
const daysFromNow = (n: number) => new Date(Date.now() + n * DAY).toISOString();
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

const REGISTER = `mutation($input: RegisterAiSystemInput!) { registerAiSystem(input: $input) { id name version lifecycleStage euRoles riskClass highRiskRoute } }`;
const cov = async (framework: string) => {
  const d = await t.data(`query($s: ID) { coverage(framework: "${framework}", aiSystemId: $s) { aiSystem { name } totals { covered }
    requirements(first: 200) { nodes { requirement { ref } status direct { coverage evidence { sourceSystem externalId recordType recordId aiSystem { id } } } } } } }`, { s: sys });
  const byRef = Object.fromEntries(d.coverage.requirements.nodes.map((n: any) => [n.requirement.ref, n]));
  return { covered: d.coverage.totals.covered, status: (ref: string) => byRef[ref].status as string, direct: (ref: string) => byRef[ref].direct as any[], name: d.coverage.aiSystem?.name };
};
const findings = async () => (await t.data(`query($s: ID) { gaps(framework: "iso42001", aiSystemId: $s) { systemFindings { kind detail } } }`, { s: sys })).gaps.systemFindings.map((f: any) => f.kind);

describe('an AI system through its governance', () => {
  it('1. registers a high-risk Annex III deployer system; the register entry itself is evidence', async () => {
    const d = await t.data(REGISTER, { input: {
      name: 'CV screening', intendedPurpose: 'Rank job applications for recruiters', euRoles: ['DEPLOYER'], riskClass: 'HIGH_RISK',
      highRiskRoute: 'ANNEX_III', annexIIIArea: '4. Employment', oversightModel: 'HUMAN_IN_THE_LOOP', lifecycleStage: 'VERIFICATION',
      components: [{ supplier: 'Acme AI', model: 'rank-large', version: '3.1' }], dataCategories: ['CVs', 'contact details'],
    } });
    sys = d.registerAiSystem.id;
    expect(d.registerAiSystem).toMatchObject({ version: 1, lifecycleStage: 'VERIFICATION', euRoles: ['DEPLOYER'], riskClass: 'HIGH_RISK', highRiskRoute: 'ANNEX_III' });
    const c = await cov('iso42001');
    expect(c.name).toBe('CV screening');
    expect([c.status('A.4.2'), c.status('4.3'), c.status('6.1.4'), c.covered]).toEqual(['PARTIAL', 'PARTIAL', 'GAP', 0]);
    expect(c.direct('A.4.2')).toEqual([{ coverage: 'PARTIAL', evidence: { sourceSystem: 'hub', externalId: `AI_SYSTEM:${sys}`, recordType: 'AI_SYSTEM', recordId: sys, aiSystem: { id: sys } } }]);
    expect(await findings()).toEqual(['IMPACT_ASSESSMENT_MISSING']);
    const dup = await t.gql(REGISTER, { input: { name: 'CV screening' } });
    expect(dup.errors?.[0].extensions?.code).toBe('CONFLICT');
    const noRoute = await t.gql(REGISTER, { input: { name: 'x', riskClass: 'HIGH_RISK' } });
    expect(noRoute.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'highRiskRoute' });
  });

  it('2. obligations follow roles x risk class x date: none of the high-risk duties before 2 Aug 2026', async () => {
    const q = `query($s: ID!, $at: DateTime) { aiSystem(id: $s) { obligations(asOf: $at) { requirement { ref } bindingFrom status } } }`;
    const before = await t.data(q, { s: sys, at: '2026-07-01T00:00:00Z' });
    // Art. 5 screens every operator whatever the class (the table's riskTier correction "all").
    const art5 = ['Art. 5(1)(a)', 'Art. 5(1)(b)', 'Art. 5(1)(c)', 'Art. 5(1)(d)', 'Art. 5(1)(e)', 'Art. 5(1)(f)', 'Art. 5(1)(g)', 'Art. 5(1)(h)', 'Art. 5(2)', 'Art. 5(3)', 'Art. 5(4)'];
    expect(before.aiSystem.obligations.map((o: any) => o.requirement.ref)).toEqual(['Art. 4', ...art5]);
    const after = await t.data(q, { s: sys, at: '2026-09-01T00:00:00Z' });
    const refs = after.aiSystem.obligations.map((o: any) => o.requirement.ref);
    // Also the Art. 50 deployer duties (any class), Art. 14(5) (deployer's two-person check) and Art. 71(3) (public-sector database entries).
    expect(refs).toEqual(['Art. 4', ...art5, 'Art. 14(5)', 'Art. 25(1)', 'Art. 26(1)', 'Art. 26(2)', 'Art. 26(4)', 'Art. 26(5)', 'Art. 26(6)', 'Art. 26(7)', 'Art. 26(8)',
      'Art. 26(9)', 'Art. 26(10)', 'Art. 26(11)', 'Art. 26(12)', 'Art. 27(1)', 'Art. 27(2)', 'Art. 27(3)', 'Art. 27(4)', 'Art. 46(2)', 'Art. 49(3)',
      'Art. 49(4)', 'Art. 50(3)', 'Art. 50(4)', 'Art. 50(5)', 'Art. 60(4)', 'Art. 71(3)', 'Art. 73(2)', 'Art. 73(3)', 'Art. 73(4)', 'Art. 73(5)', 'Art. 79(2)', 'Art. 79(4)',
      'Art. 82(2)', 'Art. 86(1)', 'Art. 111(1)', 'Art. 111(2)']);
    expect(refs.some((r: string) => r.startsWith('Art. 16'))).toBe(false);
    expect(after.aiSystem.obligations.find((o: any) => o.requirement.ref === 'Art. 26(1)')).toEqual({ requirement: { ref: 'Art. 26(1)' }, bindingFrom: '2026-08-02', status: 'GAP' });

    // The same deployer duties for an Annex I product wait for the Art. 6(1) date, and Art. 27 (Annex III only) never binds it.
    const annexI = (await t.data(REGISTER, { input: { name: 'Machine vision QA', euRoles: ['DEPLOYER'], riskClass: 'HIGH_RISK', highRiskRoute: 'ANNEX_I' } })).registerAiSystem.id;
    const i2026 = await t.data(q, { s: annexI, at: '2026-09-01T00:00:00Z' });
    expect(i2026.aiSystem.obligations.map((o: any) => o.requirement.ref)).toEqual(['Art. 4', ...art5, 'Art. 50(3)', 'Art. 50(4)', 'Art. 50(5)', 'Art. 79(2)', 'Art. 79(4)']);
    const i2027 = await t.data(q, { s: annexI, at: '2027-09-01T00:00:00Z' });
    const later = i2027.aiSystem.obligations.map((o: any) => o.requirement.ref);
    expect(later).toContain('Art. 26(1)');
    expect(i2027.aiSystem.obligations.find((o: any) => o.requirement.ref === 'Art. 26(1)').bindingFrom).toBe('2027-08-02');
    expect(later.some((r: string) => r.startsWith('Art. 27'))).toBe(false);

    const matrix = await t.data(`{ obligationsMatrix(asOf: "2026-09-01T00:00:00Z") { aiSystem { name } obligations { requirement { ref } } } }`);
    expect(matrix.obligationsMatrix.map((m: any) => [m.aiSystem.name, m.obligations.length])).toEqual([['CV screening', 47], ['Machine vision QA', 17]]);
  });

  it('3. an impact assessment is refused while incomplete, immutable once submitted, and evidence once approved', async () => {
    const start = await t.data(`mutation($s: ID!) { startImpactAssessment(aiSystemId: $s, assessor: "Dana") { id version template status sections { key required } } }`, { s: sys });
    const a = start.startImpactAssessment;
    expect(a).toMatchObject({ version: 1, template: 'HIGH_RISK_DEPLOYER', status: 'DRAFT' });
    expect(a.sections.filter((s: any) => s.required)).toHaveLength(11);
    const UPDATE = `mutation($input: UpdateImpactAssessmentInput!) { updateImpactAssessment(input: $input) { status } }`;
    const keys = a.sections.filter((s: any) => s.required).map((s: any) => s.key);
    await t.data(UPDATE, { input: { id: a.id, sections: keys.slice(0, 9).map((key: string) => ({ key, text: `Our analysis of ${key}` })) } });
    const refused = await t.gql(`mutation($id: ID!) { submitImpactAssessment(id: $id) { status } }`, { id: a.id });
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'sections', sections: ['specific_risks_of_harm', 'human_oversight_measures', 'measures_if_risks_materialise'].filter((k) => keys.slice(9).includes(k)) } });
    expect(refused.errors?.[0].message).toBe(`required section(s) empty: ${keys.slice(9).join(', ')}`);
    await t.data(UPDATE, { input: { id: a.id, sections: keys.slice(9).map((key: string) => ({ key, text: `Our analysis of ${key}` })) } });
    expect((await t.data(`mutation($id: ID!) { submitImpactAssessment(id: $id) { status assessedAt } }`, { id: a.id })).submitImpactAssessment.status).toBe('IN_REVIEW');
    const locked = await t.gql(UPDATE, { input: { id: a.id, sections: [{ key: 'notes', text: 'late edit' }] } });
    expect(locked.errors?.[0].extensions?.code).toBe('CONFLICT');

    const before = await cov('iso42001');
    const due = daysFromNow(200);
    const approved = await t.data(`mutation($id: ID!, $due: DateTime) { decideImpactAssessment(input: { id: $id, decision: APPROVED, comment: "ok", nextReviewDue: $due }) { status approver approvedAt nextReviewDue } }`, { id: a.id, due });
    expect(approved.decideImpactAssessment).toMatchObject({ status: 'APPROVED', approver: t.actor, nextReviewDue: due });
    const after = await cov('iso42001');
    expect([before.covered, after.covered]).toEqual([0, 5]);
    expect(['6.1.4', '8.4', 'A.5.2', 'A.5.3', 'A.5.4', 'A.5.5'].map(after.status)).toEqual(['COVERED', 'COVERED', 'PARTIAL', 'COVERED', 'COVERED', 'COVERED']);
    expect(after.direct('8.4')[0].evidence).toMatchObject({ recordType: 'IMPACT_ASSESSMENT', recordId: a.id, externalId: `IMPACT_ASSESSMENT:${a.id}` });
    const eu = await cov('eu-ai-act');
    expect(eu.status('Art. 27(1)')).toBe('COVERED');
    expect(await findings()).toEqual([]);

    // a new version starts from the last one; diff shows what changed
    const v2 = (await t.data(`mutation($s: ID!) { startImpactAssessment(aiSystemId: $s) { id version } }`, { s: sys })).startImpactAssessment;
    await t.data(UPDATE, { input: { id: v2.id, sections: [{ key: 'data_and_model', text: 'New training data from 2026' }] } });
    const diff = await t.data(`query($id: ID!) { impactAssessment(id: $id) { version diff(fromVersion: 1) { key changed from to } } }`, { id: v2.id });
    expect(diff.impactAssessment.diff.filter((d: any) => d.changed)).toEqual([{ key: 'data_and_model', changed: true, from: 'Our analysis of data_and_model', to: 'New training data from 2026' }]);

    // a material change after approval shows in gaps
    await t.data(`mutation($id: ID!) { updateAiSystem(input: { id: $id, intendedPurpose: "Rank and reject job applications", reason: "scope grew" }) { version } }`, { id: sys });
    expect(await findings()).toEqual(['CHANGED_SINCE_ASSESSMENT']);
    const hist = await t.data(`query($id: ID!) { aiSystem(id: $id) { history { version change reason } } }`, { id: sys });
    expect(hist.aiSystem.history.map((h: any) => h.change)).toEqual(['REGISTERED', 'UPDATED: intendedPurpose']);
  });

  it('4. oversight records are evidence for A.9.2 and Art. 26(2); bad items are named, repeats are unchanged', async () => {
    const point = (await t.data(`mutation($s: ID!) { addOversightPoint(input: { aiSystemId: $s, name: "Shortlist approval", mechanism: PRE_APPROVAL, overseerRole: "Recruiter" }) { id } }`, { s: sys })).addOversightPoint.id;
    const before = await cov('eu-ai-act');
    expect(before.direct('Art. 26(2)')).toEqual([]);
    const RECORD = `mutation($items: [OversightRecordInput!]!) { recordOversight(input: { items: $items }) { created unchanged failed results { index outcome field error } } }`;
    const items = [
      { pointId: point, reviewer: 'sam', decidedAt: daysFromNow(-3), decision: 'APPROVED', caseRef: 'REQ-1' },
      { pointId: point, reviewer: 'sam', decidedAt: daysFromNow(-2), decision: 'OVERRIDDEN', caseRef: 'REQ-2', rationale: 'Ranking ignored a certificate' },
      { pointId: '00000000-0000-4000-8000-000000000000', reviewer: 'sam', decidedAt: daysFromNow(-2), decision: 'APPROVED', caseRef: 'REQ-3' },
    ];
    const r = await t.data(RECORD, { items });
    expect(r.recordOversight).toMatchObject({ created: 2, unchanged: 0, failed: 1 });
    expect(r.recordOversight.results[2]).toEqual({ index: 2, outcome: 'FAILED', field: 'pointId', error: 'unknown oversight point "00000000-0000-4000-8000-000000000000"' });
    expect((await t.data(RECORD, { items: items.slice(0, 2) })).recordOversight).toMatchObject({ created: 0, unchanged: 2, failed: 0 });

    const eu = await cov('eu-ai-act');
    expect(eu.status('Art. 26(2)')).toBe('PARTIAL');
    expect(eu.direct('Art. 26(2)')[0].evidence).toMatchObject({ recordType: 'OVERSIGHT_LOG', externalId: `OVERSIGHT_LOG:${sys}` });
    expect((await cov('iso42001')).direct('A.9.2')[0].evidence.recordType).toBe('OVERSIGHT_LOG');
    const s = await t.data(`query($s: ID!, $from: DateTime!, $to: DateTime!) { aiSystem(id: $s) { oversightSummary(from: $from, to: $to) { point { name } decisions overrides overrideRate silent weeks { weekStart decisions overrides } } } }`, { s: sys, from: daysFromNow(-7), to: daysFromNow(1) });
    const [summary] = s.aiSystem.oversightSummary;
    expect(summary).toMatchObject({ point: { name: 'Shortlist approval' }, decisions: 2, overrides: 1, overrideRate: 0.5, silent: false });
    expect(summary.weeks.reduce((n: number, w: any) => n + w.decisions, 0)).toBe(2);
    for (const w of summary.weeks) expect(new Date(`${w.weekStart}T00:00:00Z`).getUTCDay()).toBe(1); // ISO weeks start on Monday
    const quiet = await t.data(`query($s: ID!) { aiSystem(id: $s) { oversightSummary(from: "2020-01-01T00:00:00Z", to: "2020-02-01T00:00:00Z") { decisions overrideRate silent weeks { weekStart } } } }`, { s: sys });
    expect(quiet.aiSystem.oversightSummary).toEqual([{ decisions: 0, overrideRate: null, silent: true, weeks: [] }]);
  });

  it('5. an NCR from an internal-audit finding, once closed effectively, is evidence for 10.2 of both standards', async () => {
    const audit = (await t.data(`mutation($at: DateTime) { createInternalAudit(input: { title: "AIMS audit", scopeFrameworks: ["iso27001", "iso42001"], performedAt: $at, auditor: "Lee" }) { id } }`, { at: daysFromNow(-10) })).createInternalAudit.id;
    const finding = (await t.data(`mutation($a: ID!) { addAuditFinding(input: { auditId: $a, type: MINOR_NC, description: "No drift monitoring for CV screening", requirements: ["iso42001 A.6.2.6"] }) { id requirements { ref } } }`, { a: audit })).addAuditFinding;
    expect(finding.requirements).toEqual([{ ref: 'A.6.2.6' }]);
    const nc = (await t.data(`mutation($f: ID!, $s: ID!) { raiseNonconformity(input: { source: AUDIT_FINDING, findingId: $f, aiSystemId: $s, description: "Missing drift monitoring" }) { id status finding { type } } }`, { f: finding.id, s: sys })).raiseNonconformity;
    expect(nc).toMatchObject({ status: 'OPEN', finding: { type: 'MINOR_NC' } });
    const early = await t.gql(`mutation($id: ID!) { closeNonconformity(input: { id: $id, effectiveness: EFFECTIVE }) { status } }`, { id: nc.id });
    expect(early.errors?.[0]).toMatchObject({ message: 'record rootCause and correctiveAction before closing', extensions: { code: 'BAD_USER_INPUT', field: 'rootCause' } });

    const before = await cov('iso42001');
    await t.data(`mutation($id: ID!) { updateNonconformity(input: { id: $id, rootCause: "No owner for model monitoring", correctiveAction: "Weekly drift metric with thresholds" }) { id } }`, { id: nc.id });
    const notYet = await t.data(`mutation($id: ID!) { closeNonconformity(input: { id: $id, effectiveness: NOT_EFFECTIVE }) { status effectivenessResult } }`, { id: nc.id });
    expect(notYet.closeNonconformity).toEqual({ status: 'OPEN', effectivenessResult: 'NOT_EFFECTIVE' });
    const closed = await t.data(`mutation($id: ID!) { closeNonconformity(input: { id: $id, effectiveness: EFFECTIVE }) { status closedAt } }`, { id: nc.id });
    expect(closed.closeNonconformity.status).toBe('CLOSED');

    const after = await cov('iso42001');
    expect([before.status('10.2'), after.status('10.2'), after.status('9.2.1'), after.status('9.2.2')]).toEqual(['GAP', 'COVERED', 'COVERED', 'PARTIAL']);
    expect(after.covered).toBe(7); // the five from the assessment, 9.2.1 and 10.2
    expect(after.direct('10.2')[0].evidence).toMatchObject({ recordType: 'NONCONFORMITY', recordId: nc.id });
    const org27001 = await t.data(`{ coverage(framework: "iso27001") { requirements(status: [COVERED]) { nodes { requirement { ref } } } } }`);
    expect(org27001.coverage.requirements.nodes.map((n: any) => n.requirement.ref)).toEqual(['9.2.1', '10.2']);
  });

  it('6. lifecycle gates: moving on past open tasks needs an override, which is recorded', async () => {
    const task = (await t.data(`mutation($s: ID!) { addGateTask(input: { aiSystemId: $s, stage: DEPLOYMENT, title: "Bias test on 2026 data", requirements: ["iso42001 A.6.2.4"] }) { id requirements { ref } } }`, { s: sys })).addGateTask;
    expect(task.requirements).toEqual([{ ref: 'A.6.2.4' }]);
    const refused = await t.gql(`mutation($s: ID!) { setLifecycleStage(input: { id: $s, stage: OPERATION }) { lifecycleStage } }`, { s: sys });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'stage', openTasks: [task.id] });
    const moved = await t.data(`mutation($s: ID!) { setLifecycleStage(input: { id: $s, stage: OPERATION, overrideReason: "Regulator deadline; test scheduled" }) { lifecycleStage history { change reason } } }`, { s: sys });
    expect(moved.setLifecycleStage.lifecycleStage).toBe('OPERATION');
    expect(moved.setLifecycleStage.history.slice(-1)).toEqual([{ change: 'STAGE_OVERRIDE: VERIFICATION -> OPERATION past 1 open task(s)', reason: 'Regulator deadline; test scheduled' }]);
    const wont = await t.gql(`mutation($id: ID!) { updateGateTask(input: { id: $id, status: WONT_DO }) { status } }`, { id: task.id });
    expect(wont.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'justification' });
  });

  it('7. simple registers: a held management review with all inputs and a breached metric', async () => {
    const UPSERT = `mutation($input: UpsertRegisterRecordInput!) { upsertRegisterRecord(input: $input) { id kind status } }`;
    const inputs = ['status_of_previous_actions', 'changes_in_issues', 'changes_in_interested_party_needs', 'performance_and_trends',
      'interested_party_feedback', 'risk_assessment_and_treatment', 'improvement_opportunities'];
    await t.data(UPSERT, { input: { kind: 'MANAGEMENT_REVIEW', title: 'Q4 review', status: 'HELD', effectiveAt: daysFromNow(-5), data: { inputsCovered: inputs, decisions: 'Fund monitoring' } } });
    const c = await cov('iso42001');
    expect(['9.3.1', '9.3.2', '9.3.3'].map(c.status)).toEqual(['COVERED', 'COVERED', 'COVERED']);
    const risk = await t.data(`mutation($input: UpsertRegisterRecordInput!) { upsertRegisterRecord(input: $input) { data } }`, { input: {
      kind: 'RISK', aiSystemId: sys, title: 'Bias against career gaps', status: 'TREATED',
      data: { likelihood: 4, impact: 4, residualLikelihood: 2, residualImpact: 3, treatment: 'MITIGATE' } } });
    expect(risk.upsertRegisterRecord.data).toMatchObject({ inherentScore: 16, residualScore: 6 });
    expect(['8.2', '8.3', '6.1.2', '6.1.3'].map((await cov('iso42001')).status)).toEqual(['COVERED', 'COVERED', 'PARTIAL', 'PARTIAL']);
    const bad = await t.gql(UPSERT, { input: { kind: 'RISK', title: 'Bias', status: 'OPEN', data: { likelihood: 7 } } });
    expect(bad.errors?.[0]).toMatchObject({ message: 'data.likelihood must be an integer from 1 to 5', extensions: { code: 'BAD_USER_INPUT', field: 'data.likelihood' } });

    const metric = (await t.data(UPSERT, { input: { kind: 'MONITORING_METRIC', aiSystemId: sys, title: 'Ranking drift (PSI)', status: 'ACTIVE', data: { unit: 'PSI', max: 0.2 } } })).upsertRegisterRecord.id;
    const m = await t.data(`mutation($items: [MeasurementInput!]!) { recordMeasurements(input: { items: $items }) { created failed } }`, { items: [
      { recordId: metric, measuredAt: daysFromNow(-8), value: 0.12, externalId: 'w1' },
      { recordId: metric, measuredAt: daysFromNow(-1), value: 0.31, externalId: 'w2' },
    ] });
    expect(m.recordMeasurements).toEqual({ created: 2, failed: 0 });
    expect((await cov('iso42001')).status('A.6.2.6')).toBe('PARTIAL');
    expect(await findings()).toEqual(['CHANGED_SINCE_ASSESSMENT', 'MONITORING_BREACH']);
  });
});
