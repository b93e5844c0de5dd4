import { DocumentNode, ExecutionResult, GraphQLSchema, execute, getOperationAST, printSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';

/** Documents whose compiled form a process keeps (Apollo's own document cache holds the parsed ones). */
const COMPILED_DOCUMENTS = 1000;

/**
 * Executes operations with graphql-jit: each document (and operation name) is compiled once into a
 * function that walks the selection without graphql-js's per-field interpretation, then run for each
 * request with its variables and context. The resolvers, the schema and everything before execution
 * (parsing, validation, the limits, the plugins) are Apollo's and graphql-js's as before.
 *
 * Apollo Server takes an executor of its own only from a gateway (`GatewayInterface`); this is one that
 * serves the hub's schema as it is. Subscriptions over HTTP (which the hub does not serve) go to
 * graphql-js, which answers what it always did.
 */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  const compiled = new Map<DocumentNode, Map<string | null, CompiledQuery | ExecutionResult>>();
  const compile = (document: DocumentNode, operationName: string | null) => {
    let byName = compiled.get(document);
    if (!byName) {
      byName = new Map();
      compiled.set(document, byName);
      if (compiled.size > COMPILED_DOCUMENTS) compiled.delete(compiled.keys().next().value!);
    }
    let c = byName.get(operationName);
    if (!c) {
      c = compileQuery(schema, document, operationName ?? undefined);
      byName.set(operationName, c);
    }
    return c;
  };
  const executor: GatewayExecutor = async ({ document, operationName, request, context }) => {
    const operation = getOperationAST(document, operationName ?? undefined);
    if (!operation || operation.operation === 'subscription') {
      return execute({ schema, document, operationName, variableValues: request.variables, contextValue: context });
    }
    const c = compile(document, operationName);
    if (!isCompiledQuery(c)) return c;
    return c.query(undefined, context, request.variables ?? {});
  };
  let announce: ((schemaContext: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) => void) | null = null;
  return {
    onSchemaLoadOrUpdate(callback) {
      announce = callback;
      return () => {
        announce = null;
      };
    },
    async load() {
      // The schema never changes: announced once, as a gateway announces its first supergraph.
      announce?.({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return { executor };
    },
    async stop() {},
  };
}
