import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DateTime } from '../../graphql/scalars';

export enum FindingType { MAJOR_NC = 'MAJOR_NC', MINOR_NC = 'MINOR_NC', OBSERVATION = 'OBSERVATION', OPPORTUNITY = 'OPPORTUNITY' }
export enum NcSource { AUDIT_FINDING = 'AUDIT_FINDING', INCIDENT = 'INCIDENT', COMPLAINT = 'COMPLAINT', MONITORING = 'MONITORING' }
export enum NcStatus { OPEN = 'OPEN', CLOSED = 'CLOSED' }
export enum Effectiveness { EFFECTIVE = 'EFFECTIVE', NOT_EFFECTIVE = 'NOT_EFFECTIVE' }
export enum RegisterKind {
  MANAGEMENT_REVIEW = 'MANAGEMENT_REVIEW', RISK = 'RISK', CHANGE_REQUEST = 'CHANGE_REQUEST', POLICY = 'POLICY',
  OBJECTIVE = 'OBJECTIVE', MONITORING_METRIC = 'MONITORING_METRIC', IMPROVEMENT = 'IMPROVEMENT',
}

registerEnumType(FindingType, {
  name: 'FindingType', description: 'Kind of audit finding.',
  valuesConfig: { MAJOR_NC: { description: 'Major nonconformity.' }, MINOR_NC: { description: 'Minor nonconformity.' }, OBSERVATION: { description: 'Observation.' }, OPPORTUNITY: { description: 'Opportunity for improvement.' } },
});
registerEnumType(NcSource, {
  name: 'NonconformitySource', description: 'Where a nonconformity came from.',
  valuesConfig: { AUDIT_FINDING: { description: 'An internal audit finding.' }, INCIDENT: { description: 'An incident.' }, COMPLAINT: { description: 'A complaint.' }, MONITORING: { description: 'A monitoring breach.' } },
});
registerEnumType(NcStatus, { name: 'NonconformityStatus', description: 'Open or closed.', valuesConfig: { OPEN: { description: 'Being handled.' }, CLOSED: { description: 'Closed after an effective check.' } } });
registerEnumType(Effectiveness, { name: 'Effectiveness', description: 'Result of the effectiveness check.', valuesConfig: { EFFECTIVE: { description: 'The corrective action worked.' }, NOT_EFFECTIVE: { description: 'It did not; the NC stays open.' } } });
registerEnumType(RegisterKind, {
  name: 'RegisterKind',
  description: 'Kinds of simple register records; their data fields are listed in docs/record-evidence.md.',
  valuesConfig: {
    MANAGEMENT_REVIEW: { description: 'Management review (9.3).' }, RISK: { description: 'AI risk (6.1.2, 6.1.3, 8.2, 8.3).' },
    CHANGE_REQUEST: { description: 'Model change request (6.3, A.6.2).' }, POLICY: { description: 'AI policy document (5.2, A.2).' },
    OBJECTIVE: { description: 'AI objective with measurements (6.2).' }, MONITORING_METRIC: { description: 'Monitoring metric of a system, with thresholds and measurements (9.1, A.6.2.6, Art. 72).' },
    IMPROVEMENT: { description: 'Improvement log entry (10.1).' },
  },
});

@ObjectType({ description: 'An internal audit (ISO/IEC 27001 and 42001 clause 9.2, one record for both).' })
@Entity({ name: 'internal_audit' })
export class InternalAudit {
  @Field(() => ID, { description: 'Audit id.' }) @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Field({ description: 'Title.' }) @Column('text') title: string;
  @Field(() => String, { nullable: true, description: 'Audit programme it belongs to.' }) @Column('text', { nullable: true }) programme: string | null;
  @Field(() => [String], { description: 'Framework keys in scope.' }) @Column('text', { name: 'scope_frameworks', array: true }) scopeFrameworks: string[];
  @Field(() => DateTime, { nullable: true, description: 'When planned.' }) @Column('timestamptz', { name: 'planned_at', nullable: true }) plannedAt: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'When performed; then it counts as evidence.' }) @Column('timestamptz', { name: 'performed_at', nullable: true }) performedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'Auditor.' }) @Column('text', { nullable: true }) auditor: string | null;
}

@ObjectType({ description: 'A finding of an internal audit.' })
@Entity({ name: 'audit_finding' })
export class AuditFinding {
  @Field(() => ID, { description: 'Finding id.' }) @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Column('uuid', { name: 'audit_id' }) auditId: string;
  @Field(() => FindingType, { description: 'Kind.' }) @Column('text') type: FindingType;
  @Field({ description: 'What was found.' }) @Column('text') description: string;
  @Column('uuid', { name: 'requirement_ids', array: true }) requirementIds: string[];
}

@ObjectType({ description: 'A nonconformity and its corrective action (clause 10.2 of both standards).' })
@Entity({ name: 'nonconformity' })
export class Nonconformity {
  @Field(() => ID, { description: 'NC id.' }) @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Field(() => NcSource, { description: 'Source.' }) @Column('text') source: NcSource;
  @Column('uuid', { name: 'finding_id', nullable: true }) findingId: string | null;
  @Column('uuid', { name: 'ai_system_id', nullable: true }) aiSystemId: string | null;
  @Field({ description: 'What is wrong.' }) @Column('text') description: string;
  @Field(() => String, { nullable: true, description: 'Root cause.' }) @Column('text', { name: 'root_cause', nullable: true }) rootCause: string | null;
  @Field(() => String, { nullable: true, description: 'Immediate correction.' }) @Column('text', { nullable: true }) correction: string | null;
  @Field(() => String, { nullable: true, description: 'Corrective action against recurrence.' }) @Column('text', { name: 'corrective_action', nullable: true }) correctiveAction: string | null;
  @Field(() => String, { nullable: true, description: 'Owner.' }) @Column('text', { nullable: true }) owner: string | null;
  @Field(() => DateTime, { nullable: true, description: 'Due.' }) @Column('timestamptz', { name: 'due_at', nullable: true }) dueAt: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'When effectiveness was checked.' }) @Column('timestamptz', { name: 'effectiveness_checked_at', nullable: true }) effectivenessCheckedAt: Date | null;
  @Field(() => Effectiveness, { nullable: true, description: 'Result of the check.' }) @Column('text', { name: 'effectiveness_result', nullable: true }) effectivenessResult: Effectiveness | null;
  @Field(() => NcStatus, { description: 'OPEN or CLOSED.' }) @Column('text') status: NcStatus;
  @Field(() => DateTime, { nullable: true, description: 'When closed.' }) @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt: Date | null;
  @Field(() => DateTime, { description: 'When raised.' }) @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}

@ObjectType({ description: 'A record of a simple register: management review, risk, change request, policy, objective, monitoring metric or improvement.' })
@Entity({ name: 'register_record' })
export class RegisterRecord {
  @Field(() => ID, { description: 'Record id.' }) @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Field(() => RegisterKind, { description: 'Kind.' }) @Column('text') kind: RegisterKind;
  @Column('uuid', { name: 'ai_system_id', nullable: true }) aiSystemId: string | null;
  @Field({ description: 'Title.' }) @Column('text') title: string;
  @Field({ description: 'Status; allowed values depend on the kind (docs/record-evidence.md).' }) @Column('text') status: string;
  @Field(() => GraphQLJSONObject, { description: 'The kind\'s own fields, validated per kind (docs/record-evidence.md).' }) @Column('jsonb') data: Record<string, unknown>;
  @Field(() => String, { nullable: true, description: 'Owner.' }) @Column('text', { nullable: true }) owner: string | null;
  @Field(() => DateTime, { description: 'When it took effect (review held, risk assessed, policy approved...).' }) @Column('timestamptz', { name: 'effective_at' }) effectiveAt: Date;
  @Field(() => DateTime, { nullable: true, description: 'When it must be reviewed; evidence from it is stale afterwards.' }) @Column('timestamptz', { name: 'review_due', nullable: true }) reviewDue: Date | null;
  @Field(() => DateTime, { description: 'Created.' }) @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Field(() => DateTime, { description: 'Last changed.' }) @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}

@ObjectType({ description: 'A measurement of an objective or monitoring metric.' })
@Entity({ name: 'measurement' })
export class Measurement {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Column('uuid', { name: 'record_id' }) recordId: string;
  @Field(() => DateTime, { description: 'When measured.' }) @Column('timestamptz', { name: 'measured_at' }) measuredAt: Date;
  @Field(() => Float, { description: 'Value.' }) @Column('double precision') value: number;
  @Field({ description: 'Idempotency key from the source.' }) @Column('text', { name: 'external_id' }) externalId: string;
}
