import fs from 'node:fs';
import path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { projectRoot } from '../../config';
import type { Problem } from './oscal';

/** NIST's OSCAL 1.2.2 JSON schemas (seeds/oscal/), compiled once. */
export type OscalModel = 'catalog' | 'mapping';
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
