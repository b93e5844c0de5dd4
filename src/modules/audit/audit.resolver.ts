import { Arg, Args, Authorized, Ctx, Field, ID, InputType, ObjectType, Query, Resolver } from 'type-graphql';
import { Connection, PageArgs, decodeCursor, encodeCursor, keyset } from '../../graphql/connection.type';
import type { HubContext } from '../../graphql/context';
import { ADMIN } from '../auth/role';
import { AuditEvent } from './audit-event.entity';

@ObjectType({ description: 'A page of the audit trail, newest first.' })
export class AuditEventConnection extends Connection(AuditEvent, 'AuditEvent') {}

@InputType({ description: 'Narrows the audit trail.' })
export class AuditTrailFilter {
  @Field(() => String, { nullable: true, description: 'Only this mutation.' }) operation?: string | null;
  @Field(() => ID, { nullable: true, description: 'Only this token.' }) tokenId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Only calls that touched this id.' }) touchedId?: string | null;
}

@Resolver()
export class AuditResolver {
  @Authorized(...ADMIN)
  @Query(() => AuditEventConnection, { description: 'Every mutation of the organization, newest first (append-only).' })
  async auditTrail(
    @Ctx() ctx: HubContext,
    @Args() args: PageArgs,
    @Arg('filter', () => AuditTrailFilter, { nullable: true, description: 'Conditions.' }) filter?: AuditTrailFilter | null,
  ): Promise<AuditEventConnection> {
    const window = keyset(args, (c, field) => decodeCursor('audit', c, field));
    const page = await ctx.services.audit.page(ctx.organizationId, filter ?? {}, window);
    return AuditEventConnection.fromPage({
      items: page.rows.map((e) => ({ node: e, cursor: encodeCursor('audit', Number(e.id)) })),
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      count: page.count,
    });
  }
}
