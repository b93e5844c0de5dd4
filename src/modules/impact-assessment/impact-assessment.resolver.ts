import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root, Authorized } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import type { HubContext } from '../../graphql/context';
import { badInput } from '../../graphql/errors';
import { AiSystem } from '../ai-system/ai-system.entity';
import { AssessmentSection, AssessmentStatus, ImpactAssessment, SectionDiffType } from './impact-assessment.entity';
import { TEMPLATES, diffSections } from './impact-assessment.rules';
import { EDIT, READ } from '../auth/role';

@InputType({ description: 'Text of one section; empty or null clears it.' })
export class SectionInput {
  @Field({ description: 'Section key, from the template.' }) key: string;
  @Field(() => String, { nullable: true, description: 'The text.' }) text?: string | null;
}

@InputType({ description: 'Edits a DRAFT version.' })
export class UpdateImpactAssessmentInput {
  @Field(() => ID, { description: 'The version.' }) id: string;
  @Field(() => [SectionInput], { defaultValue: [], description: 'Sections to set.' }) sections: SectionInput[];
  @Field(() => String, { nullable: true, description: 'Assessor.' }) assessor?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'When it must be reviewed next.' }) nextReviewDue?: Date | null;
}

@InputType({ description: 'An approval decision.' })
export class DecideImpactAssessmentInput {
  @Field(() => ID, { description: 'The version (IN_REVIEW).' }) id: string;
  @Field(() => AssessmentStatus, { description: 'APPROVED or REJECTED.' }) decision: AssessmentStatus;
  @Field(() => String, { nullable: true, description: 'Comment.' }) comment?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'Next review; one year after approval when neither given nor set.' }) nextReviewDue?: Date | null;
}

@Resolver(() => ImpactAssessment)
export class ImpactAssessmentResolver {
  @Authorized(...READ)
  @Query(() => ImpactAssessment, { nullable: true, description: 'One impact assessment version. NOT_FOUND if unknown.' })
  impactAssessment(@Ctx() ctx: HubContext, @Arg('id', () => ID, { description: 'Version id.' }) id: string): Promise<ImpactAssessment> {
    return ctx.services.impactAssessment.require(ctx.organizationId, id);
  }

  @Authorized(...EDIT)
  @Mutation(() => ImpactAssessment, { description: 'Starts a new DRAFT version for a system, from the last version\'s sections; the template follows the EU AI Act duties that bind the system or may (the fundamental rights sections when Art. 27(1) is BINDING, NOT_YET or CONDITIONAL).' })
  async startImpactAssessment(
    @Ctx() ctx: HubContext,
    @Arg('aiSystemId', () => ID, { description: 'The system.' }) aiSystemId: string,
    @Arg('assessor', () => String, { nullable: true, description: 'Assessor.' }) assessor?: string | null,
  ): Promise<ImpactAssessment> {
    return ctx.services.impactAssessment.start(ctx.organizationId, ctx.actor, aiSystemId, assessor?.trim() || null, await ctx.euModel());
  }

  @Authorized(...EDIT)
  @Mutation(() => ImpactAssessment, { description: 'Edits a DRAFT version; CONFLICT once submitted.' })
  updateImpactAssessment(@Ctx() ctx: HubContext, @Arg('input', () => UpdateImpactAssessmentInput, { description: 'The edits.' }) input: UpdateImpactAssessmentInput): Promise<ImpactAssessment> {
    return ctx.services.impactAssessment.update(ctx.organizationId, input.id, { sections: input.sections.map((s) => ({ key: s.key, text: s.text ?? null })), assessor: input.assessor, nextReviewDue: input.nextReviewDue });
  }

  @Authorized(...EDIT)
  @Mutation(() => ImpactAssessment, { description: 'Submits a DRAFT for review (refused while a required section is empty).' })
  submitImpactAssessment(@Ctx() ctx: HubContext, @Arg('id', () => ID, { description: 'The version.' }) id: string): Promise<ImpactAssessment> {
    return ctx.services.impactAssessment.submit(ctx.organizationId, id);
  }

  @Authorized(...EDIT)
  @Mutation(() => ImpactAssessment, { description: 'Approves or rejects a version IN_REVIEW; approval is refused (BAD_USER_INPUT naming them) while a required section is empty.' })
  decideImpactAssessment(@Ctx() ctx: HubContext, @Arg('input', () => DecideImpactAssessmentInput, { description: 'The decision.' }) input: DecideImpactAssessmentInput): Promise<ImpactAssessment> {
    if (input.decision !== AssessmentStatus.APPROVED && input.decision !== AssessmentStatus.REJECTED) throw badInput('decision', 'decision must be APPROVED or REJECTED');
    return ctx.services.impactAssessment.decide(ctx.organizationId, ctx.actor, input.id, input.decision === AssessmentStatus.APPROVED, input.comment?.trim() || null, input.nextReviewDue ?? null);
  }

  @FieldResolver(() => [AssessmentSection], { description: 'The template\'s sections with their text.' })
  sections(@Root() a: ImpactAssessment): AssessmentSection[] {
    return TEMPLATES[a.template].map((s) => Object.assign(new AssessmentSection(), { ...s, text: a.sections[s.key]?.trim() ? a.sections[s.key] : null }));
  }

  @FieldResolver(() => AiSystem, { description: 'The system assessed.' })
  async aiSystem(@Root() a: ImpactAssessment, @Ctx() ctx: HubContext): Promise<AiSystem> {
    return (await ctx.loaders.aiSystem.load(a.aiSystemId))!;
  }

  @FieldResolver(() => [SectionDiffType], { description: 'Section by section, how this version differs from another version of the same system.' })
  async diff(
    @Root() a: ImpactAssessment,
    @Ctx() ctx: HubContext,
    @Arg('fromVersion', () => Int, { description: 'The version to compare with.' }) fromVersion: number,
  ): Promise<SectionDiffType[]> {
    const versions = await ctx.loaders.impactAssessments.load(a.aiSystemId);
    const from = versions.find((v) => v.version === fromVersion);
    if (!from) throw badInput('fromVersion', `version ${fromVersion} does not exist for this system`);
    return diffSections(a.template, from.sections, a.sections).map((d) => Object.assign(new SectionDiffType(), d));
  }
}

@Resolver(() => AiSystem)
export class AiSystemAssessmentResolver {
  @FieldResolver(() => [ImpactAssessment], { description: 'Impact assessment versions, oldest first.' })
  impactAssessments(@Root() s: AiSystem, @Ctx() ctx: HubContext): Promise<ImpactAssessment[]> {
    return ctx.loaders.impactAssessments.load(s.id);
  }
}
