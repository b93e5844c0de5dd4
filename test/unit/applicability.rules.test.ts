import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  ApplicabilityDataError, Classification, Expr, SystemFacts, applicabilityFile, classifyAll,
  classifyRecord, evaluate, loadApplicability, parseApplicability, resolveAppliesFrom,
} from '../../src/modules/ai-system/applicability.rules';

const data = loadApplicability();

// ------------------------------------------------------------------------------- a small hand-made table

/** Minimal valid data around the few facts the truth-table tests need. */
function miniRaw(): Record<string, unknown> {
  return {
    id: 'mini',
    actors: ['provider', 'deployer'],
    facts: {
      a: { type: 'boolean', meaning: 'a', createdBy: 'test' },
      b: { type: 'boolean', meaning: 'b', createdBy: 'test' },
      off: { type: 'boolean', default: false, meaning: 'defaults to NO', createdBy: 'test' },
      route: { type: 'enum', values: ['NONE', 'X', 'Y'], meaning: 'route', createdBy: 'test' },
      point: { type: 'string', meaning: 'point', createdBy: 'test' },
      placed: { type: 'date', default: null, meaning: 'placed on the market', createdBy: 'test' },
    },
    derivedFacts: {
      both: { expr: { all: [{ fact: 'a', eq: true }, { fact: 'b', eq: true }] }, meaning: 'a and b' },
      notBoth: { expr: { not: { derived: 'both' } }, meaning: 'not both' },
    },
    records: [
      { ref: 'R1', actors: ['provider'], condition: { derived: 'both' }, appliesFrom: '2026-08-02', dutyType: 'DUTY',
        dateClass: 'GENERAL', evidence: 'e', evidenceArticle: 1, note: '', confidence: 'HIGH' },
    ],
    counts: { records: 1, facts: 6, derivedFacts: 2 },
  };
}
const mini = parseApplicability(miniRaw());
const ev = (e: Expr, facts: SystemFacts) => evaluate(mini, e, facts);
const A: Expr = { fact: 'a', eq: true };
const B: Expr = { fact: 'b', eq: true };
/** a, b as T / F / U (absent). */
const facts2 = (x: string, y: string): SystemFacts => ({
  ...(x === 'U' ? {} : { a: x === 'T' }), ...(y === 'U' ? {} : { b: y === 'T' }),
});
const name = { T: 'TRUE', F: 'FALSE', U: 'UNKNOWN' } as const;

describe('loader', () => {
  it('accepts the vendored table with its stated counts (185 records, 48 facts, 13 derived facts)', () => {
    // Counted by hand in seeds/eu-ai-act/applicability.json ("counts": records 185, facts 48, derivedFacts 13).
    expect(data.records).toHaveLength(185);
    expect(Object.keys(data.facts)).toHaveLength(48);
    expect(Object.keys(data.derivedFacts)).toHaveLength(13);
    expect(data.counts).toMatchObject({ records: 185, facts: 48, derivedFacts: 13 });
  });

  it('reads the vendored file from seeds/eu-ai-act, unchanged from the sha256 the README records', () => {
    expect(path.relative(process.cwd(), applicabilityFile())).toBe(path.join('seeds', 'eu-ai-act', 'applicability.json'));
    const readme = fs.readFileSync(path.join(path.dirname(applicabilityFile()), 'README.md'), 'utf8');
    const sha = createHash('sha256').update(fs.readFileSync(applicabilityFile())).digest('hex');
    expect(readme).toContain(sha);
  });

  const broken: [string, (raw: any) => void, RegExp][] = [
    ['unknown fact', (r) => { r.records[0].condition = { fact: 'nope', eq: true }; }, /record R1 condition: unknown fact "nope"/],
    ['unknown derived fact', (r) => { r.records[0].condition = { derived: 'nope' }; }, /unknown derived fact "nope"/],
    ['two operators', (r) => { r.records[0].condition = { fact: 'a', eq: true, in: [true] }; }, /a fact expression is \{fact, eq\|in\|before\|onOrAfter\}/],
    ['unknown form', (r) => { r.records[0].condition = { xor: [A, B] }; }, /unknown expression form with keys xor/],
    ['empty all', (r) => { r.records[0].condition = { all: [] }; }, /"all" needs a non-empty list/],
    ['value of the wrong type', (r) => { r.records[0].condition = { fact: 'a', eq: 'yes' }; }, /"a" eq "yes" is not a boolean value/],
    ['enum value not listed', (r) => { r.records[0].condition = { fact: 'route', in: ['X', 'Z'] }; }, /"route" in needs a non-empty list of enum values/],
    ['before on a non-date fact', (r) => { r.records[0].condition = { fact: 'a', before: '2026-01-01' }; }, /"before" needs a date fact/],
    ['bad date in onOrAfter', (r) => { r.records[0].condition = { fact: 'placed', onOrAfter: '2026-13-45' }; }, /"onOrAfter" needs a date fact and a YYYY-MM-DD date/],
    ['derived cycle', (r) => { r.derivedFacts.both.expr = { derived: 'notBoth' }; }, /derived facts form a cycle through both, notBoth/],
    ['self-reference', (r) => { r.derivedFacts.both.expr = { any: [A, { derived: 'both' }] }; }, /cycle through both/],
    ['unknown actor', (r) => { r.records[0].actors = ['vendor']; }, /record R1: unknown actor "vendor"/],
    ['duplicate ref', (r) => { r.records.push({ ...r.records[0] }); r.counts.records = 2; }, /record R1: ref listed twice/],
    ['appliesFrom not a date', (r) => { r.records[0].appliesFrom = '2 Aug 2026'; }, /appliesFrom "2 Aug 2026" is not a YYYY-MM-DD date/],
    ['appliesFrom list without fallback', (r) => { r.records[0].appliesFrom = [{ when: A, from: '2027-08-02' }]; }, /last appliesFrom entry must have no "when"/],
    ['appliesFrom entry with a bad when', (r) => { r.records[0].appliesFrom = [{ when: { fact: 'zz', eq: true }, from: '2027-08-02' }, { from: '2026-08-02' }]; }, /appliesFrom\[0\]\.when: unknown fact "zz"/],
    ['default of the wrong type', (r) => { r.facts.off.default = 'no'; }, /fact "off": default "no" is not a boolean/],
    ['counts disagree', (r) => { r.counts.facts = 48; }, /counts.facts says 48 but the file has 6/],
  ];
  it.each(broken)('rejects %s', (_name, breakIt, message) => {
    const raw = miniRaw();
    breakIt(raw);
    expect(() => parseApplicability(raw)).toThrow(ApplicabilityDataError);
    expect(() => parseApplicability(raw)).toThrow(message);
  });

  it('rejects a file that is not JSON, naming the file', () => {
    expect(() => loadApplicability(path.join(__dirname, 'applicability.rules.test.ts'))).toThrow(/applicability.rules.test.ts: cannot read as JSON/);
  });
});

describe('Kleene evaluation', () => {
  // Strong Kleene tables: F dominates all, T dominates any, U otherwise wins over the neutral value.
  it.each([
    ['T', 'T', 'T', 'T'], ['T', 'F', 'F', 'T'], ['T', 'U', 'U', 'T'],
    ['F', 'T', 'F', 'T'], ['F', 'F', 'F', 'F'], ['F', 'U', 'F', 'U'],
    ['U', 'T', 'U', 'T'], ['U', 'F', 'F', 'U'], ['U', 'U', 'U', 'U'],
  ] as const)('a=%s b=%s: all=%s any=%s', (a, b, all, any) => {
    expect(ev({ all: [A, B] }, facts2(a, b)).value).toBe(name[all]);
    expect(ev({ any: [A, B] }, facts2(a, b)).value).toBe(name[any]);
  });

  it.each([['T', 'F'], ['F', 'T'], ['U', 'U']] as const)('not %s = %s', (a, out) => {
    expect(ev({ not: A }, facts2(a, 'U')).value).toBe(name[out]);
  });

  it('names the deciding facts: the FALSE ones for a FALSE all, the unknown ones for UNKNOWN, all for TRUE', () => {
    expect(ev({ all: [A, B, { fact: 'off', eq: true }] }, { a: false })).toEqual({ value: 'FALSE', facts: ['a', 'off'] });
    expect(ev({ all: [A, B] }, { a: true })).toEqual({ value: 'UNKNOWN', facts: ['b'] });
    expect(ev({ all: [A, B] }, { a: true, b: true })).toEqual({ value: 'TRUE', facts: ['a', 'b'] });
    expect(ev({ any: [A, B] }, { b: true })).toEqual({ value: 'TRUE', facts: ['b'] });
    expect(ev({ any: [A, B] }, { a: false })).toEqual({ value: 'UNKNOWN', facts: ['b'] });
    expect(ev({ not: { any: [A, B] } }, { a: false, b: false })).toEqual({ value: 'TRUE', facts: ['a', 'b'] });
  });

  it('eq and in on enum, string and boolean facts; a default fills an unanswered fact', () => {
    expect(ev({ fact: 'route', eq: 'X' }, { route: 'X' }).value).toBe('TRUE');
    expect(ev({ fact: 'route', eq: 'X' }, { route: 'Y' }).value).toBe('FALSE');
    expect(ev({ fact: 'route', eq: 'X' }, {})).toEqual({ value: 'UNKNOWN', facts: ['route'] });
    expect(ev({ fact: 'point', in: ['5(b)', '5(c)'] }, { point: '5(c)' }).value).toBe('TRUE');
    expect(ev({ fact: 'point', in: ['5(b)', '5(c)'] }, { point: '2' }).value).toBe('FALSE');
    expect(ev({ fact: 'point', in: ['5(b)'] }, {}).value).toBe('UNKNOWN');
    expect(ev({ fact: 'off', eq: false }, {})).toEqual({ value: 'TRUE', facts: ['off'] });
    expect(ev({ fact: 'off', eq: false }, { off: true }).value).toBe('FALSE');
  });

  it('before is strict, onOrAfter inclusive, and a null date (not placed) is neither', () => {
    const before: Expr = { fact: 'placed', before: '2026-08-02' };
    const onOrAfter: Expr = { fact: 'placed', onOrAfter: '2026-08-02' };
    expect([ev(before, { placed: '2026-08-01' }).value, ev(onOrAfter, { placed: '2026-08-01' }).value]).toEqual(['TRUE', 'FALSE']);
    expect([ev(before, { placed: '2026-08-02' }).value, ev(onOrAfter, { placed: '2026-08-02' }).value]).toEqual(['FALSE', 'TRUE']);
    expect([ev(before, { placed: null }).value, ev(onOrAfter, { placed: null }).value]).toEqual(['FALSE', 'FALSE']);
    // The data's default for the date is null: unanswered means "not placed", not UNKNOWN.
    expect([ev(before, {}).value, ev(onOrAfter, {}).value]).toEqual(['FALSE', 'FALSE']);
  });

  it('derived facts evaluate their expression and report the underlying facts', () => {
    expect(ev({ derived: 'both' }, { a: true, b: true })).toEqual({ value: 'TRUE', facts: ['a', 'b'] });
    expect(ev({ derived: 'notBoth' }, { a: true, b: false })).toEqual({ value: 'TRUE', facts: ['b'] });
    expect(ev({ derived: 'notBoth' }, { a: true })).toEqual({ value: 'UNKNOWN', facts: ['b'] });
  });
});

describe('appliesFrom', () => {
  const list = [
    { when: A, from: '2030-12-31' },
    { when: B, from: '2027-08-02' },
    { from: '2026-08-02' },
  ];
  it('a plain date is the date', () => {
    expect(resolveAppliesFrom(mini, '2026-08-02', {})).toEqual({ kind: 'DATE', date: '2026-08-02', facts: [] });
  });
  it('the first entry whose when is TRUE gives the date; earlier FALSE entries explain it too', () => {
    expect(resolveAppliesFrom(mini, list, { a: true })).toEqual({ kind: 'DATE', date: '2030-12-31', facts: ['a'] });
    expect(resolveAppliesFrom(mini, list, { a: false, b: true })).toEqual({ kind: 'DATE', date: '2027-08-02', facts: ['a', 'b'] });
    expect(resolveAppliesFrom(mini, list, { a: false, b: false })).toEqual({ kind: 'DATE', date: '2026-08-02', facts: ['a', 'b'] });
  });
  it('an UNKNOWN earlier entry leaves the date UNKNOWN with its facts, even if a later one is TRUE', () => {
    expect(resolveAppliesFrom(mini, list, { b: true })).toEqual({ kind: 'UNKNOWN', facts: ['a'] });
    expect(resolveAppliesFrom(mini, list, { a: false })).toEqual({ kind: 'UNKNOWN', facts: ['b'] });
  });
  it('an UNKNOWN entry after a TRUE one does not matter', () => {
    expect(resolveAppliesFrom(mini, list, { a: true })).toMatchObject({ kind: 'DATE', date: '2030-12-31' });
  });
});

describe('classifyRecord (mini table)', () => {
  const r1 = mini.records[0];
  it('role mismatch is ABSENT before anything is evaluated', () => {
    expect(classifyRecord(mini, r1, { roles: ['deployer'], facts: {} }, '2027-01-01')).toEqual({ status: 'ABSENT', reason: 'ROLE', facts: [] });
  });
  it('BINDING on and after the date, NOT_YET the day before', () => {
    const sys = { roles: ['provider'], facts: { a: true, b: true } };
    expect(classifyRecord(mini, r1, sys, '2026-08-02')).toEqual({ status: 'BINDING', from: '2026-08-02', facts: ['a', 'b'] });
    expect(classifyRecord(mini, r1, sys, '2026-08-01')).toEqual({ status: 'NOT_YET', from: '2026-08-02', facts: ['a', 'b'] });
    expect(classifyRecord(mini, r1, sys, new Date('2026-08-02T00:00:00Z')).status).toBe('BINDING');
  });
  it('CONDITIONAL names the unknown fact; a known FALSE fact excludes', () => {
    expect(classifyRecord(mini, r1, { roles: ['provider'], facts: { a: true } }, '2027-01-01'))
      .toEqual({ status: 'CONDITIONAL', from: '2026-08-02', unknownFacts: ['b'] });
    expect(classifyRecord(mini, r1, { roles: ['provider'], facts: { b: false } }, '2027-01-01'))
      .toEqual({ status: 'ABSENT', reason: 'EXCLUDED', facts: ['b'] });
  });
  it('rejects answers that are not facts of the table or not of their type', () => {
    expect(() => classifyRecord(mini, r1, { roles: ['provider'], facts: { c: true } }, '2027-01-01')).toThrow('unknown fact "c"');
    expect(() => classifyRecord(mini, r1, { roles: ['provider'], facts: { route: 'Z' } }, '2027-01-01')).toThrow('fact "route": "Z" is not a enum value');
    expect(() => classifyRecord(mini, r1, { roles: ['provider'], facts: {} }, '1 Aug 2026')).toThrow(/asOf "1 Aug 2026"/);
  });
});

// --------------------------------------------------------------------- scenarios on the vendored table

/** Classifies the named records of the vendored table for one system. */
function classify(roles: string[], facts: SystemFacts, asOf: string, refs: string[]): Record<string, Classification> {
  const all = classifyAll(data, { roles, facts }, asOf);
  return Object.fromEntries(refs.map((ref) => {
    const c = all.get(ref);
    if (!c) throw new Error(`no record ${ref}`);
    return [ref, c];
  }));
}
const status = (c: Classification) => (c.status === 'BINDING' || c.status === 'NOT_YET' ? `${c.status} ${c.from}` : c.status);

/** An Annex III high-risk system, not derogated, not placed yet: the facts every scenario below starts from. */
const annexIII = (point: string): SystemFacts => ({ highRiskRoute: 'ANNEX_III', annexIIIPoint: point, art6_3Derogation: false });

describe('scenarios (issue 12, "Done when")', () => {
  it('private credit-scoring deployer, Annex III point 5(b): Art. 27(1) binds from 2 Aug 2026', () => {
    // Art. 27(1): "... deployers that are bodies governed by public law, or are private entities providing public
    // services, and deployers of high-risk AI systems referred to in points 5 (b) and (c) of Annex III, shall perform
    // an assessment of the impact on fundamental rights".
    const facts = { ...annexIII('5(b)'), publicAuthority: false, publicLawBodyOrPublicService: false };
    const after = classify(['deployer'], facts, '2026-09-01', ['Art. 27(1)', 'Art. 26(1)', 'Art. 26(8)']);
    expect(after['Art. 27(1)']).toEqual({
      status: 'BINDING', from: '2026-08-02',
      // The date's facts too: not an Annex X component, not placed yet, not intended for public authorities (defaults).
      facts: ['annexIIIPoint', 'annexXLargeScaleIT', 'art6_3Derogation', 'highRiskRoute', 'intendedForPublicAuthorities',
        'outOfScopeExclusion', 'placedOnMarketDate'],
    });
    expect(status(after['Art. 26(1)'])).toBe('BINDING 2026-08-02');
    // Art. 26(8) binds "Deployers of high-risk AI systems that are public authorities": a private bank is not one.
    expect(after['Art. 26(8)']).toEqual({ status: 'ABSENT', reason: 'EXCLUDED', facts: ['publicAuthority'] });
    // Art. 113: "It shall apply from 2 August 2026."
    expect(status(classify(['deployer'], facts, '2026-08-01', ['Art. 27(1)'])['Art. 27(1)'])).toBe('NOT_YET 2026-08-02');
  });

  it('critical-infrastructure deployer, Annex III point 2: Art. 27(1) is absent, Art. 26(1) binds', () => {
    // Art. 27(1): "with the exception of high-risk AI systems intended to be used in the area listed in point 2 of
    // Annex III" (even for a private entity providing public services, such as a utility).
    const c = classify(['deployer'], { ...annexIII('2'), publicAuthority: false, publicLawBodyOrPublicService: true },
      '2026-09-01', ['Art. 27(1)', 'Art. 26(1)']);
    expect(c['Art. 27(1)']).toEqual({ status: 'ABSENT', reason: 'EXCLUDED', facts: ['annexIIIPoint'] });
    // Art. 26(1): "Deployers of high-risk AI systems shall take appropriate technical and organisational measures".
    expect(status(c['Art. 26(1)'])).toBe('BINDING 2026-08-02');
  });

  it('public authority deploying an Annex III system (point 5(a)): Arts 26(8), 49(3) and 27(1) bind', () => {
    // Art. 26(8): "Deployers of high-risk AI systems that are public authorities, or Union institutions, bodies,
    // offices or agencies shall comply with the registration obligations referred to in Article 49".
    // Art. 49(3): "deployers that are public authorities, Union institutions, bodies, offices or agencies or persons
    // acting on their behalf shall register themselves, select the system and register its use".
    const c = classify(['deployer'], { ...annexIII('5(a)'), publicAuthority: true, publicLawBodyOrPublicService: true },
      '2026-09-01', ['Art. 26(8)', 'Art. 49(3)', 'Art. 27(1)', 'Art. 49(1)']);
    expect(status(c['Art. 26(8)'])).toBe('BINDING 2026-08-02');
    expect(status(c['Art. 49(3)'])).toBe('BINDING 2026-08-02');
    expect(status(c['Art. 27(1)'])).toBe('BINDING 2026-08-02');
    // Art. 49(1) registration is the provider's ("the provider or, where applicable, the authorised representative").
    expect(c['Art. 49(1)']).toEqual({ status: 'ABSENT', reason: 'ROLE', facts: [] });
  });

  it('third-country provider of an Annex III system: Art. 22(1) binds; an EU provider has no such duty', () => {
    // Art. 22(1): "Prior to making their high-risk AI systems available on the Union market, providers established in
    // third countries shall, by written mandate, appoint an authorised representative which is established in the Union."
    const third = classify(['provider'], { ...annexIII('4(a)'), establishedInThirdCountry: true }, '2026-09-01', ['Art. 22(1)']);
    expect(status(third['Art. 22(1)'])).toBe('BINDING 2026-08-02');
    const eu = classify(['provider'], { ...annexIII('4(a)'), establishedInThirdCountry: false }, '2026-09-01', ['Art. 22(1)']);
    expect(eu['Art. 22(1)']).toEqual({ status: 'ABSENT', reason: 'EXCLUDED', facts: ['establishedInThirdCountry'] });
  });

  it('third-country provider of an Annex I Section A product: Art. 22(1) not yet, binds from 2 Aug 2027', () => {
    // Art. 113(c): "Article 6(1) and the corresponding obligations in this Regulation shall apply from 2 August 2027."
    const facts = { highRiskRoute: 'ANNEX_I_A', establishedInThirdCountry: true };
    expect(status(classify(['provider'], facts, '2026-09-01', ['Art. 22(1)'])['Art. 22(1)'])).toBe('NOT_YET 2027-08-02');
    expect(status(classify(['provider'], facts, '2027-08-02', ['Art. 22(1)'])['Art. 22(1)'])).toBe('BINDING 2027-08-02');
  });

  it('Art. 6(3)-derogated Annex III system: Arts 6(4) and 49(2) bind, Chapter III (Art. 9(1)) does not', () => {
    // Art. 6(4): "A provider who considers that an AI system referred to in Annex III is not high-risk shall document
    // its assessment before that system is placed on the market or put into service. Such provider shall be subject
    // to the registration obligation set out in Article 49(2)."
    const derogated = { highRiskRoute: 'ANNEX_III', annexIIIPoint: '4(a)', art6_3Derogation: true, profilesNaturalPersons: false };
    const c = classify(['provider'], derogated, '2026-09-01', ['Art. 6(4)', 'Art. 49(2)', 'Art. 9(1)', 'Art. 16(a)']);
    expect(c['Art. 6(4)']).toEqual({
      status: 'BINDING', from: '2026-08-02', facts: ['art6_3Derogation', 'highRiskRoute', 'profilesNaturalPersons'],
    });
    expect(status(c['Art. 49(2)'])).toBe('BINDING 2026-08-02');
    expect(c['Art. 9(1)']).toEqual({ status: 'ABSENT', reason: 'EXCLUDED', facts: ['art6_3Derogation', 'highRiskRoute', 'profilesNaturalPersons'] });
    expect(c['Art. 16(a)'].status).toBe('ABSENT');
    // Art. 6(3), third subparagraph: "an AI system referred to in Annex III shall always be considered to be
    // high-risk where the AI system performs profiling of natural persons": the derogation fails.
    const profiling = classify(['provider'], { ...derogated, profilesNaturalPersons: true }, '2026-09-01', ['Art. 6(4)', 'Art. 9(1)']);
    expect(profiling['Art. 6(4)']).toEqual({ status: 'ABSENT', reason: 'EXCLUDED', facts: ['profilesNaturalPersons'] });
    expect(status(profiling['Art. 9(1)'])).toBe('BINDING 2026-08-02');
  });

  it('facts left UNKNOWN give CONDITIONAL naming the facts', () => {
    // Art. 27(1) turns on who the deployer is ("bodies governed by public law, or ... private entities providing
    // public services"); for an employment system (point 4(a)) that is the only open question.
    const deployer = classify(['deployer'], annexIII('4(a)'), '2026-09-01', ['Art. 27(1)', 'Art. 26(1)']);
    expect(deployer['Art. 27(1)']).toEqual({
      status: 'CONDITIONAL', from: '2026-08-02', unknownFacts: ['publicAuthority', 'publicLawBodyOrPublicService'],
    });
    expect(status(deployer['Art. 26(1)'])).toBe('BINDING 2026-08-02');
    // Art. 6(3): whether an Annex III system is high-risk at all depends on the derogation and on profiling.
    const provider = classify(['provider'], { highRiskRoute: 'ANNEX_III', annexIIIPoint: '4(a)' }, '2026-09-01', ['Art. 9(1)', 'Art. 6(4)']);
    expect(provider['Art. 9(1)']).toEqual({ status: 'CONDITIONAL', from: '2026-08-02', unknownFacts: ['art6_3Derogation', 'profilesNaturalPersons'] });
    expect(provider['Art. 6(4)']).toEqual({ status: 'CONDITIONAL', from: '2026-08-02', unknownFacts: ['art6_3Derogation', 'profilesNaturalPersons'] });
    // Art. 50(1): "AI systems intended to interact directly with natural persons": unanswered, so conditional.
    expect(classify(['provider'], annexIII('4(a)'), '2026-09-01', ['Art. 50(1)'])['Art. 50(1)'])
      .toEqual({ status: 'CONDITIONAL', from: '2026-08-02', unknownFacts: ['interactsWithPersons'] });
  });

  it('high-risk chatbot provider: Art. 50(1) and Chapter III both bind (the duties add up)', () => {
    // Art. 50(1): "Providers shall ensure that AI systems intended to interact directly with natural persons are
    // designed and developed in such a way that the natural persons concerned are informed"; Art. 50(6): "Paragraphs 1
    // to 4 shall not affect the requirements and obligations set out in Chapter III".
    const c = classify(['provider'], { ...annexIII('4(a)'), interactsWithPersons: true }, '2026-09-01', ['Art. 50(1)', 'Art. 9(1)', 'Art. 4', 'Art. 5(1)(a)']);
    expect(status(c['Art. 50(1)'])).toBe('BINDING 2026-08-02');
    expect(status(c['Art. 9(1)'])).toBe('BINDING 2026-08-02');
    // Art. 4 and Art. 5 apply from 2 February 2025 (Art. 113(a): "Chapters I and II shall apply from 2 February 2025").
    expect(status(c['Art. 4'])).toBe('BINDING 2025-02-02');
    expect(status(c['Art. 5(1)(a)'])).toBe('BINDING 2025-02-02');
  });

  it('Annex I Section B product: none of the operator duties of the table applies', () => {
    // Art. 2(2): "For AI systems classified as high-risk AI systems in accordance with Article 6(1) related to products
    // covered by the Union harmonisation legislation listed in Section B of Annex I, only Article 6(1), Articles 102 to
    // 109 and Article 112 apply."
    const all = classifyAll(data, { roles: ['provider', 'deployer'], facts: { highRiskRoute: 'ANNEX_I_B', interactsWithPersons: true } }, '2028-01-01');
    const listed = [...all.entries()].filter(([, c]) => c.status !== 'ABSENT').map(([ref]) => ref);
    expect(listed).toEqual([]);
    expect(all.get('Art. 9(1)')).toEqual({ status: 'ABSENT', reason: 'EXCLUDED', facts: ['highRiskRoute'] });
  });

  it('GPAI model providers: the open-source exemption reaches Art. 53(1)(a) but not systemic-risk models or 53(1)(c)', () => {
    // Art. 53(2): "The obligations set out in paragraph 1, points (a) and (b), shall not apply to providers of AI models
    // that are released under a free and open-source licence ... This exception shall not apply to general-purpose AI
    // models with systemic risks."
    const refs = ['Art. 53(1)(a)', 'Art. 53(1)(c)', 'Art. 55(1)(a)'];
    const oss = classify(['gpai-provider'], { gpaiModel: true, gpaiOpenSource: true, gpaiSystemicRisk: false }, '2025-09-01', refs);
    expect(oss['Art. 53(1)(a)']).toEqual({ status: 'ABSENT', reason: 'EXCLUDED', facts: ['gpaiModel', 'gpaiOpenSource', 'gpaiSystemicRisk'] });
    // Art. 113(b): "Chapter V ... shall apply from 2 August 2025".
    expect(status(oss['Art. 53(1)(c)'])).toBe('BINDING 2025-08-02');
    expect(oss['Art. 55(1)(a)']).toEqual({ status: 'ABSENT', reason: 'EXCLUDED', facts: ['gpaiSystemicRisk'] });
    const systemic = classify(['gpai-provider'], { gpaiModel: true, gpaiOpenSource: true, gpaiSystemicRisk: true }, '2025-09-01', refs);
    expect(refs.map((r) => status(systemic[r]))).toEqual(['BINDING 2025-08-02', 'BINDING 2025-08-02', 'BINDING 2025-08-02']);
  });

  it('GPAI model placed before 2 Aug 2025: Chapter V duties from 2 Aug 2027 (Art. 111(3))', () => {
    // Art. 111(3): "Providers of general-purpose AI models that have been placed on the market before 2 August 2025
    // shall take the necessary steps in order to comply with the obligations laid down in this Regulation by 2 August 2027."
    const facts = { gpaiModel: true, gpaiOpenSource: false, gpaiSystemicRisk: false, placedOnMarketDate: '2025-03-01' };
    const c = classify(['gpai-provider'], facts, '2026-09-01', ['Art. 53(1)(a)', 'Art. 111(3)']);
    expect(status(c['Art. 53(1)(a)'])).toBe('NOT_YET 2027-08-02');
    expect(status(c['Art. 111(3)'])).toBe('BINDING 2026-08-02');
  });

  it('legacy Annex III system placed before 2 Aug 2026 (Art. 111(2)): Chapter III only after a significant change; public-authority systems by 2 Aug 2030', () => {
    // Art. 111(2): "this Regulation shall apply to operators of high-risk AI systems ... that have been placed on the
    // market or put into service before 2 August 2026, only if, as from that date, those systems are subject to
    // significant changes in their designs. In any case, the providers and deployers of high-risk AI systems intended
    // to be used by public authorities shall take the necessary steps to comply ... by 2 August 2030."
    const legacy = { ...annexIII('4(a)'), placedOnMarketDate: '2025-01-01' };
    const untouched = classify(['provider'], legacy, '2027-01-01', ['Art. 9(1)', 'Art. 111(2)']);
    expect(untouched['Art. 9(1)'].status).toBe('ABSENT');
    expect(status(untouched['Art. 111(2)'])).toBe('BINDING 2026-08-02');
    const changed = classify(['provider'], { ...legacy, significantDesignChange: true }, '2027-01-01', ['Art. 9(1)']);
    expect(status(changed['Art. 9(1)'])).toBe('BINDING 2026-08-02');
    const forAuthorities = classify(['provider'], { ...legacy, intendedForPublicAuthorities: true }, '2027-01-01', ['Art. 9(1)']);
    expect(status(forAuthorities['Art. 9(1)'])).toBe('NOT_YET 2030-08-02');
  });
});
