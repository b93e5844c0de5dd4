/**
 * The concurrent run (`npm run bench -- --concurrent`): on the generated data, a mix of dashboards,
 * analysts and connectors from many tokens of several organizations, sent by closed-loop clients to two
 * hub processes that write to the primary through PgBouncer (when installed) and read a streaming replica.
 * It reports requests per second, latency per operation, errors and where the CPU went, and rewrites its
 * own generated block of BENCHMARKS.md at full scale.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { Role } from '../src/modules/auth/role';
import { TokenService } from '../src/modules/auth/token.service';
import { OrganizationService } from '../src/modules/organization/organization.service';
import { replaceBlock } from './report';
import { findPgBouncer, startTestPooler, startTestReplica, type TestPooler, type TestPostgres, type TestReplica } from '../test/harness/postgres';

export interface HubProcess {
  url: string;
  child: ChildProcess;
  stop: () => Promise<void>;
}

export interface ConcurrentSetup {
  scale: 'small' | 'full';
  seconds: number;
  clients: number;
  /** Superuser data source on the generated database. */
  ds: DataSource;
  pg: TestPostgres;
  database: string;
  /** ADMIN token of the measured organization. */
  adminToken: string;
  startServer: (appUrl: string, env?: Record<string, string>) => Promise<HubProcess>;
  root: string;
  log: (msg: string) => void;
}

/** The measured organization and three of the generated others. */
const ORGANIZATIONS = ['bench-measured', 'bench-other-01', 'bench-other-02', 'bench-other-03'];
const HUBS = 2;
/** Server sessions PgBouncer keeps on the primary for both hubs' 20 connections: two cores run only a few statements at once. */
const SERVER_CONNECTIONS = 10;
const FRAMEWORKS = ['iso42001', 'iso27001', 'nist-ai-rmf', 'eu-ai-act'];
const ITEMS_PER_BULK = 100;
const LINKS_PER_ITEM = 5;
/** A request that has not answered by then counts as failed. */
const REQUEST_TIMEOUT_MS = 60_000;

const Q_SUMMARY = `query { coverageSummary { framework { key } totals { assessable applicable notApplicable covered prefilled partial stale pending gap } } }`;
const Q_COVERAGE_PAGE = `query($f: String!) { coverage(framework: $f) { totals { assessable covered prefilled partial stale pending gap notApplicable }
  requirements(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { status requirement { ref title } inferred { state coverage } } } } }`;
const Q_GAPS = `query($s: ID!) { gaps(framework: "eu-ai-act", aiSystemId: $s) { totals { assessable covered prefilled partial stale pending gap notApplicable }
  items { status requirement { ref } suggestedEvidence(first: 3) { evidence { title } } } } }`;
const Q_PREFILL = `query { prefill(from: "iso27001", to: "iso42001") { totals { assessable full partial none } requirements { reach requirement { ref } } } }`;
const Q_PATHS = `query($ref: String!) { mappingPaths(from: { framework: "iso27001", ref: $ref }, toFramework: "iso42001", maxDepth: 3, first: 20) {
  length coverage minStrength target { ref } hops { relationship counterpart { ref framework { key } } } } }`;
const M_BULK = `mutation($input: BulkUpsertEvidenceInput!) { bulkUpsertEvidence(input: $input) { created updated unchanged failed results { error { message } } } }`;

type Persona = 'dashboard' | 'analyst' | 'connector';

interface Call {
  operation: string;
  query: string;
  variables: Record<string, unknown>;
}

interface Sample {
  operation: string;
  ms: number;
  ok: boolean;
  /** Where the request read, from extensions.readFrom; null when the response had none. */
  node: string | null;
  lagMs: number | null;
  /** Items a bulk request created and found unchanged. */
  created?: number;
  unchanged?: number;
}

export interface OperationRow {
  operation: string;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
  /** Share of the responses read on a replica, in percent; null for writes. */
  replicaPercent: number | null;
}

export interface CpuRow {
  process: string;
  seconds: number;
  /** Of the machine's capacity over the window (seconds x cores), in percent. */
  machinePercent: number;
}

export interface ConcurrentReport {
  date: string;
  commit: string;
  scale: 'small' | 'full';
  cores: number;
  postgres: string;
  pgbouncer: string | null;
  clients: { total: number; dashboards: number; analysts: number; connectors: number; tokens: number; organizations: number };
  warmupSeconds: number;
  seconds: number;
  operations: OperationRow[];
  total: OperationRow;
  /** Failed requests of the warm-up, and of those that answered after the window. */
  unmeasuredErrors: number;
  firstErrors: string[];
  bulk: { created: number; unchanged: number };
  replicaLagMs: { p50: number | null; max: number | null };
  cpu: CpuRow[];
}

/** Dashboards, analysts and connectors in the ratio 2 : 1 : 1. */
const personaOf = (i: number): Persona => (['dashboard', 'dashboard', 'analyst', 'connector'] as const)[i % 4];

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const round1 = (x: number) => Math.round(x * 10) / 10;

// CPU accounting from /proc, in clock ticks.
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Snapshot {
  ticks: Record<string, number>;
  machine: number;
  self: NodeJS.CpuUsage;
  at: number;
}

interface ProcStat {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

function readStat(pid: number | string): ProcStat | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: count fields from after the last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
  } catch {
    return null;
  }
}

/**
 * CPU ticks of each watched process so far. A postmaster counts with its backends: its own time, the
 * time of children it has reaped (cutime, cstime) and that of every live child, so a backend that ends
 * inside the window is counted once, wherever its time is at the end.
 */
function cpuTicks(single: Record<string, number>, trees: Record<string, number>): Record<string, number> {
  const children = new Map<number, ProcStat[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(entry);
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  }
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(single)) {
    const s = readStat(pid);
    out[name] = s ? s.utime + s.stime : 0;
  }
  for (const [name, pid] of Object.entries(trees)) {
    const s = readStat(pid);
    out[name] = s ? s.utime + s.stime + s.cutime + s.cstime + (children.get(pid) ?? []).reduce((n, c) => n + c.utime + c.stime, 0) : 0;
  }
  return out;
}

/** Busy ticks of the whole machine (every core, every process), from /proc/stat. */
function machineTicks(): number {
  const [, user, nice, system, , , irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  return user + nice + system + irq + softirq + steal;
}

/** The postmaster of a server: the parent of the backend serving this connection. */
async function postmasterPid(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: [{ pid }] } = await client.query(`SELECT pg_backend_pid() AS pid`);
    const stat = readStat(pid);
    if (!stat) throw new Error(`no /proc entry for backend ${pid}: is the server on this machine?`);
    return stat.ppid;
  } finally {
    await client.end();
  }
}

export function commitOf(root: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty ? `${head} with uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

async function send(url: string, token: string, call: Call): Promise<Sample & { error?: string }> {
  const t0 = performance.now();
  const sample: Sample & { error?: string } = { operation: call.operation, ms: 0, ok: false, node: null, lagMs: null };
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: call.query, variables: call.variables }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    sample.ms = performance.now() - t0;
    const body = JSON.parse(text);
    sample.node = body.extensions?.readFrom?.node ?? null;
    sample.lagMs = body.extensions?.readFrom?.lagMs ?? null;
    if (res.status !== 200 || body.errors?.length || !body.data) {
      sample.error = `HTTP ${res.status}: ${text.slice(0, 300)}`;
      return sample;
    }
    const bulk = body.data.bulkUpsertEvidence;
    if (bulk) {
      sample.created = bulk.created;
      sample.unchanged = bulk.unchanged;
      // A refused item is a failure of the connector's request, though the response is a 200.
      if (bulk.failed > 0) {
        sample.error = `${bulk.failed} items failed: ${JSON.stringify(bulk.results.find((r: { error: unknown }) => r.error))}`;
        return sample;
      }
    }
    sample.ok = true;
  } catch (err) {
    sample.ms = performance.now() - t0;
    sample.error = err instanceof Error ? err.message : String(err);
  }
  return sample;
}

export async function runConcurrent(s: ConcurrentSetup): Promise<ConcurrentReport> {
  const { ds, log } = s;
  const warmupSeconds = s.scale === 'full' ? 10 : 3;
  const stack: (() => Promise<void>)[] = [];
  const interrupted = new AbortController();
  const onSignal = () => interrupted.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const tokenService = new TokenService(ds, new OrganizationService(ds));
    const systems = new Map<string, string[]>();
    for (const slug of ORGANIZATIONS) {
      const [{ id }] = await ds.query(`SELECT id FROM organization WHERE slug = $1`, [slug]);
      systems.set(slug, (await ds.query(`SELECT id FROM ai_system WHERE organization_id = $1 ORDER BY name LIMIT 8`, [id])).map((r: { id: string }) => r.id));
    }
    const clients: { persona: Persona; slug: string; token: string }[] = [];
    for (let i = 0; i < s.clients; i++) {
      const persona = personaOf(i);
      // Each group of four clients (two dashboards, an analyst, a connector) belongs to the next organization.
      const slug = ORGANIZATIONS[Math.floor(i / 4) % ORGANIZATIONS.length];
      const { token } = await tokenService.createForSlug(slug, persona === 'connector' ? Role.INTEGRATOR : Role.ANALYST, `load-${persona}-${i}`);
      clients.push({ persona, slug, token });
    }
    const latestIso27001 = `SELECT r.id, r.ref, r.position FROM requirement r JOIN framework f ON f.id = r.framework_id
      WHERE f.key = 'iso27001' AND r.assessable AND f.version = (SELECT max(version) FROM framework f2 WHERE f2.key = f.key)`;
    const linkRefs: string[] = (await ds.query(`${latestIso27001} ORDER BY r.position`)).map((r: { ref: string }) => r.ref);
    // Analysts trace requirements that are mapped at all.
    const pathRefs: string[] = (await ds.query(
      `SELECT r.ref FROM (${latestIso27001}) r WHERE EXISTS (SELECT 1 FROM mapping m WHERE r.id IN (m.source_requirement_id, m.target_requirement_id)) ORDER BY r.position LIMIT 20`,
    )).map((r: { ref: string }) => r.ref);
    const [{ server_version: postgres }] = await ds.query(`SHOW server_version`);

    const pgbouncerBin = findPgBouncer();
    let pooler: TestPooler | null = null;
    let pgbouncer: string | null = null;
    if (pgbouncerBin) {
      pgbouncer = execFileSync(pgbouncerBin, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
      pooler = await startTestPooler(SERVER_CONNECTIONS, s.pg.adminUrl);
      stack.push(() => pooler!.stop());
      log(`${pgbouncer} in transaction mode in front of the primary (${SERVER_CONNECTIONS} server connections)`);
    } else {
      log('PgBouncer is not installed (apt-get install pgbouncer): the hubs connect to the primary directly');
    }
    const r0 = Date.now();
    const replica: TestReplica = startTestReplica(s.pg);
    stack.push(() => replica.stop());
    log(`streaming replica made with pg_basebackup in ${((Date.now() - r0) / 1000).toFixed(1)} s`);

    const hubs: HubProcess[] = [];
    for (let i = 0; i < HUBS; i++) {
      const hub = await s.startServer(pooler ? pooler.appUrlFor(s.database) : s.pg.appUrlFor(s.database), {
        DATABASE_REPLICA_URLS: replica.appUrlFor(s.database),
        HUB_READ_EXTENSIONS: 'true',
        // Debian's PgBouncer (1.18) in transaction mode keeps no prepared statements (docs/scaling.md).
        ...(pooler ? { HUB_PREPARED_STATEMENTS: 'false' } : {}),
      });
      stack.push(() => hub.stop());
      hubs.push(hub);
    }
    // As in the sequential run: the measured organization's reports read a graph of its own, with full paths.
    const declared = await send(hubs[0].url, s.adminToken, {
      operation: 'declare',
      query: `mutation { declareOrganizationCondition(input: { condition: "integratedManagementSystem", holds: true }) { graph { conditions } } }`,
      variables: {},
    });
    if (!declared.ok) throw new Error(`declaring integratedManagementSystem failed: ${declared.error}`);
    // The replica is in reads once a check found it current; measuring before would count the start-up.
    for (const hub of hubs) {
      const end = Date.now() + 30_000;
      let node: string | null = null;
      while (Date.now() < end && node !== 'replica-1') {
        node = (await send(hub.url, clients[0].token, { operation: 'probe', query: Q_SUMMARY, variables: {} })).node;
        if (node !== 'replica-1') await new Promise((r) => setTimeout(r, 200));
      }
      if (node !== 'replica-1') log(`${hub.url} still reads ${node} after 30 s`);
    }

    const callsOf = (c: (typeof clients)[number], index: number) => {
      let n = 0;
      const own = systems.get(c.slug)!;
      return (): Call => {
        const k = n++;
        if (c.persona === 'dashboard') {
          const step = k % 3;
          if (step === 0) return { operation: 'coverageSummary', query: Q_SUMMARY, variables: {} };
          if (step === 1) return { operation: 'coverage page (first 50)', query: Q_COVERAGE_PAGE, variables: { f: FRAMEWORKS[Math.floor(k / 3) % FRAMEWORKS.length] } };
          return { operation: 'gaps(eu-ai-act, one system)', query: Q_GAPS, variables: { s: own[Math.floor(k / 3) % own.length] } };
        }
        if (c.persona === 'analyst') {
          if (k % 2 === 0) return { operation: 'prefill(iso27001 -> iso42001)', query: Q_PREFILL, variables: {} };
          return { operation: 'mappingPaths(iso27001 -> iso42001)', query: Q_PATHS, variables: { ref: pathRefs[Math.floor(k / 2) % pathRefs.length] } };
        }
        // A connector's window of external ids slides by half a batch: half of each batch re-sends the
        // previous one's items as they were (UNCHANGED), half are new (CREATED).
        const first = k * (ITEMS_PER_BULK / 2);
        const items = Array.from({ length: ITEMS_PER_BULK }, (_, j) => {
          const id = first + j;
          return {
            sourceSystem: 'bench-load',
            externalId: `c${index}-${id}`,
            title: `Connector ${index} item ${id}`,
            kind: 'TICKET',
            effectiveAt: '2026-01-01T00:00:00Z',
            links: Array.from({ length: LINKS_PER_ITEM }, (_, l) => ({ framework: 'iso27001', ref: linkRefs[(id + l * 7) % linkRefs.length] })),
          };
        });
        return { operation: 'bulkUpsertEvidence (100 items)', query: M_BULK, variables: { input: { items } } };
      };
    };

    // Closed loop: each client sends its next request when the last one answered. Requests that answer
    // inside [measureFrom, measureTo] are measured; those of the warm-up only checked for errors.
    const samples: Sample[] = [];
    const firstErrors: string[] = [];
    let unmeasuredErrors = 0;
    let nextHub = 0;
    const t0 = Date.now();
    const measureFrom = t0 + warmupSeconds * 1000;
    const measureTo = measureFrom + s.seconds * 1000;
    const span: { before?: Snapshot; after?: Snapshot } = {};
    const watched = {
      single: Object.fromEntries([...hubs.map((h, i) => [`hub ${i + 1}`, h.child.pid!]), ...(pooler ? [['PgBouncer', pooler.pid]] : [])]),
      trees: { 'primary PostgreSQL': await postmasterPid(s.pg.adminUrl), 'replica PostgreSQL': await postmasterPid(replica.urlFor('postgres')) },
    };
    const snapshot = (): Snapshot => ({ ticks: cpuTicks(watched.single, watched.trees), machine: machineTicks(), self: process.cpuUsage(), at: Date.now() });
    const startTimer = setTimeout(() => (span.before = snapshot()), measureFrom - Date.now());
    const stopTimer = setTimeout(() => (span.after = snapshot()), measureTo - Date.now());
    log(`${s.clients} clients for ${warmupSeconds} s of warm-up and ${s.seconds} s measured`);
    await Promise.all(clients.map(async (c, i) => {
      const next = callsOf(c, i);
      while (Date.now() < measureTo && !interrupted.signal.aborted) {
        const hub = hubs[nextHub++ % hubs.length];
        const r = await send(hub.url, c.token, next());
        const done = Date.now();
        const measured = done >= measureFrom && done <= measureTo;
        if (r.error) {
          if (firstErrors.length < 5) firstErrors.push(`${r.operation} (${c.slug}): ${r.error}`);
          if (!measured) unmeasuredErrors++;
        }
        if (measured) samples.push(r);
      }
    }));
    clearTimeout(startTimer);
    clearTimeout(stopTimer);
    if (interrupted.signal.aborted) throw new Error('interrupted');
    const { before: b, after: a } = span;
    if (!b || !a) throw new Error('the measured window did not complete');
    const windowSeconds = (a.at - b.at) / 1000;

    const row = (operation: string, xs: Sample[]): OperationRow => {
      const times = xs.map((x) => x.ms).sort((p, q) => p - q);
      const reads = xs.filter((x) => x.node !== null && !x.operation.startsWith('bulk'));
      return {
        operation,
        requests: xs.length,
        perSecond: round1(xs.length / windowSeconds),
        p50Ms: round1(percentile(times, 50)),
        p95Ms: round1(percentile(times, 95)),
        p99Ms: round1(percentile(times, 99)),
        errors: xs.filter((x) => !x.ok).length,
        replicaPercent: reads.length ? round1((100 * reads.filter((x) => x.node !== 'primary').length) / reads.length) : null,
      };
    };
    const operations = [...new Set(samples.map((x) => x.operation))].sort().map((op) => row(op, samples.filter((x) => x.operation === op)));
    const lags = samples.filter((x) => x.node && x.node !== 'primary' && x.lagMs !== null).map((x) => x.lagMs!).sort((p, q) => p - q);
    const cores = os.cpus().length;
    const cpuRow = (name: string, ticks: number): CpuRow => ({
      process: name,
      seconds: Math.round((ticks / CLOCK_TICKS) * 100) / 100,
      machinePercent: round1((100 * ticks) / CLOCK_TICKS / (windowSeconds * cores)),
    });
    const cpu = Object.keys(a.ticks).map((name) => cpuRow(name, a.ticks[name] - b.ticks[name]));
    const selfMicros = a.self.user + a.self.system - b.self.user - b.self.system;
    cpu.push(cpuRow('load generator (this process)', (selfMicros / 1e6) * CLOCK_TICKS));
    cpu.push(cpuRow('whole machine (every process)', a.machine - b.machine));
    const personas = clients.map((c) => c.persona);
    return {
      date: new Date().toISOString(),
      commit: commitOf(s.root),
      scale: s.scale,
      cores,
      postgres,
      pgbouncer,
      clients: {
        total: s.clients,
        dashboards: personas.filter((p) => p === 'dashboard').length,
        analysts: personas.filter((p) => p === 'analyst').length,
        connectors: personas.filter((p) => p === 'connector').length,
        tokens: clients.length,
        organizations: new Set(clients.map((c) => c.slug)).size,
      },
      warmupSeconds,
      seconds: round1(windowSeconds),
      operations,
      total: row('all', samples),
      unmeasuredErrors,
      firstErrors,
      bulk: {
        created: samples.reduce((n, x) => n + (x.created ?? 0), 0),
        unchanged: samples.reduce((n, x) => n + (x.unchanged ?? 0), 0),
      },
      replicaLagMs: { p50: lags.length ? percentile(lags, 50) : null, max: lags.length ? lags[lags.length - 1] : null },
      cpu,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const stop of stack.reverse()) {
      await stop().catch((err) => log(`stopping: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
}

const BEGIN = '<!-- concurrent:begin (written by npm run bench -- --concurrent --scale full; do not edit by hand) -->';
const END = '<!-- concurrent:end -->';

export function renderConcurrentMarkdown(r: ConcurrentReport): string {
  const c = r.clients;
  const sum = (names: string[]) => r.cpu.filter((x) => names.some((n) => x.process.startsWith(n))).reduce((n, x) => n + x.seconds, 0);
  const hubSeconds = sum(['hub ']);
  const dbSeconds = sum(['primary', 'replica']);
  const lines = [
    BEGIN,
    '',
    `Last ${r.scale === 'full' ? 'full ' : ''}concurrent run: ${r.date.slice(0, 10)}, commit ${r.commit}, ${r.cores} cores, PostgreSQL ${r.postgres}, ${r.pgbouncer ?? 'PgBouncer not installed'}.`,
    `${c.total} closed-loop clients (${c.dashboards} dashboards, ${c.analysts} analysts, ${c.connectors} connectors) with ${c.tokens} tokens of ${c.organizations} organizations, ` +
      `round-robin over two hub processes; ${r.pgbouncer ? `writes through PgBouncer (transaction mode, ${SERVER_CONNECTIONS} server connections) to the primary` : 'writes straight to the primary'}, ` +
      `reads from a streaming replica; ${r.warmupSeconds} s warm-up, ${r.seconds} s measured, scale ${r.scale}.`,
    '',
    '| Operation | requests | per second | p50 ms | p95 ms | p99 ms | errors | read on the replica |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...[...r.operations, r.total].map((o) =>
      `| ${o.operation} | ${o.requests} | ${o.perSecond} | ${o.p50Ms} | ${o.p95Ms} | ${o.p99Ms} | ${o.errors} | ${o.replicaPercent === null ? '' : `${o.replicaPercent}%`} |`),
    '',
    `Error rate: ${r.total.errors} of ${r.total.requests} (${r.total.requests ? round1((100 * r.total.errors) / r.total.requests) : 0}%); ${r.unmeasuredErrors} outside the measured window (warm-up, and requests answering after it). ` +
      `Connectors: ${r.bulk.created.toLocaleString('en-US')} items created, ${r.bulk.unchanged.toLocaleString('en-US')} re-sent unchanged. ` +
      `Replica lag the replica reads reported: p50 ${r.replicaLagMs.p50 ?? 'n/a'} ms, max ${r.replicaLagMs.max ?? 'n/a'} ms.`,
    '',
    `| CPU over the measured ${r.seconds} s | seconds | of the machine (${r.cores} cores) |`,
    '|---|---:|---:|',
    ...r.cpu.map((x) => `| ${x.process} | ${x.seconds} | ${x.machinePercent}% |`),
    '',
    `Hub processes ${round1(hubSeconds)} s against PostgreSQL (primary and replica, postmasters with their backends) ${round1(dbSeconds)} s of CPU.`,
    '',
    END,
  ];
  return lines.join('\n');
}

/** Replaces the concurrent block of BENCHMARKS.md (or adds it at the end), keeping everything else. */
export function writeConcurrentMd(file: string, r: ConcurrentReport): void {
  replaceBlock(file, BEGIN, END, renderConcurrentMarkdown(r));
}

/** Prints and saves the report; at full scale also BENCHMARKS.md. True when every request answered without error. */
export function publishConcurrent(r: ConcurrentReport, root: string, log: (msg: string) => void): boolean {
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `concurrent-${r.scale}.json`), JSON.stringify(r, null, 2) + '\n');
  console.table([...r.operations, r.total]);
  console.table(r.cpu);
  if (r.scale === 'full') {
    writeConcurrentMd(path.join(root, 'BENCHMARKS.md'), r);
    log('BENCHMARKS.md updated (concurrent block)');
  } else {
    process.stdout.write(`${renderConcurrentMarkdown(r)}\n`);
  }
  log(`written to bench/results/concurrent-${r.scale}.json`);
  const failed = r.total.errors + r.unmeasuredErrors;
  for (const e of r.firstErrors) process.stderr.write(`[bench] error: ${e}\n`);
  if (failed) process.stderr.write(`[bench] ${failed} requests failed\n`);
  return failed === 0;
}
