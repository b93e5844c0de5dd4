import { Field, InputType, Int } from 'type-graphql';
import { MappingMethod, MappingStatus, Rationale, Relationship } from './mapping.enums';

export const MAX_MAPPINGS_PER_SET = 5000;

@InputType({ description: 'A condition under which a mapping reads another relationship (OSCAL qualifier-item plus the hub\'s when / process / relationship / strength).' })
export class MappingQualifierInput {
  @Field({ description: 'The organization condition, e.g. "integratedManagementSystem".' })
  when: string;

  @Field(() => String, { nullable: true, description: 'Its parameter (for integratedManagementSystem: the process); null for any.' })
  process?: string | null;

  @Field(() => Relationship, { description: 'The relationship that holds when the organization declares the condition.' })
  relationship: Relationship;

  @Field(() => Int, { nullable: true, description: 'The strength then, 1-10; null keeps the row\'s.' })
  strength?: number | null;

  @Field(() => String, { nullable: true, description: 'OSCAL subject: source, target or both (default both).' })
  subject?: string | null;

  @Field(() => String, { nullable: true, description: 'OSCAL predicate: has-requirement (default) or has-incompatibility.' })
  predicate?: string | null;

  @Field(() => String, { nullable: true, description: 'OSCAL category: restricted, addressable (default) or blocked.' })
  category?: string | null;

  @Field(() => String, { nullable: true, description: 'What the condition means for this row.' })
  description?: string | null;
}

@InputType({ description: 'One mapping of an organization\'s own set, read "source <relationship> target".' })
export class MappingRowInput {
  @Field({ description: 'Ref in the source framework.' })
  sourceRef: string;

  @Field({ description: 'Ref in the target framework.' })
  targetRef: string;

  @Field(() => Relationship, { description: 'Set-theory relationship.' })
  relationship: Relationship;

  @Field(() => Int, { nullable: true, description: 'Strength 1-10.' })
  strength?: number | null;

  @Field(() => Rationale, { nullable: true, description: 'Why the mapping holds.' })
  rationale?: Rationale | null;

  @Field(() => String, { nullable: true, description: 'Conditions and caveats.' })
  note?: string | null;

  @Field(() => [MappingQualifierInput], { nullable: true, description: 'Conditions under which the row reads another relationship; the first one the organization declares applies.' })
  qualifiers?: MappingQualifierInput[] | null;
}

/** Who made a set and where it comes from: shared by createMappingSet and importMappings. */
@InputType({ description: 'Who made a mapping set and where it comes from.' })
export abstract class MappingSetHeader {
  @Field({ description: 'Key, unique within the organization: lower-case letters, digits and dashes.' })
  key: string;

  @Field({ description: 'Name of the set.' })
  name: string;

  @Field(() => String, { nullable: true, description: 'Who compiled it; the organization when omitted.' })
  publisher?: string | null;

  @Field(() => String, { nullable: true, description: 'Where it comes from.' })
  url?: string | null;

  @Field(() => String, { nullable: true, description: 'What may be reproduced from it.' })
  licenceNote?: string | null;

  @Field(() => String, { nullable: true, description: 'How, in words.' })
  methodNote?: string | null;
}

@InputType({ description: 'An organization\'s own mapping set: same shape as the shared ones, its own provenance, visible only to it.' })
export class CreateMappingSetInput extends MappingSetHeader {
  @Field(() => MappingMethod, { defaultValue: MappingMethod.HUMAN, description: 'How it was produced.' })
  method: MappingMethod;

  @Field(() => MappingStatus, { defaultValue: MappingStatus.DRAFT, description: 'Maturity.' })
  status: MappingStatus;

  @Field({ description: 'Key of the source framework (latest version).' })
  sourceFramework: string;

  @Field({ description: 'Key of the target framework (latest version).' })
  targetFramework: string;

  @Field(() => [MappingRowInput], { description: `The mappings, 1 to ${MAX_MAPPINGS_PER_SET}.` })
  mappings: MappingRowInput[];
}
