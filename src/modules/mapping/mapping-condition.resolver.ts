import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import type { HubContext } from '../../graphql/context';
import { CATALOG, EDIT, READ } from '../auth/role';
import { MappingSource } from './mapping-source.entity';
import type { MappingGraph } from './mapping-graph.service';
import { DEFAULT_GRAPH_ID } from './mapping-graph.service';

@ObjectType({ description: 'A condition that mapping qualifiers name, e.g. integratedManagementSystem, as the mapping sets define it.' })
export class MappingConditionDefinition {
  @Field({ description: 'Name, e.g. "integratedManagementSystem".' })
  name: string;

  @Field(() => String, { nullable: true, description: 'What the organization asserts when it declares the condition.' })
  definition: string | null;

  @Field(() => String, { nullable: true, description: 'Name of the parameter (e.g. "process"), or null.' })
  parameterName: string | null;

  @Field(() => [String], { description: 'Allowed parameter values; a declaration without parameters covers all of them.' })
  parameterValues: string[];

  definedBy: string[];
}

@ObjectType({ description: 'One period of an organization\'s declaration of a condition. A new declaration ends the previous one.' })
export class OrganizationCondition {
  @Field(() => ID, { description: 'Id of this declaration period.' })
  id: string;

  @Field({ description: 'The condition declared.' })
  condition: string;

  @Field(() => String, { nullable: true, description: 'The parameter value (e.g. the process), or null for every value.' })
  parameter: string | null;

  @Field({ description: 'True: the condition holds; false: it was withdrawn (or declared not to hold).' })
  holds: boolean;

  @Field(() => String, { nullable: true, description: 'Why, and the evidence behind the declaration.' })
  note: string | null;

  @Field(() => DateTime, { description: 'From when.' })
  validFrom: Date;

  @Field(() => DateTime, { nullable: true, description: 'Until when; null while in force.' })
  validTo: Date | null;

  @Field({ description: 'Who declared it.' })
  declaredBy: string;

  @Field(() => String, { nullable: true, description: 'Who ended it (by a later declaration).' })
  endedBy: string | null;
}

@ObjectType({ description: 'The mapping graph an organization reads at a date: which version of each set, and which conditions are in force.' })
export class MappingGraphInfo {
  @Field(() => ID, { description: 'Id of the graph (its closure is what coverage reads).' })
  id: string;

  @Field({ description: 'True for the shared default: the latest version of every shipped set and no condition.' })
  isDefault: boolean;

  @Field(() => DateTime, { nullable: true, description: 'Since when the organization reads it; null for the default.' })
  since: Date | null;

  @Field(() => [String], { description: 'Conditions in force, as "condition:parameter" or "condition" (every parameter).' })
  conditions: string[];

  sourceIds: string[];
}

export function graphInfo(g: MappingGraph): MappingGraphInfo {
  return Object.assign(new MappingGraphInfo(), {
    id: g.id,
    isDefault: g.id === DEFAULT_GRAPH_ID,
    since: g.id === DEFAULT_GRAPH_ID ? null : g.validFrom,
    conditions: g.conditions,
    sourceIds: g.sourceIds,
  });
}

@InputType({ description: 'A declaration that an organization condition holds, or no longer holds.' })
export class DeclareConditionInput {
  @Field({ description: 'The condition, e.g. "integratedManagementSystem".' })
  condition: string;

  @Field(() => [String], { nullable: true, description: 'Parameter values (e.g. ["internalAudit", "managementReview"]); omitted: every value.' })
  parameters?: string[] | null;

  @Field({ description: 'True to declare that it holds; false to withdraw it.' })
  holds: boolean;

  @Field(() => String, { nullable: true, description: 'Why, and the evidence behind it (e.g. the audit programme naming both standards). At most 2000 characters.' })
  note?: string | null;

  @Field(() => DateTime, {
    nullable: true,
    description: 'Since when it holds (e.g. when the integrated audit programme began); now when omitted. Not in the future, and not before the organization\'s last recorded mapping change.',
  })
  effectiveFrom?: Date | null;
}

@ObjectType({ description: 'Result of declareOrganizationCondition.' })
export class DeclareConditionPayload {
  @Field(() => [OrganizationCondition], { description: 'The declarations written, one per parameter value.' })
  declarations: OrganizationCondition[];

  @Field(() => MappingGraphInfo, { description: 'The graph the organization reads from now on.' })
  graph: MappingGraphInfo;
}

@InputType({ description: 'Which version of a mapping set to read.' })
export class PinMappingSetInput {
  @Field({ description: 'Key of the set, e.g. "iso27001-to-iso42001".' })
  key: string;

  @Field(() => Int, { nullable: true, description: 'The version; omitted or null: unpin and read the latest.' })
  version?: number | null;

  @Field(() => Int, { nullable: true, description: 'The organization overlay revision of that version; 0 or omitted: the published version.' })
  revision?: number | null;
}

@Resolver()
export class MappingConditionResolver {
  @Authorized(...CATALOG)
  @Query(() => [MappingConditionDefinition], { description: 'The conditions mapping qualifiers name, with their allowed parameter values.' })
  async mappingConditions(@Ctx() ctx: HubContext): Promise<MappingConditionDefinition[]> {
    return (await ctx.services.conditions.definitions()).map((d) => Object.assign(new MappingConditionDefinition(), d));
  }

  @Authorized(...READ)
  @Query(() => [OrganizationCondition], { description: 'The organization\'s declarations in force at asOf (now when omitted), or every period with history: true.' })
  async organizationConditions(
    @Ctx() ctx: HubContext,
    @Arg('asOf', () => DateTime, { nullable: true, description: 'Date; now when omitted.' }) asOf?: Date | null,
    @Arg('history', { defaultValue: false, description: 'Every period, newest first per condition.' }) history?: boolean,
  ): Promise<OrganizationCondition[]> {
    return (await ctx.services.conditions.declarations(ctx.organizationId, asOf ?? null, history)).map((d) => Object.assign(new OrganizationCondition(), d));
  }

  @Authorized(...READ)
  @Query(() => MappingGraphInfo, { description: 'Which set versions and conditions the organization\'s reports read at asOf (now when omitted).' })
  async mappingGraph(@Ctx() ctx: HubContext, @Arg('asOf', () => DateTime, { nullable: true, description: 'Date; now when omitted.' }) asOf?: Date | null): Promise<MappingGraphInfo> {
    return graphInfo(await ctx.graph(asOf ?? undefined));
  }

  @Authorized(...EDIT)
  @Mutation(() => DeclareConditionPayload, {
    description:
      'Declares (holds: true) or withdraws (holds: false) an organization condition that mapping qualifiers name. ' +
      'Reports change at once; reports at an earlier asOf keep reading what was declared then.',
  })
  async declareOrganizationCondition(@Ctx() ctx: HubContext, @Arg('input', () => DeclareConditionInput, { description: 'The condition, its processes and whether it holds.' }) input: DeclareConditionInput): Promise<DeclareConditionPayload> {
    const { declarations, graph } = await ctx.services.conditions.declare(ctx.organizationId, ctx.actor, input);
    return Object.assign(new DeclareConditionPayload(), {
      declarations: declarations.map((d) => Object.assign(new OrganizationCondition(), d)),
      graph: graphInfo(graph),
    });
  }

  @Authorized(...EDIT)
  @Mutation(() => MappingGraphInfo, { description: 'Reads a given version of a mapping set instead of the latest (or, with no version, the latest again).' })
  async pinMappingSet(@Ctx() ctx: HubContext, @Arg('input', () => PinMappingSetInput, { description: 'The set and the version to read.' }) input: PinMappingSetInput): Promise<MappingGraphInfo> {
    return graphInfo(await ctx.services.conditions.pin(ctx.organizationId, ctx.actor, input.key, input.version ?? null, input.revision ?? null));
  }
}

@Resolver(() => MappingGraphInfo)
export class MappingGraphInfoResolver {
  @FieldResolver(() => [MappingSource], { description: 'The set versions the graph reads.' })
  async sets(@Root() g: MappingGraphInfo, @Ctx() ctx: HubContext): Promise<MappingSource[]> {
    const found = await ctx.loaders.mappingSource.loadMany(g.sourceIds);
    return found.filter((s): s is MappingSource => s instanceof MappingSource).sort((a, b) => a.key.localeCompare(b.key));
  }
}

@Resolver(() => MappingConditionDefinition)
export class MappingConditionDefinitionResolver {
  @FieldResolver(() => [MappingSource], { description: 'The set versions whose qualifiers define it.' })
  async definedBy(@Root() d: MappingConditionDefinition, @Ctx() ctx: HubContext): Promise<MappingSource[]> {
    const found = await ctx.loaders.mappingSource.loadMany(d.definedBy);
    return found.filter((s): s is MappingSource => s instanceof MappingSource);
  }
}
