import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { hydrate } from '../../database/hydrate';
import { Keyset, keysetPage, keysetSql } from '../../graphql/connection.type';
import { inTransaction } from '../../database/transaction';
import { ErrorCode, HubError, badInput, notFound } from '../../graphql/errors';
import { RequirementService, groupBy } from '../framework/requirement.service';
import { RecordEvidenceService } from '../records/record-evidence.service';
import { RecordKind } from '../records/record-evidence.rules';
import { AiSystem, AiSystemChange, GateTask, MATERIAL_FIELDS } from './ai-system.entity';
import { GateTaskStatus, HighRiskRoute, LifecycleStage, RiskClass, STAGE_ORDER } from './ai-system.enums';
import { AddGateTaskInput, AiSystemFieldsInput, RegisterAiSystemInput, SetLifecycleStageInput, UpdateAiSystemInput, UpdateGateTaskInput } from './ai-system.input';
import type { ApplicabilityData, FactValue } from './applicability.rules';
import { applyAnswers, classFacts, sortedKeys } from './eu-facts';
import { isUuid } from '../../graphql/ids';

const COLUMNS: Record<string, string> = {
  name: 'name', description: 'description', intendedPurpose: 'intended_purpose', owner: 'owner', businessUnit: 'business_unit',
  euRoles: 'eu_roles', riskClass: 'risk_class', highRiskRoute: 'high_risk_route', annexIIIArea: 'annex_iii_area',
  classificationRationale: 'classification_rationale', oversightModel: 'oversight_model', components: 'components', dataCategories: 'data_categories',
  euFacts: 'eu_facts',
};
const JSON_COLUMNS = new Set(['components', 'euFacts']);
/** Comparable form of a field's value (jsonb returns object keys in its own order). */
const canonical = (k: string, v: unknown): string => JSON.stringify(k === 'euFacts' && v ? sortedKeys(v as Record<string, FactValue>) : v);

/** The only code that queries ai_system, ai_system_history and gate_task. */
export class AiSystemService {
  constructor(
    private readonly ds: DataSource,
    private readonly requirements: RequirementService,
    private readonly records: RecordEvidenceService,
  ) {}

  async require(org: string, id: string, em: EntityManager = this.ds.manager): Promise<AiSystem> {
    const found = isUuid(id) ? await em.getRepository(AiSystem).findOneBy({ id, organizationId: org }) : null;
    if (!found) throw notFound(`No AI system with id "${id.slice(0, 100)}"`, { id: id.slice(0, 100) });
    return found;
  }

  async findByIds(org: string, ids: readonly string[]): Promise<Map<string, AiSystem>> {
    const valid = ids.filter((id) => isUuid(id));
    const rows = valid.length ? await this.ds.getRepository(AiSystem).findBy({ id: In(valid), organizationId: org }) : [];
    return new Map(rows.map((s) => [s.id, s]));
  }

  async knownIds(org: string, ids: string[]): Promise<Set<string>> {
    return new Set((await this.findByIds(org, ids)).keys());
  }

  async list(org: string, includeRetired: boolean): Promise<AiSystem[]> {
    const qb = this.ds.getRepository(AiSystem).createQueryBuilder('s').where('s.organization_id = :org', { org });
    if (!includeRetired) qb.andWhere(`s.lifecycle_stage <> 'RETIRED'`);
    return qb.orderBy('s.name').getMany();
  }

  /** A keyset page of the register by name (then id), RETIRED systems only when asked; the count only when asked. */
  async page(org: string, includeRetired: boolean, window: Keyset<[string, string]>) {
    const params: unknown[] = [org];
    const where = ['s.organization_id = $1'];
    if (!includeRetired) where.push(`s.lifecycle_stage <> 'RETIRED'`);
    const countWhere = where.join(' AND ');
    const ks = keysetSql(window, ['s.name', 's.id'], 'ASC', (k) => {
      params.push(...k);
      return [`$${params.length - 1}::text`, `$${params.length}::uuid`];
    });
    params.push(ks.limit);
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT s.* FROM ai_system s WHERE ${[...where, ...ks.where].join(' AND ')} ORDER BY ${ks.orderBy} LIMIT $${params.length}`,
      params,
    );
    return {
      ...keysetPage(rows.map((r) => hydrate(this.ds, AiSystem, r)), window),
      count: async () => (await this.ds.query(`SELECT count(*)::int AS n FROM ai_system s WHERE ${countWhere}`, [org]))[0].n as number,
    };
  }

  private check(s: Partial<AiSystem>): void {
    if (s.name !== undefined && !s.name?.trim()) throw badInput('name', 'name must not be empty');
    if (s.riskClass === RiskClass.HIGH_RISK && !s.highRiskRoute) throw badInput('highRiskRoute', 'a HIGH_RISK system needs highRiskRoute (ANNEX_III or ANNEX_I)');
    if (s.riskClass !== RiskClass.HIGH_RISK && s.highRiskRoute) throw badInput('highRiskRoute', 'highRiskRoute is only for HIGH_RISK systems');
    if (s.highRiskRoute !== HighRiskRoute.ANNEX_III && s.annexIIIArea) throw badInput('annexIIIArea', 'annexIIIArea is only for the ANNEX_III route');
    for (const c of s.components ?? []) if (!c.supplier?.trim() || !c.model?.trim()) throw badInput('components', 'each component needs a supplier and a model');
  }

  private fields(input: AiSystemFieldsInput & { name?: string | null }): Partial<AiSystem> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(COLUMNS)) {
      const v = (input as Record<string, unknown>)[key];
      if (v === undefined || key === 'euFacts') continue;
      if (key === 'euRoles' || key === 'dataCategories') out[key] = v === null ? [] : [...new Set(v as string[])];
      else if (key === 'components') out[key] = ((v as AiSystem['components'] | null) ?? []).map((c) => ({ supplier: c.supplier.trim(), model: c.model.trim(), version: c.version?.trim() || null }));
      else out[key] = typeof v === 'string' ? v.trim() || null : v;
    }
    return out as Partial<AiSystem>;
  }

  /**
   * The facts after an input: a riskClass, highRiskRoute or annexIIIArea in the input first answers the
   * facts the (resulting) classification implies, then the input's own answers apply.
   */
  private facts(data: ApplicabilityData, current: Record<string, FactValue>, after: Partial<AiSystem>, input: AiSystemFieldsInput): Record<string, FactValue> {
    let next = { ...current };
    if (input.riskClass !== undefined || input.highRiskRoute !== undefined || input.annexIIIArea !== undefined) {
      next = { ...next, ...classFacts(after.riskClass ?? null, after.highRiskRoute ?? null, after.annexIIIArea ?? null) };
    }
    return input.euFacts ? applyAnswers(data, next, input.euFacts) : sortedKeys(next);
  }

  private async log(em: EntityManager, org: string, actor: string, system: AiSystem, change: string, reason: string | null): Promise<void> {
    const { organizationId: _o, ...snapshot } = system;
    void _o;
    await em.query(
      `INSERT INTO ai_system_history (organization_id, ai_system_id, version, change, reason, snapshot, changed_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [org, system.id, system.version, change, reason, JSON.stringify(snapshot), actor],
    );
    await this.records.sync(em, org, actor, [{
      kind: RecordKind.AI_SYSTEM, recordId: system.id, aiSystemId: system.id, title: `AI system register entry: ${system.name}`,
      counts: system.lifecycleStage !== LifecycleStage.RETIRED, effectiveAt: system.createdAt, validUntil: null,
    }]);
  }

  async register(org: string, actor: string, input: RegisterAiSystemInput, facts: ApplicabilityData): Promise<AiSystem> {
    const values: Partial<AiSystem> = { ...this.fields(input), name: input.name?.trim() ?? '', lifecycleStage: input.lifecycleStage };
    this.check(values);
    values.euFacts = this.facts(facts, {}, values, input);
    return inTransaction(this.ds, async (em) => {
      const dup: unknown[] = await em.query(`SELECT 1 FROM ai_system WHERE organization_id = $1 AND name = $2`, [org, values.name]);
      if (dup.length) throw new HubError(ErrorCode.CONFLICT, `An AI system named "${values.name}" already exists`, { field: 'name' });
      const cols = Object.keys(values).filter((k) => k in COLUMNS || k === 'lifecycleStage');
      const dbCols = cols.map((k) => (k === 'lifecycleStage' ? 'lifecycle_stage' : COLUMNS[k]));
      const params = cols.map((k) => {
        const v = (values as Record<string, unknown>)[k];
        return JSON_COLUMNS.has(k) ? JSON.stringify(v) : v;
      });
      const [row] = await em.query(
        `INSERT INTO ai_system (organization_id, created_by, ${dbCols.join(', ')}) VALUES ($1, $2, ${cols.map((_, i) => `$${i + 3}`).join(', ')}) RETURNING *`,
        [org, actor, ...params],
      );
      const system = hydrate(this.ds, AiSystem, row);
      await this.log(em, org, actor, system, 'REGISTERED', null);
      return system;
    });
  }

  async update(org: string, actor: string, input: UpdateAiSystemInput, facts: ApplicabilityData): Promise<AiSystem> {
    return inTransaction(this.ds, async (em) => {
      const current = await this.require(org, input.id, em);
      const next = this.fields(input);
      if (input.name !== undefined && input.name !== null) next.name = input.name.trim();
      this.check({ ...current, ...next });
      next.euFacts = this.facts(facts, current.euFacts, { ...current, ...next }, input);
      const changed = Object.keys(next).filter((k) => canonical(k, (current as unknown as Record<string, unknown>)[k]) !== canonical(k, (next as Record<string, unknown>)[k]));
      if (!changed.length) return current;
      if (next.name && next.name !== current.name) {
        const dup: unknown[] = await em.query(`SELECT 1 FROM ai_system WHERE organization_id = $1 AND name = $2 AND id <> $3`, [org, next.name, current.id]);
        if (dup.length) throw new HubError(ErrorCode.CONFLICT, `An AI system named "${next.name}" already exists`, { field: 'name' });
      }
      const material = changed.some((k) => (MATERIAL_FIELDS as readonly string[]).includes(k));
      const sets = changed.map((k, i) => `${COLUMNS[k]} = $${i + 3}`);
      const params = changed.map((k) => (JSON_COLUMNS.has(k) ? JSON.stringify((next as Record<string, unknown>)[k]) : (next as Record<string, unknown>)[k]));
      const [[row]] = await em.query(
        `UPDATE ai_system SET ${sets.join(', ')}, version = version + 1, updated_at = now()${material ? ', material_changed_at = now()' : ''}
         WHERE id = $1 AND organization_id = $2 RETURNING *`,
        [current.id, org, ...params],
      );
      const system = hydrate(this.ds, AiSystem, row);
      await this.log(em, org, actor, system, `UPDATED: ${changed.join(', ')}`, input.reason?.trim() || null);
      return system;
    });
  }

  /** Moving forward past open gate tasks of the stages passed needs an override reason, which is recorded. */
  async setStage(org: string, actor: string, input: SetLifecycleStageInput): Promise<AiSystem> {
    return inTransaction(this.ds, async (em) => {
      const current = await this.require(org, input.id, em);
      if (current.lifecycleStage === input.stage) return current;
      const from = STAGE_ORDER.indexOf(current.lifecycleStage);
      const to = STAGE_ORDER.indexOf(input.stage);
      const passed = STAGE_ORDER.slice(from + 1, to + 1);
      const open: GateTask[] = passed.length
        ? await em.getRepository(GateTask).find({ where: { aiSystemId: current.id, stage: In(passed), status: GateTaskStatus.OPEN }, order: { stage: 'ASC', title: 'ASC' } })
        : [];
      const reason = input.overrideReason?.trim() || null;
      if (open.length && !reason) {
        throw new HubError(
          ErrorCode.CONFLICT,
          `Moving to ${input.stage} passes ${open.length} open gate task(s): ${open.map((t) => `"${t.title}" (${t.stage})`).join(', ')}; finish them or give overrideReason`,
          { field: 'stage', openTasks: open.map((t) => t.id) },
        );
      }
      const [[row]] = await em.query(
        `UPDATE ai_system SET lifecycle_stage = $3, version = version + 1, updated_at = now() WHERE id = $1 AND organization_id = $2 RETURNING *`,
        [current.id, org, input.stage],
      );
      const system = hydrate(this.ds, AiSystem, row);
      await this.log(em, org, actor, system, open.length ? `STAGE_OVERRIDE: ${current.lifecycleStage} -> ${input.stage} past ${open.length} open task(s)` : `STAGE: ${current.lifecycleStage} -> ${input.stage}`, reason);
      return system;
    });
  }

  async addGateTask(org: string, input: AddGateTaskInput): Promise<GateTask> {
    const system = await this.require(org, input.aiSystemId);
    if (!input.title?.trim()) throw badInput('title', 'title must not be empty');
    if (input.stage === LifecycleStage.IDEA) throw badInput('stage', 'IDEA is the first stage: nothing gates it');
    const requirementIds = await this.requirements.resolveRefStrings(input.requirements, 'requirements');
    const [row] = await this.ds.query(
      `INSERT INTO gate_task (organization_id, ai_system_id, stage, title, owner, due_at, requirement_ids) VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[]) RETURNING *`,
      [org, system.id, input.stage, input.title.trim(), input.owner?.trim() || null, input.dueAt?.toISOString() ?? null, requirementIds],
    );
    return hydrate(this.ds, GateTask, row);
  }

  async updateGateTask(org: string, input: UpdateGateTaskInput): Promise<GateTask> {
    const justification = input.justification?.trim() || null;
    if (input.status === GateTaskStatus.WONT_DO && !justification) throw badInput('justification', 'justification is required for WONT_DO');
    const [rows] = isUuid(input.id)
      ? await this.ds.query(`UPDATE gate_task SET status = $3, justification = $4, updated_at = now() WHERE id = $1 AND organization_id = $2 RETURNING *`, [input.id, org, input.status, justification])
      : [[]];
    if (!rows.length) throw notFound(`No gate task with id "${input.id.slice(0, 100)}"`, { id: input.id.slice(0, 100) });
    return hydrate(this.ds, GateTask, rows[0]);
  }

  async history(org: string, ids: readonly string[]): Promise<Map<string, AiSystemChange[]>> {
    const rows = ids.length ? await this.ds.getRepository(AiSystemChange).find({ where: { organizationId: org, aiSystemId: In([...ids]) }, order: { changedAt: 'ASC', version: 'ASC' } }) : [];
    return groupBy(rows, (r) => r.aiSystemId);
  }

  async gateTasks(org: string, ids: readonly string[]): Promise<Map<string, GateTask[]>> {
    const rows = ids.length ? await this.ds.getRepository(GateTask).find({ where: { organizationId: org, aiSystemId: In([...ids]) }, order: { stage: 'ASC', title: 'ASC' } }) : [];
    return groupBy(rows, (r) => r.aiSystemId);
  }
}
