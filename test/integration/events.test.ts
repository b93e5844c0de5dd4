import { TestHub, declareIntegratedCompetence, startTestHub } from '../harness/hub';
import { DEFAULT_EVENTS, EventRuntime } from '../../src/modules/events/event-runtime';
import { CoverageEventsService } from '../../src/modules/events/coverage-events.service';
import { currentQueryScope, withQueryScope } from '../../src/database/query-counter';
import { inTransaction } from '../../src/database/transaction';
import { envelopeOf } from '../../src/modules/events/event-envelope';

/**
 * The outbox and coverage deltas (src/modules/events): events are rows written by the transaction that
 * causes them; coverage.changed comes from the reports' own statuses, with the causes.
 */
const UPSERT = `mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) { outcome evidence { id } } }`;
const REVIEW = `mutation($id: ID!, $s: EvidenceStatus!) { reviewEvidence(input: { evidenceId: $id, status: $s, comment: "ok" }) { evidence { status } } }`;

const competence = (over: Record<string, unknown> = {}) => ({
  sourceSystem: 'lms',
  externalId: 'COMP-1',
  title: 'Competence procedure',
  kind: 'PROCEDURE',
  effectiveAt: '2026-01-01T00:00:00Z',
  links: [{ framework: 'iso27001', ref: '7.2' }],
  ...over,
});

interface EventRow { type: string; key: string; data: any; requirement_ref: string | null; framework_key: string | null }

/** Every non-GAP requirement of the four frameworks in the reports, as "framework|ref|STATUS", sorted. */
async function reported(t: TestHub): Promise<string[]> {
  const out: string[] = [];
  for (const fw of ['iso42001', 'iso27001', 'nist-ai-rmf', 'eu-ai-act']) {
    const d = await t.data(`query($fw: String!) { coverage(framework: $fw) { requirements(first: 200, status: [COVERED, PREFILLED, PARTIAL, STALE, PENDING, NOT_APPLICABLE]) {
      nodes { status requirement { ref } } } } }`, { fw });
    for (const n of d.coverage.requirements.nodes) out.push(`${fw}|${n.requirement.ref}|${n.status}`);
  }
  return out.sort();
}

async function events(t: TestHub, types?: string[]): Promise<EventRow[]> {
  return t.ds.query(
    `SELECT e.type, e.key, e.data, r.ref AS requirement_ref, f.key AS framework_key
     FROM hub_event e LEFT JOIN requirement r ON r.id = e.requirement_id LEFT JOIN framework f ON f.id = e.framework_id
     WHERE $1::text[] IS NULL OR e.type = ANY($1::text[]) ORDER BY e.seq`,
    [types ?? null],
  );
}

describe('events: outbox and coverage deltas', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
    await declareIntegratedCompetence(t);
  });
  afterAll(() => t.stop());

  it('accepted evidence on 27001 7.2 pre-fills 42001 7.2: coverage.changed with the cause and the path', async () => {
    await t.gql(`mutation { declareOrganizationCondition(input: { condition: "integratedManagementSystem", parameters: ["competence"], holds: true }) { graph { id } } }`);
    const mark = (await t.ds.query(`SELECT count(*)::int AS n FROM hub_event`))[0].n;
    const created = await t.data(UPSERT, { input: competence() });
    const id = created.upsertEvidence.evidence.id;
    // DRAFT evidence: 27001 7.2 and what it reaches within two hops are PENDING, each one event from GAP,
    // exactly the requirements the reports no longer show as GAP.
    let ev = (await events(t)).slice(mark);
    expect(ev.slice(0, 2).map((e) => e.type)).toEqual(['evidence.created', 'evidence.linked']);
    // evidence.linked as every reader gets it (stored as columns): the one link, field by field, against the row.
    const [linkedRow] = await t.ds.query(`SELECT * FROM hub_event WHERE type = 'evidence.linked' AND evidence_id = $1`, [id]);
    const [link] = await t.ds.query(`SELECT l.id, l.requirement_id, l.linked_at FROM evidence_link l WHERE l.evidence_id = $1`, [id]);
    const { links, ...linkedRest } = envelopeOf(linkedRow).data as { links: Record<string, unknown>[] };
    expect(linkedRest).toEqual({ evidenceId: id });
    expect(links).toEqual([{ id: link.id, evidenceId: id, requirementId: link.requirement_id, requirementRef: '7.2', frameworkKey: 'iso27001',
      coverage: 'FULL', origin: 'DIRECT', linkedAt: expect.any(String), unlinkedAt: null }]);
    expect(new Date(links[0].linkedAt as string).getTime()).toBe(link.linked_at.getTime());
    const pending = ev.slice(2);
    expect(pending.every((e) => e.type === 'coverage.changed' && e.data.from === 'GAP' && e.data.to === 'PENDING')).toBe(true);
    expect(pending.map((e) => `${e.framework_key}|${e.requirement_ref}|PENDING`).sort()).toEqual(await reported(t));
    expect(pending.map((e) => `${e.framework_key}|${e.requirement_ref}`)).toEqual(expect.arrayContaining(['iso27001|7.2', 'iso42001|7.2']));

    const before = await reported(t);
    await t.data(REVIEW, { id, s: 'ACCEPTED' });
    ev = (await events(t)).slice(mark + 2 + pending.length);
    expect(ev.slice(0, 2).map((e) => e.type)).toEqual(['evidence.updated', 'evidence.reviewed']);
    const after = await reported(t);
    // One coverage.changed per requirement whose reported status changed, from what it was to what it is.
    const was = new Map(before.map((l) => [l.split('|').slice(0, 2).join('|'), l.split('|')[2]]));
    const expected = after.filter((l) => !before.includes(l)).map((l) => { const [fw, ref, st] = l.split('|'); return `${fw}|${ref}|${was.get(`${fw}|${ref}`) ?? 'GAP'}|${st}`; });
    const got = ev.filter((e) => e.type === 'coverage.changed').map((e) => `${e.framework_key}|${e.requirement_ref}|${e.data.from}|${e.data.to}`);
    expect(got.sort()).toEqual(expected.sort());
    expect(got).toEqual(expect.arrayContaining(['iso27001|7.2|PENDING|COVERED', 'iso42001|7.2|PENDING|PREFILLED']));
    // prefill.appeared for every requirement that became PREFILLED, 42001 7.2 among them.
    expect(ev.filter((e) => e.type === 'prefill.appeared').map((e) => `${e.framework_key}|${e.requirement_ref}`).sort())
      .toEqual(got.filter((g) => g.endsWith('|PREFILLED')).map((g) => g.split('|').slice(0, 2).join('|')).sort());
    const changed = ev.find((e) => e.type === 'coverage.changed' && e.framework_key === 'iso42001')!;
    expect(changed.key).toMatch(/^requirement:/);
    expect(changed.data.causes).toHaveLength(1);
    const cause = changed.data.causes[0];
    expect(cause).toMatchObject({ kind: 'EVIDENCE_CHANGED', evidenceId: id, fromStatus: 'DRAFT', toStatus: 'ACCEPTED' });
    // The evidence sits on 27001 7.2; the path is the one EQUAL mapping to 42001 7.2 the competence condition gives.
    const [src] = await t.ds.query(`SELECT r.id FROM requirement r JOIN framework f ON f.id = r.framework_id WHERE f.key = 'iso27001' AND r.ref = '7.2'`);
    expect(cause.requirementId).toBe(src.id);
    expect(cause.path.coverage).toBe('FULL');
    expect(cause.path.mappingIds).toHaveLength(1);
    // Stored as INTERSECTS_WITH, it reads EQUAL under the organization's integrated competence process.
    const [m] = await t.ds.query(`SELECT relationship, qualifiers FROM mapping WHERE id = $1`, [cause.path.mappingIds[0]]);
    expect(m.relationship).toBe('INTERSECTS_WITH');
    expect(m.qualifiers).toEqual([expect.objectContaining({ relationship: 'EQUAL' })]);
    expect(JSON.stringify(m.qualifiers)).toContain('integratedManagementSystem');

    // The history agrees with the report now.
    const report = await t.data(`{ coverage(framework: "iso42001") { requirement(ref: "7.2") { status } } }`);
    expect(report.coverage.requirement.status).toBe('PREFILLED');
    const open = await t.ds.query(`SELECT p.status FROM coverage_status_period p JOIN requirement r ON r.id = p.requirement_id JOIN framework f ON f.id = r.framework_id
      WHERE f.key = 'iso42001' AND r.ref = '7.2' AND p.valid_to IS NULL`);
    expect(open).toEqual([{ status: 'PREFILLED' }]);
  });

  it('the same upsert again writes no event; a rolled-back transaction leaves none', async () => {
    const before = (await t.ds.query(`SELECT count(*)::int AS n FROM hub_event`))[0].n;
    const again = await t.data(UPSERT, { input: competence() });
    expect(again.upsertEvidence.outcome).toBe('UNCHANGED');
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM hub_event`))[0].n).toBe(before);
    const runner = t.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`UPDATE evidence SET title = 'rolled back' WHERE external_id = 'COMP-1'`);
      const inside = await runner.query(`SELECT count(*)::int AS n FROM hub_event`);
      expect(inside[0].n).toBe(before + 1);
      await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM hub_event`))[0].n).toBe(before);
  });

  it('ending a link gives evidence.unlinked with the ended link, and coverage.changed with the unlinking as its cause', async () => {
    const [e] = await t.ds.query(`SELECT id FROM evidence WHERE external_id = 'COMP-1'`);
    const mark = (await t.ds.query(`SELECT max(seq) AS s FROM hub_event`))[0].s;
    await t.data(`mutation($input: UnlinkEvidenceInput!) { unlinkEvidence(input: $input) { link { id } } }`, { input: { evidenceId: e.id, framework: 'iso27001', ref: '7.2' } });
    const [link] = await t.ds.query(`SELECT l.id, l.requirement_id, l.unlinked_at FROM evidence_link l WHERE l.evidence_id = $1 AND l.unlinked_at IS NOT NULL`, [e.id]);
    const rows = await t.ds.query(`SELECT * FROM hub_event WHERE seq > $1 ORDER BY seq`, [mark]);
    const unlinked = rows.filter((r: { type: string }) => r.type === 'evidence.unlinked');
    expect(unlinked).toHaveLength(1);
    const { links } = envelopeOf(unlinked[0]).data as { links: Record<string, unknown>[] };
    expect(links).toEqual([expect.objectContaining({ id: link.id, evidenceId: e.id, requirementId: link.requirement_id, requirementRef: '7.2', frameworkKey: 'iso27001' })]);
    expect(new Date(links[0].unlinkedAt as string).getTime()).toBe(link.unlinked_at.getTime());
    const changed = rows.find((r: { type: string; requirement_id: string }) => r.type === 'coverage.changed' && r.requirement_id === link.requirement_id);
    expect(changed.data.to).toBe('GAP');
    expect(changed.data.causes).toEqual([expect.objectContaining({ kind: 'EVIDENCE_UNLINKED', evidenceId: e.id, linkId: link.id })]);
  });
});

describe('events: publication', () => {
  it('publishes a bulk of 2,000 items (more events than one publication batch) completely, in the order written', async () => {
    const t = await startTestHub();
    try {
      const refs = (await t.ds.query(`SELECT r.ref FROM requirement r JOIN framework f ON f.id = r.framework_id WHERE f.key = 'iso27001' AND r.assessable ORDER BY r.position`)).map((r: { ref: string }) => r.ref);
      for (let b = 0; b < 2; b++) {
        const items = Array.from({ length: 1000 }, (_, i) => ({ sourceSystem: 'ci', externalId: `B${b}-${i}`, title: `Build ${b}-${i}`, kind: 'TICKET', effectiveAt: '2026-01-01T00:00:00Z',
          links: Array.from({ length: 10 }, (_, k) => ({ framework: 'iso27001', ref: refs[(i + k * 7) % refs.length] })) }));
        const r = await t.gql(`mutation($input: BulkUpsertEvidenceInput!) { bulkUpsertEvidence(input: $input) { created } }`, { input: { items } });
        expect(r.data.bulkUpsertEvidence.created).toBe(1000);
      }
      const written = await t.ds.query(`SELECT type, count(*)::int AS n FROM hub_event GROUP BY type ORDER BY type`);
      // One evidence.linked per item (with its ten links), one coverage.changed per requirement that moved.
      expect(written.filter((w: { type: string }) => w.type !== 'coverage.changed')).toEqual([{ type: 'evidence.created', n: 2000 }, { type: 'evidence.linked', n: 2000 }]);
      const runtime = new EventRuntime(t.appDs, { ...DEFAULT_EVENTS, workers: true }, new CoverageEventsService(t.appDs));
      const total = written.reduce((a: number, w: { n: number }) => a + w.n, 0);
      expect(await runtime.publish()).toBe(total);
      const positions = await t.ds.query(`SELECT position FROM hub_event ORDER BY seq`);
      expect(positions.map((r: { position: string }) => Number(r.position))).toEqual(positions.map((_: unknown, i: number) => i + 1));
      expect(await runtime.publish()).toBe(0);
      // Retention: events written before the period are pruned (their time-ordered ids say when; aged here
      // by moving the time prefix of the id); the rest, and the history, stay.
      const [floor] = await t.ds.query(`SELECT hub_event_id_floor(now() - interval '1 second') < hub_uuid_v7() AS below, hub_event_id_floor(clock_timestamp() + interval '1 second') > hub_uuid_v7() AS above`);
      expect(floor).toEqual({ below: true, above: true });
      await t.ds.query(`UPDATE hub_event SET id = encode(overlay(uuid_send(id) PLACING substring(int8send(floor(extract(epoch FROM now() - interval '91 days') * 1000)::bigint) FROM 3) FROM 1 FOR 6), 'hex')::uuid
        WHERE type = 'evidence.created'`);
      const periods = (await t.ds.query(`SELECT count(*)::int AS n FROM coverage_status_period`))[0].n;
      expect(await runtime.prune()).toBe(2000);
      expect((await t.ds.query(`SELECT count(*)::int AS n FROM hub_event`))[0].n).toBe(total - 2000);
      expect((await t.ds.query(`SELECT count(*)::int AS n FROM coverage_status_period`))[0].n).toBe(periods);
    } finally {
      await t.stop();
    }
  });
});

describe('events: coverage deltas of a bulk', () => {
  it('the flush makes the same number of statements for 1 item and for 1,000, and its deltas equal the reports', async () => {
    const t = await startTestHub();
    try {
      const [{ id: org }] = await t.ds.query(`SELECT id FROM organization WHERE slug = 'test-org'`);
      const svc = new CoverageEventsService(t.appDs);
      // The same two INSERT statements whatever n, then the flush, in one transaction: the statements counted.
      const write = (n: number, prefix: string) => withQueryScope({ statements: 0, organizationId: org }, async () => {
        const scope = currentQueryScope()!;
        const result = await inTransaction(t.appDs, async (em) => {
          await em.query(`INSERT INTO evidence (organization_id, source_system, external_id, title, kind, effective_at, status, created_by)
            SELECT $1, 'bulk', $3 || g, 'Item ' || g, 'TICKET', '2026-01-01', 'ACCEPTED', 'test' FROM generate_series(1, $2) g`, [org, n, prefix]);
          await em.query(`INSERT INTO evidence_link (organization_id, evidence_id, requirement_id, coverage, linked_by)
            SELECT $1, e.id, r.id, 'FULL', 'test' FROM evidence e
            JOIN LATERAL (SELECT r.id FROM requirement r JOIN framework f ON f.id = r.framework_id
                          WHERE f.key = 'iso27001' AND r.assessable ORDER BY r.position OFFSET (e.seq % 40) LIMIT 3) r ON true
            WHERE e.external_id LIKE $2 || '%'`, [org, prefix]);
          return svc.flush(org, em);
        });
        return { statements: scope.statements, changed: result?.changed ?? 0 };
      });
      // The organization's first flush also starts its history (two statements more): not what is compared.
      expect((await write(1, 'first-')).statements).toBe(10);
      const one = await write(1, 'one-');
      const many = await write(1000, 'many-');
      expect(one.changed).toBeGreaterThan(0);
      expect(many.changed).toBeGreaterThan(one.changed);
      expect(many.statements).toBe(one.statements);
      // BEGIN, the two inserts, the flush's four (take the marks with the lock; baseline; time: expiry, due dates,
      // moments and progress; deltas), COMMIT.
      expect(many.statements).toBe(8);
      // The open history periods that are not GAP are exactly the requirements the reports show as not GAP.
      const open = await t.ds.query(`SELECT count(*)::int AS n FROM coverage_status_period WHERE organization_id = $1 AND valid_to IS NULL AND status <> 'GAP'`, [org]);
      expect(open[0].n).toBe((await reported(t)).length);
    } finally {
      await t.stop();
    }
  });
});

describe('events: time', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ events: { workers: true, schedulerSeconds: 1 } });
  });
  afterAll(() => t.stop());

  it('evidence whose validUntil passes gives evidence.expired and COVERED -> STALE without any write, within one scheduler period', async () => {
    const validUntil = new Date(Date.now() + 2500);
    const created = await t.data(UPSERT, { input: competence({ externalId: 'EXP-1', title: 'Access policy', links: [{ framework: 'iso27001', ref: 'A.5.15' }], validUntil: validUntil.toISOString() }) });
    await t.data(REVIEW, { id: created.upsertEvidence.evidence.id, s: 'ACCEPTED' });
    const status = async () => (await t.data(`{ coverage(framework: "iso27001") { requirement(ref: "A.5.15") { status } } }`)).coverage.requirement.status;
    expect(await status()).toBe('COVERED');
    const mark = (await t.ds.query(`SELECT count(*)::int AS n FROM hub_event`))[0].n;
    // Nothing is written from here on; the scheduler (1 s) notices the moment passing.
    const deadline = Date.now() + 15_000;
    let ev: EventRow[] = [];
    while (Date.now() < deadline) {
      ev = (await events(t)).slice(mark);
      if (ev.some((e) => e.type === 'coverage.changed' && e.requirement_ref === 'A.5.15')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const expired = ev.filter((e) => e.type === 'evidence.expired');
    expect(expired).toHaveLength(1);
    // (PostgreSQL writes the time without trailing zeros of its fraction: compared as a time.)
    expect(expired[0].data.evidence.externalId).toBe('EXP-1');
    expect(new Date(expired[0].data.evidence.validUntil).getTime()).toBe(validUntil.getTime());
    const change = ev.find((e) => e.type === 'coverage.changed' && e.framework_key === 'iso27001' && e.requirement_ref === 'A.5.15')!;
    expect([change.data.from, change.data.to]).toEqual(['COVERED', 'STALE']);
    expect(change.data.causes).toEqual([expect.objectContaining({ kind: 'TIME', what: 'EXPIRED', evidenceId: created.upsertEvidence.evidence.id })]);
    expect(await status()).toBe('STALE');
    // History dates the change at the moment of expiry, not when the scheduler noticed it.
    const [p] = await t.ds.query(`SELECT p.valid_from FROM coverage_status_period p JOIN requirement r ON r.id = p.requirement_id JOIN framework f ON f.id = r.framework_id
      WHERE f.key = 'iso27001' AND r.ref = 'A.5.15' AND p.status = 'STALE'`);
    expect(new Date(p.valid_from).toISOString()).toBe(validUntil.toISOString());
    // Published: every event has its position, in the order written.
    const positions = await t.ds.query(`SELECT position FROM hub_event ORDER BY seq`);
    expect(positions.every((r: { position: string | null }) => r.position !== null)).toBe(true);
    expect(positions.map((r: { position: string }) => Number(r.position))).toEqual(positions.map((_: unknown, i: number) => i + 1));
    // The same period ran the EU AI Act duties pass (duty-events.test.ts) for the organization.
    expect((await t.ds.query(`SELECT duties_scanned_at IS NOT NULL AS scanned FROM organization WHERE slug = 'test-org'`))[0].scanned).toBe(true);
  });

  it('announces expiring evidence within the organization\'s window, overdue nonconformities, and a metric crossing its threshold once', async () => {
    const set = await t.gql(`mutation { setEvidenceExpiryWindow(days: 2) { expiryWindowDays } }`);
    expect(set.data.setEvidenceExpiryWindow.expiryWindowDays).toBe(2);
    const mark = (await t.ds.query(`SELECT count(*)::int AS n FROM hub_event`))[0].n;
    // Expires in 2 days and 2 seconds: announced when the 2-day window reaches it, in 2 seconds.
    const validUntil = new Date(Date.now() + 2 * 86_400_000 + 2000);
    await t.data(UPSERT, { input: competence({ externalId: 'EXP-2', status: 'ACCEPTED', links: [{ framework: 'iso27001', ref: 'A.5.16' }], validUntil: validUntil.toISOString() }) });
    const nc = await t.data(`mutation($due: DateTime!) { raiseNonconformity(input: { source: INCIDENT, description: "Drift alert ignored", owner: "ml-ops", dueAt: $due }) { id } }`,
      { due: new Date(Date.now() + 2000).toISOString() });
    const system = (await t.data(`mutation { registerAiSystem(input: { name: "CV screening", intendedPurpose: "Rank job applications", euRoles: [DEPLOYER], lifecycleStage: OPERATION }) { id } }`)).registerAiSystem.id;
    const metric = (await t.data(`mutation($s: ID) { upsertRegisterRecord(input: { kind: MONITORING_METRIC, aiSystemId: $s, title: "Ranking drift (PSI)", status: "ACTIVE", data: { unit: "PSI", max: 0.2 } }) { id } }`, { s: system })).upsertRegisterRecord.id;
    let minute = 0;
    const measure = (values: number[]) => t.data(`mutation($items: [MeasurementInput!]!) { recordMeasurements(input: { items: $items }) { __typename } }`, {
      items: values.map((value) => ({ recordId: metric, externalId: `m-${++minute}`, value, measuredAt: new Date(Date.UTC(2026, 10, 1, 0, minute)).toISOString() })),
    });
    await measure([0.1]);
    await measure([0.25, 0.3]); // crosses once: one event for the newest reading
    await measure([0.35]); // still outside: no new event
    const deadline = Date.now() + 15_000;
    let ev: EventRow[] = [];
    while (Date.now() < deadline) {
      ev = (await events(t)).slice(mark);
      if (ev.some((e) => e.type === 'evidence.expiring') && ev.some((e) => e.type === 'nonconformity.overdue')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const expiring = ev.filter((e) => e.type === 'evidence.expiring');
    expect(expiring.map((e) => [e.data.evidence.externalId, e.data.windowDays])).toEqual([['EXP-2', 2]]);
    expect(ev.filter((e) => e.type === 'nonconformity.overdue').map((e) => [e.data.nonconformity.id, e.data.nonconformity.owner])).toEqual([[nc.raiseNonconformity.id, 'ml-ops']]);
    const breached = ev.filter((e) => e.type === 'monitoring.threshold_breached');
    expect(breached.map((e) => [e.data.metric.id, e.data.measurement.value, e.data.previous.value])).toEqual([[metric, 0.3, 0.1]]);
    // The evidence has not expired: no evidence.expired for it.
    expect(ev.filter((e) => e.type === 'evidence.expired')).toEqual([]);
  });
});
