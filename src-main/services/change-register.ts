/**
 * The change register's words for a change: its summary row, the people involved, its restores and how it ended
 * (completed, rolled back, rolled back and restored, failed), and the windows the calendar shows. ChangeService
 * reads the rows; this module words them.
 */
import { changeNumber, statusLabel, type ChangeState } from '../../src-shared/common/workflow/change-state.ts';
import type { ChangeRequestFields } from '../../src-shared/common/workflow/change-request.ts';
import type { ChangeSummaryRow } from '../store/change-repository.ts';
import { latestManualRollbacks, rollbackProofStatus } from '../../src-shared/common/workflow/rollback-proof.ts';

/** One change in the register. */
export interface ChangeSummary {
  id: string;
  /** "CR-0007" (for a change filed before numbers existed, the start of its id). */
  number: string;
  status: string;
  /** The state as the change's detail names it ("in execution (break-glass)", "approved (with conditions)"). */
  statusLabel: string;
  /** How it ended (null while it is going on). */
  outcome: ChangeOutcome;
  title: string;
  class: string | null;
  requester: string;
  /** Employee ids of the requester and of everyone who decided something on it (for "mine"). */
  people: string[];
  /** Lines of its target controllers. */
  lines: string[];
  createdAt: string;
  updatedAt: string;
}

/** Every `by.id` (and the requester's id) anywhere in a change's state: the people involved in it. */
export function peopleIn(state: ChangeState): string[] {
  const ids = new Set<string>([state.requester.id]);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (
          (k === 'by' || k === 'executor' || k === 'witness') &&
          x !== null &&
          typeof x === 'object' &&
          typeof (x as { id?: unknown }).id === 'string'
        )
          ids.add((x as { id: string }).id);
        walk(x);
      }
    }
  };
  walk(state);
  return [...ids];
}

/** How a change ended, as the register and the detail say it (null while it is still going on). */
export type ChangeOutcome = 'completed' | 'rolled back' | 'rolled back and restored' | 'failed' | null;

/** One restore of a rolled-back change's controller: who decided it, what was written, whether the controller matched after. */
export interface RestoreRecord {
  controllerId: string;
  decisionId: string;
  authorizedBy: string;
  authorizedAt: string;
  reason: string;
  writes: number;
  /** When the writing started (null until then). */
  startedAt: string | null;
  /** Each value written so far, as the device process reported it (journalled one by one while the restore ran). */
  steps: { tag: string; status: 'written-verified' | 'write-failed' | 'readback-mismatch'; at: string }[];
  /** The writing started but never reported its end: the app was stopped or killed mid-restore. */
  interrupted: boolean;
  /**
   * The value that was being written when the restore stopped without its outcome (the app stopped mid-restore: the
   * next one after the last recorded; or the restore job failed as a whole), whose outcome is unknown until the
   * controller is read again (null otherwise).
   */
  inFlight: string | null;
  /** Null until the writes ran. */
  written: { verified: number; failed: number; complete: boolean; at: string } | null;
  /** Null until the controller was read again and compared with the before-snapshot. */
  verified: { matchesBefore: boolean; remaining: number; at: string } | null;
}

/**
 * The outcome: completed; rolled back; rolled back and restored (every controller restored, or rolled back by hand,
 * proved by its re-capture to match its before-snapshot or its differences explained and countersigned); failed (a
 * restore did not complete or the controller still differs from the before-snapshot).
 */
export function changeOutcome(state: ChangeState, restores: readonly RestoreRecord[]): ChangeOutcome {
  if (state.status === 'closed' && state.closure.outcome === 'completed') return 'completed';
  if (state.status !== 'closed' && state.status !== 'rolled-back') return null;
  const manual = latestManualRollbacks(state.execution);
  if (restores.length === 0 && manual.length === 0) return 'rolled back';
  const last = new Map<string, RestoreRecord>();
  for (const r of restores) last.set(r.controllerId, r);
  const ended = [...last.values()];
  if (ended.some((r) => r.interrupted || (r.written && !r.written.complete) || (r.verified && !r.verified.matchesBefore))) return 'failed';
  // A controller rolled back by hand counts once its re-capture proves it; a later one decides for that controller.
  const byHand = new Map(manual.map((m) => [m.controllerId, rollbackProofStatus(m).status === 'proven']));
  const proven = [...ended.filter((r) => !byHand.has(r.controllerId)).map((r) => r.verified?.matchesBefore === true), ...byHand.values()];
  return proven.every(Boolean) ? 'rolled back and restored' : 'rolled back';
}

/** Lines of a change's target controllers, given the lines the plant model knows and where each controller is. */
export function linesOfTargets(
  knownLines: readonly string[],
  controllerLines: readonly { id: string; line_id: string }[],
): (fields: ChangeRequestFields) => string[] {
  const known = new Set(knownLines);
  const lineOf = new Map(controllerLines.filter((r) => known.has(r.line_id)).map((r) => [r.id, r.line_id]));
  return (fields) => [...new Set(fields.targetControllers.map((id) => lineOf.get(id)).filter((l): l is string => l !== undefined))];
}

/** The register's rows (newest first, as read), with each change's outcome, people and lines. */
export function registerOf(
  rows: readonly ChangeSummaryRow[],
  linesOf: (fields: ChangeRequestFields) => string[],
  restores: ReadonlyMap<string, RestoreRecord[]>,
): ChangeSummary[] {
  return rows.map((r) => {
    const state = JSON.parse(r.state) as ChangeState;
    return {
      id: r.id,
      number: changeNumber(state),
      status: r.status,
      statusLabel: statusLabel(state),
      outcome: changeOutcome(state, restores.get(r.id) ?? []),
      title: r.title,
      class: r.class,
      requester: r.requester,
      people: peopleIn(state),
      lines: linesOf(state.fields),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  });
}

/** A change's slot or requested window on the calendar. */
export interface RequestedWindow {
  id: string;
  /** The plant's change number (CR-0007). */
  number: string;
  title: string;
  status: string;
  start: string;
  end: string;
  lines: string[];
}

/** Each change's booked slot, or else the window it asked for (withdrawn and rejected changes hold none). */
export function requestedWindowsOf(states: readonly ChangeState[], linesOf: (fields: ChangeRequestFields) => string[]): RequestedWindow[] {
  return states
    .filter((c) => c.status !== 'withdrawn' && c.status !== 'rejected')
    .flatMap((c) => {
      // Once booked, the slot is what the calendar must show; until then, the window the request asked for.
      const w = 'slot' in c && c.slot ? c.slot : c.fields.requestedWindow;
      return w
        ? [
            {
              id: c.id,
              number: changeNumber(c),
              title: c.fields.title,
              status: c.status,
              start: w.start,
              end: w.end,
              lines: linesOf(c.fields),
            },
          ]
        : [];
    });
}
