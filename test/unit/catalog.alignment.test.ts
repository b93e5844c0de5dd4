import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSeedBundle, seedsDir } from '../../src/modules/catalog/catalog.files';
import { AmendmentEffects, ApplicabilityTable, CatalogAlignment, Departure, alignCatalog, parseRiskTier, recordDates } from '../../src/modules/catalog/catalog.alignment';
import { NodeSeed, RawCatalog, SeedDataError, transformCatalog } from '../../src/modules/catalog/catalog.transform';

/**
 * The EU AI Act catalog as seeded against seeds/eu-ai-act/applicability.json. The expected values are read
 * from the table here, with their own few lines of code, not through catalog.alignment.ts.
 */
const dir = seedsDir();
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as T;
const table = readJson<ApplicabilityTable>('eu-ai-act/applicability.json');
const effects = readJson<AmendmentEffects>('eu-ai-act/amendment-effects.json');
const alignment = readJson<CatalogAlignment>('eu-ai-act/catalog-alignment.json');
const eu = loadSeedBundle().frameworks.find((f) => f.key === 'eu-ai-act')!;
const byRef = new Map(eu.nodes.map((n) => [n.ref, n]));
const addRecords = effects.effects.filter((e) => e.op === 'ADD_RECORD').map((e) => e.record!);

/** A record's dates, worked out independently: the fallback is the last entry; the Annex I date the ANNEX_I_A entry. */
const expectedDates = (af: ApplicabilityTable['records'][number]['appliesFrom']) => typeof af === 'string'
  ? { appliesFrom: af, annexI: null }
  : { appliesFrom: af[af.length - 1].from, annexI: af.find((e) => (e.when as any)?.fact === 'highRiskRoute' && (e.when as any)?.eq === 'ANNEX_I_A')?.from ?? null };

describe('the EU AI Act catalog agrees with the applicability table', () => {
  it('counts 185 assessable nodes: 180 DUTY + 3 TRANSITIONAL records + 2 ADD_RECORD nodes', () => {
    // By hand from applicability.json: 185 records = 180 DUTY + 3 TRANSITIONAL (Art. 111(1)-(3)) + 2 PERMISSION
    // (Art. 46(1), 59(1)); amendment-effects.json adds 2 (Omnibus Art. 5(1) NCII and CSAM). Before: 173
    // assessable; minus Art. 60(9) and 46(1), plus the 12 DUTY records the catalog lacked, plus 2 = 185.
    const byType = (t: string) => table.records.filter((r) => r.dutyType === t).length;
    expect([byType('DUTY'), byType('TRANSITIONAL'), byType('PERMISSION'), addRecords.length]).toEqual([180, 3, 2, 2]);
    expect(eu.nodes.filter((n) => n.assessable)).toHaveLength(185);
    expect(eu.nodes).toHaveLength(356 + 13 + 2);
  });

  it('has every record as a node: assessable, or a non-assessable permission without operator duty', () => {
    for (const r of [...table.records, ...addRecords]) {
      const n = byRef.get(r.ref);
      expect([r.ref, n !== undefined]).toEqual([r.ref, true]);
      if (r.dutyType === 'PERMISSION') expect([r.ref, n!.assessable, n!.operatorDuty]).toEqual([r.ref, false, false]);
      else expect([r.ref, n!.assessable, n!.operatorDuty]).toEqual([r.ref, true, true]);
    }
    const recordRefs = new Set([...table.records, ...addRecords].map((r) => r.ref));
    expect(eu.nodes.filter((n) => n.assessable && !recordRefs.has(n.ref)).map((n) => n.ref)).toEqual([]);
  });

  it('gives assessable nodes the record\'s actors and dates, except the departures the alignment file lists', () => {
    const departures = new Map<string, Departure>(alignment.departures.filter((d) => d.source === 'RECORD').map((d) => [`${d.ref} ${d.field}`, d]));
    const used = new Set<string>();
    const nodeValue = (n: NodeSeed, field: string) => ({ actors: n.actors, appliesFrom: n.appliesFrom, appliesFromArt6_1Systems: n.appliesFromAnnexIProducts })[field];
    const mismatches: string[] = [];
    for (const r of [...table.records, ...addRecords]) {
      const n = byRef.get(r.ref)!;
      if (!n.assessable) continue;
      const dates = expectedDates(r.appliesFrom);
      for (const [field, expected] of [['actors', r.actors], ['appliesFrom', dates.appliesFrom], ['appliesFromArt6_1Systems', dates.annexI]] as const) {
        const actual = nodeValue(n, field);
        const d = departures.get(`${r.ref} ${field}`);
        if (d) {
          used.add(`${r.ref} ${field}`);
          expect([r.ref, field, d.table, actual]).toEqual([r.ref, field, expected, d.hub]);
        } else if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          mismatches.push(`${r.ref} ${field}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect([...used].sort()).toEqual([...departures.keys()].sort());
    // Hand-checked against the OJ text; README.md "Where the hub departs from the table" explains each.
    expect(alignment.departures.map((d) => `${d.ref} ${d.field} ${d.source}`)).toEqual([
      'Art. 60(4) actors RECORD', 'Art. 8(2) appliesFrom RECORD', 'Art. 11(2) appliesFrom RECORD', 'Art. 25(3) appliesFrom RECORD', 'Art. 43(3) appliesFrom RECORD',
    ]);
  });

  it('applies the catalog corrections to node fields, unless listed as a departure', () => {
    const skipped = new Set(alignment.departures.filter((d) => d.source === 'CORRECTION').map((d) => `${d.ref} ${d.field}`));
    const fields: Record<string, (n: NodeSeed) => unknown> = {
      riskTier: (n) => n.riskTiers, actors: (n) => n.actors, appliesFrom: (n) => n.appliesFrom, appliesFromArt6_1Systems: (n) => n.appliesFromAnnexIProducts,
    };
    const checked = table.catalogCorrections.filter((c) => fields[c.field] && !skipped.has(`${c.ref} ${c.field}`));
    for (const c of checked) {
      const n = byRef.get(c.ref)!;
      const expected = c.field === 'riskTier' ? (c.correct as string[]).map((t) => t.split(' ')[0]) : c.correct;
      expect([c.ref, c.field, fields[c.field](n)]).toEqual([c.ref, c.field, expected]);
    }
    // 23 riskTier + 10 Annex I date + 4 appliesFrom + 3 actors corrections, all applied
    expect(checked).toHaveLength(40);
    expect(byRef.get('Art. 6(4)')!.attributes.riskTierNote).toBe('condition: Annex III system derogated under Art. 6(3)');
    const presence = table.catalogCorrections.filter((c) => c.field === 'presence');
    expect(presence.filter((c) => !byRef.has(c.ref))).toEqual([]);
  });

  it('keeps paragraphs judged not duty-bearing out of the assessed set', () => {
    const present = table.nonDutyBearing.filter((x) => byRef.has(x.ref));
    expect(present).toHaveLength(33);
    expect(present.filter((x) => byRef.get(x.ref)!.assessable).map((x) => x.ref)).toEqual([]);
    expect(byRef.get('Art. 60(9)')).toMatchObject({ assessable: false, operatorDuty: false });
  });

  it('adds the missing paragraphs in document order under their article, with own titles', () => {
    const order = (...refs: string[]) => refs.map((r) => byRef.get(r)!.position);
    const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]);
    expect(increasing(order('Art. 9(2)', 'Art. 9(2)(d)', 'Art. 9(3)', 'Art. 9(4)', 'Art. 9(5)', 'Art. 9(6)', 'Art. 9(7)', 'Art. 9(8)', 'Art. 9(9)', 'Art. 9(10)', 'Art. 10'))).toBe(true);
    expect(increasing(order('Art. 10', 'Art. 10(1)', 'Art. 10(2)', 'Art. 10(5)', 'Art. 10(6)', 'Art. 11'))).toBe(true);
    expect(increasing(order('Art. 71', 'Art. 71(2)', 'Art. 71(3)', 'Ch. IX'))).toBe(true);
    const added = eu.nodes.filter((n) => n.attributes.addedFrom === 'applicability-table');
    expect(added.map((n) => n.ref)).toEqual(['Art. 9(3)', 'Art. 9(4)', 'Art. 9(7)', 'Art. 9(10)', 'Art. 10(1)', 'Art. 10(6)', 'Art. 14(2)',
      'Art. 48(5)', 'Art. 54(4)', 'Art. 59(1)', 'Art. 60(5)', 'Art. 71(2)', 'Art. 71(3)']);
    const evidence = new Map(table.records.map((r) => [r.ref, String(r.evidence)]));
    for (const n of added) {
      expect([n.ref, n.kind, n.parentRef, byRef.get(n.parentRef!)!.kind, n.ancestorRefs.at(-1)]).toEqual([n.ref, 'paragraph', n.ref.replace(/\(\d+\)$/, ''), 'article', n.parentRef]);
      expect(n.title.length).toBeGreaterThan(5);
      expect(evidence.get(n.ref)!.includes(n.title)).toBe(false);
      expect(n.summary).toBeTruthy();
    }
  });

  it('adds the amendment\'s prohibitions after Art. 5(1)(h), marked with the amendment\'s text version', () => {
    const [ncii, csam] = ['Omnibus Art. 5(1) NCII', 'Omnibus Art. 5(1) CSAM'].map((r) => byRef.get(r)!);
    expect([ncii.parentRef, ncii.kind, ncii.assessable, ncii.actors, ncii.riskTiers, ncii.appliesFrom]).toEqual(['Art. 5', 'paragraph', true, ['provider', 'deployer', 'importer'], ['all'], '2026-12-02']);
    expect(ncii.attributes).toMatchObject({ textVersion: 'digital-omnibus-ai-2026', amendedParent: 'Art. 5(1)' });
    const pos = (r: string) => byRef.get(r)!.position;
    expect([pos('Art. 5(1)(h)') < ncii.position, ncii.position < csam.position, csam.position < pos('Art. 5(2)')]).toEqual([true, true, true]);
  });
});

describe('alignment rules', () => {
  const catalog: RawCatalog = {
    framework: { key: 'eu-ai-act', name: 'Tiny Act', version: '1', publisher: 'EU', kind: 'regulation' },
    nodes: [
      { ref: 'Art. 9', parent: null, kind: 'article', title: 'Risk', order: 1, actors: ['provider'], riskTier: ['high-risk'], operatorDuty: true, articleNumber: 9 },
      { ref: 'Art. 9(2)', parent: 'Art. 9', kind: 'paragraph', title: 'Process', order: 2, actors: ['provider'], riskTier: ['high-risk'], appliesFrom: '2026-08-02', operatorDuty: true },
      { ref: 'Art. 9(9)', parent: 'Art. 9', kind: 'paragraph', title: 'Minors', order: 3, actors: ['provider'], riskTier: ['high-risk'], appliesFrom: '2026-08-02', operatorDuty: true },
      { ref: 'Art. 9(10)', parent: 'Art. 9', kind: 'paragraph', title: 'Liability', order: 4, actors: ['provider'], riskTier: ['high-risk'], appliesFrom: '2026-08-02', operatorDuty: true },
    ],
  };
  const dates = [{ when: { fact: 'highRiskRoute', eq: 'ANNEX_I_A' }, from: '2027-08-02' }, { from: '2026-08-02' }];
  const tbl = (over: Partial<ApplicabilityTable> = {}): ApplicabilityTable => ({
    records: [
      { ref: 'Art. 9(2)', actors: ['provider', 'deployer'], appliesFrom: dates, dutyType: 'DUTY' as any },
      { ref: 'Art. 9(3)', actors: ['provider'], appliesFrom: '2026-08-02', dutyType: 'PERMISSION' as any },
    ],
    nonDutyBearing: [{ ref: 'Art. 9(10)', reason: 'liability' }],
    catalogCorrections: [{ ref: 'Art. 9(9)', field: 'riskTier', current: ['high-risk'], correct: ['all (a note)'] }],
    ...over,
  });
  const none: AmendmentEffects = { amendment: 'x', effects: [] };
  const hub: CatalogAlignment = { nodes: { 'Art. 9(3)': { title: 'Scope', summary: 'Own words.' } }, departures: [] };

  it('reads the two dates of a record and a tier with a note', () => {
    expect(recordDates(dates)).toEqual({ appliesFrom: '2026-08-02', appliesFromAnnexIProducts: '2027-08-02' });
    expect(recordDates('2025-02-02')).toEqual({ appliesFrom: '2025-02-02', appliesFromAnnexIProducts: null });
    expect(parseRiskTier('all (condition: x)')).toEqual({ tier: 'all', note: 'condition: x' });
    expect(() => parseRiskTier('All tiers')).toThrow(SeedDataError);
  });

  it('sets record facts, adds missing records after their predecessor, and decides assessability', () => {
    const a = alignCatalog(catalog, tbl(), none, hub);
    expect(a.added.map((n) => [n.ref, n.parent, n.kind, n.order, n.operatorDuty, n.articleNumber])).toEqual([['Art. 9(3)', 'Art. 9', 'paragraph', 2, false, 9]]);
    expect([...a.assessableRefs]).toEqual(['Art. 9(2)']);
    const nodes = new Map(a.catalog.nodes.map((n) => [n.ref, n]));
    expect(nodes.get('Art. 9(2)')).toMatchObject({ actors: ['provider', 'deployer'], appliesFrom: '2026-08-02', appliesFromArt6_1Systems: '2027-08-02' });
    expect(nodes.get('Art. 9(9)')).toMatchObject({ riskTier: ['all'], riskTierNote: 'a note' });
    expect(nodes.get('Art. 9(10)')!.operatorDuty).toBe(false);
    expect(catalog.nodes[1].actors).toEqual(['provider']); // the input is not changed
    const fw = transformCatalog(a.catalog, { file: 'x', version: '1' }, '{}', a.added, { assessableRefs: a.assessableRefs, companions: ['t'] });
    expect(fw.nodes.map((n) => [n.ref, n.position, n.assessable])).toEqual([
      ['Art. 9', 100, false], ['Art. 9(2)', 200, true], ['Art. 9(3)', 201, false], ['Art. 9(9)', 300, false], ['Art. 9(10)', 400, false],
    ]);
    expect(fw.contentSha256).not.toBe(transformCatalog(a.catalog, { file: 'x', version: '1' }, '{}').contentSha256);
  });

  it('applies departures and refuses stale ones, unknown fields and added nodes without words', () => {
    const departure: Departure = { ref: 'Art. 9(2)', field: 'actors', source: 'RECORD', table: ['provider', 'deployer'], hub: ['provider'], oj: 'words', why: 'why' };
    const a = alignCatalog(catalog, tbl(), none, { ...hub, departures: [departure] });
    expect(a.catalog.nodes[1].actors).toEqual(['provider']);
    const skip: Departure = { ref: 'Art. 9(9)', field: 'riskTier', source: 'CORRECTION', table: ['all (a note)'], hub: ['high-risk'], oj: 'w', why: 'w' };
    expect(alignCatalog(catalog, tbl(), none, { ...hub, departures: [skip] }).catalog.nodes[2].riskTier).toEqual(['high-risk']);
    expect(() => alignCatalog(catalog, tbl(), none, { ...hub, departures: [{ ...departure, table: ['provider'] }] })).toThrow('quotes another value than the table');
    expect(() => alignCatalog(catalog, tbl(), none, { ...hub, departures: [{ ...skip, ref: 'Art. 9(2)' }] })).toThrow('departures that match nothing');
    expect(() => alignCatalog(catalog, tbl({ catalogCorrections: [{ ref: 'Art. 9(2)', field: 'colour', current: 1, correct: 2 }] }), none, hub)).toThrow('unknown field "colour"');
    expect(() => alignCatalog(catalog, tbl(), none, { nodes: {}, departures: [] })).toThrow('"Art. 9(3)" is added but has no title and summary');
    expect(() => alignCatalog(catalog, tbl(), none, { ...hub, nodes: { ...hub.nodes, 'Art. 9(4)': { title: 't', summary: 's' } } })).toThrow('describes nodes nobody adds: Art. 9(4)');
  });

  it('puts an amendment\'s node at the end of its stated parent, under the nearest listed ancestor', () => {
    const amend: AmendmentEffects = { amendment: 'omnibus', effects: [{ change: 'c', op: 'ADD_RECORD',
      node: { ref: 'New 9(2) point', parent: 'Art. 9(2)', title: 'New', summary: 'Added.' },
      record: { ref: 'New 9(2) point', actors: ['provider'], appliesFrom: '2026-12-02', dutyType: 'DUTY' as any } }] };
    const a = alignCatalog(catalog, tbl(), amend, hub);
    const n = a.added.find((x) => x.ref === 'New 9(2) point')!;
    expect([n.parent, n.kind, n.order, n.textVersion, n.appliesFrom]).toEqual(['Art. 9(2)', 'point', 2, 'omnibus', '2026-12-02']);
    expect(a.assessableRefs.has('New 9(2) point')).toBe(true);
  });
});

describe('content hash', () => {
  it('covers the applicability files: changing one re-seeds the EU AI Act and nothing else', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seeds-'));
    try {
      fs.cpSync(dir, tmp, { recursive: true });
      fs.appendFileSync(path.join(tmp, 'eu-ai-act/amendment-effects.json'), '\n');
      const changed = loadSeedBundle(tmp).frameworks;
      const before = loadSeedBundle().frameworks;
      expect(changed.map((f, i) => f.contentSha256 === before[i].contentSha256)).toEqual([true, true, true, false]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
