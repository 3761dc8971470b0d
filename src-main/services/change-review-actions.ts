/**
 * The dispatch entries of the review actions in the signed-actions table (safety sign-off, the break-glass approver's
 * own signature, the emergency report, the rollback decision matrix, a manual rollback, the post-implementation
 * review): the operation each becomes and its words on the record. The rules are in src-shared/common/workflow
 * (safety-review.ts, emergency-review.ts, rollback-guidance.ts, post-implementation-review.ts).
 */
import { baselinesToApprove } from '../../src-shared/common/workflow/post-implementation-review.ts';
import { minutesLeftInWindow, rollbackOutcome, rollbackOutcomeWords } from '../../src-shared/common/workflow/rollback-guidance.ts';
import type { ActionDispatch } from './change-action-types.ts';

type ReviewType =
  'safety-sign-off' | 'confirm-break-glass' | 'emergency-report' | 'rollback-decision' | 'manual-rollback' | 'post-implementation-review';

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

/** The review actions' operations and summaries. */
export const REVIEW_DISPATCH: { [K in ReviewType]: ActionDispatch<K> } = {
  'safety-sign-off': {
    operation: (a, { by }) => ({
      type: 'safety-sign-off',
      by,
      role: a.role,
      confirmed: a.confirmed,
      ...(a.comment ? { comment: a.comment } : {}),
    }),
    summary: (a, ctx) =>
      `signed off the post-change safety checklist as ${ctx.roleName(a.role)} (${a.confirmed.length} items confirmed)${a.comment ? `: ${a.comment}` : ''}`,
  },
  'confirm-break-glass': {
    operation: (_a, { by }) => ({ type: 'confirm-break-glass', by }),
    summary: () => 'signed the break-glass approval with their own password',
  },
  'emergency-report': {
    operation: (a, { by }) => ({
      type: 'emergency-report',
      by,
      rootCause: a.rootCause,
      lessonsLearned: a.lessonsLearned,
      permanentFix: a.permanentFix,
      ...(a.contributingFactors ? { contributingFactors: a.contributingFactors } : {}),
    }),
    summary: (a) =>
      `wrote the emergency report: root cause ${a.rootCause.trim()}; lessons learned ${a.lessonsLearned.trim()}; permanent fix ${a.permanentFix.trim()}`,
  },
  'rollback-decision': {
    operation: (a, { by }) => ({ type: 'rollback-decision', by, answers: a.answers, ...(a.comment ? { comment: a.comment } : {}) }),
    summary: (a, ctx) => {
      const left = minutesLeftInWindow(ctx.change(), ctx.now());
      const outcome = rollbackOutcomeWords(rollbackOutcome(a.answers, left), left);
      return (
        `rollback decision: ${outcome.label} (safety impact ${yesNo(a.answers.safetyImpact)}, production-critical ${yesNo(a.answers.productionCritical)}, ` +
        `workaround ${yesNo(a.answers.workaroundAvailable)}, ${left === null ? 'no window' : `${left} min left in the window`})${a.comment ? `: ${a.comment}` : ''}`
      );
    },
  },
  'manual-rollback': {
    operation: (a, { by }) => ({
      type: 'manual-rollback',
      by,
      controllerId: a.controllerId,
      kind: a.kind,
      reference: a.reference,
      confirmed: a.confirmed,
    }),
    summary: (a, ctx) =>
      `rolled back the ${a.kind} of ${ctx.controllerName(a.controllerId)} by hand from ${a.reference.trim()} (${a.confirmed.length} steps confirmed)`,
  },
  'post-implementation-review': {
    // The review names the after-snapshots it approves as the new baselines: the latest of each target controller.
    operation: (a, ctx) => ({
      type: 'post-implementation-review',
      by: ctx.by,
      role: a.role,
      objectivesMet: a.objectivesMet,
      findings: a.findings,
      lessonsLearned: a.lessonsLearned,
      baselines: baselinesToApprove(ctx.change()),
    }),
    summary: (a, ctx) => {
      const baselines = baselinesToApprove(ctx.change());
      return (
        `post-implementation review as ${ctx.roleName(a.role)}: objectives ${a.objectivesMet ? 'met' : 'NOT met'}; ${a.findings.trim()}; lessons learned: ${a.lessonsLearned.trim()}; ` +
        `new baseline${baselines.length === 1 ? '' : 's'} of ${baselines.map((b) => ctx.controllerName(b.controllerId)).join(', ')}`
      );
    },
  },
};
