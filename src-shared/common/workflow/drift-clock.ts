/**
 * The NERC CIP-010 clocks, pure: when each controller's next drift check is due (R2.1: compare the running
 * configuration with the baseline at least once every 35 calendar days), and which baselines were not updated within
 * 30 days of a completed change (R1.3). The intervals come from the policy's `driftChecks` section.
 *
 * A controller's clock starts at its last drift check, or, never checked, at the approval of its current baseline
 * (the baseline capture is itself a comparison point). A controller without a baseline has no clock: there is
 * nothing to compare with, and the dashboard says so.
 */

/** What the clocks know about one controller. */
export interface DriftClockController {
  id: string;
  name: string;
  /** Every approved baseline version, any order. */
  baselines: readonly { version: number; snapshotSha256: string; approvedAt: string }[];
  /** The time of the last recorded drift check (`drift.checked`), or null. */
  lastCheckAt: string | null;
}

/** A change closed as completed, with the controllers it targeted and their latest after-snapshots. */
export interface DriftClockChange {
  id: string;
  title: string;
  closedAt: string;
  targetControllers: readonly string[];
  /** The latest after-snapshot per controller (a controller missing here had none recorded). */
  afterSnapshots: Readonly<Record<string, string>>;
}

/** The policy's intervals, in minutes. */
export interface DriftClockPolicy {
  checkEveryMinutes: number;
  baselineAfterChangeMinutes: number;
}

/** One controller's drift-check clock. */
export interface DriftClockRow {
  controllerId: string;
  controller: string;
  baselineVersion: number | null;
  lastCheckAt: string | null;
  /** When the next check is due (null without a baseline). */
  dueAt: string | null;
  /** `due`: the check should run now (its time has come or passed). */
  status: 'no-baseline' | 'ok' | 'due';
  /** Whole days past `dueAt` (0 when not due). */
  daysOverdue: number;
}

/** A completed change whose controller's baseline has not been updated since. */
export interface BaselineFollowUp {
  changeId: string;
  title: string;
  controllerId: string;
  controller: string;
  closedAt: string;
  /** closedAt plus the policy's limit. */
  dueAt: string;
  afterSnapshotSha256: string | null;
  /** `overdue`: the limit passed without a new baseline. */
  status: 'pending' | 'overdue';
}

/** The dashboard: every controller's clock, and the baselines owed after completed changes. */
export interface DriftClockReport {
  at: string;
  checkEveryMinutes: number;
  baselineAfterChangeMinutes: number;
  controllers: DriftClockRow[];
  followUps: BaselineFollowUp[];
}

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

function latest<T extends { version: number }>(rows: readonly T[]): T | null {
  return rows.reduce<T | null>((a, b) => (a === null || b.version > a.version ? b : a), null);
}

/** One controller's clock at `now`. */
export function driftClockOf(c: DriftClockController, policy: DriftClockPolicy, now: Date): DriftClockRow {
  const current = latest(c.baselines);
  if (current === null) {
    return {
      controllerId: c.id,
      controller: c.name,
      baselineVersion: null,
      lastCheckAt: c.lastCheckAt,
      dueAt: null,
      status: 'no-baseline',
      daysOverdue: 0,
    };
  }
  // A baseline approved after the last check restarts the clock too: it was captured then.
  const from = Math.max(Date.parse(current.approvedAt), c.lastCheckAt === null ? -Infinity : Date.parse(c.lastCheckAt));
  const due = from + policy.checkEveryMinutes * MINUTE;
  const late = now.getTime() - due;
  return {
    controllerId: c.id,
    controller: c.name,
    baselineVersion: current.version,
    lastCheckAt: c.lastCheckAt,
    dueAt: new Date(due).toISOString(),
    status: late >= 0 ? 'due' : 'ok',
    daysOverdue: late > 0 ? Math.floor(late / DAY) : 0,
  };
}

/** Baselines owed after completed changes: a target controller with no baseline approved since the change closed (nor of its after-snapshot). */
export function baselineFollowUps(
  controllers: readonly DriftClockController[],
  changes: readonly DriftClockChange[],
  policy: DriftClockPolicy,
  now: Date,
): BaselineFollowUp[] {
  const byId = new Map(controllers.map((c) => [c.id, c]));
  const out: BaselineFollowUp[] = [];
  for (const ch of changes) {
    const closed = Date.parse(ch.closedAt);
    for (const id of new Set(ch.targetControllers)) {
      const c = byId.get(id);
      if (c === undefined) continue;
      const after = ch.afterSnapshots[id] ?? null;
      const updated = c.baselines.some((b) => Date.parse(b.approvedAt) >= closed || (after !== null && b.snapshotSha256 === after));
      if (updated) continue;
      const due = closed + policy.baselineAfterChangeMinutes * MINUTE;
      out.push({
        changeId: ch.id,
        title: ch.title,
        controllerId: id,
        controller: c.name,
        closedAt: ch.closedAt,
        dueAt: new Date(due).toISOString(),
        afterSnapshotSha256: after,
        status: now.getTime() > due ? 'overdue' : 'pending',
      });
    }
  }
  return out.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}

/** Every clock at `now`: controllers due first (most overdue first), then by next due time, then those without a baseline. */
export function driftClockReport(
  controllers: readonly DriftClockController[],
  changes: readonly DriftClockChange[],
  policy: DriftClockPolicy,
  now: Date,
): DriftClockReport {
  const rank = (r: DriftClockRow) => (r.status === 'due' ? 0 : r.status === 'ok' ? 1 : 2);
  const rows = controllers
    .map((c) => driftClockOf(c, policy, now))
    .sort((a, b) => rank(a) - rank(b) || (a.dueAt ?? '').localeCompare(b.dueAt ?? '') || a.controller.localeCompare(b.controller));
  return {
    at: now.toISOString(),
    checkEveryMinutes: policy.checkEveryMinutes,
    baselineAfterChangeMinutes: policy.baselineAfterChangeMinutes,
    controllers: rows,
    followUps: baselineFollowUps(controllers, changes, policy, now),
  };
}

/** The controllers whose drift check is due at `now`. */
export function dueControllers(report: DriftClockReport): DriftClockRow[] {
  return report.controllers.filter((r) => r.status === 'due');
}

/**
 * The exit code of `baseline drift --due`: 3 when drift was found; otherwise 1 when a check failed for a reason other
 * than an unreachable controller; otherwise 4 when a due controller could not be reached; otherwise 0.
 */
export function dueExitCode(run: { checked: readonly { drifted: boolean }[]; errors: readonly { unreachable: boolean }[] }): 0 | 1 | 3 | 4 {
  if (run.checked.some((r) => r.drifted)) return 3;
  if (run.errors.some((e) => !e.unreachable)) return 1;
  return run.errors.length > 0 ? 4 : 0;
}
