import { Arg, Authorized, Ctx, Field, ID, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import type { HubContext } from '../../graphql/context';
import { ApiToken } from './api-token.entity';
import { ADMIN, Role } from './role';

@InputType({ description: 'A new API token for the caller\'s organization.' })
export class CreateApiTokenInput {
  @Field({ description: 'Name, e.g. the integration that will use it (1-100 characters).' }) name: string;
  @Field(() => Role, { description: 'Role.' }) role: Role;
  @Field(() => DateTime, { nullable: true, description: 'When it stops working; never when omitted.' }) expiresAt?: Date | null;
}

@ObjectType({ description: 'A new token: the secret is in this answer only.' })
export class CreateApiTokenPayload {
  @Field({ description: 'The secret, to send as "Authorization: Bearer <token>". Not retrievable later.' }) token: string;
  @Field(() => ApiToken, { description: 'The token record.' }) apiToken: ApiToken;
}

@Resolver(() => ApiToken)
export class TokenResolver {
  @Authorized(...ADMIN)
  @Query(() => [ApiToken], { description: 'The organization\'s API tokens (never their secrets).' })
  apiTokens(@Ctx() ctx: HubContext): Promise<ApiToken[]> {
    return ctx.services.tokens.list(ctx.organizationId);
  }

  @Authorized(...ADMIN)
  @Mutation(() => CreateApiTokenPayload, { description: 'Creates an API token; its secret is shown once.' })
  async createApiToken(@Ctx() ctx: HubContext, @Arg('input', () => CreateApiTokenInput, { description: 'The token.' }) input: CreateApiTokenInput): Promise<CreateApiTokenPayload> {
    const { token, record } = await ctx.services.tokens.create(ctx.organizationId, input, ctx.actor);
    return Object.assign(new CreateApiTokenPayload(), { token, apiToken: record });
  }

  @Authorized(...ADMIN)
  @Mutation(() => ApiToken, { description: 'Revokes a token at once.' })
  revokeApiToken(@Ctx() ctx: HubContext, @Arg('id', () => ID, { description: 'The token.' }) id: string): Promise<ApiToken> {
    return ctx.services.tokens.revoke(ctx.organizationId, id);
  }
}
