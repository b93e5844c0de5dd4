import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { LocalDate } from '../../graphql/scalars';
import { Node } from '../../graphql/node.type';
import { FrameworkKind } from './framework.enums';

/**
 * A versioned framework (key + version). Storage and API shape coincide here; columns the API
 * must not show carry no @Field. Relation fields (roots, requirements, counts) are resolved in
 * framework.resolver.ts through per-request loaders.
 */
@ObjectType({ implements: Node, description: 'A framework version: a standard, voluntary framework or regulation, as a tree of requirements.' })
@Entity({ name: 'framework' })
export class Framework implements Node {
  @Field(() => ID, { description: 'Globally unique id (a UUID).' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'Stable key shared by all versions: iso42001, iso27001, nist-ai-rmf, eu-ai-act.' })
  @Column('text')
  key: string;

  @Field({ description: 'Version of the framework, e.g. "2023" for ISO/IEC 42001:2023 or "1.0" for the AI RMF.' })
  @Column('text')
  version: string;

  @Field({ description: 'Official name.' })
  @Column('text')
  name: string;

  @Field(() => String, { nullable: true, description: 'Common short name, e.g. "EU AI Act".' })
  @Column('text', { name: 'short_name', nullable: true })
  shortName: string | null;

  @Field({ description: 'Publishing body.' })
  @Column('text')
  publisher: string;

  @Field(() => FrameworkKind, { description: 'Standard, voluntary framework, regulation or internal control set.' })
  @Column('text')
  kind: FrameworkKind;

  @Field(() => String, { nullable: true, description: 'Edition or publication details.' })
  @Column('text', { nullable: true })
  edition: string | null;

  @Field(() => String, { nullable: true, description: 'Where the authoritative text is published.' })
  @Column('text', { name: 'source_url', nullable: true })
  sourceUrl: string | null;

  @Field(() => String, { nullable: true, description: 'How the catalog was compiled and cross-checked.' })
  @Column('text', { name: 'source_citation', nullable: true })
  sourceCitation: string | null;

  @Field({ description: 'What of the text may be shown here, and why (copyright position).' })
  @Column('text', { name: 'licence_note' })
  licenceNote: string;

  @Field(() => LocalDate, { nullable: true, description: 'Publication date of this version; the latest version of a key is the one released last.' })
  @Column('date', { name: 'released_on', nullable: true })
  releasedOn: string | null;

  @Field(() => String, { nullable: true, description: 'Notes on structure and numbering conventions.' })
  @Column('text', { nullable: true })
  notes: string | null;

  @Field(() => GraphQLJSONObject, { description: 'Further catalog facts, e.g. the EU AI Act application dates, actor and risk-tier vocabularies and pending amendments.' })
  @Column('jsonb', { default: {} })
  metadata: Record<string, unknown>;

  /** The owning organization of a private framework (imported or internal); null for the shared catalogs. */
  @Column('uuid', { name: 'organization_id', nullable: true })
  organizationId: string | null;

  @Field({ description: 'True for the organization\'s own framework (imported or internal), visible only to it.' })
  get private(): boolean {
    return this.organizationId !== null;
  }

  @Column('text', { name: 'content_sha256' })
  contentSha256: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
