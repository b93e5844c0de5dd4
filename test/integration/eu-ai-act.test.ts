import { startTestHub, TestHub, tokenFor as createToken } from '../harness/hub';
import { Role } from '../../src/modules/auth/role';

/**
 * The EU AI Act layer through the API: facts in and out, the two bases and a recorded publication,
 * the new provisions of the amendment, the gap report's open questions. The scenario table
 * (eu-ai-act-scenarios.test.ts) covers the legal answers themselves.
 */
let t: TestHub;
let tokens: { orgB: string; editor: string };
const tokenFor = async (slug: string, role: Role, name: string) => ({ token: await createToken(t, slug, role, name) });

beforeAll(async () => {
  t = await startTestHub();
  tokens = {
    orgB: (await tokenFor('org-b', Role.ADMIN, 'b-admin')).token,
    editor: (await tokenFor('test-org', Role.EDITOR, 'grc-editor')).token,
  };
});
afterAll(async () => {
  await t.stop();
});

const REGISTER = `mutation($input: RegisterAiSystemInput!) { registerAiSystem(input: $input) { id version euFacts { fact answer value answered } } }`;
const UPDATE = `mutation($input: UpdateAiSystemInput!) { updateAiSystem(input: $input) { version euFacts { fact answer value answered } } }`;
const OBLIGATIONS = `query($s: ID!, $at: DateTime, $b: TextBasis) { aiSystem(id: $s) { obligations(asOf: $at, basis: $b) { requirement { ref }
  applicability bindingFrom textVersion { key legalStatus } changes otherBasis { basis applicability bindingFrom } } } }`;
const PUBLISH = `mutation($input: RecordAmendmentPublicationInput!) { recordAmendmentPublication(input: $input) { key legalStatus officialJournal publishedOn entryIntoForce publication { recordedBy } } }`;
const answered = (facts: any[]) => facts.filter((f) => f.answered).map((f) => [f.fact, f.answer, f.value]);
const duty = async (s: string, ref: string, at: string, b = 'IN_FORCE', token?: string) => {
  const res = await t.gql(OBLIGATIONS, { s, at: `${at}T12:00:00Z`, b }, { token });
  expect(res.errors).toBeUndefined();
  return res.data.aiSystem.obligations.find((o: any) => o.requirement.ref === ref) ?? null;
};
const DEPLOYER_FACTS = [
  { fact: 'highRiskRoute', answer: 'YES', value: 'ANNEX_III' }, { fact: 'annexIIIPoint', answer: 'YES', value: '5(b)' },
  { fact: 'art6_3Derogation', answer: 'NO' }, { fact: 'publicAuthority', answer: 'NO' }, { fact: 'publicLawBodyOrPublicService', answer: 'NO' },
];

describe('facts of a system', () => {
  it('are answered YES, NO (a date fact: no such date) or UNKNOWN, merged on update, kept in the history', async () => {
    const r = (await t.data(REGISTER, { input: { name: 'Credit scoring', euRoles: ['DEPLOYER'], euFacts: [
      ...DEPLOYER_FACTS, { fact: 'placedOnMarketDate', answer: 'NO' },
    ] } })).registerAiSystem;
    // Sorted by the model's order; a NO date is stored as "no date".
    expect(answered(r.euFacts)).toEqual([
      ['highRiskRoute', 'YES', 'ANNEX_III'], ['annexIIIPoint', 'YES', '5(b)'], ['art6_3Derogation', 'NO', null],
      ['publicAuthority', 'NO', null], ['publicLawBodyOrPublicService', 'NO', null], ['placedOnMarketDate', 'NO', null],
    ]);
    // A defaulted fact shows its assumed answer, unanswered.
    expect(r.euFacts.find((f: any) => f.fact === 'outOfScopeExclusion')).toEqual({ fact: 'outOfScopeExclusion', answer: 'NO', value: null, answered: false });
    expect(r.euFacts.find((f: any) => f.fact === 'interactsWithPersons')).toEqual({ fact: 'interactsWithPersons', answer: 'UNKNOWN', value: null, answered: false });
    const u = (await t.data(UPDATE, { input: { id: r.id, reason: 'checked the register', euFacts: [
      { fact: 'placedOnMarketDate', answer: 'YES', value: '2026-03-01' }, { fact: 'publicLawBodyOrPublicService', answer: 'UNKNOWN' },
    ] } })).updateAiSystem;
    expect(u.version).toBe(2);
    expect(answered(u.euFacts)).toEqual([
      ['highRiskRoute', 'YES', 'ANNEX_III'], ['annexIIIPoint', 'YES', '5(b)'], ['art6_3Derogation', 'NO', null],
      ['publicAuthority', 'NO', null], ['placedOnMarketDate', 'YES', '2026-03-01'],
    ]);
    // The same answers again change nothing (no new version).
    expect((await t.data(UPDATE, { input: { id: r.id, euFacts: [{ fact: 'publicAuthority', answer: 'NO' }] } })).updateAiSystem.version).toBe(2);
    const h = await t.data(`query($s: ID!) { aiSystem(id: $s) { history { version change snapshot } } }`, { s: r.id });
    expect(h.aiSystem.history[1]).toMatchObject({ version: 2, change: 'UPDATED: euFacts' });
    expect(h.aiSystem.history[1].snapshot.euFacts.placedOnMarketDate).toBe('2026-03-01');
  });

  it('refuses bad answers naming the item, and keeps the system as it was', async () => {
    const { id } = (await t.data(REGISTER, { input: { name: 'Facts checked', euRoles: ['PROVIDER'] } })).registerAiSystem;
    const cases: [any[], string, string][] = [
      [[{ fact: 'isAwesome', answer: 'YES' }], 'euFacts[0].fact', 'unknown fact "isAwesome"'],
      [[{ fact: 'deepFake', answer: 'NO' }, { fact: 'annexIIIPoint', answer: 'YES', value: '5b' }], 'euFacts[1].value', '"annexIIIPoint" needs a value among 1(a)'],
      [[{ fact: 'deepFake', answer: 'YES', value: 'yes' }], 'euFacts[0].value', '"deepFake" is answered YES or NO, without a value'],
      [[{ fact: 'placedOnMarketDate', answer: 'YES', value: '1 March 2026' }], 'euFacts[0].value', 'YES for "placedOnMarketDate" needs the date as YYYY-MM-DD'],
      [[{ fact: 'placedOnMarketDate', answer: 'YES', value: '2026-02-30' }], 'euFacts[0].value', 'YES for "placedOnMarketDate" needs the date as YYYY-MM-DD'],
      [[{ fact: 'highRiskRoute', answer: 'NO' }], 'euFacts[0].answer', '"highRiskRoute" is answered YES with a value, or UNKNOWN'],
      [[{ fact: 'deepFake', answer: 'NO' }, { fact: 'deepFake', answer: 'YES' }], 'euFacts[1].fact', 'fact "deepFake" is answered twice'],
      [[{ fact: 'deepFake', answer: 'UNKNOWN', value: 'x' }], 'euFacts[0].value', 'an UNKNOWN answer takes no value'],
    ];
    for (const [euFacts, field, message] of cases) {
      const res = await t.gql(UPDATE, { input: { id, euFacts } });
      expect([field, res.errors?.[0].extensions?.code, res.errors?.[0].extensions?.field]).toEqual([field, 'BAD_USER_INPUT', field]);
      expect(res.errors?.[0].message).toContain(message);
    }
    const after = await t.data(`query($s: ID!) { aiSystem(id: $s) { version euFacts { answered } } }`, { s: id });
    expect([after.aiSystem.version, after.aiSystem.euFacts.filter((f: any) => f.answered).length]).toEqual([1, 0]);
  });

  it('euAiActFacts lists every fact with its question, type and values', async () => {
    const d = await t.data(`{ euAiActFacts { name type values defaultAnswer question createdBy } }`);
    expect(d.euAiActFacts).toHaveLength(49);
    expect(d.euAiActFacts.find((f: any) => f.name === 'highRiskRoute')).toMatchObject({ type: 'enum', values: ['NONE', 'ANNEX_III', 'ANNEX_I_A', 'ANNEX_I_B'], defaultAnswer: null });
    expect(d.euAiActFacts.find((f: any) => f.name === 'annexIIIPoint').values).toHaveLength(25);
    expect(d.euAiActFacts.find((f: any) => f.name === 'adheresToCodeOfPractice')).toMatchObject({ type: 'boolean', defaultAnswer: 'YES' });
  });
});

describe('the gap report for one system', () => {
  it('lists only the duties that apply or may, the CONDITIONAL ones as open questions, and unanswered facts as findings', async () => {
    const { id } = (await t.data(REGISTER, { input: { name: 'Unclear deployer', euRoles: ['DEPLOYER'], euFacts: [
      { fact: 'highRiskRoute', answer: 'YES', value: 'ANNEX_III' }, { fact: 'art6_3Derogation', answer: 'NO' },
    ] } })).registerAiSystem;
    const d = await t.data(`query($s: ID!) { gaps(framework: "eu-ai-act", aiSystemId: $s, asOf: "2026-09-01T00:00:00Z") {
      items { requirement { ref } applicability } openQuestions { requirement { ref } openQuestions { fact } }
      systemFindings { aiSystem { id } kind detail } } }`, { s: id });
    const items = d.gaps.items.map((i: any) => i.requirement.ref);
    // A deployer: no provider duty is a gap of this system.
    expect(items).not.toContain('Art. 16(a)');
    expect(items).toContain('Art. 26(1)');
    expect(d.gaps.items.find((i: any) => i.requirement.ref === 'Art. 26(1)').applicability).toBe('BINDING');
    expect(d.gaps.openQuestions.find((o: any) => o.requirement.ref === 'Art. 27(1)').openQuestions.map((f: any) => f.fact))
      .toEqual(['annexIIIPoint', 'publicAuthority', 'publicLawBodyOrPublicService']);
    const facts = d.gaps.systemFindings.filter((f: any) => f.kind === 'EU_FACT_UNANSWERED' && f.aiSystem.id === id).map((f: any) => f.detail.split(' ')[0]);
    expect(facts).toEqual(expect.arrayContaining(['annexIIIPoint', 'publicAuthority', 'employerUsingAtWorkplace']));
    expect(facts).not.toContain('highRiskRoute');
    expect(d.gaps.systemFindings.find((f: any) => f.detail.startsWith('employerUsingAtWorkplace')).detail).toMatch(/it decides 1 duty\(ies\): Art\. 26\(7\)$/);
  });

  it('starts the Art. 27 template only when Art. 27(1) binds or may', async () => {
    const start = `mutation($s: ID!) { startImpactAssessment(aiSystemId: $s) { template } }`;
    const pick = async (name: string, euFacts: any[]) => {
      const { id } = (await t.data(REGISTER, { input: { name, euRoles: ['DEPLOYER'], euFacts } })).registerAiSystem;
      return (await t.data(start, { s: id })).startImpactAssessment.template;
    };
    const hr = [{ fact: 'highRiskRoute', answer: 'YES', value: 'ANNEX_III' }, { fact: 'art6_3Derogation', answer: 'NO' }];
    const privateBody = [{ fact: 'publicAuthority', answer: 'NO' }, { fact: 'publicLawBodyOrPublicService', answer: 'NO' }];
    expect(await pick('credit 5(b)', [...hr, { fact: 'annexIIIPoint', answer: 'YES', value: '5(b)' }, ...privateBody])).toBe('HIGH_RISK_DEPLOYER');
    // "with the exception of high-risk AI systems intended to be used in the area listed in point 2 of Annex III".
    expect(await pick('grid control', [...hr, { fact: 'annexIIIPoint', answer: 'YES', value: '2' }, { fact: 'publicAuthority', answer: 'YES' }])).toBe('BASE');
    expect(await pick('hiring, private', [...hr, { fact: 'annexIIIPoint', answer: 'YES', value: '4(a)' }, ...privateBody])).toBe('BASE');
    expect(await pick('hiring, unanswered', hr)).toBe('HIGH_RISK_DEPLOYER');
  });
});

describe('text versions: the amendment under IN_FORCE and ADOPTED, and a recorded publication', () => {
  let s: string;
  beforeAll(async () => {
    s = (await t.data(REGISTER, { input: { name: 'Annex III deployer', euRoles: ['DEPLOYER'], euFacts: DEPLOYER_FACTS } })).registerAiSystem.id;
  });

  it('Art. 26(1) binds from 2 Aug 2026 in force, from 2 Dec 2027 on the adopted text; both dates are given', async () => {
    const versions = await t.data(`{ euAiActTextVersions { key kind legalStatus officialJournal entryIntoForce } }`);
    expect(versions.euAiActTextVersions).toEqual([
      { key: 'as-published', kind: 'BASE', legalStatus: 'PUBLISHED', officialJournal: 'OJ L, 12.7.2024', entryIntoForce: '2024-08-01' },
      { key: 'digital-omnibus-ai-2026', kind: 'AMENDMENT', legalStatus: 'ADOPTED', officialJournal: null, entryIntoForce: null },
    ]);
    expect(await duty(s, 'Art. 26(1)', '2026-09-01')).toMatchObject({
      applicability: 'BINDING', bindingFrom: '2026-08-02', textVersion: { key: 'as-published' }, changes: [],
      otherBasis: { basis: 'ADOPTED', applicability: 'NOT_YET', bindingFrom: '2027-12-02' },
    });
    expect(await duty(s, 'Art. 26(1)', '2026-09-01', 'ADOPTED')).toMatchObject({
      applicability: 'NOT_YET', bindingFrom: '2027-12-02', textVersion: { key: 'digital-omnibus-ai-2026', legalStatus: 'ADOPTED' }, changes: ['annex-iii-deferral', 'annex-i-deferral'],
      otherBasis: { basis: 'IN_FORCE', applicability: 'BINDING', bindingFrom: '2026-08-02' },
    });
    // Art. 27(1) (point 5(b): "deployers of high-risk AI systems referred to in points 5 (b) and (c) of Annex III") moves with it.
    expect(await duty(s, 'Art. 27(1)', '2026-09-01', 'ADOPTED')).toMatchObject({ applicability: 'NOT_YET', bindingFrom: '2027-12-02' });
    // Art. 4 is not moved: both bases agree, so no other answer.
    expect(await duty(s, 'Art. 4', '2026-09-01', 'ADOPTED')).toMatchObject({ applicability: 'BINDING', bindingFrom: '2025-02-02', otherBasis: null });
  });

  it('the two new Art. 5 prohibitions exist only in the amended text', async () => {
    expect(await duty(s, 'Omnibus Art. 5(1) NCII', '2027-01-01')).toBeNull();
    expect(await duty(s, 'Omnibus Art. 5(1) NCII', '2027-01-01', 'ADOPTED')).toMatchObject({
      applicability: 'BINDING', bindingFrom: '2026-12-02', textVersion: { key: 'digital-omnibus-ai-2026' }, otherBasis: { basis: 'IN_FORCE', applicability: null, bindingFrom: null },
    });
    expect(await duty(s, 'Omnibus Art. 5(1) CSAM', '2026-11-30', 'ADOPTED')).toMatchObject({ applicability: 'NOT_YET', bindingFrom: '2026-12-02' });
  });

  it('only an ADMIN records the publication, with clear errors; then IN_FORCE follows the amendment from its entry into force, for this organization only', async () => {
    const input = { amendment: 'digital-omnibus-ai-2026', ojReference: 'OJ L, 2026/1500, 20.7.2026', publishedOn: '2026-07-20' };
    const asEditor = await t.gql(PUBLISH, { input }, { token: tokens.editor });
    expect(asEditor.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(PUBLISH, { input: { ...input, amendment: 'no-such' } })).errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'amendment' });
    expect((await t.gql(PUBLISH, { input: { ...input, amendment: 'as-published' } })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amendment' });
    expect((await t.gql(PUBLISH, { input: { ...input, ojReference: '  ' } })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ojReference' });
    expect((await t.gql(PUBLISH, { input: { ...input, entryIntoForce: '2026-07-01' } })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'entryIntoForce' });
    expect((await t.gql(PUBLISH, { input: { ...input, publishedOn: '2999-01-01' } })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'publishedOn' });
    // Nothing recorded by the refused attempts.
    expect(await duty(s, 'Art. 26(1)', '2026-09-01')).toMatchObject({ applicability: 'BINDING', bindingFrom: '2026-08-02' });

    const d = await t.data(PUBLISH, { input });
    // "enters into force on the third day following publication": 20 July + 3 days.
    expect(d.recordAmendmentPublication).toEqual({ key: 'digital-omnibus-ai-2026', legalStatus: 'PUBLISHED', officialJournal: 'OJ L, 2026/1500, 20.7.2026',
      publishedOn: '2026-07-20', entryIntoForce: '2026-07-23', publication: { recordedBy: t.actor } });
    // Before its entry into force the published text is the law; from it on, the amended date.
    expect(await duty(s, 'Art. 26(1)', '2026-07-22')).toMatchObject({ applicability: 'NOT_YET', bindingFrom: '2026-08-02', textVersion: { key: 'as-published' } });
    expect(await duty(s, 'Art. 26(1)', '2026-09-01')).toMatchObject({
      applicability: 'NOT_YET', bindingFrom: '2027-12-02', textVersion: { key: 'digital-omnibus-ai-2026', legalStatus: 'PUBLISHED' }, otherBasis: null,
    });
    expect(await duty(s, 'Omnibus Art. 5(1) NCII', '2027-01-01')).toMatchObject({ applicability: 'BINDING', bindingFrom: '2026-12-02' });

    // The audit trail shows who did it, with the record's image.
    const trail = await t.data(`{ auditTrail(filter: { operation: "recordAmendmentPublication" }) { nodes { actor outcome after } } }`);
    const ok = trail.auditTrail.nodes.filter((n: any) => n.outcome === 'OK');
    expect(ok).toHaveLength(1);
    expect(ok[0].actor).toBe(t.actor);
    expect(Object.values(ok[0].after)).toEqual([expect.objectContaining({ table: 'amendment_publication', oj_reference: 'OJ L, 2026/1500, 20.7.2026', recorded_by: t.actor })]);

    // Another organization still reads the amendment as adopted, not published.
    const b = await t.gql(`{ euAiActTextVersions { key legalStatus } }`, undefined, { token: tokens.orgB });
    expect(b.data.euAiActTextVersions[1]).toEqual({ key: 'digital-omnibus-ai-2026', legalStatus: 'ADOPTED' });
  });
});

describe('obligationsMatrix', () => {
  it('makes the same number of SQL statements for 200 systems as for 2', async () => {
    const hub = await startTestHub();
    try {
      const MATRIX = `{ obligationsMatrix(asOf: "2026-09-01T00:00:00Z") { aiSystem { name } obligations { requirement { ref title } applicability bindingFrom status
        textVersion { key } decidedBy { fact answer } openQuestions { fact question } otherBasis { basis bindingFrom textVersion { key } } } } }`;
      const register = (i: number) => hub.data(REGISTER, { input: { name: `system ${String(i).padStart(3, '0')}`, euRoles: i % 2 ? ['DEPLOYER'] : ['PROVIDER', 'DEPLOYER'],
        euFacts: i % 3 ? DEPLOYER_FACTS : [{ fact: 'highRiskRoute', answer: 'YES', value: 'NONE' }, { fact: 'interactsWithPersons', answer: 'YES' }] } });
      for (let i = 0; i < 2; i++) await register(i);
      const two = await hub.gql(MATRIX);
      expect(two.errors).toBeUndefined();
      for (let i = 2; i < 200; i++) await register(i);
      const many = await hub.gql(MATRIX);
      expect(many.errors).toBeUndefined();
      expect(many.data.obligationsMatrix).toHaveLength(200);
      // The rows really differ by system: a provider of a chatbot gets Art. 50(1), a deployer of a 5(b) system Art. 27(1).
      const refsOf = (name: string) => many.data.obligationsMatrix.find((m: any) => m.aiSystem.name === name).obligations.map((o: any) => o.requirement.ref);
      expect(refsOf('system 000')).toContain('Art. 50(1)');
      expect(refsOf('system 001')).toContain('Art. 27(1)');
      expect(refsOf('system 001')).not.toContain('Art. 50(1)');
      expect(many.data.obligationsMatrix.reduce((n: number, m: any) => n + m.obligations.length, 0)).toBeGreaterThan(5000);
      expect(many.extensions?.sqlStatements).toBe(two.extensions?.sqlStatements);
    } finally {
      await hub.stop();
    }
  });
});
