/**
 * PostGraphile v4, the peer of `npm run bench -- --peers`, as a process of its own like the hub:
 * `node dist/bench/postgraphile.js` with DATABASE_URL (the hub's role, hub_app), PORT and
 * PEER_ORGANIZATION_ID. Every request runs in a transaction with app.organization_id set to that
 * organization, so row-level security shows it the rows the hub shows the measured organization's token.
 */
import http from 'node:http';
import compression from 'compression';
import { makeJSONPgSmartTagsPlugin, postgraphile } from 'postgraphile';
import { COMPRESSION_THRESHOLD_BYTES } from '../src/graphql/http';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const organizationId = env('PEER_ORGANIZATION_ID');
const handler = postgraphile(env('DATABASE_URL'), 'public', {
  // As the hub sets them in each request's transaction: the organization, and HUB_STATEMENT_TIMEOUT_MS's default.
  // Ten connections, pg's default pool size, as HUB_POOL_SIZE's.
  pgSettings: { 'app.organization_id': organizationId, statement_timeout: '15000' },
  // Only what hub_app is granted is in the schema.
  ignoreRBAC: false,
  watchPg: false,
  retryOnInitFail: false,
  // The hub logs at warn in the benchmark, so it does not log each request either.
  disableQueryLog: true,
  // PostGraphile names the condition argument type of table organization "OrganizationCondition", the type
  // of table organization_condition, and refuses to start; a smart tag renames the table's type, without
  // the COMMENT ON TABLE it would otherwise take in the hub's database.
  appendPlugins: [makeJSONPgSmartTagsPlugin({ version: 1, config: { class: { organization_condition: { tags: { name: 'OrganizationConditionRow' } } } } })],
});

// Answers compressed as the hub's are (the same middleware and threshold, src/graphql/http.ts): the benchmark's
// client accepts gzip as browsers do, and compressing is work a deployment does, here or in its proxy.
const compress = compression({ threshold: COMPRESSION_THRESHOLD_BYTES });

// The benchmark stops it with SIGTERM, whose default action ends the process: there is nothing to finish.
http.createServer((req, res) => compress(req as never, res as never, () => void handler(req, res))).listen(Number(env('PORT')), '127.0.0.1');
