import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { LocalDate } from '../../graphql/scalars';
import { Node } from '../../graphql/node.type';
import { Actor, RequirementKind, RiskTier } from './framework.enums';

/**
 * One node of a framework tree. `ancestorIds` (root first) is stored because catalogs are immutable
 * per version and rollups and grouping need it without a recursive query per request.
 */
@ObjectType({ implements: Node, description: 'A node of a framework: a clause, control, subcategory, article, paragraph or a grouping node.' })
@Entity({ name: 'requirement' })
export class Requirement implements Node {
  @Field(() => ID, { description: 'Globally unique id (a UUID).' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Set for the requirements of an organization's private framework (row-level security uses it). */
  @Column('uuid', { name: 'organization_id', nullable: true })
  organizationId: string | null;

  @Column('uuid', { name: 'framework_id' })
  frameworkId: string;

  @Column('uuid', { name: 'parent_id', nullable: true })
  parentId: string | null;

  @Column('uuid', { name: 'ancestor_ids', array: true, default: () => "'{}'" })
  ancestorIds: string[];

  @Field(() => Int, { description: 'Depth in the tree: 0 for a root.' })
  @Column('smallint')
  depth: number;

  @Field({ description: 'Identifier within the framework, e.g. "A.6.2.8", "GOVERN 1.1", "Art. 26(5)".' })
  @Column('text')
  ref: string;

  @Field(() => RequirementKind, { description: 'Structural role in the framework.' })
  @Column('text')
  kind: RequirementKind;

  @Field({ description: 'Official title (NIST AI RMF: the outcome statement; EU AI Act paragraphs and points: a descriptive label, not legal text).' })
  @Column('text')
  title: string;

  @Field(() => String, { nullable: true, description: 'Verbatim text where the licence allows it (NIST AI RMF statements); null for ISO (copyright) and the EU AI Act.' })
  @Column('text', { nullable: true })
  text: string | null;

  @Field(() => String, { nullable: true, description: 'Summary in the hub\'s own words (not legal text).' })
  @Column('text', { nullable: true })
  summary: string | null;

  @Field({ description: 'True for the units an organization is assessed against (controls, subcategories, clause requirements, duty-bearing article paragraphs); false for nodes that only group.' })
  @Column('boolean')
  assessable: boolean;

  @Field(() => Int, { description: 'Document order within the framework.' })
  @Column('int')
  position: number;

  @Field(() => [Actor], { description: 'EU AI Act: operator roles the provision binds. Empty for other frameworks.' })
  @Column('text', { array: true, default: () => "'{}'" })
  actors: Actor[];

  @Field(() => [RiskTier], { description: 'EU AI Act: risk tiers the provision applies to. Empty for other frameworks.' })
  @Column('text', { name: 'risk_tiers', array: true, default: () => "'{}'" })
  riskTiers: RiskTier[];

  @Field(() => LocalDate, { nullable: true, description: 'EU AI Act: the date the provision applies from (Art. 113), as published.' })
  @Column('date', { name: 'applies_from', nullable: true })
  appliesFrom: string | null;

  @Field(() => LocalDate, { nullable: true, description: 'EU AI Act: the later date for high-risk systems classified under Art. 6(1) (Annex I products), where it differs.' })
  @Column('date', { name: 'applies_from_annex_i', nullable: true })
  appliesFromAnnexIProducts: string | null;

  @Field(() => Boolean, { nullable: true, description: 'EU AI Act: whether the provision places a duty on an operator.' })
  @Column('boolean', { name: 'operator_duty', nullable: true })
  operatorDuty: boolean | null;

  @Field(() => String, { nullable: true, description: 'A pending amendment that would change this provision or its dates (not applied to the dates).' })
  @Column('text', { name: 'pending_amendment', nullable: true })
  pendingAmendment: string | null;

  @Field(() => GraphQLJSONObject, { description: 'Further catalog facts for this node, e.g. ISO 27002 reference, Annex B guidance reference, alternative title forms, maximum fines.' })
  @Column('jsonb', { default: {} })
  attributes: Record<string, unknown>;
}
