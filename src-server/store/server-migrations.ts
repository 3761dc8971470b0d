/**
 * The server's schema migrations, written once with Kysely's schema builder for SQLite and PostgreSQL alike.
 * Never edit a released migration: add a new one (names sort in the order they apply).
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// Migrations must work on any database, so they take Kysely<unknown> (Kysely's own advice).
type AnyDb = Kysely<unknown>;

/** Every migration by name. */
export const SERVER_MIGRATIONS: Record<string, Migration> = {
  '0001-sync': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('server_info')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('devices')
        .addColumn('device_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('public_key_pem', 'text', (c) => c.notNull())
        .addColumn('certificate_pem', 'text', (c) => c.notNull())
        .addColumn('certificate_fingerprint', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('enrolled_at', 'text', (c) => c.notNull())
        .addColumn('acked_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('acked_hash', 'text')
        .addColumn('flagged', 'text')
        .addColumn('flagged_at', 'text')
        .addColumn('last_seen_at', 'text')
        .addColumn('clock_offset_ms', 'bigint')
        .execute();
      await db.schema
        .createTable('enrol_codes')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('used_by', 'text')
        .execute();
      // The union of every device's journal, in the server's global order of ingest.
      await db.schema
        .createTable('events')
        .addColumn('global_seq', 'bigint', (c) => c.primaryKey())
        .addColumn('device', 'text', (c) => c.notNull().references('devices.device_id'))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('prev', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('sig', 'text', (c) => c.notNull())
        .addColumn('blobs', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('events_device_seq', ['device', 'seq'])
        .execute();
      await db.schema.createIndex('events_type').on('events').column('type').execute();
      await db.schema
        .createTable('blobs')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('stored_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
      await db
        .insertInto('counters' as never)
        .values({ name: 'global_seq', value: 0 } as never)
        .execute();
      // Every refusal, with its reason: what a device sent that the server would not store.
      await db.schema
        .createTable('refusals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('clock_offsets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('device_time', 'text', (c) => c.notNull())
        .addColumn('offset_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0002-revocations-clock-flags': {
    async up(db: AnyDb) {
      // Devices and people revoked centrally, each with the statement the plant CA signed (laptops check it on pull).
      await db.schema
        .createTable('central_revocations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text', (c) => c.notNull())
        .addColumn('statement', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addUniqueConstraint('central_revocations_subject', ['kind', 'subject'])
        .execute();
      // Events whose device time is implausible (before the device's previous event, far in the future, or skewed).
      await db.schema
        .createTable('clock_flags')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('clock_flags_event').on('clock_flags').column('event_id').execute();
    },
  },
  '0003-clock-attestations': {
    async up(db: AnyDb) {
      // The flags of one push, signed with the plant CA's key; laptops pull each with the page that holds the push's last event.
      await db.schema
        .createTable('clock_attestations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device', 'text', (c) => c.notNull())
        .addColumn('global_seq', 'bigint', (c) => c.notNull())
        .addColumn('statement', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('clock_attestations_global_seq').on('clock_attestations').column('global_seq').execute();
    },
  },
};
