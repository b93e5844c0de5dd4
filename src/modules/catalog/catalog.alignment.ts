/**
 * Aligns a catalog with its applicability table (for the EU AI Act: seeds/eu-ai-act/). The table's records
 * decide which nodes are assessable and set the node facts the obligations rule reads (actors, dates); its
 * catalog corrections fix the rest (risk tiers); records the catalog lacks, and nodes an amendment adds,
 * become nodes. The hub's own part (titles of the nodes it adds, and where it departs from the table, each
 * with the Official Journal words behind it) is the alignment file next to the table. Pure: the files are
 * read by loadSeedBundle. Every rule is about the shape of the data; no provision is named in code.
 */
import { RawCatalog, RawNode, SeedDataError, compareKeys, refKey } from './catalog.transform';

export type AppliesFrom = string | { when?: unknown; from: string; why?: string }[];

export enum DutyType {
  DUTY = 'DUTY',
  PERMISSION = 'PERMISSION',
  TRANSITIONAL = 'TRANSITIONAL',
}

export interface ApplicabilityRecord {
  ref: string;
  actors: string[];
  appliesFrom: AppliesFrom;
  dutyType: DutyType;
  [extra: string]: unknown;
}

export interface CatalogCorrection {
  ref: string;
  field: string;
  current: unknown;
  correct: unknown;
  [extra: string]: unknown;
}

export interface ApplicabilityTable {
  records: ApplicabilityRecord[];
  nonDutyBearing: { ref: string; reason: string }[];
  catalogCorrections: CatalogCorrection[];
}

export interface AmendmentEffects {
  amendment: string;
  effects: {
    change: string;
    op: string;
    node?: { ref: string; parent: string; title: string; summary: string };
    record?: ApplicabilityRecord;
  }[];
}

/** Node fields a record or a correction sets (the catalog's own names). */
export type AlignedField = 'actors' | 'appliesFrom' | 'appliesFromArt6_1Systems' | 'riskTier';
const ALIGNED_FIELDS: readonly string[] = ['actors', 'appliesFrom', 'appliesFromArt6_1Systems', 'riskTier'];

/**
 * A place where the hub does not take the table's value: a record's value not used (source RECORD) or a
 * correction not applied (source CORRECTION). `table` is what the table says, `hub` what the node gets.
 */
export interface Departure {
  ref: string;
  field: AlignedField;
  source: 'RECORD' | 'CORRECTION';
  table: unknown;
  hub: unknown;
  oj: string;
  why: string;
}

export interface CatalogAlignment {
  /** Title and summary (own words) of each node the table adds; a risk tier where the parent's does not fit. */
  nodes: Record<string, { title?: string; summary?: string; riskTier?: string[]; riskTierNote?: string }>;
  departures: Departure[];
}

export interface AlignedCatalog {
  /** The catalog's own nodes, in file order, with the table's facts applied. */
  catalog: RawCatalog;
  /** Nodes the table or an amendment adds, each with the order of the catalog node it follows. */
  added: RawNode[];
  assessableRefs: Set<string>;
}

/** The appliesFrom entry that dates Annex I Section A products (Art. 6(1) systems). */
const ANNEX_I_PRODUCTS = JSON.stringify({ fact: 'highRiskRoute', eq: 'ANNEX_I_A' });

/**
 * The two dates a node carries for a record's appliesFrom: the fallback (the plain date, or the last entry's,
 * which has no condition) and the date of the entry conditioned on an Annex I Section A product, if any.
 */
export function recordDates(af: AppliesFrom): { appliesFrom: string; appliesFromAnnexIProducts: string | null } {
  if (typeof af === 'string') return { appliesFrom: af, appliesFromAnnexIProducts: null };
  return {
    appliesFrom: af[af.length - 1].from,
    appliesFromAnnexIProducts: af.find((e) => JSON.stringify(e.when) === ANNEX_I_PRODUCTS)?.from ?? null,
  };
}

/** A corrected risk tier may carry a remark: "all (condition: ...)" is tier "all" with that note. */
export function parseRiskTier(value: string): { tier: string; note: string | null } {
  const m = /^([a-z-]+)\s*(?:\((.+)\))?$/.exec(value.trim());
  if (!m) throw new SeedDataError(`risk tier "${value}" is not a tier with an optional (note)`);
  return { tier: m[1], note: m[2] ?? null };
}

/** The ref one level up: "Art. 9(3)" -> "Art. 9", "Art. 5(1)(a)" -> "Art. 5(1)"; null at an article. */
function parentRef(ref: string): string | null {
  const m = /^(.+)\([0-9a-z]+\)$/.exec(ref);
  return m ? m[1] : null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function setField(node: RawNode, field: AlignedField, value: unknown): void {
  if (field === 'riskTier') {
    const parsed = (value as string[]).map(parseRiskTier);
    node.riskTier = parsed.map((p) => p.tier);
    const notes = parsed.flatMap((p) => (p.note ? [p.note] : []));
    if (notes.length) node.riskTierNote = notes.join('; ');
  } else if (value === null) {
    delete node[field];
  } else {
    node[field] = value as never;
  }
}

export function alignCatalog(raw: RawCatalog, table: ApplicabilityTable, effects: AmendmentEffects, alignment: CatalogAlignment): AlignedCatalog {
  const key = raw.framework.key;
  const fail = (msg: string) => new SeedDataError(`${key} applicability: ${msg}`);
  const catalogNodes = raw.nodes.map((n) => ({ ...n }));
  const byRef = new Map<string, RawNode>(catalogNodes.map((n) => [n.ref, n]));

  const records = new Map<string, ApplicabilityRecord>();
  const addRecord = (r: ApplicabilityRecord) => {
    if (records.has(r.ref)) throw fail(`two records for "${r.ref}"`);
    if (!Object.values(DutyType).includes(r.dutyType)) throw fail(`"${r.ref}" has unknown dutyType "${r.dutyType}"`);
    records.set(r.ref, r);
  };
  table.records.forEach(addRecord);
  const amendmentNodes = effects.effects.filter((e) => e.op === 'ADD_RECORD');
  for (const e of amendmentNodes) {
    if (!e.node || !e.record || e.node.ref !== e.record.ref) throw fail(`ADD_RECORD of change "${e.change}" needs a node and a record with the same ref`);
    addRecord(e.record);
  }

  // Nodes to add: the records the catalog lacks (in document order), then the amendment's own nodes.
  const pending = [
    ...[...records.values()]
      .filter((r) => !byRef.has(r.ref) && !amendmentNodes.some((e) => e.node!.ref === r.ref))
      .map((r) => ({ ref: r.ref, statedParent: parentRef(r.ref), key: refKey(r.ref), amendment: null as null | (typeof amendmentNodes)[number] }))
      .sort((a, b) => compareKeys(a.key ?? [], b.key ?? [])),
    ...amendmentNodes.map((e) => {
      const parentKey = refKey(e.node!.parent);
      // An amendment's node goes after everything under its stated parent.
      return { ref: e.node!.ref, statedParent: e.node!.parent, key: parentKey && [...parentKey, Number.POSITIVE_INFINITY], amendment: e };
    }),
  ];
  const usedHubNodes = new Set<string>();
  const added: RawNode[] = [];
  for (const p of pending) {
    if (!p.key || p.statedParent === null) throw fail(`cannot place "${p.ref}": its ref does not name a paragraph or point`);
    // The nearest listed ancestor: the catalog lists some points (Art. 5(1)(a)) directly under their article.
    let up: string | null = p.statedParent;
    while (up !== null && !byRef.has(up)) up = parentRef(up);
    const parent = up === null ? undefined : byRef.get(up);
    if (!parent) throw fail(`no node to put "${p.ref}" under`);
    const anchor = catalogNodes
      .map((n) => ({ n, k: refKey(n.ref) }))
      .filter((x) => x.k && x.k[0] === p.key![0] && compareKeys(x.k, p.key!) < 0)
      .reduce<{ n: RawNode; k: (number | string)[] } | null>((best, x) => (!best || compareKeys(x.k!, best.k) > 0 ? { n: x.n, k: x.k! } : best), null);
    if (!anchor) throw fail(`no catalog node precedes "${p.ref}"`);
    const hub = alignment.nodes[p.ref] ?? {};
    if (alignment.nodes[p.ref]) usedHubNodes.add(p.ref);
    const title = p.amendment?.node!.title ?? hub.title;
    const summary = p.amendment?.node!.summary ?? hub.summary;
    if (!title || !summary) throw fail(`"${p.ref}" is added but has no title and summary in the alignment file`);
    const node: RawNode = {
      ref: p.ref,
      parent: parent.ref,
      kind: parent.kind === 'article' ? 'paragraph' : 'point',
      title,
      text: '',
      summary,
      order: anchor.n.order,
      riskTier: hub.riskTier ?? parent.riskTier,
      pendingAmendment: parent.pendingAmendment,
      ...(parent.articleNumber !== undefined ? { articleNumber: parent.articleNumber } : {}),
      ...(hub.riskTierNote ? { riskTierNote: hub.riskTierNote } : {}),
      addedFrom: p.amendment ? 'amendment' : 'applicability-table',
      ...(p.amendment ? { textVersion: effects.amendment, amendmentChange: p.amendment.change, amendedParent: p.statedParent } : {}),
    };
    byRef.set(node.ref, node);
    added.push(node);
  }
  const unused = Object.keys(alignment.nodes).filter((r) => !usedHubNodes.has(r));
  if (unused.length) throw fail(`the alignment file describes nodes nobody adds: ${unused.join(', ')}`);

  // Records set the facts of their node; a permission is no operator duty.
  for (const r of records.values()) {
    const node = byRef.get(r.ref)!;
    const dates = recordDates(r.appliesFrom);
    setField(node, 'actors', r.actors);
    setField(node, 'appliesFrom', dates.appliesFrom);
    setField(node, 'appliesFromArt6_1Systems', dates.appliesFromAnnexIProducts);
    node.operatorDuty = r.dutyType !== DutyType.PERMISSION;
  }
  for (const { ref } of table.nonDutyBearing) {
    if (records.has(ref)) throw fail(`"${ref}" is both a record and not duty-bearing`);
    const node = byRef.get(ref);
    if (node && node.operatorDuty === true) node.operatorDuty = false;
  }

  const departures = new Map(alignment.departures.map((d) => [`${d.ref}\u0000${d.field}\u0000${d.source}`, d]));
  const departureFor = (ref: string, field: string, source: Departure['source']) => departures.get(`${ref}\u0000${field}\u0000${source}`);
  const usedDepartures = new Set<Departure>();
  for (const c of table.catalogCorrections) {
    // 'condition' lives in the record itself; 'presence' is met by adding every record above.
    if (c.field === 'condition') continue;
    if (c.field === 'presence') {
      if (!byRef.has(c.ref)) throw fail(`presence correction for "${c.ref}" without a record`);
      continue;
    }
    if (!ALIGNED_FIELDS.includes(c.field)) throw fail(`correction of unknown field "${c.field}" on "${c.ref}"`);
    const node = byRef.get(c.ref);
    if (!node) throw fail(`correction for unknown node "${c.ref}"`);
    const departure = departureFor(c.ref, c.field, 'CORRECTION');
    if (departure) {
      if (!same(departure.table, c.correct)) throw fail(`departure from the ${c.field} correction of "${c.ref}" quotes another value than the table`);
      usedDepartures.add(departure);
      setField(node, c.field as AlignedField, departure.hub);
    } else {
      setField(node, c.field as AlignedField, c.correct);
    }
  }
  for (const d of alignment.departures) {
    if (d.source !== 'RECORD') continue;
    const r = records.get(d.ref);
    if (!r) throw fail(`departure for "${d.ref}", which has no record`);
    const dates = recordDates(r.appliesFrom);
    const tableValue = { actors: r.actors, appliesFrom: dates.appliesFrom, appliesFromArt6_1Systems: dates.appliesFromAnnexIProducts, riskTier: undefined }[d.field];
    if (tableValue === undefined || !same(d.table, tableValue)) throw fail(`departure from the ${d.field} of record "${d.ref}" quotes another value than the table`);
    usedDepartures.add(d);
    setField(byRef.get(d.ref)!, d.field, d.hub);
  }
  const stale = alignment.departures.filter((d) => !usedDepartures.has(d));
  if (stale.length) throw fail(`departures that match nothing in the table: ${stale.map((d) => `${d.ref} ${d.field}`).join(', ')}`);

  const assessableRefs = new Set([...records.values()].filter((r) => r.dutyType !== DutyType.PERMISSION).map((r) => r.ref));
  return { catalog: { ...raw, nodes: catalogNodes }, added, assessableRefs };
}
