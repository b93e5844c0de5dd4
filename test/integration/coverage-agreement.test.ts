import { Qualifier, relationshipInForce } from '../../src/modules/mapping/mapping-qualifier.rules';
import { startTestHub, TestHub } from '../harness/hub';
import { seededRandom } from '../harness/random';
import { CoverageStatus, Contribution, coverageStatus, evidenceState, isLinkActive } from '../../src/modules/coverage/coverage.rules';
import { EvidenceStatus, LinkCoverage } from '../../src/modules/evidence/evidence.enums';
import { MappingDirection, Relationship } from '../../src/modules/mapping/mapping.enums';
import { Hop, enumeratePaths, readFrom } from '../../src/modules/mapping/mapping-path.rules';

/**
 * The SQL reports and the pure rules must agree. A seeded random scenario (a few hundred evidence
 * items in every state, links on every framework including grouping nodes and points, ended links,
 * NOT_APPLICABLE decisions and rejected pre-fills, and conditional relationships that the organization declared
 * for some processes) is read back through GraphQL and recomputed here from the raw rows with coverage.rules,
 * the qualifier rule and the path enumerator, without the closure table.
 */
let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

interface Req { id: string; ref: string; key: string; framework_id: string; assessable: boolean }

it('coverage from SQL equals coverage from the pure rules on a randomized scenario', async () => {
  const random = seededRandom(20261127);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  // Conditional relationships in play: the organization runs one process for the ISMS and the AIMS for four of
  // the nine processes, so those qualified 27001 -> 42001 rows read EQUAL (pre-fills) and the others as stored.
  const declared = ['competence', 'documentedInformation', 'internalAudit', 'managementReview'];
  await t.data(`mutation($p: [String!]) { declareOrganizationCondition(input: { condition: "integratedManagementSystem", parameters: $p, holds: true }) { graph { id } } }`, { p: declared });
  const reqs: Req[] = await t.ds.query(`SELECT r.id, r.ref, f.key, r.framework_id, r.assessable FROM requirement r JOIN framework f ON f.id = r.framework_id`);
  const mapped: Req[] = await t.ds.query(`SELECT DISTINCT r.id, r.ref, f.key, r.framework_id, r.assessable FROM requirement r JOIN framework f ON f.id = r.framework_id
    JOIN mapping m ON m.source_requirement_id = r.id OR m.target_requirement_id = r.id`);
  const assessable = reqs.filter((r) => r.assessable);
  const day = 86_400_000;
  const now = Date.now();
  const statuses = ['DRAFT', 'IN_REVIEW', 'ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'REJECTED'];

  const items = Array.from({ length: 300 }, (_, i) => {
    const effective = now - Math.floor(random() * 500) * day + (random() < 0.1 ? 20 * day : 0);
    const links = new Map<string, { framework: string; ref: string; coverage: string }>();
    const n = 1 + Math.floor(random() * 2);
    for (let k = 0; k < n; k++) {
      // a quarter on mapped requirements: enough inference, sparse enough that rejections decide statuses
      const r = random() < 0.25 ? pick(mapped) : pick(reqs);
      links.set(r.id, { framework: r.key, ref: r.ref, coverage: random() < 0.7 ? 'FULL' : 'PARTIAL' });
    }
    return {
      sourceSystem: 'random', externalId: `e-${i}`, title: `evidence ${i}`, kind: 'RECORD',
      effectiveAt: new Date(effective).toISOString(),
      validUntil: random() < 0.5 ? null : new Date(effective + (1 + Math.floor(random() * 500)) * day).toISOString(),
      status: pick(statuses),
      links: [...links.values()],
    };
  });
  const bulk = await t.data(`mutation($items: [UpsertEvidenceInput!]!) { bulkUpsertEvidence(input: { items: $items }) { created failed results { evidence { id } } } }`, { items });
  expect(bulk.bulkUpsertEvidence).toMatchObject({ created: 300, failed: 0 });
  const evidenceIds: string[] = bulk.bulkUpsertEvidence.results.map((r: any) => r.evidence.id);

  const links: { evidence_id: string; requirement_id: string }[] = await t.ds.query(`SELECT evidence_id, requirement_id FROM evidence_link`);
  for (const l of links.filter(() => random() < 0.1)) {
    const r = reqs.find((x) => x.id === l.requirement_id)!;
    await t.data(`mutation($e: ID!, $f: String!, $r: String!) { unlinkEvidence(input: { evidenceId: $e, framework: $f, ref: $r }) { link { id } } }`, { e: l.evidence_id, f: r.key, r: r.ref });
  }
  for (let i = 0; i < 12; i++) {
    const r = pick(assessable);
    await t.data(`mutation($f: String!, $r: String!) { setApplicability(input: { framework: $f, ref: $r, applicability: NOT_APPLICABLE, justification: "random" }) { id } }`, { f: r.key, r: r.ref });
  }
  // --- the pure side, from raw rows ---
  // Two minutes ahead: after every link above and every rejection below (a rejection counts from when it is made).
  const asOf = new Date(Date.now() + 120_000);
  const evidence = new Map<string, { status: EvidenceStatus; effectiveAt: Date; validUntil: Date | null }>(
    (await t.ds.query(`SELECT id, status, effective_at, valid_until FROM evidence`)).map((e: any) => [e.id, { status: e.status, effectiveAt: e.effective_at, validUntil: e.valid_until }]),
  );
  const allLinks: { evidence_id: string; requirement_id: string; coverage: LinkCoverage; linked_at: Date; unlinked_at: Date | null }[] =
    await t.ds.query(`SELECT evidence_id, requirement_id, coverage, linked_at, unlinked_at FROM evidence_link`);
  const notApplicable = new Set((await t.ds.query(`SELECT requirement_id FROM applicability_decision WHERE superseded_at IS NULL AND applicability = 'NOT_APPLICABLE'`)).map((x: any) => x.requirement_id));
  // The rows of the latest version of every shipped set, read with the declared conditions.
  const stored: { id: string; s: string; t: string; relationship: Relationship; strength: number | null; qualifiers: Qualifier[] }[] = await t.ds.query(
    `SELECT id, source_requirement_id AS s, target_requirement_id AS t, relationship, strength, qualifiers FROM mapping
     WHERE mapping_source_id IN (SELECT DISTINCT ON (key) id FROM mapping_source WHERE organization_id IS NULL AND status <> 'SUPERSEDED' ORDER BY key, version DESC)`);
  const conditions = new Set(declared.map((p) => `integratedManagementSystem:${p}`));
  const edges = stored.map((e) => ({ ...e, ...relationshipInForce(e, conditions) }));
  expect(edges.filter((e) => e.relationship === Relationship.EQUAL)).toHaveLength(8); // 7.2, 7.5.1-7.5.3, 9.2.1, 9.2.2, 9.3.1, 9.3.3
  const adjacency = new Map<string, Hop[]>();
  for (const e of edges) {
    for (const [from, to, dir] of [[e.s, e.t, MappingDirection.OUTGOING], [e.t, e.s, MappingDirection.INCOMING]] as const) {
      adjacency.set(from, [...(adjacency.get(from) ?? []), { mappingId: e.id, from, to, relationship: readFrom(e.relationship, dir), strength: e.strength }]);
    }
  }
  const fwOf = new Map(reqs.map((r) => [r.id, r.framework_id]));
  const active = allLinks
    .map((l) => ({ ...l, state: evidenceState(evidence.get(l.evidence_id)!, asOf) }))
    .filter((l) => isLinkActive({ linkedAt: l.linked_at, unlinkedAt: l.unlinked_at }, asOf) && l.state !== null);

  // Reject pre-fills where it matters: for the 30 targets reached only through mappings by the fewest
  // pieces of evidence, every one of them (so their status must fall back), plus 30 random reachable pairs.
  const assessableIds = new Set(assessable.map((r) => r.id));
  const direct = new Set(active.map((l) => l.requirement_id));
  const contributors = new Map<string, Set<string>>();
  for (const l of active) {
    for (const fw of new Set(reqs.map((r) => r.framework_id))) {
      if (fw === fwOf.get(l.requirement_id)) continue;
      for (const p of enumeratePaths({ start: l.requirement_id, adjacency, isTarget: (id) => fwOf.get(id) === fw, maxDepth: 3 }).paths) {
        if (!assessableIds.has(p.target)) continue;
        contributors.set(p.target, (contributors.get(p.target) ?? new Set()).add(l.evidence_id));
      }
    }
  }
  const inferredOnly = [...contributors].filter(([target]) => !direct.has(target)).sort((a, b) => a[1].size - b[1].size || (a[0] < b[0] ? -1 : 1));
  expect(inferredOnly.length).toBeGreaterThan(30);
  const chosen = new Set<string>();
  for (const [target, evs] of inferredOnly.slice(0, 30)) for (const e of evs) chosen.add(`${target}|${e}`);
  const others = [...contributors].flatMap(([target, evs]) => [...evs].map((e) => `${target}|${e}`));
  for (let i = 0; i < 30; i++) chosen.add(pick(others));
  for (const k of chosen) {
    const [target, evidenceId] = k.split('|');
    const r = reqs.find((x) => x.id === target)!;
    await t.data(`mutation($f: String!, $r: String!, $e: ID!) { rejectPrefill(input: { framework: $f, ref: $r, evidenceId: $e, reason: "random" }) { id } }`, { f: r.key, r: r.ref, e: evidenceId });
  }
  // A rejection counts from when it was made, like a link: those made after asOf do not count at asOf.
  const rejected = new Set((await t.ds.query(`SELECT requirement_id, evidence_id FROM prefill_rejection WHERE rejected_at <= $1`, [asOf.toISOString()])).map((x: any) => `${x.requirement_id}|${x.evidence_id}`));
  expect(rejected.size).toBe(chosen.size);

  for (const maxDepth of [2, 3]) {
    const contributions = new Map<string, Contribution[]>();
    const add = (target: string, c: Contribution) => contributions.set(target, [...(contributions.get(target) ?? []), c]);
    const pathsCache = new Map<string, ReturnType<typeof enumeratePaths>>();
    for (const l of active) {
      add(l.requirement_id, { state: l.state!, link: l.coverage, path: null });
      for (const fw of new Set(reqs.map((r) => r.framework_id))) {
        if (fw === fwOf.get(l.requirement_id)) continue;
        const key = `${l.requirement_id}|${fw}`;
        if (!pathsCache.has(key)) pathsCache.set(key, enumeratePaths({ start: l.requirement_id, adjacency, isTarget: (id) => fwOf.get(id) === fw, maxDepth }));
        for (const p of pathsCache.get(key)!.paths) {
          if (rejected.has(`${p.target}|${l.evidence_id}`)) continue;
          add(p.target, { state: l.state!, link: l.coverage, path: p.coverage });
        }
      }
    }

    const expected: Record<string, string> = {};
    for (const r of assessable) expected[`${r.key} ${r.ref}`] = coverageStatus(notApplicable.has(r.id), contributions.get(r.id) ?? []);

    const d = await t.data(`query($d: Int!) { f: frameworks { key } ${['iso42001', 'iso27001', 'nist-ai-rmf', 'eu-ai-act']
      .map((k, i) => `c${i}: coverage(framework: "${k}", maxDepth: $d, asOf: "${asOf.toISOString()}") { framework { key } requirements(first: 200) { pageInfo { hasNextPage } nodes { requirement { ref } status } } }`)
      .join(' ')} }`, { d: maxDepth });
    const actual: Record<string, string> = {};
    for (const k of ['c0', 'c1', 'c2', 'c3']) {
      expect(d[k].requirements.pageInfo.hasNextPage).toBe(false);
      for (const n of d[k].requirements.nodes) actual[`${d[k].framework.key} ${n.requirement.ref}`] = n.status;
    }
    expect(actual).toEqual(expected);

    // the scenario must exercise every status, or agreement proves little
    const seen = new Set(Object.values(expected));
    for (const s of Object.values(CoverageStatus)) expect([maxDepth, s, seen.has(s)]).toEqual([maxDepth, s, true]);
  }

  // Inferred contributions are ranked in two steps (best sources from the rollup, then their links).
  // They must equal ranking every counted link in one step, as written here from the documented order.
  const [{ org }] = await t.ds.query(`SELECT organization_id AS org FROM evidence LIMIT 1`);
  const [{ graph }] = await t.ds.query(`SELECT id AS graph FROM mapping_graph WHERE organization_id = $1 AND valid_to IS NULL`, [org]);
  for (const first of [1, 3, 10]) {
    const d = await t.data(`query($first: Int!) { ${['iso42001', 'iso27001', 'nist-ai-rmf', 'eu-ai-act']
      .map((k, i) => `c${i}: coverage(framework: "${k}", asOf: "${asOf.toISOString()}") { requirements(first: 200) { nodes { requirement { id } inferred(first: $first) { link { id } } } } }`)
      .join(' ')} }`, { first });
    const actual: Record<string, string[]> = {};
    for (const k of ['c0', 'c1', 'c2', 'c3']) {
      for (const n of d[k].requirements.nodes) if (n.inferred.length) actual[n.requirement.id] = n.inferred.map((c: any) => c.link.id);
    }
    const rows: { target_id: string; id: string }[] = await t.ds.query(
      `WITH cand AS (
         SELECT c.to_requirement_id AS target_id, l.id, src.position, src.id AS src_id, l.linked_at,
                coalesce(l.coverage = 'FULL' AND c.full_depth <= 2, false) AS fc,
                CASE WHEN e.status = 'ACCEPTED' AND e.effective_at <= $2 AND (e.valid_until IS NULL OR $2 < e.valid_until) THEN 0
                     WHEN e.status = 'ACCEPTED' AND e.valid_until <= $2 THEN 1
                     WHEN e.status IN ('DRAFT', 'IN_REVIEW') THEN 2 END AS state_rank,
                CASE WHEN l.coverage = 'FULL' AND c.full_depth <= 2 THEN cardinality(c.full_mapping_ids) ELSE cardinality(c.any_mapping_ids) END AS hops,
                CASE WHEN l.coverage = 'FULL' AND c.full_depth <= 2 THEN c.full_min_strength ELSE c.any_min_strength END AS strength
         FROM evidence_link l JOIN evidence e ON e.id = l.evidence_id
         JOIN mapping_closure c ON c.from_requirement_id = l.requirement_id AND c.graph_id = '${graph}' AND c.any_depth <= 2
         JOIN requirement src ON src.id = l.requirement_id
         JOIN requirement tgt ON tgt.id = c.to_requirement_id AND tgt.assessable
         WHERE l.organization_id = $1 AND l.linked_at <= $2 AND (l.unlinked_at IS NULL OR l.unlinked_at > $2)
           AND NOT EXISTS (SELECT 1 FROM prefill_rejection x WHERE x.requirement_id = c.to_requirement_id AND x.evidence_id = l.evidence_id AND x.rejected_at <= $2)
       ),
       ranked AS (
         SELECT target_id, id, row_number() OVER (PARTITION BY target_id
           ORDER BY fc DESC, state_rank, hops, strength DESC NULLS LAST, position, src_id, linked_at DESC, id DESC) AS rank
         FROM cand WHERE state_rank IS NOT NULL
       )
       SELECT target_id, id FROM ranked WHERE rank <= $3 ORDER BY target_id, rank`,
      [org, asOf.toISOString(), first],
    );
    const expected: Record<string, string[]> = {};
    for (const r of rows) (expected[r.target_id] ??= []).push(r.id);
    expect(Object.keys(expected).length).toBeGreaterThan(50);
    expect(actual).toEqual(expected);
  }
});
