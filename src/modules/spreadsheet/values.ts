import { dateOutOfBounds, DATE_BOUNDS_MESSAGE } from '../../graphql/input-bounds';

/** A cell read as a value, or why it cannot be. */
export type Read<T> = { value: T } | { problem: string };

const words = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

/** A cell that names one of a few values, by the spellings each is known by (compared as lower-case words). */
export function oneOf<T>(cell: string, spellings: readonly (readonly [T, readonly string[]])[], what: string): Read<T> {
  const w = cell.length > 100 ? '' : words(cell);
  for (const [value, names] of spellings) if (names.includes(w)) return { value };
  return { problem: `"${cell.slice(0, 60)}" is not ${what}; write ${spellings.map(([, names]) => names[0]).join(', ')}` };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A date as registers write it: YYYY-MM-DD (or an ISO date-time), a date cell, "31 Jan 2026" or
 * "January 31, 2026". Slashed dates (01/02/2026) are refused as ambiguous (day or month first?).
 */
export function readDate(cell: string): Read<Date> {
  const t = cell.trim();
  if (t.length > 40) return { problem: `"${t.slice(0, 40)}…" is not a date; write YYYY-MM-DD` };
  let d: Date | null = null;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t))) d = new Date(`${t}T00:00:00.000Z`);
  else if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(t)) d = new Date(t);
  else if ((m = /^(\d{1,2})[ -]([a-z]+)\.?[ ,-]+(\d{4})$/i.exec(t)) || (m = /^([a-z]+)\.? (\d{1,2}),? (\d{4})$/i.exec(t))) {
    const [day, month] = /^\d/.test(m[1]) ? [m[1], m[2]] : [m[2], m[1]];
    const mi = MONTHS.indexOf(month.slice(0, 3).toLowerCase());
    if (mi >= 0) d = new Date(Date.UTC(Number(m[3]), mi, Number(day)));
    if (d && d.getUTCDate() !== Number(day)) d = null;
  } else if (/^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$/.test(t)) {
    return { problem: `"${t}" is ambiguous (day or month first?); write YYYY-MM-DD` };
  }
  if (!d || Number.isNaN(d.getTime()) || (m && m[0] === t && /^\d{4}-/.test(t) && d.toISOString().slice(0, 10) !== t.slice(0, 10))) {
    return { problem: `"${t.slice(0, 60)}" is not a date; write YYYY-MM-DD` };
  }
  if (dateOutOfBounds(d)) return { problem: `${t} ${DATE_BOUNDS_MESSAGE}` };
  return { value: d };
}
