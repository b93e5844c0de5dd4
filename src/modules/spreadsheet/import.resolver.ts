import { Arg, Authorized, Ctx, Field, InputType, Int, Mutation, ObjectType, registerEnumType, Resolver } from 'type-graphql';
import type { HubContext } from '../../graphql/context';
import { badInput } from '../../graphql/errors';
import { allows, EDIT, INGEST, REPORT, Role } from '../auth/role';
import { prefillReport } from '../coverage/coverage.resolver';
import { PrefillReport } from '../coverage/coverage.types';
import { UpsertOutcome } from '../evidence/evidence.enums';
import type { ImportResult } from './import.service';
import { SheetFormat } from './table';

registerEnumType(SheetFormat, {
  name: 'SheetFormat',
  description: 'A spreadsheet file format.',
  valuesConfig: {
    CSV: { description: 'Comma, semicolon or tab separated text, UTF-8, the first line the header.' },
    XLSX: { description: 'An Excel workbook (Office Open XML), sent base64-encoded; the first sheet unless one is named.' },
  },
});

@InputType({ description: 'A column of the sheet and the field it fills, for headers the import does not recognise.' })
export class ColumnMappingInput {
  @Field({ description: 'The header as written in the sheet.' })
  header: string;

  @Field({ description: 'The field it fills (ImportColumn.field names them; the template\'s second sheet explains each).' })
  field: string;
}

@InputType({ description: 'A spreadsheet and how to read it.' })
class SheetInput {
  @Field({ description: 'The file: CSV as text, XLSX base64-encoded (the whole request within HUB_MAX_BODY_BYTES, 5 MiB by default).' })
  document: string;

  @Field(() => SheetFormat, { nullable: true, description: 'XLSX or CSV; when omitted, XLSX if the document is a base64 workbook, else CSV.' })
  format?: SheetFormat | null;

  @Field(() => String, { nullable: true, description: 'The sheet to read (XLSX); the first when omitted.' })
  sheet?: string | null;

  @Field(() => [ColumnMappingInput], { nullable: true, description: 'Columns to read as fields, beside those recognised by their header.' })
  columns?: ColumnMappingInput[] | null;

  @Field({ defaultValue: false, description: 'Read and check everything, write nothing: the answer says what would be written.' })
  dryRun: boolean;

  @Field({ defaultValue: false, description: 'Write the good rows when some rows are wrong (each reported). Otherwise nothing is written when any row is wrong.' })
  keepGoodRows: boolean;

  @Field(() => [String], { nullable: true, description: 'Frameworks (keys) of the reuse picture; every other framework when omitted, none when empty.' })
  reuseTo?: string[] | null;
}

@InputType({ description: 'A Statement of Applicability to import.' })
export class ImportApplicabilityInput extends SheetInput {
  @Field({ description: 'The framework whose controls the sheet decides, e.g. "iso27001".' })
  framework: string;
}

@InputType({ description: 'An evidence register to import: each row becomes evidence keyed on sourceSystem and the row\'s id.' })
export class ImportEvidenceRegisterInput extends SheetInput {
  @Field({ description: 'The framework the refs are in unless a ref names another ("iso42001:A.6.2.8"), e.g. "iso27001".' })
  framework: string;

  @Field({ description: 'The register\'s name as the source system of its items (1-100 characters): importing the next version of the sheet under the same name updates them.' })
  sourceSystem: string;

  @Field({ defaultValue: false, description: 'End the links of items of this source system that the sheet no longer has (their history stays). Otherwise they are only reported as absent.' })
  removeAbsent: boolean;
}

@ObjectType({ description: 'A column of the sheet and what the import read it as.' })
export class ImportColumn {
  @Field({ description: 'Its letter: A, B, … AA.' })
  column: string;

  @Field({ description: 'Its header, as written.' })
  header: string;

  @Field(() => String, { nullable: true, description: 'The field it fills; null when the import does not read it.' })
  field: string | null;

  @Field(() => String, { nullable: true, description: 'HEADER (recognised by its header), MAPPING (named in columns) or null (not read).' })
  matchedBy: string | null;
}

@ObjectType({ description: 'A problem in the sheet, where a person finds it.' })
export class SheetProblem {
  @Field({ description: 'The sheet ("CSV" for a CSV file).' })
  sheet: string;

  @Field(() => Int, { nullable: true, description: 'The row in the sheet (the header\'s for a column problem); null for the whole file.' })
  row: number | null;

  @Field(() => String, { nullable: true, description: 'Column letter and header, e.g. "C (Applicable?)"; null for a whole row or the file.' })
  column: string | null;

  @Field(() => String, { nullable: true, description: 'The field the cell fills.' })
  field: string | null;

  @Field({ description: 'REQUIRED, INVALID_VALUE, UNKNOWN_REF, AMBIGUOUS_REF, DUPLICATE_ROW, MISSING_COLUMN, DUPLICATE_COLUMN, UNKNOWN_COLUMN, UNKNOWN_FIELD, EMPTY_SHEET or CONFLICT.' })
  code: string;

  @Field({ description: 'What is wrong and what to write instead.' })
  message: string;
}

@ObjectType({ description: 'What one row did (would do, in a dry run).' })
export class ImportRow {
  @Field(() => Int, { description: 'The row in the sheet.' })
  row: number;

  @Field({ description: 'The ref it decides (SoA), or the item\'s external id (register; "row-…" when the sheet has no id).' })
  key: string;

  @Field(() => UpsertOutcome, { description: 'CREATED, UPDATED, UNCHANGED or FAILED (see problems).' })
  outcome: UpsertOutcome;
}

@ObjectType({ description: 'Something the import expected that no row names.' })
export class AbsentItem {
  @Field({ description: 'The ref (SoA: a control no row decides) or external id (register: an item of the source system no row has).' })
  key: string;

  @Field({ description: 'Its title.' })
  title: string;
}

@ObjectType({ description: 'What an import read, wrote and found, and what the framework\'s evidence pre-fills elsewhere.' })
export class SpreadsheetImportPayload {
  @Field({ description: 'True for a dry run: nothing was written.' })
  dryRun: boolean;

  @Field({ description: 'Whether anything was written.' })
  written: boolean;

  @Field({ description: 'The sheet read.' })
  sheet: string;

  @Field(() => [ImportColumn], { description: 'Every column of the header and the field it filled: the column mapping used.' })
  columns: ImportColumn[];

  @Field(() => Int, { description: 'Rows below the header (empty rows left out).' })
  rowCount: number;

  @Field(() => Int, { description: 'Rows that created a decision or an item.' })
  created: number;

  @Field(() => Int, { description: 'Rows that changed one.' })
  updated: number;

  @Field(() => Int, { description: 'Rows the hub already held as they are (and good rows not written when others were wrong).' })
  unchanged: number;

  @Field(() => Int, { description: 'Rows with a problem: nothing of them was written.' })
  failed: number;

  @Field(() => [SheetProblem], { description: 'Every problem, by sheet, row and column.' })
  problems: SheetProblem[];

  @Field(() => [ImportRow], { description: 'Each row\'s outcome, in sheet order (SoA rows that decide nothing, such as an export\'s undecided controls, are left out: their controls stay absent).' })
  rows: ImportRow[];

  @Field(() => [AbsentItem], { description: 'SoA: controls no row decides. Register: items of the source system the sheet no longer has (kept unless removeAbsent).' })
  absent: AbsentItem[];

  @Field(() => Int, { description: 'Register: absent items whose links were ended (removeAbsent).' })
  removed: number;

  @Field(() => [PrefillReport], { nullable: true, description: 'The reuse picture, after the import: for each other framework, what the evidence on this framework pre-fills there; the same report as prefill(from:, to:). Null for a role that may not read reports (INTEGRATOR).' })
  reuse: PrefillReport[] | null;
}

/** The document as bytes: CSV text as UTF-8, an XLSX workbook from base64 (told apart by the zip signature when no format is given). */
export function documentOf(input: Pick<SheetInput, 'document' | 'format'>): { content: Buffer; format: SheetFormat } {
  // "UEsDB" is the base64 of a zip file's signature (PK\x03\x04). No regular expression over the whole
  // document: a pattern over megabytes can exhaust the stack.
  const isZip = input.document.trimStart().startsWith('UEsDB');
  const format = input.format ?? (isZip ? SheetFormat.XLSX : SheetFormat.CSV);
  if (format === SheetFormat.XLSX) {
    if (!isZip) throw badInput('document', 'an XLSX document must be the workbook base64-encoded');
    return { content: Buffer.from(input.document, 'base64'), format };
  }
  return { content: Buffer.from(input.document, 'utf8'), format };
}

/** The prefill reports from `from` to `to` (every other framework when null); null for a role that may not read reports. */
export async function reusePicture(ctx: HubContext, from: string, to: readonly string[] | null | undefined): Promise<PrefillReport[] | null> {
  if (!allows(REPORT, ctx.principal.role)) return null;
  const keys = to ?? [...new Set((await ctx.services.framework.list(false)).map((f) => f.key))].filter((k) => k !== from);
  const reports: PrefillReport[] = [];
  for (const key of keys) reports.push(await prefillReport(ctx, { from, to: key, maxDepth: 2 } as Parameters<typeof prefillReport>[1]));
  return reports;
}

const payload = (r: ImportResult, reuse: PrefillReport[] | null) => Object.assign(new SpreadsheetImportPayload(), {
  ...r,
  columns: r.columns.map((c) => Object.assign(new ImportColumn(), c)),
  problems: r.problems.map((p) => Object.assign(new SheetProblem(), p)),
  rows: r.rows.map((x) => Object.assign(new ImportRow(), x)),
  absent: r.absent.map((a) => Object.assign(new AbsentItem(), a)),
  reuse,
});

@Resolver()
export class SpreadsheetImportResolver {
  @Authorized(...EDIT)
  @Mutation(() => SpreadsheetImportPayload, { description: 'Imports a Statement of Applicability from CSV or XLSX: a decision per row, kept as history like setApplicability. Every problem is reported by sheet, row and column; nothing is written when any row is wrong unless keepGoodRows.' })
  async importApplicability(@Ctx() ctx: HubContext, @Arg('input', () => ImportApplicabilityInput, { description: 'The sheet.' }) input: ImportApplicabilityInput): Promise<SpreadsheetImportPayload> {
    const fw = (await ctx.services.framework.requireByKeys([input.framework])).get(input.framework)!;
    const result = await ctx.services.spreadsheets.importApplicability(ctx.organizationId, ctx.actor, {
      framework: { id: fw.id, key: fw.key }, ...documentOf(input), sheet: input.sheet, columns: input.columns ?? [], dryRun: input.dryRun, keepGoodRows: input.keepGoodRows,
    });
    return payload(result, await reusePicture(ctx, fw.key, input.reuseTo));
  }

  @Authorized(...INGEST)
  @Mutation(() => SpreadsheetImportPayload, { description: 'Imports an evidence register from CSV or XLSX: each row an idempotent upsert under sourceSystem, linked to the refs it names; the next version of the sheet updates what changed and reports what disappeared. Every problem is reported by sheet, row and column; nothing is written when any row is wrong unless keepGoodRows.' })
  async importEvidenceRegister(@Ctx() ctx: HubContext, @Arg('input', () => ImportEvidenceRegisterInput, { description: 'The sheet.' }) input: ImportEvidenceRegisterInput): Promise<SpreadsheetImportPayload> {
    const fw = (await ctx.services.framework.requireByKeys([input.framework])).get(input.framework)!;
    const frameworks = new Map((await ctx.services.framework.list(false)).map((f) => [f.key, f.id]));
    const result = await ctx.services.spreadsheets.importEvidenceRegister(ctx.organizationId, { actor: ctx.actor, ownOnly: ctx.principal.role === Role.INTEGRATOR }, {
      framework: { id: fw.id, key: fw.key }, ...documentOf(input), sheet: input.sheet, columns: input.columns ?? [], dryRun: input.dryRun, keepGoodRows: input.keepGoodRows,
      sourceSystem: input.sourceSystem, removeAbsent: input.removeAbsent, frameworks,
    });
    return payload(result, await reusePicture(ctx, fw.key, input.reuseTo));
  }
}
