/**
 * Where a hub process spends its CPU: a V8 CPU profile (`node --cpu-prof`, written when the process exits)
 * summarised by the part of the stack each sample belongs to. A sample of a native function (a socket
 * write, a string decode) counts for the nearest caller that has a source file, so pg's row decoding is
 * pg's and a response write is the HTTP stack's.
 */
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  part: string;
  ms: number;
  /** Of the busy (non-idle) time. */
  percent: number;
  msPerRequest: number;
}

export interface ProfileSummary {
  requests: number;
  /** Whether only the samples of the load's window were counted (else the whole process, start-up included). */
  windowed: boolean;
  sampledMs: number;
  busyMs: number;
  busyMsPerRequest: number;
  parts: ProfileShare[];
}

/** The parts, first match wins; `test` sees the source file of the frame (node_modules path kept). */
const PARTS: { part: string; test: (url: string, fn: string) => boolean }[] = [
  { part: 'garbage collection', test: (_u, fn) => fn === '(garbage collector)' },
  { part: 'response JSON serialisation', test: (u, fn) => fn === 'stringifyResult' && /\/dist\/src\//.test(u) },
  { part: 'graphql-js (execution, validation)', test: (u) => /node_modules\/graphql\//.test(u) },
  { part: 'type-graphql (resolver wrappers, argument conversion)', test: (u) => /node_modules\/type-graphql\//.test(u) },
  { part: 'Apollo Server (request pipeline, plugins hooks)', test: (u) => /node_modules\/@apollo\//.test(u) },
  { part: 'DataLoader', test: (u) => /node_modules\/dataloader\//.test(u) },
  { part: 'TypeORM (query runner, entity hydration)', test: (u) => /node_modules\/typeorm\//.test(u) },
  { part: 'pg (protocol, row and array decoding)', test: (u) => /node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-array|postgres-date|postgres-interval|postgres-bytea)\//.test(u) },
  { part: 'compression (zlib)', test: (u) => /node_modules\/compression\//.test(u) || u === 'node:zlib' },
  { part: 'HTTP stack (express, router, helmet, body parsing)', test: (u) => /node_modules\/(express|router|body-parser|helmet|cors|raw-body|@as-integrations|on-finished|finalhandler|send|serve-static|type-is|content-type|iconv-lite)\//.test(u) || u === 'node:_http_server' || u === 'node:_http_outgoing' || u === 'node:_http_common' },
  { part: 'hub code (resolvers, services, tenant guard, read rules)', test: (u) => /\/dist\/src\//.test(u) },
  { part: 'sockets and streams (Node core)', test: (u) => /^node:(net|stream|internal\/stream|internal\/streams)/.test(u) },
];

/**
 * `window`: the load's start and end on the monotonic clock in microseconds (process.hrtime), the clock
 * V8 stamps its samples with on Linux; samples outside it (start-up, shutdown) are left out.
 */
export function summariseProfile(file: string, requests: number, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = partOf.get(id);
    if (known) return known;
    const n = byId.get(id)!;
    const { url, functionName } = n.callFrame;
    let part: string;
    if (functionName === '(idle)') part = 'idle';
    else if (functionName === '(program)') part = 'V8 and Node runtime';
    else {
      const hit = PARTS.find((x) => x.test(url, functionName));
      const up = parent.get(id);
      // A frame of no known part (a native function, Node's own internals): its caller's part.
      part = hit ? hit.part : up !== undefined && byId.get(up)!.callFrame.functionName !== '(root)' ? classify(up) : 'other (Node core, other libraries)';
    }
    partOf.set(id, part);
    return part;
  };
  const at: number[] = [];
  let clock = p.startTime;
  for (let i = 0; i < p.samples.length; i++) at.push((clock += p.timeDeltas[i] ?? 0));
  const windowed = !!window && at.some((t) => t >= window.fromUs && t <= window.toUs);
  const totals = new Map<string, number>();
  let sampled = 0;
  for (let i = 0; i < p.samples.length; i++) {
    if (windowed && (at[i] < window!.fromUs || at[i] > window!.toUs)) continue;
    const us = p.timeDeltas[i] ?? 0;
    sampled += us;
    const part = classify(p.samples[i]);
    totals.set(part, (totals.get(part) ?? 0) + us);
  }
  const idle = totals.get('idle') ?? 0;
  totals.delete('idle');
  const busy = sampled - idle;
  const parts = [...totals]
    .sort((a, b) => b[1] - a[1])
    .map(([part, us]) => ({ part, ms: Math.round(us / 1000), percent: Math.round((1000 * us) / busy) / 10, msPerRequest: Math.round(us / requests / 10) / 100 }));
  return { requests, windowed, sampledMs: Math.round(sampled / 1000), busyMs: Math.round(busy / 1000), busyMsPerRequest: Math.round(busy / requests / 10) / 100, parts };
}
