import { columnLetter, Table } from './table';

/** A field an import fills from a column: its name, what it is, and the headers that name it in English. */
export interface FieldSpec {
  field: string;
  /** The header the template and the export write. */
  header: string;
  description: string;
  required: boolean;
  /** Header spellings, compared after `normalizeHeader`. */
  names: readonly string[];
  /** Several columns may fill it (refs in "Control 1", "Control 2"…): headers that match this too. */
  repeated?: RegExp;
  /** What the template's example row holds. */
  example: string;
}

/** A problem with the file, a row or a cell: where it is (sheet, row, column) and what it is. */
export interface SheetProblem {
  sheet: string;
  /** The row in the sheet (the header's number for a header problem); null for the file as a whole. */
  row: number | null;
  /** Column letter and header, e.g. "C (Applicable?)"; null for a whole row or the file. */
  column: string | null;
  /** The import's field the cell fills, when there is one. */
  field: string | null;
  code: string;
  message: string;
}

/** Which column fills which field, as the import used it (the dry run shows it). */
export interface ColumnUse {
  column: string;
  header: string;
  /** The field it fills; null when the import does not read it (reported, not an error). */
  field: string | null;
  /** HEADER (recognised by name), MAPPING (named by the caller) or null (not read). */
  matchedBy: 'HEADER' | 'MAPPING' | null;
}

/** A caller's mapping: the column with this header (as written) fills this field. */
export interface ColumnMapping {
  header: string;
  field: string;
}

/** Lower case, letters and digits only: "Annex A Control #" → "annexacontrol". */
export const normalizeHeader = (h: string) => h.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** How many of the cells are headers of the fields (or named in the mapping): how header-like a row is. */
export function recognisedHeaders(specs: readonly FieldSpec[], mapping: readonly ColumnMapping[] = []): (cells: string[]) => number {
  const names = new Set([...specs.flatMap((s) => s.names), ...mapping.map((m) => normalizeHeader(m.header))]);
  return (cells) => cells.filter((c) => {
    const n = normalizeHeader(c);
    return n && (names.has(n) || specs.some((s) => s.repeated?.test(n)));
  }).length;
}

export interface ResolvedColumns {
  uses: ColumnUse[];
  /** Field → the column indexes that fill it, in sheet order. */
  byField: Map<string, number[]>;
  problems: SheetProblem[];
}

/**
 * Matches the header row to the fields: first the caller's mapping (by the header as written, or its
 * normalized form), then the English names each field is known by. A field named twice (two "Owner"
 * columns) is a problem unless the field takes several columns; a required field with no column is one.
 */
export function resolveColumns(table: Table, specs: readonly FieldSpec[], mapping: readonly ColumnMapping[] = []): ResolvedColumns {
  const problems: SheetProblem[] = [];
  const headerRow = table.headerRow;
  const known = new Map(specs.map((s) => [s.field, s]));
  const explicit = new Map<string, string>();
  for (const m of mapping) {
    if (!known.has(m.field)) {
      problems.push({ sheet: table.sheet, row: null, column: null, field: m.field, code: 'UNKNOWN_FIELD', message: `columns: no field "${m.field}"; the fields are ${specs.map((s) => s.field).join(', ')}` });
      continue;
    }
    const at = table.header.findIndex((h) => h === m.header || normalizeHeader(h) === normalizeHeader(m.header));
    if (at < 0) {
      problems.push({ sheet: table.sheet, row: headerRow, column: null, field: m.field, code: 'UNKNOWN_COLUMN', message: `columns: the sheet has no column "${m.header}"` });
      continue;
    }
    explicit.set(normalizeHeader(table.header[at]), m.field);
  }
  const byField = new Map<string, number[]>();
  const uses: ColumnUse[] = table.header.map((header, i) => {
    const n = normalizeHeader(header);
    const column = columnLetter(i);
    const mapped = explicit.get(n);
    const spec = mapped ? known.get(mapped)! : n ? specs.find((s) => s.names.includes(n) || s.repeated?.test(n)) : undefined;
    if (!spec) return { column, header, field: null, matchedBy: null };
    const cols = byField.get(spec.field) ?? [];
    if (cols.length && !spec.repeated) {
      problems.push({
        sheet: table.sheet, row: headerRow, column: `${column} (${header})`, field: spec.field, code: 'DUPLICATE_COLUMN',
        message: `columns ${columnLetter(cols[0])} and ${column} both fill ${spec.field}; name one in the columns argument`,
      });
      return { column, header, field: null, matchedBy: null };
    }
    byField.set(spec.field, [...cols, i]);
    return { column, header, field: spec.field, matchedBy: mapped ? 'MAPPING' : 'HEADER' };
  });
  for (const s of specs) {
    if (s.required && !byField.has(s.field)) {
      problems.push({
        sheet: table.sheet, row: headerRow, column: null, field: s.field, code: 'MISSING_COLUMN',
        message: `no column for ${s.field} (${s.description}); headers it is known by: ${s.names.slice(0, 4).map((n) => `"${n}"`).join(', ')}, or name one in the columns argument`,
      });
    }
  }
  return { uses, byField, problems };
}

/** "C (Applicable?)": a cell's column as a person finds it. */
export const columnLabel = (table: Table, index: number) => `${columnLetter(index)} (${table.header[index]})`;
