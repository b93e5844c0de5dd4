import { Field, Int, ObjectType } from 'type-graphql';
import { Evidence } from './evidence.entity';
import { EvidenceLink } from './evidence-link.entity';
import { UpsertOutcome } from './evidence.enums';

@ObjectType({ description: 'One problem with an input, naming the field.' })
export class InputProblem {
  @Field({ description: 'Field path within the item, e.g. "validUntil" or "links[2].ref".' })
  field: string;

  @Field({ description: 'What is wrong.' })
  message: string;
}

@ObjectType({ description: 'Why a bulk item was not written.' })
export class ItemError {
  @Field({ description: 'Stable error code: BAD_USER_INPUT, or CONFLICT when the key names evidence another writer created.' })
  code: string;

  @Field({ description: 'All problems of the item, joined.' })
  message: string;

  @Field(() => [InputProblem], { description: 'Each problem with its field.' })
  problems: InputProblem[];

  @Field(() => [String], { description: 'Links naming an unknown framework or ref, as "framework ref".' })
  unknownRefs: string[];
}

@ObjectType({ description: 'Result of upsertEvidence.' })
export class UpsertEvidencePayload {
  @Field(() => UpsertOutcome, { description: 'CREATED, UPDATED or UNCHANGED.' })
  outcome: UpsertOutcome;

  @Field(() => Evidence, { nullable: true, description: 'The evidence as stored; null (FORBIDDEN) for an INTEGRATOR when another writer wrote it.' })
  evidence: Evidence;
}

@ObjectType({ description: 'Result of one bulk item, in input order.' })
export class BulkUpsertEvidenceResult {
  @Field(() => Int, { description: 'Position of the item in the input (0-based).' })
  index: number;

  @Field(() => UpsertOutcome, { description: 'CREATED, UPDATED, UNCHANGED, or FAILED (nothing of it written).' })
  outcome: UpsertOutcome;

  @Field(() => Evidence, { nullable: true, description: 'The evidence as stored; null when the item failed.' })
  evidence: Evidence | null;

  @Field(() => ItemError, { nullable: true, description: 'Why the item failed; null otherwise.' })
  error: ItemError | null;
}

@ObjectType({ description: 'Result of bulkUpsertEvidence: good items are committed, bad ones reported.' })
export class BulkUpsertEvidencePayload {
  @Field(() => [BulkUpsertEvidenceResult], { description: 'One result per item, in input order.' })
  results: BulkUpsertEvidenceResult[];

  @Field(() => Int, { description: 'Items created.' }) created: number;
  @Field(() => Int, { description: 'Items updated.' }) updated: number;
  @Field(() => Int, { description: 'Items already stored as sent.' }) unchanged: number;
  @Field(() => Int, { description: 'Items refused.' }) failed: number;
}

@ObjectType({ description: 'Result of linkEvidence.' })
export class LinkEvidencePayload {
  @Field(() => EvidenceLink, { nullable: true, description: 'The active link; null (FORBIDDEN) for an INTEGRATOR when neither the link nor its evidence is its own.' })
  link: EvidenceLink;

  @Field({ description: 'False when the same link was already active (nothing written).' })
  changed: boolean;
}

@ObjectType({ description: 'Result of unlinkEvidence.' })
export class UnlinkEvidencePayload {
  @Field(() => EvidenceLink, { nullable: true, description: 'The link, now ended; null (FORBIDDEN) for an INTEGRATOR when neither the link nor its evidence is its own.' })
  link: EvidenceLink;
}

@ObjectType({ description: 'Result of reviewEvidence.' })
export class ReviewEvidencePayload {
  @Field(() => Evidence, { description: 'The evidence with its new status.' })
  evidence: Evidence;
}
