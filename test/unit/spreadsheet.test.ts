import { resolveColumns } from '../../src/modules/spreadsheet/columns';
import { REGISTER_FIELDS, SOA_FIELDS } from '../../src/modules/spreadsheet/fields';
import { RefMatcher, refKey, splitRefs } from '../../src/modules/spreadsheet/refs';
import { columnLetter, SheetFormat } from '../../src/modules/spreadsheet/table';
import { documentOf } from '../../src/modules/spreadsheet/import.resolver';
import { readDate } from '../../src/modules/spreadsheet/values';

describe('refs as people write them', () => {
  it('reduce to one form', () => {
    expect(['A.5.1', 'a.5.1', 'A 5.1', 'A5.1', 'A-5.1', 'Annex A 5.1', 'Annex A: 5.1', 'ANNEX A CONTROL 5.1', 'A.05.01', ' A . 5 . 1 ', 'Control A.5.1'].map(refKey))
      .toEqual(Array(11).fill('A.5.1'));
    expect(['5.1', 'Clause 5.1', '05.1.'].map(refKey)).toEqual(['5.1', '5.1', '5.1']);
    expect(refKey('GOVERN 1.1')).toBe('GOVERN 1.1');
    expect(refKey('Art. 9(2)(a)')).toBe('ART.9(2)(A)');
  });

  it('a bare number names the clause or the Annex A control; both among the targets is ambiguous', () => {
    const both = new RefMatcher([{ id: 'c', ref: '5.1' }, { id: 'a', ref: 'A.5.1' }, { id: 'b', ref: 'A.5.2' }]);
    expect(both.match('5.1')).toEqual({ code: 'AMBIGUOUS_REF', message: '"5.1" could be 5.1 or A.5.1; write the one meant', candidates: ['5.1', 'A.5.1'] });
    expect(both.match('5.2')).toEqual({ target: { id: 'b', ref: 'A.5.2' } });
    expect(both.match('Annex A 5.1')).toEqual({ target: { id: 'a', ref: 'A.5.1' } });
    expect(both.match('A.9.9')).toEqual({ code: 'UNKNOWN_REF', message: '"A.9.9" names no requirement here', candidates: [] });
    const controlsOnly = new RefMatcher([{ id: 'a', ref: 'A.5.1' }]);
    expect(controlsOnly.match('5.1')).toEqual({ target: { id: 'a', ref: 'A.5.1' } });
  });

  it('split a cell by commas, semicolons, line breaks and bars, or by spaces between numbered refs', () => {
    expect(splitRefs('A.5.1, A.5.2;A.5.3\nA.5.4 | A.5.5')).toEqual(['A.5.1', 'A.5.2', 'A.5.3', 'A.5.4', 'A.5.5']);
    expect(splitRefs('A.5.1 A.5.2 5.3')).toEqual(['A.5.1', 'A.5.2', '5.3']);
    expect(splitRefs('A 5.1 A 5.2')).toEqual(['A 5.1', 'A 5.2']);
    expect(splitRefs('GOVERN 1.1')).toEqual(['GOVERN 1.1']);
    expect(splitRefs('A.5.2 (partial), iso42001:A.6.2.8')).toEqual(['A.5.2 (partial)', 'iso42001:A.6.2.8']);
    expect(splitRefs(' , ')).toEqual([]);
  });
});

describe('dates as registers write them', () => {
  it('YYYY-MM-DD, ISO date-times, day-month-year and month-day-year with month names', () => {
    const day = (s: string) => { const r = readDate(s); return 'value' in r ? r.value.toISOString() : r.problem; };
    expect(day('2026-01-31')).toBe('2026-01-31T00:00:00.000Z');
    expect(day('2026-01-31T10:00:00Z')).toBe('2026-01-31T10:00:00.000Z');
    expect(day('31 Jan 2026')).toBe('2026-01-31T00:00:00.000Z');
    expect(day('January 31, 2026')).toBe('2026-01-31T00:00:00.000Z');
    expect(day('31-Jan-2026')).toBe('2026-01-31T00:00:00.000Z');
  });

  it('refuse slashed dates as ambiguous, and what is not a date', () => {
    const problem = (s: string) => { const r = readDate(s); return 'problem' in r ? r.problem : null; };
    expect(problem('01/02/2026')).toBe('"01/02/2026" is ambiguous (day or month first?); write YYYY-MM-DD');
    expect(problem('2026-02-30')).toBe('"2026-02-30" is not a date; write YYYY-MM-DD');
    expect(problem('31 Feb 2026')).toBe('"31 Feb 2026" is not a date; write YYYY-MM-DD');
    expect(problem('next week')).toBe('"next week" is not a date; write YYYY-MM-DD');
  });
});

describe('headers', () => {
  const table = (header: string[]) => ({ sheet: 'S', headerRow: 1, header, rows: [] });

  it('recognise common English headers, repeated ref columns, and leave unknown columns unread', () => {
    const r = resolveColumns(table(['Doc ID', 'Document Title', 'Approved On', 'Control 1', 'Control 2', 'Remarks']), REGISTER_FIELDS);
    expect(r.uses.map((u) => [u.column, u.field])).toEqual([['A', 'externalId'], ['B', 'title'], ['C', 'effectiveAt'], ['D', 'refs'], ['E', 'refs'], ['F', null]]);
    expect(r.problems).toEqual([]);
  });

  it('report a missing required column, a field named twice, and a mapping to an unknown field or column', () => {
    const r = resolveColumns(table(['Control', 'Owner', 'Control Owner']), SOA_FIELDS, [{ header: 'Nope', field: 'ref' }, { header: 'Owner', field: 'boss' }]);
    expect(r.problems.map((p) => [p.code, p.field, p.column])).toEqual([
      ['UNKNOWN_COLUMN', 'ref', null], ['UNKNOWN_FIELD', 'boss', null], ['DUPLICATE_COLUMN', 'owner', 'C (Control Owner)'], ['MISSING_COLUMN', 'applicable', null],
    ]);
  });

  it('a mapping names a column the headers do not', () => {
    const r = resolveColumns(table(['Ctrl', 'Y/N']), SOA_FIELDS, [{ header: 'Ctrl', field: 'ref' }, { header: 'y/n', field: 'applicable' }]);
    expect(r.uses.map((u) => [u.field, u.matchedBy])).toEqual([['ref', 'MAPPING'], ['applicable', 'MAPPING']]);
    expect(r.problems).toEqual([]);
  });

  it('column letters run A to Z, then AA', () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
  });
});

describe('megabytes in one place', () => {
  it('a 5,000,000-character document, ref, date or header is answered, not a stack overflow', () => {
    const huge = 'a'.repeat(5_000_000);
    expect(documentOf({ document: huge }).format).toBe('CSV');
    const xlsx = documentOf({ document: Buffer.from('PK\x03\x04 rest of a workbook').toString('base64') });
    expect([xlsx.format, xlsx.content.subarray(0, 2).toString()]).toEqual(['XLSX', 'PK']);
    expect(() => documentOf({ document: huge, format: SheetFormat.XLSX })).toThrow('an XLSX document must be the workbook base64-encoded');
    const m = new RefMatcher([{ id: 'a', ref: 'A.5.1' }]).match(huge);
    expect('code' in m && m.code).toBe('UNKNOWN_REF');
    expect(splitRefs(`${'1 '.repeat(2_000_000)}1`)).toHaveLength(1);
    expect(readDate(huge)).toEqual({ problem: `"${'a'.repeat(40)}…" is not a date; write YYYY-MM-DD` });
    expect(resolveColumns({ sheet: 'S', headerRow: 1, header: [huge], rows: [] }, SOA_FIELDS).problems.map((p) => p.code)).toEqual(['MISSING_COLUMN', 'MISSING_COLUMN']);
  });
});
