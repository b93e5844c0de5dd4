import { startTestHub, TestHub } from '../harness/hub';
import { TextBasis, amendedRecords, chooseRule, loadEuAiActRules } from '../../src/modules/ai-system/applicability.versions';
import { EuModel, RuleRow, TextVersionRow, classifySystem } from '../../src/modules/ai-system/eu-act.service';
import { actorsOf } from '../../src/modules/ai-system/eu-facts';
import { EuRole } from '../../src/modules/ai-system/ai-system.enums';

/**
 * The legal answers, scenario by scenario (roles x route x facts x asOf x basis), each with the words of
 * Regulation (EU) 2024/1689 (OJ L, 12.7.2024) behind its expectation, or of the amendment record for
 * ADOPTED. Every scenario is checked three ways: the pure rule on the seed files, the API (what a user
 * reads, through the server and PostgreSQL), and the rule's SQL twin called directly.
 */

type Answer = 'ABSENT' | ['BINDING' | 'NOT_YET', string] | ['CONDITIONAL', string | null, string[]];
interface Scenario {
  name: string;
  roles: EuRole[];
  facts: Record<string, boolean | string | null>;
  asOf: string;
  basis: TextBasis;
  expect: Record<string, Answer>;
  oj: string;
}

const { PROVIDER, DEPLOYER, IMPORTER, DISTRIBUTOR } = EuRole;
const { IN_FORCE, ADOPTED } = TextBasis;
/** A system whose providers and deployers answered that it is in scope, on the Annex III route, not derogated. */
const ANNEX_III = { outOfScopeExclusion: false, highRiskRoute: 'ANNEX_III', art6_3Derogation: false };
const PRIVATE = { publicAuthority: false, publicLawBodyOrPublicService: false };
const NOT_HIGH_RISK = { outOfScopeExclusion: false, highRiskRoute: 'NONE' };

const SCENARIOS: Scenario[] = [
  {
    name: 'high-risk chatbot provider: Art. 50(1) and Chapter III add up', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)', interactsWithPersons: true },
    expect: { 'Art. 50(1)': ['BINDING', '2026-08-02'], 'Art. 16(a)': ['BINDING', '2026-08-02'], 'Art. 9(1)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 50(6): "Paragraphs 1 to 4 shall not affect the requirements and obligations set out in Chapter III"; Art. 50(1) "Providers shall ensure that AI systems intended to interact directly with natural persons are designed and developed in such a way that the natural persons concerned are informed"',
  },
  {
    name: 'the same before 2 Aug 2026: nothing of it binds yet', roles: [PROVIDER], asOf: '2026-07-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)', interactsWithPersons: true },
    expect: { 'Art. 50(1)': ['NOT_YET', '2026-08-02'], 'Art. 16(a)': ['NOT_YET', '2026-08-02'], 'Art. 4': ['BINDING', '2025-02-02'] },
    oj: 'Art. 113: "It shall apply from 2 August 2026", and (a) "Chapters I and II shall apply from 2 February 2025"',
  },
  {
    name: 'the same on the adopted Omnibus: Annex III duties from 2 Dec 2027, Art. 50(1) unchanged', roles: [PROVIDER], asOf: '2026-09-01', basis: ADOPTED,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)', interactsWithPersons: true },
    expect: { 'Art. 50(1)': ['BINDING', '2026-08-02'], 'Art. 16(a)': ['NOT_YET', '2027-12-02'] },
    oj: 'Amendment record, change annex-iii-deferral: Annex III high-risk obligations from 2 Dec 2027; "Other Art. 50 duties stay at 2 Aug 2026"',
  },
  {
    name: 'private credit-scoring deployer, Annex III point 5(b): Art. 27 binds', roles: [DEPLOYER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, ...PRIVATE, annexIIIPoint: '5(b)' },
    expect: { 'Art. 27(1)': ['BINDING', '2026-08-02'], 'Art. 26(1)': ['BINDING', '2026-08-02'], 'Art. 26(8)': 'ABSENT' },
    oj: 'Art. 27(1): "deployers that are bodies governed by public law, or are private entities providing public services, and deployers of high-risk AI systems referred to in points 5 (b) and (c) of Annex III, shall perform an assessment of the impact on fundamental rights"',
  },
  {
    name: 'the credit-scoring deployer on the adopted text: Art. 27 from 2 Dec 2027', roles: [DEPLOYER], asOf: '2026-09-01', basis: ADOPTED,
    facts: { ...ANNEX_III, ...PRIVATE, annexIIIPoint: '5(b)' },
    expect: { 'Art. 27(1)': ['NOT_YET', '2027-12-02'], 'Art. 26(1)': ['NOT_YET', '2027-12-02'] },
    oj: 'Amendment record, change annex-iii-deferral (Art. 27 follows the Annex III systems it concerns)',
  },
  {
    name: 'critical-infrastructure deployer under point 2, a public body: Art. 27 does not bind', roles: [DEPLOYER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '2', publicAuthority: true, publicLawBodyOrPublicService: true },
    expect: { 'Art. 27(1)': 'ABSENT', 'Art. 26(1)': ['BINDING', '2026-08-02'], 'Art. 26(8)': 'ABSENT', 'Art. 49(3)': 'ABSENT' },
    oj: 'Art. 27(1): "with the exception of high-risk AI systems intended to be used in the area listed in point 2 of Annex III"; Art. 49(1) and (3) likewise except "point 2 of Annex III"',
  },
  {
    name: 'public authority deploying an Annex III system: Art. 26(8) and 49(3)', roles: [DEPLOYER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)', publicAuthority: true, publicLawBodyOrPublicService: true },
    expect: { 'Art. 26(8)': ['BINDING', '2026-08-02'], 'Art. 49(3)': ['BINDING', '2026-08-02'], 'Art. 27(1)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 26(8): "Deployers of high-risk AI systems that are public authorities, or Union institutions, bodies, offices or agencies shall comply with the registration obligations referred to in Article 49"; Art. 49(3): "deployers that are public authorities"',
  },
  {
    name: 'a private deployer of the same system: no registration duty', roles: [DEPLOYER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, ...PRIVATE, annexIIIPoint: '4(a)' },
    expect: { 'Art. 26(8)': 'ABSENT', 'Art. 49(3)': 'ABSENT', 'Art. 27(1)': 'ABSENT', 'Art. 26(1)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 26(8) and Art. 49(3) name only "deployers ... that are public authorities"',
  },
  {
    name: 'Art. 6(3) derogated Annex III system: 6(4) and 49(2) bind, Chapter III does not', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { outOfScopeExclusion: false, highRiskRoute: 'ANNEX_III', annexIIIPoint: '4(a)', art6_3Derogation: true, profilesNaturalPersons: false },
    expect: { 'Art. 6(4)': ['BINDING', '2026-08-02'], 'Art. 49(2)': ['BINDING', '2026-08-02'], 'Art. 16(a)': 'ABSENT', 'Art. 9(1)': 'ABSENT' },
    oj: 'Art. 6(4): "A provider who considers that an AI system referred to in Annex III is not high-risk shall document its assessment before that system is placed on the market"; Art. 49(2): that provider "shall, before placing that system on the market ... register himself and that system"',
  },
  {
    name: 'a derogation claimed for a profiling system does not hold', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { outOfScopeExclusion: false, highRiskRoute: 'ANNEX_III', annexIIIPoint: '4(a)', art6_3Derogation: true, profilesNaturalPersons: true },
    expect: { 'Art. 6(4)': 'ABSENT', 'Art. 16(a)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 6(3): "an AI system referred to in Annex III shall always be considered to be high-risk where the AI system performs profiling of natural persons"',
  },
  {
    name: 'Annex I Section B product: none of the Act\'s operator duties', roles: [PROVIDER], asOf: '2027-09-01', basis: IN_FORCE,
    facts: { outOfScopeExclusion: false, highRiskRoute: 'ANNEX_I_B' },
    expect: { 'Art. 16(a)': 'ABSENT', 'Art. 9(1)': 'ABSENT', 'Art. 4': 'ABSENT', 'Art. 5(1)(a)': 'ABSENT' },
    oj: 'Art. 2(2): "For AI systems classified as high-risk AI systems in accordance with Article 6(1) related to products covered by the Union harmonisation legislation listed in Section B of Annex I, only Article 6(1), Articles 102 to 109 and Article 112 apply"',
  },
  {
    name: 'Annex I Section A product before the Art. 6(1) date', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { outOfScopeExclusion: false, highRiskRoute: 'ANNEX_I_A' },
    expect: { 'Art. 16(a)': ['NOT_YET', '2027-08-02'], 'Art. 43(3)': ['NOT_YET', '2027-08-02'], 'Art. 43(1)': 'ABSENT' },
    oj: 'Art. 113(c): "Article 6(1) and the corresponding obligations in this Regulation shall apply from 2 August 2027"; Art. 43(3) "For high-risk AI systems covered by the Union harmonisation legislation listed in Section A of Annex I"',
  },
  {
    name: 'Annex I Section A product after the Art. 6(1) date', roles: [PROVIDER], asOf: '2027-09-01', basis: IN_FORCE,
    facts: { outOfScopeExclusion: false, highRiskRoute: 'ANNEX_I_A' },
    expect: { 'Art. 16(a)': ['BINDING', '2027-08-02'], 'Art. 9(1)': ['BINDING', '2027-08-02'] },
    oj: 'Art. 113(c): "shall apply from 2 August 2027"',
  },
  {
    name: 'Annex I Section A product on the adopted text', roles: [PROVIDER], asOf: '2027-09-01', basis: ADOPTED,
    facts: { outOfScopeExclusion: false, highRiskRoute: 'ANNEX_I_A' },
    expect: { 'Art. 16(a)': ['NOT_YET', '2028-08-02'] },
    oj: 'Amendment record, change annex-i-deferral: Art. 6(1) obligations from 2 Aug 2028',
  },
  {
    name: 'provider established in a third country: Art. 22 (authorised representative)', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)', establishedInThirdCountry: true },
    expect: { 'Art. 22(1)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 22(1): "Prior to making their high-risk AI systems available on the Union market, providers established in third countries shall, by written mandate, appoint an authorised representative which is established in the Union"',
  },
  {
    name: 'provider established in the Union: no Art. 22', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)', establishedInThirdCountry: false },
    expect: { 'Art. 22(1)': 'ABSENT', 'Art. 16(a)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 22(1) binds only "providers established in third countries"',
  },
  {
    name: 'provider, third-country establishment unanswered: Art. 22 is an open question', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)' },
    expect: { 'Art. 22(1)': ['CONDITIONAL', '2026-08-02', ['establishedInThirdCountry']] },
    oj: 'Art. 22(1) "providers established in third countries": the answer turns on where the provider is established',
  },
  {
    name: 'GPAI model provider without systemic risk', roles: [PROVIDER], asOf: '2025-09-01', basis: IN_FORCE,
    facts: { gpaiModel: true, gpaiSystemicRisk: false, gpaiOpenSource: false },
    expect: { 'Art. 53(1)(a)': ['BINDING', '2025-08-02'], 'Art. 55(1)(a)': 'ABSENT' },
    oj: 'Art. 113(b): "Chapter III, Section 4, Chapter V ... shall apply from 2 August 2025"; Art. 55(1) binds "providers of general-purpose AI models with systemic risk"',
  },
  {
    name: 'GPAI model provider with systemic risk', roles: [PROVIDER], asOf: '2025-09-01', basis: IN_FORCE,
    facts: { gpaiModel: true, gpaiSystemicRisk: true, gpaiOpenSource: false },
    expect: { 'Art. 53(1)(a)': ['BINDING', '2025-08-02'], 'Art. 55(1)(a)': ['BINDING', '2025-08-02'], 'Art. 52(1)': ['BINDING', '2025-08-02'] },
    oj: 'Art. 55(1): "providers of general-purpose AI models with systemic risk shall: (a) perform model evaluation"',
  },
  {
    name: 'open-source GPAI model without systemic risk: technical documentation exempt, copyright policy not', roles: [PROVIDER], asOf: '2025-09-01', basis: IN_FORCE,
    facts: { gpaiModel: true, gpaiSystemicRisk: false, gpaiOpenSource: true },
    expect: { 'Art. 53(1)(a)': 'ABSENT', 'Art. 53(1)(b)': 'ABSENT', 'Art. 53(1)(c)': ['BINDING', '2025-08-02'] },
    oj: 'Art. 53(2): "The obligations set out in paragraph 1, points (a) and (b), shall not apply to providers of AI models that are released under a free and open-source licence ... This exception shall not apply to general-purpose AI models with systemic risks"',
  },
  {
    name: 'open-source GPAI model with systemic risk: no exemption', roles: [PROVIDER], asOf: '2025-09-01', basis: IN_FORCE,
    facts: { gpaiModel: true, gpaiSystemicRisk: true, gpaiOpenSource: true },
    expect: { 'Art. 53(1)(a)': ['BINDING', '2025-08-02'] },
    oj: 'Art. 53(2): "This exception shall not apply to general-purpose AI models with systemic risks"',
  },
  {
    name: 'GPAI model placed on the market before 2 Aug 2025: until 2 Aug 2027', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { gpaiModel: true, gpaiSystemicRisk: false, gpaiOpenSource: false, placedOnMarketDate: '2025-03-01' },
    expect: { 'Art. 53(1)(a)': ['NOT_YET', '2027-08-02'], 'Art. 111(3)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 111(3): "Providers of general-purpose AI models that have been placed on the market before 2 August 2025 shall take the necessary steps in order to comply with the obligations laid down in this Regulation by 2 August 2027"',
  },
  {
    name: 'a GPAI provider that also offers the chatbot gets Art. 50 too', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...NOT_HIGH_RISK, gpaiModel: true, gpaiSystemicRisk: false, gpaiOpenSource: false, interactsWithPersons: true },
    expect: { 'Art. 50(1)': ['BINDING', '2026-08-02'], 'Art. 53(1)(a)': ['BINDING', '2025-08-02'], 'Art. 16(a)': 'ABSENT' },
    oj: 'Art. 50(1) binds providers of "AI systems intended to interact directly with natural persons", whatever else they provide; Art. 53(1) binds "Providers of general-purpose AI models"',
  },
  {
    name: 'legacy high-risk system, placed before 2 Aug 2026, unchanged: Chapter III does not apply', roles: [PROVIDER], asOf: '2027-01-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)', placedOnMarketDate: '2026-03-01', significantDesignChange: false, intendedForPublicAuthorities: false },
    expect: { 'Art. 16(a)': 'ABSENT', 'Art. 111(2)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 111(2): "this Regulation shall apply to operators of high-risk AI systems ... placed on the market or put into service before 2 August 2026, only if, as from that date, those systems are subject to significant changes in their designs"',
  },
  {
    name: 'legacy high-risk system for public authorities: by 2 Aug 2030', roles: [PROVIDER], asOf: '2027-01-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)', placedOnMarketDate: '2026-03-01', significantDesignChange: false, intendedForPublicAuthorities: true },
    expect: { 'Art. 16(a)': ['NOT_YET', '2030-08-02'] },
    oj: 'Art. 111(2): "providers and deployers of high-risk AI systems intended to be used by public authorities shall take the necessary steps to comply with the requirements and obligations of this Regulation by 2 August 2030"',
  },
  {
    name: 'legacy high-risk system significantly changed: the general date', roles: [PROVIDER], asOf: '2027-01-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)', placedOnMarketDate: '2026-03-01', significantDesignChange: true, intendedForPublicAuthorities: false },
    expect: { 'Art. 16(a)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 111(2): "only if, as from that date, those systems are subject to significant changes in their designs"',
  },
  {
    name: 'Annex III deployer with unknown point and status: Art. 27 is conditional, naming the facts', roles: [DEPLOYER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III },
    expect: { 'Art. 27(1)': ['CONDITIONAL', '2026-08-02', ['annexIIIPoint', 'publicAuthority', 'publicLawBodyOrPublicService']], 'Art. 26(1)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 27(1) turns on who the deployer is ("bodies governed by public law, or ... private entities providing public services") and the Annex III point ("points 5 (b) and (c)", "with the exception of ... point 2")',
  },
  {
    name: 'a chatbot authorised by law for criminal investigations: no Art. 50(1)', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...NOT_HIGH_RISK, interactsWithPersons: true, authorisedByLawForCriminalOffences: true },
    expect: { 'Art. 50(1)': 'ABSENT' },
    oj: 'Art. 50(1): "This obligation shall not apply to AI systems authorised by law to detect, prevent, investigate or prosecute criminal offences"',
  },
  {
    name: 'unless the public uses it to report a criminal offence (the hub corrects the table here)', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...NOT_HIGH_RISK, interactsWithPersons: true, authorisedByLawForCriminalOffences: true, availableToPublicToReportOffences: true },
    expect: { 'Art. 50(1)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 50(1): "... unless those systems are available for the public to report a criminal offence"',
  },
  {
    name: 'provider testing an Annex III system in real-world conditions', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)', realWorldTesting: true },
    expect: { 'Art. 60(4)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 60(4): "Providers or prospective providers may conduct the testing in real world conditions only where all of the following conditions are met"',
  },
  {
    name: 'a deployer taking part in the real-world test (the hub corrects the table\'s actors here)', roles: [DEPLOYER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)', realWorldTesting: true },
    expect: { 'Art. 60(4)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 60(4)(h): "the provider or prospective provider and the deployer or prospective deployer shall conclude an agreement specifying their roles and responsibilities"',
  },
  {
    name: 'the same provider not testing in real-world conditions', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)', realWorldTesting: false },
    expect: { 'Art. 60(4)': 'ABSENT' },
    oj: 'Art. 60(4) concerns only "testing in real world conditions"',
  },
  {
    name: 'deployer of a deep-fake generator: Art. 50(4)', roles: [DEPLOYER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...NOT_HIGH_RISK, deepFake: true, publicInterestText: false },
    expect: { 'Art. 50(4)': ['BINDING', '2026-08-02'], 'Art. 26(1)': 'ABSENT' },
    oj: 'Art. 50(4): "Deployers of an AI system that generates or manipulates image, audio or video content constituting a deep fake, shall disclose that the content has been artificially generated or manipulated"',
  },
  {
    name: 'generative system placed before 2 Aug 2026: the Omnibus grace for Art. 50(2) on the adopted text only', roles: [PROVIDER], asOf: '2026-09-01', basis: ADOPTED,
    facts: { ...NOT_HIGH_RISK, generatesSyntheticContent: true, placedOnMarketDate: '2026-05-01' },
    expect: { 'Art. 50(2)': ['NOT_YET', '2026-12-02'], 'Art. 50(1)': ['CONDITIONAL', '2026-08-02', ['interactsWithPersons']] },
    oj: 'Amendment record, change art50-2-grace: systems placed on the market before 2 Aug 2026 mark synthetic output from 2 Dec 2026',
  },
  {
    name: 'the same system in force: Art. 50(2) from 2 Aug 2026', roles: [PROVIDER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...NOT_HIGH_RISK, generatesSyntheticContent: true, placedOnMarketDate: '2026-05-01' },
    expect: { 'Art. 50(2)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 50(2): "Providers of AI systems, including general-purpose AI systems, generating synthetic audio, image, video or text content, shall ensure that the outputs of the AI system are marked"; Art. 113: from 2 August 2026',
  },
  {
    name: 'a generative system placed after 2 Aug 2026 gets no grace', roles: [PROVIDER], asOf: '2026-10-15', basis: ADOPTED,
    facts: { ...NOT_HIGH_RISK, generatesSyntheticContent: true, placedOnMarketDate: '2026-10-01' },
    expect: { 'Art. 50(2)': ['BINDING', '2026-08-02'] },
    oj: 'Amendment record, change art50-2-grace: the grace applies only to systems "placed before 2026-08-02"',
  },
  {
    name: 'prohibited-practice screening binds every deployer from 2 Feb 2025, whatever the class', roles: [DEPLOYER], asOf: '2025-03-01', basis: IN_FORCE,
    facts: { ...NOT_HIGH_RISK },
    expect: { 'Art. 5(1)(a)': ['BINDING', '2025-02-02'], 'Art. 4': ['BINDING', '2025-02-02'] },
    oj: 'Art. 5(1): "The following AI practices shall be prohibited: (a) the placing on the market, the putting into service or the use of an AI system that deploys subliminal techniques"; Art. 113(a): from 2 February 2025',
  },
  {
    name: 'the same before 2 Feb 2025', roles: [DEPLOYER], asOf: '2025-01-15', basis: IN_FORCE,
    facts: { ...NOT_HIGH_RISK },
    expect: { 'Art. 5(1)(a)': ['NOT_YET', '2025-02-02'] },
    oj: 'Art. 113(a): "Chapters I and II shall apply from 2 February 2025"',
  },
  {
    name: 'the Omnibus prohibitions exist only on the adopted text', roles: [DEPLOYER], asOf: '2026-11-30', basis: ADOPTED,
    facts: { ...NOT_HIGH_RISK },
    expect: { 'Omnibus Art. 5(1) NCII': ['NOT_YET', '2026-12-02'], 'Omnibus Art. 5(1) CSAM': ['NOT_YET', '2026-12-02'] },
    oj: 'Amendment record, change art5-ncii-csam: new Art. 5 prohibitions applying from 2 Dec 2026',
  },
  {
    name: 'and not in the text in force', roles: [DEPLOYER], asOf: '2027-01-01', basis: IN_FORCE,
    facts: { ...NOT_HIGH_RISK },
    expect: { 'Omnibus Art. 5(1) NCII': 'ABSENT', 'Omnibus Art. 5(1) CSAM': 'ABSENT' },
    oj: 'Regulation (EU) 2024/1689 as published has no such point; the Omnibus is adopted, not published (amendment record: "No Official Journal publication ... was found")',
  },
  {
    name: 'importer and distributor of a high-risk system', roles: [IMPORTER, DISTRIBUTOR], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '4(a)' },
    expect: { 'Art. 23(1)': ['BINDING', '2026-08-02'], 'Art. 24(1)': ['BINDING', '2026-08-02'], 'Art. 16(a)': 'ABSENT', 'Art. 26(1)': 'ABSENT' },
    oj: 'Art. 23(1): "Before placing a high-risk AI system on the market, importers shall ensure that the system is in conformity"; Art. 24(1): "Before making a high-risk AI system available on the market, distributors shall verify"',
  },
  {
    name: 'law-enforcement deployer of post-remote biometric identification', roles: [DEPLOYER], asOf: '2026-09-01', basis: IN_FORCE,
    facts: { ...ANNEX_III, annexIIIPoint: '1(a)', publicAuthority: true, lawEnforcement: true, postRemoteBiometricId: true },
    expect: { 'Art. 26(10)': ['BINDING', '2026-08-02'] },
    oj: 'Art. 26(10): "the deployer of a high-risk AI system for post-remote biometric identification shall request an authorisation, ex ante, or without undue delay and no later than 48 hours"',
  },
  {
    name: 'a system outside the Act (e.g. exclusively military): nothing', roles: [PROVIDER, DEPLOYER], asOf: '2027-01-01', basis: IN_FORCE,
    facts: { outOfScopeExclusion: true, highRiskRoute: 'ANNEX_III', art6_3Derogation: false, interactsWithPersons: true },
    expect: { 'Art. 4': 'ABSENT', 'Art. 5(1)(a)': 'ABSENT', 'Art. 16(a)': 'ABSENT', 'Art. 50(1)': 'ABSENT' },
    oj: 'Art. 2(3): "This Regulation does not apply to AI systems where and in so far they are placed on the market, put into service, or used with or without modification exclusively for military, defence or national security purposes"',
  },
];

/** The pure rule's model, from the seed files (the text as published, and the amendment as adopted, not published). */
function fileModel(): EuModel {
  const { data, effects } = loadEuAiActRules();
  const version = (key: string, kind: 'BASE' | 'AMENDMENT', position: number, legalStatus: TextVersionRow['legalStatus']): TextVersionRow => ({
    id: key, frameworkId: 'eu-ai-act', stamp: 'files', key, kind, position, legalStatus, entryIntoForce: kind === 'BASE' ? '2024-08-01' : null, title: key, statusNote: null,
    officialJournal: null, publishedOn: null, entryIntoForceRule: null, publication: null, metadata: {},
  });
  const base = version('as-published', 'BASE', 0, 'PUBLISHED');
  const amended = version(effects.amendment, 'AMENDMENT', 1, 'ADOPTED');
  const rules = new Map<string, RuleRow[]>();
  const add = (r: RuleRow) => rules.set(r.requirementId, [...(rules.get(r.requirementId) ?? []), r]);
  for (const record of data.records) add({ requirementId: record.ref, record, version: base, changes: [] });
  for (const a of amendedRecords(data, effects)) add({ requirementId: a.record.ref, record: a.record, version: amended, changes: a.changes });
  return { frameworkId: 'eu-ai-act', data, versions: [base, amended], rules };
}

function answerOf(got: { classification: { status: string; from: string | null; unknownFacts?: string[] } } | undefined): Answer {
  if (!got || got.classification.status === 'ABSENT') return 'ABSENT';
  const c = got.classification;
  return c.status === 'CONDITIONAL' ? ['CONDITIONAL', c.from, c.unknownFacts!] : [c.status as 'BINDING' | 'NOT_YET', c.from!];
}

const model = fileModel();

describe('EU AI Act scenarios with the OJ words behind them', () => {
  it('has at least 30 scenarios, every named ref a rule of the table or the amendment', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(30);
    const refs = new Set([...model.rules.keys()]);
    for (const s of SCENARIOS) for (const ref of Object.keys(s.expect)) expect([s.name, refs.has(ref)]).toEqual([s.name, true]);
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('pure rule: %s', (_name, s) => {
    const answers = new Map(classifySystem(model, actorsOf(s.roles), s.facts, s.asOf, s.basis).map((a) => [a.rule.record.ref, a]));
    for (const [ref, want] of Object.entries(s.expect)) expect([ref, answerOf(answers.get(ref))]).toEqual([ref, want]);
  });

  describe('through the server and PostgreSQL', () => {
    let t: TestHub;
    const ids = new Map<string, string>();
    beforeAll(async () => {
      t = await startTestHub();
      for (const [i, s] of SCENARIOS.entries()) {
        const euFacts = Object.entries(s.facts).map(([fact, v]) => (typeof v === 'boolean' ? { fact, answer: v ? 'YES' : 'NO' } : v === null ? { fact, answer: 'NO' } : { fact, answer: 'YES', value: v }));
        ids.set(s.name, (await t.data(`mutation($input: RegisterAiSystemInput!) { registerAiSystem(input: $input) { id } }`, {
          input: { name: `scenario ${i}`, euRoles: s.roles, euFacts },
        })).registerAiSystem.id);
      }
    });
    afterAll(async () => {
      await t.stop();
    });

    it('SQL twin: every scenario, in one statement (the rule chosen for the basis, then hub_appl_classify)', async () => {
      const cases = SCENARIOS.flatMap((s, i) => Object.keys(s.expect).map((ref) => ({
        i, ref, asOf: s.asOf, record: chooseRule(model.rules.get(ref) ?? [], s.basis, s.asOf)?.record ?? null,
      })));
      const rows: { i: number; ref: string; c: any }[] = await t.appDs.query(
        `WITH defs AS MATERIALIZED (SELECT $1::jsonb AS fact_defs, $2::jsonb AS derived_defs),
         s AS MATERIALIZED (SELECT s.i, s.roles, s.facts, hub_appl_derived(defs.fact_defs, defs.derived_defs, s.facts) AS derived
                            FROM defs, jsonb_to_recordset($3::jsonb) AS s(i int, roles text[], facts jsonb)),
         c AS (SELECT * FROM jsonb_to_recordset($4::jsonb) AS c(i int, ref text, "asOf" date, record jsonb))
         SELECT c.i, c.ref, CASE WHEN c.record IS NULL THEN NULL ELSE hub_appl_classify(c.record, defs.fact_defs, s.derived, s.facts, s.roles, c."asOf") END AS c
         FROM c JOIN s ON s.i = c.i CROSS JOIN defs`,
        [model.data.facts, model.data.derivedFacts, JSON.stringify(SCENARIOS.map((s, i) => ({ i, roles: actorsOf(s.roles), facts: s.facts }))), JSON.stringify(cases)],
      );
      expect(rows).toHaveLength(cases.length);
      for (const r of rows) {
        const s = SCENARIOS[r.i];
        expect([s.name, r.ref, answerOf(r.c ? { classification: r.c } : undefined)]).toEqual([s.name, r.ref, s.expect[r.ref]]);
      }
    });

    it.each(SCENARIOS.map((s) => [s.name, s] as const))('API: %s', async (_name, s) => {
      const d = await t.data(`query($s: ID!, $at: DateTime, $b: TextBasis) { aiSystem(id: $s) { obligations(asOf: $at, basis: $b) {
        requirement { ref } applicability bindingFrom openQuestions { fact } } } }`, { s: ids.get(s.name), at: `${s.asOf}T12:00:00Z`, b: s.basis });
      const got = new Map<string, Answer>(d.aiSystem.obligations.map((o: any) => [o.requirement.ref,
        o.applicability === 'CONDITIONAL' ? ['CONDITIONAL', o.bindingFrom, o.openQuestions.map((q: any) => q.fact)] : [o.applicability, o.bindingFrom]]));
      for (const [ref, want] of Object.entries(s.expect)) expect([ref, got.get(ref) ?? 'ABSENT']).toEqual([ref, want]);
    });
  });
});
