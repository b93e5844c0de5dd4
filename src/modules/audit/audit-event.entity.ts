import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { DateTime } from '../../graphql/scalars';

@ObjectType({ description: 'One mutation, as the append-only audit trail recorded it.' })
@Entity({ name: 'audit_event' })
export class AuditEvent {
  @Field(() => ID, { description: 'Event number (increasing).' }) @PrimaryColumn({ type: 'bigint', insert: false, update: false }) id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Field(() => ID, { nullable: true, description: 'The token that made the call.' }) @Column('uuid', { name: 'token_id', nullable: true }) tokenId: string | null;
  @Field(() => String, { nullable: true, description: 'Its visible prefix.' }) @Column('text', { name: 'token_prefix', nullable: true }) tokenPrefix: string | null;
  @Field({ description: 'Who (token name and prefix).' }) @Column('text') actor: string;
  @Field({ description: 'The mutation field, e.g. "upsertEvidence".' }) @Column('text') operation: string;
  @Field(() => [String], { description: 'Ids the call named or returned.' }) @Column('text', { name: 'touched_ids', array: true }) touchedIds: string[];
  @Field(() => GraphQLJSON, { nullable: true, description: 'The request\'s variables, secrets redacted.' }) @Column('jsonb', { nullable: true }) variables: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'This mutation field\'s arguments written in the document (inline literals, defaults of their input fields applied), secrets redacted; arguments passed as variables are in `variables`.' }) @Column('jsonb', { nullable: true }) arguments: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The touched rows before the call, by id (rows that existed).' }) @Column('jsonb', { nullable: true }) before: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The touched rows after the call, by id.' }) @Column('jsonb', { nullable: true }) after: unknown;
  @Field({ description: 'OK, or the error code.' }) @Column('text') outcome: string;
  @Field({ description: 'Request id (also in the x-request-id response header and the logs).' }) @Column('text', { name: 'request_id' }) requestId: string;
  @Field(() => DateTime, { description: 'When.' }) @Column('timestamptz') at: Date;
}
