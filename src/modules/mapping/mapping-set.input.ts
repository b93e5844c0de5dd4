import { Field, InputType, Int } from 'type-graphql';
import { MappingMethod, MappingStatus, Rationale, Relationship } from './mapping.enums';

export const MAX_MAPPINGS_PER_SET = 5000;

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
