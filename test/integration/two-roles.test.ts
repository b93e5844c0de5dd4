import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { closeDataSource, createDataSource } from '../../src/database/data-source';
import { migrate } from '../../src/database/migrator';
import { seed } from '../../src/modules/catalog/catalog.seeder';
import { grantApplicationRole } from '../../src/app';
import { TokenService } from '../../src/modules/auth/token.service';
import { OrganizationService } from '../../src/modules/organization/organization.service';
import { Role } from '../../src/modules/auth/role';
import { RunningHub, startHub } from '../../src/graphql/server';
import { TEST_LIMITS, TEST_WORK } from '../harness/hub';

/**
 * The production set-up the README describes: a schema owner that is not a superuser migrates, seeds
 * and makes tokens; the server runs as the ordinary application role with only the grants of
 * hub_grant_application_role. Everything a user does works, and the owner-only writes stay the owner's.
 */
const OWNER = 'hub_owner_test';
let owner: DataSource;
let app: DataSource;
let hub: RunningHub;
let token: string;
let database: string;

beforeAll(async () => {
  database = `hub_two_roles_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: process.env.HUB_TEST_ADMIN_URL });
  await admin.connect();
  await admin.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${OWNER}') THEN CREATE ROLE ${OWNER} LOGIN PASSWORD '${OWNER}' NOSUPERUSER NOBYPASSRLS; END IF; END $$`);
  await admin.query(`CREATE DATABASE ${database} OWNER ${OWNER}`);
  await admin.end();
  const url = (role: string) => process.env.HUB_TEST_APP_URL_TEMPLATE!.replace('__DB__', database).replace('hub_app:hub_app', `${role}:${role}`);
  owner = await createDataSource({ kind: 'postgres', url: url(OWNER) }, { poolSize: 2 });
  await owner.initialize();
  await migrate(owner);
  await seed(owner);
  token = (await new TokenService(owner, new OrganizationService(owner)).createForSlug('acme', Role.ADMIN, 'acme-admin')).token;
  app = await createDataSource({ kind: 'postgres', url: url('hub_app') }, { poolSize: 4 });
  await app.initialize();
  expect(await grantApplicationRole(owner, app)).toBe('hub_app');
  hub = await startHub({
    port: 0, host: '127.0.0.1', introspection: false, exposeQueryCount: false,
    limits: TEST_LIMITS,
    work: TEST_WORK,
  }, app);
}, 120_000);
afterAll(async () => {
  await hub?.stop();
  await closeDataSource(app);
  await closeDataSource(owner);
});

const gql = async (query: string, variables?: Record<string, unknown>) => {
  const res = await fetch(hub.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
};

it('a non-superuser owner migrates, seeds and makes tokens; the application role serves reads, writes, imports and the audit trail', async () => {
  const written = await gql(`mutation {
    upsertEvidence(input: { sourceSystem: "wiki", externalId: "P-7", title: "Competence procedure", kind: PROCEDURE, effectiveAt: "2026-01-15T00:00:00Z", status: ACCEPTED, links: [{ framework: "iso27001", ref: "7.2" }] }) { outcome }
    createMappingSet(input: { key: "acme-map", name: "Acme", sourceFramework: "iso27001", targetFramework: "iso42001", mappings: [{ sourceRef: "A.5.1", targetRef: "A.2.2", relationship: EQUAL }] }) { mappingSource { key } }
    importFramework(input: { format: CSV, key: "acme-controls", version: "1", name: "Acme controls", document: "ref,title\\nAC-1,Access\\n" }) { framework { key } }
    createApiToken(input: { name: "ci", role: INTEGRATOR }) { apiToken { role } }
    declareOrganizationCondition(input: { condition: "integratedManagementSystem", parameters: ["competence"], holds: true }) { graph { conditions } }
    pinMappingSet(input: { key: "eu-ai-act-to-iso42001", version: 2 }) { isDefault }
  }`);
  expect(written.errors).toBeUndefined();
  expect(written.data).toEqual({
    upsertEvidence: { outcome: 'CREATED' },
    createMappingSet: { mappingSource: { key: 'acme-map' } },
    importFramework: { framework: { key: 'acme-controls' } },
    createApiToken: { apiToken: { role: 'INTEGRATOR' } },
    declareOrganizationCondition: { graph: { conditions: ['integratedManagementSystem:competence'] } },
    pinMappingSet: { isDefault: false },
  });
  const read = await gql(`{ prefill(from: "iso27001", to: "iso42001") { totals { full } } auditTrail { totalCount } }`);
  expect(read.errors).toBeUndefined();
  // 27001 7.2 -> 42001 7.2 reads EQUAL under the declared competence process
  expect(read.data.prefill.totals.full).toBe(1);
  expect(read.data.auditTrail.totalCount).toBe(6);
  // The shared catalog stays the owner's: the application role cannot change it even with SQL.
  const forged = await app.query(`UPDATE mapping SET strength = 1 WHERE mapping_source_id IN (SELECT id FROM mapping_source WHERE organization_id IS NULL)`).catch((e: { code: string }) => e.code);
  expect(forged).toEqual([[], 0]);
  // Events are published by functions that run as the owner (not a superuser here): every one gets its position.
  await hub.events!.publish();
  const [events] = await owner.query(`SELECT count(*)::int AS written, count(position)::int AS published,
    count(*) FILTER (WHERE type = 'coverage.changed')::int AS changes FROM hub_event`);
  expect(events.written).toBeGreaterThan(2);
  expect(events.changes).toBeGreaterThan(0);
  expect(events.published).toBe(events.written);
});
