import { Arg, Args, Ctx, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root, Authorized } from 'type-graphql';
import { Connection, PageArgs, decodeKeyCursor, encodeKeyCursor, keyset } from '../../graphql/connection.type';
import { DateTime } from '../../graphql/scalars';
import type { HubContext } from '../../graphql/context';
import { Requirement } from '../framework/requirement.entity';
import { Evidence } from '../evidence/evidence.entity';
import { TextBasis } from './applicability.versions';
import { DutyApplicability, Obligation, SystemObligations } from './eu-act.types';
import { obligationsOf } from './eu-act.resolver';
import { AiSystem, AiSystemChange, GateTask } from './ai-system.entity';
import { AddGateTaskInput, RegisterAiSystemInput, SetLifecycleStageInput, UpdateAiSystemInput, UpdateGateTaskInput } from './ai-system.input';
import { EDIT, READ, REPORT } from '../auth/role';

@ObjectType({ description: 'A page of the AI system register, by name.' })
export class AiSystemConnection extends Connection(AiSystem, 'AiSystem') {}

@Resolver(() => AiSystem)
export class AiSystemResolver {
  @Authorized(...READ)
  @Query(() => AiSystemConnection, { description: 'The AI system register, by name, paged.' })
  async aiSystemsConnection(
    @Ctx() ctx: HubContext,
    @Args() args: PageArgs,
    @Arg('includeRetired', () => Boolean, { defaultValue: false, description: 'Include RETIRED systems.' }) includeRetired: boolean,
  ): Promise<AiSystemConnection> {
    const window = keyset(args, (c, field) => decodeKeyCursor('sys', 'ss', c, field) as [string, string]);
    const page = await ctx.services.aiSystem.page(ctx.organizationId, includeRetired, window);
    for (const s of page.rows) ctx.loaders.aiSystem.prime(s.id, s);
    return AiSystemConnection.fromPage({
      items: page.rows.map((s) => ({ node: s, cursor: encodeKeyCursor('sys', [s.name, s.id]) })),
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      count: page.count,
    });
  }

  @Authorized(...READ)
  @Query(() => AiSystem, { nullable: true, description: 'One AI system of the organization. NOT_FOUND if unknown.' })
  aiSystem(@Ctx() ctx: HubContext, @Arg('id', () => ID, { description: 'System id.' }) id: string): Promise<AiSystem> {
    return ctx.services.aiSystem.require(ctx.organizationId, id);
  }

  @Authorized(...READ)
  @Query(() => [AiSystem], { description: 'The AI system register, by name.', deprecationReason: 'Use aiSystemsConnection: paged, with totalCount.' })
  aiSystems(
    @Ctx() ctx: HubContext,
    @Arg('includeRetired', () => Boolean, { defaultValue: false, description: 'Include RETIRED systems.' }) includeRetired: boolean,
  ): Promise<AiSystem[]> {
    return ctx.services.aiSystem.list(ctx.organizationId, includeRetired);
  }

  @Authorized(...REPORT)
  @Query(() => [SystemObligations], { description: 'Systems x EU AI Act duties at a date (BINDING, NOT_YET, CONDITIONAL), each explained and with its coverage status: for a dashboard. A constant number of statements whatever the number of systems.' })
  async obligationsMatrix(
    @Ctx() ctx: HubContext,
    @Arg('asOf', () => DateTime, { nullable: true, description: 'Date; now when omitted.' }) asOf?: Date | null,
    @Arg('basis', () => TextBasis, { defaultValue: TextBasis.IN_FORCE, description: 'IN_FORCE (the law on asOf) or ADOPTED (plan on adopted amendments).' }) basis: TextBasis = TextBasis.IN_FORCE,
    @Arg('applicability', () => [DutyApplicability], { nullable: true, description: 'Only these answers; all three when omitted.' }) applicability?: DutyApplicability[] | null,
  ): Promise<SystemObligations[]> {
    const systems = await ctx.services.aiSystem.list(ctx.organizationId, false);
    const obligations = await obligationsOf(ctx, systems, asOf ?? new Date(), basis, applicability ?? null);
    return systems.map((s) => Object.assign(new SystemObligations(), { aiSystem: s, obligations: obligations.get(s.id)! }));
  }

  @Authorized(...EDIT)
  @Mutation(() => AiSystem, { description: 'Registers an AI system; CONFLICT when the name is taken.' })
  async registerAiSystem(@Ctx() ctx: HubContext, @Arg('input', () => RegisterAiSystemInput, { description: 'The system.' }) input: RegisterAiSystemInput): Promise<AiSystem> {
    return ctx.services.aiSystem.register(ctx.organizationId, ctx.actor, input, (await ctx.euModel()).data);
  }

  @Authorized(...EDIT)
  @Mutation(() => AiSystem, { description: 'Changes a register entry; every change is kept in its history.' })
  async updateAiSystem(@Ctx() ctx: HubContext, @Arg('input', () => UpdateAiSystemInput, { description: 'The changes.' }) input: UpdateAiSystemInput): Promise<AiSystem> {
    return ctx.services.aiSystem.update(ctx.organizationId, ctx.actor, input, (await ctx.euModel()).data);
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
  @FieldResolver(() => [Obligation], { nullable: true, description: 'EU AI Act duties of this system at asOf from its facts and roles: BINDING, NOT_YET or CONDITIONAL (a duty that known facts exclude is not listed), each explained, with the text its date comes from and its coverage; null (FORBIDDEN) below ANALYST.' })
  async obligations(
    @Root() s: AiSystem,
    @Ctx() ctx: HubContext,
    @Arg('asOf', () => DateTime, { nullable: true, description: 'Date; now when omitted.' }) asOf?: Date | null,
    @Arg('basis', () => TextBasis, { defaultValue: TextBasis.IN_FORCE, description: 'IN_FORCE (the law on asOf) or ADOPTED (plan on adopted amendments).' }) basis: TextBasis = TextBasis.IN_FORCE,
    @Arg('applicability', () => [DutyApplicability], { nullable: true, description: 'Only these answers; all three when omitted.' }) applicability?: DutyApplicability[] | null,
  ): Promise<Obligation[]> {
    return (await obligationsOf(ctx, [s], asOf ?? new Date(), basis, applicability ?? null)).get(s.id)!;
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
