import { startTestHub, TestHub } from '../harness/hub';
import { TokenService } from '../../src/modules/auth/token.service';
import { OrganizationService } from '../../src/modules/organization/organization.service';
import { Role } from '../../src/modules/auth/role';

/**
 * Bounded work: exports read whole programmes, and 24 of them at once from one ANALYST must not starve
 * everyone else. The hub gives exports 2 slots (HUB_HEAVY_CONCURRENCY) and a statement timeout of their
 * own; a cheap request from another token is answered within the pool wait bound (HUB_POOL_WAIT_MS).
 */
const POOL_WAIT_MS = 5_000;
const HEAVY_TIMEOUT_MS = 4_000;
let t: TestHub;
let analyst: string;
let viewer: string;

beforeAll(async () => {
  t = await startTestHub({ work: { heavyConcurrency: 2, poolWaitMs: POOL_WAIT_MS, heavyStatementTimeoutMs: HEAVY_TIMEOUT_MS, statementTimeoutMs: 2_000 } });
  const tokens = new TokenService(t.ds, new OrganizationService(t.ds));
  analyst = (await tokens.createForSlug('test-org', Role.ANALYST, 'exporter')).token;
  viewer = (await tokens.createForSlug('test-org', Role.VIEWER, 'dashboard')).token;
  await tenThousandItems(t);
}, 60_000);
afterAll(async () => {
  await t.stop();
});

/** 10,000 accepted evidence items of the test organization, each linked to one 27001 requirement. */
async function tenThousandItems(t: TestHub): Promise<void> {
  const [{ id: org }] = await t.ds.query(`SELECT id FROM organization WHERE slug = 'test-org'`);
  await t.ds.query(
    `INSERT INTO evidence (organization_id, source_system, external_id, title, kind, effective_at, status, created_by)
     SELECT $1, 'bulk', 'b-' || g, 'Evidence ' || g, 'RECORD', '2026-01-01', 'ACCEPTED', 'fixture' FROM generate_series(1, 10000) g`, [org]);
  await t.ds.query(
    `INSERT INTO evidence_link (organization_id, evidence_id, requirement_id, coverage, linked_by)
     SELECT e.organization_id, e.id, r.id, 'FULL', 'fixture'
     FROM (SELECT id, organization_id, row_number() OVER (ORDER BY id) AS n FROM evidence WHERE source_system = 'bulk') e
     JOIN (SELECT r.id, row_number() OVER (ORDER BY r.position) - 1 AS n, count(*) OVER () AS total
           FROM requirement r JOIN framework f ON f.id = r.framework_id WHERE f.key = 'iso27001' AND r.assessable) r ON r.n = e.n % r.total`);
}

it('24 concurrent exports: a cheap request from another token is answered within the bound, and no statement outlives its timeout', async () => {
  const base = t.url.replace(/\/graphql$/, '');
  let longest = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const [row] = await t.ds.query(
        `SELECT coalesce(max(extract(epoch FROM clock_timestamp() - query_start) * 1000), 0)::int AS ms
         FROM pg_stat_activity WHERE usename = 'hub_app' AND state = 'active'`);
      longest = Math.max(longest, row.ms);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  try {
    const exports = Array.from({ length: 24 }, (_, i) =>
      i % 2
        ? fetch(`${base}/export/oscal/assessment-results/iso27001.json`, { headers: { authorization: `Bearer ${analyst}` } })
        : fetch(t.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst}` },
            body: JSON.stringify({ query: `{ exportOscal(kind: ASSESSMENT_RESULTS, framework: "iso27001") }` }),
          }));
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const cheap = await t.gql(`{ frameworks { key } }`, undefined, { token: viewer });
    const cheapMs = Date.now() - started;
    const answers = await Promise.all(exports.map(async (pending) => {
      const res = await pending;
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
    }));

    expect(cheap.status).toBe(200);
    expect(cheap.data.frameworks).toHaveLength(4);
    expect(cheapMs).toBeLessThan(POOL_WAIT_MS);
    // Each export is served, or refused as busy with a Retry-After; none fails otherwise.
    for (const a of answers) {
      if (a.status === 503) {
        expect([a.retryAfter, a.body.errors[0].extensions.code]).toEqual(['2', 'SERVICE_UNAVAILABLE']);
      } else {
        expect(a.status).toBe(200);
        expect(a.body.errors).toBeUndefined();
      }
    }
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(2);
    // The sampler sees statements while they run; none ran past the export timeout (plus sampling slack).
    expect(longest).toBeLessThan(HEAVY_TIMEOUT_MS + 500);
  } finally {
    sampling = false;
    await sampler;
  }
}, 120_000);

/** A trigger that sleeps on every new AI system: a stand-in for a runaway statement. */
async function slowInserts(hub: TestHub, seconds: number): Promise<void> {
  await hub.ds.query(`CREATE FUNCTION public.hub_test_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(${seconds}); RETURN NEW; END $$`);
  await hub.ds.query(`CREATE TRIGGER tr_hub_test_slow BEFORE INSERT ON ai_system FOR EACH ROW EXECUTE FUNCTION public.hub_test_slow()`);
}

it('a statement past the timeout is stopped and answered TIMEOUT, and nothing of the call is kept', async () => {
  const slow = await startTestHub({ work: { statementTimeoutMs: 200 } });
  try {
    await slowInserts(slow, 1);
    const res = await slow.gql(`mutation { registerAiSystem(input: { name: "Slow" }) { id } }`);
    expect(res.errors?.[0].extensions?.code).toBe('TIMEOUT');
    expect(await slow.ds.query(`SELECT id FROM ai_system WHERE name = 'Slow'`)).toEqual([]);
    const event = await slow.ds.query(`SELECT outcome FROM audit_event WHERE operation = 'registerAiSystem'`);
    expect(event).toEqual([{ outcome: 'TIMEOUT' }]);
  } finally {
    await slow.stop();
  }
});

it('a client that goes away has its running statement cancelled, and its mutation keeps nothing', async () => {
  const slow = await startTestHub();
  try {
    await slowInserts(slow, 10);
    const running = async () => (await slow.ds.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'hub_app' AND state = 'active' AND query ILIKE '%INSERT INTO ai_system%'`))[0].n;
    const gone = new AbortController();
    const call = fetch(slow.url, {
      method: 'POST', signal: gone.signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${slow.token}` },
      body: JSON.stringify({ query: `mutation { registerAiSystem(input: { name: "Abandoned" }) { id } }` }),
    }).catch((err: Error) => err.name);
    let seen = 0;
    for (let i = 0; i < 100 && !seen; i++) {
      seen = await running();
      if (!seen) await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toBe(1);
    gone.abort();
    expect(await call).toBe('AbortError');
    // Well before the 10 s sleep ends, the statement is gone.
    let left = 1;
    for (let i = 0; i < 100 && left; i++) {
      await new Promise((r) => setTimeout(r, 20));
      left = await running();
    }
    expect(left).toBe(0);
    expect(await slow.ds.query(`SELECT id FROM ai_system WHERE name = 'Abandoned'`)).toEqual([]);
    // Every connection went back to the pool clean (none left inside an aborted transaction).
    await slow.ds.query(`DROP TRIGGER tr_hub_test_slow ON ai_system`);
    for (let i = 0; i < 8; i++) {
      const next = await slow.gql(`mutation($n: String!) { registerAiSystem(input: { name: $n }) { name } }`, { n: `Next ${i}` });
      expect(next.errors).toBeUndefined();
    }
  } finally {
    await slow.stop();
  }
}, 60_000);

it('an export costs the rows it reads in the complexity limit; the streamed HTTP export has no such limit', async () => {
  const small = await startTestHub({ limits: { maxComplexity: 10_000 } });
  try {
    await tenThousandItems(small);
    const [{ n: requirements }] = await small.ds.query(`SELECT count(*)::int AS n FROM requirement r JOIN framework f ON f.id = r.framework_id WHERE f.key = 'iso27001'`);
    expect(requirements).toBe(138);
    const res = await small.gql(`{ exportOscal(kind: ASSESSMENT_RESULTS, framework: "iso27001") }`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toEqual({
      message: 'This export reads about 10138 rows, more than the limit of 10000 per operation; GET /export/oscal/... streams it instead',
      extensions: { code: 'QUERY_TOO_COMPLEX', complexity: 10_138, maxComplexity: 10_000 },
    });
    // The catalog reads its 138 requirements: well within the limit.
    expect((await small.gql(`{ exportOscal(kind: CATALOG, framework: "iso27001") }`)).errors).toBeUndefined();
    const streamed = await fetch(small.url.replace(/\/graphql$/, '/export/oscal/assessment-results/iso27001.json'), { headers: { authorization: `Bearer ${small.token}` } });
    expect(streamed.status).toBe(200);
    const doc = (await streamed.json()) as any;
    expect(doc['assessment-results'].results[0].observations).toHaveLength(10_000);
  } finally {
    await small.stop();
  }
}, 60_000);
