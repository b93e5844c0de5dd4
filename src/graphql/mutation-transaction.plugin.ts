import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { GraphQLFieldMap, GraphQLSchema, OperationDefinitionNode, defaultFieldResolver } from 'graphql';
import { getArgumentValues } from 'graphql/execution/values.js';
import type { DataSource } from 'typeorm';
import { beginRequestTransaction, endRequestTransaction, inSavepoint } from '../database/request-transaction';
import { collectIds, type AuditEntry } from '../modules/audit/audit.service';
import { logger } from '../logger';
import { replicasOf } from '../database/replicas';
import { isEmbedded } from '../database/transaction';
import type { HubContext } from './context';
import { ErrorCode } from './errors';

/**
 * A query request is one transaction, which may read a replica (database/replicas.ts). A mutation request is one transaction: its fields, then one audit event per field (token, operation,
 * arguments, the ids it named and returned, before and after images, outcome), then COMMIT. An event
 * that cannot be written means nothing commits and the caller is told so; a failing field is rolled
 * back to its savepoint, so it leaves nothing behind while the other fields keep their work. Before the
 * audit event, the coverage deltas of what the request wrote become history and events (outbox), so
 * they commit with it; after the commit, the process publishes them.
 */
export function mutationTransactionPlugin(ds: DataSource, schema: GraphQLSchema, eventsEnabled = true): ApolloServerPlugin<HubContext> {
  const mutationFields = schema.getMutationType()?.getFields() ?? {};
  return {
    // A plugin hook threw (Apollo answers 500 then, without willSendResponse): what the request wrote is rolled back.
    async unexpectedErrorProcessingRequest({ requestContext }) {
      const scope = requestContext.contextValue?.queryScope;
      if (scope?.transaction) await endRequestTransaction(scope, false).catch(() => undefined);
    },
    async requestDidStart() {
      let before: Record<string, unknown> = {};
      let args: ReturnType<typeof fieldArguments> = [];
      return {
        async executionDidStart({ operation, request, contextValue }) {
          const scope = contextValue.queryScope;
          scope.executed = true;
          // A query writes no framework: it may read them from the process's catalog at the gate's stamp.
          if (operation?.operation === 'query') scope.catalogStamp = scope.gateCatalogStamp;
          if (operation?.operation === 'query' && !isEmbedded(ds)) {
            // A query is one transaction too, so its organization is set once per request and holds
            // behind a transaction-mode pooler (database/tenant.ts). It may read a replica, unless the
            // caller asks for the primary or its token's last write here is not on any replica yet.
            const replicas = replicasOf(ds);
            const primary = request.http?.headers.get('x-hub-read-from') === 'primary';
            if (replicas) scope.replicaCurrentTo = replicas.currentTo(contextValue.principal.tokenId);
            // Opened by the request gate already (one primary), else here. A database out of reach: each
            // statement then fails on its own, as the errors say.
            if (!scope.transaction) await beginRequestTransaction(ds, scope, contextValue.requestId, !!replicas && !primary).catch(() => undefined);
            return;
          }
          // No operation (an operationName that names none, several anonymous ones): execution reports it.
          if (operation?.operation !== 'mutation') return;
          try {
            if (!scope.transaction) await beginRequestTransaction(ds, scope, contextValue.requestId);
            args = fieldArguments(mutationFields, operation, request.variables);
            const named = collectIds([request.variables, args]);
            before = await contextValue.services.audit.snapshot(contextValue.organizationId, [...named]);
          } catch (err) {
            // A hook that throws is a 500; instead every mutation field fails with the (mapped) cause.
            scope.transactionError = err;
            await endRequestTransaction(scope, false).catch(() => undefined);
          }
        },
        willSendResponse(requestContext) {
          // Ends the transaction; the statement count (server.ts) waits for this, so COMMIT and the audit event count too.
          const done = finish(requestContext);
          if (requestContext.contextValue?.queryScope) requestContext.contextValue.queryScope.finished = done;
          return done;
        },
      };
      async function finish({ operation, response, contextValue, request }: GraphQLRequestContextWillSendResponse<HubContext>): Promise<void> {
        const scope = contextValue?.queryScope;
        if (!scope?.transaction) return;
        if (operation?.operation === 'query' || !scope.executed) {
          // Nothing was written (or only the request gate's counts, for an operation that never ran): a
          // commit that fails changes nothing the response says.
          await endRequestTransaction(scope, true).catch(() => undefined);
          return;
        }
        if (operation?.operation !== 'mutation' || response.body.kind !== 'single' || scope.aborted) {
          await endRequestTransaction(scope, false).catch(() => undefined);
          return;
        }
        const result = response.body.singleResult;
        try {
          // What each field's resolver returned, whatever the caller selected of it.
          const data = Object.fromEntries(resolved.get(contextValue) ?? []);
          const touchedAll = collectIds([request.variables, args, data]);
          touchedAll.delete(contextValue.organizationId);
          const after = await contextValue.services.audit.snapshot(contextValue.organizationId, [...touchedAll]);
          const p = contextValue.principal;
          const entries: AuditEntry[] = args.map(({ key, name, values, literal }) => {
            const error = result.errors?.find((e) => e.path?.[0] === key);
            const ids = collectIds([request.variables, values, data[key]]);
            ids.delete(contextValue.organizationId);
            const touched = [...ids];
            const pick = (images: Record<string, unknown>) => Object.fromEntries(touched.filter((id) => id in images).map((id) => [id, images[id]]));
            return {
              tokenId: p.tokenId,
              tokenPrefix: p.prefix,
              actor: contextValue.actor,
              operation: name,
              touchedIds: touched,
              variables: request.variables ?? null,
              arguments: literal,
              outcome: error ? String(error.extensions?.code ?? 'ERROR') : 'OK',
              before: pick(before),
              after: pick(after),
            };
          });
          // Coverage deltas and their events, in the same transaction as the writes that caused them.
          const events = contextValue.services.events;
          const flushed = eventsEnabled ? await contextValue.services.coverageEvents.flush(contextValue.organizationId) : null;
          await contextValue.services.audit.append(entries);
          await endRequestTransaction(scope, true);
          replicasOf(ds)?.wrote(contextValue.principal.tokenId);
          if (events && (flushed || entries.some((e) => e.outcome === 'OK'))) events.poke();
        } catch (err) {
          await endRequestTransaction(scope, false).catch(() => undefined);
          logger.error({ requestId: contextValue.requestId, err }, 'mutation rolled back: its audit event or commit failed');
          // Nothing of this request was committed: no field may claim otherwise.
          result.data = null;
          result.errors = [{
            message: 'The database did not confirm this request; nothing was written; retry',
            extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, requestId: contextValue.requestId },
          }];
          if (response.http) {
            response.http.status = 503;
            response.http.headers.set('retry-after', '1');
          }
        }
      }
    },
  };
}

/**
 * Each mutation field runs in a savepoint of the request's transaction. Wrapped on the schema rather
 * than in a middleware, so queries pay nothing for it.
 */
export function wrapMutationFields(schema: GraphQLSchema): void {
  // The schema is built once per process and several servers may share it: wrap once.
  if (wrapped.has(schema)) return;
  wrapped.add(schema);
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context: HubContext, info) => {
      if (context.queryScope.transactionError) throw context.queryScope.transactionError;
      const pinned = context.queryScope.transaction;
      if (!pinned) return resolve(source, args, context, info);
      return inSavepoint(pinned, async () => {
        const value = await resolve(source, args, context, info);
        let fields = resolved.get(context);
        if (!fields) resolved.set(context, (fields = new Map()));
        fields.set(info.path.key as string, value);
        return value;
      });
    };
  }
}

const wrapped = new WeakSet<GraphQLSchema>();
/** Per request: each mutation field's resolved value by response key, for the audit event's touched ids. */
const resolved = new WeakMap<HubContext, Map<string, unknown>>();

/** Each root field of the operation with its arguments as the server reads them (inline literals included). */
function fieldArguments(fields: GraphQLFieldMap<unknown, unknown>, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined) {
  return operation.selectionSet.selections.flatMap((sel) => {
    if (sel.kind !== 'Field') return [];
    const key = sel.alias?.value ?? sel.name.value;
    let values: Record<string, unknown> | null = null;
    const def = fields[sel.name.value];
    if (def) {
      try {
        values = getArgumentValues(def, sel, variables ?? {});
      } catch {
        values = null; // arguments that do not coerce: the field failed with BAD_USER_INPUT, the variables are kept
      }
    }
    // What the trail records: arguments written in the document; those passed as variables are in
    // `variables` already (a 1,000-item bulk call would otherwise be stored twice).
    const literal = values && Object.fromEntries(Object.entries(values).filter(([name]) =>
      sel.arguments?.some((a) => a.name.value === name && a.value.kind !== 'Variable')));
    return [{ key, name: sel.name.value, values, literal: literal && Object.keys(literal).length ? literal : null }];
  });
}
