import { startTestHub, TestHub } from '../harness/hub';
import { evidenceState, isLinkActive } from '../../src/modules/coverage/coverage.rules';
import { EvidenceStatus } from '../../src/modules/evidence/evidence.enums';
import { RollupService } from '../../src/modules/coverage/rollup.service';

/**
 * evidence_rollup is kept by triggers on every write path. These tests drive the real write paths
 * (bulk upsert, re-upsert with changes, review, link, unlink, deletion) and compare the rollup with
 * counts recomputed here from the raw rows with the pure rules of coverage.rules.
 */
let t: TestHub;
let org: string;
const systems: string[] = [];
const day = 86_400_000;

beforeAll(async () => {
  t = await startTestHub();
  for (const name of ['Chat assistant', 'Fraud scoring']) {
    const d = await t.data(`mutation($input: RegisterAiSystemInput!) { registerAiSystem(input: $input) { id } }`, {
      input: { name, intendedPurpose: 'test', euRoles: ['DEPLOYER'], riskClass: 'LIMITED_RISK', oversightModel: 'HUMAN_ON_THE_LOOP', lifecycleStage: 'DESIGN' },
    });
    systems.push(d.registerAiSystem.id);
  }
  [{ org }] = await t.ds.query(`SELECT organization_id AS org FROM ai_system WHERE id = $1`, [systems[0]]);
});
afterAll(async () => {
  await t.stop();
});

const UPSERT = `mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) { outcome evidence { id } } }`;
const BULK = `mutation($items: [UpsertEvidenceInput!]!) { bulkUpsertEvidence(input: { items: $items }) { created updated unchanged failed results { evidence { id } } } }`;
const KINDS = ['VALID:FULL', 'VALID:PARTIAL', 'STALE:FULL', 'STALE:PARTIAL', 'PENDING:FULL', 'PENDING:PARTIAL'];

/** Counts per (requirement, AI system) and per requirement over all systems (ALL) at `at`, from the raw rows and coverage.rules; zero rows left out. */
async function expectedCounts(at: Date): Promise<Record<string, number[]>> {
  const rows: { requirement_id: string; ai_system_id: string | null; coverage: string; linked_at: Date; unlinked_at: Date | null; status: EvidenceStatus; effective_at: Date; valid_until: Date | null }[] =
    await t.ds.query(`SELECT l.requirement_id, e.ai_system_id, l.coverage, l.linked_at, l.unlinked_at, e.status, e.effective_at, e.valid_until
                      FROM evidence_link l JOIN evidence e ON e.id = l.evidence_id WHERE l.organization_id = $1`, [org]);
  const out: Record<string, number[]> = {};
  for (const r of rows) {
    if (!isLinkActive({ linkedAt: r.linked_at, unlinkedAt: r.unlinked_at }, at)) continue;
    const state = evidenceState({ status: r.status, effectiveAt: r.effective_at, validUntil: r.valid_until }, at);
    if (state === null) continue;
    for (const key of [`${r.requirement_id}|${r.ai_system_id ?? '-'}`, `${r.requirement_id}|ALL`]) {
      out[key] ??= [0, 0, 0, 0, 0, 0];
      out[key][KINDS.indexOf(`${state}:${r.coverage}`)]++;
    }
  }
  return out;
}

/** The rollup rows whose window holds `at`, in the same shape; also how many rows are outside it. */
async function rollupCounts(at: Date): Promise<{ counts: Record<string, number[]>; outside: number }> {
  const rows: any[] = await t.ds.query(`SELECT * FROM evidence_rollup WHERE organization_id = $1`, [org]);
  const counts: Record<string, number[]> = {};
  let outside = 0;
  for (const r of rows) {
    if (!(r.fresh_from <= at && at < r.fresh_until)) {
      outside++;
      continue;
    }
    const c = [r.valid_full, r.valid_partial, r.stale_full, r.stale_partial, r.pending_full, r.pending_partial];
    if (c.some((n) => n !== 0)) counts[`${r.requirement_id}|${r.all_systems ? 'ALL' : r.ai_system_id ?? '-'}`] = c;
  }
  return { counts, outside };
}

const statusOf = async (ref: string, asOf?: Date) => {
  const d = await t.data(`query($asOf: DateTime) { coverage(framework: "iso27001", asOf: $asOf) { requirements(first: 200) { nodes { requirement { ref } status } } } }`, { asOf: asOf?.toISOString() });
  return d.coverage.requirements.nodes.find((n: any) => n.requirement.ref === ref).status as string;
};

describe('evidence_rollup', () => {
  it('equals the counts recomputed from the links after every kind of write', async () => {
    // seeded pseudo-random choices, so a failure reproduces
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
    const refs = ['5.1', '5.2', '6.1.2', 'A.5.1', 'A.5.2', 'A.5.15', 'A.8.15', 'A.8.16'];
    const now = Date.now();
    const item = (i: number) => {
      const effective = now - Math.floor(random() * 400) * day + (random() < 0.15 ? 30 * day : 0);
      const links = [...new Set([pick(refs), pick(refs), pick(refs)].slice(0, 1 + Math.floor(random() * 3)))];
      return {
        sourceSystem: 'rollup', externalId: `r-${i}`, title: `item ${i}`, kind: 'RECORD', effectiveAt: new Date(effective).toISOString(),
        validUntil: random() < 0.5 ? null : new Date(effective + (1 + Math.floor(random() * 400)) * day).toISOString(),
        status: pick(['DRAFT', 'IN_REVIEW', 'ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'REJECTED']),
        aiSystemId: pick([null, null, systems[0], systems[1]]),
        links: links.map((ref) => ({ framework: 'iso27001', ref, coverage: random() < 0.7 ? 'FULL' : 'PARTIAL' })),
      };
    };
    const items = Array.from({ length: 60 }, (_, i) => item(i));
    const bulk = await t.data(BULK, { items });
    expect(bulk.bulkUpsertEvidence).toMatchObject({ created: 60, failed: 0 });
    const ids: string[] = bulk.bulkUpsertEvidence.results.map((r: any) => r.evidence.id);

    const check = async () => {
      const at = new Date();
      const { counts, outside } = await rollupCounts(at);
      expect(outside).toBe(0);
      expect(counts).toEqual(await expectedCounts(at));
    };
    await check();
    // the scenario holds every kind of link, or agreement proves little
    const totals = Object.values(await expectedCounts(new Date())).reduce((a, c) => a.map((x, i) => x + c[i]), [0, 0, 0, 0, 0, 0]);
    expect(totals.map((x) => x > 0)).toEqual([true, true, true, true, true, true]);

    // re-sent with changes: status, validity, links replaced, AI system moved; 20 unchanged
    const changed = items.map((it, i) => {
      if (i % 3 === 0) return it;
      const other = item(100 + i);
      return { ...it, status: i % 3 === 1 ? other.status : it.status, validUntil: i % 2 ? other.validUntil : it.validUntil,
        aiSystemId: i % 5 === 0 ? other.aiSystemId : it.aiSystemId, links: i % 4 === 0 ? other.links : it.links };
    });
    const again = await t.data(BULK, { items: changed });
    expect(again.bulkUpsertEvidence.failed).toBe(0);
    expect(again.bulkUpsertEvidence.unchanged).toBeGreaterThanOrEqual(20);
    await check();

    for (const id of ids.slice(0, 8)) {
      await t.data(`mutation($id: ID!, $s: EvidenceStatus!) { reviewEvidence(input: { evidenceId: $id, status: $s }) { evidence { id } } }`, { id, s: pick(['ACCEPTED', 'REJECTED', 'IN_REVIEW']) });
    }
    for (const [i, id] of ids.slice(10, 20).entries()) {
      await t.data(`mutation($e: ID!, $r: String!, $c: LinkCoverage!) { linkEvidence(input: { evidenceId: $e, framework: "iso27001", ref: $r, coverage: $c }) { link { id } } }`,
        { e: id, r: refs[i % refs.length], c: i % 2 ? 'FULL' : 'PARTIAL' });
    }
    const active: { evidence_id: string; ref: string }[] = await t.ds.query(
      `SELECT l.evidence_id, r.ref FROM evidence_link l JOIN requirement r ON r.id = l.requirement_id JOIN evidence e ON e.id = l.evidence_id
       WHERE l.organization_id = $1 AND l.unlinked_at IS NULL AND e.source_system = 'rollup' ORDER BY l.id LIMIT 12`, [org]);
    for (const l of active) {
      await t.data(`mutation($e: ID!, $r: String!) { unlinkEvidence(input: { evidenceId: $e, framework: "iso27001", ref: $r }) { link { id } } }`, { e: l.evidence_id, r: l.ref });
    }
    await check();

    // a full recount gives the same counts
    const before = await rollupCounts(new Date());
    const rollup = new RollupService(t.appDs);
    expect(await rollup.refresh(org)).toBe(0); // no window has closed
    const [{ n }] = await t.ds.query(`SELECT count(DISTINCT requirement_id)::int AS n FROM evidence_link WHERE organization_id = $1`, [org]);
    expect(n).toBeGreaterThanOrEqual(8); // the 8 refs, and what the AI system register entries link to
    expect(await rollup.refresh(org, true)).toBe(n); // every requirement with links, recounted
    expect((await rollupCounts(new Date())).counts).toEqual(before.counts);
  });

  it('holds a window between link and expiry; reads outside it recount from the links', async () => {
    const validUntil = new Date(Date.now() + 10 * day);
    const d = await t.data(UPSERT, { input: {
      sourceSystem: 'rollup', externalId: 'window', title: 'Access review', kind: 'RECORD', status: 'ACCEPTED',
      effectiveAt: '2025-01-01T00:00:00Z', validUntil: validUntil.toISOString(), links: [{ framework: 'iso27001', ref: 'A.5.18' }],
    } });
    const id = d.upsertEvidence.evidence.id;
    const [link] = await t.ds.query(`SELECT linked_at, requirement_id FROM evidence_link WHERE evidence_id = $1`, [id]);
    const row = async () => (await t.ds.query(`SELECT * FROM evidence_rollup WHERE organization_id = $1 AND requirement_id = $2 AND ai_system_id IS NULL AND NOT all_systems`, [org, link.requirement_id]))[0];
    // by hand: the only link counts valid-full from the moment it was made until the evidence expires
    expect(await row()).toMatchObject({ valid_full: 1, valid_partial: 0, stale_full: 0, stale_partial: 0, pending_full: 0, pending_partial: 0,
      fresh_from: link.linked_at, fresh_until: validUntil });

    expect(await statusOf('A.5.18')).toBe('COVERED');
    expect(await statusOf('A.5.18', new Date(Date.now() + 20 * day))).toBe('STALE'); // after expiry: recounted
    expect(await statusOf('A.5.18', new Date(link.linked_at.getTime() - day))).toBe('GAP'); // before the link: recounted

    // the report reads the row inside its window: a tampered row shows...
    await t.ds.query(`UPDATE evidence_rollup SET valid_full = 0 WHERE organization_id = $1 AND requirement_id = $2`, [org, link.requirement_id]);
    expect(await statusOf('A.5.18')).toBe('GAP');
    // ...and a row whose window has closed does not: the requirement is recounted from its links
    await t.ds.query(`UPDATE evidence_rollup SET fresh_until = '-infinity' WHERE organization_id = $1 AND requirement_id = $2`, [org, link.requirement_id]);
    expect(await statusOf('A.5.18')).toBe('COVERED');
    // the refresher recomputes closed rows only, through row-level security as the server's role
    expect(await new RollupService(t.appDs).refresh(org)).toBe(1);
    expect(await row()).toMatchObject({ valid_full: 1, fresh_until: validUntil });

    // the server's periodic refresher does the same on its own, organization by organization
    await t.ds.query(`UPDATE evidence_rollup SET fresh_until = '-infinity', valid_full = 0 WHERE organization_id = $1 AND requirement_id = $2`, [org, link.requirement_id]);
    const stop = new RollupService(t.appDs).start(20, (err) => { throw err; });
    try {
      for (let i = 0; i < 100 && (await row()).valid_full !== 1; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await stop();
    }
    expect(await row()).toMatchObject({ valid_full: 1, fresh_until: validUntil });

    // evidence deleted with its links cannot be subtracted: the row closes, reads recount, refresh clears it
    await t.ds.query(`DELETE FROM evidence WHERE id = $1`, [id]);
    expect((await row()).fresh_until).toEqual(-Infinity);
    expect(await statusOf('A.5.18')).toBe('GAP');
    await new RollupService(t.appDs).refresh(org);
    expect(await row()).toBeUndefined();
  });

  it('counts a hand-made case exactly', async () => {
    const base = { sourceSystem: 'hand', kind: 'RECORD', effectiveAt: '2025-03-01T00:00:00Z' };
    const link = (coverage: string) => [{ framework: 'iso27001', ref: 'A.5.30', coverage }];
    const items = [
      { ...base, externalId: 'h1', title: 'valid full 1', status: 'ACCEPTED', links: link('FULL') },
      { ...base, externalId: 'h2', title: 'valid full 2', status: 'ACCEPTED', links: link('FULL') },
      { ...base, externalId: 'h3', title: 'valid partial', status: 'ACCEPTED', links: link('PARTIAL') },
      { ...base, externalId: 'h4', title: 'stale full', status: 'ACCEPTED', validUntil: '2025-09-01T00:00:00Z', links: link('FULL') },
      { ...base, externalId: 'h5', title: 'pending partial', status: 'IN_REVIEW', links: link('PARTIAL') },
      { ...base, externalId: 'h6', title: 'rejected', status: 'REJECTED', links: link('FULL') },
      { ...base, externalId: 'h7', title: 'system draft', status: 'DRAFT', aiSystemId: systems[1], links: link('FULL') },
    ];
    expect((await t.data(BULK, { items })).bulkUpsertEvidence).toMatchObject({ created: 7, failed: 0 });
    const rows = await t.ds.query(
      `SELECT ro.ai_system_id, ro.all_systems, ro.valid_full, ro.valid_partial, ro.stale_full, ro.stale_partial, ro.pending_full, ro.pending_partial
       FROM evidence_rollup ro JOIN requirement r ON r.id = ro.requirement_id JOIN framework f ON f.id = r.framework_id
       WHERE ro.organization_id = $1 AND f.key = 'iso27001' AND r.ref = 'A.5.30' ORDER BY ro.all_systems, ro.ai_system_id NULLS FIRST`, [org]);
    expect(rows).toEqual([
      { ai_system_id: null, all_systems: false, valid_full: 2, valid_partial: 1, stale_full: 1, stale_partial: 0, pending_full: 0, pending_partial: 1 },
      { ai_system_id: systems[1], all_systems: false, valid_full: 0, valid_partial: 0, stale_full: 0, stale_partial: 0, pending_full: 1, pending_partial: 0 },
      { ai_system_id: null, all_systems: true, valid_full: 2, valid_partial: 1, stale_full: 1, stale_partial: 0, pending_full: 1, pending_partial: 1 },
    ]);
  });
});
