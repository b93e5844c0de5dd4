import type { Services } from '../../graphql/context';
import type { Principal } from './token.service';

/**
 * The credential of an Authorization header, normalised: the scheme in any case, any whitespace
 * around it. Authentication and the rate limiter both read it from here, so a spelling of the same
 * credential never counts as another caller.
 */
export function bearerToken(header: string | undefined): string | null {
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : null;
}

/** The principal of "Authorization: Bearer <token>", or the reason there is none. */
export async function principalOf(services: Services, header: string | undefined): Promise<Principal | string> {
  const token = bearerToken(header);
  if (!token) return 'Missing bearer token: send "Authorization: Bearer <token>"';
  return (await services.tokens.authenticate(token)) ?? 'Invalid, expired or revoked token';
}
