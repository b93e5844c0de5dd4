import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import {
  DocumentNode, ExecutionArgs, ExecutionResult, GraphQLError, GraphQLFormattedError, GraphQLSchema, getOperationAST, parse, subscribe, validate,
} from 'graphql';
import { CloseCode, type Context } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { withQueryScope } from '../database/query-counter';
import { bearerToken, principalOf } from '../modules/auth/principal';
import type { Principal } from '../modules/auth/token.service';
import { logger } from '../logger';
import { HubContext, Services, requestContext } from './context';
import { ErrorCode, HubError, formatError, isUnexpected } from './errors';
import { OperationLimits, operationProblem } from './limits';

export interface SubscriptionServerOptions {
  limits: OperationLimits & { maxTokens: number; bodyBytes: number; maxSubscriptionsPerConnection: number };
  statementTimeoutMs: number;
  /** How often an open connection's token is checked again: a revoked or expired one closes it (4401). */
  reauthenticateMs: number;
}

/**
 * Close codes a refused or ended connection gets, with a reason in words. 4401 (graphql-ws's
 * Unauthorized): no usable token, or the token was revoked or expired while connected; the graphql-ws
 * client does not retry it. 1013 (Try Again Later): the token could not be checked (database down);
 * clients retry. 1001 (Going Away): the hub is stopping.
 */
export const CLOSE = { UNAUTHENTICATED: CloseCode.Unauthorized, TRY_AGAIN_LATER: 1013, GOING_AWAY: 1001 } as const;

/** What a connection's token is: connection params `authorization` ("Bearer ...") or `token`, else the upgrade request's header. */
function credentialOf(params: Readonly<Record<string, unknown>> | undefined, request: http.IncomingMessage): string | undefined {
  const authorization = params?.authorization ?? params?.Authorization;
  if (typeof authorization === 'string') return authorization;
  const token = params?.token;
  if (typeof token === 'string') return bearerToken(token) ? token : `Bearer ${token}`;
  return request.headers.authorization;
}

/** A refusal before execution, answered as an error message of the subscription. */
const refusal = (code: string, message: string) => new GraphQLError(message, { extensions: { code } });

interface Connection {
  principal: Principal;
  credential: string | undefined;
  timer: NodeJS.Timeout;
}

/**
 * GraphQL subscriptions over graphql-ws on the HTTP server's /graphql, beside (not through) Apollo:
 * - authenticated once per connection with the token of queries (connectionParams), checked again every
 *   reauthenticateMs and on every subscribe; a refused connection is closed with 4401 and the reason;
 * - only subscription operations (queries and mutations go over HTTP, where their transaction, audit
 *   and limits live), each parsed within HUB_MAX_TOKENS, validated, and held to the depth, cost, root
 *   field, alias and text limits of HTTP; at most maxSubscriptionsPerConnection at once;
 * - each subscription gets the principal's context (organization, role, read rules), and each event is
 *   executed in a fresh one (loaders, statement scope), so nothing cached outlives the event.
 * Errors are formatted by the HTTP path's formatError: codes, never internals.
 */
export function startSubscriptions(httpServer: http.Server, schema: GraphQLSchema, services: Services, options: SubscriptionServerOptions) {
  // Upgrades are taken here rather than by ws on the server, which would re-emit the server's own errors (a port in use) as its own.
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.limits.bodyBytes });
  const upgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://hub').pathname !== '/graphql') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  httpServer.on('upgrade', upgrade);
  const connections = new WeakMap<Context<Record<string, unknown> | undefined, Extra>, Connection>();

  const authenticate = (credential: string | undefined) => withQueryScope({ statements: 0 }, () => principalOf(services, credential));
  const refuse = (socket: Extra['socket'], reason: string) => socket.close(CLOSE.UNAUTHENTICATED, `Unauthenticated: ${reason}`.slice(0, 123));

  const format = (context: HubContext | undefined) => (e: GraphQLError): GraphQLFormattedError => {
    // An execution error carries its path and wraps the thrown error; a refusal made here is itself the error.
    const raw = e.path ? e : (e.originalError ?? e);
    if (isUnexpected(raw)) logger.error({ requestId: context?.requestId, err: e.originalError ?? e, path: e.path }, 'unexpected error in a subscription');
    const formatted = formatError(e.toJSON(), raw);
    return context && formatted.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR
      ? { ...formatted, extensions: { ...formatted.extensions, requestId: context.requestId } }
      : formatted;
  };

  const server = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      onConnect: async (ctx) => {
        const credential = credentialOf(ctx.connectionParams, ctx.extra.request);
        let principal: Principal | string;
        try {
          principal = await authenticate(credential);
        } catch (err) {
          logger.warn({ err }, '[hub] subscription connection: the token could not be checked');
          ctx.extra.socket.close(CLOSE.TRY_AGAIN_LATER, 'The token could not be checked (database unavailable); retry');
          return false;
        }
        if (typeof principal === 'string') {
          refuse(ctx.extra.socket, principal.replace('send "Authorization: Bearer <token>"', 'send connection params { authorization: "Bearer <token>" }'));
          return false;
        }
        const timer = setInterval(() => {
          authenticate(credential).then((again) => {
            if (typeof again === 'string') refuse(ctx.extra.socket, 'the token was revoked or expired');
          }, () => undefined); // a database outage keeps the connection; the next check decides
        }, options.reauthenticateMs);
        timer.unref();
        connections.set(ctx, { principal, credential, timer });
        return true;
      },
      onClose: (ctx) => {
        const c = connections.get(ctx);
        if (c) clearInterval(c.timer);
      },
      onSubscribe: async (ctx, _id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        const connection = connections.get(ctx)!;
        // graphql-ws lists this subscription already.
        const open = Object.keys(ctx.subscriptions).length;
        const max = options.limits.maxSubscriptionsPerConnection;
        if (open > max) {
          const message = `At most ${max} subscriptions per connection; complete one or open another connection`;
          return [new GraphQLError(message, { originalError: new HubError(ErrorCode.TOO_MANY_SUBSCRIPTIONS, message, { maxSubscriptionsPerConnection: max }) })];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: options.limits.maxTokens });
        } catch (err) {
          return [refusal('GRAPHQL_PARSE_FAILED', (err as Error).message)];
        }
        const invalid = validate(schema, document);
        if (invalid.length) return invalid.map((e) => refusal('GRAPHQL_VALIDATION_FAILED', e.message));
        const operation = getOperationAST(document, payload.operationName ?? undefined);
        if (!operation) return [refusal('OPERATION_RESOLUTION_FAILURE', 'No operation to run: name one with operationName, or send one operation')];
        if (operation.operation !== 'subscription') {
          return [refusal('BAD_REQUEST', `Only subscriptions are served over the socket; send ${operation.operation === 'mutation' ? 'mutations' : 'queries'} to POST /graphql`)];
        }
        const variables = payload.variables ?? undefined;
        const problem = operationProblem(schema, options.limits, document, operation, variables, payload.operationName ?? undefined);
        if (problem) return [problem];
        // The token again: a connection outlives a revocation otherwise.
        const principal = await authenticate(connection.credential);
        if (typeof principal === 'string') {
          refuse(ctx.extra.socket, 'the token was revoked or expired');
          return [refusal(ErrorCode.UNAUTHENTICATED, 'The token was revoked or expired')];
        }
        const contextValue = requestContext(services, principal, { statements: 0, statementTimeoutMs: options.statementTimeoutMs }, randomUUID());
        return { schema, document, operationName: payload.operationName, variableValues: variables, contextValue };
      },
      subscribe: async (args) => {
        const context = args.contextValue as HubContext;
        const result = await withQueryScope(context.queryScope, () => subscribe(args));
        return isAsyncIterator(result) ? eachInItsOwnContext(context, result, options.statementTimeoutMs) : result;
      },
      onNext: (_ctx, _id, _payload, args, result) =>
        result.errors ? { ...result, errors: result.errors.map(format(args.contextValue as HubContext)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map(format(undefined)),
    },
    wss,
  );

  return {
    /** Open connections now. */
    connections: () => wss.clients.size,
    /** Closes every connection (1001) and the socket server; a client that does not answer the close is cut after a second. */
    stop: async () => {
      httpServer.off('upgrade', upgrade);
      const clients = [...wss.clients];
      for (const c of clients) c.close(CLOSE.GOING_AWAY, 'The hub is stopping');
      await Promise.race([
        Promise.all(clients.map((c) => (c.readyState === c.CLOSED ? null : new Promise((resolve) => c.once('close', resolve))))),
        new Promise((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
      for (const c of wss.clients) c.terminate();
      await server.dispose();
    },
  };
}

const isAsyncIterator = (x: unknown): x is AsyncGenerator<ExecutionResult> =>
  typeof x === 'object' && x !== null && typeof (x as AsyncIterator<unknown>).next === 'function' && Symbol.asyncIterator in x;

/**
 * The subscription's results, each executed in a fresh context (new loaders, mapping graph memo and
 * statement scope, same principal): a context lives as long as the subscription otherwise, and
 * its caches would grow and go stale. The scope carries the organization to every statement (RLS).
 */
function eachInItsOwnContext(context: HubContext, source: AsyncGenerator<ExecutionResult>, statementTimeoutMs: number): AsyncIterableIterator<ExecutionResult> {
  // return() is what graphql-ws calls when the client completes the subscription or goes away.
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next: () => {
      Object.assign(context, requestContext(context.services, context.principal, { statements: 0, statementTimeoutMs }, context.requestId));
      return withQueryScope(context.queryScope, () => source.next());
    },
    return: (value?: unknown) => source.return(value),
    throw: (err) => source.throw(err),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
