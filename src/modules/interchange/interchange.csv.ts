import { parse } from 'csv-parse/sync';
import type { ImportedMapping, ImportedRequirement, Problem } from './oscal';
import { KINDS, RELATIONSHIP_FROM_TOKEN } from './oscal';
import { Rationale, Relationship } from '../mapping/mapping.enums';
import { IMPORT_MAX_DEPTH, IMPORT_MAX_NODES } from '../../graphql/input-bounds';

export const FRAMEWORK_CSV_COLUMNS = ['ref', 'title', 'parent_ref', 'kind', 'assessable', 'description'] as const;
export const MAPPING_CSV_COLUMNS = ['source_framework', 'source_ref', 'relationship', 'target_framework', 'target_ref', 'strength', 'rationale', 'note'] as const;

/** Rows as objects by header, each with its line number in the file (the header is line 1). */
function records(text: string, required: readonly string[], known: readonly string[]): { rows: { line: number; v: Record<string, string> }[]; problems: Problem[] } {
  let raw: string[][];
  try {
    raw = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    return { rows: [], problems: [{ path: `line ${e.lines ?? 1}`, message: `not CSV: ${e.message ?? String(err)}` }] };
  }
  if (!raw.length) return { rows: [], problems: [{ path: 'line 1', message: `the file is empty; the header is ${known.join(',')}` }] };
  const header = raw[0].map((h) => h.toLowerCase());
  const problems: Problem[] = [];
  for (const c of required) if (!header.includes(c)) problems.push({ path: 'line 1', message: `column "${c}" is missing; the header is ${known.join(',')}` });
  for (const c of header) if (!known.includes(c)) problems.push({ path: 'line 1', message: `column "${c}" is unknown; the columns are ${known.join(',')}` });
  if (raw.length - 1 > IMPORT_MAX_NODES) {
    return { rows: [], problems: [{ path: `line ${IMPORT_MAX_NODES + 2}`, message: `the file has ${raw.length - 1} rows; the limit is ${IMPORT_MAX_NODES}` }] };
  }
  const rows = raw.slice(1).map((cells, i) => ({ line: i + 2, v: Object.fromEntries(header.map((h, k) => [h, cells[k] ?? ''])) }));
  if (!rows.length && !problems.length) problems.push({ path: 'line 2', message: 'the file has a header but no rows' });
  return { rows, problems };
}


/**
 * ref,title,parent_ref,kind,assessable,description. ref and title are required; a parent must appear on
 * an earlier line; kind defaults to control (group when not assessable); assessable defaults to true.
 */
export function parseFrameworkCsv(text: string): { rows: ImportedRequirement[]; problems: Problem[] } {
  const { rows: raw, problems } = records(text, ['ref', 'title'], FRAMEWORK_CSV_COLUMNS);
  const rows: ImportedRequirement[] = [];
  const refs = new Map<string, number>();
  // Depth by ref (a parent comes on an earlier line, so one pass): the import stores every ancestor of a row.
  const depths = new Map<string, number>();
  for (const { line, v } of raw) {
    const at = `line ${line}`;
    const ref = v.ref ?? '';
    if (!ref) problems.push({ path: at, message: 'ref is empty' });
    else if (refs.has(ref)) problems.push({ path: at, message: `ref "${ref}" repeats line ${refs.get(ref)}` });
    if (!v.title) problems.push({ path: at, message: 'title is empty' });
    const parent = v.parent_ref || null;
    if (parent && !refs.has(parent)) problems.push({ path: at, message: `parent_ref "${parent}" is not a ref on an earlier line` });
    const depth = parent ? (depths.get(parent) ?? 0) + 1 : 1;
    if (depth > IMPORT_MAX_DEPTH && (depths.get(parent!) ?? 0) <= IMPORT_MAX_DEPTH) {
      problems.push({ path: at, message: `ref "${ref}" is nested ${depth} levels deep; the limit is ${IMPORT_MAX_DEPTH}` });
    }
    const assessableRaw = (v.assessable ?? '').toLowerCase();
    if (assessableRaw && !['true', 'false', 'yes', 'no', '1', '0'].includes(assessableRaw)) problems.push({ path: at, message: `assessable "${v.assessable}" is not true or false` });
    const assessable = assessableRaw ? ['true', 'yes', '1'].includes(assessableRaw) : true;
    const kind = (v.kind || (assessable ? 'control' : 'group')).toLowerCase();
    if (!KINDS.has(kind)) problems.push({ path: at, message: `kind "${v.kind}" is not one of ${[...KINDS].join(', ')}` });
    if (ref && !refs.has(ref)) {
      refs.set(ref, line);
      depths.set(ref, depth);
    }
    rows.push({ ref, title: v.title ?? '', kind, assessable, parentRef: parent, text: v.description || null, summary: null, actors: [], riskTiers: [], appliesFrom: null, path: at });
  }
  return { rows, problems };
}

const RELATIONSHIPS: ReadonlySet<string> = new Set(Object.values(Relationship));
const RATIONALES: ReadonlySet<string> = new Set(Object.values(Rationale));

/**
 * source_framework,source_ref,relationship,target_framework,target_ref,strength,rationale,note.
 * relationship in the hub's words (EQUAL, SUBSET_OF, ...) or OSCAL's (equal-to, subset-of, ...);
 * strength 1-10, rationale syntactic / semantic / functional, both optional.
 */
export function parseMappingCsv(text: string): { rows: ImportedMapping[]; problems: Problem[] } {
  const { rows: raw, problems } = records(text, ['source_framework', 'source_ref', 'relationship', 'target_framework', 'target_ref'], MAPPING_CSV_COLUMNS);
  const rows: ImportedMapping[] = [];
  for (const { line, v } of raw) {
    const at = `line ${line}`;
    for (const c of ['source_framework', 'source_ref', 'target_framework', 'target_ref'] as const) if (!v[c]) problems.push({ path: at, message: `${c} is empty` });
    const rel = RELATIONSHIP_FROM_TOKEN[(v.relationship ?? '').toLowerCase()] ?? (v.relationship ?? '').toUpperCase().replace(/-/g, '_');
    if (!RELATIONSHIPS.has(rel)) problems.push({ path: at, message: `relationship "${v.relationship}" is not one of EQUAL, SUBSET_OF, SUPERSET_OF, INTERSECTS_WITH, NO_RELATIONSHIP (or equal-to, subset-of, ...)` });
    let strength: number | null = null;
    if (v.strength) {
      strength = Number(v.strength);
      if (!Number.isInteger(strength) || strength < 1 || strength > 10) problems.push({ path: at, message: `strength "${v.strength}" is not an integer from 1 to 10` });
    }
    const rationale = v.rationale ? v.rationale.toUpperCase() : null;
    if (rationale && !RATIONALES.has(rationale)) problems.push({ path: at, message: `rationale "${v.rationale}" is not syntactic, semantic or functional` });
    rows.push({
      sourceFramework: v.source_framework ?? '', sourceId: v.source_ref ?? '', relationship: rel, targetFramework: v.target_framework ?? '',
      targetId: v.target_ref ?? '', strength, rationale, note: v.note || null, qualifiers: [], path: at,
    });
  }
  return { rows, problems };
}
