/**
 * Read side of the signed-snapshot projection: which snapshots were signed of which controller, by whom and when,
 * as plain typed objects. Writes happen only through journal events (projections.ts).
 */
import type Database from 'better-sqlite3';

/** A signed snapshot of a controller. */
export interface SnapshotRow {
  sha256: string;
  controllerId: string | null;
  controller: string;
  signer: string;
  at: string;
}

/** Reads the signed snapshots. */
export class SnapshotRepository {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** Signed snapshots of a controller, newest first. */
  list(controllerId: string): SnapshotRow[] {
    return (
      this.db
        .prepare('SELECT sha256, controller_id, controller, signer, at FROM snapshots WHERE controller_id = ? ORDER BY at DESC')
        .all(controllerId) as { sha256: string; controller_id: string | null; controller: string; signer: string; at: string }[]
    ).map((r) => ({ sha256: r.sha256, controllerId: r.controller_id, controller: r.controller, signer: r.signer, at: r.at }));
  }
}
