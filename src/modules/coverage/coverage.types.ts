import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { Connection } from '../../graphql/connection.type';
import { Framework } from '../framework/framework.entity';
import { Requirement } from '../framework/requirement.entity';
import { Evidence } from '../evidence/evidence.entity';
import { EvidenceLink } from '../evidence/evidence-link.entity';
import { LinkCoverage } from '../evidence/evidence.enums';
import { MappingEdge, MappingPath, NoCounterpartReason } from '../mapping/mapping-edge.type';
import { ApplicabilityDecision } from '../applicability/applicability.entity';
import { CoverageStatus, CoverageTotalsValue, EvidenceState } from './coverage.rules';
import type { CoverageScope, ContributionRow } from './coverage.service';
import { DutyApplicability, Obligation } from '../ai-system/eu-act.types';
import { SystemFinding } from '../ai-system/system-findings';
import { AiSystem } from '../ai-system/ai-system.entity';

@ObjectType({ description: 'Counts of assessable requirements by status, and the two coverage percentages.' })
export class CoverageTotals implements CoverageTotalsValue {
  @Field(() => Int, { description: 'NOT_APPLICABLE in the Statement of Applicability.' }) notApplicable: number;
  @Field(() => Int, { description: 'COVERED: valid direct FULL evidence.' }) covered: number;
  @Field(() => Int, { description: 'PREFILLED: valid FULL evidence through a FULL mapping path, to be confirmed.' }) prefilled: number;
  @Field(() => Int, { description: 'PARTIAL.' }) partial: number;
  @Field(() => Int, { description: 'STALE: only expired evidence.' }) stale: number;
  @Field(() => Int, { description: 'PENDING: only draft or in-review evidence.' }) pending: number;
  @Field(() => Int, { description: 'GAP: nothing.' }) gap: number;
  @Field(() => Int, { description: 'Assessable requirements (the sum of all statuses).' }) assessable: number;
  @Field(() => Int, { description: 'Assessable minus NOT_APPLICABLE: the denominator of the percentages.' }) applicable: number;
  @Field(() => Float, { nullable: true, description: 'COVERED / applicable, percent, one decimal; null when nothing is applicable.' }) percentCovered: number | null;
  @Field(() => Float, { nullable: true, description: '(COVERED + PREFILLED) / applicable, percent, one decimal; null when nothing is applicable.' }) percentWithPrefill: number | null;
}

@ObjectType({ description: 'A grouping node (clause, Annex A area, function, category, chapter, article...) with the roll-up of its assessable descendants.' })
export class GroupCoverage {
  groupId: string;
  scope: CoverageScope;

  @Field(() => Requirement, { description: 'The grouping node.' })
  group?: Requirement;

  @Field(() => CoverageTotals, { description: 'Roll-up of the assessable requirements below it.' })
  totals: CoverageTotals;

  @Field(() => [GroupCoverage], { description: 'Grouping nodes directly below it that have assessable descendants.' })
  children?: GroupCoverage[];
}

@ObjectType({ description: 'Evidence on a requirement of another framework that reaches this one through a mapping path.' })
export class InferredCoverage {
  row: ContributionRow;

  @Field(() => Evidence, { description: 'The evidence.' })
  evidence?: Evidence;

  @Field(() => EvidenceLink, { description: 'Its link to the requirement it is attached to.' })
  link: EvidenceLink;

  @Field(() => Requirement, { description: 'The requirement the evidence is attached to.' })
  from?: Requirement;

  @Field(() => LinkCoverage, { description: 'FULL when the link is FULL and the path is FULL; otherwise PARTIAL.' })
  coverage: LinkCoverage;

  @Field(() => EvidenceState, { description: 'What the evidence is worth at the report date.' })
  state: EvidenceState;

  @Field(() => MappingPath, { description: 'The mapping path, hop by hop, from the evidenced requirement to this one.' })
  path?: MappingPath;
}

@ObjectType({ description: 'An assessable requirement\'s status at the report date, and what produced it.' })
export class RequirementCoverage {
  scope: CoverageScope;

  @Field(() => Requirement, { description: 'The requirement.' })
  requirement: Requirement;

  @Field(() => CoverageStatus, { description: 'Its status (first match wins: NOT_APPLICABLE, COVERED, PREFILLED, PARTIAL, STALE, PENDING, GAP).' })
  status: CoverageStatus;

  @Field(() => [EvidenceLink], { description: 'Links to this requirement active at the report date, newest first.' })
  direct?: EvidenceLink[];

  @Field(() => [InferredCoverage], { description: 'Evidence reaching it through mappings within maxDepth, best first (FULL, valid, short, strong).' })
  inferred?: InferredCoverage[];

  @Field(() => ApplicabilityDecision, { nullable: true, description: 'The Statement of Applicability decision in force; null when none was made (counts as applicable).' })
  applicability?: ApplicabilityDecision | null;
}

@ObjectType({ description: 'A page of requirement coverage in document order.' })
export class RequirementCoverageConnection extends Connection(RequirementCoverage, 'RequirementCoverage') {}

@ObjectType({ description: 'Coverage of one framework for the organization at a date.' })
export class CoverageReport {
  scope: CoverageScope;

  @Field(() => Framework, { description: 'The framework.' })
  framework: Framework;

  @Field(() => DateTime, { description: 'The date the report is computed for.' })
  asOf: Date;

  @Field(() => Int, { description: 'Most mapping hops followed for inferred coverage.' })
  maxDepth: number;

  @Field({ description: 'Whether the statuses were read from the status history (as the hub computed them when each change happened) rather than recounted from the links. A past organization-wide report at depth 2 within the recorded history is read from it; the present, other depths, an AI system\'s report and moments before the history began are recounted. A recount of the past applies today\'s evidence status and validity; history keeps what held then.' })
  fromHistory: boolean;

  @Field(() => AiSystem, { nullable: true, description: 'The AI system the report is for; null for the whole organization.' })
  aiSystem?: AiSystem | null;

  @Field(() => CoverageTotals, { description: 'Counts by status over the framework\'s assessable requirements.' })
  totals?: CoverageTotals;

  @Field(() => [GroupCoverage], { description: 'Roll-up per top-level group, with sub-groups below.' })
  groups?: GroupCoverage[];

  @Field(() => RequirementCoverageConnection, { description: 'Assessable requirements with status and explanation, paged.' })
  requirements?: RequirementCoverageConnection;

  @Field(() => RequirementCoverage, { description: 'One assessable requirement by ref, with its status and explanation (a requirement page). NOT_FOUND for an unknown ref, BAD_USER_INPUT for one that only groups others.' })
  requirement?: RequirementCoverage;
}

@ObjectType({ description: 'One framework\'s totals, for a dashboard\'s first screen.' })
export class FrameworkCoverage {
  scope: CoverageScope;
  /** Every framework of the summary: their group roll-ups are counted in one statement. */
  frameworkIds: string[];

  @Field(() => Framework, { description: 'The framework.' })
  framework: Framework;

  @Field(() => [GroupCoverage], { description: 'Roll-ups per top-level group (clause, Annex A area, AI RMF function, AI Act chapter), as coverage(framework).groups gives them; for a heat map.' })
  groups?: GroupCoverage[];

  @Field(() => CoverageTotals, { description: 'Counts by status and percentages.' })
  totals: CoverageTotals;
}

export enum Reach {
  FULL = 'FULL',
  PARTIAL = 'PARTIAL',
  NONE = 'NONE',
}
registerEnumType(Reach, {
  name: 'Reach',
  description: 'How far one framework carries into another requirement.',
  valuesConfig: {
    FULL: { description: 'Fully: a FULL path (and, for pre-fill, valid FULL evidence).' },
    PARTIAL: { description: 'Only partially.' },
    NONE: { description: 'Not at all within maxDepth.' },
  },
});

@ObjectType({ description: 'Counts of target requirements by reach.' })
export class ReachTotals {
  @Field(() => Int, { description: 'Assessable target requirements.' }) assessable: number;
  @Field(() => Int, { description: 'Reached fully.' }) full: number;
  @Field(() => Int, { description: 'Reached only partially.' }) partial: number;
  @Field(() => Int, { description: 'Not reached.' }) none: number;
}

@ObjectType({ description: 'Reach counts for one top-level group of the target framework.' })
export class ReachGroup {
  groupId: string;

  @Field(() => Requirement, { description: 'Top-level node of the target framework.' })
  group?: Requirement;

  @Field(() => ReachTotals, { description: 'Counts in this group.' })
  totals: ReachTotals;
}

@ObjectType({ description: 'What is still to be shown for a partial pre-fill.' })
export class PrefillResidual {
  @Field({ description: 'The target requirement\'s title: the whole of it is what must be shown.' })
  title: string;

  @Field(() => [MappingEdge], { description: 'Hops of the best path that are not EQUAL or SUPERSET_OF: where the source shows less than the target asks.' })
  partialHops: MappingEdge[];

  @Field({ description: 'True when the evidence link itself is only PARTIAL.' })
  partialLink: boolean;
}

@ObjectType({ description: 'A target requirement and what the source framework\'s evidence pre-fills in it.' })
export class PrefillItem {
  scope: CoverageScope;
  sourceFrameworkId: string;

  @Field(() => Requirement, { description: 'The target requirement.' })
  requirement: Requirement;

  @Field(() => Reach, { description: 'FULL (pre-filled, to be confirmed) or PARTIAL.' })
  reach: Reach;

  @Field(() => [InferredCoverage], { description: 'Contributing evidence with paths, best first.' })
  contributions?: InferredCoverage[];

  @Field(() => PrefillResidual, { nullable: true, description: 'For a PARTIAL pre-fill: what is left to show.' })
  residual?: PrefillResidual | null;
}

@ObjectType({ description: 'What evidence attached to one framework pre-fills in another.' })
export class PrefillReport {
  @Field(() => Framework, { description: 'Where the evidence is attached.' }) from: Framework;
  @Field(() => Framework, { description: 'What it pre-fills.' }) to: Framework;
  @Field(() => DateTime, { description: 'Report date.' }) asOf: Date;
  @Field(() => Int, { description: 'Most hops followed.' }) maxDepth: number;
  @Field(() => ReachTotals, { description: 'Target requirements pre-filled fully, partially, or not at all.' }) totals: ReachTotals;
  @Field(() => [ReachGroup], { description: 'The same per top-level group of the target.' }) groups: ReachGroup[];
  @Field(() => [PrefillItem], { description: 'Every target requirement pre-filled fully or partially, in document order.' }) requirements: PrefillItem[];
}

@ObjectType({ description: 'Evidence the organization already holds that could be linked to a requirement after review.' })
export class SuggestedEvidence extends InferredCoverage {}

@ObjectType({ description: 'A requirement that is not (fully) covered.' })
export class GapItem {
  scope: CoverageScope;

  @Field(() => Requirement, { description: 'The requirement.' })
  requirement: Requirement;

  @Field(() => CoverageStatus, { description: 'GAP, STALE, PENDING or PARTIAL.' })
  status: CoverageStatus;

  @Field(() => DutyApplicability, { nullable: true, description: 'EU AI Act report for one AI system: whether the duty binds the system, will, or may (CONDITIONAL); null otherwise.' })
  applicability?: DutyApplicability | null;

  @Field(() => Requirement, { nullable: true, description: 'Its top-level group.' })
  group?: Requirement | null;

  @Field(() => [SuggestedEvidence], { description: 'Evidence held on requirements mapped to it (any relationship, up to 4 hops), not yet linked to it, best first.' })
  suggestedEvidence?: SuggestedEvidence[];

  @Field(() => [NoCounterpartReason], { description: 'Frameworks with no counterpart to it, and why (from the mapping sets the organization reads): evidence elsewhere cannot reach it from them.' })
  noCounterpart?: NoCounterpartReason[];

  @Field({ description: 'True when every mapping set from its framework that the organization reads lists it as having no counterpart: only evidence on it can cover it (e.g. an AI-Act-specific duty).' })
  frameworkSpecific?: boolean;
}

@ObjectType({ description: 'Everything in a framework that still needs work, in document order.' })
export class GapReport {
  @Field(() => Framework, { description: 'The framework.' }) framework: Framework;
  @Field(() => DateTime, { description: 'Report date.' }) asOf: Date;
  @Field(() => CoverageTotals, { description: 'Totals of the whole framework.' }) totals: CoverageTotals;
  @Field(() => [GapItem], { description: 'GAP, STALE, PENDING and PARTIAL requirements.' }) items: GapItem[];
  @Field(() => [SystemFinding], { description: 'AI systems needing attention (AI frameworks only): missing, overdue or outdated impact assessments, silent oversight points, monitoring breaches; for the EU AI Act also unanswered facts that decide a duty.' }) systemFindings: SystemFinding[];
  @Field(() => [Obligation], { description: 'EU AI Act report for one AI system: the duties an unanswered fact decides (CONDITIONAL), each with the questions to answer; empty otherwise.' }) openQuestions: Obligation[];
}

@ObjectType({ description: 'A target requirement and how far the source framework reaches it.' })
export class ReuseItem {
  @Field(() => Requirement, { description: 'The target requirement.' }) requirement: Requirement;
  @Field(() => Reach, { description: 'FULL, PARTIAL or NONE.' }) reach: Reach;
  @Field(() => MappingPath, { nullable: true, description: 'The best path (FULL first, shortest, strongest); null when not reached.' }) path: MappingPath | null;
  @Field(() => [NoCounterpartReason], { description: 'Frameworks the mapping sets say have no counterpart to it, and why; for a requirement not reached, the reason it is not.' }) noCounterpart?: NoCounterpartReason[];
  graphSourceIds: string[];
}

@ObjectType({ description: 'How much of one framework a programme built on another could carry, before any evidence.' })
export class ReuseReport {
  @Field(() => Framework, { description: 'The framework already in place.' }) from: Framework;
  @Field(() => Framework, { description: 'The framework to reach.' }) to: Framework;
  @Field(() => Int, { description: 'Most hops followed.' }) maxDepth: number;
  @Field(() => ReachTotals, { description: 'Counts over the target\'s assessable requirements.' }) totals: ReachTotals;
  @Field(() => [ReachGroup], { description: 'Counts per top-level group of the target: what only the target covers shows as none.' }) groups: ReachGroup[];
  @Field(() => [ReuseItem], { description: 'Every assessable target requirement.' }) requirements: ReuseItem[];
}

@ObjectType({ description: 'One row of the Statement of Applicability.' })
export class SoaRow {
  @Field(() => Requirement, { description: 'The control or requirement.' }) requirement: Requirement;
  @Field(() => ApplicabilityDecision, { nullable: true, description: 'The decision in force; null when none was made yet.' }) decision: ApplicabilityDecision | null;
  @Field(() => CoverageStatus, { description: 'Implementation status taken from coverage.' }) implementationStatus: CoverageStatus;
}

@ObjectType({ description: 'The Statement of Applicability: every Annex A control (ISO) or assessable requirement, with decision and implementation status.' })
export class StatementOfApplicability {
  @Field(() => Framework, { description: 'The framework.' }) framework: Framework;
  @Field(() => DateTime, { description: 'Report date.' }) asOf: Date;
  @Field(() => Int, { description: 'Rows decided APPLICABLE.' }) applicable: number;
  @Field(() => Int, { description: 'Rows decided NOT_APPLICABLE.' }) notApplicable: number;
  @Field(() => Int, { description: 'Rows with no decision yet.' }) undecided: number;
  @Field(() => [SoaRow], { description: 'In document order.' }) rows: SoaRow[];
}
