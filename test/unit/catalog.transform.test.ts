import { RequirementKind } from '../../src/modules/framework/framework.enums';
import { Relationship } from '../../src/modules/mapping/mapping.enums';
import {
  RawCatalog, RawMappingRow, SeedDataError, isAssessable, pointsReferenced, transformCatalog, transformMappingFile,
} from '../../src/modules/catalog/catalog.transform';

const K = RequirementKind;

describe('which nodes are assessable', () => {
  it.each([
    [K.CLAUSE, false, null, true],
    [K.CLAUSE, true, null, false],
    [K.CONTROL, false, null, true],
    [K.ANNEX_AREA, true, null, false],
    [K.FUNCTION, true, null, false],
    [K.CATEGORY, true, null, false],
    [K.SUBCATEGORY, false, null, true],
    [K.CHAPTER, true, null, false],
    [K.SECTION, true, null, false],
    [K.ARTICLE, true, true, false],
    [K.ARTICLE, false, true, true],
    [K.ARTICLE, false, false, false],
    [K.PARAGRAPH, false, true, true],
    [K.PARAGRAPH, true, true, true],
    [K.PARAGRAPH, false, false, false],
    [K.POINT, false, true, false],
  ])('%s (children: %s, duty: %s) -> %s', (kind, hasChildren, duty, expected) => {
    expect(isAssessable(kind, hasChildren, duty)).toBe(expected);
  });
});

const tiny: RawCatalog = {
  framework: { key: 'eu-ai-act', name: 'Tiny Act', version: '2024/1689 (OJ L, 12.7.2024)', publisher: 'EU', kind: 'regulation', license_note: 'reuse ok', source: 'OJ https://example.org/act.' },
  nodes: [
    { ref: 'Ch. III', parent: null, kind: 'chapter', title: 'HIGH-RISK', text: '', order: 1, actors: [], riskTier: ['high-risk'], appliesFrom: '2026-08-02' },
    { ref: 'Art. 17', parent: 'Ch. III', kind: 'article', title: 'Quality management system', text: '', order: 2, actors: ['provider'], riskTier: ['high-risk'], appliesFrom: '2026-08-02', operatorDuty: true },
    { ref: 'Art. 17(1)', parent: 'Art. 17', kind: 'paragraph', title: 'QMS', text: '', order: 3, actors: ['provider'], riskTier: ['high-risk'], appliesFrom: '2026-08-02', appliesFromArt6_1Systems: '2027-08-02', operatorDuty: true, pendingAmendment: 'omnibus' },
    { ref: 'Art. 18', parent: 'Ch. III', kind: 'article', title: 'Documentation keeping', text: '', order: 4, actors: ['provider'], riskTier: ['high-risk'], appliesFrom: '2026-08-02', operatorDuty: true, extraFact: 42 },
  ],
};

describe('points that mappings reference', () => {
  it('are added under their paragraph, inheriting its facts, not assessable', () => {
    const extra = pointsReferenced(tiny, ['Art. 17', 'Art. 17(1)(m)', 'Art. 17(1)(b)', 'Art. 17(1)(b)']);
    expect(extra.map((n) => [n.ref, n.parent, n.kind, n.title])).toEqual([
      ['Art. 17(1)(m)', 'Art. 17(1)', 'point', 'Art. 17(1), point (m)'],
      ['Art. 17(1)(b)', 'Art. 17(1)', 'point', 'Art. 17(1), point (b)'],
    ]);
    const fw = transformCatalog(tiny, { file: 'x', version: '2024/1689' }, '{}', extra);
    const byRef = new Map(fw.nodes.map((n) => [n.ref, n]));
    const b = byRef.get('Art. 17(1)(b)')!;
    expect(b.assessable).toBe(false);
    expect(b.appliesFromAnnexIProducts).toBe('2027-08-02');
    expect(b.pendingAmendment).toBe('omnibus');
    expect(b.ancestorRefs).toEqual(['Ch. III', 'Art. 17', 'Art. 17(1)']);
    expect(b.attributes).toMatchObject({ addedFrom: 'mapping-reference', point: 'b' });
    // document order: paragraph, then its points in letter order, then the next article
    expect(fw.nodes.map((n) => n.ref)).toEqual(['Ch. III', 'Art. 17', 'Art. 17(1)', 'Art. 17(1)(b)', 'Art. 17(1)(m)', 'Art. 18']);
    expect(byRef.get('Art. 17(1)')!.assessable).toBe(true);
    expect(byRef.get('Art. 17')!.assessable).toBe(false);
    expect(byRef.get('Art. 18')!.assessable).toBe(true);
    expect(byRef.get('Art. 18')!.attributes).toEqual({ extraFact: 42 });
  });

  it('refuse refs that are neither in the catalog nor a point of a listed node', () => {
    expect(() => pointsReferenced(tiny, ['Art. 99(1)(a)'])).toThrow(SeedDataError);
    expect(() => pointsReferenced(tiny, ['Art. 17(2)'])).toThrow('unknown requirement "Art. 17(2)"');
  });
});

describe('framework shaping', () => {
  it('splits publication detail from the version and extracts the source URL', () => {
    const fw = transformCatalog(tiny, { file: 'x', version: '2024/1689', releasedOn: '2024-07-12' }, '{"a":1}');
    expect(fw.version).toBe('2024/1689');
    expect(fw.edition).toBe('OJ L, 12.7.2024');
    expect(fw.sourceUrl).toBe('https://example.org/act.');
    expect(fw.licenceNote).toBe('reuse ok');
    expect(fw.contentSha256).toHaveLength(64);
  });

  it('rejects unknown parents and duplicate refs', () => {
    const bad = { ...tiny, nodes: [...tiny.nodes, { ...tiny.nodes[1], ref: 'Art. 19', parent: 'Ch. IX', order: 9 }] };
    expect(() => transformCatalog(bad, { file: 'x', version: 'v' }, '')).toThrow('unknown parent "Ch. IX"');
    const dup = { ...tiny, nodes: [...tiny.nodes, { ...tiny.nodes[1], order: 9 }] };
    expect(() => transformCatalog(dup, { file: 'x', version: 'v' }, '')).toThrow('duplicate ref "Art. 17"');
  });
});

describe('mapping rows', () => {
  const file = {
    provenance: { name: 'Test set', publisher: 'derived', url_or_repo_path: 'derived', license_note: 'own work' },
    sources: [{ id: 'derived', method: 'by hand' }],
    mappings: [
      { source: 'a', target: 'b', relationship: 'subset_of', strength: 4, rationale: 'semantic', provenance: 'derived', note: 'n' },
      { source: 'a', target: 'c', relationship: 'intersects_with', strength: null, rationale: null, provenance: 'derived', target_ref_as_published: 'B.c' },
    ],
  };
  const entry = { file: 'f', key: 'k', source: 's', target: 't', method: 'HYBRID', status: 'DRAFT' };

  it('take the IR 8477 vocabulary to the stored enums and keep per-row provenance', () => {
    const set = transformMappingFile(file, entry, 'content');
    expect(set.rows.map((r) => [r.relationship, r.strength, r.rationale])).toEqual([
      [Relationship.SUBSET_OF, 4, 'SEMANTIC'],
      [Relationship.INTERSECTS_WITH, null, null],
    ]);
    expect(set.rows[1].attributes).toEqual({ provenance: 'derived', target_ref_as_published: 'B.c' });
    expect(set.methodNote).toBe('by hand');
    expect(set.status).toBe('DRAFT');
  });

  it('reject unknown relationships, out-of-range strengths and duplicate pairs', () => {
    const withRow = (row: RawMappingRow) => ({ ...file, mappings: [...file.mappings, row] });
    expect(() => transformMappingFile(withRow({ ...file.mappings[0], target: 'z', relationship: 'related' }), entry, '')).toThrow('unknown relationship "related"');
    expect(() => transformMappingFile(withRow({ ...file.mappings[0], target: 'z', strength: 11 }), entry, '')).toThrow('strength 11 outside 1-10');
    expect(() => transformMappingFile(withRow(file.mappings[0]), entry, '')).toThrow('duplicate mapping a -> b');
  });
});
