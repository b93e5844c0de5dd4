import type { DataSource, EntityManager } from 'typeorm';
import { inTransaction } from '../../database/transaction';
import { ErrorCode, HubError, badInput, notFound } from '../../graphql/errors';
import { isUuid } from '../../graphql/ids';
import type { WebhookConfig } from '../events/event-runtime';
import { enumName, typeOfEnumName, type EventType } from '../events/event-envelope';
import type { FrameworkService } from '../framework/framework.service';
import type { AiSystemService } from '../ai-system/ai-system.service';
import { OutboundRefused, parseWebhookUrl, resolveTarget } from './outbound-address';
import { newSecret, secretHint } from './webhook-signature';
import { WebhookEndpoint, WebhookSecret } from './webhook.types';

/** Endpoints per organization: the list is read whole, and every published event is matched against it. */
export const MAX_ENDPOINTS = 50;
/** Secrets that sign at once: a rotation beyond it ends the oldest at once (each is one more signature per delivery). */
export const MAX_ACTIVE_SECRETS = 5;
export const MAX_OVERLAP_HOURS = 168;
const MAX_DESCRIPTION = 1000;

export interface EndpointRow {
  id: string;
  organization_id: string;
  url: string;
  description: string | null;
  event_types: string[];
  framework_id: string | null;
  ai_system_id: string | null;
  enabled: boolean;
  disabled_at: Date | null;
  disabled_reason: string | null;
  consecutive_failures: number;
  failing_since: Date | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export function toEndpoint(r: EndpointRow): WebhookEndpoint {
  return Object.assign(new WebhookEndpoint(), {
    id: r.id, url: r.url, description: r.description, eventTypes: r.event_types.map((t) => enumName(t as EventType)), frameworkId: r.framework_id, aiSystemId: r.ai_system_id,
    enabled: r.enabled, disabledAt: r.disabled_at, disabledReason: r.disabled_reason, consecutiveFailures: r.consecutive_failures,
    failingSince: r.failing_since, createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
  });
}

interface EndpointFields {
  url?: string | null;
  description?: string | null;
  /** As the GraphQL enum names them (COVERAGE_CHANGED). */
  eventTypes?: string[] | null;
  framework?: string | null;
  aiSystemId?: string | null;
}

/** The only code that queries webhook_endpoint and webhook_secret outside the delivery worker's reads. */
export class WebhookEndpointService {
  constructor(
    private readonly ds: DataSource,
    private readonly config: WebhookConfig,
    private readonly frameworks: FrameworkService,
    private readonly systems: AiSystemService,
  ) {}

  async list(org: string): Promise<WebhookEndpoint[]> {
    const rows: EndpointRow[] = await this.ds.query(`SELECT * FROM webhook_endpoint WHERE organization_id = $1 ORDER BY id LIMIT ${MAX_ENDPOINTS}`, [org]);
    return rows.map(toEndpoint);
  }

  async find(org: string, id: string, em: EntityManager = this.ds.manager): Promise<WebhookEndpoint | null> {
    const rows: EndpointRow[] = isUuid(id) ? await em.query(`SELECT * FROM webhook_endpoint WHERE id = $1 AND organization_id = $2`, [id, org]) : [];
    return rows.length ? toEndpoint(rows[0]) : null;
  }

  async require(org: string, id: string, field = 'id', em: EntityManager = this.ds.manager): Promise<WebhookEndpoint> {
    const found = await this.find(org, id, em);
    if (!found) throw notFound(`No webhook endpoint with id "${id.slice(0, 100)}"`, { id: id.slice(0, 100), field });
    return found;
  }

  /** Secrets as metadata, newest first, by endpoint. */
  async secretsOf(org: string, endpointIds: readonly string[]): Promise<Map<string, WebhookSecret[]>> {
    const rows: { id: string; endpoint_id: string; secret: string; created_at: Date; expires_at: Date | null }[] = endpointIds.length
      ? await this.ds.query(`SELECT id, endpoint_id, secret, created_at, expires_at FROM webhook_secret
          WHERE organization_id = $1 AND endpoint_id = ANY($2::uuid[]) ORDER BY created_at DESC, id DESC`, [org, endpointIds.filter(isUuid)])
      : [];
    const out = new Map<string, WebhookSecret[]>();
    for (const r of rows) {
      const list = out.get(r.endpoint_id) ?? [];
      list.push(Object.assign(new WebhookSecret(), { id: r.id, prefix: secretHint(r.secret), createdAt: r.created_at, expiresAt: r.expires_at }));
      out.set(r.endpoint_id, list);
    }
    return out;
  }

  async create(org: string, actor: string, input: EndpointFields & { url: string }): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const fields = await this.checked(org, input);
    return inTransaction(this.ds, async (em) => {
      // Counted under a lock per organization, so two concurrent creations cannot both pass.
      await em.query(`SELECT pg_advisory_xact_lock(hashtextextended('webhook_endpoint:' || $1, 0))`, [org]);
      const [{ n }] = await em.query(`SELECT count(*)::int AS n FROM webhook_endpoint WHERE organization_id = $1`, [org]);
      if (n >= MAX_ENDPOINTS) throw new HubError(ErrorCode.CONFLICT, `An organization has at most ${MAX_ENDPOINTS} webhook endpoints; delete one first`, { field: 'url' });
      const [row]: EndpointRow[] = await em.query(
        `INSERT INTO webhook_endpoint (organization_id, url, description, event_types, framework_id, ai_system_id, created_by)
         VALUES ($1, $2, $3, $4::text[], $5, $6, $7) RETURNING *`,
        [org, fields.url, fields.description ?? null, fields.eventTypes ?? [], fields.frameworkId ?? null, fields.aiSystemId ?? null, actor],
      );
      const secret = await this.addSecret(em, org, row.id);
      return { endpoint: toEndpoint(row), secret };
    });
  }

  async update(org: string, input: EndpointFields & { id: string }): Promise<WebhookEndpoint> {
    await this.require(org, input.id);
    if (input.url === null) throw badInput('url', 'url cannot be cleared; delete the endpoint instead');
    const f = await this.checked(org, input);
    const sets: string[] = [];
    const params: unknown[] = [input.id, org];
    const set = (column: string, value: unknown, cast = '') => {
      params.push(value);
      sets.push(`${column} = $${params.length}${cast}`);
    };
    if (f.url !== undefined) set('url', f.url);
    if (f.description !== undefined) set('description', f.description);
    if (f.eventTypes !== undefined) set('event_types', f.eventTypes ?? [], '::text[]');
    if (f.frameworkId !== undefined) set('framework_id', f.frameworkId);
    if (f.aiSystemId !== undefined) set('ai_system_id', f.aiSystemId);
    const [[row]]: [EndpointRow[]] = await this.ds.query(
      `UPDATE webhook_endpoint SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 AND organization_id = $2 RETURNING *`, params);
    return toEndpoint(row);
  }

  /** Its secrets and delivery log go with it; a retry still queued for it finds no delivery and ends. */
  async remove(org: string, id: string): Promise<string> {
    await this.require(org, id);
    await this.ds.query(`DELETE FROM webhook_endpoint WHERE id = $1 AND organization_id = $2`, [id, org]);
    return id;
  }

  /** On again, its run of failures forgotten; what was cancelled while it was off can be replayed. */
  async enable(org: string, id: string): Promise<WebhookEndpoint> {
    await this.require(org, id);
    const [[row]]: [EndpointRow[]] = await this.ds.query(
      `UPDATE webhook_endpoint SET enabled = true, disabled_at = NULL, disabled_reason = NULL, consecutive_failures = 0, failing_since = NULL, updated_at = now()
       WHERE id = $1 AND organization_id = $2 RETURNING *`, [id, org]);
    return toEndpoint(row);
  }

  /** A new secret; the ones in use keep signing for overlapHours (at most MAX_ACTIVE_SECRETS sign at once). */
  async rotate(org: string, endpointId: string, overlapHours: number): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    if (!Number.isInteger(overlapHours) || overlapHours < 0 || overlapHours > MAX_OVERLAP_HOURS) {
      throw badInput('overlapHours', `overlapHours must be an integer from 0 to ${MAX_OVERLAP_HOURS}, got ${overlapHours}`);
    }
    const endpoint = await this.require(org, endpointId, 'endpointId');
    return inTransaction(this.ds, async (em) => {
      await em.query(`DELETE FROM webhook_secret WHERE endpoint_id = $1 AND expires_at <= now()`, [endpointId]);
      await em.query(
        `UPDATE webhook_secret SET expires_at = LEAST(coalesce(expires_at, 'infinity'), now() + make_interval(hours => $2)) WHERE endpoint_id = $1`,
        [endpointId, overlapHours],
      );
      const secret = await this.addSecret(em, org, endpointId);
      await em.query(
        `UPDATE webhook_secret SET expires_at = now() WHERE id IN (
           SELECT id FROM webhook_secret WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > now()) ORDER BY created_at DESC, id DESC OFFSET $2)`,
        [endpointId, MAX_ACTIVE_SECRETS],
      );
      return { endpoint, secret };
    });
  }

  /** The secrets that sign now, newest first. */
  async activeSecrets(em: EntityManager, endpointId: string): Promise<string[]> {
    const rows: { secret: string }[] = await em.query(
      `SELECT secret FROM webhook_secret WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > now()) ORDER BY created_at DESC, id DESC`, [endpointId]);
    return rows.map((r) => r.secret);
  }

  private async addSecret(em: EntityManager, org: string, endpointId: string): Promise<string> {
    const secret = newSecret();
    await em.query(`INSERT INTO webhook_secret (organization_id, endpoint_id, secret) VALUES ($1, $2, $3)`, [org, endpointId, secret]);
    return secret;
  }

  /** Input checked and resolved to stored values; undefined where the input left a field out. */
  private async checked(org: string, input: EndpointFields) {
    const out: { url?: string; description?: string | null; eventTypes?: EventType[] | null; frameworkId?: string | null; aiSystemId?: string | null } = {};
    if (input.url != null) out.url = await this.checkedUrl(input.url);
    if (input.description !== undefined) {
      const d = input.description?.trim() || null;
      if (d && d.length > MAX_DESCRIPTION) throw badInput('description', `description is longer than ${MAX_DESCRIPTION} characters`);
      out.description = d;
    }
    if (input.eventTypes !== undefined) {
      const types = (input.eventTypes ?? []).map((name) => typeOfEnumName(name));
      if (types.some((t) => t === null)) throw badInput('eventTypes', 'eventTypes names an unknown event type');
      out.eventTypes = [...new Set(types as EventType[])].sort();
    }
    if (input.framework !== undefined) {
      out.frameworkId = input.framework === null ? null : (await this.frameworks.requireByKeys([input.framework])).get(input.framework)!.id;
    }
    if (input.aiSystemId !== undefined) out.aiSystemId = input.aiSystemId === null ? null : (await this.systems.require(org, input.aiSystemId)).id;
    return out;
  }

  /** http(s), no credentials, and (unless private networks are allowed) a host that resolves to public addresses only. */
  private async checkedUrl(raw: string): Promise<string> {
    try {
      const url = parseWebhookUrl(raw);
      if (!this.config.allowPrivateNetworks) await resolveTarget(url, false);
      return url.href;
    } catch (err) {
      if (err instanceof OutboundRefused) throw badInput('url', err.message, { reason: err.reason });
      throw err;
    }
  }
}
