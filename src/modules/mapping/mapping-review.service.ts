import type { DataSource, EntityManager } from 'typeorm';
import { currentQueryScope, type QueryScope, withQueryScope } from '../../database/query-counter';
import { beginRequestTransaction, endRequestTransaction } from '../../database/request-transaction';
import { inTransaction } from '../../database/transaction';
import { ErrorCode, HubError, badInput, notFound } from '../../graphql/errors';
import { sha256 } from '../catalog/catalog.transform';
import type { CoverageService } from '../coverage/coverage.service';
import { CoverageCounts, CoverageStatus, addStatus, emptyCounts } from '../coverage/coverage.rules';
import type { Framework } from '../framework/framework.entity';
import type { FrameworkService } from '../framework/framework.service';
import type { Requirement } from '../framework/requirement.entity';
import { MappingSource } from './mapping-source.entity';
import { findSetVersion, writePin } from './mapping-condition.service';
import { MappingStatus, Rationale, Relationship } from './mapping.enums';
import type { MappingGraph, MappingGraphService } from './mapping-graph.service';
import type { Qualifier } from './mapping-qualifier.rules';
import { MappingChange, MappingChangeOp, ReviewRow, SetDiff, applyChanges, checkChanges, diffRows } from './mapping-review.rules';

export const MAX_CHANGES_PER_SET = 500;

export enum ChangeSetStatus {
  PROPOSED = 'PROPOSED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  WITHDRAWN = 'WITHDRAWN',
}

/** A stored change set (mapping_change_set). */
export interface ChangeSet {
  id: string;
  organizationId: string;
  mappingSourceId: string;
  title: string;
  changes: MappingChange[];
  status: ChangeSetStatus;
  proposedBy: string;
  proposedByToken: string;
  proposedAt: Date;
  decidedBy: string | null;
  decidedByToken: string | null;
  decidedAt: Date | null;
  decisionComment: string | null;
  resultSourceId: string | null;
}

/** Who acts: the token (to tell proposer from decider) and the name the trail records. */
export interface Reviewer {
  tokenId: string;
  tokenName: string;
  actor: string;
}

/** A stored row of a set version with what writing a new version needs beyond its content. */
export interface StoredRow extends ReviewRow {
  sourceRequirementId: string;
  targetRequirementId: string;
  attributes: Record<string, unknown>;
}

export interface RequirementStatusChange {
  requirement: Requirement;
  before: CoverageStatus;
  after: CoverageStatus;
}

export interface FrameworkImpact {
  framework: Framework;
  before: CoverageCounts;
  after: CoverageCounts;
  changes: RequirementStatusChange[];
}

export interface ChangeImpact {
  asOf: Date;
  maxDepth: number;
  /** The graph the organization reads at asOf, and the one it would read after approval (never kept). */
  graphBefore: MappingGraph;
  frameworks: FrameworkImpact[];
}

const toChangeSet = (r: Record<string, unknown>): ChangeSet => ({
  id: r.id as string,
  organizationId: r.organization_id as string,
  mappingSourceId: r.mapping_source_id as string,
  title: r.title as string,
  changes: r.changes as MappingChange[],
  status: r.status as ChangeSetStatus,
  proposedBy: r.proposed_by as string,
  proposedByToken: r.proposed_by_token as string,
  proposedAt: r.proposed_at as Date,
  decidedBy: r.decided_by as string | null,
  decidedByToken: r.decided_by_token as string | null,
  decidedAt: r.decided_at as Date | null,
  decisionComment: r.decision_comment as string | null,
  resultSourceId: r.result_source_id as string | null,
});

const label = (s: { version: number; revision: number }) => (s.revision ? `${s.version}+org.${s.revision}` : String(s.version));

/** Thrown inside the impact's transaction so that it rolls back, carrying the answer out. */
class Rollback<T> {
  constructor(readonly value: T) {}
}

/**
 * Reviewed changes to mapping sets (issue 13, item 4): proposals, their impact on the organization's
 * coverage, decisions, and diffs between set versions. Approval writes a new version and never edits
 * one: a shipped set gets an overlay owned by the organization (revision n+1 of that version), an
 * organization's own set its next version. The impact is the approval itself, run in a transaction that
 * is rolled back, read with the coverage statements the reports use: it cannot say anything else than
 * the reports will say once the change is approved (as long as nothing else changes in between).
 * The only code that queries mapping_change_set; it also writes the new versions' mapping_source and
 * mapping rows, as MappingService.createSets does for new sets.
 */
export class MappingReviewService {
  constructor(
    private readonly ds: DataSource,
    private readonly graphs: MappingGraphService,
    private readonly coverage: CoverageService,
    private readonly frameworks: FrameworkService,
  ) {}

  async byIds(org: string, ids: readonly string[]): Promise<Map<string, ChangeSet>> {
    if (!ids.length) return new Map();
    const rows = await this.ds.query(`SELECT * FROM mapping_change_set WHERE organization_id = $1 AND id = ANY($2::uuid[])`, [org, [...ids]]);
    return new Map(rows.map((r: Record<string, unknown>) => [r.id as string, toChangeSet(r)]));
  }

  async require(org: string, id: string, em: EntityManager = this.ds.manager): Promise<ChangeSet> {
    const [row] = await em.query(`SELECT * FROM mapping_change_set WHERE organization_id = $1 AND id = $2`, [org, id]);
    if (!row) throw notFound(`No mapping change set with id "${id}"`, { field: 'id' });
    return toChangeSet(row);
  }

  /** Newest first, optionally of some statuses, at most `first`. */
  async list(org: string, statuses: ChangeSetStatus[] | null, first: number): Promise<ChangeSet[]> {
    const rows = await this.ds.query(
      `SELECT * FROM mapping_change_set WHERE organization_id = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[]))
       ORDER BY proposed_at DESC, id LIMIT $3`,
      [org, statuses, first],
    );
    return rows.map(toChangeSet);
  }

  /**
   * Stores a proposal after checking every change against the set's rows (every problem reported at
   * once, nothing written if any).
   */
  async propose(org: string, who: Reviewer, input: { mappingSourceId: string; title: string; changes: MappingChange[] }): Promise<ChangeSet> {
    const title = input.title?.trim() ?? '';
    if (!title) throw badInput('title', 'title must not be empty');
    if (!input.changes.length || input.changes.length > MAX_CHANGES_PER_SET) {
      throw badInput('changes', `changes must hold 1 to ${MAX_CHANGES_PER_SET} items, got ${input.changes.length}`);
    }
    const changes = input.changes.map(normalize);
    const source = await this.requireSource(org, input.mappingSourceId, this.ds.manager, 'mappingSourceId');
    await this.checkProposable(org, source, this.ds.manager, (m) => badInput('mappingSourceId', m));
    const rows = await this.rowsOf(source.id);
    const known = await this.knownRefs(source, changes);
    const problems = checkChanges(rows, changes, known);
    if (problems.length) {
      throw badInput(problems[0].field, problems.map((p) => `${p.field}: ${p.message}`).join('; ').slice(0, 2000), { problems });
    }
    const [row] = await this.ds.query(
      `INSERT INTO mapping_change_set (organization_id, mapping_source_id, title, changes, status, proposed_by, proposed_by_token)
       VALUES ($1, $2, $3, $4, 'PROPOSED', $5, $6) RETURNING *`,
      [org, source.id, title, JSON.stringify(changes), who.actor, who.tokenId],
    );
    return toChangeSet(row);
  }

  /**
   * Approves (writes the new version and rebuilds the organization's graph, so reports follow at once)
   * or rejects (writes nothing but the decision). Only a PROPOSED set, and not by its proposer.
   */
  async decide(org: string, who: Reviewer, input: { id: string; approve: boolean; comment: string }): Promise<{ changeSet: ChangeSet; graph: MappingGraph | null }> {
    const comment = input.comment?.trim() ?? '';
    if (!comment) throw badInput('comment', 'a decision needs a comment');
    return inTransaction(this.ds, async (em) => {
      // FOR UPDATE: two deciders at once get one decision, the other a CONFLICT below.
      const [locked] = await em.query(`SELECT id FROM mapping_change_set WHERE organization_id = $1 AND id = $2 FOR UPDATE`, [org, input.id]);
      if (!locked) throw notFound(`No mapping change set with id "${input.id}"`, { field: 'id' });
      const cs = await this.require(org, input.id, em);
      if (cs.proposedByToken === who.tokenId || cs.proposedBy.startsWith(`${who.tokenName} (`)) {
        throw new HubError(ErrorCode.FORBIDDEN, 'the proposer cannot approve their own change: another EDITOR decides it', { field: 'id' });
      }
      if (cs.status !== ChangeSetStatus.PROPOSED) throw new HubError(ErrorCode.CONFLICT, `This change set is ${cs.status}; only a PROPOSED one can be decided`, { field: 'id' });
      let graph: MappingGraph | null = null;
      let resultId: string | null = null;
      const at = new Date();
      if (input.approve) {
        const done = await this.materialize(em, org, cs, who.actor, at);
        graph = done.graph;
        resultId = done.source.id;
      }
      // An UPDATE answers [rows, count].
      const [[row]] = await em.query(
        `UPDATE mapping_change_set SET status = $3, decided_by = $4, decided_by_token = $5, decided_at = $6, decision_comment = $7, result_source_id = $8
         WHERE organization_id = $1 AND id = $2 RETURNING *`,
        [org, cs.id, input.approve ? ChangeSetStatus.APPROVED : ChangeSetStatus.REJECTED, who.actor, who.tokenId, at.toISOString(), comment, resultId],
      );
      return { changeSet: toChangeSet(row), graph };
    });
  }

  /** The proposer takes a PROPOSED change set back. */
  async withdraw(org: string, who: Reviewer, id: string): Promise<ChangeSet> {
    const cs = await this.require(org, id);
    if (cs.proposedByToken !== who.tokenId) throw new HubError(ErrorCode.FORBIDDEN, 'only the proposer can withdraw a change set', { field: 'id' });
    const [[row]] = await this.ds.query(
      `UPDATE mapping_change_set SET status = 'WITHDRAWN', decided_by = $3, decided_by_token = $4, decided_at = now()
       WHERE organization_id = $1 AND id = $2 AND status = 'PROPOSED' RETURNING *`,
      [org, id, who.actor, who.tokenId],
    );
    if (!row) throw new HubError(ErrorCode.CONFLICT, `This change set is ${cs.status}; only a PROPOSED one can be withdrawn`, { field: 'id' });
    return toChangeSet(row);
  }

  /**
   * What approving the change set would do to the organization's coverage at asOf: per framework,
   * counts before and after and every requirement whose status changes. The approval is carried out
   * in a transaction of its own (a savepoint inside a mutation) that is always rolled back.
   */
  async impact(org: string, id: string, asOf: Date, maxDepth: number, actor: string, requestId: string): Promise<ChangeImpact> {
    const cs = await this.require(org, id);
    if (cs.status !== ChangeSetStatus.PROPOSED) throw new HubError(ErrorCode.CONFLICT, `This change set is ${cs.status}; impact is computed for PROPOSED ones`, { field: 'changeSetId' });
    const frameworks = await this.frameworks.list(false);
    return this.rolledBack(requestId, async (em) => {
      const before = await this.graphs.at(org, asOf, em);
      const { graph: after } = await this.materialize(em, org, cs, actor, new Date());
      return this.compare(org, before, after, asOf, maxDepth, frameworks);
    });
  }

  /**
   * What reading another version of a set (or, with version null, the latest again) would change, before
   * the organization pins it: the pin and the graph it opens are written and rolled back, as for a change set.
   */
  async versionImpact(org: string, key: string, version: number | null, revision: number, asOf: Date, maxDepth: number, actor: string, requestId: string): Promise<ChangeImpact> {
    const chosen = await findSetVersion(this.ds.manager, key, version, revision);
    const frameworks = await this.frameworks.list(false);
    return this.rolledBack(requestId, async (em) => {
      const before = await this.graphs.at(org, asOf, em);
      const at = new Date();
      await writePin(em, org, key, chosen, actor, at);
      const after = await this.graphs.refresh(em, org, `impact of reading ${key} ${chosen ? `v${chosen.version}` : 'latest'}`, actor, at);
      return this.compare(org, before, after, asOf, maxDepth, frameworks);
    });
  }

  /** Statuses of every framework under two graphs, by the reports' own SQL. */
  private async compare(org: string, before: MappingGraph, after: MappingGraph, asOf: Date, maxDepth: number, frameworks: Framework[]): Promise<ChangeImpact> {
    const out: FrameworkImpact[] = [];
    for (const fw of frameworks) {
      const was = await this.coverage.statuses({ organizationId: org, asOf, maxDepth, graph: before }, fw.id);
      const will = new Map((await this.coverage.statuses({ organizationId: org, asOf, maxDepth, graph: after }, fw.id)).map((r) => [r.requirement.id, r.status]));
      const impact: FrameworkImpact = { framework: fw, before: emptyCounts(), after: emptyCounts(), changes: [] };
      for (const r of was) {
        const next = will.get(r.requirement.id)!;
        addStatus(impact.before, r.status);
        addStatus(impact.after, next);
        if (next !== r.status) impact.changes.push({ requirement: r.requirement, before: r.status, after: next });
      }
      if (impact.changes.length) out.push(impact);
    }
    return { asOf, maxDepth, graphBefore: before, frameworks: out };
  }

  /** Rows added, removed and changed from one visible set version to another. */
  async diff(org: string, fromId: string, toId: string): Promise<{ from: MappingSource; to: MappingSource } & SetDiff<StoredRow>> {
    const from = await this.requireSource(org, fromId, this.ds.manager, 'from');
    const to = await this.requireSource(org, toId, this.ds.manager, 'to');
    const [a, b] = [await this.rowsOf(from.id), await this.rowsOf(to.id)];
    return { from, to, ...diffRows(a, b) };
  }

  /**
   * The approval itself: the new version with the changes applied, the version it replaces marked
   * SUPERSEDED when the organization owns it, the organization's graph rebuilt.
   */
  private async materialize(em: EntityManager, org: string, cs: ChangeSet, actor: string, at: Date): Promise<{ source: MappingSource; graph: MappingGraph }> {
    const base = await this.requireSource(org, cs.mappingSourceId, em, 'id');
    await this.checkProposable(org, base, em, (m) => new HubError(ErrorCode.CONFLICT, `${m}; propose the change again against the version read now`, { field: 'id' }));
    const rows = await this.rowsOf(base.id, em);
    const refs = await this.refIds(em, base, cs.changes.filter((c) => c.op === MappingChangeOp.ADD));
    const next = applyChanges<StoredRow>(rows, cs.changes, (content) => ({
      ...content,
      sourceRequirementId: refs.source.get(content.sourceRef)!,
      targetRequirementId: refs.target.get(content.targetRef)!,
      attributes: { provenance: 'organization' },
    }), { sourceFramework: refs.sourceKey, targetFramework: refs.targetKey });
    const changed = new Set(cs.changes.map((c) => `${c.sourceRef}\u0000${c.targetRef}`));
    const shipped = base.organizationId === null;
    // An overlay (of a shipped version, or of the organization's overlay of it) is the next revision of that version; an own set's next version is a new version.
    const [{ version, revision }]: { version: number; revision: number }[] = shipped || base.revision > 0
      ? await em.query(`SELECT $3::int AS version, coalesce(max(revision), 0) + 1 AS revision FROM mapping_source WHERE organization_id = $1 AND key = $2 AND version = $3`, [org, base.key, base.version])
      : await em.query(`SELECT coalesce(max(version), 0) + 1 AS version, 0 AS revision FROM mapping_source WHERE organization_id = $1 AND key = $2`, [org, base.key]);
    const metadata = { ...base.metadata, review: { changeSetId: cs.id, title: cs.title, proposedBy: cs.proposedBy, approvedBy: actor, from: label(base) } };
    const [{ id }]: { id: string }[] = await em.query(
      `INSERT INTO mapping_source (organization_id, key, name, publisher, url, licence_note, method, method_note, status, relationship_vocabulary,
                                   compiled_on, source_framework_id, target_framework_id, metadata, content_sha256, version, revision, supersedes_id, base_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
      [org, base.key, base.name, base.publisher, base.url, base.licenceNote, base.method, base.methodNote, base.status, base.relationshipVocabulary,
        base.compiledOn, base.sourceFrameworkId, base.targetFrameworkId, JSON.stringify(metadata), sha256(JSON.stringify(next)),
        version, revision, base.id, shipped ? base.id : base.baseId],
    );
    await em.query(
      `INSERT INTO mapping (mapping_source_id, source_requirement_id, target_requirement_id, relationship, strength, rationale, note, attributes, qualifiers)
       SELECT $1, x.s, x.t, x.relationship, x.strength, x.rationale, x.note, x.attributes, x.qualifiers
       FROM jsonb_to_recordset($2::jsonb) AS x(s uuid, t uuid, relationship text, strength smallint, rationale text, note text, attributes jsonb, qualifiers jsonb)`,
      [id, JSON.stringify(next.map((r) => ({
        s: r.sourceRequirementId,
        t: r.targetRequirementId,
        relationship: r.relationship,
        strength: r.strength,
        rationale: r.rationale,
        note: r.note,
        qualifiers: r.qualifiers,
        attributes: changed.has(`${r.sourceRef}\u0000${r.targetRef}`) ? { ...r.attributes, changeSetId: cs.id } : r.attributes,
      })))],
    );
    // A shipped version stays as it is for everyone else; the organization's own version is replaced.
    if (!shipped) await em.query(`UPDATE mapping_source SET status = 'SUPERSEDED', updated_at = now() WHERE organization_id = $1 AND id = $2`, [org, base.id]);
    const source = await em.getRepository(MappingSource).findOneByOrFail({ id });
    const graph = await this.graphs.refresh(em, org, `mapping change "${cs.title}" approved: ${base.key} ${label(base)} -> ${label(source)}`, actor, at);
    return { source, graph };
  }

  /** A set that can take a change: visible, not SUPERSEDED and, if shipped, not already overlaid by the organization. */
  private async checkProposable(org: string, s: MappingSource, em: EntityManager, fail: (message: string) => HubError): Promise<void> {
    if (s.status === MappingStatus.SUPERSEDED) throw fail(`mapping set ${s.key} version ${label(s)} is SUPERSEDED`);
    if (s.organizationId !== null) return;
    // Changing the shipped rows again would drop the overlay's changes from what the organization reads.
    const [overlay]: { version: number; revision: number }[] = await em.query(
      `SELECT version, revision FROM mapping_source WHERE organization_id = $1 AND base_id = $2 AND status <> 'SUPERSEDED' ORDER BY revision DESC LIMIT 1`,
      [org, s.id],
    );
    if (overlay) throw fail(`the organization reads its overlay ${label(overlay)} of mapping set ${s.key} version ${label(s)}; change that one`);
  }

  private async requireSource(org: string, id: string, em: EntityManager, field: string): Promise<MappingSource> {
    // Shared or the organization's own; another organization's set does not exist for it.
    const [row] = await em.query(`SELECT id FROM mapping_source WHERE id = $1 AND (organization_id IS NULL OR organization_id = $2)`, [id, org]);
    if (!row) throw notFound(`No mapping set with id "${id}"`, { field });
    return em.getRepository(MappingSource).findOneByOrFail({ id });
  }

  /** A set version's rows with both ends' refs and framework keys, in document order. */
  private async rowsOf(sourceId: string, em: EntityManager = this.ds.manager): Promise<StoredRow[]> {
    const raw: Record<string, unknown>[] = await em.query(
      `SELECT m.source_requirement_id, m.target_requirement_id, m.relationship, m.strength, m.rationale, m.note, m.qualifiers, m.attributes,
              s.ref AS source_ref, t.ref AS target_ref, sf.key AS source_framework, tf.key AS target_framework
       FROM mapping m
       JOIN requirement s ON s.id = m.source_requirement_id
       JOIN requirement t ON t.id = m.target_requirement_id
       JOIN framework sf ON sf.id = s.framework_id
       JOIN framework tf ON tf.id = t.framework_id
       WHERE m.mapping_source_id = $1
       ORDER BY s.position, t.position`,
      [sourceId],
    );
    return raw.map((r) => ({
      sourceFramework: r.source_framework as string,
      sourceRef: r.source_ref as string,
      targetFramework: r.target_framework as string,
      targetRef: r.target_ref as string,
      relationship: r.relationship as Relationship,
      strength: r.strength === null ? null : Number(r.strength),
      rationale: r.rationale as Rationale | null,
      note: r.note as string | null,
      qualifiers: r.qualifiers as Qualifier[],
      sourceRequirementId: r.source_requirement_id as string,
      targetRequirementId: r.target_requirement_id as string,
      attributes: r.attributes as Record<string, unknown>,
    }));
  }

  /** Ids of the refs the changes name, in the set's own source and target framework (version) rows. */
  private async refIds(em: EntityManager, s: MappingSource, changes: readonly MappingChange[]): Promise<{ source: Map<string, string>; target: Map<string, string>; sourceKey: string; targetKey: string }> {
    const rows: { side: string; ref: string | null; id: string | null; key: string }[] = await em.query(
      `SELECT 'source' AS side, r.ref, r.id, f.key FROM framework f LEFT JOIN requirement r ON r.framework_id = f.id AND r.ref = ANY($2::text[]) WHERE f.id = $1
       UNION ALL
       SELECT 'target', r.ref, r.id, f.key FROM framework f LEFT JOIN requirement r ON r.framework_id = f.id AND r.ref = ANY($4::text[]) WHERE f.id = $3`,
      [s.sourceFrameworkId, changes.map((c) => c.sourceRef), s.targetFrameworkId, changes.map((c) => c.targetRef)],
    );
    const side = (name: string) => new Map(rows.filter((r) => r.side === name && r.ref).map((r) => [r.ref!, r.id!]));
    return { source: side('source'), target: side('target'), sourceKey: rows.find((r) => r.side === 'source')!.key, targetKey: rows.find((r) => r.side === 'target')!.key };
  }

  private async knownRefs(s: MappingSource, changes: readonly MappingChange[]) {
    const refs = await this.refIds(this.ds.manager, s, changes);
    return { source: new Set(refs.source.keys()), target: new Set(refs.target.keys()), sourceFramework: refs.sourceKey, targetFramework: refs.targetKey };
  }

  /**
   * Runs fn where every statement (the services' too) sees its writes, then undoes them: inside a
   * mutation, a savepoint of the request's transaction; in a query, a transaction pinned for the call.
   */
  private async rolledBack<T>(requestId: string, fn: (em: EntityManager) => Promise<T>): Promise<T> {
    const scope = currentQueryScope();
    if (scope?.transaction) {
      try {
        await inTransaction(this.ds, async (em) => {
          throw new Rollback(await fn(em));
        });
      } catch (e) {
        if (e instanceof Rollback) return e.value as T;
        throw e;
      }
      throw new Error('unreachable');
    }
    const own: QueryScope = { statements: 0, organizationId: scope?.organizationId, statementTimeoutMs: scope?.statementTimeoutMs };
    try {
      return await withQueryScope(own, async () => {
        await beginRequestTransaction(this.ds, own, requestId);
        try {
          return await fn(own.transaction!.runner.manager);
        } finally {
          await endRequestTransaction(own, false);
        }
      });
    } finally {
      if (scope) scope.statements += own.statements;
    }
  }
}

/** Trims text and drops what a change does not set, so the stored change says exactly what it does. */
function normalize(c: MappingChange): MappingChange {
  const out: MappingChange = { op: c.op, sourceRef: c.sourceRef.trim(), targetRef: c.targetRef.trim() };
  if (c.relationship !== undefined) out.relationship = c.relationship;
  if (c.strength !== undefined) out.strength = c.strength;
  if (c.rationale !== undefined) out.rationale = c.rationale;
  if (c.note !== undefined) out.note = c.note?.trim() || null;
  if (c.qualifiers !== undefined) out.qualifiers = c.qualifiers ?? [];
  return out;
}
