import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, decodeKeyCursor, encodeKeyCursor, keyset } from '../../graphql/connection.type';
import type { HubContext } from '../../graphql/context';
import { badInput } from '../../graphql/errors';
import { isUuid } from '../../graphql/ids';
import { ADMIN } from '../auth/role';
import { Framework } from '../framework/framework.entity';
import { AiSystem } from '../ai-system/ai-system.entity';
import {
  CreateWebhookEndpointInput, ReplayWebhookDeliveryInput, ReplayWebhookEventsInput, RotateWebhookSecretInput, UpdateWebhookEndpointInput, WebhookEndpointIdInput,
} from './webhook.input';
import {
  CreateWebhookEndpointPayload, DeleteWebhookEndpointPayload, EnableWebhookEndpointPayload, ReplayWebhookDeliveryPayload, ReplayWebhookEventsPayload,
  RotateWebhookSecretPayload, UpdateWebhookEndpointPayload,
} from './webhook.payload';
import { WebhookAttempt, WebhookDelivery, WebhookDeliveryConnection, WebhookDeliveryStatus, WebhookEndpoint, WebhookSecret } from './webhook.types';

@Resolver()
export class WebhookResolver {
  @Authorized(...ADMIN)
  @Query(() => [WebhookEndpoint], { description: 'The organization\'s webhook endpoints, oldest first (at most 50).' })
  webhookEndpoints(@Ctx() ctx: HubContext): Promise<WebhookEndpoint[]> {
    return ctx.services.webhooks.list(ctx.organizationId);
  }

  @Authorized(...ADMIN)
  @Query(() => WebhookEndpoint, { nullable: true, description: 'One webhook endpoint; null when the organization has none with this id.' })
  webhookEndpoint(@Ctx() ctx: HubContext, @Arg('id', () => ID, { description: 'The endpoint.' }) id: string): Promise<WebhookEndpoint | null> {
    return ctx.services.webhooks.find(ctx.organizationId, id);
  }

  @Authorized(...ADMIN)
  @Query(() => WebhookDeliveryConnection, { description: 'An endpoint\'s delivery log, newest first, with every attempt.' })
  async webhookDeliveries(
    @Ctx() ctx: HubContext,
    @Args() args: PageArgs,
    @Arg('endpointId', () => ID, { description: 'The endpoint.' }) endpointId: string,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true, description: 'Only deliveries in this state.' }) status?: WebhookDeliveryStatus | null,
  ): Promise<WebhookDeliveryConnection> {
    const window = keyset(args, (c, field) => {
      const id = decodeKeyCursor('delivery', 's', c, field)[0] as string;
      if (!isUuid(id)) throw badInput(field, `${field}: malformed cursor "${c.slice(0, 80)}"`);
      return id;
    });
    const page = await ctx.services.webhookDeliveries.page(ctx.organizationId, endpointId, status ?? null, window);
    return WebhookDeliveryConnection.fromPage({
      items: page.rows.map((d) => ({ node: d, cursor: encodeKeyCursor('delivery', [d.id]) })),
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      count: page.count,
    });
  }

  @Authorized(...ADMIN)
  @Mutation(() => CreateWebhookEndpointPayload, { description: 'Registers an endpoint; its signing secret is in this answer only.' })
  async createWebhookEndpoint(@Ctx() ctx: HubContext, @Arg('input', () => CreateWebhookEndpointInput, { description: 'The endpoint.' }) input: CreateWebhookEndpointInput): Promise<CreateWebhookEndpointPayload> {
    return Object.assign(new CreateWebhookEndpointPayload(), await ctx.services.webhooks.create(ctx.organizationId, ctx.actor, input));
  }

  @Authorized(...ADMIN)
  @Mutation(() => UpdateWebhookEndpointPayload, { description: 'Changes an endpoint\'s URL, description or filters; deliveries already queued keep their URL check for the next attempt.' })
  async updateWebhookEndpoint(@Ctx() ctx: HubContext, @Arg('input', () => UpdateWebhookEndpointInput, { description: 'The changes.' }) input: UpdateWebhookEndpointInput): Promise<UpdateWebhookEndpointPayload> {
    return Object.assign(new UpdateWebhookEndpointPayload(), { endpoint: await ctx.services.webhooks.update(ctx.organizationId, input) });
  }

  @Authorized(...ADMIN)
  @Mutation(() => DeleteWebhookEndpointPayload, { description: 'Deletes an endpoint with its secrets and delivery log; nothing more is sent to it.' })
  async deleteWebhookEndpoint(@Ctx() ctx: HubContext, @Arg('input', () => WebhookEndpointIdInput, { description: 'The endpoint.' }) input: WebhookEndpointIdInput): Promise<DeleteWebhookEndpointPayload> {
    return Object.assign(new DeleteWebhookEndpointPayload(), { deletedEndpointId: await ctx.services.webhooks.remove(ctx.organizationId, input.id) });
  }

  @Authorized(...ADMIN)
  @Mutation(() => EnableWebhookEndpointPayload, { description: 'Turns a disabled endpoint back on; events from now on are sent (replay what it missed with replayWebhookEvents).' })
  async enableWebhookEndpoint(@Ctx() ctx: HubContext, @Arg('input', () => WebhookEndpointIdInput, { description: 'The endpoint.' }) input: WebhookEndpointIdInput): Promise<EnableWebhookEndpointPayload> {
    return Object.assign(new EnableWebhookEndpointPayload(), { endpoint: await ctx.services.webhooks.enable(ctx.organizationId, input.id) });
  }

  @Authorized(...ADMIN)
  @Mutation(() => RotateWebhookSecretPayload, { description: 'Makes a new signing secret, shown in this answer only; the ones in use keep signing for overlapHours.' })
  async rotateWebhookSecret(@Ctx() ctx: HubContext, @Arg('input', () => RotateWebhookSecretInput, { description: 'The endpoint and the overlap.' }) input: RotateWebhookSecretInput): Promise<RotateWebhookSecretPayload> {
    return Object.assign(new RotateWebhookSecretPayload(), await ctx.services.webhooks.rotate(ctx.organizationId, input.endpointId, input.overlapHours));
  }

  @Authorized(...ADMIN)
  @Mutation(() => ReplayWebhookDeliveryPayload, { description: 'Sends a delivery\'s event again, as a new delivery with the same webhook-id.' })
  async replayWebhookDelivery(@Ctx() ctx: HubContext, @Arg('input', () => ReplayWebhookDeliveryInput, { description: 'The delivery.' }) input: ReplayWebhookDeliveryInput): Promise<ReplayWebhookDeliveryPayload> {
    return Object.assign(new ReplayWebhookDeliveryPayload(), { delivery: await ctx.services.webhookDeliveries.replayDelivery(ctx.organizationId, input.deliveryId) });
  }

  @Authorized(...ADMIN)
  @Mutation(() => ReplayWebhookEventsPayload, { description: 'Sends an endpoint the published events it matches again, after an event or since an instant (at most 1,000 per call).' })
  async replayWebhookEvents(@Ctx() ctx: HubContext, @Arg('input', () => ReplayWebhookEventsInput, { description: 'The endpoint and where to start.' }) input: ReplayWebhookEventsInput): Promise<ReplayWebhookEventsPayload> {
    const r = await ctx.services.webhookDeliveries.replayEvents(ctx.organizationId, input.endpointId, input);
    return Object.assign(new ReplayWebhookEventsPayload(), { queued: r.deliveries.length, ...r });
  }
}

@Resolver(() => WebhookEndpoint)
export class WebhookEndpointResolver {
  @FieldResolver(() => [WebhookSecret], { description: 'Its signing secrets, newest first, as metadata.' })
  secrets(@Root() e: WebhookEndpoint, @Ctx() ctx: HubContext): Promise<WebhookSecret[]> {
    return ctx.loaders.webhookSecrets.load(e.id);
  }

  @FieldResolver(() => Framework, { nullable: true, description: 'Only events about this framework are sent.' })
  framework(@Root() e: WebhookEndpoint, @Ctx() ctx: HubContext): Promise<Framework | null> | null {
    return e.frameworkId ? ctx.loaders.framework.load(e.frameworkId) : null;
  }

  @FieldResolver(() => AiSystem, { nullable: true, description: 'Only events about this AI system are sent.' })
  aiSystem(@Root() e: WebhookEndpoint, @Ctx() ctx: HubContext): Promise<AiSystem | null> | null {
    return e.aiSystemId ? ctx.loaders.aiSystem.load(e.aiSystemId) : null;
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @FieldResolver(() => [WebhookAttempt], { description: 'Every attempt, oldest first.' })
  attempts(@Root() d: WebhookDelivery, @Ctx() ctx: HubContext): Promise<WebhookAttempt[]> {
    return ctx.loaders.webhookAttempts.load(d.id);
  }
}
