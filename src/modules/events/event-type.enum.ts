import { registerEnumType } from 'type-graphql';
import { EVENT_TYPES, type EventType as EventTypeName, enumName } from './event-envelope';

/**
 * The GraphQL enum EventType: one value per entry of EVENT_TYPES, named by enumName (EVIDENCE_CREATED for
 * `evidence.created`) and described by it, so a new event type needs no change here.
 */
export const EventType: Record<string, string> = Object.fromEntries(Object.keys(EVENT_TYPES).map((t) => [enumName(t as EventTypeName), enumName(t as EventTypeName)]));

registerEnumType(EventType, {
  name: 'EventType',
  description: 'The kind of a hub event; its name in webhook bodies and `HubEvent.payload.type` is the lower-case form with a dot (EVIDENCE_CREATED is `evidence.created`).',
  valuesConfig: Object.fromEntries(Object.entries(EVENT_TYPES).map(([t, description]) => [enumName(t as EventTypeName), { description: `\`${t}\`: ${description}` }])),
});
