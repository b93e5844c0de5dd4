import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { HubContext } from '../../graphql/context';
import { CoverageStatus } from '../coverage/coverage.rules';
import { ADMIN, CATALOG, READ } from '../auth/role';
import { AiSystem } from './ai-system.entity';
import type { SystemFacts } from './applicability.rules';
import { TextBasis } from './applicability.versions';
import { DutyAnswer, EuModel, TextVersionRow, classifySystem } from './eu-act.service';
import {
  DutyApplicability, EuFact, EuFactAnswer, LegalStatus, LegalTextVersion, Obligation, ObligationBasisAnswer, RecordAmendmentPublicationInput,
} from './eu-act.types';
import { actorsOf, allowedValues, answerOf } from './eu-facts';

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

export function textVersionOf(v: TextVersionRow): LegalTextVersion {
  return Object.assign(new LegalTextVersion(), {
    key: v.key, title: v.title, kind: v.kind, legalStatus: v.legalStatus as LegalStatus, statusNote: v.statusNote, officialJournal: v.officialJournal,
    publishedOn: v.publishedOn, entryIntoForce: v.entryIntoForce, entryIntoForceRule: v.entryIntoForceRule, publication: v.publication,
  });
}

export function factAnswers(model: EuModel, facts: SystemFacts, names: readonly string[]): EuFactAnswer[] {
  return names.map((name) => {
    const def = model.data.facts[name];
    return Object.assign(new EuFactAnswer(), { fact: name, ...answerOf(def, facts, name), question: def.meaning });
  });
}

const OTHER: Record<TextBasis, TextBasis> = { [TextBasis.IN_FORCE]: TextBasis.ADOPTED, [TextBasis.ADOPTED]: TextBasis.IN_FORCE };

/**
 * What applies to each system on asOf under basis, with the other basis's answer where it differs, and
 * each duty's coverage for the system. The rules come from one memoized load (one statement when warm); the
 * classification is the pure rule; coverage is one statement for all systems.
 */
export async function obligationsOf(
  ctx: HubContext, systems: AiSystem[], asOf: Date, basis: TextBasis, only: DutyApplicability[] | null = null,
  /** Coverage the caller already read (every EU AI Act requirement of each system), so it is not read twice. */
  known: Map<string, Map<string, CoverageStatus>> | null = null,
): Promise<Map<string, Obligation[]>> {
  const out = new Map<string, Obligation[]>(systems.map((s) => [s.id, []]));
  if (!systems.length) return out;
  const model = await ctx.euModel();
  const day = dayOf(asOf);
  const answers = new Map<string, { main: DutyAnswer[]; other: Map<string, DutyAnswer> }>();
  for (const s of systems) {
    const actors = actorsOf(s.euRoles);
    const main = classifySystem(model, actors, s.euFacts, day, basis).filter((a) => !only || only.includes(a.classification.status as DutyApplicability));
    const other = new Map(classifySystem(model, actors, s.euFacts, day, OTHER[basis]).map((a) => [a.requirementId, a]));
    answers.set(s.id, { main, other });
  }
  const ids = [...new Set([...answers.values()].flatMap((a) => a.main.map((x) => x.requirementId)))];
  const statuses = known ?? await statusesBySystem(ctx, systems, model.frameworkId, asOf, ids);
  const requirements = await ctx.loaders.requirement.loadMany(ids);
  const reqById = new Map(requirements.filter((r): r is Exclude<typeof r, Error | null> => !!r && !(r instanceof Error)).map((r) => [r.id, r]));
  for (const s of systems) {
    const { main, other } = answers.get(s.id)!;
    const st = statuses.get(s.id)!;
    out.set(s.id, main.map((a) => {
      const c = a.classification;
      const o = other.get(a.requirementId) ?? null;
      const from = c.from;
      const oFrom = o ? o.classification.from : null;
      const differs = !o || o.classification.status !== c.status || oFrom !== from || o.rule.version.key !== a.rule.version.key;
      return Object.assign(new Obligation(), {
        requirement: reqById.get(a.requirementId)!,
        applicability: c.status as DutyApplicability,
        bindingFrom: from,
        status: st.get(a.requirementId) ?? CoverageStatus.GAP,
        basis,
        textVersion: textVersionOf(a.rule.version),
        changes: a.rule.changes,
        decidedBy: c.status === 'CONDITIONAL' ? [] : factAnswers(model, s.euFacts, c.facts),
        openQuestions: c.status === 'CONDITIONAL' ? factAnswers(model, s.euFacts, c.unknownFacts) : [],
        dutyType: a.rule.record.dutyType,
        legalBasis: a.rule.record.evidence || null,
        note: a.rule.record.note || null,
        otherBasis: differs
          ? Object.assign(new ObligationBasisAnswer(), {
            basis: OTHER[basis], applicability: (o?.classification.status as DutyApplicability) ?? null, bindingFrom: oFrom,
            textVersion: o ? textVersionOf(o.rule.version) : null,
          })
          : null,
      });
    }).filter((o) => o.requirement));
  }
  return out;
}

/** Coverage status of the given EU AI Act requirements for each system: one statement for all of them. */
async function statusesBySystem(ctx: HubContext, systems: AiSystem[], frameworkId: string, asOf: Date, requirementIds: string[]): Promise<Map<string, Map<string, CoverageStatus>>> {
  const rows = await ctx.services.coverage.statusesForSystems(
    { organizationId: ctx.organizationId, asOf, maxDepth: 2, graph: await ctx.graph(asOf) }, frameworkId, systems.map((s) => s.id), { requirementIds },
  );
  return new Map(systems.map((s) => [s.id, new Map((rows.get(s.id) ?? []).map((r) => [r.requirement.id, r.status]))]));
}

@Resolver()
export class EuActResolver {
  @Authorized(...CATALOG)
  @Query(() => [EuFact], { description: 'The facts the EU AI Act\'s conditions turn on, with the question each asks (docs/eu-ai-act.md).' })
  async euAiActFacts(@Ctx() ctx: HubContext): Promise<EuFact[]> {
    const model = await ctx.euModel();
    return Object.entries(model.data.facts).map(([name, def]) => Object.assign(new EuFact(), {
      name, type: def.type, values: allowedValues(name, def), question: def.meaning, createdBy: def.createdBy, note: def.note ?? null,
      defaultAnswer: 'default' in def ? answerOf(def, {}, name).answer : null,
    }));
  }

  @Authorized(...CATALOG)
  @Query(() => [LegalTextVersion], { description: 'The texts EU AI Act dates come from: the Regulation as published and each amendment, with its legal status for this organization.' })
  async euAiActTextVersions(@Ctx() ctx: HubContext): Promise<LegalTextVersion[]> {
    return (await ctx.services.euAct.versions(ctx.organizationId)).map(textVersionOf);
  }

  @Authorized(...ADMIN)
  @Mutation(() => LegalTextVersion, { description: 'Records that an amendment was published in the Official Journal (the hub cannot know it by itself). From its entry into force, IN_FORCE answers of this organization follow the amended text. Recording again corrects the record. Audited.' })
  async recordAmendmentPublication(
    @Ctx() ctx: HubContext,
    @Arg('input', () => RecordAmendmentPublicationInput, { description: 'The publication.' }) input: RecordAmendmentPublicationInput,
  ): Promise<LegalTextVersion> {
    return textVersionOf(await ctx.services.euAct.recordPublication(ctx.organizationId, ctx.actor, input));
  }
}

@Resolver(() => AiSystem)
export class AiSystemFactsResolver {
  @Authorized(...READ)
  @FieldResolver(() => [EuFactAnswer], { description: 'Every fact of the EU AI Act model with this system\'s answer (UNKNOWN when unanswered).' })
  async euFacts(@Root() s: AiSystem, @Ctx() ctx: HubContext): Promise<EuFactAnswer[]> {
    const model = await ctx.euModel();
    return factAnswers(model, s.euFacts, Object.keys(model.data.facts));
  }
}
