/**
 * The server's one SQL layer (ARCHITECTURE §8-9): Kysely over SQLite (better-sqlite3, the embedded default in
 * the server's data directory) or PostgreSQL (pg). Every query is written once against `ServerTables`; only
 * the connection and one row lock differ between the two.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync } from 'node:fs';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { SERVER_MIGRATIONS } from './server-migrations.ts';

/** Tables of the server store. */
export interface ServerTables {
  server_info: { key: string; value: string };
  devices: {
    device_id: string;
    name: string;
    public_key_pem: string;
    certificate_pem: string;
    certificate_fingerprint: string;
    token_hash: string;
    enrolled_at: string;
    acked_seq: number;
    acked_hash: string | null;
    flagged: string | null;
    flagged_at: string | null;
    last_seen_at: string | null;
    clock_offset_ms: number | null;
  };
  enrol_codes: { code_hash: string; created_at: string; expires_at: string; used_at: string | null; used_by: string | null };
  events: {
    global_seq: number;
    device: string;
    seq: number;
    id: string;
    prev: string;
    type: string;
    payload: string;
    actor: string;
    at: string;
    hash: string;
    sig: string;
    blobs: string;
    received_at: string;
  };
  blobs: { sha256: string; size: number; stored_at: string };
  counters: { name: string; value: number };
  refusals: { id: string; device: string | null; at: string; code: string; message: string; details: string };
  clock_offsets: { id: string; device: string; received_at: string; device_time: string; offset_ms: number };
  central_revocations: {
    id: string;
    kind: string;
    subject: string;
    reason: string;
    revoked_at: string;
    statement: string;
    signature: string;
  };
  clock_flags: { id: string; device: string; seq: number; event_id: string; kind: string; message: string; received_at: string };
  clock_attestations: { id: string; device: string; global_seq: number; statement: string; signature: string };
}

/** Which database the server runs on. */
export type ServerDialect = 'sqlite' | 'postgres';

/** An open server database. */
export interface ServerDatabase {
  readonly db: Kysely<ServerTables>;
  readonly dialect: ServerDialect;
  /** Where it is, for logs (password removed from a PostgreSQL URL). */
  readonly location: string;
  close(): Promise<void>;
}

/** A PostgreSQL URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unreadable database URL)';
  }
}

/** Opens the SQLite file (created if needed) or connects to PostgreSQL, and applies the server migrations. */
export async function openServerDatabase(target: { sqlitePath: string } | { postgresUrl: string }): Promise<ServerDatabase> {
  let server: ServerDatabase;
  if ('sqlitePath' in target) {
    const sqlite = new Database(target.sqlitePath);
    sqlite.pragma('journal_mode = WAL');
    // FULL: an acknowledged event survives power loss; the laptop may drop nothing it was told is safe.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('foreign_keys = ON');
    // Readable by the server's user only, like a laptop's store (the journal of every laptop is in it).
    for (const f of [target.sqlitePath, `${target.sqlitePath}-wal`, `${target.sqlitePath}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    const db = new Kysely<ServerTables>({ dialect: new SqliteDialect({ database: sqlite }) });
    server = { db, dialect: 'sqlite', location: target.sqlitePath, close: () => db.destroy() };
  } else {
    const pool = new pg.Pool({
      connectionString: target.postgresUrl,
      max: 10,
      connectionTimeoutMillis: 10_000,
      // int8 (global sequence numbers, sizes) as numbers: they stay far below 2^53.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    const db = new Kysely<ServerTables>({ dialect: new PostgresDialect({ pool }) });
    server = { db, dialect: 'postgres', location: redactUrl(target.postgresUrl), close: () => db.destroy() };
  }
  try {
    await migrateServerDatabase(server);
  } catch (err) {
    await server.close();
    if (err instanceof BaselineError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    throw new BaselineError(
      'server-db-unavailable',
      `The server database ${server.location} cannot be opened: ${msg}.`,
      server.dialect === 'postgres'
        ? 'Check that PostgreSQL is running, the URL (host, port, database, user, password) is right, and the user may create tables.'
        : 'Check the server data directory (--home): it must be writable and hold a Baseline server database.',
    );
  }
  return server;
}

async function migrateServerDatabase(server: ServerDatabase): Promise<void> {
  const migrator = new Migrator({
    db: server.db,
    provider: { getMigrations: () => Promise.resolve(SERVER_MIGRATIONS) },
    migrationTableName: 'baseline_migrations',
    migrationLockTableName: 'baseline_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const msg = error instanceof Error ? error.message : String(error);
    if (/corrupted migrations|previously executed migration .* is missing/i.test(msg)) {
      throw new BaselineError(
        'server-db-newer',
        `The server database ${server.location} was written by a newer Baseline server (${msg}).`,
        'Run the Baseline server version that created it; this one leaves the database unchanged.',
      );
    }
    throw new Error(failed ? `migration ${failed} failed: ${msg}` : msg);
  }
}
