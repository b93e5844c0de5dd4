import { Field, ID, Int, ObjectType } from 'type-graphql';
import { WebhookDelivery, WebhookEndpoint } from './webhook.types';

@ObjectType({ description: 'A new endpoint, with its signing secret: shown in this answer only.' })
export class CreateWebhookEndpointPayload {
  @Field(() => WebhookEndpoint, { description: 'The endpoint.' }) endpoint: WebhookEndpoint;
  @Field({ description: 'The signing secret ("whsec_" and base64, Standard Webhooks). Not retrievable later: rotate to get a new one.' }) secret: string;
}

@ObjectType({ description: 'The endpoint after the change.' })
export class UpdateWebhookEndpointPayload {
  @Field(() => WebhookEndpoint, { description: 'The endpoint.' }) endpoint: WebhookEndpoint;
}

@ObjectType({ description: 'The endpoint, enabled again.' })
export class EnableWebhookEndpointPayload {
  @Field(() => WebhookEndpoint, { description: 'The endpoint.' }) endpoint: WebhookEndpoint;
}

@ObjectType({ description: 'What was deleted.' })
export class DeleteWebhookEndpointPayload {
  @Field(() => ID, { description: 'The deleted endpoint (its deliveries and secrets went with it).' }) deletedEndpointId: string;
}

@ObjectType({ description: 'The new signing secret: shown in this answer only.' })
export class RotateWebhookSecretPayload {
  @Field(() => WebhookEndpoint, { description: 'The endpoint.' }) endpoint: WebhookEndpoint;
  @Field({ description: 'The new secret. The ones before it keep signing until their expiresAt.' }) secret: string;
}

@ObjectType({ description: 'The new delivery.' })
export class ReplayWebhookDeliveryPayload {
  @Field(() => WebhookDelivery, { description: 'Queued now, for the same event (same webhook-id).' }) delivery: WebhookDelivery;
}

@ObjectType({ description: 'The deliveries queued by a replay, at most 1,000 per call.' })
export class ReplayWebhookEventsPayload {
  @Field(() => Int, { description: 'How many were queued.' }) queued: number;
  @Field(() => [WebhookDelivery], { description: 'The deliveries, in event position order.' }) deliveries: WebhookDelivery[];
  @Field(() => ID, { nullable: true, description: 'The last event replayed when more follow: call again with it as afterEventId. Null when none are left.' }) continueAfterEventId: string | null;
}
