/**
 * EU AI Act applicability from the facts of a system (issue 12), as data: the types of
 * seeds/eu-ai-act/applicability.json, a loader that validates it, a three-valued (Kleene) evaluator of its
 * conditions, appliesFrom resolution and the classification of one record for a system on a date.
 *
 * AiSystem.obligations, obligationsMatrix, the gap report and the impact assessment templates answer from it
 * (eu-act.service.ts). Pure: no database, no GraphQL; only the loader reads a file.
 * No article number may appear in a branch here: every legal distinction lives in the data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config';

// ---------------------------------------------------------------------------------------------- types

export type Truth = 'TRUE' | 'FALSE' | 'UNKNOWN';

export type FactType = 'boolean' | 'enum' | 'string' | 'date';
/** A known fact value: booleans, enum/string values, ISO dates ('YYYY-MM-DD'); null only for a date fact (no date). */
export type FactValue = boolean | string | null;

export interface FactDefinition {
  type: FactType;
  /** Enum facts only: the allowed values. */
  values?: string[];
  /** When present (null included), an unanswered fact takes this value instead of being UNKNOWN. */
  default?: FactValue;
  meaning: string;
  createdBy: string;
  note?: string;
  examples?: string[];
}

export interface DerivedFactDefinition {
  expr: Expr;
  meaning: string;
}

/** The expression grammar of `expressionSyntax`: exactly one of these shapes per object. */
export type Expr =
  | { all: Expr[] }
  | { any: Expr[] }
  | { not: Expr }
  | { fact: string; eq: FactValue }
  | { fact: string; in: FactValue[] }
  | { fact: string; before: string }
  | { fact: string; onOrAfter: string }
  | { derived: string };

export interface AppliesFromEntry {
  /** Absent: the entry always applies. */
  when?: Expr;
  from: string;
  why?: string;
}

/** A date, or an ordered list whose first entry with a TRUE (or absent) `when` gives the date. */
export type AppliesFrom = string | AppliesFromEntry[];

export interface ApplicabilityRecord {
  ref: string;
  actors: string[];
  condition: Expr;
  appliesFrom: AppliesFrom;
  dutyType: string;
  dateClass: string;
  evidence: string;
  evidenceArticle: number;
  note: string;
  confidence: string;
}

export interface ApplicabilityData {
  id: string;
  actors: string[];
  facts: Record<string, FactDefinition>;
  derivedFacts: Record<string, DerivedFactDefinition>;
  records: ApplicabilityRecord[];
  counts: { records: number; facts: number; derivedFacts: number };
}

export class ApplicabilityDataError extends Error {}

// --------------------------------------------------------------------------------------------- loader

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Expressions are small (the data nests 5 deep at most); the bound keeps every recursion below finite. */
const MAX_DEPTH = 32;
const FACT_OPS = ['eq', 'in', 'before', 'onOrAfter'] as const;

export function applicabilityFile(): string {
  return path.join(projectRoot(), 'seeds', 'eu-ai-act', 'applicability.json');
}

/** Reads and validates the applicability table (seeds/eu-ai-act/applicability.json unless told otherwise). */
export function loadApplicability(file: string = applicabilityFile()): ApplicabilityData {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ApplicabilityDataError(`${path.basename(file)}: cannot read as JSON (${(e as Error).message})`);
  }
  return parseApplicability(raw);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDate = (v: unknown): v is string => typeof v === 'string' && DATE.test(v) && !Number.isNaN(Date.parse(v));

/** Validates parsed JSON: shapes, fact and derived names, value types, acyclic derived facts, counts. */
export function parseApplicability(raw: unknown): ApplicabilityData {
  const fail = (msg: string): never => { throw new ApplicabilityDataError(`applicability data: ${msg}`); };
  if (!isObject(raw)) fail('not a JSON object');
  const d = raw as Record<string, unknown>;
  if (!Array.isArray(d.actors) || !d.actors.every((a) => typeof a === 'string')) fail('"actors" must be a list of strings');
  if (!isObject(d.facts)) fail('"facts" must be an object');
  if (!isObject(d.derivedFacts)) fail('"derivedFacts" must be an object');
  if (!Array.isArray(d.records)) fail('"records" must be a list');
  const actors = new Set(d.actors as string[]);
  const facts = d.facts as Record<string, FactDefinition>;
  const derived = d.derivedFacts as Record<string, DerivedFactDefinition>;

  for (const [name, f] of Object.entries(facts)) {
    if (!isObject(f) || !['boolean', 'enum', 'string', 'date'].includes(f.type as string)) {
      fail(`fact "${name}": type must be boolean, enum, string or date`);
    }
    if (f.type === 'enum' && (!Array.isArray(f.values) || f.values.length === 0)) fail(`fact "${name}": enum without values`);
    if ('default' in f && !valueFits(f, f.default)) fail(`fact "${name}": default ${JSON.stringify(f.default)} is not a ${f.type}`);
  }

  const checkExpr = (e: unknown, where: string, depth: number): void => {
    if (depth > MAX_DEPTH) fail(`${where}: expression nested deeper than ${MAX_DEPTH}`);
    if (!isObject(e)) fail(`${where}: expression must be an object, got ${JSON.stringify(e)}`);
    const o = e as Record<string, unknown>;
    const keys = Object.keys(o).sort().join(',');
    if (keys === 'all' || keys === 'any') {
      const list = o[keys];
      if (!Array.isArray(list) || list.length === 0) fail(`${where}: "${keys}" needs a non-empty list`);
      (list as unknown[]).forEach((c, i) => checkExpr(c, `${where}.${keys}[${i}]`, depth + 1));
    } else if (keys === 'not') {
      checkExpr(o.not, `${where}.not`, depth + 1);
    } else if (keys === 'derived') {
      if (typeof o.derived !== 'string' || !Object.hasOwn(derived, o.derived)) fail(`${where}: unknown derived fact ${JSON.stringify(o.derived)}`);
    } else if ('fact' in o) {
      const ops = FACT_OPS.filter((op) => op in o);
      if (Object.keys(o).length !== 2 || ops.length !== 1) {
        fail(`${where}: a fact expression is {fact, eq|in|before|onOrAfter}, got keys ${keys}`);
      }
      const name = o.fact as string;
      const def = typeof name === 'string' && Object.hasOwn(facts, name) ? facts[name] : fail(`${where}: unknown fact ${JSON.stringify(name)}`);
      const op = ops[0];
      const arg = o[op];
      if (op === 'eq' && !valueFits(def, arg)) fail(`${where}: "${name}" eq ${JSON.stringify(arg)} is not a ${def.type} value`);
      if (op === 'in' && (!Array.isArray(arg) || arg.length === 0 || !arg.every((v) => valueFits(def, v)))) {
        fail(`${where}: "${name}" in needs a non-empty list of ${def.type} values, got ${JSON.stringify(arg)}`);
      }
      if ((op === 'before' || op === 'onOrAfter') && (def.type !== 'date' || !isDate(arg))) {
        fail(`${where}: "${op}" needs a date fact and a YYYY-MM-DD date ("${name}" is ${def.type}, got ${JSON.stringify(arg)})`);
      }
    } else {
      fail(`${where}: unknown expression form with keys ${keys || '(none)'}`);
    }
  };

  for (const [name, df] of Object.entries(derived)) {
    if (!isObject(df)) fail(`derived fact "${name}": must be an object`);
    checkExpr(df.expr, `derived fact "${name}"`, 0);
  }
  checkDerivedAcyclic(derived, fail);

  const refs = new Set<string>();
  (d.records as unknown[]).forEach((r, i) => {
    if (!isObject(r) || typeof r.ref !== 'string') fail(`record ${i}: needs a string "ref"`);
    const rec = r as Record<string, unknown>;
    const where = `record ${rec.ref as string}`;
    if (refs.has(rec.ref as string)) fail(`${where}: ref listed twice`);
    refs.add(rec.ref as string);
    if (!Array.isArray(rec.actors) || rec.actors.length === 0) fail(`${where}: needs a non-empty "actors" list`);
    for (const a of rec.actors as unknown[]) if (!actors.has(a as string)) fail(`${where}: unknown actor ${JSON.stringify(a)}`);
    checkExpr(rec.condition, `${where} condition`, 0);
    const af = rec.appliesFrom;
    if (typeof af === 'string') {
      if (!isDate(af)) fail(`${where}: appliesFrom ${JSON.stringify(af)} is not a YYYY-MM-DD date`);
    } else if (Array.isArray(af) && af.length > 0) {
      af.forEach((entry, j) => {
        const w = `${where} appliesFrom[${j}]`;
        if (!isObject(entry) || !isDate(entry.from)) fail(`${w}: needs a YYYY-MM-DD "from"`);
        const extra = Object.keys(entry as object).filter((k) => !['when', 'from', 'why'].includes(k));
        if (extra.length) fail(`${w}: unknown keys ${extra.join(',')}`);
        if ('when' in (entry as object)) checkExpr((entry as AppliesFromEntry).when, `${w}.when`, 0);
      });
      // A list with no unconditional last entry could leave a binding record without a date.
      if ('when' in af[af.length - 1]) fail(`${where}: the last appliesFrom entry must have no "when" (the fallback date)`);
    } else {
      fail(`${where}: appliesFrom must be a date or a non-empty list of {when?, from}`);
    }
  });

  const counts = d.counts;
  if (isObject(counts)) {
    const actual = { records: (d.records as unknown[]).length, facts: Object.keys(facts).length, derivedFacts: Object.keys(derived).length };
    for (const [k, n] of Object.entries(actual)) {
      if (counts[k] !== undefined && counts[k] !== n) fail(`counts.${k} says ${JSON.stringify(counts[k])} but the file has ${n}`);
    }
  }
  return raw as unknown as ApplicabilityData;
}

function valueFits(def: FactDefinition, v: unknown): boolean {
  switch (def.type) {
    case 'boolean': return typeof v === 'boolean';
    case 'enum': return typeof v === 'string' && (def.values ?? []).includes(v);
    case 'string': return typeof v === 'string';
    case 'date': return v === null || isDate(v);
  }
}

/** Names of derived facts an expression refers to directly. */
function derivedRefs(e: Expr, out: string[] = []): string[] {
  if ('all' in e) e.all.forEach((c) => derivedRefs(c, out));
  else if ('any' in e) e.any.forEach((c) => derivedRefs(c, out));
  else if ('not' in e) derivedRefs(e.not, out);
  else if ('derived' in e) out.push(e.derived);
  return out;
}

/** Kahn's algorithm: what is left once every derived fact without pending dependencies is removed is a cycle. */
function checkDerivedAcyclic(derived: Record<string, DerivedFactDefinition>, fail: (msg: string) => never): void {
  const deps = new Map(Object.entries(derived).map(([n, df]) => [n, new Set(derivedRefs(df.expr))]));
  let progress = true;
  while (progress) {
    progress = false;
    for (const [n, ds] of deps) {
      if ([...ds].every((x) => !deps.has(x))) { deps.delete(n); progress = true; }
    }
  }
  if (deps.size) fail(`derived facts form a cycle through ${[...deps.keys()].sort().join(', ')}`);
}

// ------------------------------------------------------------------------------------------ evaluator

/** The answered facts of one system: fact name to value. Unanswered facts take the data's default or are UNKNOWN. */
export type SystemFacts = Readonly<Record<string, FactValue>>;

export interface Evaluation {
  value: Truth;
  /** TRUE/FALSE: the known facts that decided it. UNKNOWN: the unknown facts that could decide it. Sorted. */
  facts: string[];
}

/** Checks a system's answers against the data: every name a fact, every value of its type. */
export function checkSystemFacts(data: ApplicabilityData, facts: SystemFacts): void {
  for (const [name, v] of Object.entries(facts)) {
    const def = Object.hasOwn(data.facts, name) ? data.facts[name] : null;
    if (!def) throw new ApplicabilityDataError(`unknown fact "${name}"`);
    if (!valueFits(def, v)) throw new ApplicabilityDataError(`fact "${name}": ${JSON.stringify(v)} is not a ${def.type} value`);
  }
}

/** One evaluation pass over a system's facts; derived facts are computed once each. */
class Evaluator {
  private readonly derivedCache = new Map<string, Evaluation>();
  constructor(private readonly data: ApplicabilityData, private readonly facts: SystemFacts) {}

  /** The fact's value, or undefined when it is UNKNOWN. */
  private valueOf(name: string): FactValue | undefined {
    if (Object.hasOwn(this.facts, name)) return this.facts[name];
    const def = this.data.facts[name];
    return 'default' in def ? def.default : undefined;
  }

  eval(e: Expr): Evaluation {
    if ('all' in e) return combine(e.all.map((c) => this.eval(c)), 'FALSE', 'TRUE');
    if ('any' in e) return combine(e.any.map((c) => this.eval(c)), 'TRUE', 'FALSE');
    if ('not' in e) {
      const r = this.eval(e.not);
      return { value: r.value === 'TRUE' ? 'FALSE' : r.value === 'FALSE' ? 'TRUE' : 'UNKNOWN', facts: r.facts };
    }
    if ('derived' in e) {
      let r = this.derivedCache.get(e.derived);
      if (!r) {
        r = this.eval(this.data.derivedFacts[e.derived].expr);
        this.derivedCache.set(e.derived, r);
      }
      return r;
    }
    const v = this.valueOf(e.fact);
    if (v === undefined) return { value: 'UNKNOWN', facts: [e.fact] };
    let holds: boolean;
    if ('eq' in e) holds = v === e.eq;
    else if ('in' in e) holds = e.in.includes(v);
    // A null date (not placed) is neither before nor on/after any date: both are FALSE, so not(before) is not onOrAfter.
    else if ('before' in e) holds = typeof v === 'string' && v < e.before;
    else holds = typeof v === 'string' && v >= e.onOrAfter;
    return { value: holds ? 'TRUE' : 'FALSE', facts: [e.fact] };
  }
}

/**
 * Kleene all/any. `dominant` is the value one child alone decides (FALSE for all, TRUE for any): the facts of
 * every dominant child explain it. Else any UNKNOWN child makes it UNKNOWN, explained by their unknown facts;
 * else every child agrees and all their facts explain it.
 */
function combine(children: Evaluation[], dominant: Truth, otherwise: Truth): Evaluation {
  for (const value of [dominant, 'UNKNOWN'] as const) {
    const hits = children.filter((c) => c.value === value);
    if (hits.length) return { value, facts: union(hits) };
  }
  return { value: otherwise, facts: union(children) };
}

const union = (evals: Evaluation[]): string[] => [...new Set(evals.flatMap((e) => e.facts))].sort();

/** Evaluates one expression for a system (facts already checked, or trusted). */
export function evaluate(data: ApplicabilityData, expr: Expr, facts: SystemFacts): Evaluation {
  return new Evaluator(data, facts).eval(expr);
}

// ------------------------------------------------------------------------------------ dates and records

export type DateResolution =
  | { kind: 'DATE'; date: string; facts: string[] }
  | { kind: 'UNKNOWN'; facts: string[] };

function resolveWith(ev: Evaluator, appliesFrom: AppliesFrom): DateResolution {
  if (typeof appliesFrom === 'string') return { kind: 'DATE', date: appliesFrom, facts: [] };
  const seen: Evaluation[] = [];
  for (const entry of appliesFrom) {
    if (!entry.when) return { kind: 'DATE', date: entry.from, facts: union(seen) };
    const r = ev.eval(entry.when);
    // An earlier entry that may or may not apply leaves the date open, whatever the later entries say.
    if (r.value === 'UNKNOWN') return { kind: 'UNKNOWN', facts: r.facts };
    seen.push(r);
    if (r.value === 'TRUE') return { kind: 'DATE', date: entry.from, facts: union(seen) };
  }
  // parseApplicability requires an unconditional last entry; hand-built data may lack one.
  throw new ApplicabilityDataError('appliesFrom list without an entry that applies');
}

/** The date a record's duties start for a system; facts: the `when` facts that chose it (or the unknown ones). */
export function resolveAppliesFrom(data: ApplicabilityData, appliesFrom: AppliesFrom, facts: SystemFacts): DateResolution {
  return resolveWith(new Evaluator(data, facts), appliesFrom);
}

export interface ApplicabilitySystem {
  /** Actors as the data names them ('provider', 'deployer', ...). A product manufacturer that is also provider gives both. */
  roles: readonly string[];
  facts: SystemFacts;
}

export type Classification =
  /** Binds on asOf; facts: those that made the condition TRUE and chose the date. */
  | { status: 'BINDING'; from: string; facts: string[] }
  /** Condition TRUE, but binds only from a later date. */
  | { status: 'NOT_YET'; from: string; facts: string[] }
  /** An UNKNOWN fact decides the condition or the date; from: the date if it is already settled. */
  | { status: 'CONDITIONAL'; from: string | null; unknownFacts: string[] }
  /** Not listed: no actor of the record is a role of the system, or known facts make the condition FALSE. */
  | { status: 'ABSENT'; reason: 'ROLE' | 'EXCLUDED'; facts: string[] };

/** Classifies one record for a system on asOf (a Date, taken as its UTC day, or 'YYYY-MM-DD'). */
export function classifyRecord(
  data: ApplicabilityData, record: ApplicabilityRecord, system: ApplicabilitySystem, asOf: Date | string,
): Classification {
  checkSystemFacts(data, system.facts);
  return classifyWith(new Evaluator(data, system.facts), record, system.roles, dayOf(asOf));
}

/** A classifier for one system: facts checked once, derived facts evaluated once, for any record and day. */
export function classifierFor(data: ApplicabilityData, system: ApplicabilitySystem): (record: ApplicabilityRecord, asOf: Date | string) => Classification {
  checkSystemFacts(data, system.facts);
  const ev = new Evaluator(data, system.facts);
  return (record, asOf) => classifyWith(ev, record, system.roles, dayOf(asOf));
}

/** Classifies every record for a system on asOf, keyed by ref, in the data's order. */
export function classifyAll(data: ApplicabilityData, system: ApplicabilitySystem, asOf: Date | string): Map<string, Classification> {
  checkSystemFacts(data, system.facts);
  const ev = new Evaluator(data, system.facts);
  const day = dayOf(asOf);
  return new Map(data.records.map((r) => [r.ref, classifyWith(ev, r, system.roles, day)]));
}

function classifyWith(ev: Evaluator, record: ApplicabilityRecord, roles: readonly string[], day: string): Classification {
  if (!record.actors.some((a) => roles.includes(a))) return { status: 'ABSENT', reason: 'ROLE', facts: [] };
  const cond = ev.eval(record.condition);
  if (cond.value === 'FALSE') return { status: 'ABSENT', reason: 'EXCLUDED', facts: cond.facts };
  const date = resolveWith(ev, record.appliesFrom);
  if (cond.value === 'UNKNOWN' || date.kind === 'UNKNOWN') {
    const unknown = cond.value === 'UNKNOWN' ? cond.facts : [];
    return {
      status: 'CONDITIONAL',
      from: date.kind === 'DATE' ? date.date : null,
      unknownFacts: [...new Set([...unknown, ...(date.kind === 'UNKNOWN' ? date.facts : [])])].sort(),
    };
  }
  const facts = [...new Set([...cond.facts, ...date.facts])].sort();
  return day >= date.date ? { status: 'BINDING', from: date.date, facts } : { status: 'NOT_YET', from: date.date, facts };
}

function dayOf(asOf: Date | string): string {
  if (asOf instanceof Date) return asOf.toISOString().slice(0, 10);
  if (!isDate(asOf)) throw new ApplicabilityDataError(`asOf ${JSON.stringify(asOf)} is not a YYYY-MM-DD date`);
  return asOf;
}
