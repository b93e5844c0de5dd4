import type { DataSource } from 'typeorm';
import { hydrate } from '../../database/hydrate';
import { inTransaction } from '../../database/transaction';
import { badInput } from '../../graphql/errors';
import { groupBy } from '../framework/requirement.service';
import { Applicability, ApplicabilityDecision, ApplicabilityReason } from './applicability.entity';
import { textLimit } from '../../graphql/input-bounds';

/** The only code that queries applicability_decision. */
export class ApplicabilityService {
  constructor(private readonly ds: DataSource) {}

  async set(
    org: string,
    actor: string,
    requirementId: string,
    input: { applicability: Applicability; justification: string | null; reasons: ApplicabilityReason[] },
  ): Promise<ApplicabilityDecision> {
    const justification = input.justification?.trim() || null;
    if (input.applicability === Applicability.NOT_APPLICABLE && !justification) {
      throw badInput('justification', 'justification is required for NOT_APPLICABLE');
    }
    const max = textLimit('justification', 'SetApplicabilityInput');
    if (justification && justification.length > max) throw badInput('justification', `justification must be at most ${max} characters`);
    return inTransaction(this.ds, async (em) => {
      await em.query(
        `UPDATE applicability_decision SET superseded_at = now()
         WHERE organization_id = $1 AND requirement_id = $2 AND superseded_at IS NULL`,
        [org, requirementId],
      );
      const rows: Record<string, unknown>[] = await em.query(
        `INSERT INTO applicability_decision (organization_id, requirement_id, applicability, justification, reasons, decided_by)
         VALUES ($1, $2, $3, $4, $5::text[], $6) RETURNING *`,
        [org, requirementId, input.applicability, justification, [...new Set(input.reasons)], actor],
      );
      return hydrate(this.ds, ApplicabilityDecision, rows[0]);
    });
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
