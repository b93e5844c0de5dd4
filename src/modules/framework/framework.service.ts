import { DataSource, Repository } from 'typeorm';
import { notFound } from '../../graphql/errors';
import { currentQueryScope } from '../../database/query-counter';
import { hydrate } from '../../database/hydrate';
import { Keyset, keysetPage, keysetSql } from '../../graphql/connection.type';

/**
 * Shared frameworks and the requesting organization's own. Row-level security enforces the same; this
 * keeps the application's own scoping right when it runs without it.
 */
const visible = (alias: string) => `(${alias}.organization_id IS NULL OR ${alias}.organization_id = :viewer)`;
const viewer = () => currentQueryScope()?.organizationId ?? '00000000-0000-0000-0000-000000000000';
import { Framework } from './framework.entity';

/** A framework's place in key order: key, version, id. */
export type FrameworkKey = [string, string, string];

/** The only code that queries the framework table. */
export class FrameworkService {
  private readonly repo: Repository<Framework>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(Framework);
  }

  /** Latest version per key by default; every version when allVersions is set. Ordered by key, newest first. */
  async list(allVersions: boolean): Promise<Framework[]> {
    const qb = this.repo.createQueryBuilder('f').where(visible('f'), { viewer: viewer() });
    if (!allVersions) {
      qb.andWhere(`f.id IN (SELECT DISTINCT ON (key) id FROM framework v WHERE ${visible('v')} ORDER BY key, released_on DESC NULLS LAST, created_at DESC)`);
    }
    return qb.orderBy('f.key').addOrderBy('f.released_on', 'DESC', 'NULLS LAST').addOrderBy('f.created_at', 'DESC').getMany();
  }

  /**
   * A keyset page of the frameworks (latest version of each key unless allVersions), ordered by key, then
   * version, then id; the count over the same list only when asked.
   */
  async page(allVersions: boolean, window: Keyset<FrameworkKey>) {
    const params: unknown[] = [viewer()];
    const where = [`(f.organization_id IS NULL OR f.organization_id = $1)`];
    if (!allVersions) {
      where.push(`f.id IN (SELECT DISTINCT ON (key) id FROM framework v WHERE (v.organization_id IS NULL OR v.organization_id = $1) ORDER BY key, released_on DESC NULLS LAST, created_at DESC)`);
    }
    const countWhere = where.join(' AND ');
    const ks = keysetSql(window, ['f.key', 'f.version', 'f.id'], 'ASC', (k) => {
      params.push(...k);
      return [`$${params.length - 2}::text`, `$${params.length - 1}::text`, `$${params.length}::uuid`];
    });
    params.push(ks.limit);
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT f.* FROM framework f WHERE ${[...where, ...ks.where].join(' AND ')} ORDER BY ${ks.orderBy} LIMIT $${params.length}`,
      params,
    );
    return {
      ...keysetPage(rows.map((r) => hydrate(this.ds, Framework, r)), window),
      count: async () => (await this.ds.query(`SELECT count(*)::int AS n FROM framework f WHERE ${countWhere}`, [params[0]]))[0].n as number,
    };
  }

  async findByIds(ids: readonly string[]): Promise<Map<string, Framework>> {
    const rows = ids.length
      ? await this.repo.createQueryBuilder('f').where('f.id IN (:...ids)', { ids: [...ids] }).andWhere(visible('f'), { viewer: viewer() }).getMany()
      : [];
    return new Map(rows.map((f) => [f.id, f]));
  }

  /** Latest version of each key (or the given version). Map key is the requested key. */
  async findByKeys(keys: readonly string[], version?: string): Promise<Map<string, Framework>> {
    if (!keys.length) return new Map();
    const qb = this.repo
      .createQueryBuilder('f')
      .distinctOn(['f.key'])
      .where('f.key IN (:...keys)', { keys: [...keys] })
      .andWhere(visible('f'), { viewer: viewer() })
      .orderBy('f.key')
      .addOrderBy('f.released_on', 'DESC', 'NULLS LAST')
      .addOrderBy('f.created_at', 'DESC');
    if (version !== undefined) qb.andWhere('f.version = :version', { version });
    const rows = await qb.getMany();
    return new Map(rows.map((f) => [f.key, f]));
  }

  /** Like findByKeys but every key must exist: NOT_FOUND names the unknown ones. */
  async requireByKeys(keys: readonly string[], version?: string): Promise<Map<string, Framework>> {
    const found = await this.findByKeys(keys, version);
    const missing = keys.filter((k) => !found.has(k));
    if (missing.length) {
      const what = missing.map((k) => `"${k}"`).join(', ');
      throw notFound(version === undefined ? `Unknown framework ${what}` : `Unknown framework ${what} version "${version}"`, {
        framework: missing[0],
      });
    }
    return found;
  }
}
