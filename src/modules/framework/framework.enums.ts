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
});

registerEnumType(RiskTier, {
  name: 'RiskTier',
  description: 'EU AI Act risk tiers an obligation applies to (ALL: any AI system or operator).',
});
