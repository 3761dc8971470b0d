/**
 * Break-glass that proves who approved: the approver named at break-glass is an enrolled person holding one of the
 * policy's approver roles, and signs with their own password, on the laptop at the time or later (confirm, then
 * sync). The emergency report (the change guide's: root cause, lessons learned, permanent fix) is signed by a
 * responder; the retrospective review waits for both, and may reject the emergency work, which opens a follow-up:
 * a rollback (of a change still being executed) or a corrective change linked to this one.
 */
import type { ApprovalRecord } from './approval-progress.ts';
import type { ChangeState, EmergencyReportRecord, FollowUpKind, RetrospectiveRejection } from './change-state.ts';
import { roleName, type Policy } from './policy-schema.ts';
import { blankText, no, partOnChange, personRef, type OpOf, type RuleOutcome } from './rule-outcome.ts';
import type { Participant } from './workflow-terms.ts';

/** The break-glass approver as the policy sees them: refused unless they hold an approver role and are not on the change. */
export function breakGlassApproverProblem(
  approver: { id?: string; name: string; role: string; roles?: string[] },
  approverRoles: readonly string[],
  policy: Policy,
  cls: string,
): { text: string; hint: string } | null {
  const list = approverRoles.map((r) => roleName(policy, r)).join(', ');
  if (approver.roles !== undefined && !approver.roles.some((r) => approverRoles.includes(r))) {
    return {
      text: `${approver.name} holds ${approver.roles.map((r) => roleName(policy, r)).join(', ') || 'no role'} and is not on the list of break-glass approvers (${list}; policy classes.${cls}.breakGlass.approverRoles).`,
      hint: 'Reach one of the listed approvers; they sign with their own password, here or later on their own laptop.',
    };
  }
  if (approver.roles !== undefined && !approver.roles.includes(approver.role)) {
    return {
      text: `${approver.name} does not hold the role ${roleName(policy, approver.role)}.`,
      hint: 'Name the role the approver holds.',
    };
  }
  return null;
}

/** The approver named at break-glass signs it with their own password after the fact. */
export function confirmBreakGlass(state: ChangeState, op: OpOf<'confirm-break-glass'>, now: Date): RuleOutcome {
  if (!('execution' in state) || state.execution.breakGlass === null) {
    return no('no-retrospective-due', 'this change did not start under break-glass, so there is no approval to sign.', 'Nothing to do.');
  }
  const glass = state.execution.breakGlass;
  if (glass.approver.id !== op.by.id) {
    return no(
      'break-glass-approver',
      `${glass.approver.name} was named as the break-glass approver; ${op.by.name} cannot sign in their place.`,
      `${glass.approver.name} signs with their own password.`,
    );
  }
  if (glass.approverSignedAt !== null && glass.approverSignedAt !== undefined) {
    return no('break-glass-approver', `${glass.approver.name} already signed the break-glass approval.`, 'Nothing more is needed.');
  }
  return { ok: true, next: { ...state, execution: { ...state.execution, breakGlass: { ...glass, approverSignedAt: now.toISOString() } } } };
}

/** The emergency report, signed by a responder who carried out or witnessed the work. */
export function emergencyReport(state: ChangeState, op: OpOf<'emergency-report'>, now: Date): RuleOutcome {
  if (!('execution' in state) || state.execution.breakGlass === null) {
    return no(
      'no-retrospective-due',
      'the emergency report is written for break-glass changes; this one was approved before it started.',
      'Nothing to report.',
    );
  }
  const e = state.execution;
  if (op.by.id !== e.executor.id && op.by.id !== e.witness?.id) {
    return no(
      'report-invalid',
      `the emergency report is written by the responder who carried out the work (${e.executor.name}); ${op.by.name} did not.`,
      `Ask ${e.executor.name} to write and sign it.`,
    );
  }
  const missing = (
    [
      ['root cause', op.rootCause],
      ['lessons learned', op.lessonsLearned],
      ['permanent fix (a change number or ticket, or why none is needed)', op.permanentFix],
    ] as const
  )
    .filter(([, v]) => blankText(v))
    .map(([k]) => k);
  if (missing.length > 0)
    return no('report-invalid', `the emergency report lacks the ${missing.join(', ')}.`, 'Fill in every section of the report.');
  const report: EmergencyReportRecord = {
    by: personRef(op.by),
    at: now.toISOString(),
    rootCause: op.rootCause.trim(),
    contributingFactors: op.contributingFactors?.trim() ?? '',
    lessonsLearned: op.lessonsLearned.trim(),
    permanentFix: op.permanentFix.trim(),
  };
  return { ok: true, next: { ...state, execution: { ...e, emergencyReport: report } } };
}

/** What a retrospective review waits for, and who may not give it (null: it may go on). */
export function retrospectiveProblem(
  state: ChangeState & { execution: NonNullable<Extract<ChangeState, { execution: unknown }>['execution']> },
  by: Participant,
): { rule: 'segregation-of-duties' | 'break-glass-unconfirmed' | 'emergency-report-missing'; text: string; hint: string } | null {
  const part = partOnChange(state, by);
  if (part !== null)
    return {
      rule: 'segregation-of-duties',
      text: `${by.name} ${part} this change and cannot review it afterwards; a retrospective reviewer was not on the change.`,
      hint: 'Another CAB member must review it.',
    };
  const glass = state.execution.breakGlass;
  if (glass !== null && glass.approverSignedAt === null) {
    return {
      rule: 'break-glass-unconfirmed',
      text: `the break-glass approver ${glass.approver.name} has not signed the approval with their own password yet.`,
      hint: `${glass.approver.name} signs the break-glass approval (here, or on their laptop and synced) before the review.`,
    };
  }
  if (state.execution.emergencyReport === undefined) {
    return {
      rule: 'emergency-report-missing',
      text: 'the emergency report (root cause, lessons learned, permanent fix) is not written yet.',
      hint: `Ask ${state.execution.executor.name} to write and sign the emergency report first.`,
    };
  }
  return null;
}

/**
 * A rejecting retrospective review: it concludes the review and opens the follow-up. A rollback of a change still
 * being executed rolls it back now; a corrective change (or the rollback of a change already over) is a new change
 * linked to this one, whose id the service gives.
 */
export function rejectRetrospective(state: ChangeState, op: OpOf<'retrospective-review'>, now: Date): RuleOutcome {
  if (!('execution' in state) || state.execution.retrospective === null)
    return no('no-retrospective-due', 'no retrospective review is due.', 'Nothing to review.');
  const kind: FollowUpKind | undefined = op.followUp;
  if (kind !== 'rollback' && kind !== 'corrective-change') {
    return no(
      'follow-up-required',
      'a rejecting retrospective review opens a follow-up: a rollback or a corrective change.',
      'Choose the follow-up the rejection asks for.',
    );
  }
  const inPlace = kind === 'rollback' && state.status === 'in-execution';
  if (!inPlace && blankText(op.followUpChangeId))
    return no(
      'follow-up-required',
      `the ${kind === 'rollback' ? 'rollback' : 'corrective change'} is filed as a new change linked to this one; none was given.`,
      'Reject again: the follow-up change is filed with the rejection.',
    );
  const r = state.execution.retrospective;
  const at = now.toISOString();
  const rejection: RetrospectiveRejection = {
    by: personRef(op.by),
    role: op.role,
    at,
    reason: op.comment.trim(),
    followUp: { kind, changeId: inPlace ? null : op.followUpChangeId!.trim() },
  };
  const review: ApprovalRecord = {
    by: personRef(op.by),
    role: op.role,
    meaning: 'reviewed',
    at,
    comment: `Rejected: ${op.comment.trim()}`,
    conditions: [],
    diffReviewed: false,
  };
  const execution = { ...state.execution, retrospective: { ...r, reviews: [...r.reviews, review], completedAt: at, rejection } };
  if (inPlace && state.status === 'in-execution') {
    return {
      ok: true,
      next: {
        ...state,
        execution,
        status: 'rolled-back',
        rollback: { by: personRef(op.by), at, reason: `The retrospective review rejected the emergency work: ${op.comment.trim()}` },
      },
    };
  }
  return { ok: true, next: { ...state, execution } as ChangeState };
}
