import type { DataSource } from 'typeorm';

/** Applies pending migrations, each in its own transaction. Returns the names applied. */
export async function migrate(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}

export async function pendingMigrations(ds: DataSource): Promise<boolean> {
  return ds.showMigrations();
}

/** Reverts the most recent migration. */
export async function revertLast(ds: DataSource): Promise<void> {
  await ds.undoLastMigration({ transaction: 'each' });
}
