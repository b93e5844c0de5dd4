import { startTestHub, TestHub } from '../harness/hub';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
  // A test-only mapping set with the relationships the seeded sets do not use (SUPERSET_OF, NO_RELATIONSHIP).
  await t.ds.query(`
    WITH f AS (SELECT id, key FROM framework),
    s AS (
      INSERT INTO mapping_source (key, name, publisher, method, status, source_framework_id, target_framework_id, content_sha256)
      SELECT 'test-fixture', 'Test fixture', 'tests', 'HUMAN', 'DRAFT', (SELECT id FROM f WHERE key = 'iso42001'), (SELECT id FROM f WHERE key = 'nist-ai-rmf'), 'x'
      RETURNING id)
    INSERT INTO mapping (mapping_source_id, source_requirement_id, target_requirement_id, relationship, strength)
    SELECT s.id, a.id, b.id, v.rel, v.strength
    FROM s, (VALUES ('7.2', 'GOVERN 3.1', 'SUPERSET_OF', 6), ('7.2', 'MAP 1.1', 'NO_RELATIONSHIP', 9)) AS v(a, b, rel, strength)
    JOIN requirement a ON a.ref = v.a AND a.framework_id = (SELECT id FROM f WHERE key = 'iso42001')
    JOIN requirement b ON b.ref = v.b AND b.framework_id = (SELECT id FROM f WHERE key = 'nist-ai-rmf')`);
  // The reading rules below were checked by hand on the first version of the shipped sets, which has unconditional
  // EQUAL rows: the organization reads v1 (a pin), whose graph also takes in the fixture. The current versions are
  // checked in mapping-versions.test.ts.
  for (const key of ['iso27001-to-iso42001', 'eu-ai-act-to-iso42001', 'eu-ai-act-to-nist-ai-rmf']) {
    await t.data(`mutation { pinMappingSet(input: { key: "${key}", version: 1 }) { id } }`);
  }
});
afterAll(async () => {
  await t.stop();
});

const EDGE = `relationship storedRelationship direction strength rationale note counterpart { ref framework { key } } source { key status }`;

describe('seeded mapping sets', () => {
  it('holds every row of every file, with its provenance', async () => {
    const d = await t.data(`{ mappingSources { key version name publisher method status mappingCount relationshipVocabulary compiledOn sourceFramework { key } targetFramework { key } url } }`);
    const seeded = d.mappingSources.filter((s: any) => s.key !== 'test-fixture');
    // v1 rows as the files have them; v2 = the v2 files with seeds/mappings/v2-hub-changes.json applied
    // (EU -> 42001 180 + 7 added; EU -> NIST 142 + 8; EU -> 27001 85 + 1 - 4; 27001 -> 42001 79 + 1).
    expect(seeded.map((s: any) => [s.key, s.version, s.sourceFramework.key, s.targetFramework.key, s.mappingCount, s.method, s.status, s.compiledOn])).toEqual([
      ['eu-ai-act-to-iso27001', 1, 'eu-ai-act', 'iso27001', 82, 'HYBRID', 'DRAFT', '2026-11-29'],
      ['eu-ai-act-to-iso42001', 1, 'eu-ai-act', 'iso42001', 93, 'HYBRID', 'SUPERSEDED', '2026-11-27'],
      ['eu-ai-act-to-iso42001', 2, 'eu-ai-act', 'iso42001', 187, 'HYBRID', 'DRAFT', '2026-11-29'],
      ['eu-ai-act-to-nist-ai-rmf', 1, 'eu-ai-act', 'nist-ai-rmf', 84, 'HYBRID', 'SUPERSEDED', '2026-11-27'],
      ['eu-ai-act-to-nist-ai-rmf', 2, 'eu-ai-act', 'nist-ai-rmf', 150, 'HYBRID', 'DRAFT', '2026-11-29'],
      ['iso27001-to-iso42001', 1, 'iso27001', 'iso42001', 79, 'HYBRID', 'SUPERSEDED', '2026-11-27'],
      ['iso27001-to-iso42001', 2, 'iso27001', 'iso42001', 80, 'HYBRID', 'DRAFT', '2026-11-29'],
      ['nist-ai-rmf-to-iso42001', 1, 'nist-ai-rmf', 'iso42001', 280, 'HUMAN', 'COMPLETE', '2026-11-27'],
    ]);
    const nist = seeded.find((s: any) => s.key === 'nist-ai-rmf-to-iso42001');
    expect(nist.name).toMatch(/NIST AI Risk Management Framework to ISO\/IEC FDIS 42001/);
    expect(nist.url).toMatch(/^https:\/\/airc\.nist\.gov\/docs\/NIST_AI_RMF_to_ISO_IEC_42001_Crosswalk\.pdf/);
    for (const s of seeded) expect(s.relationshipVocabulary).toBe('NIST IR 8477');
    expect(seeded.filter((s: any) => s.publisher === 'derived')).toHaveLength(7);
  });

  it('keeps the relationship mix of each file (13 EQUAL + 66 INTERSECTS_WITH for 27001 -> 42001)', async () => {
    const totals = `totals { total equal subsetOf supersetOf intersectsWith noRelationship }`;
    const d = await t.data(`{
      a: mappingMatrix(source: "iso27001", target: "iso42001") { ${totals} }
      b: mappingMatrix(source: "nist-ai-rmf", target: "iso42001") { ${totals} }
      c: mappingMatrix(source: "eu-ai-act", target: "iso42001") { ${totals} }
      d: mappingMatrix(source: "eu-ai-act", target: "nist-ai-rmf") { ${totals} }
    }`);
    expect(d.a.totals).toEqual({ total: 79, equal: 13, subsetOf: 0, supersetOf: 0, intersectsWith: 66, noRelationship: 0 });
    // 280 crosswalk rows, plus the fixture's two 42001 -> NIST rows read from the NIST side
    expect(d.b.totals).toEqual({ total: 282, equal: 0, subsetOf: 1, supersetOf: 0, intersectsWith: 280, noRelationship: 1 });
    expect(d.c.totals).toEqual({ total: 93, equal: 0, subsetOf: 0, supersetOf: 0, intersectsWith: 93, noRelationship: 0 });
    // eu -> nist: 84 seeded rows; the fixture is iso42001 -> nist, so it is not counted here
    expect(d.d.totals).toEqual({ total: 84, equal: 0, subsetOf: 0, supersetOf: 0, intersectsWith: 84, noRelationship: 0 });
  });
});

describe('reading mappings from either side', () => {
  it('a published crosswalk row: no strength or rationale, seen from the NIST side as OUTGOING', async () => {
    const d = await t.data(`{ requirement(framework: "nist-ai-rmf", ref: "GOVERN 1.1") { mappings(framework: "iso42001") { ${EDGE} } } }`);
    const edges = d.requirement.mappings;
    expect(edges.map((e: any) => e.counterpart.ref)).toEqual(['4.1', '6.2', 'A.2.2', 'A.2.4']);
    for (const e of edges) {
      expect(e).toMatchObject({ relationship: 'INTERSECTS_WITH', direction: 'OUTGOING', strength: null, rationale: null, source: { key: 'nist-ai-rmf-to-iso42001', status: 'COMPLETE' } });
    }
  });

  it('EQUAL reads the same from the target; the note travels with it', async () => {
    const d = await t.data(`{ requirement(framework: "iso42001", ref: "7.1") { mappings { ${EDGE} } } }`);
    const edges = d.requirement.mappings;
    expect(edges.map((e: any) => `${e.counterpart.framework.key} ${e.counterpart.ref} ${e.relationship}`)).toEqual([
      'eu-ai-act Art. 17(1)(l) INTERSECTS_WITH',
      'iso27001 7.1 EQUAL',
      'nist-ai-rmf GOVERN 2.1 INTERSECTS_WITH',
      'nist-ai-rmf MANAGE 2.1 INTERSECTS_WITH',
      'nist-ai-rmf MANAGE 2.2 INTERSECTS_WITH',
    ]);
    const iso = edges[1];
    expect(iso).toMatchObject({ direction: 'INCOMING', storedRelationship: 'EQUAL', strength: 9, rationale: 'SYNTACTIC' });
    expect(iso.note).toMatch(/integrated/);
  });

  it('SUPERSET_OF reads SUBSET_OF from the target side, and the reverse', async () => {
    const d = await t.data(`{
      from: requirement(framework: "iso42001", ref: "7.2") { mappings(framework: "nist-ai-rmf", direction: OUTGOING) { ${EDGE} } }
      to: requirement(framework: "nist-ai-rmf", ref: "GOVERN 3.1") { mappings(framework: "iso42001", direction: INCOMING) { ${EDGE} } }
    }`);
    expect(d.from.mappings.map((e: any) => [e.counterpart.ref, e.relationship, e.storedRelationship, e.direction])).toEqual([
      ['GOVERN 3.1', 'SUPERSET_OF', 'SUPERSET_OF', 'OUTGOING'],
      ['MAP 1.1', 'NO_RELATIONSHIP', 'NO_RELATIONSHIP', 'OUTGOING'],
    ]);
    expect(d.to.mappings.map((e: any) => [e.counterpart.ref, e.relationship, e.storedRelationship, e.direction])).toEqual([
      ['7.2', 'SUBSET_OF', 'SUPERSET_OF', 'INCOMING'],
    ]);
  });

  it('direction filter: 42001 is the target of every seeded set', async () => {
    const d = await t.data(`{ requirement(framework: "iso42001", ref: "A.6.2.8") {
      out: mappings(direction: OUTGOING) { relationship }
      inc: mappings(direction: INCOMING) { counterpart { ref framework { key } } }
      all: mappings { relationship }
    } }`);
    expect(d.requirement.out).toEqual([]);
    expect(d.requirement.all).toHaveLength(d.requirement.inc.length);
    expect(d.requirement.inc.map((e: any) => `${e.counterpart.framework.key} ${e.counterpart.ref}`)).toContain('iso27001 A.8.15');
  });

  it('an unknown framework filter is NOT_FOUND', async () => {
    const res = await t.gql(`{ requirement(framework: "iso42001", ref: "7.1") { mappings(framework: "iso9001") { relationship } } }`);
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(res.errors?.[0].message).toBe('Unknown framework "iso9001"');
  });
});

describe('mappingMatrix', () => {
  it('counts per source group x target group, and what share of each group is mapped', async () => {
    const d = await t.data(`{ mappingMatrix(source: "iso27001", target: "iso42001") {
      source { key } target { key }
      rows { group { ref } assessableRequirements mappedRequirements counts { total } }
      cells { sourceGroup { ref } targetGroup { ref } counts { total equal intersectsWith } }
      mappingSources { key }
    } }`);
    const m = d.mappingMatrix;
    expect(m.rows.map((r: any) => r.group.ref)).toEqual(['4', '5', '6', '7', '8', '9', '10', 'A.5', 'A.6', 'A.7', 'A.8']);
    const row = (ref: string) => m.rows.find((r: any) => r.group.ref === ref);
    expect(row('7')).toEqual({ group: { ref: '7' }, assessableRequirements: 7, mappedRequirements: 7, counts: { total: 7 } });
    expect(row('A.5')).toMatchObject({ assessableRequirements: 37, mappedRequirements: 19 });
    expect(row('A.7')).toEqual({ group: { ref: 'A.7' }, assessableRequirements: 14, mappedRequirements: 0, counts: { total: 0 } });
    const cell = (a: string, b: string) => m.cells.find((c: any) => c.sourceGroup.ref === a && c.targetGroup.ref === b);
    expect(cell('7', '7').counts).toEqual({ total: 7, equal: 6, intersectsWith: 1 });
    expect(cell('A.8', 'A.6').counts).toEqual({ total: 10, equal: 0, intersectsWith: 10 });
    expect(cell('A.7', 'A.2')).toBeUndefined();
    expect(m.cells.reduce((n: number, c: any) => n + c.counts.total, 0)).toBe(79);
    expect(m.mappingSources).toEqual([{ key: 'iso27001-to-iso42001' }]);
  });

  it('reads stored mappings backwards when the source is the stored target', async () => {
    const d = await t.data(`{ mappingMatrix(source: "iso42001", target: "nist-ai-rmf") { totals { total intersectsWith subsetOf supersetOf noRelationship } } }`);
    // 280 crosswalk rows + the fixture's SUPERSET_OF and NO_RELATIONSHIP, stored 42001 -> NIST (read as stored)
    expect(d.mappingMatrix.totals).toEqual({ total: 282, intersectsWith: 280, subsetOf: 0, supersetOf: 1, noRelationship: 1 });
    const back = await t.data(`{ mappingMatrix(source: "nist-ai-rmf", target: "iso42001") { totals { total subsetOf supersetOf } } }`);
    expect(back.mappingMatrix.totals).toEqual({ total: 282, subsetOf: 1, supersetOf: 0 });
  });

  it('refuses the same framework on both sides and unknown keys', async () => {
    const same = await t.gql(`{ mappingMatrix(source: "iso42001", target: "iso42001") { totals { total } } }`);
    expect(same.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'target' });
    const unknown = await t.gql(`{ mappingMatrix(source: "iso42001", target: "soc2") { totals { total } } }`);
    expect(unknown.errors?.[0]).toMatchObject({ message: 'Unknown framework "soc2"', extensions: { code: 'NOT_FOUND', framework: 'soc2' } });
  });
});

describe('mappingPaths', () => {
  const PATH = `coverage length minStrength target { ref framework { key } } hops { relationship seenFrom { ref } counterpart { ref } strength }`;

  it('composes FULL only when every hop is EQUAL or SUPERSET_OF from the start side', async () => {
    const d = await t.data(`{ mappingPaths(from: { framework: "iso27001", ref: "7.2" }, toFramework: "nist-ai-rmf", maxDepth: 2) { ${PATH} } }`);
    const paths = d.mappingPaths;
    expect(paths).toHaveLength(6);
    expect(paths[0]).toEqual({
      coverage: 'FULL',
      length: 2,
      minStrength: 6,
      target: { ref: 'GOVERN 3.1', framework: { key: 'nist-ai-rmf' } },
      hops: [
        { relationship: 'EQUAL', seenFrom: { ref: '7.2' }, counterpart: { ref: '7.2' }, strength: 9 },
        { relationship: 'SUPERSET_OF', seenFrom: { ref: '7.2' }, counterpart: { ref: 'GOVERN 3.1' }, strength: 6 },
      ],
    });
    // the crosswalk hops are INTERSECTS_WITH with no strength: PARTIAL, strength unknown
    expect(paths.slice(1).map((p: any) => [p.target.ref, p.coverage, p.minStrength])).toEqual([
      ['GOVERN 2.1', 'PARTIAL', null],
      ['GOVERN 2.2', 'PARTIAL', null],
      ['GOVERN 3.2', 'PARTIAL', null],
      ['MAP 1.2', 'PARTIAL', null],
      ['MAP 3.4', 'PARTIAL', null],
    ]);
    // NO_RELATIONSHIP is stored but never traversed
    expect(paths.map((p: any) => p.target.ref)).not.toContain('MAP 1.1');
  });

  it('bounds the depth and lists longer paths after shorter ones', async () => {
    const one = await t.data(`{ mappingPaths(from: { framework: "iso27001", ref: "7.2" }, toFramework: "nist-ai-rmf", maxDepth: 1) { length } }`);
    expect(one.mappingPaths).toEqual([]);
    const three = await t.data(`{ mappingPaths(from: { framework: "iso27001", ref: "7.2" }, toFramework: "nist-ai-rmf", maxDepth: 3) { length hops { counterpart { id } } } }`);
    expect(three.mappingPaths.map((p: any) => p.length)).toEqual([2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
    for (const p of three.mappingPaths) {
      const ids = p.hops.map((h: any) => h.counterpart.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('the weakest link decides: SUBSET_OF read from the start makes the path PARTIAL', async () => {
    const d = await t.data(`{ mappingPaths(from: { framework: "nist-ai-rmf", ref: "GOVERN 3.1" }, toFramework: "iso27001", maxDepth: 3) { ${PATH} } }`);
    expect(d.mappingPaths.map((p: any) => [p.hops.map((h: any) => `${h.relationship}>${h.counterpart.ref}`).join(' '), p.coverage, p.minStrength])).toEqual([
      ['SUBSET_OF>7.2 EQUAL>7.2', 'PARTIAL', 6],
      ['SUBSET_OF>7.2 INTERSECTS_WITH>A.6.3', 'PARTIAL', 4],
      ['INTERSECTS_WITH>A.5.4 INTERSECTS_WITH>A.5.34', 'PARTIAL', null],
      // through the EU AI Act -> 27001 set (Art. 4 -> A.6.3, strength 3) and the v1 rows Art. 4 -> 7.2 (6) and -> A.4.6
      ['SUBSET_OF>7.2 INTERSECTS_WITH>Art. 4 INTERSECTS_WITH>A.6.3', 'PARTIAL', 3],
      ['INTERSECTS_WITH>A.4.6 INTERSECTS_WITH>Art. 4 INTERSECTS_WITH>A.6.3', 'PARTIAL', null],
    ]);
  });

  it('limits the number of paths returned with first', async () => {
    const d = await t.data(`{ mappingPaths(from: { framework: "iso27001", ref: "7.2" }, toFramework: "nist-ai-rmf", maxDepth: 3, first: 2) { coverage } }`);
    expect(d.mappingPaths).toEqual([{ coverage: 'FULL' }, { coverage: 'PARTIAL' }]);
  });
});
