import { registerEnumType } from 'type-graphql';

/** Stored values are the catalogs' own words; GraphQL shows the enum names. */
export enum FrameworkKind {
  STANDARD = 'standard',
  FRAMEWORK = 'framework',
  REGULATION = 'regulation',
  INTERNAL = 'internal',
}

export enum RequirementKind {
  CLAUSE = 'clause',
  ANNEX_AREA = 'annex-area',
  CONTROL = 'control',
  FUNCTION = 'function',
  CATEGORY = 'category',
  SUBCATEGORY = 'subcategory',
  CHAPTER = 'chapter',
  SECTION = 'section',
  ARTICLE = 'article',
  PARAGRAPH = 'paragraph',
  POINT = 'point',
  GROUP = 'group',
  REQUIREMENT = 'requirement',
}

export enum Actor {
  PROVIDER = 'provider',
  DEPLOYER = 'deployer',
  IMPORTER = 'importer',
  DISTRIBUTOR = 'distributor',
  AUTHORISED_REPRESENTATIVE = 'authorised-representative',
  PRODUCT_MANUFACTURER = 'product-manufacturer',
  GPAI_PROVIDER = 'gpai-provider',
}

export enum RiskTier {
  PROHIBITED = 'prohibited',
  HIGH_RISK = 'high-risk',
  LIMITED_RISK = 'limited-risk',
  GPAI = 'gpai',
  GPAI_SYSTEMIC_RISK = 'gpai-systemic-risk',
  ALL = 'all',
}

registerEnumType(FrameworkKind, {
  name: 'FrameworkKind',
  description: 'What kind of document a framework is.',
  valuesConfig: {
    STANDARD: { description: 'A published (certifiable) standard, e.g. ISO/IEC 42001.' },
    FRAMEWORK: { description: 'A voluntary framework, e.g. the NIST AI RMF.' },
    REGULATION: { description: 'Binding law, e.g. the EU AI Act.' },
    INTERNAL: { description: "An organization's own control set." },
  },
});

registerEnumType(RequirementKind, {
  name: 'RequirementKind',
  description: 'The structural role of a requirement node in its framework.',
  valuesConfig: {
    CLAUSE: { description: 'ISO management-system clause or sub-clause (4-10).' },
    ANNEX_AREA: { description: 'ISO Annex A control objective area or theme (groups controls).' },
    CONTROL: { description: 'ISO Annex A control.' },
    FUNCTION: { description: 'NIST AI RMF function (GOVERN, MAP, MEASURE, MANAGE).' },
    CATEGORY: { description: 'NIST AI RMF category.' },
    SUBCATEGORY: { description: 'NIST AI RMF subcategory (outcome).' },
    CHAPTER: { description: 'EU AI Act chapter.' },
    SECTION: { description: 'EU AI Act chapter section.' },
    ARTICLE: { description: 'EU AI Act article.' },
    PARAGRAPH: { description: 'EU AI Act paragraph (or a point the catalog lists at paragraph level).' },
    POINT: { description: 'EU AI Act point inside a paragraph, e.g. Art. 17(1)(b).' },
    GROUP: { description: 'A grouping node of an imported framework.' },
    REQUIREMENT: { description: 'A requirement of an imported framework.' },
  },
});

registerEnumType(Actor, {
  name: 'Actor',
  description: 'EU AI Act operator roles an obligation binds.',
  valuesConfig: {
    PROVIDER: { description: 'Develops an AI system or has it developed and places it on the market under its name (Art. 3(3)).' },
    DEPLOYER: { description: 'Uses an AI system under its authority (Art. 3(4)).' },
    IMPORTER: { description: 'Places on the EU market a system bearing a non-EU provider\'s name (Art. 3(6)).' },
    DISTRIBUTOR: { description: 'Makes a system available on the EU market, other than provider or importer (Art. 3(7)).' },
    AUTHORISED_REPRESENTATIVE: { description: 'EU-established representative mandated by a non-EU provider (Art. 3(5)).' },
    PRODUCT_MANUFACTURER: { description: 'Manufacturer of a product that contains the system; an operator (Art. 3(8)) and, for Annex I safety components, the provider (Art. 25(3)).' },
    GPAI_PROVIDER: { description: 'Provider of a general-purpose AI model (Chapter V).' },
  },
});

registerEnumType(RiskTier, {
  name: 'RiskTier',
  description: 'EU AI Act risk tiers an obligation applies to.',
  valuesConfig: {
    PROHIBITED: { description: 'Prohibited AI practices (Art. 5).' },
    HIGH_RISK: { description: 'High-risk AI systems (Art. 6, Chapter III).' },
    LIMITED_RISK: { description: 'Systems with transparency obligations (Art. 50).' },
    GPAI: { description: 'General-purpose AI models (Chapter V).' },
    GPAI_SYSTEMIC_RISK: { description: 'General-purpose AI models with systemic risk (Art. 51, 55).' },
    ALL: { description: 'Any AI system or operator.' },
  },
});
