import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { hydrate } from '../../database/hydrate';
import { inTransaction } from '../../database/transaction';
import { ErrorCode, HubError, badInput } from '../../graphql/errors';
import { groupBy } from '../framework/requirement.service';
import { AiSystemService } from '../ai-system/ai-system.service';
import { RecordEvidenceService, threeMonthsAfter } from '../records/record-evidence.service';
import { RecordKind } from '../records/record-evidence.rules';
import { AddOversightPointInput, OversightDecision, OversightPoint, OversightRecordInput } from './oversight.entity';
import { isUuid } from '../../graphql/ids';

export const MAX_OVERSIGHT_ITEMS = 5000;

/** The only code that queries oversight_point and oversight_record. */
export class OversightService {
  constructor(
    private readonly ds: DataSource,
    private readonly systems: AiSystemService,
    private readonly records: RecordEvidenceService,
  ) {}

  async addPoint(org: string, input: AddOversightPointInput): Promise<OversightPoint> {
    const system = await this.systems.require(org, input.aiSystemId);
    const name = input.name?.trim();
    if (!name) throw badInput('name', 'name must not be empty');
    const dup: unknown[] = await this.ds.query(`SELECT 1 FROM oversight_point WHERE ai_system_id = $1 AND name = $2`, [system.id, name]);
    if (dup.length) throw new HubError(ErrorCode.CONFLICT, `Oversight point "${name}" already exists for this system`, { field: 'name' });
    const [row] = await this.ds.query(
      `INSERT INTO oversight_point (organization_id, ai_system_id, name, location, decision, overseer_role, mechanism, trigger_criteria)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [org, system.id, name, input.location?.trim() || null, input.decision?.trim() || null, input.overseerRole?.trim() || null, input.mechanism, input.triggerCriteria?.trim() || null],
    );
    return hydrate(this.ds, OversightPoint, row);
  }

  async points(org: string, systemIds: readonly string[]): Promise<Map<string, OversightPoint[]>> {
    const rows = systemIds.length ? await this.ds.getRepository(OversightPoint).find({ where: { organizationId: org, aiSystemId: In([...systemIds]) }, order: { name: 'ASC' } }) : [];
    return groupBy(rows, (p) => p.aiSystemId);
  }

  async pointsByIds(org: string, ids: readonly string[]): Promise<Map<string, OversightPoint>> {
    const valid = ids.filter((id) => isUuid(id));
    const rows = valid.length ? await this.ds.getRepository(OversightPoint).findBy({ organizationId: org, id: In(valid) }) : [];
    return new Map(rows.map((p) => [p.id, p]));
  }

  /** Bulk, idempotent on (point, case reference, decidedAt): bad items are named, good ones stored; a constant number of statements. */
  async record(org: string, actor: string, items: OversightRecordInput[]) {
    if (items.length > MAX_OVERSIGHT_ITEMS) throw badInput('items', `items: at most ${MAX_OVERSIGHT_ITEMS} per call, got ${items.length}; nothing was written`);
    const points = await this.pointsByIds(org, [...new Set(items.map((i) => i.pointId))]);
    const results = items.map((item, index) => {
      const fail = (field: string, error: string) => ({ index, outcome: 'FAILED', error, field });
      if (!points.has(item.pointId)) return fail('pointId', `unknown oversight point "${String(item.pointId).slice(0, 100)}"`);
      if (!item.reviewer?.trim()) return fail('reviewer', 'reviewer must not be empty');
      if (!item.caseRef?.trim() || item.caseRef.length > 200) return fail('caseRef', 'caseRef must be 1-200 characters');
      if (!(item.decidedAt instanceof Date) || Number.isNaN(item.decidedAt.getTime())) return fail('decidedAt', 'decidedAt must be a date-time');
      if (item.decidedAt.getTime() > Date.now() + 5 * 60_000) return fail('decidedAt', 'decidedAt is in the future');
      if (!Object.values(OversightDecision).includes(item.decision)) return fail('decision', `unknown decision "${item.decision}"`);
      return { index, outcome: 'PENDING', error: null as string | null, field: null as string | null };
    });
    const good = results.filter((r) => r.outcome === 'PENDING').map((r) => ({ r, item: items[r.index] }));
    if (good.length) {
      await inTransaction(this.ds, async (em) => {
        const rows = good.map(({ r, item }) => ({
          i: r.index, p: item.pointId, reviewer: item.reviewer.trim(), at: item.decidedAt.toISOString(), decision: item.decision,
          ref: item.caseRef.trim(), rationale: item.rationale?.trim() || null,
        }));
        const inserted: { i: number }[] = await em.query(
          `WITH x AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(i int, p uuid, reviewer text, at timestamptz, decision text, ref text, rationale text)),
           ins AS (
             INSERT INTO oversight_record (organization_id, point_id, reviewer, decided_at, decision, case_ref, rationale)
             SELECT DISTINCT ON (p, ref, at) $1, p, reviewer, at, decision, ref, rationale FROM x ORDER BY p, ref, at, i
             ON CONFLICT ON CONSTRAINT uq_oversight_record DO NOTHING
             RETURNING point_id, case_ref, decided_at)
           SELECT min(x.i) AS i FROM x JOIN ins ON ins.point_id = x.p AND ins.case_ref = x.ref AND ins.decided_at = x.at GROUP BY x.p, x.ref, x.at`,
          [org, JSON.stringify(rows)],
        );
        const created = new Set(inserted.map((x) => Number(x.i)));
        for (const { r } of good) r.outcome = created.has(r.index) ? 'CREATED' : 'UNCHANGED';
        // The log of each touched system is evidence: from its first record to three months after its latest.
        const systemIds = [...new Set(good.map(({ item }) => points.get(item.pointId)!.aiSystemId))];
        const spans: { ai_system_id: string; first: Date; last: Date }[] = await em.query(
          `SELECT p.ai_system_id, min(r.decided_at) AS first, max(r.decided_at) AS last
           FROM oversight_record r JOIN oversight_point p ON p.id = r.point_id
           WHERE p.ai_system_id = ANY($1::uuid[]) GROUP BY p.ai_system_id`,
          [systemIds],
        );
        const names = await this.systems.findByIds(org, systemIds);
        await this.records.sync(em, org, actor, spans.map((s) => ({
          kind: RecordKind.OVERSIGHT_LOG, recordId: s.ai_system_id, aiSystemId: s.ai_system_id,
          title: `Human oversight log: ${names.get(s.ai_system_id)?.name ?? s.ai_system_id}`,
          counts: true, effectiveAt: new Date(s.first), validUntil: threeMonthsAfter(new Date(s.last)),
        })));
      });
    }
    return results;
  }

  /** Points of these systems with no record in [from, to). */
  async silentPoints(org: string, systemIds: readonly string[], from: Date, to: Date): Promise<OversightPoint[]> {
    if (!systemIds.length) return [];
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT p.* FROM oversight_point p
       WHERE p.organization_id = $1 AND p.ai_system_id = ANY($2::uuid[])
         AND NOT EXISTS (SELECT 1 FROM oversight_record r WHERE r.organization_id = p.organization_id AND r.point_id = p.id AND r.decided_at >= $3 AND r.decided_at < $4)
       ORDER BY p.name`,
      [org, [...systemIds], from.toISOString(), to.toISOString()],
    );
    return rows.map((r) => hydrate(this.ds, OversightPoint, r));
  }

  /** Volume and override rate per point and per ISO week in [from, to), and the points with no record: one statement. */
  async summary(org: string, systemId: string, from: Date, to: Date) {
    const rows: { point_id: string; week: string | null; n: number; overrides: number }[] = await this.ds.query(
      `SELECT p.id AS point_id, to_char(date_trunc('week', r.decided_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week,
              count(r.id)::int AS n, count(r.id) FILTER (WHERE r.decision = 'OVERRIDDEN')::int AS overrides
       FROM oversight_point p
       LEFT JOIN oversight_record r ON r.point_id = p.id AND r.decided_at >= $3 AND r.decided_at < $4
       WHERE p.organization_id = $1 AND p.ai_system_id = $2
       GROUP BY p.id, p.name, 2 ORDER BY p.name, 2`,
      [org, systemId, from.toISOString(), to.toISOString()],
    );
    const byPoint = groupBy(rows, (r) => r.point_id);
    return [...byPoint].map(([pointId, weeks]) => {
      const real = weeks.filter((w) => w.week !== null);
      const decisions = real.reduce((a, w) => a + w.n, 0);
      const overrides = real.reduce((a, w) => a + w.overrides, 0);
      return {
        pointId,
        decisions,
        overrides,
        overrideRate: decisions ? Math.round((overrides / decisions) * 10_000) / 10_000 : null,
        weeks: real.map((w) => ({ weekStart: w.week!, decisions: w.n, overrides: w.overrides })),
        silent: decisions === 0,
      };
    });
  }
}

