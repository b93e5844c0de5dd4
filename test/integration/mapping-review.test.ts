import { startTestHub, TestHub, tokenFor } from '../harness/hub';
import { Role } from '../../src/modules/auth/role';

/**
 * Reviewed changes to mapping sets through the API (issue 13, item 4): a proposal on the shipped
 * 27001 -> 42001 v2, its impact on coverage computed without applying anything, the decision by a
 * second EDITOR, the organization's overlay that results (and nothing for another organization), diffs
 * between set versions, refused input, rejection and withdrawal, and the next version of an own set.
 */
let t: TestHub;
let editor: string;
let editor2: string;
let analyst: string;
let viewer: string;
let integrator: string;
let admin: string;
let orgB: string;
beforeAll(async () => {
  t = await startTestHub();
  editor = await tokenFor(t, 'test-org', Role.EDITOR, 'grc-editor');
  editor2 = await tokenFor(t, 'test-org', Role.EDITOR, 'second-editor');
  analyst = await tokenFor(t, 'test-org', Role.ANALYST, 'analyst');
  viewer = await tokenFor(t, 'test-org', Role.VIEWER, 'viewer');
  integrator = await tokenFor(t, 'test-org', Role.INTEGRATOR, 'integrator');
  admin = await tokenFor(t, 'test-org', Role.ADMIN, 'admin');
  orgB = await tokenFor(t, 'org-b', Role.EDITOR, 'b');
});
afterAll(async () => {
  await t.stop();
});

/** The data of a call made with a token, or the test fails with its errors. */
async function as(token: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await t.gql(query, variables, { token });
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data;
}

async function evidenceOn(token: string, framework: string, ref: string, id: string) {
  await as(token, `mutation($i: UpsertEvidenceInput!) { upsertEvidence(input: $i) { evidence { id } } }`, { i: {
    sourceSystem: 'grc', externalId: id, title: `ISMS internal audit report ${id}`, kind: 'RECORD', status: 'ACCEPTED',
    effectiveAt: '2026-01-15T00:00:00Z', links: [{ framework, ref, coverage: 'FULL' }],
  } });
}

const SOURCES = `{ mappingSources { id key version revision versionLabel status inUse mappingCount shared base { id } supersedes { id } } }`;
async function sets(token: string): Promise<any[]> {
  return (await as(token, SOURCES)).mappingSources.filter((s: any) => s.key === 'iso27001-to-iso42001');
}

/** Every framework's status per requirement and its totals, as the coverage reports give them. */
async function reports(token: string): Promise<{ statuses: Record<string, string>; totals: Record<string, any> }> {
  const { frameworks } = await as(token, `{ frameworks { key } }`);
  const statuses: Record<string, string> = {};
  const totals: Record<string, any> = {};
  for (const { key } of frameworks) {
    let after: string | null = null;
    do {
      const d: any = await as(token, `query($f: String!, $after: String) { coverage(framework: $f) { totals { covered prefilled partial stale pending gap notApplicable assessable }
        requirements(first: 200, after: $after) { nodes { requirement { ref } status } pageInfo { hasNextPage endCursor } } } }`, { f: key, after });
      totals[key] = d.coverage.totals;
      for (const n of d.coverage.requirements.nodes) statuses[`${key} ${n.requirement.ref}`] = n.status;
      after = d.coverage.requirements.pageInfo.hasNextPage ? d.coverage.requirements.pageInfo.endCursor : null;
    } while (after);
  }
  return { statuses, totals };
}

const IMPACT = `query($id: ID!) { mappingChangeImpact(changeSetId: $id) { changedRequirements graphBefore { isDefault }
  frameworks { framework { key } before { covered prefilled partial stale pending gap notApplicable assessable }
    after { covered prefilled partial stale pending gap notApplicable assessable } changes { requirement { ref } before after } } } }`;
const PROPOSE = `mutation($i: ProposeMappingChangeInput!) { proposeMappingChange(input: $i) { changeSet { id status title proposedBy
  mappingSource { key versionLabel } changes { op sourceRef targetRef fields relationship strength } resultSource { id } } } }`;
const DECIDE = `mutation($i: DecideMappingChangeInput!) { decideMappingChange(input: $i) { changeSet { id status decidedBy decisionComment
  resultSource { id key versionLabel shared inUse } } graph { isDefault sets { key version } } } }`;
const DIFF = `query($from: ID!, $to: ID!) { mappingSetDiff(from: $from, to: $to) { from { versionLabel } to { versionLabel } unchanged
  added { sourceFramework sourceRef targetFramework targetRef relationship strength rationale }
  removed { sourceRef targetRef }
  changed { sourceRef targetRef fields before { relationship strength qualifiers { when process } } after { relationship strength qualifiers { when process } } } } }`;

let v1: string;
let v2: string;

describe('mappingSetDiff', () => {
  it('shipped v1 -> v2 of 27001 -> 42001: 13 rows EQUAL -> INTERSECTS_WITH with qualifiers, 4 strengths, A.5.33 -> 7.5.3 added', async () => {
    const found = await sets(viewer);
    v1 = found.find((s) => s.version === 1).id;
    v2 = found.find((s) => s.version === 2).id;
    // Catalog readers may compare versions: an INTEGRATOR too.
    const d = (await as(integrator, DIFF, { from: v1, to: v2 })).mappingSetDiff;
    expect([d.from.versionLabel, d.to.versionLabel]).toEqual(['1', '2']);
    // Counted by hand from seeds/mappings/iso27001_to_iso42001.json (79 rows), seeds/mappings/v2/iso27001_to_iso42001.json
    // (the same 79 pairs) and the iso27001_to_iso42001.json part of seeds/mappings/v2-hub-changes.json (1 add, 4 changes).
    expect(d.added).toEqual([{ sourceFramework: 'iso27001', sourceRef: 'A.5.33', targetFramework: 'iso42001', targetRef: '7.5.3', relationship: 'INTERSECTS_WITH', strength: 4, rationale: 'SEMANTIC' }]);
    expect(d.removed).toEqual([]);
    expect(d.unchanged).toBe(79 - 17);
    const qualified = d.changed.filter((c: any) => c.fields.includes('relationship'));
    expect(qualified.map((c: any) => `${c.sourceRef}->${c.targetRef}`).sort()).toEqual(
      ['10.1', '10.2', '6.3', '7.1', '7.2', '7.4', '7.5.1', '7.5.2', '7.5.3', '9.2.1', '9.2.2', '9.3.1', '9.3.3'].map((r) => `${r}->${r}`).sort(),
    );
    for (const c of qualified) {
      // v1 strengths were 9 or 10 (7.5.2, 7.5.3), v2 reads 7 unless the condition is declared; the note explains the qualifier.
      expect(c.fields).toEqual(['relationship', 'strength', 'note', 'qualifiers']);
      expect([c.before.relationship, c.before.qualifiers, c.after.relationship, c.after.strength]).toEqual(['EQUAL', [], 'INTERSECTS_WITH', 7]);
      expect(c.after.qualifiers[0].when).toBe('integratedManagementSystem');
    }
    const strengths = d.changed.filter((c: any) => !c.fields.includes('relationship'))
      .map((c: any) => [`${c.sourceRef}->${c.targetRef}`, c.fields, c.before.strength, c.after.strength]);
    expect(strengths).toEqual([
      ['4.3->4.3', ['strength'], 8, 7],
      ['8.1->8.1', ['strength'], 8, 7],
      ['A.8.15->A.6.2.8', ['strength'], 7, 6],
      ['A.8.16->A.6.2.6', ['strength'], 5, 4],
    ]);
  });

  it('an unknown or another organization\'s set is NOT_FOUND', async () => {
    const res = await t.gql(DIFF, { from: v1, to: '00000000-0000-4000-8000-00000000dead' }, { token: viewer });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'to' });
  });
});

describe('bad input', () => {
  it('names each refused item and writes nothing', async () => {
    const res = await t.gql(PROPOSE, { i: { mappingSourceId: v2, title: 'Several mistakes', changes: [
      { op: 'CHANGE', sourceRef: '9.2.2', targetRef: '9.2.2' },
      { op: 'ADD', sourceRef: '4.1', targetRef: '4.1', relationship: 'EQUAL' },
      { op: 'REMOVE', sourceRef: '9.2.2', targetRef: '99.9' },
      { op: 'CHANGE', sourceRef: '4.3', targetRef: '4.3', strength: 11 },
      { op: 'ADD', sourceRef: 'X.1', targetRef: '4.1', relationship: 'EQUAL' },
      { op: 'REMOVE', sourceRef: '4.1', targetRef: '10.2' },
      { op: 'CHANGE', sourceRef: '8.1', targetRef: '8.1', strength: 7 },
    ] } }, { token: analyst });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'changes[0]' });
    expect(res.errors?.[0].extensions?.problems.map((p: any) => p.field)).toEqual([
      'changes[0]', 'changes[1].targetRef', 'changes[2].targetRef', 'changes[3].strength', 'changes[4].sourceRef', 'changes[5].targetRef', 'changes[6]',
    ]);
    expect(res.errors?.[0].message).toContain('changes[2].targetRef: unknown requirement "99.9" in framework "iso42001"');
    expect(res.errors?.[0].message).toContain('changes[6]: CHANGE changes nothing');

    const superseded = await t.gql(PROPOSE, { i: { mappingSourceId: v1, title: 'On v1', changes: [{ op: 'CHANGE', sourceRef: '4.3', targetRef: '4.3', strength: 7 }] } }, { token: analyst });
    expect(superseded.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mappingSourceId' });
    expect(superseded.errors?.[0].message).toContain('SUPERSEDED');
    const noTitle = await t.gql(PROPOSE, { i: { mappingSourceId: v2, title: ' ', changes: [{ op: 'CHANGE', sourceRef: '4.3', targetRef: '4.3', strength: 6 }] } }, { token: analyst });
    expect(noTitle.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title' });
    // A VIEWER may not propose.
    const forbidden = await t.gql(PROPOSE, { i: { mappingSourceId: v2, title: 'x', changes: [{ op: 'CHANGE', sourceRef: '4.3', targetRef: '4.3', strength: 6 }] } }, { token: viewer });
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    expect((await as(analyst, `{ mappingChangeSets { id } }`)).mappingChangeSets).toEqual([]);
  });
});

describe('a change to a shipped set', () => {
  let id: string;
  let impact: any;
  let before: Awaited<ReturnType<typeof reports>>;

  it('is proposed; its impact is computed and nothing changes before approval', async () => {
    await evidenceOn(editor, 'iso27001', '9.2.2', 'audit-2026');
    await evidenceOn(orgB, 'iso27001', '9.2.2', 'audit-2026');
    before = await reports(analyst);
    expect(before.statuses['iso42001 9.2.2']).toBe('PARTIAL');

    const proposed = (await as(editor, PROPOSE, { i: { mappingSourceId: v2, title: 'One audit programme covers both systems', changes: [
      { op: 'CHANGE', sourceRef: '9.2.2', targetRef: '9.2.2', relationship: 'EQUAL', strength: 9 },
    ] } })).proposeMappingChange.changeSet;
    id = proposed.id;
    expect(proposed).toMatchObject({
      status: 'PROPOSED', proposedBy: expect.stringContaining('grc-editor'), mappingSource: { key: 'iso27001-to-iso42001', versionLabel: '2' },
      changes: [{ op: 'CHANGE', sourceRef: '9.2.2', targetRef: '9.2.2', fields: ['relationship', 'strength'], relationship: 'EQUAL', strength: 9 }],
      resultSource: null,
    });

    impact = (await as(analyst, IMPACT, { id })).mappingChangeImpact;
    // 27001 9.2.2 -> 42001 9.2.2 becomes a FULL path, so its valid FULL evidence pre-fills 42001 9.2.2; nothing else moves.
    expect(impact.graphBefore).toEqual({ isDefault: true });
    expect(impact.changedRequirements).toBe(1);
    expect(impact.frameworks.map((f: any) => [f.framework.key, f.changes])).toEqual([
      ['iso42001', [{ requirement: { ref: '9.2.2' }, before: 'PARTIAL', after: 'PREFILLED' }]],
    ]);
    const fw = impact.frameworks[0];
    expect(fw.before).toEqual(before.totals.iso42001);
    expect(fw.after).toEqual({ ...fw.before, partial: fw.before.partial - 1, prefilled: fw.before.prefilled + 1 });
    // The same through the change set's own field.
    const viaField = await as(analyst, `query($id: ID!) { mappingChangeSet(id: $id) { status impact { changedRequirements } } }`, { id });
    expect(viaField.mappingChangeSet).toEqual({ status: 'PROPOSED', impact: { changedRequirements: 1 } });

    // Nothing was applied: the same reports, the same sets, the default graph.
    expect(await reports(analyst)).toEqual(before);
    expect((await sets(analyst)).map((s) => s.versionLabel)).toEqual(['1', '2']);
    expect((await as(analyst, `{ mappingGraph { isDefault } }`)).mappingGraph.isDefault).toBe(true);
  });

  it('cannot be decided by its proposer, nor by an ANALYST', async () => {
    const own = await t.gql(DECIDE, { i: { id, approve: true, comment: 'Looks right to me' } }, { token: editor });
    expect(own.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(own.errors?.[0].message).toContain('the proposer cannot approve their own change');
    const analystDecides = await t.gql(DECIDE, { i: { id, approve: true, comment: 'ok' } }, { token: analyst });
    expect(analystDecides.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const noComment = await t.gql(DECIDE, { i: { id, approve: true, comment: '' } }, { token: editor2 });
    expect(noComment.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'comment' });
    expect((await as(analyst, `query($id: ID!) { mappingChangeSet(id: $id) { status } }`, { id })).mappingChangeSet.status).toBe('PROPOSED');
  });

  it('approved by a second EDITOR: an overlay 2+org.1 the reports read at once, exactly as the impact said', async () => {
    const decided = (await as(editor2, DECIDE, { i: { id, approve: true, comment: 'Audit programme checked: both standards are criteria.' } })).decideMappingChange;
    expect(decided.changeSet).toMatchObject({
      status: 'APPROVED', decidedBy: expect.stringContaining('second-editor'), decisionComment: 'Audit programme checked: both standards are criteria.',
      resultSource: { key: 'iso27001-to-iso42001', versionLabel: '2+org.1', shared: false, inUse: true },
    });
    expect(decided.graph.isDefault).toBe(false);
    expect(decided.graph.sets).toContainEqual({ key: 'iso27001-to-iso42001', version: 2 });

    // The reports now say what the impact said, requirement by requirement and in the totals.
    const after = await reports(analyst);
    const moved = Object.keys(after.statuses).filter((k) => after.statuses[k] !== before.statuses[k]);
    expect(moved.map((k) => [k, before.statuses[k], after.statuses[k]])).toEqual(
      impact.frameworks.flatMap((f: any) => f.changes.map((c: any) => [`${f.framework.key} ${c.requirement.ref}`, c.before, c.after])),
    );
    for (const f of impact.frameworks) expect(after.totals[f.framework.key]).toEqual(f.after);
    for (const key of Object.keys(before.totals).filter((k) => !impact.frameworks.some((f: any) => f.framework.key === k))) {
      expect(after.totals[key]).toEqual(before.totals[key]);
    }

    const mine = await sets(analyst);
    expect(mine.map((s) => [s.versionLabel, s.status, s.inUse, s.shared, s.mappingCount])).toEqual([
      ['1', 'SUPERSEDED', false, true, 79], ['2', 'DRAFT', false, true, 80], ['2+org.1', 'DRAFT', true, false, 80],
    ]);
    const overlay = mine[2];
    expect([overlay.base.id, overlay.supersedes.id]).toEqual([v2, v2]);

    // The diff from the shipped version to the overlay is exactly the approved change.
    const d = (await as(viewer, DIFF, { from: v2, to: overlay.id })).mappingSetDiff;
    expect(d).toEqual({
      from: { versionLabel: '2' }, to: { versionLabel: '2+org.1' }, unchanged: 79, added: [], removed: [],
      changed: [{
        sourceRef: '9.2.2', targetRef: '9.2.2', fields: ['relationship', 'strength'],
        before: { relationship: 'INTERSECTS_WITH', strength: 7, qualifiers: [{ when: 'integratedManagementSystem', process: 'internalAudit' }] },
        after: { relationship: 'EQUAL', strength: 9, qualifiers: [{ when: 'integratedManagementSystem', process: 'internalAudit' }] },
      }],
    });

    // Decided once only.
    const again = await t.gql(DECIDE, { i: { id, approve: false, comment: 'changed my mind' } }, { token: editor2 });
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('leaves the shipped set as it was for another organization', async () => {
    const theirs = await sets(orgB);
    expect(theirs.map((s) => [s.versionLabel, s.inUse])).toEqual([['1', false], ['2', true]]);
    const d = await as(orgB, `{ coverage(framework: "iso42001") { requirements(first: 200) { nodes { requirement { ref } status } } } }`);
    expect(d.coverage.requirements.nodes.find((n: any) => n.requirement.ref === '9.2.2').status).toBe('PARTIAL');
    const overlay = (await sets(analyst)).find((s) => s.versionLabel === '2+org.1');
    const hidden = await t.gql(DIFF, { from: v2, to: overlay.id }, { token: orgB });
    expect(hidden.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'to' });
    expect((await as(orgB, `{ mappingChangeSets { id } }`)).mappingChangeSets).toEqual([]);
    const other = await t.gql(`query($id: ID!) { mappingChangeSet(id: $id) { id } }`, { id }, { token: orgB });
    expect(other.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('is in the audit trail: proposal, refused decisions, approval, a second decision refused', async () => {
    const audit = await as(admin, `{ auditTrail(first: 100) { nodes { operation outcome actor touchedIds } } }`);
    const steps = audit.auditTrail.nodes.filter((n: any) => n.touchedIds.includes(id) && /MappingChange$/.test(n.operation))
      .map((n: any) => [n.operation, n.outcome, n.actor.replace(/ \(.*\)$/, '')]).reverse();
    expect(steps).toEqual([
      ['proposeMappingChange', 'OK', 'grc-editor'],
      ['decideMappingChange', 'FORBIDDEN', 'grc-editor'],
      ['decideMappingChange', 'FORBIDDEN', 'analyst'],
      ['decideMappingChange', 'BAD_USER_INPUT', 'second-editor'],
      ['decideMappingChange', 'OK', 'second-editor'],
      ['decideMappingChange', 'CONFLICT', 'second-editor'],
    ]);
  });
});

describe('rejection and withdrawal', () => {
  it('the shipped version the organization overlaid takes no further change; the overlay does', async () => {
    const refused = await t.gql(PROPOSE, { i: { mappingSourceId: v2, title: 'On the shipped rows', changes: [{ op: 'CHANGE', sourceRef: '4.3', targetRef: '4.3', strength: 6 }] } }, { token: analyst });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mappingSourceId' });
    expect(refused.errors?.[0].message).toContain('overlay 2+org.1');
  });

  it('a rejected change writes nothing but the decision', async () => {
    const overlay = (await sets(analyst)).find((s) => s.versionLabel === '2+org.1');
    const graphBefore = (await as(analyst, `{ mappingGraph { id } }`)).mappingGraph.id;
    const before = await reports(analyst);
    const cs = (await as(analyst, PROPOSE, { i: { mappingSourceId: overlay.id, title: 'Drop the records row', changes: [
      { op: 'REMOVE', sourceRef: 'A.5.33', targetRef: '7.5.3' },
      { op: 'ADD', sourceRef: '7.5.3', targetRef: '7.5.2', relationship: 'INTERSECTS_WITH', strength: 3, rationale: 'SEMANTIC', note: 'Control of documented information.' },
    ] } })).proposeMappingChange.changeSet;
    const rejected = (await as(editor, DECIDE, { i: { id: cs.id, approve: false, comment: 'A.5.33 is about record retention; keep it.' } })).decideMappingChange;
    expect(rejected).toMatchObject({ changeSet: { status: 'REJECTED', resultSource: null, decidedBy: expect.stringContaining('grc-editor') }, graph: null });
    expect((await sets(analyst)).map((s) => [s.versionLabel, s.inUse])).toEqual([['1', false], ['2', false], ['2+org.1', true]]);
    expect((await as(analyst, `{ mappingGraph { id } }`)).mappingGraph.id).toBe(graphBefore);
    expect(await reports(analyst)).toEqual(before);
    // A decided change set has no impact to compute.
    const late = await t.gql(IMPACT, { id: cs.id }, { token: analyst });
    expect(late.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('only the proposer withdraws, and only while PROPOSED', async () => {
    const overlay = (await sets(analyst)).find((s) => s.versionLabel === '2+org.1');
    // Impact asked for in the proposing mutation itself: computed in a savepoint that is rolled back, the proposal kept.
    const cs = (await as(analyst, `mutation($i: ProposeMappingChangeInput!) { proposeMappingChange(input: $i) { changeSet { id changes { fields note }
      impact { changedRequirements } } } }`, { i: { mappingSourceId: overlay.id, title: 'Clear a note', changes: [{ op: 'CHANGE', sourceRef: '4.3', targetRef: '4.3', note: null }] } })).proposeMappingChange.changeSet;
    expect(cs.changes).toEqual([{ fields: ['note'], note: null }]);
    expect(cs.impact).toEqual({ changedRequirements: 0 });
    expect((await sets(analyst)).map((s) => s.versionLabel)).toEqual(['1', '2', '2+org.1']);
    const WITHDRAW = `mutation($id: ID!) { withdrawMappingChange(input: { id: $id }) { changeSet { status } } }`;
    const notMine = await t.gql(WITHDRAW, { id: cs.id }, { token: editor });
    expect(notMine.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await as(analyst, WITHDRAW, { id: cs.id })).withdrawMappingChange.changeSet.status).toBe('WITHDRAWN');
    const decide = await t.gql(DECIDE, { i: { id: cs.id, approve: true, comment: 'too late' } }, { token: editor });
    expect(decide.errors?.[0].extensions?.code).toBe('CONFLICT');
    const list = await as(analyst, `{ all: mappingChangeSets { status } proposed: mappingChangeSets(status: [PROPOSED]) { id } }`);
    expect(list.all.map((c: any) => c.status)).toEqual(['WITHDRAWN', 'REJECTED', 'APPROVED']);
    expect(list.proposed).toEqual([]);
  });
});

describe('a change to an organization\'s own set', () => {
  it('approval creates its next version and supersedes the old one', async () => {
    const created = await as(editor, `mutation($i: CreateMappingSetInput!) { createMappingSet(input: $i) { mappingSource { id } } }`, { i: {
      key: 'own-27001-to-42001', name: 'Our crosswalk', sourceFramework: 'iso27001', targetFramework: 'iso42001',
      mappings: [{ sourceRef: 'A.5.1', targetRef: '5.2', relationship: 'INTERSECTS_WITH', strength: 5 }],
    } });
    const own = created.createMappingSet.mappingSource.id;
    const cs = (await as(analyst, PROPOSE, { i: { mappingSourceId: own, title: 'Add the AI policy control', changes: [
      { op: 'ADD', sourceRef: 'A.5.1', targetRef: 'A.2.2', relationship: 'INTERSECTS_WITH', strength: 6, qualifiers: [{ when: 'integratedManagementSystem', relationship: 'EQUAL', strength: 8 }] },
      { op: 'CHANGE', sourceRef: 'A.5.1', targetRef: '5.2', strength: null, rationale: 'SEMANTIC' },
    ] } })).proposeMappingChange.changeSet;
    const decided = (await as(editor, DECIDE, { i: { id: cs.id, approve: true, comment: 'Agreed.' } })).decideMappingChange;
    expect(decided.changeSet.resultSource).toMatchObject({ key: 'own-27001-to-42001', versionLabel: '2', shared: false, inUse: true });
    const versions = (await as(analyst, SOURCES)).mappingSources.filter((s: any) => s.key === 'own-27001-to-42001');
    expect(versions.map((s: any) => [s.versionLabel, s.status, s.inUse, s.supersedes?.id ?? null])).toEqual([
      ['1', 'SUPERSEDED', false, null], ['2', 'DRAFT', true, own],
    ]);
    const d = (await as(analyst, DIFF, { from: own, to: decided.changeSet.resultSource.id })).mappingSetDiff;
    expect(d.added).toEqual([{ sourceFramework: 'iso27001', sourceRef: 'A.5.1', targetFramework: 'iso42001', targetRef: 'A.2.2', relationship: 'INTERSECTS_WITH', strength: 6, rationale: null }]);
    expect(d.changed.map((c: any) => [c.sourceRef, c.targetRef, c.fields, c.before.strength, c.after.strength])).toEqual([['A.5.1', '5.2', ['strength', 'rationale'], 5, null]]);
    // The superseded version takes no more changes.
    const stale = await t.gql(PROPOSE, { i: { mappingSourceId: own, title: 'late', changes: [{ op: 'REMOVE', sourceRef: 'A.5.1', targetRef: '5.2' }] } }, { token: analyst });
    expect(stale.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mappingSourceId' });
  });
});
