import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { LocalDate } from '../../graphql/scalars';
import { Node } from '../../graphql/node.type';
import { MappingMethod, MappingStatus } from './mapping.enums';

/** Provenance of a set of mappings: who asserted them, how, under what licence, and how mature. */
@ObjectType({ implements: Node, description: 'A mapping set and its provenance. Every mapping belongs to exactly one.' })
@Entity({ name: 'mapping_source' })
export class MappingSource implements Node {
  @Field(() => ID, { description: 'Globally unique id (a UUID).' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'Stable key of the mapping set, e.g. "iso27001-to-iso42001".' })
  @Column('text')
  key: string;

  @Field({ description: 'Name of the mapping set or crosswalk.' })
  @Column('text')
  name: string;

  @Field({ description: 'Who published or compiled it ("derived" when compiled by the hub team, not an authority).' })
  @Column('text')
  publisher: string;

  @Field(() => String, { nullable: true, description: 'Where the source can be found (URL or repository path).' })
  @Column('text', { nullable: true })
  url: string | null;

  @Field(() => String, { nullable: true, description: 'What may be reproduced from the source.' })
  @Column('text', { name: 'licence_note', nullable: true })
  licenceNote: string | null;

  @Field(() => MappingMethod, { description: 'HUMAN, AUTOMATION or HYBRID.' })
  @Column('text')
  method: MappingMethod;

  @Field(() => String, { nullable: true, description: 'How the rows were produced, in the source\'s words.' })
  @Column('text', { name: 'method_note', nullable: true })
  methodNote: string | null;

  @Field(() => Int, { description: 'Version of the set (its key): a later version supersedes an earlier one.' })
  @Column('int', { default: 1 })
  version: number;

  @Field(() => Int, { description: '0 for a published version; 1, 2, ... for an organization\'s overlay of it (approved changes).' })
  @Column('int', { default: 0 })
  revision: number;

  @Column('uuid', { name: 'supersedes_id', nullable: true })
  supersedesId: string | null;

  @Column('uuid', { name: 'base_id', nullable: true })
  baseId: string | null;

  @Field(() => MappingStatus, { description: 'DRAFT (not yet expert-reviewed), COMPLETE or SUPERSEDED.' })
  @Column('text')
  status: MappingStatus;

  @Field(() => String, { nullable: true, description: 'Relationship vocabulary of the source, e.g. "NIST IR 8477".' })
  @Column('text', { name: 'relationship_vocabulary', nullable: true })
  relationshipVocabulary: string | null;

  @Field(() => LocalDate, { nullable: true, description: 'When the set was compiled.' })
  @Column('date', { name: 'compiled_on', nullable: true })
  compiledOn: string | null;

  /** Null for the shared (seeded) sets; an organization id for that organization's own set. */
  @Column('uuid', { name: 'organization_id', nullable: true })
  organizationId: string | null;

  @Column('uuid', { name: 'source_framework_id' })
  sourceFrameworkId: string;

  @Column('uuid', { name: 'target_framework_id' })
  targetFrameworkId: string;

  @Field(() => GraphQLJSONObject, { description: 'Further provenance facts: conventions, coverage notes, known gaps, revisions.' })
  @Column('jsonb', { default: {} })
  metadata: Record<string, unknown>;

  @Column('text', { name: 'content_sha256' })
  contentSha256: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
