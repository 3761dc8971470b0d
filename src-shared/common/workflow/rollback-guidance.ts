/**
 * The change guide's rollback decision matrix as a guided decision: safety impact -> immediate rollback with the
 * emergency protocol; production-critical -> expedited rollback (within 15 minutes); a workaround available ->
 * document and continue, schedule a fix; more than 2 hours left in the window -> troubleshoot with a deadline;
 * otherwise a planned rollback. The answers and the outcome are signed (operation `rollback-decision`); a guided
 * procedure covers what cannot be written back over the wire (logic, firmware), ending in the same re-capture proof
 * as a restore.
 */
import type { ChangeState, RollbackDecisionRecord } from './change-state.ts';
import { windowTimer } from './change-deadlines.ts';
import { blankText, no, personRef, type OpOf, type RuleOutcome } from './rule-outcome.ts';

/** The matrix's outcomes, in its order. */
export const ROLLBACK_OUTCOMES = [
  'immediate-rollback',
  'expedited-rollback',
  'document-and-continue',
  'troubleshoot',
  'planned-rollback',
] as const;

/** One outcome of the matrix. */
export type RollbackOutcome = (typeof ROLLBACK_OUTCOMES)[number];

/** The minutes left above which the matrix says troubleshoot (the change guide: time remaining > 2 h). */
export const TROUBLESHOOT_ABOVE_MINUTES = 120;

/** What each outcome means, as the change screen says it. */
export const ROLLBACK_OUTCOME_TEXT: Readonly<Record<RollbackOutcome, { label: string; says: string; rollsBack: boolean }>> = {
  'immediate-rollback': {
    label: 'Immediate rollback',
    says: 'Safety impact: roll back now and start the emergency protocol.',
    rollsBack: true,
  },
  'expedited-rollback': { label: 'Expedited rollback', says: 'Production-critical: roll back within 15 minutes.', rollsBack: true },
  'document-and-continue': {
    label: 'Document and continue',
    says: 'A workaround is available: document it, continue, and schedule the fix.',
    rollsBack: false,
  },
  troubleshoot: {
    label: 'Troubleshoot',
    says: 'More than 2 hours are left in the window: troubleshoot, with a deadline.',
    rollsBack: false,
  },
  'planned-rollback': {
    label: 'Planned rollback',
    says: 'Too little time is left to troubleshoot: roll back as planned.',
    rollsBack: true,
  },
};

/**
 * What the outcome says for this change: a planned rollback names why troubleshooting is out (under 2 hours left, the
 * window over, or no window at all: a break-glass change has no slot, so the matrix's "more than 2 hours left?" cannot
 * be answered yes).
 */
export function rollbackOutcomeWords(
  outcome: RollbackOutcome,
  minutesLeft: number | null,
): { label: string; says: string; rollsBack: boolean } {
  const text = ROLLBACK_OUTCOME_TEXT[outcome];
  if (outcome !== 'planned-rollback') return text;
  if (minutesLeft === null)
    return { ...text, says: 'This change has no change window, so no time is set aside to troubleshoot: roll back as planned.' };
  if (minutesLeft === 0) return { ...text, says: 'The change window is over: roll back as planned.' };
  return text;
}

/** The matrix: the first question answered yes decides; with none, the time left does. */
export function rollbackOutcome(answers: RollbackDecisionRecord['answers'], minutesLeft: number | null): RollbackOutcome {
  if (answers.safetyImpact) return 'immediate-rollback';
  if (answers.productionCritical) return 'expedited-rollback';
  if (answers.workaroundAvailable) return 'document-and-continue';
  return minutesLeft !== null && minutesLeft > TROUBLESHOOT_ABOVE_MINUTES ? 'troubleshoot' : 'planned-rollback';
}

/** Minutes left in the change's slot at `now` (null without a slot; 0 once it is over). */
export function minutesLeftInWindow(state: ChangeState, now: Date): number | null {
  const t = windowTimer(state, now);
  return t.status === 'no-slot' ? null : t.status === 'over' ? 0 : t.minutesLeft;
}

/** Records a signed walk through the matrix on a change being executed. */
export function rollbackDecision(state: ChangeState, op: OpOf<'rollback-decision'>, now: Date): RuleOutcome {
  if (state.status !== 'in-execution')
    return no('illegal-transition', 'the rollback decision is taken while the change is being executed.', 'Nothing to decide.');
  const a = op.answers;
  if (typeof a.safetyImpact !== 'boolean' || typeof a.productionCritical !== 'boolean' || typeof a.workaroundAvailable !== 'boolean') {
    return no('rollback-guidance-invalid', 'every question of the rollback decision matrix needs a yes or a no.', 'Answer each question.');
  }
  const minutesLeft = minutesLeftInWindow(state, now);
  const record: RollbackDecisionRecord = {
    by: personRef(op.by),
    at: now.toISOString(),
    answers: { ...a },
    minutesLeft,
    outcome: rollbackOutcome(a, minutesLeft),
    comment: op.comment?.trim() ?? '',
  };
  return {
    ok: true,
    next: { ...state, execution: { ...state.execution, rollbackDecisions: [...(state.execution.rollbackDecisions ?? []), record] } },
  };
}

/** The change guide's manual rollback procedure for logic and firmware, step by step (each confirmed when signed). */
export const MANUAL_ROLLBACK_STEPS: readonly string[] = [
  'Operations notified of the rollback',
  'Backup file located and its checksum matches the before-state',
  'Backup written to the controller with the vendor tool',
  'All I/O points responding',
  'Safety interlocks checked',
];

/**
 * A signed manual rollback of one controller of a rolled-back change, by the engineer who did it; its proof is the
 * re-capture compared with the before-snapshot (the restore's proof).
 */
export function manualRollback(
  state: ChangeState,
  op: OpOf<'manual-rollback'>,
  now: Date,
  controllerName: (id: string) => string,
): RuleOutcome {
  if (state.status !== 'rolled-back')
    return no('illegal-transition', 'a manual rollback is recorded on a change that was rolled back.', 'Roll the change back first.');
  if (!state.fields.targetControllers.includes(op.controllerId))
    return no(
      'manual-rollback-invalid',
      `${controllerName(op.controllerId)} is not a target controller of this change.`,
      'Pick one of its controllers.',
    );
  if (!(state.execution.snapshots ?? []).some((x) => x.phase === 'before' && x.controllerId === op.controllerId)) {
    return no(
      'manual-rollback-invalid',
      `${controllerName(op.controllerId)} has no before-snapshot on this change to prove the rollback against.`,
      'Without a before-snapshot the rollback cannot be proven by re-capture.',
    );
  }
  if (!['logic', 'firmware', 'other'].includes(op.kind))
    return no('manual-rollback-invalid', `"${String(op.kind)}" is not logic, firmware or other.`, 'Say what was written back.');
  if (blankText(op.reference))
    return no('manual-rollback-invalid', 'name the backup or vendor file written back.', 'Give its name (and where it is kept).');
  const confirmed = new Set(op.confirmed.map((c) => c.trim()));
  const missing = MANUAL_ROLLBACK_STEPS.filter((s) => !confirmed.has(s));
  if (missing.length > 0)
    return no(
      'checklist-incomplete',
      `the manual rollback needs every step confirmed; not confirmed: ${missing.join('; ')}.`,
      'Do each step, then sign.',
    );
  const record = {
    controllerId: op.controllerId,
    kind: op.kind,
    reference: op.reference.trim(),
    steps: MANUAL_ROLLBACK_STEPS.map((text) => ({ text, confirmed: true })),
    by: personRef(op.by),
    at: now.toISOString(),
  };
  return {
    ok: true,
    next: { ...state, execution: { ...state.execution, manualRollbacks: [...(state.execution.manualRollbacks ?? []), record] } },
  };
}
