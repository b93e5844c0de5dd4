import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { DataSource } from 'typeorm';
import type { ApplicabilityService } from '../applicability/applicability.service';
import type { FieldSpec } from './columns';
import {
  APPLICABLE_SPELLINGS, CADENCE_SPELLINGS, IMPLEMENTATION_SPELLINGS, KIND_SPELLINGS, REASON_SPELLINGS, REGISTER_FIELDS, SOA_FIELDS, spell, STATUS_SPELLINGS,
} from './fields';
import { SheetFormat } from './table';

/** A sheet to write: the fields (their headers, in order) and the rows as text. */
export interface SheetOut {
  name: string;
  fields: readonly FieldSpec[];
  rows: string[][];
}

/**
 * A workbook in the shape the imports read: the sheet with its header row, and a second sheet, "Columns",
 * that explains each column (header, required, what it holds, an example). Cells are text, so what the
 * export writes is what the import reads back.
 */
export async function workbookOf(sheet: SheetOut): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'control-mapping-hub';
  const ws = wb.addWorksheet(sheet.name);
  ws.columns = sheet.fields.map((f) => ({ header: f.header, key: f.field, width: Math.min(60, Math.max(12, f.header.length + 4, f.example.length + 2)) }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const r of sheet.rows) ws.addRow(r);
  const help = wb.addWorksheet('Columns');
  help.columns = [
    { header: 'Column', key: 'header', width: 22 }, { header: 'Required', key: 'required', width: 10 },
    { header: 'What it holds', key: 'description', width: 90 }, { header: 'Also recognised as', key: 'names', width: 60 }, { header: 'Example', key: 'example', width: 30 },
  ];
  help.getRow(1).font = { bold: true };
  for (const f of sheet.fields) {
    help.addRow({ header: f.header, required: f.required ? 'yes' : 'no', description: f.description, names: f.names.join(', ') + (f.repeated ? ', or numbered (Control 1, Control 2…)' : ''), example: f.example });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function csvOf(sheet: SheetOut): Buffer {
  return Buffer.from(stringify([sheet.fields.map((f) => f.header), ...sheet.rows]), 'utf8');
}

export async function render(sheet: SheetOut, format: SheetFormat): Promise<Buffer> {
  return format === SheetFormat.XLSX ? workbookOf(sheet) : csvOf(sheet);
}

/** The templates: the columns and one example row, generated from the fields the imports read. */
export function template(kind: 'soa' | 'evidence-register'): SheetOut {
  const fields = kind === 'soa' ? SOA_FIELDS : REGISTER_FIELDS;
  return { name: kind === 'soa' ? 'Statement of Applicability' : 'Evidence register', fields, rows: [fields.map((f) => f.example)] };
}

/** A day as the imports read it back: YYYY-MM-DD at midnight UTC, else the whole instant. */
const day = (d: Date) => (d.toISOString().endsWith('T00:00:00.000Z') ? d.toISOString().slice(0, 10) : d.toISOString());

/**
 * The Statement of Applicability of a framework in the import's shape: every control (or assessable
 * requirement) in document order, with the decision in force; undecided ones with the decision columns empty.
 */
export async function soaSheet(applicability: ApplicabilityService, org: string, targets: readonly { id: string; ref: string; title: string }[]): Promise<SheetOut> {
  const decisions = await applicability.at(org, targets.map((t) => t.id), new Date());
  const rows = targets.map((t) => {
    const d = decisions.get(t.id);
    return [t.ref, t.title, d ? spell(APPLICABLE_SPELLINGS, d.applicability) : '', d?.justification ?? '',
      (d?.reasons ?? []).map((r) => spell(REASON_SPELLINGS, r)).join(', '), spell(IMPLEMENTATION_SPELLINGS, d?.implementation), d?.owner ?? ''];
  });
  return { name: 'Statement of Applicability', fields: SOA_FIELDS, rows };
}

/**
 * The evidence register of one source system in the import's shape: each item with at least one active
 * link, by id; its refs in `frameworkKey` as written, others as key:ref, partial links marked "(partial)".
 * An INTEGRATOR (ownOnly) gets only what it wrote.
 */
export async function registerSheet(ds: DataSource, org: string, sourceSystem: string, frameworkKey: string, ownOnly: string | null): Promise<SheetOut> {
  const items: Record<string, any>[] = await ds.query(
    `SELECT e.id, e.external_id, e.title, e.kind, e.uri, e.owner, e.effective_at, e.valid_until, e.review_cadence, e.status, e.description
     FROM evidence e WHERE e.organization_id = $1 AND e.source_system = $2 AND ($3::text IS NULL OR e.created_by = $3)
       AND EXISTS (SELECT 1 FROM evidence_link l WHERE l.organization_id = e.organization_id AND l.evidence_id = e.id AND l.unlinked_at IS NULL)
     ORDER BY e.external_id`,
    [org, sourceSystem, ownOnly],
  );
  const links: { evidence_id: string; ref: string; key: string; coverage: string }[] = items.length ? await ds.query(
    `SELECT l.evidence_id, r.ref, f.key, l.coverage FROM evidence_link l JOIN requirement r ON r.id = l.requirement_id JOIN framework f ON f.id = r.framework_id
     WHERE l.organization_id = $1 AND l.evidence_id = ANY($2::uuid[]) AND l.unlinked_at IS NULL
     ORDER BY f.key <> $3, f.key, r.position`,
    [org, items.map((i) => i.id), frameworkKey],
  ) : [];
  const byItem = new Map<string, string[]>();
  for (const l of links) {
    const written = `${l.key === frameworkKey ? '' : `${l.key}:`}${l.ref}${l.coverage === 'PARTIAL' ? ' (partial)' : ''}`;
    byItem.set(l.evidence_id, [...(byItem.get(l.evidence_id) ?? []), written]);
  }
  const rows = items.map((e) => [
    e.external_id, e.title, spell(KIND_SPELLINGS, e.kind), e.uri ?? '', e.owner ?? '', day(new Date(e.effective_at)),
    e.review_cadence || !e.valid_until ? '' : day(new Date(e.valid_until)), spell(CADENCE_SPELLINGS, e.review_cadence), spell(STATUS_SPELLINGS, e.status),
    e.description ?? '', (byItem.get(e.id) ?? []).join(', '),
  ]);
  return { name: 'Evidence register', fields: REGISTER_FIELDS, rows };
}
