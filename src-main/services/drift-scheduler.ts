/**
 * The app's background CIP-010 clock: while the app is open (Electron shell or web host) it looks every few minutes
 * for controllers whose drift check is due under the policy and checks them, one at a time, recorded exactly as a
 * check started by hand (`drift.checked`, and an unauthorized-change record on drift). A run never overlaps the
 * previous one; `stop` (on close) waits for the run in progress.
 */
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { toErrorData, type ErrorData } from '../../src-shared/common/errors.ts';
import type { BaselineService, DueRun } from './baseline-service.ts';

/** How often the background clock looks for due checks by default (5 minutes). */
export const DRIFT_SCHEDULER_INTERVAL_MS = 5 * 60_000;

/** What the background clock last did. */
export interface DriftSchedulerStatus {
  running: boolean;
  lastRun: DueRun | null;
  /** A run that failed as a whole (the store could not be read), or null. */
  lastError: ErrorData | null;
}

/** Runs due drift checks on a timer. */
export class DriftScheduler {
  private readonly deps: {
    baselines: BaselineService;
    clock: () => Date;
    actor: () => Actor;
    intervalMs?: number;
    onRun?: (run: DueRun) => void;
  };
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<DueRun | null> | null = null;
  private lastRun: DueRun | null = null;
  private lastError: ErrorData | null = null;

  constructor(deps: DriftScheduler['deps']) {
    this.deps = deps;
  }

  /** Starts the timer; the first look is one interval after the start (or at once with `immediately`). */
  start(options: { immediately?: boolean } = {}): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      void this.tick();
    }, this.deps.intervalMs ?? DRIFT_SCHEDULER_INTERVAL_MS);
    this.timer.unref();
    if (options.immediately) void this.tick();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** Whether the timer runs, and the outcome of the last run. */
  status(): DriftSchedulerStatus {
    return { running: this.timer !== null, lastRun: this.lastRun, lastError: this.lastError };
  }

  /** Every controller's drift clock with this background clock's state and the problems of its last run (the Controllers screen panel). */
  clocksView() {
    const status = this.status();
    const problems = [
      ...(status.lastRun?.errors ?? []).map((e) => ({ controller: e.controller, message: e.error.message })),
      ...(status.lastError ? [{ controller: '', message: status.lastError.message }] : []),
    ];
    return {
      ...this.deps.baselines.clocks(),
      background: {
        running: status.running,
        lastRunAt: status.lastRun?.at ?? null,
        lastRunChecked: status.lastRun?.checked.length ?? 0,
        lastRunProblems: problems,
      },
    };
  }

  /** One look: checks the controllers due now; null when a run is still in progress. */
  async tick(): Promise<DueRun | null> {
    if (this.inFlight !== null) return null;
    this.inFlight = (async () => {
      try {
        const run = await this.deps.baselines.checkDue(this.deps.actor(), this.deps.clock());
        this.lastRun = run;
        this.lastError = null;
        this.deps.onRun?.(run);
        return run;
      } catch (err) {
        this.lastError = toErrorData(err);
        return null;
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }
}
