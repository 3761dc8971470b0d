/**
 * Read side of evidence packs (issue #14): the stored journal rows a change's pack must carry, found by what
 * the events name (change id, restore decision, snapshot hash), and the rows that link them in their device chains.
 */
import type Database from 'better-sqlite3';
import type { StoredEventRow } from '../../src-shared/node/journal-verifier.ts';

const COLUMNS = 'id, device, seq, prev, type, payload, actor, at, hash, sig';

/** Queries for the evidence service; every statement reads, none writes. */
export class EvidenceRepository {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** Whether a change with this id exists. */
  hasChange(changeId: string): boolean {
    return this.db.prepare('SELECT 1 FROM changes WHERE id = ?').get(changeId) !== undefined;
  }

  /** The ids of the changes with this plant number ("CR-0007"). */
  changeIdsByNumber(number: string): string[] {
    return (
      this.db.prepare(`SELECT id FROM changes WHERE json_extract(state, '$.number') = ? ORDER BY created_at`).all(number) as {
        id: string;
      }[]
    ).map((r) => r.id);
  }

  /** The change register rows (id, status, class, title, created), oldest first. */
  changes(): { id: string; status: string; class: string | null; title: string; createdAt: string; updatedAt: string; state: string }[] {
    return this.db
      .prepare('SELECT id, status, class, title, created_at AS createdAt, updated_at AS updatedAt, state FROM changes ORDER BY created_at')
      .all() as never;
  }

  /** Each controller's line (controllers on no line are left out). */
  controllerLines(): Map<string, string> {
    return new Map(
      (this.db.prepare('SELECT id, line_id FROM controllers WHERE line_id IS NOT NULL').all() as { id: string; line_id: string }[]).map(
        (r) => [r.id, r.line_id],
      ),
    );
  }

  /** Events that name the change: its `change.updated` events, its restores' verification and the baseline it gave. */
  changeRows(changeId: string): StoredEventRow[] {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM events WHERE type IN ('change.updated', 'restore.verified', 'baseline.approved')
      AND json_extract(payload, '$.changeId') = ? ORDER BY rowid`,
      )
      .all(changeId) as StoredEventRow[];
  }

  /**
   * The restores of the change: every restore event naming it (the signed decisions, their starts, each value written
   * and read back, the outcome), including restores cut short or never proved, with no `restore.verified`.
   */
  changeRestoreRows(changeId: string): StoredEventRow[] {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM events WHERE type IN ('restore.authorized', 'restore.started', 'restore.written', 'restore.executed')
      AND json_extract(payload, '$.changeId') = ? ORDER BY rowid`,
      )
      .all(changeId) as StoredEventRow[];
  }

  /** A restore decision's events: the signed authorization, its start, each value written and read back, the outcome. */
  restoreRows(decisionId: string): StoredEventRow[] {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM events WHERE (type = 'restore.authorized' AND json_extract(payload, '$.id') = ?)
      OR (type IN ('restore.started', 'restore.written', 'restore.executed') AND json_extract(payload, '$.decisionId') = ?) ORDER BY rowid`,
      )
      .all(decisionId, decisionId) as StoredEventRow[];
  }

  /**
   * The `snapshot.captured` event of a snapshot (by its document hash) that recorded its current file: the one with
   * every signature when the document was signed more than once (the projection's file); else the first.
   */
  snapshotRow(snapshotSha256: string): StoredEventRow | undefined {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM events WHERE type = 'snapshot.captured' AND json_extract(payload, '$.snapshotSha256') = ?
           ORDER BY json_extract(payload, '$.fileSha256') = (SELECT file_sha256 FROM snapshots WHERE sha256 = ?) DESC, rowid LIMIT 1`,
      )
      .get(snapshotSha256, snapshotSha256) as StoredEventRow | undefined;
  }

  /** The `capture.recorded` event of a capture document (by its hash). */
  captureRow(captureSha256: string): StoredEventRow | undefined {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM events WHERE type = 'capture.recorded' AND json_extract(payload, '$.captureSha256') = ? ORDER BY rowid LIMIT 1`,
      )
      .get(captureSha256) as StoredEventRow | undefined;
  }

  /** Trust events: CAs trusted, people enrolled, certificates revoked (the revocation list in force). */
  trustRows(): StoredEventRow[] {
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM events WHERE type IN ('ca.trusted', 'person.enrolled', 'certificate.revoked') ORDER BY rowid`)
      .all() as StoredEventRow[];
  }

  /**
   * The plant model's events that name these controllers (registration, corrections, line placements), and the events
   * that name their lines (the latest plant import, and each line set since): where the pack finds the plant's names.
   */
  plantRows(controllerIds: readonly string[]): StoredEventRow[] {
    if (controllerIds.length === 0) return [];
    const ids = JSON.stringify(controllerIds);
    const controllers = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM events WHERE (type = 'controller.registered' AND json_extract(payload, '$.id') IN (SELECT value FROM json_each(?)))
          OR (type IN ('controller.edited', 'controller.line-assigned') AND json_extract(payload, '$.controllerId') IN (SELECT value FROM json_each(?)))
          ORDER BY rowid`,
      )
      .all(ids, ids) as StoredEventRow[];
    const lines = [
      ...new Set(
        controllers
          .filter((r) => r.type === 'controller.line-assigned')
          .map((r) => String((JSON.parse(r.payload) as { lineId: string }).lineId)),
      ),
    ];
    const imported = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE type = 'plant.imported' ORDER BY rowid DESC LIMIT 1`).get() as
      StoredEventRow | undefined;
    const lineSets = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM events WHERE type = 'plant.line-set' AND json_extract(payload, '$.line.id') IN (SELECT value FROM json_each(?))
          AND rowid > ? ORDER BY rowid`,
      )
      .all(JSON.stringify(lines), imported ? this.rowid(imported.id) : 0) as StoredEventRow[];
    return [...controllers, ...(imported ? [imported] : []), ...lineSets];
  }

  private rowid(eventId: string): number {
    return (this.db.prepare('SELECT rowid AS r FROM events WHERE id = ?').get(eventId) as { r: number }).r;
  }

  /** The central server's clock attestations this laptop pulled (plant-CA-signed statements), in the order received. */
  clockAttestations(): { id: string; statement: string; signature: string }[] {
    return this.db.prepare('SELECT id, statement, signature FROM clock_attestations ORDER BY rowid').all() as {
      id: string;
      statement: string;
      signature: string;
    }[];
  }

  /** The `policy.adopted` event of a revision, if the plant adopted it (else the shipped default was in force). */
  policyRow(revision: number): StoredEventRow | undefined {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM events WHERE type = 'policy.adopted' AND json_extract(payload, '$.revision') = ? ORDER BY rowid DESC LIMIT 1`,
      )
      .get(revision) as StoredEventRow | undefined;
  }

  /** The `checklists.adopted` event whose text has this SHA-256, if the plant adopted it (else the shipped templates were in force). */
  checklistsRow(sha256: string): StoredEventRow | undefined {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM events WHERE type = 'checklists.adopted' AND json_extract(payload, '$.sha256') = ? ORDER BY rowid DESC LIMIT 1`,
      )
      .get(sha256) as StoredEventRow | undefined;
  }

  /** The text of every checklist templates revision the plant adopted, oldest first (for naming a tick's checklist). */
  adoptedChecklistsYaml(): string[] {
    return (
      this.db
        .prepare(`SELECT json_extract(payload, '$.yaml') AS yaml FROM events WHERE type = 'checklists.adopted' ORDER BY rowid`)
        .all() as {
        yaml: string;
      }[]
    ).map((r) => r.yaml);
  }

  /** A device's events from `fromSeq` to `toSeq` inclusive, in chain order. */
  chainRows(device: string, fromSeq: number, toSeq: number): StoredEventRow[] {
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM events WHERE device = ? AND seq BETWEEN ? AND ? ORDER BY seq`)
      .all(device, fromSeq, toSeq) as StoredEventRow[];
  }
}
