import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { Max, Min, IsOptional, ValidateNested } from 'class-validator';
import { MAX_PAGE_SIZE, PageArgs } from '../../graphql/connection.type';
import { EvidenceKind, EvidenceStatus, LinkCoverage, ReviewCadence } from './evidence.enums';

/** Most items one bulkUpsertEvidence call takes. */
export const MAX_BULK_ITEMS = 1000;

@InputType({ description: 'A requirement to link, by framework key and ref.' })
export class EvidenceLinkInput {
  @Field({ description: 'Framework key, e.g. "iso27001".' })
  framework: string;

  @Field({ description: 'Ref within the framework, e.g. "A.8.15".' })
  ref: string;

  @Field(() => LinkCoverage, { defaultValue: LinkCoverage.FULL, description: 'How much of the requirement the evidence shows.' })
  coverage: LinkCoverage;

  @Field(() => String, { nullable: true, description: 'Why it shows it.' })
  note?: string | null;
}

/*
 * Evidence inputs carry no class-validator rules on purpose: a bulk call must report each bad item
 * with its index and keep the good ones, so all checks live in evidence.rules.ts and run per item.
 */
@InputType({ description: 'Evidence keyed by sourceSystem + externalId: sending the same item again changes nothing.' })
export class UpsertEvidenceInput {
  @Field({ description: 'System the evidence comes from (1-100 characters).' })
  sourceSystem: string;

  @Field({ description: 'Id in that system (1-200 characters).' })
  externalId: string;

  @Field({ description: 'Short title (1-500 characters).' })
  title: string;

  @Field(() => String, { nullable: true, description: 'What it shows.' })
  description?: string | null;

  @Field(() => EvidenceKind, { description: 'What kind of evidence it is.' })
  kind: EvidenceKind;

  @Field(() => String, { nullable: true, description: 'Where it can be read: an absolute URI.' })
  uri?: string | null;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the content, 64 hex digits.' })
  contentSha256?: string | null;

  @Field(() => DateTime, { description: 'When the fact it shows holds.' })
  effectiveAt: Date;

  @Field(() => DateTime, { nullable: true, description: 'When it stops counting. Give this or reviewCadence, not both.' })
  validUntil?: Date | null;

  @Field(() => ReviewCadence, { nullable: true, description: 'Renewal cadence: validUntil becomes effectiveAt plus the cadence.' })
  reviewCadence?: ReviewCadence | null;

  @Field(() => EvidenceStatus, { nullable: true, description: 'Review status. New evidence defaults to DRAFT; when omitted on an update, the status stays.' })
  status?: EvidenceStatus | null;

  @Field(() => String, { nullable: true, description: 'Who is responsible for it.' })
  owner?: string | null;

  @Field(() => ID, { nullable: true, description: 'Scope it to one AI system; organization-wide (counting for every system) when omitted.' })
  aiSystemId?: string | null;

  @Field(() => [EvidenceLinkInput], {
    nullable: true,
    description: 'The requirements it is linked to, as a complete set: links not listed are ended, changed ones are ended and re-made. Omit to leave links as they are.',
  })
  links?: EvidenceLinkInput[] | null;
}

@InputType({ description: `Up to ${MAX_BULK_ITEMS} evidence items.` })
export class BulkUpsertEvidenceInput {
  @Field(() => [UpsertEvidenceInput], { description: 'The items; each is validated and written on its own merits.' })
  items: UpsertEvidenceInput[];
}

@InputType({ description: 'Links one piece of evidence to one requirement.' })
export class LinkEvidenceInput extends EvidenceLinkInput {
  @Field(() => ID, { description: 'The evidence.' })
  evidenceId: string;
}

@InputType({ description: 'Ends the active link between evidence and a requirement.' })
export class UnlinkEvidenceInput {
  @Field(() => ID, { description: 'The evidence.' })
  evidenceId: string;

  @Field({ description: 'Framework key.' })
  framework: string;

  @Field({ description: 'Ref within the framework.' })
  ref: string;
}

@InputType({ description: 'A review decision on a piece of evidence.' })
export class ReviewEvidenceInput {
  @Field(() => ID, { description: 'The evidence.' })
  evidenceId: string;

  @Field(() => EvidenceStatus, { description: 'The new status.' })
  status: EvidenceStatus;

  @Field(() => String, { nullable: true, description: 'The reviewer\'s comment.' })
  comment?: string | null;
}

@InputType({ description: 'Narrows an evidence list; all given conditions must hold.' })
export class EvidenceFilter {
  @Field(() => String, { nullable: true, description: 'Only from this source system.' })
  sourceSystem?: string;

  @Field(() => EvidenceStatus, { nullable: true, description: 'Only in this status.' })
  status?: EvidenceStatus;

  @Field(() => EvidenceKind, { nullable: true, description: 'Only of this kind.' })
  kind?: EvidenceKind;

  @Field(() => String, { nullable: true, description: 'Only evidence actively linked to a requirement of this framework.' })
  framework?: string;

  @Field(() => String, { nullable: true, description: 'With framework: only evidence actively linked to this requirement.' })
  ref?: string;

  @Field(() => DateTime, { nullable: true, description: 'Only evidence whose validity ends before this time.' })
  expiringBefore?: Date;
}

@ArgsType()
export class EvidencesArgs extends PageArgs {
  @Field(() => EvidenceFilter, { nullable: true, description: 'Conditions.' })
  @IsOptional()
  @ValidateNested()
  filter?: EvidenceFilter;
}
