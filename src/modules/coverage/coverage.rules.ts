/**
 * Coverage semantics, as pure functions. The SQL in coverage.service.ts implements the same rules
 * set-based; test/integration/coverage-agreement.test.ts checks both on a randomized scenario.
 *
 * - Evidence counts at asOf (VALID) when ACCEPTED, effectiveAt <= asOf, asOf < validUntil (or no end),
 *   and its link is active at asOf. ACCEPTED evidence whose validity ended at or before asOf is STALE;
 *   DRAFT or IN_REVIEW evidence is PENDING. REJECTED evidence, and accepted evidence not yet
 *   effective, count for nothing.
 * - A contribution is direct (evidence linked to the requirement itself) or inferred (linked to a
 *   requirement of another framework, reaching this one through a mapping path). It is FULL when its
 *   link is FULL and, if inferred, the path is FULL; otherwise PARTIAL.
 * - Status, first match wins: NOT_APPLICABLE, COVERED (valid direct FULL), PREFILLED (valid inferred
 *   FULL), PARTIAL (any valid contribution), STALE (any stale one), PENDING (any pending one), GAP.
 * - A rejected pre-fill removes that evidence's inferred contributions to that requirement.
 */
import { EvidenceStatus, LinkCoverage } from '../evidence/evidence.enums';
import { PathCoverage } from '../mapping/mapping.enums';
import { registerEnumType } from 'type-graphql';

export enum EvidenceState {
  VALID = 'VALID',
  STALE = 'STALE',
  PENDING = 'PENDING',
}

export enum CoverageStatus {
  NOT_APPLICABLE = 'NOT_APPLICABLE',
  COVERED = 'COVERED',
  PREFILLED = 'PREFILLED',
  PARTIAL = 'PARTIAL',
  STALE = 'STALE',
  PENDING = 'PENDING',
  GAP = 'GAP',
}

registerEnumType(EvidenceState, {
  name: 'EvidenceState',
  description: 'What a piece of evidence is worth at the report date.',
  valuesConfig: {
    VALID: { description: 'Accepted, effective and not expired: it counts.' },
    STALE: { description: 'Accepted but its validity ended: it would have counted.' },
    PENDING: { description: 'Draft or in review: it may count once accepted.' },
  },
});
registerEnumType(CoverageStatus, {
  name: 'CoverageStatus',
  description: 'Status of an assessable requirement at a date; the first that applies wins, in this order.',
  valuesConfig: {
    NOT_APPLICABLE: { description: 'Excluded in the Statement of Applicability.' },
    COVERED: { description: 'Valid evidence linked directly with FULL coverage.' },
    PREFILLED: { description: 'Valid FULL evidence on a requirement of another framework, through a FULL mapping path: to be confirmed by a person.' },
    PARTIAL: { description: 'Only partial valid coverage, direct or inferred.' },
    STALE: { description: 'Only evidence whose validity has ended would have covered it.' },
    PENDING: { description: 'Only evidence still in DRAFT or IN_REVIEW.' },
    GAP: { description: 'Nothing.' },
  },
});

export interface EvidenceFacts {
  status: EvidenceStatus;
  effectiveAt: Date;
  validUntil: Date | null;
}

export interface LinkPeriod {
  linkedAt: Date;
  unlinkedAt: Date | null;
}

export function isLinkActive(link: LinkPeriod, asOf: Date): boolean {
  return link.linkedAt.getTime() <= asOf.getTime() && (link.unlinkedAt === null || link.unlinkedAt.getTime() > asOf.getTime());
}

export function evidenceState(e: EvidenceFacts, asOf: Date): EvidenceState | null {
  const t = asOf.getTime();
  if (e.status === EvidenceStatus.ACCEPTED) {
    if (e.validUntil !== null && e.validUntil.getTime() <= t) return EvidenceState.STALE;
    if (e.effectiveAt.getTime() <= t) return EvidenceState.VALID;
    return null;
  }
  if (e.status === EvidenceStatus.DRAFT || e.status === EvidenceStatus.IN_REVIEW) return EvidenceState.PENDING;
  return null;
}

export interface Contribution {
  state: EvidenceState;
  link: LinkCoverage;
  /** null for a direct link; the path's coverage for an inferred one. */
  path: PathCoverage | null;
}

export function contributionCoverage(c: Pick<Contribution, 'link' | 'path'>): LinkCoverage {
  return c.link === LinkCoverage.FULL && (c.path === null || c.path === PathCoverage.FULL) ? LinkCoverage.FULL : LinkCoverage.PARTIAL;
}

export function coverageStatus(notApplicable: boolean, contributions: readonly Contribution[]): CoverageStatus {
  if (notApplicable) return CoverageStatus.NOT_APPLICABLE;
  const valid = contributions.filter((c) => c.state === EvidenceState.VALID);
  if (valid.some((c) => c.path === null && c.link === LinkCoverage.FULL)) return CoverageStatus.COVERED;
  if (valid.some((c) => c.path !== null && contributionCoverage(c) === LinkCoverage.FULL)) return CoverageStatus.PREFILLED;
  if (valid.length) return CoverageStatus.PARTIAL;
  if (contributions.some((c) => c.state === EvidenceState.STALE)) return CoverageStatus.STALE;
  if (contributions.some((c) => c.state === EvidenceState.PENDING)) return CoverageStatus.PENDING;
  return CoverageStatus.GAP;
}

export interface CoverageCounts {
  notApplicable: number;
  covered: number;
  prefilled: number;
  partial: number;
  stale: number;
  pending: number;
  gap: number;
}

export interface CoverageTotalsValue extends CoverageCounts {
  assessable: number;
  applicable: number;
  /** COVERED / applicable, in percent with one decimal; null when nothing is applicable. */
  percentCovered: number | null;
  /** (COVERED + PREFILLED) / applicable, in percent with one decimal; null when nothing is applicable. */
  percentWithPrefill: number | null;
}

export function emptyCounts(): CoverageCounts {
  return { notApplicable: 0, covered: 0, prefilled: 0, partial: 0, stale: 0, pending: 0, gap: 0 };
}

const FIELD: Record<CoverageStatus, keyof CoverageCounts> = {
  [CoverageStatus.NOT_APPLICABLE]: 'notApplicable',
  [CoverageStatus.COVERED]: 'covered',
  [CoverageStatus.PREFILLED]: 'prefilled',
  [CoverageStatus.PARTIAL]: 'partial',
  [CoverageStatus.STALE]: 'stale',
  [CoverageStatus.PENDING]: 'pending',
  [CoverageStatus.GAP]: 'gap',
};

export function addStatus(counts: CoverageCounts, status: CoverageStatus, n = 1): void {
  counts[FIELD[status]] += n;
}

export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((1000 * part) / whole) / 10;
}

/** Totals and percentages from counts per status. */
export function totals(counts: CoverageCounts): CoverageTotalsValue {
  const assessable = Object.values(counts).reduce((a, b) => a + b, 0);
  const applicable = assessable - counts.notApplicable;
  return {
    ...counts,
    assessable,
    applicable,
    percentCovered: percent(counts.covered, applicable),
    percentWithPrefill: percent(counts.covered + counts.prefilled, applicable),
  };
}

export function rollup(statuses: readonly CoverageStatus[]): CoverageTotalsValue {
  const counts = emptyCounts();
  for (const s of statuses) addStatus(counts, s);
  return totals(counts);
}
