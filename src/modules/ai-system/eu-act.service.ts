import type { DataSource } from 'typeorm';
import { HubError, ErrorCode, badInput, notFound } from '../../graphql/errors';
import type { ApplicabilityData, ApplicabilityRecord, Classification, FactDefinition, DerivedFactDefinition } from './applicability.rules';
import { SystemFacts, checkSystemFacts, classifierFor, parseApplicability } from './applicability.rules';
import { TextBasis, TextVersionState, chooseRule } from './applicability.versions';
import { EU_FRAMEWORK_KEY } from './applicability.seeder';

/** A text version as the organization sees it: the seeded legal status, and its own publication record if any. */
export interface TextVersionRow extends TextVersionState {
  id: string;
  frameworkId: string;
  /** Changes when the catalog's rules are re-seeded (framework, content hash, time). */
  stamp: string;
  title: string;
  statusNote: string | null;
  officialJournal: string | null;
  publishedOn: string | null;
  entryIntoForceRule: string | null;
  /** The organization's publication record, which overrides the seeded status, reference and dates. */
  publication: { id: string; ojReference: string; publishedOn: string; entryIntoForce: string; note: string | null; recordedBy: string; recordedAt: Date } | null;
  metadata: Record<string, unknown>;
}

interface RawRule {
  requirementId: string;
  versionId: string;
  record: ApplicabilityRecord;
  changes: string[];
}

export interface RuleRow {
  requirementId: string;
  record: ApplicabilityRecord;
  version: TextVersionRow;
  changes: string[];
}

/** The EU AI Act rules as stored with the catalog, for one organization (its publication records applied). */
export interface EuModel {
  frameworkId: string;
  data: ApplicabilityData;
  versions: TextVersionRow[];
  /** By requirement id, every version's rule. */
  rules: Map<string, RuleRow[]>;
}

/** One duty-bearing node for one system under one basis. */
export interface DutyAnswer {
  requirementId: string;
  rule: RuleRow;
  classification: Exclude<Classification, { status: 'ABSENT' }>;
}

/** The only code that reads applicability_model, applicability_rule, legal_text_version and amendment_publication. */
export class EuActService {
  constructor(private readonly ds: DataSource) {}

  /** The fact model and the rules, as stored, by model stamp: they change only when the catalog is re-seeded. */
  private cached: { stamp: string; data: ApplicabilityData; rules: RawRule[] } | null = null;

  /**
   * One statement when warm: the text versions with the organization's publications, which also carry the
   * model's stamp; the fact model and the rules (two more statements) only when the stamp changed.
   */
  async model(org: string): Promise<EuModel> {
    const versions = await this.versions(org);
    if (!versions.length) throw new HubError(ErrorCode.SERVICE_UNAVAILABLE, 'The EU AI Act applicability rules are not seeded: run `npm run seed`');
    const { frameworkId, stamp } = versions[0];
    if (this.cached?.stamp !== stamp) this.cached = { stamp, ...(await this.load(frameworkId)) };
    const byId = new Map(versions.map((v) => [v.id, v]));
    const rules = new Map<string, RuleRow[]>();
    for (const r of this.cached.rules) {
      const list = rules.get(r.requirementId) ?? [];
      list.push({ requirementId: r.requirementId, record: r.record, version: byId.get(r.versionId)!, changes: r.changes });
      rules.set(r.requirementId, list);
    }
    return { frameworkId, data: this.cached.data, versions, rules };
  }

  private async load(frameworkId: string): Promise<{ data: ApplicabilityData; rules: RawRule[] }> {
    const [m]: { facts: Record<string, FactDefinition>; fact_names: string[]; derived_facts: Record<string, DerivedFactDefinition> }[] = await this.ds.query(
      `SELECT m.facts, m.fact_names, m.derived_facts FROM applicability_model m WHERE m.framework_id = $1`, [frameworkId],
    );
    const raw: { requirement_id: string; text_version_id: string; ref: string; actors: string[]; condition: unknown; applies_from: unknown;
      duty_type: string; date_class: string; evidence: string | null; note: string | null; confidence: string | null; changes: string[] }[] = await this.ds.query(
      `SELECT r.requirement_id, r.text_version_id, r.ref, r.actors, r.condition, r.applies_from, r.duty_type, r.date_class, r.evidence, r.note,
              r.confidence, r.changes
       FROM applicability_rule r JOIN requirement q ON q.id = r.requirement_id
       WHERE r.framework_id = $1 ORDER BY q.position`,
      [frameworkId],
    );
    // Validated like the seed file: a rule the evaluator cannot read fails here, not in a report.
    const facts = Object.fromEntries(m.fact_names.map((n) => [n, m.facts[n]]));
    const records = raw.map((r) => ({
      ref: r.ref, actors: r.actors, condition: r.condition, appliesFrom: r.applies_from, dutyType: r.duty_type, dateClass: r.date_class,
      evidence: r.evidence ?? '', evidenceArticle: 0, note: r.note ?? '', confidence: r.confidence ?? '',
    }) as ApplicabilityRecord);
    const data = parseApplicability({ actors: [...new Set(raw.flatMap((r) => r.actors))], facts, derivedFacts: m.derived_facts, records: [] });
    parseApplicability({ ...data, records: records.map((r, i) => ({ ...r, ref: `${r.ref}#${i}` })) });
    return { data, rules: raw.map((r, i) => ({ requirementId: r.requirement_id, versionId: r.text_version_id, record: records[i], changes: r.changes })) };
  }

  /** The text versions of the shared EU AI Act catalog, with this organization's publication records; one statement. */
  async versions(org: string): Promise<TextVersionRow[]> {
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT v.id, v.framework_id, v.key, v.title, v.kind, v.legal_status, v.status_note, v.oj_reference, v.published_on::text, v.entry_into_force::text,
              v.entry_into_force_rule, v.position, v.metadata, m.framework_id::text || ' ' || m.content_sha256 || ' ' || m.updated_at::text AS stamp,
              p.id AS p_id, p.oj_reference AS p_oj, p.published_on::text AS p_published, p.entry_into_force::text AS p_eif, p.note AS p_note,
              p.recorded_by AS p_by, p.recorded_at AS p_at
       FROM applicability_model m
       JOIN framework f ON f.id = m.framework_id
       JOIN legal_text_version v ON v.framework_id = m.framework_id
       LEFT JOIN amendment_publication p ON p.text_version_id = v.id AND p.organization_id = $1
       WHERE f.key = $2 AND f.organization_id IS NULL
         AND f.id = (SELECT f2.id FROM framework f2 WHERE f2.key = $2 AND f2.organization_id IS NULL ORDER BY f2.released_on DESC NULLS LAST LIMIT 1)
       ORDER BY v.position`,
      [org, EU_FRAMEWORK_KEY],
    );
    return rows.map((r) => {
      const pub = r.p_oj ? { id: r.p_id as string, ojReference: r.p_oj as string, publishedOn: r.p_published as string, entryIntoForce: r.p_eif as string, note: r.p_note as string | null, recordedBy: r.p_by as string, recordedAt: r.p_at as Date } : null;
      return {
        id: r.id as string, frameworkId: r.framework_id as string, stamp: r.stamp as string,
        key: r.key as string, title: r.title as string, kind: r.kind as 'BASE' | 'AMENDMENT', position: r.position as number,
        legalStatus: pub ? 'PUBLISHED' : (r.legal_status as TextVersionRow['legalStatus']),
        statusNote: r.status_note as string | null,
        officialJournal: pub?.ojReference ?? (r.oj_reference as string | null),
        publishedOn: pub?.publishedOn ?? (r.published_on as string | null),
        entryIntoForce: pub?.entryIntoForce ?? (r.entry_into_force as string | null),
        entryIntoForceRule: r.entry_into_force_rule as string | null,
        publication: pub,
        metadata: r.metadata as Record<string, unknown>,
      };
    });
  }

  /**
   * Records, for this organization, that an amendment was published in the Official Journal. Recording it
   * again corrects the record. The entry into force defaults to the amendment's own rule when it is the
   * usual "third day following publication"; otherwise it must be given.
   */
  async recordPublication(org: string, actor: string, input: { amendment: string; ojReference: string; publishedOn: string; entryIntoForce?: string | null; note?: string | null }): Promise<TextVersionRow> {
    const versions = await this.versions(org);
    const v = versions.find((x) => x.key === input.amendment);
    if (!v) throw notFound(`No amendment "${input.amendment.slice(0, 100)}"`, { field: 'amendment' });
    if (v.kind !== 'AMENDMENT') throw badInput('amendment', `"${v.key}" is the text as published, not an amendment`);
    const oj = input.ojReference.trim();
    if (!oj) throw badInput('ojReference', 'ojReference must not be empty (e.g. "OJ L, 2026/1234, 10.7.2026")');
    // A publication is a fact of the past: the hub records it, it does not plan it (ADOPTED plans).
    if (input.publishedOn > new Date().toISOString().slice(0, 10)) throw badInput('publishedOn', 'publishedOn cannot be in the future');
    let eif = input.entryIntoForce ?? null;
    if (!eif) {
      if (!/third day following (its )?publication/i.test(v.entryIntoForceRule ?? '')) throw badInput('entryIntoForce', 'entryIntoForce is required: the amendment records no rule to derive it from');
      const d = new Date(`${input.publishedOn}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + 3);
      eif = d.toISOString().slice(0, 10);
    }
    if (eif < input.publishedOn) throw badInput('entryIntoForce', 'entryIntoForce cannot be before publishedOn');
    await this.ds.query(
      `INSERT INTO amendment_publication (organization_id, text_version_id, oj_reference, published_on, entry_into_force, note, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT ON CONSTRAINT uq_amendment_publication DO UPDATE SET oj_reference = EXCLUDED.oj_reference, published_on = EXCLUDED.published_on,
         entry_into_force = EXCLUDED.entry_into_force, note = EXCLUDED.note, recorded_by = EXCLUDED.recorded_by, recorded_at = now()`,
      [org, v.id, oj, input.publishedOn, eif, input.note?.trim() || null, actor],
    );
    return (await this.versions(org)).find((x) => x.key === input.amendment)!;
  }
}

/**
 * The pure rule over a loaded model: every duty-bearing node that is not ABSENT for the system, under a
 * basis, on a day. Permissions (a derogation an authority grants, a sandbox's conditions) are not duties
 * and are left out.
 */
export function classifySystem(model: EuModel, actors: readonly string[], facts: Record<string, unknown>, day: string, basis: TextBasis): DutyAnswer[] {
  const out: DutyAnswer[] = [];
  // Answers the model no longer knows (a fact renamed by a newer catalog) count as unanswered, not as an error.
  const usable = Object.fromEntries(Object.entries(facts as SystemFacts).filter(([name, v]) => {
    try { checkSystemFacts(model.data, { [name]: v }); return true; } catch { return false; }
  }));
  const classify = classifierFor(model.data, { roles: actors, facts: usable });
  for (const [requirementId, rules] of model.rules) {
    const rule = chooseRule(rules, basis, day);
    if (!rule || rule.record.dutyType === 'PERMISSION') continue;
    const c = classify(rule.record, day);
    if (c.status !== 'ABSENT') out.push({ requirementId, rule, classification: c });
  }
  return out;
}
