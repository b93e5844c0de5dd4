import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';

@ObjectType({ description: 'A tenant: owns evidence, decisions and its own mapping sets.' })
@Entity({ name: 'organization' })
export class Organization {
  @Field(() => ID, { description: 'Organization id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'Short unique name, e.g. "default".' })
  @Column('text')
  slug: string;

  @Field({ description: 'Display name.' })
  @Column('text')
  name: string;

  @Field(() => Int, { description: 'How many days before accepted evidence expires it is announced (evidence.expiring); 30 unless set.' })
  @Column('int', { name: 'expiry_window_days', default: 30 })
  expiryWindowDays: number;

  @Field(() => DateTime, { description: 'When it was created.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
