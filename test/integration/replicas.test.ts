import { Client } from 'pg';
import { startTestHub, TestHub } from '../harness/hub';
import { startTestReplica } from '../harness/postgres';

/**
 * Read replicas (src/database/replicas.ts) on a real primary and a real streaming replica made with
 * pg_basebackup: queries read the replica, mutations the primary, a replica that goes away or falls
 * behind is left out without failing a request, and reads come back to it when it is well again.
 */
let t: TestHub;
let replicaAdmin: Client;
const MAX_LAG_MS = 400;
const METRICS_TOKEN = 'replicas-test-metrics-token';
const metrics = async () => (await fetch(t.url.replace(/\/graphql$/, '/metrics'), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();

beforeAll(async () => {
  t = await startTestHub({ replica: { make: startTestReplica, maxLagMs: MAX_LAG_MS, checkMs: 100 }, http: { metricsToken: METRICS_TOKEN } });
  replicaAdmin = await adminOfReplica();
}, 120_000);
afterAll(async () => {
  await replicaAdmin?.end().catch(() => undefined);
  await t?.stop();
});

/** The test's own superuser session on the replica; a replica shutdown ends it without failing the test. */
async function adminOfReplica(): Promise<Client> {
  const client = new Client({ connectionString: t.replica!.urlFor('postgres') });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
const database = () => new URL(t.appUrl).pathname.slice(1);
const SUMMARY = `{ coverageSummary { framework { key } totals { covered gap } } }`;
const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
};
const readFrom = async () => (await t.gql(SUMMARY)).extensions?.readFrom?.node;

describe('read replicas', () => {
  it('queries read the replica, as its own statistics show; mutations write and read the primary', async () => {
    await until('the replica is in reads', async () => (await readFrom()) === 'replica-1');
    const commits = async () => {
      const { rows: [row] } = await replicaAdmin.query(`SELECT xact_commit::int AS n FROM pg_stat_database WHERE datname = $1`, [database()]);
      return row.n as number;
    };
    // The replica's own count of committed transactions in the hub's database: every query request is one.
    await replicaAdmin.query(`SELECT pg_stat_clear_snapshot()`);
    const before = await commits();
    for (let i = 0; i < 20; i++) {
      const res = await t.gql(SUMMARY);
      expect(res.errors).toBeUndefined();
      expect(res.extensions?.readFrom).toEqual({ node: 'replica-1', lagMs: expect.any(Number), asOf: expect.any(String) });
      expect(res.extensions!.readFrom.lagMs).toBeLessThanOrEqual(MAX_LAG_MS);
    }
    const first = await t.gql(SUMMARY);
    await until('the replica counted the 20 reads', async () => {
      await replicaAdmin.query(`SELECT pg_stat_clear_snapshot()`);
      return (await commits()) >= before + 20;
    });
    // and the hub's sessions there are the application role's
    const { rows: sessions } = await replicaAdmin.query(`SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1`, [database()]);
    expect(sessions.map((s) => s.usename)).toEqual(['hub_app']);

    // A write and the reads of the same request: on the primary, and the request sees what it wrote.
    const res = await t.gql(`mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) { outcome evidence { id title links { requirement { ref } } } } }`, {
      input: { sourceSystem: 'replica-test', externalId: 'w-1', title: 'Written then read', kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z', links: [{ framework: 'iso27001', ref: '7.2' }] },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.upsertEvidence).toMatchObject({ outcome: 'CREATED', evidence: { title: 'Written then read', links: [{ requirement: { ref: '7.2' } }] } });
    expect(res.extensions?.readFrom.node).toBe('primary');
    // The same token reads right after: a replica only if it has replayed that write, else the primary.
    const id = res.data.upsertEvidence.evidence.id;
    for (let i = 0; i < 5; i++) {
      const again = await t.gql(`query($id: ID!) { evidence(id: $id) { title } }`, { id });
      expect(again.errors).toBeUndefined();
      expect(again.data.evidence).toEqual({ title: 'Written then read' });
    }
    // A caller can ask for the primary; the coverage rollup the replica replayed reads the same there.
    const onPrimary = async () => fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}`, 'x-hub-read-from': 'primary' },
      body: JSON.stringify({ query: SUMMARY }),
    }).then((r) => r.json() as Promise<{ data: unknown; extensions: { readFrom: { node: string } } }>);
    const forced = await onPrimary();
    expect(forced.extensions.readFrom.node).toBe('primary');
    const gap = (d: any) => d.coverageSummary.find((f: any) => f.framework.key === 'iso27001').totals;
    // 7.2 is now evidenced: one gap fewer than before the write (the sum of 27001's totals does not move).
    await until('a replica read of the new coverage', async () => {
      const res = await t.gql(SUMMARY);
      return res.extensions?.readFrom.node === 'replica-1' && JSON.stringify(res.data) === JSON.stringify(forced.data);
    });
    expect(gap(forced.data).gap).toBe(gap(first.data).gap - 1);
  });

  it('a replica that stops mid-run fails no request; reads come back when it restarts', async () => {
    await until('the replica is in reads', async () => (await readFrom()) === 'replica-1');
    const seen: string[] = [];
    const errors: unknown[] = [];
    let running = true;
    // Four clients read without pause while the replica is shut down and started again.
    const client = async () => {
      while (running) {
        const res = await t.gql(`{ coverageSummary { framework { key } totals { covered gap partial } } frameworks { key requirementCount } }`);
        if (res.errors || res.status !== 200) errors.push(res.errors ?? res.status);
        else seen.push(res.extensions?.readFrom.node);
      }
    };
    const clients = [client(), client(), client(), client()];
    await until('some reads on the replica', async () => seen.includes('replica-1'));
    // Shut it down while a request has its transaction open there.
    await until('a request in its transaction on the replica', async () => (await replicaAdmin.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'hub_app' AND state IN ('active', 'idle in transaction')`)).rows[0].n > 0, 20_000);
    await t.replica!.halt();
    const atHalt = seen.length;
    await until('reads on the primary', async () => seen.slice(atHalt).includes('primary'));
    await new Promise((r) => setTimeout(r, 500));
    t.replica!.resume();
    // reconnect the test's own session, which the shutdown ended
    await replicaAdmin.end().catch(() => undefined);
    replicaAdmin = await adminOfReplica();
    const atResume = seen.length;
    await until('reads back on the replica', async () => seen.slice(atResume).includes('replica-1'), 30_000);
    running = false;
    await Promise.all(clients);
    expect(errors).toEqual([]);
    // Requests were reading the replica when it went down: they moved to the primary and answered.
    expect(t.replicas!.replicas[0].moved).toBeGreaterThan(0);
  }, 90_000);

  it(`a replica more than HUB_MAX_REPLICA_LAG_MS (${MAX_LAG_MS} ms) behind is left out until it catches up`, async () => {
    await until('the replica is in reads', async () => (await readFrom()) === 'replica-1');
    await replicaAdmin.query(`SELECT pg_wal_replay_pause()`);
    try {
      // The primary moves on; the paused replica does not.
      await t.data(`mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) { outcome } }`, {
        input: { sourceSystem: 'replica-test', externalId: 'lag-1', title: 'While the replica is paused', kind: 'RECORD', effectiveAt: '2026-01-01T00:00:00Z', links: [] },
      });
      // This token wrote what the replica has not replayed: its reads go to the primary at once.
      expect(await readFrom()).toBe('primary');
      const replica = t.replicas!.replicas[0];
      await until('the lagging replica is out', async () => !replica.up);
      expect(await readFrom()).toBe('primary');
      expect(replica.lagMs).toBeGreaterThan(MAX_LAG_MS);
      expect(replica.lastError).toMatch(/^lag \d+ ms is over 400 ms$/);
      const text = await metrics();
      expect(text).toMatch(/^hub_replica_up\{replica="replica-1"\} 0$/m);
      expect(Number(/^hub_replica_lag_seconds\{replica="replica-1"\} (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(MAX_LAG_MS / 1000);
    } finally {
      await replicaAdmin.query(`SELECT pg_wal_replay_resume()`);
    }
    await until('the replica caught up and is read again', async () => (await readFrom()) === 'replica-1');
    expect(await metrics()).toMatch(/^hub_replica_up\{replica="replica-1"\} 1$/m);
  }, 60_000);
});
