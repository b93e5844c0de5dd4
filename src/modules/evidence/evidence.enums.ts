import { registerEnumType } from 'type-graphql';

export enum EvidenceKind {
  DOCUMENT = 'DOCUMENT',
  POLICY = 'POLICY',
  PROCEDURE = 'PROCEDURE',
  TICKET = 'TICKET',
  CONFIG_SNAPSHOT = 'CONFIG_SNAPSHOT',
  LOG_EXTRACT = 'LOG_EXTRACT',
  TEST_RESULT = 'TEST_RESULT',
  ATTESTATION = 'ATTESTATION',
  RECORD = 'RECORD',
  OTHER = 'OTHER',
}

export enum EvidenceStatus {
  DRAFT = 'DRAFT',
  IN_REVIEW = 'IN_REVIEW',
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
}

export enum ReviewCadence {
  P1M = 'P1M',
  P3M = 'P3M',
  P6M = 'P6M',
  P1Y = 'P1Y',
}

export enum LinkCoverage {
  FULL = 'FULL',
  PARTIAL = 'PARTIAL',
}

export enum LinkOrigin {
  DIRECT = 'DIRECT',
  CONFIRMED_PREFILL = 'CONFIRMED_PREFILL',
}

export enum UpsertOutcome {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  UNCHANGED = 'UNCHANGED',
  FAILED = 'FAILED',
}

registerEnumType(EvidenceKind, {
  name: 'EvidenceKind',
  description: 'What a piece of evidence is.',
  valuesConfig: {
    DOCUMENT: { description: 'A document.' },
    POLICY: { description: 'A policy.' },
    PROCEDURE: { description: 'A procedure or work instruction.' },
    TICKET: { description: 'A ticket or change record from a ticketing system.' },
    CONFIG_SNAPSHOT: { description: 'A configuration snapshot from a system or cloud account.' },
    LOG_EXTRACT: { description: 'An extract of logs.' },
    TEST_RESULT: { description: 'A test or scan result, e.g. from CI.' },
    ATTESTATION: { description: 'A signed statement by a person.' },
    RECORD: { description: 'A record kept by a process (minutes, register entry, training record).' },
    OTHER: { description: 'Anything else.' },
  },
});
registerEnumType(EvidenceStatus, {
  name: 'EvidenceStatus',
  description: 'Review state. Only ACCEPTED evidence covers requirements; DRAFT and IN_REVIEW count as pending.',
  valuesConfig: {
    DRAFT: { description: 'Submitted, not yet under review.' },
    IN_REVIEW: { description: 'Being reviewed.' },
    ACCEPTED: { description: 'Reviewed and accepted: counts for coverage while valid.' },
    REJECTED: { description: 'Reviewed and rejected: never counts.' },
  },
});
registerEnumType(ReviewCadence, {
  name: 'ReviewCadence',
  description: 'How often evidence must be renewed; validUntil follows from effectiveAt (ISO 8601 durations).',
  valuesConfig: {
    P1M: { description: 'One month.' },
    P3M: { description: 'Three months.' },
    P6M: { description: 'Six months.' },
    P1Y: { description: 'One year.' },
  },
});
registerEnumType(LinkCoverage, {
  name: 'LinkCoverage',
  description: 'How much of a requirement a piece of evidence shows.',
  valuesConfig: {
    FULL: { description: 'The evidence shows the whole requirement.' },
    PARTIAL: { description: 'The evidence shows part of the requirement.' },
  },
});
registerEnumType(LinkOrigin, {
  name: 'LinkOrigin',
  description: 'How a link came about.',
  valuesConfig: {
    DIRECT: { description: 'Linked by a person or integration.' },
    CONFIRMED_PREFILL: { description: 'A pre-fill through mappings that a person confirmed.' },
  },
});
registerEnumType(UpsertOutcome, {
  name: 'UpsertOutcome',
  description: 'What an upsert did.',
  valuesConfig: {
    CREATED: { description: 'New evidence was stored.' },
    UPDATED: { description: 'Existing evidence changed (content, status, or links).' },
    UNCHANGED: { description: 'The same data was already stored; nothing was written.' },
    FAILED: { description: 'The item was invalid; nothing of it was written.' },
  },
});
