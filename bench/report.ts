/** Targets of the benchmark, and the generated part of BENCHMARKS.md. */
import fs from 'node:fs';
import net from 'node:net';

export interface BenchReport {
  date: string;
  scale: 'small' | 'full';
  seed: number;
  machine: { cores: number; memoryGiB: number; node: string; postgres: string };
  data: { organizations: number; measured: Record<string, number>; generationSeconds: number };
  reports: {
    name: string;
    runs: number;
    p50Ms: number;
    p95Ms: number;
    sqlStatements: number | null;
    baselineP50Ms?: number;
    baselineP95Ms?: number;
    ratio?: number;
    countsAgree?: boolean;
  }[];
  countsAgree: boolean;
  ingestion: { label: string; links: number; seconds: number; linksPerSecond: number }[];
  /** An evidence register imported from CSV through POST /import/evidence-register (new rows, then the same file again). */
  registerImport?: { label: string; rows: number; seconds: number; rowsPerSecond: number; created: number; updated: number; unchanged: number }[];
  serverRssMb: number | null;
  /** The same after the register import, which holds its file and rows while it checks them (no target). */
  serverRssAfterImportMb?: number | null;
  /** Events the 'new items' ingestion caused, and their publication. */
  events?: { written: number; published: number; byType: Record<string, number>; writtenPerSecond: number; publishedPerSecond: number | null };
  /** Webhook deliveries of coverage.changed and evidence.created during that ingestion, to a loopback receiver. */
  delivery?: { expected: number; delivered: number; duplicates: number; p50Ms: number | null; p99Ms: number | null; coverageChangedP50Ms: number | null; coverageChangedP99Ms: number | null; perSecond: number | null };
  /** Rebuilding the measured organization's status history over 400 days (rebuildCoverageHistory). */
  history?: { rebuildSeconds: number; moments: number; periods: number };
  /** The dashboard overview's first render in Chromium; `error` when it could not be measured. */
  dashboard?: { runs: number; p50Ms: number; maxMs: number; frameworks: number } | { error: string };
  targets?: TargetCheck[];
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

/**
 * The issue's targets. They are set for the full scale; at small scale they are printed for
 * information. `other` is the last result of the other scale, for the statement-count comparison.
 */
export function checkTargets(r: BenchReport, other: BenchReport | null): TargetCheck[] {
  const out: TargetCheck[] = [];
  const summary = r.reports.find((x) => x.name === 'coverageSummary');
  if (summary) out.push({ target: 'coverageSummary p50 <= 100 ms', measured: `${summary.p50Ms} ms`, met: summary.p50Ms <= 100 });
  for (const x of r.reports.filter((x) => x.ratio !== undefined)) {
    out.push({ target: `${x.name} <= 1.5x its SQL baseline (p50)`, measured: `${x.ratio}x (${x.p50Ms} vs ${x.baselineP50Ms} ms)`, met: x.ratio! <= 1.5 });
  }
  for (const x of r.reports.slice(0, 3)) {
    out.push({ target: `${x.name}: <= 10 SQL statements`, measured: String(x.sqlStatements), met: x.sqlStatements !== null && x.sqlStatements <= 10 });
  }
  if (other) {
    const same = r.reports.every((x) => other.reports.find((o) => o.name === x.name)?.sqlStatements === x.sqlStatements);
    const list = r.reports.map((x) => `${x.sqlStatements}/${other.reports.find((o) => o.name === x.name)?.sqlStatements ?? '?'}`).join(', ');
    out.push({ target: `SQL statements the same at ${r.scale} and ${other.scale} scale`, measured: `${r.scale}/${other.scale}: ${list}`, met: same });
  }
  const fresh = r.ingestion.find((i) => i.label === 'new items');
  if (fresh) out.push({ target: 'ingestion of new items >= 10,000 links/s (events on)', measured: `${fresh.linksPerSecond} links/s`, met: fresh.linksPerSecond >= 10_000 });
  const register = r.registerImport?.find((i) => i.label === 'new rows');
  if (register) out.push({ target: `evidence register import (${register.rows.toLocaleString('en-US')} CSV rows, new) >= 10,000 rows/s`, measured: `${register.rowsPerSecond} rows/s`, met: register.rowsPerSecond >= 10_000 });
  const now = r.reports.find((x) => x.name === 'coverage(iso42001) first 100');
  const past = r.reports.find((x) => x.name === 'coverage(iso42001) 90 days back');
  if (now && past) {
    const ratio = Math.round((past.p50Ms / now.p50Ms) * 100) / 100;
    out.push({ target: 'coverage(iso42001) 90 days back within 2x of now (p50)', measured: `${ratio}x (${past.p50Ms} vs ${now.p50Ms} ms)`, met: ratio <= 2 });
  }
  if (r.delivery) {
    const d = r.delivery;
    out.push({ target: 'webhook deliveries: every event once', measured: `${d.delivered} of ${d.expected}, ${d.duplicates} twice`, met: d.delivered === d.expected && d.duplicates === 0 });
  }
  const trend = r.reports.find((x) => x.name === 'coverageTrend x4 (12 months, weekly)');
  if (trend) out.push({ target: '12-month weekly coverageTrend of the four frameworks p50 <= 200 ms', measured: `${trend.p50Ms} ms`, met: trend.p50Ms <= 200 });
  if (r.dashboard) {
    const d = r.dashboard;
    out.push('error' in d
      ? { target: 'dashboard overview first render p50 <= 1,000 ms', measured: `not measured: ${d.error}`, met: false }
      : { target: 'dashboard overview first render p50 <= 1,000 ms', measured: `${d.p50Ms} ms (max ${d.maxMs} ms, ${d.runs} runs)`, met: d.p50Ms <= 1000 });
  }
  out.push({ target: 'server RSS <= 400 MB after the run (before the register import)', measured: `${r.serverRssMb} MB`, met: r.serverRssMb !== null && r.serverRssMb <= 400 });
  out.push({ target: 'GraphQL counts equal the SQL baselines', measured: r.countsAgree ? 'equal' : 'DIFFERENT', met: r.countsAgree });
  return out;
}

const BEGIN = '<!-- bench:begin (written by npm run bench -- --scale full; do not edit by hand) -->';
const END = '<!-- bench:end -->';

export function renderMarkdown(r: BenchReport): string {
  const lines: string[] = [];
  lines.push(BEGIN);
  lines.push('');
  lines.push(`Last full run: ${r.date.slice(0, 10)}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, PostgreSQL ${r.machine.postgres}, Node ${r.machine.node}, seed ${r.seed}.`);
  lines.push(`Measured organization: ${Object.entries(r.data.measured).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}; ${r.data.organizations} organizations in all; data generated in ${r.data.generationSeconds.toFixed(0)} s.`);
  lines.push('');
  lines.push('| Report | p50 ms | p95 ms | SQL statements | SQL baseline p50 ms | ratio | counts |');
  lines.push('|---|---:|---:|---:|---:|---:|---|');
  for (const x of r.reports) {
    lines.push(`| ${x.name} | ${x.p50Ms} | ${x.p95Ms} | ${x.sqlStatements ?? ''} | ${x.baselineP50Ms ?? ''} | ${x.ratio ?? ''} | ${x.countsAgree === undefined ? '' : x.countsAgree ? 'equal' : 'DIFFERENT'} |`);
  }
  lines.push('');
  lines.push('| Ingestion (bulkUpsertEvidence, 1,000 items x 10 links per batch) | links | seconds | links/s |');
  lines.push('|---|---:|---:|---:|');
  for (const i of r.ingestion) lines.push(`| ${i.label} | ${i.links} | ${i.seconds} | ${i.linksPerSecond} |`);
  lines.push('');
  if (r.registerImport) {
    lines.push('| Evidence register import (POST /import/evidence-register, CSV, 1-3 refs per row) | rows | seconds | rows/s | created | unchanged |');
    lines.push('|---|---:|---:|---:|---:|---:|');
    for (const i of r.registerImport) lines.push(`| ${i.label} | ${i.rows} | ${i.seconds} | ${i.rowsPerSecond} | ${i.created} | ${i.unchanged} |`);
    lines.push('');
  }
  if (r.events) {
    const e = r.events;
    lines.push(`Events from the new items (events on): ${e.written.toLocaleString('en-US')} written in their transactions (${Object.entries(e.byType).map(([k, v]) => `${k} ${v}`).join(', ')}), ${e.writtenPerSecond.toLocaleString('en-US')} per second of ingestion; ${e.published.toLocaleString('en-US')} published, ${e.publishedPerSecond === null ? 'n/a' : e.publishedPerSecond.toLocaleString('en-US')} per second from the first write to the last publication.`);
    lines.push('');
  }
  if (r.delivery) {
    const d = r.delivery;
    lines.push(`Webhook deliveries (coverage.changed and evidence.created of those items, signed, to a receiver on the same machine): ${d.delivered.toLocaleString('en-US')} of ${d.expected.toLocaleString('en-US')} delivered, ${d.duplicates} twice, ${d.perSecond ?? 'n/a'} per second; latency from the batch's response to arrival p50 ${d.p50Ms} ms, p99 ${d.p99Ms} ms ${d.coverageChangedP50Ms === null ? ' (no coverage.changed among them)' : ` (coverage.changed alone: p50 ${d.coverageChangedP50Ms} ms, p99 ${d.coverageChangedP99Ms} ms)`}.`);
    lines.push('');
  }
  if (r.history) {
    lines.push(`Status history of the measured organization rebuilt over 400 days (rebuildCoverageHistory): ${r.history.rebuildSeconds} s, ${r.history.moments} moments replayed, ${r.history.periods.toLocaleString('en-US')} periods.`);
    lines.push('');
  }
  if (r.dashboard) {
    lines.push(
      'error' in r.dashboard
        ? `Dashboard overview first render: not measured (${r.dashboard.error}).`
        : `Dashboard overview first render (fresh browser context, token set, until the side-by-side table and ${r.dashboard.frameworks} heat maps are on the page; Chromium, ${r.dashboard.runs} runs): p50 ${r.dashboard.p50Ms} ms, max ${r.dashboard.maxMs} ms.`,
    );
    lines.push('');
  }
  lines.push(`Server RSS after the run: ${r.serverRssMb} MB${r.serverRssAfterImportMb ? `; after the evidence register import that follows it, ${r.serverRssAfterImportMb} MB (the import holds the file and its rows while it checks them all; no target yet)` : ''}.`);
  lines.push('');
  lines.push('| Target | Measured | Met |');
  lines.push('|---|---|---|');
  for (const t of r.targets ?? []) lines.push(`| ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
  lines.push('');
  lines.push(END);
  return lines.join('\n');
}

/** Replaces a generated block of BENCHMARKS.md (or adds it at the end), keeping the hand-written text around it. */
export function replaceBlock(file: string, begin: string, end: string, block: string): void {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const a = current.indexOf(begin);
  const b = current.indexOf(end);
  const next = a >= 0 && b > a ? current.slice(0, a) + block + current.slice(b + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, next);
}

/** Replaces the generated block of the one-client run. */
export function writeBenchmarksMd(file: string, r: BenchReport): void {
  replaceBlock(file, BEGIN, END, renderMarkdown(r));
}

/** A TCP port free on 127.0.0.1 now (the servers a run starts listen on it). */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
