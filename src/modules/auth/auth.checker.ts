import type { AuthCheckerFn } from 'type-graphql';
import type { HubContext } from '../../graphql/context';
import { ErrorCode, HubError } from '../../graphql/errors';
import { Role, allows } from './role';

/** @Authorized rules: the token's role must be one the field names, or above it in VIEWER < ANALYST < EDITOR < ADMIN. */
export const authChecker: AuthCheckerFn<HubContext, Role> = ({ context, info }, roles) => {
  if (allows(roles, context.principal.role)) return true;
  throw new HubError(ErrorCode.FORBIDDEN, `Role ${context.principal.role} may not use ${info.parentType.name}.${info.fieldName} (needs ${roles.join(' or ')})`);
};
