import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Float, Info, Int, ObjectType, Query, Resolver, Root, Authorized } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { ArrayMaxSize, IsOptional, Length, Max, Min } from 'class-validator';
import { Connection, MAX_PAGE_SIZE, PageArgs, decodeKeyCursor, encodeKeyCursor, keyset } from '../../graphql/connection.type';
import type { SearchKey } from './requirement.service';
import type { HubContext } from '../../graphql/context';
import { notFound } from '../../graphql/errors';
import { Framework } from './framework.entity';
import { Requirement } from './requirement.entity';
import { MappingEdge } from '../mapping/mapping-edge.type';
import { MappingDirection } from '../mapping/mapping.enums';
import type { MappingRow } from '../mapping/mapping-edge.type';
import { loadRequirementTree, requirementFor } from '../../graphql/lookahead';
import { CATALOG } from '../auth/role';

@ObjectType({ description: 'A search result with its relevance score.' })
export class RequirementSearchHit {
  @Field(() => Requirement, { description: 'The matching requirement.' })
  requirement: Requirement;

  @Field(() => Float, { description: 'Relevance: 10 for an exact ref match, 5 for a ref prefix; 2 when the title is the query, 1 when it contains it as a phrase; plus the full-text rank.' })
  score: number;
}

@ObjectType({ description: 'A page of search hits, best first.' })
export class RequirementSearchHitConnection extends Connection(RequirementSearchHit, 'RequirementSearchHit') {}

/** What a search looks for; the list and the connection page it differently. */
@ArgsType()
class SearchTerms {
  @Field(() => String, { description: 'Words, a phrase in quotes, or a ref such as "A.5.19" (web-search syntax).' })
  @Length(1, 200)
  query: string;

  @Field(() => [String], { nullable: true, description: 'Framework keys to search (latest versions); all frameworks when omitted.' })
  @IsOptional()
  @ArrayMaxSize(50)
  frameworks?: string[];
}

@ArgsType()
class SearchArgs extends SearchTerms {
  @Field(() => Int, { defaultValue: 20, description: `Number of hits, 1 to ${MAX_PAGE_SIZE}.` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first: number;
}

@Resolver(() => Requirement)
export class RequirementResolver {
  @Authorized(...CATALOG)
  @Query(() => Requirement, { nullable: true, description: 'One requirement by framework key and ref (latest framework version unless given). NOT_FOUND if unknown.' })
  async requirement(
    @Ctx() ctx: HubContext,
    @Arg('framework', () => String, { description: 'Framework key, e.g. "eu-ai-act".' }) framework: string,
    @Arg('ref', () => String, { description: 'Ref within the framework, e.g. "Art. 26(5)".' }) ref: string,
    @Info() info: GraphQLResolveInfo,
    @Arg('version', () => String, { nullable: true, description: 'Framework version; latest when omitted.' }) version?: string,
  ): Promise<Requirement> {
    const f = (await ctx.services.framework.requireByKeys([framework], version ?? undefined)).get(framework)!;
    ctx.loaders.framework.prime(f.id, f);
    const found = await ctx.services.requirement.findByRef(f.id, ref, f.key);
    ctx.loaders.requirement.prime(found.id, found);
    await loadRequirementTree(ctx, info, info.fieldNodes, [found]);
    return found;
  }

  @Authorized(...CATALOG)
  @Query(() => RequirementSearchHitConnection, { description: 'Ranked full-text search over ref, title, summary and text, paged best first (ties in document order), with the number of hits.' })
  async searchRequirementsConnection(@Ctx() ctx: HubContext, @Args() page: PageArgs, @Args() terms: SearchTerms): Promise<RequirementSearchHitConnection> {
    const window = keyset(page, (c, field) => decodeKeyCursor('hit', 'nsn', c, field) as SearchKey);
    const frameworks = await searchedFrameworks(ctx, terms.frameworks);
    const found = await ctx.services.requirement.searchPage(terms.query, frameworks.map((f) => f.id), window);
    for (const h of found.rows) ctx.loaders.requirement.prime(h.requirement.id, h.requirement);
    return RequirementSearchHitConnection.fromPage({
      items: found.rows.map((h) => ({
        node: Object.assign(new RequirementSearchHit(), h),
        cursor: encodeKeyCursor('hit', [-h.score, h.requirement.frameworkId, h.requirement.position]),
      })),
      hasNextPage: found.hasNextPage,
      hasPreviousPage: found.hasPreviousPage,
      count: found.count,
    });
  }

  @Authorized(...CATALOG)
  @Query(() => [RequirementSearchHit], {
    description: 'Ranked full-text search over ref, title, summary and text (PostgreSQL full-text search).',
    deprecationReason: 'Use searchRequirementsConnection: paged, with totalCount.',
  })
  async searchRequirements(@Ctx() ctx: HubContext, @Args() args: SearchArgs): Promise<RequirementSearchHit[]> {
    const frameworks = await searchedFrameworks(ctx, args.frameworks);
    const hits = await ctx.services.requirement.search(args.query, frameworks.map((f) => f.id), args.first);
    return hits.map((h) => Object.assign(new RequirementSearchHit(), h));
  }

  @FieldResolver(() => Framework, { description: 'The framework version this node belongs to.' })
  framework(@Root() r: Requirement, @Ctx() ctx: HubContext): Framework | Promise<Framework> {
    return ctx.loaders.framework.get(r.frameworkId) as Framework | Promise<Framework>;
  }

  @FieldResolver(() => Requirement, { nullable: true, description: 'The parent node; null for a root.' })
  parent(@Root() r: Requirement, @Ctx() ctx: HubContext, @Info() info: GraphQLResolveInfo): Requirement | Promise<Requirement | null> | null {
    return r.parentId ? requirementFor(ctx, info, r.parentId) : null;
  }

  @FieldResolver(() => [Requirement], { description: 'Direct children in document order.' })
  children(@Root() r: Requirement, @Ctx() ctx: HubContext): Promise<Requirement[]> {
    return ctx.loaders.children.load(r.id);
  }

  @FieldResolver(() => [Requirement], { description: 'Ancestors from the root down to the parent.' })
  async ancestors(@Root() r: Requirement, @Ctx() ctx: HubContext, @Info() info: GraphQLResolveInfo): Promise<Requirement[]> {
    // Light or whole as the parent's (requirementFor), so that parent and ancestors share a batch.
    const found = await Promise.all(r.ancestorIds.map((id) => requirementFor(ctx, info, id)));
    return found.filter((a): a is Requirement => a instanceof Requirement);
  }

  @FieldResolver(() => [MappingEdge], { description: 'Mappings of this requirement, each read from this side ("this <relationship> counterpart"), in counterpart document order.' })
  mappings(
    @Root() r: Requirement,
    @Ctx() ctx: HubContext,
    @Arg('direction', () => MappingDirection, { defaultValue: MappingDirection.BOTH, description: 'Stored direction to include.' }) direction: MappingDirection,
    @Arg('framework', () => String, { nullable: true, description: 'Only mappings whose counterpart belongs to this framework key.' }) framework?: string,
  ): MappingEdge[] | Promise<MappingEdge[]> {
    return requirementMappings(r, { direction, framework }, ctx);
  }
}

/**
 * Requirement.mappings. The schema calls this directly (graphql/schema.ts, fieldsWithoutWrapper): type-graphql's
 * wrapper makes a promise of every field with arguments, and this field is asked for once per requirement of a page.
 */
export function requirementMappings(r: Requirement, args: { direction: MappingDirection; framework?: string | null }, ctx: HubContext): MappingEdge[] | Promise<MappingEdge[]> {
  const { direction, framework } = args;
  const edges = (rows: MappingRow[]): MappingEdge[] => {
    const out: MappingEdge[] = [];
    for (const row of rows) {
      const e = MappingEdge.from(row, r.id);
      if (direction !== MappingDirection.BOTH && e.direction !== direction) continue;
      const counterpartKey = e.direction === MappingDirection.OUTGOING ? row.targetFrameworkKey : row.sourceFrameworkKey;
      if (framework && counterpartKey !== framework) continue;
      out.push(e);
    }
    return out;
  };
  if (framework) {
    return ctx.loaders.frameworkByKey.load(framework).then(async (known) => {
      if (!known) throw notFound(`Unknown framework "${framework}"`, { framework });
      return edges(await ctx.loaders.mappingRows.load(r.id));
    });
  }
  const rows = ctx.loaders.mappingRows.get(r.id);
  return Array.isArray(rows) ? edges(rows) : rows.then(edges);
}

/** The frameworks a search covers: those named (latest versions), else every framework; primed for the hits. */
async function searchedFrameworks(ctx: HubContext, keys: string[] | undefined): Promise<Framework[]> {
  const frameworks = keys?.length ? [...(await ctx.services.framework.requireByKeys([...new Set(keys)])).values()] : await ctx.services.framework.list(false);
  for (const f of frameworks) ctx.loaders.framework.prime(f.id, f);
  return frameworks;
}
