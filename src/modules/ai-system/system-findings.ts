import { Field, ObjectType, registerEnumType } from 'type-graphql';
import type { HubContext } from '../../graphql/context';
import { AiSystem } from './ai-system.entity';
import { LifecycleStage } from './ai-system.enums';
import { AssessmentStatus } from '../impact-assessment/impact-assessment.entity';
import { classifySystem } from './eu-act.service';
import { TextBasis } from './applicability.versions';
import { actorsOf } from './eu-facts';

export enum SystemFindingKind {
  IMPACT_ASSESSMENT_MISSING = 'IMPACT_ASSESSMENT_MISSING',
  IMPACT_ASSESSMENT_OVERDUE = 'IMPACT_ASSESSMENT_OVERDUE',
  CHANGED_SINCE_ASSESSMENT = 'CHANGED_SINCE_ASSESSMENT',
  OVERSIGHT_POINT_SILENT = 'OVERSIGHT_POINT_SILENT',
  MONITORING_BREACH = 'MONITORING_BREACH',
  EU_FACT_UNANSWERED = 'EU_FACT_UNANSWERED',
}
registerEnumType(SystemFindingKind, {
  name: 'SystemFindingKind',
  description: 'Why an AI system needs attention.',
  valuesConfig: {
    IMPACT_ASSESSMENT_MISSING: { description: 'No approved impact assessment.' },
    IMPACT_ASSESSMENT_OVERDUE: { description: 'The approved assessment is past its review date.' },
    CHANGED_SINCE_ASSESSMENT: { description: 'The system changed materially after its assessment was approved.' },
    OVERSIGHT_POINT_SILENT: { description: 'An oversight point has no record in the last 30 days: defined but not evidenced.' },
    MONITORING_BREACH: { description: 'A monitoring metric\'s latest measurement is outside its thresholds.' },
    EU_FACT_UNANSWERED: { description: 'A fact about the system is unanswered and decides whether EU AI Act duties apply (they are CONDITIONAL until it is answered).' },
  },
});

@ObjectType({ description: 'Something about an AI system that needs attention.' })
export class SystemFinding {
  @Field(() => AiSystem, { description: 'The system.' }) aiSystem: AiSystem;
  @Field(() => SystemFindingKind, { description: 'What.' }) kind: SystemFindingKind;
  @Field({ description: 'Details.' }) detail: string;
}

const DAY = 86_400_000;

/** AISIA state, silent oversight points, monitoring breaches and (euFacts) unanswered EU AI Act facts of the given systems at asOf (a few statements, not per system). */
export async function systemFindings(ctx: HubContext, systems: AiSystem[], asOf: Date, euFacts = false): Promise<SystemFinding[]> {
  const live = systems.filter((s) => s.lifecycleStage !== LifecycleStage.RETIRED);
  const ids = live.map((s) => s.id);
  const [assessments, silent, breaches] = await Promise.all([
    ctx.services.impactAssessment.ofSystems(ctx.organizationId, ids),
    ctx.services.oversight.silentPoints(ctx.organizationId, ids, new Date(asOf.getTime() - 30 * DAY), asOf),
    ctx.services.governance.breaches(ctx.organizationId, asOf, live.length === 1 ? live[0].id : null),
  ]);
  const out: SystemFinding[] = [];
  const add = (aiSystem: AiSystem, kind: SystemFindingKind, detail: string) => out.push(Object.assign(new SystemFinding(), { aiSystem, kind, detail }));
  const byId = new Map(live.map((s) => [s.id, s]));
  for (const s of live) {
    const approved = (assessments.get(s.id) ?? []).filter((a) => a.status === AssessmentStatus.APPROVED && a.approvedAt && a.approvedAt <= asOf);
    const latest = approved[approved.length - 1];
    if (!latest) add(s, SystemFindingKind.IMPACT_ASSESSMENT_MISSING, `${s.name} has no approved impact assessment`);
    else {
      if (latest.nextReviewDue && latest.nextReviewDue < asOf) add(s, SystemFindingKind.IMPACT_ASSESSMENT_OVERDUE, `v${latest.version} was due for review on ${latest.nextReviewDue.toISOString().slice(0, 10)}`);
      if (s.materialChangedAt > latest.approvedAt!) add(s, SystemFindingKind.CHANGED_SINCE_ASSESSMENT, `changed on ${s.materialChangedAt.toISOString().slice(0, 10)}, after v${latest.version} was approved`);
    }
  }
  for (const p of silent) {
    const s = byId.get(p.aiSystemId);
    if (s) add(s, SystemFindingKind.OVERSIGHT_POINT_SILENT, `oversight point "${p.name}" has no record in the 30 days before ${asOf.toISOString().slice(0, 10)}`);
  }
  if (euFacts) {
    const model = await ctx.euModel();
    const day = asOf.toISOString().slice(0, 10);
    for (const s of live) {
      // Each unanswered fact once, with the duties it decides, in the order the model lists facts.
      const decides = new Map<string, string[]>();
      for (const a of classifySystem(model, actorsOf(s.euRoles), s.euFacts, day, TextBasis.IN_FORCE)) {
        if (a.classification.status !== 'CONDITIONAL') continue;
        for (const f of a.classification.unknownFacts) decides.set(f, [...(decides.get(f) ?? []), a.rule.record.ref]);
      }
      for (const f of Object.keys(model.data.facts).filter((n) => decides.has(n))) {
        const refs = decides.get(f)!;
        add(s, SystemFindingKind.EU_FACT_UNANSWERED, `${f} is unanswered (${model.data.facts[f].meaning}); it decides ${refs.length} duty(ies): ${refs.join(', ')}`);
      }
    }
  }
  for (const b of breaches) {
    const s = b.record.aiSystemId ? byId.get(b.record.aiSystemId) : undefined;
    if (s) add(s, SystemFindingKind.MONITORING_BREACH, `${b.record.title}: ${b.value} on ${b.measuredAt.toISOString().slice(0, 10)} is outside [${b.record.data.min ?? '-inf'}, ${b.record.data.max ?? '+inf'}]`);
  }
  return out;
}
