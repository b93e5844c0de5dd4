import { Arg, Args, Authorized, Ctx, FieldResolver, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { HubContext } from '../../graphql/context';
import { PageArgs, keyset } from '../../graphql/connection.type';
import { ErrorCode, HubError } from '../../graphql/errors';
import { Framework } from '../framework/framework.entity';
import { Requirement } from '../framework/requirement.entity';
import { READ, REPORT } from '../auth/role';
import { readableEventTypes } from '../auth/read.guard';
import { type EventType as EventTypeName, typeOfEnumName } from './event-envelope';
import type { HubEventRow } from './event-runtime';
import type { EventStream, StreamOptions } from './event-stream';
import { CoverageChangedArgs, EventsSubscriptionArgs, ResumeArgs } from './event.args';
import { CoverageChange, HubEvent, HubEventConnection } from './event.type';
import { EventType } from './event-type.enum';

type Subscribed<A> = SubscribeResolverData<unknown, A, HubContext>;

/** Enum values (EVIDENCE_CREATED) as the outbox names them (evidence.created). */
const outboxTypes = (types: readonly string[] | null | undefined): EventTypeName[] | null => types?.map((t) => typeOfEnumName(t)!) ?? null;

/** The organization's events from the process-wide feed (event-feed.ts). */
function open(ctx: HubContext, options: Omit<StreamOptions, 'afterPosition'> & { after?: string | null }): Promise<EventStream> {
  const feed = ctx.services.feed;
  if (!feed) throw new HubError(ErrorCode.SERVICE_UNAVAILABLE, 'Subscriptions are not served by this process', {});
  return feed.open(ctx.organizationId, options);
}

const EXPIRY_TYPES: EventTypeName[] = ['evidence.expiring', 'evidence.expired'];

/**
 * The organization's events: a page of the outbox for backfill and polling, and three subscriptions over
 * graphql-ws (src/graphql/subscriptions.ts). Each subscription's `subscribe` opens a stream of the
 * organization's published events (replay after `after`, then live); the method beside it shapes one event.
 */
@Resolver()
export class EventResolver {
  @Authorized(...READ)
  @Query(() => HubEventConnection, { name: 'events', description: 'The organization\'s published events, oldest first (by position), of the types the role may receive: for backfill, polling, or finding where to resume a subscription. Events are kept HUB_EVENT_RETENTION_DAYS (default 90).' })
  async eventPage(
    @Ctx() ctx: HubContext,
    @Args() page: PageArgs,
    @Arg('types', () => [EventType], { nullable: true, description: 'Only these types; omitted or empty: every type the role may receive. A type the role may not receive is FORBIDDEN.' }) types?: string[] | null,
  ): Promise<HubEventConnection> {
    const readable = readableEventTypes(ctx, outboxTypes(types));
    const result = await ctx.services.eventLog.page(ctx.organizationId, readable, keyset(page, (cursor) => cursor));
    return HubEventConnection.fromPage({
      items: result.rows.map((e) => ({ node: e, cursor: e.id })),
      hasNextPage: result.hasNextPage,
      hasPreviousPage: result.hasPreviousPage,
      count: result.count,
    });
  }

  @Authorized(...READ)
  @Subscription(() => HubEvent, {
    name: 'events',
    description: 'Every event of the organization as it is published (of the types the role may receive), over graphql-ws at /graphql. With `after`: first what was published after that event.',
    subscribe: ({ args, context }: Subscribed<EventsSubscriptionArgs>) =>
      open(context, { types: readableEventTypes(context, outboxTypes(args.types)), after: args.after }),
  })
  eventsSubscription(@Root() event: HubEventRow, @Args() _args: EventsSubscriptionArgs): HubEvent {
    return HubEvent.of(event);
  }

  @Authorized(...REPORT)
  @Subscription(() => CoverageChange, {
    description: 'Each change of a requirement\'s organization-wide coverage status (coverage.changed), as it is published, with the causes. The statuses are those of the reports at the default depth on the organization\'s mapping graph.',
    subscribe: async ({ args, context }: Subscribed<CoverageChangedArgs>) => {
      const framework = args.framework ? (await context.services.framework.requireByKeys([args.framework])).get(args.framework)!.id : null;
      // Checked, not filtered on: see the argument's description.
      if (args.aiSystemId) await context.services.aiSystem.require(context.organizationId, args.aiSystemId);
      return open(context, {
        types: readableEventTypes(context, ['coverage.changed']),
        accept: framework ? (e) => e.framework_id === framework : undefined,
        after: args.after,
      });
    },
  })
  coverageChanged(@Root() event: HubEventRow, @Args() _args: CoverageChangedArgs): CoverageChange {
    return CoverageChange.of(event);
  }

  @Authorized(...READ)
  @Subscription(() => HubEvent, {
    description: 'Accepted evidence about to expire (evidence.expiring, the organization\'s window ahead, default 30 days) and expired (evidence.expired), as the scheduler finds them.',
    subscribe: ({ args, context }: Subscribed<ResumeArgs>) => open(context, { types: readableEventTypes(context, EXPIRY_TYPES), after: args.after }),
  })
  evidenceExpiring(@Root() event: HubEventRow, @Args() _args: ResumeArgs): HubEvent {
    return HubEvent.of(event);
  }
}

@Resolver(() => HubEvent)
export class HubEventResolver {
  @FieldResolver(() => Framework, { nullable: true, description: 'The framework of the requirement the event is about, if any.' })
  framework(@Root() e: HubEvent, @Ctx() ctx: HubContext): Promise<Framework | null> | null {
    return e.frameworkId ? ctx.loaders.framework.load(e.frameworkId) : null;
  }

  @FieldResolver(() => Requirement, { nullable: true, description: 'The requirement the event is about, if any (coverage and pre-fill events, links).' })
  requirement(@Root() e: HubEvent, @Ctx() ctx: HubContext): Promise<Requirement | null> | null {
    return e.requirementId ? ctx.loaders.requirement.load(e.requirementId) : null;
  }

  @FieldResolver(() => CoverageChange, { nullable: true, description: 'A coverage.changed event as the coverageChanged subscription gives it (null for other types): backfill of deltas through the events query.' })
  coverageChange(@Root() e: HubEvent): CoverageChange | null {
    return e.row.type === 'coverage.changed' ? CoverageChange.of(e.row) : null;
  }
}

@Resolver(() => CoverageChange)
export class CoverageChangeResolver {
  @FieldResolver(() => Framework, { nullable: true, description: 'The framework (null only if it was deleted since).' })
  framework(@Root() c: CoverageChange, @Ctx() ctx: HubContext): Promise<Framework | null> {
    return ctx.loaders.framework.load(c.frameworkId);
  }

  @FieldResolver(() => Requirement, { nullable: true, description: 'The requirement whose status changed (null only if it was deleted since).' })
  requirement(@Root() c: CoverageChange, @Ctx() ctx: HubContext): Promise<Requirement | null> {
    return ctx.loaders.requirement.load(c.requirementId);
  }
}
