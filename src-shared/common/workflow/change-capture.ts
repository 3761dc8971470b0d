/**
 * Captures taken from a change's screen (the before- and after-capture of each target controller): what each one is
 * worth as evidence. Only a complete capture can be signed and recorded as the before- or after-snapshot of a change;
 * one cut off mid-way, cancelled or failed is marked so and never used, and the engineer is offered a retry.
 */
import { changeName, type ChangeState } from './change-state.ts';
import { checkpointProgress, type CheckpointSet } from './checkpoints.ts';
import { formatLocal } from './time-zone.ts';

/** Why a capture was taken from the change's screen: before or after the work, or to prove a manual rollback. */
export type CapturePhase = 'before' | 'after' | 'rollback';

/** What a capture is worth: complete (evidence once signed), incomplete (cut off mid-way), cancelled, failed (nothing read). */
export type ChangeCaptureStatus = 'complete' | 'incomplete' | 'cancelled' | 'failed';

/** One capture started from a change's screen, as the change screen lists it. */
export interface ChangeCaptureView {
  captureSha256: string;
  controllerId: string;
  phase: CapturePhase;
  /** When the capture was read (the capture document's own time). */
  capturedAt: string;
  status: ChangeCaptureStatus;
  tags: number;
  good: number;
  bad: number;
  failure: { code: string; message: string } | null;
  /** The snapshot recorded on the change from this capture (null: not recorded). */
  recordedAs: string | null;
}

/** The status of a capture from its facts. */
export function captureStatus(c: { complete: boolean; good: number; failure?: { code: string } | null | undefined }): ChangeCaptureStatus {
  if (c.complete) return 'complete';
  if (c.failure && /(^|-)cancelled$/.test(c.failure.code)) return 'cancelled';
  return c.good === 0 ? 'failed' : 'incomplete';
}

/** "cut off mid-way (3 of 12 tags read: …)": why a capture is not evidence, in words. */
export function notEvidenceReason(c: Pick<ChangeCaptureView, 'status' | 'good' | 'tags' | 'failure'>): string {
  const why = c.failure ? `: ${c.failure.message}` : '';
  switch (c.status) {
    case 'complete':
      return 'complete';
    case 'cancelled':
      return `cancelled (${c.good} of ${c.tags} tags read)`;
    case 'failed':
      return `failed, nothing was read${why}`;
    case 'incomplete':
      return `cut off mid-way (${c.good} of ${c.tags} tags read${why})`;
  }
}

/** The refusal text for using a capture that is not complete as a change's before- or after-snapshot. */
export function notEvidenceMessage(state: ChangeState, c: ChangeCaptureView, controller: string, zone: string): string {
  return `The ${c.phase}-capture of ${controller} taken ${formatLocal(Date.parse(c.capturedAt), zone)} was ${notEvidenceReason(c)}. A capture that is incomplete, cancelled or failed is never evidence, so it cannot be the ${c.phase}-snapshot of ${changeName(state)}.`;
}

/**
 * Why a capture of `phase` cannot be taken for the change now (null when it can): before-captures before the first
 * checkpoint is decided, after-captures once it let the work go on and until the checkpoints are closed.
 */
export function capturePhaseProblem(
  state: ChangeState,
  set: CheckpointSet,
  controllerId: string,
  phase: CapturePhase,
  controller: string,
): { code: string; message: string; hint: string } | null {
  if (phase === 'rollback') {
    if (state.status !== 'rolled-back')
      return {
        code: 'change-capture-not-rolled-back',
        message: `${changeName(state)} is ${state.status.replace('-', ' ')}; a re-capture proving a manual rollback is taken once it was rolled back.`,
        hint: 'Roll the change back first.',
      };
    if (!(state.execution.manualRollbacks ?? []).some((r) => r.controllerId === controllerId)) {
      return {
        code: 'change-capture-phase',
        message: `${controller} has no signed manual rollback on ${changeName(state)} for a re-capture to prove.`,
        hint: 'Sign the manual rollback procedure for it first.',
      };
    }
    return null;
  }
  if (state.status !== 'in-execution') {
    return {
      code: 'change-capture-not-executing',
      message: `${changeName(state)} is ${state.status.replace('-', ' ')}; before- and after-captures are taken while it is being executed.`,
      hint: 'Start the execution first; after a rollback, use Restore.',
    };
  }
  if (!state.fields.targetControllers.includes(controllerId)) {
    return {
      code: 'change-capture-not-target',
      message: `${controller} is not a target controller of ${changeName(state)}.`,
      hint: 'Capture the controllers the change targets.',
    };
  }
  const records = state.execution.checkpoints ?? [];
  const first = set.checkpoints[0]!;
  if (checkpointProgress(set, records).closable) {
    return {
      code: 'change-capture-closed',
      message: `the checkpoints of ${changeName(state)} are closed: its after-snapshots cannot be replaced.`,
      hint: 'Close the change; a later capture belongs to a drift check.',
    };
  }
  if (phase === 'before' && records.length > 0) {
    return {
      code: 'change-capture-phase',
      message: `the before-capture of ${controller} is taken before ${first.name}, which was already decided.`,
      hint: 'Take an after-capture, or roll the change back.',
    };
  }
  if (phase === 'after' && !records.some((r) => r.checkpoint === first.id && r.effect === 'proceed')) {
    return {
      code: 'change-capture-phase',
      message: `an after-capture of ${controller} is taken once ${first.name} let the work go on.`,
      hint: `Record the before-snapshot and have the shift supervisor sign ${first.name} first.`,
    };
  }
  return null;
}
