import { startTestHub, TestHub } from '../harness/hub';
import { seed } from '../../src/modules/catalog/catalog.seeder';
import { loadSeedBundle } from '../../src/modules/catalog/catalog.files';
import { migrate, revertLast } from '../../src/database/migrator';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

const COUNTS = `
  total: requirementCount
  assessable: requirementCount(assessableOnly: true)
  roots { ref kind }
`;
const byKind = (kind: string, extra = '') => `${kind.toLowerCase()}: requirements(first: 1, filter: { kind: ${kind} ${extra} }) { totalCount }`;

describe('seeded frameworks', () => {
  it('lists the four frameworks with version, publisher and licence position', async () => {
    const d = await t.data(`{ frameworks { key version kind publisher licenceNote sourceUrl releasedOn } }`);
    expect(d.frameworks.map((f: any) => [f.key, f.version, f.kind, f.releasedOn])).toEqual([
      ['eu-ai-act', '2024/1689', 'REGULATION', '2024-07-12'],
      ['iso27001', '2022', 'STANDARD', '2022-10-25'],
      ['iso42001', '2023', 'STANDARD', '2023-12-18'],
      ['nist-ai-rmf', '1.0', 'FRAMEWORK', '2023-01-26'],
    ]);
    for (const f of d.frameworks) expect(f.licenceNote.length).toBeGreaterThan(40);
    expect(d.frameworks.find((f: any) => f.key === 'iso42001').licenceNote).toMatch(/no normative or guidance text/);
    expect(d.frameworks.find((f: any) => f.key === 'eu-ai-act').sourceUrl).toBe('https://eur-lex.europa.eu/eli/reg/2024/1689/oj');
  });

  it('ISO/IEC 42001: 7 clauses (43 clause nodes), 9 Annex A areas, 38 controls', async () => {
    const d = await t.data(`{ framework(key: "iso42001") {
      ${COUNTS} ${byKind('CONTROL')} ${byKind('CLAUSE')} ${byKind('ANNEX_AREA')}
      leafClauses: requirements(first: 1, filter: { kind: CLAUSE, assessable: true }) { totalCount }
    } }`);
    const f = d.framework;
    expect(f.control.totalCount).toBe(38);
    expect(f.clause.totalCount).toBe(43);
    expect(f.annex_area.totalCount).toBe(11); // 9 areas + the A.6.1 and A.6.2 sub-objectives
    expect(f.roots.map((r: any) => r.ref)).toEqual(['4', '5', '6', '7', '8', '9', '10', 'A.2', 'A.3', 'A.4', 'A.5', 'A.6', 'A.7', 'A.8', 'A.9', 'A.10']);
    // 43 clause nodes - 7 top-level - 4 with sub-clauses (6.1, 7.5, 9.2, 9.3) = 32 clause requirements
    expect(f.leafClauses.totalCount).toBe(32);
    expect(f.assessable).toBe(38 + 32);
    expect(f.total).toBe(92);
  });

  it('ISO/IEC 42001 Annex A controls per area: 3/2/5/4/9/5/4/3/3', async () => {
    const d = await t.data(`{ framework(key: "iso42001") { roots { ref children { ref kind children { ref kind } } } } }`);
    const controlsUnder = (node: any): number =>
      (node.children ?? []).reduce((n: number, c: any) => n + (c.kind === 'CONTROL' ? 1 : 0) + controlsUnder(c), 0);
    const perArea = d.framework.roots.filter((r: any) => r.ref.startsWith('A.')).map((r: any) => [r.ref, controlsUnder(r)]);
    expect(perArea).toEqual([['A.2', 3], ['A.3', 2], ['A.4', 5], ['A.5', 4], ['A.6', 9], ['A.7', 5], ['A.8', 4], ['A.9', 3], ['A.10', 3]]);
  });

  it('ISO/IEC 27001: 93 Annex A controls as 37/8/14/34, 41 clause nodes', async () => {
    const theme = (ref: string) => `t${ref.slice(2)}: requirements(first: 1, filter: { parentRef: "${ref}", kind: CONTROL }) { totalCount }`;
    const d = await t.data(`{ framework(key: "iso27001") {
      ${COUNTS} ${byKind('CONTROL')} ${byKind('CLAUSE')} ${byKind('ANNEX_AREA')}
      ${theme('A.5')} ${theme('A.6')} ${theme('A.7')} ${theme('A.8')}
    } }`);
    const f = d.framework;
    expect(f.control.totalCount).toBe(93);
    expect([f.t5.totalCount, f.t6.totalCount, f.t7.totalCount, f.t8.totalCount]).toEqual([37, 8, 14, 34]);
    expect(f.clause.totalCount).toBe(41);
    expect(f.annex_area.totalCount).toBe(4);
    expect(f.total).toBe(138);
  });

  it('NIST AI RMF: 4 functions, 19 categories, 72 subcategories (GOVERN 6/19, MAP 5/18, MEASURE 4/22, MANAGE 4/13)', async () => {
    const d = await t.data(`{ framework(key: "nist-ai-rmf") {
      ${COUNTS} ${byKind('FUNCTION')} ${byKind('CATEGORY')} ${byKind('SUBCATEGORY')}
      roots { ref children { ref children { ref kind } } }
    } }`);
    const f = d.framework;
    expect([f.function.totalCount, f.category.totalCount, f.subcategory.totalCount]).toEqual([4, 19, 72]);
    expect(f.assessable).toBe(72);
    const split = f.roots.map((fn: any) => [fn.ref, fn.children.length, fn.children.reduce((n: number, c: any) => n + c.children.length, 0)]);
    expect(split).toEqual([['GOVERN', 6, 19], ['MAP', 5, 18], ['MEASURE', 4, 22], ['MANAGE', 4, 13]]);
  });

  it('EU AI Act: 13 chapters, 16 sections, 113 articles, 205 paragraphs (13 from the applicability table, 2 from the Digital Omnibus), 24 points from mappings', async () => {
    const d = await t.data(`{ framework(key: "eu-ai-act") {
      ${COUNTS} ${byKind('CHAPTER')} ${byKind('SECTION')} ${byKind('ARTICLE')} ${byKind('PARAGRAPH')} ${byKind('POINT')}
      dutyParagraphs: requirements(first: 1, filter: { kind: PARAGRAPH, assessable: true }) { totalCount }
      assessableArticles: requirements(first: 5, filter: { kind: ARTICLE, assessable: true }) { totalCount nodes { ref } }
      metadata
    } }`);
    const f = d.framework;
    expect([f.chapter.totalCount, f.section.totalCount, f.article.totalCount, f.paragraph.totalCount, f.point.totalCount]).toEqual([13, 16, 113, 190 + 13 + 2, 24]);
    // the table's 183 DUTY and TRANSITIONAL records (Art. 4 is an article) and the Omnibus's 2 prohibitions
    expect(f.dutyParagraphs.totalCount).toBe(182 + 2);
    // the one duty-bearing article without paragraphs
    expect(f.assessableArticles.nodes.map((n: any) => n.ref)).toEqual(['Art. 4']);
    expect(f.assessable).toBe(185);
    expect(f.total).toBe(332 + 13 + 2 + 24);
    expect(f.metadata.entryIntoForce).toBe('2024-08-01');
    expect(Object.keys(f.metadata.applicationDates)).toEqual(['2025-02-02', '2025-08-02', '2026-08-02', '2027-08-02']);
    expect(f.metadata.pendingAmendments[0].id).toBe('digital-omnibus-ai-2026');
  });

  it('keeps the EU AI Act facts: actors, risk tiers, dates, Annex I date, amendment note, fines', async () => {
    const q = (ref: string) => `requirement(framework: "eu-ai-act", ref: "${ref}") { ref kind title actors riskTiers appliesFrom appliesFromAnnexIProducts operatorDuty pendingAmendment assessable attributes summary }`;
    const d = await t.data(`{ a26: ${q('Art. 26')} p26: ${q('Art. 26(5)')} a27: ${q('Art. 27')} p61: ${q('Art. 6(1)')} a5: ${q('Art. 5')} f: ${q('Art. 99(3)')} pt: ${q('Art. 17(1)(b)')} }`);
    expect(d.a26).toMatchObject({ title: 'Obligations of deployers of high-risk AI systems', actors: ['DEPLOYER'], riskTiers: ['HIGH_RISK'], appliesFrom: '2026-08-02', appliesFromAnnexIProducts: '2027-08-02', operatorDuty: true, assessable: false });
    expect(d.a26.pendingAmendment).toMatch(/Digital Omnibus/);
    expect(d.p26).toMatchObject({ kind: 'PARAGRAPH', actors: ['DEPLOYER'], assessable: true });
    expect(d.a27).toMatchObject({ actors: ['DEPLOYER'], appliesFrom: '2026-08-02', appliesFromAnnexIProducts: null });
    expect(d.p61).toMatchObject({ appliesFrom: '2027-08-02', operatorDuty: false, assessable: false });
    expect(d.a5).toMatchObject({ riskTiers: ['PROHIBITED'], appliesFrom: '2025-02-02' });
    expect(d.f.attributes).toMatchObject({ maxFineEUR: 35000000, maxFinePctTurnover: 7 });
    expect(d.pt).toMatchObject({ kind: 'POINT', title: 'Art. 17(1), point (b)', assessable: false, actors: ['PROVIDER'], appliesFrom: '2026-08-02', summary: null });
    expect(d.pt.attributes).toMatchObject({ addedFrom: 'mapping-reference', point: 'b' });
  });

  it('ships no ISO text; NIST statements verbatim', async () => {
    const d = await t.data(`{
      a: framework(key: "iso42001") { requirements(first: 200) { nodes { text } } }
      b: framework(key: "iso27001") { requirements(first: 200) { nodes { text } } }
      g: requirement(framework: "nist-ai-rmf", ref: "GOVERN 1.1") { title text }
    }`);
    const texts = [...d.a.requirements.nodes, ...d.b.requirements.nodes].map((n: any) => n.text);
    expect(texts).toHaveLength(92 + 138);
    expect(texts.every((x: unknown) => x === null)).toBe(true);
    expect(d.g.text).toBe('Legal and regulatory requirements involving AI are understood, managed, and documented.');
  });

  it('keeps the hierarchy: parent, ancestors, children, depth, framework', async () => {
    const d = await t.data(`{
      c: requirement(framework: "iso42001", ref: "A.6.2.8") { title depth parent { ref } ancestors { ref } framework { key } children { ref } }
      t: requirement(framework: "iso27001", ref: "A.5") { title children { ref } }
    }`);
    expect(d.c).toEqual({ title: 'AI system recording of event logs', depth: 2, parent: { ref: 'A.6.2' }, ancestors: [{ ref: 'A.6' }, { ref: 'A.6.2' }], framework: { key: 'iso42001' }, children: [] });
    expect(d.t.title).toBe('Organizational controls');
    expect(d.t.children).toHaveLength(37);
    expect(d.t.children[0].ref).toBe('A.5.1');
    expect(d.t.children[36].ref).toBe('A.5.37');
  });

  it('pages through a framework in document order without gaps or repeats', async () => {
    const refs: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const d: any = await t.data(`query($after: String) { framework(key: "iso27001") { requirements(first: 50, after: $after) { nodes { ref position } pageInfo { hasNextPage endCursor } } } }`, { after });
      const conn = d.framework.requirements;
      refs.push(...conn.nodes.map((n: any) => n.ref));
      pages++;
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(refs).toHaveLength(138);
    expect(new Set(refs).size).toBe(138);
    expect(refs.slice(0, 3)).toEqual(['4', '4.1', '4.2']);
    expect(refs[refs.length - 1]).toBe('A.8.34');
  });
});

describe('seeding', () => {
  const counts = async () =>
    (await t.ds.query(`SELECT (SELECT count(*) FROM framework)::int f, (SELECT count(*) FROM requirement)::int r,
      (SELECT count(*) FROM mapping)::int m, (SELECT max(updated_at) FROM requirement) ru, (SELECT max(updated_at) FROM mapping) mu`))[0];

  it('is idempotent: a second run changes nothing', async () => {
    const before = await counts();
    const report = await seed(t.ds);
    expect(report.frameworks.map((f) => f.outcome)).toEqual(['UNCHANGED', 'UNCHANGED', 'UNCHANGED', 'UNCHANGED']);
    expect(report.mappingSets.map((s) => s.outcome)).toEqual(Array(8).fill('UNCHANGED'));
    expect(await counts()).toEqual(before);
    // v1 of four sets, v2 of three (with the hub's changes) and the new EU AI Act -> 27001 set
    expect(before).toMatchObject({ f: 4, r: 92 + 138 + 95 + 371, m: 280 + 79 + 93 + 84 + 80 + 187 + 150 + 82 });
  });

  it('applies a changed file row by row: only the changed rows are touched, removed mappings go', async () => {
    const bundle = loadSeedBundle();
    const iso = bundle.frameworks.find((f) => f.key === 'iso42001')!;
    iso.contentSha256 = 'changed';
    iso.nodes.find((n) => n.ref === 'A.2.2')!.title = 'AI policy (corrected)';
    const set = bundle.mappingSets.find((s) => s.key === 'iso27001-to-iso42001')!;
    set.contentSha256 = 'changed';
    set.rows = set.rows.filter((r) => !(r.sourceRef === 'A.5.1' && r.targetRef === 'A.2.2'));
    expect(set.rows).toHaveLength(78);

    const mark: { now: string }[] = await t.ds.query(`SELECT now()::text AS now`);
    const report = await seed(t.ds, bundle);
    expect(report.frameworks.map((f) => [f.key, f.outcome])).toEqual([['iso42001', 'UPDATED'], ['iso27001', 'UNCHANGED'], ['nist-ai-rmf', 'UNCHANGED'], ['eu-ai-act', 'UNCHANGED']]);
    const touched: { ref: string; title: string }[] = await t.ds.query(`SELECT ref, title FROM requirement WHERE updated_at > $1`, [mark[0].now]);
    expect(touched).toEqual([{ ref: 'A.2.2', title: 'AI policy (corrected)' }]);
    const n: { v: number; n: number }[] = await t.ds.query(`SELECT s.version AS v, count(*)::int n FROM mapping m JOIN mapping_source s ON s.id = m.mapping_source_id
      WHERE s.key = 'iso27001-to-iso42001' GROUP BY 1 ORDER BY 1`);
    expect(n).toEqual([{ v: 1, n: 78 }, { v: 2, n: 80 }]);
  });
});

describe('migrations', () => {
  it('are reversible: each down undoes its up, and up again restores the schema', async () => {
    const empty = await startTestHub({ seeded: false });
    try {
      const exists = async (table: string) => (await empty.ds.query(`SELECT to_regclass($1) IS NOT NULL AS e`, [`public.${table}`]))[0].e;
      const rls = async () => (await empty.ds.query(`SELECT relrowsecurity AS r FROM pg_class WHERE relname = 'evidence'`))[0].r;
      expect([await exists('mapping'), await exists('evidence_link'), await exists('ai_system'), await exists('audit_event'), await exists('evidence_rollup'), await rls()]).toEqual([true, true, true, true, true, true]);
      const ownerColumn = async () => (await empty.ds.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'framework' AND column_name = 'organization_id'`))[0].n;
      expect(await ownerColumn()).toBe(1);
      const lengthChecks = async () => (await empty.ds.query(`SELECT count(*)::int AS n FROM pg_constraint WHERE conname LIKE 'ck\\_%\\_length'`))[0].n;
      const privileges = async () => (await empty.ds.query(`SELECT to_regprocedure('hub_audit_append(jsonb)') IS NOT NULL AS f, (SELECT relrowsecurity FROM pg_class WHERE relname = 'api_token') AS r`))[0];
      const euTables = async () => [await exists('legal_text_version'), await exists('applicability_rule'), await exists('amendment_publication')];
      const graphTables = async () => [await exists('mapping_graph'), await exists('organization_condition'), await exists('mapping_set_pin'), await exists('mapping_change_set')];
      const v7Defaults = async () => (await empty.ds.query(`SELECT count(*)::int AS n FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
        WHERE pg_get_expr(d.adbin, d.adrelid) = 'hub_uuid_v7()'`))[0].n;
      const eventTables = async () => [await exists('hub_event'), await exists('coverage_status_period'), await exists('coverage_dirty'),
        (await empty.ds.query(`SELECT to_regnamespace('hub_jobs') IS NOT NULL AS e`))[0].e];
      const webhookTables = async () => [await exists('webhook_endpoint'), await exists('webhook_secret'), await exists('webhook_delivery'), await exists('webhook_attempt')];
      const webhookGrants = async () => (await empty.ds.query(`SELECT position('webhook_endpoint' IN prosrc) > 0 AS g FROM pg_proc WHERE proname = 'hub_grant_application_role'`))[0].g;
      expect([await webhookTables(), await webhookGrants(), await v7Defaults()]).toEqual([[true, true, true, true], true, 12]);
      const dutyTable = async () => [await exists('ai_system_duty'), (await empty.ds.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'organization' AND column_name = 'duties_scanned_at'`))[0].n];
      expect(await dutyTable()).toEqual([true, 1]);
      // What a Statement of Applicability sheet says beside the decision: declared implementation and owner.
      const soaColumns = async () => (await empty.ds.query(`SELECT count(*)::int AS n FROM information_schema.columns
        WHERE table_name = 'applicability_decision' AND column_name IN ('implementation', 'owner')`))[0].n;
      expect(await soaColumns()).toBe(2);
      await revertLast(empty.ds);
      expect(await soaColumns()).toBe(0);
      // The request gate: counters and token lookup in one function, granted to the application role.
      const gate = async () => (await empty.ds.query(`SELECT to_regprocedure('hub_begin_request(text, bytea, integer, bytea, integer, integer)') IS NOT NULL AS f,
        (SELECT position('hub_begin_request' IN prosrc) > 0 FROM pg_proc WHERE proname = 'hub_grant_application_role') AS g`))[0];
      expect(await gate()).toEqual({ f: true, g: true });
      await revertLast(empty.ds);
      expect(await gate()).toEqual({ f: false, g: false });
      // State the hub's processes share: rate-limit counters (unlogged) and claimed job periods, granted to the application role.
      const sharedState = async () => [await exists('hub_rate_limit'), await exists('hub_job_run'),
        (await empty.ds.query(`SELECT relpersistence AS p FROM pg_class WHERE relname = 'hub_rate_limit'`))[0]?.p ?? null,
        (await empty.ds.query(`SELECT position('hub_job_run' IN prosrc) > 0 AS g FROM pg_proc WHERE proname = 'hub_grant_application_role'`))[0].g];
      expect(await sharedState()).toEqual([true, true, 'u', true]);
      await revertLast(empty.ds);
      expect(await sharedState()).toEqual([false, false, null, false]);
      // Citus-ready keys: organization_id in the keys of organization-owned tables and in the foreign keys between them.
      const evidenceKeys = async () => (await empty.ds.query(`SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint
        WHERE conname IN ('pk_evidence', 'fk_evidence_review_evidence', 'fk_register_record_ai_system') ORDER BY conname`)).map((r: { d: string }) => r.d);
      expect(await evidenceKeys()).toEqual(['FOREIGN KEY (organization_id, evidence_id) REFERENCES evidence(organization_id, id) ON DELETE CASCADE',
        'FOREIGN KEY (organization_id, ai_system_id) REFERENCES ai_system(organization_id, id) ON DELETE SET NULL (ai_system_id)', 'PRIMARY KEY (id, organization_id)']);
      await revertLast(empty.ds);
      expect(await evidenceKeys()).toEqual(['FOREIGN KEY (evidence_id) REFERENCES evidence(id) ON DELETE CASCADE',
        'FOREIGN KEY (ai_system_id) REFERENCES ai_system(id) ON DELETE SET NULL', 'PRIMARY KEY (id)']);
      expect(await dutyTable()).toEqual([true, 1]);
      await revertLast(empty.ds);
      expect(await dutyTable()).toEqual([false, 0]);
      // The event write path: a link's organization is checked through its evidence (one foreign key instead of two).
      const linkKeys = async () => (await empty.ds.query(`SELECT string_agg(conname, ',' ORDER BY conname) AS k FROM pg_constraint WHERE conrelid = 'evidence_link'::regclass AND contype = 'f'`))[0].k;
      const linkColumns = async () => (await empty.ds.query(`SELECT position('linkColumns' IN prosrc) > 0 AS c FROM pg_proc WHERE proname = 'hub_events_link_insert'`))[0].c;
      expect([await linkKeys(), await linkColumns()]).toEqual(['fk_evidence_link_organization_evidence,fk_evidence_link_requirement', true]);
      await revertLast(empty.ds);
      expect([await linkKeys(), await linkColumns(), await webhookTables()]).toEqual(['fk_evidence_link_evidence,fk_evidence_link_organization,fk_evidence_link_requirement', false, [true, true, true, true]]);
      await revertLast(empty.ds);
      expect([await webhookTables(), await webhookGrants(), await eventTables()]).toEqual([[false, false, false, false], false, [true, true, true, true]]);
      expect([await eventTables(), await v7Defaults()]).toEqual([[true, true, true, true], 8]);
      await revertLast(empty.ds);
      expect([await eventTables(), await v7Defaults()]).toEqual([[false, false, false, false], 7]);
      await revertLast(empty.ds);
      expect([await v7Defaults(), (await empty.ds.query(`SELECT to_regprocedure('hub_uuid_v7()') IS NULL AS gone`))[0].gone]).toEqual([0, true]);
      expect(await graphTables()).toEqual([true, true, true, true]);
      await revertLast(empty.ds);
      expect(await graphTables()).toEqual([false, false, false, false]);
      expect(await euTables()).toEqual([true, true, true]);
      await revertLast(empty.ds);
      expect(await euTables()).toEqual([false, false, false]);
      expect([await lengthChecks(), await privileges()]).toEqual([53, { f: true, r: true }]);
      const applicabilityFunctions = async () => (await empty.ds.query(`SELECT count(*)::int AS n FROM pg_proc WHERE proname LIKE 'hub\\_appl\\_%'`))[0].n;
      expect(await applicabilityFunctions()).toBe(10);
      await revertLast(empty.ds);
      expect([await applicabilityFunctions(), await lengthChecks()]).toEqual([0, 53]);
      await revertLast(empty.ds);
      expect([await lengthChecks(), await privileges(), await ownerColumn()]).toEqual([0, { f: true, r: true }, 1]);
      await revertLast(empty.ds);
      expect([await privileges(), await ownerColumn()]).toEqual([{ f: false, r: false }, 1]);
      await revertLast(empty.ds);
      expect(await ownerColumn()).toBe(0);
      await revertLast(empty.ds);
      expect([await exists('evidence_rollup'), await exists('evidence_link')]).toEqual([false, true]);
      await revertLast(empty.ds);
      await revertLast(empty.ds);
      expect([await exists('audit_event'), await rls()]).toEqual([true, false]);
      await revertLast(empty.ds);
      expect([await exists('ai_system'), await exists('audit_event')]).toEqual([true, false]);
      await revertLast(empty.ds);
      expect([await exists('evidence_link'), await exists('ai_system')]).toEqual([true, false]);
      await revertLast(empty.ds);
      expect([await exists('mapping'), await exists('evidence_link')]).toEqual([true, false]);
      await revertLast(empty.ds);
      expect(await exists('mapping')).toBe(false);
      expect(await migrate(empty.ds)).toEqual(['ControlGraph1764201600000', 'EvidenceCoverage1764288000000', 'AiManagementSystem1764374400000', 'Trust1764460800000', 'RowLevelSecurity1764547200000', 'AuditImages1764633600000', 'EvidenceRollup1764720000000', 'Interchange1764806400000', 'LeastPrivilege1764892800000', 'TextLimits1764979200000', 'ApplicabilitySql1765152000000', 'EuAiActFacts1765238400000', 'MappingVersions1765324800000', 'TimeOrderedIds1765411200000', 'Events1765497600000', 'Webhooks1765584000000', 'EventWritePath1765670400000', 'DutyEvents1765756800000', 'CitusKeys1765843200000', 'SharedState1765929600000', 'RequestGate1766016000000', 'SoaImport1766102400000']);
      expect([await exists('mapping'), await exists('evidence_link'), await exists('mapping_closure'), await exists('register_record'), await exists('evidence_rollup')]).toEqual([true, true, true, true, true]);
    } finally {
      await empty.stop();
    }
  });
});
