import { Kind } from 'graphql';
import { DateTime, LocalDate } from '../../src/graphql/scalars';
import { literalPathAt, localDateProblem, textLimit, uriProblem, variablePathOf } from '../../src/graphql/input-bounds';
import { shapeProblem } from '../../src/modules/interchange/oscal.schema';

describe('bounded date scalars', () => {
  it('DateTime takes 1000-01-01T00:00:00.000Z to 8999-12-31T23:59:59.999Z, from variables and literals', () => {
    expect((DateTime.parseValue('1000-01-01T00:00:00.000Z') as Date).toISOString()).toBe('1000-01-01T00:00:00.000Z');
    expect((DateTime.parseValue('8999-12-31T23:59:59.999Z') as Date).toISOString()).toBe('8999-12-31T23:59:59.999Z');
    for (const v of ['0999-12-31T23:59:59.999Z', '9000-01-01T00:00:00.000Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) {
      expect(() => DateTime.parseValue(v)).toThrow('DateTime must be between 1000-01-01T00:00:00.000Z and 8999-12-31T23:59:59.999Z');
      expect(() => DateTime.parseLiteral({ kind: Kind.STRING, value: v }, {})).toThrow('DateTime must be between');
    }
  });

  it('LocalDate takes 1000-01-01 to 8999-12-31 and refuses what is not a calendar date', () => {
    expect(LocalDate.parseValue('1000-01-01')).toBe('1000-01-01');
    expect(LocalDate.parseValue('8999-12-31')).toBe('8999-12-31');
    expect(() => LocalDate.parseValue('0999-12-31')).toThrow('LocalDate 0999-12-31 must be between');
    expect(() => LocalDate.parseValue('9000-01-01')).toThrow('LocalDate 9000-01-01 must be between');
    expect(localDateProblem('2026-02-30')).toBe('"2026-02-30" is not a date (YYYY-MM-DD)');
    expect(localDateProblem('2026-02-28')).toBeNull();
  });
});

describe('the text table', () => {
  it('a Type.field entry wins over the name, names not listed get the default', () => {
    expect([textLimit('name'), textLimit('name', 'CreateApiTokenInput'), textLimit('title'), textLimit('somethingNew'), textLimit('document')]).toEqual([200, 100, 500, 1000, 5_000_000]);
  });
});

describe('URIs', () => {
  it('allows the listed schemes only', () => {
    expect(uriProblem('uri', 'https://x.example/a')).toBeNull();
    expect(uriProblem('uri', 'gs://bucket/o')).toBeNull();
    expect(uriProblem('uri', 'JavaScript:alert(1)')).toBe('uri has the scheme "javascript"; allowed: http, https, s3, gs, az, abfs, abfss, wasbs, file, smb, sftp, ftp, ftps, urn, git, ssh');
    expect(uriProblem('url', 'relative/path')).toBe('url is not an absolute URI: "relative/path"');
  });
});

describe('naming the field of graphql-js input errors', () => {
  it('variables: the path inside the variable, else the variable', () => {
    expect(variablePathOf('Variable "$input" got invalid value "x" at "input.items[2].effectiveAt"; DateTime cannot represent')).toBe('input.items[2].effectiveAt');
    expect(variablePathOf('Variable "$asOf" got invalid value "0000-01-01T00:00:00Z"; DateTime must be between')).toBe('asOf');
    expect(variablePathOf('Variable "$first" of non-null type "Int!" must not be null.')).toBe('first');
    expect(variablePathOf('Cannot query field "x" on type "Query".')).toBeNull();
  });

  it('literals: the argument path of the value at an offset', () => {
    const doc = '{ a(x: 1) { b(input: { items: [{ at: "0" }, { at: "1" }] }) } }';
    expect(literalPathAt(doc, doc.indexOf('"1"'))).toBe('input.items[1].at');
    expect(literalPathAt(doc, doc.indexOf('1)'))).toBe('x');
    expect(literalPathAt('query($d: String = "z") { a }', 19)).toBe('d');
  });
});

describe('the shape of an imported OSCAL document', () => {
  it('nesting of groups and controls, their number and JSON depth are bounded without recursion', () => {
    let deep: Record<string, unknown> = { id: 'leaf' };
    for (let i = 0; i < 50_000; i++) deep = { id: `c${i}`, controls: [deep] };
    expect(shapeProblem({ catalog: { controls: [deep] } })).toEqual({ path: `$.catalog${'.controls[0]'.repeat(16)}.controls`, message: 'groups and controls nest deeper than 16 levels' });
    let parts: unknown = 'x';
    for (let i = 0; i < 200; i++) parts = [parts];
    expect(shapeProblem({ catalog: { parts } })?.message).toBe('the document nests deeper than 100 levels of objects and arrays');
    expect(shapeProblem({ catalog: { groups: Array.from({ length: 20_001 }, (_, i) => ({ id: `g${i}` })) } })).toEqual({ path: '$.catalog.groups', message: 'the document holds more than 20000 groups and controls' });
    expect(shapeProblem({ catalog: { groups: [{ id: 'g', controls: [{ id: 'c' }] }] } })).toBeNull();
  });
});
