import { Field, ID, InputType, Int } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { EventType } from '../events/event-type.enum';

@InputType({ description: 'A new webhook endpoint.' })
export class CreateWebhookEndpointInput {
  @Field({ description: 'The http(s) URL to POST events to; no user name or password in it.' }) url: string;
  @Field(() => String, { nullable: true, description: 'What it is for (at most 1,000 characters).' }) description?: string | null;
  @Field(() => [EventType], { defaultValue: [], description: 'Only these event types; empty or omitted: every type.' }) eventTypes: string[];
  @Field(() => String, { nullable: true, description: 'Only events about this framework (its key, e.g. "iso42001"): events naming no framework are not sent.' }) framework?: string | null;
  @Field(() => ID, { nullable: true, description: 'Only events about this AI system.' }) aiSystemId?: string | null;
}

@InputType({ description: 'Changes to an endpoint: omitted fields stay as they are; null clears description and filters.' })
export class UpdateWebhookEndpointInput {
  @Field(() => ID, { description: 'The endpoint.' }) id: string;
  @Field(() => String, { nullable: true, description: 'New URL.' }) url?: string | null;
  @Field(() => String, { nullable: true, description: 'New description.' }) description?: string | null;
  @Field(() => [EventType], { nullable: true, description: 'New event types; empty: every type.' }) eventTypes?: string[] | null;
  @Field(() => String, { nullable: true, description: 'New framework filter (key); null: none.' }) framework?: string | null;
  @Field(() => ID, { nullable: true, description: 'New AI system filter; null: none.' }) aiSystemId?: string | null;
}

@InputType({ description: 'Names one endpoint.' })
export class WebhookEndpointIdInput {
  @Field(() => ID, { description: 'The endpoint.' }) id: string;
}

@InputType({ description: 'A new signing secret for an endpoint.' })
export class RotateWebhookSecretInput {
  @Field(() => ID, { description: 'The endpoint.' }) endpointId: string;
  @Field(() => Int, { defaultValue: 24, description: 'How long the secrets in use keep signing beside the new one, 0 to 168 hours (0: they stop at once).' }) overlapHours: number;
}

@InputType({ description: 'Sends one delivery\'s event again.' })
export class ReplayWebhookDeliveryInput {
  @Field(() => ID, { description: 'The delivery.' }) deliveryId: string;
}

@InputType({ description: 'Sends an endpoint the events it matches again, from a point on: exactly one of afterEventId and since.' })
export class ReplayWebhookEventsInput {
  @Field(() => ID, { description: 'The endpoint.' }) endpointId: string;
  @Field(() => ID, { nullable: true, description: 'The events after this one (in stream position).' }) afterEventId?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'The events that occurred at or after this instant.' }) since?: Date | null;
}
