import type { HubContext } from '../../graphql/context';
import type { Evidence } from '../evidence/evidence.entity';
import type { EvidenceLink } from '../evidence/evidence-link.entity';
import type { EventType } from '../events/event-envelope';
import { ADMIN, CATALOG, EDIT, INGEST, READ, READ_EVIDENCE, REPORT, Role } from './role';

/**
 * Which roles may read an object of each GraphQL object type, whatever path reaches it (docs/roles.md).
 * The read guard (read.guard.ts) enforces it on every field that returns objects; a type missing here is refused to every
 * role, and a schema test fails for it. Root operation types are not objects anyone reads.
 */
export const READ_RULES: Readonly<Record<string, readonly Role[]>> = {
  // Catalogs: frameworks, requirements and mapping sets.
  Framework: CATALOG, FrameworkConnection: CATALOG, FrameworkEdge: CATALOG, Requirement: CATALOG, RequirementConnection: CATALOG, RequirementEdge: CATALOG, RequirementSearchHit: CATALOG,
  RequirementSearchHitConnection: CATALOG, RequirementSearchHitEdge: CATALOG,
  PageInfo: CATALOG, MappingSource: CATALOG, MappingSourceConnection: CATALOG, MappingSourceEdge: CATALOG, EuFact: CATALOG, LegalTextVersion: CATALOG, AmendmentPublication: CATALOG, MappingEdge: CATALOG, MappingPath: CATALOG, MappingMatrix: CATALOG,
  MappingMatrixCell: CATALOG, MappingMatrixRow: CATALOG, RelationshipCounts: CATALOG, MappingQualifier: CATALOG, MappingConditionDefinition: CATALOG,
  NoCounterpart: CATALOG, MappingConsistencyReport: CATALOG, ConsistencyFinding: CATALOG,
  // Which mapping graph an organization reads, and the conditions it declared.
  MappingGraphInfo: READ, OrganizationCondition: READ,
  // Reviewed changes to mapping sets: proposals, their impact on coverage, and diffs between set versions.
  MappingSetDiff: CATALOG, MappingDiffRow: CATALOG, MappingRowChange: CATALOG,
  MappingChangeSet: REPORT, MappingChange: REPORT, MappingChangeImpact: REPORT, FrameworkImpact: REPORT, RequirementStatusChange: REPORT,
  ProposeMappingChangePayload: REPORT, WithdrawMappingChangePayload: REPORT, DecideMappingChangePayload: EDIT,
  // Evidence: an INTEGRATOR only what it wrote (OWN_ONLY below).
  Evidence: READ_EVIDENCE, EvidenceConnection: READ_EVIDENCE, EvidenceEdge: READ_EVIDENCE, EvidenceLink: READ_EVIDENCE,
  EvidenceRevision: READ_EVIDENCE, EvidenceReview: READ_EVIDENCE,
  // What the ingest mutations answer.
  // Spreadsheet imports (an SoA import needs EDIT, a register INGEST: the answer is readable by both).
  SpreadsheetImportPayload: INGEST, ImportColumn: INGEST, SheetProblem: INGEST, ImportRow: INGEST, AbsentItem: INGEST,
  UpsertEvidencePayload: INGEST, BulkUpsertEvidencePayload: INGEST, BulkUpsertEvidenceResult: INGEST, ItemError: INGEST, InputProblem: INGEST,
  LinkEvidencePayload: INGEST, UnlinkEvidencePayload: INGEST, RecordOversightPayload: INGEST, OversightItemResult: INGEST,
  // Registers: AI systems, assessments, oversight, governance.
  AiSystem: READ, AiSystemConnection: READ, AiSystemEdge: READ, EuFactAnswer: READ, AiComponent: READ, AiSystemChange: READ, GateTask: READ, ImpactAssessment: READ, AssessmentSection: READ,
  SectionDiffType: READ, OversightPoint: READ, OversightPointSummary: READ, OversightWeek: READ, Measurement: READ,
  InternalAudit: READ, AuditFinding: READ, Nonconformity: READ, RegisterRecord: READ,
  // Reports.
  CoverageReport: REPORT, CoverageTotals: REPORT, CoverageTrend: REPORT, TrendPoint: REPORT, CoverageHistoryRebuild: ADMIN, FrameworkCoverage: REPORT, GroupCoverage: REPORT, RequirementCoverage: REPORT,
  RequirementCoverageConnection: REPORT, RequirementCoverageEdge: REPORT, InferredCoverage: REPORT, GapItem: REPORT, GapReport: REPORT,
  SuggestedEvidence: REPORT, SystemFinding: REPORT, PrefillItem: REPORT, PrefillReport: REPORT, PrefillResidual: REPORT,
  ReachGroup: REPORT, ReachTotals: REPORT, ReuseItem: REPORT, ReuseReport: REPORT, Obligation: REPORT, SystemObligations: REPORT, ObligationBasisAnswer: REPORT,
  SoaRow: REPORT, StatementOfApplicability: REPORT, ApplicabilityDecision: REPORT, NoCounterpartReason: REPORT,
  // What the editing mutations answer.
  PrefillRejection: EDIT, ReviewEvidencePayload: EDIT, CreateMappingSetPayload: EDIT, DeclareConditionPayload: EDIT, ImportFrameworkPayload: EDIT,
  ImportMappingsPayload: EDIT, ImportedMappingSet: EDIT, ImportedRequirementRow: EDIT,
  // The caller itself: any valid token.
  Viewer: CATALOG, ViewerPermissions: CATALOG,
  // Events (the query and the subscriptions); which event types each role receives: EVENT_READ_RULES below.
  HubEvent: READ, HubEventConnection: READ, HubEventEdge: READ, CoverageChange: REPORT,
  // Tokens and the audit trail.
  ApiToken: ADMIN, CreateApiTokenPayload: ADMIN, AuditEvent: ADMIN, AuditEventConnection: ADMIN, AuditEventEdge: ADMIN,
  // Webhooks: endpoints, their secrets (as metadata) and the delivery log.
  WebhookEndpoint: ADMIN, WebhookSecret: ADMIN, WebhookDelivery: ADMIN, WebhookDeliveryConnection: ADMIN, WebhookDeliveryEdge: ADMIN, WebhookAttempt: ADMIN,
  CreateWebhookEndpointPayload: ADMIN, UpdateWebhookEndpointPayload: ADMIN, DeleteWebhookEndpointPayload: ADMIN, EnableWebhookEndpointPayload: ADMIN,
  RotateWebhookSecretPayload: ADMIN, ReplayWebhookDeliveryPayload: ADMIN, ReplayWebhookEventsPayload: ADMIN,
};

/** Types whose objects an INTEGRATOR reads only when it wrote them (evidence(id) and evidences filter the same way). */
export const OWN_ONLY: Readonly<Record<string, (obj: never, ctx: HubContext) => boolean | Promise<boolean>>> = {
  Evidence: (e: Evidence, ctx) => e.createdBy === ctx.actor,
  // A link it made, or any link of evidence it wrote (the link is part of that evidence's record).
  EvidenceLink: async (l: EvidenceLink, ctx) => l.linkedBy === ctx.actor || (await ctx.loaders.evidence.load(l.evidenceId))?.createdBy === ctx.actor,
};

export const OWN_ONLY_ROLES: readonly Role[] = [Role.INTEGRATOR];

/**
 * Which roles may receive an event of each type (events query and subscriptions): the rule of the type
 * its data shows. Evidence events carry evidence (VIEWER reads it; an INTEGRATOR, which reads only what
 * it wrote, gets no events at all); coverage deltas and pre-fills are report results (ANALYST); a
 * rejection is a PrefillRejection (EDITOR); a disabled webhook endpoint concerns the ADMINs who
 * register them. A type missing here is refused to every role (a test checks that none is missing).
 */
export const EVENT_READ_RULES: Readonly<Record<EventType, readonly Role[]>> = {
  'evidence.created': READ, 'evidence.updated': READ, 'evidence.linked': READ, 'evidence.unlinked': READ, 'evidence.reviewed': READ,
  'evidence.expiring': READ, 'evidence.expired': READ, 'prefill.confirmed': READ,
  'coverage.changed': REPORT, 'prefill.appeared': REPORT,
  'prefill.rejected': EDIT,
  // The registers they come from (impact assessments, nonconformities, monitoring metrics) are VIEWER's to read.
  'impact_assessment.due': READ, 'impact_assessment.overdue': READ, 'nonconformity.overdue': READ, 'monitoring.threshold_breached': READ,
  // AiSystem.obligations is ANALYST's to read.
  'obligation.binding': REPORT,
  'webhook.endpoint_disabled': ADMIN,
};
