import type { ChildProcess } from 'node:child_process';
import { startTestHub, TestHub } from '../harness/hub';
import { freePort, startHubProcess } from '../harness/process';

/**
 * The hub as a real process (the build in dist/, which `npm test` makes first), killed with SIGKILL at
 * random points while bulk calls run: every evidence item that was committed has its audit event, no
 * event names an item that was not, and every acknowledged call is stored whole.
 */
let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

const startProcess = async (port: number): Promise<ChildProcess> =>
  (await startHubProcess(t.appUrl, { HUB_RATE_LIMIT_PER_MINUTE: '0', HUB_ROLLUP_REFRESH_SECONDS: '0' }, port)).child;

/** A fixed-seed generator: the kill points differ per round and are the same on every run. */
function lcg(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const BULK = `mutation($i: BulkUpsertEvidenceInput!) { bulkUpsertEvidence(input: $i) { created failed } }`;

it('kill -9 during 20 bulk calls (or more): every committed item has its audit event, and no event names an uncommitted one', async () => {
  const random = lcg(11);
  const acknowledged: string[][] = [];
  let interrupted = 0;
  // Five rounds of four calls; if the kills all fell before or all after the commits (a machine much
  // faster or slower than expected), a few more rounds, so both cases are really exercised.
  let committedCalls = 0;
  for (let round = 0; round < 5 || ((interrupted === 0 || committedCalls === 0) && round < 10); round++) {
    const port = await freePort();
    const child = await startProcess(port);
    const exited = new Promise((r) => child.once('exit', r));
    const calls = Array.from({ length: 4 }, async (_, c) => {
      const ids = Array.from({ length: 250 }, (_, k) => `k-${round}-${c}-${k}`);
      const items = ids.map((externalId) => ({
        sourceSystem: 'kill9', externalId, title: externalId, kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z', status: 'ACCEPTED',
        links: [{ framework: 'iso27001', ref: 'A.5.1' }, { framework: 'iso42001', ref: 'A.2.2' }],
      }));
      try {
        const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` },
          body: JSON.stringify({ query: BULK, variables: { i: { items } } }),
        });
        const body = (await res.json()) as any;
        if (body.data?.bulkUpsertEvidence?.created === 250) acknowledged.push(ids);
      } catch {
        interrupted++;
      }
    });
    await new Promise((r) => setTimeout(r, 50 + random() * 2_000));
    child.kill('SIGKILL');
    await Promise.all(calls);
    await exited;
    committedCalls = (await t.ds.query(`SELECT count(*)::int AS n FROM evidence WHERE source_system = 'kill9'`))[0].n / 250;
  }

  const committed: { id: string; external_id: string }[] = await t.ds.query(`SELECT id, external_id FROM evidence WHERE source_system = 'kill9'`);
  const unaudited = await t.ds.query(
    `SELECT e.external_id FROM evidence e WHERE e.source_system = 'kill9'
       AND NOT EXISTS (SELECT 1 FROM audit_event a WHERE a.operation = 'bulkUpsertEvidence' AND e.id::text = ANY(a.touched_ids))`);
  const phantom = await t.ds.query(
    `SELECT a.id FROM audit_event a, unnest(a.touched_ids) AS touched(id)
     WHERE a.operation = 'bulkUpsertEvidence' AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.id::text = touched.id)`);
  const linksPerItem = await t.ds.query(
    `SELECT count(*)::int AS n FROM evidence e WHERE e.source_system = 'kill9' AND (SELECT count(*) FROM evidence_link l WHERE l.evidence_id = e.id) <> 2`);

  // The kills hit both before and after commits: some calls were cut off, some items were committed.
  expect(interrupted).toBeGreaterThan(0);
  expect(committed.length).toBeGreaterThan(0);
  expect(unaudited).toEqual([]);
  expect(phantom).toEqual([]);
  expect(linksPerItem[0].n).toBe(0);
  // Bulk calls commit whole: 250 items or none.
  expect(committed.length % 250).toBe(0);
  const stored = new Set(committed.map((r) => r.external_id));
  for (const ids of acknowledged) expect(ids.every((id) => stored.has(id))).toBe(true);
}, 120_000);
