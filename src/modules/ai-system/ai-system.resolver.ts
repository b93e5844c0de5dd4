import { Arg, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root, Authorized } from 'type-graphql';
import { DateTime, LocalDate } from '../../graphql/scalars';
import type { HubContext } from '../../graphql/context';
import { Requirement } from '../framework/requirement.entity';
import { Evidence } from '../evidence/evidence.entity';
import { CoverageStatus } from '../coverage/coverage.rules';
import type { CoverageScope } from '../coverage/coverage.service';
import { AiSystem, AiSystemChange, GateTask } from './ai-system.entity';
import { AddGateTaskInput, RegisterAiSystemInput, SetLifecycleStageInput, UpdateAiSystemInput, UpdateGateTaskInput } from './ai-system.input';
import { EDIT, READ, REPORT } from '../auth/role';

@ObjectType({ description: 'An EU AI Act provision binding a system, with its coverage for that system.' })
export class Obligation {
  @Field(() => Requirement, { description: 'The article or paragraph.' }) requirement: Requirement;
  @Field(() => LocalDate, { description: 'The date it binds this system from (Annex I products take the Art. 6(1) date).' }) bindingFrom: string;
  @Field(() => CoverageStatus, { description: 'Coverage status for this system: organization-wide evidence plus evidence scoped to it.' }) status: CoverageStatus;
}

@ObjectType({ description: 'One system\'s row of the obligations matrix.' })
export class SystemObligations {
  @Field(() => AiSystem, { description: 'The system.' }) aiSystem: AiSystem;
  @Field(() => [Obligation], { description: 'What binds it at the date.' }) obligations: Obligation[];
}

/** Obligations of systems at a date with their per-system status: 1 statement for the provisions, 1 per system for status. */
export async function obligationsOf(ctx: HubContext, systems: AiSystem[], asOf: Date): Promise<Map<string, Obligation[]>> {
  const eu = (await ctx.services.framework.requireByKeys(['eu-ai-act'])).get('eu-ai-act')!;
  const bound = await ctx.services.aiSystem.obligations(systems, eu.id, asOf);
  const closureScope = await ctx.closureScope();
  const out = new Map<string, Obligation[]>();
  for (const s of systems) {
    const scope: CoverageScope = { organizationId: ctx.organizationId, asOf, maxDepth: 2, closureScope, aiSystemId: s.id };
    const rows = bound.get(s.id)!;
    const statuses = rows.length ? new Map((await ctx.services.coverage.statuses(scope, eu.id)).map((r) => [r.requirement.id, r.status])) : new Map();
    out.set(s.id, rows.map((r) => {
      ctx.loaders.requirement.prime(r.requirement.id, r.requirement);
      return Object.assign(new Obligation(), { ...r, status: statuses.get(r.requirement.id) ?? CoverageStatus.GAP });
    }));
  }
  return out;
}

@Resolver(() => AiSystem)
export class AiSystemResolver {
  @Authorized(...READ)
  @Query(() => AiSystem, { nullable: true, description: 'One AI system of the organization. NOT_FOUND if unknown.' })
  aiSystem(@Ctx() ctx: HubContext, @Arg('id', () => ID, { description: 'System id.' }) id: string): Promise<AiSystem> {
    return ctx.services.aiSystem.require(ctx.organizationId, id);
  }

  @Authorized(...READ)
  @Query(() => [AiSystem], { description: 'The AI system register, by name.' })
  aiSystems(
    @Ctx() ctx: HubContext,
    @Arg('includeRetired', () => Boolean, { defaultValue: false, description: 'Include RETIRED systems.' }) includeRetired: boolean,
  ): Promise<AiSystem[]> {
    return ctx.services.aiSystem.list(ctx.organizationId, includeRetired);
  }

  @Authorized(...REPORT)
  @Query(() => [SystemObligations], { description: 'Systems x EU AI Act obligations at a date, each with its coverage status: for a dashboard.' })
  async obligationsMatrix(
    @Ctx() ctx: HubContext,
    @Arg('asOf', () => DateTime, { nullable: true, description: 'Date; now when omitted.' }) asOf?: Date | null,
  ): Promise<SystemObligations[]> {
    const systems = await ctx.services.aiSystem.list(ctx.organizationId, false);
    const obligations = await obligationsOf(ctx, systems, asOf ?? new Date());
    return systems.map((s) => Object.assign(new SystemObligations(), { aiSystem: s, obligations: obligations.get(s.id)! }));
  }

  @Authorized(...EDIT)
  @Mutation(() => AiSystem, { description: 'Registers an AI system; CONFLICT when the name is taken.' })
  registerAiSystem(@Ctx() ctx: HubContext, @Arg('input', () => RegisterAiSystemInput, { description: 'The system.' }) input: RegisterAiSystemInput): Promise<AiSystem> {
    return ctx.services.aiSystem.register(ctx.organizationId, ctx.actor, input);
  }

  @Authorized(...EDIT)
  @Mutation(() => AiSystem, { description: 'Changes a register entry; every change is kept in its history.' })
  updateAiSystem(@Ctx() ctx: HubContext, @Arg('input', () => UpdateAiSystemInput, { description: 'The changes.' }) input: UpdateAiSystemInput): Promise<AiSystem> {
    return ctx.services.aiSystem.update(ctx.organizationId, ctx.actor, input);
  }

  @Authorized(...EDIT)
  @Mutation(() => AiSystem, { description: 'Moves a system to another stage; refused (CONFLICT) past open gate tasks unless overrideReason is given, which is recorded.' })
  setLifecycleStage(@Ctx() ctx: HubContext, @Arg('input', () => SetLifecycleStageInput, { description: 'The move.' }) input: SetLifecycleStageInput): Promise<AiSystem> {
    return ctx.services.aiSystem.setStage(ctx.organizationId, ctx.actor, input);
  }

  @Authorized(...EDIT)
  @Mutation(() => GateTask, { description: 'Adds a task that gates a life-cycle stage.' })
  addGateTask(@Ctx() ctx: HubContext, @Arg('input', () => AddGateTaskInput, { description: 'The task.' }) input: AddGateTaskInput): Promise<GateTask> {
    return ctx.services.aiSystem.addGateTask(ctx.organizationId, input);
  }

  @Authorized(...EDIT)
  @Mutation(() => GateTask, { description: 'Marks a gate task DONE, WONT_DO (with a justification) or OPEN again.' })
  updateGateTask(@Ctx() ctx: HubContext, @Arg('input', () => UpdateGateTaskInput, { description: 'The change.' }) input: UpdateGateTaskInput): Promise<GateTask> {
    return ctx.services.aiSystem.updateGateTask(ctx.organizationId, input);
  }

  @FieldResolver(() => [AiSystemChange], { description: 'Every change, oldest first.' })
  history(@Root() s: AiSystem, @Ctx() ctx: HubContext): Promise<AiSystemChange[]> {
    return ctx.loaders.aiSystemHistory.load(s.id);
  }

  @FieldResolver(() => [GateTask], { description: 'Life-cycle gate tasks.' })
  gateTasks(@Root() s: AiSystem, @Ctx() ctx: HubContext): Promise<GateTask[]> {
    return ctx.loaders.gateTasks.load(s.id);
  }

  @Authorized(...REPORT)
  @FieldResolver(() => [Obligation], { nullable: true, description: 'EU AI Act articles and paragraphs binding this system at asOf (roles x risk class x dates in force), with coverage; null (FORBIDDEN) below ANALYST.' })
  async obligations(
    @Root() s: AiSystem,
    @Ctx() ctx: HubContext,
    @Arg('asOf', () => DateTime, { nullable: true, description: 'Date; now when omitted.' }) asOf?: Date | null,
  ): Promise<Obligation[]> {
    return (await obligationsOf(ctx, [s], asOf ?? new Date())).get(s.id)!;
  }
}

@Resolver(() => GateTask)
export class GateTaskResolver {
  @FieldResolver(() => [Requirement], { description: 'Requirements the task serves.' })
  async requirements(@Root() t: GateTask, @Ctx() ctx: HubContext): Promise<Requirement[]> {
    const found = await ctx.loaders.requirement.loadMany(t.requirementIds);
    return found.filter((r): r is Requirement => r instanceof Requirement);
  }
}

@Resolver(() => Evidence)
export class EvidenceScopeResolver {
  @FieldResolver(() => AiSystem, { nullable: true, description: 'The AI system it is scoped to.' })
  aiSystem(@Root() e: Evidence, @Ctx() ctx: HubContext): Promise<AiSystem | null> | null {
    return e.aiSystemId ? ctx.loaders.aiSystem.load(e.aiSystemId) : null;
  }
}
