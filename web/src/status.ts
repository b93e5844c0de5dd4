/** Coverage statuses in reading order, with their words and colours (text on background passes WCAG AA). */
export const STATUSES = ['COVERED', 'PREFILLED', 'PARTIAL', 'PENDING', 'STALE', 'GAP', 'NOT_APPLICABLE'] as const;
export type Status = (typeof STATUSES)[number];

export const STATUS_INFO: Record<Status, { label: string; field: keyof Totals; fg: string; bg: string; mid: string; hint: string }> = {
  COVERED: { label: 'Covered', field: 'covered', fg: '#0b5d2a', bg: '#d1f0dd', mid: '#4ade80', hint: 'Valid evidence linked directly, or a confirmed pre-fill.' },
  PREFILLED: { label: 'Pre-filled', field: 'prefilled', fg: '#1e3a8a', bg: '#dbeafe', mid: '#60a5fa', hint: 'Covered through a FULL mapping path from evidence held for another framework; waiting for confirmation.' },
  PARTIAL: { label: 'Partial', field: 'partial', fg: '#713f12', bg: '#fef3c7', mid: '#fbbf24', hint: 'Some evidence reaches it, but only partly (a PARTIAL link or path).' },
  PENDING: { label: 'Pending', field: 'pending', fg: '#4c1d95', bg: '#ede9fe', mid: '#a78bfa', hint: 'Evidence linked but not accepted yet, or not effective yet.' },
  STALE: { label: 'Stale', field: 'stale', fg: '#7c2d12', bg: '#ffedd5', mid: '#fb923c', hint: 'The evidence behind it has expired.' },
  GAP: { label: 'Gap', field: 'gap', fg: '#7f1d1d', bg: '#fee2e2', mid: '#f87171', hint: 'No evidence reaches it.' },
  NOT_APPLICABLE: { label: 'Not applicable', field: 'notApplicable', fg: '#1f2937', bg: '#e5e7eb', mid: '#9ca3af', hint: 'Excluded by an applicability decision.' },
};

export interface Totals {
  assessable: number;
  applicable: number;
  notApplicable: number;
  covered: number;
  prefilled: number;
  partial: number;
  pending: number;
  stale: number;
  gap: number;
  percentCovered: number | null;
  percentWithPrefill: number | null;
}

/** A background between white and the status colour by share (0..1); text stays #111 (contrast >= 4.5 throughout). */
export function heat(status: Status, share: number): string {
  return shade(STATUS_INFO[status].mid, share);
}

/** A background between white and a mid tone (#rrggbb, no darker than the status mid tones) by share (0..1). */
export function shade(hex: string, share: number): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const k = share <= 0 ? 0 : 0.15 + 0.85 * Math.min(1, share);
  const mix = (c: number) => Math.round(255 + (c - 255) * k);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

/** How far a report reaches a target requirement, in words; colours borrowed from the statuses it leads to. */
export type Reach = 'FULL' | 'PARTIAL' | 'NONE';
export const REACH_INFO: Record<Reach, { label: string; like: Status }> = {
  FULL: { label: 'Full', like: 'PREFILLED' },
  PARTIAL: { label: 'Partial', like: 'PARTIAL' },
  NONE: { label: 'None', like: 'GAP' },
};

export const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v.toFixed(1)} %`);

/**
 * A framework's short label: its short name, else the abbreviation its title gives in parentheses
 * ("… (AI RMF 1.0)"), else an ISO number with its year, else the whole name.
 */
export function frameworkLabel(fw: { name: string; shortName?: string | null; key?: string }): string {
  if (fw.shortName) return fw.shortName;
  const paren = /\(([^()]{2,30})\)\s*$/.exec(fw.name);
  if (paren) return paren[1];
  const iso = /^(ISO\/IEC \d+(?::\d{4})?)/.exec(fw.name);
  if (iso) return iso[1];
  return fw.name;
}
