import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root, Authorized } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DateTime } from '../../graphql/scalars';
import type { HubContext } from '../../graphql/context';
import { Requirement } from '../framework/requirement.entity';
import { AiSystem } from '../ai-system/ai-system.entity';
import { OversightItemResult, RecordOversightPayload } from '../oversight/oversight.entity';
import { AuditFinding, Effectiveness, FindingType, InternalAudit, Measurement, NcSource, NcStatus, Nonconformity, RegisterKind, RegisterRecord } from './governance.entity';
import { EDIT, INGEST, READ } from '../auth/role';

@InputType({ description: 'An internal audit; set performedAt once it has taken place.' })
export class CreateInternalAuditInput {
  @Field({ description: 'Title.' }) title: string;
  @Field(() => String, { nullable: true, description: 'Programme.' }) programme?: string | null;
  @Field(() => [String], { defaultValue: [], description: 'Framework keys in scope, e.g. ["iso27001", "iso42001"].' }) scopeFrameworks: string[];
  @Field(() => DateTime, { nullable: true, description: 'Planned date.' }) plannedAt?: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'Performed date.' }) performedAt?: Date | null;
  @Field(() => String, { nullable: true, description: 'Auditor.' }) auditor?: string | null;
}

@InputType({ description: 'A finding of an internal audit.' })
export class AddAuditFindingInput {
  @Field(() => ID, { description: 'The audit.' }) auditId: string;
  @Field(() => FindingType, { description: 'Kind.' }) type: FindingType;
  @Field({ description: 'What was found.' }) description: string;
  @Field(() => [String], { defaultValue: [], description: 'Requirements concerned, as "framework ref".' }) requirements: string[];
}

@InputType({ description: 'A new nonconformity.' })
export class RaiseNonconformityInput {
  @Field(() => NcSource, { description: 'Source.' }) source: NcSource;
  @Field(() => ID, { nullable: true, description: 'The audit finding, for AUDIT_FINDING.' }) findingId?: string | null;
  @Field(() => ID, { nullable: true, description: 'The AI system concerned, if any.' }) aiSystemId?: string | null;
  @Field({ description: 'What is wrong.' }) description: string;
  @Field(() => String, { nullable: true, description: 'Owner.' }) owner?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'Due.' }) dueAt?: Date | null;
}

@InputType({ description: 'Analysis and actions of a nonconformity.' })
export class UpdateNonconformityInput {
  @Field(() => ID, { description: 'The NC.' }) id: string;
  @Field(() => String, { nullable: true, description: 'Root cause.' }) rootCause?: string | null;
  @Field(() => String, { nullable: true, description: 'Correction.' }) correction?: string | null;
  @Field(() => String, { nullable: true, description: 'Corrective action.' }) correctiveAction?: string | null;
  @Field(() => String, { nullable: true, description: 'Owner.' }) owner?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'Due.' }) dueAt?: Date | null;
}

@InputType({ description: 'The effectiveness check that closes a nonconformity.' })
export class CloseNonconformityInput {
  @Field(() => ID, { description: 'The NC.' }) id: string;
  @Field(() => Effectiveness, { description: 'EFFECTIVE closes it; NOT_EFFECTIVE is recorded and it stays open.' }) effectiveness: Effectiveness;
  @Field(() => DateTime, { nullable: true, description: 'When checked; now when omitted.' }) checkedAt?: Date | null;
}

@InputType({ description: 'Creates (no id) or replaces (with id) a simple register record.' })
export class UpsertRegisterRecordInput {
  @Field(() => ID, { nullable: true, description: 'The record to replace.' }) id?: string | null;
  @Field(() => RegisterKind, { description: 'Kind.' }) kind: RegisterKind;
  @Field(() => ID, { nullable: true, description: 'AI system (required for CHANGE_REQUEST and MONITORING_METRIC).' }) aiSystemId?: string | null;
  @Field({ description: 'Title.' }) title: string;
  @Field({ description: 'Status (per kind).' }) status: string;
  @Field(() => String, { nullable: true, description: 'Owner.' }) owner?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'When it took effect; now when omitted.' }) effectiveAt?: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'Review date.' }) reviewDue?: Date | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The kind\'s fields (docs/record-evidence.md).' }) data?: Record<string, unknown> | null;
}

@InputType({ description: 'One measurement, idempotent on (recordId, externalId).' })
export class MeasurementInput {
  @Field(() => ID, { description: 'Objective or monitoring metric.' }) recordId: string;
  @Field(() => DateTime, { description: 'When measured.' }) measuredAt: Date;
  @Field({ description: 'Value.' }) value: number;
  @Field({ description: 'Idempotency key from the source.' }) externalId: string;
}

@InputType({ description: 'Up to 5,000 measurements.' })
export class RecordMeasurementsInput {
  @Field(() => [MeasurementInput], { description: 'The measurements.' }) items: MeasurementInput[];
}

@Resolver()
export class GovernanceResolver {
  @Authorized(...READ)
  @Query(() => [InternalAudit], { description: 'Internal audits.' })
  internalAudits(@Ctx() ctx: HubContext): Promise<InternalAudit[]> {
    return ctx.services.governance.audits(ctx.organizationId);
  }

  @Authorized(...READ)
  @Query(() => [Nonconformity], { description: 'Nonconformities, oldest first.' })
  nonconformities(@Ctx() ctx: HubContext, @Arg('status', () => NcStatus, { nullable: true, description: 'Only this status.' }) status?: NcStatus | null): Promise<Nonconformity[]> {
    return ctx.services.governance.nonconformities(ctx.organizationId, status ?? null);
  }

  @Authorized(...READ)
  @Query(() => [RegisterRecord], { description: 'Simple register records, oldest first.' })
  registerRecords(
    @Ctx() ctx: HubContext,
    @Arg('kind', () => RegisterKind, { nullable: true, description: 'Only this kind.' }) kind?: RegisterKind | null,
    @Arg('aiSystemId', () => ID, { nullable: true, description: 'Only this system\'s.' }) aiSystemId?: string | null,
  ): Promise<RegisterRecord[]> {
    return ctx.services.governance.registerRecords(ctx.organizationId, kind ?? null, aiSystemId ?? null);
  }

  @Authorized(...EDIT)
  @Mutation(() => InternalAudit, { description: 'Records an internal audit; once performed it is evidence for 9.2 of both standards.' })
  async createInternalAudit(@Ctx() ctx: HubContext, @Arg('input', () => CreateInternalAuditInput, { description: 'The audit.' }) input: CreateInternalAuditInput): Promise<InternalAudit> {
    if (input.scopeFrameworks.length) await ctx.services.framework.requireByKeys([...new Set(input.scopeFrameworks)]);
    return ctx.services.governance.createAudit(ctx.organizationId, ctx.actor, input);
  }

  @Authorized(...EDIT)
  @Mutation(() => InternalAudit, { description: 'Records that an audit was performed.' })
  completeInternalAudit(
    @Ctx() ctx: HubContext,
    @Arg('id', () => ID, { description: 'The audit.' }) id: string,
    @Arg('performedAt', () => DateTime, { description: 'When.' }) performedAt: Date,
  ): Promise<InternalAudit> {
    return ctx.services.governance.completeAudit(ctx.organizationId, ctx.actor, id, performedAt);
  }

  @Authorized(...EDIT)
  @Mutation(() => AuditFinding, { description: 'Adds a finding to an audit.' })
  addAuditFinding(@Ctx() ctx: HubContext, @Arg('input', () => AddAuditFindingInput, { description: 'The finding.' }) input: AddAuditFindingInput): Promise<AuditFinding> {
    return ctx.services.governance.addFinding(ctx.organizationId, input);
  }

  @Authorized(...EDIT)
  @Mutation(() => Nonconformity, { description: 'Raises a nonconformity.' })
  raiseNonconformity(@Ctx() ctx: HubContext, @Arg('input', () => RaiseNonconformityInput, { description: 'The NC.' }) input: RaiseNonconformityInput): Promise<Nonconformity> {
    return ctx.services.governance.raiseNc(ctx.organizationId, input);
  }

  @Authorized(...EDIT)
  @Mutation(() => Nonconformity, { description: 'Records root cause, correction and corrective action.' })
  updateNonconformity(@Ctx() ctx: HubContext, @Arg('input', () => UpdateNonconformityInput, { description: 'The changes.' }) input: UpdateNonconformityInput): Promise<Nonconformity> {
    return ctx.services.governance.updateNc(ctx.organizationId, input);
  }

  @Authorized(...EDIT)
  @Mutation(() => Nonconformity, { description: 'Records the effectiveness check; EFFECTIVE closes the NC and makes it evidence for 10.2 of both standards.' })
  closeNonconformity(@Ctx() ctx: HubContext, @Arg('input', () => CloseNonconformityInput, { description: 'The check.' }) input: CloseNonconformityInput): Promise<Nonconformity> {
    return ctx.services.governance.closeNc(ctx.organizationId, ctx.actor, input.id, input.effectiveness, input.checkedAt ?? null);
  }

  @Authorized(...EDIT)
  @Mutation(() => RegisterRecord, { description: 'Creates or replaces a management review, risk, change request, policy, objective, monitoring metric or improvement.' })
  upsertRegisterRecord(@Ctx() ctx: HubContext, @Arg('input', () => UpsertRegisterRecordInput, { description: 'The record.' }) input: UpsertRegisterRecordInput): Promise<RegisterRecord> {
    return ctx.services.governance.upsertRecord(ctx.organizationId, ctx.actor, { ...input, data: input.data ?? {} });
  }

  @Authorized(...INGEST)
  @Mutation(() => RecordOversightPayload, { description: 'Ingests up to 5,000 measurements of objectives and monitoring metrics; idempotent; bad items named, good ones kept.' })
  async recordMeasurements(@Ctx() ctx: HubContext, @Arg('input', () => RecordMeasurementsInput, { description: 'The measurements.' }) input: RecordMeasurementsInput): Promise<RecordOversightPayload> {
    const results = await ctx.services.governance.recordMeasurements(ctx.organizationId, ctx.actor, input.items);
    const count = (o: string) => results.filter((r) => r.outcome === o).length;
    return Object.assign(new RecordOversightPayload(), {
      created: count('CREATED'), unchanged: count('UNCHANGED'), failed: count('FAILED'),
      results: results.map((r) => Object.assign(new OversightItemResult(), r)),
    });
  }
}

@Resolver(() => InternalAudit)
export class InternalAuditResolver {
  @FieldResolver(() => [AuditFinding], { description: 'Findings.' })
  findings(@Root() a: InternalAudit, @Ctx() ctx: HubContext): Promise<AuditFinding[]> {
    return ctx.loaders.findings.load(a.id);
  }
}

@Resolver(() => AuditFinding)
export class AuditFindingResolver {
  @FieldResolver(() => [Requirement], { description: 'Requirements concerned.' })
  async requirements(@Root() f: AuditFinding, @Ctx() ctx: HubContext): Promise<Requirement[]> {
    return (await ctx.loaders.requirement.loadMany(f.requirementIds)).filter((r): r is Requirement => r instanceof Requirement);
  }
}

@Resolver(() => Nonconformity)
export class NonconformityResolver {
  @FieldResolver(() => AuditFinding, { nullable: true, description: 'The finding it came from.' })
  finding(@Root() n: Nonconformity, @Ctx() ctx: HubContext): Promise<AuditFinding | null> | null {
    return n.findingId ? ctx.loaders.finding.load(n.findingId) : null;
  }

  @FieldResolver(() => AiSystem, { nullable: true, description: 'The AI system concerned.' })
  aiSystem(@Root() n: Nonconformity, @Ctx() ctx: HubContext): Promise<AiSystem | null> | null {
    return n.aiSystemId ? ctx.loaders.aiSystem.load(n.aiSystemId) : null;
  }
}

@Resolver(() => RegisterRecord)
export class RegisterRecordResolver {
  @FieldResolver(() => AiSystem, { nullable: true, description: 'The AI system, if any.' })
  aiSystem(@Root() r: RegisterRecord, @Ctx() ctx: HubContext): Promise<AiSystem | null> | null {
    return r.aiSystemId ? ctx.loaders.aiSystem.load(r.aiSystemId) : null;
  }

  @FieldResolver(() => [Measurement], { description: 'Measurements, oldest first (objectives and metrics).' })
  measurements(@Root() r: RegisterRecord, @Ctx() ctx: HubContext): Promise<Measurement[]> {
    return ctx.loaders.measurements.load(r.id);
  }
}
