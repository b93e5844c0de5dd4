import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { hydrate } from '../../database/hydrate';
import { Keyset, keysetPage, keysetSql } from '../../graphql/connection.type';
import { inTransaction } from '../../database/transaction';
import { badInput, notFound } from '../../graphql/errors';
import { RequirementService, groupBy, refKey } from '../framework/requirement.service';
import { Evidence } from './evidence.entity';
import { EvidenceLink } from './evidence-link.entity';
import { EvidenceReview, EvidenceRevision } from './evidence-history.entity';
import { EvidenceStatus, LinkCoverage, LinkOrigin, UpsertOutcome } from './evidence.enums';
import { EvidenceFilter, MAX_BULK_ITEMS, UpsertEvidenceInput } from './evidence.input';
import { LinkState, NormalizedEvidence, Problem, addCadence, diffEvidence, reconcileLinks, validateEvidence } from './evidence.rules';
import { isUuid } from '../../graphql/ids';

export interface ItemResult {
  index: number;
  outcome: UpsertOutcome;
  evidence: Evidence | null;
  problems: Problem[];
  /** Unknown framework/ref pairs named by the item, as "framework ref". */
  unknownRefs: string[];
  /** CONFLICT when the key belongs to another writer's evidence; BAD_USER_INPUT otherwise. */
  code?: 'CONFLICT';
}

/** The fields of an item that exports show. */
export interface EvidenceSummary {
  id: string;
  title: string;
  uri: string | null;
  contentSha256: string | null;
  effectiveAt: Date;
  validUntil: Date | null;
  status: EvidenceStatus;
}

/** How a caller that is not the API writes (spreadsheet imports). */
export interface UpsertOptions {
  /** Items per call (default MAX_BULK_ITEMS, the API's bound). */
  maxItems?: number;
  /** Read the stored items back for the results (default true); false: results carry no evidence. */
  readBack?: boolean;
}

/** Who writes: an INTEGRATOR (ownOnly) may only change evidence its own token created. */
export interface Writer {
  actor: string;
  ownOnly: boolean;
}

/**
 * Optional fields an update keeps from the stored item when the caller did not send them at all (an
 * explicit null clears them). validUntil and reviewCadence go together: see keepOmitted.
 */
const KEPT_WHEN_OMITTED = ['description', 'uri', 'contentSha256', 'owner', 'aiSystemId'] as const;

/** The item an update stores: what the caller sent, and for what it did not send, what is stored. */
function keepOmitted(stored: Evidence, v: NormalizedEvidence, sent: UpsertEvidenceInput | null): NormalizedEvidence {
  if (!sent) return v;
  const merged = { ...v };
  for (const f of KEPT_WHEN_OMITTED) if (sent[f] === undefined) (merged as Record<string, unknown>)[f] = stored[f];
  if (sent.validUntil === undefined && sent.reviewCadence === undefined) {
    merged.reviewCadence = stored.reviewCadence;
    // A kept cadence runs from the (possibly new) effective date.
    merged.validUntil = stored.reviewCadence ? addCadence(v.effectiveAt, stored.reviewCadence) : stored.validUntil;
  }
  return merged;
}

/** An integrator's idempotency key: sourceSystem + externalId. */
const idempotencyKey = (e: { sourceSystem: string; externalId: string }) => `${e.sourceSystem}\u0000${e.externalId}`;

/** Lock stripes per organization for evidence writes: a key always falls in the same one. */
export const EVIDENCE_LOCK_STRIPES = 64;

/** The stripe of an idempotency key (FNV-1a of its UTF-16 code units): fixed for a key, spread across keys. */
export function evidenceLockStripe(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % EVIDENCE_LOCK_STRIPES;
}

/** The only code that queries evidence, evidence_link, evidence_revision and evidence_review. */
export class EvidenceService {
  private readonly evidence: Repository<Evidence>;
  private readonly links: Repository<EvidenceLink>;

  constructor(
    private readonly ds: DataSource,
    private readonly requirements: RequirementService,
    /** The AI systems (of this organization) among the ids; evidence can only be scoped to those. */
    private readonly knownSystems: (org: string, ids: string[]) => Promise<Set<string>>,
  ) {
    this.evidence = ds.getRepository(Evidence);
    this.links = ds.getRepository(EvidenceLink);
  }

  /**
   * Validates every item, then writes the valid ones in one transaction with a constant number of
   * statements (no statement per item). A bad item is reported and nothing of it is written.
   */
  async upsertMany(org: string, writer: Writer, items: readonly UpsertEvidenceInput[], options: UpsertOptions = {}): Promise<ItemResult[]> {
    if (items.length > (options.maxItems ?? MAX_BULK_ITEMS)) {
      throw badInput('items', `items: at most ${MAX_BULK_ITEMS} per call, got ${items.length}; nothing was written`);
    }
    const results: ItemResult[] = items.map((_, index) => ({ index, outcome: UpsertOutcome.FAILED, evidence: null, problems: [], unknownRefs: [] }));
    const valid: { index: number; value: NormalizedEvidence; sent: UpsertEvidenceInput }[] = [];
    const firstByKey = new Map<string, number>();
    items.forEach((item, index) => {
      const { problems, value } = validateEvidence(item);
      if (!value) {
        results[index].problems = problems;
        return;
      }
      const key = idempotencyKey(value);
      if (firstByKey.has(key)) {
        results[index].problems = [{ field: 'externalId', message: `item ${index} repeats item ${firstByKey.get(key)} (same sourceSystem and externalId)` }];
        return;
      }
      firstByKey.set(key, index);
      valid.push({ index, value, sent: item });
    });

    const pairs = valid.flatMap((v) => v.value.links ?? []).map((l) => ({ framework: l.framework, ref: l.ref }));
    const resolved = await this.requirements.resolveRefs(pairs);
    const systemIds = [...new Set(valid.map((v) => v.value.aiSystemId).filter((id): id is string => !!id))];
    const systems = systemIds.length ? await this.knownSystems(org, systemIds) : new Set<string>();
    const ready = valid.filter(({ index, value }) => {
      if (value.aiSystemId && !systems.has(value.aiSystemId)) {
        results[index].problems = [{ field: 'aiSystemId', message: `unknown AI system "${value.aiSystemId}"` }];
        return false;
      }
      const unknown = (value.links ?? []).filter((l) => !resolved.get(refKey(l.framework, l.ref)));
      if (!unknown.length) return true;
      results[index].unknownRefs = unknown.map((l) => `${l.framework} ${l.ref}`);
      results[index].problems = unknown.map((l) => ({ field: 'links', message: `unknown requirement "${l.ref}" in framework "${l.framework}"` }));
      return false;
    });
    if (!ready.length) return results;

    const written = await inTransaction(this.ds, (em) => this.write(em, org, writer, ready, resolved, options.readBack ?? true));
    for (const w of written) {
      if (!w.refusal) {
        results[w.index].outcome = w.outcome;
        results[w.index].evidence = w.evidence;
      } else {
        results[w.index].code = w.refusal?.code;
        results[w.index].problems = w.refusal?.problems ?? [];
      }
    }
    return results;
  }

  /**
   * Evidence the hub keeps for register records, written inside the caller's transaction. The rules
   * table names only known refs, so an unknown one is a bug: it throws.
   */
  async upsertRecords(em: EntityManager, org: string, actor: string, items: NormalizedEvidence[]): Promise<void> {
    if (!items.length) return;
    const pairs = items.flatMap((v) => v.links ?? []).map((l) => ({ framework: l.framework, ref: l.ref }));
    const resolved = await this.requirements.resolveRefs(pairs, em);
    const missing = pairs.filter((p) => !resolved.get(refKey(p.framework, p.ref)));
    if (missing.length) throw new Error(`record evidence names unknown requirements: ${missing.map((m) => `${m.framework} ${m.ref}`).join(', ')}`);
    await this.write(em, org, { actor, ownOnly: false }, items.map((value, index) => ({ index, value, sent: null })), resolved);
  }

  /** Items whose key another writer owns (for an ownOnly writer) come back with no evidence and change nothing. */
  private async write(
    em: EntityManager,
    org: string,
    writer: Writer,
    items: { index: number; value: NormalizedEvidence; sent: UpsertEvidenceInput | null }[],
    resolved: Map<string, { id: string } | null>,
    readBack = true,
  ): Promise<{ index: number; outcome: UpsertOutcome; evidence: Evidence | null; refusal?: Pick<ItemResult, 'code' | 'problems'> }[]> {
    const actor = writer.actor;
    // One writer per key at a time: two calls creating the same key cannot both insert it, nor both read
    // the stored item before the other's change. A lock per stripe of keys (EVIDENCE_LOCK_STRIPES per
    // organization) rather than one per organization, so integrators writing other items are not queued
    // behind each other; a bulk call takes at most every stripe, in ascending order as every writer
    // does, so two writers cannot wait for each other.
    const stripes = [...new Set(items.map((i) => evidenceLockStripe(idempotencyKey(i.value))))].sort((a, b) => a - b);
    await em.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('evidence:' || $1::text || ':' || s::text, 0)) FROM unnest($2::int[]) AS s`,
      [org, stripes],
    );

    const keys = items.map((i) => ({ s: i.value.sourceSystem, e: i.value.externalId }));
    const existingRows: Record<string, unknown>[] = await em.query(
      `SELECT e.* FROM evidence e JOIN jsonb_to_recordset($2::jsonb) AS k(s text, e text)
         ON e.source_system = k.s AND e.external_id = k.e
       WHERE e.organization_id = $1`,
      [org, JSON.stringify(keys)],
    );
    const existing = new Map(existingRows.map((r) => {
      const ev = hydrate(this.ds, Evidence, r);
      return [idempotencyKey(ev), ev];
    }));
    const active: EvidenceLink[] = existing.size
      ? (await em.query(`SELECT * FROM evidence_link WHERE evidence_id = ANY($1::uuid[]) AND unlinked_at IS NULL`, [[...existing.values()].map((e) => e.id)]))
          .map((r: Record<string, unknown>) => hydrate(this.ds, EvidenceLink, r))
      : [];
    const activeByEvidence = groupBy(active, (l) => l.evidenceId);

    const inserts: Record<string, unknown>[] = [];
    const updates: Record<string, unknown>[] = [];
    const revisions: Record<string, unknown>[] = [];
    const reviews: Record<string, unknown>[] = [];
    const linkEnds: string[] = [];
    const linkCreates: Record<string, unknown>[] = [];
    const outcome = new Map<number, UpsertOutcome>();
    const idOf = new Map<number, string>();

    const refused = new Map<number, Pick<ItemResult, 'code' | 'problems'>>();
    for (const { index, value: sentValue, sent } of items) {
      const stored = existing.get(idempotencyKey(sentValue));
      if (stored && writer.ownOnly && stored.createdBy !== actor) {
        // Nothing of the other writer's item is told: not its id, creator, links or fields.
        refused.set(index, { code: 'CONFLICT', problems: [{ field: 'externalId', message: 'sourceSystem and externalId name evidence another writer created; it was not changed (use another externalId)' }] });
        continue;
      }
      const v = stored ? keepOmitted(stored, sentValue, sent) : sentValue;
      if (v.validUntil && v.validUntil.getTime() <= v.effectiveAt.getTime()) {
        // The kept validUntil ends before the new effectiveAt: the caller must say what holds now.
        refused.set(index, { problems: [{ field: 'effectiveAt', message: `effectiveAt is not before the stored validUntil (${v.validUntil.toISOString()}); send validUntil, reviewCadence or null with it` }] });
        continue;
      }
      const desired: LinkState[] | null = v.links
        ? v.links.map((l) => ({ requirementId: resolved.get(refKey(l.framework, l.ref))!.id, coverage: l.coverage, note: l.note }))
        : null;
      const row = {
        source_system: v.sourceSystem, external_id: v.externalId, title: v.title, description: v.description, kind: v.kind,
        uri: v.uri, content_sha256: v.contentSha256, effective_at: v.effectiveAt.toISOString(),
        valid_until: v.validUntil?.toISOString() ?? null, review_cadence: v.reviewCadence, owner: v.owner,
        ai_system_id: v.aiSystemId, record_type: v.recordType ?? null, record_id: v.recordId ?? null,
      };
      if (!stored) {
        const id = uuidv7();
        idOf.set(index, id);
        inserts.push({ ...row, id, status: v.status ?? EvidenceStatus.DRAFT });
        for (const d of desired ?? []) linkCreates.push({ evidence_id: id, requirement_id: d.requirementId, coverage: d.coverage, note: d.note });
        outcome.set(index, UpsertOutcome.CREATED);
        continue;
      }
      idOf.set(index, stored.id);
      const diff = diffEvidence(stored, v);
      const links = desired ? reconcileLinks(activeByEvidence.get(stored.id) ?? [], desired) : { end: [], create: [] };
      const changed = diff.content || diff.fields || diff.status || links.end.length > 0 || links.create.length > 0;
      outcome.set(index, changed ? UpsertOutcome.UPDATED : UpsertOutcome.UNCHANGED);
      if (!changed) continue;
      if (diff.content || diff.fields || diff.status) {
        updates.push({ ...row, id: stored.id, status: v.status ?? stored.status, version: stored.version + (diff.content ? 1 : 0) });
      }
      if (diff.content) {
        revisions.push({
          evidence_id: stored.id, version: stored.version, uri: stored.uri, content_sha256: stored.contentSha256,
          effective_at: stored.effectiveAt.toISOString(), valid_until: stored.validUntil?.toISOString() ?? null, review_cadence: stored.reviewCadence,
        });
      }
      if (diff.status) reviews.push({ evidence_id: stored.id, from_status: stored.status, to_status: v.status, comment: 'status set by upsert' });
      linkEnds.push(...links.end.map((l) => l.id));
      for (const d of links.create) linkCreates.push({ evidence_id: stored.id, requirement_id: d.requirementId, coverage: d.coverage, note: d.note });
    }

    if (inserts.length) {
      await em.query(
        `INSERT INTO evidence (id, organization_id, source_system, external_id, title, description, kind, uri, content_sha256,
                               effective_at, valid_until, review_cadence, status, owner, created_by, ai_system_id, record_type, record_id)
         SELECT x.id, $1, x.source_system, x.external_id, x.title, x.description, x.kind, x.uri, x.content_sha256,
                x.effective_at, x.valid_until, x.review_cadence, x.status, x.owner, $2, x.ai_system_id, x.record_type, x.record_id
         FROM jsonb_to_recordset($3::jsonb) AS x(id uuid, source_system text, external_id text, title text, description text,
              kind text, uri text, content_sha256 text, effective_at timestamptz, valid_until timestamptz, review_cadence text,
              status text, owner text, ai_system_id uuid, record_type text, record_id uuid)`,
        [org, actor, JSON.stringify(inserts)],
      );
    }
    if (updates.length) {
      await em.query(
        `UPDATE evidence e SET title = x.title, description = x.description, kind = x.kind, uri = x.uri,
                content_sha256 = x.content_sha256, effective_at = x.effective_at, valid_until = x.valid_until,
                review_cadence = x.review_cadence, status = x.status, owner = x.owner, version = x.version,
                ai_system_id = x.ai_system_id, updated_at = now()
         FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, title text, description text, kind text, uri text, content_sha256 text,
              effective_at timestamptz, valid_until timestamptz, review_cadence text, status text, owner text, version int, ai_system_id uuid)
         WHERE e.id = x.id AND e.organization_id = $1`,
        [org, JSON.stringify(updates)],
      );
    }
    if (revisions.length) {
      await em.query(
        `INSERT INTO evidence_revision (evidence_id, organization_id, version, uri, content_sha256, effective_at, valid_until,
                                        review_cadence, superseded_by)
         SELECT x.evidence_id, $1, x.version, x.uri, x.content_sha256, x.effective_at, x.valid_until, x.review_cadence, $2
         FROM jsonb_to_recordset($3::jsonb) AS x(evidence_id uuid, version int, uri text, content_sha256 text,
              effective_at timestamptz, valid_until timestamptz, review_cadence text)`,
        [org, actor, JSON.stringify(revisions)],
      );
    }
    if (reviews.length) await this.insertReviews(em, org, actor, reviews);
    if (linkEnds.length) {
      await em.query(`UPDATE evidence_link SET unlinked_at = now(), unlinked_by = $2 WHERE id = ANY($1::uuid[])`, [linkEnds, actor]);
    }
    if (linkCreates.length) await this.insertLinks(em, org, actor, linkCreates);

    const ids = [...new Set(idOf.values())];
    const rows: Record<string, unknown>[] = ids.length && readBack ? await em.query(`SELECT * FROM evidence WHERE id = ANY($1::uuid[])`, [ids]) : [];
    const byId = new Map(rows.map((r) => [r.id as string, hydrate(this.ds, Evidence, r)]));
    return items.map(({ index }) => (refused.has(index)
      ? { index, outcome: UpsertOutcome.FAILED, evidence: null, refusal: refused.get(index) }
      : { index, outcome: outcome.get(index)!, evidence: byId.get(idOf.get(index)!) ?? null }));
  }

  private async insertReviews(em: EntityManager, org: string, actor: string, rows: Record<string, unknown>[]): Promise<void> {
    await em.query(
      `INSERT INTO evidence_review (evidence_id, organization_id, from_status, to_status, comment, reviewed_by)
       SELECT x.evidence_id, $1, x.from_status, x.to_status, x.comment, $2
       FROM jsonb_to_recordset($3::jsonb) AS x(evidence_id uuid, from_status text, to_status text, comment text)`,
      [org, actor, JSON.stringify(rows)],
    );
  }

  /**
   * Inserts links, one statement for any number (columns as arrays: cheaper to send and unpack than JSON
   * for a bulk of 10,000). `returning`: the links as stored (the bulk path does not need them back).
   */
  private async insertLinks(em: EntityManager, org: string, actor: string, rows: Record<string, unknown>[], returning = false): Promise<EvidenceLink[]> {
    const column = (k: string) => rows.map((r) => r[k] ?? null);
    const out: Record<string, unknown>[] = await em.query(
      `INSERT INTO evidence_link (organization_id, evidence_id, requirement_id, coverage, note, origin, prefill_path, linked_by)
       SELECT $1, x.evidence_id, x.requirement_id, x.coverage, x.note, coalesce(x.origin, 'DIRECT'), x.prefill_path, $2
       FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::jsonb[]) AS x(evidence_id, requirement_id, coverage, note, origin, prefill_path)
       ${returning ? 'RETURNING *' : ''}`,
      [org, actor, column('evidence_id'), column('requirement_id'), column('coverage'), column('note'), column('origin'),
        rows.map((r) => (r.prefill_path == null ? null : JSON.stringify(r.prefill_path)))],
    );
    return returning ? out.map((r) => hydrate(this.ds, EvidenceLink, r)) : [];
  }


  /** For an ownOnly writer (INTEGRATOR), another writer's evidence does not exist: NOT_FOUND, as evidence(id) answers it. */
  private async requireWritable(org: string, writer: Writer, id: string, em: EntityManager): Promise<Evidence> {
    const e = await this.require(org, id, em);
    if (writer.ownOnly && e.createdBy !== writer.actor) throw notFound(`No evidence with id "${id.slice(0, 100)}"`, { id: id.slice(0, 100) });
    return e;
  }

  /** NOT_FOUND for ids of other organizations, exactly as for ids that do not exist. */
  async require(org: string, id: string, em: EntityManager = this.ds.manager): Promise<Evidence> {
    const found = isUuid(id) ? await em.getRepository(Evidence).findOneBy({ id, organizationId: org }) : null;
    if (!found) throw notFound(`No evidence with id "${id.slice(0, 100)}"`, { id: id.slice(0, 100) });
    return found;
  }

  /** What an export shows of each item, without entity hydration: exports read tens of thousands. */
  async summariesByIds(org: string, ids: readonly string[]): Promise<Map<string, EvidenceSummary>> {
    const valid = [...new Set(ids.filter((id) => isUuid(id)))];
    const rows: EvidenceSummary[] = valid.length
      ? await this.ds.query(
          `SELECT id, title, uri, content_sha256 AS "contentSha256", effective_at AS "effectiveAt", valid_until AS "validUntil", status
           FROM evidence WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
          [org, valid],
        )
      : [];
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** One statement with the ids as one array parameter, hydrated by column: exports ask for tens of thousands. */
  async findByIds(org: string, ids: readonly string[]): Promise<Map<string, Evidence>> {
    const valid = [...new Set(ids.filter((id) => isUuid(id)))];
    const rows: Record<string, unknown>[] = valid.length
      ? await this.ds.query(`SELECT * FROM evidence WHERE organization_id = $1 AND id = ANY($2::uuid[])`, [org, valid])
      : [];
    return new Map(rows.map((r) => {
      const e = hydrate(this.ds, Evidence, r);
      return [e.id, e];
    }));
  }

  /** Links to one requirement (active now), idempotent: the same link again changes nothing. */
  async link(
    org: string,
    writer: Writer,
    input: { evidenceId: string; requirementId: string; coverage: LinkCoverage; note: string | null; origin?: LinkOrigin; prefillPath?: Record<string, unknown> | null },
  ): Promise<{ link: EvidenceLink; changed: boolean }> {
    const actor = writer.actor;
    return inTransaction(this.ds, async (em) => {
      await this.requireWritable(org, writer, input.evidenceId, em);
      const current: Record<string, unknown>[] = await em.query(
        `SELECT * FROM evidence_link WHERE evidence_id = $1 AND requirement_id = $2 AND unlinked_at IS NULL FOR UPDATE`,
        [input.evidenceId, input.requirementId],
      );
      const cur = current[0] ? hydrate(this.ds, EvidenceLink, current[0]) : null;
      if (cur && cur.coverage === input.coverage && cur.note === input.note && (input.origin ?? LinkOrigin.DIRECT) === cur.origin) {
        return { link: cur, changed: false };
      }
      if (cur) await em.query(`UPDATE evidence_link SET unlinked_at = now(), unlinked_by = $2 WHERE id = $1`, [cur.id, actor]);
      const [link] = await this.insertLinks(em, org, actor, [{
        evidence_id: input.evidenceId, requirement_id: input.requirementId, coverage: input.coverage, note: input.note,
        origin: input.origin ?? LinkOrigin.DIRECT, prefill_path: input.prefillPath ?? null,
      }], true);
      return { link, changed: true };
    });
  }

  async unlink(org: string, writer: Writer, evidenceId: string, requirementId: string, what: string): Promise<EvidenceLink> {
    const actor = writer.actor;
    return inTransaction(this.ds, async (em) => {
      await this.requireWritable(org, writer, evidenceId, em);
      // TypeORM answers an UPDATE ... RETURNING with [rows, affected count].
      const [rows]: [Record<string, unknown>[], number] = await em.query(
        `UPDATE evidence_link SET unlinked_at = now(), unlinked_by = $3
         WHERE evidence_id = $1 AND requirement_id = $2 AND unlinked_at IS NULL RETURNING *`,
        [evidenceId, requirementId, actor],
      );
      if (!rows.length) throw notFound(`Evidence "${evidenceId}" has no active link to ${what}`, { id: evidenceId });
      return hydrate(this.ds, EvidenceLink, rows[0]);
    });
  }

  /**
   * Ends every active link of the items (an item dropped from an imported register, removeAbsent): the
   * items and their history stay. An INTEGRATOR ends only links of items it created. The number of items.
   */
  async endLinks(org: string, writer: Writer, evidenceIds: readonly string[]): Promise<number> {
    if (!evidenceIds.length) return 0;
    return inTransaction(this.ds, async (em) => {
      const [rows]: [{ evidence_id: string }[], number] = await em.query(
        `UPDATE evidence_link l SET unlinked_at = now(), unlinked_by = $3 FROM evidence e
         WHERE e.organization_id = $1 AND e.id = ANY($2::uuid[]) AND ($4::text IS NULL OR e.created_by = $4)
           AND l.organization_id = e.organization_id AND l.evidence_id = e.id AND l.unlinked_at IS NULL
         RETURNING l.evidence_id`,
        [org, [...evidenceIds], writer.actor, writer.ownOnly ? writer.actor : null],
      );
      return new Set(rows.map((r) => r.evidence_id)).size;
    });
  }

  async review(org: string, actor: string, evidenceId: string, status: EvidenceStatus, comment: string | null): Promise<Evidence> {
    return inTransaction(this.ds, async (em) => {
      const ev = await this.require(org, evidenceId, em);
      if (ev.status === status && !comment) return ev;
      await em.query(`UPDATE evidence SET status = $2, updated_at = now() WHERE id = $1`, [evidenceId, status]);
      await this.insertReviews(em, org, actor, [{ evidence_id: evidenceId, from_status: ev.status, to_status: status, comment }]);
      return this.require(org, evidenceId, em);
    });
  }

  /** Keyset page, newest first. */
  async page(org: string, filter: EvidenceFilter | null, window: Keyset<number>, requirementId: string | null, frameworkId: string | null, createdBy: string | null = null) {
    const params: unknown[] = [org];
    const where: string[] = ['e.organization_id = $1'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (createdBy) add('e.created_by = ?', createdBy);
    if (filter?.sourceSystem) add('e.source_system = ?', filter.sourceSystem);
    if (filter?.status) add('e.status = ?', filter.status);
    if (filter?.kind) add('e.kind = ?', filter.kind);
    if (filter?.expiringBefore) add('e.valid_until < ?', filter.expiringBefore.toISOString());
    if (requirementId) add('EXISTS (SELECT 1 FROM evidence_link l WHERE l.evidence_id = e.id AND l.unlinked_at IS NULL AND l.requirement_id = ?)', requirementId);
    else if (frameworkId) {
      add('EXISTS (SELECT 1 FROM evidence_link l JOIN requirement r ON r.id = l.requirement_id WHERE l.evidence_id = e.id AND l.unlinked_at IS NULL AND r.framework_id = ?)', frameworkId);
    }
    const countWhere = where.join(' AND ');
    const countParams = [...params];
    const ks = keysetSql(window, ['e.seq'], 'DESC', (seq) => { params.push(seq); return [`$${params.length}`]; });
    where.push(...ks.where);
    params.push(ks.limit);
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT e.* FROM evidence e WHERE ${where.join(' AND ')} ORDER BY ${ks.orderBy} LIMIT $${params.length}`,
      params,
    );
    return {
      ...keysetPage(rows.map((r) => hydrate(this.ds, Evidence, r)), window),
      count: async () => {
        const c: { n: number }[] = await this.ds.query(`SELECT count(*)::int AS n FROM evidence e WHERE ${countWhere}`, countParams);
        return c[0].n;
      },
    };
  }

  async linksOfEvidence(org: string, evidenceIds: readonly string[], includeEnded: boolean): Promise<Map<string, EvidenceLink[]>> {
    const rows: Record<string, unknown>[] = evidenceIds.length
      ? await this.ds.query(
          `SELECT l.* FROM evidence_link l JOIN requirement r ON r.id = l.requirement_id
           WHERE l.organization_id = $1 AND l.evidence_id = ANY($2::uuid[]) ${includeEnded ? '' : 'AND l.unlinked_at IS NULL'}
           ORDER BY l.linked_at, r.position`,
          [org, [...evidenceIds]],
        )
      : [];
    return groupBy(rows.map((r) => hydrate(this.ds, EvidenceLink, r)), (l) => l.evidenceId);
  }

  /** Links active at asOf on each requirement, newest first. */
  async linksOnRequirements(org: string, requirementIds: readonly string[], asOf: Date): Promise<Map<string, EvidenceLink[]>> {
    const rows: Record<string, unknown>[] = requirementIds.length
      ? await this.ds.query(
          `SELECT l.* FROM evidence_link l
           WHERE l.organization_id = $1 AND l.requirement_id = ANY($2::uuid[])
             AND l.linked_at <= $3 AND (l.unlinked_at IS NULL OR l.unlinked_at > $3)
           ORDER BY l.linked_at DESC, l.id`,
          [org, [...requirementIds], asOf.toISOString()],
        )
      : [];
    return groupBy(rows.map((r) => hydrate(this.ds, EvidenceLink, r)), (l) => l.requirementId);
  }

  async revisionsOf(org: string, evidenceIds: readonly string[]): Promise<Map<string, EvidenceRevision[]>> {
    const rows = evidenceIds.length
      ? await this.ds.getRepository(EvidenceRevision).find({ where: { organizationId: org, evidenceId: In([...evidenceIds]) }, order: { version: 'ASC' } })
      : [];
    return groupBy(rows, (r) => r.evidenceId);
  }

  async reviewsOf(org: string, evidenceIds: readonly string[]): Promise<Map<string, EvidenceReview[]>> {
    const rows = evidenceIds.length
      ? await this.ds.getRepository(EvidenceReview).find({ where: { organizationId: org, evidenceId: In([...evidenceIds]) }, order: { reviewedAt: 'ASC' } })
      : [];
    return groupBy(rows, (r) => r.evidenceId);
  }
}
