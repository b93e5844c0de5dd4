import { Applicability, ApplicabilityReason, DeclaredImplementation } from '../applicability/applicability.entity';
import { EvidenceKind, EvidenceStatus, ReviewCadence } from '../evidence/evidence.enums';
import type { FieldSpec } from './columns';

/**
 * The columns of a Statement of Applicability, in the order the template and the export write them, with
 * the English headers each is recognised by (compared lower case, letters and digits only).
 */
export const SOA_FIELDS: readonly FieldSpec[] = [
  { field: 'ref', header: 'Ref', required: true, description: 'The control or requirement, by its ref: A.5.1, 5.1, A 5.1 or Annex A 5.1', example: 'A.5.1',
    names: ['ref', 'control', 'controlid', 'controlref', 'controlno', 'controlnumber', 'controlreference', 'annexacontrol', 'annexaref', 'annexareference', 'clause', 'requirement', 'requirementref', 'reference', 'id', 'no'] },
  { field: 'title', header: 'Title', required: false, description: "The control's title: written by the export and the template for people, not read", example: 'Policies for information security',
    names: ['title', 'controltitle', 'controlname', 'name', 'requirementtitle'] },
  { field: 'applicable', header: 'Applicable', required: true, description: 'Whether it applies: yes or no (also y/n, true/false, applicable/not applicable, included/excluded, x)', example: 'Yes',
    names: ['applicable', 'applicability', 'applicableyn', 'isapplicable', 'included', 'inscope', 'selected', 'inclusion', 'applies'] },
  { field: 'justification', header: 'Justification', required: false, description: 'Why it is included or excluded; required when it does not apply', example: 'Required by the risk treatment plan',
    names: ['justification', 'justificationforinclusion', 'justificationforexclusion', 'justificationforinclusionexclusion', 'justificationforinclusionorexclusion', 'reason', 'rationale', 'reasonforinclusion', 'reasonforexclusion'] },
  { field: 'reasons', header: 'Reasons', required: false, description: 'Reason categories, separated by commas: legal/regulatory, contractual, risk treatment, business requirement, best practice', example: 'Risk treatment, Legal/regulatory',
    names: ['reasons', 'reasoncategories', 'reasoncategory', 'basis', 'selectionbasis', 'drivers'] },
  { field: 'implementation', header: 'Implementation status', required: false, description: 'Implementation status as you declare it: implemented, partially implemented, planned, not implemented', example: 'Implemented',
    names: ['implementation', 'implementationstatus', 'implemented', 'status', 'controlstatus', 'implementationstate'] },
  { field: 'owner', header: 'Owner', required: false, description: 'Who is responsible for the control', example: 'CISO',
    names: ['owner', 'controlowner', 'responsible', 'responsibleperson', 'accountable', 'responsibility'] },
];

/** The columns of an evidence register, in the order the template and the export write them. */
export const REGISTER_FIELDS: readonly FieldSpec[] = [
  { field: 'externalId', header: 'ID', required: false, description: "The document's id in your register; when there is none, a hash of the row is its id (a changed row is then a new item)", example: 'DOC-001',
    names: ['externalid', 'id', 'evidenceid', 'documentid', 'docid', 'docno', 'documentno', 'documentnumber', 'registerid', 'itemid', 'key'] },
  { field: 'title', header: 'Title', required: true, description: 'What the document or record is', example: 'Information security policy',
    names: ['title', 'document', 'documenttitle', 'documentname', 'name', 'evidence', 'evidencetitle', 'evidencename', 'artefact', 'artifact', 'item'] },
  { field: 'kind', header: 'Kind', required: false, description: 'Document, policy, procedure, ticket, config snapshot, log extract, test result, attestation, record or other; other when empty', example: 'Policy',
    names: ['kind', 'type', 'evidencetype', 'documenttype', 'category', 'evidencekind'] },
  { field: 'uri', header: 'Location', required: false, description: 'Where it can be read: an absolute URI (https://, s3://, file://, smb://…)', example: 'https://intranet.example.com/policies/infosec.pdf',
    names: ['uri', 'url', 'link', 'location', 'path', 'documentlocation', 'storagelocation', 'where', 'hyperlink'] },
  { field: 'owner', header: 'Owner', required: false, description: 'Who is responsible for it', example: 'CISO',
    names: ['owner', 'documentowner', 'evidenceowner', 'responsible', 'custodian', 'author'] },
  { field: 'effectiveAt', header: 'Effective date', required: true, description: 'When it took effect (approved, issued, last updated): YYYY-MM-DD or a date cell', example: '2026-01-15',
    names: ['effectiveat', 'effectivedate', 'effective', 'date', 'issued', 'issuedate', 'dateissued', 'approved', 'approvaldate', 'approvedon', 'dateapproved', 'versiondate', 'lastupdated', 'lastreviewed', 'asof', 'publisheddate'] },
  { field: 'validUntil', header: 'Review date', required: false, description: 'When it is due for review (it stops counting then): YYYY-MM-DD; give this or the cadence', example: '2027-01-15',
    names: ['validuntil', 'reviewdate', 'nextreview', 'nextreviewdate', 'reviewdue', 'reviewby', 'expiry', 'expirydate', 'expires', 'duedate'] },
  { field: 'reviewCadence', header: 'Review cadence', required: false, description: 'How often it is renewed: monthly, quarterly, every 6 months or annually; give this or the review date', example: '',
    names: ['reviewcadence', 'cadence', 'reviewfrequency', 'frequency', 'reviewcycle', 'reviewperiod'] },
  { field: 'status', header: 'Status', required: false, description: 'Draft, in review, accepted (approved) or rejected; new items are drafts when empty, existing ones keep theirs', example: 'Accepted',
    names: ['status', 'reviewstatus', 'approvalstatus', 'state', 'documentstatus'] },
  { field: 'description', header: 'Description', required: false, description: 'What it shows', example: 'Board-approved policy, version 3',
    names: ['description', 'summary', 'notes', 'comments', 'comment'] },
  { field: 'refs', header: 'Refs', required: true, description: 'The requirements it supports: refs separated by commas or line breaks, or in several columns (Control 1, Control 2…); framework:ref names another framework', example: 'A.5.1, A.5.2',
    names: ['refs', 'ref', 'controls', 'control', 'controlrefs', 'controlids', 'requirements', 'requirement', 'mappedcontrols', 'clauses', 'clause', 'annexacontrols', 'supports', 'satisfies', 'mappedto', 'mapping', 'mappings'],
    repeated: /^(refs?|controls?|requirements?|clauses?|controlref|mappedcontrols?)\d+$/ },
];

export const APPLICABLE_SPELLINGS = [
  [Applicability.APPLICABLE, ['yes', 'y', 'true', '1', 'x', 'applicable', 'included', 'include', 'selected', 'in scope', 'required']],
  [Applicability.NOT_APPLICABLE, ['no', 'n', 'false', '0', 'not applicable', 'n a', 'na', 'excluded', 'exclude', 'not selected', 'out of scope', 'not required']],
] as const;

export const IMPLEMENTATION_SPELLINGS = [
  [DeclaredImplementation.IMPLEMENTED, ['implemented', 'yes', 'y', 'done', 'complete', 'completed', 'in place', 'fully implemented', 'operational', 'effective']],
  [DeclaredImplementation.PARTIALLY_IMPLEMENTED, ['partially implemented', 'partially', 'partial', 'in progress', 'partly implemented', 'ongoing']],
  [DeclaredImplementation.PLANNED, ['planned', 'to do', 'todo', 'scheduled', 'not started']],
  [DeclaredImplementation.NOT_IMPLEMENTED, ['not implemented', 'no', 'n', 'none', 'missing']],
] as const;

export const REASON_SPELLINGS = [
  [ApplicabilityReason.LEGAL_REGULATORY, ['legal regulatory', 'legal', 'regulatory', 'law', 'legal and regulatory', 'lr', 'legal requirement', 'regulation']],
  [ApplicabilityReason.CONTRACTUAL, ['contractual', 'contract', 'contractual obligation', 'co']],
  [ApplicabilityReason.RISK_TREATMENT, ['risk treatment', 'risk', 'risk assessment', 'rt', 'risk treatment plan', 'rtp']],
  [ApplicabilityReason.BUSINESS_REQUIREMENT, ['business requirement', 'business', 'business need', 'br']],
  [ApplicabilityReason.BEST_PRACTICE, ['best practice', 'good practice', 'bp']],
] as const;

export const KIND_SPELLINGS = [
  [EvidenceKind.DOCUMENT, ['document', 'doc', 'documentation', 'report', 'plan']],
  [EvidenceKind.POLICY, ['policy', 'policies', 'standard']],
  [EvidenceKind.PROCEDURE, ['procedure', 'process', 'sop', 'standard operating procedure', 'work instruction', 'guideline']],
  [EvidenceKind.TICKET, ['ticket', 'issue', 'jira', 'change ticket', 'incident ticket']],
  [EvidenceKind.CONFIG_SNAPSHOT, ['config snapshot', 'config', 'configuration', 'screenshot', 'configuration snapshot']],
  [EvidenceKind.LOG_EXTRACT, ['log extract', 'log', 'logs', 'audit log']],
  [EvidenceKind.TEST_RESULT, ['test result', 'test', 'test report', 'pen test', 'penetration test', 'scan', 'scan result']],
  [EvidenceKind.ATTESTATION, ['attestation', 'certificate', 'certification', 'declaration', 'sign off', 'signoff']],
  [EvidenceKind.RECORD, ['record', 'records', 'minutes', 'register', 'log book', 'training record']],
  [EvidenceKind.OTHER, ['other']],
] as const;

export const STATUS_SPELLINGS = [
  [EvidenceStatus.DRAFT, ['draft', 'new', 'proposed']],
  [EvidenceStatus.IN_REVIEW, ['in review', 'review', 'under review', 'pending', 'pending approval', 'for review', 'submitted']],
  [EvidenceStatus.ACCEPTED, ['accepted', 'approved', 'final', 'current', 'published', 'active', 'valid', 'in force']],
  [EvidenceStatus.REJECTED, ['rejected', 'obsolete', 'superseded', 'withdrawn', 'retired', 'archived']],
] as const;

export const CADENCE_SPELLINGS = [
  [ReviewCadence.P1M, ['monthly', 'p1m', '1 month', 'every month', 'month']],
  [ReviewCadence.P3M, ['quarterly', 'p3m', '3 months', 'every 3 months', 'quarter']],
  [ReviewCadence.P6M, ['every 6 months', 'p6m', '6 months', 'semi annual', 'semi annually', 'half yearly', 'biannual', 'twice a year']],
  [ReviewCadence.P1Y, ['annually', 'p1y', 'annual', 'yearly', '12 months', '1 year', 'every year', 'year']],
] as const;

/** How the export writes each value back: the first spelling, in sentence case. */
export function spell<T>(spellings: readonly (readonly [T, readonly string[]])[], value: T | null | undefined): string {
  const names = spellings.find(([v]) => v === value)?.[1];
  if (!names) return '';
  return names[0].charAt(0).toUpperCase() + names[0].slice(1);
}
