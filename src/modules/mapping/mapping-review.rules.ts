/**
 * The review workflow's rules, as pure functions: which proposed changes a set version accepts, the rows
 * a version has once they are applied, and what differs between two versions' rows. The service loads
 * rows and refs and writes what these functions return; nothing here reads the database.
 *
 *  - A row is named by its refs: (source ref, target ref) within a set, (framework key, ref) x 2 across
 *    two versions whose framework rows may differ.
 *  - A change names one row. ADD needs a pair the set lacks and a relationship; REMOVE and CHANGE need a
 *    pair it has; CHANGE must set at least one field to a value other than the row's. A field left out
 *    (undefined) is kept; null clears strength, rationale or note; [] clears qualifiers.
 */
import { Rationale, Relationship } from './mapping.enums';
import type { Qualifier } from './mapping-qualifier.rules';

export enum MappingChangeOp {
  ADD = 'ADD',
  REMOVE = 'REMOVE',
  CHANGE = 'CHANGE',
}

/** The fields a change may set, in the order diffs list them. */
export const CHANGEABLE_FIELDS = ['relationship', 'strength', 'rationale', 'note', 'qualifiers'] as const;
export type ChangeableField = (typeof CHANGEABLE_FIELDS)[number];

/** The content of one mapping row that a review compares and changes. */
export interface ReviewRow {
  sourceFramework: string;
  sourceRef: string;
  targetFramework: string;
  targetRef: string;
  relationship: Relationship;
  strength: number | null;
  rationale: Rationale | null;
  note: string | null;
  qualifiers: Qualifier[];
}

export interface MappingChange {
  op: MappingChangeOp;
  sourceRef: string;
  targetRef: string;
  relationship?: Relationship;
  strength?: number | null;
  rationale?: Rationale | null;
  note?: string | null;
  qualifiers?: Qualifier[];
}

export interface ChangeProblem {
  field: string;
  message: string;
}

const pairKey = (sourceRef: string, targetRef: string) => `${sourceRef}\u0000${targetRef}`;

/** Fields the change names (present, even when null). */
export const fieldsSet = (c: MappingChange): ChangeableField[] => CHANGEABLE_FIELDS.filter((f) => c[f] !== undefined);

/** Order-independent, so two equal qualifier lists compare equal whatever key order they were stored with. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

export const sameValue = (a: unknown, b: unknown): boolean => canonical(a ?? null) === canonical(b ?? null);

const validStrength = (s: unknown) => s === null || (Number.isInteger(s) && (s as number) >= 1 && (s as number) <= 10);

/**
 * Every problem of a change list against a set's rows, each named by its place (`changes[2].targetRef`).
 * `known` holds the refs of the set's source and target frameworks that exist.
 */
export function checkChanges(
  rows: readonly Pick<ReviewRow, 'sourceRef' | 'targetRef' | ChangeableField>[],
  changes: readonly MappingChange[],
  known: { source: ReadonlySet<string>; target: ReadonlySet<string>; sourceFramework: string; targetFramework: string },
): ChangeProblem[] {
  const problems: ChangeProblem[] = [];
  const byPair = new Map(rows.map((r) => [pairKey(r.sourceRef, r.targetRef), r]));
  const seen = new Map<string, number>();
  changes.forEach((c, i) => {
    const at = (f?: string) => `changes[${i}]${f ? `.${f}` : ''}`;
    const add = (f: string | undefined, message: string) => problems.push({ field: at(f), message });
    const sourceKnown = known.source.has(c.sourceRef);
    const targetKnown = known.target.has(c.targetRef);
    if (!sourceKnown) add('sourceRef', `unknown requirement "${c.sourceRef}" in framework "${known.sourceFramework}"`);
    if (!targetKnown) add('targetRef', `unknown requirement "${c.targetRef}" in framework "${known.targetFramework}"`);
    const key = pairKey(c.sourceRef, c.targetRef);
    const earlier = seen.get(key);
    if (earlier !== undefined) add(undefined, `${c.sourceRef} -> ${c.targetRef} is already changed by changes[${earlier}]; one change per row`);
    else seen.set(key, i);
    if (c.strength !== undefined && !validStrength(c.strength)) add('strength', 'strength must be an integer from 1 to 10, or null');
    (c.qualifiers ?? []).forEach((q, j) => {
      if (!q.when?.trim()) add(`qualifiers[${j}].when`, 'a qualifier names its condition in "when"');
      if (q.strength !== null && q.strength !== undefined && !validStrength(q.strength)) add(`qualifiers[${j}].strength`, 'strength must be an integer from 1 to 10, or null');
    });
    const row = byPair.get(key);
    const given = fieldsSet(c);
    if (c.op === MappingChangeOp.ADD) {
      if (row) add('targetRef', `the set already maps ${c.sourceRef} -> ${c.targetRef}; use CHANGE`);
      if (!c.relationship) add('relationship', 'ADD needs a relationship');
    } else if (sourceKnown && targetKnown && !row) {
      add('targetRef', `the set has no mapping ${c.sourceRef} -> ${c.targetRef} to ${c.op === MappingChangeOp.REMOVE ? 'remove' : 'change'}`);
    }
    if (c.op === MappingChangeOp.REMOVE && given.length) add(given[0], `REMOVE takes no fields; ${given.join(', ')} given`);
    if (c.op === MappingChangeOp.CHANGE) {
      if (c.relationship === null) add('relationship', 'relationship cannot be cleared');
      if (!given.length) add(undefined, 'CHANGE sets nothing: give at least one of relationship, strength, rationale, note, qualifiers');
      else if (row && given.every((f) => sameValue(row[f], c[f]))) add(undefined, `CHANGE changes nothing: ${given.join(', ')} already ${given.length > 1 ? 'have' : 'has'} that value`);
    }
  });
  return problems;
}

/**
 * The rows once the changes are applied (checked first with checkChanges): kept rows in their order,
 * changed ones in place, added ones at the end, built by `create` (which supplies what a row carries
 * beyond its content, e.g. requirement ids).
 */
export function applyChanges<R extends ReviewRow>(
  rows: readonly R[],
  changes: readonly MappingChange[],
  create: (content: ReviewRow, change: MappingChange) => R,
  sample: Pick<ReviewRow, 'sourceFramework' | 'targetFramework'>,
): R[] {
  const byPair = new Map(changes.map((c) => [pairKey(c.sourceRef, c.targetRef), c]));
  const out: R[] = [];
  for (const r of rows) {
    const c = byPair.get(pairKey(r.sourceRef, r.targetRef));
    if (!c) out.push(r);
    else if (c.op === MappingChangeOp.CHANGE) {
      const next = { ...r };
      for (const f of fieldsSet(c)) (next as Record<string, unknown>)[f] = c[f];
      out.push(next);
    }
    // REMOVE: left out. (An ADD of a pair the set has was refused by checkChanges.)
  }
  for (const c of changes) {
    if (c.op !== MappingChangeOp.ADD) continue;
    out.push(create({
      sourceFramework: sample.sourceFramework,
      sourceRef: c.sourceRef,
      targetFramework: sample.targetFramework,
      targetRef: c.targetRef,
      relationship: c.relationship!,
      strength: c.strength ?? null,
      rationale: c.rationale ?? null,
      note: c.note ?? null,
      qualifiers: c.qualifiers ?? [],
    }, c));
  }
  return out;
}

export interface RowChange<R extends ReviewRow> {
  fields: ChangeableField[];
  before: R;
  after: R;
}

export interface SetDiff<R extends ReviewRow> {
  added: R[];
  removed: R[];
  changed: RowChange<R>[];
  unchanged: number;
}

/** Rows of two versions matched by framework key and ref on both ends; compared on CHANGEABLE_FIELDS. */
export function diffRows<R extends ReviewRow>(from: readonly R[], to: readonly R[]): SetDiff<R> {
  const key = (r: ReviewRow) => [r.sourceFramework, r.sourceRef, r.targetFramework, r.targetRef].join('\u0000');
  const before = new Map(from.map((r) => [key(r), r]));
  const after = new Set(to.map(key));
  const diff: SetDiff<R> = { added: [], removed: from.filter((r) => !after.has(key(r))), changed: [], unchanged: 0 };
  for (const r of to) {
    const old = before.get(key(r));
    if (!old) {
      diff.added.push(r);
      continue;
    }
    const fields = CHANGEABLE_FIELDS.filter((f) => !sameValue(old[f], r[f]));
    if (fields.length) diff.changed.push({ fields, before: old, after: r });
    else diff.unchanged++;
  }
  return diff;
}
