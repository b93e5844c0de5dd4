import { registerEnumType } from 'type-graphql';

export enum Role {
  VIEWER = 'VIEWER',
  ANALYST = 'ANALYST',
  INTEGRATOR = 'INTEGRATOR',
  EDITOR = 'EDITOR',
  ADMIN = 'ADMIN',
}

registerEnumType(Role, {
  name: 'Role',
  description: 'What an API token may do.',
  valuesConfig: {
    VIEWER: { description: 'Read everything of its organization.' },
    ANALYST: { description: 'VIEWER plus reports and exports.' },
    INTEGRATOR: { description: 'Write evidence, links, oversight records and measurements; read the catalogs and what it wrote.' },
    EDITOR: { description: 'ANALYST plus registers, applicability, review, pre-fill decisions and own mappings.' },
    ADMIN: { description: 'EDITOR plus tokens and the audit trail.' },
  },
});

/** VIEWER < ANALYST < EDITOR < ADMIN; INTEGRATOR stands apart and gets only what names it. */
const IMPLIED: Record<Role, Role[]> = {
  [Role.VIEWER]: [Role.VIEWER, Role.ANALYST, Role.EDITOR, Role.ADMIN],
  [Role.ANALYST]: [Role.ANALYST, Role.EDITOR, Role.ADMIN],
  [Role.EDITOR]: [Role.EDITOR, Role.ADMIN],
  [Role.ADMIN]: [Role.ADMIN],
  [Role.INTEGRATOR]: [Role.INTEGRATOR],
};

export function allows(declared: readonly Role[], role: Role): boolean {
  return declared.some((d) => IMPLIED[d].includes(role));
}

/** The rules resolvers declare, once each, with @Authorized(...RULE). */
export const CATALOG = [Role.VIEWER, Role.INTEGRATOR];
export const READ = [Role.VIEWER];
export const READ_EVIDENCE = [Role.VIEWER, Role.INTEGRATOR];
export const REPORT = [Role.ANALYST];
export const INGEST = [Role.INTEGRATOR, Role.EDITOR];
export const EDIT = [Role.EDITOR];
export const ADMIN = [Role.ADMIN];
