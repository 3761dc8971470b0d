/**
 * Opens the local store (better-sqlite3): checks the file before touching it, takes the data-directory lock,
 * sets WAL and foreign keys, and applies numbered migrations.
 *
 * Refusals leave the file exactly as it was: every check before the lock and the first write opens the
 * file read-only.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.ts';
import { acquireStoreLock, type StoreLock } from './store-lock.ts';

/** `PRAGMA application_id` of a Baseline store: ASCII "BSLN". */
export const BASELINE_APPLICATION_ID = 0x42534c4e;

/** Name of the database file inside a data directory. */
export const DB_FILE = 'baseline.db';

/** An open store: the connection plus the lock that guards it. */
export interface OpenStore {
  readonly db: Database.Database;
  readonly home: string;
  readonly readOnly: boolean;
  close(): void;
}

/** How to open a store. */
export interface OpenStoreOptions {
  home: string;
  /** Read-only opens (journal verify/list) take no lock and never write or migrate. */
  readOnly?: boolean;
  /** Shown to a second process that finds the lock taken. */
  purpose?: string;
}

const SQLITE_HEADER = 'SQLite format 3\u0000';

function refuse(code: string, message: string, hint: string, details?: Record<string, unknown>): never {
  throw new BaselineError(code, message, hint, details);
}

/** Reads the store's identity without writing anything; throws a clear refusal for a file we must not open. */
export function inspectStoreFile(path: string): { fresh: boolean; userVersion: number } {
  if (!existsSync(path) || statSync(path).size === 0) return { fresh: true, userVersion: 0 };
  const fd = openSync(path, 'r');
  const header = Buffer.alloc(16);
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    refuse(
      'store-not-database',
      `${path} is not a Baseline store: it is not an SQLite database (corrupt, or another kind of file).`,
      'Move this file aside and start Baseline again to create a new store, or restore the data directory from a backup. Baseline has not changed the file.',
      { path },
    );
  }
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const appId = db.pragma('application_id', { simple: true }) as number;
    const userVersion = db.pragma('user_version', { simple: true }) as number;
    const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }).n;
    if (appId !== BASELINE_APPLICATION_ID) {
      if (appId === 0 && userVersion === 0 && tables === 0) return { fresh: true, userVersion: 0 };
      refuse(
        'store-foreign',
        `${path} is an SQLite database but not a Baseline store (application id ${appId}, ${tables} tables).`,
        'Point Baseline at its own data directory (--home or BASELINE_HOME). Baseline has not changed the file.',
        { path, appId },
      );
    }
    if (userVersion > LATEST_SCHEMA_VERSION) {
      refuse(
        'store-newer',
        `${path} was written by a newer Baseline (schema ${userVersion}; this version understands up to ${LATEST_SCHEMA_VERSION}).`,
        'Install the newer Baseline version that created it. Opening it here could lose data, so Baseline refuses and leaves it unchanged.',
        { path, userVersion, supported: LATEST_SCHEMA_VERSION },
      );
    }
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') {
      refuse(
        'store-corrupt',
        `${path} is damaged: SQLite's integrity check says "${check}".`,
        'Restore the data directory from a backup or from the central server. Baseline has not changed the file.',
        { path, check },
      );
    }
    return { fresh: false, userVersion };
  } catch (err) {
    if (err instanceof BaselineError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    return refuse(
      'store-corrupt',
      `${path} cannot be read as a database: ${msg}.`,
      'Restore the data directory from a backup or from the central server. Baseline has not changed the file.',
      { path },
    );
  } finally {
    db?.close();
  }
}

function migrate(db: Database.Database, from: number): void {
  for (const m of MIGRATIONS) {
    if (m.version <= from) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`application_id = ${BASELINE_APPLICATION_ID}`);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

/**
 * The data directory 0700 and the database files 0600, like the device key: the journal, people's certificates and
 * every capture are for this OS user only. Also tightens stores created before this rule (which were 0644).
 */
function restrictToOwner(home: string, path: string): void {
  if (process.platform === 'win32') return; // NTFS ACLs of the user's profile folder apply instead
  const chmod = (p: string, mode: number) => {
    try {
      chmodSync(p, mode);
    } catch {
      // Not ours to change (another owner, a read-only mount): the files keep the mode they were given.
    }
  };
  chmod(home, 0o700);
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmod(file, 0o600);
}

/** Opens (creating if needed) the store in a data directory. */
export function openStore(options: OpenStoreOptions): OpenStore {
  const { home } = options;
  const readOnly = options.readOnly ?? false;
  const path = join(home, DB_FILE);
  if (readOnly && !existsSync(path)) {
    refuse(
      'store-missing',
      `There is no Baseline store in ${home}.`,
      'Check the data directory (--home or BASELINE_HOME), or start Baseline once to create it.',
      { home },
    );
  }
  if (!readOnly) mkdirSync(home, { recursive: true, mode: 0o700 });
  const inspected = inspectStoreFile(path);
  if (readOnly && inspected.userVersion < LATEST_SCHEMA_VERSION) {
    refuse(
      'store-outdated',
      `The store in ${home} uses schema ${inspected.userVersion}; this version reads ${LATEST_SCHEMA_VERSION}.`,
      'Start the Baseline app once on this data directory to upgrade it, then run the command again.',
      { home },
    );
  }
  let lock: StoreLock | null = null;
  if (!readOnly) lock = acquireStoreLock(home, options.purpose ?? 'Baseline');
  try {
    // Created owner-only before SQLite sees it: SQLite gives the -wal and -shm files the database file's mode.
    if (!readOnly && !existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    const db = new Database(path, { readonly: readOnly, fileMustExist: readOnly });
    db.pragma('busy_timeout = 5000');
    if (!readOnly) {
      db.pragma('journal_mode = WAL');
      restrictToOwner(home, path);
      // FULL: an acknowledged event survives power loss, which an audit trail needs more than speed.
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    if (!readOnly) migrate(db, inspected.userVersion);
    let closed = false;
    return {
      db,
      home,
      readOnly,
      close() {
        if (closed) return;
        closed = true;
        db.close();
        lock?.release();
      },
    };
  } catch (err) {
    lock?.release();
    throw err;
  }
}
