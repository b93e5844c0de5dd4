import { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables that grow with every push from an integrator; their ids are made here when the caller gives none. */
export const TIME_ORDERED_TABLES = ['evidence', 'evidence_link', 'evidence_revision', 'evidence_review', 'oversight_record', 'measurement', 'ai_system_history'];

/**
 * Time-ordered ids (UUID version 7, RFC 9562) for the tables that grow fastest. A random (version 4)
 * primary key lands each new row on a random leaf of an index that, at a million links, no longer fits
 * in shared buffers: every insert and every foreign-key check of a bulk then reads a cold page. A
 * version 7 id starts with the Unix time in milliseconds, so a batch writes next to the previous one.
 * Ids stay uuids (48 bits of time, 74 random), nothing reads them as anything but opaque values, and
 * existing rows keep theirs. PostgreSQL 18 has uuidv7() built in; this is the same layout for 15 to 17
 * and PGlite. The application makes evidence ids the same way (the uuid package's v7).
 */
export class TimeOrderedIds1765411200000 implements MigrationInterface {
  name = 'TimeOrderedIds1765411200000';

  public async up(q: QueryRunner): Promise<void> {
    // Bytes 0-5: milliseconds since the epoch, big-endian; then the random bits of a version 4 uuid with
    // the version nibble turned from 0100 into 0111 (bits 52 and 53 set). The variant bits stay 10.
    await q.query(`
      CREATE FUNCTION hub_uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
        SELECT encode(
                 set_bit(set_bit(
                   overlay(uuid_send(gen_random_uuid())
                           PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                           FROM 1 FOR 6),
                   52, 1), 53, 1),
                 'hex')::uuid
      $$`);
    for (const t of TIME_ORDERED_TABLES) await q.query(`ALTER TABLE ${t} ALTER COLUMN id SET DEFAULT hub_uuid_v7()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const t of TIME_ORDERED_TABLES) await q.query(`ALTER TABLE ${t} ALTER COLUMN id SET DEFAULT gen_random_uuid()`);
    await q.query(`DROP FUNCTION hub_uuid_v7()`);
  }
}
