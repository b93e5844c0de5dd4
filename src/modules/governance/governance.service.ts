import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { hydrate } from '../../database/hydrate';
import { inTransaction } from '../../database/transaction';
import { ErrorCode, HubError, badInput, notFound } from '../../graphql/errors';
import { RequirementService, groupBy } from '../framework/requirement.service';
import { AiSystemService } from '../ai-system/ai-system.service';
import { RecordEvidenceService, oneYearAfter, threeMonthsAfter } from '../records/record-evidence.service';
import { RecordKind } from '../records/record-evidence.rules';
import { AuditFinding, Effectiveness, FindingType, InternalAudit, Measurement, NcSource, NcStatus, Nonconformity, RegisterKind, RegisterRecord } from './governance.entity';
import { derivedData, isBreach, recordCounts, validateRecord } from './register.rules';
import { isUuid } from '../../graphql/ids';

export const MAX_MEASUREMENTS = 5000;

/** The only code that queries internal_audit, audit_finding, nonconformity, register_record and measurement. */
export class GovernanceService {
  constructor(
    private readonly ds: DataSource,
    private readonly requirements: RequirementService,
    private readonly systems: AiSystemService,
    private readonly records: RecordEvidenceService,
  ) {}

  private async byId<T extends object>(cls: new () => T, table: string, org: string, id: string, em: EntityManager = this.ds.manager): Promise<T> {
    const rows: Record<string, unknown>[] = isUuid(id) ? await em.query(`SELECT * FROM ${table} WHERE id = $1 AND organization_id = $2`, [id, org]) : [];
    if (!rows.length) throw notFound(`No ${table.replace(/_/g, ' ')} with id "${id.slice(0, 100)}"`, { id: id.slice(0, 100) });
    return hydrate(this.ds, cls as never, rows[0]) as T;
  }

  // --- internal audits ---

  private auditEvidence(a: InternalAudit) {
    return {
      kind: RecordKind.INTERNAL_AUDIT, recordId: a.id, aiSystemId: null, title: `Internal audit: ${a.title}`,
      counts: a.performedAt !== null, effectiveAt: a.performedAt ?? new Date(), validUntil: a.performedAt ? oneYearAfter(a.performedAt) : null,
    };
  }

  async createAudit(org: string, actor: string, input: { title: string; programme?: string | null; scopeFrameworks: string[]; plannedAt?: Date | null; performedAt?: Date | null; auditor?: string | null }): Promise<InternalAudit> {
    if (!input.title?.trim()) throw badInput('title', 'title must not be empty');
    return inTransaction(this.ds, async (em) => {
      const [row] = await em.query(
        `INSERT INTO internal_audit (organization_id, title, programme, scope_frameworks, planned_at, performed_at, auditor)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [org, input.title.trim(), input.programme?.trim() || null, [...new Set(input.scopeFrameworks)], input.plannedAt?.toISOString() ?? null, input.performedAt?.toISOString() ?? null, input.auditor?.trim() || null],
      );
      const audit = hydrate(this.ds, InternalAudit, row);
      await this.records.sync(em, org, actor, [this.auditEvidence(audit)]);
      return audit;
    });
  }

  async completeAudit(org: string, actor: string, id: string, performedAt: Date): Promise<InternalAudit> {
    return inTransaction(this.ds, async (em) => {
      await this.byId(InternalAudit, 'internal_audit', org, id, em);
      const [[row]] = await em.query(`UPDATE internal_audit SET performed_at = $2 WHERE id = $1 RETURNING *`, [id, performedAt.toISOString()]);
      const audit = hydrate(this.ds, InternalAudit, row);
      await this.records.sync(em, org, actor, [this.auditEvidence(audit)]);
      return audit;
    });
  }

  async addFinding(org: string, input: { auditId: string; type: FindingType; description: string; requirements: string[] }): Promise<AuditFinding> {
    await this.byId(InternalAudit, 'internal_audit', org, input.auditId);
    if (!input.description?.trim()) throw badInput('description', 'description must not be empty');
    const ids = await this.requirements.resolveRefStrings(input.requirements, 'requirements');
    const [row] = await this.ds.query(
      `INSERT INTO audit_finding (organization_id, audit_id, type, description, requirement_ids) VALUES ($1, $2, $3, $4, $5::uuid[]) RETURNING *`,
      [org, input.auditId, input.type, input.description.trim(), ids],
    );
    return hydrate(this.ds, AuditFinding, row);
  }

  async audits(org: string): Promise<InternalAudit[]> {
    return this.ds.getRepository(InternalAudit).find({ where: { organizationId: org }, order: { plannedAt: 'ASC', title: 'ASC' } });
  }

  async findingsOf(org: string, auditIds: readonly string[]): Promise<Map<string, AuditFinding[]>> {
    const rows = auditIds.length ? await this.ds.getRepository(AuditFinding).find({ where: { organizationId: org, auditId: In([...auditIds]) } }) : [];
    return groupBy(rows, (f) => f.auditId);
  }

  async findingsByIds(org: string, ids: readonly string[]): Promise<Map<string, AuditFinding>> {
    const rows = ids.length ? await this.ds.getRepository(AuditFinding).findBy({ organizationId: org, id: In([...ids]) }) : [];
    return new Map(rows.map((f) => [f.id, f]));
  }

  // --- nonconformities ---

  private ncEvidence(nc: Nonconformity) {
    const counts = nc.status === NcStatus.CLOSED && nc.effectivenessResult === Effectiveness.EFFECTIVE;
    return {
      kind: RecordKind.NONCONFORMITY, recordId: nc.id, aiSystemId: nc.aiSystemId, title: `Nonconformity closed: ${nc.description.slice(0, 80)}`,
      counts, effectiveAt: nc.closedAt ?? nc.createdAt, validUntil: oneYearAfter(nc.closedAt ?? nc.createdAt),
    };
  }

  async raiseNc(org: string, input: { source: NcSource; findingId?: string | null; aiSystemId?: string | null; description: string; owner?: string | null; dueAt?: Date | null }): Promise<Nonconformity> {
    if (!input.description?.trim()) throw badInput('description', 'description must not be empty');
    if (input.source === NcSource.AUDIT_FINDING && !input.findingId) throw badInput('findingId', 'an AUDIT_FINDING nonconformity names its finding');
    if (input.findingId) await this.byId(AuditFinding, 'audit_finding', org, input.findingId);
    if (input.aiSystemId) await this.systems.require(org, input.aiSystemId);
    const [row] = await this.ds.query(
      `INSERT INTO nonconformity (organization_id, source, finding_id, ai_system_id, description, owner, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [org, input.source, input.findingId ?? null, input.aiSystemId ?? null, input.description.trim(), input.owner?.trim() || null, input.dueAt?.toISOString() ?? null],
    );
    return hydrate(this.ds, Nonconformity, row);
  }

  async updateNc(org: string, input: { id: string; rootCause?: string | null; correction?: string | null; correctiveAction?: string | null; owner?: string | null; dueAt?: Date | null }): Promise<Nonconformity> {
    const nc = await this.byId(Nonconformity, 'nonconformity', org, input.id);
    if (nc.status === NcStatus.CLOSED) throw new HubError(ErrorCode.CONFLICT, 'The nonconformity is closed', { id: nc.id });
    const [[row]] = await this.ds.query(
      `UPDATE nonconformity SET root_cause = coalesce($2, root_cause), correction = coalesce($3, correction), corrective_action = coalesce($4, corrective_action),
              owner = coalesce($5, owner), due_at = coalesce($6, due_at), updated_at = now() WHERE id = $1 RETURNING *`,
      [nc.id, input.rootCause?.trim() || null, input.correction?.trim() || null, input.correctiveAction?.trim() || null, input.owner?.trim() || null, input.dueAt?.toISOString() ?? null],
    );
    return hydrate(this.ds, Nonconformity, row);
  }

  /** Closing needs a root cause, a corrective action and an EFFECTIVE check; NOT_EFFECTIVE is recorded and the NC stays open. */
  async closeNc(org: string, actor: string, id: string, result: Effectiveness, checkedAt: Date | null): Promise<Nonconformity> {
    return inTransaction(this.ds, async (em) => {
      const nc = await this.byId(Nonconformity, 'nonconformity', org, id, em);
      if (nc.status === NcStatus.CLOSED) throw new HubError(ErrorCode.CONFLICT, 'The nonconformity is already closed', { id });
      const missing = [!nc.rootCause && 'rootCause', !nc.correctiveAction && 'correctiveAction'].filter(Boolean) as string[];
      if (missing.length) throw badInput(missing[0], `record ${missing.join(' and ')} before closing`);
      const closes = result === Effectiveness.EFFECTIVE;
      const [[row]] = await em.query(
        `UPDATE nonconformity SET effectiveness_result = $2, effectiveness_checked_at = $3, status = $4, closed_at = CASE WHEN $4 = 'CLOSED' THEN now() END, updated_at = now()
         WHERE id = $1 RETURNING *`,
        [id, result, (checkedAt ?? new Date()).toISOString(), closes ? NcStatus.CLOSED : NcStatus.OPEN],
      );
      const updated = hydrate(this.ds, Nonconformity, row);
      await this.records.sync(em, org, actor, [this.ncEvidence(updated)]);
      return updated;
    });
  }

  async nonconformities(org: string, status: NcStatus | null): Promise<Nonconformity[]> {
    return this.ds.getRepository(Nonconformity).find({ where: status ? { organizationId: org, status } : { organizationId: org }, order: { createdAt: 'ASC' } });
  }

  // --- simple registers ---

  private async syncRecord(em: EntityManager, org: string, actor: string, r: RegisterRecord): Promise<void> {
    const [span]: { n: number; first: Date | null; last: Date | null }[] = await em.query(
      `SELECT count(*)::int AS n, min(measured_at) AS first, max(measured_at) AS last FROM measurement WHERE record_id = $1`, [r.id],
    );
    const { counts, flags } = recordCounts(r.kind, r.status, r.data, span.n);
    const measured = r.kind === RegisterKind.OBJECTIVE || r.kind === RegisterKind.MONITORING_METRIC;
    const effectiveAt = measured && span.first ? new Date(span.first) : r.effectiveAt;
    const validUntil = measured && span.last ? threeMonthsAfter(new Date(span.last)) : r.reviewDue ?? oneYearAfter(r.effectiveAt);
    await this.records.sync(em, org, actor, [{
      kind: r.kind as unknown as RecordKind, recordId: r.id, aiSystemId: r.aiSystemId, title: `${r.kind.replace(/_/g, ' ').toLowerCase()}: ${r.title}`,
      counts, flags, effectiveAt, validUntil,
    }]);
  }

  async upsertRecord(org: string, actor: string, input: { id?: string | null; kind: RegisterKind; aiSystemId?: string | null; title: string; status: string; owner?: string | null; effectiveAt?: Date | null; reviewDue?: Date | null; data: Record<string, unknown> }): Promise<RegisterRecord> {
    if (!input.title?.trim()) throw badInput('title', 'title must not be empty');
    const problems = validateRecord(input.kind, input.status, input.data ?? {}, input.aiSystemId ?? null);
    if (problems.length) throw badInput(problems[0].field, problems.map((p) => p.message).join('; '), { problems });
    if (input.aiSystemId) await this.systems.require(org, input.aiSystemId);
    const data = derivedData(input.kind, input.data ?? {});
    return inTransaction(this.ds, async (em) => {
      let row: Record<string, unknown>;
      if (input.id) {
        const current = await this.byId(RegisterRecord, 'register_record', org, input.id, em);
        if (current.kind !== input.kind) throw badInput('kind', `record ${input.id} is a ${current.kind}`);
        [[row]] = await em.query(
          `UPDATE register_record SET ai_system_id = $2, title = $3, status = $4, owner = $5, effective_at = coalesce($6, effective_at), review_due = $7, data = $8, updated_at = now()
           WHERE id = $1 RETURNING *`,
          [current.id, input.aiSystemId ?? null, input.title.trim(), input.status, input.owner?.trim() || null, input.effectiveAt?.toISOString() ?? null, input.reviewDue?.toISOString() ?? null, JSON.stringify(data)],
        );
      } else {
        [row] = await em.query(
          `INSERT INTO register_record (organization_id, kind, ai_system_id, title, status, owner, effective_at, review_due, data, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()), $8, $9, $10) RETURNING *`,
          [org, input.kind, input.aiSystemId ?? null, input.title.trim(), input.status, input.owner?.trim() || null, input.effectiveAt?.toISOString() ?? null, input.reviewDue?.toISOString() ?? null, JSON.stringify(data), actor],
        );
      }
      const record = hydrate(this.ds, RegisterRecord, row);
      await this.syncRecord(em, org, actor, record);
      return record;
    });
  }

  async registerRecords(org: string, kind: RegisterKind | null, aiSystemId: string | null): Promise<RegisterRecord[]> {
    const where: Record<string, unknown> = { organizationId: org };
    if (kind) where.kind = kind;
    if (aiSystemId) where.aiSystemId = aiSystemId;
    return this.ds.getRepository(RegisterRecord).find({ where, order: { createdAt: 'ASC' } });
  }

  /** Bulk measurements of objectives and metrics, idempotent on (record, externalId); bad items named, good ones kept. */
  async recordMeasurements(org: string, actor: string, items: { recordId: string; measuredAt: Date; value: number; externalId: string }[]) {
    if (items.length > MAX_MEASUREMENTS) throw badInput('items', `items: at most ${MAX_MEASUREMENTS} per call, got ${items.length}; nothing was written`);
    const ids = [...new Set(items.map((i) => i.recordId).filter((id) => isUuid(id)))];
    const records = new Map((ids.length ? await this.ds.getRepository(RegisterRecord).findBy({ organizationId: org, id: In(ids) }) : []).map((r) => [r.id, r]));
    const results = items.map((item, index) => {
      const r = records.get(item.recordId);
      if (!r) return { index, outcome: 'FAILED', error: `unknown record "${String(item.recordId).slice(0, 100)}"`, field: 'recordId' };
      if (r.kind !== RegisterKind.OBJECTIVE && r.kind !== RegisterKind.MONITORING_METRIC) return { index, outcome: 'FAILED', error: `a ${r.kind} takes no measurements`, field: 'recordId' };
      if (!Number.isFinite(item.value)) return { index, outcome: 'FAILED', error: 'value must be a finite number', field: 'value' };
      if (!item.externalId?.trim() || item.externalId.length > 200) return { index, outcome: 'FAILED', error: 'externalId must be 1-200 characters', field: 'externalId' };
      return { index, outcome: 'PENDING', error: null as string | null, field: null as string | null };
    });
    const good = results.filter((r) => r.outcome === 'PENDING');
    if (good.length) {
      await inTransaction(this.ds, async (em) => {
        const rows = good.map((r) => ({ i: r.index, rec: items[r.index].recordId, at: items[r.index].measuredAt.toISOString(), v: items[r.index].value, ext: items[r.index].externalId.trim() }));
        const inserted: { i: number }[] = await em.query(
          `WITH x AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(i int, rec uuid, at timestamptz, v float8, ext text)),
           ins AS (INSERT INTO measurement (organization_id, record_id, measured_at, value, external_id)
                   SELECT DISTINCT ON (rec, ext) $1, rec, at, v, ext FROM x ORDER BY rec, ext, i
                   ON CONFLICT ON CONSTRAINT uq_measurement DO NOTHING RETURNING record_id, external_id)
           SELECT min(x.i) AS i FROM x JOIN ins ON ins.record_id = x.rec AND ins.external_id = x.ext GROUP BY x.rec, x.ext`,
          [org, JSON.stringify(rows)],
        );
        const created = new Set(inserted.map((x) => Number(x.i)));
        for (const r of good) r.outcome = created.has(r.index) ? 'CREATED' : 'UNCHANGED';
        for (const id of new Set(good.map((r) => items[r.index].recordId))) await this.syncRecord(em, org, actor, records.get(id)!);
      });
    }
    return results;
  }

  async measurementsOf(org: string, recordIds: readonly string[]): Promise<Map<string, Measurement[]>> {
    const rows = recordIds.length ? await this.ds.getRepository(Measurement).find({ where: { organizationId: org, recordId: In([...recordIds]) }, order: { measuredAt: 'ASC' } }) : [];
    return groupBy(rows, (m) => m.recordId);
  }

  /** Active metrics whose latest measurement at asOf is outside their thresholds. */
  async breaches(org: string, asOf: Date, aiSystemId: string | null): Promise<{ record: RegisterRecord; value: number; measuredAt: Date }[]> {
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT DISTINCT ON (r.id) r.*, m.value AS m_value, m.measured_at AS m_at
       FROM register_record r JOIN measurement m ON m.organization_id = r.organization_id AND m.record_id = r.id AND m.measured_at <= $2
       WHERE r.organization_id = $1 AND r.kind = 'MONITORING_METRIC' AND r.status = 'ACTIVE' AND ($3::uuid IS NULL OR r.ai_system_id = $3::uuid)
       ORDER BY r.id, m.measured_at DESC`,
      [org, asOf.toISOString(), aiSystemId],
    );
    return rows
      .map((row) => ({ record: hydrate(this.ds, RegisterRecord, row), value: Number(row.m_value), measuredAt: new Date(row.m_at as string) }))
      .filter((b) => isBreach(b.record.data, b.value));
  }
}
