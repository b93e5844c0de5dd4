/**
 * Writes the EU AI Act applicability rules into the catalog: the fact model, the text versions (the
 * Regulation as published and each amendment with its legal status) and one rule per duty-bearing node
 * and version. Idempotent on the content hash of the three source files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EntityManager } from 'typeorm';
import { projectRoot } from '../../config';
import { sha256 } from '../catalog/catalog.transform';
import { ApplicabilityRecord, applicabilityFile } from './applicability.rules';
import { amendedRecords, amendmentEffectsFile, hubCorrectionsFile, loadEuAiActRules } from './applicability.versions';

export const EU_FRAMEWORK_KEY = 'eu-ai-act';

export interface ApplicabilitySeedReport {
  outcome: 'CREATED' | 'UPDATED' | 'UNCHANGED';
  rules: number;
  /** Record refs with no node in the catalog: their rules are not written. */
  unresolved: string[];
}

interface AmendmentRecordFile {
  id: string;
  title: string;
  procedure?: string;
  amends?: string[];
  legalStatus: 'PROPOSED' | 'ADOPTED' | 'PUBLISHED';
  legalStatusNote?: string;
  officialJournal: string | null;
  entryIntoForce: string | null;
  entryIntoForceRule?: string;
  milestones?: { event: string; date: string | null }[];
  changes?: unknown[];
}

function amendmentsFile(): string {
  return path.join(projectRoot(), 'seeds', 'eu-ai-act', 'amendments.json');
}

export async function seedApplicability(em: EntityManager, frameworkId: string): Promise<ApplicabilitySeedReport> {
  const texts = [applicabilityFile(), amendmentsFile(), amendmentEffectsFile(), hubCorrectionsFile()].map((f) => fs.readFileSync(f, 'utf8'));
  const hash = sha256(texts.join('\u0000'));
  const { data, effects } = loadEuAiActRules();
  const amendment = JSON.parse(texts[1]) as AmendmentRecordFile;
  if (effects.amendment !== amendment.id) throw new Error(`amendment-effects.json is for "${effects.amendment}", amendments.json records "${amendment.id}"`);

  const existing: { content_sha256: string }[] = await em.query(`SELECT content_sha256 FROM applicability_model WHERE framework_id = $1`, [frameworkId]);
  const [{ n: rulesNow }]: { n: number }[] = await em.query(`SELECT count(*)::int AS n FROM applicability_rule WHERE framework_id = $1`, [frameworkId]);
  const [{ missing }]: { missing: number }[] = await em.query(
    `SELECT count(*)::int AS missing FROM jsonb_array_elements_text($2::jsonb) AS x(ref)
     WHERE NOT EXISTS (SELECT 1 FROM requirement r WHERE r.framework_id = $1 AND r.ref = x.ref)`,
    [frameworkId, JSON.stringify(data.records.map((r) => r.ref))],
  );
  // Unchanged files and every rule in place (a catalog re-seed may have added nodes since).
  if (existing[0]?.content_sha256 === hash && missing === 0 && rulesNow > 0) return { outcome: 'UNCHANGED', rules: rulesNow, unresolved: [] };

  const [fw]: { released_on: string | null; edition: string | null; entry: string | null }[] = await em.query(
    `SELECT released_on::text, edition, metadata->>'entryIntoForce' AS entry FROM framework WHERE id = $1`, [frameworkId],
  );
  const published = amendment.milestones?.find((m) => m.event === 'OJ_PUBLICATION')?.date ?? null;
  const versions = [
    {
      key: 'as-published', title: `Regulation (EU) 2024/1689 as published${fw.edition ? ` (${fw.edition})` : ''}`, kind: 'BASE', legal_status: 'PUBLISHED',
      status_note: (data as unknown as { basis?: string }).basis ?? null, oj_reference: fw.edition, published_on: fw.released_on, entry_into_force: fw.entry, entry_into_force_rule: null,
      position: 0, metadata: { source: (data as unknown as { source?: unknown }).source ?? null },
    },
    {
      key: amendment.id, title: amendment.title, kind: 'AMENDMENT', legal_status: amendment.legalStatus, status_note: amendment.legalStatusNote ?? null,
      oj_reference: amendment.officialJournal, published_on: published, entry_into_force: amendment.entryIntoForce,
      entry_into_force_rule: amendment.entryIntoForceRule ?? null, position: 1,
      metadata: { procedure: amendment.procedure ?? null, amends: amendment.amends ?? [], milestones: amendment.milestones ?? [], changes: amendment.changes ?? [] },
    },
  ];
  const ids: { key: string; id: string }[] = await em.query(
    `INSERT INTO legal_text_version (framework_id, key, title, kind, legal_status, status_note, oj_reference, published_on, entry_into_force,
                                     entry_into_force_rule, position, metadata)
     SELECT $1, x.key, x.title, x.kind, x.legal_status, x.status_note, x.oj_reference, x.published_on, x.entry_into_force,
            x.entry_into_force_rule, x.position, x.metadata
     FROM jsonb_to_recordset($2::jsonb) AS x(key text, title text, kind text, legal_status text, status_note text, oj_reference text,
          published_on date, entry_into_force date, entry_into_force_rule text, position int, metadata jsonb)
     ON CONFLICT ON CONSTRAINT uq_legal_text_version_key DO UPDATE SET
       title = EXCLUDED.title, kind = EXCLUDED.kind, legal_status = EXCLUDED.legal_status, status_note = EXCLUDED.status_note,
       oj_reference = EXCLUDED.oj_reference, published_on = EXCLUDED.published_on, entry_into_force = EXCLUDED.entry_into_force,
       entry_into_force_rule = EXCLUDED.entry_into_force_rule, position = EXCLUDED.position, metadata = EXCLUDED.metadata, updated_at = now()
     RETURNING key, id`,
    [frameworkId, JSON.stringify(versions)],
  );
  const versionId = new Map(ids.map((r) => [r.key, r.id]));

  await em.query(
    `INSERT INTO applicability_model (framework_id, facts, fact_names, derived_facts, content_sha256) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (framework_id) DO UPDATE SET facts = EXCLUDED.facts, fact_names = EXCLUDED.fact_names, derived_facts = EXCLUDED.derived_facts,
       content_sha256 = EXCLUDED.content_sha256, updated_at = now()`,
    // jsonb keeps no key order: the table's order of facts (the order questions are asked in) is kept apart.
    [frameworkId, JSON.stringify(data.facts), Object.keys(data.facts), JSON.stringify(data.derivedFacts), hash],
  );

  const row = (r: ApplicabilityRecord, version: string, changes: string[]) => ({
    version_id: versionId.get(version), ref: r.ref, actors: r.actors, condition: r.condition, applies_from: r.appliesFrom,
    duty_type: r.dutyType, date_class: r.dateClass, evidence: r.evidence || null, note: r.note || null, confidence: r.confidence || null, changes,
  });
  const rows = [
    ...data.records.map((r) => row(r, 'as-published', [])),
    ...amendedRecords(data, effects).map((a) => row(a.record, amendment.id, a.changes)),
  ];
  await em.query(`DELETE FROM applicability_rule WHERE framework_id = $1`, [frameworkId]);
  const written: { ref: string }[] = await em.query(
    `INSERT INTO applicability_rule (framework_id, requirement_id, text_version_id, ref, actors, condition, applies_from, duty_type,
                                     date_class, evidence, note, confidence, changes)
     SELECT $1, r.id, x.version_id, x.ref, x.actors, x.condition, x.applies_from, x.duty_type, x.date_class, x.evidence, x.note, x.confidence, x.changes
     FROM jsonb_to_recordset($2::jsonb) AS x(version_id uuid, ref text, actors text[], condition jsonb, applies_from jsonb, duty_type text,
          date_class text, evidence text, note text, confidence text, changes text[])
     JOIN requirement r ON r.framework_id = $1 AND r.ref = x.ref
     RETURNING ref`,
    [frameworkId, JSON.stringify(rows)],
  );
  const got = new Set(written.map((w) => w.ref));
  return {
    outcome: existing.length ? 'UPDATED' : 'CREATED',
    rules: written.length,
    unresolved: [...new Set(rows.map((r) => r.ref).filter((ref) => !got.has(ref)))],
  };
}
