import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { hydrate } from '../../database/hydrate';
import { badInput, notFound } from '../../graphql/errors';
import { isUuid } from '../../graphql/ids';
import { textLimit } from '../../graphql/input-bounds';
import { OrganizationService } from '../organization/organization.service';
import { ApiToken } from './api-token.entity';
import { Role } from './role';

export interface Principal {
  tokenId: string;
  prefix: string;
  name: string;
  role: Role;
  organizationId: string;
}

const TOKEN_PREFIX = 'cmh_';
/** How a token is stored and looked up: its SHA-256, never the token. */
export const tokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
const hash = tokenHash;

/** The only code that queries api_token. Tokens: "cmh_" + 32 random bytes (base64url); stored as SHA-256. */
export class TokenService {
  constructor(
    private readonly ds: DataSource,
    private readonly organizations: OrganizationService,
  ) {}

  async create(organizationId: string, input: { name: string; role: Role; expiresAt?: Date | null }, createdBy: string): Promise<{ token: string; record: ApiToken }> {
    const name = input.name?.trim();
    const max = textLimit('name', 'CreateApiTokenInput');
    if (!name || name.length > max) throw badInput('name', `name must be 1-${max} characters`);
    if (!Object.values(Role).includes(input.role)) throw badInput('role', `unknown role "${input.role}"`);
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw badInput('expiresAt', 'expiresAt must be in the future');
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const [row] = await this.ds.query(
      `INSERT INTO api_token (organization_id, name, role, prefix, token_hash, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [organizationId, name, input.role, token.slice(0, TOKEN_PREFIX.length + 8), hash(token), createdBy, input.expiresAt?.toISOString() ?? null],
    );
    return { token, record: hydrate(this.ds, ApiToken, row) };
  }

  /** For the CLI and first start: the organization is created when missing. */
  async createForSlug(slug: string, role: Role, name: string): Promise<{ token: string; record: ApiToken }> {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) throw badInput('org', 'the organization slug is 1-63 lower-case letters, digits or dashes');
    const org = await this.organizations.ensure(slug, slug);
    return this.create(org.id, { name, role }, 'cli');
  }

  /** The principal behind a bearer token, or null when it is unknown, expired or revoked. */
  async authenticate(token: string): Promise<Principal | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    // One statement, through the narrow SECURITY DEFINER function (api_token is under row-level security
    // and no organization is known yet): find the token and, at most once a minute, touch lastUsedAt.
    const rows: Record<string, unknown>[] = await this.ds.query(`SELECT * FROM hub_authenticate_token($1)`, [hash(token)]);
    const row = rows[0];
    if (!row) return null;
    const t = hydrate(this.ds, ApiToken, row);
    return { tokenId: t.id, prefix: t.prefix, name: t.name, role: t.role, organizationId: t.organizationId };
  }

  async list(organizationId: string): Promise<ApiToken[]> {
    return this.ds.getRepository(ApiToken).find({ where: { organizationId }, order: { createdAt: 'ASC' } });
  }

  async revoke(organizationId: string, id: string): Promise<ApiToken> {
    const [rows] = isUuid(id)
      ? await this.ds.query(`UPDATE api_token SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND organization_id = $2 RETURNING *`, [id, organizationId])
      : [[]];
    if (!rows.length) throw notFound(`No API token with id "${id.slice(0, 100)}"`, { id: id.slice(0, 100) });
    return hydrate(this.ds, ApiToken, rows[0]);
  }

  async count(): Promise<number> {
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM api_token`);
    return n;
  }
}
