import type { Services } from '../../graphql/context';
import type { Principal } from './token.service';

/** The principal of "Authorization: Bearer <token>", or the reason there is none. */
export async function principalOf(services: Services, header: string | undefined): Promise<Principal | string> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return 'Missing bearer token: send "Authorization: Bearer <token>"';
  return (await services.tokens.authenticate(m[1])) ?? 'Invalid, expired or revoked token';
}

