import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { createHash, randomUUID } from 'node:crypto';
import { rateLimit, ipKeyGenerator, type Store } from 'express-rate-limit';
import { limitsPlugin } from './limits';
import type { DataSource } from 'typeorm';
import type { HubConfig } from '../config';
import { QueryScope, currentQueryScope, withQueryScope } from '../database/query-counter';
import { HubContext, createServices, requestContext } from './context';
import { formatError } from './errors';
import { hubSchema } from './schema';
import { GraphQLError } from 'graphql';
import { bearerToken, principalOf } from '../modules/auth/principal';
import { mutationTransactionPlugin, wrapMutationFields } from './mutation-transaction.plugin';
import { WorkGate, WorkLimits } from './work-limits';
import { abandon } from '../database/request-transaction';
import { ErrorCode, fromDatabaseError, isUnexpected } from './errors';
import { logger } from '../logger';
import { pinoHttp } from 'pino-http';
import { csvExportRouter } from '../modules/coverage/coverage.csv';
import { spreadsheetExportRouter, spreadsheetImportRouter, templatesRouter } from '../modules/spreadsheet/spreadsheet.routes';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { compress, corsFor, lastResort, notFound, securityHeaders } from './http';
import { explorerRouter } from './explorer';
import { HubMetrics } from '../observability/metrics';
import { webRouter } from './web';
import { traceRequests, tracingPlugin } from '../observability/tracing';
import { oscalImportRouter } from '../modules/interchange/interchange.upload';
import { DEFAULT_EVENTS, EventRuntime } from '../modules/events/event-runtime';
import { EventFeed } from '../modules/events/event-feed';
import { DutyEvents } from '../modules/events/duty-events';
import { startSubscriptions } from './subscriptions';
import { RateLimitStores } from './rate-limit-store';
import { requestGate } from './request-gate';
import { isEmbedded } from '../database/transaction';
import type { Principal } from '../modules/auth/token.service';

/** How often an open subscription connection's token is checked again (a revoked one is closed). */
const SUBSCRIPTION_REAUTHENTICATE_MS = 60_000;

export interface RunningHub {
  url: string;
  /** Events of this process: publishing, scheduler, deliveries (null when events are off). */
  events: EventRuntime | null;
  /** The feed subscriptions listen to (src/modules/events/event-feed.ts). */
  feed: EventFeed;
  /** Open graphql-ws connections. */
  subscriptionConnections: () => number;
  /** The Prometheus metrics, when /metrics is on (HUB_METRICS_TOKEN). */
  metrics: HubMetrics | null;
  stop: () => Promise<void>;
}

/**
 * Adds `extensions.sqlStatements` to every response, for the benchmark and the N+1 tests: every statement
 * the request made, from the request gate's to the COMMIT (or ROLLBACK), the transaction's settings included.
 */
function queryCountPlugin(): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          // After the request's transaction has ended (mutation-transaction.plugin.ts): its COMMIT counts too.
          await contextValue.queryScope.finished?.catch(() => undefined);
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

/**
 * Adds `extensions.readFrom` (HUB_READ_EXTENSIONS): the node the request read (`primary` or a replica's
 * name, never its address) and the replication lag it had at its last check.
 */
function readFromPlugin(): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const readFrom = contextValue?.queryScope.readFrom ?? { node: 'primary', lagMs: 0, asOf: null };
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, readFrom };
        },
      };
    },
  };
}

const unauthenticated = (message: string) =>
  new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } } });

const tooMany = (res: express.Response, retryAfterSeconds: number, message: string) => {
  (res.locals.metrics as HubMetrics | undefined)?.rateLimited.inc({ limit: res.locals.limitName ?? 'requests' });
  res.setHeader('retry-after', String(retryAfterSeconds));
  res.status(429).json({ errors: [{ message, extensions: { code: ErrorCode.RATE_LIMITED } }] });
};
const secondsUntil = (req: express.Request) => {
  const reset = (req as unknown as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  return reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 60;
};
/** express-rate-limit's complaints (a decrement the database refused) as JSON log lines, like every other. */
const limiterLog = {
  error: (err: unknown, message?: string) => logger.error({ err }, message ?? 'rate limiter error'),
  warn: (err: unknown, message?: string) => logger.warn({ err }, message ?? 'rate limiter warning'),
};

/**
 * A limiter whose counters cannot be written refuses the request with 503 and Retry-After, as an
 * unreachable database already does at the token lookup, rather than letting it through uncounted: the
 * limit protects the database, most of all while it struggles.
 */
const limiterErrors: express.ErrorRequestHandler = (err, _req, res, next) => {
  const mapped = fromDatabaseError(err);
  if (!mapped) return next(err);
  res.setHeader('retry-after', '2');
  res.status(503).json({ errors: [{ message: mapped.message, extensions: { code: mapped.code } }] });
};

/**
 * Per credential (the hash of the normalised token, never the token) or, without one, per address.
 * The credential is read by the same function authentication uses, so `bearer X`, `BEARER X` and
 * `Bearer  X` are one caller.
 */
function rateLimiter(perMinute: number, store: Store | undefined) {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    store,
    logger: limiterLog,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => {
      const token = bearerToken(req.headers.authorization);
      return token ? `t:${createHash('sha256').update(token).digest('hex').slice(0, 32)}` : `ip:${ipKeyGenerator(req.ip ?? '')}`;
    },
    handler: (req, res) => {
      const seconds = secondsUntil(req);
      tooMany(res, seconds, `Rate limit of ${perMinute} requests per minute reached; retry in ${seconds} s`);
    },
  });
}

/**
 * Failed authentications per address: a made-up token would otherwise get a fresh quota each and
 * reach the database every time. Past the limit, the address is refused before any lookup.
 */
function authFailureLimiter(perMinute: number, store: Store | undefined) {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    store,
    logger: limiterLog,
    standardHeaders: false,
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? '')}`,
    handler: (req, res) => {
      const seconds = secondsUntil(req);
      res.locals.limitName = 'auth_failures';
      tooMany(res, seconds, `Too many failed authentications from this address (${perMinute} per minute); retry in ${seconds} s`);
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
  config: Pick<HubConfig, 'port' | 'host' | 'introspection' | 'exposeQueryCount' | 'limits'> &
    Partial<Pick<HubConfig, 'explorer' | 'corsOrigins' | 'metricsToken' | 'tracing' | 'events' | 'exposeReadFrom'>> & { logRequests?: boolean; work: WorkLimits },
  ds: DataSource,
): Promise<RunningHub> {
  const schema = await hubSchema();
  wrapMutationFields(schema);
  const work = new WorkGate(config.work, schema, config.limits.maxComplexity);
  const eventsConfig = config.events ?? DEFAULT_EVENTS;
  const services = createServices(ds, eventsConfig);
  const events = eventsConfig.enabled ? new EventRuntime(ds, eventsConfig, services.coverageEvents) : null;
  services.events = events;
  if (events) {
    const duties = new DutyEvents(ds, services.euAct, services.aiSystem);
    events.addTask('eu-ai-act duties', async (org) => void await duties.run(org));
  }
  if (events && eventsConfig.workers) services.webhookDeliveries.attach(events);
  // Polls whether or not this process publishes: other processes do too.
  const feed = new EventFeed(services.eventLog, eventsConfig.feedPollMs, events);
  services.feed = feed;
  const app = express();
  app.disable('x-powered-by');
  const metrics = config.metricsToken ? new HubMetrics(ds) : null;
  const tracing = config.tracing?.enabled ?? false;
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<HubContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM and SIGINT (stop the refresher, drain, close the database): Apollo's own handlers
    // would stop the server a second time, in a race with it, and re-raise the signal.
    stopOnTerminationSignals: false,
    logger: logger.child({ component: 'apollo' }),
    introspection: config.introspection,
    // Parsing stops at this many tokens: 200,000 aliases would otherwise hold the event loop for seconds.
    parseOptions: { maxTokens: config.limits.maxTokens },
    // Compact JSON: Apollo's default indents every answer, which makes a large one a third bigger to write and compress.
    stringifyResult: (value) => JSON.stringify(value),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's landing pages load from its CDN; GraphiQL is served from node_modules instead (explorer.ts).
      ApolloServerPluginLandingPageDisabled(),
      // The hub sets no cache hints (answers depend on the token), and the default plugin wraps every field to look for them.
      ApolloServerPluginCacheControlDisabled(),
      limitsPlugin(schema, config.limits),
      work.plugin(),
      mutationTransactionPlugin(ds, schema, eventsConfig.enabled),
      requestIdOnInternalErrors(),
      ...(metrics ? [metrics.plugin<HubContext>()] : []),
      ...(tracing ? [tracingPlugin<HubContext>()] : []),
      ...(config.exposeQueryCount ? [queryCountPlugin()] : []),
      ...(config.exposeReadFrom ? [readFromPlugin()] : []),
    ],
  });
  await apollo.start();

  if (tracing) app.use(traceRequests());
  if (metrics) {
    app.use((_req, res, next) => {
      res.locals.metrics = metrics;
      next();
    });
    app.use(metrics.httpCounter());
  }
  // Every statement made while a request runs is counted, scoped for RLS and bounded by the statement
  // timeout, in its own scope. A client that goes away takes its running statements with it.
  app.use((_req, res, next) => {
    const scope: QueryScope = { statements: 0, statementTimeoutMs: config.work.statementTimeoutMs };
    // The request's own work then fails fast; a mutation's transaction is rolled back by its plugin
    // (mutation-transaction.plugin.ts), which sees the scope aborted.
    res.once('close', () => {
      if (!res.writableFinished) void abandon(ds, scope);
    });
    withQueryScope(scope, next);
  });
  // A request id per request: the caller's x-request-id when it is sane, else a new one.
  app.use((req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[A-Za-z0-9._-]{8,100}$/.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader('x-request-id', id);
    next();
  });
  app.use(securityHeaders());
  app.use(...corsFor(config.corsOrigins ?? []));
  app.use(compress());
  // The access log is written at info: above that level it would only cost (a child logger, its fields and a
  // timer per request) and never be written; errors are logged where they happen (requestIdOnInternalErrors).
  if (config.logRequests && logger.isLevelEnabled('info')) {
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
  // Counted in the database, shared by every process (rate-limit-store.ts); in memory on PGlite.
  const rateLimits = new RateLimitStores(ds);
  const limiters = [
    ...(config.limits.authFailuresPerMinute > 0 ? [authFailureLimiter(config.limits.authFailuresPerMinute, rateLimits.store('auth-failures'))] : []),
    ...(config.limits.ratePerMinute > 0 ? [rateLimiter(config.limits.ratePerMinute, rateLimits.store('requests'))] : []),
  ];
  const limiter = limiters.length ? [...limiters, limiterErrors] : [];
  // /graphql on PostgreSQL: both limits and the token in one statement (request-gate.ts); the same counters.
  // After the body is read: on one primary the gate opens the request's transaction, which a slow upload must not hold open.
  const gated = !isEmbedded(ds);
  const gateChain = gated
    ? [requestGate(ds, config.limits, (res, r, message) => {
        res.locals.limitName = r.limit;
        tooMany(res, r.retryAfterSeconds, message);
      }), limiterErrors]
    : [];
  if (metrics && config.metricsToken) app.get('/metrics', metrics.endpoint(config.metricsToken));
  if (config.explorer ?? config.introspection) app.use(explorerRouter());
  // The spreadsheets first: their own roles (an INTEGRATOR exports the register it wrote); then the reports'.
  app.use('/export', ...limiter, work.heavyRoute(), spreadsheetExportRouter(services), csvExportRouter(services));
  app.use('/templates', templatesRouter());
  // The raw body, streamed and bounded by its own limit: no express.json here.
  app.use('/import', ...limiter, work.heavyRoute(), oscalImportRouter(services, config.limits.importBytes), spreadsheetImportRouter(ds, services, config.limits.importBytes, eventsConfig.enabled));
  // Only /graphql itself is the endpoint: anything below it is an unknown route (app.use would hand it to Apollo).
  app.all(/^\/graphql\/./, notFound);
  app.use(
    '/graphql',
    ...(gated ? [] : limiter),
    express.json({ limit: config.limits.bodyBytes }),
    bodyErrors,
    ...gateChain,
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<HubContext> => {
        const queryScope: QueryScope = currentQueryScope() ?? { statements: 0 };
        // Found by the request gate already, or (PGlite) looked up here.
        const gated = res.locals.principal as Principal | string | undefined;
        const principal = gated !== undefined ? gated : await principalOf(services, req.headers.authorization).catch((err) => {
          // The token lookup is the first statement of every request: a database outage surfaces here.
          const mapped = fromDatabaseError(err);
          if (!mapped) throw err;
          throw new GraphQLError(mapped.message, { extensions: { code: mapped.code, http: { status: 503, headers: new Map([['retry-after', '2']]) } } });
        });
        if (typeof principal === 'string') throw unauthenticated(principal);
        return requestContext(services, principal, queryScope, String(res.locals.requestId));
      },
    }),
  );
  app.use(webRouter());
  app.use(notFound);
  app.use(lastResort);

  // Subscriptions: graphql-ws on the same server and path, beside Apollo (its plugins serve HTTP requests only).
  const subscriptions = startSubscriptions(httpServer, schema, services, {
    limits: config.limits, statementTimeoutMs: config.work.statementTimeoutMs, reauthenticateMs: SUBSCRIPTION_REAUTHENTICATE_MS,
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  try {
    await events?.start();
    if (events?.jobs) await services.webhookDeliveries.startWorkers(events.jobs);
  } catch (err) {
    await subscriptions.stop();
    await apollo.stop();
    await rateLimits.stop();
    throw err;
  }
  return {
    url: `http://${host}:${port}/graphql`,
    metrics,
    events,
    feed,
    subscriptionConnections: subscriptions.connections,
    stop: async () => {
      // Sockets first: the HTTP server's drain would wait for them.
      await subscriptions.stop();
      await apollo.stop();
      await feed.stop();
      await events?.stop();
      await rateLimits.stop();
    },
  };
}
