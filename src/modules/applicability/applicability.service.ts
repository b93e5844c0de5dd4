import type { DataSource, EntityManager } from 'typeorm';
import { hydrate } from '../../database/hydrate';
import { inTransaction } from '../../database/transaction';
import { badInput } from '../../graphql/errors';
import { groupBy } from '../framework/requirement.service';
import { Applicability, ApplicabilityDecision, ApplicabilityReason, DeclaredImplementation } from './applicability.entity';
import { textLimit } from '../../graphql/input-bounds';

/** A decision as a caller gives it. */
export interface DecisionInput {
  applicability: Applicability;
  justification?: string | null;
  /** In setMany, undefined (here and for justification, implementation, owner) keeps what the decision in force says. */
  reasons?: ApplicabilityReason[];
  implementation?: DeclaredImplementation | null;
  owner?: string | null;
}

export type DecisionOutcome = 'CREATED' | 'UPDATED' | 'UNCHANGED';

const clean = (s: string | null | undefined) => s?.trim() || null;

/** Why a decision cannot be stored (the field and the message), or null. */
export function decisionProblem(input: DecisionInput): { field: string; message: string } | null {
  const justification = clean(input.justification);
  if (input.applicability === Applicability.NOT_APPLICABLE && !justification) return { field: 'justification', message: 'justification is required for NOT_APPLICABLE' };
  const max = textLimit('justification', 'SetApplicabilityInput');
  if (justification && justification.length > max) return { field: 'justification', message: `justification must be at most ${max} characters` };
  const owner = clean(input.owner);
  const ownerMax = textLimit('owner');
  if (owner && owner.length > ownerMax) return { field: 'owner', message: `owner must be at most ${ownerMax} characters` };
  return null;
}

/** The only code that queries applicability_decision. */
export class ApplicabilityService {
  constructor(private readonly ds: DataSource) {}

  async set(
    org: string,
    actor: string,
    requirementId: string,
    input: DecisionInput,
  ): Promise<ApplicabilityDecision> {
    const problem = decisionProblem(input);
    if (problem) throw badInput(problem.field, problem.message);
    return inTransaction(this.ds, async (em) => {
      await em.query(
        `UPDATE applicability_decision SET superseded_at = now()
         WHERE organization_id = $1 AND requirement_id = $2 AND superseded_at IS NULL`,
        [org, requirementId],
      );
      const rows: Record<string, unknown>[] = await em.query(
        `INSERT INTO applicability_decision (organization_id, requirement_id, applicability, justification, reasons, implementation, owner, decided_by)
         VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8) RETURNING *`,
        [org, requirementId, input.applicability, clean(input.justification), [...new Set(input.reasons ?? [])], input.implementation ?? null, clean(input.owner), actor],
      );
      return hydrate(this.ds, ApplicabilityDecision, rows[0]);
    });
  }

  /**
   * Many decisions at once (a Statement of Applicability import), in the caller's transaction: a decision
   * the same as the one in force (applicability, justification, reasons, implementation, owner) is left
   * as it is (UNCHANGED); any other supersedes it (UPDATED) or is the first (CREATED). Four statements
   * whatever the number of rows. The inputs must have passed decisionProblem. `dryRun`: only the outcomes.
   */
  async setMany(em: EntityManager, org: string, actor: string, items: readonly { requirementId: string; input: DecisionInput }[], dryRun = false): Promise<DecisionOutcome[]> {
    if (!items.length) return [];
    const ids = items.map((i) => i.requirementId);
    const current: Record<string, unknown>[] = await em.query(
      `SELECT * FROM applicability_decision WHERE organization_id = $1 AND requirement_id = ANY($2::uuid[]) AND superseded_at IS NULL`,
      [org, ids],
    );
    const byRequirement = new Map(current.map((r) => {
      const d = hydrate(this.ds, ApplicabilityDecision, r);
      return [d.requirementId, d];
    }));
    const merged = items.map(({ requirementId, input }) => {
      const was = byRequirement.get(requirementId);
      return {
        requirementId,
        input: {
          applicability: input.applicability,
          justification: input.justification === undefined ? was?.justification ?? null : input.justification,
          reasons: input.reasons ?? was?.reasons ?? [],
          implementation: input.implementation === undefined ? was?.implementation ?? null : input.implementation,
          owner: input.owner === undefined ? was?.owner ?? null : input.owner,
        },
      };
    });
    const outcomes: DecisionOutcome[] = merged.map(({ requirementId, input }) => {
      const was = byRequirement.get(requirementId);
      if (!was) return 'CREATED';
      const same = was.applicability === input.applicability && was.justification === clean(input.justification)
        && [...was.reasons].sort().join() === [...new Set(input.reasons)].sort().join()
        && was.implementation === (input.implementation ?? null) && was.owner === clean(input.owner);
      return same ? 'UNCHANGED' : 'UPDATED';
    });
    const changed = merged.filter((_, i) => outcomes[i] !== 'UNCHANGED');
    if (!changed.length || dryRun) return outcomes;
    await em.query(
      `UPDATE applicability_decision SET superseded_at = now()
       WHERE organization_id = $1 AND requirement_id = ANY($2::uuid[]) AND superseded_at IS NULL`,
      [org, changed.map((c) => c.requirementId)],
    );
    await em.query(
      `INSERT INTO applicability_decision (organization_id, requirement_id, applicability, justification, reasons, implementation, owner, decided_by)
       SELECT $1, x.requirement_id, x.applicability, x.justification, ARRAY(SELECT jsonb_array_elements_text(x.reasons)), x.implementation, x.owner, $2
       FROM jsonb_to_recordset($3::jsonb) AS x(requirement_id uuid, applicability text, justification text, reasons jsonb, implementation text, owner text)`,
      [org, actor, JSON.stringify(changed.map(({ requirementId, input }) => ({
        requirement_id: requirementId, applicability: input.applicability, justification: clean(input.justification),
        reasons: [...new Set(input.reasons)], implementation: input.implementation ?? null, owner: clean(input.owner),
      })))],
    );
    return outcomes;
  }

  /** The decision in force at asOf for each requirement (absent: never decided). */
  async at(org: string, requirementIds: readonly string[], asOf: Date): Promise<Map<string, ApplicabilityDecision>> {
    if (!requirementIds.length) return new Map();
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT * FROM applicability_decision
       WHERE organization_id = $1 AND requirement_id = ANY($2::uuid[])
         AND decided_at <= $3 AND (superseded_at IS NULL OR superseded_at > $3)`,
      [org, [...requirementIds], asOf.toISOString()],
    );
    return new Map(rows.map((r) => {
      const d = hydrate(this.ds, ApplicabilityDecision, r);
      return [d.requirementId, d];
    }));
  }

  async history(org: string, requirementIds: readonly string[]): Promise<Map<string, ApplicabilityDecision[]>> {
    if (!requirementIds.length) return new Map();
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT * FROM applicability_decision WHERE organization_id = $1 AND requirement_id = ANY($2::uuid[]) ORDER BY decided_at, id`,
      [org, [...requirementIds]],
    );
    return groupBy(rows.map((r) => hydrate(this.ds, ApplicabilityDecision, r)), (d) => d.requirementId);
  }
}
