import 'reflect-metadata';
import path from 'node:path';
import { GraphQLFieldResolver, GraphQLObjectType, GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import type { HubContext } from './context';
import type { Requirement } from '../modules/framework/requirement.entity';
import type { MappingDirection } from '../modules/mapping/mapping.enums';
import { buildSchema, type PubSub } from 'type-graphql';
import { projectRoot } from '../config';
// Installs the date bounds before any type is built (some files import the scalars from graphql-scalars).
import './scalars';
import { MappingConsistencyResolver } from '../modules/mapping/mapping-consistency.resolver';
import { NoCounterpartReasonResolver } from '../modules/mapping/mapping.resolver';
import { ReuseItemResolver } from '../modules/coverage/coverage.resolver';
import { MappingConditionDefinitionResolver, MappingConditionResolver, MappingGraphInfoResolver } from '../modules/mapping/mapping-condition.resolver';
import { MappingChangeSetResolver, MappingReviewResolver } from '../modules/mapping/mapping-review.resolver';
import { FrameworkResolver } from '../modules/framework/framework.resolver';
import { RequirementResolver, requirementMappings } from '../modules/framework/requirement.resolver';
import {
  MappingEdgeResolver, MappingMatrixCellResolver, MappingMatrixResolver, MappingMatrixRowResolver, MappingPathResolver,
  MappingMutationResolver, MappingQueryResolver, MappingSourceResolver,
} from '../modules/mapping/mapping.resolver';
import { NodeResolver } from './node.resolver';
import { authChecker } from '../modules/auth/auth.checker';
import { guardReads } from '../modules/auth/read.guard';
import { TokenResolver } from '../modules/auth/token.resolver';
import { ViewerResolver } from '../modules/auth/viewer.resolver';
import { AuditResolver } from '../modules/audit/audit.resolver';
import { EvidenceLinkResolver, EvidenceResolver, RequirementEvidenceResolver } from '../modules/evidence/evidence.resolver';
import { CoverageTrendResolver } from '../modules/coverage/coverage-trend';
import {
  CoverageQueryResolver, CoverageReportResolver, FrameworkCoverageResolver, GapItemResolver, GroupCoverageResolver, InferredCoverageResolver, PrefillItemResolver,
  PrefillRejectionResolver, ReachGroupResolver, RequirementCoverageResolver, SuggestedEvidenceResolver,
} from '../modules/coverage/coverage.resolver';
import { AiSystemResolver, EvidenceScopeResolver, GateTaskResolver } from '../modules/ai-system/ai-system.resolver';
import { AiSystemFactsResolver, EuActResolver } from '../modules/ai-system/eu-act.resolver';
import { AiSystemAssessmentResolver, ImpactAssessmentResolver } from '../modules/impact-assessment/impact-assessment.resolver';
import { AiSystemOversightResolver, OversightPointSummaryResolver, OversightResolver } from '../modules/oversight/oversight.resolver';
import {
  AuditFindingResolver, GovernanceResolver, InternalAuditResolver, NonconformityResolver, RegisterRecordResolver,
} from '../modules/governance/governance.resolver';

import { InterchangeResolver } from '../modules/interchange/interchange.resolver';
import { SpreadsheetImportResolver } from '../modules/spreadsheet/import.resolver';
import { WebhookDeliveryResolver, WebhookEndpointResolver, WebhookResolver } from '../modules/webhooks/webhook.resolver';
import { CoverageChangeResolver, EventResolver, HubEventResolver } from '../modules/events/event.resolver';

export const resolvers = [
  InterchangeResolver,
  SpreadsheetImportResolver,
  FrameworkResolver,
  RequirementResolver,
  MappingQueryResolver,
  MappingMutationResolver,
  MappingEdgeResolver,
  MappingPathResolver,
  MappingSourceResolver,
  MappingConditionResolver,
  NoCounterpartReasonResolver,
  MappingConsistencyResolver,
  ReuseItemResolver,
  MappingGraphInfoResolver,
  MappingConditionDefinitionResolver,
  MappingReviewResolver,
  MappingChangeSetResolver,
  MappingMatrixResolver,
  MappingMatrixCellResolver,
  MappingMatrixRowResolver,
  NodeResolver,
  EvidenceResolver,
  EvidenceLinkResolver,
  RequirementEvidenceResolver,
  CoverageQueryResolver,
  CoverageTrendResolver,
  CoverageReportResolver,
  FrameworkCoverageResolver,
  GroupCoverageResolver,
  RequirementCoverageResolver,
  InferredCoverageResolver,
  SuggestedEvidenceResolver,
  PrefillItemResolver,
  PrefillRejectionResolver,
  GapItemResolver,
  ReachGroupResolver,
  AiSystemResolver,
  AiSystemFactsResolver,
  EuActResolver,
  GateTaskResolver,
  EvidenceScopeResolver,
  ImpactAssessmentResolver,
  AiSystemAssessmentResolver,
  OversightResolver,
  AiSystemOversightResolver,
  OversightPointSummaryResolver,
  GovernanceResolver,
  InternalAuditResolver,
  AuditFindingResolver,
  NonconformityResolver,
  RegisterRecordResolver,
  TokenResolver,
  ViewerResolver,
  AuditResolver,
  WebhookResolver,
  WebhookEndpointResolver,
  WebhookDeliveryResolver,
  EventResolver,
  HubEventResolver,
  CoverageChangeResolver,
] as const;

/**
 * type-graphql insists on a PubSub as soon as one @Subscription exists, even when each has its own
 * `subscribe` (ours read the process-wide event feed); this one refuses, should a topic ever be used.
 */
const noTopics: PubSub = {
  publish: () => {
    throw new Error('subscriptions read the event feed (src/modules/events/event-feed.ts), not topics');
  },
  subscribe: () => {
    throw new Error('subscriptions read the event feed (src/modules/events/event-feed.ts), not topics');
  },
};

const SUBSCRIPTION_DESCRIPTION = 'Live events over graphql-ws (protocol graphql-transport-ws) at the same /graphql address, with the same token in the connection parameters ({ authorization: "Bearer <token>" } or { token }), roles and organization as queries. Only subscriptions are served over the socket.';

let built: Promise<GraphQLSchema> | undefined;

/** Built once per process; type-graphql metadata is global anyway. */
export function hubSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers,
    validate: { forbidUnknownValues: false },
    authChecker,
    pubSub: noTopics,
    emitSchemaFile: false,
  }).then((schema) => {
    schema.getSubscriptionType()!.description = SUBSCRIPTION_DESCRIPTION;
    fieldsWithoutWrapper(schema);
    // Every field that returns objects: the read rule of their type (src/modules/auth/read-rules.ts).
    return guardReads(schema);
  });
  return built;
}

/**
 * Fields asked for once per object of a long list, whose resolvers take only scalar arguments (nothing for
 * class-validator to check) and no middleware: called directly with graphql-js's coerced arguments, as
 * type-graphql's wrapper turns every field with arguments into a promise (its argument validation is async).
 * Their type-graphql methods call the same functions, so the SDL and the behaviour stay one.
 */
function fieldsWithoutWrapper(schema: GraphQLSchema): void {
  const direct: Record<string, Record<string, GraphQLFieldResolver<never, HubContext, never>>> = {
    Requirement: { mappings: (r: Requirement, args: { direction: MappingDirection; framework?: string | null }, ctx) => requirementMappings(r, args, ctx) },
  };
  for (const [typeName, fields] of Object.entries(direct)) {
    const type = schema.getType(typeName) as GraphQLObjectType;
    for (const [name, resolve] of Object.entries(fields)) type.getFields()[name].resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
  }
}

export const SCHEMA_FILE = () => path.join(projectRoot(), 'schema.graphql');

/** The committed SDL: sorted, so diffs show API changes rather than declaration order. */
export function printHubSchema(schema: GraphQLSchema): string {
  return (
    '# Generated from the type-graphql schema by `npm run build` (src/cli/emit-schema.ts). Do not edit.\n\n' +
    printSchema(lexicographicSortSchema(schema)) +
    '\n'
  );
}
