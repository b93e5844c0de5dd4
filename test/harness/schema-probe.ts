import {
  GraphQLField, GraphQLInputType, GraphQLNamedType, getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType,
  isInterfaceType, isObjectType, isScalarType,
} from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import type { Role } from '../../src/modules/auth/role';

/** Builds requests from the schema itself: argument values guessed from their names and types, and selections. */

/** An id for an ID argument, chosen by the caller from the field and argument names. */
export type IdFor = (field: string, arg: string) => string;

/** A plausible value for an input: enums take their first value, ids come from idFor, strings are guessed by name. */
export function inputValue(type: GraphQLInputType, name: string, field: string, idFor: IdFor, depth = 0): unknown {
  if (isNonNullType(type)) return inputValue(type.ofType, name, field, idFor, depth);
  if (isListType(type)) return [inputValue(type.ofType, name, field, idFor, depth)];
  const named = getNamedType(type);
  if (isEnumType(named)) {
    // Names, as a client writes them (EventType values stand for other internal values).
    const vals = named.getValues().map((v) => v.name);
    return name === 'decision' && vals.includes('APPROVED') ? 'APPROVED' : vals[0];
  }
  if (isInputObjectType(named)) {
    if (depth > 3) return {};
    const out: Record<string, unknown> = {};
    for (const f of Object.values(named.getFields())) out[f.name] = inputValue(f.type, f.name, field, idFor, depth + 1);
    return out;
  }
  if (isScalarType(named)) {
    switch (named.name) {
      case 'ID': return idFor(field, name);
      case 'Int': return name === 'first' ? 5 : name === 'maxDepth' ? 2 : 1;
      case 'Float': return 1;
      case 'Boolean': return true;
      case 'DateTime': return new Date(Date.now() + (name === 'to' ? 86_400_000 : -86_400_000 * 30)).toISOString();
      case 'JSONObject': return {};
      case 'LocalDate': return '2026-07-20';
      default:
        if (/framework|from$|^to$|source$|target$|toFramework/i.test(name)) return name === 'to' || name === 'target' ? 'iso42001' : 'iso27001';
        if (/ref$/i.test(name)) return 'A.5.1';
        if (name === 'status') return 'ACTIVE';
        if (name === 'key') return 'orga-set';
        return 'probe-text';
    }
  }
  return null;
}

/** A value as a GraphQL literal of its input type (enum values bare, custom scalars as JSON). */
export function literal(value: unknown, type: GraphQLInputType): string {
  if (isNonNullType(type)) return literal(value, type.ofType);
  if (value === null || value === undefined) return 'null';
  if (isListType(type)) return `[${(value as unknown[]).map((v) => literal(v, type.ofType)).join(', ')}]`;
  if (isEnumType(type)) return String(value);
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    return `{ ${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${literal(v, fields[k].type)}`).join(', ')} }`;
  }
  if (type.name === 'JSONObject') return `{ ${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')} }`;
  return JSON.stringify(value);
}

/** `(a: 1, b: "x")` with every required argument (and those in `given`) as literals; '' when there are none. */
export function argumentsOf(f: GraphQLField<unknown, unknown>, idFor: IdFor, given: Record<string, unknown> = {}): string {
  const parts = f.args
    .filter((a) => a.name in given || (isNonNullType(a.type) && a.defaultValue === undefined))
    .map((a) => `${a.name}: ${literal(a.name in given ? given[a.name] : inputValue(a.type, a.name, f.name, idFor), a.type)}`);
  return parts.length ? `(${parts.join(', ')})` : '';
}

/** Every field of an object type (an interface: its own fields) to `depth` levels of objects below it, required arguments filled, pages of 5; '' for a leaf type. */
export function selectionOf(type: GraphQLNamedType, depth: number, idFor: IdFor): string {
  if (!isObjectType(type) && !isInterfaceType(type)) return '';
  const parts: string[] = [];
  for (const f of Object.values(type.getFields())) {
    const inner = getNamedType(f.type);
    // Paged lists: a short page is enough to see whose objects come back.
    const args = argumentsOf(f, idFor, f.args.some((a) => a.name === 'first') ? { first: 5 } : {});
    if (!isObjectType(inner) && !isInterfaceType(inner)) parts.push(`${f.name}${args}`);
    else if (depth > 0 && isObjectType(inner)) parts.push(`${f.name}${args} ${selectionOf(inner, depth - 1, idFor)}`);
  }
  return `{ __typename ${parts.join(' ')} }`;
}

/** The @Authorized roles of a root or nested field (from type-graphql's metadata); null when it declares none. */
export function declaredRoles(type: string, field: string): Role[] | null {
  const storage = getMetadataStorage();
  if (type === 'Query' || type === 'Mutation') return (type === 'Query' ? storage.queries : storage.mutations).find((r) => r.schemaName === field)?.roles ?? null;
  if (type === 'Subscription') return storage.subscriptions.find((r) => r.schemaName === field)?.roles ?? null;
  const resolver = storage.fieldResolvers.find((r) => r.schemaName === field && storage.objectTypes.find((o) => o.target === r.getObjectType?.())?.name === type);
  return resolver?.roles ?? storage.objectTypes.find((o) => o.name === type)?.fields?.find((f) => f.schemaName === field)?.roles ?? null;
}
