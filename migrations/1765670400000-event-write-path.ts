import { MigrationInterface, QueryRunner } from 'typeorm';
import { EVENTS_OFF, EVIDENCE_UPDATE_FN, EVIDENCE_UPDATED_EVENT, LINK_DELETE_FN, LINK_INSERT_FN, LINK_UPDATE_FN, PENDING_ORGANIZATIONS_FN } from './1765497600000-events';

/**
 * Links of one event as columns, one array per field in the same order (built with array_agg, far
 * cheaper in PostgreSQL 15 than an object per link); envelopeOf (src/modules/events/event-envelope.ts)
 * turns them back into `links[]` for every reader. `l` is a subquery already sorted in the links' order.
 */
const LINK_COLUMNS = (l: string) => `jsonb_build_object('id', array_agg(${l}.id), 'requirementId', array_agg(${l}.requirement_id),
  'requirementRef', array_agg(${l}.ref), 'frameworkKey', array_agg(${l}.framework_key), 'coverage', array_agg(${l}.coverage),
  'origin', array_agg(${l}.origin), 'linkedAt', array_agg(${l}.linked_at), 'unlinkedAt', array_agg(${l}.unlinked_at))`;

/**
 * One event of `type` (SQL over n) per evidence (and the columns `by`) of the links `from` gives (alias n,
 * rows of new_links) where `where` holds, with its links as columns, by framework and position.
 */
const LINK_EVENTS = (type: string, from: string, where: string, by: string[] = []) => {
  const keys = ['n.evidence_id', ...by, 'n.organization_id'].join(', ');
  return `
  INSERT INTO hub_event (organization_id, type, key, evidence_id, data)
  SELECT n.organization_id, ${type}, 'evidence:' || n.evidence_id, n.evidence_id, jsonb_build_object('evidenceId', n.evidence_id, 'linkColumns', ${LINK_COLUMNS('n')})
  FROM (SELECT n.*, r.ref, f.key AS framework_key FROM ${from} JOIN requirement r ON r.id = n.requirement_id JOIN framework f ON f.id = r.framework_id
        WHERE ${where} ORDER BY ${keys}, f.key, r.position) n
  GROUP BY ${keys}
  ORDER BY ${keys}`;
};

/**
 * coverage_dirty rows with at most ten causes per requirement, built only for those ten: `rows` gives the
 * columns `cause` (an expression over `d`) needs, with organization_id and requirement_id.
 */
const dirty = (rows: string, cause: string) => `
  INSERT INTO coverage_dirty (organization_id, requirement_id, cause)
  SELECT d.organization_id, d.requirement_id, jsonb_agg(${cause}) FROM (
    SELECT x.*, row_number() OVER (PARTITION BY x.organization_id, x.requirement_id) AS k FROM (${rows}) x) d
  WHERE d.k <= 10 GROUP BY d.organization_id, d.requirement_id`;

/**
 * The write path of events, made cheaper where a bulk of 1,000 items with 10 links each spends its time
 * (issue 16: ingestion with events on had fallen below the 10,000 links/s floor):
 * - evidence.linked, evidence.unlinked and prefill.confirmed keep their links as columns (LINK_COLUMNS);
 *   the JSON every reader sees is unchanged.
 * - coverage_dirty causes are built for the ten kept per requirement, not for every link.
 * - evidence_link's organization is checked through its evidence: one foreign key on (organization_id,
 *   evidence_id) to evidence (organization_id, id) instead of two, which also makes a link's
 *   organization always its evidence's (and the pair is what a table distributed by organization needs).
 * - ix_evidence_valid_until duplicated ix_evidence_org_valid_until (same columns) and is dropped.
 * - ix_evidence_rollup_all_systems: the organization-wide rollup rows by their own index (a coverage delta
 *   of a bulk read them from among every system's rows; BENCHMARKS.md has the flush's times).
 * - hub_events_pending_organizations() evaluates each EXISTS once per organization, not twice.
 * - ix_hub_event_occurred is dropped, and the position indexes leave out unpublished events: an event is
 *   written with three index entries fewer, and published with one fewer. Retention prunes by the time an event was written, which its time-ordered id holds
 *   (hub_event_id_floor gives the lowest id of a moment; the primary key finds them).
 */
export class EventWritePath1765670400000 implements MigrationInterface {
  name = 'EventWritePath1765670400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION hub_events_link_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        -- One event per evidence (and kind): a bulk of 1,000 items with 10 links each writes 1,000 events.
        ${LINK_EVENTS(`CASE WHEN n.origin = 'CONFIRMED_PREFILL' THEN 'prefill.confirmed' ELSE 'evidence.linked' END`, 'new_links n', 'TRUE', ['n.origin'])};
        ${dirty(`SELECT n.organization_id, n.requirement_id, n.evidence_id, n.id, n.coverage FROM new_links n`,
          `jsonb_build_object('kind', 'EVIDENCE_LINKED', 'evidenceId', d.evidence_id, 'linkId', d.id, 'coverage', d.coverage)`)};
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION hub_events_link_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        ${LINK_EVENTS(`'evidence.unlinked'`, 'new_links n JOIN old_links o ON o.id = n.id', 'o.unlinked_at IS NULL AND n.unlinked_at IS NOT NULL')};
        ${dirty(`SELECT n.organization_id, n.requirement_id, n.evidence_id, n.id, n.coverage, o.unlinked_at IS NULL AND n.unlinked_at IS NOT NULL AS ended
                 FROM new_links n JOIN old_links o ON o.id = n.id
                 WHERE (n.coverage, n.linked_at, n.unlinked_at, n.requirement_id) IS DISTINCT FROM (o.coverage, o.linked_at, o.unlinked_at, o.requirement_id)`,
          `jsonb_build_object('kind', CASE WHEN d.ended THEN 'EVIDENCE_UNLINKED' ELSE 'LINK_CHANGED' END, 'evidenceId', d.evidence_id, 'linkId', d.id, 'coverage', d.coverage)`)};
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION hub_events_link_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        ${dirty(`SELECT o.organization_id, o.requirement_id, o.evidence_id, o.id, o.coverage FROM old_links o WHERE o.unlinked_at IS NULL`,
          `jsonb_build_object('kind', 'EVIDENCE_UNLINKED', 'evidenceId', d.evidence_id, 'linkId', d.id, 'coverage', d.coverage)`)};
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION hub_events_evidence_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${EVENTS_OFF}
        ${EVIDENCE_UPDATED_EVENT}
        ${dirty(`SELECT l.organization_id, l.requirement_id, l.id AS link_id, n.id AS evidence_id, o.status AS from_status, n.status AS to_status, n.valid_until, n.effective_at
                 FROM new_evidence n JOIN old_evidence o ON o.id = n.id
                 JOIN evidence_link l ON l.organization_id = n.organization_id AND l.evidence_id = n.id AND l.unlinked_at IS NULL
                 WHERE (n.status, n.effective_at, n.valid_until, n.ai_system_id) IS DISTINCT FROM (o.status, o.effective_at, o.valid_until, o.ai_system_id)`,
          `jsonb_build_object('kind', 'EVIDENCE_CHANGED', 'evidenceId', d.evidence_id, 'linkId', d.link_id,
             'fromStatus', d.from_status, 'toStatus', d.to_status, 'validUntil', d.valid_until, 'effectiveAt', d.effective_at)`)};
        RETURN NULL;
      END $$`);

    await q.query(`CREATE UNIQUE INDEX uq_evidence_organization_id ON evidence (organization_id, id)`);
    await q.query(`ALTER TABLE evidence_link ADD CONSTRAINT fk_evidence_link_organization_evidence FOREIGN KEY (organization_id, evidence_id)
      REFERENCES evidence (organization_id, id) ON DELETE CASCADE NOT VALID`);
    await q.query(`ALTER TABLE evidence_link VALIDATE CONSTRAINT fk_evidence_link_organization_evidence`);
    await q.query(`ALTER TABLE evidence_link DROP CONSTRAINT fk_evidence_link_evidence`);
    await q.query(`ALTER TABLE evidence_link DROP CONSTRAINT fk_evidence_link_organization`);
    await q.query(`DROP INDEX ix_evidence_valid_until`);
    await q.query(`DROP INDEX ix_hub_event_occurred`);
    // Positions are read only where they are given (position > n): the indexes leave out the unpublished
    // events, so writing an event adds two index entries fewer (publication adds them).
    await q.query(`DROP INDEX uq_hub_event_position`);
    await q.query(`CREATE UNIQUE INDEX uq_hub_event_position ON hub_event (position) WHERE position IS NOT NULL`);
    await q.query(`DROP INDEX ix_hub_event_organization_position`);
    await q.query(`CREATE INDEX ix_hub_event_organization_position ON hub_event (organization_id, position) WHERE position IS NOT NULL`);
    // The organizations with work for the scheduler or the dispatcher: each EXISTS evaluated once per organization.
    await q.query(`
      CREATE OR REPLACE FUNCTION hub_events_pending_organizations() RETURNS TABLE (organization_id uuid, unpublished boolean, dirty boolean)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT o.id, x.unpublished, x.dirty
        FROM organization o
        CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM hub_event e WHERE e.organization_id = o.id AND e.position IS NULL) AS unpublished,
                                   EXISTS (SELECT 1 FROM coverage_dirty d WHERE d.organization_id = o.id) AS dirty) x
        WHERE x.unpublished OR x.dirty
      $$`);
    // The organization-wide rollup rows (what every organization-wide report and coverage delta reads
    // first): found by their own index rather than among every system's rows.
    await q.query(`CREATE INDEX ix_evidence_rollup_all_systems ON evidence_rollup (organization_id, requirement_id) WHERE all_systems`);
    // The lowest hub_uuid_v7() of a moment: its 48-bit millisecond prefix, then zeros (uuids compare bytewise).
    await q.query(`
      CREATE FUNCTION hub_event_id_floor(at timestamptz) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT encode(substring(int8send(floor(extract(epoch FROM at) * 1000)::bigint) FROM 3) || '\\x00000000000000000000'::bytea, 'hex')::uuid
      $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION hub_event_id_floor(timestamptz)`);
    await q.query(`DROP INDEX ix_evidence_rollup_all_systems`);
    await q.query(`CREATE INDEX ix_hub_event_occurred ON hub_event (occurred_at)`);
    await q.query(`DROP INDEX uq_hub_event_position`);
    await q.query(`CREATE UNIQUE INDEX uq_hub_event_position ON hub_event (position)`);
    await q.query(`DROP INDEX ix_hub_event_organization_position`);
    await q.query(`CREATE INDEX ix_hub_event_organization_position ON hub_event (organization_id, position)`);
    await q.query(`CREATE INDEX ix_evidence_valid_until ON evidence (organization_id, valid_until) WHERE valid_until IS NOT NULL`);
    await q.query(`ALTER TABLE evidence_link ADD CONSTRAINT fk_evidence_link_organization FOREIGN KEY (organization_id) REFERENCES organization (id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE evidence_link ADD CONSTRAINT fk_evidence_link_evidence FOREIGN KEY (evidence_id) REFERENCES evidence (id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE evidence_link DROP CONSTRAINT fk_evidence_link_organization_evidence`);
    await q.query(`DROP INDEX uq_evidence_organization_id`);
    for (const fn of [EVIDENCE_UPDATE_FN, LINK_INSERT_FN, LINK_UPDATE_FN, LINK_DELETE_FN, PENDING_ORGANIZATIONS_FN]) await q.query(`CREATE OR REPLACE ${fn}`);
  }
}
