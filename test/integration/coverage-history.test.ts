import { TestHub, declareIntegratedCompetence, startTestHub, tokenFor } from '../harness/hub';
import { Role } from '../../src/modules/auth/role';
import { CoverageService } from '../../src/modules/coverage/coverage.service';
import { MappingClosureService } from '../../src/modules/mapping/mapping-closure.service';
import { MappingGraphService } from '../../src/modules/mapping/mapping-graph.service';

/**
 * History at speed: a past report and a trend read the status history the coverage flush keeps; they
 * must say exactly what a recount from the links says at that moment. The changes here are all anchored
 * in time (links made and ended, evidence that expires or becomes effective, decisions, rejections,
 * a mapping graph change), the kind a recount of the past replays; a later review of evidence is not
 * (a recount applies today's status to the past, history keeps what held then), so there is none.
 */
const UPSERT = `mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) { outcome evidence { id } } }`;
const FRAMEWORKS = ['iso42001', 'iso27001', 'nist-ai-rmf', 'eu-ai-act'];
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ev = (externalId: string, links: { framework: string; ref: string; coverage?: string }[], over: Record<string, unknown> = {}) => ({
  sourceSystem: 'grc', externalId, title: externalId, kind: 'PROCEDURE', effectiveAt: '2026-01-01T00:00:00Z', status: 'ACCEPTED', links, ...over,
});

describe('coverage history', () => {
  let t: TestHub;
  let org: string;
  beforeAll(async () => {
    t = await startTestHub({ events: { workers: true, schedulerSeconds: 1 } });
    [{ id: org }] = await t.ds.query(`SELECT id FROM organization WHERE slug = 'test-org'`);
    await declareIntegratedCompetence(t);
    // Changes half a second apart, so each state lasts long enough to be read; E2 becomes effective and
    // E1 expires between writes.
    const t0 = Date.now();
    const soon = (ms: number) => new Date(t0 + ms).toISOString();
    const gap = () => pause(500);
    await gap();
    await t.data(UPSERT, { input: ev('E1', [{ framework: 'iso27001', ref: '7.2' }], { validUntil: soon(3700) }) });
    await gap();
    await t.data(UPSERT, { input: ev('E2', [{ framework: 'iso27001', ref: 'A.5.1', coverage: 'PARTIAL' }], { effectiveAt: soon(2700) }) });
    await gap();
    await t.data(UPSERT, { input: ev('E3', [{ framework: 'iso42001', ref: '6.1.2' }], { status: 'DRAFT' }) });
    await gap();
    await t.data(`mutation { setApplicability(input: { framework: "iso42001", ref: "A.10.3", applicability: NOT_APPLICABLE, justification: "No third-party AI suppliers" }) { applicability } }`);
    await gap();
    const e4 = (await t.data(UPSERT, { input: ev('E4', [{ framework: 'iso27001', ref: 'A.8.15' }, { framework: 'iso27001', ref: 'A.5.24' }]) })).upsertEvidence.evidence.id;
    await gap();
    const pre = await t.data(`{ prefill(from: "iso27001", to: "iso42001") { requirements { requirement { ref } contributions { link { evidence { id } } } } } }`);
    const target = pre.prefill.requirements.find((r: any) => r.contributions.some((c: any) => c.link.evidence.id === e4));
    expect(target).toBeDefined();
    await t.data(`mutation($e: ID!, $ref: String!) { rejectPrefill(input: { evidenceId: $e, framework: "iso42001", ref: $ref, reason: "Logging is not AI event logging" }) { id } }`, { e: e4, ref: target.requirement.ref });
    await gap();
    await t.data(`mutation($e: ID!) { unlinkEvidence(input: { evidenceId: $e, framework: "iso27001", ref: "A.5.24" }) { __typename } }`, { e: e4 });
    await gap();
    // Past E1's expiry and E2's start, and the scheduler has accounted for them.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const [b] = await t.ds.query(`SELECT time_scanned_until FROM coverage_baseline WHERE organization_id = $1`, [org]);
      if (new Date(b.time_scanned_until).getTime() > Date.now() - 100) break;
      if (Date.now() > deadline) throw new Error('the scheduler did not account for time');
      await pause(200);
    }
  }, 60_000);
  afterAll(() => t.stop());

  /** Recount at a moment, as every report did before the history: the reports' own SQL over the links. */
  async function recount(asOf: Date, frameworkId: string): Promise<Map<string, string>> {
    const coverage = new CoverageService(t.ds);
    const graph = await new MappingGraphService(t.ds, new MappingClosureService(t.ds)).at(org, asOf);
    const rows = await coverage.statuses({ organizationId: org, asOf, maxDepth: 2, graph }, frameworkId);
    return new Map(rows.map((r) => [r.requirement.ref, r.status]));
  }

  it('past reports read from history equal a recount from the links, at random moments', async () => {
    const [b] = await t.ds.query(`SELECT since, time_scanned_until FROM coverage_baseline WHERE organization_id = $1`, [org]);
    const since = new Date(b.since).getTime();
    const until = new Date(b.time_scanned_until).getTime();
    // A write is dated when its transaction flushes, its links when it started: the few milliseconds
    // between belong to neither reading, so the 200 ms before each change are left out.
    const boundaries: number[] = (await t.ds.query(`SELECT DISTINCT valid_from FROM coverage_status_period WHERE organization_id = $1`, [org]))
      .map((r: { valid_from: Date }) => new Date(r.valid_from).getTime());
    // One random moment between each two consecutive changes (and after the last), so every state the
    // organization went through is compared, at a point chosen by a seeded generator (mulberry32).
    let seed = 42;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
    const edges = [...new Set([since, ...boundaries.filter((x) => x > since && x < until), until])].sort((a, b) => a - b);
    const moments: Date[] = [];
    for (let i = 0; i + 1 < edges.length; i++) {
      const room = edges[i + 1] - edges[i] - 200;
      if (room > 0) moments.push(new Date(edges[i] + Math.floor(random() * room)));
    }
    expect(moments.length).toBeGreaterThanOrEqual(6);
    const frameworks: { id: string; key: string }[] = await t.ds.query(`SELECT id, key FROM framework WHERE key = ANY($1)`, [FRAMEWORKS]);
    const seen = new Set<string>();
    const compare = async () => {
      let compared = 0;
      for (const asOf of moments) {
        for (const fw of frameworks) {
          const d = await t.data(`query($fw: String!, $asOf: DateTime!) { coverage(framework: $fw, asOf: $asOf) { fromHistory
            requirements(first: 200) { nodes { status requirement { ref } } } } }`, { fw: fw.key, asOf: asOf.toISOString() });
          expect(d.coverage.fromHistory).toBe(true);
          const fromHistory = new Map<string, string>(d.coverage.requirements.nodes.map((n: any) => [n.requirement.ref, n.status]));
          const expected = await recount(asOf, fw.id);
          expect([...fromHistory]).toEqual([...expected].slice(0, fromHistory.size));
          if (expected.size <= 200) expect(fromHistory.size).toBe(expected.size);
          for (const s of expected.values()) seen.add(s);
          compared++;
        }
      }
      return compared;
    };
    const compared = await compare();
    expect(compared).toBe(moments.length * 4);
    // The moments saw the changes: expiry (STALE), effectiveness, pending, decisions and pre-fills.
    expect([...seen].sort()).toEqual(['COVERED', 'GAP', 'NOT_APPLICABLE', 'PARTIAL', 'PENDING', 'PREFILLED', 'STALE']);

    // Rebuilt from the data alone (as for data that predates the history), it says the same at the same moments.
    const rebuilt = await t.data(`mutation($since: DateTime!) { rebuildCoverageHistory(since: $since) { moments periods } }`, { since: new Date(since).toISOString() });
    expect(rebuilt.rebuildCoverageHistory.moments).toBeGreaterThanOrEqual(8);
    expect(rebuilt.rebuildCoverageHistory.periods).toBeGreaterThan(450);
    expect(await compare()).toBe(moments.length * 4);
    const viewer = await tokenFor(t, 'test-org', Role.EDITOR, 'editor');
    const refused = await t.gql(`mutation { rebuildCoverageHistory(since: "2026-01-01T00:00:00Z") { moments } }`, undefined, { token: viewer });
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('coverageTrend reads the history in one statement and agrees with recounts; the present and the time before history are recounted', async () => {
    const [b] = await t.ds.query(`SELECT since, time_scanned_until FROM coverage_baseline WHERE organization_id = $1`, [org]);
    const from = new Date(new Date(b.since).getTime() - 24 * 3600 * 1000);
    const res = await t.gql(`query($from: DateTime!) { coverageTrend(framework: "iso27001", from: $from, interval: DAY) {
      historySince points { at fromHistory totals { covered prefilled partial stale pending gap notApplicable assessable } } } }`, { from: from.toISOString() });
    expect(res.errors).toBeUndefined();
    const points = res.data.coverageTrend.points;
    expect(points.map((p: any) => p.fromHistory)).toEqual([false, true]);
    const [fw] = await t.ds.query(`SELECT id FROM framework WHERE key = 'iso27001'`);
    for (const p of points) {
      const expected = await recount(new Date(p.at), fw.id);
      const counts: Record<string, number> = { covered: 0, prefilled: 0, partial: 0, stale: 0, pending: 0, gap: 0, notApplicable: 0 };
      const key: Record<string, string> = { COVERED: 'covered', PREFILLED: 'prefilled', PARTIAL: 'partial', STALE: 'stale', PENDING: 'pending', GAP: 'gap', NOT_APPLICABLE: 'notApplicable' };
      for (const s of expected.values()) counts[key[s]]++;
      expect(p.totals).toEqual({ ...counts, assessable: 123 });
    }
    // A day before the history began: everything was a gap; a day later (within history, yesterday + 1 day = now-ish) agrees above.
    expect(points[0].totals.gap).toBe(123);
    // Trend points inside the history cost one statement however many there are. Nothing was linked in
    // the ten days before the history began, so the history may say so (all GAP), as a recount does.
    await t.ds.query(`UPDATE coverage_baseline SET since = since - interval '10 days' WHERE organization_id = $1`, [org]);
    const tenDays = new Date(new Date(b.since).getTime() - 10 * 24 * 3600 * 1000 + 60_000).toISOString();
    const q = `query($from: DateTime!, $to: DateTime) { coverageTrend(framework: "iso27001", from: $from, to: $to, interval: DAY) { points { at fromHistory totals { gap covered } } } }`;
    const many = await t.gql(q, { from: tenDays });
    const one = await t.gql(q, { from: tenDays, to: tenDays });
    const historical = many.data.coverageTrend.points.filter((p: any) => p.fromHistory);
    expect([historical.length, one.data.coverageTrend.points.length]).toEqual([10, 1]);
    expect(historical.every((p: any) => p.totals.gap === 123)).toBe(true);
    expect(many.data.coverageTrend.points).toHaveLength(10);
    expect(many.extensions?.sqlStatements).toBe(one.extensions?.sqlStatements);
  });
});
