import ExcelJS from 'exceljs';
import { startTestHub, TestHub } from '../harness/hub';

/**
 * Spreadsheet imports (issue 19): a Statement of Applicability workbook and an evidence register, built
 * here with messy headers, refs in every spelling people use, merged refs and a few bad rows.
 */
let t: TestHub;
let controls: { ref: string; title: string }[];
beforeAll(async () => {
  t = await startTestHub();
  const soa = await t.data(`{ statementOfApplicability(framework: "iso27001") { rows { requirement { ref title } } } }`);
  controls = soa.statementOfApplicability.rows.map((r: any) => r.requirement);
});
afterAll(() => t.stop());

async function workbook(sheet: string, rows: (string | Date | null)[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  // A title row above the header, as many registers have, then a blank row.
  ws.addRow(['Statement of Applicability, ACME Ltd']);
  ws.addRow([]);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
}

const IMPORT_SOA = `mutation($input: ImportApplicabilityInput!) { importApplicability(input: $input) {
  dryRun written sheet rowCount created updated unchanged failed
  columns { column header field matchedBy } problems { sheet row column field code message } rows { row key outcome } absent { key }
  reuse { to { key } totals { full partial none } } } }`;

describe('Statement of Applicability from a workbook', () => {
  /** The 93 controls of ISO/IEC 27001:2022 Annex A, written as A.5.1, 5.2, A 5.3, Annex A 5.4, A5.5, A.05.06 in turn. */
  const spellings = [(r: string) => r, (r: string) => r.slice(2), (r: string) => `A ${r.slice(2)}`, (r: string) => `Annex A ${r.slice(2)}`,
    (r: string) => `A${r.slice(2)}`, (r: string) => r.replace(/\.(\d)(?=\.|$)/g, '.0$1')];
  let document: string;
  beforeAll(async () => {
    const rows: (string | null)[][] = [['Annex A Control #', 'Control Name', 'Applicable?', 'Justification for inclusion/exclusion', 'Implementation Status', 'Control Owner']];
    controls.forEach((c, i) => {
      const excluded = c.ref === 'A.7.5' || c.ref === 'A.8.30';
      rows.push([spellings[i % spellings.length](c.ref), c.title, excluded ? 'No' : 'Yes', excluded ? 'No such facilities / no outsourced development' : 'Risk treatment plan', i % 3 === 0 ? 'Partially implemented' : 'Implemented', 'CISO']);
    });
    // Bad rows: A.5.10 says "maybe"; A.6.1 is excluded without a reason; a control that does not exist.
    rows[1 + controls.findIndex((c) => c.ref === 'A.5.10')][2] = 'maybe';
    const a61 = rows[1 + controls.findIndex((c) => c.ref === 'A.6.1')];
    a61[2] = 'N/A';
    a61[3] = '';
    rows.push(['A.9.9', 'Not a control', 'Yes', '', '', '']);
    document = await workbook('SoA', rows);
  });

  it('has the 93 Annex A controls of ISO/IEC 27001:2022 to decide', () => {
    expect(controls).toHaveLength(93);
  });

  it('dry run: recognises the messy headers and reports every bad row by sheet, row and column; writes nothing', async () => {
    const { importApplicability: r } = await t.data(IMPORT_SOA, { input: { framework: 'iso27001', document, dryRun: true, reuseTo: [] } });
    expect(r.columns).toEqual([
      { column: 'A', header: 'Annex A Control #', field: 'ref', matchedBy: 'HEADER' },
      { column: 'B', header: 'Control Name', field: 'title', matchedBy: 'HEADER' },
      { column: 'C', header: 'Applicable?', field: 'applicable', matchedBy: 'HEADER' },
      { column: 'D', header: 'Justification for inclusion/exclusion', field: 'justification', matchedBy: 'HEADER' },
      { column: 'E', header: 'Implementation Status', field: 'implementation', matchedBy: 'HEADER' },
      { column: 'F', header: 'Control Owner', field: 'owner', matchedBy: 'HEADER' },
    ]);
    // Title row 1, blank row 2, header row 3: the controls are rows 4 to 96, the extra row 97.
    const rowOf = (ref: string) => 4 + controls.findIndex((c) => c.ref === ref);
    expect(r.problems).toEqual([
      { sheet: 'SoA', row: rowOf('A.5.10'), column: 'C (Applicable?)', field: 'applicable', code: 'INVALID_VALUE', message: '"maybe" is not yes or no; write yes, no' },
      { sheet: 'SoA', row: rowOf('A.6.1'), column: 'D (Justification for inclusion/exclusion)', field: 'justification', code: 'REQUIRED', message: 'justification is required for NOT_APPLICABLE' },
      { sheet: 'SoA', row: 97, column: 'A (Annex A Control #)', field: 'ref', code: 'UNKNOWN_REF', message: '"A.9.9" names no requirement here (iso27001 Statement of Applicability)' },
    ]);
    expect([r.dryRun, r.written, r.sheet, r.rowCount, r.created, r.updated, r.unchanged, r.failed]).toEqual([true, false, 'SoA', 94, 91, 0, 0, 3]);
    expect(r.absent).toEqual([]);
    // Every spelling found its control: row 4 is A.5.1, row 5 ("5.2") A.5.2, row 7 ("Annex A 5.4") A.5.4, row 9 ("A.05.06") A.5.6.
    expect(r.rows.slice(0, 6).map((x: any) => x.key)).toEqual(['A.5.1', 'A.5.2', 'A.5.3', 'A.5.4', 'A.5.5', 'A.5.6']);
    const soa = await t.data(`{ statementOfApplicability(framework: "iso27001") { undecided } }`);
    expect(soa.statementOfApplicability.undecided).toBe(93);
  });

  it('all or nothing by default; keepGoodRows writes the 91 good rows; a second import changes nothing', async () => {
    const strict = (await t.data(IMPORT_SOA, { input: { framework: 'iso27001', document, reuseTo: [] } })).importApplicability;
    expect([strict.written, strict.created, strict.unchanged, strict.failed, strict.problems.length]).toEqual([false, 0, 91, 3, 3]);
    expect((await t.data(`{ statementOfApplicability(framework: "iso27001") { undecided } }`)).statementOfApplicability.undecided).toBe(93);

    const kept = (await t.data(IMPORT_SOA, { input: { framework: 'iso27001', document, keepGoodRows: true, reuseTo: [] } })).importApplicability;
    expect([kept.written, kept.created, kept.updated, kept.unchanged, kept.failed]).toEqual([true, 91, 0, 0, 3]);
    expect(kept.absent.map((a: any) => a.key)).toEqual([]);
    const soa = (await t.data(`{ statementOfApplicability(framework: "iso27001") { applicable notApplicable undecided
      rows { requirement { ref } decision { applicability justification implementation owner } } } }`)).statementOfApplicability;
    // 93 controls: A.7.5 and A.8.30 excluded; A.5.10 and A.6.1 (bad rows) undecided; 89 applicable.
    expect([soa.applicable, soa.notApplicable, soa.undecided]).toEqual([89, 2, 2]);
    const a830 = soa.rows.find((x: any) => x.requirement.ref === 'A.8.30').decision;
    expect(a830).toEqual({ applicability: 'NOT_APPLICABLE', justification: 'No such facilities / no outsourced development', implementation: 'IMPLEMENTED', owner: 'CISO' });
    expect(soa.rows[0].decision.implementation).toBe('PARTIALLY_IMPLEMENTED');

    const again = (await t.data(IMPORT_SOA, { input: { framework: 'iso27001', document, keepGoodRows: true, reuseTo: [] } })).importApplicability;
    expect([again.created, again.updated, again.unchanged, again.failed]).toEqual([0, 0, 91, 3]);

    // A sheet with only some columns keeps what the others said: A.5.1 stays as it was; A.5.2 changes owner only.
    const partial = (await t.data(IMPORT_SOA, { input: { framework: 'iso27001', document: 'Control,Applicable,Owner\nA.5.1,Yes,CISO\nA.5.2,Yes,Head of IT\n', reuseTo: [] } })).importApplicability;
    expect(partial.rows).toEqual([{ row: 2, key: 'A.5.1', outcome: 'UNCHANGED' }, { row: 3, key: 'A.5.2', outcome: 'UPDATED' }]);
    const a52 = (await t.data(`{ statementOfApplicability(framework: "iso27001") { rows { requirement { ref } decision { applicability justification implementation owner } } } }`))
      .statementOfApplicability.rows.find((x: any) => x.requirement.ref === 'A.5.2').decision;
    expect(a52).toEqual({ applicability: 'APPLICABLE', justification: 'Risk treatment plan', implementation: 'IMPLEMENTED', owner: 'Head of IT' });
  });
});

const IMPORT_REGISTER = `mutation($input: ImportEvidenceRegisterInput!) { importEvidenceRegister(input: $input) {
  dryRun written rowCount created updated unchanged failed removed
  columns { column header field } problems { sheet row column field code message } rows { row key outcome } absent { key title }
  reuse { to { key } totals { full partial none } requirements { requirement { ref } reach } } } }`;

describe('an evidence register of 500 rows from CSV', () => {
  const header = ['Doc ID', 'Document Title', 'Type', 'Location', 'Owner', 'Approved On', 'Next Review', 'Status', 'Controls', 'Control 2'];
  const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const csv = (rows: string[][]) => [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n');
  /** Row i links two controls in one cell ("A.5.1, A.5.2") and a third in the repeated column. */
  const row = (i: number): string[] => {
    const c = (k: number) => controls[(i + k) % controls.length].ref;
    return [`DOC-${String(i).padStart(4, '0')}`, `Register item ${i}`, ['Policy', 'Procedure', 'Record', 'Test result'][i % 4], `https://intranet.example.com/doc/${i}`,
      'ISMS manager', '2026-01-15', '2027-01-15', 'Approved', `${c(0)}, ${c(1)}`, c(2)];
  };
  let good: string[][];
  let messy: string[][];
  beforeAll(() => {
    good = Array.from({ length: 500 }, (_, i) => row(i));
    messy = good.map((r) => [...r]);
    messy[10][5] = '15/01/2026'; // ambiguous date: row 12 (header is row 1)
    messy[20][8] = '5.1'; // clause 5.1 or control A.5.1: row 22
    messy[30][1] = ''; // no title: row 32
  });

  it('dry run reports every bad row by sheet, row and column and writes nothing', async () => {
    const r = (await t.data(IMPORT_REGISTER, { input: { framework: 'iso27001', sourceSystem: 'isms-register', document: csv(messy), dryRun: true, reuseTo: [] } })).importEvidenceRegister;
    expect(r.columns.map((c: any) => c.field)).toEqual(['externalId', 'title', 'kind', 'uri', 'owner', 'effectiveAt', 'validUntil', 'status', 'refs', 'refs']);
    expect(r.problems).toEqual([
      { sheet: 'CSV', row: 12, column: 'F (Approved On)', field: 'effectiveAt', code: 'INVALID_VALUE', message: '"15/01/2026" is ambiguous (day or month first?); write YYYY-MM-DD' },
      { sheet: 'CSV', row: 22, column: 'I (Controls)', field: 'refs', code: 'AMBIGUOUS_REF', message: '"5.1" could be 5.1 or A.5.1; write the one meant (iso27001)' },
      { sheet: 'CSV', row: 32, column: 'B (Document Title)', field: 'title', code: 'REQUIRED', message: 'title is empty' },
    ]);
    expect([r.dryRun, r.written, r.rowCount, r.created, r.failed]).toEqual([true, false, 500, 497, 3]);
    const n = await t.data(`{ evidences(first: 1) { totalCount } }`);
    expect(n.evidences.totalCount).toBe(0);
  });

  it('imports in one call; its reuse picture is prefill(from: iso27001, to: iso42001) run afterwards; again: all UNCHANGED; a changed row UPDATED, a dropped one absent and kept', async () => {
    const first = (await t.data(IMPORT_REGISTER, { input: { framework: 'iso27001', sourceSystem: 'isms-register', document: csv(good), reuseTo: ['iso42001'] } })).importEvidenceRegister;
    expect([first.written, first.created, first.updated, first.unchanged, first.failed, first.problems]).toEqual([true, 500, 0, 0, 0, []]);
    const after = (await t.data(`{ prefill(from: "iso27001", to: "iso42001") { to { key } totals { full partial none } requirements { requirement { ref } reach } } }`)).prefill;
    expect(first.reuse).toEqual([after]);
    expect(after.totals.full + after.totals.partial).toBeGreaterThan(0);
    expect((await t.data(`{ evidences(first: 1) { totalCount } }`)).evidences.totalCount).toBe(500);

    const same = (await t.data(IMPORT_REGISTER, { input: { framework: 'iso27001', sourceSystem: 'isms-register', document: csv(good), reuseTo: [] } })).importEvidenceRegister;
    expect([same.created, same.updated, same.unchanged, same.failed, same.absent]).toEqual([0, 0, 500, 0, []]);

    const next = good.slice(0, 499).map((r) => [...r]);
    next[7][1] = 'Register item 7, version 2';
    const changed = (await t.data(IMPORT_REGISTER, { input: { framework: 'iso27001', sourceSystem: 'isms-register', document: csv(next), reuseTo: [] } })).importEvidenceRegister;
    expect([changed.created, changed.updated, changed.unchanged, changed.failed]).toEqual([0, 1, 498, 0]);
    expect(changed.rows.find((x: any) => x.outcome === 'UPDATED')).toEqual({ row: 9, key: 'DOC-0007', outcome: 'UPDATED' });
    expect(changed.absent).toEqual([{ key: 'DOC-0499', title: 'Register item 499' }]);
    expect(changed.removed).toBe(0);
    expect((await t.data(`{ evidences(first: 1) { totalCount } }`)).evidences.totalCount).toBe(500);
  });
});

/** The cells of every row of a workbook's sheet, as text. */
async function cellsOf(body: ArrayBuffer, sheet?: string): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body);
  const ws = sheet ? wb.getWorksheet(sheet)! : wb.worksheets[0];
  const rows: string[][] = [];
  ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
  return rows;
}
const get = (path: string, token: string | null = t.token) => fetch(t.url.replace('/graphql', path), { headers: token ? { authorization: `Bearer ${token}` } : {} });
const base64 = async (res: Response) => Buffer.from(await res.arrayBuffer()).toString('base64');

describe('a register without ids', () => {
  it('keys each row on a hash of its cells: the same sheet again is UNCHANGED; a changed row is a new item and the old one absent', async () => {
    const sheet = (title2: string) => ['Title,Effective date,Controls', 'Access policy,2026-01-15,A.5.15', `"${title2}",2026-01-15,"A.5.1, A.5.2"`].join('\n');
    const first = (await t.data(IMPORT_REGISTER, { input: { framework: 'iso27001', sourceSystem: 'no-ids', document: sheet('Policy set'), reuseTo: [] } })).importEvidenceRegister;
    expect([first.created, first.failed]).toEqual([2, 0]);
    expect(first.rows.map((r: any) => r.key)).toEqual([expect.stringMatching(/^row-[0-9a-f]{24}$/), expect.stringMatching(/^row-[0-9a-f]{24}$/)]);
    const same = (await t.data(IMPORT_REGISTER, { input: { framework: 'iso27001', sourceSystem: 'no-ids', document: sheet('Policy set'), reuseTo: [] } })).importEvidenceRegister;
    expect([same.created, same.unchanged, same.rows.map((r: any) => r.key)]).toEqual([0, 2, first.rows.map((r: any) => r.key)]);
    const changed = (await t.data(IMPORT_REGISTER, { input: { framework: 'iso27001', sourceSystem: 'no-ids', document: sheet('Policy set, v2'), reuseTo: [] } })).importEvidenceRegister;
    expect(changed.problems).toEqual([]);
    expect([changed.created, changed.unchanged, changed.absent]).toEqual([1, 1, [{ key: first.rows[1].key, title: 'Policy set' }]]);
  });
});

describe('templates and exports in the shape the imports read', () => {
  it('templates: the columns, an example row and a sheet that explains each column; no token needed; a template imports as it is', async () => {
    const soa = await get('/templates/soa.xlsx', null);
    expect(soa.status).toBe(200);
    expect(soa.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const body = await soa.arrayBuffer();
    expect(await cellsOf(body)).toEqual([
      ['Ref', 'Title', 'Applicable', 'Justification', 'Reasons', 'Implementation status', 'Owner'],
      ['A.5.1', 'Policies for information security', 'Yes', 'Required by the risk treatment plan', 'Risk treatment, Legal/regulatory', 'Implemented', 'CISO'],
    ]);
    const help = await cellsOf(body, 'Columns');
    expect(help.map((r) => r.slice(0, 2))).toEqual([['Column', 'Required'], ['Ref', 'yes'], ['Title', 'no'], ['Applicable', 'yes'], ['Justification', 'no'], ['Reasons', 'no'], ['Implementation status', 'no'], ['Owner', 'no']]);
    const csv = await get('/templates/evidence-register.csv', null);
    expect((await csv.text()).split('\n')[0]).toBe('ID,Title,Kind,Location,Owner,Effective date,Review date,Review cadence,Status,Description,Refs');
    const dry = (await t.data(IMPORT_SOA, { input: { framework: 'iso27001', document: Buffer.from(body).toString('base64'), dryRun: true, reuseTo: [] } })).importApplicability;
    expect([dry.problems, dry.rows]).toEqual([[], [{ row: 2, key: 'A.5.1', outcome: 'UPDATED' }]]);
    const register = await get('/templates/evidence-register.xlsx', null);
    const dryRegister = (await t.data(IMPORT_REGISTER, { input: { framework: 'iso27001', sourceSystem: 'template', document: await base64(register), dryRun: true, reuseTo: [] } })).importEvidenceRegister;
    expect([dryRegister.problems, dryRegister.rows]).toEqual([[], [{ row: 2, key: 'DOC-001', outcome: 'CREATED' }]]);
  });

  it('the SoA: export, import, export again changes nothing', async () => {
    const first = await get('/export/soa.xlsx?framework=iso27001');
    expect(first.status).toBe(200);
    const body = await first.arrayBuffer();
    const rows = await cellsOf(body);
    expect(rows).toHaveLength(94);
    expect(rows[0]).toEqual(['Ref', 'Title', 'Applicable', 'Justification', 'Reasons', 'Implementation status', 'Owner']);
    // A.8.30 as decided by the workbook above; A.5.10 left undecided there, so empty here.
    expect(rows.find((r) => r[0] === 'A.8.30')).toEqual(['A.8.30', controls.find((c) => c.ref === 'A.8.30')!.title, 'No', 'No such facilities / no outsourced development', '', 'Implemented', 'CISO']);
    expect(rows.find((r) => r[0] === 'A.5.10')!.slice(2)).toEqual(['', '', '', '', '']);
    const again = (await t.data(IMPORT_SOA, { input: { framework: 'iso27001', document: Buffer.from(body).toString('base64'), reuseTo: [] } })).importApplicability;
    expect([again.created, again.updated, again.unchanged, again.failed, again.problems]).toEqual([0, 0, 91, 0, []]);
    expect(again.absent.map((a: any) => a.key)).toEqual(['A.5.10', 'A.6.1']);
    expect(await cellsOf(await (await get('/export/soa.xlsx?framework=iso27001')).arrayBuffer())).toEqual(rows);
  });

  it('the evidence register: export, import, export again changes nothing; an INTEGRATOR exports only what it wrote', async () => {
    const first = await get('/export/evidence-register.xlsx?framework=iso27001&sourceSystem=isms-register');
    expect(first.status).toBe(200);
    const body = await first.arrayBuffer();
    const rows = await cellsOf(body);
    expect(rows).toHaveLength(501);
    const c = (k: number) => controls[(7 + k) % controls.length].ref;
    expect(rows.find((r) => r[0] === 'DOC-0007')).toEqual(['DOC-0007', 'Register item 7, version 2', 'Test result', 'https://intranet.example.com/doc/7', 'ISMS manager',
      '2026-01-15', '2027-01-15', '', 'Accepted', '', [c(0), c(1), c(2)].sort((a, b) => controls.findIndex((x) => x.ref === a) - controls.findIndex((x) => x.ref === b)).join(', ')]);
    const again = (await t.data(IMPORT_REGISTER, { input: { framework: 'iso27001', sourceSystem: 'isms-register', document: Buffer.from(body).toString('base64'), reuseTo: [] } })).importEvidenceRegister;
    expect([again.created, again.updated, again.unchanged, again.failed, again.absent, again.problems]).toEqual([0, 0, 500, 0, [], []]);
    expect(await cellsOf(await (await get('/export/evidence-register.xlsx?framework=iso27001&sourceSystem=isms-register')).arrayBuffer())).toEqual(rows);
    const csv = await get('/export/evidence-register.csv?framework=iso27001&sourceSystem=isms-register');
    expect((await csv.text()).trim().split('\n')).toHaveLength(501);
    expect((await get('/export/evidence-register.xlsx?framework=iso27001')).status).toBe(400);
    // An INTEGRATOR's item under the same source system: its export has that row only; the ADMIN's has all 501.
    const integrator = (await t.data(`mutation { createApiToken(input: { name: "sheet-integrator", role: INTEGRATOR }) { token } }`)).createApiToken.token;
    const own = await t.gql(`mutation { upsertEvidence(input: { sourceSystem: "isms-register", externalId: "INT-1", title: "From CI", kind: TEST_RESULT,
      effectiveAt: "2026-02-01T00:00:00Z", links: [{ framework: "iso27001", ref: "A.8.29" }] }) { outcome } }`, undefined, { token: integrator });
    expect(own.data.upsertEvidence.outcome).toBe('CREATED');
    const mine = await cellsOf(await (await get('/export/evidence-register.xlsx?framework=iso27001&sourceSystem=isms-register', integrator)).arrayBuffer());
    expect(mine).toEqual([rows[0], ['INT-1', 'From CI', 'Test result', '', '', '2026-02-01', '', '', 'Draft', '', 'A.8.29']]);
    expect(await cellsOf(await (await get('/export/evidence-register.xlsx?framework=iso27001&sourceSystem=isms-register')).arrayBuffer())).toHaveLength(502);
    expect((await get('/export/soa.xlsx?framework=iso27001', integrator)).status).toBe(403);
  });
});

describe('the upload route for large workbooks', () => {
  const post = (path: string, body: Buffer | string, token: string | null = t.token) =>
    fetch(t.url.replace('/graphql', path), { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body });

  it('takes the raw file with the mutation\'s arguments as query parameters and answers its payload; refuses without a token or the role', async () => {
    const csv = ['Doc ID,Document Title,Approved On,Controls', 'UP-1,Uploaded policy,2026-03-01,"A.5.1, A.5.2 (partial)"', 'UP-2,,2026-03-01,A.5.3', 'UP-3,Bad ref,2026-03-01,A.99'].join('\n');
    const dry = await post('/import/evidence-register?framework=iso27001&sourceSystem=upload&dryRun=true&reuseTo=', csv);
    expect(dry.status).toBe(200);
    const d = ((await dry.json()) as any).data;
    expect([d.dryRun, d.written, d.created, d.failed, d.reuse]).toEqual([true, false, 1, 2, []]);
    expect(d.problems.map((p: any) => [p.row, p.column, p.code])).toEqual([[3, 'B (Document Title)', 'REQUIRED'], [4, 'D (Controls)', 'UNKNOWN_REF']]);

    const res = await post('/import/evidence-register?framework=iso27001&sourceSystem=upload&keepGoodRows=true&reuseTo=iso42001', csv);
    const r = ((await res.json()) as any).data;
    expect([r.written, r.created, r.failed]).toEqual([true, 1, 2]);
    const after = (await t.data(`{ prefill(from: "iso27001", to: "iso42001") { totals { full partial none } requirements { requirement { ref title } reach } } }`)).prefill;
    expect(r.reuse).toEqual([{ from: 'iso27001', to: 'iso42001', totals: expect.objectContaining(after.totals),
      requirements: after.requirements.map((i: any) => ({ ref: i.requirement.ref, title: i.requirement.title, reach: i.reach })) }]);
    const links = (await t.data(`{ evidences(filter: { sourceSystem: "upload" }) { nodes { externalId links { coverage requirement { ref } } } } }`)).evidences.nodes;
    expect(links).toEqual([{ externalId: 'UP-1', links: expect.arrayContaining([{ coverage: 'FULL', requirement: { ref: 'A.5.1' } }, { coverage: 'PARTIAL', requirement: { ref: 'A.5.2' } }]) }]);
    expect(links[0].links).toHaveLength(2);

    expect((await post('/import/evidence-register?framework=iso27001&sourceSystem=upload', csv, null)).status).toBe(401);
    const viewer = (await t.data(`mutation { createApiToken(input: { name: "sheet-viewer", role: VIEWER }) { token } }`)).createApiToken.token;
    const refused = await post('/import/applicability?framework=iso27001', 'ref,applicable\nA.5.1,yes\n', viewer);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
    const noSource = await post('/import/evidence-register?framework=iso27001', csv);
    expect([noSource.status, ((await noSource.json()) as any).errors[0].extensions]).toEqual([400, { code: 'BAD_USER_INPUT', field: 'sourceSystem' }]);
  });
});
