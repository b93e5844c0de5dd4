import { DEFAULT_GRAPH_ID } from '../../src/modules/mapping/mapping-graph.service';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { startTestHub, TestHub, tokenFor } from '../harness/hub';
import { TokenService } from '../../src/modules/auth/token.service';
import { OrganizationService } from '../../src/modules/organization/organization.service';
import { Role } from '../../src/modules/auth/role';
import { strictOscalProblems } from '../harness/oscal-strict';

/**
 * OSCAL and CSV interchange through the real server: every export validated against NIST's OSCAL 1.2.2
 * schemas (test/fixtures/oscal, vendored with their sha256), the official NIST example catalog and a
 * known-invalid community mapping imported, round trips, and an internal control set working as a hub.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'oscal');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const schemas = {
  catalog: ajv.compile(JSON.parse(fixture('oscal_catalog_schema.json'))),
  mapping: ajv.compile(JSON.parse(fixture('oscal_mapping_schema.json'))),
  ar: ajv.compile(JSON.parse(fixture('oscal_assessment-results_schema.json'))),
};
const valid = (which: keyof typeof schemas, doc: unknown) => {
  const ok = schemas[which](doc);
  return ok ? 'valid' : JSON.stringify(schemas[which].errors?.slice(0, 5));
};
const FRAMEWORKS = ['iso42001', 'iso27001', 'nist-ai-rmf', 'eu-ai-act'];

let t: TestHub;
let other: string;
beforeAll(async () => {
  t = await startTestHub();
  other = (await new TokenService(t.ds, new OrganizationService(t.ds)).createForSlug('other-org', Role.ADMIN, 'other-admin')).token;
});
afterAll(async () => {
  await t.stop();
});

const get = async (url: string, token = t.token) => {
  const res = await fetch(`${t.url.replace(/\/graphql$/, '')}${url}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as any };
};
const IMPORT_FW = `mutation($input: ImportFrameworkInput!) { importFramework(input: $input) {
  created unchanged dryRun requirementCount assessableCount requirements { ref title kind assessable parentRef } framework { key version private } } }`;
const IMPORT_MAP = `mutation($input: ImportMappingsInput!) { importMappings(input: $input) { dryRun mappingCount sets { key sourceFramework targetFramework mappingCount } } }`;
const requirementsOf = (key: string) =>
  t.ds.query(
    `SELECT r.ref, r.title, r.kind, r.assessable, p.ref AS parent, r.position, r.text FROM requirement r JOIN framework f ON f.id = r.framework_id
     LEFT JOIN requirement p ON p.id = r.parent_id WHERE f.key = $1 ORDER BY r.position`, [key]);

describe('vendored schemas', () => {
  it('are the NIST release bytes, and the server validates with the same ones', () => {
    const hash = (p: string) => crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    expect(hash(path.join(FIXTURES, 'oscal_catalog_schema.json'))).toBe('fdc559f5dff6848b1ebbe1898a69cc08263479f7c796e2f056412059e7489d0c');
    expect(hash(path.join(FIXTURES, 'oscal_mapping_schema.json'))).toBe('45b4f909f72e17fbe8476e2a7f3d9f64ec42dc26ab2fe2d56c6b44fc57346022');
    expect(hash(path.join(FIXTURES, 'oscal_assessment-results_schema.json'))).toBe('d4e1e7e17c6662814882810ad64075266964ee1a575759ce3955302fd74edcd9');
    const seeds = path.join(__dirname, '..', '..', 'seeds', 'oscal');
    expect(hash(path.join(seeds, 'oscal_catalog_schema.json'))).toBe(hash(path.join(FIXTURES, 'oscal_catalog_schema.json')));
    expect(hash(path.join(seeds, 'oscal_mapping_schema.json'))).toBe(hash(path.join(FIXTURES, 'oscal_mapping_schema.json')));
    expect(hash(path.join(seeds, 'oscal_profile_schema.json'))).toBe('04329bd68032f48825f712f79576b3fd00e129e59d3597beb56ed72c17277f66');
    // and they reject what they should: the NIST examples pass, the community mapping does not
    expect(valid('catalog', JSON.parse(fixture('hub-sample-catalog.json')))).toBe('valid');
    expect(valid('ar', JSON.parse(fixture('ifa_assessment-results-example.json')))).toBe('valid');
    expect(valid('mapping', JSON.parse(fixture('NONOFFICIAL-INVALID_oscal-compass_PCI_v4-to-NIST_800-53_rev4_mapping-collection.json')))).not.toBe('valid');
  });
});

describe('OSCAL exports', () => {
  it('catalogs of every framework are valid OSCAL, follow the hierarchy, and ship no ISO text', async () => {
    for (const key of FRAMEWORKS) {
      const { status, body } = await get(`/export/oscal/catalog/${key}.json`);
      expect([key, status, valid('catalog', body)]).toEqual([key, 200, 'valid']);
      const nodes: any[] = [];
      const walk = (xs: any[] | undefined) => xs?.forEach((x) => { nodes.push(x); walk(x.groups); walk(x.controls); });
      walk(body.catalog.groups);
      walk(body.catalog.controls);
      const rows = await requirementsOf(key);
      expect([key, nodes.length]).toEqual([key, rows.length]);
      expect(nodes.map((n) => n.props.find((p: any) => p.name === 'label').value)).toEqual(rows.map((r: any) => r.ref));
      if (key.startsWith('iso')) expect(nodes.filter((n) => n.parts)).toEqual([]); // identifiers and titles only
    }
    const nist = (await get('/export/oscal/catalog/nist-ai-rmf.json')).body.catalog;
    // seeds/catalogs/nist-ai-rmf-1.0.json: functions GOVERN, MAP, MEASURE, MANAGE titled Govern, Map, Measure, Manage
    expect(nist.groups.map((g: any) => [g.id, g.title])).toEqual([['GOVERN', 'Govern'], ['MAP', 'Map'], ['MEASURE', 'Measure'], ['MANAGE', 'Manage']]);
    const gov11 = nist.groups[0].groups[0].controls[0];
    expect(gov11.props.find((p: any) => p.name === 'label').value).toBe('GOVERN 1.1');
    expect(gov11.id).toBe('GOVERN_1.1');
    expect(gov11.parts[0].name).toBe('statement');
    // GraphQL gives the same document
    const d = await t.data(`{ exportOscal(kind: CATALOG, framework: "nist-ai-rmf") }`);
    expect({ ...d.exportOscal.catalog, metadata: null }).toEqual({ ...nist, metadata: null });
  });

  it('mapping collections of every seeded pair are valid OSCAL: one map per mapping, confidence from strength, target gaps', async () => {
    // the set versions the organization reads (no pin: the latest of each key)
    const sets: { key: string; s: string; t: string; n: number }[] = await t.ds.query(
      `SELECT ms.key, sf.key AS s, tf.key AS t, (SELECT count(*)::int FROM mapping m WHERE m.mapping_source_id = ms.id) AS n
       FROM mapping_source ms JOIN framework sf ON sf.id = ms.source_framework_id JOIN framework tf ON tf.id = ms.target_framework_id
       WHERE ms.id = ANY((SELECT source_ids FROM mapping_graph WHERE id = '${DEFAULT_GRAPH_ID}')::uuid[]) ORDER BY ms.key`);
    // v2 of 27001 -> 42001 (80), EU AI Act -> 27001 (82), -> NIST (150), -> 42001 (187), and the NIST crosswalk (280)
    expect(sets.map((s) => s.n).sort((a, b) => a - b)).toEqual([80, 82, 150, 187, 280]);
    for (const s of sets) {
      const fwd = (await get(`/export/oscal/mapping/${s.s}/${s.t}.json`)).body;
      expect([s.key, valid('mapping', fwd)]).toEqual([s.key, 'valid']);
      const m = fwd['mapping-collection'].mappings.find((x: any) => x.props.some((p: any) => p.name === 'mapping-set-key' && p.value === s.key));
      expect([s.key, m.maps.length]).toEqual([s.key, s.n]);
      const back = (await get(`/export/oscal/mapping/${s.t}/${s.s}.json`)).body;
      expect([s.key, valid('mapping', back)]).toEqual([s.key, 'valid']);
    }
    const c = (await get('/export/oscal/mapping/iso27001/iso42001.json')).body['mapping-collection'];
    const set = c.mappings[0];
    expect(set.props.find((p: any) => p.name === 'mapping-set-version').value).toBe('2');
    // by hand from seeds/mappings/v2/iso27001_to_iso42001.json: 27001 7.2 intersects-with (7) 42001 7.2, and equal-to (9)
    // under integratedManagementSystem for the competence process: OSCAL's qualifier-item, the rest as hub props
    const map = set.maps.find((x: any) => x.sources[0]['id-ref'] === '_7.2' && x.targets[0]['id-ref'] === '_7.2');
    expect(map).toMatchObject({ relationship: 'intersects-with', 'confidence-score': { percentage: 0.7 } });
    expect(map.qualifiers).toEqual([{ subject: 'both', predicate: 'has-requirement', category: 'addressable', description: expect.stringMatching(/^Reads 'equal' \(strength 9\) only where the organization declares integratedManagementSystem for process 'competence'/) }]);
    expect(map.props.map((p: any) => [p.group, p.name, p.value])).toEqual([
      ['qualifier-1', 'qualifier-when', 'integratedManagementSystem'], ['qualifier-1', 'qualifier-process', 'competence'],
      ['qualifier-1', 'qualifier-relationship', 'equal-to'], ['qualifier-1', 'qualifier-strength', '9'],
    ]);
    expect(set.maps.filter((x: any) => x.qualifiers).length).toBe(13);
    expect(set['target-gap-summary']['unmapped-controls'][0]['with-ids'].length).toBeGreaterThan(0);
    // read the other way, SUBSET_OF and SUPERSET_OF swap
    const rels = (x: any) => x['mapping-collection'].mappings[0].maps.map((e: any) => e.relationship).sort().join(',');
    const reverse = (await get('/export/oscal/mapping/iso42001/iso27001.json')).body;
    expect(rels(reverse)).toBe(rels({ 'mapping-collection': c }).replace(/subset-of/g, 'X').replace(/superset-of/g, 'subset-of').replace(/X/g, 'superset-of').split(',').sort().join(','));
  });

  it('the v2 27001 -> 42001 export imports back to identical rows, qualifiers included', async () => {
    const doc = (await get('/export/oscal/mapping/iso27001/iso42001.json')).body;
    const imported = await t.data(IMPORT_MAP, { input: { format: 'OSCAL_MAPPING', document: JSON.stringify(doc), provenance: { key: 'v2-round-trip', name: 'Round trip' } } });
    expect(imported.importMappings.sets).toEqual([{ key: 'v2-round-trip', sourceFramework: 'iso27001', targetFramework: 'iso42001', mappingCount: 80 }]);
    const rows = async (where: string) => t.ds.query(
      `SELECT s.ref AS s, t.ref AS t, m.relationship, m.strength, m.rationale, m.note, m.qualifiers
       FROM mapping m JOIN mapping_source ms ON ms.id = m.mapping_source_id JOIN requirement s ON s.id = m.source_requirement_id
       JOIN requirement t ON t.id = m.target_requirement_id WHERE ${where} ORDER BY s.position, t.position`);
    const shipped = await rows(`ms.key = 'iso27001-to-iso42001' AND ms.version = 2 AND ms.organization_id IS NULL`);
    expect(shipped.filter((r: any) => r.qualifiers.length)).toHaveLength(13);
    expect(await rows(`ms.key = 'v2-round-trip'`)).toEqual(shipped);
  });

  it('assessment results are valid OSCAL: one finding per assessable requirement, evidence as observations', async () => {
    // one competence process for the ISMS and the AIMS: 27001 7.2 reads EQUAL to 42001 7.2
    await t.data(`mutation { declareOrganizationCondition(input: { condition: "integratedManagementSystem", parameters: ["competence"], holds: true }) { graph { id } } }`);
    await t.data(`mutation($i: UpsertEvidenceInput!) { upsertEvidence(input: $i) { evidence { id } } }`, { i: {
      sourceSystem: 'grc', externalId: 'competence', title: 'Competence records', kind: 'DOCUMENT', status: 'ACCEPTED',
      effectiveAt: '2026-01-01T00:00:00Z', uri: 'https://example.org/competence.pdf', contentSha256: 'a'.repeat(64),
      links: [{ framework: 'iso27001', ref: '7.2' }] } });
    for (const key of FRAMEWORKS) {
      const { status, body } = await get(`/export/oscal/assessment-results/${key}.json`);
      expect([key, status, valid('ar', body)]).toEqual([key, 200, 'valid']);
      const [assessable] = await t.ds.query(`SELECT count(*)::int AS n FROM requirement r JOIN framework f ON f.id = r.framework_id WHERE f.key = $1 AND r.assessable`, [key]);
      expect([key, body['assessment-results'].results[0].findings.length]).toEqual([key, assessable.n]);
    }
    const ar = (await get('/export/oscal/assessment-results/iso42001.json')).body['assessment-results'].results[0];
    // 27001 7.2 -EQUAL (declared competence process)-> 42001 7.2: pre-filled, satisfied, with the evidence as its observation
    const f = ar.findings.find((x: any) => x.target['target-id'] === '_7.2');
    expect(f.target.status).toEqual({ state: 'satisfied', reason: 'pass' });
    expect(f.props.find((p: any) => p.name === 'satisfied-how').value).toBe('PREFILLED');
    const obs = ar.observations.find((o: any) => o.uuid === f['related-observations'][0]['observation-uuid']);
    expect(obs['relevant-evidence'][0]).toMatchObject({ href: 'https://example.org/competence.pdf', description: 'Competence records' });
    expect(obs.collected).toBe('2026-01-01T00:00:00.000Z');
    const gap = ar.findings.find((x: any) => x.target['target-id'] === '_4.1');
    expect(gap.target.status.state).toBe('not-satisfied');
    // asOf before the evidence was linked: nothing satisfied; GraphQL gives the same document as GET
    const before = '2025-01-01T00:00:00.000Z';
    const past = (await get(`/export/oscal/assessment-results/iso42001.json?asOf=${before}`)).body['assessment-results'];
    expect(valid('ar', { 'assessment-results': past })).toBe('valid');
    expect(past.results[0].start).toBe(before);
    expect(past.results[0].findings.filter((x: any) => x.target.status.state === 'satisfied')).toEqual([]);
    const viaGraphql = (await t.data(`query($a: DateTime) { exportOscal(kind: ASSESSMENT_RESULTS, framework: "iso42001", asOf: $a) }`, { a: before })).exportOscal['assessment-results'];
    expect({ ...viaGraphql, metadata: { ...viaGraphql.metadata, 'last-modified': null } }).toEqual({ ...past, metadata: { ...past.metadata, 'last-modified': null } });
  });

  it('every export passes the strict typing OSCAL libraries apply beyond the schema (trestle: ns URL, tokens, uuids, timezones)', async () => {
    // the rules: test/harness/oscal-strict.ts; the pairs: every seeded mapping set, both ways
    const pairs: { s: string; t: string }[] = await t.ds.query(
      `SELECT DISTINCT sf.key AS s, tf.key AS t FROM mapping_source ms JOIN framework sf ON sf.id = ms.source_framework_id
       JOIN framework tf ON tf.id = ms.target_framework_id WHERE ms.organization_id IS NULL ORDER BY 1, 2`);
    expect(pairs.length).toBeGreaterThanOrEqual(5);
    const urls = [
      ...FRAMEWORKS.map((k) => `/export/oscal/catalog/${k}.json`),
      ...pairs.flatMap((p) => [`/export/oscal/mapping/${p.s}/${p.t}.json`, `/export/oscal/mapping/${p.t}/${p.s}.json`]),
      ...FRAMEWORKS.map((k) => `/export/oscal/assessment-results/${k}.json`),
    ];
    let props = 0;
    for (const url of urls) {
      const { status, body } = await get(url);
      expect([url, status, strictOscalProblems(body)]).toEqual([url, 200, []]);
      props += (JSON.stringify(body).match(/"ns":"https:\/\/control-mapping-hub\.dev\/ns\/oscal"/g) ?? []).length;
    }
    expect(props).toBeGreaterThan(1000);
  });
});

describe('importFramework', () => {
  it('imports an OSCAL catalog shaped like NIST\'s example (groups, labels, parameters, parts) as a private framework', async () => {
    const d = await t.data(IMPORT_FW, { input: { format: 'OSCAL_CATALOG', document: fixture('hub-sample-catalog.json'), key: 'nist-sample', version: '1.1', name: 'Hub sample catalog' } });
    // by hand from the file: groups 1 > s1.1 > controls 1.1.1, 1.1.2; 2 > 2.1 > 2.1.1, 2.1.2 (labels, else ids)
    expect(d.importFramework).toMatchObject({ created: true, unchanged: false, requirementCount: 8, assessableCount: 4, framework: { key: 'nist-sample', version: '1.1', private: true } });
    expect(d.importFramework.requirements.map((r: any) => `${r.ref}<${r.parentRef ?? ''}`)).toEqual(['1<', 's1.1<1', '1.1.1<s1.1', '1.1.2<s1.1', '2<', '2.1<2', '2.1.1<2.1', '2.1.2<2.1']);
    // the same again: nothing changes; a changed document under the same version is refused
    const again = await t.data(IMPORT_FW, { input: { format: 'OSCAL_CATALOG', document: fixture('hub-sample-catalog.json'), key: 'nist-sample', version: '1.1', name: 'Hub sample catalog' } });
    expect(again.importFramework).toMatchObject({ created: false, unchanged: true });
    const changed = await t.gql(IMPORT_FW, { input: { format: 'OSCAL_CATALOG', document: fixture('hub-sample-catalog.json').replace('Separation of conflicting tasks', 'Separation of duties'), key: 'nist-sample', version: '1.1', name: 'x' } });
    expect(changed.errors?.[0].extensions?.code).toBe('CONFLICT');
    // private: another organization does not see it
    const mine = await t.data(`{ frameworks { key private } }`);
    expect(mine.frameworks.find((f: any) => f.key === 'nist-sample')).toEqual({ key: 'nist-sample', private: true });
    const theirs = await t.gql(`{ frameworks { key } framework(key: "nist-sample") { key } }`, undefined, { token: other });
    expect(theirs.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const theirList = await t.gql(`{ frameworks { key } }`, undefined, { token: other });
    expect(theirList.data.frameworks.map((f: any) => f.key).sort()).toEqual([...FRAMEWORKS].sort());
  });

  it('round trip: a framework exported as OSCAL and imported again is the same graph', async () => {
    for (const key of FRAMEWORKS) {
      const doc = (await get(`/export/oscal/catalog/${key}.json`)).body;
      const d = await t.data(IMPORT_FW, { input: { format: 'OSCAL_CATALOG', document: JSON.stringify(doc), key: `rt-${key}`, version: '1', name: `Round trip ${key}` } });
      expect(d.importFramework.created).toBe(true);
      // the same nodes, hierarchy and order (positions are renumbered 1..n on import)
      const strip = (rows: any[]) => rows.map(({ ref, title, kind, assessable, parent, text }, order) => ({ order, ref, title, kind, assessable, parent, text }));
      expect(strip(await requirementsOf(`rt-${key}`))).toEqual(strip(await requirementsOf(key)));
      // and exported again, the same document: only uuids, the document's metadata and the framework's own key differ
      const again = (await get(`/export/oscal/catalog/rt-${key}.json`)).body;
      const same = (x: any): any => JSON.parse(JSON.stringify(x.catalog.groups ?? [], (k, v) => (k === 'uuid' ? undefined : v)).replaceAll(`rt-${key}`, key));
      expect([key, same(again)]).toEqual([key, same(doc)]);
    }
  });

  it('export -> import -> export of every seeded mapping set gives the same maps', async () => {
    // an organization of its own, so no set another test imported shares the pair's export
    const token = await tokenFor(t, 'round-trip-org', Role.EDITOR, 'round-trip');
    const pairs: { key: string; s: string; t: string }[] = await t.ds.query(
      `SELECT ms.key, sf.key AS s, tf.key AS t FROM mapping_source ms JOIN framework sf ON sf.id = ms.source_framework_id JOIN framework tf ON tf.id = ms.target_framework_id
       WHERE ms.id = ANY((SELECT source_ids FROM mapping_graph WHERE id = '${DEFAULT_GRAPH_ID}')::uuid[]) ORDER BY ms.key`);
    expect(pairs).toHaveLength(5);
    const maps = (doc: any, setKey: string) => doc['mapping-collection'].mappings
      .find((m: any) => m.props.some((p: any) => p.name === 'mapping-set-key' && p.value === setKey)).maps
      .map((e: any) => JSON.parse(JSON.stringify(e, (k, v) => (k === 'uuid' ? undefined : v))));
    for (const p of pairs) {
      const doc = (await get(`/export/oscal/mapping/${p.s}/${p.t}.json`, token)).body;
      const key = `rt2-${p.key}`.slice(0, 63);
      const imported = await t.gql(IMPORT_MAP, { input: { format: 'OSCAL_MAPPING', document: JSON.stringify(doc), provenance: { key, name: `Round trip ${p.key}` } } }, { token });
      expect([p.key, imported.errors]).toEqual([p.key, undefined]);
      const again = (await get(`/export/oscal/mapping/${p.s}/${p.t}.json`, token)).body;
      expect([p.key, maps(again, key)]).toEqual([p.key, maps(doc, p.key)]);
    }
  });

  it('imports an OSCAL profile resolved against a catalog the hub holds: the controls it selects, with the groups above them', async () => {
    const profile = (imports: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ profile: {
      uuid: '5b3f2a4e-8c1d-4f6a-9b7e-2d4c6e8f0a1b',
      metadata: { title: 'Acme ISMS baseline', 'last-modified': '2026-11-30T00:00:00Z', version: '1', 'oscal-version': '1.2.2' },
      imports, ...extra,
    } });
    const d = await t.data(IMPORT_FW, { input: { format: 'OSCAL_PROFILE', key: 'acme-27001-baseline', version: '1', name: 'Acme ISMS baseline',
      document: profile([{ href: '/export/oscal/catalog/iso27001.json', 'include-controls': [{ 'with-ids': ['A.5.1', 'A.5.2', 'A.8.15'] }] }]) } });
    expect(d.importFramework.created).toBe(true);
    const rows = await requirementsOf('acme-27001-baseline');
    // the three controls and the two Annex A themes above them; the controls assessable, the themes not
    expect(rows.map((r: any) => [r.ref, r.assessable])).toEqual([['A.5', false], ['A.5.1', true], ['A.5.2', true], ['A.8', false], ['A.8.15', true]]);
    // problems by path: an unknown control, a framework the hub does not hold, modify
    const bad = await t.gql(IMPORT_FW, { input: { format: 'OSCAL_PROFILE', key: 'acme-bad', version: '1', name: 'Bad',
      document: profile([{ href: 'iso27001.json', 'include-controls': [{ 'with-ids': ['A.5.1', 'A.5.99'] }] }, { href: 'https://example.org/soc2.json', 'include-all': {} }],
        { modify: { 'set-parameters': [{ 'param-id': 'x', values: ['y'] }] } }) } });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0].extensions?.problems.map((p: any) => p.path)).toEqual([
      "$.profile.imports[0]['include-controls'][0]['with-ids'][1]", '$.profile.imports[1].href', '$.profile.modify',
    ]);
  });

  it('imports NIST SP 800-53 rev5 MODERATE as published: AC-1 by its plain label, statement items in order, parameters and objectives kept', async () => {
    const doc = fixture('NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog-min.json');
    const d = await t.data(IMPORT_FW, { input: { format: 'OSCAL_CATALOG', document: doc, key: 'sp800-53-moderate', version: '5.1.1+u4', name: 'NIST SP 800-53 rev5 MODERATE' } });
    // 18 families (groups) and the 287 controls and enhancements of the MODERATE baseline
    expect(d.importFramework).toMatchObject({ created: true, requirementCount: 305, assessableCount: 287 });
    const REQ = `query($ref: String!) { requirement(framework: "sp800-53-moderate", ref: $ref) { ref title text summary attributes parent { ref } } }`;
    // by hand from the file: ac-1's statement, items a. > 1. > (a), placeholders as NIST prints them
    const ac1 = (await t.data(REQ, { ref: 'AC-1' })).requirement;
    expect(ac1).toMatchObject({ ref: 'AC-1', title: 'Policy and Procedures', parent: { ref: 'ac' } });
    expect(ac1.text.split('\n')).toEqual([
      'a. Develop, document, and disseminate to [Assignment: organization-defined personnel or roles]:',
      '  1. [Selection (one or more): organization-level; mission/business process-level; system-level] access control policy that:',
      '    (a) Addresses purpose, scope, roles, responsibilities, management commitment, coordination among organizational entities, and compliance; and',
      '    (b) Is consistent with applicable laws, executive orders, directives, regulations, policies, standards, and guidelines; and',
      '  2. Procedures to facilitate the implementation of the access control policy and the associated access controls;',
      'b. Designate an [Assignment: official] to manage the development, documentation, and dissemination of the access control policy and procedures; and',
      'c. Review and update the current access control:',
      '  1. Policy [Assignment: frequency] and following [Assignment: events] ; and',
      '  2. Procedures [Assignment: frequency] and following [Assignment: events].',
    ]);
    expect(ac1.summary).toMatch(/^Access control policy and procedures address the controls in the AC family/);
    expect(ac1.attributes.parameters.map((p: any) => p.id)).toEqual(['ac-1_prm_1', ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => `ac-01_odp.0${n}`)]);
    expect(ac1.attributes.parameters[3]).toEqual({ id: 'ac-01_odp.03', select: { howMany: 'one-or-more', choice: ['organization-level', 'mission/business process-level', 'system-level'] } });
    expect(ac1.attributes.labels).toEqual([{ value: 'AC-01', class: 'zero-padded' }, { value: 'AC-1' }, { value: 'AC-01', class: 'sp800-53a' }]);
    expect(ac1.attributes.assessmentObjectives[0]).toEqual({ id: 'ac-1_obj.a-1', label: 'AC-01a.[01]', text: 'an access control policy is developed and documented;' });
    expect(ac1.attributes.assessmentObjectives[1].text).toBe('the access control policy is disseminated to [Assignment: personnel or roles];');
    // the enhancement AC-2(1) under AC-2, with its one parameter and its objective and methods
    const ac21 = (await t.data(REQ, { ref: 'AC-2(1)' })).requirement;
    expect(ac21).toMatchObject({ ref: 'AC-2(1)', title: 'Automated System Account Management', parent: { ref: 'AC-2' },
      text: 'Support the management of system accounts using [Assignment: automated mechanisms].' });
    expect(ac21.attributes).toMatchObject({
      oscalId: 'ac-2.1',
      parameters: [{ id: 'ac-02.01_odp', label: 'automated mechanisms', guidelines: ['automated mechanisms used to support the management of system accounts are defined;'] }],
      assessmentObjectives: [{ id: 'ac-2.1_obj', label: 'AC-02(01)', text: 'the management of system accounts is supported using [Assignment: automated mechanisms].' }],
    });
    expect(ac21.attributes.assessmentMethods.map((m: any) => m.method)).toEqual(['EXAMINE', 'INTERVIEW', 'TEST']);
    expect(ac21.attributes.assessmentMethods[2].objects).toEqual(['Automated mechanisms for implementing account management functions']);
    // the zero-padded label is not a ref
    expect((await t.gql(REQ, { ref: 'AC-01' })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // no statement anywhere lost its text to nesting
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM requirement r JOIN framework f ON f.id = r.framework_id WHERE f.key = 'sp800-53-moderate' AND r.assessable AND r.text IS NULL`);
    expect(n).toBe(0);
  });

  it('keeps NIST\'s control ids for the imported 800-53: exports write ac-2.1, profiles and mapping rows may name it', async () => {
    // (the previous test imported sp800-53-moderate)
    const cat = (await get('/export/oscal/catalog/sp800-53-moderate.json')).body.catalog;
    const ac = cat.groups.find((g: any) => g.id === 'ac');
    const ac2 = ac.controls.find((c: any) => c.id === 'ac-2');
    expect([ac.title, ac.controls[0].id, ac2.title]).toEqual(['Access Control', 'ac-1', 'Account Management']);
    const ac21 = ac2.controls.find((c: any) => c.id === 'ac-2.1');
    expect(ac21.props.find((p: any) => p.name === 'label' && !p.ns).value).toBe('AC-2(1)');
    expect(ac21.title).toBe('Automated System Account Management');

    // A profile naming NIST ids selects against the held catalog.
    const d = await t.data(IMPORT_FW, { input: { format: 'OSCAL_PROFILE', key: 'acme-800-53-tailored', version: '1', name: 'Acme tailored',
      document: JSON.stringify({ profile: { uuid: '0d6f8c2a-3b4e-4f5a-8c7d-9e1f2a3b4c5d',
        metadata: { title: 'Acme tailored', 'last-modified': '2026-11-30T00:00:00Z', version: '1', 'oscal-version': '1.2.2' },
        imports: [{ href: '/export/oscal/catalog/sp800-53-moderate.json', 'include-controls': [{ 'with-ids': ['ac-2.1', 'ia-2'] }] }] } }) } });
    expect(d.importFramework.created).toBe(true);
    const rows = await requirementsOf('acme-800-53-tailored');
    expect(rows.map((r: any) => [r.ref, r.assessable])).toEqual([['ac', false], ['AC-2', true], ['AC-2(1)', true], ['ia', false], ['IA-2', true]]);

    // Mapping rows may name a control by ref, by NIST's id, or by the id the hub exported before it kept NIST's.
    const header = 'source_framework,source_ref,relationship,target_framework,target_ref,strength,rationale,note';
    const dry = await t.data(IMPORT_MAP, { input: { format: 'CSV', dryRun: true, provenance: { key: 'nist-ids', name: 'By NIST ids' },
      document: `${header}\nsp800-53-moderate,ac-2.1,INTERSECTS_WITH,iso27001,A.5.18,5,,\nsp800-53-moderate,AC-2(1),INTERSECTS_WITH,iso27001,A.5.16,5,,\nsp800-53-moderate,AC-2_1_,INTERSECTS_WITH,iso27001,A.5.15,5,,\n` } });
    expect(dry.importMappings).toMatchObject({ dryRun: true, mappingCount: 3 });
    const bad = await t.gql(IMPORT_MAP, { input: { format: 'CSV', dryRun: true, provenance: { key: 'nist-ids', name: 'By NIST ids' },
      document: `${header}\nsp800-53-moderate,ac-2.99,INTERSECTS_WITH,iso27001,A.5.18,5,,\n` } });
    expect(bad.errors?.[0].extensions?.problems.map((p: any) => p.message)).toEqual(['"ac-2.99" is not a requirement of sp800-53-moderate']);
  });

  it('reads the hub props in the old URN namespace as well as the https one exports write', async () => {
    const doc = JSON.stringify((await get('/export/oscal/catalog/eu-ai-act.json')).body);
    expect(doc).toContain('"ns":"https://control-mapping-hub.dev/ns/oscal"');
    expect(doc).not.toContain('urn:control-mapping-hub:oscal');
    const legacy = doc.replace(/"ns":"https:\/\/control-mapping-hub\.dev\/ns\/oscal"/g, '"ns":"urn:control-mapping-hub:oscal"');
    expect(legacy).not.toContain('control-mapping-hub.dev');
    await t.data(IMPORT_FW, { input: { format: 'OSCAL_CATALOG', document: legacy, key: 'legacy-ns', version: '1', name: 'Old namespace' } });
    // kind, assessable and applies-from come from hub props: the same rows as the framework itself
    const strip = (rows: any[]) => rows.map(({ ref, kind, assessable, parent }) => ({ ref, kind, assessable, parent }));
    expect(strip(await requirementsOf('legacy-ns'))).toEqual(strip(await requirementsOf('eu-ai-act')));
  });

  it('checks a CSV as a whole: every problem with its line, nothing written; dryRun writes nothing', async () => {
    const bad = 'ref,title,parent_ref,kind,assessable\nIC-1,Access,,control,true\nIC-1,Again,,control,true\nIC-2,,IC-9,widget,maybe\n';
    const r = await t.gql(IMPORT_FW, { input: { format: 'CSV', document: bad, key: 'bad-set', version: '1', name: 'Bad' } });
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].extensions?.problems).toEqual([
      { path: 'line 3', message: 'ref "IC-1" repeats line 2' },
      { path: 'line 4', message: 'title is empty' },
      { path: 'line 4', message: 'parent_ref "IC-9" is not a ref on an earlier line' },
      { path: 'line 4', message: 'assessable "maybe" is not true or false' },
      { path: 'line 4', message: expect.stringMatching(/^kind "widget" is not one of/) },
    ]);
    const dry = await t.data(IMPORT_FW, { input: { format: 'CSV', document: 'ref,title\nIC-1,Access control\n', key: 'dry-set', version: '1', name: 'Dry', dryRun: true } });
    expect(dry.importFramework).toMatchObject({ created: false, unchanged: false, dryRun: true, requirementCount: 1, framework: null });
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM framework WHERE key IN ('bad-set', 'dry-set')`);
    expect(n).toBe(0);
  });
});

describe('importMappings', () => {
  it('refuses the known-invalid community mapping collection with its errors listed', async () => {
    const r = await t.gql(IMPORT_MAP, { input: { format: 'OSCAL_MAPPING', document: fixture('NONOFFICIAL-INVALID_oscal-compass_PCI_v4-to-NIST_800-53_rev4_mapping-collection.json'), provenance: { key: 'pci', name: 'PCI' } } });
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const problems: { path: string; message: string }[] = r.errors?.[0].extensions?.problems as any;
    // the errors the reference README lists for this file: method "manual", id_ref instead of id-ref, percentage as a string
    expect(problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: "$['mapping-collection'].provenance.method", message: expect.stringMatching(/allowed values: human, automation, hybrid/) }),
      expect.objectContaining({ message: expect.stringMatching(/must NOT have additional properties \("id_ref"\)/) }),
    ]));
    expect(problems.length).toBeGreaterThanOrEqual(3);
    expect(r.errors?.[0].message).toMatch(/^The mapping document has \d+ problems; nothing was written\./);
  });

  it('an internal control set mapped to 27001 and 42001 works as a hub: evidence on one control pre-fills both', async () => {
    // 30 internal controls; the first five mapped EQUAL or SUPERSET_OF to requirements of both standards
    const controls = Array.from({ length: 30 }, (_, i) => `IC-${String(i + 1).padStart(2, '0')},Internal control ${i + 1},,control,true`);
    const fw = await t.data(IMPORT_FW, { input: { format: 'CSV', document: `ref,title,parent_ref,kind,assessable\n${controls.join('\n')}\n`, key: 'acme-controls', version: '2026.1', name: 'ACME internal controls' } });
    expect(fw.importFramework).toMatchObject({ created: true, requirementCount: 30, assessableCount: 30 });
    const rows = [
      'acme-controls,IC-01,EQUAL,iso27001,A.5.15,9,semantic,access control policy',
      'acme-controls,IC-01,SUPERSET_OF,iso42001,A.2.2,8,functional,',
      'acme-controls,IC-02,superset-of,iso27001,A.8.15,,,',
      'acme-controls,IC-02,EQUAL,iso42001,A.6.2.8,7,,',
      'acme-controls,IC-03,INTERSECTS_WITH,iso27001,A.5.1,5,,',
    ];
    const header = 'source_framework,source_ref,relationship,target_framework,target_ref,strength,rationale,note';
    const dry = await t.data(IMPORT_MAP, { input: { format: 'CSV', document: `${header}\n${rows.join('\n')}\n`, provenance: { key: 'acme-map', name: 'ACME mapping' }, dryRun: true } });
    expect(dry.importMappings).toEqual({ dryRun: true, mappingCount: 5, sets: [
      { key: 'acme-map-acme-controls-to-iso27001', sourceFramework: 'acme-controls', targetFramework: 'iso27001', mappingCount: 3 },
      { key: 'acme-map-acme-controls-to-iso42001', sourceFramework: 'acme-controls', targetFramework: 'iso42001', mappingCount: 2 },
    ] });
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM mapping_source WHERE key LIKE 'acme-map%'`))[0].n).toBe(0);
    const done = await t.data(IMPORT_MAP, { input: { format: 'CSV', document: `${header}\n${rows.join('\n')}\n`, provenance: { key: 'acme-map', name: 'ACME mapping' } } });
    expect(done.importMappings.mappingCount).toBe(5);

    await t.data(`mutation($i: UpsertEvidenceInput!) { upsertEvidence(input: $i) { evidence { id } } }`, { i: {
      sourceSystem: 'grc', externalId: 'iam-policy', title: 'IAM policy', kind: 'DOCUMENT', status: 'ACCEPTED', effectiveAt: '2026-01-01T00:00:00Z',
      links: [{ framework: 'acme-controls', ref: 'IC-01' }] } });
    const statusIn = async (key: string, ref: string) => {
      const d = await t.data(`{ coverage(framework: "${key}") { requirements(first: 200) { nodes { requirement { ref } status inferred { from { ref framework { key } } path { coverage } } } } } }`);
      return d.coverage.requirements.nodes.find((n: any) => n.requirement.ref === ref);
    };
    const a = await statusIn('iso27001', 'A.5.15');
    expect(a.status).toBe('PREFILLED');
    expect(a.inferred[0]).toEqual({ from: { ref: 'IC-01', framework: { key: 'acme-controls' } }, path: { coverage: 'FULL' } });
    const b = await statusIn('iso42001', 'A.2.2');
    expect(b.status).toBe('PREFILLED');
    expect(b.inferred[0].from).toEqual({ ref: 'IC-01', framework: { key: 'acme-controls' } });
    expect((await statusIn('acme-controls', 'IC-01')).status).toBe('COVERED');

    // the internal set's own exports are valid too, and its mappings round-trip through OSCAL
    expect(valid('catalog', (await get('/export/oscal/catalog/acme-controls.json')).body)).toBe('valid');
    const coll = (await get('/export/oscal/mapping/acme-controls/iso27001.json')).body;
    expect(valid('mapping', coll)).toBe('valid');
    const rt = await t.data(IMPORT_MAP, { input: { format: 'OSCAL_MAPPING', document: JSON.stringify(coll), provenance: { key: 'acme-rt', name: 'Round trip' } } });
    expect(rt.importMappings.sets).toEqual([{ key: 'acme-rt', sourceFramework: 'acme-controls', targetFramework: 'iso27001', mappingCount: 3 }]);
    const mappingRows = (key: string) => t.ds.query(
      `SELECT s.ref AS s, tr.ref AS t, m.relationship, m.strength, m.rationale, m.note FROM mapping m JOIN mapping_source ms ON ms.id = m.mapping_source_id
       JOIN requirement s ON s.id = m.source_requirement_id JOIN requirement tr ON tr.id = m.target_requirement_id WHERE ms.key = $1 ORDER BY s.ref, tr.ref`, [key]);
    expect(await mappingRows('acme-rt')).toEqual(await mappingRows('acme-map-acme-controls-to-iso27001'));
    // another organization sees neither the framework nor its mappings
    const theirs = await t.gql(`{ exportOscal(kind: MAPPING, source: "acme-controls", target: "iso27001") }`, undefined, { token: other });
    expect(theirs.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('checks every row: unknown frameworks and refs with their line, nothing written', async () => {
    const doc = 'source_framework,source_ref,relationship,target_framework,target_ref,strength,rationale,note\n'
      + 'iso27001,A.5.1,EQUAL,iso42001,A.2.2,11,,\n'
      + 'nope,X,EQUAL,iso42001,A.2.2,,,\n'
      + 'iso27001,Z.9,LOOKS_LIKE,iso42001,A.2.2,,vibes,\n';
    const r = await t.gql(IMPORT_MAP, { input: { format: 'CSV', document: doc, provenance: { key: 'bad-map', name: 'Bad' } } });
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].extensions?.problems).toEqual([
      { path: 'line 2', message: 'strength "11" is not an integer from 1 to 10' },
      { path: 'line 4', message: expect.stringMatching(/^relationship "LOOKS_LIKE" is not one of/) },
      { path: 'line 4', message: 'rationale "vibes" is not syntactic, semantic or functional' },
    ]);
    const r2 = await t.gql(IMPORT_MAP, { input: { format: 'CSV', document: doc.split('\n').filter((l) => !l.includes('LOOKS_LIKE')).join('\n').replace(',11,', ',9,'), provenance: { key: 'bad-map', name: 'Bad' } } });
    expect(r2.errors?.[0].extensions?.problems).toEqual([
      { path: 'line 3', message: 'framework "nope" is unknown (or not visible to this organization)' },
    ]);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM mapping_source WHERE key = 'bad-map'`))[0].n).toBe(0);
  });
});

describe('POST /import/oscal', () => {
  const post = async (query: string, body: string | Buffer, token = t.token) => {
    const res = await fetch(`${t.url.replace(/\/graphql$/, '')}/import/oscal?${query}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    return { status: res.status, body: (await res.json()) as any };
  };
  const NIST = 'NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog-min.json';

  it('takes a catalog larger than the GraphQL body limit as the raw body, with the importFramework checks', async () => {
    // 1.8 MB of NIST catalog and 6 MiB of trailing white space: over HUB_MAX_BODY_BYTES (5 MiB), under the import limit
    const big = fixture(NIST) + ' '.repeat(6 * 1024 * 1024);
    const viaGraphql = await fetch(t.url, { method: 'POST', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: IMPORT_FW, variables: { input: { format: 'OSCAL_CATALOG', document: big, key: 'sp800-53-big', version: '1', name: 'Big' } } }) });
    expect(viaGraphql.status).toBe(413);
    const r = await post('kind=catalog&key=sp800-53-big&version=1&name=NIST%20SP%20800-53%20MODERATE', big);
    expect(r).toEqual({ status: 200, body: { data: { created: true, unchanged: false, dryRun: false, requirementCount: 305, assessableCount: 287, framework: { key: 'sp800-53-big', version: '1' } } } });
    const ac21 = await t.data(`{ requirement(framework: "sp800-53-big", ref: "AC-2(1)") { text } }`);
    expect(ac21.requirement.text).toBe('Support the management of system accounts using [Assignment: automated mechanisms].');
    // the same again changes nothing; a dry run of a new key writes nothing
    expect((await post('key=sp800-53-big&version=1&name=x', big)).body.data).toMatchObject({ created: false, unchanged: true });
    expect((await post('key=sp800-53-dry&version=1&name=x&dryRun=true', fixture(NIST))).body.data).toMatchObject({ created: false, dryRun: true, requirementCount: 305 });
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM framework WHERE key = 'sp800-53-dry'`))[0].n).toBe(0);
  });

  it('refuses a body over HUB_IMPORT_MAX_BYTES, a role below EDITOR, bad arguments, and a bad document with its problems', async () => {
    const over = await post('key=too-big&version=1&name=x', Buffer.alloc(16 * 1024 * 1024 + 1, 0x20));
    expect([over.status, over.body.errors[0].extensions.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const analyst = (await new TokenService(t.ds, new OrganizationService(t.ds)).createForSlug('other-org', Role.ANALYST, 'other-analyst')).token;
    const forbidden = await post('key=x-analyst&version=1&name=x', fixture(NIST), analyst);
    expect([forbidden.status, forbidden.body.errors[0].extensions.code]).toEqual([403, 'FORBIDDEN']);
    const noKey = await post('version=1&name=x', '{}');
    expect([noKey.status, noKey.body.errors[0].extensions.code]).toEqual([400, 'BAD_USER_INPUT']);
    expect((await post('kind=profile&key=x&version=1&name=x', '{}')).body.errors[0].message).toMatch(/kind must be catalog or mapping/);
    const bad = await post('key=bad-upload&version=1&name=x', JSON.stringify({ catalog: { uuid: 'nope', metadata: { title: 'x' } } }));
    expect([bad.status, bad.body.errors[0].extensions.code]).toEqual([400, 'BAD_USER_INPUT']);
    expect(bad.body.errors[0].extensions.problems).toEqual(expect.arrayContaining([expect.objectContaining({ path: '$.catalog.uuid' })]));
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM framework WHERE key IN ('bad-upload', 'too-big', 'x-analyst')`))[0].n).toBe(0);
  });

  it('takes a mapping collection too: the v2 27001 -> 42001 export back as a set of 80', async () => {
    // only the shipped set: earlier tests gave the organization its own copy between the same pair
    const doc = (await get('/export/oscal/mapping/iso27001/iso42001.json')).body;
    doc['mapping-collection'].mappings = doc['mapping-collection'].mappings.filter((m: any) => m.props.some((p: any) => p.name === 'mapping-set-key' && p.value === 'iso27001-to-iso42001'));
    expect(doc['mapping-collection'].mappings).toHaveLength(1);
    const r = await post('kind=mapping&key=upload-rt&name=Uploaded%20round%20trip&status=DRAFT', JSON.stringify(doc));
    expect(r).toEqual({ status: 200, body: { data: { dryRun: false, mappingCount: 80, sets: [{ key: 'upload-rt', sourceFramework: 'iso27001', targetFramework: 'iso42001', mappingCount: 80 }] } } });
    const badStatus = await post('kind=mapping&key=upload-rt2&name=x&status=FINAL', JSON.stringify(doc));
    expect(badStatus.body.errors[0].message).toMatch(/^status must be one of/);
  });
});
