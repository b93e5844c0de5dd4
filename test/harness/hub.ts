import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source';
import { RunningHub, startHub } from '../../src/graphql/server';
import { TokenService } from '../../src/modules/auth/token.service';
import { OrganizationService } from '../../src/modules/organization/organization.service';
import type { Role } from '../../src/modules/auth/role';
import type { HubConfig } from '../../src/config';
import { DEFAULT_EVENTS, type EventsConfig } from '../../src/modules/events/event-runtime';
import { ReplicaSet } from '../../src/database/replicas';
import type { TestPooler, TestReplica } from './postgres';

export interface GqlResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, any>;
}

export interface TestHub {
  url: string;
  /** The server's own connection (role hub_app, subject to row-level security). */
  appDs: DataSource;
  /** The ADMIN token of the test organization, and the actor name writes record for it. */
  token: string;
  actor: string;
  /** A superuser connection for tests to inspect and arrange data (bypasses row-level security). */
  ds: DataSource;
  dbUrl: string;
  /** The same database as the application role hub_app (what the server connects as). */
  appUrl: string;
  gql: <T = any>(query: string, variables?: Record<string, unknown>, options?: { token?: string | null }) => Promise<GqlResponse<T>>;
  /** Like gql but fails the test on any GraphQL error. */
  data: <T = any>(query: string, variables?: Record<string, unknown>) => Promise<T>;
  /** The server's Prometheus metrics (when started with a metrics token). */
  metrics: RunningHub['metrics'];
  /** The server's event runtime (publish() publishes what is pending, also when the workers are off) and subscription feed. */
  events: RunningHub['events'];
  feed: RunningHub['feed'];
  /** The streaming replica the server reads, and its view of it, when started with one. */
  replica?: TestReplica;
  replicas?: ReplicaSet;
  stop: () => Promise<void>;
}

/** A real HTTP server on a fresh clone of a template database (seeded unless told otherwise). */
export const TEST_LIMITS = { maxDepth: 12, maxComplexity: 200_000, maxRootFields: 25, ratePerMinute: 0, bodyBytes: 5 * 1024 * 1024, importBytes: 16 * 1024 * 1024, maxTokens: 10_000, maxAliases: 100, authFailuresPerMinute: 0, maxSubscriptionsPerConnection: 20 };
// Generous, so a loaded CI machine does not time tests out; the tests of these bounds set their own.
export const TEST_WORK = { statementTimeoutMs: 60_000, heavyStatementTimeoutMs: 120_000, heavyConcurrency: 2, poolWaitMs: 30_000 };

/** bypassRls: serve through the superuser connection, to test the application's own scoping alone. */
/** A token for an organization (created with it when new), made directly in the database as the CLI does. */
export async function tokenFor(hub: TestHub, slug: string, role: Role, name: string): Promise<string> {
  return (await new TokenService(hub.ds, new OrganizationService(hub.ds)).createForSlug(slug, role, name)).token;
}

/**
 * Events: written and flushed by every test hub (the outbox and coverage history are part of every write);
 * the workers (publishing, scheduler, deliveries) only where a test asks (`events: { workers: true }`).
 * Webhooks may call loopback receivers.
 */
export const testEvents = (events: Partial<EventsConfig> = {}): EventsConfig => ({
  ...DEFAULT_EVENTS, workers: false, schedulerSeconds: 1, feedPollMs: 100, ...events,
  webhooks: { ...DEFAULT_EVENTS.webhooks, allowPrivateNetworks: true, timeoutMs: 2000, retryDelaySeconds: 1, retryDelayMaxSeconds: 2, ...events.webhooks },
});

/**
 * `pooler`: the server connects through this PgBouncer (test/harness/postgres.ts startTestPooler).
 * `replica`: the server also reads this streaming replica (test/harness/postgres.ts startTestReplica),
 * made after the hub's database was; responses say where they read (`extensions.readFrom`).
 */
export async function startTestHub(options: { seeded?: boolean; limits?: Partial<typeof TEST_LIMITS>; work?: Partial<typeof TEST_WORK>; bypassRls?: boolean; poolSize?: number; http?: Partial<Pick<HubConfig, 'corsOrigins' | 'explorer' | 'metricsToken' | 'tracing'>>; events?: Partial<EventsConfig>; replica?: { make: () => TestReplica; maxLagMs?: number; checkMs?: number }; pooler?: TestPooler } = {}): Promise<TestHub> {
  const template = options.seeded === false ? 'hub_template_migrated' : 'hub_template_seeded';
  const name = `hub_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: process.env.HUB_TEST_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const dbUrl = process.env.HUB_TEST_URL_TEMPLATE!.replace('__DB__', name);
  const ds = await createDataSource({ kind: 'postgres', url: dbUrl }, { poolSize: 2 });
  await ds.initialize();
  const work = { ...TEST_WORK, ...options.work };
  const appUrl = process.env.HUB_TEST_APP_URL_TEMPLATE!.replace('__DB__', name);
  // Behind PgBouncer: only the server's own connection goes through it; the test's stays direct.
  // PgBouncer 1.18 in transaction mode keeps no prepared statements: they run unnamed there (HUB_PREPARED_STATEMENTS=false).
  const appDs = await createDataSource({ kind: 'postgres', url: options.pooler?.appUrlFor(name) ?? appUrl }, { poolSize: options.poolSize ?? 4, poolWaitMs: work.poolWaitMs, preparedStatements: !options.pooler });
  await appDs.initialize();
  let hub: RunningHub;
  let replica: TestReplica | undefined;
  let replicas: ReplicaSet | undefined;
  try {
    if (options.replica) {
      replica = options.replica.make();
      replicas = new ReplicaSet(appDs, { urls: [replica.appUrlFor(name)], maxLagMs: options.replica.maxLagMs ?? 2000, checkMs: options.replica.checkMs ?? 100, poolSize: 4 });
      await replicas.start();
    }
    hub = await startHub({ port: 0, host: '127.0.0.1', introspection: true, exposeQueryCount: true, exposeReadFrom: !!replica, limits: { ...TEST_LIMITS, ...options.limits }, work, ...options.http, events: testEvents(options.events) }, options.bypassRls ? ds : appDs);
  } catch (err) {
    await replicas?.stop();
    await replica?.stop();
    await ds.destroy();
    await appDs.destroy();
    throw err;
  }
  const token = process.env.HUB_TEST_TOKEN!;
  const gql = async <T>(query: string, variables?: Record<string, unknown>, options: { token?: string | null } = {}): Promise<GqlResponse<T>> => {
    const bearer = options.token === undefined ? token : options.token;
    const res = await fetch(hub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as Omit<GqlResponse<T>, 'status'>;
    return { status: res.status, ...body };
  };
  return {
    url: hub.url,
    metrics: hub.metrics,
    events: hub.events,
    feed: hub.feed,
    appDs,
    token,
    actor: process.env.HUB_TEST_ACTOR!,
    ds,
    dbUrl,
    appUrl,
    gql,
    data: async <T>(query: string, variables?: Record<string, unknown>) => {
      const res = await gql<T>(query, variables);
      if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
      return res.data as T;
    },
    replica,
    replicas,
    stop: async () => {
      await hub.stop();
      await replicas?.stop();
      await appDs.destroy();
      await ds.destroy();
      await replica?.stop();
    },
  };
}

/**
 * The organization declares one competence process for its ISMS and AIMS (from 2025-01-01): the seeded
 * qualifier then reads 27001 7.2 EQUAL (9) to 42001 7.2, so evidence on one pre-fills the other.
 */
export async function declareIntegratedCompetence(hub: TestHub): Promise<void> {
  await hub.data(`mutation { declareOrganizationCondition(input: { condition: "integratedManagementSystem", parameters: ["competence"], holds: true,
    effectiveFrom: "2025-01-01T00:00:00Z", note: "One competence process covers the ISMS and the AIMS" }) { graph { id } } }`);
}
