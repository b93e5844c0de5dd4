import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root, Authorized } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import type { HubContext } from '../../graphql/context';
import { badInput } from '../../graphql/errors';
import { AiSystem } from '../ai-system/ai-system.entity';
import {
  AddOversightPointInput, OversightItemResult, OversightPoint, OversightPointSummary, OversightWeek, RecordOversightInput, RecordOversightPayload,
} from './oversight.entity';
import { EDIT, INGEST } from '../auth/role';

@Resolver()
export class OversightResolver {
  @Authorized(...EDIT)
  @Mutation(() => OversightPoint, { description: 'Defines an oversight point of a system.' })
  addOversightPoint(@Ctx() ctx: HubContext, @Arg('input', () => AddOversightPointInput, { description: 'The point.' }) input: AddOversightPointInput): Promise<OversightPoint> {
    return ctx.services.oversight.addPoint(ctx.organizationId, input);
  }

  @Authorized(...INGEST)
  @Mutation(() => RecordOversightPayload, { description: 'Ingests up to 5,000 oversight decisions; idempotent on (point, case reference, decidedAt); bad items are named and the good ones kept.' })
  async recordOversight(@Ctx() ctx: HubContext, @Arg('input', () => RecordOversightInput, { description: 'The records.' }) input: RecordOversightInput): Promise<RecordOversightPayload> {
    const results = await ctx.services.oversight.record(ctx.organizationId, ctx.actor, input.items);
    const count = (o: string) => results.filter((r) => r.outcome === o).length;
    return Object.assign(new RecordOversightPayload(), {
      created: count('CREATED'), unchanged: count('UNCHANGED'), failed: count('FAILED'),
      results: results.map((r) => Object.assign(new OversightItemResult(), r)),
    });
  }
}

@Resolver(() => AiSystem)
export class AiSystemOversightResolver {
  @FieldResolver(() => [OversightPoint], { description: 'Oversight points.' })
  oversightPoints(@Root() s: AiSystem, @Ctx() ctx: HubContext): Promise<OversightPoint[]> {
    return ctx.loaders.oversightPoints.load(s.id);
  }

  @FieldResolver(() => [OversightPointSummary], { description: 'Per point in [from, to): volume, overrides and override rate, per week; silent points are gaps.' })
  async oversightSummary(
    @Root() s: AiSystem,
    @Ctx() ctx: HubContext,
    @Arg('from', () => DateTime, { description: 'Start (inclusive).' }) from: Date,
    @Arg('to', () => DateTime, { description: 'End (exclusive).' }) to: Date,
  ): Promise<OversightPointSummary[]> {
    if (to.getTime() <= from.getTime()) throw badInput('to', 'to must be after from');
    const rows = await ctx.services.oversight.summary(ctx.organizationId, s.id, from, to);
    return rows.map((r) => Object.assign(new OversightPointSummary(), { ...r, weeks: r.weeks.map((w) => Object.assign(new OversightWeek(), w)) }));
  }
}

@Resolver(() => OversightPointSummary)
export class OversightPointSummaryResolver {
  @FieldResolver(() => OversightPoint)
  async point(@Root() s: OversightPointSummary, @Ctx() ctx: HubContext): Promise<OversightPoint> {
    return (await ctx.loaders.oversightPoint.load(s.pointId))!;
  }
}
