import { GraphQLAbstractType, GraphQLResolveInfo, getNamedType, isAbstractType, isLeafType } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import type { HubContext } from '../../graphql/context';
import { ErrorCode, HubError } from '../../graphql/errors';
import { allows } from './role';
import { OWN_ONLY, OWN_ONLY_ROLES, READ_RULES } from './read-rules';

const forbidden = (ctx: HubContext, info: GraphQLResolveInfo, type: string, why: string) =>
  new HubError(ErrorCode.FORBIDDEN, `Role ${ctx.principal.role} may not read ${type} (${info.parentType.name}.${info.fieldName}; ${why})`);

function checkType(ctx: HubContext, info: GraphQLResolveInfo, type: string): void {
  const rule = READ_RULES[type];
  if (!rule) throw forbidden(ctx, info, type, 'no read rule');
  if (!allows(rule, ctx.principal.role)) throw forbidden(ctx, info, type, `needs ${rule.join(' or ')}`);
}

async function concreteType(value: unknown, ctx: HubContext, info: GraphQLResolveInfo, type: GraphQLAbstractType): Promise<string> {
  const t = await type.resolveType?.(value, ctx, info, type);
  return typeof t === 'string' ? t : String(t);
}

/** Whether this role may read this one object of a type it may read (an INTEGRATOR: only what it wrote). */
async function readable(value: unknown, ctx: HubContext, type: string): Promise<boolean> {
  const own = OWN_ONLY[type];
  return !own || !OWN_ONLY_ROLES.includes(ctx.principal.role) || value == null || own(value as never, ctx);
}

/**
 * One global middleware, keyed on the field's return type (lists and non-null unwrapped): whatever path
 * reaches an object, the type's read rule decides. A refused type answers FORBIDDEN before its resolver
 * runs (null at that path, the rest of the response served); an object refused by an object-level rule
 * answers FORBIDDEN, and such objects are left out of lists (as `evidences` leaves them out).
 * @Authorized on the field runs first, so root fields keep their own rule and message.
 */
export const readGuard: MiddlewareFn<HubContext> = async ({ context, info }, next) => {
  const named = getNamedType(info.returnType);
  if (isLeafType(named)) return next();
  const abstract = isAbstractType(named);
  if (!abstract) checkType(context, info, named.name);
  const value = await next();
  if (value == null || (!abstract && !OWN_ONLY[named.name])) return value;
  /** The concrete type of one object when this role may read it, else null. */
  const admit = async (v: unknown): Promise<string | null> => {
    const type = abstract ? await concreteType(v, context, info, named) : named.name;
    if (abstract) checkType(context, info, type);
    return (await readable(v, context, type)) ? type : null;
  };
  if (Array.isArray(value)) {
    const kept = await Promise.all(value.map(admit));
    return value.filter((_, i) => kept[i] !== null);
  }
  if ((await admit(value)) === null) throw forbidden(context, info, named.name, 'only what it wrote');
  return value;
};
