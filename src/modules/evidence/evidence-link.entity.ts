import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DateTime } from '../../graphql/scalars';
import { LinkCoverage, LinkOrigin } from './evidence.enums';

/** A link between evidence and a requirement, active from linkedAt until unlinkedAt (never deleted). */
@ObjectType({ description: 'Evidence linked to a requirement, with how much of it it shows. Ended links are kept so earlier reports can be reproduced.' })
@Entity({ name: 'evidence_link' })
export class EvidenceLink {
  @Field(() => ID, { description: 'Link id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Column('uuid', { name: 'evidence_id' })
  evidenceId: string;

  @Column('uuid', { name: 'requirement_id' })
  requirementId: string;

  @Field(() => LinkCoverage, { description: 'FULL: the evidence shows the whole requirement; PARTIAL: part of it.' })
  @Column('text')
  coverage: LinkCoverage;

  @Field(() => String, { nullable: true, description: 'Why the evidence shows the requirement.' })
  @Column('text', { nullable: true })
  note: string | null;

  @Field(() => LinkOrigin, { description: 'DIRECT, or CONFIRMED_PREFILL when a person confirmed a pre-fill.' })
  @Column('text')
  origin: LinkOrigin;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'For a confirmed pre-fill: the requirement and mapping path it was inferred through.' })
  @Column('jsonb', { name: 'prefill_path', nullable: true })
  prefillPath: Record<string, unknown> | null;

  @Field({ description: 'Who linked it.' })
  @Column('text', { name: 'linked_by' })
  linkedBy: string;

  @Field(() => DateTime, { description: 'When the link became active.' })
  @Column('timestamptz', { name: 'linked_at' })
  linkedAt: Date;

  @Field(() => String, { nullable: true, description: 'Who ended it.' })
  @Column('text', { name: 'unlinked_by', nullable: true })
  unlinkedBy: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When the link ended; null while active.' })
  @Column('timestamptz', { name: 'unlinked_at', nullable: true })
  unlinkedAt: Date | null;
}
