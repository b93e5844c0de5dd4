import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Rationale, Relationship, MappingDirection, PathCoverage } from './mapping.enums';
import { Requirement } from '../framework/requirement.entity';
import { MappingSource } from './mapping-source.entity';
import { readFrom } from './mapping-path.rules';

/** A stored mapping row with both ends' framework facts, as the mapping service loads it. */
export interface MappingRow {
  id: string;
  mappingSourceId: string;
  sourceRequirementId: string;
  targetRequirementId: string;
  sourceFrameworkId: string;
  targetFrameworkId: string;
  sourceFrameworkKey: string;
  targetFrameworkKey: string;
  sourcePosition: number;
  targetPosition: number;
  relationship: Relationship;
  strength: number | null;
  rationale: Rationale | null;
  note: string | null;
  attributes: Record<string, unknown>;
}

/** A mapping seen from one of its two requirements. Its relationship is read from that side. */
@ObjectType({ description: 'A mapping seen from one requirement: the relationship is read "this requirement <relationship> counterpart".' })
export class MappingEdge {
  @Field(() => ID, { description: 'Id of the stored mapping (the same from both sides).' })
  mappingId: string;

  @Field(() => Relationship, { description: 'Relationship as seen from this side: "this <relationship> counterpart".' })
  relationship: Relationship;

  @Field(() => Relationship, { description: 'Relationship as stored, read "stored source <relationship> stored target".' })
  storedRelationship: Relationship;

  @Field(() => MappingDirection, { description: 'OUTGOING when this requirement is the stored source, INCOMING when it is the stored target.' })
  direction: MappingDirection;

  @Field(() => Int, { nullable: true, description: 'Strength 1-10 given by the mapping source; null when the source gives none.' })
  strength: number | null;

  @Field(() => Rationale, { nullable: true, description: 'Why the mapping was asserted; null when the source gives none.' })
  rationale: Rationale | null;

  @Field(() => String, { nullable: true, description: 'The mapping author\'s note (conditions, caveats).' })
  note: string | null;

  seenFromId: string;
  counterpartId: string;
  mappingSourceId: string;

  /** Placeholders for the type-graphql schema; resolved in mapping-edge.resolver.ts. */
  @Field(() => Requirement, { description: 'The requirement this edge is seen from.' })
  seenFrom?: Requirement;

  @Field(() => Requirement, { description: 'The requirement at the other end.' })
  counterpart?: Requirement;

  @Field(() => MappingSource, { description: 'Provenance of the mapping.' })
  source?: MappingSource;

  static from(row: MappingRow, seenFromId: string): MappingEdge {
    const outgoing = row.sourceRequirementId === seenFromId;
    const e = new MappingEdge();
    e.mappingId = row.id;
    e.storedRelationship = row.relationship;
    e.direction = outgoing ? MappingDirection.OUTGOING : MappingDirection.INCOMING;
    e.relationship = readFrom(row.relationship, outgoing ? MappingDirection.OUTGOING : MappingDirection.INCOMING);
    e.strength = row.strength;
    e.rationale = row.rationale;
    e.note = row.note;
    e.seenFromId = seenFromId;
    e.counterpartId = outgoing ? row.targetRequirementId : row.sourceRequirementId;
    e.mappingSourceId = row.mappingSourceId;
    return e;
  }
}

@ObjectType({ description: 'A chain of mappings from a requirement to a requirement of another framework.' })
export class MappingPath {
  @Field(() => PathCoverage, { description: 'FULL only if every hop, read from the start, is EQUAL or SUPERSET_OF; otherwise PARTIAL.' })
  coverage: PathCoverage;

  @Field(() => [MappingEdge], { description: 'The hops in order, each seen from the side the path comes from.' })
  hops: MappingEdge[];

  @Field(() => Int, { nullable: true, description: 'Weakest hop strength; null if any hop has no strength (unknown).' })
  minStrength: number | null;

  @Field(() => Int, { description: 'Number of hops.' })
  length: number;

  targetId: string;

  @Field(() => Requirement, { description: 'Where the path ends: a requirement of the framework asked for.' })
  target?: Requirement;
}
