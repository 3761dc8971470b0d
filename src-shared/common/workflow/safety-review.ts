/**
 * Safety-critical changes (their class, a safety tag or a safety controller; change-evaluation.ts freezes the facts
 * at submit): the review steps in the change guide's order (technical, safety/PHA, CAB), each step's approvals
 * refused until every earlier step is met; and the safety manager's signed sign-off of the post-change safety
 * checklist, for the after-snapshots on record, before CLOSE.
 */
import { countApprovals, type ApprovalProgress } from './approval-progress.ts';
import type { ChangeEvaluation } from './change-evaluation.ts';
import type { ChangeState, Execution, SafetySignOffRecord } from './change-state.ts';
import { roleName, type Policy } from './policy-schema.ts';
import { no, partOnChange, personRef, type OpOf, type RuleOutcome } from './rule-outcome.ts';

/**
 * The refusal text when an approval as `role` belongs only to review steps after one still open (null: in order).
 * `progress` is the approvals so far.
 */
export function reviewStepBlock(
  e: ChangeEvaluation,
  progress: ApprovalProgress,
  role: string,
  roleLabel: (r: string) => string,
): { text: string; hint: string } | null {
  const stepped = progress.requirements.filter((p) => p.requirement.step !== undefined);
  if (stepped.length === 0) return null;
  const open = stepped.filter((p) => !p.satisfied);
  const firstOpen = Math.min(...open.map((p) => p.requirement.step!.index));
  const mine = progress.requirements.filter((p) => !p.satisfied && p.requirement.roles.includes(role));
  if (mine.length === 0) return null;
  // The approval counts toward the earliest open step, or toward a group outside the steps: in order.
  if (mine.some((p) => p.requirement.step === undefined || p.requirement.step.index <= firstOpen)) return null;
  const waiting = open.filter((p) => p.requirement.step!.index === firstOpen);
  const steps = [...new Map(e.approvals.filter((a) => a.step !== undefined).map((a) => [a.step!.index, a.step!.name])).entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, n]) => n);
  const stepName = waiting[0]!.requirement.step!.name;
  return {
    text: `an approval as ${roleLabel(role)} belongs to ${mine[0]!.requirement.step!.name}, but ${stepName} is not signed yet (${waiting.map((p) => `${p.requirement.name}: ${p.missing}`).join('; ')}); a safety-critical change is reviewed in order: ${steps.join(', then ')}.`,
    hint: `Wait for ${stepName} to be signed.`,
  };
}

/** The approvals of a submitted change counted, for the review order. */
export function approvalProgressFor(
  e: ChangeEvaluation,
  approvals: Parameters<typeof countApprovals>[1],
  policy: Policy,
): ApprovalProgress {
  return countApprovals(e.approvals, approvals, e.dualControl.required, (r) => roleName(policy, r));
}

/** The latest after-snapshot of each target controller (sha256s, in target order; missing ones left out). */
export function latestAfterSnapshots(execution: Execution, targets: readonly string[]): string[] {
  return targets.flatMap((c) => {
    const after = (execution.snapshots ?? []).filter((x) => x.phase === 'after' && x.controllerId === c).at(-1);
    return after ? [after.snapshotSha256] : [];
  });
}

/** Why CLOSE must wait for the safety sign-off (null: not a safety-critical change, or signed off on the current after-snapshots). */
export function safetySignOffMissing(
  state: ChangeState & { execution: Execution; review: { evaluation: ChangeEvaluation } },
  policy: Policy,
): { text: string; hint: string } | null {
  const safety = state.review.evaluation.safety;
  if (safety === undefined || safety.signOffRoles.length === 0) return null;
  const who = safety.signOffRoles.map((r) => roleName(policy, r)).join(' or ');
  const signed = state.execution.safetySignOff;
  const current = latestAfterSnapshots(state.execution, state.fields.targetControllers);
  if (signed === undefined) {
    return {
      text: `the ${who} has not signed the post-change safety checklist of this safety-critical change.`,
      hint: `Ask the ${who} (not on the change) to confirm the safety checklist and sign it.`,
    };
  }
  if (current.join() !== signed.afterSnapshots.join()) {
    return {
      text: `the ${who}'s sign-off (${signed.by.name}) was given on earlier after-snapshots; a newer after-snapshot was recorded since.`,
      hint: `Ask the ${who} to check the safety checklist again and sign it for the current after-snapshots.`,
    };
  }
  return null;
}

/** The safety manager signs the post-change safety checklist: every item confirmed, after every after-snapshot, not on the change. */
export function safetySignOff(state: ChangeState, op: OpOf<'safety-sign-off'>, policy: Policy, now: Date): RuleOutcome {
  if (state.status !== 'in-execution')
    return no('illegal-transition', 'only a change being executed is signed off.', 'Sign off before CLOSE.');
  const safety = state.review.evaluation.safety;
  if (safety === undefined || safety.signOffRoles.length === 0) {
    return no(
      'safety-sign-off-invalid',
      'this change is not safety-critical (its class, tags and controllers), so no safety sign-off is asked for.',
      'Close it after its checkpoints.',
    );
  }
  const who = safety.signOffRoles.map((r) => roleName(policy, r)).join(' or ');
  const part = partOnChange(state, op.by);
  if (part !== null)
    return no(
      'segregation-of-duties',
      `${op.by.name} ${part} this change and cannot sign off its safety checklist; nobody signs off their own change.`,
      `Ask a ${who} who is not on the change.`,
    );
  if (!safety.signOffRoles.includes(op.role) || !op.by.roles.includes(op.role)) {
    return no(
      'role-not-held',
      `the post-change safety checklist is signed off as ${who}; ${op.by.name} holds ${op.by.roles.map((r) => roleName(policy, r)).join(', ') || 'no role'}.`,
      `Ask the ${who}.`,
    );
  }
  const after = latestAfterSnapshots(state.execution, state.fields.targetControllers);
  if (after.length < state.fields.targetControllers.length) {
    return no(
      'snapshots-missing',
      'the safety checklist is signed off on the after-snapshots of every target controller; not all are recorded yet.',
      'Record the after-snapshots first.',
    );
  }
  const confirmed = new Set(op.confirmed.map((c) => c.trim()));
  const missing = safety.checklist.filter((i) => !confirmed.has(i));
  if (missing.length > 0)
    return no(
      'checklist-incomplete',
      `the safety sign-off needs every item confirmed; not confirmed: ${missing.join('; ')}.`,
      'Check each item on the plant floor, or roll the change back.',
    );
  const record: SafetySignOffRecord = {
    by: personRef(op.by),
    role: op.role,
    at: now.toISOString(),
    items: safety.checklist.map((text) => ({ text, confirmed: true })),
    comment: op.comment?.trim() ?? '',
    afterSnapshots: after,
  };
  return { ok: true, next: { ...state, execution: { ...state.execution, safetySignOff: record } } };
}
