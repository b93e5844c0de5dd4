import type { DataSource } from 'typeorm';
import { inTransaction } from '../../database/transaction';
import type { AiSystemService } from '../ai-system/ai-system.service';
import { TextBasis } from '../ai-system/applicability.versions';
import { classifySystem, type EuActService } from '../ai-system/eu-act.service';
import { actorsOf } from '../ai-system/eu-facts';

/** One duty that binds a system now, as the scheduler found it. */
interface Binding {
  aiSystemId: string;
  requirementId: string;
  bindingFrom: string;
  data: Record<string, unknown>;
}

/**
 * `obligation.binding`: an EU AI Act duty began to bind an AI system. On every scheduler period, per
 * organization, each system that is not retired is classified under the law in force today (the same
 * rules as `AiSystem.obligations`), and the BINDING duties are compared with those found last time
 * (ai_system_duty, migrations/1765756800000-duty-events.ts). A duty found now and not before is announced
 * once: because its date came (dated at that day's start, UTC: the Act's dates are days), or because the
 * system's roles or facts changed or the system is new (dated now). The organization's first pass records
 * what binds without announcing it. Statements: the register and the rules (outside the transaction), a lock, the last pass's time, one for the writes.
 */
export class DutyEvents {
  constructor(
    private readonly ds: DataSource,
    private readonly euAct: EuActService,
    private readonly aiSystems: AiSystemService,
  ) {}

  /** `at`: the moment to classify at instead of the database's now (tests move it to a date the Act names). */
  async run(org: string, at: Date | null = null): Promise<number> {
    const systems = await this.aiSystems.list(org, false);
    // No system, no rules to load (a hub whose catalog is not seeded yet has none either).
    const model = systems.length ? await this.euAct.model(org) : null;
    return inTransaction(this.ds, async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock(hashtextextended('duty_events:' || $1::text, 0))`, [org]);
      const [state]: { scanned_at: string | null; now: string }[] = await em.query(
        `SELECT to_json(o.duties_scanned_at) #>> '{}' AS scanned_at, to_json(coalesce($2::timestamptz, now())) #>> '{}' AS now FROM organization o WHERE o.id = $1`,
        [org, at?.toISOString() ?? null],
      );
      const today = new Date(state.now).toISOString().slice(0, 10);
      const found: Binding[] = [];
      for (const s of model ? systems : []) {
        for (const a of classifySystem(model!, actorsOf(s.euRoles), s.euFacts, today, TextBasis.IN_FORCE)) {
          const c = a.classification;
          if (c.status !== 'BINDING') continue;
          found.push({
            aiSystemId: s.id, requirementId: a.requirementId, bindingFrom: c.from,
            data: {
              aiSystem: { id: s.id, name: s.name },
              textVersion: a.rule.version.key, dutyType: a.rule.record.dutyType, legalBasis: a.rule.record.evidence || null, decidedBy: c.facts,
            },
          });
        }
      }
      const [{ n }] = await em.query(
        `WITH found AS (
           SELECT * FROM jsonb_to_recordset($2::jsonb) AS x("aiSystemId" uuid, "requirementId" uuid, "bindingFrom" date, data jsonb)
         ),
         gone AS (
           DELETE FROM ai_system_duty d WHERE d.organization_id = $1
             AND NOT EXISTS (SELECT 1 FROM found f WHERE f."aiSystemId" = d.ai_system_id AND f."requirementId" = d.requirement_id)
         ),
         added AS (
           INSERT INTO ai_system_duty (organization_id, ai_system_id, requirement_id, binding_from)
           SELECT $1, f."aiSystemId", f."requirementId", f."bindingFrom" FROM found f
           ON CONFLICT (organization_id, ai_system_id, requirement_id) DO UPDATE SET binding_from = EXCLUDED.binding_from
           WHERE ai_system_duty.binding_from IS DISTINCT FROM EXCLUDED.binding_from
           RETURNING ai_system_id, requirement_id, binding_from, (xmax = 0) AS inserted
         ),
         announced AS (
           INSERT INTO hub_event (organization_id, type, key, framework_id, requirement_id, ai_system_id, data, occurred_at)
           SELECT $1, 'obligation.binding', 'ai_system:' || a.ai_system_id, r.framework_id, r.id, a.ai_system_id,
                  f.data || jsonb_build_object(
                    'requirement', jsonb_build_object('id', r.id, 'ref', r.ref, 'title', r.title), 'framework', jsonb_build_object('id', fw.id, 'key', fw.key),
                    'bindingFrom', a.binding_from, 'reason', CASE WHEN w.at IS NOT NULL THEN 'DATE' ELSE 'SYSTEM' END),
                  coalesce(w.at, $4::timestamptz)
           FROM added a
           JOIN found f ON f."aiSystemId" = a.ai_system_id AND f."requirementId" = a.requirement_id
           JOIN requirement r ON r.id = a.requirement_id JOIN framework fw ON fw.id = r.framework_id
           -- The date came since the last pass: the event is dated at that day's start.
           LEFT JOIN LATERAL (SELECT (a.binding_from::timestamp AT TIME ZONE 'UTC') AS at
                              WHERE (a.binding_from::timestamp AT TIME ZONE 'UTC') > $3::timestamptz) w ON true
           WHERE a.inserted AND $3::timestamptz IS NOT NULL
           ORDER BY a.ai_system_id, fw.key, r.position
           RETURNING 1
         ),
         scanned AS (UPDATE organization SET duties_scanned_at = $4::timestamptz WHERE id = $1)
         SELECT (SELECT count(*)::int FROM announced) AS n`,
        [org, JSON.stringify(found), state.scanned_at, state.now],
      );
      return n as number;
    });
  }
}
