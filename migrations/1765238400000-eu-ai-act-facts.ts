import { MigrationInterface, QueryRunner } from 'typeorm';

const ORG = `nullif(current_setting('app.organization_id', true), '')::uuid`;

/** Art. 50 triggers: a MINIMAL_RISK classification said none of them holds. */
const ART50_TRIGGERS = ['interactsWithPersons', 'generatesSyntheticContent', 'emotionRecognitionOrBiometricCategorisation', 'deepFake', 'publicInterestText'];

/**
 * The EU AI Act layer from the facts of each system (issue 12):
 * - ai_system.eu_facts: the answered facts of the applicability table (name -> value; an absent name is
 *   unanswered). Existing systems get the facts their risk class and route already stated, and nothing
 *   more (see FROM_CLASS): the class said "high-risk via Annex III" or "not high-risk", never "not GPAI".
 * - legal_text_version: the text a date comes from, the Regulation as published and each amendment, with
 *   its legal status; applicability_rule: each duty-bearing node's actors, condition and dates per text
 *   version (a version row exists where the amendment changes or adds the rule); applicability_model:
 *   the fact definitions and derived facts the conditions use. Shared catalog data, written by the seeder.
 * - amendment_publication: an organization's record that an amendment was published in the Official
 *   Journal (reference, dates, who), which moves its IN_FORCE answers. Per organization, so no tenant
 *   can change another's view of the law.
 */
export class EuAiActFacts1765238400000 implements MigrationInterface {
  name = 'EuAiActFacts1765238400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ai_system ADD COLUMN eu_facts jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(`ALTER TABLE ai_system ADD CONSTRAINT ck_ai_system_eu_facts CHECK (jsonb_typeof(eu_facts) = 'object')`);
    // The facts each existing classification stated (the same mapping as classFacts() in src/modules/ai-system/eu-facts.ts).
    const classified = `risk_class IS NOT NULL`;
    await q.query(`UPDATE ai_system SET eu_facts = eu_facts || jsonb_build_object('outOfScopeExclusion', false) WHERE ${classified}`);
    await q.query(`UPDATE ai_system SET eu_facts = eu_facts || jsonb_build_object('highRiskRoute', 'ANNEX_III', 'art6_3Derogation', false)
                   WHERE risk_class = 'HIGH_RISK' AND high_risk_route = 'ANNEX_III'`);
    await q.query(`UPDATE ai_system SET eu_facts = eu_facts || jsonb_build_object('annexIIIPoint', '2')
                   WHERE risk_class = 'HIGH_RISK' AND high_risk_route = 'ANNEX_III' AND annex_iii_area ~ '^\\s*2(\\D|$)'`);
    await q.query(`UPDATE ai_system SET eu_facts = eu_facts || jsonb_build_object('highRiskRoute', 'ANNEX_I_A')
                   WHERE risk_class = 'HIGH_RISK' AND high_risk_route = 'ANNEX_I'`);
    await q.query(`UPDATE ai_system SET eu_facts = eu_facts || jsonb_build_object('highRiskRoute', 'NONE') WHERE ${classified} AND risk_class <> 'HIGH_RISK'`);
    await q.query(`UPDATE ai_system SET eu_facts = eu_facts || jsonb_build_object(${ART50_TRIGGERS.map((f) => `'${f}', false`).join(', ')}) WHERE risk_class = 'MINIMAL_RISK'`);
    await q.query(`UPDATE ai_system SET eu_facts = eu_facts || jsonb_build_object('gpaiModel', true, 'gpaiSystemicRisk', risk_class = 'GPAI_SYSTEMIC_RISK')
                   WHERE risk_class IN ('GPAI', 'GPAI_SYSTEMIC_RISK')`);

    await q.query(`
      CREATE TABLE legal_text_version (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        framework_id uuid NOT NULL,
        key text NOT NULL,
        title text NOT NULL,
        kind text NOT NULL,
        legal_status text NOT NULL,
        status_note text,
        oj_reference text,
        published_on date,
        entry_into_force date,
        entry_into_force_rule text,
        position int NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_legal_text_version PRIMARY KEY (id),
        CONSTRAINT fk_legal_text_version_framework FOREIGN KEY (framework_id) REFERENCES framework (id) ON DELETE CASCADE,
        CONSTRAINT uq_legal_text_version_key UNIQUE (framework_id, key),
        CONSTRAINT ck_legal_text_version_kind CHECK (kind IN ('BASE', 'AMENDMENT')),
        CONSTRAINT ck_legal_text_version_status CHECK (legal_status IN ('PROPOSED', 'ADOPTED', 'PUBLISHED')),
        CONSTRAINT ck_legal_text_version_published CHECK (legal_status <> 'PUBLISHED' OR (published_on IS NOT NULL AND entry_into_force IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE applicability_model (
        framework_id uuid NOT NULL,
        facts jsonb NOT NULL,
        fact_names text[] NOT NULL,
        derived_facts jsonb NOT NULL,
        content_sha256 text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_applicability_model PRIMARY KEY (framework_id),
        CONSTRAINT fk_applicability_model_framework FOREIGN KEY (framework_id) REFERENCES framework (id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE applicability_rule (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        framework_id uuid NOT NULL,
        requirement_id uuid NOT NULL,
        text_version_id uuid NOT NULL,
        ref text NOT NULL,
        actors text[] NOT NULL,
        condition jsonb NOT NULL,
        applies_from jsonb NOT NULL,
        duty_type text NOT NULL,
        date_class text NOT NULL,
        evidence text,
        note text,
        confidence text,
        changes text[] NOT NULL DEFAULT '{}',
        CONSTRAINT pk_applicability_rule PRIMARY KEY (id),
        CONSTRAINT fk_applicability_rule_framework FOREIGN KEY (framework_id) REFERENCES framework (id) ON DELETE CASCADE,
        CONSTRAINT fk_applicability_rule_requirement FOREIGN KEY (requirement_id) REFERENCES requirement (id) ON DELETE CASCADE,
        CONSTRAINT fk_applicability_rule_version FOREIGN KEY (text_version_id) REFERENCES legal_text_version (id) ON DELETE CASCADE,
        CONSTRAINT uq_applicability_rule UNIQUE (requirement_id, text_version_id),
        CONSTRAINT ck_applicability_rule_duty CHECK (duty_type IN ('DUTY', 'PERMISSION', 'TRANSITIONAL'))
      )`);
    await q.query(`CREATE INDEX ix_applicability_rule_framework ON applicability_rule (framework_id)`);
    await q.query(`
      CREATE TABLE amendment_publication (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        text_version_id uuid NOT NULL,
        oj_reference text NOT NULL,
        published_on date NOT NULL,
        entry_into_force date NOT NULL,
        note text,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_amendment_publication PRIMARY KEY (id),
        CONSTRAINT fk_amendment_publication_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE,
        CONSTRAINT fk_amendment_publication_version FOREIGN KEY (text_version_id) REFERENCES legal_text_version (id) ON DELETE CASCADE,
        CONSTRAINT uq_amendment_publication UNIQUE (organization_id, text_version_id),
        CONSTRAINT ck_amendment_publication_dates CHECK (entry_into_force >= published_on),
        CONSTRAINT ck_amendment_publication_oj_reference CHECK (length(oj_reference) BETWEEN 1 AND 200),
        CONSTRAINT ck_amendment_publication_note CHECK (length(note) <= 2000)
      )`);
    await q.query(`ALTER TABLE amendment_publication ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE amendment_publication FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY p_amendment_publication_organization ON amendment_publication USING (organization_id = ${ORG}) WITH CHECK (organization_id = ${ORG})`);
    await q.query(grantFunction(true));
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(grantFunction(false));
    await q.query(`DROP TABLE amendment_publication`);
    await q.query(`DROP TABLE applicability_rule`);
    await q.query(`DROP TABLE applicability_model`);
    await q.query(`DROP TABLE legal_text_version`);
    await q.query(`ALTER TABLE ai_system DROP COLUMN eu_facts`);
  }
}

/** hub_grant_application_role as in the least-privilege migration, plus (withPublications) amendment_publication. */
export function grantFunction(withPublications: boolean): string {
  const written = ['ai_system', 'applicability_decision', 'evidence', 'evidence_link', 'gate_task', 'impact_assessment',
    'internal_audit', 'nonconformity', 'prefill_rejection', 'register_record', ...(withPublications ? ['amendment_publication'] : [])];
  return `
    CREATE OR REPLACE FUNCTION hub_grant_application_role(app name) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE t text;
    BEGIN
      EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app);
      EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', app);
      EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', app);
      EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app);
      FOREACH t IN ARRAY ARRAY[${written.map((t) => `'${t}'`).join(', ')}] LOOP
        EXECUTE format('GRANT INSERT, UPDATE ON %I TO %I', t, app);
      END LOOP;
      FOREACH t IN ARRAY ARRAY['ai_system_history', 'audit_finding', 'evidence_review', 'evidence_revision', 'measurement',
                               'oversight_point', 'oversight_record'] LOOP
        EXECUTE format('GRANT INSERT ON %I TO %I', t, app);
      END LOOP;
      FOREACH t IN ARRAY ARRAY['framework', 'requirement', 'mapping_source'] LOOP
        EXECUTE format('GRANT INSERT ON %I TO %I', t, app);
      END LOOP;
      FOREACH t IN ARRAY ARRAY['mapping', 'mapping_closure', 'evidence_rollup'] LOOP
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %I TO %I', t, app);
      END LOOP;
      EXECUTE format('GRANT INSERT, UPDATE (revoked_at) ON api_token TO %I', app);
      EXECUTE format('GRANT EXECUTE ON FUNCTION hub_authenticate_token(text) TO %I', app);
      EXECUTE format('GRANT EXECUTE ON FUNCTION hub_audit_append(jsonb) TO %I', app);
    END $$`;
}
