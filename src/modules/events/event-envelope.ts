import type { HubEventRow } from './event-runtime';

/**
 * Every event type the hub emits, with when. Names are `subject.verb`; they never change once
 * published (webhook receivers and subscriptions filter on them). The GraphQL enum EventType has one
 * value per type (upper case, `.` as `_`).
 */
export const EVENT_TYPES = {
  'evidence.created': 'Evidence was created (by an upsert, an import or a register record).',
  'evidence.updated': 'Evidence changed (any field but its update time); data.previous holds the earlier values.',
  'evidence.linked': 'Evidence was linked to a requirement.',
  'evidence.unlinked': 'A link of evidence to a requirement was ended.',
  'evidence.reviewed': 'A person reviewed evidence (status from, to, comment).',
  'evidence.expiring': "Accepted evidence will expire within the organization's window (expiryWindowDays, default 30).",
  'evidence.expired': 'Accepted evidence reached its validUntil.',
  'coverage.changed': "A requirement's organization-wide status changed (from, to, and the causes: evidence, link, review, applicability, rejected pre-fill, mapping graph or time, with the mapping path).",
  'prefill.appeared': 'A requirement became PREFILLED: evidence on another framework reaches it through FULL mappings.',
  'prefill.confirmed': 'A person confirmed a pre-fill: the evidence is now linked to the requirement itself.',
  'prefill.rejected': 'A person rejected a pre-fill for a requirement.',
  'impact_assessment.due': "An approved impact assessment's next review falls within the organization's window.",
  'impact_assessment.overdue': "An approved impact assessment's next review date passed without a newer approved version.",
  'nonconformity.overdue': "An open nonconformity's due date passed.",
  'monitoring.threshold_breached': "A monitoring metric's newest measurement went outside its thresholds (the one before was inside, or there was none).",
  'obligation.binding': 'An EU AI Act duty began to bind an AI system: its date came, or the system (new, or its roles or facts changed) now falls under it (the law in force, as AiSystem.obligations answers).',
  'webhook.endpoint_disabled': 'A webhook endpoint was disabled after failing every delivery for too long.',
} as const;

export type EventType = keyof typeof EVENT_TYPES;

export const isEventType = (t: string): t is EventType => Object.prototype.hasOwnProperty.call(EVENT_TYPES, t);

/** EVIDENCE_CREATED <-> evidence.created */
export const enumName = (t: EventType) => t.replace('.', '_').toUpperCase();
// By lookup: an underscore in the subject (impact_assessment.due) cannot be told from the dot's.
const BY_ENUM_NAME = new Map((Object.keys(EVENT_TYPES) as EventType[]).map((t) => [enumName(t), t]));
export const typeOfEnumName = (name: string): EventType | null => BY_ENUM_NAME.get(name) ?? null;

/**
 * The JSON an event travels as, in a webhook body and as `HubEvent.payload`: the same for both, so a
 * receiver can switch between them. `id` is the receiver's idempotency key; `position` orders events
 * of the whole stream (a later event has a higher position).
 */
export interface EventEnvelope {
  id: string;
  type: string;
  occurredAt: string;
  position: number;
  key: string;
  organizationId: string;
  subject: { frameworkId: string | null; requirementId: string | null; evidenceId: string | null; aiSystemId: string | null };
  data: Record<string, unknown>;
}

export function envelopeOf(e: HubEventRow): EventEnvelope {
  return {
    id: e.id,
    type: e.type,
    occurredAt: new Date(e.occurred_at).toISOString(),
    position: Number(e.position),
    key: e.key,
    organizationId: e.organization_id,
    subject: { frameworkId: e.framework_id, requirementId: e.requirement_id, evidenceId: e.evidence_id, aiSystemId: e.ai_system_id },
    data: expandLinks(e.data),
  };
}

/** The link fields, in the order a link's JSON lists them. */
const LINK_FIELDS = ['id', 'evidenceId', 'requirementId', 'requirementRef', 'frameworkKey', 'coverage', 'origin', 'linkedAt', 'unlinkedAt'] as const;

/**
 * Link events store their links as columns (`linkColumns`, one array per field: migrations/
 * 1765670400000-event-write-path.ts); every reader gets `links`, one object per link. Events written
 * before that migration hold `links` already and pass through.
 */
function expandLinks(data: Record<string, unknown>): Record<string, unknown> {
  const columns = data.linkColumns as Record<string, unknown[]> | undefined;
  if (!columns) return data;
  const { linkColumns: _, ...rest } = data;
  const links = columns.id.map((_id, i) =>
    Object.fromEntries(LINK_FIELDS.map((f) => [f, f === 'evidenceId' ? data.evidenceId : columns[f][i]])));
  return { ...rest, links };
}
