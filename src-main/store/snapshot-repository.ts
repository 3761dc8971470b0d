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
  /** Who signed the same document after the first signer, in order. */
  cosigners: string[];
  at: string;
}

type Stored = { sha256: string; controller_id: string | null; controller: string; signer: string; cosigners: string; at: string };

const toRow = (r: Stored): SnapshotRow => ({
  sha256: r.sha256,
  controllerId: r.controller_id,
  controller: r.controller,
  signer: r.signer,
  cosigners: JSON.parse(r.cosigners) as string[],
  at: r.at,
});

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
        .prepare('SELECT sha256, controller_id, controller, signer, cosigners, at FROM snapshots WHERE controller_id = ? ORDER BY at DESC')
        .all(controllerId) as Stored[]
    ).map(toRow);
  }

  /** The stored file (blob hash) of a signed snapshot, by its document hash, or null. */
  fileOf(sha256: string): string | null {
    const r = this.db.prepare('SELECT file_sha256 FROM snapshots WHERE sha256 = ?').get(sha256) as { file_sha256: string } | undefined;
    return r?.file_sha256 ?? null;
  }

  /** One signed snapshot by its document hash, or null. */
  get(sha256: string): SnapshotRow | null {
    const r = this.db
      .prepare('SELECT sha256, controller_id, controller, signer, cosigners, at FROM snapshots WHERE sha256 = ?')
      .get(sha256) as Stored | undefined;
    return r ? toRow(r) : null;
  }
}
