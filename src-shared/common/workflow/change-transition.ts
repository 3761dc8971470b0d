/**
 * The one place a change request moves between states (ARCHITECTURE §6, CONVENTIONS 8). `transition` takes a
 * state, an operation and the context (now, the policy in force, the plant facts) and returns the next state or
 * a refusal whose message starts with the rule it breaks ("Segregation of duties: ..."). It is pure: the
 * changes service records the operation as a journal event only when this function allows it.
 *
 * Which operations each state allows at all is the table ALLOWED_OPERATIONS; every other pair is refused as an
 * illegal transition. Inside an allowed pair the rules are: the requester alone edits, submits and withdraws;
 * required fields per class at submit and break-glass; nobody approves, reviews or overrides their own change;
 * a person approves once, as a role they hold, and only where it counts toward an unmet quorum; diff review
 * where the policy requires it; notice, windows and blackouts at scheduling and at the start (an override needs
 * the signature of a role the policy names); dual control needs a second, different person; staging evidence
 * where required; conditions confirmed before the start; break-glass only for classes the policy allows it.
 */
import { assertNever } from '../assert-never.ts';
import { countApprovals } from './approval-progress.ts';
import { changeName, type ChangeOperation, type ChangeOperationType, type ChangeState, type ChangeStatus } from './change-state.ts';
import { groupName, roleName, type Policy } from './policy-schema.ts';
import { type TransitionContext, type TransitionResult, OPERATION_PAST, refuse } from './transition-rules.ts';
import { ruled } from './rule-outcome.ts';
import { confirmBreakGlass, emergencyReport } from './emergency-review.ts';
import { postImplementationReview } from './post-implementation-review.ts';
import { manualRollback, rollbackDecision } from './rollback-guidance.ts';
import { rollbackProof } from './rollback-proof.ts';
import { safetySignOff } from './safety-review.ts';
import { windowDecision } from './transition-window.ts';
import { tickItem } from './checklist-ticks.ts';
import { edit, submit, withdraw, approve, decide } from './transition-approval.ts';
import { schedule, startExecution, breakGlass } from './transition-scheduling.ts';
import { rollback, checkpoint, recordSnapshot, close } from './transition-execution.ts';
import { explain, retrospectiveReview } from './transition-review.ts';

export type { RefusalRule, TransitionContext, TransitionResult } from './transition-rules.ts';

/** Which operations each state allows at all; every other pair is an illegal transition. */
export const ALLOWED_OPERATIONS: Readonly<Record<ChangeStatus, readonly ChangeOperationType[]>> = {
  draft: ['edit', 'submit', 'withdraw', 'break-glass'],
  submitted: ['withdraw', 'approve', 'approve-with-conditions', 'reject', 'defer', 'break-glass'],
  approved: ['withdraw', 'schedule'],
  rejected: [],
  deferred: ['edit', 'submit', 'withdraw'],
  withdrawn: [],
  scheduled: ['withdraw', 'schedule', 'start-execution'],
  'in-execution': [
    'record-snapshot',
    'checkpoint',
    'explain',
    'window-decision',
    'rollback',
    'close',
    'retrospective-review',
    'safety-sign-off',
    'confirm-break-glass',
    'emergency-report',
    'rollback-decision',
    'tick-item',
  ],
  'rolled-back': [
    'close',
    'retrospective-review',
    'confirm-break-glass',
    'emergency-report',
    'manual-rollback',
    'rollback-proof',
    'explain',
  ],
  closed: ['retrospective-review', 'confirm-break-glass', 'emergency-report', 'post-implementation-review'],
};

const STATUS_NOTES: Readonly<Record<ChangeStatus, string>> = {
  draft: 'It is still a draft: submit it for approval first.',
  submitted: 'It is waiting for approvals.',
  approved: 'It is approved: schedule it in a change window, or withdraw it.',
  rejected: 'A rejected change is final: file a new change to try again.',
  deferred: 'The decision on it was deferred: edit it, resubmit it or withdraw it.',
  withdrawn: 'A withdrawn change is final: file a new change.',
  scheduled: 'It is scheduled: start it inside its slot, reschedule it or withdraw it.',
  'in-execution': 'It is being executed: sign its checkpoints, roll it back, or close it after the last checkpoint.',
  'rolled-back': 'It was rolled back: close it.',
  closed: 'A closed change is final.',
};

/** The operations a state allows at all (the buttons the UI offers; rules may still refuse). */
export function allowedOperations(state: ChangeState): readonly ChangeOperationType[] {
  return ALLOWED_OPERATIONS[state.status];
}

/** Decides one operation on a change. */
export function transition(state: ChangeState, op: ChangeOperation, ctx: TransitionContext): TransitionResult {
  if (!ALLOWED_OPERATIONS[state.status].includes(op.type)) {
    const possible = ALLOWED_OPERATIONS[state.status];
    return refuse(
      state,
      op,
      'illegal-transition',
      `${changeName(state)} is ${state.status.replace('-', ' ')}, so it cannot be ${OPERATION_PAST[op.type]}. ${STATUS_NOTES[state.status]}`,
      possible.length === 0
        ? 'Nothing more can be done with this change.'
        : `Possible now: ${possible.map((o) => o.replace(/-/g, ' ')).join(', ')}.`,
    );
  }
  switch (op.type) {
    case 'edit':
      return edit(state, op);
    case 'submit':
      return submit(state, op, ctx);
    case 'withdraw':
      return withdraw(state, op, ctx);
    case 'approve':
      return approve(state, op, ctx, []);
    case 'approve-with-conditions':
      return approve(state, op, ctx, op.conditions);
    case 'reject':
      return decide(state, op, ctx);
    case 'defer':
      return decide(state, op, ctx);
    case 'schedule':
      return schedule(state, op, ctx);
    case 'break-glass':
      return breakGlass(state, op, ctx);
    case 'start-execution':
      return startExecution(state, op, ctx);
    case 'record-snapshot':
      return recordSnapshot(state, op, ctx);
    case 'checkpoint':
      return checkpoint(state, op, ctx);
    case 'explain':
      return explain(state, op, ctx);
    case 'window-decision':
      return windowDecision(state, op, ctx);
    case 'rollback':
      return rollback(state, op, ctx);
    case 'close':
      return close(state, op, ctx);
    case 'retrospective-review':
      return retrospectiveReview(state, op, ctx);
    case 'safety-sign-off':
      return ruled(state, op, safetySignOff(state, op, ctx.policy, ctx.now));
    case 'confirm-break-glass':
      return ruled(state, op, confirmBreakGlass(state, op, ctx.now));
    case 'emergency-report':
      return ruled(state, op, emergencyReport(state, op, ctx.now));
    case 'rollback-decision':
      return ruled(state, op, rollbackDecision(state, op, ctx.now));
    case 'manual-rollback':
      return ruled(
        state,
        op,
        manualRollback(state, op, ctx.now, (id) => ctx.controllerNames?.[id] ?? id),
      );
    case 'post-implementation-review':
      return ruled(state, op, postImplementationReview(state, op, ctx.policy, ctx.now));
    case 'tick-item':
      return ruled(state, op, tickItem(state, op, ctx.checklists ?? null, ctx.now));
    case 'rollback-proof':
      return ruled(
        state,
        op,
        rollbackProof(state, op, ctx.now, (id) => ctx.controllerNames?.[id] ?? id),
      );
    default:
      return assertNever(op, 'change operation');
  }
}

/** The group names a change still needs, for notifications: "Change Advisory Board (1 more approval, as ...)". */
export function outstandingApprovals(state: ChangeState, policy: Policy): string[] {
  if (state.status !== 'submitted') return [];
  const e = state.review.evaluation;
  return countApprovals(e.approvals, state.review.approvals, e.dualControl.required, (r) => roleName(policy, r))
    .requirements.filter((p) => !p.satisfied)
    .map((p) => `${groupName(policy, p.requirement.group)} (${p.missing})`);
}
