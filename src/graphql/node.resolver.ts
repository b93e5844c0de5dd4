import { Arg, Ctx, ID, Query, Resolver, Authorized } from 'type-graphql';
import type { HubContext } from './context';
import { notFound } from './errors';
import { Node } from './node.type';
import { isUuid } from './ids';
import { CATALOG } from '../modules/auth/role';


@Resolver()
export class NodeResolver {
  @Authorized(...CATALOG)
  @Query(() => Node, { nullable: true, description: 'Any object by its id. NOT_FOUND if no object has it.' })
  async node(@Ctx() ctx: HubContext, @Arg('id', () => ID, { description: 'The object\'s id.' }) id: string): Promise<Node> {
    if (isUuid(id)) {
      // Each table is asked through its own loader; the three lookups run in one tick.
      const [framework, requirement, source] = await Promise.all([
        ctx.loaders.framework.load(id),
        ctx.loaders.requirement.load(id),
        ctx.loaders.mappingSource.load(id),
      ]);
      const found = framework ?? requirement ?? source;
      if (found) return found;
    }
    throw notFound(`No object with id "${id.slice(0, 100)}"`, { id: id.slice(0, 100) });
  }
}
