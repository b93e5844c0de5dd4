import { MappingQualifierInput } from './mapping-set.input';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root, registerEnumType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import type { HubContext } from '../../graphql/context';
import { badInput } from '../../graphql/errors';
import { CATALOG, EDIT, REPORT } from '../auth/role';
import { Framework } from '../framework/framework.entity';
import { Requirement } from '../framework/requirement.entity';
import { CoverageStatus, totals } from '../coverage/coverage.rules';
import { CoverageTotals } from '../coverage/coverage.types';
import { DEFAULT_COVERAGE_DEPTH } from '../coverage/coverage.args';
import { CLOSURE_MAX_DEPTH } from './mapping-closure.service';
import { MappingQualifier } from './mapping-edge.type';
import { MappingSource } from './mapping-source.entity';
import { Rationale, Relationship } from './mapping.enums';
import { MappingGraphInfo, graphInfo } from './mapping-condition.resolver';
import { MappingChange as ChangeValue, MappingChangeOp, ReviewRow, fieldsSet } from './mapping-review.rules';
import { ChangeImpact, ChangeSet, ChangeSetStatus, MAX_CHANGES_PER_SET, Reviewer } from './mapping-review.service';

registerEnumType(MappingChangeOp, {
  name: 'MappingChangeOp',
  description: 'What a proposed change does to one mapping row.',
  valuesConfig: {
    ADD: { description: 'Adds a row for a pair the set does not map yet.' },
    REMOVE: { description: 'Removes the row of a pair.' },
    CHANGE: { description: 'Sets some fields of the row of a pair.' },
  },
});
registerEnumType(ChangeSetStatus, {
  name: 'MappingChangeSetStatus',
  description: 'Where a mapping change set is in its review.',
  valuesConfig: {
    PROPOSED: { description: 'Waiting for an EDITOR other than the proposer.' },
    APPROVED: { description: 'Approved: its result is a new version of the set, read by the organization\'s reports.' },
    REJECTED: { description: 'Rejected; nothing was written but the decision.' },
    WITHDRAWN: { description: 'Taken back by its proposer.' },
  },
});

@InputType({ description: 'One change to one row of a mapping set, named by its refs. A field left out is kept; null clears strength, rationale or note; an empty list clears qualifiers.' })
export class MappingChangeInput {
  @Field(() => MappingChangeOp, { description: 'ADD, REMOVE or CHANGE.' })
  op: MappingChangeOp;

  @Field({ description: 'Ref in the set\'s source framework.' })
  sourceRef: string;

  @Field({ description: 'Ref in the set\'s target framework.' })
  targetRef: string;

  @Field(() => Relationship, { nullable: true, description: 'The relationship (needed by ADD).' })
  relationship?: Relationship | null;

  @Field(() => Int, { nullable: true, description: 'Strength 1-10; null clears it.' })
  strength?: number | null;

  @Field(() => Rationale, { nullable: true, description: 'Why the mapping holds; null clears it.' })
  rationale?: Rationale | null;

  @Field(() => String, { nullable: true, description: 'Conditions and caveats; null clears it.' })
  note?: string | null;

  @Field(() => [MappingQualifierInput], { nullable: true, description: 'The row\'s qualifiers, all of them (they replace the row\'s); an empty list clears them.' })
  qualifiers?: MappingQualifierInput[] | null;
}

@InputType({ description: 'A proposed change to a mapping set: reviewed by an EDITOR other than the proposer before the organization reads it.' })
export class ProposeMappingChangeInput {
  @Field(() => ID, { description: 'The set version to change: a shipped one (approval creates the organization\'s overlay of it) or the organization\'s own (approval creates its next version).' })
  mappingSourceId: string;

  @Field({ description: 'What the change is about, 1 to 500 characters.' })
  title: string;

  @Field(() => [MappingChangeInput], { description: `The changes, 1 to ${MAX_CHANGES_PER_SET}, at most one per row.` })
  changes: MappingChangeInput[];
}

@InputType({ description: 'An EDITOR\'s decision on a proposed change set.' })
export class DecideMappingChangeInput {
  @Field(() => ID, { description: 'The change set.' })
  id: string;

  @Field({ description: 'True approves (the new version is written and read at once), false rejects (nothing is written).' })
  approve: boolean;

  @Field({ description: 'Why, in the decider\'s words; required.' })
  comment: string;
}

@InputType({ description: 'A proposer taking back a change set that is still PROPOSED.' })
export class WithdrawMappingChangeInput {
  @Field(() => ID, { description: 'The change set.' })
  id: string;
}

@ObjectType({ description: 'One proposed change to one row of a mapping set.' })
export class MappingChange {
  @Field(() => MappingChangeOp, { description: 'ADD, REMOVE or CHANGE.' })
  op: MappingChangeOp;

  @Field({ description: 'Ref in the set\'s source framework.' })
  sourceRef: string;

  @Field({ description: 'Ref in the set\'s target framework.' })
  targetRef: string;

  @Field(() => [String], { description: 'The fields the change sets (a field listed with a null value is cleared).' })
  fields: string[];

  @Field(() => Relationship, { nullable: true, description: 'The relationship set, if any.' })
  relationship: Relationship | null;

  @Field(() => Int, { nullable: true, description: 'The strength set, if any.' })
  strength: number | null;

  @Field(() => Rationale, { nullable: true, description: 'The rationale set, if any.' })
  rationale: Rationale | null;

  @Field(() => String, { nullable: true, description: 'The note set, if any.' })
  note: string | null;

  @Field(() => [MappingQualifier], { nullable: true, description: 'The qualifiers set, if any.' })
  qualifiers: MappingQualifier[] | null;

  static of(c: ChangeValue): MappingChange {
    return Object.assign(new MappingChange(), {
      op: c.op,
      sourceRef: c.sourceRef,
      targetRef: c.targetRef,
      fields: fieldsSet(c),
      relationship: c.relationship ?? null,
      strength: c.strength ?? null,
      rationale: c.rationale ?? null,
      note: c.note ?? null,
      qualifiers: c.qualifiers ? c.qualifiers.map(MappingQualifier.of) : null,
    });
  }
}

@ObjectType({ description: 'A proposed change to a mapping set, its review and its outcome.' })
export class MappingChangeSet {
  @Field(() => ID, { description: 'Id of the change set.' })
  id: string;

  @Field({ description: 'What the change is about.' })
  title: string;

  @Field(() => [MappingChange], { description: 'The changes, in the order proposed.' })
  changes: MappingChange[];

  @Field(() => ChangeSetStatus, { description: 'PROPOSED, APPROVED, REJECTED or WITHDRAWN.' })
  status: ChangeSetStatus;

  @Field({ description: 'Who proposed it (token name and prefix).' })
  proposedBy: string;

  @Field(() => DateTime, { description: 'When it was proposed.' })
  proposedAt: Date;

  @Field(() => String, { nullable: true, description: 'Who decided or withdrew it.' })
  decidedBy: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When it was decided or withdrawn.' })
  decidedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'The decider\'s comment.' })
  decisionComment: string | null;

  stored: ChangeSet;

  static of(cs: ChangeSet): MappingChangeSet {
    return Object.assign(new MappingChangeSet(), {
      id: cs.id,
      title: cs.title,
      changes: cs.changes.map(MappingChange.of),
      status: cs.status,
      proposedBy: cs.proposedBy,
      proposedAt: cs.proposedAt,
      decidedBy: cs.decidedBy,
      decidedAt: cs.decidedAt,
      decisionComment: cs.decisionComment,
      stored: cs,
    });
  }
}

@ObjectType({ description: 'A requirement whose coverage status the change would change.' })
export class RequirementStatusChange {
  @Field(() => Requirement, { description: 'The requirement.' })
  requirement: Requirement;

  @Field(() => CoverageStatus, { description: 'Its status now.' })
  before: CoverageStatus;

  @Field(() => CoverageStatus, { description: 'Its status once the change is approved.' })
  after: CoverageStatus;
}

@ObjectType({ description: 'What a change would do to one framework\'s coverage.' })
export class FrameworkImpact {
  @Field(() => Framework, { description: 'The framework (its latest version).' })
  framework: Framework;

  @Field(() => CoverageTotals, { description: 'Counts per status now.' })
  before: CoverageTotals;

  @Field(() => CoverageTotals, { description: 'Counts per status once the change is approved.' })
  after: CoverageTotals;

  @Field(() => [RequirementStatusChange], { description: 'Every requirement whose status changes, in document order.' })
  changes: RequirementStatusChange[];
}

@ObjectType({ description: 'What approving a change set would do to the organization\'s coverage reports, computed without applying anything.' })
export class MappingChangeImpact {
  @Field(() => DateTime, { description: 'The date the evidence is read at.' })
  asOf: Date;

  @Field(() => Int, { description: 'Most mapping hops followed, as in the coverage reports.' })
  maxDepth: number;

  @Field(() => MappingGraphInfo, { description: 'The mapping graph the reports read now.' })
  graphBefore: MappingGraphInfo;

  @Field(() => Int, { description: 'Requirements whose status changes, over all frameworks.' })
  changedRequirements: number;

  @Field(() => [FrameworkImpact], { description: 'Frameworks where some status changes; none when the change moves no status.' })
  frameworks: FrameworkImpact[];

  static of(i: ChangeImpact): MappingChangeImpact {
    return Object.assign(new MappingChangeImpact(), {
      asOf: i.asOf,
      maxDepth: i.maxDepth,
      graphBefore: graphInfo(i.graphBefore),
      changedRequirements: i.frameworks.reduce((n, f) => n + f.changes.length, 0),
      frameworks: i.frameworks.map((f) => Object.assign(new FrameworkImpact(), {
        framework: f.framework,
        before: Object.assign(new CoverageTotals(), totals(f.before)),
        after: Object.assign(new CoverageTotals(), totals(f.after)),
        changes: f.changes.map((c) => Object.assign(new RequirementStatusChange(), c)),
      })),
    });
  }
}

@ObjectType({ description: 'A mapping row as two set versions are compared.' })
export class MappingDiffRow {
  @Field({ description: 'Key of the source framework.' })
  sourceFramework: string;

  @Field({ description: 'Ref in the source framework.' })
  sourceRef: string;

  @Field({ description: 'Key of the target framework.' })
  targetFramework: string;

  @Field({ description: 'Ref in the target framework.' })
  targetRef: string;

  @Field(() => Relationship, { description: 'Relationship as stored.' })
  relationship: Relationship;

  @Field(() => Int, { nullable: true, description: 'Strength as stored.' })
  strength: number | null;

  @Field(() => Rationale, { nullable: true, description: 'Rationale.' })
  rationale: Rationale | null;

  @Field(() => String, { nullable: true, description: 'Note.' })
  note: string | null;

  @Field(() => [MappingQualifier], { description: 'Qualifiers.' })
  qualifiers: MappingQualifier[];

  static of(r: ReviewRow): MappingDiffRow {
    return Object.assign(new MappingDiffRow(), {
      sourceFramework: r.sourceFramework,
      sourceRef: r.sourceRef,
      targetFramework: r.targetFramework,
      targetRef: r.targetRef,
      relationship: r.relationship,
      strength: r.strength,
      rationale: r.rationale,
      note: r.note,
      qualifiers: r.qualifiers.map(MappingQualifier.of),
    });
  }
}

@ObjectType({ description: 'A row both versions have, with different content.' })
export class MappingRowChange {
  @Field({ description: 'Ref in the source framework.' })
  sourceRef: string;

  @Field({ description: 'Ref in the target framework.' })
  targetRef: string;

  @Field(() => [String], { description: 'The fields that differ: relationship, strength, rationale, note, qualifiers.' })
  fields: string[];

  @Field(() => MappingDiffRow, { description: 'The row in `from`.' })
  before: MappingDiffRow;

  @Field(() => MappingDiffRow, { description: 'The row in `to`.' })
  after: MappingDiffRow;
}

@ObjectType({ description: 'What differs between two versions of mapping sets, rows matched by framework key and ref at both ends.' })
export class MappingSetDiff {
  @Field(() => MappingSource, { description: 'The version compared from.' })
  from: MappingSource;

  @Field(() => MappingSource, { description: 'The version compared to.' })
  to: MappingSource;

  @Field(() => [MappingDiffRow], { description: 'Rows only `to` has.' })
  added: MappingDiffRow[];

  @Field(() => [MappingDiffRow], { description: 'Rows only `from` has.' })
  removed: MappingDiffRow[];

  @Field(() => [MappingRowChange], { description: 'Rows both have, with different content.' })
  changed: MappingRowChange[];

  @Field(() => Int, { description: 'Rows both have with the same content.' })
  unchanged: number;
}

@ObjectType({ description: 'Result of proposeMappingChange.' })
export class ProposeMappingChangePayload {
  @Field(() => MappingChangeSet, { description: 'The change set, PROPOSED.' })
  changeSet: MappingChangeSet;
}

@ObjectType({ description: 'Result of decideMappingChange.' })
export class DecideMappingChangePayload {
  @Field(() => MappingChangeSet, { description: 'The change set, APPROVED or REJECTED.' })
  changeSet: MappingChangeSet;

  @Field(() => MappingGraphInfo, { nullable: true, description: 'On approval: the graph the organization reads from now on; null on rejection.' })
  graph: MappingGraphInfo | null;
}

@ObjectType({ description: 'Result of withdrawMappingChange.' })
export class WithdrawMappingChangePayload {
  @Field(() => MappingChangeSet, { description: 'The change set, WITHDRAWN.' })
  changeSet: MappingChangeSet;
}

/** Impacts one request may compute through MappingChangeSet.impact (each is a graph rebuild, rolled back). */
export const MAX_IMPACTS_PER_REQUEST = 3;

const reviewer = (ctx: HubContext): Reviewer => ({ tokenId: ctx.principal.tokenId, tokenName: ctx.principal.name, actor: ctx.actor });

function toChange(c: MappingChangeInput): ChangeValue {
  const out: ChangeValue = { op: c.op, sourceRef: c.sourceRef, targetRef: c.targetRef };
  // Left out and null differ: null clears the field (see MappingChangeInput).
  if (c.relationship !== undefined) out.relationship = c.relationship as Relationship;
  if (c.strength !== undefined) out.strength = c.strength;
  if (c.rationale !== undefined) out.rationale = c.rationale;
  if (c.note !== undefined) out.note = c.note;
  if (c.qualifiers !== undefined) {
    out.qualifiers = (c.qualifiers ?? []).map((q) => ({
      when: q.when.trim(),
      process: q.process?.trim() || null,
      relationship: q.relationship,
      strength: q.strength ?? null,
      subject: q.subject?.trim() || null,
      predicate: q.predicate?.trim() || null,
      category: q.category?.trim() || null,
      description: q.description?.trim() || null,
    }));
  }
  return out;
}

function checkDepth(maxDepth: number) {
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > CLOSURE_MAX_DEPTH) throw badInput('maxDepth', `maxDepth must be between 1 and ${CLOSURE_MAX_DEPTH}`);
}

@Resolver()
export class MappingReviewResolver {
  @Authorized(...REPORT)
  @Query(() => [MappingChangeSet], { description: 'The organization\'s mapping change sets, newest first.' })
  async mappingChangeSets(
    @Ctx() ctx: HubContext,
    @Arg('status', () => [ChangeSetStatus], { nullable: true, description: 'Only these statuses; all when omitted.' }) status?: ChangeSetStatus[] | null,
    @Arg('first', () => Int, { defaultValue: 50, description: 'At most this many, 1 to 200.' }) first?: number,
  ): Promise<MappingChangeSet[]> {
    const n = first ?? 50;
    if (!Number.isInteger(n) || n < 1 || n > 200) throw badInput('first', 'first must be between 1 and 200');
    return (await ctx.services.review.list(ctx.organizationId, status?.length ? status : null, n)).map(MappingChangeSet.of);
  }

  @Authorized(...REPORT)
  @Query(() => MappingChangeSet, { description: 'One mapping change set of the organization.' })
  async mappingChangeSet(@Ctx() ctx: HubContext, @Arg('id', () => ID, { description: 'The change set.' }) id: string): Promise<MappingChangeSet> {
    return MappingChangeSet.of(await ctx.services.review.require(ctx.organizationId, id));
  }

  @Authorized(...REPORT)
  @Query(() => MappingChangeImpact, {
    description:
      'What approving a PROPOSED change set would do to the organization\'s coverage: per framework, counts before and after and every requirement ' +
      'whose status changes. Computed by the coverage reports\' own statements over the version approval would write; nothing is kept.',
  })
  async mappingChangeImpact(
    @Ctx() ctx: HubContext,
    @Arg('changeSetId', () => ID, { description: 'The change set.' }) changeSetId: string,
    @Arg('asOf', () => DateTime, { nullable: true, description: 'Date the evidence is read at; now when omitted.' }) asOf?: Date | null,
    @Arg('maxDepth', () => Int, { defaultValue: DEFAULT_COVERAGE_DEPTH, description: `Most mapping hops, 1 to ${CLOSURE_MAX_DEPTH}, as in the coverage reports.` }) maxDepth?: number,
  ): Promise<MappingChangeImpact> {
    const depth = maxDepth ?? DEFAULT_COVERAGE_DEPTH;
    checkDepth(depth);
    return MappingChangeImpact.of(await ctx.services.review.impact(ctx.organizationId, changeSetId, asOf ?? new Date(), depth, ctx.actor, ctx.requestId));
  }

  @Authorized(...REPORT)
  @Query(() => MappingChangeImpact, {
    description:
      'What reading another version of a mapping set (e.g. v2 instead of a pinned v1), or the latest again (no version), would change in the ' +
      'organization\'s coverage, before it pins it: computed by the reports\' own SQL, nothing kept.',
  })
  async mappingVersionImpact(
    @Ctx() ctx: HubContext,
    @Arg('key', { description: 'Key of the set, e.g. "iso27001-to-iso42001".' }) key: string,
    @Arg('version', () => Int, { nullable: true, description: 'The version to read; omitted: the latest.' }) version?: number | null,
    @Arg('revision', () => Int, { defaultValue: 0, description: 'An organization overlay revision of that version; 0 for the published one.' }) revision?: number,
    @Arg('asOf', () => DateTime, { nullable: true, description: 'Date the evidence is read at; now when omitted.' }) asOf?: Date | null,
    @Arg('maxDepth', () => Int, { defaultValue: DEFAULT_COVERAGE_DEPTH, description: `Most mapping hops, 1 to ${CLOSURE_MAX_DEPTH}.` }) maxDepth?: number,
  ): Promise<MappingChangeImpact> {
    const depth = maxDepth ?? DEFAULT_COVERAGE_DEPTH;
    checkDepth(depth);
    return MappingChangeImpact.of(await ctx.services.review.versionImpact(ctx.organizationId, key, version ?? null, revision ?? 0, asOf ?? new Date(), depth, ctx.actor, ctx.requestId));
  }

  @Authorized(...CATALOG)
  @Query(() => MappingSetDiff, { description: 'Rows added, removed and changed (which fields, before and after) between two visible mapping set versions.' })
  async mappingSetDiff(
    @Ctx() ctx: HubContext,
    @Arg('from', () => ID, { description: 'The version compared from.' }) from: string,
    @Arg('to', () => ID, { description: 'The version compared to.' }) to: string,
  ): Promise<MappingSetDiff> {
    const d = await ctx.services.review.diff(ctx.organizationId, from, to);
    return Object.assign(new MappingSetDiff(), {
      from: d.from,
      to: d.to,
      added: d.added.map(MappingDiffRow.of),
      removed: d.removed.map(MappingDiffRow.of),
      changed: d.changed.map((c) => Object.assign(new MappingRowChange(), {
        sourceRef: c.after.sourceRef,
        targetRef: c.after.targetRef,
        fields: c.fields,
        before: MappingDiffRow.of(c.before),
        after: MappingDiffRow.of(c.after),
      })),
      unchanged: d.unchanged,
    });
  }

  @Authorized(...REPORT)
  @Mutation(() => ProposeMappingChangePayload, {
    description: 'Proposes changes to a mapping set (ANALYST or EDITOR). Nothing changes for the organization until an EDITOR other than the proposer approves.',
  })
  async proposeMappingChange(@Ctx() ctx: HubContext, @Arg('input', () => ProposeMappingChangeInput, { description: 'The set version and the changes.' }) input: ProposeMappingChangeInput): Promise<ProposeMappingChangePayload> {
    const cs = await ctx.services.review.propose(ctx.organizationId, reviewer(ctx), {
      mappingSourceId: input.mappingSourceId,
      title: input.title,
      changes: input.changes.map(toChange),
    });
    return Object.assign(new ProposeMappingChangePayload(), { changeSet: MappingChangeSet.of(cs) });
  }

  @Authorized(...EDIT)
  @Mutation(() => DecideMappingChangePayload, {
    description:
      'Approves or rejects a PROPOSED change set; not by its proposer (nor another token of the same name). Approval writes a new version: for a shipped ' +
      'set the organization\'s overlay of it (shipped rows stay as they are for everyone else), for its own set the next version; its reports read it at once.',
  })
  async decideMappingChange(@Ctx() ctx: HubContext, @Arg('input', () => DecideMappingChangeInput, { description: 'The change set and the decision.' }) input: DecideMappingChangeInput): Promise<DecideMappingChangePayload> {
    const { changeSet, graph } = await ctx.services.review.decide(ctx.organizationId, reviewer(ctx), input);
    return Object.assign(new DecideMappingChangePayload(), { changeSet: MappingChangeSet.of(changeSet), graph: graph ? graphInfo(graph) : null });
  }

  @Authorized(...REPORT)
  @Mutation(() => WithdrawMappingChangePayload, { description: 'The proposer takes back a change set that is still PROPOSED.' })
  async withdrawMappingChange(@Ctx() ctx: HubContext, @Arg('input', () => WithdrawMappingChangeInput, { description: 'The change set.' }) input: WithdrawMappingChangeInput): Promise<WithdrawMappingChangePayload> {
    const cs = await ctx.services.review.withdraw(ctx.organizationId, reviewer(ctx), input.id);
    return Object.assign(new WithdrawMappingChangePayload(), { changeSet: MappingChangeSet.of(cs) });
  }
}

@Resolver(() => MappingChangeSet)
export class MappingChangeSetResolver {
  @FieldResolver(() => MappingSource, { nullable: true, description: 'The set version the change is proposed against.' })
  async mappingSource(@Root() cs: MappingChangeSet, @Ctx() ctx: HubContext): Promise<MappingSource | null> {
    return ctx.loaders.mappingSource.load(cs.stored.mappingSourceId);
  }

  @FieldResolver(() => MappingSource, { nullable: true, description: 'The version approval created; null until approved.' })
  async resultSource(@Root() cs: MappingChangeSet, @Ctx() ctx: HubContext): Promise<MappingSource | null> {
    return cs.stored.resultSourceId ? ctx.loaders.mappingSource.load(cs.stored.resultSourceId) : null;
  }

  @FieldResolver(() => MappingChangeImpact, {
    nullable: true,
    description: `What approval would do to coverage now (as mappingChangeImpact with its defaults); null once decided or withdrawn. Each one rebuilds a mapping graph: at most ${MAX_IMPACTS_PER_REQUEST} per request.`,
  })
  async impact(@Root() cs: MappingChangeSet, @Ctx() ctx: HubContext): Promise<MappingChangeImpact | null> {
    if (cs.status !== ChangeSetStatus.PROPOSED) return null;
    // A list of proposals each asking for its impact would rebuild a graph per row: bounded per request.
    const counter = ctx.loaders.keyed('mappingChangeImpacts', () => ({ n: 0 }));
    if (++counter.n > MAX_IMPACTS_PER_REQUEST) throw badInput('impact', `impact is computed for at most ${MAX_IMPACTS_PER_REQUEST} change sets per request; ask mappingChangeImpact for the others`);
    return MappingChangeImpact.of(await ctx.services.review.impact(ctx.organizationId, cs.id, new Date(), DEFAULT_COVERAGE_DEPTH, ctx.actor, ctx.requestId));
  }
}
