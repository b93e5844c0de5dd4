import { ArgsType, Field, InputType, Int, ID } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { ArrayMaxSize, IsOptional, Length, Max, Min } from 'class-validator';
import { CLOSURE_MAX_DEPTH } from '../mapping/mapping-closure.service';
import { LinkCoverage } from '../evidence/evidence.enums';
import { Applicability, ApplicabilityReason, DeclaredImplementation } from '../applicability/applicability.entity';

export const DEFAULT_COVERAGE_DEPTH = 2;

@ArgsType()
export class CoverageArgs {
  @Field(() => DateTime, { nullable: true, description: 'Report date; now when omitted. Links, validity and Statement of Applicability decisions are replayed at this date.' })
  asOf?: Date | null;

  @Field(() => Int, { defaultValue: DEFAULT_COVERAGE_DEPTH, description: `Most mapping hops followed for inferred coverage, 1 to ${CLOSURE_MAX_DEPTH}.` })
  @Min(1)
  @Max(CLOSURE_MAX_DEPTH)
  maxDepth: number;
}

@ArgsType()
export class FrameworkCoverageArgs extends CoverageArgs {
  @Field({ description: 'Framework key.' })
  @Length(1, 100)
  framework: string;

  @Field(() => ID, { nullable: true, description: 'Report for one AI system: organization-wide evidence plus evidence scoped to it.' })
  @IsOptional()
  aiSystemId?: string | null;
}

@ArgsType()
export class PairCoverageArgs extends CoverageArgs {
  @Field({ description: 'Key of the framework the evidence or programme is on, e.g. "iso27001".' })
  @Length(1, 100)
  from: string;

  @Field({ description: 'Key of the framework to report on, e.g. "iso42001".' })
  @Length(1, 100)
  to: string;
}

@InputType({ description: 'A Statement of Applicability decision.' })
export class SetApplicabilityInput {
  @Field({ description: 'Framework key.' })
  framework: string;

  @Field({ description: 'Ref of an assessable requirement.' })
  ref: string;

  @Field(() => Applicability, { description: 'APPLICABLE or NOT_APPLICABLE.' })
  applicability: Applicability;

  @Field(() => String, { nullable: true, description: 'Why; required for NOT_APPLICABLE.' })
  justification?: string | null;

  @Field(() => [ApplicabilityReason], { defaultValue: [], description: 'Reason categories.' })
  @ArrayMaxSize(5)
  reasons: ApplicabilityReason[];

  @Field(() => DeclaredImplementation, { nullable: true, description: 'Implementation status as the organization declares it; the hub computes its own from evidence.' })
  implementation?: DeclaredImplementation | null;

  @Field(() => String, { nullable: true, description: 'Who is responsible for the control.' })
  owner?: string | null;
}

@InputType({ description: 'Names a pre-fill: a target requirement and the evidence that reaches it.' })
export class PrefillDecisionInput {
  @Field({ description: 'Framework key of the target requirement.' })
  framework: string;

  @Field({ description: 'Ref of the target requirement.' })
  ref: string;

  @Field(() => ID, { description: 'The evidence that pre-fills it.' })
  evidenceId: string;
}

@InputType({ description: 'Confirms a pre-fill as a direct link made by a person.' })
export class ConfirmPrefillInput extends PrefillDecisionInput {
  @Field(() => LinkCoverage, { nullable: true, description: 'Coverage of the new link; by default FULL for a full pre-fill, PARTIAL otherwise.' })
  coverage?: LinkCoverage | null;

  @Field(() => String, { nullable: true, description: 'Why the evidence shows this requirement.' })
  @IsOptional()
  @Length(0, 2000)
  note?: string | null;
}

@InputType({ description: 'Rejects a pre-fill so the suggestion does not come back.' })
export class RejectPrefillInput extends PrefillDecisionInput {
  @Field({ description: 'Why the evidence does not show this requirement (1-2000 characters).' })
  @Length(1, 2000)
  reason: string;
}
