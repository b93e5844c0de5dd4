/**
 * OSCAL 1.2 documents in and out, as pure functions: catalogs, mapping collections and assessment
 * results built from the hub's rows, and catalogs and mapping collections read back into rows.
 * Schema validation is in oscal.schema.ts; the database work in interchange.service.ts.
 */
import { createHash } from 'node:crypto';
import { RequirementKind } from '../framework/framework.enums';
import { IMPORT_MAX_NODES, localDateProblem } from '../../graphql/input-bounds';
import type { Qualifier } from '../mapping/mapping-qualifier.rules';

export const OSCAL_VERSION = '1.2.2';
/**
 * Namespace of the hub's own OSCAL props (kind, assessable, actors, ...). A name the project controls,
 * never fetched: OSCAL libraries (compliance-trestle's pydantic models) type `ns` as an http(s) URL and
 * refuse a URN, so exports use this one.
 */
export const HUB_NS = 'https://control-mapping-hub.dev/ns/oscal';
/** The namespace exports used before HUB_NS; imports still read it, exports no longer write it. */
export const LEGACY_HUB_NS = 'urn:control-mapping-hub:oscal';
/** Whether a prop's namespace is the hub's, old or new. */
export const isHubNs = (ns: string | undefined): boolean => ns === HUB_NS || ns === LEGACY_HUB_NS;
/** UUIDs in exports are name-based (v5), so exporting the same thing twice gives the same document. */
const UUID_NAMESPACE = '6f1c7a52-3e0b-5c8e-9d41-2b7a0e4c9f11';

const NAMESPACE_BYTES = Buffer.from(UUID_NAMESPACE.replace(/-/g, ''), 'hex');

/** RFC 9562 version 5 (SHA-1, name-based) on node:crypto: exports make tens of thousands of these. */
export function uuidFor(...parts: string[]): string {
  const h = createHash('sha1').update(NAMESPACE_BYTES).update(parts.join('\u0000'), 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString('hex', 0, 16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * An OSCAL token (NCName) for a ref: "A.5.1" stays, "5.1" becomes "_5.1", "Art. 5(1)" becomes "Art._5_1_".
 * Digits are ASCII only: the schema's token pattern allows any \p{N} ("²"), trestle's NCName regex does not.
 */
export function oscalId(ref: string): string {
  const body = ref.replace(/[^\p{L}0-9._-]+/gu, '_');
  return /^[\p{L}_]/u.test(body) ? body : `_${body}`;
}

const TOKEN = /^[\p{L}_][\p{L}0-9._-]*$/u;

/**
 * Ids for a framework's refs, unique: a collision gets a numeric suffix, in document order. `preferred`
 * holds the id a requirement came in with (an imported catalog's own control id, `ac-2.1` for AC-2(1)),
 * which is kept when it is a valid token, so documents and profiles that point at those ids still do.
 */
export function oscalIds(refs: readonly string[], preferred: ReadonlyMap<string, string> = new Map()): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const ref of refs) {
    const kept = preferred.get(ref);
    const base = kept && TOKEN.test(kept) ? kept : oscalId(ref);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    out.set(ref, id);
  }
  return out;
}

/** The ids requirements came in with (attributes.oscalId), by ref. */
export function preferredIds(reqs: readonly { ref: string; oscalId?: string | null }[]): Map<string, string> {
  return new Map(reqs.filter((r) => r.oscalId).map((r) => [r.ref, r.oscalId!]));
}

interface Prop { name: string; value: string; ns?: string; class?: string; group?: string }
const prop = (name: string, value: string | number | boolean | null | undefined, ns = HUB_NS): Prop[] =>
  value === null || value === undefined || String(value).trim() === '' ? [] : [{ name, value: String(value).trim(), ...(ns ? { ns } : {}) }];
const nonEmpty = <T>(xs: T[]) => (xs.length ? xs : undefined);
const clean = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
/** OSCAL strings may not start or end with white space, and must not be empty. */
const str = (s: string) => s.replace(/\s+/g, ' ').trim() || '-';
const dateTime = (d: Date) => d.toISOString();
/** A link for a source that starts with an http(s) URL; the full source text goes in a prop. */
const uriLink = (source: string | null) => {
  const m = source ? /^https?:\/\/\S+/.exec(source) : null;
  return m ? [{ href: encodeURI(decodeURI(m[0])), rel: 'reference' }] : undefined;
};

export interface CatalogFramework {
  key: string;
  version: string;
  name: string;
  publisher: string;
  kind: string;
  licenceNote: string;
  releasedOn: string | null;
  sourceUrl: string | null;
  updatedAt: Date;
  private: boolean;
}

export interface CatalogRequirement {
  id: string;
  parentId: string | null;
  ref: string;
  title: string;
  kind: string;
  assessable: boolean;
  text: string | null;
  summary: string | null;
  actors: string[];
  riskTiers: string[];
  appliesFrom: string | null;
  /** The id the requirement came in with, when an imported catalog's id was not the one the hub would make. */
  oscalId?: string | null;
}

/**
 * The framework as an OSCAL catalog, following the hierarchy: parents whose children include an
 * assessable node hold them as controls, others as groups; everything under a control is a control. `label` carries the ref; hub props
 * carry kind, assessable, actors, risk tiers and dates. Parts carry only text the hub holds and may
 * ship (the seeds hold no ISO text: ISO catalogs export identifiers and titles only).
 */
export function buildCatalog(fw: CatalogFramework, reqs: readonly CatalogRequirement[], now: Date): Record<string, unknown> {
  const ids = oscalIds(reqs.map((r) => r.ref), preferredIds(reqs));
  const children = new Map<string | null, CatalogRequirement[]>();
  for (const r of reqs) children.set(r.parentId, [...(children.get(r.parentId) ?? []), r]);
  const props = (r: CatalogRequirement): Prop[] => [
    ...prop('label', r.ref, ''),
    ...prop('kind', r.kind),
    ...prop('assessable', r.assessable),
    ...r.actors.flatMap((a) => prop('actor', a)),
    ...r.riskTiers.flatMap((t) => prop('risk-tier', t)),
    ...prop('applies-from', r.appliesFrom),
  ];
  const parts = (r: CatalogRequirement) =>
    nonEmpty([
      ...(r.text ? [{ id: `${ids.get(r.ref)}_smt`, name: 'statement', prose: r.text }] : []),
      ...(r.summary ? [{ id: `${ids.get(r.ref)}_gdn`, name: 'guidance', prose: r.summary }] : []),
    ]);
  const control = (r: CatalogRequirement): Record<string, unknown> =>
    clean({ id: ids.get(r.ref)!, class: r.kind, title: str(r.title), props: props(r), parts: parts(r), controls: nonEmpty((children.get(r.id) ?? []).map(control)) });
  // OSCAL lets a group hold groups or controls, not both: when any child must be a control (it is
  // assessable), all children of that parent become controls (assessable=false says which are not).
  const asControls = (kids: readonly CatalogRequirement[]) => kids.some((k) => k.assessable);
  const group = (r: CatalogRequirement): Record<string, unknown> => {
    const kids = children.get(r.id) ?? [];
    const controls = asControls(kids);
    return clean({
      id: ids.get(r.ref)!, class: r.kind, title: str(r.title), props: props(r), parts: parts(r),
      groups: controls ? undefined : nonEmpty(kids.map(group)),
      controls: controls ? nonEmpty(kids.map(control)) : undefined,
    });
  };
  const top = children.get(null) ?? [];
  const topControls = asControls(top);
  return {
    catalog: clean({
      uuid: uuidFor('catalog', fw.private ? 'private' : 'shared', fw.key, fw.version),
      metadata: clean({
        title: str(fw.name),
        published: fw.releasedOn ? `${fw.releasedOn}T00:00:00Z` : undefined,
        'last-modified': dateTime(fw.updatedAt > now ? now : fw.updatedAt),
        version: fw.version,
        'oscal-version': OSCAL_VERSION,
        props: [...prop('framework-key', fw.key), ...prop('framework-kind', fw.kind), ...prop('publisher', fw.publisher)],
        links: uriLink(fw.sourceUrl),
        remarks: fw.licenceNote,
      }),
      groups: topControls ? undefined : nonEmpty(top.map(group)),
      controls: topControls ? nonEmpty(top.map(control)) : undefined,
    }),
  };
}

export interface ImportedRequirement {
  ref: string;
  title: string;
  kind: string;
  assessable: boolean;
  parentRef: string | null;
  text: string | null;
  summary: string | null;
  actors: string[];
  riskTiers: string[];
  appliesFrom: string | null;
  /** Catalog facts kept as data (requirement.attributes): parameters, assessment objectives and methods, labels. */
  attributes?: Record<string, unknown>;
  /** JSON path of the node in the document, for error messages. */
  path: string;
}

export interface Problem {
  /** JSON path (OSCAL) or `line N` (CSV). */
  path: string;
  message: string;
}

/** The requirement kinds the hub stores (framework.enums.ts), for checking imported ones. */
export const KINDS: ReadonlySet<string> = new Set(Object.values(RequirementKind));

/** A parameter of an imported control, as kept in `requirement.attributes.parameters`. */
export interface ImportedParameter {
  id: string;
  label?: string;
  usage?: string;
  guidelines?: string[];
  values?: string[];
  select?: { howMany?: string; choice: string[] };
  constraints?: string[];
}

const INSERT_PARAM = /\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}/g;
const proseOf = (xs: any[] | undefined): string[] => (xs ?? []).map((x) => x?.prose).filter((x): x is string => typeof x === 'string').map((x) => x.trim()).filter(Boolean);

function parameterOf(p: any): ImportedParameter {
  return clean({
    id: p.id as string,
    label: p.label as string | undefined,
    usage: p.usage as string | undefined,
    guidelines: nonEmpty(proseOf(p.guidelines)),
    values: nonEmpty((p.values ?? []) as string[]),
    select: p.select ? clean({ howMany: p.select['how-many'] as string | undefined, choice: (p.select.choice ?? []) as string[] }) : undefined,
    constraints: nonEmpty(((p.constraints ?? []) as any[]).flatMap((c) => [c.description, ...((c.tests ?? []) as any[]).map((t) => t.expression)]).filter((x): x is string => typeof x === 'string' && x.trim() !== '')),
  });
}

/**
 * `{{ insert: param, id }}` as NIST renders it: the values set, else `[Selection (one or more): a; b]`, else
 * `[Assignment: label]`. A placeholder for a parameter the catalog does not define stays as it is, so the
 * gap remains visible in the text.
 */
export function renderParams(text: string, params: ReadonlyMap<string, ImportedParameter>, depth = 0): string {
  return text.replace(INSERT_PARAM, (whole, id: string) => {
    const p = params.get(id);
    if (!p) return whole;
    // a choice may itself insert a parameter: one level deep is what catalogs use, and it cannot loop
    const inner = (x: string) => (depth < 2 ? renderParams(x, params, depth + 1) : x);
    if (p.values?.length) return p.values.map(inner).join(', ');
    if (p.select) return `[Selection${p.select.howMany ? ` (${p.select.howMany.replace(/-/g, ' ')})` : ''}: ${p.select.choice.map(inner).join('; ')}]`;
    if (p.label) return `[Assignment: ${inner(p.label)}]`;
    return whole;
  });
}

const labelsOf = (x: any): { value: string; class?: string }[] =>
  ((x?.props ?? []) as Prop[]).filter((p) => p.name === 'label' && (!p.ns || p.ns === 'http://csrc.nist.gov/ns/oscal')).map((p) => clean({ value: p.value, class: p.class }));

/**
 * The label a person cites: NIST SP 800-53 gives "AC-01" (class zero-padded), "AC-1" (no class) and "AC-01"
 * (class sp800-53a); the one without a class wins, then any but the padded forms, then the first.
 */
export function plainLabel(x: any): string | undefined {
  const labels = labelsOf(x);
  const padded = new Set(['zero-padded', 'sp800-53a']);
  return (labels.find((l) => !l.class) ?? labels.find((l) => !padded.has(l.class!)) ?? labels[0])?.value;
}

/**
 * A part's text in document order: its prose, then each `item` part on its own line prefixed with its
 * label ("a.", "1.", "(a)"), nested items indented. A single unlabelled prose is returned as it is.
 */
function partsText(parts: any[] | undefined, name: string, params: ReadonlyMap<string, ImportedParameter>): string | null {
  const blocks: string[] = [];
  for (const top of (parts ?? []).filter((p: any) => p.name === name)) {
    if (!top.parts?.length && !labelsOf(top).length) {
      if (top.prose) blocks.push(renderParams(top.prose, params));
      continue;
    }
    const lines: string[] = [];
    const stack: { p: any; depth: number }[] = [{ p: top, depth: -1 }];
    while (stack.length) {
      const { p, depth } = stack.pop()!;
      const label = p === top ? undefined : plainLabel(p);
      const prose = typeof p.prose === 'string' ? renderParams(p.prose, params).trim() : '';
      const line = [label, prose].filter(Boolean).join(' ');
      if (line) lines.push(`${'  '.repeat(Math.max(0, depth))}${line}`);
      const items = ((p.parts ?? []) as any[]).filter((c) => c.name === 'item');
      for (const c of [...items].reverse()) stack.push({ p: c, depth: depth + 1 });
    }
    if (lines.length) blocks.push(lines.join('\n'));
  }
  return blocks.join('\n\n') || null;
}

/** Assessment objectives (SP 800-53A) in document order, each with its label and text. */
function objectivesOf(parts: any[] | undefined, params: ReadonlyMap<string, ImportedParameter>): { id?: string; label?: string; text: string }[] {
  const out: { id?: string; label?: string; text: string }[] = [];
  const stack = ((parts ?? []) as any[]).filter((p) => p.name === 'assessment-objective').reverse();
  while (stack.length) {
    const p = stack.pop()!;
    if (typeof p.prose === 'string' && p.prose.trim()) out.push(clean({ id: p.id, label: plainLabel(p), text: renderParams(p.prose, params).trim() }));
    stack.push(...((p.parts ?? []) as any[]).filter((c) => c.name === 'assessment-objective').reverse());
  }
  return out;
}

/** Assessment methods (EXAMINE, INTERVIEW, TEST) with the objects they name. */
function methodsOf(parts: any[] | undefined): { method: string; objects: string[] }[] {
  return ((parts ?? []) as any[]).filter((p) => p.name === 'assessment-method').map((p) => ({
    method: ((p.props ?? []) as Prop[]).find((x) => x.name === 'method')?.value ?? p.id ?? 'method',
    objects: proseOf(((p.parts ?? []) as any[]).filter((x) => x.name === 'assessment-objects')).flatMap((x) => x.split(/\n\s*\n/).map((y) => y.trim()).filter(Boolean)),
  }));
}

/** Every parameter the catalog defines, by id (catalog, groups and controls): placeholders may cite a parent's. */
function parameterIndex(cat: any): Map<string, ImportedParameter> {
  const out = new Map<string, ImportedParameter>();
  const stack: any[] = [cat];
  while (stack.length) {
    const n = stack.pop();
    for (const p of (n.params ?? []) as any[]) if (typeof p?.id === 'string' && !out.has(p.id)) out.set(p.id, parameterOf(p));
    stack.push(...(n.groups ?? []), ...(n.controls ?? []));
  }
  return out;
}

/** Reads a (schema-valid) OSCAL catalog into requirement rows in document order. */
export function parseCatalog(doc: any): { title: string; version: string; rows: ImportedRequirement[]; problems: Problem[] } {
  const cat = doc.catalog;
  const rows: ImportedRequirement[] = [];
  const problems: Problem[] = [];
  const hub = (p: Prop[] | undefined, name: string) => (p ?? []).filter((x) => x.name === name && isHubNs(x.ns)).map((x) => x.value);
  const params = parameterIndex(cat);
  // Iterative, in document order (a node, then its groups, then its controls): validateOscal bounded the
  // nesting, but a walk over the document never leans on the call stack.
  type Pending = { n: any; path: string; isControl: boolean; parentRef: string | null };
  const children = (n: any, path: string, parentRef: string | null): Pending[] => [
    ...(n.groups ?? []).map((g: any, i: number) => ({ n: g, path: `${path}.groups[${i}]`, isControl: false, parentRef })),
    ...(n.controls ?? []).map((c: any, i: number) => ({ n: c, path: `${path}.controls[${i}]`, isControl: true, parentRef })),
  ];
  const stack = children(cat, '$.catalog', null).reverse();
  while (stack.length) {
    const { n, path, isControl, parentRef } = stack.pop()!;
    const ref = (plainLabel(n) ?? n.id) as string;
    const kindProp = hub(n.props, 'kind')[0];
    const kind = kindProp ?? (isControl ? 'control' : 'group');
    if (!KINDS.has(kind)) problems.push({ path: `${path}.props`, message: `kind "${kind}" is not one of ${[...KINDS].join(', ')}` });
    const assessableProp = hub(n.props, 'assessable')[0];
    const appliesFrom = hub(n.props, 'applies-from')[0] ?? null;
    const badDate = appliesFrom === null ? null : localDateProblem(appliesFrom);
    if (badDate) problems.push({ path: `${path}.props`, message: `applies-from ${badDate}` });
    const labels = labelsOf(n);
    const attributes = clean({
      oscalId: n.id !== oscalId(ref) ? (n.id as string) : undefined,
      labels: labels.length > 1 ? labels : undefined,
      parameters: nonEmpty(((n.params ?? []) as any[]).map(parameterOf)),
      assessmentObjectives: nonEmpty(objectivesOf(n.parts, params)),
      assessmentMethods: nonEmpty(methodsOf(n.parts)),
    });
    rows.push({
      ref, title: n.title, kind, assessable: assessableProp === undefined ? isControl : assessableProp === 'true', parentRef,
      text: partsText(n.parts, 'statement', params), summary: partsText(n.parts, 'guidance', params), actors: hub(n.props, 'actor'), riskTiers: hub(n.props, 'risk-tier'),
      appliesFrom, attributes, path,
    });
    stack.push(...children(n, path, ref).reverse());
  }
  const seen = new Map<string, string>();
  for (const r of rows) {
    if (seen.has(r.ref)) problems.push({ path: r.path, message: `ref "${r.ref}" repeats ${seen.get(r.ref)}` });
    else seen.set(r.ref, r.path);
  }
  if (!rows.length) problems.push({ path: '$.catalog', message: 'the catalog has no groups or controls' });
  return { title: cat.metadata.title, version: cat.metadata.version, rows, problems };
}

export const RELATIONSHIP_TOKENS: Record<string, string> = {
  EQUAL: 'equal-to', SUBSET_OF: 'subset-of', SUPERSET_OF: 'superset-of', INTERSECTS_WITH: 'intersects-with', NO_RELATIONSHIP: 'no-relationship',
};
export const RELATIONSHIP_FROM_TOKEN: Record<string, string> = Object.fromEntries(Object.entries(RELATIONSHIP_TOKENS).map(([k, v]) => [v, k]));
const OSCAL_STATUS: Record<string, string> = { DRAFT: 'draft', COMPLETE: 'complete', SUPERSEDED: 'superseded' };
export const STATUS_FROM_OSCAL: Record<string, string> = { draft: 'DRAFT', complete: 'COMPLETE', superseded: 'SUPERSEDED', 'not-complete': 'DRAFT', deprecated: 'SUPERSEDED' };

export interface MappingSetExport {
  id: string;
  key: string;
  name: string;
  publisher: string;
  method: string;
  methodNote: string | null;
  status: string;
  licenceNote: string | null;
  url: string | null;
  version: number;
  /** Rows already read source -> target of the export (inverted when the set runs the other way, qualifiers too). */
  rows: { id: string; sourceRef: string; targetRef: string; relationship: string; strength: number | null; rationale: string | null; note: string | null; qualifiers: Qualifier[] }[];
}

/**
 * A mapping's qualifiers in OSCAL: each is a qualifier-item (subject, predicate, category, description,
 * OSCAL's own fields), and what OSCAL cannot say (the condition, its parameter, the relationship and
 * strength that hold under it) goes in hub props grouped "qualifier-<n>", n counting the items from 1.
 */
function qualifierItems(qualifiers: readonly Qualifier[]): { items: Record<string, string>[] | undefined; props: Prop[] } {
  const props: Prop[] = [];
  const items = qualifiers.map((q, i) => {
    const group = `qualifier-${i + 1}`;
    for (const [name, value] of [['qualifier-when', q.when], ['qualifier-process', q.process], ['qualifier-relationship', RELATIONSHIP_TOKENS[q.relationship]], ['qualifier-strength', q.strength]] as const) {
      props.push(...prop(name, value).map((p) => ({ ...p, group })));
    }
    return {
      subject: q.subject ?? 'both',
      predicate: q.predicate ?? 'has-requirement',
      category: q.category ?? 'addressable',
      description: str(q.description ?? `Reads ${RELATIONSHIP_TOKENS[q.relationship]} when the organization declares ${q.when}${q.process ? ` for ${q.process}` : ''}.`),
    };
  });
  return { items: nonEmpty(items), props };
}

/** The qualifiers of an OSCAL map: its qualifier-items joined with the hub props of their group. */
function readQualifiers(e: any, path: string, problems: Problem[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [i, q] of ((e.qualifiers ?? []) as any[]).entries()) {
    const group = `qualifier-${i + 1}`;
    const value = (name: string) => ((e.props ?? []) as Prop[]).find((p) => isHubNs(p.ns) && p.group === group && p.name === name)?.value ?? null;
    const when = value('qualifier-when');
    const rel = value('qualifier-relationship');
    // A qualifier-item without the hub's props is an OSCAL statement the hub cannot evaluate: kept out, said why.
    if (!when || !rel || !RELATIONSHIP_FROM_TOKEN[rel]) {
      problems.push({ path: `${path}.qualifiers[${i}]`, message: `the hub reads a qualifier only with its ${HUB_NS} props qualifier-when and qualifier-relationship (group "${group}")` });
      continue;
    }
    const strength = value('qualifier-strength');
    out.push({
      when, process: value('qualifier-process'), relationship: RELATIONSHIP_FROM_TOKEN[rel], strength: strength === null ? null : Number(strength),
      subject: q.subject, predicate: q.predicate, category: q.category, description: q.description,
    });
  }
  return out;
}

/**
 * One mapping-collection for a pair of frameworks: one `mapping` per mapping set (its own provenance),
 * one map entry per mapping, confidence from strength (strength / 10), and the target's assessable
 * requirements that no map of the set reaches as the target gap summary.
 */
export function buildMappingCollection(
  source: { key: string; version: string; refs: string[]; preferredIds?: ReadonlyMap<string, string> },
  target: { key: string; version: string; refs: string[]; assessableRefs: string[]; preferredIds?: ReadonlyMap<string, string> },
  sets: readonly MappingSetExport[],
  now: Date,
): Record<string, unknown> {
  const sIds = oscalIds(source.refs, source.preferredIds);
  const tIds = oscalIds(target.refs, target.preferredIds);
  const rationale = (r: string | null) => (r ? r.toLowerCase() : undefined);
  const methods = new Set(sets.map((s) => s.method));
  const statuses = new Set(sets.map((s) => s.status));
  return {
    'mapping-collection': {
      uuid: uuidFor('mapping-collection', source.key, source.version, target.key, target.version, ...sets.map((s) => s.id)),
      metadata: {
        title: `${source.key} ${source.version} to ${target.key} ${target.version}`,
        'last-modified': dateTime(now),
        version: `${source.version}-${target.version}`,
        'oscal-version': OSCAL_VERSION,
      },
      provenance: {
        method: methods.size === 1 ? [...methods][0].toLowerCase() : 'hybrid',
        'matching-rationale': 'semantic',
        status: statuses.size === 1 ? OSCAL_STATUS[[...statuses][0]] ?? 'draft' : 'not-complete',
        'mapping-description': sets.length
          ? `Mapping sets: ${sets.map((s) => `${s.name} (${s.key}, ${s.publisher})`).join('; ')}.`
          : 'No mapping set links these frameworks.',
      },
      mappings: sets.map((s) => {
        const mapped = new Set(s.rows.map((r) => r.targetRef));
        const unmapped = target.assessableRefs.filter((r) => !mapped.has(r));
        return clean({
          uuid: uuidFor('mapping', s.id, source.key, target.key),
          method: s.method.toLowerCase(),
          status: OSCAL_STATUS[s.status] ?? 'draft',
          'source-resource': { type: 'catalog', href: `/export/oscal/catalog/${source.key}.json`, props: prop('framework-key', source.key) },
          'target-resource': { type: 'catalog', href: `/export/oscal/catalog/${target.key}.json`, props: prop('framework-key', target.key) },
          props: [...prop('mapping-set-key', s.key), ...prop('mapping-set-version', s.version), ...prop('publisher', s.publisher), ...prop('source', s.url)],
          links: uriLink(s.url),
          'mapping-description': s.methodNote ?? undefined,
          remarks: s.licenceNote ?? undefined,
          maps: s.rows.map((r) => {
            const q = qualifierItems(r.qualifiers);
            return clean({
              uuid: uuidFor('map', s.id, r.id),
              'matching-rationale': rationale(r.rationale),
              relationship: RELATIONSHIP_TOKENS[r.relationship],
              sources: [{ type: 'control', 'id-ref': sIds.get(r.sourceRef) ?? oscalId(r.sourceRef) }],
              targets: [{ type: 'control', 'id-ref': tIds.get(r.targetRef) ?? oscalId(r.targetRef) }],
              qualifiers: q.items,
              'confidence-score': r.strength === null ? undefined : { percentage: r.strength / 10 },
              props: nonEmpty(q.props),
              remarks: r.note ?? undefined,
            });
          }),
          'target-gap-summary': unmapped.length
            ? { uuid: uuidFor('gap', s.id, target.key), 'unmapped-controls': [{ 'with-ids': unmapped.map((r) => tIds.get(r)!) }] }
            : undefined,
        });
      }),
    },
  };
}

export interface ImportedMapping {
  sourceFramework: string;
  targetFramework: string;
  sourceId: string;
  targetId: string;
  relationship: string;
  strength: number | null;
  rationale: string | null;
  note: string | null;
  qualifiers: Record<string, unknown>[];
  path: string;
}

/** The framework key of a mapping resource: the hub's own prop, else the `<key>.json` of its href. */
function resourceKey(res: any): string | null {
  const p = (res.props ?? []).find((x: Prop) => x.name === 'framework-key' && isHubNs(x.ns));
  if (p) return p.value;
  const m = /([a-z0-9][a-z0-9-]*)\.json$/.exec(String(res.href ?? ''));
  return m ? m[1] : null;
}

/** Reads a (schema-valid) OSCAL mapping collection into mapping rows; ids are resolved by the caller. */
export function parseMappingCollection(doc: any): { rows: ImportedMapping[]; problems: Problem[]; method: string; status: string } {
  const mc = doc['mapping-collection'];
  const rows: ImportedMapping[] = [];
  const problems: Problem[] = [];
  for (const [i, m] of (mc.mappings as any[]).entries()) {
    const base = `$['mapping-collection'].mappings[${i}]`;
    const s = resourceKey(m['source-resource']);
    const t = resourceKey(m['target-resource']);
    if (!s) problems.push({ path: `${base}['source-resource']`, message: 'cannot tell the source framework: give a hub framework-key prop or an href ending in <key>.json' });
    if (!t) problems.push({ path: `${base}['target-resource']`, message: 'cannot tell the target framework: give a hub framework-key prop or an href ending in <key>.json' });
    for (const [j, e] of (m.maps as any[]).entries()) {
      const path = `${base}.maps[${j}]`;
      const relationship = RELATIONSHIP_FROM_TOKEN[e.relationship];
      if (!relationship) problems.push({ path: `${path}.relationship`, message: `relationship "${e.relationship}" is not one of ${Object.keys(RELATIONSHIP_FROM_TOKEN).join(', ')}` });
      const pct = e['confidence-score']?.percentage;
      const strength = typeof pct === 'number' ? Math.max(1, Math.min(10, Math.round(pct * 10))) : null;
      const rationale = (e['matching-rationale'] ?? m['matching-rationale'] ?? null) as string | null;
      const qualifiers = readQualifiers(e, path, problems);
      for (const [a, src] of e.sources.entries()) {
        for (const [b, tgt] of e.targets.entries()) {
          if (src.type !== 'control' || tgt.type !== 'control') {
            problems.push({ path: `${path}.sources[${a}]`, message: 'only control-to-control maps can be imported (statement maps are not)' });
            continue;
          }
          if (rows.length >= IMPORT_MAX_NODES) {
            problems.push({ path, message: `the document makes more than ${IMPORT_MAX_NODES} mappings` });
            return { rows: [], problems, method: '', status: '' };
          }
          rows.push({
            sourceFramework: s ?? '', targetFramework: t ?? '', sourceId: src['id-ref'], targetId: tgt['id-ref'],
            relationship: relationship ?? '', strength, rationale: rationale ? rationale.toUpperCase() : null, note: e.remarks ?? null,
            qualifiers, path: `${path}.targets[${b}]`,
          });
        }
      }
    }
  }
  return { rows, problems, method: mc.provenance.method.toUpperCase(), status: STATUS_FROM_OSCAL[mc.provenance.status] ?? 'DRAFT' };
}

export interface AssessedRequirement {
  ref: string;
  title: string;
  status: string;
  /** How: DIRECT (evidence on it), PREFILLED (through a mapping), PARTIAL, or none. */
  how: string | null;
  observations: {
    evidenceId: string;
    title: string;
    uri: string | null;
    contentSha256: string | null;
    effectiveAt: Date;
    validUntil: Date | null;
    status: string;
    via: string | null;
  }[];
}

/**
 * The organization's coverage of one framework as OSCAL assessment results: one finding per assessable
 * requirement (satisfied when COVERED or PREFILLED, else not-satisfied, and how), and each piece of
 * evidence behind them once, as an observation with its link, hash and dates.
 */
export function buildAssessmentResults(
  fw: { key: string; version: string; name: string; refs: string[]; preferredIds?: ReadonlyMap<string, string> },
  organization: string,
  asOf: Date,
  items: readonly AssessedRequirement[],
  now: Date,
): Record<string, unknown> {
  const ids = oscalIds(fw.refs, fw.preferredIds);
  const observations = new Map<string, Record<string, unknown>>();
  const obsUuids = new Map<string, string>();
  const obsUuid = (evidenceId: string) => {
    let u = obsUuids.get(evidenceId);
    if (!u) obsUuids.set(evidenceId, (u = uuidFor('observation', organization, fw.key, evidenceId)));
    return u;
  };
  for (const item of items) {
    for (const o of item.observations) {
      if (observations.has(o.evidenceId)) continue;
      observations.set(o.evidenceId, clean({
        uuid: obsUuid(o.evidenceId),
        title: str(o.title),
        description: `Evidence "${str(o.title)}" (${o.status.toLowerCase()}), effective ${o.effectiveAt.toISOString().slice(0, 10)}${o.validUntil ? `, valid until ${o.validUntil.toISOString().slice(0, 10)}` : ''}.`,
        props: [...prop('evidence-id', o.evidenceId), ...prop('evidence-status', o.status), ...prop('content-sha256', o.contentSha256)],
        methods: ['EXAMINE'],
        'relevant-evidence': [clean({
          href: o.uri ?? undefined,
          description: str(o.title),
          props: nonEmpty(prop('content-sha256', o.contentSha256)),
        })],
        collected: o.effectiveAt.toISOString(),
        expires: o.validUntil ? o.validUntil.toISOString() : undefined,
      }));
    }
  }
  const satisfied = (s: string) => s === 'COVERED' || s === 'PREFILLED';
  return {
    'assessment-results': {
      uuid: uuidFor('assessment-results', organization, fw.key, fw.version, asOf.toISOString()),
      metadata: {
        title: `Coverage of ${str(fw.name)} as of ${asOf.toISOString()}`,
        'last-modified': dateTime(now),
        version: asOf.toISOString(),
        'oscal-version': OSCAL_VERSION,
        props: [...prop('framework-key', fw.key), ...prop('framework-version', fw.version)],
      },
      'import-ap': { href: `/export/oscal/catalog/${fw.key}.json`, remarks: 'The hub keeps no assessment plan; the catalog is the plan\'s scope.' },
      results: [clean({
        uuid: uuidFor('result', organization, fw.key, asOf.toISOString()),
        title: `Coverage of ${fw.key}`,
        description: 'Status of every assessable requirement computed by the hub from the evidence attached to it directly or through mappings.',
        start: asOf.toISOString(),
        'reviewed-controls': { 'control-selections': [{ 'include-all': {} }] },
        observations: nonEmpty([...observations.values()]),
        findings: nonEmpty(items.map((item) => clean({
          uuid: uuidFor('finding', organization, fw.key, item.ref, asOf.toISOString()),
          title: `${item.ref} ${str(item.title)}`.slice(0, 500),
          description: `Hub status ${item.status}${item.how ? ` (${item.how.toLowerCase()})` : ''}.`,
          props: [...prop('coverage-status', item.status), ...prop('satisfied-how', item.how)],
          target: {
            type: 'objective-id',
            'target-id': ids.get(item.ref)!,
            status: { state: satisfied(item.status) ? 'satisfied' : 'not-satisfied', reason: satisfied(item.status) ? 'pass' : item.status === 'NOT_APPLICABLE' ? 'other' : 'fail' },
          },
          'related-observations': nonEmpty(item.observations.map((o) => ({ 'observation-uuid': obsUuid(o.evidenceId) }))),
        }))),
      })],
    },
  };
}
