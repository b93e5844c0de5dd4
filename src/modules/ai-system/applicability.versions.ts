/**
 * Text versions of the EU AI Act applicability rules: the Regulation as published, and each amendment
 * as operations on the records (seeds/eu-ai-act/amendment-effects.json). Which version's rule answers a
 * question depends on the basis: IN_FORCE applies an amendment from its entry into force (as recorded),
 * ADOPTED plans on every adopted or published amendment. Pure, except the loader.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config';
import {
  AppliesFrom, AppliesFromEntry, ApplicabilityData, ApplicabilityDataError, ApplicabilityRecord, Expr, FactDefinition, loadApplicability, parseApplicability,
} from './applicability.rules';

export type AmendmentOp =
  | { change: string; op: 'REPLACE_DATE'; dateClass: string; from: string; to: string; why?: string }
  | { change: string; op: 'PREPEND_DATE'; refs: string[]; entry: AppliesFromEntry; why?: string }
  | { change: string; op: 'ADD_RECORD'; node: { ref: string; parent: string; title: string; summary: string }; record: ApplicabilityRecord };

export interface AmendmentEffects {
  amendment: string;
  effects: AmendmentOp[];
}

/** One record of an amendment's text: a changed record of the base text, or one the amendment adds. */
export interface AmendedRecord {
  record: ApplicabilityRecord;
  changes: string[];
  added: boolean;
}

export function amendmentEffectsFile(): string {
  return path.join(projectRoot(), 'seeds', 'eu-ai-act', 'amendment-effects.json');
}

export interface HubCorrections {
  facts: Record<string, FactDefinition>;
  /** Per record: a new condition and/or new actors. */
  conditions: { ref: string; condition?: Expr; actors?: string[]; oj: string; why: string }[];
}

export function hubCorrectionsFile(): string {
  return path.join(projectRoot(), 'seeds', 'eu-ai-act', 'hub-corrections.json');
}

/**
 * The table with the hub's corrections (seeds/eu-ai-act/hub-corrections.json): facts added, conditions or
 * actors replaced where the OJ text says otherwise. Validated again as a whole.
 */
export function applyHubCorrections(data: ApplicabilityData, corrections: HubCorrections): ApplicabilityData {
  const byRef = new Map(corrections.conditions.map((c) => [c.ref, c]));
  for (const ref of byRef.keys()) if (!data.records.some((r) => r.ref === ref)) throw new ApplicabilityDataError(`hub correction for unknown record "${ref}"`);
  for (const name of Object.keys(corrections.facts)) if (Object.hasOwn(data.facts, name)) throw new ApplicabilityDataError(`hub correction adds fact "${name}" twice`);
  const corrected = {
    ...data,
    facts: { ...data.facts, ...corrections.facts },
    records: data.records.map((r) => {
      const c = byRef.get(r.ref);
      return c ? { ...r, condition: c.condition ?? r.condition, actors: c.actors ?? r.actors } : r;
    }),
  };
  return parseApplicability({ ...corrected, counts: undefined });
}

/** The applicability table as the hub uses it (with its corrections) and the amendment's effects. */
export function loadEuAiActRules(): { data: ApplicabilityData; effects: AmendmentEffects; corrections: HubCorrections } {
  const corrections = JSON.parse(fs.readFileSync(hubCorrectionsFile(), 'utf8')) as HubCorrections;
  return { data: applyHubCorrections(loadApplicability(), corrections), effects: loadAmendmentEffects(), corrections };
}

export function loadAmendmentEffects(file: string = amendmentEffectsFile()): AmendmentEffects {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as AmendmentEffects;
  if (typeof raw.amendment !== 'string' || !Array.isArray(raw.effects)) throw new ApplicabilityDataError(`${path.basename(file)}: needs "amendment" and "effects"`);
  return raw;
}

const replaceDate = (af: AppliesFrom, from: string, to: string): AppliesFrom =>
  typeof af === 'string' ? (af === from ? to : af) : af.map((e) => (e.from === from ? { ...e, from: to } : e));

/**
 * The records the amendment changes or adds, in the base text's order (added ones last). The result is
 * checked with the same validator as the base table, so an effect cannot produce a record the rule cannot read.
 */
export function amendedRecords(data: ApplicabilityData, amendment: AmendmentEffects): AmendedRecord[] {
  const out = new Map<string, AmendedRecord>();
  const base = new Map(data.records.map((r) => [r.ref, r]));
  const current = (ref: string): AmendedRecord => {
    const found = out.get(ref);
    if (found) return found;
    const r = base.get(ref);
    if (!r) throw new ApplicabilityDataError(`${amendment.amendment}: no record "${ref}" to amend`);
    const fresh = { record: { ...r }, changes: [], added: false };
    out.set(ref, fresh);
    return fresh;
  };
  for (const e of amendment.effects) {
    if (e.op === 'REPLACE_DATE') {
      for (const r of data.records) {
        if (r.dateClass !== e.dateClass) continue;
        const before = JSON.stringify(out.get(r.ref)?.record.appliesFrom ?? r.appliesFrom);
        const next = replaceDate(out.get(r.ref)?.record.appliesFrom ?? r.appliesFrom, e.from, e.to);
        if (JSON.stringify(next) === before) continue;
        const a = current(r.ref);
        a.record.appliesFrom = next;
        a.changes.push(e.change);
      }
    } else if (e.op === 'PREPEND_DATE') {
      for (const ref of e.refs) {
        const a = current(ref);
        const af = a.record.appliesFrom;
        a.record.appliesFrom = [e.entry, ...(typeof af === 'string' ? [{ from: af }] : af)];
        a.changes.push(e.change);
      }
    } else if (e.op === 'ADD_RECORD') {
      if (base.has(e.record.ref) || out.has(e.record.ref)) throw new ApplicabilityDataError(`${amendment.amendment}: "${e.record.ref}" already exists`);
      out.set(e.record.ref, { record: e.record, changes: [e.change], added: true });
    } else {
      throw new ApplicabilityDataError(`${amendment.amendment}: unknown op ${JSON.stringify((e as { op: unknown }).op)}`);
    }
  }
  const result = [...out.values()];
  // Same checks as the base table: shapes, facts, dates.
  parseApplicability({ ...data, records: result.map((a) => a.record), counts: undefined });
  return result;
}

export enum TextBasis {
  IN_FORCE = 'IN_FORCE',
  ADOPTED = 'ADOPTED',
}

export interface TextVersionState {
  key: string;
  kind: 'BASE' | 'AMENDMENT';
  position: number;
  legalStatus: 'PROPOSED' | 'ADOPTED' | 'PUBLISHED';
  /** Entry into force as recorded (the organization's publication record first); null while unknown. */
  entryIntoForce: string | null;
}

/** Whether a version's rules apply on `day` under `basis`. The base text always does. */
export function versionApplies(v: TextVersionState, basis: TextBasis, day: string): boolean {
  if (v.kind === 'BASE') return true;
  if (basis === TextBasis.ADOPTED) return v.legalStatus !== 'PROPOSED';
  return v.entryIntoForce !== null && v.entryIntoForce <= day;
}

/**
 * The rule that answers for one node: the applying version with the highest position. Null when only
 * versions that do not apply have a rule for it (a provision an amendment adds, before it applies).
 */
export function chooseRule<R extends { version: TextVersionState }>(rules: readonly R[], basis: TextBasis, day: string): R | null {
  let best: R | null = null;
  for (const r of rules) if (versionApplies(r.version, basis, day) && (!best || r.version.position > best.version.position)) best = r;
  return best;
}
