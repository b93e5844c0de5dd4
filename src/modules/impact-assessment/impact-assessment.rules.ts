/**
 * Impact assessment templates and the checks on them, pure. A template is a list of sections; the one
 * for a system follows from the EU AI Act duties that apply or may apply to it (TEMPLATE_DUTIES). Section
 * titles are the hub's own words; the fundamental rights sections follow the elements listed in EU AI Act
 * Art. 27(1)(a)-(f).
 */

export enum AssessmentTemplate {
  BASE = 'BASE',
  HIGH_RISK_DEPLOYER = 'HIGH_RISK_DEPLOYER',
}

export interface TemplateSection {
  key: string;
  title: string;
  required: boolean;
}

const BASE: TemplateSection[] = [
  { key: 'intended_use_and_context', title: 'Intended use and context of use', required: true },
  { key: 'affected_individuals_and_groups', title: 'Individuals and groups affected', required: true },
  { key: 'benefits_and_harms', title: 'Benefits and harms per group, with likelihood and severity', required: true },
  { key: 'data_and_model', title: 'Data and model considerations', required: true },
  { key: 'mitigations_and_oversight', title: 'Mitigations and oversight measures', required: true },
  { key: 'residual_risk_and_decision', title: 'Residual risk and decision', required: true },
  { key: 'notes', title: 'Other notes', required: false },
];

const ART_27: TemplateSection[] = [
  { key: 'process_and_period_of_use', title: 'Deployer processes the system is used in, and the period and frequency of use (Art. 27(1)(a)-(b))', required: true },
  { key: 'categories_of_persons_affected', title: 'Categories of natural persons and groups likely to be affected (Art. 27(1)(c))', required: true },
  { key: 'specific_risks_of_harm', title: 'Specific risks of harm to those categories (Art. 27(1)(d))', required: true },
  { key: 'human_oversight_measures', title: 'Human oversight measures, per the instructions for use (Art. 27(1)(e))', required: true },
  { key: 'measures_if_risks_materialise', title: 'Measures if the risks materialise, including governance and complaints (Art. 27(1)(f))', required: true },
];

export const TEMPLATES: Record<AssessmentTemplate, TemplateSection[]> = {
  [AssessmentTemplate.BASE]: BASE,
  [AssessmentTemplate.HIGH_RISK_DEPLOYER]: [...BASE.slice(0, -1), ...ART_27, BASE[BASE.length - 1]],
};

/**
 * The duties (catalog refs) whose application calls for a template's extra sections. The fundamental
 * rights impact assessment: Art. 27(1), which binds only some deployers of Annex III systems.
 */
export const TEMPLATE_DUTIES: Readonly<Partial<Record<AssessmentTemplate, readonly string[]>>> = {
  [AssessmentTemplate.HIGH_RISK_DEPLOYER]: ['Art. 27(1)'],
};

/** The template for a system, given the refs of the duties that bind it, will bind it, or may (CONDITIONAL). */
export function templateFor(duties: ReadonlySet<string>): AssessmentTemplate {
  const hit = (Object.entries(TEMPLATE_DUTIES) as [AssessmentTemplate, readonly string[]][]).find(([, refs]) => refs.some((r) => duties.has(r)));
  return hit ? hit[0] : AssessmentTemplate.BASE;
}

export function missingSections(template: AssessmentTemplate, sections: Record<string, string>): TemplateSection[] {
  return TEMPLATES[template].filter((s) => s.required && !(sections[s.key] ?? '').trim());
}

export interface SectionDiff {
  key: string;
  title: string;
  from: string | null;
  to: string | null;
  changed: boolean;
}

export function diffSections(template: AssessmentTemplate, from: Record<string, string>, to: Record<string, string>): SectionDiff[] {
  return TEMPLATES[template].map((s) => {
    const a = from[s.key]?.trim() ? from[s.key] : null;
    const b = to[s.key]?.trim() ? to[s.key] : null;
    return { key: s.key, title: s.title, from: a, to: b, changed: a !== b };
  });
}
