import { DocumentNode, FragmentDefinitionNode, GraphQLError, GraphQLSchema, OperationDefinitionNode, SelectionSetNode, getNamedType, getNullableType, isListType } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { ErrorCode } from './errors';
import { textBoundsProblem } from './input-bounds';

/** Multiplier for a list field with no `first` (children, mappings, hops...): a generous estimate of its size. */
const UNBOUNDED_LIST_ESTIMATE = 5;

/**
 * Lists cost their page size: a field with `first` multiplies its children by it; a list without one by
 * UNBOUNDED_LIST_ESTIMATE. Lists inside a connection (edges, nodes) are already counted by its `first`.
 */
export const pageSizeEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (typeof args.first === 'number') return 1 + childComplexity * Math.max(1, args.first);
  const inConnection = getNamedType(type).name.endsWith('Connection');
  if (isListType(getNullableType(field.type)) && !inConnection) return 1 + childComplexity * UNBOUNDED_LIST_ESTIMATE;
  return undefined;
};

/** Root fields of an operation (aliases and `__` fields each count): each may start its own work. */
export function rootFieldCount(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): number {
  const count = (set: SelectionSetNode, seen: Set<string>): number =>
    set.selections.reduce((n, sel) => {
      if (sel.kind === 'Field') return n + 1;
      if (sel.kind === 'InlineFragment') return n + count(sel.selectionSet, seen);
      const f = fragments[sel.name.value];
      return f && !seen.has(sel.name.value) ? n + count(f.selectionSet, new Set([...seen, sel.name.value])) : n;
    }, 0);
  return count(operation.selectionSet, new Set());
}

/**
 * Aliased fields anywhere in the operation, `__typename` included, each fragment counted where it is
 * spread. Iterative: the document can be as deep as the token limit allows.
 */
export function aliasCount(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>, stopAt: number): number {
  let n = 0;
  const stack: { set: SelectionSetNode; seen: ReadonlySet<string> }[] = [{ set: operation.selectionSet, seen: new Set() }];
  while (stack.length && n <= stopAt) {
    const { set, seen } = stack.pop()!;
    for (const sel of set.selections) {
      if (sel.kind === 'Field') {
        if (sel.alias) n++;
        if (sel.selectionSet) stack.push({ set: sel.selectionSet, seen });
      } else if (sel.kind === 'InlineFragment') {
        stack.push({ set: sel.selectionSet, seen });
      } else {
        const f = fragments[sel.name.value];
        if (f && !seen.has(sel.name.value)) stack.push({ set: f.selectionSet, seen: new Set([...seen, sel.name.value]) });
      }
    }
  }
  return n;
}

/** Deepest nesting of field selections, fragments expanded; introspection (__schema, __type) does not count. */
export function operationDepth(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): number {
  const depth = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!set) return 0;
    let max = 0;
    for (const sel of set.selections) {
      if (sel.kind === 'Field') {
        if (sel.name.value.startsWith('__')) continue;
        max = Math.max(max, sel.selectionSet ? 1 + depth(sel.selectionSet, seen) : 1);
      } else if (sel.kind === 'InlineFragment') {
        max = Math.max(max, depth(sel.selectionSet, seen));
      } else {
        const name = sel.name.value;
        if (seen.has(name) || !fragments[name]) continue;
        max = Math.max(max, depth(fragments[name].selectionSet, new Set([...seen, name])));
      }
    }
    return max;
  };
  return depth(operation.selectionSet, new Set());
}

const tooComplex = (message: string, details: Record<string, number>) =>
  new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, ...details, http: { status: 400 } } });

export interface OperationLimits { maxDepth: number; maxComplexity: number; maxRootFields: number; maxAliases: number }

/**
 * Why an operation is refused before any resolver runs (too deep, too costly, too many root fields or
 * aliases, a text input too long), or null. Used for HTTP (the plugin below) and subscriptions alike.
 */
export function operationProblem(
  schema: GraphQLSchema, limits: OperationLimits, document: DocumentNode, operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined, operationName: string | undefined,
): GraphQLError | null {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === 'FragmentDefinition') fragments[d.name.value] = d;
  const roots = rootFieldCount(operation, fragments);
  if (roots > limits.maxRootFields) return tooComplex(`${roots} root fields exceed the limit of ${limits.maxRootFields} per operation`, { rootFields: roots, maxRootFields: limits.maxRootFields });
  const aliases = aliasCount(operation, fragments, limits.maxAliases);
  if (aliases > limits.maxAliases) return tooComplex(`More than ${limits.maxAliases} aliased fields in one operation`, { aliases, maxAliases: limits.maxAliases });
  const depth = operationDepth(operation, fragments);
  if (depth > limits.maxDepth) return tooComplex(`Query depth ${depth} exceeds the limit of ${limits.maxDepth}`, { depth, maxDepth: limits.maxDepth });
  // Every String input within its length (input-bounds.ts), literal or variable, before anything runs.
  const tooLong = textBoundsProblem(schema, operation, fragments, variables);
  if (tooLong) return new GraphQLError(tooLong.message, { extensions: { code: ErrorCode.BAD_USER_INPUT, field: tooLong.field, http: { status: 400 } } });
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      operationName,
      variables: variables ?? {},
      estimators: [pageSizeEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch {
    // Variables that do not coerce: execution answers them with BAD_USER_INPUT before anything runs.
    return null;
  }
  if (complexity > limits.maxComplexity) {
    return tooComplex(`Query cost ${complexity} exceeds the limit of ${limits.maxComplexity} (lists cost their page size)`, { complexity, maxComplexity: limits.maxComplexity });
  }
  return null;
}

/** Variables longer than this (as JSON) are not a cache key: their verdict is worked out each time. */
const MAX_VARIABLES_KEY = 1024;
/** Distinct variable sets kept per document and operation name; the oldest goes when one more comes. */
const MAX_VERDICTS_PER_DOCUMENT = 64;

/**
 * Refuses too deep or too costly operations, and too long text inputs, after parsing and validation, before
 * any resolver runs. The verdict depends on the document, the operation name and the variables only, so it
 * is kept per document (Apollo hands the same parsed document to every request with the same text), under
 * the operation name and the variables as JSON: a dashboard asking the same query for another ref gets
 * its own entry, a bounded number of them.
 */
export function limitsPlugin(schema: GraphQLSchema, limits: OperationLimits): ApolloServerPlugin {
  const verdicts = new WeakMap<DocumentNode, Map<string, GraphQLError | null>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          if (!operation) return;
          const variables = request.variables && Object.keys(request.variables).length ? JSON.stringify(request.variables) : '';
          const key = variables.length <= MAX_VARIABLES_KEY ? `${request.operationName ?? ''}\0${variables}` : null;
          let problem = key === null ? undefined : verdicts.get(document)?.get(key);
          if (problem === undefined) {
            problem = operationProblem(schema, limits, document, operation, request.variables ?? undefined, request.operationName ?? undefined);
            if (key !== null) {
              let byKey = verdicts.get(document);
              if (!byKey) verdicts.set(document, (byKey = new Map()));
              if (byKey.size >= MAX_VERDICTS_PER_DOCUMENT) byKey.delete(byKey.keys().next().value!);
              byKey.set(key, problem);
            }
          }
          // A copy per request: Apollo may change the error it is given while answering.
          if (problem) throw new GraphQLError(problem.message, { extensions: { ...problem.extensions } });
        },
      };
    },
  };
}
