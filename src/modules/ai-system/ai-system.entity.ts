import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DateTime } from '../../graphql/scalars';
import { Node } from '../../graphql/node.type';
import type { FactValue } from './applicability.rules';
import { EuRole, GateTaskStatus, HighRiskRoute, LifecycleStage, OversightModel, RiskClass } from './ai-system.enums';

@ObjectType({ description: 'A third-party component of an AI system.' })
export class AiComponent {
  @Field({ description: 'Supplier.' }) supplier: string;
  @Field({ description: 'Model or product.' }) model: string;
  @Field(() => String, { nullable: true, description: 'Version.' }) version: string | null;
}

/** Fields whose change means the last impact assessment may no longer describe the system. */
export const MATERIAL_FIELDS = ['intendedPurpose', 'euRoles', 'riskClass', 'highRiskRoute', 'annexIIIArea', 'euFacts', 'oversightModel', 'components', 'dataCategories'] as const;

@ObjectType({ implements: Node, description: 'An AI system the organization builds or uses: the register entry behind its obligations, assessments and oversight.' })
@Entity({ name: 'ai_system' })
export class AiSystem implements Node {
  @Field(() => ID, { description: 'Globally unique id (a UUID).' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Field({ description: 'Name, unique in the organization.' }) @Column('text') name: string;
  @Field(() => String, { nullable: true, description: 'What it is.' }) @Column('text', { nullable: true }) description: string | null;
  @Field(() => String, { nullable: true, description: 'What it is for (ISO/IEC 42001 A.9.4, EU AI Act Art. 3(12)).' })
  @Column('text', { name: 'intended_purpose', nullable: true }) intendedPurpose: string | null;
  @Field(() => String, { nullable: true, description: 'Accountable owner.' }) @Column('text', { nullable: true }) owner: string | null;
  @Field(() => String, { nullable: true, description: 'Business unit.' }) @Column('text', { name: 'business_unit', nullable: true }) businessUnit: string | null;
  @Field(() => LifecycleStage, { description: 'Life-cycle stage.' }) @Column('text', { name: 'lifecycle_stage' }) lifecycleStage: LifecycleStage;
  @Field(() => [EuRole], { description: "The organization's EU AI Act roles for this system." }) @Column('text', { name: 'eu_roles', array: true }) euRoles: EuRole[];
  @Field(() => RiskClass, { nullable: true, description: 'The organization\'s own EU AI Act risk label; null while not classified. Setting it answers the facts it implies (see euFacts); duties follow euFacts.' }) @Column('text', { name: 'risk_class', nullable: true }) riskClass: RiskClass | null;
  @Field(() => HighRiskRoute, { nullable: true, description: 'For HIGH_RISK: Annex III use case or Annex I product.' }) @Column('text', { name: 'high_risk_route', nullable: true }) highRiskRoute: HighRiskRoute | null;
  @Field(() => String, { nullable: true, description: 'For Annex III: the area (e.g. "4. Employment").' }) @Column('text', { name: 'annex_iii_area', nullable: true }) annexIIIArea: string | null;
  /** EU AI Act facts answered (name -> value; unanswered facts are absent); GraphQL shows them through AiSystemFactsResolver. */
  @Column('jsonb', { name: 'eu_facts' }) euFacts: Record<string, FactValue>;
  @Field(() => String, { nullable: true, description: 'Why the class was chosen.' }) @Column('text', { name: 'classification_rationale', nullable: true }) classificationRationale: string | null;
  @Field(() => OversightModel, { nullable: true, description: 'Human-oversight model.' }) @Column('text', { name: 'oversight_model', nullable: true }) oversightModel: OversightModel | null;
  @Field(() => [AiComponent], { description: 'Third-party components.' }) @Column('jsonb') components: AiComponent[];
  @Field(() => [String], { description: 'Categories of data it processes.' }) @Column('text', { name: 'data_categories', array: true }) dataCategories: string[];
  @Field(() => Int, { description: 'Register version: +1 on every change.' }) @Column('int') version: number;
  @Field(() => DateTime, { description: 'Last change of a field that matters for its impact assessment.' }) @Column('timestamptz', { name: 'material_changed_at' }) materialChangedAt: Date;
  @Field({ description: 'Who registered it.' }) @Column('text', { name: 'created_by' }) createdBy: string;
  @Field(() => DateTime, { description: 'When it was registered.' }) @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Field(() => DateTime, { description: 'When it last changed.' }) @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}

@ObjectType({ description: 'One change of a register entry, with the full entry after it.' })
@Entity({ name: 'ai_system_history' })
export class AiSystemChange {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Column('uuid', { name: 'ai_system_id' }) aiSystemId: string;
  @Field(() => Int, { description: 'Version after the change.' }) @Column('int') version: number;
  @Field({ description: 'What happened: REGISTERED, UPDATED (with the fields), STAGE, STAGE_OVERRIDE.' }) @Column('text') change: string;
  @Field(() => String, { nullable: true, description: 'Why (required for a stage override).' }) @Column('text', { nullable: true }) reason: string | null;
  @Field(() => GraphQLJSONObject, { description: 'The entry after the change.' }) @Column('jsonb') snapshot: Record<string, unknown>;
  @Field({ description: 'Who.' }) @Column('text', { name: 'changed_by' }) changedBy: string;
  @Field(() => DateTime, { description: 'When.' }) @Column('timestamptz', { name: 'changed_at' }) changedAt: Date;
}

@ObjectType({ description: 'A task that must be done (or justified) before a system enters a life-cycle stage.' })
@Entity({ name: 'gate_task' })
export class GateTask {
  @Field(() => ID, { description: 'Task id.' }) @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Column('uuid', { name: 'ai_system_id' }) aiSystemId: string;
  @Field(() => LifecycleStage, { description: 'The stage this task gates.' }) @Column('text') stage: LifecycleStage;
  @Field({ description: 'What must be done.' }) @Column('text') title: string;
  @Field(() => String, { nullable: true, description: 'Who does it.' }) @Column('text', { nullable: true }) owner: string | null;
  @Field(() => DateTime, { nullable: true, description: 'When it is due.' }) @Column('timestamptz', { name: 'due_at', nullable: true }) dueAt: Date | null;
  @Field(() => GateTaskStatus, { description: 'OPEN, DONE or WONT_DO.' }) @Column('text') status: GateTaskStatus;
  @Field(() => String, { nullable: true, description: 'Why it will not be done.' }) @Column('text', { nullable: true }) justification: string | null;
  @Column('uuid', { name: 'requirement_ids', array: true }) requirementIds: string[];
}
