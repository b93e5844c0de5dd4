/**
 * The facts of an AI system as the API speaks them (YES / NO / UNKNOWN, with a value where the fact has
 * one) and as ai_system.eu_facts stores them (fact name -> value; an unanswered fact is absent), the roles
 * of the register as the applicability table's actors, and the facts an old risk class already stated.
 * Pure; the fact definitions come from the applicability data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config';
import { badInput } from '../../graphql/errors';
import type { ApplicabilityData, FactDefinition, FactValue, SystemFacts } from './applicability.rules';
import { EuRole, HighRiskRoute, RiskClass } from './ai-system.enums';

export enum FactAnswer {
  YES = 'YES',
  NO = 'NO',
  UNKNOWN = 'UNKNOWN',
}

export interface FactInput {
  fact: string;
  answer: FactAnswer;
  value?: string | null;
}

/** The applicability table's actors for each register role. A product manufacturer is given both roles (the table's `roles` note, Art. 25(3)). */
export const ROLE_ACTORS: Readonly<Record<EuRole, readonly string[]>> = {
  [EuRole.PROVIDER]: ['provider', 'gpai-provider'],
  [EuRole.DEPLOYER]: ['deployer'],
  [EuRole.IMPORTER]: ['importer'],
  [EuRole.DISTRIBUTOR]: ['distributor'],
  [EuRole.AUTHORISED_REPRESENTATIVE]: ['authorised-representative'],
  [EuRole.PRODUCT_MANUFACTURER]: ['product-manufacturer', 'provider'],
};

export function actorsOf(roles: readonly EuRole[]): string[] {
  return [...new Set(roles.flatMap((r) => ROLE_ACTORS[r] ?? []))].sort();
}

/** Values the hub accepts for string facts (seeds/eu-ai-act/fact-values.json), by fact. */
export function loadFactValues(): Record<string, string[]> {
  const raw = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'seeds', 'eu-ai-act', 'fact-values.json'), 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('$')).map(([k, v]) => [k, (v as { values: string[] }).values]));
}
let factValues: Record<string, string[]> | null = null;
export function allowedValues(name: string, def: FactDefinition): string[] | null {
  if (def.type === 'enum') return def.values ?? [];
  if (def.type !== 'string') return null;
  factValues ??= loadFactValues();
  return factValues[name] ?? null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Applies answers to stored facts: YES/NO for a yes-or-no fact; YES with a value for a fact that has one;
 * for a date fact YES with the date or NO (no such date, e.g. not yet placed on the market); UNKNOWN
 * removes the answer. Errors name the item (`euFacts[i].value`). Returns a new object with sorted keys.
 */
export function applyAnswers(data: ApplicabilityData, current: SystemFacts, answers: readonly FactInput[], field = 'euFacts'): Record<string, FactValue> {
  const next: Record<string, FactValue> = { ...current };
  const seen = new Set<string>();
  answers.forEach((a, i) => {
    const at = `${field}[${i}]`;
    const def = Object.hasOwn(data.facts, a.fact) ? data.facts[a.fact] : null;
    if (!def) throw badInput(`${at}.fact`, `unknown fact "${String(a.fact).slice(0, 100)}"; the euAiActFacts query lists them`);
    if (seen.has(a.fact)) throw badInput(`${at}.fact`, `fact "${a.fact}" is answered twice`);
    seen.add(a.fact);
    const value = a.value ?? null;
    if (a.answer === FactAnswer.UNKNOWN) {
      if (value !== null) throw badInput(`${at}.value`, `an UNKNOWN answer takes no value`);
      delete next[a.fact];
      return;
    }
    if (def.type === 'boolean') {
      if (value !== null) throw badInput(`${at}.value`, `"${a.fact}" is answered YES or NO, without a value`);
      next[a.fact] = a.answer === FactAnswer.YES;
    } else if (def.type === 'date') {
      if (a.answer === FactAnswer.NO) {
        if (value !== null) throw badInput(`${at}.value`, `NO for "${a.fact}" means there is no such date; give no value`);
        next[a.fact] = null;
      } else {
        // A real calendar day: Date.parse alone takes 2026-02-30.
        if (value === null || !DATE.test(value) || Number.isNaN(Date.parse(value)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
          throw badInput(`${at}.value`, `YES for "${a.fact}" needs the date as YYYY-MM-DD`);
        }
        next[a.fact] = value;
      }
    } else {
      if (a.answer !== FactAnswer.YES) throw badInput(`${at}.answer`, `"${a.fact}" is answered YES with a value, or UNKNOWN`);
      const allowed = allowedValues(a.fact, def);
      if (value === null || (allowed && !allowed.includes(value))) {
        throw badInput(`${at}.value`, `"${a.fact}" needs a value${allowed ? ` among ${allowed.join(', ')}` : ''}`);
      }
      next[a.fact] = value;
    }
  });
  return sortedKeys(next);
}

export function sortedKeys(facts: Record<string, FactValue>): Record<string, FactValue> {
  return Object.fromEntries(Object.keys(facts).sort().map((k) => [k, facts[k]]));
}

export interface StoredAnswer {
  answer: FactAnswer;
  value: string | null;
  /** False when the fact is unanswered (UNKNOWN, or the table's default applies). */
  answered: boolean;
}

/** A stored (or defaulted) fact as the API shows it. */
export function answerOf(def: FactDefinition, facts: SystemFacts, name: string): StoredAnswer {
  const answered = Object.hasOwn(facts, name);
  const v = answered ? facts[name] : 'default' in def ? def.default : undefined;
  if (v === undefined) return { answer: FactAnswer.UNKNOWN, value: null, answered: false };
  if (typeof v === 'boolean') return { answer: v ? FactAnswer.YES : FactAnswer.NO, value: null, answered };
  if (v === null) return { answer: FactAnswer.NO, value: null, answered };
  return { answer: FactAnswer.YES, value: v, answered };
}

/** Art. 50 triggers that a MINIMAL_RISK classification said do not hold. */
const ART50_TRIGGERS = ['interactsWithPersons', 'generatesSyntheticContent', 'emotionRecognitionOrBiometricCategorisation', 'deepFake', 'publicInterestText'];

/**
 * The facts an old-style classification states, and nothing more: any class says the system is in the
 * Act's scope; HIGH_RISK says the route (ANNEX_I was the Section A route: it took the Art. 6(1) date) and
 * that the Art. 6(3) derogation is not used; an area "2" says the point; any other class says not
 * high-risk; MINIMAL_RISK says no Art. 50 trigger; the GPAI classes say a GPAI model, with or without
 * systemic risk. The same mapping as the migration that added eu_facts.
 */
export function classFacts(riskClass: RiskClass | null, route: HighRiskRoute | null, annexIIIArea: string | null): Record<string, FactValue> {
  if (!riskClass) return {};
  const out: Record<string, FactValue> = { outOfScopeExclusion: false };
  if (riskClass === RiskClass.HIGH_RISK) {
    if (route === HighRiskRoute.ANNEX_III) {
      out.highRiskRoute = 'ANNEX_III';
      out.art6_3Derogation = false;
      if (annexIIIArea && /^\s*2(\D|$)/.test(annexIIIArea)) out.annexIIIPoint = '2';
    } else if (route === HighRiskRoute.ANNEX_I) out.highRiskRoute = 'ANNEX_I_A';
  } else {
    out.highRiskRoute = 'NONE';
  }
  if (riskClass === RiskClass.MINIMAL_RISK) for (const f of ART50_TRIGGERS) out[f] = false;
  if (riskClass === RiskClass.GPAI || riskClass === RiskClass.GPAI_SYSTEMIC_RISK) {
    out.gpaiModel = true;
    out.gpaiSystemicRisk = riskClass === RiskClass.GPAI_SYSTEMIC_RISK;
  }
  return out;
}
