import DataLoader from 'dataloader';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Info, InputType, Int, Mutation, ObjectType, Query, Resolver, Root, Authorized } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { requirementFor } from '../../graphql/lookahead';
import { CreateMappingSetInput } from './mapping-set.input';
import { IsOptional, Length, Max, Min, ValidateNested } from 'class-validator';
import { Connection, MAX_PAGE_SIZE, PageArgs, decodeKeyCursor, encodeKeyCursor, keyset } from '../../graphql/connection.type';
import type { HubContext } from '../../graphql/context';
import { badInput } from '../../graphql/errors';
import { Framework } from '../framework/framework.entity';
import { Requirement } from '../framework/requirement.entity';
import { MappingSource } from './mapping-source.entity';
import { MappingEdge, MappingPath, NoCounterpartReason } from './mapping-edge.type';
import { MappingMatrix, MappingMatrixCell, MappingMatrixRow } from './mapping-matrix.type';
import { CATALOG, EDIT } from '../auth/role';

export const MAX_PATH_DEPTH = 5;

@InputType({ description: 'Names a requirement by framework key and ref.' })
export class RequirementRefInput {
  @Field(() => String, { description: 'Framework key, e.g. "iso27001".' })
  @Length(1, 100)
  framework: string;

  @Field(() => String, { description: 'Ref within the framework, e.g. "A.5.19".' })
  @Length(1, 100)
  ref: string;

  @Field(() => String, { nullable: true, description: 'Framework version; latest when omitted.' })
  @IsOptional()
  version?: string;
}

@ArgsType()
class MappingPathsArgs {
  @Field(() => RequirementRefInput, { description: 'Where the paths start.' })
  @ValidateNested()
  from: RequirementRefInput;

  @Field(() => String, { description: 'Key of the framework the paths end in (latest version).' })
  toFramework: string;

  @Field(() => Int, { defaultValue: 3, description: `Most hops per path, 1 to ${MAX_PATH_DEPTH}.` })
  @Min(1)
  @Max(MAX_PATH_DEPTH)
  maxDepth: number;

  @Field(() => Int, { defaultValue: 50, description: `Most paths returned (shortest and strongest first), 1 to ${MAX_PAGE_SIZE}.` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first: number;
}

@ArgsType()
class MappingMatrixArgs {
  @Field(() => String, { description: 'Key of the framework whose groups form the rows, e.g. "iso27001".' })
  source: string;

  @Field(() => String, { description: 'Key of the framework whose groups form the columns, e.g. "iso42001".' })
  target: string;
}

@ObjectType({ description: 'A page of mapping sets, by key, version and revision.' })
export class MappingSourceConnection extends Connection(MappingSource, 'MappingSource') {}

@Resolver()
export class MappingQueryResolver {
  @Authorized(...CATALOG)
  @Query(() => [MappingPath], {
    description:
      'Chains of mappings from a requirement to requirements of another framework: shortest first, then FULL before PARTIAL, then strongest. ' +
      'A path never visits a requirement twice, ends at the first requirement of the target framework, and never follows NO_RELATIONSHIP.',
  })
  async mappingPaths(@Ctx() ctx: HubContext, @Args() args: MappingPathsArgs): Promise<MappingPath[]> {
    const { framework: fromKey, ref, version } = args.from;
    const fromFw = (await ctx.services.framework.requireByKeys([fromKey], version ?? undefined)).get(fromKey)!;
    const toFw = (await ctx.services.framework.requireByKeys([args.toFramework])).get(args.toFramework)!;
    for (const f of [fromFw, toFw]) ctx.loaders.framework.prime(f.id, f);
    const start = await ctx.services.requirement.findByRef(fromFw.id, ref, fromFw.key);
    ctx.loaders.requirement.prime(start.id, start);
    const { paths } = await ctx.services.mapping.findPaths({ current: ctx.organizationId }, start.id, toFw, args.maxDepth);
    return paths.slice(0, args.first);
  }

  @Authorized(...CATALOG)
  @Query(() => MappingSourceConnection, { description: 'The mapping sets with their provenance (shared and the organization\'s own), paged by key, version and revision.' })
  async mappingSourcesConnection(@Ctx() ctx: HubContext, @Args() args: PageArgs): Promise<MappingSourceConnection> {
    const window = keyset(args, (c, field) => decodeKeyCursor('set', 'snns', c, field) as [string, number, number, string]);
    const page = await ctx.services.mapping.sourcesPage(ctx.organizationId, window);
    for (const m of page.rows) ctx.loaders.mappingSource.prime(m.id, m);
    return MappingSourceConnection.fromPage({
      items: page.rows.map((m) => ({ node: m, cursor: encodeKeyCursor('set', [m.key, m.version, m.revision, m.id]) })),
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      count: page.count,
    });
  }

  @Authorized(...CATALOG)
  @Query(() => [MappingSource], { description: 'Every mapping set with its provenance.', deprecationReason: 'Use mappingSourcesConnection: paged, with totalCount.' })
  mappingSources(@Ctx() ctx: HubContext): Promise<MappingSource[]> {
    return ctx.services.mapping.listSources(ctx.organizationId);
  }

  @Authorized(...CATALOG)
  @Query(() => MappingMatrix, { description: 'For analysts: mappings between two frameworks counted per source group x target group and relationship.' })
  async mappingMatrix(@Ctx() ctx: HubContext, @Args() args: MappingMatrixArgs): Promise<MappingMatrix> {
    if (args.source === args.target) throw badInput('target', 'target must differ from source');
    const fws = await ctx.services.framework.requireByKeys([args.source, args.target]);
    for (const f of fws.values()) ctx.loaders.framework.prime(f.id, f);
    return ctx.services.mapping.matrix({ current: ctx.organizationId }, fws.get(args.source)!, fws.get(args.target)!);
  }
}

@ObjectType({ description: 'Result of createMappingSet.' })
export class CreateMappingSetPayload {
  @Field(() => MappingSource, { description: 'The new mapping set.' })
  mappingSource: MappingSource;

  @Field(() => Int, { description: 'Mappings stored.' })
  mappingCount: number;
}

@Resolver()
export class MappingMutationResolver {
  @Authorized(...EDIT)
  @Mutation(() => CreateMappingSetPayload, {
    description: 'Adds an organization-owned mapping set (visible only to the organization); coverage reports follow it at once.',
  })
  async createMappingSet(
    @Ctx() ctx: HubContext,
    @Arg('input', () => CreateMappingSetInput, { description: 'The set and its mappings.' }) input: CreateMappingSetInput,
  ): Promise<CreateMappingSetPayload> {
    await ctx.services.framework.requireByKeys([...new Set([input.sourceFramework, input.targetFramework])]);
    const { source, count } = await ctx.services.mapping.createSet(ctx.organizationId, input, ctx.actor);
    return Object.assign(new CreateMappingSetPayload(), { mappingSource: source, mappingCount: count });
  }
}

@Resolver(() => MappingEdge)
export class MappingEdgeResolver {
  @FieldResolver(() => Requirement)
  async seenFrom(@Root() e: MappingEdge, @Ctx() ctx: HubContext): Promise<Requirement> {
    return (await ctx.loaders.requirement.load(e.seenFromId))!;
  }

  @FieldResolver(() => Requirement)
  counterpart(@Root() e: MappingEdge, @Ctx() ctx: HubContext, @Info() info: GraphQLResolveInfo): Requirement | Promise<Requirement> {
    // A value when a parent loaded it ahead (graphql/lookahead.ts); a requirement id in a mapping always resolves.
    return requirementFor(ctx, info, e.counterpartId) as Requirement | Promise<Requirement>;
  }

  @FieldResolver(() => MappingSource)
  async source(@Root() e: MappingEdge, @Ctx() ctx: HubContext): Promise<MappingSource> {
    return (await ctx.loaders.mappingSource.load(e.mappingSourceId))!;
  }
}

@Resolver(() => MappingPath)
export class MappingPathResolver {
  @FieldResolver(() => Requirement)
  async target(@Root() p: MappingPath, @Ctx() ctx: HubContext): Promise<Requirement> {
    return (await ctx.loaders.requirement.load(p.targetId))!;
  }
}

@ObjectType({ description: 'A requirement of the set\'s source framework that no requirement of its target framework meets, and why (the set author\'s words).' })
export class NoCounterpart {
  @Field({ description: 'Ref in the source framework, e.g. "Art. 43(1)".' })
  ref: string;

  @Field({ description: 'Why the target framework has no counterpart.' })
  reason: string;

  @Field(() => [String], { description: 'Other mapping files of the same bundle that do map it.' })
  mappedIn: string[];

  @Field({ description: '"hub" when the hub project added the entry; else the set\'s own.' })
  provenance: string;
}

/**
 * The noCounterpart entries for each requirement, from the set versions of a graph whose source framework
 * is the requirement's: one statement for any number of requirements (the set loader batches).
 */
export async function noCounterpartReasons(ctx: HubContext, sourceIds: readonly string[], requirements: readonly Requirement[]): Promise<Map<string, { reasons: NoCounterpartReason[]; sets: number }>> {
  const sets = (await ctx.loaders.mappingSource.loadMany(sourceIds)).filter((s): s is MappingSource => s instanceof MappingSource);
  const out = new Map<string, { reasons: NoCounterpartReason[]; sets: number }>();
  for (const r of requirements) {
    const found: NoCounterpartReason[] = [];
    const from = sets.filter((x) => x.sourceFrameworkId === r.frameworkId);
    for (const s of from) {
      for (const n of noCounterpartOf(s).filter((x) => x.ref === r.ref)) {
        found.push(Object.assign(new NoCounterpartReason(), { reason: n.reason, mappedIn: n.mappedIn, mappingSourceId: s.id, targetFrameworkId: s.targetFrameworkId }));
      }
    }
    out.set(r.id, { reasons: found, sets: from.length });
  }
  return out;
}

/** Per request and graph: the noCounterpart entries of requirements, batched. */
export function noCounterpartLoader(ctx: HubContext, sourceIds: readonly string[]): DataLoader<Requirement, { reasons: NoCounterpartReason[]; sets: number }> {
  return ctx.loaders.keyed(`noCounterpart:${[...sourceIds].sort().join(',')}`, () => new DataLoader<Requirement, { reasons: NoCounterpartReason[]; sets: number }, string>(async (reqs) => {
    const found = await noCounterpartReasons(ctx, sourceIds, reqs);
    return reqs.map((r) => found.get(r.id)!);
  }, { cacheKeyFn: (r) => r.id }));
}

@Resolver(() => NoCounterpartReason)
export class NoCounterpartReasonResolver {
  @FieldResolver(() => Framework, { description: 'The framework with no counterpart.' })
  async targetFramework(@Root() n: NoCounterpartReason, @Ctx() ctx: HubContext): Promise<Framework> {
    return (await ctx.loaders.framework.load(n.targetFrameworkId))!;
  }

  @FieldResolver(() => MappingSource, { description: 'The mapping set (version) that says so.' })
  async mappingSource(@Root() n: NoCounterpartReason, @Ctx() ctx: HubContext): Promise<MappingSource> {
    return (await ctx.loaders.mappingSource.load(n.mappingSourceId))!;
  }
}

export function noCounterpartOf(s: MappingSource): NoCounterpart[] {
  const raw = (s.metadata.noCounterpart ?? []) as { ref: string; reason: string; mappedIn?: string[]; provenance?: string }[];
  return raw.map((n) => Object.assign(new NoCounterpart(), { ref: n.ref, reason: n.reason, mappedIn: n.mappedIn ?? [], provenance: n.provenance ?? 'set' }));
}

@Resolver(() => MappingSource)
export class MappingSourceResolver {
  @FieldResolver(() => String, { description: 'Version as people write it: "2", or "2+org.1" for an organization overlay of version 2.' })
  versionLabel(@Root() s: MappingSource): string {
    return s.revision ? `${s.version}+org.${s.revision}` : String(s.version);
  }

  @FieldResolver(() => MappingSource, { nullable: true, description: 'The version this one replaces.' })
  async supersedes(@Root() s: MappingSource, @Ctx() ctx: HubContext): Promise<MappingSource | null> {
    return s.supersedesId ? ((await ctx.loaders.mappingSource.load(s.supersedesId)) ?? null) : null;
  }

  @FieldResolver(() => MappingSource, { nullable: true, description: 'For an organization overlay: the published version it starts from.' })
  async base(@Root() s: MappingSource, @Ctx() ctx: HubContext): Promise<MappingSource | null> {
    return s.baseId ? ((await ctx.loaders.mappingSource.load(s.baseId)) ?? null) : null;
  }

  @FieldResolver(() => Boolean, { description: 'True when the organization\'s reports read this version now (the latest, or the one it pinned).' })
  async inUse(@Root() s: MappingSource, @Ctx() ctx: HubContext): Promise<boolean> {
    return (await ctx.graph()).sourceIds.includes(s.id);
  }

  @FieldResolver(() => [NoCounterpart], { description: 'Source requirements the set author found no counterpart for in the target framework, with the reason.' })
  noCounterpart(@Root() s: MappingSource): NoCounterpart[] {
    return noCounterpartOf(s);
  }

  @FieldResolver(() => Framework, { description: 'Framework the mapping set reads from.' })
  async sourceFramework(@Root() s: MappingSource, @Ctx() ctx: HubContext): Promise<Framework> {
    return (await ctx.loaders.framework.load(s.sourceFrameworkId))!;
  }

  @FieldResolver(() => Boolean, { description: 'True for the shared (seeded) sets; false for the organization\'s own.' })
  shared(@Root() s: MappingSource): boolean {
    return s.organizationId === null;
  }

  @FieldResolver(() => Int, { description: 'Number of mappings in the set.' })
  async mappingCount(@Root() s: MappingSource, @Ctx() ctx: HubContext): Promise<number> {
    return (await ctx.loaders.mappingCount.load(s.id)) ?? 0;
  }

  @FieldResolver(() => Framework, { description: 'Framework the mapping set maps to.' })
  async targetFramework(@Root() s: MappingSource, @Ctx() ctx: HubContext): Promise<Framework> {
    return (await ctx.loaders.framework.load(s.targetFrameworkId))!;
  }
}

@Resolver(() => MappingMatrix)
export class MappingMatrixResolver {
  @FieldResolver(() => [MappingSource])
  async mappingSources(@Root() m: MappingMatrix, @Ctx() ctx: HubContext): Promise<MappingSource[]> {
    const found = await ctx.loaders.mappingSource.loadMany(m.mappingSourceIds);
    return found.filter((s): s is MappingSource => s instanceof MappingSource);
  }
}

@Resolver(() => MappingMatrixCell)
export class MappingMatrixCellResolver {
  @FieldResolver(() => Requirement)
  async sourceGroup(@Root() c: MappingMatrixCell, @Ctx() ctx: HubContext): Promise<Requirement> {
    return (await ctx.loaders.requirement.load(c.sourceGroupId))!;
  }

  @FieldResolver(() => Requirement)
  async targetGroup(@Root() c: MappingMatrixCell, @Ctx() ctx: HubContext): Promise<Requirement> {
    return (await ctx.loaders.requirement.load(c.targetGroupId))!;
  }
}

@Resolver(() => MappingMatrixRow)
export class MappingMatrixRowResolver {
  @FieldResolver(() => Requirement)
  async group(@Root() r: MappingMatrixRow, @Ctx() ctx: HubContext): Promise<Requirement> {
    return (await ctx.loaders.requirement.load(r.groupId))!;
  }
}
