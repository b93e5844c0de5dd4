import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Target } from './outbound-address';

export const USER_AGENT = 'control-mapping-hub-webhooks/1';
/** The response bytes kept in the delivery log. */
export const EXCERPT_BYTES = 1024;
/** Read at most this much of a response; the rest is not waited for. */
const READ_BYTES = 64 * 1024;

export interface SendOutcome {
  /** 2xx: the receiver has the event. */
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  excerpt: string | null;
}

/** Text that fits the log: no NUL (PostgreSQL text cannot hold it), at most `bytes` of UTF-8. */
export function excerptOf(raw: Buffer, bytes = EXCERPT_BYTES): string {
  let text = raw.subarray(0, bytes).toString('utf8').replace(/\u0000/g, '');
  // A character cut in half decodes as U+FFFD, three bytes: trim until it fits.
  while (Buffer.byteLength(text) > bytes) text = text.slice(0, -1);
  return text;
}

/**
 * One POST of a delivery, to the address that was checked (the connection never resolves the name
 * again, so a DNS answer that changes between check and connect cannot aim it elsewhere). TLS still
 * verifies the certificate against the URL's host. Redirects are not followed: a 3xx is a failure that
 * says where it pointed. `signal` ends the attempt, connect to last byte read.
 */
export function postJson(url: URL, target: Target, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<SendOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const pinned: LookupFunction = (_host, options, callback) => {
    // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily); there is one.
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Omit<SendOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...o, durationMs: elapsed() });
    };
    const failed = (err: Error) => {
      const code = (err as NodeJS.ErrnoException).code;
      const aborted = signal.aborted || err.name === 'AbortError';
      const reason = signal.reason as Error | undefined;
      const message = aborted
        ? reason?.name === 'TimeoutError' ? 'no complete response within the timeout' : 'the attempt was stopped'
        : code === 'ECONNREFUSED' ? 'connection refused'
          : code ? `${code}: ${err.message}` : err.message;
      done({ ok: false, statusCode: null, error: message.slice(0, 1000), excerpt: null });
    };
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': USER_AGENT },
      lookup: pinned,
      signal,
      agent: false,
    }, (res) => {
      const chunks: Buffer[] = [];
      let read = 0;
      const finish = () => {
        const status = res.statusCode ?? 0;
        const excerpt = excerptOf(Buffer.concat(chunks)) || null;
        if (status >= 200 && status < 300) done({ ok: true, statusCode: status, error: null, excerpt });
        else if (status >= 300 && status < 400) {
          const where = String(res.headers.location ?? '(no location)').slice(0, 300);
          done({ ok: false, statusCode: status, error: `HTTP ${status}: redirect to ${where} not followed (webhooks never follow redirects)`, excerpt });
        } else done({ ok: false, statusCode: status, error: `HTTP ${status}`, excerpt });
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        read += chunk.length;
        if (read >= READ_BYTES) finish();
      });
      res.on('end', finish);
      res.on('error', failed);
    });
    request.on('error', failed);
    request.end(body);
  });
}
