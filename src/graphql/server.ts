import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { DataSource } from 'typeorm';
import type { HubConfig } from '../config';
import { QueryScope, currentQueryScope, withQueryScope } from '../database/query-counter';
import { HubContext, createLoaders, createServices } from './context';
import { formatError } from './errors';
import { hubSchema } from './schema';
import { GraphQLError } from 'graphql';
import { principalOf } from '../modules/auth/principal';
import { ErrorCode } from './errors';
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

export async function startHub(
  config: Pick<HubConfig, 'port' | 'host' | 'introspection' | 'exposeQueryCount'>,
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
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ...(config.exposeQueryCount ? [queryCountPlugin()] : [])],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/export', csvExportRouter(services));
  app.use(
    '/graphql',
    // Every statement made while this request runs is counted in its own scope.
    (_req, _res, next) => withQueryScope({ statements: 0 }, next),
    express.json({ limit: '5mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<HubContext> => {
        const queryScope: QueryScope = currentQueryScope() ?? { statements: 0 };
        const principal = await principalOf(services, req.headers.authorization);
        if (typeof principal === 'string') throw unauthenticated(principal);
        const organizationId = principal.organizationId;
        let closureScope: Promise<string | null> | undefined;
        return {
          services,
          loaders: createLoaders(services, organizationId),
          queryScope,
          principal,
          organizationId,
          actor: `${principal.name} (${principal.prefix})`,
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
