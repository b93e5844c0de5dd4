import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, Int, ObjectType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { EvidenceStatus, ReviewCadence } from './evidence.enums';

/** The content of an earlier version, kept when uri, hash, effectiveAt or validity changed. */
@ObjectType({ description: 'An earlier version of a piece of evidence\'s content.' })
@Entity({ name: 'evidence_revision' })
export class EvidenceRevision {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'evidence_id' })
  evidenceId: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Field(() => Int, { description: 'The version this content had.' })
  @Column('int')
  version: number;

  @Field(() => String, { nullable: true, description: 'The uri it had.' })
  @Column('text', { nullable: true })
  uri: string | null;

  @Field(() => String, { nullable: true, description: 'The content hash it had.' })
  @Column('text', { name: 'content_sha256', nullable: true })
  contentSha256: string | null;

  @Field(() => DateTime, { description: 'The effectiveAt it had.' })
  @Column('timestamptz', { name: 'effective_at' })
  effectiveAt: Date;

  @Field(() => DateTime, { nullable: true, description: 'The validUntil it had.' })
  @Column('timestamptz', { name: 'valid_until', nullable: true })
  validUntil: Date | null;

  @Field(() => ReviewCadence, { nullable: true, description: 'The cadence it had.' })
  @Column('text', { name: 'review_cadence', nullable: true })
  reviewCadence: ReviewCadence | null;

  @Field(() => DateTime, { description: 'When this version was replaced.' })
  @Column('timestamptz', { name: 'superseded_at' })
  supersededAt: Date;

  @Field({ description: 'Who replaced it.' })
  @Column('text', { name: 'superseded_by' })
  supersededBy: string;
}

/** One status change of a piece of evidence. */
@ObjectType({ description: 'A change of review status.' })
@Entity({ name: 'evidence_review' })
export class EvidenceReview {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'evidence_id' })
  evidenceId: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Field(() => EvidenceStatus, { description: 'Status before.' })
  @Column('text', { name: 'from_status' })
  fromStatus: EvidenceStatus;

  @Field(() => EvidenceStatus, { description: 'Status after.' })
  @Column('text', { name: 'to_status' })
  toStatus: EvidenceStatus;

  @Field(() => String, { nullable: true, description: 'The reviewer\'s comment.' })
  @Column('text', { nullable: true })
  comment: string | null;

  @Field({ description: 'Who changed the status.' })
  @Column('text', { name: 'reviewed_by' })
  reviewedBy: string;

  @Field(() => DateTime, { description: 'When.' })
  @Column('timestamptz', { name: 'reviewed_at' })
  reviewedAt: Date;
}
