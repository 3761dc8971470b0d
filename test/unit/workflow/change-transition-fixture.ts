// The change state machine tests' shared fixture: the 24-line packaging plant's people and policy, request fields,
// contexts, operations and one sample change in every state (used by the change-transition*.test.ts files).
import { emptyChangeRequest, type ChangeRequestFields } from '../../../src-shared/common/workflow/change-request.ts';
import {
  newChange,
  type ChangeOperation,
  type ChangeOperationType,
  type ChangeState,
} from '../../../src-shared/common/workflow/change-state.ts';
import { transition, type TransitionContext, type TransitionResult } from '../../../src-shared/common/workflow/change-transition.ts';
import type { LineFact } from '../../../src-shared/common/workflow/workflow-terms.ts';
import { MANUAL_ROLLBACK_STEPS } from '../../../src-shared/common/workflow/rollback-guidance.ts';
import { PEOPLE, defaultChecklists, defaultCheckpoints, defaultPolicy, line } from './packaging-plant.ts';

export const policy = defaultPolicy();
export const CHECKPOINTS = defaultCheckpoints();
export const CHECKLISTS = defaultChecklists();
export const H = 3_600_000;
// Wednesday 3 June 2026, 10:00 in Chicago (CDT): the change is filed and submitted during production.
export const NOW = new Date('2026-06-03T15:00:00Z');
export const later = (ms: number): Date => new Date(NOW.getTime() + ms);
// The slot: Thursday night 22:30-23:30 CDT, inside the night-maintenance window, after the tier-2 24 h notice.
export const SLOT = { start: '2026-06-05T03:30:00.000Z', end: '2026-06-05T04:30:00.000Z' };
export const IN_SLOT = new Date('2026-06-05T03:35:00Z');
export const AFTER_SLOT = new Date('2026-06-05T04:31:00Z');
// For tier-1 lines (48 h notice): Saturday night 23:00-24:00 CDT.
export const TIER1_WINDOW = { start: '2026-06-07T04:00:00.000Z', end: '2026-06-07T05:00:00.000Z' };

export const { eng, eng2, pem, pem2, sec, qa, safety, process, super: supervisor, onCall, plantMgr, vp } = PEOPLE;

export function fields(over: Partial<ChangeRequestFields> = {}): ChangeRequestFields {
  return {
    ...emptyChangeRequest(),
    title: 'Raise filler speed setpoint',
    description: 'Filler 3 speed from 120 to 130 bpm',
    justification: 'Bottleneck on line 9',
    class: 'normal',
    targetControllers: ['plc-l09-filler'],
    impactAssessment: { summary: 'Filler only, reversible', impact: 1, probability: 2, safetyImpact: 'none' },
    rollbackPlan: 'Restore the before-snapshot',
    testPlan: 'Run 10 minutes on the simulator',
    proposedChange: { kind: 'work-instruction', text: 'Set Filler.SpeedSP to 130' },
    requestedWindow: { ...SLOT },
    itsmTicket: 'CHG0012345',
    ...over,
  };
}

export function ctx(now: Date, lines: LineFact[] = [line('L09')], extra: Partial<TransitionContext> = {}): TransitionContext {
  return { now, policy, plant: { lines, touchesSafetyTag: false }, checkpoints: CHECKPOINTS, checklists: CHECKLISTS, ...extra };
}

export function must(r: TransitionResult): ChangeState {
  if (!r.ok) throw new Error(`refused: ${r.error.message}`);
  return r.next;
}

export function refusal(r: TransitionResult): { rule: string; message: string } {
  if (r.ok) throw new Error(`expected a refusal, got ${r.next.status}`);
  return { rule: r.rule, message: r.error.message };
}

// The plant's number follows the id: CHG-1 is filed as CR-0001.
export const draft = (over: Partial<ChangeRequestFields> = {}, id = 'CHG-1'): ChangeState =>
  newChange(id, eng, fields(over), NOW, `CR-${id.slice(4).padStart(4, '0')}`);
export const submit = (s: ChangeState, c = ctx(NOW)): ChangeState => must(transition(s, { type: 'submit', by: eng }, c));
export const approveOp = (by = pem, role = 'plant-engineering-manager'): ChangeOperation => ({
  type: 'approve',
  by,
  role,
  diffReviewed: true,
});

/** A supervisor's decision at a checkpoint, with every item of its checklist confirmed unless `confirmed` says otherwise. */
export const checkpointOp = (
  checkpoint: string,
  decision: string,
  over: Partial<Extract<ChangeOperation, { type: 'checkpoint' }>> = {},
): ChangeOperation => ({
  type: 'checkpoint',
  by: supervisor,
  role: 'shift-supervisor',
  checkpoint,
  decision,
  confirmed: CHECKPOINTS.checkpoints.find((c) => c.id === checkpoint)?.items ?? [],
  ...over,
});

/** A signed snapshot of the change's controller recorded as its before- or after-state. */
export const snapshotOp = (phase: 'before' | 'after', controllerId = 'plc-l09-filler'): ChangeOperation => ({
  type: 'record-snapshot',
  by: eng,
  phase,
  controllerId,
  snapshot: { sha256: (phase === 'before' ? 'b' : 'a').repeat(64), capturedBy: eng.name, capturedAt: IN_SLOT.toISOString() },
  verification:
    phase === 'after'
      ? { proposal: 'none', matches: true, counts: { approved: 0, unexpected: 0, missing: 0 }, findings: [], configDifferences: 0 }
      : null,
});

/** An after-snapshot whose diff holds a row the proposal did not foresee (Recipe changed from 7 to 9). */
export const unexpectedAfterOp = (): ChangeOperation => ({
  type: 'record-snapshot',
  by: eng,
  phase: 'after',
  controllerId: 'plc-l09-filler',
  snapshot: { sha256: 'c'.repeat(64), capturedBy: eng.name, capturedAt: IN_SLOT.toISOString() },
  verification: {
    proposal: 'diff',
    matches: false,
    counts: { approved: 1, unexpected: 1, missing: 0 },
    findings: [
      { tag: 'Recipe', status: 'unexpected', reason: 'Changed from 7 to 9, not proposed.' },
      { tag: 'SpeedSP', status: 'approved', reason: 'Changed as proposed.' },
    ],
    configDifferences: 2,
  },
});

/** The engineer's explanation of that row, countersigned by the supervisor. */
export const explainOp = (over: Partial<Extract<ChangeOperation, { type: 'explain' }>> = {}): ChangeOperation => ({
  type: 'explain',
  by: eng,
  countersigner: supervisor,
  role: 'shift-supervisor',
  explanations: [
    {
      controllerId: 'plc-l09-filler',
      tag: 'Recipe',
      text: 'Recipe 9 selected by the operator for the next order; not part of the change.',
    },
  ],
  ...over,
});

/** An executing change up to its after-snapshot with an unexpected row (CLOSE not yet signed). */
export function throughUnexpected(s: ChangeState, now: Date): ChangeState {
  let next = must(transition(s, snapshotOp('before'), ctx(now)));
  for (const [c, d] of [
    ['pre-execution', 'go'],
    ['mid-change', 'continue'],
    ['pre-cutover', 'cutover'],
  ] as const)
    next = must(transition(next, checkpointOp(c, d), ctx(now)));
  return must(transition(next, unexpectedAfterOp(), ctx(now)));
}

/** An executing change taken through its before-snapshot, GO, CONTINUE, CUTOVER, its after-snapshot and CLOSE. */
export function throughCheckpoints(s: ChangeState, now: Date): ChangeState {
  let next = must(transition(s, snapshotOp('before'), ctx(now)));
  for (const [c, d] of [
    ['pre-execution', 'go'],
    ['mid-change', 'continue'],
    ['pre-cutover', 'cutover'],
  ] as const)
    next = must(transition(next, checkpointOp(c, d), ctx(now)));
  next = must(transition(next, snapshotOp('after'), ctx(now)));
  return must(transition(next, checkpointOp('post-change', 'close'), ctx(now)));
}

/** The emergency path: an emergency change filed on a tier-1 line and started under break-glass. */
export const emergencyDraft = (): ChangeState => draft({ class: 'emergency', requestedWindow: null, itsmTicket: '' }, 'CHG-E');
export const breakGlassOp: ChangeOperation = {
  type: 'break-glass',
  by: eng,
  approver: { id: onCall.id, name: onCall.name, role: 'on-call-manager' },
  method: 'phone',
  reason: 'Filler jammed, line down',
};

/** The break-glass approver signs afterwards with their own password; the responder writes the emergency report. */
export const confirmOp: ChangeOperation = { type: 'confirm-break-glass', by: onCall };
export const reportOp: ChangeOperation = {
  type: 'emergency-report',
  by: eng,
  rootCause: 'Worn photo-eye on the filler infeed',
  lessonsLearned: 'Keep a spare photo-eye at the line',
  permanentFix: 'CR-0042',
};

/** A normal change touching a safety tag (so safety-critical), approved by the CAB's accountable roles and executed up to its after-snapshot. */
export function safetyAfter(): ChangeState {
  const safe = (now: Date): TransitionContext => ({
    ...ctx(now),
    plant: { lines: [line('L09')], touchesSafetyTag: true, safetyTags: ['Filler.GuardDoor'] },
  });
  let s = submit(draft({}, 'CHG-9'), safe(NOW));
  for (const [who, role] of [
    [sec, 'ot-security'],
    [qa, 'quality-compliance'],
  ] as const)
    s = must(transition(s, approveOp(who, role), safe(later(H))));
  s = must(transition(s, { type: 'schedule', by: eng, ...SLOT }, safe(later(2 * H))));
  s = must(transition(s, { type: 'start-execution', by: eng }, safe(IN_SLOT)));
  s = must(transition(s, snapshotOp('before'), safe(IN_SLOT)));
  for (const [c, d] of [
    ['pre-execution', 'go'],
    ['mid-change', 'continue'],
    ['pre-cutover', 'cutover'],
  ] as const)
    s = must(transition(s, checkpointOp(c, d), safe(IN_SLOT)));
  return must(transition(s, snapshotOp('after'), safe(IN_SLOT)));
}

/** An executing change with a before-snapshot, rolled back, its logic written back by hand (signed). */
export function manuallyRolledBack(executing: ChangeState): ChangeState {
  const rolled = must(
    transition(
      must(transition(executing, snapshotOp('before'), ctx(IN_SLOT))),
      { type: 'rollback', by: eng, reason: 'Filler faulted' },
      ctx(IN_SLOT),
    ),
  );
  return must(transition(rolled, validOp('manual-rollback'), ctx(IN_SLOT)));
}

/** The re-capture of the filler after its manual rollback, compared with the before-snapshot (`differences`: what still differs). */
export const proofOp = (
  differences: { tag: string; reason: string }[] = [],
  capturedAt = IN_SLOT.toISOString(),
  sha = 'd',
): ChangeOperation => ({
  type: 'rollback-proof',
  by: eng,
  controllerId: 'plc-l09-filler',
  snapshot: { sha256: sha.repeat(64), capturedBy: eng.name, capturedAt },
  beforeSnapshotSha256: 'b'.repeat(64),
  differences,
  total: differences.length,
});

/** One sample state per status (and break-glass variants of the executed ones), reached by real transitions. */
export function samples(): Record<string, ChangeState> {
  const d = draft();
  const submitted = submit(d);
  const approved = must(transition(submitted, approveOp(), ctx(later(H))));
  const scheduled = must(transition(approved, { type: 'schedule', by: eng, ...SLOT }, ctx(later(2 * H))));
  const executing = must(transition(scheduled, { type: 'start-execution', by: eng }, ctx(IN_SLOT)));
  const rolledBack = must(transition(executing, { type: 'rollback', by: eng, reason: 'Filler faulted' }, ctx(IN_SLOT)));
  const bgExecuting = must(transition(emergencyDraft(), breakGlassOp, ctx(NOW, [line('L02')])));
  const bgRolledBack = must(transition(bgExecuting, { type: 'rollback', by: eng, reason: 'No better' }, ctx(later(H))));
  const checked = throughCheckpoints(executing, IN_SLOT);
  // Break-glass changes whose approver signed afterwards and whose emergency report is written: ready for the review.
  const ready = (s: ChangeState, at: Date): ChangeState =>
    must(transition(must(transition(s, confirmOp, ctx(at, [line('L02')]))), reportOp, ctx(at, [line('L02')])));
  const bgClosed = must(transition(throughCheckpoints(bgExecuting, later(H)), { type: 'close', by: eng }, ctx(later(H))));
  return {
    draft: d,
    submitted,
    approved,
    rejected: must(transition(submitted, { type: 'reject', by: pem, role: 'plant-engineering-manager', reason: 'Not now' }, ctx(later(H)))),
    deferred: must(transition(submitted, { type: 'defer', by: pem, role: 'plant-engineering-manager', reason: 'Next CAB' }, ctx(later(H)))),
    withdrawn: must(transition(d, { type: 'withdraw', by: eng, reason: 'Duplicate' }, ctx(NOW))),
    scheduled,
    'in-execution': executing,
    'rolled-back': rolledBack,
    'in-execution (checkpoints passed)': checked,
    'in-execution (unexpected row)': throughUnexpected(executing, IN_SLOT),
    closed: must(transition(checked, { type: 'close', by: eng }, ctx(IN_SLOT))),
    'in-execution (break-glass)': bgExecuting,
    'rolled-back (break-glass)': bgRolledBack,
    'closed (break-glass)': bgClosed,
    'in-execution (break-glass, reported)': ready(bgExecuting, later(H)),
    'rolled-back (break-glass, reported)': ready(bgRolledBack, later(H)),
    'closed (break-glass, reported)': ready(bgClosed, later(H)),
    'in-execution (safety, after-snapshot)': safetyAfter(),
    'rolled-back (before-snapshot)': must(
      transition(
        must(transition(executing, snapshotOp('before'), ctx(IN_SLOT))),
        { type: 'rollback', by: eng, reason: 'Filler faulted' },
        ctx(IN_SLOT),
      ),
    ),
    'rolled-back (manual rollback)': manuallyRolledBack(executing),
    'rolled-back (re-capture differs)': must(
      transition(manuallyRolledBack(executing), proofOp([{ tag: 'Recipe', reason: 'Changed from 7 to 9.' }]), ctx(IN_SLOT)),
    ),
  };
}

/** A well-formed operation of each type, as an allowed pair would use it. */
export function validOp(type: ChangeOperationType): ChangeOperation {
  switch (type) {
    case 'edit':
      return { type, by: eng, fields: { title: 'Raise filler speed setpoint to 130' } };
    case 'submit':
      return { type, by: eng };
    case 'withdraw':
      return { type, by: eng, reason: 'No longer needed' };
    case 'approve':
      return approveOp();
    case 'approve-with-conditions':
      return { type, by: pem, role: 'plant-engineering-manager', conditions: ['Operator at the filler'], diffReviewed: true };
    case 'reject':
      return { type, by: pem, role: 'plant-engineering-manager', reason: 'Too risky before the audit' };
    case 'defer':
      return { type, by: pem, role: 'plant-engineering-manager', reason: 'Discuss at the next CAB' };
    case 'schedule':
      return { type, by: eng, ...SLOT };
    case 'break-glass':
      return breakGlassOp;
    case 'start-execution':
      return { type, by: eng };
    case 'record-snapshot':
      return snapshotOp('before');
    case 'checkpoint':
      return checkpointOp('pre-execution', 'no-go', { confirmed: [], comment: 'Operators not briefed' });
    case 'explain':
      return explainOp();
    case 'window-decision':
      return { type, by: supervisor, role: 'shift-supervisor', decision: 'rollback', comment: 'Download not finished in time' };
    case 'rollback':
      return { type, by: eng, reason: 'Filler faulted' };
    case 'close':
      return { type, by: eng, comment: 'Verified' };
    case 'retrospective-review':
      return { type, by: sec, role: 'ot-security', comment: 'Justified; root cause: worn sensor' };
    case 'safety-sign-off':
      return { type, by: safety, role: 'safety-manager', confirmed: [...policy.safetyReview!.checklist] };
    case 'confirm-break-glass':
      return confirmOp;
    case 'emergency-report':
      return reportOp;
    case 'rollback-decision':
      return { type, by: eng, answers: { safetyImpact: false, productionCritical: false, workaroundAvailable: true } };
    case 'manual-rollback':
      return {
        type,
        by: eng,
        controllerId: 'plc-l09-filler',
        kind: 'logic',
        reference: 'filler-before.L5X',
        confirmed: [...MANUAL_ROLLBACK_STEPS],
      };
    case 'tick-item':
      return {
        type,
        by: eng,
        template: 'rollback-plan',
        item: 'Rollback procedure documented',
        ticked: true,
        note: 'Procedure RB-9 on the cabinet door',
      };
    case 'rollback-proof':
      return proofOp();
    case 'post-implementation-review':
      return {
        type,
        by: pem2,
        role: 'plant-engineering-manager',
        objectivesMet: true,
        findings: 'Speed raised, no alarms',
        lessonsLearned: 'Simulator run was worth it',
        baselines: [{ controllerId: 'plc-l09-filler', snapshotSha256: 'a'.repeat(64) }],
      };
  }
}

export const all = samples();
export const sample = (name: string): ChangeState => {
  const s = all[name];
  if (s === undefined) throw new Error(`no sample ${name}`);
  return s;
};
