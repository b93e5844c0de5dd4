/**
 * The peer run (`npm run bench -- --peers`): the hub against PostGraphile v4 on the same generated database,
 * both connecting as hub_app under row-level security for the measured organization. The same reads, first
 * one request at a time, hub and PostGraphile in turn, then ten requests in flight for a fixed time, in
 * alternating blocks. Before anything is timed, both answers are checked to hold the same requirements and
 * mappings. Rewrites its own block of BENCHMARKS.md at full scale.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { MappingClosureService } from '../src/modules/mapping/mapping-closure.service';
import { MappingGraphService } from '../src/modules/mapping/mapping-graph.service';
import { inverse } from '../src/modules/mapping/mapping-path.rules';
import { Relationship } from '../src/modules/mapping/mapping.enums';
import { commitOf, type HubProcess } from './concurrent';
import { freePort, replaceBlock, type TargetCheck } from './report';
import { summariseProfile, type ProfileSummary } from './profile';

export interface PeersSetup {
  scale: 'small' | 'full';
  /** Timed requests per read and server, after the warm-up. */
  runs: number;
  /** Measured seconds of the ten-in-flight run, per server. */
  seconds: number;
  /** Superuser data source on the generated database. */
  ds: DataSource;
  /** The same database as hub_app. */
  appUrl: string;
  organizationId: string;
  /** ADMIN token of the measured organization. */
  token: string;
  startServer: (appUrl: string, env?: Record<string, string>) => Promise<HubProcess>;
  root: string;
  log: (msg: string) => void;
}

export interface PeerRead {
  read: string;
  runs: number;
  hubP50Ms: number;
  hubP95Ms: number;
  peerP50Ms: number;
  peerP95Ms: number;
  /** Hub p50 / PostGraphile p50. */
  ratio: number;
  /** Statements the hub counted for the request (extensions.sqlStatements). */
  hubSqlStatements: number | null;
}

export interface PeerThroughput {
  inFlight: number;
  seconds: number;
  hubRequests: number;
  peerRequests: number;
  hubPerSecond: number;
  peerPerSecond: number;
  /** Hub per second / PostGraphile per second. */
  ratio: number;
  hubP50Ms: number;
  peerP50Ms: number;
  errors: number;
}

export interface MixedRow {
  operation: string;
  /** Share of the mix, in percent. */
  share: number;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
}

export interface MixedRun {
  clients: number;
  seconds: number;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  rows: MixedRow[];
}

export interface PeersReport {
  date: string;
  commit: string;
  scale: 'small' | 'full';
  cores: number;
  node: string;
  postgres: string;
  postgraphile: string;
  hubRateLimitPerMinute: number;
  /** What the big and the small read return, as both servers returned it. */
  data: { requirements: number; mappings: number; smallRef: string; smallMappings: number; mappingSets: number };
  /** Content-Encoding of each server's big answer to the benchmark's fetch (which accepts compressed bodies, as browsers do). */
  encoding: { hub: string; peer: string };
  reads: PeerRead[];
  throughput: PeerThroughput;
  /** The hub alone under a mix of plain reads and a write from MIXED_CLIENTS clients. */
  mixed: MixedRun;
  /** A CPU profile of a hub process under the big read, ten in flight, after the timed runs (bench/profile.ts). */
  profile: ProfileSummary | null;
  firstErrors: string[];
  targets: TargetCheck[];
}

const FRAMEWORK = 'iso27001';
const IN_FLIGHT = 10;
const WARMUP = 10;
/** The ten-in-flight time of each server comes in this many blocks, alternating with the other's. */
const BLOCKS = 3;
/** Never reached in a run: the limiter stays in the request path (its counter is written per request) without refusing any. */
const HUB_RATE_LIMIT_PER_MINUTE = 1_000_000;
const REQUEST_TIMEOUT_MS = 60_000;
/** Seconds of the profiled load (ten in flight), after a warm-up of the profiled hub. */
const PROFILE_SECONDS = 15;

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

interface GqlRequest {
  query: string;
  variables: Record<string, unknown>;
}

interface Server {
  name: 'hub' | 'PostGraphile';
  url: string;
  headers: Record<string, string>;
}

interface Answer {
  ms: number;
  /** The response's Content-Encoding, null when it came as is. */
  encoding: string | null;
  data?: any;
  sqlStatements?: number;
  error?: string;
}

async function send(server: Server, request: GqlRequest): Promise<Answer> {
  const t0 = performance.now();
  try {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...server.headers },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    const encoding = res.headers.get('content-encoding');
    const body = JSON.parse(text);
    if (res.status !== 200 || body.errors?.length || !body.data) return { ms, encoding, error: `${server.name}: HTTP ${res.status}: ${text.slice(0, 300)}` };
    return { ms, encoding, data: body.data, sqlStatements: body.extensions?.sqlStatements };
  } catch (err) {
    return { ms: performance.now() - t0, encoding: null, error: `${server.name}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

async function must(server: Server, request: GqlRequest): Promise<Answer> {
  const a = await send(server, request);
  if (a.error) throw new Error(a.error);
  return a;
}

/** PostGraphile as its own process (bench/postgraphile.ts), answering once its schema is built. */
async function startPostGraphile(root: string, appUrl: string, organizationId: string): Promise<HubProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'dist', 'bench', 'postgraphile.js')], {
    env: { ...process.env, DATABASE_URL: appUrl, PORT: String(port), PEER_ORGANIZATION_ID: organizationId, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`PostGraphile exited with ${child.exitCode}`);
    const a = await send({ name: 'PostGraphile', url, headers: {} }, { query: '{ __typename }', variables: {} });
    if (!a.error) return { url, child, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error('PostGraphile did not answer within 60 s');
}

/** One mapping as "requirement relationship counterpart", read from the requirement's side. */
const pair = (ref: string, relationship: string, framework: string, counterpart: string) => `${ref} ${relationship} ${framework}:${counterpart}`;

interface Shape {
  /** Requirement refs (and titles) in the order returned. */
  requirements: string[];
  /** Mappings, sorted: the servers order them differently. */
  mappings: string[];
}

const HUB_FIELDS = `ref title mappings { relationship counterpart { ref framework { key } } }`;

function hubShape(nodes: { ref: string; title: string; mappings: { relationship: string; counterpart: { ref: string; framework: { key: string } } }[] }[]): Shape {
  return {
    requirements: nodes.map((n) => `${n.ref} ${n.title}`),
    mappings: nodes.flatMap((n) => n.mappings.map((m) => pair(n.ref, m.relationship, m.counterpart.framework.key, m.counterpart.ref))).sort(),
  };
}

/**
 * PostGraphile has no mapping graph: the query names the sets the organization reads, one condition per
 * set and stored direction, and the counterpart is the other end of the row as stored.
 */
function peerFields(sets: { outgoing: string[]; incoming: string[] }): string {
  const side = (alias: string, relation: string, counterpart: string, set: string) =>
    `${alias}: ${relation}(condition: { mappingSourceId: "${set}" }) { nodes { relationship counterpart: ${counterpart} { ref framework: frameworkByFrameworkId { key } } } }`;
  return [
    'ref title',
    ...sets.outgoing.map((s, i) => side(`out${i}`, 'mappingsBySourceRequirementId', 'requirementByTargetRequirementId', s)),
    ...sets.incoming.map((s, i) => side(`in${i}`, 'mappingsByTargetRequirementId', 'requirementBySourceRequirementId', s)),
  ].join(' ');
}

type PeerMapping = { relationship: string; counterpart: { ref: string; framework: { key: string } } };

function peerShape(nodes: Record<string, any>[]): Shape {
  const mappings: string[] = [];
  for (const n of nodes) {
    for (const [alias, value] of Object.entries(n)) {
      if (!alias.startsWith('out') && !alias.startsWith('in')) continue;
      for (const m of (value as { nodes: PeerMapping[] }).nodes) {
        // Stored as "source relationship target": read from the target's side, the relationship is inverted, as the hub reads it.
        const relationship = alias.startsWith('in') ? inverse(m.relationship as Relationship) : m.relationship;
        mappings.push(pair(n.ref, relationship, m.counterpart.framework.key, m.counterpart.ref));
      }
    }
  }
  return { requirements: nodes.map((n) => `${n.ref} ${n.title}`), mappings: mappings.sort() };
}

/** Fails the run when the two answers differ, naming a few differences. */
function checkSame(read: string, hub: Shape, peer: Shape): void {
  const problems: string[] = [];
  if (JSON.stringify(hub.requirements) !== JSON.stringify(peer.requirements)) {
    problems.push(`requirements: hub ${hub.requirements.length} [${hub.requirements.slice(0, 3).join('; ')}...], PostGraphile ${peer.requirements.length} [${peer.requirements.slice(0, 3).join('; ')}...]`);
  }
  const onlyHub = hub.mappings.filter((m) => !peer.mappings.includes(m));
  const onlyPeer = peer.mappings.filter((m) => !hub.mappings.includes(m));
  if (onlyHub.length || onlyPeer.length || hub.mappings.length !== peer.mappings.length) {
    problems.push(`mappings: hub ${hub.mappings.length}, PostGraphile ${peer.mappings.length}; only the hub's: ${onlyHub.slice(0, 5).join(', ') || 'none'}; only PostGraphile's: ${onlyPeer.slice(0, 5).join(', ') || 'none'}`);
  }
  if (problems.length) throw new Error(`${read}: the two servers answer differently: ${problems.join(' | ')}`);
}

/** Warm-up, then `runs` requests to each server in turn; p50 and p95 of each. */
async function alternate(read: string, runs: number, hub: Server, hubRequest: GqlRequest, peer: Server, peerRequest: GqlRequest): Promise<PeerRead> {
  for (let i = 0; i < WARMUP; i++) {
    await must(hub, hubRequest);
    await must(peer, peerRequest);
  }
  const hubTimes: number[] = [];
  const peerTimes: number[] = [];
  let statements: number | null = null;
  for (let i = 0; i < runs; i++) {
    const h = await must(hub, hubRequest);
    hubTimes.push(h.ms);
    // The most any run made, as in the one-client run.
    if (typeof h.sqlStatements === 'number') statements = Math.max(statements ?? 0, h.sqlStatements);
    peerTimes.push((await must(peer, peerRequest)).ms);
  }
  hubTimes.sort((a, b) => a - b);
  peerTimes.sort((a, b) => a - b);
  const hubP50 = percentile(hubTimes, 50);
  const peerP50 = percentile(peerTimes, 50);
  return {
    read,
    runs,
    hubP50Ms: round1(hubP50),
    hubP95Ms: round1(percentile(hubTimes, 95)),
    peerP50Ms: round1(peerP50),
    peerP95Ms: round1(percentile(peerTimes, 95)),
    ratio: round2(hubP50 / peerP50),
    hubSqlStatements: statements,
  };
}

/** IN_FLIGHT closed-loop clients on one server until the deadline; answers after it are not counted (failures are). */
async function block(server: Server, request: GqlRequest, seconds: number, errors: string[]): Promise<{ times: number[]; failed: number }> {
  const times: number[] = [];
  let failed = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < deadline) {
        const a = await send(server, request);
        if (a.error) {
          failed++;
          if (errors.length < 5) errors.push(a.error);
        } else if (performance.now() <= deadline) times.push(a.ms);
      }
    }),
  );
  return { times, failed };
}

async function throughput(seconds: number, hub: Server, hubRequest: GqlRequest, peer: Server, peerRequest: GqlRequest, errors: string[]): Promise<PeerThroughput> {
  const warmup = Math.min(5, Math.max(1, seconds / 10));
  // A failure in the warm-up fails the run too.
  let failed = (await block(hub, hubRequest, warmup, errors)).failed + (await block(peer, peerRequest, warmup, errors)).failed;
  const hubTimes: number[] = [];
  const peerTimes: number[] = [];
  for (let b = 0; b < BLOCKS; b++) {
    for (const [server, request, times] of [[hub, hubRequest, hubTimes], [peer, peerRequest, peerTimes]] as const) {
      const r = await block(server, request, seconds / BLOCKS, errors);
      times.push(...r.times);
      failed += r.failed;
    }
  }
  hubTimes.sort((a, b) => a - b);
  peerTimes.sort((a, b) => a - b);
  const hubPerSecond = hubTimes.length / seconds;
  const peerPerSecond = peerTimes.length / seconds;
  return {
    inFlight: IN_FLIGHT,
    seconds,
    hubRequests: hubTimes.length,
    peerRequests: peerTimes.length,
    hubPerSecond: round1(hubPerSecond),
    peerPerSecond: round1(peerPerSecond),
    ratio: round2(hubPerSecond / peerPerSecond),
    hubP50Ms: round1(percentile(hubTimes, 50)),
    peerP50Ms: round1(percentile(peerTimes, 50)),
    errors: failed,
  };
}

/**
 * A fresh hub process with V8's CPU profiler on (`--cpu-prof`, written when it exits), the big read with
 * ten in flight for PROFILE_SECONDS after a warm-up; only the samples of the load's window count.
 */
async function profiled(s: PeersSetup, request: GqlRequest, errors: string[]): Promise<ProfileSummary | null> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-profile-'));
  try {
    const hub = await s.startServer(s.appUrl, {
      HUB_RATE_LIMIT_PER_MINUTE: String(HUB_RATE_LIMIT_PER_MINUTE),
      // As flags of node itself: Node 20 refuses --cpu-prof in NODE_OPTIONS.
      BENCH_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${dir}`,
    });
    const server: Server = { name: 'hub', url: hub.url, headers: { authorization: `Bearer ${s.token}` } };
    let requests = 0;
    let window: { fromUs: number; toUs: number };
    try {
      await block(server, request, 3, errors);
      const fromUs = Number(process.hrtime.bigint() / 1000n);
      const r = await block(server, request, PROFILE_SECONDS, errors);
      window = { fromUs, toUs: Number(process.hrtime.bigint() / 1000n) };
      requests = r.times.length;
      if (r.failed) throw new Error(`${r.failed} profiled requests failed`);
    } finally {
      await hub.stop();
    }
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) {
      s.log('profile: the hub wrote no CPU profile');
      return null;
    }
    return summariseProfile(path.join(dir, file), requests, window);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Closed-loop clients of the mixed run, as in the issue that set its target. */
const MIXED_CLIENTS = 16;

interface MixedOperation {
  name: string;
  /** Out of 100. */
  weight: number;
  request: (client: number, n: number) => GqlRequest;
  /** Requests each client sends once before the warm-up, untimed (the items an operation then updates). */
  setup?: (client: number) => GqlRequest[];
}

/**
 * What dashboards, analysts and integrators send all day, apart from the reports (measured in the
 * concurrent run): the catalog reads of the peer comparison, the framework list, a search, a requirement
 * with its tree, a page of evidence, and an integrator's evidence upsert: an update of one of twenty items
 * per client, each linked to one requirement, whose title changes (so the evidence row, its revision, the
 * audit trail and the outbox are written; the links, and so the coverage rollup, stay as they are). The
 * twenty items are created before the warm-up (setup): a timed window made of creations would measure
 * sixteen integrators creating evidence for the same requirement at once, which is not this mix (creations
 * of links serialize on the organization's coverage flush: BENCHMARKS.md).
 */
export function mixedOperations(framework: string, ref: string, bigRead: GqlRequest, smallRead: GqlRequest): MixedOperation[] {
  const upsert = (client: number, item: number, title: string): GqlRequest => ({
    query: `mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) { outcome } }`,
    variables: { input: { sourceSystem: 'bench-mixed', externalId: `c${client}-${item}`, title, kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z', links: [{ framework, ref }] } },
  });
  return [
    { name: 'one requirement with its mappings', weight: 35, request: () => smallRead },
    { name: 'search (first 20)', weight: 15, request: () => ({ query: `query { searchRequirementsConnection(query: "risk assessment", first: 20) { totalCount nodes { score requirement { ref title framework { key } } } } }`, variables: {} }) },
    { name: `${framework} requirements with mappings (the big read)`, weight: 10, request: () => bigRead },
    { name: 'frameworks with requirement counts', weight: 10, request: () => ({ query: `query { frameworks { key version name requirementCount(assessableOnly: true) } }`, variables: {} }) },
    { name: 'a requirement with parent, ancestors and children', weight: 10, request: () => ({ query: `query($ref: String!) { requirement(framework: "${framework}", ref: $ref) { ref title parent { ref title } ancestors { ref } children { ref title } } }`, variables: { ref } }) },
    { name: 'evidence (first 20)', weight: 10, request: () => ({ query: `query { evidences(first: 20) { totalCount nodes { title status kind } } }`, variables: {} }) },
    {
      name: 'upsertEvidence (one link)',
      weight: 10,
      request: (client, n) => upsert(client, n % 20, `Mixed-load record ${client}/${n}`),
      setup: (client) => Array.from({ length: 20 }, (_, item) => upsert(client, item, `Mixed-load record ${client}, item ${item}`)),
    },
  ];
}

/** Each client walks a deck of 100 draws with the mix's weights, from its own starting point: the same shares every run. */
async function mixedRun(seconds: number, hub: Server, ops: MixedOperation[], errors: string[]): Promise<MixedRun> {
  const deck = ops.flatMap((op, i) => Array.from({ length: op.weight }, () => i));
  for (let i = deck.length - 1; i > 0; i--) {
    // A fixed shuffle (a linear congruential sequence), so the operations interleave the same way every run.
    const j = (i * 7919 + 104729) % (i + 1);
    [deck[i], deck[j]] = [deck[j], deck[i]];
  }
  const times = ops.map(() => [] as number[]);
  const failed = ops.map(() => 0);
  const run = async (secs: number, counted: boolean) => {
    const deadline = performance.now() + secs * 1000;
    await Promise.all(
      Array.from({ length: MIXED_CLIENTS }, async (_, client) => {
        for (let n = 0; performance.now() < deadline; n++) {
          const k = deck[(client * 37 + n) % deck.length];
          const a = await send(hub, ops[k].request(client, n));
          if (!counted) continue;
          if (a.error) {
            failed[k]++;
            if (errors.length < 5) errors.push(a.error);
          } else if (performance.now() <= deadline) times[k].push(a.ms);
        }
      }),
    );
  };
  await Promise.all(
    Array.from({ length: MIXED_CLIENTS }, async (_, client) => {
      for (const op of ops) {
        for (const request of op.setup?.(client) ?? []) {
          const a = await send(hub, request);
          if (a.error) throw new Error(`mixed run setup (${op.name}): ${a.error}`);
        }
      }
    }),
  );
  await run(Math.min(5, Math.max(1, seconds / 10)), false);
  await run(seconds, true);
  const all = times.flat().sort((a, b) => a - b);
  return {
    clients: MIXED_CLIENTS,
    seconds,
    requests: all.length,
    perSecond: round1(all.length / seconds),
    p50Ms: round1(percentile(all, 50)),
    p99Ms: round1(percentile(all, 99)),
    errors: failed.reduce((a, b) => a + b, 0),
    rows: ops.map((op, k) => {
      const t = times[k].sort((a, b) => a - b);
      return { operation: op.name, share: op.weight, requests: t.length, p50Ms: round1(percentile(t, 50)), p95Ms: round1(percentile(t, 95)), p99Ms: round1(percentile(t, 99)), errors: failed[k] };
    }),
  };
}

export function peerTargets(r: Pick<PeersReport, 'reads' | 'throughput' | 'mixed'>): TargetCheck[] {
  const [big, small] = r.reads;
  const t = r.throughput;
  return [
    { target: `${big.read}: hub p50 <= 1.0x PostGraphile's`, measured: `${big.ratio}x (${big.hubP50Ms} vs ${big.peerP50Ms} ms)`, met: big.ratio <= 1.0 },
    { target: `${small.read}: hub p50 <= 1.2x PostGraphile's`, measured: `${small.ratio}x (${small.hubP50Ms} vs ${small.peerP50Ms} ms)`, met: small.ratio <= 1.2 },
    { target: `${t.inFlight} in flight: hub >= 0.9x PostGraphile's requests per second`, measured: `${t.ratio}x (${t.hubPerSecond} vs ${t.peerPerSecond} req/s)`, met: t.ratio >= 0.9 },
    {
      target: `mixed run (${r.mixed.clients} clients): >= 200 req/s, p99 <= 250 ms, no error`,
      measured: `${r.mixed.perSecond} req/s, p99 ${r.mixed.p99Ms} ms, ${r.mixed.errors} errors`,
      met: r.mixed.perSecond >= 200 && r.mixed.p99Ms <= 250 && r.mixed.errors === 0,
    },
    { target: 'no request failed', measured: String(t.errors + r.mixed.errors), met: t.errors + r.mixed.errors === 0 },
  ];
}

export async function runPeers(s: PeersSetup): Promise<PeersReport> {
  const { ds, log } = s;
  const graph = await new MappingGraphService(ds, new MappingClosureService(ds)).at(s.organizationId, new Date());
  // A declared condition changes relationships in the hub's answers, which PostGraphile reads as stored.
  if (graph.conditions.length) throw new Error(`the measured organization's mapping graph has conditions (${graph.conditions.join(', ')}): PostGraphile would read other relationships`);
  const [framework] = await ds.query(
    `SELECT id FROM framework WHERE key = $1 AND organization_id IS NULL ORDER BY released_on DESC NULLS LAST, created_at DESC LIMIT 1`,
    [FRAMEWORK],
  );
  const setsOn = async (side: 'source' | 'target'): Promise<string[]> =>
    (await ds.query(
      `SELECT DISTINCT m.mapping_source_id AS id FROM mapping m JOIN requirement r ON r.id = m.${side}_requirement_id
       WHERE r.framework_id = $1 AND m.mapping_source_id = ANY($2::uuid[]) ORDER BY 1`,
      [framework.id, graph.sourceIds],
    )).map((r: { id: string }) => r.id);
  const sets = { outgoing: await setsOn('source'), incoming: await setsOn('target') };
  // The small read: the first requirement in document order with four mappings in the graph (else the most mapped).
  const [small] = await ds.query(
    `SELECT r.ref, count(*)::int AS n FROM requirement r JOIN mapping m ON r.id IN (m.source_requirement_id, m.target_requirement_id)
     WHERE r.framework_id = $1 AND m.mapping_source_id = ANY($2::uuid[])
     GROUP BY r.ref, r.position ORDER BY (count(*) = 4) DESC, count(*) DESC, r.position LIMIT 1`,
    [framework.id, graph.sourceIds],
  );
  const [{ server_version: postgres }] = await ds.query(`SHOW server_version`);

  const stack: (() => Promise<void>)[] = [];
  try {
    const hubProcess = await s.startServer(s.appUrl, { HUB_RATE_LIMIT_PER_MINUTE: String(HUB_RATE_LIMIT_PER_MINUTE) });
    stack.push(() => hubProcess.stop());
    const peerProcess = await startPostGraphile(s.root, s.appUrl, s.organizationId);
    stack.push(() => peerProcess.stop());
    const hub: Server = { name: 'hub', url: hubProcess.url, headers: { authorization: `Bearer ${s.token}` } };
    const peer: Server = { name: 'PostGraphile', url: peerProcess.url, headers: {} };
    log(`hub and PostGraphile up; ${FRAMEWORK} mappings from ${sets.outgoing.length} set(s) as source and ${sets.incoming.length} as target; small read: ${small.ref} (${small.n} mappings)`);

    // The latest version of the framework, as the hub's framework(key:) picks it.
    const peerFramework = (inner: string) => `allFrameworks(condition: { key: "${FRAMEWORK}" }, orderBy: RELEASED_ON_DESC, first: 1) { nodes { ${inner} } }`;
    const reads = [
      {
        name: `${FRAMEWORK} -> requirements -> mappings -> counterpart -> framework`,
        hub: { query: `query { framework(key: "${FRAMEWORK}") { requirements(first: 200) { nodes { ${HUB_FIELDS} } } } }`, variables: {} },
        peer: { query: `query { ${peerFramework(`requirementsByFrameworkId(first: 200, orderBy: POSITION_ASC) { nodes { ${peerFields(sets)} } }`)} }`, variables: {} },
        hubNodes: (d: any) => d.framework.requirements.nodes,
        peerNodes: (d: any) => d.allFrameworks.nodes[0].requirementsByFrameworkId.nodes,
      },
      {
        name: `one requirement with its ${small.n} mappings`,
        hub: { query: `query($ref: String!) { requirement(framework: "${FRAMEWORK}", ref: $ref) { ${HUB_FIELDS} } }`, variables: { ref: small.ref } },
        peer: { query: `query($ref: String!) { ${peerFramework(`requirementsByFrameworkId(condition: { ref: $ref }) { nodes { ${peerFields(sets)} } }`)} }`, variables: { ref: small.ref } },
        hubNodes: (d: any) => [d.requirement],
        peerNodes: (d: any) => d.allFrameworks.nodes[0].requirementsByFrameworkId.nodes,
      },
    ];
    const shapes: Shape[] = [];
    const encoding = { hub: '', peer: '' };
    for (const r of reads) {
      const h = await must(hub, r.hub);
      const p = await must(peer, r.peer);
      const shape = hubShape(r.hubNodes(h.data));
      checkSame(r.name, shape, peerShape(r.peerNodes(p.data)));
      shapes.push(shape);
      if (!encoding.hub) Object.assign(encoding, { hub: h.encoding ?? 'none', peer: p.encoding ?? 'none' });
      log(`${r.name}: both return ${shape.requirements.length} requirement(s) and the same ${shape.mappings.length} mappings`);
    }

    const measured: PeerRead[] = [];
    for (const r of reads) {
      const m = await alternate(r.name, s.runs, hub, r.hub, peer, r.peer);
      measured.push(m);
      log(`${m.read}: hub p50 ${m.hubP50Ms} ms (${m.hubSqlStatements} statements), PostGraphile p50 ${m.peerP50Ms} ms: ${m.ratio}x`);
    }
    const firstErrors: string[] = [];
    const load = await throughput(s.seconds, hub, reads[0].hub, peer, reads[0].peer, firstErrors);
    log(`${IN_FLIGHT} in flight, ${s.seconds} s each: hub ${load.hubPerSecond} req/s, PostGraphile ${load.peerPerSecond} req/s: ${load.ratio}x; ${load.errors} errors`);

    const mixed = await mixedRun(s.seconds, hub, mixedOperations(FRAMEWORK, small.ref, reads[0].hub, reads[1].hub), firstErrors);
    log(`mixed, ${mixed.clients} clients, ${s.seconds} s: ${mixed.perSecond} req/s, p50 ${mixed.p50Ms} ms, p99 ${mixed.p99Ms} ms; ${mixed.errors} errors`);

    const profile = await profiled(s, reads[0].hub, firstErrors);
    if (profile) log(`profile: ${profile.busyMsPerRequest} ms of hub CPU per big read (${profile.requests} requests); ${profile.parts.slice(0, 3).map((x) => `${x.part} ${x.percent} %`).join(', ')}`);

    const report: Omit<PeersReport, 'targets'> = {
      date: new Date().toISOString(),
      commit: commitOf(s.root),
      scale: s.scale,
      cores: os.cpus().length,
      node: process.version,
      postgres,
      postgraphile: JSON.parse(fs.readFileSync(require.resolve('postgraphile/package.json'), 'utf8')).version,
      hubRateLimitPerMinute: HUB_RATE_LIMIT_PER_MINUTE,
      data: {
        requirements: shapes[0].requirements.length,
        mappings: shapes[0].mappings.length,
        smallRef: small.ref,
        smallMappings: shapes[1].mappings.length,
        mappingSets: new Set([...sets.outgoing, ...sets.incoming]).size,
      },
      encoding,
      reads: measured,
      throughput: load,
      mixed,
      profile,
      firstErrors,
    };
    return { ...report, targets: peerTargets(report) };
  } finally {
    for (const stop of stack.reverse()) {
      await stop().catch((err) => log(`stopping: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
}

const BEGIN = '<!-- peers:begin (written by npm run bench -- --peers --scale full; do not edit by hand) -->';
const END = '<!-- peers:end -->';

export function renderPeersMarkdown(r: PeersReport): string {
  const t = r.throughput;
  return [
    BEGIN,
    '',
    `Last ${r.scale === 'full' ? 'full ' : ''}peer run: ${r.date.slice(0, 10)}, commit ${r.commit}, ${r.cores} cores, Node ${r.node}, PostgreSQL ${r.postgres}, PostGraphile ${r.postgraphile}; scale ${r.scale}.`,
    `Both as hub_app with row-level security for the measured organization; the hub with its token, rate limit (${r.hubRateLimitPerMinute.toLocaleString('en-US')} a minute), depth, complexity and alias limits on. ` +
      `The big read returns ${r.data.requirements} requirements and ${r.data.mappings} mappings (from ${r.data.mappingSets} mapping sets), the small one ${r.data.smallRef} and its ${r.data.smallMappings}; both servers return the same (checked before timing). ` +
      `Content-Encoding of the big answer: hub ${r.encoding.hub}, PostGraphile ${r.encoding.peer}.`,
    '',
    '| Read | runs each | hub p50 ms | hub p95 ms | hub SQL statements | PostGraphile p50 ms | PostGraphile p95 ms | hub ÷ PostGraphile (p50) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...r.reads.map((x) => `| ${x.read} | ${x.runs} | ${x.hubP50Ms} | ${x.hubP95Ms} | ${x.hubSqlStatements ?? ''} | ${x.peerP50Ms} | ${x.peerP95Ms} | ${x.ratio} |`),
    '',
    `| The big read, ${t.inFlight} in flight (${t.seconds} s each, ${BLOCKS} alternating blocks) | requests | req/s | p50 ms |`,
    '|---|---:|---:|---:|',
    `| hub | ${t.hubRequests} | ${t.hubPerSecond} | ${t.hubP50Ms} |`,
    `| PostGraphile | ${t.peerRequests} | ${t.peerPerSecond} | ${t.peerP50Ms} |`,
    `| hub ÷ PostGraphile | | ${t.ratio} | |`,
    '',
    `The hub alone, ${r.mixed.clients} closed-loop clients for ${r.mixed.seconds} s with one token (after a warm-up), each walking the same fixed mix: ` +
      `${r.mixed.requests} requests, ${r.mixed.perSecond} req/s, p50 ${r.mixed.p50Ms} ms, p99 ${r.mixed.p99Ms} ms, ${r.mixed.errors} errors.`,
    '',
    '| Mixed run: operation | share % | requests | p50 ms | p95 ms | p99 ms | errors |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...r.mixed.rows.map((x) => `| ${x.operation} | ${x.share} | ${x.requests} | ${x.p50Ms} | ${x.p95Ms} | ${x.p99Ms} | ${x.errors} |`),
    '',
    ...(r.profile ? renderProfile(r.profile) : []),
    '| Target | Measured | Met |',
    '|---|---|---|',
    ...r.targets.map((x) => `| ${x.target} | ${x.measured} | ${x.met ? 'yes' : '**no**'} |`),
    '',
    END,
  ].join('\n');
}

function renderProfile(p: ProfileSummary): string[] {
  return [
    `Where a hub process's CPU goes under the big read, ten in flight (a second hub process with \`--cpu-prof\`, ${PROFILE_SECONDS} s after a warm-up, ` +
      `${p.requests} requests; ${p.windowed ? 'samples of that window only' : 'the whole process, start-up included'}): ` +
      `${p.busyMs.toLocaleString('en-US')} ms busy of ${p.sampledMs.toLocaleString('en-US')} ms sampled, ${p.busyMsPerRequest} ms per request. ` +
      'A native function counts for its nearest caller with a source file (pg decoding its rows is pg).',
    '',
    '| Part | ms | % of busy | ms per request |',
    '|---|---:|---:|---:|',
    ...p.parts.map((x) => `| ${x.part} | ${x.ms.toLocaleString('en-US')} | ${x.percent} | ${x.msPerRequest} |`),
    '',
  ];
}

/** Prints and saves the report; at full scale also BENCHMARKS.md. True when no request failed (the comparison's or the mixed run's). */
export function publishPeers(r: PeersReport, root: string, log: (msg: string) => void): boolean {
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `peers-${r.scale}.json`), JSON.stringify(r, null, 2) + '\n');
  console.table(r.reads);
  console.table([r.throughput]);
  console.table(r.mixed.rows);
  console.table(r.targets);
  if (r.scale === 'full') {
    replaceBlock(path.join(root, 'BENCHMARKS.md'), BEGIN, END, renderPeersMarkdown(r));
    log('BENCHMARKS.md updated (peers block)');
  } else {
    process.stdout.write(`${renderPeersMarkdown(r)}\n`);
  }
  log(`written to bench/results/peers-${r.scale}.json`);
  for (const e of r.firstErrors) process.stderr.write(`[bench] error: ${e}\n`);
  return r.throughput.errors === 0 && r.mixed.errors === 0;
}
