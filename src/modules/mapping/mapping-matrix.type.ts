import { Field, Int, ObjectType } from 'type-graphql';
import { Framework } from '../framework/framework.entity';
import { Requirement } from '../framework/requirement.entity';
import { MappingSource } from './mapping-source.entity';
import { Relationship } from './mapping.enums';

@ObjectType({ description: 'Number of mappings by relationship, read from the source framework\'s side.' })
export class RelationshipCounts {
  @Field(() => Int, { description: 'All mappings.' }) total = 0;
  @Field(() => Int, { description: 'EQUAL.' }) equal = 0;
  @Field(() => Int, { description: 'SUBSET_OF (source group side is contained in the target).' }) subsetOf = 0;
  @Field(() => Int, { description: 'SUPERSET_OF (source group side contains the target).' }) supersetOf = 0;
  @Field(() => Int, { description: 'INTERSECTS_WITH.' }) intersectsWith = 0;
  @Field(() => Int, { description: 'NO_RELATIONSHIP (asserted unrelated).' }) noRelationship = 0;

  add(relationship: Relationship, n: number): void {
    this.total += n;
    switch (relationship) {
      case Relationship.EQUAL: this.equal += n; break;
      case Relationship.SUBSET_OF: this.subsetOf += n; break;
      case Relationship.SUPERSET_OF: this.supersetOf += n; break;
      case Relationship.INTERSECTS_WITH: this.intersectsWith += n; break;
      case Relationship.NO_RELATIONSHIP: this.noRelationship += n; break;
    }
  }
}

@ObjectType({ description: 'Mappings between one source group and one target group.' })
export class MappingMatrixCell {
  sourceGroupId: string;
  targetGroupId: string;

  @Field(() => Requirement, { description: 'Top-level node of the source framework (clause, theme, function, chapter).' })
  sourceGroup?: Requirement;

  @Field(() => Requirement, { description: 'Top-level node of the target framework.' })
  targetGroup?: Requirement;

  @Field(() => RelationshipCounts, { description: 'Counts by relationship, read from the source side.' })
  counts: RelationshipCounts;
}

@ObjectType({ description: 'One source group\'s reach into the target framework.' })
export class MappingMatrixRow {
  groupId: string;

  @Field(() => Requirement, { description: 'Top-level node of the source framework.' })
  group?: Requirement;

  @Field(() => Int, { description: 'Assessable requirements in this group.' })
  assessableRequirements: number;

  @Field(() => Int, { description: 'Assessable requirements in this group with at least one traversable mapping into the target framework.' })
  mappedRequirements: number;

  @Field(() => RelationshipCounts, { description: 'All of this group\'s mappings into the target framework.' })
  counts: RelationshipCounts;
}

@ObjectType({ description: 'Mappings between two frameworks, counted per source group x target group.' })
export class MappingMatrix {
  @Field(() => Framework, { description: 'The framework read as source.' })
  source: Framework;

  @Field(() => Framework, { description: 'The framework read as target.' })
  target: Framework;

  @Field(() => [MappingMatrixRow], { description: 'Every top-level group of the source, in document order, with its totals.' })
  rows: MappingMatrixRow[];

  @Field(() => [MappingMatrixCell], { description: 'Non-empty cells, source group order then target group order.' })
  cells: MappingMatrixCell[];

  @Field(() => RelationshipCounts, { description: 'All mappings between the two frameworks.' })
  totals: RelationshipCounts;

  mappingSourceIds: string[];

  @Field(() => [MappingSource], { description: 'The mapping sets these counts come from.' })
  mappingSources?: MappingSource[];
}
