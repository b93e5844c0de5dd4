import { EvidenceStatus, LinkCoverage } from '../../src/modules/evidence/evidence.enums';
import { PathCoverage } from '../../src/modules/mapping/mapping.enums';
import {
  Contribution, CoverageStatus, EvidenceState, contributionCoverage, coverageStatus, evidenceState, isLinkActive, percent, rollup,
} from '../../src/modules/coverage/coverage.rules';

const at = (s: string) => new Date(s);
const asOf = at('2026-06-01T00:00:00Z');
const { VALID, STALE, PENDING } = EvidenceState;
const { FULL, PARTIAL } = LinkCoverage;

describe('evidenceState', () => {
  it.each([
    ['ACCEPTED, effective, no end', EvidenceStatus.ACCEPTED, '2026-01-01', null, VALID],
    ['ACCEPTED, valid until later', EvidenceStatus.ACCEPTED, '2026-01-01', '2026-06-02', VALID],
    ['ACCEPTED, validity ends exactly at asOf', EvidenceStatus.ACCEPTED, '2026-01-01', '2026-06-01', STALE],
    ['ACCEPTED, expired', EvidenceStatus.ACCEPTED, '2025-01-01', '2026-01-01', STALE],
    ['ACCEPTED, effective exactly at asOf', EvidenceStatus.ACCEPTED, '2026-06-01', null, VALID],
    ['ACCEPTED, not yet effective', EvidenceStatus.ACCEPTED, '2026-07-01', null, null],
    ['DRAFT', EvidenceStatus.DRAFT, '2026-01-01', null, PENDING],
    ['IN_REVIEW, even if expired', EvidenceStatus.IN_REVIEW, '2025-01-01', '2025-02-01', PENDING],
    ['REJECTED', EvidenceStatus.REJECTED, '2026-01-01', null, null],
  ])('%s', (_name, status, effective, until, expected) => {
    expect(evidenceState({ status, effectiveAt: at(`${effective}T00:00:00Z`), validUntil: until ? at(`${until}T00:00:00Z`) : null }, asOf)).toBe(expected);
  });

  it('a link is active from linkedAt (inclusive) until unlinkedAt (exclusive)', () => {
    expect(isLinkActive({ linkedAt: asOf, unlinkedAt: null }, asOf)).toBe(true);
    expect(isLinkActive({ linkedAt: at('2026-06-01T00:00:01Z'), unlinkedAt: null }, asOf)).toBe(false);
    expect(isLinkActive({ linkedAt: at('2026-01-01T00:00:00Z'), unlinkedAt: asOf }, asOf)).toBe(false);
    expect(isLinkActive({ linkedAt: at('2026-01-01T00:00:00Z'), unlinkedAt: at('2026-06-01T00:00:01Z') }, asOf)).toBe(true);
  });
});

describe('coverageStatus: first match wins', () => {
  const direct = (state: EvidenceState, link: LinkCoverage): Contribution => ({ state, link, path: null });
  const inferred = (state: EvidenceState, link: LinkCoverage, path: PathCoverage): Contribution => ({ state, link, path });

  it.each<[string, boolean, Contribution[], CoverageStatus]>([
    ['nothing', false, [], CoverageStatus.GAP],
    ['not applicable beats everything', true, [direct(VALID, FULL)], CoverageStatus.NOT_APPLICABLE],
    ['valid direct full', false, [direct(VALID, FULL)], CoverageStatus.COVERED],
    ['covered beats a pre-fill', false, [inferred(VALID, FULL, PathCoverage.FULL), direct(VALID, FULL)], CoverageStatus.COVERED],
    ['valid full link over a full path', false, [inferred(VALID, FULL, PathCoverage.FULL)], CoverageStatus.PREFILLED],
    ['pre-fill beats a direct partial', false, [direct(VALID, PARTIAL), inferred(VALID, FULL, PathCoverage.FULL)], CoverageStatus.PREFILLED],
    ['full link over a partial path', false, [inferred(VALID, FULL, PathCoverage.PARTIAL)], CoverageStatus.PARTIAL],
    ['partial link over a full path', false, [inferred(VALID, PARTIAL, PathCoverage.FULL)], CoverageStatus.PARTIAL],
    ['valid direct partial', false, [direct(VALID, PARTIAL)], CoverageStatus.PARTIAL],
    ['partial beats stale full', false, [direct(STALE, FULL), inferred(VALID, PARTIAL, PathCoverage.PARTIAL)], CoverageStatus.PARTIAL],
    ['only stale', false, [direct(STALE, FULL), inferred(PENDING, FULL, PathCoverage.FULL)], CoverageStatus.STALE],
    ['stale through a mapping', false, [inferred(STALE, PARTIAL, PathCoverage.PARTIAL)], CoverageStatus.STALE],
    ['only pending', false, [direct(PENDING, FULL), inferred(PENDING, PARTIAL, PathCoverage.PARTIAL)], CoverageStatus.PENDING],
  ])('%s', (_name, na, contributions, expected) => {
    expect(coverageStatus(na, contributions)).toBe(expected);
  });

  it('a contribution is FULL only with a FULL link and, when inferred, a FULL path', () => {
    expect(contributionCoverage({ link: FULL, path: null })).toBe(FULL);
    expect(contributionCoverage({ link: FULL, path: PathCoverage.FULL })).toBe(FULL);
    expect(contributionCoverage({ link: FULL, path: PathCoverage.PARTIAL })).toBe(PARTIAL);
    expect(contributionCoverage({ link: PARTIAL, path: null })).toBe(PARTIAL);
  });
});

describe('roll-up', () => {
  it('counts statuses; NOT_APPLICABLE leaves the denominator', () => {
    const t = rollup([CoverageStatus.COVERED, CoverageStatus.COVERED, CoverageStatus.PREFILLED, CoverageStatus.GAP, CoverageStatus.NOT_APPLICABLE, CoverageStatus.STALE, CoverageStatus.PARTIAL]);
    expect(t).toEqual({
      notApplicable: 1, covered: 2, prefilled: 1, partial: 1, stale: 1, pending: 0, gap: 1,
      assessable: 7, applicable: 6, percentCovered: 33.3, percentWithPrefill: 50,
    });
  });

  it('percentages round half up to one decimal and are null when nothing is applicable', () => {
    expect(percent(1, 16)).toBe(6.3); // 6.25
    expect(percent(2, 3)).toBe(66.7);
    expect(percent(0, 5)).toBe(0);
    expect(percent(0, 0)).toBeNull();
    expect(rollup([CoverageStatus.NOT_APPLICABLE]).percentCovered).toBeNull();
  });
});
