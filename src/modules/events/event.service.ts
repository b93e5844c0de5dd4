import type { DataSource } from 'typeorm';
import { Keyset, keysetPage, keysetSql } from '../../graphql/connection.type';
import { ErrorCode, HubError } from '../../graphql/errors';
import { isUuid } from '../../graphql/ids';
import type { HubEventRow } from './event-runtime';
import { HubEvent } from './event.type';

export const eventNotFound = (id: string, field: string) =>
  new HubError(ErrorCode.EVENT_NOT_FOUND,
    `${field}: no event "${id.slice(0, 100)}" in this organization's retained events (unknown, or pruned after the retention period); events after it cannot be replayed: start without ${field} and read the current state`,
    { field, id: id.slice(0, 100) });

/**
 * Reads of the outbox (hub_event) for the API: published events only (position given), each statement
 * scoped to the organization (and by row-level security). Publishing and pruning are the runtime's
 * (event-runtime.ts); the process-wide feed reads every organization's through hub_events_after.
 */
export class EventService {
  constructor(private readonly ds: DataSource) {}

  /** Positions of published events by id; EVENT_NOT_FOUND (naming `field`) for any the organization does not have. */
  async positionsOf(org: string, ids: readonly string[], field: string): Promise<Map<string, number>> {
    const bad = ids.find((id) => !isUuid(id));
    if (bad !== undefined) throw eventNotFound(bad, field);
    const rows: { id: string; position: string }[] = ids.length
      ? await this.ds.query(`SELECT id, position FROM hub_event WHERE organization_id = $1 AND id = ANY($2::uuid[]) AND position IS NOT NULL`, [org, [...new Set(ids)]])
      : [];
    const found = new Map(rows.map((r) => [r.id, Number(r.position)]));
    const missing = ids.find((id) => !found.has(id.toLowerCase()) && !found.has(id));
    if (missing !== undefined) throw eventNotFound(missing, field);
    return new Map(ids.map((id) => [id, found.get(id) ?? found.get(id.toLowerCase())!]));
  }

  async findByIds(org: string, ids: readonly string[]): Promise<Map<string, HubEvent>> {
    const valid = ids.filter(isUuid);
    if (!valid.length) return new Map();
    const rows: HubEventRow[] = await this.ds.query(
      `SELECT * FROM hub_event WHERE organization_id = $1 AND id = ANY($2::uuid[]) AND position IS NOT NULL`, [org, valid]);
    return new Map(rows.map((r) => [r.id, HubEvent.of(r)]));
  }

  /** One page of the organization's published events of these types, by position; the cursors are event ids. */
  async page(org: string, types: readonly string[], cursors: Keyset<string>) {
    const at = async (id: string | null, field: string) => (id === null ? null : (await this.positionsOf(org, [id], field)).get(id)!);
    const window: Keyset<number> = { ...cursors, after: await at(cursors.after, 'after'), before: await at(cursors.before, 'before') };
    const params: unknown[] = [org, types];
    const where = ['organization_id = $1', 'position IS NOT NULL', 'type = ANY($2::text[])'];
    const countWhere = where.join(' AND ');
    const ks = keysetSql(window, ['position'], 'ASC', (p) => { params.push(p); return [`$${params.length}`]; });
    where.push(...ks.where);
    params.push(ks.limit);
    const rows: HubEventRow[] = await this.ds.query(`SELECT * FROM hub_event WHERE ${where.join(' AND ')} ORDER BY ${ks.orderBy} LIMIT $${params.length}`, params);
    return {
      ...keysetPage(rows.map((r) => HubEvent.of(r)), window),
      count: async () => (await this.ds.query(`SELECT count(*)::int AS n FROM hub_event WHERE ${countWhere}`, [org, types]))[0].n as number,
    };
  }

  /** The organization's published events of these types after a position, oldest first (a subscription's replay). */
  async after(org: string, position: number, types: readonly string[], limit: number): Promise<HubEventRow[]> {
    return this.ds.query(
      `SELECT * FROM hub_event WHERE organization_id = $1 AND position > $2 AND type = ANY($3::text[]) ORDER BY position LIMIT $4`,
      [org, position, types, limit],
    );
  }

  /** Published events of every organization after a position (hub_events_after, SECURITY DEFINER), for the process-wide feed. */
  async published(after: number, limit: number): Promise<HubEventRow[]> {
    return this.ds.query(`SELECT * FROM hub_events_after($1, $2)`, [after, limit]);
  }

  /** The last position given so far (positions never restart, whatever was pruned). */
  async head(): Promise<number> {
    const [row] = await this.ds.query(`SELECT last_position FROM hub_event_stream WHERE id = 1`);
    return Number(row?.last_position ?? 0);
  }
}
