import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Services } from '../../graphql/context';
import { ErrorCode, HubError, badInput, notFound } from '../../graphql/errors';
import { inTransaction } from '../../database/transaction';
import { sha256 } from '../catalog/catalog.transform';
import type { Framework } from '../framework/framework.entity';
import { MappingMethod, MappingStatus, Rationale, Relationship } from '../mapping/mapping.enums';
import { inverse } from '../mapping/mapping-path.rules';
import type { CreateMappingSetInput, MappingQualifierInput } from '../mapping/mapping-set.input';
import type { Qualifier } from '../mapping/mapping-qualifier.rules';
import { CoverageStatus } from '../coverage/coverage.rules';
import type { CoverageScope } from '../coverage/coverage.service';
import {
  AssessedRequirement, CatalogRequirement, ImportedMapping, ImportedRequirement, MappingSetExport, Problem,
  buildAssessmentResults, buildCatalog, buildMappingCollection, oscalIds, parseCatalog, preferredIds, parseMappingCollection,
} from './oscal';
import { validateOscal } from './oscal.schema';
import { parseFrameworkCsv, parseMappingCsv } from './interchange.csv';
import { textLimit, tooLongMessage } from '../../graphql/input-bounds';

export enum FrameworkImportFormat {
  OSCAL_CATALOG = 'OSCAL_CATALOG',
  OSCAL_PROFILE = 'OSCAL_PROFILE',
  CSV = 'CSV',
}

export enum MappingImportFormat {
  OSCAL_MAPPING = 'OSCAL_MAPPING',
  CSV = 'CSV',
}

export interface FrameworkImport {
  format: FrameworkImportFormat;
  document: string;
  key: string;
  version: string;
  name: string;
  dryRun: boolean;
}

export interface MappingImport {
  format: MappingImportFormat;
  document: string;
  provenance: { key: string; name: string; publisher?: string | null; url?: string | null; licenceNote?: string | null; method?: MappingMethod | null; status?: MappingStatus | null; methodNote?: string | null };
  dryRun: boolean;
}

/** Imported text within the limits of src/graphql/input-bounds.ts (`<kind>.<field>`, else the field), each problem at its row. */
function textProblems<R extends { path: string }>(kind: string, rows: readonly R[], fields: readonly (keyof R & string)[]): Problem[] {
  const problems: Problem[] = [];
  for (const r of rows) {
    for (const f of fields) {
      const v = r[f];
      const max = textLimit(f, kind);
      if (typeof v === 'string' && v.length > max) problems.push({ path: r.path, message: tooLongMessage(f, v.length, max) });
    }
    if (problems.length >= 200) break;
  }
  return problems;
}

/** BAD_USER_INPUT listing every problem (path or line, message); the message names the first few. */
function refuse(what: string, problems: Problem[]): never {
  const head = problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join('; ');
  throw badInput('document', `${what} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was written. ${head}${problems.length > 5 ? '; ...' : ''}`, {
    problems: problems.slice(0, 500),
  });
}

const SELECT_REQ = `SELECT r.id, r.parent_id AS "parentId", r.ref, r.title, r.kind, r.assessable, r.text, r.summary,
  r.actors, r.risk_tiers AS "riskTiers", to_char(r.applies_from, 'YYYY-MM-DD') AS "appliesFrom", r.attributes->>'oscalId' AS "oscalId", r.position
  FROM requirement r WHERE r.framework_id = $1 ORDER BY r.position`;

/** OSCAL and CSV in and out: an organization's own frameworks and mapping sets, and exports of what the hub holds. */
export class InterchangeService {
  constructor(private readonly ds: DataSource, private readonly s: Services) {}

  private async requirementsOf(frameworkId: string): Promise<(CatalogRequirement & { position: number })[]> {
    return this.ds.query(SELECT_REQ, [frameworkId]);
  }

  /**
   * An OSCAL profile resolved against catalogs the hub holds (OSCAL's profile resolution, the parts the hub
   * models): each import names a framework by an href ending in `<key>.json` (as the hub's own export
   * links read, e.g. `/export/oscal/catalog/iso27001.json`); `include-all` or `include-controls` (by OSCAL id
   * or label, `with-child-controls: yes` taking the descendants) select controls, `exclude-controls` drops
   * some (`modify` is refused: the catalogs the hub exports carry no parameters to set). The result is a catalog document with the
   * selected controls, the groups and parent controls above them (to keep the hierarchy), and the profile's
   * metadata; it is then read like any imported catalog.
   */
  private async resolveProfile(doc: any): Promise<{ catalog: any; problems: Problem[] }> {
    const problems: Problem[] = [];
    const profile = doc.profile;
    const groups: any[] = [];
    const controls: any[] = [];
    for (const [i, imp] of (profile.imports as any[]).entries()) {
      const at = `$.profile.imports[${i}]`;
      const key = /([a-z0-9][a-z0-9-]*)\.json$/.exec(String(imp.href ?? ''))?.[1];
      const fw = key ? (await this.s.framework.findByKeys([key])).get(key) : undefined;
      if (!fw) {
        problems.push({ path: `${at}.href`, message: `"${String(imp.href).slice(0, 200)}" names no framework this organization can see (the href must end in <key>.json)` });
        continue;
      }
      const source = (await this.exportCatalog(fw.key)) as any;
      const label = (c: any) => (c.props ?? []).find((p: any) => p.name === 'label' && !p.ns)?.value as string | undefined;
      const all: any[] = [];
      const walk = (node: any, ancestors: any[]) => {
        for (const c of node.controls ?? []) {
          all.push({ control: c, ancestors });
          walk(c, [...ancestors, c]);
        }
        for (const g of node.groups ?? []) walk(g, [...ancestors, g]);
      };
      walk(source.catalog, []);
      const byName = new Map<string, any>();
      for (const x of all) {
        byName.set(x.control.id, x);
        const l = label(x.control);
        if (l && !byName.has(l)) byName.set(l, x);
      }
      const chosen = new Set<any>();
      const pick = (rules: any[] | undefined, field: string, add: boolean) => {
        for (const [j, rule] of (rules ?? []).entries()) {
          for (const [k, id] of ((rule['with-ids'] ?? []) as string[]).entries()) {
            const x = byName.get(id);
            if (!x) {
              problems.push({ path: `${at}['${field}'][${j}]['with-ids'][${k}]`, message: `"${id}" is not a control of ${fw.key}` });
              continue;
            }
            const take = [x, ...(rule['with-child-controls'] === 'yes' ? all.filter((y) => y.ancestors.includes(x.control)) : [])];
            for (const y of take) (add ? chosen.add(y.control) : chosen.delete(y.control));
          }
          if (rule.matching) problems.push({ path: `${at}['${field}'][${j}].matching`, message: 'selection by matching patterns is not supported; name the controls in with-ids' });
        }
      };
      if (imp['include-all']) for (const x of all) chosen.add(x.control);
      pick(imp['include-controls'], 'include-controls', true);
      pick(imp['exclude-controls'], 'exclude-controls', false);
      // Keep what was chosen and what is above it; drop the rest.
      const keep = new Set<any>();
      for (const x of all) if (chosen.has(x.control)) [x.control, ...x.ancestors].forEach((n) => keep.add(n));
      const prune = (node: any): any => ({
        ...node,
        ...(node.controls ? { controls: node.controls.filter((c: any) => keep.has(c)).map(prune) } : {}),
        ...(node.groups ? { groups: node.groups.filter((g: any) => keep.has(g)).map(prune) } : {}),
      });
      const cut = prune(source.catalog);
      groups.push(...(cut.groups ?? []).filter((g: any) => keep.has(g) || (g.controls ?? []).length || (g.groups ?? []).length));
      controls.push(...(cut.controls ?? []));
    }
    // modify (set-parameters, alters) is not applied: the hub's catalog export carries no parameters to set.
    if (profile.modify) problems.push({ path: '$.profile.modify', message: 'modify (set-parameters, alters) is not supported yet; import the profile without it' });
    const catalog = { catalog: { uuid: profile.uuid, metadata: profile.metadata, ...(groups.length ? { groups } : {}), ...(controls.length ? { controls } : {}) } };
    if (!problems.length && !groups.length && !controls.length) problems.push({ path: '$.profile.imports', message: 'the profile selects no control' });
    return { catalog, problems };
  }

  private async framework(key: string): Promise<Framework> {
    return (await this.s.framework.requireByKeys([key])).get(key)!;
  }

  /**
   * Rows an export reads, for the complexity limit: the requirements of the frameworks it names and, for
   * assessment results, the organization's evidence. One statement.
   */
  async exportCost(org: string, keys: string[], withEvidence: boolean): Promise<number> {
    const [row] = await this.ds.query(
      `SELECT (SELECT count(*) FROM requirement r JOIN framework f ON f.id = r.framework_id
               WHERE f.key = ANY($2::text[]) AND (f.organization_id IS NULL OR f.organization_id = $1))::int
            + CASE WHEN $3 THEN (SELECT count(*) FROM evidence WHERE organization_id = $1)::int ELSE 0 END AS rows`,
      [org, keys, withEvidence],
    );
    return Number(row.rows);
  }

  async exportCatalog(key: string): Promise<Record<string, unknown>> {
    const fw = await this.framework(key);
    const reqs = await this.requirementsOf(fw.id);
    return buildCatalog({ ...fw, private: fw.organizationId !== null, releasedOn: fw.releasedOn ? String(fw.releasedOn) : null }, reqs, new Date());
  }

  async exportMappings(org: string, sourceKey: string, targetKey: string): Promise<Record<string, unknown>> {
    if (sourceKey === targetKey) throw badInput('target', 'target must differ from source');
    const [source, target] = [await this.framework(sourceKey), await this.framework(targetKey)];
    const [sReqs, tReqs] = [await this.requirementsOf(source.id), await this.requirementsOf(target.id)];
    // The set versions the organization reads now (the latest, or the ones it pinned), as stored, with their qualifiers.
    const graph = await this.s.graph.at(org, new Date());
    const sets = (await this.s.mapping.listSources(org)).filter(
      (m) => graph.sourceIds.includes(m.id)
        && ((m.sourceFrameworkId === source.id && m.targetFrameworkId === target.id) || (m.sourceFrameworkId === target.id && m.targetFrameworkId === source.id)),
    );
    const rows: { id: string; mapping_source_id: string; s: string; t: string; relationship: Relationship; strength: number | null; rationale: string | null; note: string | null; qualifiers: Qualifier[] }[] = sets.length
      ? await this.ds.query(
          `SELECT m.id, m.mapping_source_id, s.ref AS s, t.ref AS t, m.relationship, m.strength, m.rationale, m.note, m.qualifiers
           FROM mapping m JOIN requirement s ON s.id = m.source_requirement_id JOIN requirement t ON t.id = m.target_requirement_id
           WHERE m.mapping_source_id = ANY($1::uuid[]) ORDER BY s.position, t.position, m.id`,
          [sets.map((x) => x.id)],
        )
      : [];
    if (!sets.length) throw notFound(`No mapping set links ${sourceKey} and ${targetKey}`, { source: sourceKey, target: targetKey });
    const exports: MappingSetExport[] = sets.map((m) => {
      const forward = m.sourceFrameworkId === source.id;
      return {
        id: m.id, key: m.key, version: m.version, name: m.name, publisher: m.publisher, method: m.method, methodNote: m.methodNote, status: m.status,
        licenceNote: m.licenceNote, url: m.url,
        rows: rows.filter((r) => r.mapping_source_id === m.id).map((r) => ({
          id: r.id,
          sourceRef: forward ? r.s : r.t,
          targetRef: forward ? r.t : r.s,
          relationship: forward ? r.relationship : inverse(r.relationship),
          strength: r.strength === null ? null : Number(r.strength),
          rationale: r.rationale,
          note: r.note,
          qualifiers: r.qualifiers.map((q) => (forward ? q : { ...q, relationship: inverse(q.relationship) })),
        })),
      };
    });
    return buildMappingCollection(
      { key: source.key, version: source.version, refs: sReqs.map((r) => r.ref), preferredIds: preferredIds(sReqs) },
      { key: target.key, version: target.version, refs: tReqs.map((r) => r.ref), assessableRefs: tReqs.filter((r) => r.assessable).map((r) => r.ref), preferredIds: preferredIds(tReqs) },
      exports,
      new Date(),
    );
  }

  async exportAssessmentResults(scope: CoverageScope, key: string): Promise<Record<string, unknown>> {
    const fw = await this.framework(key);
    const reqs = await this.requirementsOf(fw.id);
    const statuses = await this.s.coverage.statuses(scope, fw.id);
    const ids = statuses.map((r) => r.requirement.id);
    const [direct, inferred] = [
      await this.s.evidence.linksOnRequirements(scope.organizationId, ids, scope.asOf),
      await this.s.coverage.contributions(scope, ids, 10, 'counted'),
    ];
    const evidenceIds = new Set<string>();
    for (const id of ids) {
      for (const l of direct.get(id) ?? []) evidenceIds.add(l.evidenceId);
      for (const c of inferred.get(id) ?? []) evidenceIds.add(c.link.evidenceId);
    }
    const evidence = await this.s.evidence.summariesByIds(scope.organizationId, [...evidenceIds]);
    const how: Partial<Record<CoverageStatus, string>> = { COVERED: 'DIRECT', PREFILLED: 'PREFILLED', PARTIAL: 'PARTIAL' };
    const refOf = new Map(reqs.map((r) => [r.id, r.ref]));
    const items: AssessedRequirement[] = statuses.map((st) => {
      const links = [
        ...(direct.get(st.requirement.id) ?? []).map((l) => ({ evidenceId: l.evidenceId, via: null as string | null })),
        ...(inferred.get(st.requirement.id) ?? []).map((c) => ({ evidenceId: c.link.evidenceId, via: refOf.get(c.fromId) ?? c.fromId })),
      ];
      const seen = new Set<string>();
      return {
        ref: st.requirement.ref,
        title: st.requirement.title,
        status: st.status,
        how: how[st.status] ?? null,
        observations: links.filter((l) => evidence.has(l.evidenceId) && !seen.has(l.evidenceId) && seen.add(l.evidenceId)).map((l) => {
          const e = evidence.get(l.evidenceId)!;
          return { evidenceId: e.id, title: e.title, uri: e.uri, contentSha256: e.contentSha256, effectiveAt: e.effectiveAt, validUntil: e.validUntil, status: e.status, via: l.via };
        }),
      };
    });
    return buildAssessmentResults({ key: fw.key, version: fw.version, name: fw.name, refs: reqs.map((r) => r.ref), preferredIds: preferredIds(reqs) }, scope.organizationId, scope.asOf, items, new Date());
  }

  /**
   * An organization's own framework from an OSCAL catalog or a CSV. The whole document is checked first;
   * the same key, version and document again changes nothing; a changed document needs a new version.
   */
  async importFramework(org: string, input: FrameworkImport): Promise<{ framework: Framework | null; created: boolean; rows: ImportedRequirement[] }> {
    const problems: Problem[] = [];
    const key = input.key.trim();
    const version = input.version.trim();
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(key)) problems.push({ path: 'key', message: 'key must be 1-63 lower-case letters, digits or dashes' });
    if (!version || version.length > 50) problems.push({ path: 'version', message: 'version must be 1 to 50 characters' });
    if (!input.name.trim()) problems.push({ path: 'name', message: 'name must not be empty' });
    let rows: ImportedRequirement[] = [];
    if (input.format === FrameworkImportFormat.OSCAL_CATALOG) {
      const { doc, problems: schema } = validateOscal('catalog', input.document);
      problems.push(...schema);
      if (!schema.length) {
        const parsed = parseCatalog(doc);
        problems.push(...parsed.problems);
        rows = parsed.rows;
      }
    } else if (input.format === FrameworkImportFormat.OSCAL_PROFILE) {
      const { doc, problems: schema } = validateOscal('profile', input.document);
      problems.push(...schema);
      if (!schema.length) {
        const resolved = await this.resolveProfile(doc);
        problems.push(...resolved.problems);
        if (!resolved.problems.length) {
          const parsed = parseCatalog(resolved.catalog);
          problems.push(...parsed.problems);
          rows = parsed.rows;
        }
      }
    } else {
      const parsed = parseFrameworkCsv(input.document);
      problems.push(...parsed.problems);
      rows = parsed.rows;
    }
    problems.push(...textProblems('ImportedRequirement', rows, ['ref', 'title', 'text', 'summary']));
    if (problems.length) refuse('The framework document', problems);

    const digest = sha256(input.document);
    const existing: { id: string; organization_id: string | null; version: string; content_sha256: string }[] = await this.ds.query(
      `SELECT id, organization_id, version, content_sha256 FROM framework WHERE key = $1 AND (organization_id IS NULL OR organization_id = $2)`, [key, org],
    );
    if (existing.some((f) => f.organization_id === null)) {
      throw new HubError(ErrorCode.CONFLICT, `"${key}" is the key of a shared framework; choose another key`, { field: 'key' });
    }
    const same = existing.find((f) => f.version === version);
    if (same) {
      if (same.content_sha256 !== digest) {
        throw new HubError(ErrorCode.CONFLICT, `Version "${version}" of "${key}" was imported from a different document; import the changed document as a new version`, { field: 'version' });
      }
      return { framework: (await this.s.framework.findByIds([same.id])).get(same.id)!, created: false, rows };
    }
    if (input.dryRun) return { framework: null, created: false, rows };

    const id = crypto.randomUUID();
    const idOf = new Map(rows.map((r) => [r.ref, crypto.randomUUID()]));
    const ancestors = new Map<string, string[]>();
    const records = rows.map((r, i) => {
      const parentId = r.parentRef ? idOf.get(r.parentRef)! : null;
      const anc = r.parentRef ? [...ancestors.get(r.parentRef)!, parentId!] : [];
      ancestors.set(r.ref, anc);
      return {
        id: idOf.get(r.ref), parent_id: parentId, ancestor_ids: anc, depth: anc.length, ref: r.ref, kind: r.kind, title: r.title, text: r.text,
        summary: r.summary, assessable: r.assessable, position: i + 1, actors: r.actors, risk_tiers: r.riskTiers, applies_from: r.appliesFrom,
        attributes: r.attributes ?? {},
      };
    });
    await inTransaction(this.ds, async (em) => {
      await em.query(
        `INSERT INTO framework (id, organization_id, key, version, name, publisher, kind, licence_note, content_sha256, metadata)
         VALUES ($1, $2, $3, $4, $5, 'organization', 'internal', 'The organization''s own framework, imported by it; visible only to it.', $6, $7)`,
        [id, org, key, version, input.name.trim(), digest, JSON.stringify({ importedFrom: input.format })],
      );
      await em.query(
        `INSERT INTO requirement (id, organization_id, framework_id, parent_id, ancestor_ids, depth, ref, kind, title, text, summary, assessable, position, actors, risk_tiers, applies_from, attributes)
         SELECT x.id, $1, $2, x.parent_id, ARRAY(SELECT jsonb_array_elements_text(x.ancestor_ids))::uuid[], x.depth, x.ref, x.kind, x.title, x.text, x.summary,
                x.assessable, x.position, ARRAY(SELECT jsonb_array_elements_text(x.actors)), ARRAY(SELECT jsonb_array_elements_text(x.risk_tiers)), x.applies_from, x.attributes
         FROM jsonb_to_recordset($3::jsonb) AS x(id uuid, parent_id uuid, ancestor_ids jsonb, depth smallint, ref text, kind text, title text, text text,
              summary text, assessable boolean, position int, actors jsonb, risk_tiers jsonb, applies_from date, attributes jsonb)
         ORDER BY x.position`,
        [org, id, JSON.stringify(records)],
      );
    });
    return { framework: (await this.s.framework.findByIds([id])).get(id)!, created: true, rows };
  }

  /**
   * Mappings between frameworks the organization can see, from an OSCAL mapping collection or a CSV:
   * one mapping set of the organization per (source, target) pair, all written in one transaction.
   */
  async importMappings(org: string, input: MappingImport): Promise<{ sets: CreateMappingSetInput[]; created: boolean }> {
    const problems: Problem[] = [];
    let rows: ImportedMapping[] = [];
    let method = input.provenance.method ?? MappingMethod.HUMAN;
    let status = input.provenance.status ?? MappingStatus.DRAFT;
    if (input.format === MappingImportFormat.OSCAL_MAPPING) {
      const { doc, problems: schema } = validateOscal('mapping', input.document);
      problems.push(...schema);
      if (!schema.length) {
        const parsed = parseMappingCollection(doc);
        problems.push(...parsed.problems);
        rows = parsed.rows;
        method = input.provenance.method ?? (parsed.method as MappingMethod);
        status = input.provenance.status ?? (parsed.status as MappingStatus);
      }
    } else {
      const parsed = parseMappingCsv(input.document);
      problems.push(...parsed.problems);
      rows = parsed.rows;
    }
    problems.push(...textProblems('ImportedMapping', rows, ['sourceFramework', 'sourceId', 'targetFramework', 'targetId', 'note']));
    if (problems.length) refuse('The mapping document', problems);

    // Frameworks the organization can see, and (for OSCAL) their refs by exported id as well as by ref.
    const keys = [...new Set(rows.flatMap((r) => [r.sourceFramework, r.targetFramework]))];
    const fws = await this.s.framework.findByKeys(keys);
    const refIndex = new Map<string, Map<string, string>>();
    for (const [k, fw] of fws) {
      const reqs = await this.requirementsOf(fw.id);
      const byId = new Map<string, string>();
      // The ids the hub exports (an imported catalog's own ids among them), the ones it made before it
      // kept those, and the refs themselves.
      for (const [ref, oid] of oscalIds(reqs.map((r) => r.ref))) byId.set(oid, ref);
      for (const [ref, oid] of oscalIds(reqs.map((r) => r.ref), preferredIds(reqs))) byId.set(oid, ref);
      for (const r of reqs) byId.set(r.ref, r.ref);
      refIndex.set(k, byId);
    }
    const groups = new Map<string, { rows: ImportedMapping[]; refs: { s: string; t: string }[] }>();
    for (const r of rows) {
      const sIdx = refIndex.get(r.sourceFramework);
      const tIdx = refIndex.get(r.targetFramework);
      if (!sIdx) problems.push({ path: r.path, message: `framework "${r.sourceFramework}" is unknown (or not visible to this organization)` });
      if (!tIdx) problems.push({ path: r.path, message: `framework "${r.targetFramework}" is unknown (or not visible to this organization)` });
      if (r.sourceFramework && r.sourceFramework === r.targetFramework) problems.push({ path: r.path, message: 'source and target framework are the same' });
      const s = sIdx?.get(r.sourceId);
      const t = tIdx?.get(r.targetId);
      if (sIdx && !s) problems.push({ path: r.path, message: `"${r.sourceId}" is not a requirement of ${r.sourceFramework}` });
      if (tIdx && !t) problems.push({ path: r.path, message: `"${r.targetId}" is not a requirement of ${r.targetFramework}` });
      if (!s || !t) continue;
      const pair = `${r.sourceFramework}\u0000${r.targetFramework}`;
      const g = groups.get(pair) ?? { rows: [], refs: [] };
      g.rows.push(r);
      g.refs.push({ s, t });
      groups.set(pair, g);
    }
    if (problems.length) refuse('The mapping document', problems);

    const key = input.provenance.key.trim();
    const sets: CreateMappingSetInput[] = [...groups.entries()].map(([pair, g]) => {
      const [sf, tf] = pair.split('\u0000');
      return {
        key: groups.size === 1 ? key : `${key}-${sf}-to-${tf}`.slice(0, 63),
        name: groups.size === 1 ? input.provenance.name : `${input.provenance.name} (${sf} to ${tf})`,
        publisher: input.provenance.publisher ?? null,
        url: input.provenance.url ?? null,
        licenceNote: input.provenance.licenceNote ?? null,
        method,
        methodNote: input.provenance.methodNote ?? `Imported from ${input.format === MappingImportFormat.CSV ? 'CSV' : 'an OSCAL mapping collection'}.`,
        status,
        sourceFramework: sf,
        targetFramework: tf,
        mappings: g.rows.map((r, i) => ({
          sourceRef: g.refs[i].s, targetRef: g.refs[i].t, relationship: r.relationship as Relationship, strength: r.strength,
          rationale: (r.rationale as Rationale | null) ?? null, note: r.note,
          qualifiers: r.qualifiers.map((q) => q as unknown as MappingQualifierInput),
        })),
      };
    });
    const where = new Map<string, string>();
    sets.forEach((set, n) => set.mappings.forEach((_m, i) => where.set(`${n}:${i}`, groups.get(`${set.sourceFramework}\u0000${set.targetFramework}`)!.rows[i].path)));
    await this.s.mapping.createSets(org, sets, (n, field, row) => (row === null ? `provenance.${field}` : where.get(`${n}:${row}`) ?? field), input.dryRun);
    return { sets, created: !input.dryRun };
  }
}
