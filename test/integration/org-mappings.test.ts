import { startTestHub, TestHub } from '../harness/hub';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
  // Another organization with its own set, written directly: the API must never show it to the default organization.
  await t.ds.query(`
    WITH o AS (INSERT INTO organization (slug, name) VALUES ('other', 'Other Ltd') RETURNING id),
    s AS (INSERT INTO mapping_source (organization_id, key, name, publisher, method, status, source_framework_id, target_framework_id, content_sha256)
          SELECT o.id, 'secret-set', 'Other Ltd mappings', 'Other Ltd', 'HUMAN', 'DRAFT',
                 (SELECT id FROM framework WHERE key = 'iso27001'), (SELECT id FROM framework WHERE key = 'iso42001'), 'x' FROM o RETURNING id)
    INSERT INTO mapping (mapping_source_id, source_requirement_id, target_requirement_id, relationship, strength)
    SELECT s.id, (SELECT r.id FROM requirement r JOIN framework f ON f.id = r.framework_id WHERE f.key = 'iso27001' AND r.ref = 'A.5.19'),
                 (SELECT r.id FROM requirement r JOIN framework f ON f.id = r.framework_id WHERE f.key = 'iso42001' AND r.ref = 'A.10.3'), 'EQUAL', 10
    FROM s`);
  await t.data(`mutation { upsertEvidence(input: { sourceSystem: "grc", externalId: "policy", title: "Information security policy", kind: POLICY,
    effectiveAt: "2026-01-01T00:00:00Z", status: ACCEPTED, links: [{ framework: "iso27001", ref: "A.5.1" }, { framework: "iso27001", ref: "A.5.19" }] }) { outcome } }`);
});
afterAll(async () => {
  await t.stop();
});

const CREATE = `mutation($input: CreateMappingSetInput!) { createMappingSet(input: $input) { mappingCount mappingSource { key name publisher method status shared sourceFramework { key } targetFramework { key } } } }`;
const statusOf = async (ref: string) => {
  const d = await t.data(`{ coverage(framework: "iso42001") { requirements(first: 200) { nodes { requirement { ref } status inferred(first: 1) { path { hops { relationship source { key shared } } } } } } } }`);
  return d.coverage.requirements.nodes.find((n: any) => n.requirement.ref === ref);
};

describe("an organization's own mappings", () => {
  it('change its coverage at once: a SUPERSET_OF it asserts turns PARTIAL into PREFILLED', async () => {
    expect((await statusOf('A.2.2')).status).toBe('PARTIAL');
    const d = await t.data(CREATE, { input: {
      key: 'our-policy-mapping', name: 'Our policy analysis', sourceFramework: 'iso27001', targetFramework: 'iso42001',
      mappings: [{ sourceRef: 'A.5.1', targetRef: 'A.2.2', relationship: 'SUPERSET_OF', strength: 9, rationale: 'SEMANTIC', note: 'Our IS policy includes the AI policy section' }],
    } });
    expect(d.createMappingSet).toEqual({
      mappingCount: 1,
      mappingSource: { key: 'our-policy-mapping', name: 'Our policy analysis', publisher: 'organization', method: 'HUMAN', status: 'DRAFT', shared: false, sourceFramework: { key: 'iso27001' }, targetFramework: { key: 'iso42001' } },
    });
    const after = await statusOf('A.2.2');
    expect(after.status).toBe('PREFILLED');
    expect(after.inferred[0].path.hops).toEqual([{ relationship: 'SUPERSET_OF', source: { key: 'our-policy-mapping', shared: false } }]);
  });

  it('are listed with the shared sets, and another organization\'s sets are never visible', async () => {
    const d = await t.data(`{ mappingSources { key shared }
      requirement(framework: "iso27001", ref: "A.5.19") { mappings(framework: "iso42001") { relationship counterpart { ref } source { key } } }
      mappingMatrix(source: "iso27001", target: "iso42001") { totals { total equal supersetOf } } }`);
    // every version of the shipped sets (v1 and v2 of three keys), then the organization's own
    expect(d.mappingSources.map((s: any) => `${s.key} ${s.shared}`)).toEqual([
      'eu-ai-act-to-iso27001 true', 'eu-ai-act-to-iso42001 true', 'eu-ai-act-to-iso42001 true', 'eu-ai-act-to-nist-ai-rmf true', 'eu-ai-act-to-nist-ai-rmf true',
      'iso27001-to-iso42001 true', 'iso27001-to-iso42001 true', 'nist-ai-rmf-to-iso42001 true', 'our-policy-mapping false',
    ]);
    expect(d.requirement.mappings.map((m: any) => `${m.relationship} ${m.counterpart.ref} ${m.source.key}`)).toEqual([
      'INTERSECTS_WITH A.10.2 iso27001-to-iso42001', 'INTERSECTS_WITH A.10.3 iso27001-to-iso42001',
    ]);
    // v2 of 27001 -> 42001 (80 rows, none EQUAL without a declared condition) and the organization's SUPERSET_OF
    expect(d.mappingMatrix.totals).toEqual({ total: 81, equal: 0, supersetOf: 1 });
    const [{ id }] = await t.ds.query(`SELECT id FROM mapping_source WHERE key = 'secret-set'`);
    const node = await t.gql(`query($id: ID!) { node(id: $id) { id } }`, { id });
    expect(node.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // Other Ltd's EQUAL A.5.19 -> A.10.3 would pre-fill A.10.3; for us it stays PARTIAL
    expect((await statusOf('A.10.3')).status).toBe('PARTIAL');
    const paths = await t.data(`{ mappingPaths(from: { framework: "iso27001", ref: "A.5.19" }, toFramework: "iso42001") { coverage hops { source { key } } } }`);
    expect(paths.mappingPaths.map((p: any) => p.hops[0].source.key)).toEqual(['iso27001-to-iso42001', 'iso27001-to-iso42001']);
  });

  it('are checked as a whole: every problem reported, nothing written', async () => {
    const res = await t.gql(CREATE, { input: {
      key: 'Bad Key', name: ' ', sourceFramework: 'iso27001', targetFramework: 'iso42001',
      mappings: [
        { sourceRef: 'A.5.99', targetRef: 'A.2.2', relationship: 'EQUAL', strength: 11 },
        { sourceRef: 'A.5.1', targetRef: 'A.2.2', relationship: 'EQUAL' },
        { sourceRef: 'A.5.1', targetRef: 'A.2.2', relationship: 'INTERSECTS_WITH' },
      ],
    } });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].extensions?.problems.map((p: any) => p.field)).toEqual(['key', 'name', 'mappings[0].sourceRef', 'mappings[0].strength', 'mappings[2]']);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM mapping_source`))[0].n).toBe(10); // 8 shared versions, Other Ltd's, ours

    const dup = await t.gql(CREATE, { input: { key: 'our-policy-mapping', name: 'again', sourceFramework: 'iso27001', targetFramework: 'iso42001', mappings: [{ sourceRef: 'A.5.2', targetRef: 'A.3.2', relationship: 'EQUAL' }] } });
    expect(dup.errors?.[0]).toMatchObject({ message: 'A mapping set with key "our-policy-mapping" already exists', extensions: { code: 'CONFLICT' } });
    const unknown = await t.gql(CREATE, { input: { key: 'x', name: 'x', sourceFramework: 'soc2', targetFramework: 'iso42001', mappings: [{ sourceRef: 'CC1', targetRef: 'A.3.2', relationship: 'EQUAL' }] } });
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});
