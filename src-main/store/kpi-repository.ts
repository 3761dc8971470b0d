/**
 * Read side of the change KPIs: the change records, the first submission of each (from the journal's
 * `change.updated` events), drift checks, unauthorized-change records, and where each controller is placed.
 */
import type Database from 'better-sqlite3';

/** What the KPIs are computed from, as stored. */
export interface KpiRows {
  changes: { id: string; state: string }[];
  /** The first `submit` event of each change that has one. */
  firstSubmits: Map<string, string>;
  driftChecks: { controllerId: string; at: string }[];
  unauthorized: { id: string; controllerId: string; openedAt: string; closedAt: string | null }[];
  /** Controller id -> its name and line (null: on no line). */
  controllers: Map<string, { name: string; lineId: string | null }>;
}

/** Queries for the KPI service. */
export class KpiRepository {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** Everything the KPIs need, read in one transaction so the figures agree with each other. */
  read(): KpiRows {
    return this.db.transaction((): KpiRows => {
      const changes = this.db.prepare('SELECT id, state FROM changes ORDER BY created_at, id').all() as { id: string; state: string }[];
      const submits = this.db
        .prepare(
          `SELECT json_extract(payload, '$.changeId') AS id, at FROM events
        WHERE type = 'change.updated' AND json_extract(payload, '$.operation') = 'submit' ORDER BY rowid`,
        )
        .all() as { id: string; at: string }[];
      const firstSubmits = new Map<string, string>();
      for (const s of submits) if (!firstSubmits.has(s.id)) firstSubmits.set(s.id, s.at);
      const driftChecks = this.db
        .prepare('SELECT controller_id AS controllerId, at FROM drift_checks ORDER BY at')
        .all() as KpiRows['driftChecks'];
      const unauthorized = this.db
        .prepare(
          'SELECT id, controller_id AS controllerId, opened_at AS openedAt, closed_at AS closedAt FROM unauthorized_changes ORDER BY opened_at, id',
        )
        .all() as KpiRows['unauthorized'];
      const controllers = new Map(
        (
          this.db.prepare('SELECT id, name, line_id AS lineId FROM controllers').all() as {
            id: string;
            name: string;
            lineId: string | null;
          }[]
        ).map((c) => [c.id, { name: c.name, lineId: c.lineId }]),
      );
      return { changes, firstSubmits, driftChecks, unauthorized, controllers };
    })();
  }
}
