import { DataSource, In, Repository } from 'typeorm';
import { hydrate, selectColumns } from '../../database/hydrate';
import { prepared } from '../../database/prepared';
import { badInput, notFound } from '../../graphql/errors';
import { Keyset, keysetPage, keysetSql } from '../../graphql/connection.type';
import { Requirement } from './requirement.entity';
import type { RequirementFilter } from './requirement.args';

export interface RequirementPageQuery {
  /** Keyset on position (document order). */
  window: Keyset<number>;
  filter: RequirementFilter | null;
  /** Only LIGHT_COLUMNS (the selection needs no more: graphql/lookahead.ts). */
  light?: boolean;
}

/**
 * The columns of a requirement a light selection reads (graphql/lookahead.ts, LIGHT_FIELDS): what
 * identifies and places it. Not its text, summary, attributes, EU AI Act facts or ancestor ids, which
 * are most of what a row costs to send and decode. An entity read with these alone is partial: it never
 * goes into the requirement loader, only into requirementLight.
 */
export const LIGHT_COLUMNS = ['id', 'organization_id', 'framework_id', 'parent_id', 'position', 'ref', 'kind', 'title', 'depth', 'assessable'] as const;

export type RequirementPage = { rows: Requirement[]; hasNextPage: boolean; hasPreviousPage: boolean };

export interface RequirementSearchResult {
  requirement: Requirement;
  score: number;
}

/** `%`, `_` and `\` are literal in user text used as a LIKE prefix. */
function likePrefix(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

/** The only code that queries the requirement table. Batch-shaped: ids in, Map out. */
export class RequirementService {
  private readonly repo: Repository<Requirement>;
  private readonly cols: string;
  private readonly lightCols: string;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(Requirement);
    this.cols = selectColumns(ds, Requirement, 'r');
    const known = new Set(ds.getMetadata(Requirement).columns.map((c) => c.databaseName));
    const unknown = LIGHT_COLUMNS.filter((c) => !known.has(c));
    if (unknown.length) throw new Error(`LIGHT_COLUMNS names columns the requirement entity has not: ${unknown.join(', ')}`);
    this.lightCols = LIGHT_COLUMNS.map((c) => `r.${c}`).join(', ');
  }

  /** By id: shared requirements and the requesting organization's own (as row-level security also says). */
  async findByIds(ids: readonly string[], light = false): Promise<Map<string, Requirement>> {
    if (!ids.length) return new Map();
    // Hand-written and hydrated column by column (database/hydrate.ts): the loader behind every counterpart,
    // parent and ancestor, where TypeORM's query builder and result transformer cost more than the query.
    const rows: Record<string, unknown>[] = await this.ds.query(
      prepared(`SELECT ${light ? this.lightCols : this.cols} FROM requirement r
       WHERE r.id = ANY($1::uuid[]) AND (r.organization_id IS NULL OR r.organization_id = nullif(current_setting('app.organization_id', true), '')::uuid)`),
      [[...ids]],
    );
    return new Map(rows.map((row) => {
      const r = hydrate(this.ds, Requirement, row);
      return [r.id, r];
    }));
  }

  async childrenOf(parentIds: readonly string[]): Promise<Map<string, Requirement[]>> {
    const rows = parentIds.length
      ? await this.repo.find({ where: { parentId: In([...parentIds]) }, order: { position: 'ASC' } })
      : [];
    return groupBy(rows, (r) => r.parentId!);
  }

  async rootsOf(frameworkIds: readonly string[]): Promise<Map<string, Requirement[]>> {
    const rows = frameworkIds.length
      ? await this.repo
          .createQueryBuilder('r')
          .where('r.framework_id IN (:...ids)', { ids: [...frameworkIds] })
          .andWhere('r.parent_id IS NULL')
          .orderBy('r.position')
          .getMany()
      : [];
    return groupBy(rows, (r) => r.frameworkId);
  }

  async findByRef(frameworkId: string, ref: string, frameworkKey: string): Promise<Requirement> {
    // Hand-written as findByIds: the small read's first statement, where TypeORM's query builder cost more than the query.
    const [row]: Record<string, unknown>[] = await this.ds.query(prepared(`SELECT ${this.cols} FROM requirement r WHERE r.framework_id = $1 AND r.ref = $2 LIMIT 1`), [frameworkId, ref]);
    if (!row) throw notFound(`Unknown ref "${ref}" in framework "${frameworkKey}"`, { framework: frameworkKey, ref });
    return hydrate(this.ds, Requirement, row);
  }

  /**
   * Resolves (framework key, ref) pairs against the latest version of each framework, in one
   * statement. The map value is the requirement id, or null when the framework or ref is unknown.
   */
  async resolveRefs(pairs: readonly { framework: string; ref: string }[], em = this.ds.manager): Promise<Map<string, { id: string; frameworkId: string } | null>> {
    const out = new Map<string, { id: string; frameworkId: string } | null>();
    if (!pairs.length) return out;
    const rows: { framework: string; ref: string; id: string | null; framework_id: string | null }[] = await em.query(
      prepared(`WITH wanted AS (SELECT DISTINCT * FROM jsonb_to_recordset($1::jsonb) AS x(framework text, ref text)),
       latest AS (
         SELECT DISTINCT ON (key) id, key FROM framework
         WHERE key IN (SELECT framework FROM wanted)
           -- shared, or the requesting organization's own (row-level security says the same)
           AND (organization_id IS NULL OR organization_id = nullif(current_setting('app.organization_id', true), '')::uuid)
         ORDER BY key, released_on DESC NULLS LAST, created_at DESC)
       SELECT w.framework, w.ref, r.id, r.framework_id
       FROM wanted w
       LEFT JOIN latest l ON l.key = w.framework
       LEFT JOIN requirement r ON r.framework_id = l.id AND r.ref = w.ref`),
      [JSON.stringify(pairs.map((p) => ({ framework: p.framework, ref: p.ref })))],
    );
    for (const r of rows) out.set(refKey(r.framework, r.ref), r.id ? { id: r.id, frameworkId: r.framework_id! } : null);
    return out;
  }

  /**
   * Resolves "framework ref" strings (e.g. "iso42001 A.6.2.4"), as register inputs name requirements;
   * BAD_USER_INPUT names every malformed or unknown one.
   */
  async resolveRefStrings(refs: readonly string[], field: string, em = this.ds.manager): Promise<string[]> {
    const pairs = refs.map((r, i) => {
      const m = /^(\S+)\s+(.+)$/.exec(r.trim());
      if (!m) throw badInput(`${field}[${i}]`, `${field}[${i}] must be "framework ref", e.g. "iso42001 A.6.2.4"`);
      return { framework: m[1], ref: m[2] };
    });
    const resolved = await this.resolveRefs(pairs, em);
    const unknown = pairs.filter((p) => !resolved.get(refKey(p.framework, p.ref)));
    if (unknown.length) throw badInput(field, unknown.map((u) => `unknown requirement "${u.ref}" in framework "${u.framework}"`).join('; '));
    return pairs.map((p) => resolved.get(refKey(p.framework, p.ref))!.id);
  }

  /** Conditions shared by a page and its count, against alias r; $1 is reserved for framework ids. */
  private filterSql(filter: RequirementFilter | null, params: unknown[]): string {
    const where: string[] = [];
    if (!filter) return '';
    if (filter.kind !== undefined && filter.kind !== null) {
      params.push(filter.kind);
      where.push(`r.kind = $${params.length}`);
    }
    if (filter.assessable !== undefined && filter.assessable !== null) {
      params.push(filter.assessable);
      where.push(`r.assessable = $${params.length}`);
    }
    if (filter.parentRef) {
      params.push(filter.parentRef);
      where.push(`r.parent_id = (SELECT p.id FROM requirement p WHERE p.framework_id = r.framework_id AND p.ref = $${params.length})`);
    }
    if (filter.search) {
      params.push(filter.search, likePrefix(filter.search));
      where.push(`(r.search_vector @@ websearch_to_tsquery('english', $${params.length - 1}) OR r.ref ILIKE $${params.length})`);
    }
    return where.map((w) => ` AND ${w}`).join('');
  }

  /** One statement for any number of frameworks: a lateral keyset page per framework. */
  async page(frameworkIds: readonly string[], q: RequirementPageQuery): Promise<Map<string, RequirementPage>> {
    const params: unknown[] = [[...frameworkIds]];
    const filter = this.filterSql(q.filter, params);
    const ks = keysetSql(q.window, ['r.position'], 'ASC', (position) => { params.push(position); return [`$${params.length}`]; });
    params.push(ks.limit);
    // Prepared: the filters and keyset make a few shapes, each a lateral page by framework and position. The
    // framework ids through a subquery, as the mappings statement's (mapping.service.ts edgesFor): planned alike
    // for one framework or four, the plan is kept instead of made again on each call.
    const raw: Record<string, unknown>[] = await this.ds.query(
      prepared(`SELECT p.*
       FROM unnest((SELECT $1::uuid[])::uuid[]) AS f(id)
       CROSS JOIN LATERAL (
         SELECT ${q.light ? this.lightCols : this.cols} FROM requirement r
         WHERE r.framework_id = f.id${filter}${ks.where.map((w) => ` AND ${w}`).join('')}
         ORDER BY ${ks.orderBy}
         LIMIT $${params.length}
       ) p`),
      params,
    );
    // Each framework's rows in query order (descending for a backward page), whatever order the join yields.
    const sign = q.window.backward ? -1 : 1;
    const grouped = groupBy(raw.map((row) => hydrate(this.ds, Requirement, row)).sort((a, b) => sign * (a.position - b.position)), (r) => r.frameworkId);
    return new Map(frameworkIds.map((id) => [id, keysetPage(grouped.get(id) ?? [], q.window)]));
  }

  async count(frameworkIds: readonly string[], filter: RequirementFilter | null): Promise<Map<string, number>> {
    const params: unknown[] = [[...frameworkIds]];
    const where = this.filterSql(filter, params);
    const rows: { framework_id: string; n: number }[] = await this.ds.query(
      `SELECT r.framework_id, count(*)::int AS n FROM requirement r WHERE r.framework_id = ANY($1::uuid[])${where} GROUP BY r.framework_id`,
      params,
    );
    return new Map(frameworkIds.map((id) => [id, rows.find((r) => r.framework_id === id)?.n ?? 0]));
  }

  /** Throws NOT_FOUND when a parentRef filter names no node of the framework. */
  async assertRefExists(frameworkId: string, ref: string, frameworkKey: string): Promise<void> {
    const exists = await this.repo.existsBy({ frameworkId, ref });
    if (!exists) throw notFound(`Unknown ref "${ref}" in framework "${frameworkKey}"`, { framework: frameworkKey, ref });
  }

  /**
   * Ranked full-text search. Exact ref matches rank first, then ref prefixes, then titles that are
   * or contain the query as a phrase, then text relevance (title weighs more than summary, summary
   * more than body text); ties keep document order.
   */
  async search(query: string, frameworkIds: readonly string[], first: number): Promise<RequirementSearchResult[]> {
    const raw: Record<string, unknown>[] = await this.ds.query(
      `WITH q AS (SELECT websearch_to_tsquery('english', $1) AS tsq)
       SELECT ${this.cols},
              (CASE WHEN lower(r.ref) = lower($1) THEN 10 WHEN r.ref ILIKE $2 THEN 5 ELSE 0 END
               + CASE WHEN lower(r.title) = lower($1) THEN 2 WHEN r.title ILIKE $5 THEN 1 ELSE 0 END
               + ts_rank_cd(r.search_vector, q.tsq, 1))::float8 AS score
       FROM requirement r, q
       WHERE r.framework_id = ANY($3::uuid[])
         AND (r.search_vector @@ q.tsq OR r.ref ILIKE $2)
       ORDER BY score DESC, r.framework_id, r.position
       LIMIT $4`,
      [query, likePrefix(query), [...frameworkIds], first, '%' + likePrefix(query)],
    );
    return raw.map((row) => ({ requirement: hydrate(this.ds, Requirement, row), score: Number(row.score) }));
  }

  /**
   * The same ranking as search, paged by keyset on (-score, framework, position): the score is computed
   * in SQL and the cursor carries it as a float8 (JSON numbers round-trip exactly).
   */
  async searchPage(query: string, frameworkIds: readonly string[], window: Keyset<SearchKey>) {
    const params: unknown[] = [query, likePrefix(query), [...frameworkIds], '%' + likePrefix(query)];
    const ks = keysetSql(window, ['h.rank', 'h.framework_id', 'h.position'], 'ASC', (k) => {
      params.push(...k);
      const n = params.length;
      return [`$${n - 2}::float8`, `$${n - 1}::uuid`, `$${n}::int`];
    });
    params.push(ks.limit);
    const hits = `WITH q AS (SELECT websearch_to_tsquery('english', $1) AS tsq),
      h AS (
        SELECT ${this.cols},
               -(CASE WHEN lower(r.ref) = lower($1) THEN 10 WHEN r.ref ILIKE $2 THEN 5 ELSE 0 END
                 + CASE WHEN lower(r.title) = lower($1) THEN 2 WHEN r.title ILIKE $4 THEN 1 ELSE 0 END
                 + ts_rank_cd(r.search_vector, q.tsq, 1))::float8 AS rank
        FROM requirement r, q
        WHERE r.framework_id = ANY($3::uuid[]) AND (r.search_vector @@ q.tsq OR r.ref ILIKE $2)
      )`;
    const raw: Record<string, unknown>[] = await this.ds.query(
      `${hits} SELECT h.* FROM h${ks.where.length ? ` WHERE ${ks.where.join(' AND ')}` : ''} ORDER BY ${ks.orderBy} LIMIT $${params.length}`,
      params,
    );
    const page = keysetPage(raw.map((row) => ({ requirement: hydrate(this.ds, Requirement, row), score: -Number(row.rank) })), window);
    return {
      ...page,
      count: async () => (await this.ds.query(`${hits} SELECT count(*)::int AS n FROM h`, params.slice(0, 4)))[0].n as number,
    };
  }
}

/** A search hit's place in the ranking: minus its score, its framework id, its position. */
export type SearchKey = [number, string, number];

export const refKey = (framework: string, ref: string) => `${framework}\u0000${ref}`;

export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}
