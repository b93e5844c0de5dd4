import { TestHub, startTestHub, tokenFor } from '../harness/hub';
import { Role } from '../../src/modules/auth/role';
import { createServices } from '../../src/graphql/context';
import { withQueryScope } from '../../src/database/query-counter';
import { DutyEvents } from '../../src/modules/events/duty-events';

/**
 * obligation.binding (issue 16): the scheduler's pass compares the duties that bind each system now with
 * those it found before. Driven here directly, at chosen moments (the workers are off), so the dates the
 * Act names can be crossed.
 */
let t: TestHub;
let org: string;
let duties: DutyEvents;

beforeAll(async () => {
  t = await startTestHub();
  [{ id: org }] = await t.ds.query(`SELECT id FROM organization WHERE slug = 'test-org'`);
  const services = createServices(t.appDs);
  duties = new DutyEvents(t.appDs, services.euAct, services.aiSystem);
}, 60_000);
afterAll(() => t.stop());

const run = (at: string) => withQueryScope({ statements: 0, organizationId: org }, () => duties.run(org, new Date(at)));

interface Row { ref: string; ai_system_id: string; occurred_at: Date; data: any }
const announced = async (system: string): Promise<Row[]> => t.ds.query(
  `SELECT r.ref, e.ai_system_id, e.occurred_at, e.data FROM hub_event e JOIN requirement r ON r.id = e.requirement_id
   WHERE e.type = 'obligation.binding' AND e.ai_system_id = $1 ORDER BY r.position`, [system]);

/** The refs AiSystem.obligations answers BINDING for a system at a moment (the law in force). */
async function binding(system: string, at: string): Promise<string[]> {
  const d = await t.data(`query($s: ID!, $at: DateTime) { aiSystem(id: $s) { obligations(asOf: $at, applicability: [BINDING]) { requirement { ref } } } }`, { s: system, at });
  return d.aiSystem.obligations.map((o: { requirement: { ref: string } }) => o.requirement.ref).sort();
}

const REGISTER = `mutation($input: RegisterAiSystemInput!) { registerAiSystem(input: $input) { id } }`;
const HIGH_RISK_DEPLOYER = [
  { fact: 'highRiskRoute', answer: 'YES', value: 'ANNEX_III' }, { fact: 'annexIIIPoint', answer: 'YES', value: '5(b)' },
  { fact: 'art6_3Derogation', answer: 'NO' }, { fact: 'publicAuthority', answer: 'NO' }, { fact: 'publicLawBodyOrPublicService', answer: 'NO' },
  { fact: 'outOfScopeExclusion', answer: 'NO' },
];

it('announces each duty once when it begins to bind a system: a new system, changed facts, a date reached; the first pass only records', async () => {
  const before = (await t.data(REGISTER, { input: { name: 'Chat assistant', euRoles: ['DEPLOYER'], euFacts: [{ fact: 'highRiskRoute', answer: 'YES', value: 'NONE' }, { fact: 'outOfScopeExclusion', answer: 'NO' }] } })).registerAiSystem.id;
  // The organization's first pass: what binds is recorded, nothing announced (those duties bound long before).
  expect(await run('2026-06-01T12:00:00Z')).toBe(0);
  expect(await announced(before)).toEqual([]);
  const recorded = await t.ds.query(`SELECT count(*)::int AS n FROM ai_system_duty WHERE ai_system_id = $1`, [before]);
  expect(recorded[0].n).toBe((await binding(before, '2026-06-01T12:00:00Z')).length);
  // AI literacy binds every deployer from 2 February 2025 (Art. 4, Art. 113(a)).
  expect(await binding(before, '2026-06-01T12:00:00Z')).toContain('Art. 4');

  // A system registered after: every duty that binds it is new to it, dated at the pass (reason SYSTEM).
  const credit = (await t.data(REGISTER, { input: { name: 'Credit scoring', euRoles: ['DEPLOYER'], euFacts: HIGH_RISK_DEPLOYER } })).registerAiSystem.id;
  const june = await binding(credit, '2026-06-01T12:00:00Z');
  expect(june).toEqual(expect.arrayContaining(['Art. 4', 'Art. 5(1)(a)']));
  expect(await run('2026-06-01T12:00:00Z')).toBe(june.length);
  let rows = await announced(credit);
  expect(rows.map((r) => r.ref).sort()).toEqual(june);
  expect(rows.every((r) => r.data.reason === 'SYSTEM' && r.occurred_at.toISOString() === '2026-06-01T12:00:00.000Z')).toBe(true);
  const literacy = rows.find((r) => r.ref === 'Art. 4')!;
  expect(literacy.data).toMatchObject({ aiSystem: { id: credit, name: 'Credit scoring' }, requirement: { ref: 'Art. 4', title: 'AI literacy' },
    framework: { key: 'eu-ai-act' }, bindingFrom: '2025-02-02', reason: 'SYSTEM' });
  // Nothing twice.
  expect(await run('2026-06-01T13:00:00Z')).toBe(0);

  // The date comes: the high-risk deployer duties of Art. 26 bind from 2 August 2026 (Art. 113), announced
  // dated at that day's start, whenever the pass notices. The plain deployer gets what binds it from then too.
  const beforeJune = await binding(before, '2026-06-01T12:00:00Z');
  const beforeAugust = await binding(before, '2026-08-03T09:00:00Z');
  const august = await binding(credit, '2026-08-03T09:00:00Z');
  const added = august.filter((r) => !june.includes(r));
  expect(added).toContain('Art. 26(1)');
  expect(await run('2026-08-03T09:00:00Z')).toBe(added.length + beforeAugust.filter((r) => !beforeJune.includes(r)).length);
  rows = (await announced(credit)).filter((r) => added.includes(r.ref));
  expect(rows.map((r) => r.ref).sort()).toEqual(added);
  expect(rows.every((r) => r.data.reason === 'DATE')).toBe(true);
  const art26 = rows.find((r) => r.ref === 'Art. 26(1)')!;
  expect([art26.data.bindingFrom, art26.occurred_at.toISOString()]).toEqual(['2026-08-02', '2026-08-02T00:00:00.000Z']);

  // Facts change: the chat assistant turns out to be high-risk too; its Art. 26 duties bind it from now on.
  await t.data(`mutation($input: UpdateAiSystemInput!) { updateAiSystem(input: $input) { id } }`, { input: { id: before, euFacts: HIGH_RISK_DEPLOYER } });
  const known = (await announced(before)).map((r) => r.ref);
  const nowBinding = await binding(before, '2026-08-04T09:00:00Z');
  expect(await run('2026-08-04T09:00:00Z')).toBe(nowBinding.filter((r) => !beforeAugust.includes(r)).length);
  rows = (await announced(before)).filter((r) => !known.includes(r.ref));
  expect(rows.map((r) => r.ref).sort()).toEqual(nowBinding.filter((r) => !beforeAugust.includes(r)));
  expect(rows.map((r) => r.ref)).toContain('Art. 26(1)');
  expect(rows.every((r) => r.data.reason === 'SYSTEM' && r.occurred_at.toISOString() === '2026-08-04T09:00:00.000Z')).toBe(true);

  // Published, they are ANALYST's and above to receive (AiSystem.obligations is), not a VIEWER's.
  await t.events!.publish();
  const total = (await t.ds.query(`SELECT count(*)::int AS n FROM hub_event WHERE type = 'obligation.binding'`))[0].n;
  const page = await t.data(`{ events(types: [OBLIGATION_BINDING], first: 100) { totalCount nodes { type aiSystemId payload } } }`);
  expect(page.events.totalCount).toBe(total);
  expect(page.events.nodes.find((n: any) => n.payload.data.requirement.ref === 'Art. 26(1)' && n.aiSystemId === credit).payload.subject.aiSystemId).toBe(credit);
  const viewer = await tokenFor(t, 'test-org', Role.VIEWER, 'duty-viewer');
  const refused = await t.gql(`{ events(types: [OBLIGATION_BINDING]) { totalCount } }`, {}, { token: viewer });
  expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
});
