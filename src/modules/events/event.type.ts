import { Field, Float, ID, ObjectType } from 'type-graphql';
import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { DateTime } from '../../graphql/scalars';
import { Node } from '../../graphql/node.type';
import { Connection } from '../../graphql/connection.type';
import { CoverageStatus } from '../coverage/coverage.rules';
import { envelopeOf, enumName, type EventEnvelope, type EventType as EventTypeName } from './event-envelope';
import type { HubEventRow } from './event-runtime';
import { EventType } from './event-type.enum';

/**
 * A published event as the API shows it. The framework and requirement are resolved through the
 * request's loaders (event.resolver.ts); everything else comes from the outbox row.
 */
@ObjectType({ implements: Node, description: 'Something that happened in the organization, as the transactional outbox recorded it (the same event a webhook delivers).' })
export class HubEvent implements Node {
  @Field(() => ID, { description: 'The event id (a time-ordered UUID): the idempotency key of webhook deliveries, and what `after` takes to resume.' })
  id: string;

  @Field(() => EventType, { description: 'What happened.' })
  type: string;

  @Field({ description: 'The ordering key: `requirement:<id>` or `evidence:<id>`; events of one key are delivered in order.' })
  key: string;

  @Field(() => Float, { description: 'Where the event stands in the stream of every event (a whole number): a later event has a higher position, and a reader that saw one has seen all before it.' })
  position: number;

  @Field(() => DateTime, { description: 'When it happened (for time-driven events, the moment the time came, e.g. the evidence\'s validUntil).' })
  occurredAt: Date;

  @Field(() => ID, { nullable: true, description: 'The evidence the event is about, if any.' })
  evidenceId: string | null;

  @Field(() => ID, { nullable: true, description: 'The AI system the event is about, if any (evidence of one system).' })
  aiSystemId: string | null;

  frameworkId: string | null;
  requirementId: string | null;
  envelope: EventEnvelope;
  row: HubEventRow;

  @Field(() => GraphQLJSONObject, { description: 'The whole event as JSON, exactly the body a webhook delivery carries: id, type, occurredAt, position, key, organizationId, subject and data.' })
  payload(): EventEnvelope {
    return this.envelope;
  }

  static of(row: HubEventRow): HubEvent {
    return Object.assign(new HubEvent(), {
      id: row.id,
      type: enumName(row.type as EventTypeName),
      key: row.key,
      position: Number(row.position),
      occurredAt: new Date(row.occurred_at),
      evidenceId: row.evidence_id,
      aiSystemId: row.ai_system_id,
      frameworkId: row.framework_id,
      requirementId: row.requirement_id,
      envelope: envelopeOf(row),
      row,
    });
  }
}

@ObjectType({ description: 'A page of the organization\'s events, oldest first (by position). Every cursor is its event\'s id, so `endCursor` can be passed as the `after` of a subscription.' })
export class HubEventConnection extends Connection(HubEvent, 'HubEvent') {}

/** What a coverage.changed event's data holds (migrations/1765497600000-events.ts, coverage-events.service.ts). */
interface CoverageChangedData {
  framework: { id: string; key: string };
  requirement: { id: string; ref: string; title: string };
  from: CoverageStatus;
  to: CoverageStatus;
  asOf: string;
  causes: unknown[];
}

@ObjectType({ description: 'A requirement\'s organization-wide coverage status changed (a `coverage.changed` event): from, to, and why.' })
export class CoverageChange {
  @Field(() => ID, { description: 'The coverage.changed event\'s id: pass it as `after` to resume from here.' })
  eventId: string;

  @Field(() => Float, { description: 'The event\'s position in the stream of every event.' })
  position: number;

  @Field(() => CoverageStatus, { description: 'The status before (GAP for a requirement the history had not seen covered).' })
  from: CoverageStatus;

  @Field(() => CoverageStatus, { description: 'The status now.' })
  to: CoverageStatus;

  @Field(() => DateTime, { description: 'The moment the status changed (the writing transaction\'s time, or the instant evidence expired or became effective).' })
  asOf: Date;

  @Field(() => GraphQLJSON, { description: 'Why: up to 10 causes, each with its kind (EVIDENCE_CHANGED, EVIDENCE_LINKED, EVIDENCE_UNLINKED, LINK_CHANGED, APPLICABILITY, PREFILL_REJECTED, PREFILL_REJECTION_WITHDRAWN, MAPPING_GRAPH, TIME), the evidence, link or decision, the requirement it sits on and the mapping path that reaches this one.' })
  causes: unknown[];

  frameworkId: string;
  requirementId: string;

  static of(row: HubEventRow): CoverageChange {
    const d = row.data as unknown as CoverageChangedData;
    return Object.assign(new CoverageChange(), {
      eventId: row.id,
      position: Number(row.position),
      from: d.from,
      to: d.to,
      asOf: new Date(d.asOf),
      causes: d.causes,
      frameworkId: row.framework_id ?? d.framework.id,
      requirementId: row.requirement_id ?? d.requirement.id,
    });
  }
}
