import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { hydrate } from '../../database/hydrate';
import { prepared } from '../../database/prepared';
import { Keyset, keysetPage, keysetSql } from '../../graphql/connection.type';
import { isUuid } from '../../graphql/ids';
import { AuditEvent } from './audit-event.entity';

/** Tables whose rows a mutation can touch, snapshotted by id for the trail (token hashes left out). */
const SNAPSHOT_TABLES = [
  'evidence', 'evidence_link', 'applicability_decision', 'prefill_rejection', 'ai_system', 'gate_task', 'impact_assessment',
  'oversight_point', 'internal_audit', 'audit_finding', 'nonconformity', 'register_record', 'mapping_source', 'api_token', 'amendment_publication',
  // Never webhook_secret: its rows are the signing secrets.
  'webhook_endpoint',
];

export interface AuditEntry {
  tokenId: string | null;
  tokenPrefix: string | null;
  actor: string;
  operation: string;
  touchedIds: string[];
  variables: unknown;
  /** The field's own arguments, variables substituted (inline literals too). */
  arguments: unknown;
  outcome: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/** Keys whose values never enter the trail, wherever they appear. */
const SECRET_KEYS = /token|secret|password|authorization/i;

/**
 * What the trail stores of a value: secrets redacted wherever they appear; dates as ISO strings; strings
 * jsonb can hold (NUL and unpaired UTF-16 surrogates, which hostile input can carry, become U+FFFD, so
 * the event is kept rather than lost); and strings over MAX_AUDIT_STRING (imported documents can be
 * megabytes) as their length and hash. One walk, so the event is then serialized without a replacer.
 */
export function redact(value: unknown): unknown {
  // Arguments arrive coerced: a DateTime is a Date, which has no own fields to copy.
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') {
    if (value.length > MAX_AUDIT_STRING) return `[${value.length} characters, sha256 ${crypto.createHash('sha256').update(value).digest('hex')}]`;
    return UNSTORABLE_CHAR.test(value) ? value.replace(UNSTORABLE, '\ufffd') : value;
  }
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k in value as Record<string, unknown>) {
      if (Object.prototype.hasOwnProperty.call(value, k)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact((value as Record<string, unknown>)[k]);
    }
    return out;
  }
  return value;
}
const MAX_AUDIT_STRING = 10_000;
/** A quick test, then the exact pattern: most strings have neither. */
const UNSTORABLE_CHAR = /[\u0000\ud800-\udfff]/;
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every id-shaped value in a result or input: what a mutation touched. Iterative, and safe on shared or cyclic objects. */
export function collectIds(value: unknown, out = new Set<string>()): Set<string> {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      // (The length first: a bulk's titles and refs are many strings, few of them ids.)
      if (v.length === 36 && UUID.test(v)) out.add(v.toLowerCase());
    } else if (v && typeof v === 'object' && !(v instanceof Date) && !seen.has(v)) {
      seen.add(v);
      stack.push(...(Array.isArray(v) ? v : Object.values(v)));
    }
  }
  return out;
}

/** Prepared (database/prepared.ts): every audited write snapshots its rows with it. */
const SNAPSHOT_SQL = prepared(
  SNAPSHOT_TABLES.map((t) => `SELECT x.id::text AS id, '${t}' AS t, to_jsonb(x) - 'token_hash' AS row FROM ${t} x WHERE x.id = ANY($1::uuid[]) AND x.organization_id = $2`).join(' UNION ALL '),
);

/** The only code that touches audit_event, which the database keeps append-only. */
export class AuditService {
  constructor(private readonly ds: DataSource) {}

  /**
   * The organization's rows with these ids, as JSON by id: filtered by organization here and by
   * row-level security below, so another organization's id snapshots as nothing. One statement.
   */
  async snapshot(org: string, ids: readonly string[]): Promise<Record<string, unknown>> {
    if (!ids.length) return {};
    const rows: { id: string; t: string; row: Record<string, unknown> }[] = await this.ds.query(
      SNAPSHOT_SQL,
      [[...ids], org],
    );
    return Object.fromEntries(rows.map((r) => [r.id, { table: r.t, ...r.row }]));
  }

  /**
   * Through hub_audit_append, which stamps the session's organization and request id (the application
   * role cannot insert into audit_event itself). Called inside the mutation's own transaction.
   */
  async append(entries: AuditEntry[]): Promise<void> {
    if (!entries.length) return;
    await this.ds.query(
      `SELECT hub_audit_append($1::jsonb)`,
      [JSON.stringify(entries.map((e) => ({
        token_id: e.tokenId, token_prefix: e.tokenPrefix, actor: e.actor, operation: e.operation,
        touched_ids: e.touchedIds, variables: redact(e.variables), arguments: redact(e.arguments), outcome: e.outcome,
        before: e.before ? redact(e.before) : null, after: e.after ? redact(e.after) : null,
      })))],
    );
  }

  /** Newest first, keyset on the event number. */
  async page(org: string, filter: { operation?: string | null; tokenId?: string | null; touchedId?: string | null }, window: Keyset<number>) {
    const params: unknown[] = [org];
    const where = ['organization_id = $1'];
    const add = (sql: string, v: unknown) => { params.push(v); where.push(sql.replace('?', `$${params.length}`)); };
    if (filter.operation) add('operation = ?', filter.operation);
    // An id that is not a UUID names no token: an empty page, not an error.
    if (filter.tokenId) add(isUuid(filter.tokenId) ? 'token_id = ?::uuid' : 'FALSE AND ?::text IS NULL', filter.tokenId);
    if (filter.touchedId) add('? = ANY(touched_ids)', filter.touchedId.toLowerCase());
    const countWhere = where.join(' AND ');
    const countParams = [...params];
    const ks = keysetSql(window, ['id'], 'DESC', (id) => { params.push(id); return [`$${params.length}`]; });
    where.push(...ks.where);
    params.push(ks.limit);
    const rows: Record<string, unknown>[] = await this.ds.query(`SELECT * FROM audit_event WHERE ${where.join(' AND ')} ORDER BY ${ks.orderBy} LIMIT $${params.length}`, params);
    return {
      ...keysetPage(rows.map((r) => hydrate(this.ds, AuditEvent, r)), window),
      count: async () => (await this.ds.query(`SELECT count(*)::int AS n FROM audit_event WHERE ${countWhere}`, countParams))[0].n as number,
    };
  }
}
