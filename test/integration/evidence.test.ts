import { startTestHub, TestHub } from '../harness/hub';
import { EVIDENCE_LOCK_STRIPES, evidenceLockStripe } from '../../src/modules/evidence/evidence.service';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

const UPSERT = `mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) {
  outcome evidence { id version status validUntil reviewCadence contentSha256 title
    links { coverage note requirement { ref framework { key } } } } } }`;

const item = (over: Record<string, unknown> = {}) => ({
  sourceSystem: 'confluence',
  externalId: 'DOC-1',
  title: 'Competence procedure',
  kind: 'PROCEDURE',
  uri: 'https://wiki.example.com/doc/1',
  contentSha256: 'a'.repeat(64),
  effectiveAt: '2026-01-31T00:00:00Z',
  reviewCadence: 'P1M',
  links: [{ framework: 'iso27001', ref: '7.2' }],
  ...over,
});

describe('upsertEvidence', () => {
  it('creates, then the same item again is UNCHANGED and writes nothing', async () => {
    const a = await t.data(UPSERT, { input: item() });
    expect(a.upsertEvidence.outcome).toBe('CREATED');
    expect(a.upsertEvidence.evidence).toMatchObject({ version: 1, status: 'DRAFT', reviewCadence: 'P1M', links: [{ coverage: 'FULL', note: null, requirement: { ref: '7.2', framework: { key: 'iso27001' } } }] });
    // 31 January + one month is clamped to the end of February
    expect(a.upsertEvidence.evidence.validUntil).toBe('2026-02-28T00:00:00.000Z');
    const [before] = await t.ds.query(`SELECT updated_at, (SELECT count(*)::int FROM evidence_link) AS links FROM evidence`);
    const b = await t.data(UPSERT, { input: item() });
    expect(b.upsertEvidence.outcome).toBe('UNCHANGED');
    expect(b.upsertEvidence.evidence.id).toBe(a.upsertEvidence.evidence.id);
    const [after] = await t.ds.query(`SELECT updated_at, (SELECT count(*)::int FROM evidence_link) AS links FROM evidence`);
    expect(after).toEqual(before);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM evidence`))[0].n).toBe(1);
  });

  it('a title change updates in place; a content change keeps the old version as a revision', async () => {
    const renamed = await t.data(UPSERT, { input: item({ title: 'Competence procedure v2' }) });
    expect(renamed.upsertEvidence).toMatchObject({ outcome: 'UPDATED', evidence: { version: 1, title: 'Competence procedure v2' } });
    const moved = await t.data(UPSERT, { input: item({ title: 'Competence procedure v2', contentSha256: 'B'.repeat(64) }) });
    expect(moved.upsertEvidence).toMatchObject({ outcome: 'UPDATED', evidence: { version: 2, contentSha256: 'b'.repeat(64) } });
    const d = await t.data(`query($id: ID!) { evidence(id: $id) { version revisions { version contentSha256 uri effectiveAt validUntil supersededBy } } }`, { id: moved.upsertEvidence.evidence.id });
    expect(d.evidence.revisions).toEqual([
      { version: 1, contentSha256: 'a'.repeat(64), uri: 'https://wiki.example.com/doc/1', effectiveAt: '2026-01-31T00:00:00.000Z', validUntil: '2026-02-28T00:00:00.000Z', supersededBy: t.actor },
    ]);
  });

  it('treats links as a complete set: a changed coverage ends the old link and makes a new one, an omitted link ends', async () => {
    const base = { title: 'Competence procedure v2', contentSha256: 'b'.repeat(64) };
    const two = await t.data(UPSERT, { input: item({ ...base, links: [{ framework: 'iso27001', ref: '7.2' }, { framework: 'iso42001', ref: '7.2', coverage: 'PARTIAL', note: 'AI roles not listed yet' }] }) });
    expect(two.upsertEvidence.outcome).toBe('UPDATED');
    expect(two.upsertEvidence.evidence.links.map((l: any) => `${l.requirement.framework.key} ${l.requirement.ref} ${l.coverage}`)).toEqual(['iso27001 7.2 FULL', 'iso42001 7.2 PARTIAL']);
    const again = await t.data(UPSERT, { input: item({ ...base, links: [{ framework: 'iso27001', ref: '7.2' }, { framework: 'iso42001', ref: '7.2', coverage: 'PARTIAL', note: 'AI roles not listed yet' }] }) });
    expect(again.upsertEvidence.outcome).toBe('UNCHANGED');
    const one = await t.data(UPSERT, { input: item({ ...base, links: [{ framework: 'iso42001', ref: '7.2', coverage: 'FULL' }] }) });
    expect(one.upsertEvidence.evidence.links.map((l: any) => `${l.requirement.ref} ${l.coverage}`)).toEqual(['7.2 FULL']);
    const all = await t.data(`query($id: ID!) { evidence(id: $id) { links(includeEnded: true) { coverage unlinkedAt requirement { ref framework { key } } } } }`, { id: one.upsertEvidence.evidence.id });
    const summary = all.evidence.links.map((l: any) => `${l.requirement.framework.key} ${l.requirement.ref} ${l.coverage} ${l.unlinkedAt ? 'ended' : 'active'}`).sort();
    expect(summary).toEqual(['iso27001 7.2 FULL ended', 'iso42001 7.2 FULL active', 'iso42001 7.2 PARTIAL ended']);
    // links: null leaves links alone
    const untouched = await t.data(UPSERT, { input: item({ ...base, links: null }) });
    expect(untouched.upsertEvidence.outcome).toBe('UNCHANGED');
    expect(untouched.upsertEvidence.evidence.links).toHaveLength(1);
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ contentSha256: 'abc' }, 'contentSha256', /64 hexadecimal digits/],
      [{ uri: 'not a uri' }, 'uri', /not an absolute URI/],
      [{ reviewCadence: null, validUntil: '2025-01-01T00:00:00Z' }, 'validUntil', /after effectiveAt/],
      [{ validUntil: '2027-01-01T00:00:00Z' }, 'validUntil', /not both/],
      [{ title: '  ' }, 'title', /title must not be empty/],
      [{ links: [{ framework: 'iso27001', ref: 'A.5.99' }, { framework: 'soc2', ref: 'CC1.1' }] }, 'links', /unknown requirement "A.5.99" in framework "iso27001"; unknown requirement "CC1.1" in framework "soc2"/],
      [{ links: [{ framework: 'iso27001', ref: '7.2' }, { framework: 'iso27001', ref: '7.2' }] }, 'links[1]', /repeats links\[0\]/],
    ];
    for (const [over, field, message] of cases) {
      const res = await t.gql(UPSERT, { input: item({ externalId: 'BAD', ...over }) });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(res.errors?.[0].message).toMatch(message);
    }
    const unknown = await t.gql(UPSERT, { input: item({ externalId: 'BAD', links: [{ framework: 'iso27001', ref: 'A.5.99' }] }) });
    expect(unknown.errors?.[0].extensions?.unknownRefs).toEqual(['iso27001 A.5.99']);
    const cadence = await t.gql(UPSERT, { input: item({ externalId: 'BAD', reviewCadence: 'P2W' }) });
    expect(cadence.status).toBe(400);
    expect(cadence.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(cadence.errors?.[0].message).toMatch(/P2W/);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM evidence WHERE external_id = 'BAD'`))[0].n).toBe(0);
  });
});

const BULK = `mutation($items: [UpsertEvidenceInput!]!) { bulkUpsertEvidence(input: { items: $items }) {
  created updated unchanged failed
  results { index outcome evidence { externalId } error { code message unknownRefs problems { field message } } } } }`;

describe('bulkUpsertEvidence', () => {
  it('keeps the good items and reports each bad one with its index and reason', async () => {
    const items = [
      item({ sourceSystem: 'jira', externalId: 'T-1', links: [{ framework: 'iso27001', ref: 'A.5.1' }] }),
      item({ sourceSystem: 'jira', externalId: 'T-2', links: [{ framework: 'iso27001', ref: 'A.5.1' }, { framework: 'iso42001', ref: 'B.1' }] }),
      item({ sourceSystem: 'jira', externalId: 'T-3', contentSha256: 'zz' }),
      item({ sourceSystem: 'jira', externalId: 'T-1', title: 'duplicate key' }),
      item({ sourceSystem: 'jira', externalId: 'T-4', links: [] }),
    ];
    const d = await t.data(BULK, { items });
    const r = d.bulkUpsertEvidence;
    expect([r.created, r.updated, r.unchanged, r.failed]).toEqual([2, 0, 0, 3]);
    expect(r.results.map((x: any) => [x.index, x.outcome, x.evidence?.externalId ?? null])).toEqual([
      [0, 'CREATED', 'T-1'], [1, 'FAILED', null], [2, 'FAILED', null], [3, 'FAILED', null], [4, 'CREATED', 'T-4'],
    ]);
    expect(r.results[1].error).toMatchObject({ code: 'BAD_USER_INPUT', unknownRefs: ['iso42001 B.1'] });
    expect(r.results[2].error.problems).toEqual([{ field: 'contentSha256', message: 'contentSha256 must be 64 hexadecimal digits' }]);
    expect(r.results[3].error.message).toBe('item 3 repeats item 0 (same sourceSystem and externalId)');
    const stored = await t.ds.query(`SELECT external_id FROM evidence WHERE source_system = 'jira' ORDER BY external_id`);
    expect(stored.map((x: any) => x.external_id)).toEqual(['T-1', 'T-4']);

    const again = await t.data(BULK, { items: [items[0], items[4]] });
    expect([again.bulkUpsertEvidence.created, again.bulkUpsertEvidence.unchanged]).toEqual([0, 2]);
  });

  it('gives new evidence and links time-ordered ids (UUID version 7 with the write time in the first 48 bits)', async () => {
    const before = Date.now();
    await t.data(BULK, { items: [item({ sourceSystem: 'v7', externalId: 'A', links: [{ framework: 'iso27001', ref: 'A.5.2' }] })] });
    await new Promise((r) => setTimeout(r, 5));
    await t.data(BULK, { items: [item({ sourceSystem: 'v7', externalId: 'B', links: [{ framework: 'iso27001', ref: 'A.5.2' }] })] });
    const after = Date.now();
    const rows: { ext: string; e: string; l: string }[] = await t.ds.query(`SELECT e.external_id AS ext, e.id::text AS e, l.id::text AS l
      FROM evidence e JOIN evidence_link l ON l.evidence_id = e.id WHERE e.source_system = 'v7' ORDER BY e.external_id`);
    expect(rows.map((r) => r.ext)).toEqual(['A', 'B']);
    const ms = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    for (const r of rows) {
      for (const id of [r.e, r.l]) {
        // version nibble 7, variant bits 10
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(ms(id)).toBeGreaterThanOrEqual(before - 1000); // the database clock may trail this process's by a little
        expect(ms(id)).toBeLessThanOrEqual(after + 1000);
      }
    }
    // The later push sorts after the earlier one, in the evidence and in the link index.
    expect([rows[0].e < rows[1].e, rows[0].l < rows[1].l]).toEqual([true, true]);
    await t.ds.query(`DELETE FROM evidence WHERE source_system = 'v7'`); // the listing tests below count what the others made
  });

  it('refuses more than 1,000 items as a whole and writes nothing', async () => {
    const items = Array.from({ length: 1001 }, (_, i) => item({ sourceSystem: 'ci', externalId: `run-${i}`, links: null }));
    const res = await t.gql(BULK, { items });
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'items' } });
    expect(res.errors?.[0].message).toMatch(/at most 1000 per call, got 1001; nothing was written/);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM evidence WHERE source_system = 'ci'`))[0].n).toBe(0);
  });
});

describe('link, unlink, review, and reading evidence', () => {
  let id: string;
  beforeAll(async () => {
    const d = await t.data(UPSERT, { input: item({ sourceSystem: 'aws-config', externalId: 'snap-1', kind: 'CONFIG_SNAPSHOT', reviewCadence: null, links: [] }) });
    id = d.upsertEvidence.evidence.id;
  });

  it('linkEvidence is idempotent and unlinkEvidence ends the link', async () => {
    const LINK = `mutation($input: LinkEvidenceInput!) { linkEvidence(input: $input) { changed link { id coverage origin linkedBy unlinkedAt requirement { ref } } } }`;
    const input = { evidenceId: id, framework: 'iso27001', ref: 'A.8.9', coverage: 'PARTIAL' };
    const a = await t.data(LINK, { input });
    expect(a.linkEvidence).toMatchObject({ changed: true, link: { coverage: 'PARTIAL', origin: 'DIRECT', linkedBy: t.actor, unlinkedAt: null, requirement: { ref: 'A.8.9' } } });
    const b = await t.data(LINK, { input });
    expect(b.linkEvidence).toMatchObject({ changed: false, link: { id: a.linkEvidence.link.id } });
    const un = await t.data(`mutation { unlinkEvidence(input: { evidenceId: "${id}", framework: "iso27001", ref: "A.8.9" }) { link { id unlinkedAt unlinkedBy } } }`);
    expect(un.unlinkEvidence.link.id).toBe(a.linkEvidence.link.id);
    expect(un.unlinkEvidence.link.unlinkedAt).not.toBeNull();
    const again = await t.gql(`mutation { unlinkEvidence(input: { evidenceId: "${id}", framework: "iso27001", ref: "A.8.9" }) { link { id } } }`);
    expect(again.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const missing = await t.gql(LINK, { input: { ...input, evidenceId: '00000000-0000-4000-8000-000000000000' } });
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('reviewEvidence changes the status and keeps the history', async () => {
    const REVIEW = `mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { evidence { status reviews { fromStatus toStatus comment reviewedBy } } } }`;
    await t.data(REVIEW, { input: { evidenceId: id, status: 'IN_REVIEW' } });
    const d = await t.data(REVIEW, { input: { evidenceId: id, status: 'ACCEPTED', comment: 'Checked against the console' } });
    expect(d.reviewEvidence.evidence).toEqual({
      status: 'ACCEPTED',
      reviews: [
        { fromStatus: 'DRAFT', toStatus: 'IN_REVIEW', comment: null, reviewedBy: t.actor },
        { fromStatus: 'IN_REVIEW', toStatus: 'ACCEPTED', comment: 'Checked against the console', reviewedBy: t.actor },
      ],
    });
  });

  it('evidences filters and pages newest first', async () => {
    const all = await t.data(`{ evidences(first: 200) { totalCount nodes { externalId } } }`);
    expect(all.evidences.nodes.map((n: any) => n.externalId)).toEqual(['snap-1', 'T-4', 'T-1', 'DOC-1']);
    const paged = await t.data(`{ evidences(first: 3) { pageInfo { hasNextPage endCursor } nodes { externalId } } }`);
    expect(paged.evidences.pageInfo.hasNextPage).toBe(true);
    const next = await t.data(`query($after: String) { evidences(first: 3, after: $after) { pageInfo { hasNextPage } nodes { externalId } } }`, { after: paged.evidences.pageInfo.endCursor });
    expect(next.evidences).toEqual({ pageInfo: { hasNextPage: false }, nodes: [{ externalId: 'DOC-1' }] });
    const filtered = await t.data(`{
      jira: evidences(filter: { sourceSystem: "jira" }) { totalCount }
      accepted: evidences(filter: { status: ACCEPTED }) { nodes { externalId } }
      onControl: evidences(filter: { framework: "iso27001", ref: "A.5.1" }) { nodes { externalId } }
      on42001: evidences(filter: { framework: "iso42001" }) { nodes { externalId } }
      expiring: evidences(filter: { expiringBefore: "2026-03-01T00:00:00Z" }) { nodes { externalId } }
    }`);
    expect(filtered).toEqual({
      jira: { totalCount: 2 },
      accepted: { nodes: [{ externalId: 'snap-1' }] },
      onControl: { nodes: [{ externalId: 'T-1' }] },
      on42001: { nodes: [{ externalId: 'DOC-1' }] },
      expiring: { nodes: [{ externalId: 'T-4' }, { externalId: 'T-1' }, { externalId: 'DOC-1' }] },
    });
    const bad = await t.gql(`{ evidences(filter: { framework: "iso27001", ref: "nope" }) { totalCount } }`);
    expect(bad.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('Requirement.evidence(asOf) shows the links active at that date', async () => {
    const d = await t.data(`{ requirement(framework: "iso27001", ref: "A.5.1") { now: evidence { evidence { externalId } } before: evidence(asOf: "2020-01-01T00:00:00Z") { id } } }`);
    expect(d.requirement.now.map((l: any) => l.evidence.externalId)).toEqual(['T-1']);
    expect(d.requirement.before).toEqual([]);
  });
});

describe('concurrent writers', () => {
  it('wait only for writers of keys in the same lock stripe: another key goes through, the same key waits for the holder, then writes', async () => {
    const [{ id: org }] = await t.ds.query(`SELECT id FROM organization WHERE slug = 'test-org'`);
    const held = { sourceSystem: 'stripe-test', externalId: 'HELD-1' };
    const stripe = evidenceLockStripe(`${held.sourceSystem}\u0000${held.externalId}`);
    // A key in another stripe (found by trying; the stripe of a key is fixed).
    let other = 0;
    while (evidenceLockStripe(`stripe-test\u0000FREE-${other}`) === stripe) other++;
    // Another session holds the held key's stripe, as a writer in the middle of its transaction does.
    const holder = t.ds.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended('evidence:' || $1::text || ':' || $2::text, 0))`, [org, stripe]);
      const free = await t.data(UPSERT, { input: item({ sourceSystem: 'stripe-test', externalId: `FREE-${other}` }) });
      expect(free.upsertEvidence.outcome).toBe('CREATED');
      let settled = false;
      const waiting = t.data(UPSERT, { input: item(held) }).then((d) => {
        settled = true;
        return d;
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(settled).toBe(false);
      await holder.commitTransaction();
      expect((await waiting).upsertEvidence.outcome).toBe('CREATED');
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  });

  it('stripes are fixed per key and spread keys across all of them', () => {
    expect(evidenceLockStripe('jira\u0000SEC-1')).toBe(evidenceLockStripe('jira\u0000SEC-1'));
    const used = new Set(Array.from({ length: 2000 }, (_, i) => evidenceLockStripe(`jira\u0000SEC-${i}`)));
    expect([...used].every((s) => Number.isInteger(s) && s >= 0 && s < EVIDENCE_LOCK_STRIPES)).toBe(true);
    expect(used.size).toBe(EVIDENCE_LOCK_STRIPES);
  });
});
