import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { Role } from './role';

/** An API token; the secret itself is never stored, only its SHA-256. */
@ObjectType({ description: 'An API token (the secret is shown once, at creation).' })
@Entity({ name: 'api_token' })
export class ApiToken {
  @Field(() => ID, { description: 'Token id.' }) @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Field({ description: 'Name, e.g. the integration that uses it.' }) @Column('text') name: string;
  @Field(() => Role, { description: 'Role.' }) @Column('text') role: Role;
  @Field({ description: 'Visible start of the token, to tell tokens apart.' }) @Column('text') prefix: string;
  @Column('text', { name: 'token_hash' }) tokenHash: string;
  @Field({ description: 'Who created it.' }) @Column('text', { name: 'created_by' }) createdBy: string;
  @Field(() => DateTime, { description: 'When.' }) @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Field(() => DateTime, { nullable: true, description: 'When it stops working.' }) @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'When it was revoked.' }) @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'Last use (updated at most once a minute).' }) @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt: Date | null;
}
