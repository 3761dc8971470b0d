/**
 * The signed actions of the safety, emergency and after-the-change reviews (safety sign-off, the break-glass
 * approver's own signature, the emergency report, the rollback decision matrix, a manual rollback, the
 * post-implementation review): the operation each becomes, its words on the timeline and its signature meaning.
 * The rules themselves are in src-shared/common/workflow (safety-review.ts, emergency-review.ts,
 * rollback-guidance.ts, post-implementation-review.ts).
 */
import type { SignatureMeaning } from '../../src-shared/common/snapshot/snapshot.ts';
import type { ChangeOperation, ChangeState } from '../../src-shared/common/workflow/change-state.ts';
import { baselinesToApprove } from '../../src-shared/common/workflow/post-implementation-review.ts';
import { ROLLBACK_OUTCOME_TEXT, minutesLeftInWindow, rollbackOutcome } from '../../src-shared/common/workflow/rollback-guidance.ts';
import type { Participant } from '../../src-shared/common/workflow/workflow-terms.ts';

/** A review action a person signs on a change. */
export type ReviewAction =
  | { type: 'safety-sign-off'; role: string; confirmed: string[]; comment?: string }
  | { type: 'confirm-break-glass' }
  | { type: 'emergency-report'; rootCause: string; contributingFactors?: string; lessonsLearned: string; permanentFix: string }
  | { type: 'rollback-decision'; answers: { safetyImpact: boolean; productionCritical: boolean; workaroundAvailable: boolean }; comment?: string }
  | { type: 'manual-rollback'; controllerId: string; kind: 'logic' | 'firmware' | 'other'; reference: string; confirmed: string[] }
  | { type: 'post-implementation-review'; role: string; objectivesMet: boolean; findings: string; lessonsLearned: string };

/** The review action types. */
export const REVIEW_ACTION_TYPES: readonly ReviewAction['type'][] = [
  'safety-sign-off', 'confirm-break-glass', 'emergency-report', 'rollback-decision', 'manual-rollback', 'post-implementation-review',
];

/** Whether an action is one of the review actions. */
export function isReviewAction(action: { type: string }): action is ReviewAction {
  return (REVIEW_ACTION_TYPES as readonly string[]).includes(action.type);
}

/** The signature meaning of each review action. */
export const REVIEW_MEANING: Readonly<Record<ReviewAction['type'], SignatureMeaning>> = {
  'safety-sign-off': 'approved', 'confirm-break-glass': 'approved', 'emergency-report': 'responsible', 'rollback-decision': 'responsible',
  'manual-rollback': 'rollback', 'post-implementation-review': 'approved',
};

/** The operation a review action becomes (the post-implementation review names the after-snapshots it makes baselines). */
export function reviewOperation(state: ChangeState, by: Participant, action: ReviewAction): ChangeOperation {
  switch (action.type) {
    case 'safety-sign-off': return { type: 'safety-sign-off', by, role: action.role, confirmed: action.confirmed, ...(action.comment ? { comment: action.comment } : {}) };
    case 'confirm-break-glass': return { type: 'confirm-break-glass', by };
    case 'emergency-report': return {
      type: 'emergency-report', by, rootCause: action.rootCause, lessonsLearned: action.lessonsLearned, permanentFix: action.permanentFix,
      ...(action.contributingFactors ? { contributingFactors: action.contributingFactors } : {}),
    };
    case 'rollback-decision': return { type: 'rollback-decision', by, answers: action.answers, ...(action.comment ? { comment: action.comment } : {}) };
    case 'manual-rollback': return { type: 'manual-rollback', by, controllerId: action.controllerId, kind: action.kind, reference: action.reference, confirmed: action.confirmed };
    case 'post-implementation-review': return {
      type: 'post-implementation-review', by, role: action.role, objectivesMet: action.objectivesMet, findings: action.findings, lessonsLearned: action.lessonsLearned,
      baselines: baselinesToApprove(state),
    };
  }
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

/** How the timeline words a review action. */
export function reviewSummary(state: ChangeState, action: ReviewAction, now: Date, words: { role: (r: string) => string; controller: (id: string) => string }): string {
  switch (action.type) {
    case 'safety-sign-off': return `signed off the post-change safety checklist as ${words.role(action.role)} (${action.confirmed.length} items confirmed)${action.comment ? `: ${action.comment}` : ''}`;
    case 'confirm-break-glass': return 'signed the break-glass approval with their own password';
    case 'emergency-report': return `wrote the emergency report: root cause ${action.rootCause.trim()}; lessons learned ${action.lessonsLearned.trim()}; permanent fix ${action.permanentFix.trim()}`;
    case 'rollback-decision': {
      const outcome = ROLLBACK_OUTCOME_TEXT[rollbackOutcome(action.answers, minutesLeftInWindow(state, now))];
      const left = minutesLeftInWindow(state, now);
      return `rollback decision: ${outcome.label} (safety impact ${yesNo(action.answers.safetyImpact)}, production-critical ${yesNo(action.answers.productionCritical)}, `
        + `workaround ${yesNo(action.answers.workaroundAvailable)}, ${left === null ? 'no window' : `${left} min left in the window`})${action.comment ? `: ${action.comment}` : ''}`;
    }
    case 'manual-rollback': return `rolled back the ${action.kind} of ${words.controller(action.controllerId)} by hand from ${action.reference.trim()} (${action.confirmed.length} steps confirmed)`;
    case 'post-implementation-review': return `post-implementation review as ${words.role(action.role)}: objectives ${action.objectivesMet ? 'met' : 'NOT met'}; ${action.findings.trim()}; lessons learned: ${action.lessonsLearned.trim()}; `
      + `new baseline${baselinesToApprove(state).length === 1 ? '' : 's'} of ${baselinesToApprove(state).map((b) => words.controller(b.controllerId)).join(', ')}`;
  }
}
