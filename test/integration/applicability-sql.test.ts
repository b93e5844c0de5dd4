import { isDeepStrictEqual } from 'node:util';
import { startTestHub, TestHub } from '../harness/hub';
import { seededRandom } from '../harness/random';
import {
  ApplicabilityDataError, Classification, Evaluation, Expr, FactValue, SystemFacts, classifyAll, evaluate, loadApplicability,
} from '../../src/modules/ai-system/applicability.rules';

/**
 * The SQL twin of the applicability rule (migrations/1765152000000-applicability-sql.ts) must answer exactly as
 * applicability.rules.ts: the same Classification objects, explanation sets included, for every record of the
 * vendored table, on hand-written systems and on seeded random ones at several dates. The statements run as the
 * application role hub_app, so they also show it may call the functions.
 */
const data = loadApplicability();

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ seeded: false });
});
afterAll(async () => {
  await t.stop();
});

interface System { name: string; roles: string[]; facts: SystemFacts }

/** Every record for every system at every date, in one statement: the derived facts once per system. */
async function classifyInSql(systems: System[], dates: string[]): Promise<Classification[][][]> {
  const rows: { i: number; d: number; classes: Classification[] }[] = await t.appDs.query(`
    WITH defs AS MATERIALIZED (SELECT $1::jsonb AS fact_defs, $2::jsonb AS derived_defs),
    systems AS MATERIALIZED (
      SELECT s.i, s.roles, s.facts, hub_appl_derived(defs.fact_defs, defs.derived_defs, s.facts) AS derived
      FROM defs, jsonb_to_recordset($3::jsonb) AS s(i int, roles text[], facts jsonb)),
    records AS MATERIALIZED (SELECT r.record, r.n FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS r(record, n))
    SELECT s.i, a.d::int, c.classes
    FROM systems s CROSS JOIN unnest($5::date[]) WITH ORDINALITY AS a(as_of, d)
    CROSS JOIN LATERAL (
      SELECT jsonb_agg(hub_appl_classify(r.record, defs.fact_defs, s.derived, s.facts, s.roles, a.as_of) ORDER BY r.n) AS classes
      FROM defs, records r) c`,
  [data.facts, data.derivedFacts, JSON.stringify(systems.map((s, i) => ({ i, roles: s.roles, facts: s.facts }))), JSON.stringify(data.records), dates]);
  const out = systems.map(() => dates.map((): Classification[] => []));
  for (const row of rows) out[row.i][row.d - 1] = row.classes;
  return out;
}

/** The derived facts of each system, and hub_appl_eval of every record's condition and appliesFrom `when`s. */
async function evaluateInSql(systems: System[], exprs: Expr[]): Promise<{ derived: Record<string, Evaluation>; evals: Evaluation[] }[]> {
  const rows: { i: number; derived: Record<string, Evaluation>; evals: Evaluation[] }[] = await t.appDs.query(`
    WITH defs AS MATERIALIZED (SELECT $1::jsonb AS fact_defs, $2::jsonb AS derived_defs),
    systems AS MATERIALIZED (
      SELECT s.i, s.facts, hub_appl_derived(defs.fact_defs, defs.derived_defs, s.facts) AS derived
      FROM defs, jsonb_to_recordset($3::jsonb) AS s(i int, facts jsonb))
    SELECT s.i, s.derived,
      (SELECT jsonb_agg(hub_appl_eval(e.expr, defs.fact_defs, s.derived, s.facts) ORDER BY e.n)
       FROM defs, jsonb_array_elements($4::jsonb) WITH ORDINALITY AS e(expr, n)) AS evals
    FROM systems s`,
  [data.facts, data.derivedFacts, JSON.stringify(systems.map((s, i) => ({ i, facts: s.facts }))), JSON.stringify(exprs)]);
  const out = new Array<{ derived: Record<string, Evaluation>; evals: Evaluation[] }>(systems.length);
  for (const row of rows) out[row.i] = { derived: row.derived, evals: row.evals };
  return out;
}

/**
 * Classifies in SQL and with classifyAll; returns the cases compared and the first differences. A statement takes
 * 200 (system, date) pairs, 37,000 classifications.
 */
async function compareClassifications(systems: System[], dates: string[]): Promise<{ compared: number; differences: unknown[] }> {
  let compared = 0;
  const differences: unknown[] = [];
  const step = Math.max(1, Math.floor(200 / dates.length));
  for (let from = 0; from < systems.length; from += step) {
    const part = systems.slice(from, from + step);
    const sql = await classifyInSql(part, dates);
    part.forEach((system, i) => dates.forEach((asOf, d) => {
      const expected = classifyAll(data, system, asOf);
      data.records.forEach((record, n) => {
        compared++;
        const actual = sql[i][d][n];
        if (!isDeepStrictEqual(actual, expected.get(record.ref)) && differences.length < 10) {
          differences.push({ system: system.name, roles: system.roles, facts: system.facts, asOf, ref: record.ref, sql: actual, rules: expected.get(record.ref) });
        }
      });
    }));
  }
  return { compared, differences };
}

/** Every condition and appliesFrom `when` of the table: what hub_appl_eval is compared on. */
const EXPRESSIONS: Expr[] = data.records.flatMap((r) => [
  r.condition, ...(typeof r.appliesFrom === 'string' ? [] : r.appliesFrom.flatMap((e) => (e.when ? [e.when] : []))),
]);

async function compareEvaluations(systems: System[]): Promise<{ compared: number; differences: unknown[] }> {
  const sql = await evaluateInSql(systems, EXPRESSIONS);
  let compared = 0;
  const differences: unknown[] = [];
  const note = (d: unknown) => { if (differences.length < 10) differences.push(d); };
  systems.forEach((system, i) => {
    const derived = Object.fromEntries(Object.keys(data.derivedFacts).map((name) => [name, evaluate(data, { derived: name }, system.facts)]));
    compared += Object.keys(derived).length;
    if (!isDeepStrictEqual(sql[i].derived, derived)) note({ system: system.name, facts: system.facts, sql: sql[i].derived, rules: derived });
    EXPRESSIONS.forEach((expr, n) => {
      compared++;
      const expected = evaluate(data, expr, system.facts);
      if (!isDeepStrictEqual(sql[i].evals[n], expected)) note({ system: system.name, facts: system.facts, expr, sql: sql[i].evals[n], rules: expected });
    });
  });
  return { compared, differences };
}

// ------------------------------------------------------------------------------------- dates of the table

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
/** The dates the table turns on: the `before`/`onOrAfter` bounds of its expressions and its appliesFrom dates. */
function cutOffs(): string[] {
  const found = new Set<string>();
  const walk = (e: Expr): void => {
    if ('all' in e) e.all.forEach(walk);
    else if ('any' in e) e.any.forEach(walk);
    else if ('not' in e) walk(e.not);
    else if ('before' in e) found.add(e.before);
    else if ('onOrAfter' in e) found.add(e.onOrAfter);
  };
  Object.values(data.derivedFacts).forEach((d) => walk(d.expr));
  for (const r of data.records) {
    walk(r.condition);
    if (typeof r.appliesFrom === 'string') found.add(r.appliesFrom);
    else r.appliesFrom.forEach((e) => { found.add(e.from); if (e.when) walk(e.when); });
  }
  return [...found].sort();
}
const CUT_OFFS = cutOffs();
const AROUND_CUT_OFFS = CUT_OFFS.flatMap((d) => [addDays(d, -1), d, addDays(d, 1)]);
/** The dates the random systems are classified at. */
const AS_OF = ['2025-01-01', '2025-02-02', '2026-08-01', '2026-08-02', '2027-08-02', '2027-12-02', '2028-08-02', '2031-01-01'];

// --------------------------------------------------------------------------------- hand-written systems

const ANNEX_III = (point: string): SystemFacts => ({ highRiskRoute: 'ANNEX_III', annexIIIPoint: point, art6_3Derogation: false });

const HAND_WRITTEN: System[] = [
  { name: 'private credit-scoring deployer, Annex III 5(b)', roles: ['deployer'],
    facts: { ...ANNEX_III('5(b)'), publicAuthority: false, publicLawBodyOrPublicService: false, financialInstitution: true,
      decisionsAboutNaturalPersons: true, deployerControlsInputData: true, employerUsingAtWorkplace: false } },
  { name: 'critical-infrastructure deployer, Annex III 2', roles: ['deployer'],
    facts: { ...ANNEX_III('2'), publicAuthority: false, publicLawBodyOrPublicService: true, employerUsingAtWorkplace: true, deployerControlsInputData: false } },
  { name: 'law-enforcement authority with remote biometric identification', roles: ['deployer', 'provider'],
    facts: { ...ANNEX_III('1(a)'), art6_3Derogation: true, profilesNaturalPersons: true, publicAuthority: true, publicLawBodyOrPublicService: true,
      lawEnforcement: true, realTimeRemoteBiometricId: true, postRemoteBiometricId: true, authorisedByLawForCriminalOffences: true,
      urgencyUseWithoutAuthorisation: true, art46Authorisation: true, civilProtectionAuthority: true,
      placedOnMarketDate: '2026-08-01', significantDesignChange: false, intendedForPublicAuthorities: true } },
  { name: 'Annex I Section A product, SME, placed the day before 2 Aug 2027', roles: ['product-manufacturer', 'provider'],
    facts: { highRiskRoute: 'ANNEX_I_A', placedOnMarketDate: '2027-08-01', sectoralQmsOrRiskLaw: true, thirdPartySuppliesComponents: false,
      substantialModification: true, deviatesFromCommonSpecifications: true, smeOrStartUp: true, microenterprise: true, smallMidCap: false,
      trainsModels: true, processesSpecialCategoriesForBias: true, annexXLargeScaleIT: false, establishedInThirdCountry: true } },
  { name: 'Annex I Section B product', roles: ['provider', 'importer', 'deployer'],
    facts: { highRiskRoute: 'ANNEX_I_B', interactsWithPersons: true, establishedInThirdCountry: false } },
  { name: 'Annex X large-scale IT component placed on 2 Aug 2027', roles: ['provider', 'deployer'],
    facts: { ...ANNEX_III('7(b)'), annexXLargeScaleIT: true, placedOnMarketDate: '2027-08-02', publicAuthority: true, publicLawBodyOrPublicService: true } },
  { name: 'Annex X large-scale IT component placed the day before', roles: ['provider', 'deployer'],
    facts: { ...ANNEX_III('7(b)'), annexXLargeScaleIT: true, placedOnMarketDate: '2027-08-01', publicAuthority: true } },
  { name: 'legacy Annex III system placed before 2 Aug 2026, unchanged', roles: ['provider', 'deployer'],
    facts: { ...ANNEX_III('4(a)'), placedOnMarketDate: '2026-08-01', significantDesignChange: false, intendedForPublicAuthorities: false } },
  { name: 'the same placed on 2 Aug 2026', roles: ['provider', 'deployer'],
    facts: { ...ANNEX_III('4(a)'), placedOnMarketDate: '2026-08-02', significantDesignChange: false, intendedForPublicAuthorities: false } },
  { name: 'legacy system for public authorities, significantly changed', roles: ['provider'],
    facts: { ...ANNEX_III('6(a)'), placedOnMarketDate: '2025-01-01', intendedForPublicAuthorities: true, significantDesignChange: true } },
  { name: 'Annex III system not placed yet (null date), every fact of the date explicit', roles: ['provider'],
    facts: { ...ANNEX_III('8(a)'), placedOnMarketDate: null, annexXLargeScaleIT: false, significantDesignChange: false } },
  { name: 'open-source GPAI model without systemic risk, placed the day before 2 Aug 2025', roles: ['gpai-provider'],
    facts: { gpaiModel: true, gpaiOpenSource: true, gpaiSystemicRisk: false, adheresToCodeOfPractice: false, placedOnMarketDate: '2025-08-01',
      establishedInThirdCountry: true } },
  { name: 'GPAI model with systemic risk placed on 2 Aug 2025', roles: ['gpai-provider', 'provider'],
    facts: { gpaiModel: true, gpaiOpenSource: false, gpaiSystemicRisk: true, placedOnMarketDate: '2025-08-02' } },
  { name: 'GPAI model placed in 2024, openness unknown', roles: ['gpai-provider'],
    facts: { gpaiModel: true, placedOnMarketDate: '2024-08-01' } },
  { name: 'generative chatbot, deep fakes and public-interest text', roles: ['provider', 'deployer'],
    facts: { highRiskRoute: 'NONE', interactsWithPersons: true, generatesSyntheticContent: true, standardEditingOnly: true,
      emotionRecognitionOrBiometricCategorisation: false, deepFake: true, publicInterestText: true, humanEditorialResponsibility: true, openSourceSystem: true } },
  { name: 'open-source system without any trigger', roles: ['provider'],
    facts: { highRiskRoute: 'NONE', openSourceSystem: true, interactsWithPersons: false, generatesSyntheticContent: false,
      emotionRecognitionOrBiometricCategorisation: true, deepFake: false, publicInterestText: false } },
  { name: 'out of scope (Art. 2 exclusion)', roles: ['provider', 'deployer', 'importer'], facts: { outOfScopeExclusion: true, highRiskRoute: 'ANNEX_III' } },
  { name: 'importer and distributor of a tested system whose deployer became its provider', roles: ['importer', 'distributor', 'provider'],
    facts: { ...ANNEX_III('5(a)'), realWorldTesting: true, inRegulatorySandbox: true, becomesProviderUnderArt25: true, downstreamBecameProvider: true } },
  { name: 'Annex III deployer, point and authority unknown', roles: ['deployer'], facts: { highRiskRoute: 'ANNEX_III' } },
  { name: 'derogation answered, route unknown', roles: ['provider'], facts: { art6_3Derogation: true, profilesNaturalPersons: false } },
  { name: 'distributor and authorised representative, nothing answered', roles: ['distributor', 'authorised-representative'], facts: {} },
  { name: 'every role, nothing answered', roles: [...data.actors], facts: {} },
  { name: 'every role, every default turned over', roles: [...data.actors],
    facts: Object.fromEntries(Object.entries(data.facts).filter(([, f]) => typeof f.default === 'boolean').map(([n, f]) => [n, !f.default])) },
];

describe('hand-written systems', () => {
  it('cover every fact, every role and each side of every cut-off date', () => {
    const answered = new Set(HAND_WRITTEN.flatMap((s) => Object.keys(s.facts)));
    expect(Object.keys(data.facts).filter((f) => !answered.has(f))).toEqual([]);
    expect(data.actors.filter((a) => !HAND_WRITTEN.some((s) => s.roles.includes(a)))).toEqual([]);
    const placed = new Set(HAND_WRITTEN.filter((s) => 'placedOnMarketDate' in s.facts).map((s) => s.facts.placedOnMarketDate));
    expect(placed).toContain(null);
    for (const d of ['2025-08-02', '2026-08-02', '2027-08-02']) {
      expect([placed.has(addDays(d, -1)), placed.has(d)]).toEqual([true, true]);
    }
  });

  it('SQL classifies every record as classifyRecord does, around every cut-off date', async () => {
    const dates = [...new Set([...AS_OF, ...AROUND_CUT_OFFS])].sort();
    const { compared, differences } = await compareClassifications(HAND_WRITTEN, dates);
    expect(differences).toEqual([]);
    // 23 systems x 21 dates x 185 records
    expect(compared).toBe(HAND_WRITTEN.length * dates.length * data.records.length);
    expect(compared).toBe(89_355);
  });

  it('SQL derived facts and expressions equal evaluate()', async () => {
    const { compared, differences } = await compareEvaluations(HAND_WRITTEN);
    expect(differences).toEqual([]);
    expect(compared).toBe(HAND_WRITTEN.length * (Object.keys(data.derivedFacts).length + EXPRESSIONS.length));
  });
});

// ------------------------------------------------------------------------------------------ random systems

/** Each fact absent (its default, else UNKNOWN) or a value of its type; dates around the cut-offs or null. */
function randomSystems(seed: number, n: number): System[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const dates: (string | null)[] = [null, ...['2024-08-01', '2025-08-02', '2026-08-02', '2027-08-02'].flatMap((d) => [addDays(d, -1), d, addDays(d, 1)])];
  return Array.from({ length: n }, (_, i) => {
    const facts: Record<string, FactValue> = {};
    for (const [name, def] of Object.entries(data.facts)) {
      if (random() < 0.3) continue;
      facts[name] = def.type === 'boolean' ? random() < 0.5
        : def.type === 'enum' ? pick(def.values!)
          : def.type === 'date' ? pick(dates)
            : pick([...(def.examples ?? []), 'not an example']);
    }
    const roles = data.actors.filter(() => random() < 0.35);
    return { name: `random ${seed}/${i}`, roles: roles.length ? roles : [pick(data.actors)], facts };
  });
}

describe('random systems (seeded)', () => {
  const SEED = 20251208;
  const systems = randomSystems(SEED, 500);

  it('SQL classifies every record as classifyRecord does, for 500 systems at 8 dates', async () => {
    const { compared, differences } = await compareClassifications(systems, AS_OF);
    expect(differences).toEqual([]);
    // 500 systems x 8 dates x 185 records, in 20 statements
    expect(compared).toBe(740_000);
  });

  it('SQL derived facts and expressions equal evaluate(), for the first 100 systems', async () => {
    const { compared, differences } = await compareEvaluations(systems.slice(0, 100));
    expect(differences).toEqual([]);
    expect(compared).toBe(100 * (Object.keys(data.derivedFacts).length + EXPRESSIONS.length));
  });
});

// -------------------------------------------------------------------------------------- hand-checked cases

describe('hand-checked', () => {
  const classify = async (roles: string[], facts: SystemFacts, asOf: string, ref: string): Promise<Classification> => {
    const record = data.records.find((r) => r.ref === ref);
    const [row] = await t.appDs.query(
      `SELECT hub_appl_classify($1, $2, hub_appl_derived($2, $3, $4), $4, $5, $6) AS c`,
      [record, data.facts, data.derivedFacts, facts, roles, asOf],
    );
    return row.c;
  };
  const creditScoring = { ...ANNEX_III('5(b)'), publicAuthority: false, publicLawBodyOrPublicService: false };

  it('private credit-scoring deployer (Annex III 5(b)): Art. 27(1) binds from 2 Aug 2026, not the day before', async () => {
    // Art. 27(1) names "deployers of high-risk AI systems referred to in points 5 (b) and (c) of Annex III"; the date's
    // facts (not an Annex X component, not placed, not for public authorities) are their defaults.
    expect(await classify(['deployer'], creditScoring, '2026-09-01', 'Art. 27(1)')).toEqual({
      status: 'BINDING', from: '2026-08-02',
      facts: ['annexIIIPoint', 'annexXLargeScaleIT', 'art6_3Derogation', 'highRiskRoute', 'intendedForPublicAuthorities',
        'outOfScopeExclusion', 'placedOnMarketDate'],
    });
    expect(await classify(['deployer'], creditScoring, '2026-08-01', 'Art. 27(1)')).toMatchObject({ status: 'NOT_YET', from: '2026-08-02' });
    // Not a public authority: Art. 26(8) is excluded by that one fact.
    expect(await classify(['deployer'], creditScoring, '2026-09-01', 'Art. 26(8)')).toEqual({ status: 'ABSENT', reason: 'EXCLUDED', facts: ['publicAuthority'] });
    // Art. 27(1) is a deployer's duty: a distributor of the same system is not named.
    expect(await classify(['distributor'], creditScoring, '2026-09-01', 'Art. 27(1)')).toEqual({ status: 'ABSENT', reason: 'ROLE', facts: [] });
  });

  it('Annex III point 2 (critical infrastructure) excludes Art. 27(1)', async () => {
    // A utility (a private entity providing public services): the point alone excludes it.
    expect(await classify(['deployer'], { ...creditScoring, annexIIIPoint: '2', publicLawBodyOrPublicService: true }, '2026-09-01', 'Art. 27(1)'))
      .toEqual({ status: 'ABSENT', reason: 'EXCLUDED', facts: ['annexIIIPoint'] });
    // A private company: the point, and that it is neither a public body nor in 5(b)/(c), each exclude it alone.
    expect(await classify(['deployer'], { ...creditScoring, annexIIIPoint: '2' }, '2026-09-01', 'Art. 27(1)'))
      .toEqual({ status: 'ABSENT', reason: 'EXCLUDED', facts: ['annexIIIPoint', 'publicAuthority', 'publicLawBodyOrPublicService'] });
  });

  it('unanswered facts: CONDITIONAL naming them, the date settled', async () => {
    expect(await classify(['deployer'], ANNEX_III('4(a)'), '2026-09-01', 'Art. 27(1)'))
      .toEqual({ status: 'CONDITIONAL', from: '2026-08-02', unknownFacts: ['publicAuthority', 'publicLawBodyOrPublicService'] });
    // A provider whose route is unanswered: whether it is high-risk is open, and so is the date (Annex I Section A
    // products bind from 2 Aug 2027, the rest from 2 Aug 2026).
    expect(await classify(['provider'], {}, '2026-09-01', 'Art. 9(1)'))
      .toEqual({ status: 'CONDITIONAL', from: null, unknownFacts: ['art6_3Derogation', 'highRiskRoute', 'profilesNaturalPersons'] });
  });

  it('GPAI: the open-source exemption excludes Art. 53(1)(a); a model placed before 2 Aug 2025 has until 2 Aug 2027', async () => {
    expect(await classify(['gpai-provider'], { gpaiModel: true, gpaiOpenSource: true, gpaiSystemicRisk: false }, '2025-09-01', 'Art. 53(1)(a)'))
      .toEqual({ status: 'ABSENT', reason: 'EXCLUDED', facts: ['gpaiModel', 'gpaiOpenSource', 'gpaiSystemicRisk'] });
    expect(await classify(['gpai-provider'], { gpaiModel: true, gpaiOpenSource: false, gpaiSystemicRisk: false, placedOnMarketDate: '2025-03-01' }, '2026-09-01', 'Art. 53(1)(a)'))
      .toEqual({ status: 'NOT_YET', from: '2027-08-02', facts: ['gpaiModel', 'gpaiOpenSource', 'placedOnMarketDate'] });
  });
});

// --------------------------------------------------------------------------------------------- bad input

describe('answers that are not facts of the table', () => {
  const derived = async (facts: Record<string, unknown>) =>
    t.appDs.query(`SELECT hub_appl_derived($1, $2, $3) AS d`, [data.facts, data.derivedFacts, facts]);
  const rulesError = (facts: Record<string, unknown>): string => {
    try {
      classifyAll(data, { roles: ['provider'], facts: facts as SystemFacts }, '2026-01-01');
    } catch (e) {
      expect(e).toBeInstanceOf(ApplicabilityDataError);
      return (e as Error).message;
    }
    throw new Error('the rules accepted it');
  };

  it.each([
    [{ nope: true }],
    [{ highRiskRoute: 'ANNEX_IV' }],
    [{ gpaiModel: 'yes' }],
    [{ annexIIIPoint: 5 }],
    [{ placedOnMarketDate: '2026-13-01' }],
    [{ placedOnMarketDate: '2026-02-32' }],
    [{ publicAuthority: null }],
  ])('%j is refused with the rules\' message', async (facts) => {
    await expect(derived(facts)).rejects.toThrow(rulesError(facts));
  });

  it('a date the rules accept is accepted (Date.parse takes any day 01-31 of any month)', async () => {
    expect(() => classifyAll(data, { roles: ['provider'], facts: { placedOnMarketDate: '2026-02-30' } }, '2026-01-01')).not.toThrow();
    await expect(derived({ placedOnMarketDate: '2026-02-30' })).resolves.toHaveLength(1);
  });
});
