import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';

export enum Applicability {
  APPLICABLE = 'APPLICABLE',
  NOT_APPLICABLE = 'NOT_APPLICABLE',
}

/** What the organization declares of a control's implementation (its SoA's column), beside the status coverage computes. */
export enum DeclaredImplementation {
  IMPLEMENTED = 'IMPLEMENTED',
  PARTIALLY_IMPLEMENTED = 'PARTIALLY_IMPLEMENTED',
  PLANNED = 'PLANNED',
  NOT_IMPLEMENTED = 'NOT_IMPLEMENTED',
}

export enum ApplicabilityReason {
  LEGAL_REGULATORY = 'LEGAL_REGULATORY',
  CONTRACTUAL = 'CONTRACTUAL',
  RISK_TREATMENT = 'RISK_TREATMENT',
  BUSINESS_REQUIREMENT = 'BUSINESS_REQUIREMENT',
  BEST_PRACTICE = 'BEST_PRACTICE',
}

registerEnumType(Applicability, {
  name: 'Applicability',
  description: 'Statement of Applicability decision.',
  valuesConfig: {
    APPLICABLE: { description: 'The requirement applies and must be implemented.' },
    NOT_APPLICABLE: { description: 'Excluded, with a justification; drops out of coverage denominators.' },
  },
});
registerEnumType(DeclaredImplementation, {
  name: 'DeclaredImplementation',
  description: 'Implementation status as the organization declares it in its Statement of Applicability (the hub computes its own from evidence: SoaRow.implementationStatus).',
  valuesConfig: {
    IMPLEMENTED: { description: 'Declared in place.' },
    PARTIALLY_IMPLEMENTED: { description: 'Declared partly in place.' },
    PLANNED: { description: 'Declared planned, not yet in place.' },
    NOT_IMPLEMENTED: { description: 'Declared not in place, with no plan yet.' },
  },
});
registerEnumType(ApplicabilityReason, {
  name: 'ApplicabilityReason',
  description: 'Why a requirement is included or excluded (ISO/IEC 27001 6.1.3 style reason categories).',
  valuesConfig: {
    LEGAL_REGULATORY: { description: 'Required (or ruled out) by law or regulation.' },
    CONTRACTUAL: { description: 'Required by a contract.' },
    RISK_TREATMENT: { description: 'Chosen to treat an assessed risk.' },
    BUSINESS_REQUIREMENT: { description: 'Required by the business.' },
    BEST_PRACTICE: { description: 'Adopted as good practice.' },
  },
});

/** One decision; a new decision supersedes the previous one, which is kept as history. */
@ObjectType({ description: 'A Statement of Applicability decision on one requirement.' })
@Entity({ name: 'applicability_decision' })
export class ApplicabilityDecision {
  @Field(() => ID, { description: 'Decision id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Column('uuid', { name: 'requirement_id' })
  requirementId: string;

  @Field(() => Applicability, { description: 'APPLICABLE or NOT_APPLICABLE.' })
  @Column('text')
  applicability: Applicability;

  @Field(() => String, { nullable: true, description: 'Why; required for NOT_APPLICABLE.' })
  @Column('text', { nullable: true })
  justification: string | null;

  @Field(() => [ApplicabilityReason], { description: 'Reason categories.' })
  @Column('text', { array: true, default: () => "'{}'" })
  reasons: ApplicabilityReason[];

  @Field(() => DeclaredImplementation, { nullable: true, description: 'Implementation status as declared with the decision; null when none was given.' })
  @Column('text', { nullable: true })
  implementation: DeclaredImplementation | null;

  @Field(() => String, { nullable: true, description: 'Who is responsible for the control; null when none was given.' })
  @Column('text', { nullable: true })
  owner: string | null;

  @Field({ description: 'Who decided.' })
  @Column('text', { name: 'decided_by' })
  decidedBy: string;

  @Field(() => DateTime, { description: 'When.' })
  @Column('timestamptz', { name: 'decided_at' })
  decidedAt: Date;

  @Field(() => DateTime, { nullable: true, description: 'When a later decision replaced it; null for the current one.' })
  @Column('timestamptz', { name: 'superseded_at', nullable: true })
  supersededAt: Date | null;
}
