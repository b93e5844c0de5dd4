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

/** Organizations whose frameworks a process keeps at most (the least recently read go first). */
const CATALOG_ORGANIZATIONS = 1000;

/**
 * The frameworks each organization sees (shared ones and its own, every version, in key order and newest
 * first), kept per process for as long as the catalog stamp has not moved. The stamp comes with the
 * request gate's statement (hub_begin_request), which every GraphQL request on PostgreSQL makes anyway, and
 * every write to the framework table moves it (a statement trigger, migrations/1766016000000-request-gate.ts):
 * a query then reads frameworks without a statement, and never older ones than a statement would have
 * read when the request began. Only queries use it (mutation-transaction.plugin.ts sets
 * QueryScope.catalogStamp for them): a mutation may write frameworks and read them back.
 */
class FrameworkCatalog {
  private readonly byOrganization = new Map<string, { stamp: string; frameworks: Framework[]; loading?: Promise<Framework[]> }>();

  async visible(org: string, stamp: string, load: () => Promise<Framework[]>): Promise<Framework[]> {
    const held = this.byOrganization.get(org);
    if (held?.stamp === stamp) {
      // Most recently read last, so the first key is the one to drop.
      this.byOrganization.delete(org);
      this.byOrganization.set(org, held);
      return held.loading ?? held.frameworks;
    }
    const entry: { stamp: string; frameworks: Framework[]; loading?: Promise<Framework[]> } = { stamp, frameworks: [] };
    entry.loading = load().then(
      (frameworks) => {
        entry.frameworks = frameworks;
        entry.loading = undefined;
        return frameworks;
      },
      (err) => {
        if (this.byOrganization.get(org) === entry) this.byOrganization.delete(org);
        throw err;
      },
    );
    this.byOrganization.delete(org);
    this.byOrganization.set(org, entry);
    if (this.byOrganization.size > CATALOG_ORGANIZATIONS) this.byOrganization.delete(this.byOrganization.keys().next().value!);
    return entry.loading;
  }
}

const catalog = new FrameworkCatalog();

/** The newest version of each key (frameworks in catalog order: key, then newest first). */
const latest = (frameworks: Framework[]) => frameworks.filter((f, i) => i === 0 || frameworks[i - 1].key !== f.key);

/** The only code that queries the framework table. */
export class FrameworkService {
  private readonly repo: Repository<Framework>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(Framework);
  }

  /** The organization's frameworks from the process's catalog, when the request is a query that carries a stamp; else null. */
  private async cached(): Promise<Framework[] | null> {
    const scope = currentQueryScope();
    if (scope?.catalogStamp === undefined || !scope.organizationId) return null;
    const org = scope.organizationId;
    return catalog.visible(org, scope.catalogStamp, async () => {
      const rows: Record<string, unknown>[] = await this.ds.query(
        `SELECT f.* FROM framework f WHERE f.organization_id IS NULL OR f.organization_id = $1 ORDER BY f.key, f.released_on DESC NULLS LAST, f.created_at DESC`,
        [org],
      );
      return rows.map((r) => hydrate(this.ds, Framework, r));
    });
  }

  /** Latest version per key by default; every version when allVersions is set. Ordered by key, newest first. */
  async list(allVersions: boolean): Promise<Framework[]> {
    const known = await this.cached();
    if (known) return allVersions ? [...known] : latest(known);
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
    const known = ids.length ? await this.cached() : null;
    if (known) {
      const wanted = new Set(ids);
      return new Map(known.filter((f) => wanted.has(f.id)).map((f) => [f.id, f]));
    }
    const rows = ids.length
      ? await this.repo.createQueryBuilder('f').where('f.id IN (:...ids)', { ids: [...ids] }).andWhere(visible('f'), { viewer: viewer() }).getMany()
      : [];
    return new Map(rows.map((f) => [f.id, f]));
  }

  /** Latest version of each key (or the given version). Map key is the requested key. */
  async findByKeys(keys: readonly string[], version?: string): Promise<Map<string, Framework>> {
    if (!keys.length) return new Map();
    const known = await this.cached();
    if (known) {
      const out = new Map<string, Framework>();
      // Newest first within a key: the first match is the one DISTINCT ON picks.
      for (const f of known) if (keys.includes(f.key) && !out.has(f.key) && (version === undefined || f.version === version)) out.set(f.key, f);
      return out;
    }
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
