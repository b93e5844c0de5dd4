import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import http from 'node:http';
import { startTestHub, TestHub } from '../harness/hub';

/** HTTP behaviour integrators meet before GraphQL: CORS, compression, security headers, 404s, the explorer. */
const DASHBOARD = 'https://dashboard.example.com';
let t: TestHub;
let base: string;
beforeAll(async () => {
  t = await startTestHub({ http: { corsOrigins: [DASHBOARD, 'http://localhost:5173'] } });
  base = new URL(t.url).origin;
});
afterAll(async () => {
  await t.stop();
});

/** A raw request: fetch would decompress bodies and hide the content-encoding the server chose. */
function raw(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const preflight = (origin: string) =>
  raw('/graphql', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });

const REPORT = `{ coverage(framework: "iso42001") { requirements(first: 100) { nodes { requirement { ref title } status } } } }`;
const post = (body: unknown, headers: Record<string, string> = {}) =>
  raw('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}`, ...headers }, body: JSON.stringify(body) });

describe('CORS', () => {
  it('a preflight from a listed origin: 204 with the origin, methods and headers', async () => {
    const res = await preflight(DASHBOARD);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(DASHBOARD);
    expect(res.headers['access-control-allow-methods']).toBe('GET,POST,OPTIONS');
    const allowed = String(res.headers['access-control-allow-headers']).split(',');
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'apollo-require-preflight']));
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('a preflight from another origin: no CORS headers, and not a 400', async () => {
    const res = await preflight('https://evil.example.net');
    expect(res.status).toBe(204);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('the real request from a listed origin carries the origin and exposes the request id', async () => {
    const res = await post({ query: '{ frameworks { key } }' }, { origin: DASHBOARD });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(DASHBOARD);
    expect(String(res.headers['access-control-expose-headers'])).toContain('x-request-id');
    const other = await post({ query: '{ frameworks { key } }' }, { origin: 'https://evil.example.net' });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('compression', () => {
  it('a large report goes out gzip-compressed when asked, and decompresses to the JSON', async () => {
    const res = await post({ query: REPORT }, { 'accept-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    const json = JSON.parse(gunzipSync(res.body).toString('utf8'));
    expect(json.errors).toBeUndefined();
    expect(json.data.coverage.requirements.nodes.length).toBeGreaterThan(30);
    expect(res.body.length).toBeLessThan(gunzipSync(res.body).length / 3);
  });

  it('brotli when preferred; nothing for small answers or clients that do not ask', async () => {
    const br = await post({ query: REPORT }, { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(JSON.parse(brotliDecompressSync(br.body).toString('utf8')).data.coverage).toBeDefined();
    const small = await raw('/healthz', { headers: { 'accept-encoding': 'gzip' } });
    expect(small.headers['content-encoding']).toBeUndefined();
    const plain = await post({ query: REPORT }, { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString('utf8')).data.coverage).toBeDefined();
  });
});

describe('security headers and unknown routes', () => {
  it('every answer carries the security headers', async () => {
    for (const res of [await raw('/healthz'), await post({ query: '{ frameworks { key } }' }), await raw('/graphiql')]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(res.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('an unknown route answers JSON 404 in the API error shape', async () => {
    for (const [method, path] of [['GET', '/nope'], ['POST', '/api'], ['GET', '/favicon.ico'], ['POST', '/graphql/x'], ['GET', '/graphql/v1/schema']] as const) {
      const res = await raw(path, { method, headers: { accept: 'text/html' } });
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(res.body.toString('utf8'));
      expect(body.errors[0].extensions).toEqual({ code: 'NOT_FOUND' });
      expect(body.errors[0].message).toMatch(/^Not found/);
    }
  });
});

describe('explorer', () => {
  it('GraphiQL is served from the package: no other host, no inline script, its assets load', async () => {
    for (const path of ['/graphiql', '/graphql']) {
      const res = await raw(path, { headers: { accept: 'text/html,application/xhtml+xml' } });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      const html = res.body.toString('utf8');
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).not.toMatch(/<script>/);
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(assets).toHaveLength(5);
      for (const asset of assets) {
        expect(asset.startsWith('/graphiql/assets/')).toBe(true);
        const a = await raw(asset);
        expect(a.status).toBe(200);
        expect(a.body.length).toBeGreaterThan(100);
      }
    }
  });

  it('GET /graphql with an operation still runs it; a GET without one from a program is not the page', async () => {
    const res = await raw(`/graphql?query=${encodeURIComponent('{ frameworks { key } }')}`, { headers: { authorization: `Bearer ${t.token}`, 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString('utf8')).data.frameworks.length).toBeGreaterThan(0);
    const program = await raw('/graphql', { headers: { accept: 'application/json' } });
    expect(program.headers['content-type']).not.toMatch(/text\/html/);
  });
});

describe('schema', () => {
  it('the date scalars name their specification', async () => {
    const d = await t.data(`{ dt: __type(name: "DateTime") { specifiedByURL } ld: __type(name: "LocalDate") { specifiedByURL } }`);
    expect(d.dt.specifiedByURL).toMatch(/rfc3339/);
    expect(d.ld.specifiedByURL).toMatch(/iso-8601/);
  });
});
