/**
 * npm run bench -- [--scale small|full] [--seed N] [--runs N] [--generate-only]
 * npm run bench -- --concurrent [--scale small|full] [--seconds N] [--clients N]
 * npm run bench -- --peers [--scale small|full] [--runs N] [--seconds N]
 *
 * Starts a throwaway PostgreSQL the way the tests do (or uses DATABASE_URL, which must be a superuser
 * URL of an empty database), migrates, seeds the real catalogs and mappings, generates synthetic
 * organizations deterministically, starts the hub as its own process (role hub_app, so row-level
 * security is part of every measurement) and measures its reports over HTTP.
 */
import 'reflect-metadata';
import { spawn, ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src/database/data-source';
import { migrate } from '../src/database/migrator';
import { seed } from '../src/modules/catalog/catalog.seeder';
import { TokenService } from '../src/modules/auth/token.service';
import { OrganizationService } from '../src/modules/organization/organization.service';
import { Role } from '../src/modules/auth/role';
import { CREATE_APP_ROLE_SQL, grantAppRole, startTestPostgres, TestPostgres } from '../test/harness/postgres';
import { generateOrganization, OrgShape, prepareRequirementPool } from './data';
import { prefillBaseline, statusBaseline } from './baseline';
import { BenchReport, checkTargets, freePort, writeBenchmarksMd } from './report';
import { measureOverview } from './dashboard';
import { publishConcurrent, runConcurrent } from './concurrent';
import { publishPeers, runPeers } from './peers';

const ROOT = path.resolve(__dirname, '..', '..');

interface Options {
  scale: 'small' | 'full';
  seed: number;
  runs: number;
  /** Stop after generating the data (with DATABASE_URL: leaves it there, for EXPLAIN). */
  generateOnly: boolean;
  /** Instead of the one-client measurements, the concurrent run of bench/concurrent.ts. */
  concurrent: boolean;
  /** Instead of the one-client measurements, the hub against PostGraphile (bench/peers.ts). */
  peers: boolean;
  /** Measured seconds of the concurrent run (by default 60 at full scale, 15 at small) or of each server's ten-in-flight run of --peers (30, 6). */
  seconds: number | null;
  /** Clients of the concurrent run; by default 24. */
  clients: number | null;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { scale: 'small', seed: 42, runs: 20, generateOnly: false, concurrent: false, peers: false, seconds: null, clients: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--scale') {
      const v = next();
      if (v !== 'small' && v !== 'full') throw new Error(`--scale is small or full, got "${v}"`);
      opts.scale = v;
    } else if (a === '--seed') opts.seed = Number(next());
    else if (a === '--runs') opts.runs = Math.max(20, Number(next()));
    else if (a === '--generate-only') opts.generateOnly = true;
    else if (a === '--concurrent') opts.concurrent = true;
    else if (a === '--peers') opts.peers = true;
    else if (a === '--seconds') opts.seconds = Math.max(1, Number(next()));
    else if (a === '--clients') opts.clients = Math.max(1, Number(next()));
    else throw new Error(`unknown option ${a}`);
  }
  if (opts.concurrent && opts.peers) throw new Error('--concurrent and --peers are separate runs');
  if (opts.seconds !== null && !opts.concurrent && !opts.peers) throw new Error('--seconds is an option of --concurrent and --peers');
  if (opts.clients !== null && !opts.concurrent) throw new Error('--clients is an option of --concurrent');
  if (opts.concurrent && process.env.DATABASE_URL) throw new Error('--concurrent makes a streaming replica of its own throwaway PostgreSQL: unset DATABASE_URL');
  return opts;
}

/** The measured organization at full scale; the others hold a tenth of it. */
const FULL: OrgShape = { systems: 200, evidence: 100_000, linksPerEvidence: 10, oversightRecords: 500_000 };
const ORGANIZATIONS = 20;

function scaled(shape: OrgShape, factor: number): OrgShape {
  return {
    systems: Math.max(2, Math.round(shape.systems * factor)),
    evidence: Math.max(10, Math.round(shape.evidence * factor)),
    linksPerEvidence: shape.linksPerEvidence,
    oversightRecords: Math.max(10, Math.round(shape.oversightRecords * factor)),
  };
}

function rssMb(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

interface GqlResult {
  data?: any;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: { sqlStatements?: number };
}

async function gql(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GqlResult;
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

interface Measurement {
  name: string;
  runs: number;
  p50Ms: number;
  p95Ms: number;
  sqlStatements: number | null;
  baselineP50Ms?: number;
  baselineP95Ms?: number;
  /** GraphQL p50 / baseline p50. */
  ratio?: number;
  countsAgree?: boolean;
}

/** Warm-up, then `runs` timed calls; p50 and p95 in ms (one decimal) and every result. */
async function timeRuns<T>(runs: number, call: () => Promise<T>): Promise<{ p50: number; p95: number; values: T[] }> {
  for (let i = 0; i < 3; i++) await call();
  const times: number[] = [];
  const values: T[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    values.push(await call());
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), values };
}

const STATUS_FIELDS = ['assessable', 'notApplicable', 'covered', 'prefilled', 'partial', 'stale', 'pending', 'gap'] as const;
const pickCounts = (totals: Record<string, number>, fields: readonly string[]): any => Object.fromEntries(fields.map((f) => [f, totals[f]]));

async function measure(name: string, runs: number, call: () => Promise<GqlResult>): Promise<{ m: Measurement; last: GqlResult }> {
  const { p50, p95, values } = await timeRuns(runs, call);
  // The most any run made: the count should not vary, and the target is an upper bound.
  const counts = values.map((v) => v.extensions?.sqlStatements).filter((n): n is number => typeof n === 'number');
  return { m: { name, runs, p50Ms: p50, p95Ms: p95, sqlStatements: counts.length ? Math.max(...counts) : null }, last: values[values.length - 1] };
}

const Q_SUMMARY = `query { coverageSummary { framework { key } totals { assessable applicable notApplicable covered prefilled partial stale pending gap } } }`;
const Q_COVERAGE = `query { coverage(framework: "iso42001") { totals { assessable covered prefilled partial stale pending gap notApplicable }
  requirements(first: 100) { totalCount nodes { status requirement { ref } inferred { state coverage } } } } }`;
const Q_COVERAGE_AS_OF = `query($asOf: DateTime!) { coverage(framework: "iso42001", asOf: $asOf) { fromHistory totals { assessable covered prefilled partial stale pending gap notApplicable }
  requirements(first: 100) { totalCount nodes { status requirement { ref } inferred { state coverage } } } } }`;
const Q_TREND = `query($from: DateTime!) { ${['iso42001', 'iso27001', 'nist-ai-rmf', 'eu-ai-act'].map((k, i) =>
  `t${i}: coverageTrend(framework: "${k}", from: $from, interval: WEEK) { points { at fromHistory totals { covered prefilled partial stale pending gap notApplicable } } }`).join(' ')} }`;
const Q_PREFILL = `query { prefill(from: "iso27001", to: "iso42001") { totals { assessable full partial none } } }`;
const Q_GAPS = `query($s: ID!) { gaps(framework: "eu-ai-act", aiSystemId: $s) { totals { assessable covered prefilled partial stale pending gap notApplicable }
  items { status requirement { ref } suggestedEvidence(first: 3) { evidence { title } } } } }`;
const Q_MATRIX = `query { obligationsMatrix(asOf: "2026-09-01T00:00:00Z") { aiSystem { name } obligations { requirement { ref } applicability bindingFrom status
  decidedBy { fact } openQuestions { fact } otherBasis { basis bindingFrom } } } }`;
const Q_NESTED = `query { framework(key: "iso27001") { requirements(first: 200) { nodes { ref mappings { relationship counterpart { ref framework { key } } } } } } }`;
const M_BULK = `mutation($input: BulkUpsertEvidenceInput!) { bulkUpsertEvidence(input: $input) { created updated unchanged failed } }`;

/** `env.BENCH_NODE_ARGS`: flags for node itself (space-separated, e.g. --cpu-prof), not passed on as a variable. */
async function startServer(appUrl: string, { BENCH_NODE_ARGS, ...env }: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(BENCH_NODE_ARGS ? BENCH_NODE_ARGS.split(' ') : []), path.join(ROOT, 'dist', 'src', 'main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: appUrl,
      PORT: String(port),
      HUB_EXPOSE_QUERY_COUNT: 'true',
      HUB_RATE_LIMIT_PER_MINUTE: '0',
      HUB_MAX_BODY_BYTES: String(20 * 1024 * 1024),
      LOG_LEVEL: process.env.BENCH_SERVER_LOG ?? 'warn',
      NODE_ENV: 'production',
      // Deliveries go to a receiver on this machine.
      HUB_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      ...env,
    },
    stdio: ['ignore', process.env.BENCH_SERVER_LOG ? 'inherit' : 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the hub exited with ${child.exitCode}`);
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{__typename}"}' });
      if (res.status < 500) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const factor = opts.scale === 'full' ? 1 : 0.01;
  const measured = scaled(FULL, factor);
  const others = scaled(FULL, factor / 10);
  const log = (msg: string) => process.stdout.write(`[bench] ${msg}\n`);
  const t0 = Date.now();

  let pg: TestPostgres | null = null;
  let adminUrl: string;
  let appUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
    appUrl = process.env.BENCH_APP_DATABASE_URL ?? adminUrl;
  } else {
    pg = await startTestPostgres();
    const admin = new Client({ connectionString: pg.adminUrl });
    await admin.connect();
    await admin.query(CREATE_APP_ROLE_SQL);
    await admin.query(`CREATE DATABASE hub_bench`);
    await admin.end();
    adminUrl = pg.urlFor('hub_bench');
    appUrl = pg.appUrlFor('hub_bench');
  }
  log(`PostgreSQL: ${pg ? `throwaway (${pg.kind})` : 'DATABASE_URL'}; scale ${opts.scale}, seed ${opts.seed}`);

  // Generating data is nobody's action: no events for it (the hub's own writes below have theirs).
  const ds: DataSource = await createDataSource({ kind: 'postgres', url: adminUrl }, { poolSize: 2, logLevel: 'error', eventsOff: true });
  await ds.initialize();
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    // Found out before the long generation, not after it.
    if (opts.concurrent && pg?.kind !== 'system') throw new Error('--concurrent needs the system PostgreSQL binaries (pg_basebackup for the replica)');
    await migrate(ds);
    await seed(ds);
    if (pg || process.env.BENCH_APP_DATABASE_URL) {
      await grantAppRole(ds);
    }
    const [{ version }] = await ds.query(`SHOW server_version`).then((rows: { server_version: string }[]) => rows.map((r) => ({ version: r.server_version })));
    log(`migrated and seeded (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    await prepareRequirementPool(ds);
    const tokens = new TokenService(ds, new OrganizationService(ds));
    const gen0 = Date.now();
    const { token } = await tokens.createForSlug('bench-measured', Role.ADMIN, 'bench');
    const [{ id: measuredOrg }] = await ds.query(`SELECT id FROM organization WHERE slug = 'bench-measured'`);
    await generateOrganization(ds, measuredOrg, measured, opts.seed);
    for (let i = 1; i < ORGANIZATIONS; i++) {
      const slug = `bench-other-${String(i).padStart(2, '0')}`;
      await tokens.createForSlug(slug, Role.ADMIN, 'bench');
      const [{ id }] = await ds.query(`SELECT id FROM organization WHERE slug = $1`, [slug]);
      await generateOrganization(ds, id, others, opts.seed + i);
    }
    await ds.query(`DROP TABLE bench_pool`);
    // On a connection of its own: the generator's data source runs every statement in a transaction
    // (to set hub.events off), and VACUUM refuses to run in one.
    const vacuum = new Client({ connectionString: adminUrl });
    await vacuum.connect();
    await vacuum.query(`VACUUM ANALYZE`).finally(() => vacuum.end());
    const [counts] = await ds.query(
      `SELECT (SELECT count(*) FROM evidence WHERE organization_id = $1)::int AS evidence,
              (SELECT count(*) FROM evidence_link WHERE organization_id = $1)::int AS links,
              (SELECT count(*) FROM oversight_record WHERE organization_id = $1)::int AS oversight,
              (SELECT count(*) FROM evidence_link)::int AS "allLinks"`,
      [measuredOrg],
    );
    const generationSeconds = (Date.now() - gen0) / 1000;
    log(`generated ${ORGANIZATIONS} organizations in ${generationSeconds.toFixed(1)} s; measured one: ${JSON.stringify(counts)}`);
    if (opts.generateOnly) return;
    if (opts.concurrent) {
      const report = await runConcurrent({
        scale: opts.scale,
        seconds: opts.seconds ?? (opts.scale === 'full' ? 60 : 15),
        clients: opts.clients ?? 24,
        ds,
        pg: pg!,
        database: 'hub_bench',
        adminToken: token,
        startServer,
        root: ROOT,
        log,
      });
      if (!publishConcurrent(report, ROOT, log)) process.exitCode = 1;
      return;
    }
    if (opts.peers) {
      const report = await runPeers({
        scale: opts.scale,
        // At least 50 timed requests per read and server; --runs (20 by default for the reports) raises it.
        runs: Math.max(opts.runs, opts.scale === 'full' ? 200 : 50),
        seconds: opts.seconds ?? (opts.scale === 'full' ? 30 : 6),
        ds,
        appUrl,
        organizationId: measuredOrg,
        token,
        startServer,
        root: ROOT,
        log,
      });
      if (!publishPeers(report, ROOT, log)) process.exitCode = 1;
      return;
    }

    server = await startServer(appUrl);
    const url = server.url;
    // The measured organization runs one integrated management system for the ISMS and the AIMS: the qualified
    // 27001 -> 42001 rows read EQUAL for it, so its reports read a graph of its own, with full paths (pre-fills).
    const declared = await gql(url, token, `mutation { declareOrganizationCondition(input: { condition: "integratedManagementSystem", holds: true }) { graph { conditions } } }`);
    if (declared.errors) throw new Error(`declaring integratedManagementSystem failed: ${JSON.stringify(declared.errors)}`);
    const [{ id: systemId }] = await ds.query(
      `SELECT s.id FROM ai_system s WHERE s.organization_id = $1 ORDER BY (SELECT count(*) FROM evidence e WHERE e.ai_system_id = s.id) DESC, s.name LIMIT 1`,
      [measuredOrg],
    );
    const systemGid = systemId;

    // The generated data predates the status history: rebuild it over the 13 months a yearly trend reads.
    const h0 = performance.now();
    const rebuilt = await gql(url, token, `mutation($since: DateTime!) { rebuildCoverageHistory(since: $since) { moments periods } }`,
      { since: new Date(Date.now() - 400 * 86_400_000).toISOString() });
    if (rebuilt.errors) throw new Error(`rebuildCoverageHistory failed: ${JSON.stringify(rebuilt.errors)}`);
    const history = { rebuildSeconds: Math.round((performance.now() - h0) / 10) / 100, ...rebuilt.data.rebuildCoverageHistory };
    log(`status history rebuilt over 400 days in ${history.rebuildSeconds} s (${history.moments} moments, ${history.periods} periods)`);

    const results: Measurement[] = [];
    const disagreements: string[] = [];
    const run = async <T>(name: string, q: string, vars: Record<string, unknown>, baseline?: { call: () => Promise<T>; fromGraphql: (data: any) => T }) => {
      const { m, last } = await measure(name, opts.runs, () => gql(url, token, q, vars));
      let extra = '';
      if (baseline) {
        const timed = await timeRuns(opts.runs, baseline.call);
        const b = { p50: timed.p50, value: timed.values[timed.values.length - 1] };
        const mine = baseline.fromGraphql(last.data);
        m.baselineP50Ms = b.p50;
        m.baselineP95Ms = timed.p95;
        m.ratio = Math.round((m.p50Ms / b.p50) * 100) / 100;
        m.countsAgree = JSON.stringify(mine) === JSON.stringify(b.value);
        if (!m.countsAgree) disagreements.push(`${name}: GraphQL ${JSON.stringify(mine)} but SQL baseline ${JSON.stringify(b.value)}`);
        extra = `; SQL baseline p50 ${b.p50} ms (ratio ${m.ratio}), counts ${m.countsAgree ? 'agree' : 'DIFFER'} ${JSON.stringify(b.value)}`;
      }
      results.push(m);
      log(`${name}: p50 ${m.p50Ms} ms, p95 ${m.p95Ms} ms, ${m.sqlStatements} SQL statements${extra}`);
      return last;
    };
    const KEYS = ['eu-ai-act', 'iso27001', 'iso42001', 'nist-ai-rmf'];
    const byKey = (rows: any[]) =>
      Object.fromEntries(rows.filter((r) => KEYS.includes(r.framework.key)).sort((a, b) => (a.framework.key < b.framework.key ? -1 : 1)).map((r) => [r.framework.key, pickCounts(r.totals, STATUS_FIELDS)]));
    await run('coverageSummary', Q_SUMMARY, {}, {
      call: () => statusBaseline(ds, measuredOrg, KEYS, 2, null),
      fromGraphql: (d) => byKey(d.coverageSummary),
    });
    await run('coverage(iso42001) first 100', Q_COVERAGE, {}, {
      call: async () => (await statusBaseline(ds, measuredOrg, ['iso42001'], 2, null)).iso42001,
      fromGraphql: (d) => pickCounts(d.coverage.totals, STATUS_FIELDS),
    });
    await run('coverage(iso42001) 90 days back', Q_COVERAGE_AS_OF, { asOf: new Date(Date.now() - 90 * 86_400_000).toISOString() });
    await run('coverageTrend x4 (12 months, weekly)', Q_TREND, { from: new Date(Date.now() - 365 * 86_400_000).toISOString() });
    await run('prefill(iso27001 -> iso42001)', Q_PREFILL, {}, {
      call: () => prefillBaseline(ds, measuredOrg, 'iso27001', 'iso42001', 2),
      fromGraphql: (d) => pickCounts(d.prefill.totals, ['assessable', 'full', 'partial', 'none']),
    });
    await run('gaps(eu-ai-act, one system)', Q_GAPS, { s: systemGid }, {
      call: async () => (await statusBaseline(ds, measuredOrg, ['eu-ai-act'], 2, systemId))['eu-ai-act'],
      fromGraphql: (d) => pickCounts(d.gaps.totals, STATUS_FIELDS),
    });
    await run('nested catalog read (200)', Q_NESTED, {});
    const matrix = await run('obligationsMatrix (every system)', Q_MATRIX, {});
    log(`obligationsMatrix: ${measured.systems} systems, ${matrix.data.obligationsMatrix.reduce((n: number, m: { obligations: unknown[] }) => n + m.obligations.length, 0)} obligations`);

    // The dashboard's first screen, on the same data.
    let dashboard: BenchReport['dashboard'];
    try {
      dashboard = await measureOverview(new URL(url).origin, token, opts.scale === 'full' ? 7 : 3);
      log(`dashboard overview first render: p50 ${dashboard.p50Ms} ms, max ${dashboard.maxMs} ms (${dashboard.runs} runs, ${dashboard.frameworks} frameworks)`);
    } catch (err) {
      dashboard = { error: (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200) };
      log(`dashboard overview not measured: ${dashboard.error}`);
    }

    // Ingestion through the bulk path: batches of 1,000 items with 10 links each.
    const batches = opts.scale === 'full' ? 10 : 2;
    const refs: string[] = (
      await ds.query(`SELECT r.ref FROM requirement r JOIN framework f ON f.id = r.framework_id WHERE f.key = 'iso27001' AND r.assessable ORDER BY r.position`)
    ).map((r: { ref: string }) => r.ref);
    const batch = (b: number, prefix: string) =>
      Array.from({ length: 1000 }, (_, i) => ({
        sourceSystem: 'bench-ingest',
        externalId: `${prefix}${b}-${i}`,
        title: `Ingested item ${b}-${i}`,
        kind: 'TICKET',
        effectiveAt: '2026-01-01T00:00:00Z',
        links: Array.from({ length: 10 }, (_, k) => ({ framework: 'iso27001', ref: refs[(i + k * 7) % refs.length] })),
      }));
    const batchTimes: { started: number; answered: number }[] = [];
    const ingest = async (label: string, target = url, prefix = 'B', count = batches) => {
      let links = 0;
      let outcome = { created: 0, updated: 0, unchanged: 0, failed: 0 };
      const s0 = performance.now();
      for (let b = 0; b < count; b++) {
        const started = Date.now();
        const res = await gql(target, token, M_BULK, { input: { items: batch(b, prefix) } });
        batchTimes.push({ started, answered: Date.now() });
        const p = res.data.bulkUpsertEvidence;
        outcome = { created: outcome.created + p.created, updated: outcome.updated + p.updated, unchanged: outcome.unchanged + p.unchanged, failed: outcome.failed + p.failed };
        links += 10_000;
      }
      const seconds = (performance.now() - s0) / 1000;
      const perSecond = Math.round(links / seconds);
      log(`ingestion ${label}: ${links} links in ${seconds.toFixed(2)} s = ${perSecond} links/s (${JSON.stringify(outcome)})`);
      return { label, links, seconds: Math.round(seconds * 100) / 100, linksPerSecond: perSecond, ...outcome };
    };
    const ingestStart = new Date();
    const fresh = await ingest('new items');
    // Events the new items caused (written in their transactions), and how fast they were published.
    const eventStats = async () => (await ds.query(
      `SELECT count(*)::int AS written, count(position)::int AS published, max(published_at) AS last FROM hub_event WHERE organization_id = $1 AND occurred_at >= $2`,
      [measuredOrg, ingestStart.toISOString()],
    ))[0] as { written: number; published: number; last: Date | null };
    let stats = await eventStats();
    for (let i = 0; i < 600 && stats.published < stats.written; i++) {
      await new Promise((r) => setTimeout(r, 100));
      stats = await eventStats();
    }
    const byType = await ds.query(`SELECT type, count(*)::int AS n FROM hub_event WHERE organization_id = $1 AND occurred_at >= $2 GROUP BY type ORDER BY type`, [measuredOrg, ingestStart.toISOString()]);
    const publishSeconds = stats.last ? (new Date(stats.last).getTime() - ingestStart.getTime()) / 1000 : null;
    const events = {
      written: stats.written,
      published: stats.published,
      byType: Object.fromEntries(byType.map((r: { type: string; n: number }) => [r.type, r.n])),
      writtenPerSecond: Math.round(stats.written / fresh.seconds),
      publishedPerSecond: publishSeconds ? Math.round(stats.published / publishSeconds) : null,
    };
    log(`events from the new items: ${JSON.stringify(events)}`);
    const ingestion = [fresh, await ingest('re-sent unchanged items')];

    // An evidence register from a spreadsheet (POST /import/evidence-register, issue 19): 50,000 rows at full
    // scale, each naming one to three iso27001 refs in one cell; then the same file again (every row UNCHANGED).
    const registerRows = opts.scale === 'full' ? 50_000 : 500;
    // Annex A controls: a clause such as "5.1" would be ambiguous with control A.5.1 in a register (AMBIGUOUS_REF).
    const controlRefs = refs.filter((r) => r.startsWith('A.'));
    const registerCsv = ['ID,Title,Kind,Location,Owner,Effective date,Review date,Status,Refs', ...Array.from({ length: registerRows }, (_, i) => {
      const named = Array.from({ length: 1 + (i % 3) }, (_, k) => controlRefs[(i * 7 + k * 13) % controlRefs.length]).join(', ');
      return `REG-${i},Register item ${i},${['Policy', 'Procedure', 'Record', 'Ticket'][i % 4]},https://intranet.example.com/doc/${i},Owner ${i % 50},2026-01-15,2027-01-15,Approved,"${named}"`;
    })].join('\n');
    const importRegister = async (label: string) => {
      const s0 = performance.now();
      const res = await fetch(url.replace(/\/graphql$/, '/import/evidence-register?framework=iso27001&sourceSystem=bench-register&reuseTo='), {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: registerCsv,
      });
      const body = (await res.json()) as { data?: { created: number; updated: number; unchanged: number; failed: number }; errors?: unknown };
      const seconds = (performance.now() - s0) / 1000;
      if (!body.data || body.data.failed) throw new Error(`register import ${label} failed: ${JSON.stringify(body.errors ?? body.data).slice(0, 300)}`);
      const { created, updated, unchanged, failed } = body.data;
      log(`register import ${label}: ${registerRows} rows (${(registerCsv.length / 1e6).toFixed(1)} MB CSV) in ${seconds.toFixed(2)} s = ${Math.round(registerRows / seconds)} rows/s (${JSON.stringify({ created, updated, unchanged, failed })})`);
      return { label, rows: registerRows, seconds: Math.round(seconds * 100) / 100, rowsPerSecond: Math.round(registerRows / seconds), created, updated, unchanged };
    };
    // Webhook deliveries to a receiver on this machine, during the ingestion of two more batches of new items (apart from the
    // measurement above, which webhooks would share the machine's two cores with): latency from the
    // response of the batch that caused an event (its commit) to the event's arrival.
    const received: { id: string; type: string; occurredAt: string; at: number }[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const e = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        received.push({ id: e.id, type: e.type, occurredAt: e.occurredAt, at: Date.now() });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as net.AddressInfo).port}/hooks`;
    const endpoint = await gql(url, token, `mutation($url: String!) { createWebhookEndpoint(input: { url: $url, eventTypes: [COVERAGE_CHANGED, EVIDENCE_CREATED] }) { endpoint { id } } }`, { url: receiverUrl });
    if (endpoint.errors) throw new Error(`createWebhookEndpoint failed: ${JSON.stringify(endpoint.errors)}`);
    const hooked0 = new Date();
    const hookedBatches = batchTimes.length;
    const hooked = await ingest('new items, webhooks on', url, 'W', 2);
    const [{ n: expected }] = await ds.query(`SELECT count(*)::int AS n FROM hub_event WHERE organization_id = $1 AND occurred_at >= $2 AND type IN ('coverage.changed', 'evidence.created')`,
      [measuredOrg, hooked0.toISOString()]);
    const d0 = Date.now();
    while (received.length < expected && Date.now() - d0 < 300_000) await new Promise((r) => setTimeout(r, 100));
    // The batch an event came from: the one whose request was in flight when its transaction started.
    const latencies = received.map((e) => {
      const t = new Date(e.occurredAt).getTime();
      const b = batchTimes.slice(hookedBatches).find((x) => t >= x.started - 50 && t <= x.answered) ?? batchTimes[batchTimes.length - 1];
      return { type: e.type, ms: e.at - b.answered };
    }).sort((a, b) => a.ms - b.ms);
    const pct = (xs: number[], p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : null);
    const all = latencies.map((l) => l.ms);
    const coverageOnly = latencies.filter((l) => l.type === 'coverage.changed').map((l) => l.ms);
    const lastArrival = received.length ? Math.max(...received.map((e) => e.at)) : null;
    const delivery = {
      expected, delivered: received.length, duplicates: received.length - new Set(received.map((e) => e.id)).size,
      p50Ms: pct(all, 50), p99Ms: pct(all, 99), coverageChangedP50Ms: pct(coverageOnly, 50), coverageChangedP99Ms: pct(coverageOnly, 99),
      perSecond: lastArrival ? Math.round(received.length / ((lastArrival - hooked0.getTime()) / 1000)) : null,
    };
    log(`webhook deliveries: ${JSON.stringify(delivery)}`);
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    ingestion.push(hooked);
    const rss = rssMb(server.child.pid!);
    log(`server RSS after the run: ${rss} MB`);
    // After the webhook deliveries are counted (the import's events, two per row, would queue ahead of theirs) and
    // after the run's RSS (its target is the run's as before): a 6.6 MB file is held whole while its rows are checked.
    const registerImport = [await importRegister('new rows'), await importRegister('the same file again')];
    const rssAfterImport = rssMb(server.child.pid!);
    log(`server RSS after the register import: ${rssAfterImport} MB`);
    // The outbox's cost: the same ingestion on a hub with events off (HUB_EVENTS=false).
    await server.stop();
    server = await startServer(appUrl, { HUB_EVENTS: 'false' });
    ingestion.push(await ingest('new items, events off', server.url, 'C'));

    const report: BenchReport = {
      date: new Date().toISOString(),
      scale: opts.scale,
      seed: opts.seed,
      machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, postgres: version },
      data: { organizations: ORGANIZATIONS, measured: counts, generationSeconds },
      reports: results,
      countsAgree: disagreements.length === 0,
      ingestion,
      registerImport,
      serverRssMb: rss,
      serverRssAfterImportMb: rssAfterImport,
      dashboard,
      events,
      history,
      delivery,
    };
    const dir = path.join(ROOT, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    const otherFile = path.join(dir, `${opts.scale === 'full' ? 'small' : 'full'}.json`);
    const other: BenchReport | null = fs.existsSync(otherFile) ? JSON.parse(fs.readFileSync(otherFile, 'utf8')) : null;
    report.targets = checkTargets(report, other);
    for (const name of ['latest.json', `${opts.scale}.json`]) fs.writeFileSync(path.join(dir, name), JSON.stringify(report, null, 2) + '\n');
    console.table(results);
    console.table(ingestion);
    console.table(report.targets);
    const missed = report.targets.filter((t) => !t.met);
    if (opts.scale === 'full') {
      writeBenchmarksMd(path.join(ROOT, 'BENCHMARKS.md'), report);
      log('BENCHMARKS.md updated');
    }
    log(`${missed.length ? `targets MISSED${opts.scale === 'small' ? ' (they are set for the full scale)' : ''}: ${missed.map((t) => t.target).join('; ')}` : 'all targets met'}`);
    log(`written to bench/results/latest.json and ${opts.scale}.json (${((Date.now() - t0) / 1000).toFixed(1)} s in all)`);
    if (disagreements.length) {
      for (const d of disagreements) process.stderr.write(`[bench] COUNTS DIFFER: ${d}\n`);
      process.exitCode = 1;
    }
  } finally {
    if (server) await server.stop();
    await ds.destroy();
    if (pg) await pg.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
