/**
 * The execution's clock against its booked slot (the change guide's go/no-go checkpoints): when a checkpoint with a
 * due time falls due (the mid-change assessment at 50 % of the window), and whether the window has ended without the
 * decision the app then asks for (complete the work, or roll it back). Pure: the change detail evaluates it every
 * few seconds from the laptop's clock; the decision itself is the state machine's `window-decision` operation.
 */
import type { ChangeState, WindowDecisionRecord } from './change-state.ts';
import { checkpointProgress, type CheckpointSet } from './checkpoints.ts';

/** A checkpoint with a due time, and where it stands. */
export interface CheckpointDue {
  checkpoint: string;
  name: string;
  dueAt: string;
  /** upcoming: before its time; due: its time has come and it is the next to sign; done: signed; skipped: the execution ended before it. */
  status: 'upcoming' | 'due' | 'done' | 'skipped';
}

/** What the execution's clock says at `now`. */
export interface ExecutionClock {
  /** Checkpoints that fall due at a fraction of the window (none without a slot, e.g. under break-glass). */
  due: CheckpointDue[];
  /** The end of the window: open, over and a decision is asked for, or decided (null without a slot). */
  windowEnd: { endsAt: string; status: 'open' | 'decision-due' | 'decided'; decision: WindowDecisionRecord | null } | null;
}

/** The time a checkpoint falls due in a slot: start + fraction of its length. */
export function dueAtInSlot(slot: { start: string; end: string }, fraction: number): string {
  const start = Date.parse(slot.start);
  return new Date(start + Math.round((Date.parse(slot.end) - start) * fraction)).toISOString();
}

/** The execution clock of a change at `now`; empty for a change not in execution, rolled back or closed. */
export function executionClock(state: ChangeState, set: Pick<CheckpointSet, 'checkpoints'>, now: Date): ExecutionClock {
  if (state.status !== 'in-execution' && state.status !== 'rolled-back' && state.status !== 'closed') return { due: [], windowEnd: null };
  const slot = state.slot;
  if (slot === null) return { due: [], windowEnd: null };
  const records = state.execution.checkpoints ?? [];
  const { next } = checkpointProgress(set, records);
  const running = state.status === 'in-execution';
  const due: CheckpointDue[] = set.checkpoints.flatMap((c) => {
    if (c.dueAtWindowFraction === undefined) return [];
    const dueAt = dueAtInSlot(slot, c.dueAtWindowFraction);
    const signed = records.some((r) => r.checkpoint === c.id);
    const status: CheckpointDue['status'] = signed
      ? 'done'
      : !running || next === null
        ? 'skipped'
        : now.getTime() >= Date.parse(dueAt)
          ? 'due'
          : 'upcoming';
    return [{ checkpoint: c.id, name: c.name, dueAt, status }];
  });
  const decision = state.execution.windowDecision ?? null;
  const over = now.getTime() >= Date.parse(slot.end);
  const status = decision !== null ? 'decided' : running && over ? 'decision-due' : 'open';
  return { due, windowEnd: { endsAt: slot.end, status, decision } };
}
