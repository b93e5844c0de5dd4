/**
 * Conditional relationships, as pure functions. A mapping may carry qualifiers: each names a condition
 * (an organization fact such as integratedManagementSystem, optionally for one process) and the
 * relationship and strength that hold when the organization declares it. Everything that follows
 * mappings (the closure, coverage, pre-fill, gaps, reuse, paths) reads a row through relationshipInForce.
 *
 *  - An organization's conditions are keys: "integratedManagementSystem:internalAudit" for one process,
 *    "integratedManagementSystem" (no parameter) for every process.
 *  - A row reads its first qualifier whose condition the organization declared; with none, the row as
 *    stored. A product that ignores qualifiers therefore sees the stored (safe) relationship.
 *  - A qualifier without a strength keeps the row's.
 */
import { Relationship } from './mapping.enums';

export interface Qualifier {
  /** The condition's name, e.g. "integratedManagementSystem". */
  when: string;
  /** The condition's parameter (for integratedManagementSystem: the process), or null. */
  process: string | null;
  relationship: Relationship;
  strength: number | null;
  /** OSCAL 1.2 qualifier-item fields. */
  subject: string | null;
  predicate: string | null;
  category: string | null;
  description: string | null;
}

export const conditionKey = (when: string, parameter: string | null | undefined): string => (parameter ? `${when}:${parameter}` : when);

export interface InForce {
  relationship: Relationship;
  strength: number | null;
  /** The qualifier relied on; null when the row reads as stored. */
  qualifier: Qualifier | null;
}

export function qualifierInForce(qualifiers: readonly Qualifier[], conditions: ReadonlySet<string>): Qualifier | null {
  for (const q of qualifiers) {
    if (conditions.has(q.when) || conditions.has(conditionKey(q.when, q.process))) return q;
  }
  return null;
}

export function relationshipInForce(row: { relationship: Relationship; strength: number | null; qualifiers: readonly Qualifier[] }, conditions: ReadonlySet<string>): InForce {
  const q = conditions.size ? qualifierInForce(row.qualifiers, conditions) : null;
  if (!q) return { relationship: row.relationship, strength: row.strength, qualifier: null };
  return { relationship: q.relationship, strength: q.strength ?? row.strength, qualifier: q };
}

const RELATIONSHIPS: Record<string, Relationship> = {
  equal: Relationship.EQUAL,
  'equal-to': Relationship.EQUAL,
  subset_of: Relationship.SUBSET_OF,
  'subset-of': Relationship.SUBSET_OF,
  superset_of: Relationship.SUPERSET_OF,
  'superset-of': Relationship.SUPERSET_OF,
  intersects_with: Relationship.INTERSECTS_WITH,
  'intersects-with': Relationship.INTERSECTS_WITH,
  no_relationship: Relationship.NO_RELATIONSHIP,
  'no-relationship': Relationship.NO_RELATIONSHIP,
};

/** A qualifier as written in a seed file, a stored row or an API input; throws on a relationship it does not know. */
export function parseQualifier(raw: Record<string, unknown>): Qualifier {
  const rel = String(raw.relationship ?? '');
  const relationship = (Object.values(Relationship) as string[]).includes(rel) ? (rel as Relationship) : RELATIONSHIPS[rel.toLowerCase()];
  if (!relationship) throw new Error(`unknown qualifier relationship "${rel}"`);
  const when = String(raw.when ?? '').trim();
  if (!when) throw new Error('a qualifier names its condition in "when"');
  const str = (k: string) => (typeof raw[k] === 'string' && (raw[k] as string).trim() ? (raw[k] as string).trim() : null);
  const strength = raw.strength === null || raw.strength === undefined ? null : Number(raw.strength);
  return {
    when,
    process: str('process'),
    relationship,
    strength,
    subject: str('subject'),
    predicate: str('predicate'),
    category: str('category'),
    description: str('description'),
  };
}
