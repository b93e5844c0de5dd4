import { startTestHub, TestHub, tokenFor } from '../harness/hub';
import { Role } from '../../src/modules/auth/role';

/**
 * Versioned mapping sets and conditional relationships through the API (issue 13): the shipped v2 of
 * 27001 -> 42001 supersedes v1, its 13 former EQUAL rows read INTERSECTS_WITH unless the organization
 * declares integratedManagementSystem for the row's process, and a report at an earlier asOf reads
 * the declaration then in force. Pins bring back an earlier version; other organizations are unaffected.
 */
let t: TestHub;
let editor: string;
let analyst: string;
let orgB: string;
beforeAll(async () => {
  t = await startTestHub();
  editor = await tokenFor(t, 'test-org', Role.EDITOR, 'grc-editor');
  analyst = await tokenFor(t, 'test-org', Role.ANALYST, 'analyst');
  orgB = await tokenFor(t, 'org-b', Role.EDITOR, 'b-editor');
});
afterAll(async () => {
  await t.stop();
});

const STATUS = `query($at: DateTime) { coverage(framework: "iso42001", asOf: $at) { requirements(first: 200) { nodes { requirement { ref } status
  inferred(first: 1) { path { coverage hops { relationship storedRelationship strength storedStrength qualifierApplied { when process relationship strength }
    source { key version } } } } } } } }`;
/** The data of a call made with a token, or the test fails with its errors. */
async function as(token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await t.gql(query, variables, { token });
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data;
}
const of = (d: any, ref: string) => d.coverage.requirements.nodes.find((n: any) => n.requirement.ref === ref);
const DECLARE = `mutation($i: DeclareConditionInput!) { declareOrganizationCondition(input: $i) { declarations { condition parameter holds declaredBy validTo }
  graph { isDefault conditions sets { key version } } } }`;

async function evidenceOn(token: string | undefined, framework: string, ref: string, id: string) {
  await as(token, `mutation($i: UpsertEvidenceInput!) { upsertEvidence(input: $i) { evidence { id } } }`, { i: {
    sourceSystem: 'grc', externalId: id, title: `ISMS internal audit report ${id}`, kind: 'RECORD', status: 'ACCEPTED',
    effectiveAt: '2026-01-15T00:00:00Z', links: [{ framework, ref, coverage: 'FULL' }],
  } });
}

describe('shipped mapping sets are versioned', () => {
  it('lists every version; the organization reads the latest that is not superseded', async () => {
    const d = await t.data(`{ mappingSources { key version versionLabel status inUse mappingCount supersedes { version } } mappingGraph { isDefault conditions sets { key version } } }`);
    const rows = d.mappingSources.map((s: any) => [s.key, s.version, s.status, s.inUse, s.supersedes?.version ?? null]);
    expect(rows).toEqual([
      ['eu-ai-act-to-iso27001', 1, 'DRAFT', true, null],
      ['eu-ai-act-to-iso42001', 1, 'SUPERSEDED', false, null],
      ['eu-ai-act-to-iso42001', 2, 'DRAFT', true, 1],
      ['eu-ai-act-to-nist-ai-rmf', 1, 'SUPERSEDED', false, null],
      ['eu-ai-act-to-nist-ai-rmf', 2, 'DRAFT', true, 1],
      ['iso27001-to-iso42001', 1, 'SUPERSEDED', false, null],
      ['iso27001-to-iso42001', 2, 'DRAFT', true, 1],
      ['nist-ai-rmf-to-iso42001', 1, 'COMPLETE', true, null],
    ]);
    expect(d.mappingGraph).toEqual({ isDefault: true, conditions: [], sets: [
      { key: 'eu-ai-act-to-iso27001', version: 1 }, { key: 'eu-ai-act-to-iso42001', version: 2 }, { key: 'eu-ai-act-to-nist-ai-rmf', version: 2 },
      { key: 'iso27001-to-iso42001', version: 2 }, { key: 'nist-ai-rmf-to-iso42001', version: 1 },
    ] });
    // v2 of 27001 -> 42001: 79 vendored rows, minus none, plus A.5.33 -> 7.5.3 (the hub's change); v1 keeps its 79.
    const counts = Object.fromEntries(d.mappingSources.map((s: any) => [`${s.key} v${s.versionLabel}`, s.mappingCount]));
    expect([counts['iso27001-to-iso42001 v1'], counts['iso27001-to-iso42001 v2']]).toEqual([79, 80]);
  });
});

describe('integratedManagementSystem', () => {
  it('27001 9.2.2 evidence makes 42001 9.2.2 PARTIAL; declared for internalAudit, PREFILLED with the qualifier in the path; asOf before still PARTIAL', async () => {
    await evidenceOn(undefined, 'iso27001', '9.2.2', 'audit-2026');
    await evidenceOn(orgB, 'iso27001', '9.2.2', 'audit-2026');
    const before = new Date();
    const partial = of(await t.data(STATUS), '9.2.2');
    expect(partial.status).toBe('PARTIAL');
    expect(partial.inferred[0].path).toEqual({ coverage: 'PARTIAL', hops: [{
      relationship: 'INTERSECTS_WITH', storedRelationship: 'INTERSECTS_WITH', strength: 7, storedStrength: 7, qualifierApplied: null,
      source: { key: 'iso27001-to-iso42001', version: 2 },
    }] });

    // An ANALYST may not declare; an unknown condition or process is refused by name.
    const forbidden = await t.gql(DECLARE, { i: { condition: 'integratedManagementSystem', holds: true } }, { token: analyst });
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const unknown = await t.gql(DECLARE, { i: { condition: 'integratedManagmentSystem', holds: true } }, { token: editor });
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'condition' });
    const badProcess = await t.gql(DECLARE, { i: { condition: 'integratedManagementSystem', parameters: ['internalAudit', 'audit'], holds: true } }, { token: editor });
    expect(badProcess.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'parameters[1]' });

    const declared = await as(editor, DECLARE, { i: { condition: 'integratedManagementSystem', parameters: ['internalAudit'], holds: true, note: 'One audit programme names ISO/IEC 27001 and 42001 as criteria.' } });
    expect(declared.declareOrganizationCondition.declarations).toEqual([
      { condition: 'integratedManagementSystem', parameter: 'internalAudit', holds: true, declaredBy: expect.stringContaining('grc-editor'), validTo: null },
    ]);
    expect(declared.declareOrganizationCondition.graph).toMatchObject({ isDefault: false, conditions: ['integratedManagementSystem:internalAudit'] });

    const now = await t.data(STATUS);
    expect(of(now, '9.2.2').status).toBe('PREFILLED');
    expect(of(now, '9.2.2').inferred[0].path).toEqual({ coverage: 'FULL', hops: [{
      relationship: 'EQUAL', storedRelationship: 'INTERSECTS_WITH', strength: 9, storedStrength: 7,
      qualifierApplied: { when: 'integratedManagementSystem', process: 'internalAudit', relationship: 'EQUAL', strength: 9 },
      source: { key: 'iso27001-to-iso42001', version: 2 },
    }] });
    // Only the internal-audit rows changed: management review (9.3.x) has no evidence and no declaration.
    expect(of(now, '9.3.1').status).toBe('GAP');

    // A report at a date before the declaration reads the graph then in force.
    expect(of(await t.data(STATUS, { at: before.toISOString() }), '9.2.2').status).toBe('PARTIAL');
    // Another organization with the same evidence is unaffected.
    expect(of(await as(orgB, STATUS, {}), '9.2.2').status).toBe('PARTIAL');

    const withdrawn = new Date();
    await as(editor, DECLARE, { i: { condition: 'integratedManagementSystem', parameters: ['internalAudit'], holds: false, note: 'Separate AIMS audit from Q3.' } });
    expect(of(await t.data(STATUS), '9.2.2').status).toBe('PARTIAL');
    expect(of(await t.data(STATUS, { at: withdrawn.toISOString() }), '9.2.2').status).toBe('PREFILLED');

    const history = await t.data(`{ organizationConditions(history: true) { parameter holds endedBy validTo } now: organizationConditions { parameter holds } }`);
    expect(history.organizationConditions.map((c: any) => [c.parameter, c.holds, c.validTo === null, c.endedBy?.includes('grc-editor') ?? null])).toEqual([
      ['internalAudit', false, true, null], ['internalAudit', true, false, true],
    ]);
    expect(history.now).toEqual([{ parameter: 'internalAudit', holds: false }]);
    // Every step is in the audit trail.
    const audit = await as(await tokenFor(t, 'test-org', Role.ADMIN, 'admin'), `{ auditTrail(first: 50) { nodes { operation outcome } } }`, {});
    expect(audit.auditTrail.nodes.filter((n: any) => n.operation === 'declareOrganizationCondition' && n.outcome === 'OK')).toHaveLength(2);
  });

  it('a declaration without processes covers all 13 qualified rows', async () => {
    await evidenceOn(undefined, 'iso27001', '7.5.3', 'doc-control');
    expect(of(await t.data(STATUS), '7.5.3').status).toBe('PARTIAL');
    await as(editor, DECLARE, { i: { condition: 'integratedManagementSystem', holds: true } });
    const d = await t.data(STATUS);
    expect([of(d, '7.5.3').status, of(d, '9.2.2').status]).toEqual(['PREFILLED', 'PREFILLED']);
    expect(of(d, '7.5.3').inferred[0].path.hops[0].qualifierApplied).toEqual({ when: 'integratedManagementSystem', process: 'documentedInformation', relationship: 'EQUAL', strength: 10 });
    const reuse = await t.data(`{ reusePotential(from: "iso27001", to: "iso42001", maxDepth: 1) { totals { full partial } } }`);
    expect(reuse.reusePotential.totals.full).toBe(13);
    await as(editor, DECLARE, { i: { condition: 'integratedManagementSystem', holds: false } });
    const after = await t.data(`{ reusePotential(from: "iso27001", to: "iso42001", maxDepth: 1) { totals { full } } }`);
    expect(after.reusePotential.totals.full).toBe(0);
  });
});

describe('pins', () => {
  it('an organization can read v1 again (its unconditional EQUAL) and go back to the latest', async () => {
    // Before it pins: what reading v1 would change. The evidence on 27001 9.2.2 and 7.5.3 would pre-fill their 42001
    // counterparts through v1's unconditional EQUAL; nothing else this organization holds reaches a row v1 and v2 read differently.
    const impact = await as(editor, `{ mappingVersionImpact(key: "iso27001-to-iso42001", version: 1) { changedRequirements
      frameworks { framework { key } changes { requirement { ref } before after } } } }`);
    expect(impact.mappingVersionImpact).toEqual({ changedRequirements: 2, frameworks: [{ framework: { key: 'iso42001' }, changes: [
      { requirement: { ref: '7.5.3' }, before: 'PARTIAL', after: 'PREFILLED' }, { requirement: { ref: '9.2.2' }, before: 'PARTIAL', after: 'PREFILLED' },
    ] }] });
    expect((await as(editor, `{ mappingGraph { isDefault } }`)).mappingGraph.isDefault).toBe(true);
    const bad = await t.gql(`mutation { pinMappingSet(input: { key: "iso27001-to-iso42001", version: 7 }) { id } }`, {}, { token: editor });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'version' });
    const pinned = await as(editor, `mutation { pinMappingSet(input: { key: "iso27001-to-iso42001", version: 1 }) { isDefault sets { key version } } }`, {});
    expect(pinned.pinMappingSet.sets).toContainEqual({ key: 'iso27001-to-iso42001', version: 1 });
    const d = await t.data(STATUS);
    expect(of(d, '9.2.2').status).toBe('PREFILLED');
    expect(of(d, '9.2.2').inferred[0].path.hops[0]).toMatchObject({ relationship: 'EQUAL', storedRelationship: 'EQUAL', qualifierApplied: null, source: { key: 'iso27001-to-iso42001', version: 1 } });
    const unpinned = await as(editor, `mutation { pinMappingSet(input: { key: "iso27001-to-iso42001" }) { isDefault } }`, {});
    expect(unpinned.pinMappingSet.isDefault).toBe(true);
    expect(of(await t.data(STATUS), '9.2.2').status).toBe('PARTIAL');
  });
});
