import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DateTime } from '../../graphql/scalars';
import { Connection } from '../../graphql/connection.type';
import { EventType } from '../events/event-type.enum';

export enum WebhookDeliveryStatus { PENDING = 'PENDING', DELIVERED = 'DELIVERED', FAILED = 'FAILED', CANCELLED = 'CANCELLED' }

registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a delivery stands.',
  valuesConfig: {
    PENDING: { description: 'Not yet acknowledged: waiting for its turn or for a retry.' },
    DELIVERED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Every attempt failed, the last retry included.' },
    CANCELLED: { description: 'Not sent: the endpoint was disabled first.' },
  },
});

/** What the API shows of a signing secret: never the secret itself. */
@ObjectType({ description: 'A signing secret of an endpoint, as metadata (the secret is shown once, when made).' })
export class WebhookSecret {
  @Field(() => ID, { description: 'Secret id.' }) id: string;
  @Field({ description: 'Its first characters, to tell secrets apart ("whsec_" and four more).' }) prefix: string;
  @Field(() => DateTime, { description: 'When it was made.' }) createdAt: Date;
  @Field(() => DateTime, { nullable: true, description: 'When it stops signing (set by a rotation); null while it is the current one.' }) expiresAt: Date | null;
}

@ObjectType({ description: 'Where the organization\'s events are POSTed, signed (docs/webhooks.md).' })
export class WebhookEndpoint {
  @Field(() => ID, { description: 'Endpoint id.' }) id: string;
  @Field({ description: 'The http(s) URL events are POSTed to.' }) url: string;
  @Field(() => String, { nullable: true, description: 'What the endpoint is for.' }) description: string | null;
  @Field(() => [EventType], { description: 'The event types sent; empty: every type.' }) eventTypes: string[];
  frameworkId: string | null;
  aiSystemId: string | null;
  @Field({ description: 'False once disabled (by the hub after failing too long); enableWebhookEndpoint turns it back on.' }) enabled: boolean;
  @Field(() => DateTime, { nullable: true, description: 'When it was disabled.' }) disabledAt: Date | null;
  @Field(() => String, { nullable: true, description: 'Why it was disabled.' }) disabledReason: string | null;
  @Field(() => Int, { description: 'Failed attempts since the last one that succeeded.' }) consecutiveFailures: number;
  @Field(() => DateTime, { nullable: true, description: 'Since when every attempt has failed; null after a success.' }) failingSince: Date | null;
  @Field({ description: 'Who registered it.' }) createdBy: string;
  @Field(() => DateTime, { description: 'When.' }) createdAt: Date;
  @Field(() => DateTime, { description: 'Last change.' }) updatedAt: Date;
}

@ObjectType({ description: 'One HTTP attempt of a delivery.' })
export class WebhookAttempt {
  @Field(() => ID, { description: 'Attempt id.' }) id: string;
  deliveryId: string;
  @Field(() => DateTime, { description: 'When it was made.' }) attemptedAt: Date;
  @Field(() => Int, { nullable: true, description: 'The HTTP status answered; null when there was no answer (refused, timed out).' }) statusCode: number | null;
  @Field(() => Int, { description: 'Connect to last byte, in milliseconds.' }) durationMs: number;
  @Field(() => String, { nullable: true, description: 'Why it failed; null when it succeeded.' }) error: string | null;
  @Field(() => String, { nullable: true, description: 'The start of the response body (at most 1 KB).' }) responseExcerpt: string | null;
}

@ObjectType({ description: 'One event sent (or to be sent) to one endpoint: the delivery log.' })
export class WebhookDelivery {
  @Field(() => ID, { description: 'Delivery id.' }) id: string;
  endpointId: string;
  @Field(() => ID, { description: 'The event: `webhook-id` and `id` of the body, the receiver\'s idempotency key (a replay sends the same).' }) eventId: string;
  @Field(() => EventType, { description: 'The event\'s type.' }) eventType: string;
  @Field(() => Int, { description: 'The event\'s position in the stream.' }) eventPosition: number;
  @Field({ description: 'The event\'s key: deliveries of one key reach an endpoint in position order.' }) orderingKey: string;
  @Field(() => Int, { description: '0 for the delivery made when the event was published; 1, 2... for replays.' }) replay: number;
  @Field(() => WebhookDeliveryStatus, { description: 'Where it stands.' }) status: WebhookDeliveryStatus;
  @Field(() => Int, { description: 'Attempts made.' }) attemptCount: number;
  @Field(() => Int, { nullable: true, description: 'The HTTP status of the last attempt.' }) lastStatusCode: number | null;
  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' }) lastError: string | null;
  @Field(() => DateTime, { description: 'When it was queued.' }) createdAt: Date;
  @Field(() => DateTime, { nullable: true, description: 'When the endpoint acknowledged it.' }) deliveredAt: Date | null;
  @Field(() => GraphQLJSONObject, { description: 'The body sent: the event envelope.' }) payload: Record<string, unknown>;
}

@ObjectType({ description: 'A page of an endpoint\'s deliveries, newest first.' })
export class WebhookDeliveryConnection extends Connection(WebhookDelivery, 'WebhookDelivery') {}
