import type { DataSource, EntityMetadata, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

type Ctor<T> = new () => T;

/** Column types whose raw pg value TypeORM's hydration leaves as it is (no transformer on the column). */
const AS_IS = new Set<unknown>(['uuid', 'text', 'varchar', 'character varying', 'smallint', 'int', 'integer', 'int4', 'int2', 'jsonb', 'json', 'boolean', 'bool']);

/** Per entity and alias: [row key, property, the column when its value needs TypeORM's hydration]. */
type Plan = [string, string, ColumnMetadata | null][];

const plans = new WeakMap<EntityMetadata, Map<string, Plan>>();

function planOf(ds: DataSource, target: Ctor<ObjectLiteral>, alias: string): { meta: EntityMetadata; cols: Plan } {
  const meta = ds.getMetadata(target);
  let byAlias = plans.get(meta);
  if (!byAlias) plans.set(meta, (byAlias = new Map()));
  let cols = byAlias.get(alias);
  if (!cols) {
    cols = meta.columns.map((c) => [alias + c.databaseName, c.propertyName, AS_IS.has(c.type) && !c.transformer ? null : c]);
    byAlias.set(alias, cols);
  }
  return { meta, cols };
}

/**
 * Turns raw rows of hand-written SQL into entity instances, through TypeORM's own column metadata
 * and value hydration, so set-based queries (lateral joins, unions) return the same objects as
 * repository reads. The work per column is planned once per entity and alias: the values of the
 * column types TypeORM passes through unchanged (uuid, text, integers, booleans, json) are copied.
 */
export function hydrate<T extends ObjectLiteral>(ds: DataSource, target: Ctor<T>, row: Record<string, unknown>, alias = ''): T {
  const { meta, cols } = planOf(ds, target, alias);
  const entity = meta.create() as Record<string, unknown>;
  for (const [key, property, col] of cols) {
    if (!(key in row)) continue;
    const value = row[key];
    entity[property] = col === null || (value == null && !col.transformer) ? value : ds.driver.prepareHydratedValue(value, col);
  }
  return entity as T;
}

/** `alias.col AS "prefix_col", ...` for every mapped column of an entity. */
export function selectColumns(ds: DataSource, target: Ctor<ObjectLiteral>, alias: string, prefix = ''): string {
  return ds
    .getMetadata(target)
    .columns.map((c) => `${alias}.${c.databaseName}${prefix ? ` AS "${prefix}${c.databaseName}"` : ''}`)
    .join(', ');
}
