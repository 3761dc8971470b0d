/**
 * Read side of the signed restore decisions (`restore_authorizations`, projected from `restore.authorized` and
 * `restore.executed` events), with the supervisor's signature as the decision's journal event carries it.
 */
import type Database from 'better-sqlite3';
import type { ESignature } from '../../src-shared/common/snapshot/snapshot.ts';

/** A signed restore decision as stored. */
export interface RestoreDecisionRow {
  controllerId: string;
  writesSha256: string;
  authorizedAt: string;
  /** True once a restore used it (each decision allows one). */
  used: boolean;
  signature: ESignature;
}

/** Queries over restore decisions. */
export class RestoreRepository {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** One decision by its id, or null. */
  decision(id: string): RestoreDecisionRow | null {
    const row = this.db
      .prepare('SELECT controller_id, writes_sha256, authorized_at, used_event_id, event_id FROM restore_authorizations WHERE id = ?')
      .get(id) as
      { controller_id: string; writes_sha256: string; authorized_at: string; used_event_id: string | null; event_id: string } | undefined;
    if (!row) return null;
    const event = this.db.prepare('SELECT payload FROM events WHERE id = ?').get(row.event_id) as { payload: string };
    const payload = JSON.parse(event.payload) as { signature: ESignature };
    return {
      controllerId: row.controller_id,
      writesSha256: row.writes_sha256,
      authorizedAt: row.authorized_at,
      used: row.used_event_id !== null,
      signature: payload.signature,
    };
  }
}
