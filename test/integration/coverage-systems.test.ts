import { startTestHub, TestHub } from '../harness/hub';
import { withQueryScope } from '../../src/database/query-counter';
import { CoverageScope, CoverageService, StatusRow } from '../../src/modules/coverage/coverage.service';

/**
 * CoverageService.statusesForSystems gives, in one statement, what statuses() gives for each AI system
 * on its own. The scenario holds evidence of the organization and of several systems in every state,
 * links that reach the EU AI Act only through mappings, rejected pre-fills and a NOT_APPLICABLE
 * decision, and is read now and at a moment in the past (rollup windows closed, so recounted).
 */
let t: TestHub;
let org: string;
/** The mapping graph the organization reads (its declared integrated management system). */
let graphId: string;
let coverage: CoverageService;
const systems: string[] = [];
const fw: Record<string, string> = {};
const day = 86_400_000;

beforeAll(async () => {
  t = await startTestHub();
  coverage = new CoverageService(t.appDs);
  for (let i = 0; i < 20; i++) {
    const d = await t.data(`mutation($input: RegisterAiSystemInput!) { registerAiSystem(input: $input) { id } }`, {
      input: { name: `System ${i}`, intendedPurpose: 'test', euRoles: ['DEPLOYER'], riskClass: 'LIMITED_RISK', oversightModel: 'HUMAN_ON_THE_LOOP', lifecycleStage: 'DESIGN' },
    });
    systems.push(d.registerAiSystem.id);
  }
  [{ org }] = await t.ds.query(`SELECT organization_id AS org FROM ai_system WHERE id = $1`, [systems[0]]);
  for (const f of await t.ds.query(`SELECT id, key FROM framework`)) fw[f.key] = f.id;
  // One integrated management system for every process: the qualified 27001 -> 42001 rows read EQUAL, so there are full paths (pre-fills).
  await t.data(`mutation { declareOrganizationCondition(input: { condition: "integratedManagementSystem", holds: true }) { graph { id } } }`);
  [{ id: graphId }] = await t.ds.query(`SELECT id FROM mapping_graph WHERE organization_id = $1 AND valid_to IS NULL`, [org]);
});
afterAll(async () => {
  await t.stop();
});

/**
 * Runs `fn` as a request of the organization would (row-level security, statement counter). Outside a
 * request's transaction, a statement that needs the organization runs in a short transaction of its own:
 * START TRANSACTION with the settings, the statement, COMMIT, three statements for one query.
 */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const scope = { statements: 0, organizationId: org };
  const result = await withQueryScope(scope, fn);
  return { result, statements: scope.statements };
}

const scopeAt = (asOf: Date, maxDepth = 2): Omit<CoverageScope, 'aiSystemId'> => ({ organizationId: org, asOf, maxDepth, graph: { id: graphId, organizationId: org, sourceIds: [], conditions: [], validFrom: new Date(0) } });
const plain = (rows: StatusRow[]) => rows.map((r) => ({ id: r.requirement.id, ref: r.requirement.ref, status: r.status }));

/** statuses() once per system, the reference. */
async function oneByOne(scope: Omit<CoverageScope, 'aiSystemId'>, frameworkId: string, ids: string[]): Promise<Record<string, ReturnType<typeof plain>>> {
  const out: Record<string, ReturnType<typeof plain>> = {};
  for (const id of ids) out[id] = plain((await counted(() => coverage.statuses({ ...scope, aiSystemId: id }, frameworkId))).result);
  return out;
}

async function together(scope: Omit<CoverageScope, 'aiSystemId'>, frameworkId: string, ids: string[], requirementIds?: string[]) {
  const { result, statements } = await counted(() => coverage.statusesForSystems(scope, frameworkId, ids, requirementIds ? { requirementIds } : {}));
  return { rows: Object.fromEntries([...result].map(([id, rows]) => [id, plain(rows)])), statements, result };
}

const statusIn = (rows: ReturnType<typeof plain>, id: string) => rows.find((r) => r.id === id)?.status;

const BULK = `mutation($items: [UpsertEvidenceInput!]!) { bulkUpsertEvidence(input: { items: $items }) { created failed results { evidence { id } } } }`;
const REJECT = `mutation($f: String!, $r: String!, $e: ID!) { rejectPrefill(input: { framework: $f, ref: $r, evidenceId: $e, reason: "not for this system" }) { id } }`;

interface Req { id: string; ref: string; key: string }

it('by hand: evidence scoped to one system covers it and leaves the other at GAP; a rejected pre-fill falls back', async () => {
  const [a, b] = systems;
  // X: an EU AI Act requirement that no mapping reaches, so only links on it count
  const [x]: Req[] = await t.ds.query(
    `SELECT r.id, r.ref FROM requirement r WHERE r.framework_id = $1 AND r.assessable
       AND NOT EXISTS (SELECT 1 FROM mapping_closure c WHERE c.to_requirement_id = r.id)
       AND NOT EXISTS (SELECT 1 FROM evidence_link l WHERE l.requirement_id = r.id)
     ORDER BY r.position LIMIT 1`, [fw['eu-ai-act']]);
  // S -> T: an ISO/IEC 42001 requirement that reaches an EU AI Act requirement within two mappings (no
  // path into the EU AI Act is full, so valid full evidence on S makes T PARTIAL), where nothing the
  // registered systems already hold reaches T
  const [st]: { s_id: string; s_ref: string; t_id: string; t_ref: string }[] = await t.ds.query(
    `SELECT s.id AS s_id, s.ref AS s_ref, tg.id AS t_id, tg.ref AS t_ref
     FROM mapping_closure c JOIN requirement s ON s.id = c.from_requirement_id JOIN requirement tg ON tg.id = c.to_requirement_id
     WHERE c.graph_id = '${graphId}' AND c.any_depth <= 2 AND s.framework_id = $1 AND tg.framework_id = $2 AND tg.assessable AND tg.id <> $3
       AND NOT EXISTS (SELECT 1 FROM evidence_link l WHERE l.requirement_id = tg.id)
       AND NOT EXISTS (SELECT 1 FROM mapping_closure c2 JOIN evidence_link l ON l.requirement_id = c2.from_requirement_id
                       WHERE c2.to_requirement_id = tg.id AND c2.scope_id IS NULL AND c2.any_depth <= 2)
     ORDER BY tg.position, s.position LIMIT 1`, [fw['iso42001'], fw['eu-ai-act'], x.id]);
  expect(st).toBeDefined();

  const d = await t.data(BULK, { items: [
    { sourceSystem: 'hand', externalId: 'a-x', title: 'A on X', kind: 'RECORD', status: 'ACCEPTED', effectiveAt: '2025-01-01T00:00:00Z', aiSystemId: a,
      links: [{ framework: 'eu-ai-act', ref: x.ref, coverage: 'FULL' }] },
    { sourceSystem: 'hand', externalId: 'b-s', title: 'B on S', kind: 'RECORD', status: 'ACCEPTED', effectiveAt: '2025-01-01T00:00:00Z', aiSystemId: b,
      links: [{ framework: 'iso42001', ref: st.s_ref, coverage: 'FULL' }] },
  ] });
  expect(d.bulkUpsertEvidence).toMatchObject({ created: 2, failed: 0 });
  const bEvidence = d.bulkUpsertEvidence.results[1].evidence.id;

  const now = scopeAt(new Date(Date.now() + 1000));
  let got = await together(now, fw['eu-ai-act'], [a, b]);
  expect(got.statements).toBe(3);
  expect([statusIn(got.rows[a], x.id), statusIn(got.rows[b], x.id)]).toEqual(['COVERED', 'GAP']);
  expect([statusIn(got.rows[a], st.t_id), statusIn(got.rows[b], st.t_id)]).toEqual(['GAP', 'PARTIAL']);
  expect(got.rows).toEqual(await oneByOne(now, fw['eu-ai-act'], [a, b]));

  // B's evidence rejected as a pre-fill of T: nothing else reaches T for B
  await t.data(REJECT, { f: 'eu-ai-act', r: st.t_ref, e: bEvidence });
  got = await together(now, fw['eu-ai-act'], [a, b]);
  expect([statusIn(got.rows[a], st.t_id), statusIn(got.rows[b], st.t_id)]).toEqual(['GAP', 'GAP']);
  expect(got.rows).toEqual(await oneByOne(now, fw['eu-ai-act'], [a, b]));
});

it('equals statuses() per system, for every system and requirement, in one statement for 2 or 20 systems', async () => {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const eu: Req[] = await t.ds.query(`SELECT r.id, r.ref, 'eu-ai-act' AS key FROM requirement r WHERE r.framework_id = $1 AND r.assessable ORDER BY r.position`, [fw['eu-ai-act']]);
  // requirements of the other frameworks that reach the EU AI Act through the closure (no path into it is
  // full), and some that reach ISO/IEC 42001 over a full path (pre-fills)
  const sources: Req[] = await t.ds.query(
    `SELECT s.id, s.ref, f.key FROM requirement s JOIN framework f ON f.id = s.framework_id
     WHERE s.framework_id <> $1 AND EXISTS (SELECT 1 FROM mapping_closure c JOIN requirement tg ON tg.id = c.to_requirement_id
       WHERE c.from_requirement_id = s.id AND c.graph_id = '${graphId}' AND c.any_depth <= 2 AND tg.framework_id = $1)
     ORDER BY f.key, s.position`, [fw['eu-ai-act']]);
  const full: Req[] = await t.ds.query(
    `SELECT s.id, s.ref, f.key FROM requirement s JOIN framework f ON f.id = s.framework_id
     WHERE EXISTS (SELECT 1 FROM mapping_closure c JOIN requirement tg ON tg.id = c.to_requirement_id
       WHERE c.from_requirement_id = s.id AND c.graph_id = '${graphId}' AND c.full_depth <= 2 AND tg.framework_id = $1 AND tg.assessable)
     ORDER BY f.key, s.position`, [fw['iso42001']]);
  expect([sources.length > 10, full.length > 10]).toEqual([true, true]);
  const direct = eu.filter((_, i) => i % 7 === 0);
  const owners = [null, null, null, systems[0], systems[1], systems[2], systems[3], systems[7]];
  const item = (i: number) => {
    const effective = Date.now() - Math.floor(random() * 400) * day + (random() < 0.1 ? 30 * day : 0);
    const links = new Map<string, { framework: string; ref: string; coverage: string }>();
    for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
      const r = pick(pick([direct, direct, sources, full]));
      links.set(r.id, { framework: r.key, ref: r.ref, coverage: random() < 0.6 ? 'FULL' : 'PARTIAL' });
    }
    return {
      sourceSystem: 'systems', externalId: `s-${i}`, title: `item ${i}`, kind: 'RECORD', effectiveAt: new Date(effective).toISOString(),
      // a third expired (stale), a third open-ended, a third still valid
      validUntil: pick([null, new Date(effective + day).toISOString(), new Date(Date.now() + 100 * day).toISOString()]),
      status: pick(['DRAFT', 'IN_REVIEW', 'ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'REJECTED']),
      aiSystemId: pick(owners),
      links: [...links.values()],
    };
  };
  const first = await t.data(BULK, { items: Array.from({ length: 120 }, (_, i) => item(i)) });
  expect(first.bulkUpsertEvidence).toMatchObject({ created: 120, failed: 0 });
  const ids: string[] = first.bulkUpsertEvidence.results.map((r: any) => r.evidence.id);

  // rejected pre-fills: evidence of the organization and of systems, on targets it reaches through mappings
  const reachable: { target_ref: string; evidence_id: string; ai_system_id: string | null }[] = await t.ds.query(
    `SELECT DISTINCT tg.ref AS target_ref, e.external_id, e.id AS evidence_id, e.ai_system_id
     FROM evidence e JOIN evidence_link l ON l.evidence_id = e.id
     JOIN mapping_closure c ON c.from_requirement_id = l.requirement_id AND c.graph_id = '${graphId}' AND c.any_depth <= 2
     JOIN requirement tg ON tg.id = c.to_requirement_id AND tg.framework_id = $1 AND tg.assessable
     WHERE e.source_system = 'systems' AND e.status = 'ACCEPTED' ORDER BY 1, 2`, [fw['eu-ai-act']]);
  const rejections = [...reachable.filter((r) => r.ai_system_id === null).slice(0, 4), ...reachable.filter((r) => r.ai_system_id !== null).slice(0, 8)];
  expect(new Set(rejections.map((r) => r.ai_system_id)).size).toBeGreaterThan(2);
  for (const r of rejections) await t.data(REJECT, { f: 'eu-ai-act', r: r.target_ref, e: r.evidence_id });
  // NOT_APPLICABLE on an EU AI Act requirement that holds evidence
  const [evidenced] = await t.ds.query(`SELECT r.ref FROM requirement r WHERE r.framework_id = $1 AND EXISTS (SELECT 1 FROM evidence_link l WHERE l.requirement_id = r.id) ORDER BY r.position LIMIT 1`, [fw['eu-ai-act']]);
  await t.data(`mutation($r: String!) { setApplicability(input: { framework: "eu-ai-act", ref: $r, applicability: NOT_APPLICABLE, justification: "test" }) { id } }`, { r: evidenced.ref });

  // a moment in the past: later writes leave rows whose window starts after it, read by recounting
  await new Promise((r) => setTimeout(r, 50));
  const past = new Date();
  await new Promise((r) => setTimeout(r, 50));
  const second = await t.data(BULK, { items: Array.from({ length: 40 }, (_, i) => item(200 + i)) });
  expect(second.bulkUpsertEvidence).toMatchObject({ created: 40, failed: 0 });
  for (const [i, id] of ids.slice(0, 10).entries()) {
    await t.data(`mutation($id: ID!, $s: EvidenceStatus!) { reviewEvidence(input: { evidenceId: $id, status: $s }) { evidence { id } } }`, { id, s: i % 2 ? 'ACCEPTED' : 'REJECTED' });
  }
  const ended: { evidence_id: string; key: string; ref: string }[] = await t.ds.query(
    `SELECT l.evidence_id, f.key, r.ref FROM evidence_link l JOIN requirement r ON r.id = l.requirement_id JOIN framework f ON f.id = r.framework_id
     JOIN evidence e ON e.id = l.evidence_id WHERE e.source_system = 'systems' AND l.unlinked_at IS NULL ORDER BY e.external_id, f.key, r.ref LIMIT 10`);
  for (const l of ended) {
    await t.data(`mutation($e: ID!, $f: String!, $r: String!) { unlinkEvidence(input: { evidenceId: $e, framework: $f, ref: $r }) { link { id } } }`, { e: l.evidence_id, f: l.key, r: l.ref });
  }
  const [{ closed }] = await t.ds.query(`SELECT count(*)::int AS closed FROM evidence_rollup WHERE organization_id = $1 AND NOT ($2 >= fresh_from AND $2 < fresh_until)`, [org, past]);
  expect(closed).toBeGreaterThan(0);

  // every registered system, and an id of no system (organization-wide evidence only)
  const all = [...systems, '00000000-0000-4000-8000-000000000000'];
  const now = new Date(Date.now() + 1000);
  const seen = new Set<string>();
  for (const [asOf, maxDepth] of [[now, 2], [past, 2], [now, 3]] as const) {
    for (const key of ['eu-ai-act', 'iso42001']) {
      const scope = scopeAt(asOf, maxDepth);
      const expected = await oneByOne(scope, fw[key], all);
      const got = await together(scope, fw[key], all);
      expect(got.statements).toBe(3);
      expect(Object.keys(got.rows)).toEqual(all);
      expect(got.rows).toEqual(expected);
      for (const rows of Object.values(expected)) for (const r of rows) seen.add(r.status);
      if (key === 'eu-ai-act' && asOf === now) {
        // systems really differ, and the past differs from now, or agreement proves little
        expect(new Set(Object.values(expected).map((rows) => JSON.stringify(rows))).size).toBeGreaterThan(4);
        const then = await oneByOne(scopeAt(past, maxDepth), fw[key], all);
        expect(then).not.toEqual(expected);
      }
    }
  }
  expect([...seen].sort()).toEqual(['COVERED', 'GAP', 'NOT_APPLICABLE', 'PARTIAL', 'PENDING', 'PREFILLED', 'STALE']);

  // a subset of requirements: the same rows, filtered; ids outside the framework give none
  const subset = [...eu.filter((_, i) => i % 3 === 0).map((r) => r.id), sources[0].id];
  const scope = scopeAt(now);
  const expected = await oneByOne(scope, fw['eu-ai-act'], all);
  const got = await together(scope, fw['eu-ai-act'], all, subset);
  expect(got.statements).toBe(3);
  for (const id of all) expect(got.rows[id]).toEqual(expected[id].filter((r) => subset.includes(r.id)));

  // the number of statements does not depend on the number of systems; no system, no statement
  expect((await together(scope, fw['eu-ai-act'], systems.slice(0, 2))).statements).toBe(3);
  expect((await together(scope, fw['eu-ai-act'], systems)).statements).toBe(3);
  const none = await together(scope, fw['eu-ai-act'], []);
  expect([none.statements, none.result.size]).toEqual([0, 0]);
  const empty = await together(scope, fw['eu-ai-act'], systems.slice(0, 2), []);
  expect([empty.statements, Object.values(empty.rows)]).toEqual([0, [[], []]]);
  // a system named twice is reported once
  const twice = await together(scope, fw['eu-ai-act'], [systems[0], systems[0]]);
  expect(twice.rows).toEqual({ [systems[0]]: expected[systems[0]] });
});
