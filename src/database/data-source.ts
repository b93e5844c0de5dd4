import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config';
import { migrations } from '../../migrations';
import { Framework } from '../modules/framework/framework.entity';
import { Requirement } from '../modules/framework/requirement.entity';
import { MappingSource } from '../modules/mapping/mapping-source.entity';
import { Mapping } from '../modules/mapping/mapping.entity';
import { HubQueryLogger } from './query-counter';
import { installTenantGuard, setSessionDefaults } from './tenant';
import { installRequestPinning } from './request-transaction';
import { installSqlInstrumentation } from './sql-instrumentation';
import { Organization } from '../modules/organization/organization.entity';
import { Evidence } from '../modules/evidence/evidence.entity';
import { EvidenceLink } from '../modules/evidence/evidence-link.entity';
import { EvidenceReview, EvidenceRevision } from '../modules/evidence/evidence-history.entity';
import { ApplicabilityDecision } from '../modules/applicability/applicability.entity';
import { AiSystem, AiSystemChange, GateTask } from '../modules/ai-system/ai-system.entity';
import { ImpactAssessment } from '../modules/impact-assessment/impact-assessment.entity';
import { OversightPoint, OversightRecord } from '../modules/oversight/oversight.entity';
import { AuditFinding, InternalAudit, Measurement, Nonconformity, RegisterRecord } from '../modules/governance/governance.entity';
import { ApiToken } from '../modules/auth/api-token.entity';
import { AuditEvent } from '../modules/audit/audit-event.entity';

export const entities = [
  Framework, Requirement, MappingSource, Mapping, Organization, Evidence, EvidenceLink, EvidenceRevision, EvidenceReview, ApplicabilityDecision,
  AiSystem, AiSystemChange, GateTask, ImpactAssessment, OversightPoint, OversightRecord,
  InternalAudit, AuditFinding, Nonconformity, RegisterRecord, Measurement, ApiToken, AuditEvent,
];

export interface DataSourceOptions {
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  poolSize?: number;
  /** Longest wait for a free pooled connection, ms; then the statement fails (SERVICE_UNAVAILABLE). */
  poolWaitMs?: number;
  /**
   * Sessions with `hub.events` off: the event triggers write nothing (HUB_EVENTS=false, and the benchmark's
   * data generator, which is not anyone's action). On PGlite, app.ts sets it on the one session.
   */
  eventsOff?: boolean;
  /** Run the statements marked with prepared() as named prepared statements (database/prepared.ts); PostgreSQL only. */
  preparedStatements?: boolean;
}

/**
 * PostgreSQL through pg, or, with no DATABASE_URL, PGlite (real PostgreSQL compiled to WASM) in a
 * local folder. Both speak the same dialect; schema changes only come from migrations/.
 */
export async function createDataSource(db: DatabaseConfig, options: DataSourceOptions = {}): Promise<DataSource> {
  installTenantGuard();
  installRequestPinning();
  installSqlInstrumentation();
  const common = {
    type: 'postgres' as const,
    entities,
    migrations,
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    // gen_random_uuid() is built in since PostgreSQL 13; no extension to install (PGlite has none).
    installExtensions: false,
    uuidExtension: 'pgcrypto' as const,
    logger: new HubQueryLogger(options.logLevel ?? 'warn'),
    maxQueryExecutionTime: 2000,
  };
  if (db.kind === 'postgres') {
    // No startup options (PgBouncer refuses them): jit and hub.events are set per transaction (tenant.ts).
    const ds = new DataSource({ ...common, url: db.url, extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: options.poolWaitMs ?? 0 } });
    setSessionDefaults(ds, { eventsOff: options.eventsOff, preparedStatements: options.preparedStatements });
    return ds;
  }
  // PGlite creates only the last folder of its data dir.
  fs.mkdirSync(path.dirname(db.dataDir), { recursive: true });
  const { PGliteDriver } = await import('typeorm-pglite');
  const { types } = await import('@electric-sql/pglite');
  // Keep DATE as 'YYYY-MM-DD' like pg does; a JS Date would shift by the local UTC offset.
  const parsers = { [types.DATE]: (value: string) => value };
  return new DataSource({ ...common, driver: new PGliteDriver({ dataDir: db.dataDir, parsers }).driver });
}

/** Closes the pool; for PGlite this also closes the instance (typeorm-pglite's pool.end) so its files are flushed. */
export async function closeDataSource(ds: DataSource): Promise<void> {
  if (ds.isInitialized) await ds.destroy();
}
