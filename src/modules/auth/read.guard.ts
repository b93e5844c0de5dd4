import {
  GraphQLAbstractType, GraphQLFieldResolver, GraphQLNamedType, GraphQLResolveInfo, GraphQLSchema, defaultFieldResolver, getNamedType,
  isAbstractType, isLeafType, isObjectType,
} from 'graphql';
import type { HubContext } from '../../graphql/context';
import { ErrorCode, HubError } from '../../graphql/errors';
import { allows } from './role';
import { EVENT_READ_RULES, OWN_ONLY, OWN_ONLY_ROLES, READ_RULES } from './read-rules';
import { EVENT_TYPES, type EventType } from '../events/event-envelope';

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

/** Whether the caller may read this object of this type: the type's read rule, then the object-level rule. */
export async function mayRead(ctx: HubContext, type: string, value: unknown): Promise<boolean> {
  const rule = READ_RULES[type];
  return !!rule && allows(rule, ctx.principal.role) && readable(value, ctx, type);
}

/** Whether this role may read this one object of a type it may read (an INTEGRATOR: only what it wrote). */
async function readable(value: unknown, ctx: HubContext, type: string): Promise<boolean> {
  const own = OWN_ONLY[type];
  return !own || !OWN_ONLY_ROLES.includes(ctx.principal.role) || value == null || own(value as never, ctx);
}

/**
 * Wraps the resolver of every field that returns objects (lists and non-null unwrapped), so that whatever
 * path reaches an object, the read rule of its type decides. A refused type answers FORBIDDEN before the
 * field's resolver runs (null at that path, the rest of the response served); an object refused by an
 * object-level rule answers FORBIDDEN, and such objects are left out of lists (as `evidences` leaves them out).
 * Fields that return scalars are left alone: a type-graphql global middleware would wrap every field in a
 * promise, and made a 170 kB catalog answer 1.7x slower.
 */
export function guardReads(schema: GraphQLSchema): GraphQLSchema {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (isLeafType(named)) continue;
      field.resolve = guarded(field.resolve ?? defaultFieldResolver, named, roots.has(type));
    }
  }
  return schema;
}

function guarded(resolve: GraphQLFieldResolver<unknown, HubContext>, named: GraphQLNamedType, root: boolean): GraphQLFieldResolver<unknown, HubContext> {
  const abstract = isAbstractType(named);
  const own = !abstract && OWN_ONLY[named.name];
  return (source, args, context, info) => {
    // A root field's own @Authorized rule (and message) comes first; it never admits a role its type refuses (tested).
    if (!abstract && !root) checkType(context, info, named.name);
    const result = resolve(source, args, context, info);
    if (!abstract && !own && !root) return result;
    return Promise.resolve(result).then((value) => admitted(value, context, info, named));
  };
}

/** The field's value with what the role may not read refused (a single object) or left out (from a list). */
async function admitted(value: unknown, context: HubContext, info: GraphQLResolveInfo, named: GraphQLNamedType): Promise<unknown> {
  if (value == null) return value;
  /** The concrete type of one object when this role may read it, else null. */
  const admit = async (v: unknown): Promise<string | null> => {
    const type = isAbstractType(named) ? await concreteType(v, context, info, named) : named.name;
    checkType(context, info, type);
    return (await readable(v, context, type)) ? type : null;
  };
  if (Array.isArray(value)) {
    // A null entry (nodes(ids) for an unknown id) stays where it is; refused objects are left out.
    const kept = await Promise.all(value.map((v) => (v == null ? 'null' : admit(v))));
    return value.filter((_, i) => kept[i] !== null);
  }
  if ((await admit(value)) === null) throw forbidden(context, info, named.name, 'only what it wrote');
  return value;
}

/**
 * The event types (outbox names) a caller receives: those asked for, or every type when none are, as far
 * as its role may read them (EVENT_READ_RULES). Asking for a type the role may not read is FORBIDDEN,
 * naming the role it needs; leaving the types out silently narrows to what the role may read.
 */
export function readableEventTypes(ctx: HubContext, requested: readonly EventType[] | null | undefined, field = 'types'): EventType[] {
  const role = ctx.principal.role;
  for (const type of requested ?? []) {
    const rule = EVENT_READ_RULES[type];
    if (!allows(rule, role)) throw new HubError(ErrorCode.FORBIDDEN, `Role ${role} may not receive ${type} events (${field}; needs ${rule.join(' or ')})`, { field });
  }
  const wanted = requested?.length ? [...new Set(requested)] : (Object.keys(EVENT_TYPES) as EventType[]);
  return wanted.filter((t) => allows(EVENT_READ_RULES[t], role));
}
