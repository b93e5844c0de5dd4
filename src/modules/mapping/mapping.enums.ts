import { registerEnumType } from 'type-graphql';

/** NIST IR 8477 / OSCAL 1.2 set-theory relationships, read "source <relationship> target". */
export enum Relationship {
  EQUAL = 'EQUAL',
  SUBSET_OF = 'SUBSET_OF',
  SUPERSET_OF = 'SUPERSET_OF',
  INTERSECTS_WITH = 'INTERSECTS_WITH',
  NO_RELATIONSHIP = 'NO_RELATIONSHIP',
}

export enum Rationale {
  SYNTACTIC = 'SYNTACTIC',
  SEMANTIC = 'SEMANTIC',
  FUNCTIONAL = 'FUNCTIONAL',
}

export enum MappingMethod {
  HUMAN = 'HUMAN',
  AUTOMATION = 'AUTOMATION',
  HYBRID = 'HYBRID',
}

export enum MappingStatus {
  DRAFT = 'DRAFT',
  COMPLETE = 'COMPLETE',
  SUPERSEDED = 'SUPERSEDED',
}

export enum MappingDirection {
  OUTGOING = 'OUTGOING',
  INCOMING = 'INCOMING',
  BOTH = 'BOTH',
}

export enum PathCoverage {
  FULL = 'FULL',
  PARTIAL = 'PARTIAL',
}

registerEnumType(Relationship, {
  name: 'Relationship',
  description: 'Set-theory relationship of NIST IR 8477 and OSCAL 1.2, read "A <relationship> B".',
  valuesConfig: {
    EQUAL: { description: 'A and B ask for the same thing.' },
    SUBSET_OF: { description: 'Everything A asks for, B asks for too; B asks for more.' },
    SUPERSET_OF: { description: 'A asks for everything B does, and more.' },
    INTERSECTS_WITH: { description: 'A and B overlap; neither contains the other.' },
    NO_RELATIONSHIP: { description: 'Assessed and found unrelated. Stored, never traversed.' },
  },
});
registerEnumType(Rationale, { name: 'Rationale', description: 'Why a mapping was asserted (NIST IR 8477): wording, meaning or function.' });
registerEnumType(MappingMethod, { name: 'MappingMethod', description: 'How a mapping set was produced.' });
registerEnumType(MappingStatus, {
  name: 'MappingStatus',
  description: 'Maturity of a mapping set. Derived (not authoritative) sets are DRAFT until an expert reviews them.',
});
registerEnumType(MappingDirection, {
  name: 'MappingDirection',
  description: 'Which stored direction to include: OUTGOING (this requirement is the source), INCOMING (it is the target) or BOTH.',
});
registerEnumType(PathCoverage, {
  name: 'PathCoverage',
  description: 'FULL when every hop, read from the start, is EQUAL or SUPERSET_OF (start contains next); otherwise PARTIAL.',
});
