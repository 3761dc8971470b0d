/** Read side of approved baselines, drift checks and unauthorized-change records. */
import type Database from 'better-sqlite3';
import type { DriftClockChange, DriftClockController } from '../../src-shared/common/workflow/drift-clock.ts';

/** One approved baseline version. */
export interface BaselineRow {
  controllerId: string;
  version: number;
  snapshotSha256: string;
  approvedBy: string;
  approvedAt: string;
}

/** One unauthorized-change record. */
export interface UnauthorizedChangeRow {
  id: string;
  controllerId: string;
  openedAt: string;
  baselineSha256: string;
  captureSha256: string;
  differences: { tag: string; kind: string; before: string; after: string; safety: boolean }[];
  moreDifferences: number;
  closedAt: string | null;
  closedBy: string | null;
  explanation: string | null;
}

/** Queries over baselines and drift. */
export class BaselineRepository {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** Every baseline version of a controller, newest first. */
  history(controllerId: string): BaselineRow[] {
    return (
      this.db.prepare('SELECT * FROM baselines WHERE controller_id = ? ORDER BY version DESC').all(controllerId) as {
        controller_id: string;
        version: number;
        snapshot_sha256: string;
        approved_by: string;
        approved_at: string;
      }[]
    ).map((r) => ({
      controllerId: r.controller_id,
      version: r.version,
      snapshotSha256: r.snapshot_sha256,
      approvedBy: r.approved_by,
      approvedAt: r.approved_at,
    }));
  }

  /** The current (latest) baseline, or null. */
  current(controllerId: string): BaselineRow | null {
    return this.history(controllerId)[0] ?? null;
  }

  /** The stored snapshot file of a signed snapshot (blob hash), or null. */
  snapshotFile(sha256: string): { fileSha256: string; controllerId: string | null } | null {
    const r = this.db.prepare('SELECT file_sha256, controller_id FROM snapshots WHERE sha256 = ?').get(sha256) as
      { file_sha256: string; controller_id: string | null } | undefined;
    return r ? { fileSha256: r.file_sha256, controllerId: r.controller_id } : null;
  }

  /** Unauthorized-change records, open ones first, optionally of one controller. */
  unauthorizedChanges(controllerId?: string): UnauthorizedChangeRow[] {
    const rows = (
      controllerId
        ? this.db
            .prepare('SELECT * FROM unauthorized_changes WHERE controller_id = ? ORDER BY closed_at IS NOT NULL, opened_at DESC')
            .all(controllerId)
        : this.db.prepare('SELECT * FROM unauthorized_changes ORDER BY closed_at IS NOT NULL, opened_at DESC').all()
    ) as {
      id: string;
      controller_id: string;
      opened_at: string;
      baseline_sha256: string;
      capture_sha256: string;
      differences: string;
      closed_at: string | null;
      closed_by: string | null;
      explanation: string | null;
    }[];
    return rows.map((r) => {
      const d = JSON.parse(r.differences) as { differences: UnauthorizedChangeRow['differences']; more: number };
      return {
        id: r.id,
        controllerId: r.controller_id,
        openedAt: r.opened_at,
        baselineSha256: r.baseline_sha256,
        captureSha256: r.capture_sha256,
        differences: d.differences,
        moreDifferences: d.more,
        closedAt: r.closed_at,
        closedBy: r.closed_by,
        explanation: r.explanation,
      };
    });
  }

  /** What the CIP-010 clocks need of every registered controller: its baselines and its last drift check. */
  clockControllers(): DriftClockController[] {
    const controllers = this.db.prepare('SELECT id, name FROM controllers WHERE retired_at IS NULL ORDER BY name').all() as {
      id: string;
      name: string;
    }[];
    const baselines = this.db.prepare('SELECT controller_id, version, snapshot_sha256, approved_at FROM baselines').all() as {
      controller_id: string;
      version: number;
      snapshot_sha256: string;
      approved_at: string;
    }[];
    const checks = new Map(
      (
        this.db.prepare('SELECT controller_id, MAX(at) AS at FROM drift_checks GROUP BY controller_id').all() as {
          controller_id: string;
          at: string;
        }[]
      ).map((r) => [r.controller_id, r.at]),
    );
    return controllers.map((c) => ({
      id: c.id,
      name: c.name,
      lastCheckAt: checks.get(c.id) ?? null,
      baselines: baselines
        .filter((b) => b.controller_id === c.id)
        .map((b) => ({ version: b.version, snapshotSha256: b.snapshot_sha256, approvedAt: b.approved_at })),
    }));
  }

  /** Changes closed as completed, with their target controllers and latest after-snapshot of each. */
  completedChanges(): DriftClockChange[] {
    const rows = this.db.prepare("SELECT id, title, state FROM changes WHERE status = 'closed'").all() as {
      id: string;
      title: string;
      state: string;
    }[];
    const out: DriftClockChange[] = [];
    for (const r of rows) {
      const state = JSON.parse(r.state) as {
        fields: { targetControllers?: string[] };
        closure?: { at: string; outcome: string };
        execution?: { snapshots?: { phase: string; controllerId: string; snapshotSha256: string }[] };
      };
      if (state.closure?.outcome !== 'completed') continue;
      const afterSnapshots: Record<string, string> = {};
      for (const x of state.execution?.snapshots ?? []) if (x.phase === 'after') afterSnapshots[x.controllerId] = x.snapshotSha256;
      out.push({
        id: r.id,
        title: r.title,
        closedAt: state.closure.at,
        targetControllers: state.fields.targetControllers ?? [],
        afterSnapshots,
      });
    }
    return out;
  }
}
