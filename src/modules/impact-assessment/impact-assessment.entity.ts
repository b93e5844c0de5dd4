import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { Node } from '../../graphql/node.type';
import { AssessmentTemplate } from './impact-assessment.rules';

export enum AssessmentStatus {
  DRAFT = 'DRAFT',
  IN_REVIEW = 'IN_REVIEW',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}

registerEnumType(AssessmentStatus, {
  name: 'AssessmentStatus',
  description: 'Workflow of an impact assessment version: editable only as DRAFT.',
  valuesConfig: {
    DRAFT: { description: 'Being written; editable.' },
    IN_REVIEW: { description: 'Submitted; immutable.' },
    APPROVED: { description: 'Approved; counts as evidence until nextReviewDue.' },
    REJECTED: { description: 'Rejected; start a new version.' },
  },
});
registerEnumType(AssessmentTemplate, {
  name: 'AssessmentTemplate',
  description: 'Which sections an assessment must have.',
  valuesConfig: {
    BASE: { description: 'AI system impact assessment (ISO/IEC 42001 6.1.4, 8.4, A.5).' },
    HIGH_RISK_DEPLOYER: { description: 'The base sections plus the fundamental rights impact assessment elements of EU AI Act Art. 27(1): for a system to which Art. 27(1) binds, will bind or may bind (CONDITIONAL).' },
  },
});

@ObjectType({ description: 'A section of an assessment.' })
export class AssessmentSection {
  @Field({ description: 'Section key.' }) key: string;
  @Field({ description: 'What the section covers.' }) title: string;
  @Field({ description: 'Whether approval needs it filled.' }) required: boolean;
  @Field(() => String, { nullable: true, description: 'The text; null when empty.' }) text: string | null;
}

@ObjectType({ description: 'How one section differs between two versions.' })
export class SectionDiffType {
  @Field({ description: 'Section key.' }) key: string;
  @Field({ description: 'Section title.' }) title: string;
  @Field(() => String, { nullable: true, description: 'Text in the older version.' }) from: string | null;
  @Field(() => String, { nullable: true, description: 'Text in the newer version.' }) to: string | null;
  @Field({ description: 'Whether it changed.' }) changed: boolean;
}

@ObjectType({ implements: Node, description: 'One version of an AI system impact assessment (AISIA).' })
@Entity({ name: 'impact_assessment' })
export class ImpactAssessment implements Node {
  @Field(() => ID, { description: 'Globally unique id (a UUID).' }) @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Column('uuid', { name: 'ai_system_id' }) aiSystemId: string;
  @Field(() => Int, { description: 'Version number, from 1.' }) @Column('int') version: number;
  @Field(() => AssessmentTemplate, { description: 'Template, chosen from the EU AI Act duties of the system when the version started.' }) @Column('text') template: AssessmentTemplate;
  @Field(() => AssessmentStatus, { description: 'Workflow status.' }) @Column('text') status: AssessmentStatus;
  @Column('jsonb') sections: Record<string, string>;
  @Field(() => String, { nullable: true, description: 'Who assessed.' }) @Column('text', { nullable: true }) assessor: string | null;
  @Field(() => DateTime, { nullable: true, description: 'When it was submitted for review.' }) @Column('timestamptz', { name: 'assessed_at', nullable: true }) assessedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'Who approved or rejected it.' }) @Column('text', { nullable: true }) approver: string | null;
  @Field(() => DateTime, { nullable: true, description: 'When it was approved.' }) @Column('timestamptz', { name: 'approved_at', nullable: true }) approvedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'The approver\'s comment.' }) @Column('text', { name: 'decision_comment', nullable: true }) decisionComment: string | null;
  @Field(() => DateTime, { nullable: true, description: 'When it must be reviewed; after it the assessment is stale.' }) @Column('timestamptz', { name: 'next_review_due', nullable: true }) nextReviewDue: Date | null;
  @Field({ description: 'Who started this version.' }) @Column('text', { name: 'created_by' }) createdBy: string;
  @Field(() => DateTime, { description: 'When this version was started.' }) @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}
