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
import { DEFAULT_ORGANIZATION_SLUG } from '../modules/organization/organization.service';
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

/** Interim identity until API tokens land: an optional X-Hub-Actor header, else "anonymous". */
function actorOf(header: string | string[] | undefined): string {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  return value && value.length <= 100 ? value : 'anonymous';
}

export async function startHub(
  config: Pick<HubConfig, 'port' | 'host' | 'introspection' | 'exposeQueryCount'>,
  ds: DataSource,
): Promise<RunningHub> {
  const schema = await hubSchema();
  const services = createServices(ds);
  // Until API tokens land, every request acts for the default organization.
  const organization = await services.organization.ensure(DEFAULT_ORGANIZATION_SLUG, 'Default organization');
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
  app.use('/export', csvExportRouter(services, () => ({ organizationId: organization.id })));
  app.use(
    '/graphql',
    // Every statement made while this request runs is counted in its own scope.
    (_req, _res, next) => withQueryScope({ statements: 0 }, next),
    express.json({ limit: '5mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<HubContext> => {
        const queryScope: QueryScope = currentQueryScope() ?? { statements: 0 };
        const organizationId = organization.id;
        let closureScope: Promise<string | null> | undefined;
        return {
          services,
          loaders: createLoaders(services, organizationId),
          queryScope,
          organizationId,
          actor: actorOf(req.headers['x-hub-actor']),
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
