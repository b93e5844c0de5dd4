import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request a receiver got, with what it answered ('hang': no answer until the connection closed). */
export interface Received {
  id: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  answer: number | 'hang';
  at: number;
}

/** How a receiver answers the nth request (from 0): a status, or 'hang'. */
export type Behaviour = (r: Omit<Received, 'answer'>, n: number) => number | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  /** Requests answered 2xx. */
  acked: () => Received[];
  /** Events of the acknowledged requests, parsed. */
  events: () => any[];
  behave: (b: Behaviour) => void;
  /** Stop listening (connections are then refused) and start again on the same port. */
  down: () => Promise<void>;
  up: () => Promise<void>;
  /** Resolves when the next request arrives. */
  next: () => Promise<Received>;
  close: () => Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1, recording every request. */
export async function startReceiver(behaviour: Behaviour = () => 200): Promise<Receiver> {
  let behave = behaviour;
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const waiting: ((r: Received) => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const base = { id: String(req.headers['webhook-id'] ?? ''), headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const answer = behave(base, received.length);
      const r = { ...base, answer };
      received.push(r);
      for (const w of waiting.splice(0)) w(r);
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end(answer >= 200 && answer < 300 ? 'ok' : `refused with ${answer}`);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const stop = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const acked = () => received.filter((r) => typeof r.answer === 'number' && r.answer >= 200 && r.answer < 300);
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    acked,
    events: () => acked().map((r) => JSON.parse(r.body)),
    behave: (b) => { behave = b; },
    down: stop,
    up: () => listen(port),
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}

/** Polls until check returns a value that is not undefined/false, or fails after timeoutMs. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
