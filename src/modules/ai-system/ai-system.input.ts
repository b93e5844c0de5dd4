import { Field, ID, InputType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { EuFactInput } from './eu-act.types';
import { EuRole, GateTaskStatus, HighRiskRoute, LifecycleStage, OversightModel, RiskClass } from './ai-system.enums';

@InputType({ description: 'A third-party component.' })
export class AiComponentInput {
  @Field({ description: 'Supplier.' }) supplier: string;
  @Field({ description: 'Model or product.' }) model: string;
  @Field(() => String, { nullable: true, description: 'Version.' }) version?: string | null;
}

@InputType({ description: 'The fields of a register entry. On update, omitted fields stay as they are.' })
export class AiSystemFieldsInput {
  @Field(() => String, { nullable: true, description: 'What it is.' }) description?: string | null;
  @Field(() => String, { nullable: true, description: 'What it is for.' }) intendedPurpose?: string | null;
  @Field(() => String, { nullable: true, description: 'Accountable owner.' }) owner?: string | null;
  @Field(() => String, { nullable: true, description: 'Business unit.' }) businessUnit?: string | null;
  @Field(() => [EuRole], { nullable: true, description: "The organization's EU AI Act roles for it." }) euRoles?: EuRole[] | null;
  @Field(() => RiskClass, { nullable: true, description: 'Risk classification.' }) riskClass?: RiskClass | null;
  @Field(() => HighRiskRoute, { nullable: true, description: 'Required for HIGH_RISK.' }) highRiskRoute?: HighRiskRoute | null;
  @Field(() => String, { nullable: true, description: 'Annex III area, for that route.' }) annexIIIArea?: string | null;
  @Field(() => String, { nullable: true, description: 'Why this class.' }) classificationRationale?: string | null;
  @Field(() => [EuFactInput], { nullable: true, description: 'Answers to EU AI Act facts (euAiActFacts lists them); on update, facts not listed keep their answers. A riskClass, highRiskRoute or annexIIIArea given in the same input first answers the facts it implies; answers listed here win.' }) euFacts?: EuFactInput[] | null;
  @Field(() => OversightModel, { nullable: true, description: 'Human-oversight model.' }) oversightModel?: OversightModel | null;
  @Field(() => [AiComponentInput], { nullable: true, description: 'Third-party components (replaces the list).' }) components?: AiComponentInput[] | null;
  @Field(() => [String], { nullable: true, description: 'Data categories (replaces the list).' }) dataCategories?: string[] | null;
}

@InputType({ description: 'A new AI system.' })
export class RegisterAiSystemInput extends AiSystemFieldsInput {
  @Field({ description: 'Name, unique in the organization.' }) name: string;
  @Field(() => LifecycleStage, { defaultValue: LifecycleStage.IDEA, description: 'Starting stage.' }) lifecycleStage: LifecycleStage;
}

@InputType({ description: 'Changes to a register entry; kept in its history.' })
export class UpdateAiSystemInput extends AiSystemFieldsInput {
  @Field(() => ID, { description: 'The system.' }) id: string;
  @Field(() => String, { nullable: true, description: 'New name.' }) name?: string | null;
  @Field(() => String, { nullable: true, description: 'Why it changed (kept in the history).' }) reason?: string | null;
}

@InputType({ description: 'Moves a system to another life-cycle stage.' })
export class SetLifecycleStageInput {
  @Field(() => ID, { description: 'The system.' }) id: string;
  @Field(() => LifecycleStage, { description: 'The stage to move to.' }) stage: LifecycleStage;
  @Field(() => String, { nullable: true, description: 'Required to move on past open gate tasks; recorded as an override.' }) overrideReason?: string | null;
}

@InputType({ description: 'A task gating a life-cycle stage.' })
export class AddGateTaskInput {
  @Field(() => ID, { description: 'The system.' }) aiSystemId: string;
  @Field(() => LifecycleStage, { description: 'The stage it gates.' }) stage: LifecycleStage;
  @Field({ description: 'What must be done.' }) title: string;
  @Field(() => String, { nullable: true, description: 'Owner.' }) owner?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'Due date.' }) dueAt?: Date | null;
  @Field(() => [String], { defaultValue: [], description: 'Requirements it serves, as "framework ref" (e.g. "iso42001 A.6.2.4").' }) requirements: string[];
}

@InputType({ description: 'Updates a gate task.' })
export class UpdateGateTaskInput {
  @Field(() => ID, { description: 'The task.' }) id: string;
  @Field(() => GateTaskStatus, { description: 'New status.' }) status: GateTaskStatus;
  @Field(() => String, { nullable: true, description: 'Required for WONT_DO.' }) justification?: string | null;
}
