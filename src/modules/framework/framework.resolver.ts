import { Arg, Args, Ctx, FieldResolver, Info, Int, ObjectType, Query, Resolver, Root, Authorized } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { connectionNodes, isLight, loadRequirementTree } from '../../graphql/lookahead';
import { Connection, PageArgs, decodeCursor, decodeKeyCursor, encodeCursor, encodeKeyCursor, keyset } from '../../graphql/connection.type';
import type { FrameworkKey } from './framework.service';
import type { HubContext } from '../../graphql/context';
import { Framework } from './framework.entity';
import { Requirement } from './requirement.entity';
import { RequirementsArgs } from './requirement.args';
import { CATALOG } from '../auth/role';

@ObjectType({ description: 'A page of requirements in document order.' })
export class RequirementConnection extends Connection(Requirement, 'Requirement') {}

@ObjectType({ description: 'A page of frameworks, by key and then version.' })
export class FrameworkConnection extends Connection(Framework, 'Framework') {}

@Resolver(() => Framework)
export class FrameworkResolver {
  @Authorized(...CATALOG)
  @Query(() => FrameworkConnection, { description: 'The frameworks in the hub, paged by key and then version: the latest version of each, or every version.' })
  async frameworksConnection(
    @Ctx() ctx: HubContext,
    @Args() args: PageArgs,
    @Arg('allVersions', () => Boolean, { defaultValue: false, description: 'Include older versions too.' }) allVersions: boolean,
  ): Promise<FrameworkConnection> {
    const window = keyset(args, (c, field) => decodeKeyCursor('fw', 'sss', c, field) as FrameworkKey);
    const page = await ctx.services.framework.page(allVersions, window);
    for (const f of page.rows) ctx.loaders.framework.prime(f.id, f);
    return FrameworkConnection.fromPage({
      items: page.rows.map((f) => ({ node: f, cursor: encodeKeyCursor('fw', [f.key, f.version, f.id]) })),
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      count: page.count,
    });
  }

  @Authorized(...CATALOG)
  @Query(() => [Framework], {
    description: 'The frameworks in the hub: the latest version of each, or every version.',
    deprecationReason: 'Use frameworksConnection: paged, with totalCount.',
  })
  async frameworks(
    @Ctx() ctx: HubContext,
    @Arg('allVersions', () => Boolean, { defaultValue: false, description: 'Include older versions too.' }) allVersions: boolean,
  ): Promise<Framework[]> {
    const list = await ctx.services.framework.list(allVersions);
    for (const f of list) ctx.loaders.framework.prime(f.id, f);
    return list;
  }

  @Authorized(...CATALOG)
  @Query(() => Framework, { nullable: true, description: 'One framework by key; the latest version unless `version` is given. NOT_FOUND if unknown.' })
  async framework(
    @Ctx() ctx: HubContext,
    @Arg('key', () => String, { description: 'Framework key, e.g. "iso42001".' }) key: string,
    @Arg('version', () => String, { nullable: true, description: 'A specific version, e.g. "2023".' }) version?: string,
  ): Promise<Framework> {
    const found = await ctx.services.framework.requireByKeys([key], version ?? undefined);
    const f = found.get(key)!;
    ctx.loaders.framework.prime(f.id, f);
    return f;
  }

  @FieldResolver(() => Int, { description: 'Number of requirement nodes; with assessableOnly, only the assessable ones.' })
  requirementCount(
    @Root() f: Framework,
    @Ctx() ctx: HubContext,
    @Arg('assessableOnly', () => Boolean, { defaultValue: false, description: 'Count only assessable requirements.' }) assessableOnly: boolean,
  ): Promise<number> {
    return ctx.loaders.requirementCount.load({ frameworkId: f.id, filter: assessableOnly ? { assessable: true } : null });
  }

  @FieldResolver(() => [Requirement], { description: 'Top-level nodes in document order (clauses and Annex A areas, functions, chapters).' })
  roots(@Root() f: Framework, @Ctx() ctx: HubContext): Promise<Requirement[]> {
    return ctx.loaders.roots.load(f.id);
  }

  @FieldResolver(() => RequirementConnection, { description: 'All nodes of the framework in document order, paged, optionally filtered.' })
  async requirements(@Root() f: Framework, @Ctx() ctx: HubContext, @Args() args: RequirementsArgs, @Info() info: GraphQLResolveInfo): Promise<RequirementConnection> {
    const window = keyset(args, (c, field) => decodeCursor('req', c, field));
    const filter = args.filter ?? null;
    if (filter?.parentRef) await ctx.services.requirement.assertRefExists(f.id, filter.parentRef, f.key);
    // Light rows when what is selected of them needs no more (lookahead.ts); they prime only the light loader.
    const nodes = connectionNodes(info);
    const light = isLight(info, nodes);
    const page = await ctx.loaders.requirementPage.load({ frameworkId: f.id, window, filter, light });
    const loader = light ? ctx.loaders.requirementLight : ctx.loaders.requirement;
    for (const r of page.rows) loader.prime(r.id, r);
    await loadRequirementTree(ctx, info, nodes, page.rows);
    return RequirementConnection.fromPage({
      items: page.rows.map((r) => ({ node: r, cursor: encodeCursor('req', r.position) })),
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      count: () => ctx.loaders.requirementCount.load({ frameworkId: f.id, filter }),
    });
  }
}
