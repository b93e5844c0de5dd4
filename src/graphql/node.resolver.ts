import { Arg, Ctx, ID, Query, Resolver, Authorized } from 'type-graphql';
import type DataLoader from 'dataloader';
import type { HubContext } from './context';
import { badInput, notFound } from './errors';
import { Node } from './node.type';
import { isUuid } from './ids';
import { CATALOG } from '../modules/auth/role';
import { mayRead } from '../modules/auth/read.guard';

/** Most ids one nodes(ids:) call takes. */
export const MAX_NODE_IDS = 100;

/**
 * Every object type implementing Node, with the per-request loader that finds it by id within the caller's
 * organization (shared catalog rows and its own). relay.test.ts fails when a Node type is missing here.
 */
const NODE_LOADERS: Record<string, (ctx: HubContext) => DataLoader<string, object | null>> = {
  Framework: (ctx) => ctx.loaders.framework,
  Requirement: (ctx) => ctx.loaders.requirement,
  MappingSource: (ctx) => ctx.loaders.mappingSource,
  Evidence: (ctx) => ctx.loaders.evidence,
  AiSystem: (ctx) => ctx.loaders.aiSystem,
  ImpactAssessment: (ctx) => ctx.loaders.impactAssessment,
  HubEvent: (ctx) => ctx.loaders.event,
};

/**
 * The objects behind the ids, null where none is readable. Only the tables of types the caller may read are
 * asked, each through its loader once for all the ids (a constant number of statements). An object the
 * caller may not read (another writer's evidence for an INTEGRATOR) is as if it did not exist, as in evidence(id).
 */
async function resolveNodes(ctx: HubContext, ids: readonly string[]): Promise<(Node | null)[]> {
  const valid = [...new Set(ids.filter((id) => isUuid(id)))];
  const types = (await Promise.all(Object.keys(NODE_LOADERS).map(async (t) => ((await mayRead(ctx, t, null)) ? t : null)))).filter((t): t is string => t !== null);
  const found = new Map<string, { type: string; value: object }>();
  await Promise.all(types.map(async (type) => {
    const values = await NODE_LOADERS[type](ctx).loadMany(valid);
    values.forEach((v, i) => {
      // loadMany answers failures as values: a failing table is an error, not a missing object.
      if (v instanceof Error) throw v;
      if (v && !found.has(valid[i])) found.set(valid[i], { type, value: v });
    });
  }));
  return Promise.all(ids.map(async (id) => {
    const hit = found.get(id);
    return hit && (await mayRead(ctx, hit.type, hit.value)) ? (hit.value as Node) : null;
  }));
}

@Resolver()
export class NodeResolver {
  @Authorized(...CATALOG)
  @Query(() => Node, { nullable: true, description: 'Any object by its id, if the caller may read it. NOT_FOUND if no such object (or another organization\'s).' })
  async node(@Ctx() ctx: HubContext, @Arg('id', () => ID, { description: 'The object\'s id.' }) id: string): Promise<Node> {
    const [found] = await resolveNodes(ctx, [id]);
    if (found) return found;
    throw notFound(`No object with id "${id.slice(0, 100)}"`, { id: id.slice(0, 100) });
  }

  @Authorized(...CATALOG)
  @Query(() => [Node], { nullable: 'items', description: `Objects by id, in the order asked, null for an id no readable object has (another organization's included). At most ${MAX_NODE_IDS} ids.` })
  async nodes(@Ctx() ctx: HubContext, @Arg('ids', () => [ID], { description: `The objects' ids, 1 to ${MAX_NODE_IDS}.` }) ids: string[]): Promise<(Node | null)[]> {
    if (ids.length > MAX_NODE_IDS) throw badInput('ids', `ids takes at most ${MAX_NODE_IDS} ids, got ${ids.length}`);
    return resolveNodes(ctx, ids);
  }
}
