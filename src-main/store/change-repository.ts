/**
 * Read side of change requests: the `changes` projection (each change's state as JSON), the facts about their
 * target controllers the workflow reads (line, safety, profile), and the journal events that make up a change's
 * timeline and its restores. Writes happen only through journal events (projections.ts).
 */
import type Database from 'better-sqlite3';

/** A target controller as the change workflow sees it. */
export interface ChangeTargetRow {
  id: string;
  name: string;
  line_id: string | null;
  profile_sha256: string | null;
  safety: number;
}

/** One row of the change register. */
export interface ChangeSummaryRow {
  id: string;
  status: string;
  title: string;
  class: string | null;
  requester: string;
  state: string;
  created_at: string;
  updated_at: string;
}

/** A journal event as the change screens read it. */
export interface ChangeEventRow {
  seq: number;
  at: string;
  type: string;
  actor: string;
  payload: string;
}

/** Queries over change requests and the events about them. */
export class ChangeRepository {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** The given controllers (those registered here), with their line, safety flag and profile. */
  targetControllers(ids: readonly string[]): ChangeTargetRow[] {
    if (ids.length === 0) return [];
    return this.db
      .prepare(`SELECT id, name, line_id, profile_sha256, safety FROM controllers WHERE id IN (${ids.map(() => '?').join(',')})`)
      .all(...ids) as ChangeTargetRow[];
  }

  /** One change's state as stored (JSON), or null when there is no such change. */
  stateJson(id: string): string | null {
    return (this.db.prepare('SELECT state FROM changes WHERE id = ?').get(id) as { state: string } | undefined)?.state ?? null;
  }

  /** Every change's state as stored (JSON), oldest first. */
  statesJsonByCreation(): string[] {
    return (this.db.prepare('SELECT state FROM changes ORDER BY created_at').all() as { state: string }[]).map((r) => r.state);
  }

  /** The change register's rows, newest first. */
  summaries(): ChangeSummaryRow[] {
    return this.db
      .prepare('SELECT id, status, title, class, requester, state, created_at, updated_at FROM changes ORDER BY created_at DESC')
      .all() as ChangeSummaryRow[];
  }

  /** Every registered controller's name, by id. */
  controllerNames(): Record<string, string> {
    return Object.fromEntries(
      (this.db.prepare('SELECT id, name FROM controllers').all() as { id: string; name: string }[]).map((r) => [r.id, r.name]),
    );
  }

  /** A controller's capture profile hash: undefined when it is not registered, null when it has no profile. */
  controllerProfileSha256(controllerId: string): string | null | undefined {
    return (
      this.db.prepare('SELECT profile_sha256 FROM controllers WHERE id = ?').get(controllerId) as
        { profile_sha256: string | null } | undefined
    )?.profile_sha256;
  }

  /** The line of every controller that is on one. */
  controllerLineRows(): { id: string; line_id: string }[] {
    return this.db.prepare('SELECT id, line_id FROM controllers WHERE line_id IS NOT NULL').all() as { id: string; line_id: string }[];
  }

  /** The restore events (decision, writes, proof) of one change, or of every change, in journal order. */
  restoreEvents(changeId?: string): { type: string; at: string; payload: string }[] {
    return this.db
      .prepare(
        `SELECT type, at, payload FROM events WHERE type IN ('restore.authorized', 'restore.started', 'restore.written', 'restore.executed', 'restore.verified')
      ${changeId ? `AND json_extract(payload, '$.changeId') = ?` : ''} ORDER BY rowid`,
      )
      .all(...(changeId ? [changeId] : [])) as { type: string; at: string; payload: string }[];
  }

  /**
   * The events of a change's timeline, in journal order: its decisions and restores, and every capture recorded
   * from `from` (the start of its execution; none when null) until `to` (its close; open-ended when null).
   */
  timelineEvents(id: string, from: string | null, to: string | null): ChangeEventRow[] {
    return this.db
      .prepare(
        `SELECT seq, at, type, actor, payload FROM events WHERE
      (type = 'change.updated' AND json_extract(payload, '$.changeId') = ?)
      OR (type IN ('restore.authorized', 'restore.started', 'restore.written', 'restore.executed', 'restore.verified') AND json_extract(payload, '$.changeId') = ?)
      OR (type = 'baseline.approved' AND json_extract(payload, '$.changeId') = ?)
      OR (type IN ('capture.recorded', 'snapshot.captured') AND ? IS NOT NULL AND at >= ? AND (? IS NULL OR at <= ?))
      ORDER BY rowid`,
      )
      .all(id, id, id, from, from, to, to) as ChangeEventRow[];
  }

  /**
   * The changes still open (not closed, rejected or withdrawn) that target a controller or propose values for it:
   * a controller they name cannot be retired under them.
   */
  openChangesTargeting(controllerId: string): { id: string; number: string | null; title: string; status: string }[] {
    return this.db
      .prepare(
        `SELECT id, json_extract(state, '$.number') AS number, title, status FROM changes
      WHERE status NOT IN ('closed', 'rejected', 'withdrawn')
        AND (EXISTS (SELECT 1 FROM json_each(state, '$.fields.targetControllers') WHERE value = ?) OR json_extract(state, '$.fields.proposedChange.controllerId') = ?)
      ORDER BY created_at`,
      )
      .all(controllerId, controllerId) as { id: string; number: string | null; title: string; status: string }[];
  }

  /** The ids of the changes with this plant number ("CR-0007"): one, or several when two laptops filed offline at once. */
  idsByNumber(number: string): string[] {
    return (
      this.db.prepare(`SELECT id FROM changes WHERE json_extract(state, '$.number') = ? ORDER BY created_at`).all(number) as {
        id: string;
      }[]
    ).map((r) => r.id);
  }

  /** The captures started from a change's screen (capture.recorded with that change), in journal order. */
  changeCaptureEvents(changeId: string): { at: string; payload: string }[] {
    return this.db
      .prepare(
        `SELECT at, payload FROM events WHERE type = 'capture.recorded' AND json_extract(payload, '$.change.changeId') = ? ORDER BY rowid`,
      )
      .all(changeId) as { at: string; payload: string }[];
  }

  /** Every change number this data directory holds (its own changes and synced ones); changes filed before numbers have none. */
  changeNumbers(): string[] {
    return (
      this.db
        .prepare(`SELECT json_extract(state, '$.number') AS number FROM changes WHERE json_extract(state, '$.number') IS NOT NULL`)
        .all() as { number: string }[]
    ).map((r) => r.number);
  }
}
