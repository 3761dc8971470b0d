/**
 * Proves the projection tables equal to the journal: replays the verified events (in verified order) into a
 * scratch in-memory database with the same schema, then compares every projection table row by row, by primary key.
 *
 * The app reads trust (CAs, revocations, people, locks, policy) from these tables, and anyone who can write
 * baseline.db can change a table without touching the signed journal; this is how such an edit is found.
 */
import Database from 'better-sqlite3';
import type { JournalEvent, ProjectionDifference } from '../../src-shared/common/journal-event.ts';
import { canonicalJson, type JsonValue } from '../../src-shared/common/canonical-json.ts';
import { MIGRATIONS, PROJECTION_TABLES } from './migrations.ts';
import { project } from './projections.ts';

/** How many differing rows each table's report names. */
const ROWS_NAMED = 5;

/** A scratch database with the store's schema, into which verified events are replayed. */
export class ProjectionReplay {
  private readonly scratch: Database.Database;
  private readonly localDevice: string | null;

  /** `localDevice`: this data directory's own device (other devices' events project as pulled ones do). */
  constructor(localDevice: string | null = null) {
    this.localDevice = localDevice;
    this.scratch = new Database(':memory:');
    for (const m of MIGRATIONS) this.scratch.exec(m.sql);
    this.scratch.exec('BEGIN');
  }

  /** Applies one verified event, as the append did. */
  apply(event: JournalEvent): void {
    project(this.scratch, event, this.localDevice === null || event.device === this.localDevice);
  }

  /** Compares every projection table of `db` with the replay; frees the scratch database. */
  compareWith(db: Database.Database): ProjectionDifference[] {
    try {
      this.scratch.exec('COMMIT');
      const out: ProjectionDifference[] = [];
      // Oldest tables first (the list is in deletion order, newest first).
      for (const table of [...PROJECTION_TABLES].reverse()) {
        const d = compareTable(table, this.scratch, db);
        if (d) out.push(d);
      }
      return out;
    } finally {
      this.scratch.close();
    }
  }
}

type Row = Record<string, unknown>;

function keyColumns(db: Database.Database, table: string): string[] {
  const cols = db.prepare(`SELECT name, pk FROM pragma_table_info(?) ORDER BY pk`).all(table) as { name: string; pk: number }[];
  const pk = cols.filter((c) => c.pk > 0).map((c) => c.name);
  return pk.length > 0 ? pk : cols.map((c) => c.name);
}

function describeKey(row: Row, key: string[]): string {
  return key
    .map((k) => {
      const v = row[k];
      const text = typeof v === 'string' && v.length > 16 ? `${v.slice(0, 12)}…` : String(v);
      return `${k}=${text}`;
    })
    .join(' ');
}

/**
 * A column value in comparable form: JSON text (the projectors store some payload parts as JSON, whose key order
 * follows the object they were given) is compared by its canonical form, so only a change of content counts.
 */
function comparable(v: unknown): unknown {
  if (typeof v !== 'string' || (v[0] !== '{' && v[0] !== '[')) return v;
  try {
    return canonicalJson(JSON.parse(v) as JsonValue);
  } catch {
    return v;
  }
}

function rowsByKey(db: Database.Database, table: string, key: string[]): Map<string, { row: Row; text: string }> {
  const map = new Map<string, { row: Row; text: string }>();
  for (const row of db.prepare(`SELECT * FROM ${table}`).iterate() as Iterable<Row>) {
    const normal: Row = {};
    for (const [c, v] of Object.entries(row)) normal[c] = comparable(v);
    map.set(JSON.stringify(key.map((k) => row[k])), { row: normal, text: JSON.stringify(normal) });
  }
  return map;
}

function compareTable(table: string, journal: Database.Database, store: Database.Database): ProjectionDifference | null {
  const key = keyColumns(store, table);
  const expected = rowsByKey(journal, table, key);
  const actual = rowsByKey(store, table, key);
  const d: ProjectionDifference = { table, missing: 0, unexpected: 0, changed: 0, rows: [] };
  const name = (what: string, row: Row) => {
    if (d.rows.length < ROWS_NAMED) d.rows.push(`${what} ${describeKey(row, key)}`);
  };
  for (const [k, e] of expected) {
    const a = actual.get(k);
    if (!a) {
      d.missing++;
      name('missing', e.row);
    } else if (a.text !== e.text) {
      d.changed++;
      const cols = Object.keys(e.row).filter((c) => JSON.stringify(e.row[c]) !== JSON.stringify(a.row[c]));
      name(`changed (${cols.join(', ')})`, e.row);
    }
  }
  for (const [k, a] of actual) {
    if (!expected.has(k)) {
      d.unexpected++;
      name('not in the journal:', a.row);
    }
  }
  return d.missing + d.unexpected + d.changed === 0 ? null : d;
}
