import { MigrationInterface, QueryRunner } from 'typeorm';

const ORG = (table: string) => `CONSTRAINT fk_${table}_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE`;
const SYSTEM = (table: string, nullable = false) =>
  `CONSTRAINT fk_${table}_ai_system FOREIGN KEY (ai_system_id) REFERENCES ai_system (id) ON DELETE ${nullable ? 'SET NULL' : 'CASCADE'}`;

/**
 * The AI management system: AI system register (with history and lifecycle gates), impact assessments,
 * human oversight, and the management-system registers shared by ISO/IEC 27001 and 42001. Evidence
 * gains an optional AI system scope and a reference to the register record it stands for.
 */
export class AiManagementSystem1764374400000 implements MigrationInterface {
  name = 'AiManagementSystem1764374400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ai_system (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        name text NOT NULL,
        description text,
        intended_purpose text,
        owner text,
        business_unit text,
        lifecycle_stage text NOT NULL DEFAULT 'IDEA',
        eu_roles text[] NOT NULL DEFAULT '{}',
        risk_class text,
        high_risk_route text,
        annex_iii_area text,
        classification_rationale text,
        oversight_model text,
        components jsonb NOT NULL DEFAULT '[]'::jsonb,
        data_categories text[] NOT NULL DEFAULT '{}',
        version integer NOT NULL DEFAULT 1,
        material_changed_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_ai_system PRIMARY KEY (id),
        ${ORG('ai_system')},
        CONSTRAINT uq_ai_system_name UNIQUE (organization_id, name),
        CONSTRAINT ck_ai_system_stage CHECK (lifecycle_stage IN ('IDEA', 'DESIGN', 'DEVELOPMENT', 'VERIFICATION', 'DEPLOYMENT', 'OPERATION', 'RETIRED')),
        CONSTRAINT ck_ai_system_roles CHECK (eu_roles <@ ARRAY['PROVIDER', 'DEPLOYER', 'IMPORTER', 'DISTRIBUTOR', 'AUTHORISED_REPRESENTATIVE', 'PRODUCT_MANUFACTURER']::text[]),
        CONSTRAINT ck_ai_system_risk CHECK (risk_class IN ('PROHIBITED', 'HIGH_RISK', 'LIMITED_RISK', 'MINIMAL_RISK', 'GPAI', 'GPAI_SYSTEMIC_RISK')),
        CONSTRAINT ck_ai_system_route CHECK (high_risk_route IN ('ANNEX_III', 'ANNEX_I')),
        CONSTRAINT ck_ai_system_route_needed CHECK ((risk_class = 'HIGH_RISK') = (high_risk_route IS NOT NULL)),
        CONSTRAINT ck_ai_system_oversight CHECK (oversight_model IN ('HUMAN_IN_THE_LOOP', 'HUMAN_ON_THE_LOOP', 'HUMAN_IN_COMMAND'))
      )`);
    await q.query(`
      CREATE TABLE ai_system_history (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        ai_system_id uuid NOT NULL,
        version integer NOT NULL,
        change text NOT NULL,
        reason text,
        snapshot jsonb NOT NULL,
        changed_by text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_ai_system_history PRIMARY KEY (id),
        ${ORG('ai_system_history')},
        ${SYSTEM('ai_system_history')}
      )`);
    await q.query(`CREATE INDEX ix_ai_system_history_system ON ai_system_history (ai_system_id, changed_at)`);

    await q.query(`ALTER TABLE evidence ADD COLUMN ai_system_id uuid, ADD COLUMN record_type text, ADD COLUMN record_id uuid`);
    await q.query(`ALTER TABLE evidence ADD ${SYSTEM('evidence')}`);
    await q.query(`CREATE INDEX ix_evidence_ai_system ON evidence (ai_system_id) WHERE ai_system_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE gate_task (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        ai_system_id uuid NOT NULL,
        stage text NOT NULL,
        title text NOT NULL,
        owner text,
        due_at timestamptz,
        status text NOT NULL DEFAULT 'OPEN',
        justification text,
        requirement_ids uuid[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_gate_task PRIMARY KEY (id),
        ${ORG('gate_task')},
        ${SYSTEM('gate_task')},
        CONSTRAINT ck_gate_task_stage CHECK (stage IN ('DESIGN', 'DEVELOPMENT', 'VERIFICATION', 'DEPLOYMENT', 'OPERATION', 'RETIRED')),
        CONSTRAINT ck_gate_task_status CHECK (status IN ('OPEN', 'DONE', 'WONT_DO')),
        CONSTRAINT ck_gate_task_wont_do CHECK (status <> 'WONT_DO' OR length(trim(coalesce(justification, ''))) > 0)
      )`);

    await q.query(`
      CREATE TABLE impact_assessment (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        ai_system_id uuid NOT NULL,
        version integer NOT NULL,
        template text NOT NULL,
        status text NOT NULL DEFAULT 'DRAFT',
        sections jsonb NOT NULL DEFAULT '{}'::jsonb,
        assessor text,
        assessed_at timestamptz,
        approver text,
        approved_at timestamptz,
        decision_comment text,
        next_review_due timestamptz,
        submitted_at timestamptz,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_impact_assessment PRIMARY KEY (id),
        ${ORG('impact_assessment')},
        ${SYSTEM('impact_assessment')},
        CONSTRAINT uq_impact_assessment_version UNIQUE (ai_system_id, version),
        CONSTRAINT ck_impact_assessment_status CHECK (status IN ('DRAFT', 'IN_REVIEW', 'APPROVED', 'REJECTED'))
      )`);

    await q.query(`
      CREATE TABLE oversight_point (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        ai_system_id uuid NOT NULL,
        name text NOT NULL,
        location text,
        decision text,
        overseer_role text,
        mechanism text NOT NULL,
        trigger_criteria text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_oversight_point PRIMARY KEY (id),
        ${ORG('oversight_point')},
        ${SYSTEM('oversight_point')},
        CONSTRAINT uq_oversight_point_name UNIQUE (ai_system_id, name),
        CONSTRAINT ck_oversight_point_mechanism CHECK (mechanism IN ('PRE_APPROVAL', 'SAMPLED_REVIEW', 'OVERRIDE', 'STOP'))
      )`);
    await q.query(`
      CREATE TABLE oversight_record (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        point_id uuid NOT NULL,
        reviewer text NOT NULL,
        decided_at timestamptz NOT NULL,
        decision text NOT NULL,
        case_ref text NOT NULL,
        rationale text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_oversight_record PRIMARY KEY (id),
        ${ORG('oversight_record')},
        CONSTRAINT fk_oversight_record_point FOREIGN KEY (point_id) REFERENCES oversight_point (id) ON DELETE CASCADE,
        CONSTRAINT uq_oversight_record UNIQUE (point_id, case_ref, decided_at),
        CONSTRAINT ck_oversight_record_decision CHECK (decision IN ('APPROVED', 'OVERRIDDEN', 'ESCALATED', 'HALTED'))
      )`);
    await q.query(`CREATE INDEX ix_oversight_record_point_time ON oversight_record (point_id, decided_at)`);

    await q.query(`
      CREATE TABLE internal_audit (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        title text NOT NULL,
        programme text,
        scope_frameworks text[] NOT NULL DEFAULT '{}',
        planned_at timestamptz,
        performed_at timestamptz,
        auditor text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_internal_audit PRIMARY KEY (id),
        ${ORG('internal_audit')}
      )`);
    await q.query(`
      CREATE TABLE audit_finding (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        audit_id uuid NOT NULL,
        type text NOT NULL,
        description text NOT NULL,
        requirement_ids uuid[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_audit_finding PRIMARY KEY (id),
        ${ORG('audit_finding')},
        CONSTRAINT fk_audit_finding_audit FOREIGN KEY (audit_id) REFERENCES internal_audit (id) ON DELETE CASCADE,
        CONSTRAINT ck_audit_finding_type CHECK (type IN ('MAJOR_NC', 'MINOR_NC', 'OBSERVATION', 'OPPORTUNITY'))
      )`);
    await q.query(`
      CREATE TABLE nonconformity (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        source text NOT NULL,
        finding_id uuid,
        ai_system_id uuid,
        description text NOT NULL,
        root_cause text,
        correction text,
        corrective_action text,
        owner text,
        due_at timestamptz,
        effectiveness_checked_at timestamptz,
        effectiveness_result text,
        status text NOT NULL DEFAULT 'OPEN',
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_nonconformity PRIMARY KEY (id),
        ${ORG('nonconformity')},
        ${SYSTEM('nonconformity', true)},
        CONSTRAINT fk_nonconformity_finding FOREIGN KEY (finding_id) REFERENCES audit_finding (id) ON DELETE SET NULL,
        CONSTRAINT ck_nonconformity_source CHECK (source IN ('AUDIT_FINDING', 'INCIDENT', 'COMPLAINT', 'MONITORING')),
        CONSTRAINT ck_nonconformity_status CHECK (status IN ('OPEN', 'CLOSED')),
        CONSTRAINT ck_nonconformity_effectiveness CHECK (effectiveness_result IN ('EFFECTIVE', 'NOT_EFFECTIVE'))
      )`);
    // One table for the simple registers: each row is a record of a kind, with its own fields in data.
    // Keeping them together gives one history, one evidence rule table and one set of queries;
    // the kinds that need relations or workflow (audits, NCRs, assessments) have tables of their own.
    await q.query(`
      CREATE TABLE register_record (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        kind text NOT NULL,
        ai_system_id uuid,
        title text NOT NULL,
        status text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        owner text,
        effective_at timestamptz NOT NULL DEFAULT now(),
        review_due timestamptz,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_register_record PRIMARY KEY (id),
        ${ORG('register_record')},
        ${SYSTEM('register_record', true)},
        CONSTRAINT ck_register_record_kind CHECK (kind IN ('MANAGEMENT_REVIEW', 'RISK', 'CHANGE_REQUEST', 'POLICY', 'OBJECTIVE', 'MONITORING_METRIC', 'IMPROVEMENT'))
      )`);
    await q.query(`CREATE INDEX ix_register_record_org_kind ON register_record (organization_id, kind, created_at)`);
    await q.query(`
      CREATE TABLE measurement (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        record_id uuid NOT NULL,
        measured_at timestamptz NOT NULL,
        value double precision NOT NULL,
        external_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_measurement PRIMARY KEY (id),
        ${ORG('measurement')},
        CONSTRAINT fk_measurement_record FOREIGN KEY (record_id) REFERENCES register_record (id) ON DELETE CASCADE,
        CONSTRAINT uq_measurement UNIQUE (record_id, external_id)
      )`);
    await q.query(`CREATE INDEX ix_measurement_record_time ON measurement (record_id, measured_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const t of ['measurement', 'register_record', 'nonconformity', 'audit_finding', 'internal_audit', 'oversight_record', 'oversight_point', 'impact_assessment', 'gate_task']) {
      await q.query(`DROP TABLE ${t}`);
    }
    await q.query(`DELETE FROM evidence WHERE record_type IS NOT NULL`);
    await q.query(`ALTER TABLE evidence DROP CONSTRAINT fk_evidence_ai_system`);
    await q.query(`DROP INDEX ix_evidence_ai_system`);
    await q.query(`ALTER TABLE evidence DROP COLUMN ai_system_id, DROP COLUMN record_type, DROP COLUMN record_id`);
    await q.query(`DROP TABLE ai_system_history`);
    await q.query(`DROP TABLE ai_system`);
  }
}
