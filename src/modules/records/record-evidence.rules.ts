/**
 * Which requirements each kind of register record satisfies: the one place in code behind
 * docs/record-evidence.md (a test keeps the two identical). A qualifying record is written as accepted
 * evidence (sourceSystem "hub", externalId "<kind>:<id>", record type and id attached), so every report
 * counts it like any other evidence and explains it by the record behind it.
 */
import { LinkCoverage } from '../evidence/evidence.enums';

export enum RecordKind {
  AI_SYSTEM = 'AI_SYSTEM',
  IMPACT_ASSESSMENT = 'IMPACT_ASSESSMENT',
  OVERSIGHT_LOG = 'OVERSIGHT_LOG',
  INTERNAL_AUDIT = 'INTERNAL_AUDIT',
  NONCONFORMITY = 'NONCONFORMITY',
  MANAGEMENT_REVIEW = 'MANAGEMENT_REVIEW',
  RISK = 'RISK',
  CHANGE_REQUEST = 'CHANGE_REQUEST',
  POLICY = 'POLICY',
  OBJECTIVE = 'OBJECTIVE',
  MONITORING_METRIC = 'MONITORING_METRIC',
  IMPROVEMENT = 'IMPROVEMENT',
}

export interface RecordLink {
  framework: string;
  ref: string;
  coverage: LinkCoverage;
  /** Only when the record has this flag. */
  onlyIf?: string;
  /** Coverage becomes FULL when the record has this flag. */
  fullIf?: string;
}

export interface RecordRule {
  /** When the record counts. */
  counts: string;
  /** From when and until when. */
  validity: string;
  /** Whether the evidence is scoped to the record's AI system. */
  scope: string;
  links: RecordLink[];
}

const { FULL, PARTIAL } = LinkCoverage;
const both = (ref: string, coverage: LinkCoverage, extra: Partial<RecordLink> = {}): RecordLink[] => [
  { framework: 'iso27001', ref, coverage, ...extra },
  { framework: 'iso42001', ref, coverage, ...extra },
];

export const RECORD_EVIDENCE: Record<RecordKind, RecordRule> = {
  [RecordKind.AI_SYSTEM]: {
    counts: 'Registered and not RETIRED',
    validity: 'From registration; ends when the system is retired',
    scope: 'the system',
    links: [{ framework: 'iso42001', ref: 'A.4.2', coverage: PARTIAL }, { framework: 'iso42001', ref: '4.3', coverage: PARTIAL }],
  },
  [RecordKind.IMPACT_ASSESSMENT]: {
    counts: 'The latest APPROVED version',
    validity: 'From approval until nextReviewDue (stale after it)',
    scope: 'the system',
    links: [
      { framework: 'iso42001', ref: '6.1.4', coverage: FULL },
      { framework: 'iso42001', ref: '8.4', coverage: FULL },
      { framework: 'iso42001', ref: 'A.5.2', coverage: PARTIAL },
      { framework: 'iso42001', ref: 'A.5.3', coverage: FULL },
      { framework: 'iso42001', ref: 'A.5.4', coverage: FULL },
      { framework: 'iso42001', ref: 'A.5.5', coverage: FULL },
      { framework: 'eu-ai-act', ref: 'Art. 27(1)', coverage: FULL, onlyIf: 'highRiskDeployer' },
    ],
  },
  [RecordKind.OVERSIGHT_LOG]: {
    counts: 'At least one oversight record of the system',
    validity: 'From its first record until three months after its latest',
    scope: 'the system',
    links: [
      { framework: 'iso42001', ref: 'A.9.2', coverage: PARTIAL },
      { framework: 'eu-ai-act', ref: 'Art. 14(1)', coverage: PARTIAL },
      { framework: 'eu-ai-act', ref: 'Art. 26(2)', coverage: PARTIAL },
    ],
  },
  [RecordKind.INTERNAL_AUDIT]: {
    counts: 'Performed (performedAt set)',
    validity: 'From performedAt for one year',
    scope: 'organization-wide',
    links: [...both('9.2.1', FULL), ...both('9.2.2', PARTIAL)],
  },
  [RecordKind.NONCONFORMITY]: {
    counts: 'CLOSED with an EFFECTIVE effectiveness check',
    validity: 'From closure for one year',
    scope: 'the system when it names one, else organization-wide',
    links: both('10.2', FULL),
  },
  [RecordKind.MANAGEMENT_REVIEW]: {
    counts: 'Status HELD',
    validity: 'From the review date for one year',
    scope: 'organization-wide',
    links: [...both('9.3.1', FULL), ...both('9.3.2', PARTIAL, { fullIf: 'allInputs' }), ...both('9.3.3', FULL)],
  },
  [RecordKind.RISK]: {
    counts: 'Assessed (likelihood and impact set); the treatment links when a treatment is chosen',
    validity: 'From assessment until the review date',
    scope: 'the system when it names one, else organization-wide',
    links: [
      { framework: 'iso42001', ref: '8.2', coverage: FULL },
      { framework: 'iso42001', ref: '6.1.2', coverage: PARTIAL },
      { framework: 'iso42001', ref: '8.3', coverage: FULL, onlyIf: 'treated' },
      { framework: 'iso42001', ref: '6.1.3', coverage: PARTIAL, onlyIf: 'treated' },
      { framework: 'iso27001', ref: '8.2', coverage: PARTIAL },
      { framework: 'iso27001', ref: '6.1.2', coverage: PARTIAL },
      { framework: 'iso27001', ref: '8.3', coverage: PARTIAL, onlyIf: 'treated' },
      { framework: 'iso27001', ref: '6.1.3', coverage: PARTIAL, onlyIf: 'treated' },
    ],
  },
  [RecordKind.CHANGE_REQUEST]: {
    counts: 'APPROVED or DEPLOYED',
    validity: 'From approval for one year',
    scope: 'the system',
    links: [{ framework: 'iso42001', ref: '6.3', coverage: FULL }, { framework: 'iso42001', ref: 'A.6.2.5', coverage: PARTIAL }],
  },
  [RecordKind.POLICY]: {
    counts: 'APPROVED',
    validity: 'From approval until its review date',
    scope: 'organization-wide',
    links: [
      { framework: 'iso42001', ref: '5.2', coverage: FULL },
      { framework: 'iso42001', ref: 'A.2.2', coverage: FULL },
      { framework: 'iso42001', ref: 'A.2.4', coverage: PARTIAL },
    ],
  },
  [RecordKind.OBJECTIVE]: {
    counts: 'ACTIVE or ACHIEVED with at least one measurement',
    validity: 'From its first measurement until three months after its latest',
    scope: 'organization-wide',
    links: [{ framework: 'iso42001', ref: '6.2', coverage: PARTIAL }],
  },
  [RecordKind.MONITORING_METRIC]: {
    counts: 'ACTIVE with at least one measurement',
    validity: 'From its first measurement until three months after its latest',
    scope: 'the system',
    links: [
      { framework: 'iso42001', ref: '9.1', coverage: PARTIAL },
      { framework: 'iso42001', ref: 'A.6.2.6', coverage: PARTIAL },
      { framework: 'eu-ai-act', ref: 'Art. 72(1)', coverage: PARTIAL },
      { framework: 'eu-ai-act', ref: 'Art. 72(2)', coverage: PARTIAL },
    ],
  },
  [RecordKind.IMPROVEMENT]: {
    counts: 'DONE',
    validity: 'From completion for one year',
    scope: 'organization-wide',
    links: both('10.1', PARTIAL),
  },
};

/** The links a record with these flags makes. */
export function recordLinks(kind: RecordKind, flags: ReadonlySet<string>): { framework: string; ref: string; coverage: LinkCoverage }[] {
  return RECORD_EVIDENCE[kind].links
    .filter((l) => !l.onlyIf || flags.has(l.onlyIf))
    .map((l) => ({ framework: l.framework, ref: l.ref, coverage: l.fullIf && flags.has(l.fullIf) ? FULL : l.coverage }));
}

/** The markdown table of docs/record-evidence.md. */
export function renderRecordEvidenceTable(): string {
  const rows = Object.entries(RECORD_EVIDENCE).map(([kind, r]) => {
    const links = r.links
      .map((l) => `${l.framework} ${l.ref} ${l.coverage}${l.fullIf ? ` (FULL if ${l.fullIf})` : ''}${l.onlyIf ? ` (if ${l.onlyIf})` : ''}`)
      .join('<br>');
    return `| \`${kind}\` | ${r.counts} | ${r.validity} | ${r.scope} | ${links} |`;
  });
  return ['| Record | Counts when | Valid | Scope | Satisfies (framework ref coverage) |', '|---|---|---|---|---|', ...rows].join('\n');
}
