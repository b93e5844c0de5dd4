import { parse } from 'csv-parse/sync';
import { startTestHub, TestHub } from '../harness/hub';

/**
 * One organization's evidence on ISO/IEC 27001, read back in every framework's reports through the
 * real seeded mappings. Expected values were worked out by hand from seeds/mappings/v2/iso27001_to_iso42001.json
 * (the organization declares one competence process for the ISMS and the AIMS since 2025-01-01, so the
 * qualified 7.2 row reads EQUAL; its other qualified rows stay INTERSECTS_WITH):
 *   27001 7.2   -EQUAL(9)-> 42001 7.2          27001 4.1 -INTERSECTS(8)-> 42001 4.1
 *   27001 A.5.1 -INTERSECTS-> 42001 A.2.2, A.2.3, A.2.4      27001 A.8.15 -INTERSECTS(7)-> 42001 A.6.2.8
 */
let t: TestHub;
const ids: Record<string, string> = {};

const UPSERT = `mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) { outcome evidence { id } } }`;
const ev = (externalId: string, ref: string, over: Record<string, unknown> = {}) => ({
  sourceSystem: 'grc', externalId, title: externalId, kind: 'DOCUMENT', effectiveAt: '2025-06-01T00:00:00Z', status: 'ACCEPTED',
  links: [{ framework: 'iso27001', ref }], ...over,
});

beforeAll(async () => {
  t = await startTestHub();
  await t.data(`mutation { declareOrganizationCondition(input: { condition: "integratedManagementSystem", parameters: ["competence"], holds: true,
    effectiveFrom: "2025-01-01T00:00:00Z", note: "One competence process covers the ISMS and the AIMS" }) { graph { id } } }`);
  for (const [key, input] of [
    ['competence', ev('competence', '7.2')],
    ['context', ev('context', '4.1')],
    ['policy', ev('policy', 'A.5.1', { effectiveAt: '2025-01-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' })],
    ['logging', ev('logging', 'A.8.15', { status: 'DRAFT' })],
  ] as const) {
    ids[key] = (await t.data(UPSERT, { input })).upsertEvidence.evidence.id;
  }
  await t.data(`mutation { setApplicability(input: { framework: "iso27001", ref: "A.7.4", applicability: NOT_APPLICABLE,
    justification: "No physical premises: fully remote organization", reasons: [RISK_TREATMENT] }) { id } }`);
});
afterAll(async () => {
  await t.stop();
});

const TOTALS = `totals { notApplicable covered prefilled partial stale pending gap assessable applicable percentCovered percentWithPrefill }`;
const statusOf = async (framework: string, asOf?: string) => {
  const d = await t.data(`query($asOf: DateTime) { coverage(framework: "${framework}", asOf: $asOf) { requirements(first: 200) { nodes { requirement { ref } status } } } }`, { asOf });
  return Object.fromEntries(d.coverage.requirements.nodes.map((n: any) => [n.requirement.ref, n.status]));
};

describe('coverage semantics on the seeded graph', () => {
  it('27001: direct evidence is COVERED, expired STALE, draft PENDING; NOT_APPLICABLE leaves the denominator', async () => {
    const d = await t.data(`{ coverage(framework: "iso27001") { maxDepth ${TOTALS} } }`);
    expect(d.coverage.maxDepth).toBe(2);
    expect(d.coverage.totals).toEqual({
      notApplicable: 1, covered: 2, prefilled: 0, partial: 0, stale: 1, pending: 1, gap: 118,
      assessable: 123, applicable: 122, percentCovered: 1.6, percentWithPrefill: 1.6,
    });
    const s = await statusOf('iso27001');
    expect([s['7.2'], s['4.1'], s['A.5.1'], s['A.8.15'], s['A.7.4'], s['A.5.2']]).toEqual(['COVERED', 'COVERED', 'STALE', 'PENDING', 'NOT_APPLICABLE', 'GAP']);
  });

  it('42001: EQUAL gives PREFILLED with its path, INTERSECTS_WITH gives PARTIAL, and stale/pending carry over', async () => {
    const d = await t.data(`{ coverage(framework: "iso42001") { ${TOTALS}
      requirements(status: [PREFILLED, PARTIAL]) { totalCount nodes { requirement { ref } status direct { id }
        inferred { coverage state evidence { externalId } link { coverage requirement { ref } } from { ref framework { key } }
          path { coverage length minStrength hops { relationship strength seenFrom { ref } counterpart { ref framework { key } } source { key status } } } } } }
    } }`);
    const c = d.coverage;
    expect(c.totals).toEqual({
      notApplicable: 0, covered: 0, prefilled: 1, partial: 1, stale: 3, pending: 1, gap: 64,
      assessable: 70, applicable: 70, percentCovered: 0, percentWithPrefill: 1.4,
    });
    expect(c.requirements.totalCount).toBe(2);
    const [partial, prefilled] = c.requirements.nodes;
    expect(prefilled).toEqual({
      requirement: { ref: '7.2' },
      status: 'PREFILLED',
      direct: [],
      inferred: [{
        coverage: 'FULL', state: 'VALID', evidence: { externalId: 'competence' }, link: { coverage: 'FULL', requirement: { ref: '7.2' } },
        from: { ref: '7.2', framework: { key: 'iso27001' } },
        path: { coverage: 'FULL', length: 1, minStrength: 9, hops: [{ relationship: 'EQUAL', strength: 9, seenFrom: { ref: '7.2' }, counterpart: { ref: '7.2', framework: { key: 'iso42001' } }, source: { key: 'iso27001-to-iso42001', status: 'DRAFT' } }] },
      }],
    });
    expect(partial.requirement.ref).toBe('4.1');
    expect(partial.inferred[0]).toMatchObject({ coverage: 'PARTIAL', state: 'VALID', path: { coverage: 'PARTIAL', hops: [{ relationship: 'INTERSECTS_WITH', strength: 8 }] } });
    const s = await statusOf('iso42001');
    expect([s['A.2.2'], s['A.2.3'], s['A.2.4'], s['A.6.2.8'], s['A.2.1'], s['8.4']]).toEqual(['STALE', 'STALE', 'STALE', 'PENDING', undefined, 'GAP']);
  });

  it('group roll-ups add up to the totals, level by level', async () => {
    const d = await t.data(`{ coverage(framework: "iso42001") { ${TOTALS}
      groups { group { ref } totals { assessable covered prefilled partial stale pending gap notApplicable }
        children { group { ref } totals { assessable stale pending gap } } } } }`);
    const { groups, totals } = d.coverage;
    for (const k of ['assessable', 'covered', 'prefilled', 'partial', 'stale', 'pending', 'gap', 'notApplicable']) {
      expect(groups.reduce((n: number, g: any) => n + g.totals[k], 0)).toBe(totals[k]);
    }
    const g = (ref: string) => groups.find((x: any) => x.group.ref === ref);
    expect(g('7').totals).toMatchObject({ assessable: 7, prefilled: 1, gap: 6 });
    expect(g('A.2').totals).toMatchObject({ assessable: 3, stale: 3, gap: 0 });
    expect(g('A.6').children.map((c: any) => [c.group.ref, c.totals.assessable, c.totals.pending])).toEqual([['A.6.1', 2, 0], ['A.6.2', 7, 1]]);
    expect(g('A.6').totals.assessable).toBe(9);
  });

  it('reaches further frameworks within maxDepth: NIST through 42001 at depth 2, nothing at depth 1', async () => {
    const one = await t.data(`{ coverage(framework: "nist-ai-rmf", maxDepth: 1) { totals { gap assessable } } }`);
    expect(one.coverage.totals).toEqual({ gap: 72, assessable: 72 });
    const s = await t.data(`{ coverage(framework: "nist-ai-rmf", maxDepth: 2) { requirements(status: [PARTIAL]) { nodes { requirement { ref } inferred(first: 1) { path { length hops { counterpart { ref } } } } } } } }`);
    const refs = s.coverage.requirements.nodes.map((n: any) => n.requirement.ref);
    // 42001 7.2 reaches GOVERN 2.1, 2.2, 3.2, MAP 1.2, 3.4 in the NIST crosswalk; every such path is PARTIAL
    expect(refs).toEqual(expect.arrayContaining(['GOVERN 2.1', 'GOVERN 2.2', 'GOVERN 3.2', 'MAP 1.2', 'MAP 3.4']));
    for (const n of s.coverage.requirements.nodes) expect(n.inferred[0].path.length).toBe(2);
  });

  it('asOf before the links were made shows GAP everywhere', async () => {
    const d = await t.data(`{ a: coverage(framework: "iso27001", asOf: "2025-12-01T00:00:00Z") { ${TOTALS} } b: coverage(framework: "iso42001", asOf: "2025-12-01T00:00:00Z") { totals { gap assessable } } }`);
    // the NOT_APPLICABLE decision was also made after that date
    expect(d.a.totals).toMatchObject({ gap: 123, notApplicable: 0, covered: 0 });
    expect(d.b.totals).toEqual({ gap: 70, assessable: 70 });
  });

  it('coverageSummary shows every framework side by side', async () => {
    const d = await t.data(`{ coverageSummary { framework { key } totals { covered prefilled assessable applicable } } }`);
    expect(d.coverageSummary.map((f: any) => [f.framework.key, f.totals.covered, f.totals.prefilled, f.totals.assessable, f.totals.applicable])).toEqual([
      ['eu-ai-act', 0, 0, 185, 185],
      ['iso27001', 2, 0, 123, 122],
      ['iso42001', 0, 1, 70, 70],
      ['nist-ai-rmf', 0, 0, 72, 72],
    ]);
  });

  it('coverage(framework).requirement(ref) explains one requirement as the paged list does', async () => {
    const E = `requirement { ref } status direct { evidence { externalId } } inferred { evidence { externalId } from { ref } path { coverage hops { relationship } } }`;
    const d = await t.data(`{ coverage(framework: "iso42001") { one: requirement(ref: "A.2.2") { ${E} } two: requirement(ref: "4.1") { ${E} }
      requirements(first: 200) { nodes { ${E} } } } }`);
    const list = d.coverage.requirements.nodes;
    expect(d.coverage.one).toEqual(list.find((n: any) => n.requirement.ref === 'A.2.2'));
    expect(d.coverage.two).toEqual(list.find((n: any) => n.requirement.ref === '4.1'));
    const unknown = await t.gql(`{ coverage(framework: "iso42001") { requirement(ref: "Z.9") { status } } }`);
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const group = await t.gql(`{ coverage(framework: "iso42001") { requirement(ref: "A.2") { status } } }`);
    expect(group.errors?.[0]).toMatchObject({ message: '"A.2" only groups other requirements; ask for one of its assessable requirements', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('coverageSummary gives each framework\'s group roll-ups, the same as coverage(framework).groups', async () => {
    const G = `groups { group { ref } totals { assessable covered prefilled partial gap notApplicable } }`;
    const d = await t.data(`{ coverageSummary { framework { key } ${G} }
      a: coverage(framework: "iso27001") { ${G} } b: coverage(framework: "iso42001") { ${G} } c: coverage(framework: "nist-ai-rmf") { ${G} } e: coverage(framework: "eu-ai-act") { ${G} } }`);
    const by = Object.fromEntries(d.coverageSummary.map((f: any) => [f.framework.key, f.groups]));
    expect(by['iso27001']).toEqual(d.a.groups);
    expect(by['iso42001']).toEqual(d.b.groups);
    expect(by['nist-ai-rmf']).toEqual(d.c.groups);
    expect(by['eu-ai-act']).toEqual(d.e.groups);
    // 27001: clauses 4-10 and the four Annex A themes; the two covered requirements sit in Annex A
    expect(by['iso27001'].map((g: any) => g.group.ref)).toEqual(['4', '5', '6', '7', '8', '9', '10', 'A.5', 'A.6', 'A.7', 'A.8']);
    expect(by['iso27001'].reduce((n: number, g: any) => n + g.totals.assessable, 0)).toBe(123);
    expect(by['nist-ai-rmf'].map((g: any) => g.group.ref)).toEqual(['GOVERN', 'MAP', 'MEASURE', 'MANAGE']);
  });
});

describe('prefill, reuse and gaps', () => {
  it('prefill: 27001 evidence pre-fills 1 of 70 42001 requirements fully and 1 partially, with the residual', async () => {
    const d = await t.data(`{ prefill(from: "iso27001", to: "iso42001") {
      totals { assessable full partial none }
      groups { group { ref } totals { full partial } }
      requirements { requirement { ref } reach contributions { evidence { externalId } path { coverage } }
        residual { title partialLink partialHops { relationship seenFrom { ref } counterpart { ref } } } }
    } }`);
    const p = d.prefill;
    expect(p.totals).toEqual({ assessable: 70, full: 1, partial: 1, none: 68 });
    expect(p.requirements).toEqual([
      { requirement: { ref: '4.1' }, reach: 'PARTIAL', contributions: [{ evidence: { externalId: 'context' }, path: { coverage: 'PARTIAL' } }],
        residual: { title: 'Understanding the organization and its context', partialLink: false, partialHops: [{ relationship: 'INTERSECTS_WITH', seenFrom: { ref: '4.1' }, counterpart: { ref: '4.1' } }] } },
      { requirement: { ref: '7.2' }, reach: 'FULL', contributions: [{ evidence: { externalId: 'competence' }, path: { coverage: 'FULL' } }], residual: null },
    ]);
    expect(p.groups.find((g: any) => g.group.ref === '7').totals).toEqual({ full: 1, partial: 0 });
  });

  it('reusePotential: before any evidence, 1 of 70 42001 requirements is reachable fully (the declared competence process), 62 partially, 7 not at all', async () => {
    const d = await t.data(`{ reusePotential(from: "iso27001", to: "iso42001") {
      totals { assessable full partial none }
      groups { group { ref } totals { full partial none } }
      requirements { requirement { ref } reach path { coverage hops { relationship } } }
    } }`);
    const r = d.reusePotential;
    // Within two hops: the 27001 -> 42001 rows, and 27001 -> EU AI Act paragraph -> 42001, which now also reaches
    // 6.1.4, A.4.6 and A.7.4-A.7.6 (e.g. A.5.34 -> Art. 10(2) -> A.7.4). Only 7.2 reads EQUAL for this organization.
    expect(r.totals).toEqual({ assessable: 70, full: 1, partial: 62, none: 7 });
    const group = (ref: string) => r.groups.find((g: any) => g.group.ref === ref).totals;
    expect(group('A.5')).toEqual({ full: 0, partial: 1, none: 3 });
    expect(group('7')).toEqual({ full: 1, partial: 6, none: 0 });
    const none = r.requirements.filter((x: any) => x.reach === 'NONE').map((x: any) => x.requirement.ref);
    expect(none).toEqual(['8.4', 'A.5.2', 'A.5.3', 'A.5.5', 'A.8.2', 'A.8.3', 'A.10.4']);
    const eq = r.requirements.find((x: any) => x.requirement.ref === '7.2');
    expect(eq).toEqual({ requirement: { ref: '7.2' }, reach: 'FULL', path: { coverage: 'FULL', hops: [{ relationship: 'EQUAL' }] } });
    // the internal audit process was not declared: its row reads as stored
    const audit = r.requirements.find((x: any) => x.requirement.ref === '9.2.1');
    expect(audit).toEqual({ requirement: { ref: '9.2.1' }, reach: 'PARTIAL', path: { coverage: 'PARTIAL', hops: [{ relationship: 'INTERSECTS_WITH' }] } });
  });

  it('gaps lists what needs work, with evidence already held as suggestions', async () => {
    const d = await t.data(`{ gaps(framework: "iso42001") { totals { gap } items { requirement { ref } status group { ref }
      suggestedEvidence { evidence { externalId } state coverage from { ref } } } } }`);
    const items = d.gaps.items;
    expect(items).toHaveLength(1 + 3 + 1 + 64); // partial, stale, pending, gap: everything but the pre-fill
    expect(items.map((i: any) => i.requirement.ref)).not.toContain('7.2');
    const a22 = items.find((i: any) => i.requirement.ref === 'A.2.2');
    expect(a22).toEqual({ requirement: { ref: 'A.2.2' }, status: 'STALE', group: { ref: 'A.2' }, suggestedEvidence: [{ evidence: { externalId: 'policy' }, state: 'STALE', coverage: 'PARTIAL', from: { ref: 'A.5.1' } }] });
    // ordered by group, in document order
    const positions = items.map((i: any) => i.requirement.ref);
    expect(positions.slice(0, 3)).toEqual(['4.1', '4.2', '4.3']);
  });
});

describe('confirming and rejecting pre-fills, and unlinking', () => {
  it('confirmPrefill makes a direct link by a person: PREFILLED becomes COVERED', async () => {
    const d = await t.data(`mutation { confirmPrefill(input: { framework: "iso42001", ref: "7.2", evidenceId: "${ids.competence}" }) {
      coverage origin linkedBy prefillPath requirement { ref framework { key } } } }`);
    expect(d.confirmPrefill).toMatchObject({ coverage: 'FULL', origin: 'CONFIRMED_PREFILL', linkedBy: t.actor, requirement: { ref: '7.2', framework: { key: 'iso42001' } } });
    expect(d.confirmPrefill.prefillPath).toMatchObject({ pathCoverage: 'FULL', linkCoverage: 'FULL' });
    expect(d.confirmPrefill.prefillPath.mappingIds).toHaveLength(1);
    expect((await statusOf('iso42001'))['7.2']).toBe('COVERED');
    const none = await t.gql(`mutation { confirmPrefill(input: { framework: "iso42001", ref: "8.4", evidenceId: "${ids.competence}" }) { id } }`);
    expect(none.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'evidenceId' });
  });

  it('rejectPrefill removes the evidence from that requirement and from its suggestions', async () => {
    const d = await t.data(`mutation { rejectPrefill(input: { framework: "iso42001", ref: "4.1", evidenceId: "${ids.context}",
      reason: "Our context analysis covers the ISMS only" }) { reason rejectedBy requirement { ref } evidence { externalId } } }`);
    expect(d.rejectPrefill).toEqual({ reason: 'Our context analysis covers the ISMS only', rejectedBy: t.actor, requirement: { ref: '4.1' }, evidence: { externalId: 'context' } });
    expect((await statusOf('iso42001'))['4.1']).toBe('GAP');
    const g = await t.data(`{ gaps(framework: "iso42001") { items { requirement { ref } suggestedEvidence { evidence { externalId } } } } }`);
    expect(g.gaps.items.find((i: any) => i.requirement.ref === '4.1').suggestedEvidence).toEqual([]);
    // 27001 4.1 itself is untouched
    expect((await statusOf('iso27001'))['4.1']).toBe('COVERED');
  });

  it('an ended link still counts as of a date while it was active', async () => {
    const [{ now }] = await t.ds.query(`SELECT now()::text AS now`);
    await t.data(`mutation { unlinkEvidence(input: { evidenceId: "${ids.competence}", framework: "iso27001", ref: "7.2" }) { link { id } } }`);
    // the same evidence, confirmed on 42001 7.2 above, now reaches 27001 7.2 back through the EQUAL mapping
    expect((await statusOf('iso27001'))['7.2']).toBe('PREFILLED');
    expect((await statusOf('iso27001', new Date(now).toISOString()))['7.2']).toBe('COVERED');
  });
});

describe('Statement of Applicability', () => {
  it('lists every Annex A control with decision and implementation status, and keeps history', async () => {
    await t.data(`mutation { setApplicability(input: { framework: "iso27001", ref: "A.5.2", applicability: APPLICABLE, reasons: [LEGAL_REGULATORY, BEST_PRACTICE] }) { id } }`);
    const d = await t.data(`{ statementOfApplicability(framework: "iso27001") { applicable notApplicable undecided
      rows { requirement { ref } implementationStatus decision { applicability justification reasons decidedBy } } } }`);
    const soa = d.statementOfApplicability;
    expect(soa.rows).toHaveLength(93);
    expect([soa.applicable, soa.notApplicable, soa.undecided]).toEqual([1, 1, 91]);
    const row = (ref: string) => soa.rows.find((r: any) => r.requirement.ref === ref);
    expect(row('A.7.4')).toEqual({ requirement: { ref: 'A.7.4' }, implementationStatus: 'NOT_APPLICABLE', decision: { applicability: 'NOT_APPLICABLE', justification: 'No physical premises: fully remote organization', reasons: ['RISK_TREATMENT'], decidedBy: t.actor } });
    expect(row('A.5.1').implementationStatus).toBe('STALE');

    await t.data(`mutation { setApplicability(input: { framework: "iso27001", ref: "A.7.4", applicability: APPLICABLE, reasons: [CONTRACTUAL] }) { id } }`);
    const h: any[] = await t.ds.query(`SELECT applicability, superseded_at IS NOT NULL AS superseded FROM applicability_decision d
      JOIN requirement r ON r.id = d.requirement_id WHERE r.ref = 'A.7.4' ORDER BY decided_at`);
    expect(h).toEqual([{ applicability: 'NOT_APPLICABLE', superseded: true }, { applicability: 'APPLICABLE', superseded: false }]);
  });

  it('refuses NOT_APPLICABLE without justification, and decisions on grouping nodes', async () => {
    const a = await t.gql(`mutation { setApplicability(input: { framework: "iso27001", ref: "A.8.1", applicability: NOT_APPLICABLE, justification: "  " }) { id } }`);
    expect(a.errors?.[0]).toMatchObject({ message: 'justification is required for NOT_APPLICABLE', extensions: { code: 'BAD_USER_INPUT', field: 'justification' } });
    const b = await t.gql(`mutation { setApplicability(input: { framework: "iso27001", ref: "A.8", applicability: APPLICABLE }) { id } }`);
    expect(b.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ref' });
  });
});

describe('CSV exports', () => {
  const csv = async (path: string) => {
    const res = await fetch(t.url.replace('/graphql', path), { headers: { authorization: `Bearer ${t.token}` } });
    const rows: any = res.status === 200 ? parse(await res.text(), { columns: true }) : await res.json();
    return { status: res.status, type: res.headers.get('content-type'), rows };
  };

  it('coverage.csv, gaps.csv and soa.csv match the GraphQL reports', async () => {
    const g = await t.data(`{ coverage(framework: "iso42001") { totals { covered prefilled partial stale pending gap assessable } } gaps(framework: "iso42001") { items { requirement { ref } } } }`);
    const cov = await csv('/export/coverage.csv?framework=iso42001');
    expect(cov.status).toBe(200);
    expect(cov.type).toMatch(/^text\/csv/);
    expect(cov.rows).toHaveLength(g.coverage.totals.assessable);
    const count = (s: string) => cov.rows.filter((r: any) => r.status === s).length;
    expect([count('COVERED'), count('PREFILLED'), count('PARTIAL'), count('STALE'), count('PENDING'), count('GAP')]).toEqual([
      g.coverage.totals.covered, g.coverage.totals.prefilled, g.coverage.totals.partial, g.coverage.totals.stale, g.coverage.totals.pending, g.coverage.totals.gap,
    ]);
    expect(cov.rows.find((r: any) => r.ref === 'A.6.2.8')).toMatchObject({ framework: 'iso42001', title: 'AI system recording of event logs', group: 'A.6', status: 'PENDING', max_depth: '2' });

    const gaps = await csv('/export/gaps.csv?framework=iso42001');
    expect(gaps.rows.map((r: any) => r.ref)).toEqual(g.gaps.items.map((i: any) => i.requirement.ref));
    expect(gaps.rows.find((r: any) => r.ref === 'A.2.2').suggested_evidence).toBe('policy (partial)');

    const soa = await csv('/export/soa.csv?framework=iso27001');
    expect(soa.rows).toHaveLength(93);
    expect(soa.rows.find((r: any) => r.ref === 'A.5.2')).toMatchObject({ applicability: 'APPLICABLE', reasons: 'LEGAL_REGULATORY; BEST_PRACTICE', implementation_status: 'GAP' });
  });

  it('answers bad parameters with a JSON error and a status code', async () => {
    expect(await csv('/export/coverage.csv')).toMatchObject({ status: 400, rows: { errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'framework' } }] } });
    expect(await csv('/export/coverage.csv?framework=soc2')).toMatchObject({ status: 404, rows: { errors: [{ extensions: { code: 'NOT_FOUND' } }] } });
    expect(await csv('/export/gaps.csv?framework=iso42001&asOf=yesterday')).toMatchObject({ status: 400, rows: { errors: [{ extensions: { field: 'asOf' } }] } });
    expect(await csv('/export/soa.csv?framework=iso42001&maxDepth=9')).toMatchObject({ status: 400, rows: { errors: [{ extensions: { field: 'maxDepth' } }] } });
  });
});
