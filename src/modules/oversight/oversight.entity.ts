import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';

export enum OversightMechanism {
  PRE_APPROVAL = 'PRE_APPROVAL',
  SAMPLED_REVIEW = 'SAMPLED_REVIEW',
  OVERRIDE = 'OVERRIDE',
  STOP = 'STOP',
}
export enum OversightDecision {
  APPROVED = 'APPROVED',
  OVERRIDDEN = 'OVERRIDDEN',
  ESCALATED = 'ESCALATED',
  HALTED = 'HALTED',
}
registerEnumType(OversightMechanism, {
  name: 'OversightMechanism',
  description: 'How a person oversees at a point.',
  valuesConfig: {
    PRE_APPROVAL: { description: 'A person approves before the output takes effect.' },
    SAMPLED_REVIEW: { description: 'A person reviews a sample afterwards.' },
    OVERRIDE: { description: 'A person can override the output.' },
    STOP: { description: 'A person can stop the system.' },
  },
});
registerEnumType(OversightDecision, {
  name: 'OversightDecision',
  description: 'What the person decided.',
  valuesConfig: {
    APPROVED: { description: 'Let the output stand.' }, OVERRIDDEN: { description: 'Replaced the output.' },
    ESCALATED: { description: 'Passed the case up.' }, HALTED: { description: 'Stopped the system or process.' },
  },
});

@ObjectType({ description: 'A place in a system\'s flow where a person oversees a decision.' })
@Entity({ name: 'oversight_point' })
export class OversightPoint {
  @Field(() => ID, { description: 'Point id.' }) @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Column('uuid', { name: 'ai_system_id' }) aiSystemId: string;
  @Field({ description: 'Name, unique per system.' }) @Column('text') name: string;
  @Field(() => String, { nullable: true, description: 'Where in the flow.' }) @Column('text', { nullable: true }) location: string | null;
  @Field(() => String, { nullable: true, description: 'The decision at stake.' }) @Column('text', { nullable: true }) decision: string | null;
  @Field(() => String, { nullable: true, description: 'The role that oversees.' }) @Column('text', { name: 'overseer_role', nullable: true }) overseerRole: string | null;
  @Field(() => OversightMechanism, { description: 'Mechanism.' }) @Column('text') mechanism: OversightMechanism;
  @Field(() => String, { nullable: true, description: 'When oversight is triggered.' }) @Column('text', { name: 'trigger_criteria', nullable: true }) triggerCriteria: string | null;
}

@ObjectType({ description: 'One human-in-the-loop decision.' })
@Entity({ name: 'oversight_record' })
export class OversightRecord {
  @Field(() => ID, { description: 'Record id.' }) @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Column('uuid', { name: 'point_id' }) pointId: string;
  @Field({ description: 'Who decided.' }) @Column('text') reviewer: string;
  @Field(() => DateTime, { description: 'When.' }) @Column('timestamptz', { name: 'decided_at' }) decidedAt: Date;
  @Field(() => OversightDecision, { description: 'The decision.' }) @Column('text') decision: OversightDecision;
  @Field({ description: 'The case in the integrator\'s system.' }) @Column('text', { name: 'case_ref' }) caseRef: string;
  @Field(() => String, { nullable: true, description: 'Why.' }) @Column('text', { nullable: true }) rationale: string | null;
}

@InputType({ description: 'An oversight point.' })
export class AddOversightPointInput {
  @Field(() => ID, { description: 'The system.' }) aiSystemId: string;
  @Field({ description: 'Name, unique per system.' }) name: string;
  @Field(() => String, { nullable: true, description: 'Where in the flow.' }) location?: string | null;
  @Field(() => String, { nullable: true, description: 'The decision at stake.' }) decision?: string | null;
  @Field(() => String, { nullable: true, description: 'The role that oversees.' }) overseerRole?: string | null;
  @Field(() => OversightMechanism, { description: 'Mechanism.' }) mechanism: OversightMechanism;
  @Field(() => String, { nullable: true, description: 'Trigger criteria.' }) triggerCriteria?: string | null;
}

@InputType({ description: 'One oversight decision, idempotent on (pointId, caseRef, decidedAt).' })
export class OversightRecordInput {
  @Field(() => ID, { description: 'The oversight point.' }) pointId: string;
  @Field({ description: 'Who decided.' }) reviewer: string;
  @Field(() => DateTime, { description: 'When.' }) decidedAt: Date;
  @Field(() => OversightDecision, { description: 'The decision.' }) decision: OversightDecision;
  @Field({ description: 'Case reference in the source system.' }) caseRef: string;
  @Field(() => String, { nullable: true, description: 'Why.' }) rationale?: string | null;
}

@InputType({ description: 'Up to 5,000 oversight records.' })
export class RecordOversightInput {
  @Field(() => [OversightRecordInput], { description: 'The records.' }) items: OversightRecordInput[];
}

@ObjectType({ description: 'Result of one oversight item.' })
export class OversightItemResult {
  @Field(() => Int, { description: 'Index in the input.' }) index: number;
  @Field({ description: 'CREATED, UNCHANGED (already recorded) or FAILED.' }) outcome: string;
  @Field(() => String, { nullable: true, description: 'Why it failed.' }) error: string | null;
  @Field(() => String, { nullable: true, description: 'The field at fault.' }) field: string | null;
}

@ObjectType({ description: 'Result of recordOversight: good items stored, bad ones named.' })
export class RecordOversightPayload {
  @Field(() => Int, { description: 'Stored now.' }) created: number;
  @Field(() => Int, { description: 'Already stored.' }) unchanged: number;
  @Field(() => Int, { description: 'Refused.' }) failed: number;
  @Field(() => [OversightItemResult], { description: 'Per item, in input order.' }) results: OversightItemResult[];
}

@ObjectType({ description: 'Oversight volume of one point in one week.' })
export class OversightWeek {
  @Field({ description: 'Monday of the ISO week (UTC), YYYY-MM-DD.' }) weekStart: string;
  @Field(() => Int, { description: 'Decisions.' }) decisions: number;
  @Field(() => Int, { description: 'OVERRIDDEN decisions.' }) overrides: number;
}

@ObjectType({ description: 'Oversight at one point in a period.' })
export class OversightPointSummary {
  pointId: string;
  @Field(() => OversightPoint, { description: 'The point.' }) point?: OversightPoint;
  @Field(() => Int, { description: 'Decisions in the period.' }) decisions: number;
  @Field(() => Int, { description: 'OVERRIDDEN decisions.' }) overrides: number;
  @Field(() => Float, { nullable: true, description: 'overrides / decisions; null with no decisions.' }) overrideRate: number | null;
  @Field(() => [OversightWeek], { description: 'Per week.' }) weeks: OversightWeek[];
  @Field({ description: 'True when the point is defined but has no record in the period: a gap.' }) silent: boolean;
}
