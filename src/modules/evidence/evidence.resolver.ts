import { Arg, Args, Ctx, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root, Authorized } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { Connection, decodeCursor, encodeCursor, keyset } from '../../graphql/connection.type';
import type { HubContext } from '../../graphql/context';
import { listBy } from '../../graphql/context';
import { ErrorCode, HubError, badInput, notFound } from '../../graphql/errors';
import { Requirement } from '../framework/requirement.entity';
import { Evidence } from './evidence.entity';
import { EvidenceLink } from './evidence-link.entity';
import { EvidenceReview, EvidenceRevision } from './evidence-history.entity';
import { UpsertOutcome } from './evidence.enums';
import {
  BulkUpsertEvidenceInput, EvidencesArgs, LinkEvidenceInput, ReviewEvidenceInput, UnlinkEvidenceInput, UpsertEvidenceInput,
} from './evidence.input';
import {
  BulkUpsertEvidencePayload, BulkUpsertEvidenceResult, LinkEvidencePayload, ReviewEvidencePayload, UnlinkEvidencePayload,
  UpsertEvidencePayload,
} from './evidence.payload';
import type { ItemResult } from './evidence.service';
import { EDIT, INGEST, READ, READ_EVIDENCE, Role } from '../auth/role';

@ObjectType({ description: 'A page of evidence, newest first.' })
export class EvidenceConnection extends Connection(Evidence, 'Evidence') {}

/** Resolves a (framework key, ref) pair to a requirement of the latest framework version. */
export async function requireRequirement(ctx: HubContext, framework: string, ref: string): Promise<Requirement> {
  const fw = (await ctx.services.framework.requireByKeys([framework])).get(framework)!;
  return ctx.services.requirement.findByRef(fw.id, ref, fw.key);
}

function itemError(r: ItemResult) {
  return {
    code: r.code === 'CONFLICT' ? ErrorCode.CONFLICT : ErrorCode.BAD_USER_INPUT,
    message: r.problems.map((p) => p.message).join('; '),
    problems: r.problems,
    unknownRefs: r.unknownRefs,
  };
}

/** An INTEGRATOR writes only its own items; editors curate everyone's. */
const writerOf = (ctx: HubContext) => ({ actor: ctx.actor, ownOnly: ctx.principal.role === Role.INTEGRATOR });

@Resolver(() => Evidence)
export class EvidenceResolver {
  @Authorized(...READ_EVIDENCE)
  @Query(() => Evidence, { nullable: true, description: 'One piece of evidence of the organization. NOT_FOUND if unknown.' })
  async evidence(@Ctx() ctx: HubContext, @Arg('id', () => ID, { description: 'Evidence id.' }) id: string): Promise<Evidence> {
    const e = await ctx.services.evidence.require(ctx.organizationId, id);
    // An integrator reads what it wrote; anything else is as if it did not exist.
    if (ctx.principal.role === Role.INTEGRATOR && e.createdBy !== ctx.actor) throw notFound(`No evidence with id "${id.slice(0, 100)}"`, { id: id.slice(0, 100) });
    return e;
  }

  @Authorized(...READ_EVIDENCE)
  @Query(() => EvidenceConnection, { description: 'The organization\'s evidence, newest first, filtered and paged.' })
  async evidences(@Ctx() ctx: HubContext, @Args() args: EvidencesArgs): Promise<EvidenceConnection> {
    const f = args.filter ?? null;
    let requirementId: string | null = null;
    let frameworkId: string | null = null;
    if (f?.ref && !f.framework) throw badInput('filter.ref', 'filter.ref needs filter.framework');
    if (f?.framework) {
      const fw = (await ctx.services.framework.requireByKeys([f.framework])).get(f.framework)!;
      frameworkId = fw.id;
      if (f.ref) requirementId = (await ctx.services.requirement.findByRef(fw.id, f.ref, fw.key)).id;
    }
    const window = keyset(args, (c, field) => decodeCursor('ev', c, field));
    const createdBy = ctx.principal.role === Role.INTEGRATOR ? ctx.actor : null;
    const page = await ctx.services.evidence.page(ctx.organizationId, f, window, requirementId, frameworkId, createdBy);
    for (const e of page.rows) ctx.loaders.evidence.prime(e.id, e);
    return EvidenceConnection.fromPage({
      items: page.rows.map((e) => ({ node: e, cursor: encodeCursor('ev', Number(e.seq)) })),
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      count: page.count,
    });
  }

  @Authorized(...INGEST)
  @Mutation(() => UpsertEvidencePayload, { description: 'Creates or updates evidence keyed on sourceSystem + externalId; sending the same item again is UNCHANGED. On update, optional fields not sent keep their stored values (send null to clear one). An INTEGRATOR may only update evidence it created: another writer\'s key is a CONFLICT.' })
  async upsertEvidence(@Ctx() ctx: HubContext, @Arg('input', () => UpsertEvidenceInput, { description: 'The evidence.' }) input: UpsertEvidenceInput): Promise<UpsertEvidencePayload> {
    const [result] = await ctx.services.evidence.upsertMany(ctx.organizationId, writerOf(ctx), [input]);
    if (result.outcome === UpsertOutcome.FAILED) {
      const e = itemError(result);
      throw new HubError(e.code, e.message, { field: result.problems[0]?.field, problems: e.problems, unknownRefs: e.unknownRefs });
    }
    return Object.assign(new UpsertEvidencePayload(), { outcome: result.outcome, evidence: result.evidence! });
  }

  @Authorized(...INGEST)
  @Mutation(() => BulkUpsertEvidencePayload, {
    description: 'Up to 1,000 upserts. Each bad item is reported with its index and reason and nothing of it is written; the good items are committed.',
  })
  async bulkUpsertEvidence(
    @Ctx() ctx: HubContext,
    @Arg('input', () => BulkUpsertEvidenceInput, { description: 'The items.' }) input: BulkUpsertEvidenceInput,
  ): Promise<BulkUpsertEvidencePayload> {
    const results = await ctx.services.evidence.upsertMany(ctx.organizationId, writerOf(ctx), input.items);
    const count = (o: UpsertOutcome) => results.filter((r) => r.outcome === o).length;
    return Object.assign(new BulkUpsertEvidencePayload(), {
      results: results.map((r) =>
        Object.assign(new BulkUpsertEvidenceResult(), {
          index: r.index,
          outcome: r.outcome,
          evidence: r.evidence,
          error: r.outcome === UpsertOutcome.FAILED ? itemError(r) : null,
        }),
      ),
      created: count(UpsertOutcome.CREATED),
      updated: count(UpsertOutcome.UPDATED),
      unchanged: count(UpsertOutcome.UNCHANGED),
      failed: count(UpsertOutcome.FAILED),
    });
  }

  @Authorized(...INGEST)
  @Mutation(() => LinkEvidencePayload, { description: 'Links evidence to a requirement; a changed coverage or note ends the old link and makes a new one.' })
  async linkEvidence(@Ctx() ctx: HubContext, @Arg('input', () => LinkEvidenceInput, { description: 'The link.' }) input: LinkEvidenceInput): Promise<LinkEvidencePayload> {
    const req = await requireRequirement(ctx, input.framework, input.ref);
    const note = input.note?.trim() || null;
    const { link, changed } = await ctx.services.evidence.link(ctx.organizationId, writerOf(ctx), {
      evidenceId: input.evidenceId, requirementId: req.id, coverage: input.coverage, note,
    });
    return Object.assign(new LinkEvidencePayload(), { link, changed });
  }

  @Authorized(...INGEST)
  @Mutation(() => UnlinkEvidencePayload, { description: 'Ends the active link at this moment; reports as of earlier dates still see it.' })
  async unlinkEvidence(@Ctx() ctx: HubContext, @Arg('input', () => UnlinkEvidenceInput, { description: 'The link to end.' }) input: UnlinkEvidenceInput): Promise<UnlinkEvidencePayload> {
    const req = await requireRequirement(ctx, input.framework, input.ref);
    const link = await ctx.services.evidence.unlink(ctx.organizationId, writerOf(ctx), input.evidenceId, req.id, `${input.framework} ${input.ref}`);
    return Object.assign(new UnlinkEvidencePayload(), { link });
  }

  @Authorized(...EDIT)
  @Mutation(() => ReviewEvidencePayload, { description: 'Sets the review status (ACCEPTED evidence counts for coverage), with a comment; kept in the review history.' })
  async reviewEvidence(@Ctx() ctx: HubContext, @Arg('input', () => ReviewEvidenceInput, { description: 'The decision.' }) input: ReviewEvidenceInput): Promise<ReviewEvidencePayload> {
    const comment = input.comment?.trim() || null;
    const evidence = await ctx.services.evidence.review(ctx.organizationId, ctx.actor, input.evidenceId, input.status, comment);
    ctx.loaders.evidence.clear(evidence.id).prime(evidence.id, evidence);
    return Object.assign(new ReviewEvidencePayload(), { evidence });
  }

  @FieldResolver(() => [EvidenceLink], { description: 'Its links: active ones, or all including ended ones.' })
  links(
    @Root() e: Evidence,
    @Ctx() ctx: HubContext,
    @Arg('includeEnded', () => Boolean, { defaultValue: false, description: 'Include ended links.' }) includeEnded: boolean,
  ): Promise<EvidenceLink[]> {
    return (includeEnded ? ctx.loaders.allLinksOfEvidence : ctx.loaders.activeLinksOfEvidence).load(e.id);
  }

  @FieldResolver(() => [EvidenceRevision], { description: 'Earlier versions of its content, oldest first.' })
  revisions(@Root() e: Evidence, @Ctx() ctx: HubContext): Promise<EvidenceRevision[]> {
    return ctx.loaders.revisions.load(e.id);
  }

  @FieldResolver(() => [EvidenceReview], { description: 'Its status changes, oldest first.' })
  reviews(@Root() e: Evidence, @Ctx() ctx: HubContext): Promise<EvidenceReview[]> {
    return ctx.loaders.reviews.load(e.id);
  }
}

@Resolver(() => EvidenceLink)
export class EvidenceLinkResolver {
  @FieldResolver(() => Evidence, { nullable: true, description: 'The evidence; null (FORBIDDEN) for an INTEGRATOR when another writer wrote it.' })
  async evidence(@Root() l: EvidenceLink, @Ctx() ctx: HubContext): Promise<Evidence> {
    return (await ctx.loaders.evidence.load(l.evidenceId))!;
  }

  @FieldResolver(() => Requirement, { description: 'The requirement.' })
  async requirement(@Root() l: EvidenceLink, @Ctx() ctx: HubContext): Promise<Requirement> {
    return (await ctx.loaders.requirement.load(l.requirementId))!;
  }
}

@Resolver(() => Requirement)
export class RequirementEvidenceResolver {
  // All of the organization's links: not for an INTEGRATOR, which reads only what it wrote.
  @Authorized(...READ)
  @FieldResolver(() => [EvidenceLink], { nullable: true, description: 'The organization\'s evidence links to this requirement active at asOf (default now), newest first; null (FORBIDDEN) for an INTEGRATOR.' })
  evidence(
    @Root() r: Requirement,
    @Ctx() ctx: HubContext,
    @Arg('asOf', () => DateTime, { nullable: true, description: 'Date to look at; now when omitted.' }) asOf?: Date | null,
  ): Promise<EvidenceLink[]> {
    const at = asOf ?? new Date();
    const loader = ctx.loaders.keyed(`links-on:${at.toISOString()}`, () =>
      listBy<EvidenceLink>((ids) => ctx.services.evidence.linksOnRequirements(ctx.organizationId, ids, at)),
    );
    return loader.load(r.id);
  }
}

