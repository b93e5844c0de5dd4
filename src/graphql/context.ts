import { InterchangeService } from '../modules/interchange/interchange.service';
import DataLoader from 'dataloader';
import { SpreadsheetImportService } from '../modules/spreadsheet/import.service';
import type { DataSource } from 'typeorm';
import type { QueryScope } from '../database/query-counter';
import { Framework } from '../modules/framework/framework.entity';
import { FrameworkService } from '../modules/framework/framework.service';
import { Requirement } from '../modules/framework/requirement.entity';
import { RequirementPage, RequirementPageQuery, RequirementService } from '../modules/framework/requirement.service';
import type { RequirementFilter } from '../modules/framework/requirement.args';
import { MappingService } from '../modules/mapping/mapping.service';
import { MappingClosureService } from '../modules/mapping/mapping-closure.service';
import { MappingGraph, MappingGraphService } from '../modules/mapping/mapping-graph.service';
import { MappingConditionService } from '../modules/mapping/mapping-condition.service';
import { MappingReviewService } from '../modules/mapping/mapping-review.service';
import { MappingSource } from '../modules/mapping/mapping-source.entity';
import type { MappingRow } from '../modules/mapping/mapping-edge.type';
import { OrganizationService } from '../modules/organization/organization.service';
import { EvidenceService } from '../modules/evidence/evidence.service';
import { Evidence } from '../modules/evidence/evidence.entity';
import { EvidenceLink } from '../modules/evidence/evidence-link.entity';
import { EvidenceReview, EvidenceRevision } from '../modules/evidence/evidence-history.entity';
import { ApplicabilityService } from '../modules/applicability/applicability.service';
import { ApplicabilityDecision } from '../modules/applicability/applicability.entity';
import { CoverageService } from '../modules/coverage/coverage.service';
import { Principal, TokenService } from '../modules/auth/token.service';
import { AuditService } from '../modules/audit/audit.service';
import { RecordEvidenceService } from '../modules/records/record-evidence.service';
import { AiSystemService } from '../modules/ai-system/ai-system.service';
import { EuActService, EuModel } from '../modules/ai-system/eu-act.service';
import { AiSystem, AiSystemChange, GateTask } from '../modules/ai-system/ai-system.entity';
import { ImpactAssessmentService } from '../modules/impact-assessment/impact-assessment.service';
import { ImpactAssessment } from '../modules/impact-assessment/impact-assessment.entity';
import { OversightService } from '../modules/oversight/oversight.service';
import { OversightPoint } from '../modules/oversight/oversight.entity';
import { GovernanceService } from '../modules/governance/governance.service';
import { AuditFinding, Measurement } from '../modules/governance/governance.entity';

import { CoverageEventsService } from '../modules/events/coverage-events.service';
import { DEFAULT_EVENTS, type EventRuntime, type EventsConfig } from '../modules/events/event-runtime';
import { WebhookEndpointService } from '../modules/webhooks/webhook-endpoint.service';
import { WebhookDeliveryService } from '../modules/webhooks/webhook-delivery.service';
import type { WebhookAttempt, WebhookSecret } from '../modules/webhooks/webhook.types';
import { EventService } from '../modules/events/event.service';
import type { EventFeed } from '../modules/events/event-feed';
import type { HubEvent } from '../modules/events/event.type';

/** Stateless services, created once per process. */
export interface Services {
  framework: FrameworkService;
  requirement: RequirementService;
  mapping: MappingService;
  closure: MappingClosureService;
  graph: MappingGraphService;
  conditions: MappingConditionService;
  review: MappingReviewService;
  organization: OrganizationService;
  evidence: EvidenceService;
  applicability: ApplicabilityService;
  coverage: CoverageService;
  records: RecordEvidenceService;
  aiSystem: AiSystemService;
  euAct: EuActService;
  impactAssessment: ImpactAssessmentService;
  oversight: OversightService;
  governance: GovernanceService;
  tokens: TokenService;
  audit: AuditService;
  interchange: InterchangeService;
  /** Statements of Applicability and evidence registers from spreadsheets (src/modules/spreadsheet). */
  spreadsheets: SpreadsheetImportService;
  /** Coverage deltas at the end of each writing transaction (src/modules/events). */
  coverageEvents: CoverageEventsService;
  /** Publishing after commit; null when this process runs no event workers. */
  events: EventRuntime | null;
  /** Webhook endpoints and their secrets. */
  webhooks: WebhookEndpointService;
  /** Webhook deliveries: queued when events are published, sent by the job workers, replayed on request. */
  webhookDeliveries: WebhookDeliveryService;
  /** Reads of published events (the events query, node, replays). */
  eventLog: EventService;
  /** The process-wide feed of newly published events that subscriptions listen to; null outside a server. */
  feed: EventFeed | null;
}

export function createServices(ds: DataSource, eventsConfig: EventsConfig = DEFAULT_EVENTS): Services {
  const requirement = new RequirementService(ds);
  const closure = new MappingClosureService(ds);
  const graph = new MappingGraphService(ds, closure);
  // Evidence checks AI system scopes through the register, which writes record evidence through Evidence.
  let aiSystem: AiSystemService | undefined;
  const organization = new OrganizationService(ds);
  const framework = new FrameworkService(ds);
  const coverage = new CoverageService(ds);
  const evidence = new EvidenceService(ds, requirement, (org, ids) => aiSystem!.knownIds(org, ids));
  const records = new RecordEvidenceService(evidence);
  aiSystem = new AiSystemService(ds, requirement, records);
  const services = {
    framework,
    requirement,
    mapping: new MappingService(ds, requirement, graph),
    closure,
    graph,
    conditions: new MappingConditionService(ds, graph),
    review: new MappingReviewService(ds, graph, coverage, framework),
    organization,
    evidence,
    applicability: new ApplicabilityService(ds),
    coverage,
    records,
    aiSystem,
    euAct: new EuActService(ds),
    impactAssessment: new ImpactAssessmentService(ds, aiSystem, records),
    oversight: new OversightService(ds, aiSystem, records),
    governance: new GovernanceService(ds, requirement, aiSystem, records),
    tokens: new TokenService(ds, organization),
    audit: new AuditService(ds),
    coverageEvents: new CoverageEventsService(ds),
    events: null,
    eventLog: new EventService(ds),
    feed: null,
  } as Services;
  services.interchange = new InterchangeService(ds, services);
  services.spreadsheets = new SpreadsheetImportService(ds, services.applicability, services.evidence);
  services.webhooks = new WebhookEndpointService(ds, eventsConfig.webhooks, framework, aiSystem);
  services.webhookDeliveries = new WebhookDeliveryService(ds, eventsConfig.webhooks, services.webhooks);
  return services;
}

type PageKey = RequirementPageQuery & { frameworkId: string };
type CountKey = { frameworkId: string; filter: RequirementFilter | null };

/** Groups keys that share everything but the parent id, and batches each group into one service call. */
function groupedLoader<K extends { frameworkId: string }, V>(
  signature: (key: K) => string,
  load: (frameworkIds: string[], sample: K) => Promise<Map<string, V>>,
) {
  return new DataLoader<K, V, string>(
    async (keys) => {
      const groups = new Map<string, K[]>();
      for (const k of keys) {
        const sig = signature(k);
        const group = groups.get(sig);
        if (group) group.push(k);
        else groups.set(sig, [k]);
      }
      const results = new Map<string, V>();
      for (const [sig, group] of groups) {
        const found = await load([...new Set(group.map((k) => k.frameworkId))], group[0]);
        for (const [fwId, v] of found) results.set(`${sig}|${fwId}`, v);
      }
      return keys.map((k) => results.get(`${signature(k)}|${k.frameworkId}`)!);
    },
    { cacheKeyFn: (k) => `${signature(k)}|${k.frameworkId}` },
  );
}

const filterSignature = (f: RequirementFilter | null) =>
  JSON.stringify(f ? [f.kind ?? null, f.parentRef ?? null, f.assessable ?? null, f.search ?? null] : null);

/**
 * A DataLoader that also answers at once for a key it has already loaded or been primed with. A resolver
 * that returns `get(key)` hands graphql-js a plain value instead of a promise when the value is known (a
 * parent resolver loaded it ahead, src/graphql/lookahead.ts), and graphql-js then completes the object
 * without a promise per field: on a catalog read of a few hundred objects, that is most of the executor's work.
 */
export class Loader<V> extends DataLoader<string, V> {
  private readonly settled: Map<string, V>;

  constructor(batch: (ids: readonly string[]) => Promise<V[]>) {
    const settled = new Map<string, V>();
    super(async (ids) => {
      const values = await batch(ids);
      ids.forEach((id, i) => {
        if (!settled.has(id)) settled.set(id, values[i]);
      });
      return values;
    });
    this.settled = settled;
  }

  override prime(key: string, value: V | PromiseLike<V> | Error): this {
    if (!(value instanceof Error) && !isPromiseLike(value) && !this.settled.has(key)) this.settled.set(key, value);
    return super.prime(key, value);
  }

  override clear(key: string): this {
    this.settled.delete(key);
    return super.clear(key);
  }

  override clearAll(): this {
    this.settled.clear();
    return super.clearAll();
  }

  /** Whether the value for this key is known now (loaded or primed). */
  has(key: string): boolean {
    return this.settled.has(key);
  }

  /** The value now when it is known, else the (batched) load. */
  get(key: string): V | Promise<V> {
    return this.settled.has(key) ? this.settled.get(key)! : this.load(key);
  }
}

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> => typeof (v as PromiseLike<unknown> | null)?.then === 'function';

export const byId = <V>(fn: (ids: readonly string[]) => Promise<Map<string, V>>) =>
  new Loader<V | null>(async (ids) => {
    const found = await fn(ids);
    return ids.map((id) => found.get(id) ?? null);
  });

export const listBy = <V>(fn: (ids: readonly string[]) => Promise<Map<string, V[]>>) =>
  new Loader<V[]>(async (ids) => {
    const found = await fn(ids);
    return ids.map((id) => found.get(id) ?? []);
  });

/** Per-request DataLoaders: every relation field resolves through one of these. */
export function createLoaders(s: Services, org: string) {
  const memo = new Map<string, unknown>();
  /** Partial requirements (LIGHT_COLUMNS) for selections that need no more (graphql/lookahead.ts); never mixed with the full ones. */
  const requirementLight = byId<Requirement>((ids) => s.requirement.findByIds(ids, true));
  /** Mappings of the graph the organization reads now, each read with its conditions. */
  const mappingRows = listBy<MappingRow>((ids) => s.mapping.edgesFor({ current: org }, ids));
  return {
    framework: byId<Framework>((ids) => s.framework.findByIds(ids)),
    requirement: byId<Requirement>((ids) => s.requirement.findByIds(ids)),
    requirementLight,
    children: listBy<Requirement>((ids) => s.requirement.childrenOf(ids)),
    roots: listBy<Requirement>((ids) => s.requirement.rootsOf(ids)),
    mappingRows,
    /**
     * The same mappings, read with their counterparts as light requirements, which go into requirementLight (and
     * the lists into mappingRows): light counterparts then cost no statement of their own. For callers that
     * have primed the requirements they ask for (graphql/lookahead.ts): a counterpart that is one of them is
     * not read again.
     */
    mappingRowsWithCounterparts: listBy<MappingRow>(async (ids) => {
      const found = await s.mapping.edgesFor({ current: org }, ids, (counterpart) => {
        if (!requirementLight.has(counterpart.id)) requirementLight.prime(counterpart.id, counterpart);
      });
      for (const [id, list] of found) if (!mappingRows.has(id)) mappingRows.prime(id, list);
      return found;
    }),
    mappingRow: byId<MappingRow>((ids) => s.mapping.rowsByIds({ current: org }, ids)),
    mappingSource: byId<MappingSource>((ids) => s.mapping.sourcesByIds(org, ids)),
    mappingCount: byId<number>((ids) => s.mapping.countBySources(ids)),
    frameworkByKey: byId<Framework>((keys) => s.framework.findByKeys(keys)),
    requirementPage: groupedLoader<PageKey, RequirementPage>(
      (k) => JSON.stringify([k.window, filterSignature(k.filter), !!k.light]),
      (ids, k) => s.requirement.page(ids, k),
    ),
    requirementCount: groupedLoader<CountKey, number>(
      (k) => filterSignature(k.filter),
      (ids, k) => s.requirement.count(ids, k.filter),
    ),
    evidence: byId<Evidence>((ids) => s.evidence.findByIds(org, ids)),
    activeLinksOfEvidence: listBy<EvidenceLink>((ids) => s.evidence.linksOfEvidence(org, ids, false)),
    allLinksOfEvidence: listBy<EvidenceLink>((ids) => s.evidence.linksOfEvidence(org, ids, true)),
    revisions: listBy<EvidenceRevision>((ids) => s.evidence.revisionsOf(org, ids)),
    reviews: listBy<EvidenceReview>((ids) => s.evidence.reviewsOf(org, ids)),
    applicabilityHistory: listBy<ApplicabilityDecision>((ids) => s.applicability.history(org, ids)),
    aiSystem: byId<AiSystem>((ids) => s.aiSystem.findByIds(org, ids)),
    aiSystemHistory: listBy<AiSystemChange>((ids) => s.aiSystem.history(org, ids)),
    gateTasks: listBy<GateTask>((ids) => s.aiSystem.gateTasks(org, ids)),
    impactAssessment: byId<ImpactAssessment>((ids) => s.impactAssessment.findByIds(org, ids)),
    impactAssessments: listBy<ImpactAssessment>((ids) => s.impactAssessment.ofSystems(org, ids)),
    oversightPoints: listBy<OversightPoint>((ids) => s.oversight.points(org, ids)),
    oversightPoint: byId<OversightPoint>((ids) => s.oversight.pointsByIds(org, ids)),
    findings: listBy<AuditFinding>((ids) => s.governance.findingsOf(org, ids)),
    finding: byId<AuditFinding>((ids) => s.governance.findingsByIds(org, ids)),
    measurements: listBy<Measurement>((ids) => s.governance.measurementsOf(org, ids)),
    webhookSecrets: listBy<WebhookSecret>((ids) => s.webhooks.secretsOf(org, ids)),
    webhookAttempts: listBy<WebhookAttempt>((ids) => s.webhookDeliveries.attemptsOf(org, ids)),
    event: byId<HubEvent>((ids) => s.eventLog.findByIds(org, ids)),
    /** A loader per parameter set (asOf, depth...), created on first use and kept for the request. */
    keyed<L>(key: string, create: () => L): L {
      let found = memo.get(key) as L | undefined;
      if (!found) {
        found = create();
        memo.set(key, found);
      }
      return found;
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

export interface HubContext {
  services: Services;
  loaders: Loaders;
  queryScope: QueryScope;
  /** The API token behind the request. */
  principal: Principal;
  /** The organization every read and write is scoped to: the token's. */
  organizationId: string;
  /** Who is acting, recorded on writes: the token's name. */
  actor: string;
  /** This request's id (x-request-id), in logs, audit events and internal errors. */
  requestId: string;
  /** Memoized per request and date: the mapping graph (set versions and conditions) the organization reads at asOf (now when omitted). */
  graph: (asOf?: Date) => Promise<MappingGraph>;
  /** Memoized per request: the EU AI Act rules with this organization's publication records. */
  euModel: () => Promise<EuModel>;
}

/**
 * The context of one request (or one subscription) of a principal: from here on every statement runs
 * with the token's organization set for row-level security (the scope), and every loader is scoped to it.
 */
/** Who a token's writes are recorded as: its name and prefix. */
export const actorOf = (p: Pick<Principal, 'name' | 'prefix'>) => `${p.name} (${p.prefix})`;

export function requestContext(services: Services, principal: Principal, queryScope: QueryScope, requestId: string): HubContext {
  const organizationId = principal.organizationId;
  queryScope.organizationId = organizationId;
  const graphs = new Map<string, Promise<MappingGraph>>();
  const graph = (asOf?: Date): Promise<MappingGraph> => {
    const key = asOf ? asOf.toISOString() : 'now';
    let found = graphs.get(key);
    if (!found) {
      found = services.graph.at(organizationId, asOf ?? new Date());
      graphs.set(key, found);
    }
    return found;
  };
  let euModel: Promise<EuModel> | undefined;
  return {
    services,
    loaders: createLoaders(services, organizationId),
    queryScope,
    principal,
    organizationId,
    actor: actorOf(principal),
    requestId,
    graph,
    euModel: () => (euModel ??= services.euAct.model(organizationId)),
  };
}
