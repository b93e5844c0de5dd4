import type { DataSource, ObjectLiteral } from 'typeorm';

type Ctor<T> = new () => T;

/**
 * Turns raw rows of hand-written SQL into entity instances, through TypeORM's own column metadata
 * and value hydration, so set-based queries (lateral joins, unions) return the same objects as
 * repository reads.
 */
export function hydrate<T extends ObjectLiteral>(ds: DataSource, target: Ctor<T>, row: Record<string, unknown>, alias = ''): T {
  const meta = ds.getMetadata(target);
  const entity = meta.create() as Record<string, unknown>;
  for (const col of meta.columns) {
    const key = alias + col.databaseName;
    if (key in row) entity[col.propertyName] = ds.driver.prepareHydratedValue(row[key], col);
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
