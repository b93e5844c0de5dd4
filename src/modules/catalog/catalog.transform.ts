/**
 * Pure shaping of the reference files (seeds/) into the rows the seeder writes. No I/O here, so the
 * rules (which nodes are assessable, which points the mappings add) are unit-tested on their own.
 */
import { createHash } from 'node:crypto';
import { Actor, FrameworkKind, RequirementKind, RiskTier } from '../framework/framework.enums';
import { MappingMethod, MappingStatus, Rationale, Relationship } from '../mapping/mapping.enums';
import { Qualifier, parseQualifier } from '../mapping/mapping-qualifier.rules';

export interface RawNode {
  ref: string;
  parent: string | null;
  kind: string;
  title: string;
  text?: string;
  summary?: string;
  order: number;
  actors?: string[];
  riskTier?: string[];
  appliesFrom?: string | null;
  appliesFromArt6_1Systems?: string | null;
  operatorDuty?: boolean;
  pendingAmendment?: string;
  [extra: string]: unknown;
}

export interface RawCatalog {
  framework: Record<string, unknown> & { key: string; name: string; version: string; publisher: string; kind: string };
  nodes: RawNode[];
}

export interface RawMappingRow {
  source: string;
  target: string;
  relationship: string;
  strength: number | null;
  rationale: string | null;
  provenance: string;
  note?: string;
  [extra: string]: unknown;
}

export interface RawMappingFile {
  provenance: { name: string; publisher: string; url_or_repo_path?: string; license_note?: string };
  relationship_vocabulary?: string;
  compiled_on?: string;
  sources?: { id: string; method?: string; [k: string]: unknown }[];
  mappings: RawMappingRow[];
  [extra: string]: unknown;
}

export interface FrameworkManifestEntry {
  file: string;
  version: string;
  releasedOn?: string;
  /** Files (relative to seeds/) that align the catalog with an applicability table: see catalog.alignment.ts. */
  applicability?: { table: string; amendmentEffects: string; alignment: string };
}
export interface MappingManifestEntry {
  file: string;
  key: string;
  source: string;
  target: string;
  method: string;
  status: string;
  /** The set's version (1 when omitted); a later version of the same key supersedes it. */
  version?: number;
  /** The hub's own changes to the file (relative to seeds/), applied by applyHubChanges under the file's name. */
  changes?: string;
}

/** The hub's changes to one vendored mapping file: see seeds/mappings/v2-hub-changes.json. */
export interface HubFileChanges {
  add?: RawMappingRow[];
  change?: { source: string; target: string; set: Partial<Pick<RawMappingRow, 'relationship' | 'strength' | 'rationale' | 'note'>>; why: string }[];
  remove?: { source: string; target: string; why: string }[];
  noCounterpart?: { ref: string; reason: string; mappedIn?: string[] }[];
  dropNoCounterpart?: { ref: string; why: string }[];
}

export interface FrameworkSeed {
  key: string;
  version: string;
  name: string;
  shortName: string | null;
  publisher: string;
  kind: FrameworkKind;
  edition: string | null;
  sourceUrl: string | null;
  sourceCitation: string | null;
  licenceNote: string;
  releasedOn: string | null;
  notes: string | null;
  metadata: Record<string, unknown>;
  contentSha256: string;
  nodes: NodeSeed[];
}

export interface NodeSeed {
  ref: string;
  parentRef: string | null;
  ancestorRefs: string[];
  kind: RequirementKind;
  title: string;
  text: string | null;
  summary: string | null;
  assessable: boolean;
  position: number;
  actors: Actor[];
  riskTiers: RiskTier[];
  appliesFrom: string | null;
  appliesFromAnnexIProducts: string | null;
  operatorDuty: boolean | null;
  pendingAmendment: string | null;
  attributes: Record<string, unknown>;
}

export interface MappingSetSeed {
  key: string;
  sourceFrameworkKey: string;
  targetFrameworkKey: string;
  name: string;
  publisher: string;
  url: string | null;
  licenceNote: string | null;
  method: MappingMethod;
  methodNote: string | null;
  status: MappingStatus;
  relationshipVocabulary: string | null;
  compiledOn: string | null;
  version: number;
  metadata: Record<string, unknown>;
  contentSha256: string;
  rows: MappingRowSeed[];
}

export interface MappingRowSeed {
  sourceRef: string;
  targetRef: string;
  relationship: Relationship;
  strength: number | null;
  rationale: Rationale | null;
  note: string | null;
  qualifiers: Qualifier[];
  attributes: Record<string, unknown>;
}

export class SeedDataError extends Error {}

/** Node fields that become columns; everything else the catalog says is kept in `attributes`. */
const COLUMN_FIELDS = new Set([
  'ref', 'parent', 'kind', 'title', 'text', 'summary', 'order', 'actors', 'riskTier', 'appliesFrom',
  'appliesFromArt6_1Systems', 'operatorDuty', 'pendingAmendment',
]);

/** Positions leave room for nodes the seeder inserts after a catalog node (EU AI Act points). */
const POSITION_STRIDE = 100;

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * The hash the idempotent seeder compares: the catalog file's own sha256 when it is read alone, else one
 * over it and the files that shape it (an applicability table), so a change to any of them re-seeds.
 */
export function contentHash(content: string, companions: readonly string[] = []): string {
  return companions.length ? sha256(JSON.stringify([sha256(content), ...companions.map((c) => sha256(c))])) : sha256(content);
}

const REF_PART = /\(([0-9a-z]+)\)/g;

/**
 * Sort key of an EU AI Act ref in document order ("Art. 9(2)(a)" -> [9, 2, "a"]), or null for refs of
 * another shape. Points compare by length first, so "(z)" comes before "(aa)".
 */
export function refKey(ref: string): (number | string)[] | null {
  const m = /^Art\. (\d+)((?:\([0-9a-z]+\))*)$/.exec(ref);
  if (!m) return null;
  return [Number(m[1]), ...[...m[2].matchAll(REF_PART)].map((p) => (/^\d+$/.test(p[1]) ? Number(p[1]) : p[1]))];
}

/**
 * Document order of two keys: a parent before its children, numbers before letters. Infinity stands
 * after everything at its level (the end of a paragraph, where an amendment appends).
 */
export function compareKeys(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === Number.POSITIVE_INFINITY) return 1;
    if (y === Number.POSITIVE_INFINITY) return -1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x.length - y.length || (x < y ? -1 : 1);
  }
  return a.length - b.length;
}

function enumValue<E extends Record<string, string>>(e: E, raw: string, what: string): E[keyof E] {
  const found = Object.values(e).find((v) => v === raw);
  if (!found) throw new SeedDataError(`unknown ${what} "${raw}"`);
  return found as E[keyof E];
}

function blankToNull(s: unknown): string | null {
  return typeof s === 'string' && s.trim() !== '' ? s : null;
}

/**
 * Which nodes an organization is assessed against. Clauses: those without sub-clauses (a clause
 * with sub-clauses only groups them). Controls and AI RMF subcategories: always. A regulation read
 * without an applicability table: paragraphs that carry an operator duty, and articles without
 * paragraphs that carry one; points are assessed as part of their paragraph. (The EU AI Act has a
 * table, which decides instead: catalog.alignment.ts.)
 */
export function isAssessable(kind: RequirementKind, hasChildren: boolean, operatorDuty: boolean | null): boolean {
  switch (kind) {
    case RequirementKind.CLAUSE:
      return !hasChildren;
    case RequirementKind.CONTROL:
    case RequirementKind.SUBCATEGORY:
    case RequirementKind.REQUIREMENT:
      return true;
    case RequirementKind.PARAGRAPH:
      return operatorDuty === true;
    case RequirementKind.ARTICLE:
      return !hasChildren && operatorDuty === true;
    default:
      return false;
  }
}

const POINT_REF = /^(.+)\(([a-z]{1,3})\)$/;

/**
 * Refs that mappings use but the catalog does not list, added as POINT nodes under their paragraph
 * (e.g. "Art. 17(1)(b)" under "Art. 17(1)"). Anything else that is missing is a data error.
 */
export function pointsReferenced(catalog: RawCatalog, refs: Iterable<string>): RawNode[] {
  const byRef = new Map(catalog.nodes.map((n) => [n.ref, n]));
  const added = new Map<string, RawNode>();
  for (const ref of refs) {
    if (byRef.has(ref) || added.has(ref)) continue;
    const m = POINT_REF.exec(ref);
    const parent = m ? byRef.get(m[1]) : undefined;
    if (!m || !parent) throw new SeedDataError(`${catalog.framework.key}: mapping references unknown requirement "${ref}"`);
    added.set(ref, {
      ref,
      parent: parent.ref,
      kind: RequirementKind.POINT,
      title: `${parent.ref}, point (${m[2]})`,
      text: '',
      order: parent.order,
      actors: parent.actors,
      riskTier: parent.riskTier,
      appliesFrom: parent.appliesFrom,
      appliesFromArt6_1Systems: parent.appliesFromArt6_1Systems,
      operatorDuty: parent.operatorDuty,
      pendingAmendment: parent.pendingAmendment,
      addedFrom: 'mapping-reference',
      point: m[2],
    });
  }
  return [...added.values()];
}

export interface TransformOptions {
  /** When given, exactly these refs are assessable (an applicability table decides), instead of isAssessable. */
  assessableRefs?: ReadonlySet<string>;
  /** Contents of the files besides the catalog that shaped its nodes; they enter the content hash. */
  companions?: readonly string[];
}

/**
 * Extra nodes (points the mappings add, nodes an applicability table adds) carry the order of the catalog
 * node they follow; they sit after it, in document order, then in the order given.
 */
export function transformCatalog(raw: RawCatalog, manifest: FrameworkManifestEntry, content: string, extraNodes: RawNode[] = [], options: TransformOptions = {}): FrameworkSeed {
  const fw = raw.framework;
  const version = manifest.version;
  // "2024/1689 (OJ L, 12.7.2024)": the parenthesis is publication detail, not part of the version.
  const rawVersion = String(fw.version);
  const paren = /\(([^)]*)\)\s*$/.exec(rawVersion);
  const edition = blankToNull(fw.edition) ?? (paren ? paren[1] : null);
  const source = blankToNull(fw.source);
  const url = source ? /https?:\/\/[^\s,;)]+/.exec(source)?.[0] ?? null : null;
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fw)) {
    if (!['key', 'name', 'shortName', 'version', 'edition', 'publisher', 'kind', 'source', 'license_note', 'notes'].includes(k)) metadata[k] = v;
  }

  const all = [...raw.nodes, ...extraNodes];
  const refs = new Set<string>();
  for (const n of all) {
    if (refs.has(n.ref)) throw new SeedDataError(`${fw.key}: duplicate ref "${n.ref}"`);
    refs.add(n.ref);
  }
  const byRef = new Map(all.map((n) => [n.ref, n]));
  const childCount = new Map<string, number>();
  for (const n of all) {
    if (n.parent === null) continue;
    if (!byRef.has(n.parent)) throw new SeedDataError(`${fw.key}: "${n.ref}" has unknown parent "${n.parent}"`);
    childCount.set(n.parent, (childCount.get(n.parent) ?? 0) + 1);
  }
  const extraIndex = new Map<string, number>();
  const groups = new Map<number, RawNode[]>();
  for (const n of extraNodes) groups.set(n.order, [...(groups.get(n.order) ?? []), n]);
  for (const group of groups.values()) {
    const keyed = group.map((n, i) => ({ ref: n.ref, key: refKey(n.ref), i }));
    // Refs of another shape (an amendment's own names) keep their given order, after the others.
    keyed.sort((a, b) => (a.key && b.key ? compareKeys(a.key, b.key) : a.key ? -1 : b.key ? 1 : 0) || a.i - b.i);
    keyed.forEach((x, i) => extraIndex.set(x.ref, i + 1));
  }

  const ancestors = (n: RawNode): string[] => {
    const chain: string[] = [];
    let p = n.parent;
    while (p !== null) {
      if (chain.includes(p)) throw new SeedDataError(`${fw.key}: cycle at "${n.ref}"`);
      chain.unshift(p);
      p = byRef.get(p)!.parent;
    }
    return chain;
  };

  const nodes: NodeSeed[] = all.map((n) => {
    const kind = enumValue(RequirementKind, n.kind, `${fw.key} node kind`);
    const operatorDuty = typeof n.operatorDuty === 'boolean' ? n.operatorDuty : null;
    const attributes: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n)) if (!COLUMN_FIELDS.has(k)) attributes[k] = v;
    const anc = ancestors(n);
    return {
      ref: n.ref,
      parentRef: n.parent,
      ancestorRefs: anc,
      kind,
      title: n.title,
      text: blankToNull(n.text),
      summary: blankToNull(n.summary),
      assessable: options.assessableRefs
        ? options.assessableRefs.has(n.ref)
        : isAssessable(kind, (childCount.get(n.ref) ?? 0) > 0, operatorDuty),
      position: n.order * POSITION_STRIDE + (extraIndex.get(n.ref) ?? 0),
      actors: (n.actors ?? []).map((a) => enumValue(Actor, a, `${fw.key} actor`)),
      riskTiers: (n.riskTier ?? []).map((t) => enumValue(RiskTier, t, `${fw.key} risk tier`)),
      appliesFrom: n.appliesFrom ?? null,
      appliesFromAnnexIProducts: n.appliesFromArt6_1Systems ?? null,
      operatorDuty,
      pendingAmendment: blankToNull(n.pendingAmendment),
      attributes,
    };
  });
  nodes.sort((a, b) => a.position - b.position);
  for (let i = 1; i < nodes.length; i++) {
    if (nodes[i].position === nodes[i - 1].position) throw new SeedDataError(`${fw.key}: "${nodes[i].ref}" and "${nodes[i - 1].ref}" share an order`);
  }

  return {
    key: fw.key,
    version,
    name: fw.name,
    shortName: blankToNull(fw.shortName),
    publisher: fw.publisher,
    kind: enumValue(FrameworkKind, fw.kind, 'framework kind'),
    edition,
    sourceUrl: url,
    sourceCitation: source,
    licenceNote: String(fw.license_note ?? ''),
    releasedOn: manifest.releasedOn ?? null,
    notes: blankToNull(fw.notes),
    metadata,
    contentSha256: contentHash(content, options.companions),
    nodes,
  };
}

const RELATIONSHIPS: Record<string, Relationship> = {
  equal: Relationship.EQUAL,
  subset_of: Relationship.SUBSET_OF,
  superset_of: Relationship.SUPERSET_OF,
  intersects_with: Relationship.INTERSECTS_WITH,
  no_relationship: Relationship.NO_RELATIONSHIP,
};

export function transformMappingFile(raw: RawMappingFile, manifest: MappingManifestEntry, content: string): MappingSetSeed {
  const rows: MappingRowSeed[] = raw.mappings.map((r, i) => {
    const relationship = RELATIONSHIPS[r.relationship];
    if (!relationship) throw new SeedDataError(`${manifest.key} row ${i}: unknown relationship "${r.relationship}"`);
    if (r.strength !== null && !(Number.isInteger(r.strength) && r.strength >= 1 && r.strength <= 10)) {
      throw new SeedDataError(`${manifest.key} row ${i}: strength ${r.strength} outside 1-10`);
    }
    const attributes: Record<string, unknown> = { provenance: r.provenance };
    for (const [k, v] of Object.entries(r)) {
      if (!['source', 'target', 'relationship', 'strength', 'rationale', 'provenance', 'note', 'qualifiers'].includes(k)) attributes[k] = v;
    }
    let qualifiers: Qualifier[];
    try {
      qualifiers = ((r.qualifiers ?? []) as Record<string, unknown>[]).map(parseQualifier);
    } catch (err) {
      throw new SeedDataError(`${manifest.key} row ${i}: ${(err as Error).message}`);
    }
    return {
      sourceRef: r.source,
      targetRef: r.target,
      relationship,
      strength: r.strength,
      rationale: r.rationale ? enumValue(Rationale, r.rationale.toUpperCase(), `${manifest.key} rationale`) : null,
      note: blankToNull(r.note),
      qualifiers,
      attributes,
    };
  });
  const seen = new Set<string>();
  for (const r of rows) {
    const k = `${r.sourceRef}\u0000${r.targetRef}`;
    if (seen.has(k)) throw new SeedDataError(`${manifest.key}: duplicate mapping ${r.sourceRef} -> ${r.targetRef}`);
    seen.add(k);
  }
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!['provenance', 'mappings', 'relationship_vocabulary', 'compiled_on'].includes(k)) metadata[k] = v;
  }
  const methods = (raw.sources ?? []).map((s) => s.method).filter((m): m is string => typeof m === 'string');
  return {
    key: manifest.key,
    sourceFrameworkKey: manifest.source,
    targetFrameworkKey: manifest.target,
    name: raw.provenance.name,
    publisher: raw.provenance.publisher,
    url: blankToNull(raw.provenance.url_or_repo_path),
    licenceNote: blankToNull(raw.provenance.license_note),
    method: enumValue(MappingMethod, manifest.method, 'mapping method'),
    methodNote: methods.length ? methods.join('\n') : null,
    status: enumValue(MappingStatus, manifest.status, 'mapping status'),
    relationshipVocabulary: blankToNull(raw.relationship_vocabulary),
    compiledOn: blankToNull(raw.compiled_on),
    version: manifest.version ?? 1,
    metadata,
    contentSha256: sha256(content),
    rows,
  };
}

/**
 * A vendored mapping file with the hub's changes applied: rows added, changed and removed, and the
 * noCounterpart list extended or trimmed. The file's own metadata keeps what the hub changed and why
 * (hubChanges), so provenance shows which rows are the hub's. Every change must hit: a change or
 * removal naming a row the file lacks, or an added row the file already has, is a seed error.
 */
export function applyHubChanges(raw: RawMappingFile, changes: HubFileChanges, label: string): RawMappingFile {
  const key = (s: string, t: string) => `${s}\u0000${t}`;
  const rows = new Map(raw.mappings.map((r) => [key(r.source, r.target), { ...r }]));
  for (const r of changes.remove ?? []) {
    if (!rows.delete(key(r.source, r.target))) throw new SeedDataError(`${label}: hub change removes ${r.source} -> ${r.target}, which the file does not have`);
  }
  for (const c of changes.change ?? []) {
    const row = rows.get(key(c.source, c.target));
    if (!row) throw new SeedDataError(`${label}: hub change edits ${c.source} -> ${c.target}, which the file does not have`);
    Object.assign(row, c.set, { hubChange: c.why });
  }
  for (const a of changes.add ?? []) {
    if (rows.has(key(a.source, a.target))) throw new SeedDataError(`${label}: hub change adds ${a.source} -> ${a.target}, which the file already has`);
    rows.set(key(a.source, a.target), { ...a });
  }
  const dropped = new Set((changes.dropNoCounterpart ?? []).map((d) => d.ref));
  const noCounterpart = [
    ...((raw.noCounterpart ?? []) as { ref: string }[]).filter((n) => !dropped.has(n.ref)),
    ...(changes.noCounterpart ?? []).map((n) => ({ ...n, provenance: 'hub' })),
  ];
  return {
    ...raw,
    ...(raw.noCounterpart || changes.noCounterpart ? { noCounterpart } : {}),
    hubChanges: changes,
    mappings: [...rows.values()],
  };
}
