/**
 * The decision the app asks for when a change window ends with the work still going on (the change guide's
 * windows): complete the work (the checkpoints continue; the overrun is on the record) or roll the change back.
 */
import { changeName, type ChangeOperation, type ChangeState, type WindowDecisionRecord } from './change-state.ts';
import { roleName } from './policy-schema.ts';
import { formatLocal } from './time-zone.ts';
import { type TransitionContext, type TransitionResult, refuse, ref, blank, unreachable } from './transition-rules.ts';

/**
 * Signed by a holder of a checkpoint role who is not on the change, once, and only once the slot has ended.
 */
export function windowDecision(
  state: ChangeState,
  op: Extract<ChangeOperation, { type: 'window-decision' }>,
  ctx: TransitionContext,
): TransitionResult {
  if (state.status !== 'in-execution') return unreachable(state, op);
  const { policy, now } = ctx;
  const set = ctx.checkpoints;
  const zone = policy.plant.timeZone;
  if (state.slot === null) {
    return refuse(
      state,
      op,
      'no-window',
      `${changeName(state)} started without a booked slot (break-glass), so no window ends.`,
      'Sign its checkpoints, roll it back, or close it.',
    );
  }
  const end = Date.parse(state.slot.end);
  if (now.getTime() < end) {
    return refuse(
      state,
      op,
      'window-open',
      `the window of ${changeName(state)} ends ${formatLocal(end, zone)}; the decision to complete or roll back is taken once it has ended.`,
      'Carry on with the work and its checkpoints; at the end of the window Baseline asks for the decision.',
    );
  }
  const earlier = state.execution.windowDecision;
  if (earlier !== undefined) {
    return refuse(
      state,
      op,
      'window-decided',
      `${earlier.by.name} already decided to ${earlier.decision === 'complete' ? 'complete the work' : 'roll back'} at the end of the window (${formatLocal(Date.parse(earlier.at), zone)}).`,
      'Carry on from that decision: sign the remaining checkpoints, or roll the change back.',
    );
  }
  const part =
    op.by.id === state.requester.id
      ? 'filed'
      : op.by.id === state.execution.executor.id
        ? 'carries out'
        : op.by.id === state.execution.witness?.id
          ? 'witnesses'
          : null;
  if (part !== null) {
    return refuse(
      state,
      op,
      'segregation-of-duties',
      `${op.by.name} ${part} ${changeName(state)} and cannot decide whether it goes on past its window.`,
      `Ask a ${set.signerRoles.map((r) => roleName(policy, r)).join(' or ')} who is not on the change to decide.`,
    );
  }
  if (!set.signerRoles.includes(op.role) || !op.by.roles.includes(op.role)) {
    return refuse(
      state,
      op,
      'role-not-held',
      `the decision at the end of the window is signed as ${set.signerRoles.map((r) => roleName(policy, r)).join(' or ')}; ${op.by.name} holds ${op.by.roles.map((r) => roleName(policy, r)).join(', ') || 'no role'}.`,
      'A shift supervisor decides.',
    );
  }
  if (blank(op.comment)) {
    return refuse(
      state,
      op,
      'reason-required',
      `the decision to ${op.decision === 'complete' ? 'complete the work after' : 'roll back at'} the end of the window needs a comment for the record.`,
      op.decision === 'complete' ? 'Say what is left and how long it will take.' : 'Say what was seen and why it is rolled back.',
    );
  }
  const record: WindowDecisionRecord = {
    decision: op.decision,
    by: ref(op.by),
    role: op.role,
    at: now.toISOString(),
    windowEnd: state.slot.end,
    comment: op.comment.trim(),
  };
  const execution = { ...state.execution, windowDecision: record };
  if (op.decision === 'rollback') {
    return {
      ok: true,
      next: {
        ...state,
        execution,
        status: 'rolled-back',
        rollback: { by: ref(op.by), at: now.toISOString(), reason: `Rolled back at the end of the window: ${record.comment}` },
      },
    };
  }
  return { ok: true, next: { ...state, execution } };
}
