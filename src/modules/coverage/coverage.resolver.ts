import DataLoader from 'dataloader';
import { Arg, Args, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root, Authorized } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { decodeCursor, encodeCursor, MAX_PAGE_SIZE, checkPageSize, keyset, PageArgs } from '../../graphql/connection.type';
import type { HubContext } from '../../graphql/context';
import { byId, listBy } from '../../graphql/context';
import type { MappingGraph } from '../mapping/mapping-graph.service';
import { badInput } from '../../graphql/errors';
import { Framework } from '../framework/framework.entity';
import { Requirement } from '../framework/requirement.entity';
import { RequirementKind } from '../framework/framework.enums';
import { Evidence } from '../evidence/evidence.entity';
import { EvidenceLink } from '../evidence/evidence-link.entity';
import { LinkCoverage, LinkOrigin } from '../evidence/evidence.enums';
import { requireRequirement } from '../evidence/evidence.resolver';
import { MappingEdge, MappingPath, MappingRow, NoCounterpartReason } from '../mapping/mapping-edge.type';
import { noCounterpartLoader } from '../mapping/mapping.resolver';
import { PathCoverage, Relationship } from '../mapping/mapping.enums';
import { CLOSURE_MAX_DEPTH } from '../mapping/mapping-closure.service';
import { ApplicabilityDecision } from '../applicability/applicability.entity';
import { CoverageCounts, CoverageStatus, emptyCounts, totals } from './coverage.rules';
import { ContributionRow, CoverageScope } from './coverage.service';
import { ConfirmPrefillInput, CoverageArgs, FrameworkCoverageArgs, PairCoverageArgs, RejectPrefillInput, SetApplicabilityInput } from './coverage.args';
import { systemFindings } from '../ai-system/system-findings';
import { obligationsOf } from '../ai-system/eu-act.resolver';
import { DutyApplicability } from '../ai-system/eu-act.types';
import { TextBasis } from '../ai-system/applicability.versions';
import { EU_FRAMEWORK_KEY } from '../ai-system/applicability.seeder';
import { AiSystem } from '../ai-system/ai-system.entity';
import {
  CoverageReport, CoverageTotals, FrameworkCoverage, GapItem, GapReport, GroupCoverage, InferredCoverage, PrefillItem, PrefillReport,
  PrefillResidual, Reach, ReachGroup, ReachTotals, RequirementCoverage, RequirementCoverageConnection, ReuseItem, ReuseReport, SoaRow,
  StatementOfApplicability, SuggestedEvidence,
} from './coverage.types';
import { EDIT, REPORT } from '../auth/role';

const toTotals = (c: CoverageCounts) => Object.assign(new CoverageTotals(), totals(c));

async function scopeOf(ctx: HubContext, args: CoverageArgs & { aiSystemId?: string | null }): Promise<CoverageScope> {
  const aiSystemId = args.aiSystemId ? (await ctx.services.aiSystem.require(ctx.organizationId, args.aiSystemId)).id : null;
  const graph = await ctx.graph(args.asOf ?? undefined);
  const scope: CoverageScope = { organizationId: ctx.organizationId, asOf: args.asOf ?? new Date(), maxDepth: args.maxDepth, graph, aiSystemId };
  // A past report reads the status history where it has one; the present is recounted (on the rollup).
  if (args.asOf && args.asOf.getTime() < Date.now()) scope.fromHistory = await ctx.services.coverage.historyCovers(scope);
  return scope;
}

const scopeKey = (s: CoverageScope) => `${s.asOf.toISOString()}|${s.maxDepth}|${s.graph.id}|${s.aiSystemId ?? ''}|${s.fromHistory ? 'h' : ''}`;

async function framework(ctx: HubContext, key: string): Promise<Framework> {
  const f = (await ctx.services.framework.requireByKeys([key])).get(key)!;
  ctx.loaders.framework.prime(f.id, f);
  return f;
}

/** The pre-fill report of `prefill(from:, to:)`; spreadsheet imports answer with the same (their reuse picture). */
export async function prefillReport(ctx: HubContext, args: PairCoverageArgs): Promise<PrefillReport> {
  if (args.from === args.to) throw badInput('to', 'to must differ from from');
  const [from, to] = [await framework(ctx, args.from), await framework(ctx, args.to)];
  const scope = await scopeOf(ctx, args);
  const rows = await ctx.services.coverage.prefill(scope, from.id, to.id);
  for (const r of rows) ctx.loaders.requirement.prime(r.requirement.id, r.requirement);
  const items = rows.map((r) => ({ requirement: r.requirement, reach: r.reach as Reach }));
  return Object.assign(new PrefillReport(), {
    from, to, asOf: scope.asOf, maxDepth: scope.maxDepth,
    totals: reachTotals(items.map((i) => i.reach)),
    groups: reachGroups(items),
    requirements: items
      .filter((i) => i.reach !== Reach.NONE)
      .map((i) => Object.assign(new PrefillItem(), { ...i, scope, sourceFrameworkId: from.id })),
  });
}

/** Path of a contribution or reuse row, hop by hop, from the mapping rows its ids name, read with the graph's conditions. */
async function buildPath(ctx: HubContext, graph: MappingGraph, fromId: string, mappingIds: string[], nodeIds: string[], coverage: PathCoverage, minStrength: number | null): Promise<MappingPath> {
  const loader = ctx.loaders.keyed(`mappingRow:${graph.id}`, () => byId<MappingRow>((ids) => ctx.services.mapping.rowsByIds(graph, ids)));
  const rows = await loader.loadMany(mappingIds);
  const p = new MappingPath();
  p.coverage = coverage;
  p.minStrength = minStrength;
  p.length = mappingIds.length;
  p.targetId = nodeIds[nodeIds.length - 1];
  p.hops = rows.map((row, i) => MappingEdge.from(row as MappingRow, i === 0 ? fromId : nodeIds[i - 1]));
  return p;
}

function toInferred<T extends InferredCoverage>(cls: new () => T, row: ContributionRow): T {
  return Object.assign(new cls(), { row, link: row.link, coverage: row.coverage, state: row.state });
}

function contributionLoader(ctx: HubContext, s: CoverageScope, mode: 'counted' | 'suggest', perTarget: number, sourceFrameworkId: string | null = null) {
  return ctx.loaders.keyed(`contrib:${mode}:${scopeKey(s)}:${perTarget}:${sourceFrameworkId}`, () =>
    listBy<ContributionRow>((ids) => ctx.services.coverage.contributions(s, ids, perTarget, mode, sourceFrameworkId)),
  );
}

function reachTotals(reaches: Reach[]): ReachTotals {
  return Object.assign(new ReachTotals(), {
    assessable: reaches.length,
    full: reaches.filter((r) => r === Reach.FULL).length,
    partial: reaches.filter((r) => r === Reach.PARTIAL).length,
    none: reaches.filter((r) => r === Reach.NONE).length,
  });
}

function reachGroups(items: { requirement: Requirement; reach: Reach }[]): ReachGroup[] {
  const byGroup = new Map<string, Reach[]>();
  for (const i of items) {
    const g = i.requirement.ancestorIds[0] ?? i.requirement.id;
    const list = byGroup.get(g);
    if (list) list.push(i.reach);
    else byGroup.set(g, [i.reach]);
  }
  return [...byGroup].map(([groupId, reaches]) => Object.assign(new ReachGroup(), { groupId, totals: reachTotals(reaches) }));
}

@Resolver()
export class CoverageQueryResolver {
  @Authorized(...REPORT)
  @Query(() => CoverageReport, { description: 'Coverage of one framework at a date: totals, roll-ups per group, and each requirement\'s status with its explanation.' })
  async coverage(@Ctx() ctx: HubContext, @Args() args: FrameworkCoverageArgs): Promise<CoverageReport> {
    const fw = await framework(ctx, args.framework);
    const scope = await scopeOf(ctx, args);
    return Object.assign(new CoverageReport(), { scope, framework: fw, asOf: scope.asOf, maxDepth: scope.maxDepth, fromHistory: scope.fromHistory ?? false });
  }

  @Authorized(...REPORT)
  @Query(() => [FrameworkCoverage], { description: 'The latest version of every framework side by side: a dashboard\'s first screen in one request.' })
  async coverageSummary(@Ctx() ctx: HubContext, @Args() args: CoverageArgs): Promise<FrameworkCoverage[]> {
    const scope = await scopeOf(ctx, args);
    const fws = await ctx.services.framework.list(false);
    const { totals: t } = await ctx.services.coverage.counts(scope, fws.map((f) => f.id), false);
    const frameworkIds = fws.map((f) => f.id);
    return fws.map((f) => Object.assign(new FrameworkCoverage(), { scope, frameworkIds, framework: f, totals: toTotals(t.get(f.id) ?? emptyCounts()) }));
  }

  @Authorized(...REPORT)
  @Query(() => PrefillReport, { description: 'What valid evidence attached to requirements of `from` pre-fills in `to`, with contributions, paths and what is left to show.' })
  async prefill(@Ctx() ctx: HubContext, @Args() args: PairCoverageArgs): Promise<PrefillReport> {
    return prefillReport(ctx, args);
  }

  @Authorized(...REPORT)
  @Query(() => GapReport, { description: 'Every GAP, STALE, PENDING and PARTIAL requirement in document order, with evidence the organization already holds that could close it. For the EU AI Act and one AI system: only the duties that bind it, will bind it or may (CONDITIONAL), the open questions, and its unanswered facts as findings.' })
  async gaps(@Ctx() ctx: HubContext, @Args() args: FrameworkCoverageArgs): Promise<GapReport> {
    const fw = await framework(ctx, args.framework);
    const scope = await scopeOf(ctx, args);
    // The EU AI Act for one system: every status is read (the system's duties and open questions need them), the gaps kept below.
    const eu = fw.key === EU_FRAMEWORK_KEY;
    const open = [CoverageStatus.GAP, CoverageStatus.STALE, CoverageStatus.PENDING, CoverageStatus.PARTIAL];
    const [all, counts] = await Promise.all([
      ctx.services.coverage.statuses(scope, fw.id, eu && scope.aiSystemId ? {} : { statuses: open }),
      ctx.services.coverage.counts(scope, [fw.id], false),
    ]);
    for (const r of all) ctx.loaders.requirement.prime(r.requirement.id, r.requirement);
    const rows = all.filter((r) => open.includes(r.status));
    const aiFramework = ['iso42001', 'eu-ai-act', 'nist-ai-rmf'].includes(fw.key);
    const systems = !aiFramework ? [] : scope.aiSystemId ? [await ctx.services.aiSystem.require(ctx.organizationId, scope.aiSystemId)] : await ctx.services.aiSystem.list(ctx.organizationId, false);
    // The EU AI Act for one system: only the duties that bind it, will, or may; the CONDITIONAL ones as open questions.
    const known = eu && scope.aiSystemId ? new Map([[systems[0].id, new Map(all.map((r) => [r.requirement.id, r.status]))]]) : null;
    const duties = known ? new Map((await obligationsOf(ctx, systems, scope.asOf, TextBasis.IN_FORCE, null, known)).get(systems[0].id)!.map((o) => [o.requirement.id, o])) : null;
    return Object.assign(new GapReport(), {
      framework: fw,
      asOf: scope.asOf,
      systemFindings: await systemFindings(ctx, systems, scope.asOf, eu),
      totals: toTotals(counts.totals.get(fw.id)!),
      items: rows.filter((r) => !duties || duties.has(r.requirement.id))
        .map((r) => Object.assign(new GapItem(), { scope, requirement: r.requirement, status: r.status, applicability: duties?.get(r.requirement.id)?.applicability ?? null })),
      openQuestions: duties ? [...duties.values()].filter((o) => o.applicability === DutyApplicability.CONDITIONAL) : [],
    });
  }

  @Authorized(...REPORT)
  @Query(() => ReuseReport, { description: 'Before any evidence: which requirements of `to` a programme on `from` reaches fully or partially through mappings, and what only `to` covers.' })
  async reusePotential(
    @Ctx() ctx: HubContext,
    @Arg('from', { description: 'Framework already in place, e.g. "iso27001".' }) fromKey: string,
    @Arg('to', { description: 'Framework to reach, e.g. "iso42001".' }) toKey: string,
    @Arg('maxDepth', () => Int, { defaultValue: 2, description: `Most hops, 1 to ${CLOSURE_MAX_DEPTH}.` }) maxDepth: number,
  ): Promise<ReuseReport> {
    if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > CLOSURE_MAX_DEPTH) throw badInput('maxDepth', `maxDepth must be between 1 and ${CLOSURE_MAX_DEPTH}`);
    if (fromKey === toKey) throw badInput('to', 'to must differ from from');
    const [from, to] = [await framework(ctx, fromKey), await framework(ctx, toKey)];
    const graph = await ctx.graph();
    const rows = await ctx.services.coverage.reuse(graph.id, maxDepth, from.id, to.id);
    const items = await Promise.all(
      rows.map(async (r) => {
        ctx.loaders.requirement.prime(r.requirement.id, r.requirement);
        const path = r.fromId ? await buildPath(ctx, graph, r.fromId, r.mappingIds, r.nodeIds, r.pathCoverage!, r.minStrength) : null;
        return Object.assign(new ReuseItem(), { requirement: r.requirement, reach: r.reach as Reach, path, graphSourceIds: graph.sourceIds });
      }),
    );
    return Object.assign(new ReuseReport(), { from, to, maxDepth, totals: reachTotals(items.map((i) => i.reach)), groups: reachGroups(items), requirements: items });
  }

  @Authorized(...REPORT)
  @Query(() => StatementOfApplicability, { description: 'Every Annex A control (ISO frameworks) or assessable requirement with its decision, justification and implementation status.' })
  async statementOfApplicability(
    @Ctx() ctx: HubContext,
    @Arg('framework', { description: 'Framework key.' }) key: string,
    @Arg('asOf', () => DateTime, { nullable: true, description: 'Report date; now when omitted.' }) asOf?: Date | null,
  ): Promise<StatementOfApplicability> {
    const fw = await framework(ctx, key);
    const scope: CoverageScope = { organizationId: ctx.organizationId, asOf: asOf ?? new Date(), maxDepth: 2, graph: await ctx.graph(asOf ?? undefined) };
    const hasControls = (await ctx.services.requirement.count([fw.id], { kind: RequirementKind.CONTROL })).get(fw.id)! > 0;
    const rows = await ctx.services.coverage.statuses(scope, fw.id, hasControls ? { kinds: [RequirementKind.CONTROL] } : {});
    const decisions = await ctx.services.applicability.at(ctx.organizationId, rows.map((r) => r.requirement.id), scope.asOf);
    const soaRows = rows.map((r) => {
      ctx.loaders.requirement.prime(r.requirement.id, r.requirement);
      return Object.assign(new SoaRow(), { requirement: r.requirement, decision: decisions.get(r.requirement.id) ?? null, implementationStatus: r.status });
    });
    return Object.assign(new StatementOfApplicability(), {
      framework: fw,
      asOf: scope.asOf,
      applicable: soaRows.filter((r) => r.decision?.applicability === 'APPLICABLE').length,
      notApplicable: soaRows.filter((r) => r.decision?.applicability === 'NOT_APPLICABLE').length,
      undecided: soaRows.filter((r) => !r.decision).length,
      rows: soaRows,
    });
  }

  @Authorized(...EDIT)
  @Mutation(() => ApplicabilityDecision, { description: 'Records a Statement of Applicability decision; the previous one is kept as history.' })
  async setApplicability(@Ctx() ctx: HubContext, @Arg('input', () => SetApplicabilityInput, { description: 'The decision.' }) input: SetApplicabilityInput): Promise<ApplicabilityDecision> {
    const req = await requireRequirement(ctx, input.framework, input.ref);
    if (!req.assessable) throw badInput('ref', `"${input.ref}" only groups other requirements; decide on its assessable requirements`);
    return ctx.services.applicability.set(ctx.organizationId, ctx.actor, req.id, {
      applicability: input.applicability,
      justification: input.justification ?? null,
      reasons: input.reasons,
      implementation: input.implementation ?? null,
      owner: input.owner ?? null,
    });
  }

  @Authorized(...EDIT)
  @Mutation(() => EvidenceLink, { description: 'Turns a pre-fill into a direct link made by a person (who and when are recorded, with the path it came through).' })
  async confirmPrefill(@Ctx() ctx: HubContext, @Arg('input', () => ConfirmPrefillInput, { description: 'The pre-fill.' }) input: ConfirmPrefillInput): Promise<EvidenceLink> {
    const target = await requireRequirement(ctx, input.framework, input.ref);
    await ctx.services.evidence.require(ctx.organizationId, input.evidenceId);
    const scope: CoverageScope = { organizationId: ctx.organizationId, asOf: new Date(), maxDepth: CLOSURE_MAX_DEPTH, graph: await ctx.graph() };
    const [best] = (await ctx.services.coverage.contributions(scope, [target.id], 1, 'counted', null, input.evidenceId)).get(target.id)!;
    if (!best) {
      throw badInput('evidenceId', `evidence "${input.evidenceId}" does not pre-fill ${input.framework} ${input.ref} (no valid, pending or stale link on a mapped requirement)`);
    }
    const { link } = await ctx.services.evidence.link(ctx.organizationId, { actor: ctx.actor, ownOnly: false }, {
      evidenceId: input.evidenceId,
      requirementId: target.id,
      coverage: input.coverage ?? best.coverage,
      note: input.note?.trim() || null,
      origin: LinkOrigin.CONFIRMED_PREFILL,
      prefillPath: { fromRequirementId: best.fromId, mappingIds: best.mappingIds, pathCoverage: best.pathCoverage, linkCoverage: best.link.coverage },
    });
    return link;
  }

  @Authorized(...EDIT)
  @Mutation(() => PrefillRejection, { description: 'Rejects a pre-fill: the evidence no longer counts for the requirement through mappings, and is not suggested again.' })
  async rejectPrefill(@Ctx() ctx: HubContext, @Arg('input', () => RejectPrefillInput, { description: 'The pre-fill and why.' }) input: RejectPrefillInput): Promise<PrefillRejection> {
    const target = await requireRequirement(ctx, input.framework, input.ref);
    await ctx.services.evidence.require(ctx.organizationId, input.evidenceId);
    const row = await ctx.services.coverage.rejectPrefill(ctx.organizationId, ctx.actor, target.id, input.evidenceId, input.reason.trim());
    return Object.assign(new PrefillRejection(), row);
  }
}

@ObjectType({ description: 'A pre-fill a person rejected.' })
export class PrefillRejection {
  @Field(() => ID, { description: 'Rejection id.' }) id: string;
  requirementId: string;
  evidenceId: string;
  @Field({ description: 'Why.' }) reason: string;
  @Field({ description: 'Who rejected it.' }) rejectedBy: string;
  @Field(() => DateTime, { description: 'When.' }) rejectedAt: Date;
  @Field(() => Requirement, { description: 'The requirement it would have pre-filled.' }) requirement?: Requirement;
  @Field(() => Evidence, { description: 'The evidence.' }) evidence?: Evidence;
}

@Resolver(() => PrefillRejection)
export class PrefillRejectionResolver {
  @FieldResolver(() => Requirement)
  async requirement(@Root() r: PrefillRejection, @Ctx() ctx: HubContext): Promise<Requirement> {
    return (await ctx.loaders.requirement.load(r.requirementId))!;
  }

  @FieldResolver(() => Evidence)
  async evidence(@Root() r: PrefillRejection, @Ctx() ctx: HubContext): Promise<Evidence> {
    return (await ctx.loaders.evidence.load(r.evidenceId))!;
  }
}

@Resolver(() => CoverageReport)
export class CoverageReportResolver {
  private counts(ctx: HubContext, r: CoverageReport) {
    return ctx.loaders.keyed(`counts:${scopeKey(r.scope)}:${r.framework.id}`, () => ctx.services.coverage.counts(r.scope, [r.framework.id], true));
  }

  @FieldResolver(() => AiSystem, { nullable: true })
  aiSystem(@Root() r: CoverageReport, @Ctx() ctx: HubContext): Promise<AiSystem | null> | null {
    return r.scope.aiSystemId ? ctx.loaders.aiSystem.load(r.scope.aiSystemId) : null;
  }

  @FieldResolver(() => CoverageTotals)
  async totals(@Root() r: CoverageReport, @Ctx() ctx: HubContext): Promise<CoverageTotals> {
    return toTotals((await this.counts(ctx, r)).totals.get(r.framework.id)!);
  }

  @FieldResolver(() => [GroupCoverage])
  async groups(@Root() r: CoverageReport, @Ctx() ctx: HubContext): Promise<GroupCoverage[]> {
    const { groups } = await this.counts(ctx, r);
    const roots = await ctx.loaders.roots.load(r.framework.id);
    return roots.filter((g) => groups.has(g.id)).map((g) => groupCoverage(r.scope, g.id, groups));
  }

  @FieldResolver(() => RequirementCoverage)
  async requirement(
    @Root() r: CoverageReport,
    @Ctx() ctx: HubContext,
    @Arg('ref', { description: 'The requirement\'s ref in this framework, e.g. "A.5.1".' }) ref: string,
  ): Promise<RequirementCoverage> {
    const req = await ctx.services.requirement.findByRef(r.framework.id, ref, r.framework.key);
    if (!req.assessable) throw badInput('ref', `"${ref}" only groups other requirements; ask for one of its assessable requirements`);
    // Every status of the framework in one statement, shared by all requirement(ref:) fields of this report.
    const rows = await ctx.loaders.keyed(`statuses:${scopeKey(r.scope)}:${r.framework.id}`, () => ctx.services.coverage.statuses(r.scope, r.framework.id));
    const row = rows.find((x) => x.requirement.id === req.id)!;
    return Object.assign(new RequirementCoverage(), { scope: r.scope, requirement: row.requirement, status: row.status });
  }

  @FieldResolver(() => RequirementCoverageConnection)
  async requirements(
    @Root() r: CoverageReport,
    @Ctx() ctx: HubContext,
    @Args() args: PageArgs,
    @Arg('status', () => [CoverageStatus], { nullable: true, description: 'Only these statuses.' }) status?: CoverageStatus[] | null,
  ): Promise<RequirementCoverageConnection> {
    const window = keyset(args, (c, field) => decodeCursor('cov', c, field));
    const page = await ctx.services.coverage.page(r.scope, r.framework.id, status?.length ? status : null, window);
    for (const row of page.rows) ctx.loaders.requirement.prime(row.requirement.id, row.requirement);
    return RequirementCoverageConnection.fromPage({
      items: page.rows.map((row) => ({
        node: Object.assign(new RequirementCoverage(), { scope: r.scope, requirement: row.requirement, status: row.status }),
        cursor: encodeCursor('cov', row.requirement.position),
      })),
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      count: page.count,
    });
  }
}

@Resolver(() => FrameworkCoverage)
export class FrameworkCoverageResolver {
  @FieldResolver(() => [GroupCoverage])
  async groups(@Root() f: FrameworkCoverage, @Ctx() ctx: HubContext): Promise<GroupCoverage[]> {
    // One statement for the groups of every framework in the summary, one for their roots (batched).
    const { groups } = await ctx.loaders.keyed(`summary-groups:${scopeKey(f.scope)}`, () => ctx.services.coverage.counts(f.scope, f.frameworkIds, true));
    const roots = await ctx.loaders.roots.load(f.framework.id);
    return roots.filter((g) => groups.has(g.id)).map((g) => groupCoverage(f.scope, g.id, groups));
  }
}

function groupCoverage(scope: CoverageScope, groupId: string, groups: Map<string, CoverageCounts>): GroupCoverage & { all: Map<string, CoverageCounts> } {
  return Object.assign(new GroupCoverage(), { scope, groupId, totals: toTotals(groups.get(groupId)!), all: groups });
}

@Resolver(() => GroupCoverage)
export class GroupCoverageResolver {
  @FieldResolver(() => Requirement)
  async group(@Root() g: GroupCoverage, @Ctx() ctx: HubContext): Promise<Requirement> {
    return (await ctx.loaders.requirement.load(g.groupId))!;
  }

  @FieldResolver(() => [GroupCoverage])
  async children(@Root() g: GroupCoverage & { all: Map<string, CoverageCounts> }, @Ctx() ctx: HubContext): Promise<GroupCoverage[]> {
    const kids = await ctx.loaders.children.load(g.groupId);
    return kids.filter((k) => g.all.has(k.id)).map((k) => groupCoverage(g.scope, k.id, g.all));
  }
}

@Resolver(() => RequirementCoverage)
export class RequirementCoverageResolver {
  @FieldResolver(() => [EvidenceLink])
  async direct(
    @Root() r: RequirementCoverage,
    @Ctx() ctx: HubContext,
    @Arg('first', () => Int, { defaultValue: 20, description: `Most links, 1 to ${MAX_PAGE_SIZE}.` }) first: number,
  ): Promise<EvidenceLink[]> {
    checkPageSize(first);
    const loader = ctx.loaders.keyed(`links-on:${r.scope.asOf.toISOString()}`, () =>
      listBy<EvidenceLink>((ids) => ctx.services.evidence.linksOnRequirements(ctx.organizationId, ids, r.scope.asOf)),
    );
    return (await loader.load(r.requirement.id)).slice(0, first);
  }

  @FieldResolver(() => [InferredCoverage])
  async inferred(
    @Root() r: RequirementCoverage,
    @Ctx() ctx: HubContext,
    @Arg('first', () => Int, { defaultValue: 10, description: 'Most contributions, 1 to 50.' }) first: number,
  ): Promise<InferredCoverage[]> {
    if (!Number.isInteger(first) || first < 1 || first > 50) throw badInput('first', 'first must be between 1 and 50');
    const rows = await contributionLoader(ctx, r.scope, 'counted', first).load(r.requirement.id);
    return rows.map((row) => toInferred(InferredCoverage, row));
  }

  @FieldResolver(() => ApplicabilityDecision, { nullable: true })
  async applicability(@Root() r: RequirementCoverage, @Ctx() ctx: HubContext): Promise<ApplicabilityDecision | null> {
    const loader = ctx.loaders.keyed(`soa:${r.scope.asOf.toISOString()}`, () =>
      new DataLoader<string, ApplicabilityDecision | null>(async (ids) => {
        const found = await ctx.services.applicability.at(ctx.organizationId, ids, r.scope.asOf);
        return ids.map((id) => found.get(id) ?? null);
      }),
    );
    return loader.load(r.requirement.id);
  }
}

@Resolver(() => InferredCoverage)
export class InferredCoverageResolver {
  @FieldResolver(() => Evidence)
  async evidence(@Root() c: InferredCoverage, @Ctx() ctx: HubContext): Promise<Evidence> {
    return (await ctx.loaders.evidence.load(c.row.link.evidenceId))!;
  }

  @FieldResolver(() => Requirement)
  async from(@Root() c: InferredCoverage, @Ctx() ctx: HubContext): Promise<Requirement> {
    return (await ctx.loaders.requirement.load(c.row.fromId))!;
  }

  @FieldResolver(() => MappingPath)
  path(@Root() c: InferredCoverage, @Ctx() ctx: HubContext): Promise<MappingPath> {
    return buildPath(ctx, c.row.graph, c.row.fromId, c.row.mappingIds, c.row.nodeIds, c.row.pathCoverage, c.row.minStrength);
  }
}

@Resolver(() => SuggestedEvidence)
export class SuggestedEvidenceResolver extends InferredCoverageResolver {}

@Resolver(() => PrefillItem)
export class PrefillItemResolver {
  private rows(ctx: HubContext, item: PrefillItem) {
    return contributionLoader(ctx, item.scope, 'counted', 10, item.sourceFrameworkId).load(item.requirement.id);
  }

  @FieldResolver(() => [InferredCoverage])
  async contributions(@Root() item: PrefillItem, @Ctx() ctx: HubContext): Promise<InferredCoverage[]> {
    return (await this.rows(ctx, item)).filter((r) => r.state === 'VALID').map((row) => toInferred(InferredCoverage, row));
  }

  @FieldResolver(() => PrefillResidual, { nullable: true })
  async residual(@Root() item: PrefillItem, @Ctx() ctx: HubContext): Promise<PrefillResidual | null> {
    if (item.reach !== Reach.PARTIAL) return null;
    const best = (await this.rows(ctx, item)).find((r) => r.state === 'VALID');
    if (!best) return null;
    const path = await buildPath(ctx, best.graph, best.fromId, best.mappingIds, best.nodeIds, best.pathCoverage, best.minStrength);
    return Object.assign(new PrefillResidual(), {
      title: item.requirement.title,
      partialHops: path.hops.filter((h) => h.relationship !== Relationship.EQUAL && h.relationship !== Relationship.SUPERSET_OF),
      partialLink: best.link.coverage === LinkCoverage.PARTIAL,
    });
  }
}

@Resolver(() => GapItem)
export class GapItemResolver {
  @FieldResolver(() => Requirement, { nullable: true })
  async group(@Root() g: GapItem, @Ctx() ctx: HubContext): Promise<Requirement | null> {
    const id = g.requirement.ancestorIds[0];
    return id ? ctx.loaders.requirement.load(id) : null;
  }

  @FieldResolver(() => [SuggestedEvidence])
  async suggestedEvidence(
    @Root() g: GapItem,
    @Ctx() ctx: HubContext,
    @Arg('first', () => Int, { defaultValue: 5, description: 'Most suggestions, 1 to 50.' }) first: number,
  ): Promise<SuggestedEvidence[]> {
    if (!Number.isInteger(first) || first < 1 || first > 50) throw badInput('first', 'first must be between 1 and 50');
    const rows = await contributionLoader(ctx, g.scope, 'suggest', first).load(g.requirement.id);
    return rows.map((row) => toInferred(SuggestedEvidence, row));
  }

  @FieldResolver(() => [NoCounterpartReason])
  async noCounterpart(@Root() g: GapItem, @Ctx() ctx: HubContext): Promise<NoCounterpartReason[]> {
    return (await noCounterpartLoader(ctx, g.scope.graph.sourceIds).load(g.requirement)).reasons;
  }

  @FieldResolver(() => Boolean)
  async frameworkSpecific(@Root() g: GapItem, @Ctx() ctx: HubContext): Promise<boolean> {
    const { reasons, sets } = await noCounterpartLoader(ctx, g.scope.graph.sourceIds).load(g.requirement);
    return sets > 0 && new Set(reasons.map((r) => r.mappingSourceId)).size === sets;
  }
}

@Resolver(() => ReuseItem)
export class ReuseItemResolver {
  @FieldResolver(() => [NoCounterpartReason])
  async noCounterpart(@Root() i: ReuseItem, @Ctx() ctx: HubContext): Promise<NoCounterpartReason[]> {
    return (await noCounterpartLoader(ctx, i.graphSourceIds).load(i.requirement)).reasons;
  }
}

@Resolver(() => ReachGroup)
export class ReachGroupResolver {
  @FieldResolver(() => Requirement)
  async group(@Root() g: ReachGroup, @Ctx() ctx: HubContext): Promise<Requirement> {
    return (await ctx.loaders.requirement.load(g.groupId))!;
  }
}
