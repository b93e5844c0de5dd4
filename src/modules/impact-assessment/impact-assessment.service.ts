import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { hydrate } from '../../database/hydrate';
import { inTransaction } from '../../database/transaction';
import { ErrorCode, HubError, badInput, notFound } from '../../graphql/errors';
import { groupBy } from '../framework/requirement.service';
import { AiSystemService } from '../ai-system/ai-system.service';
import { RecordEvidenceService, oneYearAfter } from '../records/record-evidence.service';
import { RecordKind } from '../records/record-evidence.rules';
import { AssessmentStatus, ImpactAssessment } from './impact-assessment.entity';
import { AssessmentTemplate, TEMPLATES, missingSections, templateFor } from './impact-assessment.rules';
import { EuModel, classifySystem } from '../ai-system/eu-act.service';
import { TextBasis } from '../ai-system/applicability.versions';
import { actorsOf } from '../ai-system/eu-facts';
import { isUuid } from '../../graphql/ids';
import { textLimit } from '../../graphql/input-bounds';


/** The only code that queries impact_assessment. */
export class ImpactAssessmentService {
  constructor(
    private readonly ds: DataSource,
    private readonly systems: AiSystemService,
    private readonly records: RecordEvidenceService,
  ) {}

  async require(org: string, id: string, em: EntityManager = this.ds.manager): Promise<ImpactAssessment> {
    const found = isUuid(id) ? await em.getRepository(ImpactAssessment).findOneBy({ id, organizationId: org }) : null;
    if (!found) throw notFound(`No impact assessment with id "${id.slice(0, 100)}"`, { id: id.slice(0, 100) });
    return found;
  }

  /** By id, the organization's own only (for node lookups). */
  async findByIds(org: string, ids: readonly string[]): Promise<Map<string, ImpactAssessment>> {
    const valid = [...new Set(ids.filter((id) => isUuid(id)))];
    const rows = valid.length ? await this.ds.getRepository(ImpactAssessment).findBy({ id: In(valid), organizationId: org }) : [];
    return new Map(rows.map((r) => [r.id, r]));
  }

  async ofSystems(org: string, systemIds: readonly string[]): Promise<Map<string, ImpactAssessment[]>> {
    const rows = systemIds.length
      ? await this.ds.getRepository(ImpactAssessment).find({ where: { organizationId: org, aiSystemId: In([...systemIds]) }, order: { version: 'ASC' } })
      : [];
    return groupBy(rows, (r) => r.aiSystemId);
  }

  /** A new DRAFT version, starting from the last one's sections; the template follows the system now. */
  async start(org: string, actor: string, systemId: string, assessor: string | null, eu: EuModel): Promise<ImpactAssessment> {
    return inTransaction(this.ds, async (em) => {
      const system = await this.systems.require(org, systemId, em);
      const versions = await em.getRepository(ImpactAssessment).find({ where: { aiSystemId: system.id }, order: { version: 'DESC' } });
      const draft = versions.find((v) => v.status === AssessmentStatus.DRAFT || v.status === AssessmentStatus.IN_REVIEW);
      if (draft) throw new HubError(ErrorCode.CONFLICT, `Version ${draft.version} is still ${draft.status}: finish it first`, { field: 'aiSystemId' });
      // Every duty that binds, will bind or may bind (any basis: a planned amendment must not hide one).
      const day = new Date().toISOString().slice(0, 10);
      const duties = new Set([TextBasis.IN_FORCE, TextBasis.ADOPTED].flatMap((b) => classifySystem(eu, actorsOf(system.euRoles), system.euFacts, day, b).map((a) => a.rule.record.ref)));
      const template = templateFor(duties);
      const keys = new Set(TEMPLATES[template].map((s) => s.key));
      const previous = versions[0]?.sections ?? {};
      const sections = Object.fromEntries(Object.entries(previous).filter(([k]) => keys.has(k)));
      const [row] = await em.query(
        `INSERT INTO impact_assessment (organization_id, ai_system_id, version, template, sections, assessor, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [org, system.id, (versions[0]?.version ?? 0) + 1, template, JSON.stringify(sections), assessor, actor],
      );
      return hydrate(this.ds, ImpactAssessment, row);
    });
  }

  async update(org: string, id: string, patch: { sections: { key: string; text: string | null }[]; assessor?: string | null; nextReviewDue?: Date | null }): Promise<ImpactAssessment> {
    return inTransaction(this.ds, async (em) => {
      const a = await this.require(org, id, em);
      if (a.status !== AssessmentStatus.DRAFT) throw new HubError(ErrorCode.CONFLICT, `Version ${a.version} is ${a.status} and can no longer be edited; start a new version`, { id });
      const keys = new Set(TEMPLATES[a.template].map((s) => s.key));
      const unknown = patch.sections.filter((s) => !keys.has(s.key)).map((s) => s.key);
      if (unknown.length) throw badInput('sections', `unknown section(s) for template ${a.template}: ${unknown.join(', ')}`);
      const sections = { ...a.sections };
      const max = textLimit('text', 'SectionInput');
      for (const s of patch.sections) {
        const text = s.text?.trim() ?? '';
        if (text.length > max) throw badInput('sections', `section ${s.key} is longer than ${max} characters`);
        if (text) sections[s.key] = text;
        else delete sections[s.key];
      }
      const [[row]] = await em.query(
        `UPDATE impact_assessment SET sections = $2, assessor = coalesce($3, assessor), next_review_due = coalesce($4, next_review_due), updated_at = now()
         WHERE id = $1 RETURNING *`,
        [a.id, JSON.stringify(sections), patch.assessor?.trim() || null, patch.nextReviewDue?.toISOString() ?? null],
      );
      return hydrate(this.ds, ImpactAssessment, row);
    });
  }

  private requireComplete(a: ImpactAssessment): void {
    const missing = missingSections(a.template, a.sections);
    if (missing.length) {
      throw badInput('sections', `required section(s) empty: ${missing.map((m) => m.key).join(', ')}`, { sections: missing.map((m) => m.key) });
    }
  }

  async submit(org: string, id: string): Promise<ImpactAssessment> {
    return inTransaction(this.ds, async (em) => {
      const a = await this.require(org, id, em);
      if (a.status !== AssessmentStatus.DRAFT) throw new HubError(ErrorCode.CONFLICT, `Version ${a.version} is ${a.status}, not DRAFT`, { id });
      this.requireComplete(a);
      const [[row]] = await em.query(`UPDATE impact_assessment SET status = 'IN_REVIEW', assessed_at = now(), submitted_at = now(), updated_at = now() WHERE id = $1 RETURNING *`, [a.id]);
      return hydrate(this.ds, ImpactAssessment, row);
    });
  }

  /** Approving needs every required section; it makes this version the system's AISIA evidence. */
  async decide(org: string, actor: string, id: string, approve: boolean, comment: string | null, nextReviewDue: Date | null): Promise<ImpactAssessment> {
    return inTransaction(this.ds, async (em) => {
      const a = await this.require(org, id, em);
      if (a.status !== AssessmentStatus.IN_REVIEW) throw new HubError(ErrorCode.CONFLICT, `Version ${a.version} is ${a.status}, not IN_REVIEW`, { id });
      if (approve) this.requireComplete(a);
      const [[row]] = await em.query(
        `UPDATE impact_assessment SET status = $2, approver = $3, approved_at = CASE WHEN $2 = 'APPROVED' THEN now() END,
                decision_comment = $4, next_review_due = CASE WHEN $2 = 'APPROVED' THEN coalesce($5::timestamptz, next_review_due, now() + interval '1 year') END,
                updated_at = now()
         WHERE id = $1 RETURNING *`,
        [a.id, approve ? AssessmentStatus.APPROVED : AssessmentStatus.REJECTED, actor, comment, nextReviewDue?.toISOString() ?? null],
      );
      const decided = hydrate(this.ds, ImpactAssessment, row);
      if (approve) {
        const earlier = await em.getRepository(ImpactAssessment).find({ where: { aiSystemId: a.aiSystemId, status: AssessmentStatus.APPROVED } });
        const system = await this.systems.require(org, a.aiSystemId, em);
        await this.records.sync(em, org, actor, earlier.map((v) => ({
          kind: RecordKind.IMPACT_ASSESSMENT,
          recordId: v.id,
          aiSystemId: v.aiSystemId,
          title: `Impact assessment v${v.version}: ${system.name}`,
          counts: v.id === decided.id,
          effectiveAt: v.approvedAt!,
          validUntil: v.nextReviewDue ?? oneYearAfter(v.approvedAt!),
          flags: v.template === AssessmentTemplate.HIGH_RISK_DEPLOYER ? ['highRiskDeployer'] : [],
        })));
      }
      return decided;
    });
  }
}
