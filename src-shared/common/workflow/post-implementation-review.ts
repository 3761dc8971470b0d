/**
 * The post-implementation review after CLOSE, for the classes the policy names (normal and major changes in the
 * default policy): signed by a reviewer role not on the change, with its findings, and approving each target
 * controller's latest after-snapshot as the new baseline in the same signature. It is part of finishing the change,
 * due within the policy's time after CLOSE, not an optional extra.
 */
import type { ChangeState, PostImplementationReviewRecord } from './change-state.ts';
import { roleName, type Policy } from './policy-schema.ts';
import { policyCitation } from './policy-citation.ts';
import { blankText, no, partOnChange, personRef, type OpOf, type RuleOutcome } from './rule-outcome.ts';

/** Where a change's post-implementation review stands at `now`. */
export type PostImplementationReviewStatus =
  | { status: 'not-required' }
  | { status: 'due' | 'overdue'; dueAt: string; reviewerRoles: string[] }
  | { status: 'done'; record: PostImplementationReviewRecord };

/** The post-implementation review of a change at `now` (owed by completed changes whose evaluation asks for one). */
export function postImplementationReviewStatus(state: ChangeState, now: Date): PostImplementationReviewStatus {
  if (state.status !== 'closed' || state.closure.outcome !== 'completed') return { status: 'not-required' };
  if (state.postImplementationReview !== undefined) return { status: 'done', record: state.postImplementationReview };
  const pir = state.review.evaluation.postImplementationReview;
  if (pir === undefined) return { status: 'not-required' };
  const due = Date.parse(state.closure.at) + pir.withinMinutes * 60_000;
  return { status: now.getTime() > due ? 'overdue' : 'due', dueAt: new Date(due).toISOString(), reviewerRoles: pir.reviewerRoles };
}

/** The after-snapshots the review approves as baselines: the latest of each target controller. */
export function baselinesToApprove(state: ChangeState): { controllerId: string; snapshotSha256: string }[] {
  if (!('execution' in state)) return [];
  return state.fields.targetControllers.flatMap((controllerId) => {
    const after = (state.execution.snapshots ?? []).filter((x) => x.phase === 'after' && x.controllerId === controllerId).at(-1);
    return after ? [{ controllerId, snapshotSha256: after.snapshotSha256 }] : [];
  });
}

/** The signed post-implementation review. */
export function postImplementationReview(
  state: ChangeState,
  op: OpOf<'post-implementation-review'>,
  policy: Policy,
  now: Date,
): RuleOutcome {
  const s = postImplementationReviewStatus(state, now);
  if (s.status === 'not-required' || state.status !== 'closed') {
    return no(
      'pir-not-due',
      state.status === 'closed' && state.closure.outcome === 'completed'
        ? `${state.review.evaluation.class} changes owe no post-implementation review under the policy they were reviewed under (${policyCitation('postImplementationReview.classes')}).`
        : 'a post-implementation review follows the CLOSE of a completed change.',
      'Approve the new baseline from the change instead, if one is needed.',
    );
  }
  if (s.status === 'done')
    return no('pir-not-due', `the post-implementation review was signed by ${s.record.by.name}.`, 'Nothing more is needed.');
  const who = s.reviewerRoles.map((r) => roleName(policy, r)).join(' or ');
  const part = partOnChange(state, op.by);
  if (part !== null)
    return no(
      'segregation-of-duties',
      `${op.by.name} ${part} this change and cannot review it; the post-implementation review and the new baseline are signed by someone not on the change.`,
      `Ask a ${who} who was not on the change.`,
    );
  if (!s.reviewerRoles.includes(op.role) || !op.by.roles.includes(op.role)) {
    return no(
      'role-not-held',
      `the post-implementation review is signed as ${who}; ${op.by.name} holds ${op.by.roles.map((r) => roleName(policy, r)).join(', ') || 'no role'}.`,
      `Ask a ${who}.`,
    );
  }
  if (blankText(op.findings))
    return no(
      'reason-required',
      'the review needs its findings (objectives met, issues seen, performance).',
      'Write what the review found.',
    );
  if (blankText(op.lessonsLearned))
    return no('reason-required', 'the review needs its lessons learned (what went well, what to improve).', 'Write the lessons learned.');
  const expected = baselinesToApprove(state);
  const given = op.baselines
    .map((b) => `${b.controllerId}:${b.snapshotSha256}`)
    .sort()
    .join();
  if (
    given !==
    expected
      .map((b) => `${b.controllerId}:${b.snapshotSha256}`)
      .sort()
      .join()
  ) {
    return no(
      'pir-invalid',
      `the review approves the latest after-snapshot of every target controller as its new baseline (${expected.length}); the signature named ${op.baselines.length} other or different snapshot(s).`,
      'Open the change again and sign the review it shows.',
    );
  }
  const record: PostImplementationReviewRecord = {
    by: personRef(op.by),
    role: op.role,
    at: now.toISOString(),
    objectivesMet: op.objectivesMet,
    findings: op.findings.trim(),
    lessonsLearned: op.lessonsLearned.trim(),
    baselines: expected,
  };
  return { ok: true, next: { ...state, postImplementationReview: record } };
}
