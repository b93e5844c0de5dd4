import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { HubContext } from './context';
import type { Requirement } from '../modules/framework/requirement.entity';
import { MappingEdge } from '../modules/mapping/mapping-edge.type';

/**
 * The fields named `name` selected under any of these fields, through fragments and inline fragments.
 * Directives are not evaluated: a field under `@skip` counts as selected, so at worst a lookahead loads
 * what the response then leaves out (it never loads less than the resolvers will ask for).
 */
export function selected(info: GraphQLResolveInfo, fields: readonly FieldNode[], name: string): FieldNode[] {
  const out: FieldNode[] = [];
  const visit = (set: SelectionSetNode | undefined, seen: Set<string>) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        if (s.name.value === name) out.push(s);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        visit(s.selectionSet, seen);
      } else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        visit(info.fragments[s.name.value]?.selectionSet, seen);
      }
    }
  };
  for (const f of fields) visit(f.selectionSet, new Set());
  return out;
}

/**
 * Requirement fields that need only LIGHT_COLUMNS (requirement.service.ts): their own columns, or
 * resolvers that use the id, the framework id or the parent id. A selection of these alone reads light
 * rows; anything else (text, summary, attributes, EU AI Act facts, ancestors) reads whole ones.
 */
const LIGHT_FIELDS = new Set(['__typename', 'id', 'ref', 'title', 'kind', 'depth', 'position', 'assessable', 'framework', 'parent', 'children', 'mappings', 'evidence']);

/** Per field node of a parsed document (Apollo keeps them while it keeps the document): light or not. */
const lightMemo = new WeakMap<FieldNode, boolean>();

/** Whether every requirement field selected directly under these fields (through fragments) is light. */
export function isLight(info: GraphQLResolveInfo, fields: readonly FieldNode[]): boolean {
  return fields.every((field) => {
    let light = lightMemo.get(field);
    if (light === undefined) {
      light = true;
      const visit = (set: SelectionSetNode | undefined, seen: Set<string>) => {
        for (const s of set?.selections ?? []) {
          if (!light) return;
          if (s.kind === Kind.FIELD) light = LIGHT_FIELDS.has(s.name.value);
          else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet, seen);
          else if (!seen.has(s.name.value)) {
            seen.add(s.name.value);
            visit(info.fragments[s.name.value]?.selectionSet, seen);
          }
        }
      };
      visit(field.selectionSet, new Set());
      lightMemo.set(field, light);
    }
    return light;
  });
}

/**
 * A requirement for a field that returns one (a counterpart, a parent): the whole one when it is known,
 * else a light one when the field's selection needs no more, else the whole one, batched.
 */
export function requirementFor(ctx: HubContext, info: GraphQLResolveInfo, id: string): Requirement | null | Promise<Requirement | null> {
  return requirementOf(ctx, isLight(info, info.fieldNodes), id);
}

/** The whole requirement when it is known or a light one will not do, else the light one. */
function requirementOf(ctx: HubContext, light: boolean, id: string): Requirement | null | Promise<Requirement | null> {
  return light && !ctx.loaders.requirement.has(id) ? ctx.loaders.requirementLight.get(id) : ctx.loaders.requirement.get(id);
}

/** The requirement fields selected under a connection field: `nodes` and `edges { node }`. */
export function connectionNodes(info: GraphQLResolveInfo, connection: readonly FieldNode[] = info.fieldNodes): FieldNode[] {
  return [...selected(info, connection, 'nodes'), ...selected(info, selected(info, connection, 'edges'), 'node')];
}

/**
 * Loads, before a list of requirements is returned, the mappings their selection asks for, the
 * counterparts of those mappings (light ones when their selection allows, as requirementFor reads them)
 * and the counterparts' frameworks, made ahead so that the resolvers find the values and answer without a
 * promise (Loader.get). Light counterparts come in the mappings' statement; whole ones take a batch of
 * their own, as the field resolvers would; frameworks come from the process catalog. Mappings filtered by
 * a framework are left to their resolver.
 */
export async function loadRequirementTree(ctx: HubContext, info: GraphQLResolveInfo, requirementFields: readonly FieldNode[], requirements: readonly Requirement[]): Promise<void> {
  if (!requirements.length) return;
  const mappings = selected(info, requirementFields, 'mappings');
  const frameworks = new Set<string>();
  if (selected(info, requirementFields, 'framework').length) for (const r of requirements) frameworks.add(r.frameworkId);
  if (mappings.length) {
    const ids = requirements.map((r) => r.id);
    const counterpartFields = selected(info, mappings, 'counterpart');
    const light = counterpartFields.length > 0 && isLight(info, counterpartFields);
    // Light counterparts come with the mappings' own statement (mappingRowsWithCounterparts), which leaves out
    // the counterparts that are among these requirements: so only when the loaders have these (callers prime
    // them). Lists already read stay.
    const { mappingRows, mappingRowsWithCounterparts, requirement, requirementLight } = ctx.loaders;
    const inline = light && requirements.every((r) => requirement.has(r.id) || requirementLight.has(r.id));
    const lists = await Promise.all(
      ids.map((id) => Promise.resolve(inline && !mappingRows.has(id) ? mappingRowsWithCounterparts.load(id) : mappingRows.get(id)).catch((e: Error) => e)),
    );
    if (counterpartFields.length) {
      const counterparts = new Set<string>();
      lists.forEach((rows, i) => {
        if (rows instanceof Error) return;
        for (const row of rows) counterparts.add(MappingEdge.counterpartOf(row, ids[i]));
      });
      // A failed batch is left for the counterpart fields to report, as their own loads would have.
      const found = await Promise.all([...counterparts].map((id) => Promise.resolve(requirementOf(ctx, light, id)).catch(() => null)));
      if (selected(info, counterpartFields, 'framework').length) {
        for (const c of found) if (c) frameworks.add(c.frameworkId);
      }
    }
  }
  if (frameworks.size) await ctx.loaders.framework.loadMany([...frameworks]);
}
