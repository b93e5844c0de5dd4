import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Rationale, Relationship } from './mapping.enums';

/** A stored mapping, always in its asserted direction. The API shows it as a MappingEdge seen from one side. */
@Entity({ name: 'mapping' })
export class Mapping {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'mapping_source_id' })
  mappingSourceId: string;

  @Column('uuid', { name: 'source_requirement_id' })
  sourceRequirementId: string;

  @Column('uuid', { name: 'target_requirement_id' })
  targetRequirementId: string;

  @Column('text')
  relationship: Relationship;

  @Column('smallint', { nullable: true })
  strength: number | null;

  @Column('text', { nullable: true })
  rationale: Rationale | null;

  @Column('text', { nullable: true })
  note: string | null;

  @Column('jsonb', { default: {} })
  attributes: Record<string, unknown>;
}
