import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { Node } from '../../graphql/node.type';
import { EvidenceKind, EvidenceStatus, ReviewCadence } from './evidence.enums';

/** A piece of evidence an organization holds. Links to requirements live in evidence_link. */
@ObjectType({ implements: Node, description: 'A piece of evidence, attached once and linked to requirements of any framework.' })
@Entity({ name: 'evidence' })
export class Evidence implements Node {
  @Field(() => ID, { description: 'Globally unique id (a UUID).' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Keyset paging order; not an API field. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Field({ description: 'System the evidence comes from, e.g. "jira", "aws-config", "github-actions". With externalId, the idempotency key.' })
  @Column('text', { name: 'source_system' })
  sourceSystem: string;

  @Field({ description: 'Id of the evidence in its source system.' })
  @Column('text', { name: 'external_id' })
  externalId: string;

  @Field({ description: 'Short title.' })
  @Column('text')
  title: string;

  @Field(() => String, { nullable: true, description: 'What the evidence shows.' })
  @Column('text', { nullable: true })
  description: string | null;

  @Field(() => EvidenceKind, { description: 'What kind of evidence it is.' })
  @Column('text')
  kind: EvidenceKind;

  @Field(() => String, { nullable: true, description: 'Where the evidence can be read.' })
  @Column('text', { nullable: true })
  uri: string | null;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the content (64 lower-case hex digits).' })
  @Column('text', { name: 'content_sha256', nullable: true })
  contentSha256: string | null;

  @Field(() => DateTime, { description: 'When the fact it shows holds (not when it was uploaded).' })
  @Column('timestamptz', { name: 'effective_at' })
  effectiveAt: Date;

  @Field(() => DateTime, { nullable: true, description: 'When it stops counting; null for no end. Derived from reviewCadence when one is set.' })
  @Column('timestamptz', { name: 'valid_until', nullable: true })
  validUntil: Date | null;

  @Field(() => ReviewCadence, { nullable: true, description: 'Renewal cadence, if validity follows one.' })
  @Column('text', { name: 'review_cadence', nullable: true })
  reviewCadence: ReviewCadence | null;

  @Field(() => EvidenceStatus, { description: 'Review state; only ACCEPTED evidence covers requirements.' })
  @Column('text')
  status: EvidenceStatus;

  @Field(() => String, { nullable: true, description: 'Who is responsible for the evidence.' })
  @Column('text', { nullable: true })
  owner: string | null;

  @Field(() => ID, { nullable: true, description: 'The AI system it is scoped to; null for organization-wide evidence.' })
  @Column('uuid', { name: 'ai_system_id', nullable: true })
  aiSystemId: string | null;

  @Field(() => String, { nullable: true, description: 'For evidence the hub keeps for a register record: the record kind (see docs/record-evidence.md).' })
  @Column('text', { name: 'record_type', nullable: true })
  recordType: string | null;

  @Field(() => ID, { nullable: true, description: 'For evidence the hub keeps for a register record: the record id.' })
  @Column('uuid', { name: 'record_id', nullable: true })
  recordId: string | null;

  @Field(() => Int, { description: 'Content version: 1 when created, +1 for each change of uri, hash, effectiveAt or validity.' })
  @Column('int')
  version: number;

  @Field({ description: 'Who created it.' })
  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Field(() => DateTime, { description: 'When it was first stored.' })
  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Field(() => DateTime, { description: 'When it last changed.' })
  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}
