/**
 * Pure checks and decisions for evidence ingestion: what is valid, what validUntil a cadence gives,
 * whether an upsert changes anything, and which links a declared link set ends or makes.
 */
import { EvidenceKind, EvidenceStatus, LinkCoverage, ReviewCadence } from './evidence.enums';
import type { UpsertEvidenceInput } from './evidence.input';
import { isUuid } from '../../graphql/ids';
import { dateOutOfBounds, DATE_BOUNDS_MESSAGE, textLimit, uriProblem } from '../../graphql/input-bounds';

export interface Problem {
  field: string;
  message: string;
}

export interface NormalizedLink {
  framework: string;
  ref: string;
  coverage: LinkCoverage;
  note: string | null;
}

export interface NormalizedEvidence {
  sourceSystem: string;
  externalId: string;
  title: string;
  description: string | null;
  kind: EvidenceKind;
  uri: string | null;
  contentSha256: string | null;
  effectiveAt: Date;
  validUntil: Date | null;
  reviewCadence: ReviewCadence | null;
  status: EvidenceStatus | null;
  owner: string | null;
  links: NormalizedLink[] | null;
  /** Scope: null for organization-wide evidence. */
  aiSystemId: string | null;
  /** For evidence that stands for a register record. */
  recordType?: string | null;
  recordId?: string | null;
}

const CADENCE_MONTHS: Record<ReviewCadence, number> = {
  [ReviewCadence.P1M]: 1,
  [ReviewCadence.P3M]: 3,
  [ReviewCadence.P6M]: 6,
  [ReviewCadence.P1Y]: 12,
};

/** Calendar months in UTC, clamped to the month's last day (Jan 31 + P1M = Feb 28/29), as PostgreSQL intervals do. */
export function addCadence(from: Date, cadence: ReviewCadence): Date {
  const months = CADENCE_MONTHS[cadence];
  const d = new Date(from.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

const SHA256 = /^[0-9a-fA-F]{64}$/;
/** Text limits from the one table (src/graphql/input-bounds.ts); bulk items and record evidence arrive here by other paths. */
const MAX = {
  sourceSystem: textLimit('sourceSystem'), externalId: textLimit('externalId'), title: textLimit('title'), description: textLimit('description'),
  uri: textLimit('uri'), owner: textLimit('owner'), note: textLimit('note'), framework: textLimit('framework'), ref: textLimit('ref'), links: 500,
};

/** NUL, or a surrogate without its pair: PostgreSQL text cannot hold them. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function text(value: string | null | undefined, field: string, max: number, required: boolean, problems: Problem[]): string | null {
  const v = typeof value === 'string' ? value.trim() : '';
  if (v && UNSTORABLE.test(v)) {
    problems.push({ field, message: `${field} contains characters that cannot be stored (NUL or an unpaired surrogate)` });
    return null;
  }
  if (!v) {
    if (required) problems.push({ field, message: `${field} must not be empty` });
    return null;
  }
  if (v.length > max) problems.push({ field, message: `${field} must be at most ${max} characters` });
  return v;
}

function isValidDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

/** Checks one item; returns its problems (field paths relative to the item) and, if none, the normalized item. */
export function validateEvidence(input: UpsertEvidenceInput): { problems: Problem[]; value: NormalizedEvidence | null } {
  const problems: Problem[] = [];
  const sourceSystem = text(input.sourceSystem, 'sourceSystem', MAX.sourceSystem, true, problems);
  const externalId = text(input.externalId, 'externalId', MAX.externalId, true, problems);
  const title = text(input.title, 'title', MAX.title, true, problems);
  const description = text(input.description, 'description', MAX.description, false, problems);
  const owner = text(input.owner, 'owner', MAX.owner, false, problems);

  const uri = text(input.uri, 'uri', MAX.uri, false, problems);
  const badUri = uri === null ? null : uriProblem('uri', uri);
  if (badUri) problems.push({ field: 'uri', message: badUri });

  let sha = text(input.contentSha256, 'contentSha256', 64, false, problems);
  if (sha !== null) {
    if (!SHA256.test(sha)) problems.push({ field: 'contentSha256', message: 'contentSha256 must be 64 hexadecimal digits' });
    sha = sha.toLowerCase();
  }

  if (input.aiSystemId && !isUuid(input.aiSystemId)) {
    problems.push({ field: 'aiSystemId', message: `unknown AI system "${input.aiSystemId.slice(0, 100)}"` });
  }
  if (!isValidDate(input.effectiveAt)) problems.push({ field: 'effectiveAt', message: 'effectiveAt must be a date-time' });
  // Also checked by the DateTime scalar; record evidence and bulk items reach here by other paths.
  for (const f of ['effectiveAt', 'validUntil'] as const) {
    const d = input[f];
    if (isValidDate(d) && dateOutOfBounds(d)) problems.push({ field: f, message: `${f} ${DATE_BOUNDS_MESSAGE}` });
  }
  if (!Object.values(EvidenceKind).includes(input.kind)) problems.push({ field: 'kind', message: `unknown kind "${String(input.kind)}"` });
  const cadence = input.reviewCadence ?? null;
  if (cadence !== null && !Object.values(ReviewCadence).includes(cadence)) {
    problems.push({ field: 'reviewCadence', message: `unknown review cadence "${String(cadence)}" (use P1M, P3M, P6M or P1Y)` });
  }
  let validUntil: Date | null = input.validUntil ?? null;
  if (validUntil !== null && cadence !== null) {
    problems.push({ field: 'validUntil', message: 'give validUntil or reviewCadence, not both' });
  } else if (cadence !== null && isValidDate(input.effectiveAt) && Object.values(ReviewCadence).includes(cadence)) {
    validUntil = addCadence(input.effectiveAt, cadence);
  } else if (validUntil !== null && isValidDate(input.effectiveAt) && validUntil.getTime() <= input.effectiveAt.getTime()) {
    problems.push({ field: 'validUntil', message: 'validUntil must be after effectiveAt' });
  }

  let links: NormalizedLink[] | null = null;
  if (input.links) {
    if (input.links.length > MAX.links) problems.push({ field: 'links', message: `at most ${MAX.links} links per item` });
    links = [];
    const seen = new Map<string, number>();
    input.links.forEach((l, i) => {
      const framework = text(l.framework, `links[${i}].framework`, MAX.framework, true, problems);
      const ref = text(l.ref, `links[${i}].ref`, MAX.ref, true, problems);
      const note = text(l.note, `links[${i}].note`, MAX.note, false, problems);
      if (!framework || !ref) return;
      const key = `${framework}\u0000${ref}`;
      if (seen.has(key)) {
        problems.push({ field: `links[${i}]`, message: `links[${i}] repeats links[${seen.get(key)}] (${framework} ${ref})` });
        return;
      }
      seen.set(key, i);
      links!.push({ framework, ref, coverage: l.coverage ?? LinkCoverage.FULL, note });
    });
  }

  if (problems.length) return { problems, value: null };
  return {
    problems,
    value: {
      sourceSystem: sourceSystem!,
      externalId: externalId!,
      title: title!,
      description,
      kind: input.kind,
      uri,
      contentSha256: sha,
      effectiveAt: input.effectiveAt,
      validUntil,
      reviewCadence: cadence,
      status: input.status ?? null,
      owner,
      links,
      aiSystemId: input.aiSystemId ?? null,
    },
  };
}

/** What an upsert compares against: the stored row's own fields. */
export type StoredEvidence = Omit<NormalizedEvidence, 'sourceSystem' | 'externalId' | 'status' | 'links' | 'recordType' | 'recordId'> & { status: EvidenceStatus };

const sameTime = (a: Date | null, b: Date | null) => (a === null || b === null ? a === b : a.getTime() === b.getTime());

/** Content changes make a revision; field changes only an update; status changes a review event. */
export function diffEvidence(stored: StoredEvidence, next: NormalizedEvidence): { content: boolean; fields: boolean; status: boolean } {
  const content =
    stored.uri !== next.uri ||
    stored.contentSha256 !== next.contentSha256 ||
    !sameTime(stored.effectiveAt, next.effectiveAt) ||
    !sameTime(stored.validUntil, next.validUntil) ||
    stored.reviewCadence !== next.reviewCadence;
  const fields =
    stored.title !== next.title || stored.description !== next.description || stored.kind !== next.kind || stored.owner !== next.owner ||
    stored.aiSystemId !== next.aiSystemId;
  const status = next.status !== null && next.status !== stored.status;
  return { content, fields, status };
}

export interface LinkState {
  requirementId: string;
  coverage: LinkCoverage;
  note: string | null;
}

/**
 * Reconciles active links with a declared set: links not declared end; declared links whose coverage
 * or note differ end and are made again (so earlier reports keep the old one); new ones are made.
 */
export function reconcileLinks<A extends LinkState>(active: readonly A[], desired: readonly LinkState[]): { end: A[]; create: LinkState[] } {
  const byReq = new Map(active.map((a) => [a.requirementId, a]));
  const wanted = new Map(desired.map((d) => [d.requirementId, d]));
  const end: A[] = [];
  const create: LinkState[] = [];
  for (const a of active) {
    const d = wanted.get(a.requirementId);
    if (!d || d.coverage !== a.coverage || d.note !== a.note) end.push(a);
  }
  for (const d of desired) {
    const a = byReq.get(d.requirementId);
    if (!a || a.coverage !== d.coverage || a.note !== d.note) create.push(d);
  }
  return { end, create };
}
