import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Rationale, Relationship, MappingDirection, PathCoverage } from './mapping.enums';
import { Requirement } from '../framework/requirement.entity';
import { MappingSource } from './mapping-source.entity';
import { readFrom } from './mapping-path.rules';
import type { Qualifier } from './mapping-qualifier.rules';

@ObjectType({
  description:
    'A condition under which a mapping reads another relationship (OSCAL 1.2 qualifier-item: subject, predicate, category, description; ' +
    'when, process, relationship and strength are the hub\'s extensions).',
})
export class MappingQualifier {
  @Field({ description: 'The organization condition, e.g. "integratedManagementSystem".' })
  when: string;

  @Field(() => String, { nullable: true, description: 'The condition\'s parameter (for integratedManagementSystem: the process), or null for any.' })
  process: string | null;

  @Field(() => Relationship, { description: 'The relationship that holds when the organization declares the condition (stored direction).' })
  relationship: Relationship;

  @Field(() => Int, { nullable: true, description: 'The strength that holds then; null keeps the row\'s.' })
  strength: number | null;

  @Field(() => String, { nullable: true, description: 'OSCAL qualifier subject, e.g. "both".' })
  subject: string | null;

  @Field(() => String, { nullable: true, description: 'OSCAL qualifier predicate, e.g. "has-requirement".' })
  predicate: string | null;

  @Field(() => String, { nullable: true, description: 'OSCAL qualifier category, e.g. "addressable".' })
  category: string | null;

  @Field(() => String, { nullable: true, description: 'What the condition means for this row, in the set author\'s words.' })
  description: string | null;

  static of(q: Qualifier): MappingQualifier {
    return Object.assign(new MappingQualifier(), q);
  }
}

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
  /** In force for the graph the row was loaded for (a qualifier may have upgraded it). */
  relationship: Relationship;
  strength: number | null;
  /** As stored, without qualifiers. */
  storedRelationship: Relationship;
  storedStrength: number | null;
  qualifiers: Qualifier[];
  /** The qualifier relied on, or null. */
  qualifier: Qualifier | null;
  rationale: Rationale | null;
  note: string | null;
  attributes: Record<string, unknown>;
}

/** A mapping seen from one of its two requirements. Its relationship is read from that side. */
@ObjectType({ description: 'A mapping seen from one requirement: the relationship is read "this requirement <relationship> counterpart".' })
export class MappingEdge {
  @Field(() => ID, { description: 'Id of the stored mapping (the same from both sides).' })
  mappingId: string;

  @Field(() => Relationship, {
    description: 'Relationship in force for the organization, as seen from this side: "this <relationship> counterpart" (a qualifier may have changed it; see qualifierApplied).',
  })
  relationship: Relationship;

  @Field(() => Relationship, { description: 'Relationship as stored, read "stored source <relationship> stored target", without any qualifier.' })
  storedRelationship: Relationship;

  @Field(() => MappingQualifier, { nullable: true, description: 'The qualifier this edge relies on for the organization (a condition it declared), or null when the row reads as stored.' })
  qualifierApplied: MappingQualifier | null;

  @Field(() => [MappingQualifier], { description: 'Every condition under which this mapping reads differently.' })
  qualifiers: MappingQualifier[];

  @Field(() => Int, { nullable: true, description: 'Strength as stored, without any qualifier.' })
  storedStrength: number | null;

  @Field(() => MappingDirection, { description: 'OUTGOING when this requirement is the stored source, INCOMING when it is the stored target.' })
  direction: MappingDirection;

  @Field(() => Int, { nullable: true, description: 'Strength 1-10 in force (the qualifier\'s when one applies); null when the source gives none.' })
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
    e.storedRelationship = row.storedRelationship;
    e.direction = outgoing ? MappingDirection.OUTGOING : MappingDirection.INCOMING;
    e.relationship = readFrom(row.relationship, outgoing ? MappingDirection.OUTGOING : MappingDirection.INCOMING);
    e.strength = row.strength;
    e.storedStrength = row.storedStrength;
    e.qualifierApplied = row.qualifier ? MappingQualifier.of(row.qualifier) : null;
    e.qualifiers = row.qualifiers.map(MappingQualifier.of);
    e.rationale = row.rationale;
    e.note = row.note;
    e.seenFromId = seenFromId;
    e.counterpartId = outgoing ? row.targetRequirementId : row.sourceRequirementId;
    e.mappingSourceId = row.mappingSourceId;
    return e;
  }

  /** The requirement at the other end of a stored mapping, seen from one of its ends. */
  static counterpartOf(row: MappingRow, seenFromId: string): string {
    return row.sourceRequirementId === seenFromId ? row.targetRequirementId : row.sourceRequirementId;
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

@ObjectType({ description: 'Why a requirement has no counterpart in another framework: a mapping set from its framework, in the organization\'s graph, says so.' })
export class NoCounterpartReason {
  @Field({ description: 'Why, in the set author\'s words.' })
  reason: string;

  @Field(() => [String], { description: 'Other mapping files of the same bundle that do map it.' })
  mappedIn: string[];

  mappingSourceId: string;
  targetFrameworkId: string;
}

