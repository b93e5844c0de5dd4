import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { createHash, randomUUID } from 'node:crypto';
import { collectIds } from '../modules/audit/audit.service';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { limitsPlugin } from './limits';
import type { DataSource } from 'typeorm';
import type { HubConfig } from '../config';
import { QueryScope, currentQueryScope, withQueryScope } from '../database/query-counter';
import { HubContext, createLoaders, createServices } from './context';
import { formatError } from './errors';
import { hubSchema } from './schema';
import { GraphQLError, visit } from 'graphql';
import { principalOf } from '../modules/auth/principal';
import { ErrorCode, fromDatabaseError, isUnexpected } from './errors';
import { logger } from '../logger';
import { pinoHttp } from 'pino-http';
import { csvExportRouter } from '../modules/coverage/coverage.csv';

export interface RunningHub {
  url: string;
  stop: () => Promise<void>;
}

/** Adds `extensions.sqlStatements` to every response, for the benchmark and the N+1 tests. */
function queryCountPlugin(): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind === 'single') {
            response.body.singleResult.extensions = {
              ...response.body.singleResult.extensions,
              sqlStatements: contextValue.queryScope.statements,
            };
          }
        },
      };
    },
  };
}

const unauthenticated = (message: string) =>
  new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } } });

/** Per token (its hash, never the token) or, without one, per address. */
function rateLimiter(perMinute: number) {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => {
      const auth = req.headers.authorization;
      return auth ? `t:${createHash('sha256').update(auth).digest('hex').slice(0, 32)}` : `ip:${ipKeyGenerator(req.ip ?? '')}`;
    },
    handler: (req, res) => {
      const reset = (req as unknown as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 60;
      res.setHeader('retry-after', String(seconds));
      res.status(429).json({ errors: [{ message: `Rate limit of ${perMinute} requests per minute reached; retry in ${seconds} s`, extensions: { code: ErrorCode.RATE_LIMITED } }] });
    },
  });
}

/** Body errors (too large, not JSON) answered in the API's error shape, never as HTML. */
const bodyErrors: express.ErrorRequestHandler = (err, _req, res, next) => {
  if (err?.type === 'entity.too.large') {
    res.status(413).json({ errors: [{ message: `Request body larger than ${err.limit} bytes`, extensions: { code: ErrorCode.PAYLOAD_TOO_LARGE } }] });
  } else if (err?.type === 'entity.parse.failed' || err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported') {
    res.status(400).json({ errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
  } else next(err);
};

/**
 * Appends one audit event per mutation field after the response is computed: token, operation, the ids
 * its arguments and result name, the arguments (secrets redacted), and the outcome.
 */
function auditPlugin(): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      let before: Record<string, unknown> = {};
      let named = new Set<string>();
      return {
        // Before execution: the rows the call names (ids in variables or literals), as they are now.
        async executionDidStart({ operation, request, contextValue }) {
          // No operation (an operationName that names none, several anonymous ones): execution reports it.
          if (operation?.operation !== 'mutation') return;
          named = collectIds(request.variables);
          visit(operation, { StringValue: (node) => void collectIds(node.value, named) });
          before = await contextValue.services.audit.snapshot([...named]).catch(() => ({}));
        },
        async willSendResponse({ operation, response, contextValue, request }) {
          if (operation?.operation !== 'mutation' || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          try {
            const touchedAll = new Set([...named, ...collectIds(result.data)]);
            const after = await contextValue.services.audit.snapshot([...touchedAll]);
            const entries = operation.selectionSet.selections.flatMap((sel) => {
              if (sel.kind !== 'Field') return [];
              const key = sel.alias?.value ?? sel.name.value;
              const error = result.errors?.find((e) => e.path?.[0] === key);
              const touched = [...collectIds([request.variables, (result.data as Record<string, unknown> | null | undefined)?.[key]])];
              const pick = (images: Record<string, unknown>) => Object.fromEntries(touched.filter((id) => id in images).map((id) => [id, images[id]]));
              const p = contextValue.principal;
              return [{
                organizationId: p.organizationId,
                tokenId: p.tokenId,
                tokenPrefix: p.prefix,
                actor: contextValue.actor,
                operation: sel.name.value,
                touchedIds: touched,
                variables: request.variables ?? null,
                outcome: error ? String(error.extensions?.code ?? 'ERROR') : 'OK',
                requestId: contextValue.requestId,
                before: pick(before),
                after: pick(after),
              }];
            });
            await contextValue.services.audit.append(entries);
          } catch (err) {
            // The answer stands; a lost audit event is an operations alarm, not the caller's error.
            logger.error({ requestId: contextValue.requestId, err }, 'audit event not recorded');
          }
        },
      };
    },
  };
}

/** An internal error carries the request id, so a report from a user can be found in the logs. */
function requestIdOnInternalErrors(): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const e of errors) {
            if (isUnexpected(e)) logger.error({ requestId: contextValue?.requestId, err: e.originalError ?? e, path: e.path }, 'unexpected error');
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          for (const e of response.body.singleResult.errors ?? []) {
            if (e.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR) (e.extensions as Record<string, unknown>).requestId = contextValue.requestId;
          }
        },
      };
    },
  };
}

export async function startHub(
  config: Pick<HubConfig, 'port' | 'host' | 'introspection' | 'exposeQueryCount' | 'limits'> & { logRequests?: boolean },
  ds: DataSource,
): Promise<RunningHub> {
  const schema = await hubSchema();
  const services = createServices(ds);
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<HubContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    // Parsing stops at this many tokens: 200,000 aliases would otherwise hold the event loop for seconds.
    parseOptions: { maxTokens: config.limits.maxTokens },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      limitsPlugin(schema, config.limits),
      auditPlugin(),
      requestIdOnInternalErrors(),
      ...(config.exposeQueryCount ? [queryCountPlugin()] : []),
    ],
  });
  await apollo.start();

  // Every statement made while a request runs is counted, and scoped for RLS, in its own scope.
  app.use((_req, _res, next) => withQueryScope({ statements: 0 }, next));
  // A request id per request: the caller's x-request-id when it is sane, else a new one.
  app.use((req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[A-Za-z0-9._-]{8,100}$/.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader('x-request-id', id);
    next();
  });
  if (config.logRequests) {
    app.use(pinoHttp({ logger, genReqId: (_req, res) => String(res.locals.requestId), customProps: (_req, res) => ({ requestId: res.locals.requestId }) }));
  }
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await ds.query('SELECT 1');
      const pending = await ds.showMigrations();
      res.status(pending ? 503 : 200).json({ status: pending ? 'migrations pending' : 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  const limiter = config.limits.ratePerMinute > 0 ? [rateLimiter(config.limits.ratePerMinute)] : [];
  app.use('/export', ...limiter, csvExportRouter(services));
  app.use(
    '/graphql',
    ...limiter,
    express.json({ limit: config.limits.bodyBytes }),
    bodyErrors,
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<HubContext> => {
        const queryScope: QueryScope = currentQueryScope() ?? { statements: 0 };
        const principal = await principalOf(services, req.headers.authorization).catch((err) => {
          // The token lookup is the first statement of every request: a database outage surfaces here.
          const mapped = fromDatabaseError(err);
          if (!mapped) throw err;
          throw new GraphQLError(mapped.message, { extensions: { code: mapped.code, http: { status: 503 } } });
        });
        if (typeof principal === 'string') throw unauthenticated(principal);
        const organizationId = principal.organizationId;
        // From here on every statement of this request runs with the token's organization set for RLS.
        queryScope.organizationId = organizationId;
        let closureScope: Promise<string | null> | undefined;
        return {
          services,
          loaders: createLoaders(services, organizationId),
          queryScope,
          principal,
          organizationId,
          actor: `${principal.name} (${principal.prefix})`,
          requestId: String(res.locals.requestId),
          closureScope: () => (closureScope ??= services.closure.scopeFor(organizationId)),
        };
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    url: `http://${host}:${port}/graphql`,
    stop: async () => {
      await apollo.stop();
    },
  };
}
