import { EvidenceKind, EvidenceStatus, LinkCoverage, ReviewCadence } from '../../src/modules/evidence/evidence.enums';
import { UpsertEvidenceInput } from '../../src/modules/evidence/evidence.input';
import { addCadence, diffEvidence, reconcileLinks, validateEvidence } from '../../src/modules/evidence/evidence.rules';

const d = (s: string) => new Date(s);

describe('addCadence', () => {
  it.each([
    ['2026-01-15T10:00:00Z', ReviewCadence.P1M, '2026-02-15T10:00:00.000Z'],
    ['2026-01-31T00:00:00Z', ReviewCadence.P1M, '2026-02-28T00:00:00.000Z'],
    ['2028-01-31T00:00:00Z', ReviewCadence.P1M, '2028-02-29T00:00:00.000Z'],
    ['2026-08-31T00:00:00Z', ReviewCadence.P3M, '2026-11-30T00:00:00.000Z'],
    ['2026-12-31T23:59:59Z', ReviewCadence.P6M, '2027-06-30T23:59:59.000Z'],
    ['2028-02-29T00:00:00Z', ReviewCadence.P1Y, '2029-02-28T00:00:00.000Z'],
  ])('%s + %s = %s (clamped like PostgreSQL intervals)', (from, cadence, expected) => {
    expect(addCadence(d(from), cadence).toISOString()).toBe(expected);
  });
});

const input = (over: Partial<UpsertEvidenceInput> = {}): UpsertEvidenceInput => Object.assign(new UpsertEvidenceInput(), {
  sourceSystem: ' jira ', externalId: 'SEC-1', title: 'Access review', kind: EvidenceKind.RECORD, effectiveAt: d('2026-03-01T00:00:00Z'), ...over,
});

describe('validateEvidence', () => {
  it('normalizes: trims, lower-cases the hash, derives validUntil, defaults link coverage', () => {
    const { problems, value } = validateEvidence(input({ contentSha256: 'AB'.repeat(32), reviewCadence: ReviewCadence.P3M, links: [{ framework: 'iso27001', ref: 'A.5.18', coverage: undefined as never }] }));
    expect(problems).toEqual([]);
    expect(value).toMatchObject({ sourceSystem: 'jira', contentSha256: 'ab'.repeat(32), validUntil: d('2026-06-01T00:00:00Z'), status: null });
    expect(value!.links).toEqual([{ framework: 'iso27001', ref: 'A.5.18', coverage: LinkCoverage.FULL, note: null }]);
  });

  it('reports every problem with its field', () => {
    const { problems, value } = validateEvidence(input({
      externalId: '', uri: 'www.example.com/x', contentSha256: 'x'.repeat(64), validUntil: d('2026-01-01T00:00:00Z'),
      links: [{ framework: 'iso27001', ref: 'A.5.18', coverage: LinkCoverage.FULL }, { framework: 'iso27001', ref: 'A.5.18', coverage: LinkCoverage.PARTIAL }, { framework: '', ref: 'x', coverage: LinkCoverage.FULL }],
    }));
    expect(value).toBeNull();
    expect(problems.map((p) => p.field)).toEqual(['externalId', 'uri', 'contentSha256', 'validUntil', 'links[1]', 'links[2].framework']);
  });

  it('accepts absolute URIs of the allowed schemes and refuses relative ones and other schemes', () => {
    for (const uri of ['https://x.example/a?b=c', 's3://bucket/key', 'urn:isbn:0451450523', 'abfss://c@acct.dfs.core.windows.net/p', 'file:///srv/a.pdf', 'SMB://host/share'])
      expect(validateEvidence(input({ uri })).problems).toEqual([]);
    for (const uri of ['/relative/path', 'has space://x', 'example.com', 'javascript:alert(1)', 'data:text/html,x', 'vbscript:x'])
      expect(validateEvidence(input({ uri })).problems.map((p) => p.field)).toEqual(['uri']);
    expect(validateEvidence(input({ uri: 'javascript:alert(1)' })).problems[0].message).toBe(
      'uri has the scheme "javascript"; allowed: http, https, s3, gs, az, abfs, abfss, wasbs, file, smb, sftp, ftp, ftps, urn, git, ssh');
  });

  it('validUntil and reviewCadence exclude each other', () => {
    const { problems } = validateEvidence(input({ validUntil: d('2027-01-01T00:00:00Z'), reviewCadence: ReviewCadence.P1Y }));
    expect(problems).toEqual([{ field: 'validUntil', message: 'give validUntil or reviewCadence, not both' }]);
  });
});

describe('diffEvidence', () => {
  const stored = {
    title: 't', description: null, kind: EvidenceKind.RECORD, uri: null, contentSha256: null, effectiveAt: d('2026-03-01T00:00:00Z'),
    validUntil: null, reviewCadence: null, status: EvidenceStatus.ACCEPTED, owner: null, aiSystemId: null,
  };
  const next = { ...stored, sourceSystem: 's', externalId: 'e', status: null, links: null };

  it('separates content (revision), fields and status changes', () => {
    expect(diffEvidence(stored, next)).toEqual({ content: false, fields: false, status: false });
    expect(diffEvidence(stored, { ...next, effectiveAt: d('2026-03-01T00:00:00.000Z') })).toEqual({ content: false, fields: false, status: false });
    expect(diffEvidence(stored, { ...next, contentSha256: 'a'.repeat(64) })).toEqual({ content: true, fields: false, status: false });
    expect(diffEvidence(stored, { ...next, validUntil: d('2027-01-01T00:00:00Z') })).toEqual({ content: true, fields: false, status: false });
    expect(diffEvidence(stored, { ...next, owner: 'ciso' })).toEqual({ content: false, fields: true, status: false });
    expect(diffEvidence(stored, { ...next, status: EvidenceStatus.ACCEPTED })).toEqual({ content: false, fields: false, status: false });
    expect(diffEvidence(stored, { ...next, status: EvidenceStatus.REJECTED })).toEqual({ content: false, fields: false, status: true });
  });
});

describe('reconcileLinks', () => {
  it('ends undeclared and changed links, makes new and changed ones, leaves equal ones', () => {
    const active = [
      { id: 'l1', requirementId: 'r1', coverage: LinkCoverage.FULL, note: null },
      { id: 'l2', requirementId: 'r2', coverage: LinkCoverage.FULL, note: null },
      { id: 'l3', requirementId: 'r3', coverage: LinkCoverage.PARTIAL, note: 'x' },
    ];
    const { end, create } = reconcileLinks(active, [
      { requirementId: 'r1', coverage: LinkCoverage.FULL, note: null },
      { requirementId: 'r3', coverage: LinkCoverage.PARTIAL, note: 'y' },
      { requirementId: 'r4', coverage: LinkCoverage.PARTIAL, note: null },
    ]);
    expect(end.map((l) => l.id)).toEqual(['l2', 'l3']);
    expect(create.map((l) => `${l.requirementId} ${l.note}`)).toEqual(['r3 y', 'r4 null']);
  });
});
