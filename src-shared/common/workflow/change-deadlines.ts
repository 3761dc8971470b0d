/**
 * The facts that depend on the time, of a change at a given moment: whether its approvals are overdue and whom
 * they escalate to, where its retrospective review stands, and how long its change window has left.
 */
import type { ChangeState } from './change-state.ts';

/** Whether approvals are overdue for a submitted change, and whom they escalate to. */
export type ApprovalTimeoutStatus =
  | { status: 'not-waiting' }
  | { status: 'waiting'; dueAt: string; escalateTo: string[] }
  | { status: 'escalated'; dueAt: string; escalateTo: string[]; overdueMinutes: number };

/** The approval timeout of a change at `now` (escalated once the class's timeout has passed since submission). */
export function approvalTimeoutStatus(state: ChangeState, now: Date): ApprovalTimeoutStatus {
  if (state.status !== 'submitted') return { status: 'not-waiting' };
  const t = state.review.evaluation.approvalTimeout;
  const due = Date.parse(state.review.submittedAt) + t.minutes * 60_000;
  const dueAt = new Date(due).toISOString();
  if (now.getTime() < due) return { status: 'waiting', dueAt, escalateTo: t.escalateTo };
  return { status: 'escalated', dueAt, escalateTo: t.escalateTo, overdueMinutes: Math.floor((now.getTime() - due) / 60_000) };
}

/** Where a break-glass change's retrospective review stands at `now`. */
export type RetrospectiveStatus =
  | { status: 'not-required' }
  | { status: 'due'; dueAt: string; minutesLeft: number }
  | { status: 'overdue'; dueAt: string; overdueMinutes: number }
  | { status: 'done'; dueAt: string; completedAt: string; late: boolean };

/** The retrospective review of a change at `now`: due within the policy's time after break-glass, overdue after. */
export function retrospectiveStatus(state: ChangeState, now: Date): RetrospectiveStatus {
  if (state.status !== 'in-execution' && state.status !== 'rolled-back' && state.status !== 'closed') return { status: 'not-required' };
  const r = state.execution.retrospective;
  if (r === null) return { status: 'not-required' };
  const due = Date.parse(r.dueAt);
  if (r.completedAt !== null) return { status: 'done', dueAt: r.dueAt, completedAt: r.completedAt, late: Date.parse(r.completedAt) > due };
  const t = now.getTime();
  if (t <= due) return { status: 'due', dueAt: r.dueAt, minutesLeft: Math.floor((due - t) / 60_000) };
  return { status: 'overdue', dueAt: r.dueAt, overdueMinutes: Math.floor((t - due) / 60_000) };
}

/** Where an execution stands against the end of its slot (ARCHITECTURE §6: warnings at 30 and 15 minutes). */
export type WindowTimer =
  | { status: 'no-slot' }
  | { status: 'running' | 'warn-30' | 'warn-15'; endsAt: string; minutesLeft: number }
  | { status: 'over'; endsAt: string; overMinutes: number };

/** The change-window timer of a change in execution at `now` (a break-glass execution has no slot). */
export function windowTimer(state: ChangeState, now: Date): WindowTimer {
  if (state.status !== 'in-execution' || state.slot === null) return { status: 'no-slot' };
  const end = Date.parse(state.slot.end);
  const ms = end - now.getTime();
  if (ms <= 0) return { status: 'over', endsAt: state.slot.end, overMinutes: Math.floor(-ms / 60_000) };
  const minutesLeft = Math.ceil(ms / 60_000);
  return { status: minutesLeft <= 15 ? 'warn-15' : minutesLeft <= 30 ? 'warn-30' : 'running', endsAt: state.slot.end, minutesLeft };
}
