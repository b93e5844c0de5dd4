import fs from 'node:fs';
import path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { projectRoot } from '../../config';
import type { Problem } from './oscal';
import { IMPORT_MAX_DEPTH, IMPORT_MAX_JSON_DEPTH, IMPORT_MAX_NODES } from '../../graphql/input-bounds';

/** NIST's OSCAL 1.2.2 JSON schemas (seeds/oscal/), compiled once. */
export type OscalModel = 'catalog' | 'mapping' | 'profile';
const compiled = new Map<OscalModel, ValidateFunction>();

function validator(model: OscalModel): ValidateFunction {
  let v = compiled.get(model);
  if (!v) {
    // allErrors: report every problem at once. strict off only silences two strictTypes warnings of the
    // mapping schema; unicodeRegExp stays on, or the \p{L} token patterns stop working.
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const schema = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'seeds', 'oscal', `oscal_${model}_schema.json`), 'utf8'));
    v = ajv.compile(schema);
    compiled.set(model, v);
  }
  return v;
}

/** "/catalog/groups/0/id" as "$.catalog.groups[0].id" (keys that are not identifiers quoted). */
export function jsonPath(pointer: string): string {
  if (!pointer) return '$';
  return '$' + pointer.split('/').slice(1).map((raw) => {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(key) ? `[${key}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `['${key}']`;
  }).join('');
}

/** Parses and validates a document; every schema problem with its JSON path (at most 200). */
export function validateOscal(model: OscalModel, text: string): { doc: unknown; problems: Problem[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(message);
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : null;
    return { doc: null, problems: [{ path: line ? `line ${line}` : '$', message: `not JSON: ${message}` }] };
  }
  // ajv and the readers recurse over the document: its shape is bounded first, without recursion.
  const shape = shapeProblem(doc);
  if (shape) return { doc: null, problems: [shape] };
  const validate = validator(model);
  if (validate(doc)) return { doc, problems: [] };
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const e of validate.errors ?? []) {
    const p = { path: jsonPath(e.instancePath), message: `${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? `: ${(e.params.allowedValues as unknown[]).join(', ')}` : ''}${e.params && 'additionalProperty' in e.params ? ` ("${e.params.additionalProperty}")` : ''}` };
    const k = `${p.path}|${p.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    problems.push(p);
    if (problems.length >= 200) break;
  }
  return { doc, problems };
}

interface Seen {
  value: unknown;
  parent: Seen | null;
  key: string | number;
  /** Objects and arrays from the root down to this value. */
  depth: number;
  /** `groups` and `controls` arrays from the root down to this value. */
  nesting: number;
}

const pathOf = (s: Seen): string => {
  const keys: (string | number)[] = [];
  for (let at: Seen | null = s; at?.parent; at = at.parent) keys.push(at.key);
  return jsonPath(keys.reverse().map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''));
};

/**
 * The first way the parsed document exceeds the import bounds (input-bounds.ts): JSON nesting, groups
 * and controls nested deeper than IMPORT_MAX_DEPTH, more than IMPORT_MAX_NODES of them. Iterative.
 */
export function shapeProblem(doc: unknown): Problem | null {
  const stack: Seen[] = [{ value: doc, parent: null, key: '', depth: 0, nesting: 0 }];
  let nodes = 0;
  while (stack.length) {
    const s = stack.pop()!;
    if (s.value === null || typeof s.value !== 'object') continue;
    if (s.depth >= IMPORT_MAX_JSON_DEPTH) return { path: pathOf(s), message: `the document nests deeper than ${IMPORT_MAX_JSON_DEPTH} levels of objects and arrays` };
    const tree = s.key === 'groups' || s.key === 'controls';
    const nesting = s.nesting + (tree && Array.isArray(s.value) ? 1 : 0);
    if (nesting > IMPORT_MAX_DEPTH) return { path: pathOf(s), message: `groups and controls nest deeper than ${IMPORT_MAX_DEPTH} levels` };
    if (tree && Array.isArray(s.value)) {
      nodes += s.value.length;
      if (nodes > IMPORT_MAX_NODES) return { path: pathOf(s), message: `the document holds more than ${IMPORT_MAX_NODES} groups and controls` };
    }
    const entries: [string | number, unknown][] = Array.isArray(s.value) ? s.value.map((v, i) => [i, v]) : Object.entries(s.value);
    for (const [key, value] of entries) stack.push({ value, parent: s, key, depth: s.depth + 1, nesting });
  }
  return null;
}
