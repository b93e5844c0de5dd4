import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime, LocalDate } from '../../graphql/scalars';
import { Requirement } from '../framework/requirement.entity';
import { CoverageStatus } from '../coverage/coverage.rules';
import { AiSystem } from './ai-system.entity';
import { FactAnswer } from './eu-facts';
import { TextBasis } from './applicability.versions';

export enum DutyApplicability {
  BINDING = 'BINDING',
  NOT_YET = 'NOT_YET',
  CONDITIONAL = 'CONDITIONAL',
}

export enum LegalStatus {
  PROPOSED = 'PROPOSED',
  ADOPTED = 'ADOPTED',
  PUBLISHED = 'PUBLISHED',
}

registerEnumType(FactAnswer, {
  name: 'FactAnswer',
  description: 'An answer to a fact about an AI system or its operator.',
  valuesConfig: {
    YES: { description: 'Holds (for a fact with a value: the value is given).' },
    NO: { description: 'Does not hold (for a date fact: there is no such date, e.g. not placed on the market).' },
    UNKNOWN: { description: 'Not answered: duties that turn on it are CONDITIONAL.' },
  },
});
registerEnumType(DutyApplicability, {
  name: 'DutyApplicability',
  description: 'Whether an EU AI Act duty applies to a system (a duty that known facts exclude is not listed).',
  valuesConfig: {
    BINDING: { description: 'Binds on the date asked about, from bindingFrom.' },
    NOT_YET: { description: 'Will bind from bindingFrom, a later date.' },
    CONDITIONAL: { description: 'An unanswered fact decides it: see openQuestions.' },
  },
});
registerEnumType(TextBasis, {
  name: 'TextBasis',
  description: 'Which text of the EU AI Act an answer rests on.',
  valuesConfig: {
    IN_FORCE: { description: 'The law in force on the date: amendments apply from their recorded entry into force.' },
    ADOPTED: { description: 'For planning: every adopted amendment applies, published or not.' },
  },
});
registerEnumType(LegalStatus, {
  name: 'LegalStatus',
  description: 'Where a text version is in the legislative procedure.',
  valuesConfig: {
    PROPOSED: { description: 'Proposed, not adopted.' },
    ADOPTED: { description: 'Adopted by Parliament and Council, not yet published in the Official Journal.' },
    PUBLISHED: { description: 'Published in the Official Journal; in force from entryIntoForce.' },
  },
});

@ObjectType({ description: 'An organization\'s record that an amendment was published in the Official Journal.' })
export class AmendmentPublication {
  @Field(() => ID, { description: 'Record id.' }) id: string;
  @Field({ description: 'Official Journal reference, e.g. "OJ L, 2026/1234, 10.7.2026".' }) ojReference: string;
  @Field(() => LocalDate, { description: 'Publication date.' }) publishedOn: string;
  @Field(() => LocalDate, { description: 'Entry into force.' }) entryIntoForce: string;
  @Field(() => String, { nullable: true, description: 'Note.' }) note: string | null;
  @Field({ description: 'Who recorded it.' }) recordedBy: string;
  @Field(() => DateTime, { description: 'When.' }) recordedAt: Date;
}

@ObjectType({ description: 'A version of the EU AI Act text that dates come from: the Regulation as published, or an amendment.' })
export class LegalTextVersion {
  @Field({ description: 'Key: "as-published" or the amendment\'s id.' }) key: string;
  @Field({ description: 'Title.' }) title: string;
  @Field({ description: 'BASE (the Regulation as published) or AMENDMENT.' }) kind: string;
  @Field(() => LegalStatus, { description: 'Legal status for this organization (PUBLISHED once it recorded the publication).' }) legalStatus: LegalStatus;
  @Field(() => String, { nullable: true, description: 'How the status is known, and its limits.' }) statusNote: string | null;
  @Field(() => String, { nullable: true, description: 'Official Journal reference, when published.' }) officialJournal: string | null;
  @Field(() => LocalDate, { nullable: true, description: 'Publication date, when published.' }) publishedOn: string | null;
  @Field(() => LocalDate, { nullable: true, description: 'Entry into force, when known.' }) entryIntoForce: string | null;
  @Field(() => String, { nullable: true, description: 'How the entry into force follows from publication.' }) entryIntoForceRule: string | null;
  @Field(() => AmendmentPublication, { nullable: true, description: 'The organization\'s publication record, if any.' }) publication: AmendmentPublication | null;
}

@ObjectType({ description: 'A fact the EU AI Act\'s conditions turn on (seeded with the catalog; docs/eu-ai-act.md).' })
export class EuFact {
  @Field({ description: 'Name, as used in euFacts.' }) name: string;
  @Field({ description: 'boolean (YES/NO), enum or string (YES with a value), date (YES with a date, or NO: no such date).' }) type: string;
  @Field(() => [String], { nullable: true, description: 'Allowed values, for facts with a value.' }) values: string[] | null;
  @Field(() => FactAnswer, { nullable: true, description: 'The answer assumed while unanswered; null: UNKNOWN.' }) defaultAnswer: FactAnswer | null;
  @Field({ description: 'What it means: the question to ask.' }) question: string;
  @Field({ description: 'The provisions that create it.' }) createdBy: string;
  @Field(() => String, { nullable: true, description: 'Note.' }) note: string | null;
}

@ObjectType({ description: 'A system\'s answer to one fact.' })
export class EuFactAnswer {
  @Field({ description: 'Fact name.' }) fact: string;
  @Field(() => FactAnswer, { description: 'YES, NO or UNKNOWN.' }) answer: FactAnswer;
  @Field(() => String, { nullable: true, description: 'The value or date, for facts that have one.' }) value: string | null;
  @Field({ description: 'False when unanswered (UNKNOWN, or the assumed default).' }) answered: boolean;
  @Field({ description: 'The question.' }) question: string;
}

@InputType({ description: 'An answer to one fact. On update, facts not listed keep their answers; UNKNOWN removes one.' })
export class EuFactInput {
  @Field({ description: 'Fact name (euAiActFacts lists them).' }) fact: string;
  @Field(() => FactAnswer, { description: 'YES, NO or UNKNOWN.' }) answer: FactAnswer;
  @Field(() => String, { nullable: true, description: 'The value (enum and string facts) or date YYYY-MM-DD (date facts, with YES).' }) value?: string | null;
}

@ObjectType({ description: 'When a duty applies under the other basis, where it differs.' })
export class ObligationBasisAnswer {
  @Field(() => TextBasis, { description: 'The other basis.' }) basis: TextBasis;
  @Field(() => DutyApplicability, { nullable: true, description: 'Its answer; null when it does not apply under that basis.' }) applicability: DutyApplicability | null;
  @Field(() => LocalDate, { nullable: true, description: 'The date it binds from under that basis.' }) bindingFrom: string | null;
  @Field(() => LegalTextVersion, { nullable: true, description: 'The text that date comes from.' }) textVersion: LegalTextVersion | null;
}

@ObjectType({ description: 'An EU AI Act duty (a paragraph or point) that applies, will apply, or may apply to a system, explained, with its coverage for the system.' })
export class Obligation {
  @Field(() => Requirement, { description: 'The paragraph or point.' }) requirement: Requirement;
  @Field(() => DutyApplicability, { description: 'BINDING, NOT_YET or CONDITIONAL.' }) applicability: DutyApplicability;
  @Field(() => LocalDate, { nullable: true, description: 'The date it binds this system from; null while an unanswered fact decides the date.' }) bindingFrom: string | null;
  @Field(() => CoverageStatus, { description: 'Coverage status for this system: organization-wide evidence plus evidence scoped to it.' }) status: CoverageStatus;
  @Field(() => TextBasis, { description: 'The basis of this answer.' }) basis: TextBasis;
  @Field(() => LegalTextVersion, { description: 'The text the rule and its date come from.' }) textVersion: LegalTextVersion;
  @Field(() => [String], { description: 'Amendment changes behind this rule (ids in the amendment record); empty for the text as published.' }) changes: string[];
  @Field(() => [EuFactAnswer], { description: 'BINDING and NOT_YET: the answered facts that made it apply and chose its date.' }) decidedBy: EuFactAnswer[];
  @Field(() => [EuFactAnswer], { description: 'CONDITIONAL: the unanswered facts that decide it, with the question to ask.' }) openQuestions: EuFactAnswer[];
  @Field({ description: 'DUTY or TRANSITIONAL.' }) dutyType: string;
  @Field(() => String, { nullable: true, description: 'The Official Journal words the rule rests on.' }) legalBasis: string | null;
  @Field(() => String, { nullable: true, description: 'Why, in the compilers\' words.' }) note: string | null;
  @Field(() => ObligationBasisAnswer, { nullable: true, description: 'The answer under the other basis, when it differs (another date, or not applying).' }) otherBasis: ObligationBasisAnswer | null;
}

@ObjectType({ description: 'One system\'s row of the obligations matrix.' })
export class SystemObligations {
  @Field(() => AiSystem, { description: 'The system.' }) aiSystem: AiSystem;
  @Field(() => [Obligation], { description: 'What applies, will apply or may apply to it.' }) obligations: Obligation[];
}

@InputType({ description: 'The Official Journal publication of an amendment.' })
export class RecordAmendmentPublicationInput {
  @Field({ description: 'The amendment\'s key (euAiActTextVersions lists them).' }) amendment: string;
  @Field({ description: 'Official Journal reference, e.g. "OJ L, 2026/1234, 10.7.2026".' }) ojReference: string;
  @Field(() => LocalDate, { description: 'Publication date.' }) publishedOn: string;
  @Field(() => LocalDate, { nullable: true, description: 'Entry into force; when omitted, derived from the amendment\'s rule (third day following publication).' }) entryIntoForce?: string | null;
  @Field(() => String, { nullable: true, description: 'Note (e.g. where it was checked).' }) note?: string | null;
}
