/** Longer than any ref: not matched (and not put through the patterns below). */
const MAX_REF_LENGTH = 200;

/** A requirement an imported ref can name. */
export interface RefTarget {
  id: string;
  ref: string;
}

export type RefMatch =
  | { target: RefTarget }
  | { code: 'UNKNOWN_REF' | 'AMBIGUOUS_REF'; message: string; candidates: string[] };

/**
 * A ref as people write it, reduced to one form: upper case, no spaces around punctuation, no leading
 * zeros, and "Annex A 5.1", "A 5.1", "A5.1", "A-5.1" all as "A.5.1".
 */
export function refKey(text: string): string {
  let t = text.toUpperCase().replace(/\s+/g, ' ').trim();
  t = t.replace(/^(ISO\/IEC\s*\d+\s*)?ANNEX\s*A\s*[:.\-]?\s*(CONTROL\s*)?/, 'A.');
  t = t.replace(/^(CONTROL|CLAUSE|REQUIREMENT)\s*[:#]?\s*/, '');
  t = t.replace(/^A\s*[.\-]?\s*(?=\d)/, 'A.');
  t = t.replace(/\s*([.():\-])\s*/g, '$1');
  t = t.replace(/(^|[.(])0+(?=\d)/g, '$1');
  return t.replace(/\.$/, '');
}

/**
 * Finds the requirement a written ref names among `targets` (a framework's requirements, or the rows of
 * its Statement of Applicability). A bare number ("5.1") names the requirement "5.1" or the Annex A
 * control "A.5.1": when both are among the targets, it is ambiguous and reported with both.
 */
export class RefMatcher {
  private readonly byKey = new Map<string, RefTarget>();

  constructor(targets: readonly RefTarget[]) {
    for (const t of targets) this.byKey.set(refKey(t.ref), t);
  }

  match(written: string): RefMatch {
    if (written.length > MAX_REF_LENGTH) return { code: 'UNKNOWN_REF', message: `"${written.slice(0, 100)}…" is ${written.length} characters long: no ref is`, candidates: [] };
    const key = refKey(written);
    const candidates = [key];
    if (/^\d+(\.\d+)*$/.test(key)) candidates.push(`A.${key}`);
    const found = [...new Set(candidates.map((k) => this.byKey.get(k)).filter((t): t is RefTarget => !!t))];
    if (found.length === 1) return { target: found[0] };
    if (found.length > 1) {
      return { code: 'AMBIGUOUS_REF', message: `"${written}" could be ${found.map((f) => f.ref).join(' or ')}; write the one meant`, candidates: found.map((f) => f.ref) };
    }
    return { code: 'UNKNOWN_REF', message: `"${written.slice(0, 100)}" names no requirement here`, candidates: [] };
  }
}

/**
 * The refs of one cell: separated by commas, semicolons, line breaks or bars, or by spaces when every
 * piece is a numbered ref ("A.5.1 A.5.2").
 */
export function splitRefs(cell: string): string[] {
  const pieces = cell.split(/[,;\n\r|]+/).map((p) => p.trim()).filter(Boolean);
  return pieces.flatMap((p) => (p.length <= MAX_REF_LENGTH * 10 && /^(A\.?\s?)?\d+(\.\d+)*(\s+(A\.?\s?)?\d+(\.\d+)*)+$/i.test(p) ? p.match(/(A\.?\s?)?\d+(\.\d+)*/gi)! : [p]));
}
