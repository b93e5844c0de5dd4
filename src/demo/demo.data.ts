/**
 * The demo organization's programme, as data: Brightwell Talent, a recruitment company in the EU that runs
 * one integrated management system for information security (ISO/IEC 27001) and AI (ISO/IEC 42001). It
 * deploys a vendor's CV-screening model (EU AI Act high-risk, Annex III point 4(a)) and provides its own
 * customer-support assistant (Art. 50 transparency duties).
 *
 * Dates are days before the day the demo is loaded, so the programme stays current. Every ref is a seeded
 * requirement; test/integration/demo.test.ts works out the coverage this data gives by hand.
 */

export type DemoSource = 'confluence' | 'jira' | 'github-actions' | 'aws-config';
export type DemoSystem = 'cvScreening' | 'supportAssistant';

export interface DemoLink {
  framework: string;
  ref: string;
  coverage: 'FULL' | 'PARTIAL';
}

export interface DemoEvidence {
  source: DemoSource;
  externalId: string;
  title: string;
  kind: 'POLICY' | 'PROCEDURE' | 'DOCUMENT' | 'RECORD' | 'TICKET' | 'TEST_RESULT' | 'CONFIG_SNAPSHOT';
  owner: string;
  /** Effective this many days before the load day. */
  daysAgo: number;
  cadence: 'P1M' | 'P3M' | 'P6M' | 'P1Y';
  /** ACCEPTED unless told: DRAFT and IN_REVIEW items are pending. */
  status?: 'DRAFT' | 'IN_REVIEW';
  /** Scoped to one AI system; organization-wide otherwise. */
  system?: DemoSystem;
  links: DemoLink[];
}

const full = (framework: string, ...refs: string[]): DemoLink[] => refs.map((ref) => ({ framework, ref, coverage: 'FULL' }));
const partial = (framework: string, ...refs: string[]): DemoLink[] => refs.map((ref) => ({ framework, ref, coverage: 'PARTIAL' }));

export const DEMO_ORGANIZATION = 'demo';

/** Where each source system's items live (the .example domain is reserved: these links go nowhere). */
export const SOURCE_URI: Record<DemoSource, (externalId: string) => string> = {
  confluence: (id) => `https://wiki.brightwell.example/display/${id.split('-')[0]}/${id}`,
  jira: (id) => `https://jira.brightwell.example/browse/${id}`,
  'github-actions': (id) => `https://github.brightwell.example/brightwell/platform/actions/workflows/${id}.yml`,
  'aws-config': (id) => `https://console.aws.amazon.com/config/home?region=eu-central-1#/rules/details?configRuleName=${id}`,
};

export const DEMO_EVIDENCE: DemoEvidence[] = [
  // Confluence, ISMS space: policies and procedures, reviewed yearly.
  { source: 'confluence', externalId: 'ISMS-001', title: 'ISMS scope, context and interested parties', kind: 'DOCUMENT', owner: 'CISO', daysAgo: 120, cadence: 'P1Y', links: full('iso27001', '4.1', '4.2', '4.3', '4.4') },
  { source: 'confluence', externalId: 'ISMS-002', title: 'Information security policy', kind: 'POLICY', owner: 'CISO', daysAgo: 150, cadence: 'P1Y', links: full('iso27001', '5.1', '5.2', 'A.5.1') },
  { source: 'confluence', externalId: 'ISMS-003', title: 'Security roles and responsibilities (RACI)', kind: 'POLICY', owner: 'CISO', daysAgo: 150, cadence: 'P1Y', links: full('iso27001', '5.3', 'A.5.2', 'A.5.3', 'A.5.4') },
  { source: 'confluence', externalId: 'ISMS-004', title: 'Risk assessment and treatment methodology', kind: 'PROCEDURE', owner: 'Risk manager', daysAgo: 200, cadence: 'P1Y', links: full('iso27001', '6.1.1', '6.1.2', '6.1.3') },
  { source: 'confluence', externalId: 'ISMS-005', title: 'Information security objectives 2026', kind: 'DOCUMENT', owner: 'CISO', daysAgo: 300, cadence: 'P1Y', links: [...full('iso27001', '6.2'), ...partial('iso27001', '9.1')] },
  { source: 'confluence', externalId: 'ISMS-006', title: 'Planning of changes to the management system', kind: 'PROCEDURE', owner: 'CISO', daysAgo: 180, cadence: 'P1Y', links: full('iso27001', '6.3') },
  { source: 'confluence', externalId: 'ISMS-007', title: 'Resourcing plan and competence matrix', kind: 'DOCUMENT', owner: 'Head of People', daysAgo: 90, cadence: 'P1Y', links: full('iso27001', '7.1', '7.2') },
  { source: 'confluence', externalId: 'ISMS-008', title: 'Security awareness and training programme', kind: 'PROCEDURE', owner: 'Head of People', daysAgo: 90, cadence: 'P1Y', links: full('iso27001', '7.3', 'A.6.3') },
  { source: 'confluence', externalId: 'ISMS-009', title: 'Internal and external communication plan', kind: 'PROCEDURE', owner: 'CISO', daysAgo: 160, cadence: 'P1Y', links: full('iso27001', '7.4') },
  { source: 'confluence', externalId: 'ISMS-010', title: 'Control of documented information', kind: 'PROCEDURE', owner: 'Quality lead', daysAgo: 220, cadence: 'P1Y', links: full('iso27001', '7.5.1', '7.5.2', '7.5.3') },
  { source: 'confluence', externalId: 'ISMS-011', title: 'Operational planning and control', kind: 'PROCEDURE', owner: 'Head of Engineering', daysAgo: 100, cadence: 'P1Y', links: full('iso27001', '8.1') },
  { source: 'confluence', externalId: 'ISMS-012', title: 'Internal audit programme 2026-2028', kind: 'DOCUMENT', owner: 'Quality lead', daysAgo: 250, cadence: 'P1Y', links: full('iso27001', '9.2.2') },
  { source: 'confluence', externalId: 'ISMS-013', title: 'Asset management and information classification', kind: 'POLICY', owner: 'IT lead', daysAgo: 130, cadence: 'P1Y', links: [...full('iso27001', 'A.5.9', 'A.5.10', 'A.5.11', 'A.5.12', 'A.5.13'), ...partial('iso27001', 'A.5.14')] },
  { source: 'confluence', externalId: 'ISMS-014', title: 'Access control policy', kind: 'POLICY', owner: 'IT lead', daysAgo: 140, cadence: 'P1Y', links: full('iso27001', 'A.5.15', 'A.5.16', 'A.5.17', 'A.5.18') },
  { source: 'confluence', externalId: 'ISMS-015', title: 'Supplier and cloud service security procedure', kind: 'PROCEDURE', owner: 'Procurement', daysAgo: 170, cadence: 'P1Y', links: full('iso27001', 'A.5.19', 'A.5.20', 'A.5.21', 'A.5.23') },
  { source: 'confluence', externalId: 'ISMS-016', title: 'Incident response plan', kind: 'PROCEDURE', owner: 'Security engineering', daysAgo: 110, cadence: 'P1Y', links: full('iso27001', 'A.5.24', 'A.5.25', 'A.5.26', 'A.5.28') },
  // Last reviewed 400 days ago: its yearly review is overdue, so it is stale.
  { source: 'confluence', externalId: 'ISMS-017', title: 'Business continuity and ICT readiness plan', kind: 'PROCEDURE', owner: 'Head of Engineering', daysAgo: 400, cadence: 'P1Y', links: full('iso27001', 'A.5.29', 'A.5.30') },
  { source: 'confluence', externalId: 'ISMS-018', title: 'Legal, regulatory, contractual and privacy register', kind: 'DOCUMENT', owner: 'Legal counsel', daysAgo: 60, cadence: 'P1Y', links: full('iso27001', 'A.5.31', 'A.5.32', 'A.5.33', 'A.5.34') },
  { source: 'confluence', externalId: 'ISMS-019', title: 'HR security: screening, terms, disciplinary process, leavers', kind: 'PROCEDURE', owner: 'Head of People', daysAgo: 190, cadence: 'P1Y', links: full('iso27001', 'A.6.1', 'A.6.2', 'A.6.4', 'A.6.5', 'A.6.6') },
  { source: 'confluence', externalId: 'ISMS-020', title: 'Remote working and clear desk policy', kind: 'POLICY', owner: 'IT lead', daysAgo: 190, cadence: 'P1Y', links: [...full('iso27001', 'A.6.7', 'A.7.7'), ...partial('iso27001', 'A.7.9')] },
  { source: 'confluence', externalId: 'ISMS-021', title: 'Secure development policy', kind: 'POLICY', owner: 'Head of Engineering', daysAgo: 95, cadence: 'P1Y', links: full('iso27001', 'A.8.25', 'A.8.26', 'A.8.27', 'A.8.28') },
  { source: 'confluence', externalId: 'ISMS-022', title: 'Information security risk register and treatment plan 2026', kind: 'RECORD', owner: 'Risk manager', daysAgo: 45, cadence: 'P1Y', links: full('iso27001', '8.2', '8.3') },
  { source: 'confluence', externalId: 'ISMS-023', title: 'Operating procedures runbook (rewrite)', kind: 'PROCEDURE', owner: 'Site reliability', daysAgo: 5, cadence: 'P1Y', status: 'DRAFT', links: full('iso27001', 'A.5.37') },
  { source: 'confluence', externalId: 'ISMS-024', title: 'Configuration baseline standard', kind: 'PROCEDURE', owner: 'Site reliability', daysAgo: 12, cadence: 'P1Y', status: 'IN_REVIEW', links: full('iso27001', 'A.8.9') },
  // Confluence, AIMS space: the AI management system.
  { source: 'confluence', externalId: 'AIMS-001', title: 'AI roles, responsibilities and their allocation', kind: 'POLICY', owner: 'Head of AI governance', daysAgo: 80, cadence: 'P1Y', links: [...full('iso42001', 'A.3.2', 'A.10.2'), ...full('nist-ai-rmf', 'GOVERN 2.1')] },
  { source: 'confluence', externalId: 'AIMS-002', title: 'Raising concerns about AI systems', kind: 'PROCEDURE', owner: 'Head of AI governance', daysAgo: 80, cadence: 'P1Y', links: full('iso42001', 'A.3.3') },
  { source: 'confluence', externalId: 'AIMS-003', title: 'Responsible AI development and procurement process', kind: 'PROCEDURE', owner: 'Head of AI governance', daysAgo: 140, cadence: 'P1Y', links: [...full('iso42001', 'A.6.1.2', 'A.6.1.3', 'A.6.2.2'), ...partial('iso42001', 'A.6.2.5')] },
  { source: 'confluence', externalId: 'AIMS-004', title: 'Data management for AI systems', kind: 'PROCEDURE', owner: 'Data protection officer', daysAgo: 120, cadence: 'P1Y', links: [...full('iso42001', 'A.7.2', 'A.7.3', 'A.7.4'), ...partial('iso42001', 'A.7.6')] },
  { source: 'confluence', externalId: 'AIMS-005', title: 'TalentLens model card and instructions for use', kind: 'DOCUMENT', owner: 'Talent acquisition lead', daysAgo: 45, cadence: 'P1Y', system: 'cvScreening', links: [...full('iso42001', 'A.6.2.7', 'A.8.2'), ...partial('eu-ai-act', 'Art. 26(1)')] },
  { source: 'confluence', externalId: 'AIMS-006', title: 'Support assistant: "you are talking to an AI" notice', kind: 'DOCUMENT', owner: 'Head of Customer Support', daysAgo: 30, cadence: 'P1Y', system: 'supportAssistant', links: [...full('eu-ai-act', 'Art. 50(1)'), ...partial('iso42001', 'A.8.5')] },
  { source: 'confluence', externalId: 'AIMS-007', title: 'AI supplier assessment: TalentLens', kind: 'RECORD', owner: 'Procurement', daysAgo: 160, cadence: 'P1Y', system: 'cvScreening', links: full('iso42001', 'A.10.3') },
  { source: 'confluence', externalId: 'AIMS-008', title: 'AI literacy programme', kind: 'PROCEDURE', owner: 'Head of People', daysAgo: 100, cadence: 'P1Y', links: [...full('eu-ai-act', 'Art. 4'), ...full('nist-ai-rmf', 'GOVERN 2.2')] },
  { source: 'confluence', externalId: 'AIMS-009', title: 'Provenance of training and evaluation data', kind: 'DOCUMENT', owner: 'Data protection officer', daysAgo: 3, cadence: 'P1Y', status: 'DRAFT', links: full('iso42001', 'A.7.5') },
  // Jira: reviews, post-mortems and registers kept as tickets.
  { source: 'jira', externalId: 'SEC-412', title: 'Quarterly access review, Q3 2026', kind: 'TICKET', owner: 'IT lead', daysAgo: 50, cadence: 'P3M', links: full('iso27001', 'A.5.18', 'A.8.2') },
  { source: 'jira', externalId: 'SEC-388', title: 'Post-incident review: API key committed to a public gist', kind: 'TICKET', owner: 'Security engineering', daysAgo: 70, cadence: 'P1Y', links: full('iso27001', 'A.5.27', 'A.6.8') },
  { source: 'jira', externalId: 'SEC-430', title: 'Vulnerability remediation SLA report, October', kind: 'RECORD', owner: 'Security engineering', daysAgo: 20, cadence: 'P1M', links: full('iso27001', 'A.8.8') },
  { source: 'jira', externalId: 'SEC-401', title: 'Change advisory board log', kind: 'RECORD', owner: 'Site reliability', daysAgo: 25, cadence: 'P3M', links: full('iso27001', 'A.8.32') },
  { source: 'jira', externalId: 'GRC-60', title: 'Contacts with authorities and special interest groups', kind: 'RECORD', owner: 'CISO', daysAgo: 200, cadence: 'P1Y', links: full('iso27001', 'A.5.5', 'A.5.6') },
  { source: 'jira', externalId: 'GRC-77', title: 'Independent review of the ISMS by an external consultant', kind: 'RECORD', owner: 'CISO', daysAgo: 210, cadence: 'P1Y', links: [...full('iso27001', 'A.5.35'), ...partial('iso27001', 'A.5.36')] },
  { source: 'jira', externalId: 'GRC-88', title: 'Office physical security walkthrough', kind: 'RECORD', owner: 'Office manager', daysAgo: 150, cadence: 'P1Y', links: [...full('iso27001', 'A.7.1', 'A.7.2', 'A.7.3'), ...partial('iso27001', 'A.7.4')] },
  { source: 'jira', externalId: 'SEC-205', title: 'Security checklist in project delivery', kind: 'TICKET', owner: 'Head of Engineering', daysAgo: 65, cadence: 'P1Y', links: full('iso27001', 'A.5.8') },
  { source: 'jira', externalId: 'SEC-440', title: 'Capacity review of the production clusters', kind: 'TICKET', owner: 'Site reliability', daysAgo: 8, cadence: 'P6M', status: 'IN_REVIEW', links: full('iso27001', 'A.8.6') },
  { source: 'jira', externalId: 'AI-118', title: 'Deployer checks: TalentLens used per its instructions, input data reviewed', kind: 'TICKET', owner: 'Talent acquisition lead', daysAgo: 40, cadence: 'P6M', system: 'cvScreening', links: full('eu-ai-act', 'Art. 26(1)', 'Art. 26(4)') },
  { source: 'jira', externalId: 'AI-121', title: 'TalentLens decision logs kept for six months', kind: 'TICKET', owner: 'Site reliability', daysAgo: 40, cadence: 'P6M', system: 'cvScreening', links: [...full('eu-ai-act', 'Art. 26(6)'), ...full('iso42001', 'A.6.2.8')] },
  // GitHub Actions: CI runs, monthly.
  { source: 'github-actions', externalId: 'codeql', title: 'CodeQL static analysis on main', kind: 'TEST_RESULT', owner: 'Security engineering', daysAgo: 2, cadence: 'P1M', links: full('iso27001', 'A.8.29') },
  { source: 'github-actions', externalId: 'repository-controls', title: 'Branch protection, required reviews and environment separation', kind: 'TEST_RESULT', owner: 'Head of Engineering', daysAgo: 6, cadence: 'P1M', links: [...full('iso27001', 'A.8.4', 'A.8.31'), ...partial('iso27001', 'A.8.32')] },
  { source: 'github-actions', externalId: 'test-data-masking', title: 'Test data masking check', kind: 'TEST_RESULT', owner: 'Data protection officer', daysAgo: 6, cadence: 'P1M', links: [...full('iso27001', 'A.8.33'), ...partial('iso27001', 'A.8.11')] },
  { source: 'github-actions', externalId: 'talentlens-fairness', title: 'TalentLens bias and fairness regression suite', kind: 'TEST_RESULT', owner: 'Talent acquisition lead', daysAgo: 9, cadence: 'P1M', system: 'cvScreening', links: [...full('iso42001', 'A.6.2.4'), ...full('nist-ai-rmf', 'MEASURE 2.11')] },
  { source: 'github-actions', externalId: 'assistant-red-team', title: 'Support assistant prompt-injection red-team suite', kind: 'TEST_RESULT', owner: 'Head of Customer Support', daysAgo: 9, cadence: 'P1M', system: 'supportAssistant', links: full('nist-ai-rmf', 'MEASURE 2.7') },
  // AWS Config: cloud rules, evaluated continuously, snapshot kept monthly.
  { source: 'aws-config', externalId: 'encrypted-storage', title: 'Encryption at rest for EBS, S3 and RDS', kind: 'CONFIG_SNAPSHOT', owner: 'Site reliability', daysAgo: 1, cadence: 'P1M', links: full('iso27001', 'A.8.24') },
  { source: 'aws-config', externalId: 'cloudtrail-enabled', title: 'CloudTrail in every region with log file validation', kind: 'CONFIG_SNAPSHOT', owner: 'Site reliability', daysAgo: 1, cadence: 'P1M', links: full('iso27001', 'A.8.15') },
  { source: 'aws-config', externalId: 'guardduty-enabled', title: 'GuardDuty threat detection enabled', kind: 'CONFIG_SNAPSHOT', owner: 'Security engineering', daysAgo: 1, cadence: 'P1M', links: [...full('iso27001', 'A.8.16'), ...partial('iso27001', 'A.8.7')] },
  { source: 'aws-config', externalId: 'iam-mfa-and-privileges', title: 'MFA for every console user; privileged roles only through SSO', kind: 'CONFIG_SNAPSHOT', owner: 'IT lead', daysAgo: 1, cadence: 'P1M', links: full('iso27001', 'A.8.5', 'A.8.18') },
  { source: 'aws-config', externalId: 'backup-plan-frequency', title: 'Backup plans meet the daily frequency', kind: 'CONFIG_SNAPSHOT', owner: 'Site reliability', daysAgo: 1, cadence: 'P1M', links: full('iso27001', 'A.8.13') },
  { source: 'aws-config', externalId: 'multi-az', title: 'Multi-AZ databases and load balancers', kind: 'CONFIG_SNAPSHOT', owner: 'Site reliability', daysAgo: 1, cadence: 'P1M', links: full('iso27001', 'A.8.14') },
  { source: 'aws-config', externalId: 'network-segmentation', title: 'Security groups restrict ingress; production VPC segmented', kind: 'CONFIG_SNAPSHOT', owner: 'Site reliability', daysAgo: 1, cadence: 'P1M', links: [...full('iso27001', 'A.8.20', 'A.8.22'), ...partial('iso27001', 'A.8.21')] },
  { source: 'aws-config', externalId: 's3-public-access-blocked', title: 'S3 public access blocked account-wide', kind: 'CONFIG_SNAPSHOT', owner: 'Security engineering', daysAgo: 1, cadence: 'P1M', links: full('iso27001', 'A.8.3', 'A.8.12') },
  { source: 'aws-config', externalId: 'patch-compliance', title: 'Patch compliance of managed instances', kind: 'CONFIG_SNAPSHOT', owner: 'Site reliability', daysAgo: 1, cadence: 'P1M', links: [...full('iso27001', 'A.8.19'), ...partial('iso27001', 'A.8.1')] },
  // The rule was deleted by mistake 45 days ago: its last monthly snapshot has expired, so it is stale.
  { source: 'aws-config', externalId: 'dns-firewall', title: 'DNS firewall blocks known-malicious domains', kind: 'CONFIG_SNAPSHOT', owner: 'Security engineering', daysAgo: 45, cadence: 'P1M', links: full('iso27001', 'A.8.23') },
];

export interface DemoAiSystem {
  key: DemoSystem;
  input: Record<string, unknown>;
}

const answered = (facts: Record<string, boolean | string>) =>
  Object.entries(facts).map(([fact, v]) => (typeof v === 'string' ? { fact, answer: 'YES', value: v } : { fact, answer: v ? 'YES' : 'NO' }));

/** Looked up by name on later runs. */
export const DEMO_AI_SYSTEMS: DemoAiSystem[] = [
  {
    key: 'cvScreening',
    input: {
      name: 'TalentLens CV screening',
      description: "A vendor's ranking model that scores applications against the must-have criteria of a vacancy.",
      intendedPurpose: 'Rank incoming applications for open roles so recruiters read the strongest first; a recruiter decides every shortlist and rejection.',
      businessUnit: 'Talent acquisition',
      owner: 'Talent acquisition lead',
      lifecycleStage: 'OPERATION',
      oversightModel: 'HUMAN_IN_THE_LOOP',
      euRoles: ['DEPLOYER'],
      riskClass: 'HIGH_RISK',
      highRiskRoute: 'ANNEX_III',
      annexIIIArea: '4. Employment, workers management and access to self-employment',
      classificationRationale: 'Annex III point 4(a): used to analyse and filter job applications and to evaluate candidates. It profiles applicants, so the Art. 6(3) derogation is not available.',
      components: [{ supplier: 'TalentLens B.V.', model: 'TalentLens Ranker', version: '3.2' }],
      dataCategories: ['CVs and application forms', 'Vacancy requirements', 'Recruiter decisions'],
      // employerUsingAtWorkplace stays open (legal is checking whether screening for clients' vacancies is
      // use at the workplace), so Art. 26(7) is CONDITIONAL.
      euFacts: answered({
        highRiskRoute: 'ANNEX_III', annexIIIPoint: '4(a)', art6_3Derogation: false, profilesNaturalPersons: true,
        decisionsAboutNaturalPersons: true, publicAuthority: false, publicLawBodyOrPublicService: false, lawEnforcement: false,
        establishedInThirdCountry: false, gpaiModel: false, trainsModels: false, interactsWithPersons: false,
        generatesSyntheticContent: false, emotionRecognitionOrBiometricCategorisation: false, deepFake: false, publicInterestText: false,
      }),
    },
  },
  {
    key: 'supportAssistant',
    input: {
      name: 'Customer support assistant',
      description: 'A chat assistant on the candidate and client portals, built in-house on a third-party language model, that answers questions and hands over to a support agent.',
      intendedPurpose: 'Answer candidates\' and clients\' questions about applications, invoices and the portal; hand over to a person on request or when unsure.',
      businessUnit: 'Customer support',
      owner: 'Head of Customer Support',
      lifecycleStage: 'OPERATION',
      oversightModel: 'HUMAN_ON_THE_LOOP',
      euRoles: ['PROVIDER', 'DEPLOYER'],
      riskClass: 'LIMITED_RISK',
      classificationRationale: 'Not an Annex III use; interacts with people and generates text, so the Art. 50(1) and 50(2) transparency duties apply.',
      components: [{ supplier: 'Mistral AI', model: 'Mistral Large', version: '2' }],
      dataCategories: ['Chat transcripts', 'Help-centre articles'],
      euFacts: answered({
        highRiskRoute: 'NONE', interactsWithPersons: true, generatesSyntheticContent: true, emotionRecognitionOrBiometricCategorisation: false,
        deepFake: false, publicInterestText: false, gpaiModel: false, publicAuthority: false, lawEnforcement: false, establishedInThirdCountry: false,
      }),
    },
  },
];

/** The CV-screening system's impact assessment: version 1 approved, version 2 (the retraining) in draft. */
export const DEMO_IMPACT_ASSESSMENT = {
  assessor: 'Head of AI governance',
  approvalComment: 'Approved by the AI governance board; review again after the vendor\'s next model version.',
  v1: {
    intended_use_and_context: 'Ranks applications for about 400 vacancies a month in the EU; recruiters see the ranking next to the full application and decide.',
    affected_individuals_and_groups: 'Applicants (including people with disabilities, older applicants and applicants with career breaks), recruiters, client hiring managers.',
    benefits_and_harms: 'Faster first replies to applicants (benefit, likely). Unfair ranking of under-represented groups (harm, possible, severe). Over-reliance by recruiters (harm, possible, moderate).',
    data_and_model: 'Vendor model TalentLens Ranker 3.2, trained by the vendor; inputs are the CV, the application form and the vacancy criteria. No special-category data is sent.',
    mitigations_and_oversight: 'A recruiter confirms every shortlist and rejection; monthly sampled review of rejections; fairness regression suite on every vendor release; applicants can ask for a human review.',
    residual_risk_and_decision: 'Residual risk acceptable with the oversight above; re-assess on every new model version.',
  },
  v2: {
    data_and_model: 'Vendor model TalentLens Ranker 3.3 (retrained on 2026 data, adds language-skill extraction); inputs unchanged. Fairness results of 3.3 pending.',
  },
};

export interface DemoOversightPoint {
  system: DemoSystem;
  name: string;
  mechanism: 'PRE_APPROVAL' | 'SAMPLED_REVIEW' | 'OVERRIDE' | 'STOP';
  overseerRole: string;
  triggerCriteria: string;
  decision: string;
  location: string;
  /** One record per entry: days before the load day, decision, and why when not APPROVED. */
  records: [daysAgo: number, decision: 'APPROVED' | 'OVERRIDDEN' | 'ESCALATED' | 'HALTED', rationale?: string][];
}

/** Oversight points (looked up by name) and their human-in-the-loop log (idempotent on point, case and time). */
export const DEMO_OVERSIGHT: DemoOversightPoint[] = [
  {
    system: 'cvScreening', name: 'Recruiter confirms every shortlist', mechanism: 'PRE_APPROVAL', overseerRole: 'Recruiter',
    triggerCriteria: 'Every ranking, before an applicant is shortlisted or rejected', decision: 'Shortlist or reject', location: 'Applicant tracking system, screening step',
    records: [
      [20, 'APPROVED'], [19, 'APPROVED'], [18, 'OVERRIDDEN', 'Relevant experience listed under a different job title'], [16, 'APPROVED'],
      [14, 'APPROVED'], [13, 'OVERRIDDEN', 'Career break ranked down; skills match the vacancy'], [11, 'APPROVED'], [9, 'APPROVED'],
      [7, 'ESCALATED', 'Applicant asked for a human review of the ranking'], [5, 'APPROVED'], [3, 'APPROVED'], [1, 'APPROVED'],
    ],
  },
  {
    system: 'cvScreening', name: 'Monthly sampled review of rejections', mechanism: 'SAMPLED_REVIEW', overseerRole: 'Talent acquisition lead',
    triggerCriteria: '5% of the month\'s rejections, drawn at random', decision: 'Confirm or reopen a rejection', location: 'Monthly quality review',
    records: [[32, 'APPROVED'], [32, 'OVERRIDDEN', 'Rejected for a missing certificate the applicant had listed'], [2, 'APPROVED']],
  },
  {
    system: 'supportAssistant', name: 'Hand-over to a support agent', mechanism: 'OVERRIDE', overseerRole: 'Support agent',
    triggerCriteria: 'The customer asks for a person, or the assistant\'s confidence is low', decision: 'Answer in place of the assistant', location: 'Support chat',
    records: [
      [12, 'ESCALATED', 'Customer asked for a person'], [10, 'OVERRIDDEN', 'Quoted the superseded refund policy'], [8, 'APPROVED'],
      [6, 'OVERRIDDEN', 'Invoice question needed account data'], [4, 'APPROVED'], [2, 'ESCALATED', 'Complaint about a rejection'],
    ],
  },
];

/** One internal audit of both standards, with its findings; looked up by title. */
export const DEMO_AUDIT = {
  title: 'Internal audit 2026: ISMS and AIMS',
  programme: 'Internal audit programme 2026-2028',
  auditor: 'Quality lead',
  plannedDaysAgo: 50,
  performedDaysAgo: 40,
  scopeFrameworks: ['iso27001', 'iso42001'],
  findings: [
    { type: 'MINOR_NC', description: 'Two leavers kept access to the HR system for more than 30 days after leaving.', requirements: ['iso27001 A.5.18', 'iso27001 A.6.5'] },
    { type: 'OBSERVATION', description: 'Contractors are not told how to raise concerns about AI systems.', requirements: ['iso42001 A.3.3'] },
  ],
};

export interface DemoNonconformity {
  description: string;
  source: 'AUDIT_FINDING' | 'INCIDENT';
  owner: string;
  dueInDays: number;
  system?: DemoSystem;
  /** For AUDIT_FINDING: the finding of DEMO_AUDIT it comes from. */
  finding?: number;
  rootCause: string;
  correction: string;
  correctiveAction: string;
  /** Closed (effectiveness checked, EFFECTIVE) this many days ago; open when absent. */
  closedDaysAgo?: number;
}

/** Nonconformities, looked up by description: one open from the audit, one closed from an incident. */
export const DEMO_NONCONFORMITIES: DemoNonconformity[] = [
  {
    description: "Leavers' access to the HR system is not removed within 30 days.", source: 'AUDIT_FINDING', finding: 0, owner: 'IT lead', dueInDays: 30,
    rootCause: 'The offboarding checklist did not list the HR system.', correction: 'Both accounts were disabled on the day of the audit.',
    correctiveAction: 'Add the HR system to the automated offboarding workflow.',
  },
  {
    description: 'The support assistant quoted a superseded refund policy to customers.', source: 'INCIDENT', system: 'supportAssistant', owner: 'Head of Customer Support', dueInDays: -20,
    rootCause: 'The help-centre index was not rebuilt after the policy changed.', correction: 'Index rebuilt; affected customers contacted.',
    correctiveAction: 'Rebuild the index on every policy publication; add the case to the red-team suite.', closedDaysAgo: 10,
  },
];

export interface DemoRegisterRecord {
  kind: 'POLICY' | 'MANAGEMENT_REVIEW' | 'RISK' | 'IMPROVEMENT';
  title: string;
  status: string;
  owner: string;
  system?: DemoSystem;
  daysAgo: number;
  reviewInDays?: number;
  data: Record<string, unknown>;
}

/** Register records, looked up by kind and title; the hub keeps evidence for each (docs/record-evidence.md). */
export const DEMO_REGISTER: DemoRegisterRecord[] = [
  {
    kind: 'POLICY', title: 'AI policy', status: 'APPROVED', owner: 'Head of AI governance', daysAgo: 200, reviewInDays: 165,
    data: { version: '1.1', approvedBy: 'Management board', uri: 'https://wiki.brightwell.example/display/AIMS/AI-policy' },
  },
  {
    kind: 'MANAGEMENT_REVIEW', title: 'Management review 2026 (ISMS and AIMS)', status: 'HELD', owner: 'CEO', daysAgo: 30,
    data: {
      attendees: ['CEO', 'CISO', 'Head of AI governance', 'Quality lead'],
      inputsCovered: ['status_of_previous_actions', 'changes_in_issues', 'changes_in_interested_party_needs', 'performance_and_trends', 'interested_party_feedback', 'risk_assessment_and_treatment', 'improvement_opportunities'],
      decisions: 'Fund a business continuity test in Q1; keep TalentLens under monthly sampled review.',
    },
  },
  {
    kind: 'RISK', title: 'TalentLens ranks applicants with career breaks lower', status: 'TREATED', owner: 'Talent acquisition lead', system: 'cvScreening', daysAgo: 60, reviewInDays: 120,
    data: {
      description: 'The ranking penalises gaps in employment, which affects carers and people returning from illness more often.', source: 'Impact assessment',
      likelihood: 3, impact: 4, residualLikelihood: 2, residualImpact: 3, treatment: 'MITIGATE', treatmentRefs: ['iso42001 A.5.4', 'eu-ai-act Art. 26(2)'],
    },
  },
  {
    kind: 'IMPROVEMENT', title: 'Security awareness moved to quarterly micro-modules', status: 'DONE', owner: 'Head of People', daysAgo: 15,
    data: { description: 'Shorter modules every quarter instead of one yearly course; completion rose from 71% to 94%.', source: 'Management review 2025' },
  },
];

/** Statement of Applicability decisions, set when the control has none yet. */
export const DEMO_APPLICABILITY = [
  { framework: 'iso27001', ref: 'A.8.30', applicability: 'NOT_APPLICABLE', reasons: ['BUSINESS_REQUIREMENT'], justification: 'All development is done in-house; none is outsourced.' },
];

/** One integrated management system for every process: the qualified 27001 -> 42001 rows read EQUAL. */
export const DEMO_CONDITION = {
  condition: 'integratedManagementSystem',
  note: 'One management system for information security and AI: one audit programme, one management review, one document control (ISMS-010, ISMS-012).',
};
