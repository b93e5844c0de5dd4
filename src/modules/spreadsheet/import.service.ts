import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { inTransaction } from '../../database/transaction';
import { RequirementKind } from '../framework/framework.enums';
import { Applicability, ApplicabilityReason, DeclaredImplementation } from '../applicability/applicability.entity';
import { ApplicabilityService, decisionProblem, DecisionOutcome } from '../applicability/applicability.service';
import { EvidenceService, Writer } from '../evidence/evidence.service';
import { EvidenceKind, EvidenceStatus, LinkCoverage, ReviewCadence, UpsertOutcome } from '../evidence/evidence.enums';
import { UpsertEvidenceInput } from '../evidence/evidence.input';
import { validateEvidence } from '../evidence/evidence.rules';
import { ColumnMapping, ColumnUse, columnLabel, FieldSpec, recognisedHeaders, resolveColumns, SheetProblem } from './columns';
import { APPLICABLE_SPELLINGS, CADENCE_SPELLINGS, IMPLEMENTATION_SPELLINGS, KIND_SPELLINGS, REASON_SPELLINGS, REGISTER_FIELDS, SOA_FIELDS, STATUS_SPELLINGS } from './fields';
import { RefMatcher, RefTarget, splitRefs } from './refs';
import { readTable, SheetFormat, Table } from './table';
import { oneOf, readDate } from './values';

/** What an import is given. */
export interface ImportRequest {
  /** The framework the sheet's refs are in. */
  framework: { id: string; key: string };
  content: Buffer;
  format: SheetFormat;
  sheet?: string | null;
  columns?: readonly ColumnMapping[];
  dryRun: boolean;
  /** Write the good rows when some are wrong (each then reported); else nothing is written when any row is wrong. */
  keepGoodRows: boolean;
}

export type RowOutcome = DecisionOutcome | 'FAILED';

/** One row's result: its row number, the requirement or item it wrote, and what happened (what would, in a dry run). */
export interface ImportedRow {
  row: number;
  /** The SoA row's ref, or the register row's external id. */
  key: string;
  outcome: RowOutcome;
}

export interface ImportResult {
  dryRun: boolean;
  /** Whether anything was written: false for a dry run, and when a row was wrong and keepGoodRows was not asked. */
  written: boolean;
  sheet: string;
  columns: ColumnUse[];
  rowCount: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  problems: SheetProblem[];
  rows: ImportedRow[];
  /** SoA: requirements of the Statement of Applicability no row names. Register: items of the source system no row names. */
  absent: { key: string; title: string }[];
  /** Register: items of the source system no row names whose links were ended (removeAbsent). */
  removed: number;
}

/** Register rows written per call of the evidence service (its statements are a constant number per call). */
const IMPORT_CHUNK = 5000;

/** A rollback on purpose: the rows were written in a savepoint, a row failed while writing, and the import is all or nothing. */
class Undo extends Error {}

/** A row's problems, a way to add one at a column, and the first filled cell of a field's columns. */
function rowReader(table: Table, byField: Map<string, number[]>, row: number, cells: string[]) {
  const rowProblems: SheetProblem[] = [];
  const at = (field: string, index: number | null, code: string, message: string) =>
    rowProblems.push({ sheet: table.sheet, row, column: index === null ? null : columnLabel(table, index), field, code, message });
  const cell = (field: string): { text: string; index: number } | null => {
    for (const i of byField.get(field) ?? []) if ((cells[i] ?? '') !== '') return { text: cells[i], index: i };
    return null;
  };
  return { rowProblems, at, cell };
}

function count(rows: ImportedRow[]): Pick<ImportResult, 'created' | 'updated' | 'unchanged' | 'failed'> {
  const n = (o: RowOutcome) => rows.filter((r) => r.outcome === o).length;
  return { created: n('CREATED'), updated: n('UPDATED'), unchanged: n('UNCHANGED'), failed: n('FAILED') };
}

/**
 * Statements of Applicability and evidence registers from spreadsheets (issue 19). Each import reads the
 * sheet, matches its header to the fields (fields.ts), reads every row and reports every problem with its
 * sheet, row and column before anything is written; then writes through the same services as
 * setApplicability and bulkUpsertEvidence, in one transaction.
 */
export class SpreadsheetImportService {
  constructor(
    private readonly ds: DataSource,
    private readonly applicability: ApplicabilityService,
    private readonly evidence: EvidenceService,
  ) {}

  /** The connection the exports read with. */
  get dataSource(): DataSource {
    return this.ds;
  }

  private async table(req: ImportRequest, specs: readonly FieldSpec[]) {
    const table = await readTable(req.content, req.format, req.sheet, recognisedHeaders(specs, req.columns));
    const resolved = resolveColumns(table, specs, req.columns);
    if (!table.header.length) resolved.problems.push({ sheet: table.sheet, row: null, column: null, field: null, code: 'EMPTY_SHEET', message: 'the sheet is empty: no header row' });
    return { table, ...resolved };
  }

  /** The rows of the framework's Statement of Applicability: its Annex A controls when it has controls, else its assessable requirements. */
  async soaTargets(frameworkId: string): Promise<(RefTarget & { title: string })[]> {
    return this.ds.query(
      `SELECT r.id, r.ref, r.title FROM requirement r WHERE r.framework_id = $1
         AND CASE WHEN EXISTS (SELECT 1 FROM requirement c WHERE c.framework_id = $1 AND c.kind = $2) THEN r.kind = $2 ELSE r.assessable END
       ORDER BY r.position`,
      [frameworkId, RequirementKind.CONTROL],
    );
  }

  async importApplicability(org: string, actor: string, req: ImportRequest): Promise<ImportResult> {
    const { table, uses, byField, problems } = await this.table(req, SOA_FIELDS);
    const base = { dryRun: req.dryRun, sheet: table.sheet, columns: uses, rowCount: table.rows.length, absent: [], removed: 0 };
    if (problems.length) return { ...base, written: false, created: 0, updated: 0, unchanged: 0, failed: table.rows.length, problems, rows: [] };

    const targets = await this.soaTargets(req.framework.id);
    const matcher = new RefMatcher(targets);
    const rows: ImportedRow[] = [];
    const good: { row: number; requirementId: string; input: Parameters<ApplicabilityService['setMany']>[3][number]['input'] }[] = [];
    const seen = new Map<string, number>();
    for (const { row, cells } of table.rows) {
      const { rowProblems, at, cell } = rowReader(table, byField, row, cells);
      const refCell = cell('ref');
      // A row that decides nothing (an exported or template row not filled in yet): the control stays undecided.
      if (refCell && !['applicable', 'justification', 'reasons', 'implementation', 'owner'].some((f) => cell(f))) continue;
      let requirementId: string | null = null;
      let ref = refCell?.text ?? '';
      if (!refCell) at('ref', byField.get('ref')![0], 'REQUIRED', 'ref is empty');
      else {
        const m = matcher.match(refCell.text);
        if ('target' in m) {
          requirementId = m.target.id;
          ref = m.target.ref;
          const first = seen.get(requirementId);
          if (first !== undefined) at('ref', refCell.index, 'DUPLICATE_ROW', `${ref} is already decided in row ${first}`);
          else seen.set(requirementId, row);
        } else at('ref', refCell.index, m.code, `${m.message} (${req.framework.key} Statement of Applicability)`);
      }
      const applicableCell = cell('applicable');
      let applicability: Applicability | null = null;
      if (!applicableCell) at('applicable', byField.get('applicable')![0], 'REQUIRED', 'applicable is empty: write yes or no');
      else {
        const r = oneOf(applicableCell.text, APPLICABLE_SPELLINGS, 'yes or no');
        if ('value' in r) applicability = r.value;
        else at('applicable', applicableCell.index, 'INVALID_VALUE', r.problem);
      }
      const reasons: ApplicabilityReason[] = [];
      const reasonsCell = cell('reasons');
      if (reasonsCell) {
        for (const piece of reasonsCell.text.split(/[,;\n|]+/).map((p) => p.trim()).filter(Boolean)) {
          const r = oneOf(piece, REASON_SPELLINGS, 'a reason category');
          if ('value' in r) reasons.push(r.value);
          else at('reasons', reasonsCell.index, 'INVALID_VALUE', r.problem);
        }
      }
      let implementation: DeclaredImplementation | null = null;
      const implementationCell = cell('implementation');
      if (implementationCell) {
        const r = oneOf(implementationCell.text, IMPLEMENTATION_SPELLINGS, 'an implementation status');
        if ('value' in r) implementation = r.value;
        else at('implementation', implementationCell.index, 'INVALID_VALUE', r.problem);
      }
      const justificationCell = cell('justification');
      const ownerCell = cell('owner');
      // A column the sheet does not have keeps what the decision in force says (setMany); an empty cell clears it.
      const has = (field: string) => byField.has(field);
      const input = {
        applicability: applicability!, justification: has('justification') ? justificationCell?.text ?? null : undefined,
        reasons: has('reasons') ? [...new Set(reasons)] : undefined, implementation: has('implementation') ? implementation : undefined, owner: has('owner') ? ownerCell?.text ?? null : undefined,
      };
      if (applicability) {
        const p = decisionProblem(input);
        if (p) at(p.field, (p.field === 'owner' ? ownerCell : justificationCell)?.index ?? byField.get(p.field)?.[0] ?? null, p.field === 'justification' && !justificationCell ? 'REQUIRED' : 'INVALID_VALUE', p.message);
      }
      if (rowProblems.length || !requirementId) {
        problems.push(...rowProblems);
        rows.push({ row, key: ref, outcome: 'FAILED' });
      } else {
        good.push({ row, requirementId, input });
        rows.push({ row, key: ref, outcome: 'UNCHANGED' });
      }
    }
    const absent = targets.filter((t) => !seen.has(t.id)).map((t) => ({ key: t.ref, title: t.title }));
    const write = !req.dryRun && (!problems.length || req.keepGoodRows);
    const outcomes = await inTransaction(this.ds, (em) => this.applicability.setMany(em, org, actor, good.map(({ requirementId, input }) => ({ requirementId, input })), !write));
    // Not written (a row is wrong and the import is all or nothing): nothing changed. A dry run says what would.
    const byRow = new Map(good.map((g, i) => [g.row, write || req.dryRun ? outcomes[i] : 'UNCHANGED' as const]));
    for (const r of rows) if (r.outcome !== 'FAILED') r.outcome = byRow.get(r.row)!;
    return { ...base, written: write && good.length > 0, ...count(rows), problems, rows, absent };
  }

  async importEvidenceRegister(org: string, writer: Writer, req: ImportRequest & { sourceSystem: string; removeAbsent: boolean; frameworks: ReadonlyMap<string, string> }): Promise<ImportResult> {
    const { table, uses, byField, problems } = await this.table(req, REGISTER_FIELDS);
    const base = { dryRun: req.dryRun, sheet: table.sheet, columns: uses, rowCount: table.rows.length };
    if (problems.length) return { ...base, written: false, created: 0, updated: 0, unchanged: 0, failed: table.rows.length, problems, rows: [], absent: [], removed: 0 };

    const matchers = new Map<string, RefMatcher>();
    const matcherOf = async (key: string) => {
      let m = matchers.get(key);
      if (!m) {
        const id = req.frameworks.get(key)!;
        m = new RefMatcher(await this.ds.query(`SELECT id, ref FROM requirement WHERE framework_id = $1`, [id]));
        matchers.set(key, m);
      }
      return m;
    };
    // Registers repeat their dates, kinds, statuses and refs row after row: each distinct cell is read once.
    const memos = new Map<string, unknown>();
    const memo = <T>(key: string, read: () => T): T => {
      if (!memos.has(key)) memos.set(key, read());
      return memos.get(key) as T;
    };
    const rows: ImportedRow[] = [];
    const good: { row: number; item: UpsertEvidenceInput }[] = [];
    const seen = new Map<string, number>();
    for (const { row, cells } of table.rows) {
      const { rowProblems, at, cell } = rowReader(table, byField, row, cells);
      const text = (field: string) => cell(field)?.text ?? null;
      // An optional column the sheet does not have leaves the stored value as it is (as an upsert that does not send the field); an empty cell clears it.
      const optional = (field: string) => (byField.has(field) ? text(field) : undefined);
      const pick = <T>(field: string, spellings: readonly (readonly [T, readonly string[]])[], what: string): T | null => {
        const c = cell(field);
        if (!c) return null;
        const r = memo(`${field}\0${c.text}`, () => oneOf(c.text, spellings, what));
        if ('value' in r) return r.value;
        at(field, c.index, 'INVALID_VALUE', r.problem);
        return null;
      };
      const date = (field: string): Date | null => {
        const c = cell(field);
        if (!c) return null;
        const r = memo(`date\0${c.text}`, () => readDate(c.text));
        if ('value' in r) return r.value;
        at(field, c.index, 'INVALID_VALUE', r.problem);
        return null;
      };
      const links: { framework: string; ref: string; coverage: LinkCoverage }[] = [];
      for (const i of byField.get('refs')!) {
        for (const piece of splitRefs(cells[i] ?? '')) {
          // "A.5.1 (partial)": the evidence shows part of the requirement (a PARTIAL link, as the export writes it).
          const partial = /\s*\(partial\)$/i.test(piece);
          const written = piece.replace(/\s*\(partial\)$/i, '');
          const q = /^([a-z0-9][a-z0-9_-]*):\s*(.+)$/i.exec(written);
          const key = q && req.frameworks.has(q[1]) ? q[1] : req.framework.key;
          const m = await memo(`ref\0${key}\0${written}`, async () => (await matcherOf(key)).match(q && req.frameworks.has(q[1]) ? q[2] : written));
          if ('target' in m) {
            if (!links.some((l) => l.framework === key && l.ref === m.target.ref)) links.push({ framework: key, ref: m.target.ref, coverage: partial ? LinkCoverage.PARTIAL : LinkCoverage.FULL });
          } else at('refs', i, m.code, `${m.message} (${key})`);
        }
      }
      if (!links.length && !rowProblems.some((p) => p.field === 'refs')) at('refs', byField.get('refs')![0], 'REQUIRED', 'no requirement named: write at least one ref');
      const title = text('title');
      const kind = pick('kind', KIND_SPELLINGS, 'an evidence kind') ?? (cell('kind') ? null : EvidenceKind.OTHER);
      const status = pick('status', STATUS_SPELLINGS, 'a review status') as EvidenceStatus | null;
      const reviewCadence = pick('reviewCadence', CADENCE_SPELLINGS, 'a review cadence') as ReviewCadence | null;
      const effectiveAt = date('effectiveAt');
      if (!cell('effectiveAt')) at('effectiveAt', byField.get('effectiveAt')![0], 'REQUIRED', 'effectiveAt is empty: write the date it took effect (YYYY-MM-DD)');
      const validUntil = date('validUntil');
      const idCell = cell('externalId');
      // No id in the sheet: the row's own content is its id, stable as long as the row does not change.
      const externalId = idCell?.text ?? `row-${createHash('sha256').update(JSON.stringify([...byField].map(([field, cols]) => [field, cols.map((c) => cells[c] ?? '')]))).digest('hex').slice(0, 24)}`;
      const item: UpsertEvidenceInput = Object.assign(new UpsertEvidenceInput(), {
        sourceSystem: req.sourceSystem, externalId, title: title ?? '', kind: kind ?? EvidenceKind.OTHER, effectiveAt: effectiveAt ?? new Date(0),
        description: optional('description'), uri: optional('uri'), owner: optional('owner'), links,
        ...(validUntil ? { validUntil } : {}), ...(reviewCadence ? { reviewCadence } : {}), ...(status ? { status } : {}),
      });
      if (!title) at('title', byField.get('title')![0], 'REQUIRED', 'title is empty');
      if (!rowProblems.length) {
        // The API's own checks (lengths, URI schemes, dates, cadence or review date), reported at their column.
        for (const p of validateEvidence(item).problems) {
          at(p.field, byField.get(p.field)?.[0] ?? null, 'INVALID_VALUE', p.message);
        }
      }
      const first = seen.get(externalId);
      if (first !== undefined) at('externalId', idCell?.index ?? null, 'DUPLICATE_ROW', `${idCell ? `id "${externalId}"` : 'the same row'} is already in row ${first}`);
      else seen.set(externalId, row);
      if (rowProblems.length) {
        problems.push(...rowProblems);
        rows.push({ row, key: externalId, outcome: 'FAILED' });
      } else {
        good.push({ row, item });
        rows.push({ row, key: externalId, outcome: 'UNCHANGED' });
      }
    }

    const stored: { external_id: string; title: string; id: string }[] = await this.ds.query(
      `SELECT e.external_id, e.title, e.id FROM evidence e WHERE e.organization_id = $1 AND e.source_system = $2
         AND EXISTS (SELECT 1 FROM evidence_link l WHERE l.organization_id = e.organization_id AND l.evidence_id = e.id AND l.unlinked_at IS NULL)
         AND ($3::text IS NULL OR e.created_by = $3)
       ORDER BY e.external_id`,
      // An INTEGRATOR sees (and may end) only what it wrote.
      [org, req.sourceSystem, writer.ownOnly ? writer.actor : null],
    );
    const absent = stored.filter((s) => !seen.has(s.external_id));
    const absentItems = absent.map((a) => ({ key: a.external_id, title: a.title }));
    const write = !req.dryRun && (!problems.length || req.keepGoodRows);
    // A row is wrong and the import is all or nothing: nothing is written, so nothing is tried either.
    if (!write && !req.dryRun) return { ...base, written: false, ...count(rows), problems, rows, absent: absentItems, removed: 0 };
    let removed = 0;
    // Written in a savepoint (the request's transaction around it): a dry run, or a row that fails while
    // writing when the import is all or nothing, rolls it back, and the outcomes are still what they would be.
    try {
      await inTransaction(this.ds, async () => {
        const rowOf = new Map(rows.map((r) => [r.row, r]));
        for (let i = 0; i < good.length; i += IMPORT_CHUNK) {
          const chunk = good.slice(i, i + IMPORT_CHUNK);
          const results = await this.evidence.upsertMany(org, writer, chunk.map((g) => g.item), { maxItems: IMPORT_CHUNK, readBack: false });
          results.forEach((r, k) => {
            const row = rowOf.get(chunk[k].row)!;
            if (r.outcome === UpsertOutcome.FAILED) {
              row.outcome = 'FAILED';
              for (const p of r.problems) problems.push({ sheet: table.sheet, row: row.row, column: null, field: p.field, code: r.code ?? 'INVALID_VALUE', message: p.message });
            } else row.outcome = r.outcome as DecisionOutcome;
          });
        }
        if (req.removeAbsent && absent.length) removed = await this.evidence.endLinks(org, writer, absent.map((a) => a.id));
        if (!write || (problems.length && !req.keepGoodRows)) throw new Undo();
      });
    } catch (err) {
      if (!(err instanceof Undo)) throw err;
      if (!req.dryRun) {
        // A row failed while writing (CONFLICT): all or nothing, so nothing stays.
        for (const r of rows) if (r.outcome !== 'FAILED') r.outcome = 'UNCHANGED';
        removed = 0;
      }
      return { ...base, written: false, ...count(rows), problems, rows, absent: absentItems, removed };
    }
    return { ...base, written: good.length > 0 || removed > 0, ...count(rows), problems, rows, absent: absentItems, removed };
  }
}
