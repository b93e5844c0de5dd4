import { Arg, Authorized, Ctx, Field, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { HubContext } from '../../graphql/context';
import { badInput, notFound } from '../../graphql/errors';
import { ADMIN, allows, CATALOG, EDIT, INGEST, REPORT, Role } from './role';

@ObjectType({ description: 'What the token can do, as the read and write rules decide it (docs/roles.md).' })
export class ViewerPermissions {
  @Field({ description: 'Coverage, pre-fill, gap and obligation reports, and exports (ANALYST and up).' }) reports: boolean;
  @Field({ description: 'Pushing evidence and oversight records (INTEGRATOR, EDITOR, ADMIN).' }) ingest: boolean;
  @Field({ description: 'Decisions: applicability, pre-fill confirmations and rejections, registers, mapping sets (EDITOR and up).' }) edit: boolean;
  @Field({ description: 'Tokens and the audit trail (ADMIN).' }) admin: boolean;
}

@ObjectType({ description: 'Who is asking: the token behind this request and its organization. A client reads it once to greet the person and to offer only what the role allows.' })
export class Viewer {
  @Field({ description: 'The organization\'s short name.' }) organizationSlug: string;
  @Field({ description: 'The organization\'s display name.' }) organizationName: string;
  @Field(() => Role, { description: 'The token\'s role.' }) role: Role;
  @Field({ description: 'The token\'s name (recorded as the actor of its writes).' }) tokenName: string;
  @Field({ description: 'The token\'s public prefix (never the secret).' }) tokenPrefix: string;
  @Field(() => ViewerPermissions, { description: 'What the role allows.' }) permissions: ViewerPermissions;
  @Field(() => Int, { description: 'How many days before accepted evidence expires the organization is told (evidence.expiring); 30 unless an ADMIN set it.' }) expiryWindowDays: number;
}

@Resolver(() => Viewer)
export class ViewerResolver {
  @Authorized(...CATALOG)
  @Query(() => Viewer, { description: 'The caller: its organization, role and what the role allows. Any valid token may ask.' })
  async viewer(@Ctx() ctx: HubContext): Promise<Viewer> {
    const org = await ctx.services.organization.findById(ctx.organizationId);
    if (!org) throw notFound(`organization of this token`);
    const role = ctx.principal.role;
    return Object.assign(new Viewer(), {
      organizationSlug: org.slug,
      organizationName: org.name,
      expiryWindowDays: org.expiryWindowDays,
      role,
      tokenName: ctx.principal.name,
      tokenPrefix: ctx.principal.prefix,
      permissions: Object.assign(new ViewerPermissions(), {
        reports: allows(REPORT, role), ingest: allows(INGEST, role), edit: allows(EDIT, role), admin: allows(ADMIN, role),
      }),
    });
  }

  @Authorized(...ADMIN)
  @Mutation(() => Viewer, { description: 'Sets how many days (0 to 366) before accepted evidence expires the organization is told, by an evidence.expiring event; from the next scheduler period on.' })
  async setEvidenceExpiryWindow(@Ctx() ctx: HubContext, @Arg('days', () => Int, { description: 'Days, 0 to 366 (0: only evidence.expired).' }) days: number): Promise<Viewer> {
    if (!Number.isInteger(days) || days < 0 || days > 366) throw badInput('days', 'days must be between 0 and 366');
    await ctx.services.organization.setExpiryWindow(ctx.organizationId, days);
    return this.viewer(ctx);
  }
}
