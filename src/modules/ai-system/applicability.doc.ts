import { ApplicabilityData, AppliesFrom, Expr } from './applicability.rules';
import type { AmendedRecord, HubCorrections } from './applicability.versions';

/**
 * docs/eu-ai-act.md, generated from the applicability table: every fact of an AI system that the EU AI
 * Act's conditions turn on, the provision that creates it, and the duties whose condition or date uses
 * it (directly or through a derived fact). `npm run docs:eu-ai-act` writes it; a test keeps it equal.
 */

/** Facts and derived facts an expression names, derived ones not expanded. */
function names(expr: Expr, out: { facts: Set<string>; derived: Set<string> }): void {
  const stack: Expr[] = [expr];
  while (stack.length) {
    const e = stack.pop()!;
    if ('all' in e) stack.push(...e.all);
    else if ('any' in e) stack.push(...e.any);
    else if ('not' in e) stack.push(e.not);
    else if ('derived' in e) out.derived.add(e.derived);
    else out.facts.add(e.fact);
  }
}

/** Every fact an expression depends on, through derived facts too (the loader has checked they are acyclic). */
function factsOf(data: ApplicabilityData, exprs: Expr[]): Set<string> {
  const found = { facts: new Set<string>(), derived: new Set<string>() };
  for (const e of exprs) names(e, found);
  const expanded = new Set<string>();
  for (let pending = [...found.derived]; pending.length; ) {
    const d = pending.pop()!;
    if (expanded.has(d)) continue;
    expanded.add(d);
    const inner = { facts: found.facts, derived: new Set<string>() };
    names(data.derivedFacts[d].expr, inner);
    pending.push(...inner.derived);
  }
  return found.facts;
}

const exprsOf = (r: ApplicabilityData['records'][number]): Expr[] =>
  [r.condition, ...(typeof r.appliesFrom === 'string' ? [] : r.appliesFrom.flatMap((a) => (a.when ? [a.when] : [])))];

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

const datesOf = (af: AppliesFrom): string => (typeof af === 'string' ? af : af.map((e) => e.from).join(' / '));

/** The data, the records an amendment changes or adds, and the values the hub accepts for free-text facts. */
export function applicabilityDocument(
  data: ApplicabilityData, amendment: { id: string; records: AmendedRecord[] }, values: Record<string, string[]>, corrections: HubCorrections,
): string {
  const usedBy = new Map<string, string[]>(Object.keys(data.facts).map((f) => [f, []]));
  for (const r of data.records) for (const f of factsOf(data, exprsOf(r))) usedBy.get(f)!.push(r.ref);
  // Records the amendment adds, and new conditions of the dates it changes, use facts too.
  for (const a of amendment.records) {
    for (const f of factsOf(data, exprsOf(a.record))) if (!usedBy.get(f)!.includes(a.record.ref)) usedBy.get(f)!.push(a.record.ref);
  }
  const derivedUsing = (fact: string) =>
    Object.keys(data.derivedFacts).filter((d) => factsOf(data, [data.derivedFacts[d].expr]).has(fact));

  const out: string[] = [
    '# EU AI Act: the facts of an AI system',
    '',
    '<!-- Generated from seeds/eu-ai-act/applicability.json by `npm run docs:eu-ai-act`; do not edit by hand (a test keeps it equal). -->',
    '',
    `The duties of the EU AI Act (Regulation (EU) 2024/1689) that bind an operator depend on facts about the AI system and the`,
    `operator. This page lists the ${Object.keys(data.facts).length} facts of the applicability table, the provision that creates each, and the`,
    `duty-bearing provisions (of ${data.records.length}) whose condition or date uses it, directly or through a derived fact. Each fact is`,
    'answered YES, NO or UNKNOWN (or a value or date); an unanswered fact without a default is UNKNOWN, and a duty that an UNKNOWN',
    'fact decides is CONDITIONAL. `AiSystem.obligations` and `obligationsMatrix` answer from these conditions (README, "EU AI Act").',
    '',
    'Through the API a fact is answered with `euFacts: [{ fact, answer, value }]` on `registerAiSystem` / `updateAiSystem`:',
    'YES or NO for a yes-or-no fact; YES with a value for a fact with values; for a date, YES with the date or NO (no such',
    'date); UNKNOWN removes an answer. A fact with a default takes it while unanswered (shown with `answered: false`).',
    '',
    '## Facts',
    '',
  ];
  for (const [name, f] of Object.entries(data.facts)) {
    const type = f.type === 'enum' ? `enum (${(f.values ?? []).join(', ')})` : f.type;
    const fallback = 'default' in f ? `unanswered: \`${JSON.stringify(f.default)}\`` : 'unanswered: UNKNOWN';
    const refs = usedBy.get(name)!;
    const via = derivedUsing(name);
    out.push(`### \`${name}\``, '');
    out.push(`- ${type}; ${fallback}.`);
    out.push(`- Created by: ${oneLine(f.createdBy)}.`);
    out.push(`- ${oneLine(f.meaning)}`);
    if (f.note) out.push(`- Note: ${oneLine(f.note)}`);
    if (values[name]) out.push(`- Values the hub accepts: ${values[name].join(', ')}.`);
    if (via.length) out.push(`- Through derived facts: ${via.map((d) => `\`${d}\``).join(', ')}.`);
    out.push(refs.length ? `- Used by ${refs.length}: ${refs.join(', ')}.` : '- Used by no condition yet.');
    out.push('');
  }
  out.push('## Derived facts', '');
  for (const [name, d] of Object.entries(data.derivedFacts)) {
    out.push(`### \`${name}\``, '', `- ${oneLine(d.meaning)}`, `- From: ${[...factsOf(data, [d.expr])].sort().map((f) => `\`${f}\``).join(', ')}.`, '');
  }
  out.push('## Where the hub departs from the table', '', 'Facts added and conditions replaced because the OJ text says otherwise (seeds/eu-ai-act/hub-corrections.json):', '');
  for (const name of Object.keys(corrections.facts)) out.push(`- Fact \`${name}\` added (${oneLine(corrections.facts[name].createdBy)}).`);
  for (const c of corrections.conditions) out.push(`- ${c.ref}: ${oneLine(c.why)} OJ: "${oneLine(c.oj)}"`);
  out.push('');
  out.push(`## Amendment \`${amendment.id}\``, '',
    'Under `basis: ADOPTED` (or `IN_FORCE` once its publication is recorded and in force) these rules replace or join those of the',
    'text as published (seeds/eu-ai-act/amendment-effects.json):', '',
    '| Provision | Change | Dates as published | Dates as amended |', '|---|---|---|---|');
  const base = new Map(data.records.map((r) => [r.ref, r]));
  for (const a of amendment.records) {
    const before = base.get(a.record.ref);
    out.push(`| ${a.record.ref} | ${a.changes.join(', ')} | ${before ? datesOf(before.appliesFrom) : '(not in the text)'} | ${datesOf(a.record.appliesFrom)} |`);
  }
  out.push('');
  return out.join('\n');
}
