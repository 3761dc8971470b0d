/**
 * Transitions that review the work after the fact: explanations of unforeseen after-diff rows (signed by the
 * engineer, countersigned by a checkpoint role not on the change) and the retrospective review of break-glass work.
 */
import { countApprovals, wouldCount, type ApprovalRecord } from './approval-progress.ts';
import { changeName, unexplainedRows, type ChangeOperation, type ChangeState, type ExplanationRecord } from './change-state.ts';
import { roleName } from './policy-schema.ts';
import { formatLocal } from './time-zone.ts';
import { type TransitionContext, type TransitionResult, refuse, ref, blank, unreachable } from './transition-rules.ts';
import { ruled } from './rule-outcome.ts';
import { rejectRetrospective, retrospectiveProblem } from './emergency-review.ts';
import { signerChecks } from './transition-approval.ts';
import { samePerson } from './transition-scheduling.ts';
import { explainRollbackProof } from './rollback-proof.ts';

/**
 * Explanations of unexpected and missing after-diff rows: written and signed by the engineer carrying out the
 * change, countersigned by a holder of a checkpoint role who is not on the change; each names a row still unexplained.
 */
export function explain(state: ChangeState, op: Extract<ChangeOperation, { type: 'explain' }>, ctx: TransitionContext): TransitionResult {
  // After a rollback: the differences of a manual rollback's re-capture (rollback-proof.ts).
  if (state.status === 'rolled-back')
    return ruled(
      state,
      op,
      explainRollbackProof(state, op, ctx.checkpoints.signerRoles, ctx.now, (id) => ctx.controllerNames?.[id] ?? id),
    );
  if (state.status !== 'in-execution') return unreachable(state, op);
  const { policy, now } = ctx;
  const set = ctx.checkpoints;
  if (op.by.id !== state.execution.executor.id) {
    return refuse(
      state,
      op,
      'explanation-invalid',
      `the engineer carrying out ${changeName(state)} (${state.execution.executor.name}) explains its after-diff; ${op.by.name} is not.`,
      'Ask the engineer who did the work to write and sign the explanations.',
    );
  }
  const c = op.countersigner;
  const part =
    c.id === state.requester.id
      ? 'filed'
      : c.id === state.execution.executor.id
        ? 'carries out'
        : c.id === state.execution.witness?.id
          ? 'witnesses'
          : null;
  if (part !== null) {
    return refuse(
      state,
      op,
      'segregation-of-duties',
      `${c.name} ${part} ${changeName(state)} and cannot countersign its explanations; nobody countersigns their own change.`,
      `Ask a ${set.signerRoles.map((r) => roleName(policy, r)).join(' or ')} who is not on the change to countersign.`,
    );
  }
  if (!set.signerRoles.includes(op.role) || !c.roles.includes(op.role)) {
    return refuse(
      state,
      op,
      'role-not-held',
      `explanations are countersigned as ${set.signerRoles.map((r) => roleName(policy, r)).join(' or ')}; ${c.name} holds ${c.roles.map((r) => roleName(policy, r)).join(', ') || 'no role'}.`,
      'A shift supervisor countersigns the explanations.',
    );
  }
  if (op.explanations.length === 0)
    return refuse(state, op, 'explanation-invalid', 'no row was explained.', 'Write an explanation for each unexpected or missing row.');
  const open = unexplainedRows(state.execution, state.fields.targetControllers).rows;
  const name = (id: string) => ctx.controllerNames?.[id] ?? id;
  const records: ExplanationRecord[] = [];
  for (const x of op.explanations) {
    const row = open.find((r) => r.controllerId === x.controllerId && r.tag === x.tag);
    if (row === undefined || records.some((r) => r.controllerId === x.controllerId && r.tag === x.tag)) {
      return refuse(
        state,
        op,
        'explanation-invalid',
        `${name(x.controllerId)} ${x.tag} is not an unexplained unexpected or missing row of ${changeName(state)}'s latest after-snapshot${open.length > 0 ? `; still to explain: ${open.map((r) => `${name(r.controllerId)} ${r.tag}`).join(', ')}` : ''}.`,
        'Explain only the rows the after-diff lists as unexpected or missing.',
      );
    }
    if (blank(x.text))
      return refuse(
        state,
        op,
        'reason-required',
        `the explanation of ${name(x.controllerId)} ${x.tag} is empty.`,
        'Write why the row differs from the proposal.',
      );
    records.push({
      controllerId: row.controllerId,
      snapshotSha256: row.snapshotSha256,
      tag: row.tag,
      status: row.status,
      text: x.text.trim(),
      by: ref(op.by),
      countersignedBy: ref(c),
      at: now.toISOString(),
    });
  }
  return {
    ok: true,
    next: { ...state, execution: { ...state.execution, explanations: [...(state.execution.explanations ?? []), ...records] } },
  };
}

/**
 * A retrospective review of break-glass work: by a CAB role the break-glass requirements name, never by who approved
 * or carried out the work, once the approver signed and the emergency report is in; a rejection opens a follow-up.
 */
export function retrospectiveReview(
  state: ChangeState,
  op: Extract<ChangeOperation, { type: 'retrospective-review' }>,
  ctx: TransitionContext,
): TransitionResult {
  if (state.status !== 'in-execution' && state.status !== 'rolled-back' && state.status !== 'closed') return unreachable(state, op);
  const { policy, now } = ctx;
  const r = state.execution.retrospective;
  const glass = state.execution.breakGlass;
  if (r === null || glass === null) {
    return refuse(
      state,
      op,
      'no-retrospective-due',
      `${changeName(state)} did not start under break-glass, so no retrospective review is due.`,
      'Retrospective reviews are for emergency break-glass changes.',
    );
  }
  if (r.completedAt !== null) {
    return refuse(
      state,
      op,
      'retrospective-done',
      `the retrospective review of ${changeName(state)} was completed ${formatLocal(Date.parse(r.completedAt), policy.plant.timeZone)}.`,
      'Nothing more is needed.',
    );
  }
  const signer = signerChecks(state, op, policy, r.requirements, 'review');
  if (signer !== null) return signer;
  if (samePerson(glass.approver, op.by) || op.by.id === state.execution.executor.id) {
    return refuse(
      state,
      op,
      'segregation-of-duties',
      `${op.by.name} approved or carried out the break-glass work on ${changeName(state)} and cannot review it.`,
      'Another CAB member must review it.',
    );
  }
  const waiting = retrospectiveProblem(state, op.by);
  if (waiting !== null) return refuse(state, op, waiting.rule, waiting.text.replace(/this change/g, changeName(state)), waiting.hint);
  if (r.reviews.some((x) => x.by.id === op.by.id)) {
    return refuse(
      state,
      op,
      'approve-twice',
      `${op.by.name} already reviewed ${changeName(state)}; a person reviews a change once.`,
      'Another reviewer must give the missing reviews.',
    );
  }
  const label = (x: string): string => roleName(policy, x);
  const progress = countApprovals(r.requirements, r.reviews, false, label, 'review');
  if (wouldCount(progress, op.role).length === 0) {
    const missing = progress.requirements
      .filter((p) => !p.satisfied)
      .map((p) => `${p.requirement.name}: ${p.missing}`)
      .join('; ');
    return refuse(
      state,
      op,
      'approval-does-not-count',
      `a review as ${label(op.role)} would not count: ${missing}.`,
      'The remaining reviews must come from the roles listed.',
    );
  }
  if (blank(op.comment))
    return refuse(
      state,
      op,
      'reason-required',
      'a retrospective review needs its findings written down.',
      'Write what the review found (root cause, follow-up).',
    );
  if (op.verdict === 'reject') return ruled(state, op, rejectRetrospective(state, op, now));
  const record: ApprovalRecord = {
    by: ref(op.by),
    role: op.role,
    meaning: 'reviewed',
    at: now.toISOString(),
    comment: op.comment.trim(),
    conditions: [],
    diffReviewed: false,
  };
  const reviews = [...r.reviews, record];
  const done = countApprovals(r.requirements, reviews, false).complete;
  const retrospective = { ...r, reviews, completedAt: done ? now.toISOString() : null };
  return { ok: true, next: { ...state, execution: { ...state.execution, retrospective } } };
}
