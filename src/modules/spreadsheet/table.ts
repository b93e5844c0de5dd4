import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { badInput } from '../../graphql/errors';

/** The formats an import reads. */
export enum SheetFormat {
  CSV = 'CSV',
  XLSX = 'XLSX',
}

/** One row as read: its number in the sheet (the header's is the first) and its cells as text. */
export interface TableRow {
  row: number;
  cells: string[];
}

/** A sheet as text: its name ("CSV" for a CSV file), its header cells and the rows below the header. */
export interface Table {
  sheet: string;
  /** The header's row number. */
  headerRow: number;
  header: string[];
  rows: TableRow[];
}

/** Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** A date cell as the day it names (spreadsheets store days without a zone: read as UTC, as exceljs gives them). */
function dateText(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** What a cell shows, as text: rich text joined, a hyperlink's address, a formula's result, a date as YYYY-MM-DD. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return dateText(value);
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    const v = value as unknown as Record<string, unknown>;
    if (Array.isArray(v.richText)) return (v.richText as { text: string }[]).map((t) => t.text).join('').trim();
    if (typeof v.hyperlink === 'string') return v.hyperlink.replace(/^mailto:/, '').trim();
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('error' in v) return '';
    if (typeof v.text === 'string') return v.text.trim();
  }
  return String(value).trim();
}

/**
 * Rows that hold nothing are left out. The header is the row, among the first twenty that hold something,
 * where `recognised` counts the most known headers (a title line or a blank line above it is skipped);
 * the first row when none is recognised.
 */
function toTable(sheet: string, raw: TableRow[], recognised: (cells: string[]) => number): Table {
  const filled = raw.filter((r) => r.cells.some((c) => c !== ''));
  if (!filled.length) return { sheet, headerRow: 1, header: [], rows: [] };
  let at = 0;
  let best = 0;
  filled.slice(0, 20).forEach((r, i) => {
    const n = recognised(r.cells);
    if (n > best) [at, best] = [i, n];
  });
  return { sheet, headerRow: filled[at].row, header: filled[at].cells, rows: filled.slice(at + 1) };
}

/**
 * The first sheet of an XLSX workbook (or the one named), or a CSV file, as text. CSV may be comma,
 * semicolon or tab separated (the separator of its header line), with or without a byte order mark.
 */
export async function readTable(content: Buffer, format: SheetFormat, sheetName: string | null | undefined, recognised: (cells: string[]) => number): Promise<Table> {
  if (format === SheetFormat.CSV) {
    const text = content.toString('utf8').replace(/^\uFEFF/, '');
    const firstLine = text.slice(0, text.search(/\r?\n|$/));
    const delimiter = [',', ';', '\t'].map((d) => ({ d, n: firstLine.split(d).length })).sort((a, b) => b.n - a.n)[0].d;
    let records: string[][];
    try {
      records = parse(text, { delimiter, relax_column_count: true, trim: true, skip_empty_lines: false });
    } catch (err) {
      const e = err as { lines?: number; message?: string };
      throw badInput('document', `not CSV (line ${e.lines ?? 1}): ${(e.message ?? String(err)).slice(0, 200)}`);
    }
    return toTable('CSV', records.map((cells, i) => ({ row: i + 1, cells })), recognised);
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(content as unknown as ExcelJS.Buffer);
  } catch {
    throw badInput('document', 'not an XLSX workbook (Office Open XML spreadsheet)');
  }
  const sheet = sheetName ? workbook.getWorksheet(sheetName) : workbook.worksheets[0];
  if (!sheet) {
    const names = workbook.worksheets.map((w) => `"${w.name}"`).join(', ');
    throw badInput('sheet', sheetName ? `the workbook has no sheet "${sheetName}"; it has ${names || 'none'}` : 'the workbook has no sheet');
  }
  const raw: TableRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values = row.values as ExcelJS.CellValue[];
    const cells: string[] = [];
    for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
    raw.push({ row: rowNumber, cells });
  });
  return toTable(sheet.name, raw, recognised);
}
