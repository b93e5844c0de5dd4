import { registerEnumType } from 'type-graphql';
import { EVENT_TYPES, EventType, enumName } from './event-envelope';

const TYPES = Object.keys(EVENT_TYPES) as EventType[];

/**
 * The GraphQL enum EventType: one value per event type, named by enumName (COVERAGE_CHANGED), whose
 * internal value is the type itself ('coverage.changed'), so resolvers receive the stored names.
 */
export const EventTypeEnum: Readonly<Record<string, EventType>> = Object.fromEntries(TYPES.map((t) => [enumName(t), t]));

registerEnumType(EventTypeEnum, {
  name: 'EventType',
  description: 'A kind of event (docs/webhooks.md). The payload names it as `subject.verb`: COVERAGE_CHANGED is "coverage.changed".',
  valuesConfig: Object.fromEntries(TYPES.map((t) => [enumName(t), { description: EVENT_TYPES[t] }])),
});
