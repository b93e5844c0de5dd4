import { Arg, Args, ArgsType, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import { IsOptional, Length } from 'class-validator';
import { DateTime } from '../../graphql/scalars';
import type { HubContext } from '../../graphql/context';
import { badInput } from '../../graphql/errors';
import { Framework } from '../framework/framework.entity';
import { ADMIN, REPORT } from '../auth/role';
import { Authorized } from 'type-graphql';
import { CoverageCounts, emptyCounts, totals } from './coverage.rules';
import { CoverageTotals } from './coverage.types';
import type { CoverageScope } from './coverage.service';
import { EVENT_MAX_DEPTH } from '../events/coverage-events.service';

export enum TrendInterval {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
}
registerEnumType(TrendInterval, {
  name: 'TrendInterval',
  description: 'The step between the points of a trend.',
  valuesConfig: {
    DAY: { description: 'One day.' },
    WEEK: { description: 'Seven days.' },
    MONTH: { description: 'One calendar month (UTC).' },
    QUARTER: { description: 'Three calendar months (UTC).' },
  },
});

/** Most points one trend may ask for (a daily trend over a year and some). */
export const MAX_TREND_POINTS = 400;

/** from, from + interval, ... up to and including to (calendar months in UTC); none when from is after to. */
export function trendPoints(from: Date, to: Date, interval: TrendInterval): Date[] {
  const out: Date[] = [];
  for (let i = 0; ; i++) {
    const d = new Date(from);
    if (interval === TrendInterval.DAY) d.setUTCDate(d.getUTCDate() + i);
    else if (interval === TrendInterval.WEEK) d.setUTCDate(d.getUTCDate() + 7 * i);
    else d.setUTCMonth(d.getUTCMonth() + (interval === TrendInterval.MONTH ? 1 : 3) * i);
    if (d > to) break;
    out.push(d);
    if (out.length > MAX_TREND_POINTS) break;
  }
  return out;
}

@ArgsType()
export class CoverageTrendArgs {
  @Field({ description: 'Framework key.' })
  @Length(1, 100)
  framework: string;

  @Field(() => DateTime, { description: 'The first point.' })
  from: Date;

  @Field(() => DateTime, { nullable: true, description: 'The last point is the last step at or before this; now when omitted.' })
  to?: Date | null;

  @Field(() => TrendInterval, { defaultValue: TrendInterval.WEEK, description: 'The step between points.' })
  interval: TrendInterval;

  @Field(() => ID, { nullable: true, description: 'One AI system: organization-wide evidence plus evidence scoped to it (recounted at each point: the history is organization-wide).' })
  @IsOptional()
  aiSystemId?: string | null;
}

@ObjectType({ description: 'Counts per status at one moment of a trend.' })
export class TrendPoint {
  @Field(() => DateTime, { description: 'The moment.' })
  at: Date;

  @Field(() => CoverageTotals, { description: 'Counts by status at that moment, at depth 2.' })
  totals: CoverageTotals;

  @Field({ description: 'Read from the status history (true) or recounted from the links (the present, moments before the history began, or an AI system).' })
  fromHistory: boolean;
}

@ObjectType({ description: 'How a framework\'s coverage moved over time: counts per status at each step.' })
export class CoverageTrend {
  @Field(() => Framework, { description: 'The framework.' })
  framework: Framework;

  @Field(() => TrendInterval, { description: 'The step between points.' })
  interval: TrendInterval;

  @Field(() => DateTime, { nullable: true, description: 'Since when the organization\'s status history is recorded; earlier points are recounted.' })
  historySince: Date | null;

  @Field(() => [TrendPoint], { description: 'From `from` to `to`, in time order; none when `from` is after `to`.' })
  points: TrendPoint[];
}

@ObjectType({ description: 'What rebuilding the status history did.' })
export class CoverageHistoryRebuild {
  @Field(() => DateTime, { description: 'Where the history now begins.' })
  since: Date;

  @Field(() => Int, { description: 'Moments at which something changed after it, each replayed.' })
  moments: number;

  @Field(() => Int, { description: 'Status periods the history now holds.' })
  periods: number;
}

@Resolver()
export class CoverageTrendResolver {
  @Authorized(...ADMIN)
  @Mutation(() => CoverageHistoryRebuild, {
    description: 'Starts the organization\'s status history again at `since` (now, if `since` is later): the statuses then and every change after it, replayed with the mapping graph in force at each moment, without events. For data that predates the history (an upgrade, an import), so past reports and trends read it. The replay reads evidence as it is now, like a recount of the past. Heavy: one statement per moment at which something changed since then, however far back.',
  })
  async rebuildCoverageHistory(@Ctx() ctx: HubContext, @Arg('since', () => DateTime, { description: 'Where the history is to begin; a moment after now begins it now.' }) since: Date): Promise<CoverageHistoryRebuild> {
    const start = new Date(Math.min(since.getTime(), Date.now()));
    const r = await ctx.services.coverageEvents.rebuild(ctx.organizationId, start.toISOString());
    return Object.assign(new CoverageHistoryRebuild(), { since: start, moments: r.moments, periods: r.periods });
  }

  @Authorized(...REPORT)
  @Query(() => CoverageTrend, {
    description: `Counts per status of one framework at each step from \`from\` to \`to\` (at most ${MAX_TREND_POINTS} points), at depth 2, on the mapping graph in force at each point. Points within the recorded status history are read from it in one statement; the others are recounted.`,
  })
  async coverageTrend(@Ctx() ctx: HubContext, @Args() args: CoverageTrendArgs): Promise<CoverageTrend> {
    const to = args.to ?? new Date();
    const points = trendPoints(args.from, to, args.interval);
    if (points.length > MAX_TREND_POINTS) throw badInput('interval', `at most ${MAX_TREND_POINTS} points; use a longer interval or a shorter period`);
    const fw = (await ctx.services.framework.requireByKeys([args.framework])).get(args.framework)!;
    const aiSystemId = args.aiSystemId ? (await ctx.services.aiSystem.require(ctx.organizationId, args.aiSystemId)).id : null;
    const history = aiSystemId ? null : await ctx.services.coverage.historySpan(ctx.organizationId);
    const inHistory = (t: Date) => !!history && history.since <= t && t < history.until;
    const recorded = points.filter(inHistory);
    const counts = new Map<number, CoverageCounts>();
    if (recorded.length) {
      for (const [t, c] of await ctx.services.coverage.historyCounts(ctx.organizationId, fw.id, recorded)) counts.set(t, c);
    }
    for (const t of points) {
      if (inHistory(t)) continue;
      const scope: CoverageScope = { organizationId: ctx.organizationId, asOf: t, maxDepth: EVENT_MAX_DEPTH, graph: await ctx.graph(t), aiSystemId };
      const { totals: byFramework } = await ctx.services.coverage.counts(scope, [fw.id], false);
      counts.set(t.getTime(), byFramework.get(fw.id) ?? emptyCounts());
    }
    return Object.assign(new CoverageTrend(), {
      framework: fw,
      interval: args.interval,
      historySince: history?.since ?? null,
      points: points.map((t) => Object.assign(new TrendPoint(), {
        at: t,
        fromHistory: inHistory(t),
        totals: Object.assign(new CoverageTotals(), totals(counts.get(t.getTime()) ?? emptyCounts())),
      })),
    });
  }
}


