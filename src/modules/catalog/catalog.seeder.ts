import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { FrameworkSeed, MappingSetSeed } from './catalog.transform';
import { SeedBundle, loadSeedBundle } from './catalog.files';
import { MappingClosureService } from '../mapping/mapping-closure.service';
import { DEFAULT_GRAPH_ID, MappingGraphService } from '../mapping/mapping-graph.service';
import { ApplicabilitySeedReport, EU_FRAMEWORK_KEY, seedApplicability } from '../ai-system/applicability.seeder';

export type SeedOutcome = 'CREATED' | 'UPDATED' | 'UNCHANGED';

/** A stored requirement whose assessable flag a re-seed changed, and what organizations hang on it. */
export interface AssessabilityChange {
  framework: string;
  ref: string;
  requirementId: string;
  assessable: boolean;
  /** Active evidence links, current applicability (SoA) decisions and mappings (shared and organizations'). */
  evidenceLinks: number;
  applicabilityDecisions: number;
  mappings: number;
}

export interface SeedReport {
  frameworks: { key: string; version: string; outcome: SeedOutcome; requirements: number }[];
  mappingSets: { key: string; outcome: SeedOutcome; mappings: number }[];
  /** Number of closure rows written, or null when the graph did not change. */
  closureRows: number | null;
  /** The EU AI Act applicability rules (null when that catalog is not in the bundle). */
  applicability: ApplicabilitySeedReport | null;
  /** Existing requirements that became assessable or stopped being so; their rows stay (ids do not change). */
  assessabilityChanged: AssessabilityChange[];
}

/** One line per requirement whose assessable flag changed, so no re-seed changes the assessed set silently. */
export function assessabilityLines(changes: readonly AssessabilityChange[]): string[] {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return changes.map((c) => `${c.framework} ${c.ref}: ${c.assessable ? 'now assessable' : 'no longer assessable'}; carries `
    + `${plural(c.evidenceLinks, 'evidence link')}, ${plural(c.applicabilityDecisions, 'applicability decision')}, ${plural(c.mappings, 'mapping')}`);
}

/** The whole report, one line each (the caller adds its prefix). */
export function seedReportLines(report: SeedReport): string[] {
  return [
    ...report.frameworks.map((f) => `framework ${f.key} ${f.version}: ${f.outcome} (${f.requirements} requirements)`),
    ...report.mappingSets.map((s) => `mapping set ${s.key}: ${s.outcome} (${s.mappings} mappings)`),
    ...assessabilityLines(report.assessabilityChanged),
  ];
}

/**
 * Writes the catalogs and mapping sets. Idempotent: a framework or mapping set whose file hash is
 * already stored is left alone; a changed file is upserted row by row (unchanged rows untouched)
 * and rows no longer in a mapping file are removed. One transaction for the whole bundle.
 */
export async function seed(ds: DataSource, bundle: SeedBundle = loadSeedBundle()): Promise<SeedReport> {
  return ds.transaction(async (em) => {
    // Several processes may start at once: one seeds, the others then find it done.
    await em.query(`SELECT pg_advisory_xact_lock(hashtext('control-mapping-hub seed'))`);
    const report: SeedReport = { frameworks: [], mappingSets: [], closureRows: null, applicability: null, assessabilityChanged: [] };
    const frameworkIds = new Map<string, string>();
    const flipped: { framework: string; ref: string; id: string; assessable: boolean }[] = [];
    for (const fw of bundle.frameworks) {
      const { id, outcome, changed } = await seedFramework(em, fw);
      frameworkIds.set(fw.key, id);
      report.frameworks.push({ key: fw.key, version: fw.version, outcome, requirements: fw.nodes.length });
      flipped.push(...changed.map((c) => ({ framework: fw.key, ...c })));
    }
    const euId = frameworkIds.get(EU_FRAMEWORK_KEY);
    if (euId) report.applicability = await seedApplicability(em, euId);
    for (const set of bundle.mappingSets) {
      const outcome = await seedMappingSet(em, set, frameworkIds);
      report.mappingSets.push({ key: set.version > 1 ? `${set.key} v${set.version}` : set.key, outcome, mappings: set.rows.length });
    }
    const changed = [...report.frameworks, ...report.mappingSets].some((x) => x.outcome !== 'UNCHANGED');
    const [{ empty }]: { empty: boolean }[] = await em.query(`SELECT NOT EXISTS (SELECT 1 FROM mapping_closure WHERE graph_id = $1) AS empty`, [DEFAULT_GRAPH_ID]);
    if (changed || empty) {
      const graphs = new MappingGraphService(ds, new MappingClosureService(ds));
      report.closureRows = await graphs.rebuildAll(em);
      // Fresh statistics for the catalog tables, so the first reports are planned on real row counts
      // (without them the row-level security predicate on requirement is guessed to keep 0.5% of rows).
      await em.query(`ANALYZE framework, requirement, mapping_source, mapping, mapping_closure`);
    }
    if (flipped.length) {
      const carried = await carriedRows(em, flipped.map((f) => f.id));
      report.assessabilityChanged = flipped.map((f) => ({ framework: f.framework, ref: f.ref, requirementId: f.id, assessable: f.assessable, ...carried.get(f.id)! }));
    }
    return report;
  });
}

/**
 * Evidence links, SoA decisions and mappings on the given requirements, over every organization. Those
 * tables have forced row-level security and the seeder is not necessarily a role that bypasses it, so
 * each organization is counted under its own app.organization_id (with the organization also in the
 * WHERE, so a bypassing role counts each row once). Only runs when a flag changed.
 */
export async function carriedRows(em: EntityManager, ids: string[]): Promise<Map<string, { evidenceLinks: number; applicabilityDecisions: number; mappings: number }>> {
  const out = new Map(ids.map((id) => [id, { evidenceLinks: 0, applicabilityDecisions: 0, mappings: 0 }]));
  const add = (rows: { id: string; links: number; decisions: number; mappings: number }[]) => {
    for (const r of rows) {
      const c = out.get(r.id)!;
      c.evidenceLinks += r.links;
      c.applicabilityDecisions += r.decisions;
      c.mappings += r.mappings;
    }
  };
  const count = (org: string | null) => em.query(
    `SELECT r.id::text AS id,
            (SELECT count(*)::int FROM evidence_link l WHERE l.requirement_id = r.id AND l.organization_id = $2 AND l.unlinked_at IS NULL) AS links,
            (SELECT count(*)::int FROM applicability_decision d WHERE d.requirement_id = r.id AND d.organization_id = $2 AND d.superseded_at IS NULL) AS decisions,
            (SELECT count(*)::int FROM mapping m JOIN mapping_source s ON s.id = m.mapping_source_id
              WHERE (m.source_requirement_id = r.id OR m.target_requirement_id = r.id) AND s.organization_id IS NOT DISTINCT FROM $2) AS mappings
     FROM unnest($1::uuid[]) AS r(id)`,
    [ids, org],
  );
  const [{ previous }]: { previous: string | null }[] = await em.query(`SELECT current_setting('app.organization_id', true) AS previous`);
  add(await count(null));
  const orgs: { id: string }[] = await em.query(`SELECT id::text AS id FROM organization ORDER BY id`);
  for (const { id } of orgs) {
    await em.query(`SELECT set_config('app.organization_id', $1, true)`, [id]);
    add(await count(id));
  }
  await em.query(`SELECT set_config('app.organization_id', $1, true)`, [previous ?? '']);
  return out;
}

/** True when no framework is stored yet (first start of an embedded database). */
export async function isCatalogEmpty(ds: DataSource): Promise<boolean> {
  const rows: { n: number }[] = await ds.query(`SELECT count(*)::int AS n FROM framework`);
  return rows[0].n === 0;
}

type FlagChange = { ref: string; id: string; assessable: boolean };

async function seedFramework(em: EntityManager, fw: FrameworkSeed): Promise<{ id: string; outcome: SeedOutcome; changed: FlagChange[] }> {
  const existing: { id: string; content_sha256: string }[] = await em.query(
    `SELECT id, content_sha256 FROM framework WHERE key = $1 AND version = $2`,
    [fw.key, fw.version],
  );
  if (existing[0]?.content_sha256 === fw.contentSha256) return { id: existing[0].id, outcome: 'UNCHANGED', changed: [] };

  const [{ id }]: { id: string }[] = await em.query(
    `INSERT INTO framework (key, version, name, short_name, publisher, kind, edition, source_url, source_citation,
                            licence_note, released_on, notes, metadata, content_sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT ON CONSTRAINT uq_framework_key_version DO UPDATE SET
       name = EXCLUDED.name, short_name = EXCLUDED.short_name, publisher = EXCLUDED.publisher, kind = EXCLUDED.kind,
       edition = EXCLUDED.edition, source_url = EXCLUDED.source_url, source_citation = EXCLUDED.source_citation,
       licence_note = EXCLUDED.licence_note, released_on = EXCLUDED.released_on, notes = EXCLUDED.notes,
       metadata = EXCLUDED.metadata, content_sha256 = EXCLUDED.content_sha256, updated_at = now()
     RETURNING id`,
    [fw.key, fw.version, fw.name, fw.shortName, fw.publisher, fw.kind, fw.edition, fw.sourceUrl, fw.sourceCitation,
      fw.licenceNote, fw.releasedOn, fw.notes, JSON.stringify(fw.metadata), fw.contentSha256],
  );

  const known: { ref: string; id: string; assessable: boolean }[] = await em.query(`SELECT ref, id, assessable FROM requirement WHERE framework_id = $1`, [id]);
  const ids = new Map(known.map((r) => [r.ref, r.id]));
  const wasAssessable = new Map(known.map((r) => [r.ref, r.assessable]));
  for (const n of fw.nodes) if (!ids.has(n.ref)) ids.set(n.ref, randomUUID());
  const changed = fw.nodes
    .filter((n) => wasAssessable.has(n.ref) && wasAssessable.get(n.ref) !== n.assessable)
    .map((n) => ({ ref: n.ref, id: ids.get(n.ref)!, assessable: n.assessable }));

  const rows = fw.nodes.map((n) => ({
    id: ids.get(n.ref),
    parent_id: n.parentRef === null ? null : ids.get(n.parentRef),
    ancestor_ids: n.ancestorRefs.map((r) => ids.get(r)),
    depth: n.ancestorRefs.length,
    ref: n.ref,
    kind: n.kind,
    title: n.title,
    text: n.text,
    summary: n.summary,
    assessable: n.assessable,
    position: n.position,
    actors: n.actors,
    risk_tiers: n.riskTiers,
    applies_from: n.appliesFrom,
    applies_from_annex_i: n.appliesFromAnnexIProducts,
    operator_duty: n.operatorDuty,
    pending_amendment: n.pendingAmendment,
    attributes: n.attributes,
  }));
  // One statement per framework: the whole tree as a JSON recordset.
  await em.query(
    `INSERT INTO requirement (id, framework_id, parent_id, ancestor_ids, depth, ref, kind, title, text, summary, assessable,
                              position, actors, risk_tiers, applies_from, applies_from_annex_i, operator_duty,
                              pending_amendment, attributes)
     SELECT x.id, $1, x.parent_id, x.ancestor_ids, x.depth, x.ref, x.kind, x.title, x.text, x.summary, x.assessable,
            x.position, x.actors, x.risk_tiers, x.applies_from, x.applies_from_annex_i, x.operator_duty,
            x.pending_amendment, x.attributes
     FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, parent_id uuid, ancestor_ids uuid[], depth smallint, ref text,
          kind text, title text, text text, summary text, assessable boolean, position int, actors text[],
          risk_tiers text[], applies_from date, applies_from_annex_i date, operator_duty boolean,
          pending_amendment text, attributes jsonb)
     ON CONFLICT ON CONSTRAINT uq_requirement_framework_ref DO UPDATE SET
       parent_id = EXCLUDED.parent_id, ancestor_ids = EXCLUDED.ancestor_ids, depth = EXCLUDED.depth, kind = EXCLUDED.kind,
       title = EXCLUDED.title, text = EXCLUDED.text, summary = EXCLUDED.summary, assessable = EXCLUDED.assessable,
       position = EXCLUDED.position, actors = EXCLUDED.actors, risk_tiers = EXCLUDED.risk_tiers,
       applies_from = EXCLUDED.applies_from, applies_from_annex_i = EXCLUDED.applies_from_annex_i,
       operator_duty = EXCLUDED.operator_duty, pending_amendment = EXCLUDED.pending_amendment,
       attributes = EXCLUDED.attributes, updated_at = now()
     WHERE (requirement.parent_id, requirement.ancestor_ids, requirement.kind, requirement.title, requirement.text,
            requirement.summary, requirement.assessable, requirement.position, requirement.actors, requirement.risk_tiers,
            requirement.applies_from, requirement.applies_from_annex_i, requirement.operator_duty,
            requirement.pending_amendment, requirement.attributes)
       IS DISTINCT FROM
           (EXCLUDED.parent_id, EXCLUDED.ancestor_ids, EXCLUDED.kind, EXCLUDED.title, EXCLUDED.text, EXCLUDED.summary,
            EXCLUDED.assessable, EXCLUDED.position, EXCLUDED.actors, EXCLUDED.risk_tiers, EXCLUDED.applies_from,
            EXCLUDED.applies_from_annex_i, EXCLUDED.operator_duty, EXCLUDED.pending_amendment, EXCLUDED.attributes)`,
    [id, JSON.stringify(rows)],
  );
  return { id, outcome: existing.length ? 'UPDATED' : 'CREATED', changed };
}

async function seedMappingSet(em: EntityManager, set: MappingSetSeed, frameworkIds: Map<string, string>): Promise<SeedOutcome> {
  const sourceFw = frameworkIds.get(set.sourceFrameworkKey)!;
  const targetFw = frameworkIds.get(set.targetFrameworkKey)!;
  const existing: { id: string; content_sha256: string; status: string }[] = await em.query(
    `SELECT id, content_sha256, status FROM mapping_source WHERE key = $1 AND version = $2 AND revision = 0 AND organization_id IS NULL`,
    [set.key, set.version],
  );
  if (existing[0]?.content_sha256 === set.contentSha256 && existing[0].status === set.status) return 'UNCHANGED';

  const [{ id }]: { id: string }[] = await em.query(
    `INSERT INTO mapping_source (key, version, name, publisher, url, licence_note, method, method_note, status,
                                 relationship_vocabulary, compiled_on, source_framework_id, target_framework_id,
                                 metadata, content_sha256, supersedes_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
             (SELECT p.id FROM mapping_source p WHERE p.key = $1 AND p.version = $2 - 1 AND p.revision = 0 AND p.organization_id IS NULL))
     ON CONFLICT ON CONSTRAINT uq_mapping_source_key DO UPDATE SET
       name = EXCLUDED.name, publisher = EXCLUDED.publisher, url = EXCLUDED.url, licence_note = EXCLUDED.licence_note,
       method = EXCLUDED.method, method_note = EXCLUDED.method_note, status = EXCLUDED.status,
       relationship_vocabulary = EXCLUDED.relationship_vocabulary, compiled_on = EXCLUDED.compiled_on,
       source_framework_id = EXCLUDED.source_framework_id, target_framework_id = EXCLUDED.target_framework_id,
       metadata = EXCLUDED.metadata, content_sha256 = EXCLUDED.content_sha256, supersedes_id = EXCLUDED.supersedes_id, updated_at = now()
     RETURNING id`,
    [set.key, set.version, set.name, set.publisher, set.url, set.licenceNote, set.method, set.methodNote, set.status,
      set.relationshipVocabulary, set.compiledOn, sourceFw, targetFw, JSON.stringify(set.metadata), set.contentSha256],
  );

  const rows = set.rows.map((r) => ({
    source_ref: r.sourceRef,
    target_ref: r.targetRef,
    relationship: r.relationship,
    strength: r.strength,
    rationale: r.rationale,
    note: r.note,
    qualifiers: r.qualifiers,
    attributes: r.attributes,
  }));
  await em.query(
    `WITH x AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(source_ref text, target_ref text, relationship text,
              strength smallint, rationale text, note text, qualifiers jsonb, attributes jsonb)
     ), resolved AS (
       SELECT s.id AS source_id, t.id AS target_id, x.*
       FROM x
       JOIN requirement s ON s.framework_id = $3 AND s.ref = x.source_ref
       JOIN requirement t ON t.framework_id = $4 AND t.ref = x.target_ref
     ), removed AS (
       DELETE FROM mapping m WHERE m.mapping_source_id = $1
         AND NOT EXISTS (SELECT 1 FROM resolved r WHERE r.source_id = m.source_requirement_id AND r.target_id = m.target_requirement_id)
     )
     INSERT INTO mapping (mapping_source_id, source_requirement_id, target_requirement_id, relationship, strength,
                          rationale, note, qualifiers, attributes)
     SELECT $1, source_id, target_id, relationship, strength, rationale, note, qualifiers, attributes FROM resolved
     ON CONFLICT ON CONSTRAINT uq_mapping_pair DO UPDATE SET
       relationship = EXCLUDED.relationship, strength = EXCLUDED.strength, rationale = EXCLUDED.rationale,
       note = EXCLUDED.note, qualifiers = EXCLUDED.qualifiers, attributes = EXCLUDED.attributes, updated_at = now()
     WHERE (mapping.relationship, mapping.strength, mapping.rationale, mapping.note, mapping.qualifiers, mapping.attributes)
       IS DISTINCT FROM (EXCLUDED.relationship, EXCLUDED.strength, EXCLUDED.rationale, EXCLUDED.note, EXCLUDED.qualifiers, EXCLUDED.attributes)`,
    [id, JSON.stringify(rows), sourceFw, targetFw],
  );
  return existing.length ? 'UPDATED' : 'CREATED';
}
