import { describe, expect, it } from 'vitest';
import { emptyChangeRequest, type ChangeRequestFields } from '../../../src-shared/common/workflow/change-request.ts';
import { changeName } from '../../../src-shared/common/workflow/change-state.ts';
import {
  CHANGE_OPERATIONS,
  CHANGE_STATUSES,
  approvalProgressOf,
  newChange,
  statusLabel,
  type ChangeOperation,
  type ChangeOperationType,
  type ChangeState,
  type ChangeStatus,
} from '../../../src-shared/common/workflow/change-state.ts';
import { approvalTimeoutStatus, retrospectiveStatus, windowTimer } from '../../../src-shared/common/workflow/change-deadlines.ts';
import {
  ALLOWED_OPERATIONS,
  allowedOperations,
  outstandingApprovals,
  transition,
  type TransitionContext,
  type TransitionResult,
} from '../../../src-shared/common/workflow/change-transition.ts';
import { dueAtInSlot, executionClock } from '../../../src-shared/common/workflow/execution-clock.ts';
import { loadPolicyYaml } from '../../../src-shared/common/workflow/policy-yaml.ts';
import type { Policy } from '../../../src-shared/common/workflow/policy-schema.ts';
import type { LineFact } from '../../../src-shared/common/workflow/workflow-terms.ts';
import { readFileSync } from 'node:fs';
import { MANUAL_ROLLBACK_STEPS, rollbackOutcome } from '../../../src-shared/common/workflow/rollback-guidance.ts';
import { postImplementationReviewStatus } from '../../../src-shared/common/workflow/post-implementation-review.ts';
import { PEOPLE, defaultChecklists, defaultCheckpoints, defaultPolicy, line } from './packaging-plant.ts';

const policy = defaultPolicy();
const CHECKPOINTS = defaultCheckpoints();
const CHECKLISTS = defaultChecklists();
const H = 3_600_000;
// Wednesday 3 June 2026, 10:00 in Chicago (CDT): the change is filed and submitted during production.
const NOW = new Date('2026-06-03T15:00:00Z');
const later = (ms: number): Date => new Date(NOW.getTime() + ms);
// The slot: Thursday night 22:30-23:30 CDT, inside the night-maintenance window, after the tier-2 24 h notice.
const SLOT = { start: '2026-06-05T03:30:00.000Z', end: '2026-06-05T04:30:00.000Z' };
const IN_SLOT = new Date('2026-06-05T03:35:00Z');
const AFTER_SLOT = new Date('2026-06-05T04:31:00Z');
// For tier-1 lines (48 h notice): Saturday night 23:00-24:00 CDT.
const TIER1_WINDOW = { start: '2026-06-07T04:00:00.000Z', end: '2026-06-07T05:00:00.000Z' };

const { eng, eng2, pem, pem2, sec, qa, safety, process, super: supervisor, onCall, plantMgr, vp } = PEOPLE;

function fields(over: Partial<ChangeRequestFields> = {}): ChangeRequestFields {
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

function ctx(now: Date, lines: LineFact[] = [line('L09')], extra: Partial<TransitionContext> = {}): TransitionContext {
  return { now, policy, plant: { lines, touchesSafetyTag: false }, checkpoints: CHECKPOINTS, checklists: CHECKLISTS, ...extra };
}

function must(r: TransitionResult): ChangeState {
  if (!r.ok) throw new Error(`refused: ${r.error.message}`);
  return r.next;
}

function refusal(r: TransitionResult): { rule: string; message: string } {
  if (r.ok) throw new Error(`expected a refusal, got ${r.next.status}`);
  return { rule: r.rule, message: r.error.message };
}

// The plant's number follows the id: CHG-1 is filed as CR-0001.
const draft = (over: Partial<ChangeRequestFields> = {}, id = 'CHG-1'): ChangeState =>
  newChange(id, eng, fields(over), NOW, `CR-${id.slice(4).padStart(4, '0')}`);
const submit = (s: ChangeState, c = ctx(NOW)): ChangeState => must(transition(s, { type: 'submit', by: eng }, c));
const approveOp = (by = pem, role = 'plant-engineering-manager'): ChangeOperation => ({ type: 'approve', by, role, diffReviewed: true });

/** A supervisor's decision at a checkpoint, with every item of its checklist confirmed unless `confirmed` says otherwise. */
const checkpointOp = (
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
const snapshotOp = (phase: 'before' | 'after', controllerId = 'plc-l09-filler'): ChangeOperation => ({
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
const unexpectedAfterOp = (): ChangeOperation => ({
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
const explainOp = (over: Partial<Extract<ChangeOperation, { type: 'explain' }>> = {}): ChangeOperation => ({
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
function throughUnexpected(s: ChangeState, now: Date): ChangeState {
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
function throughCheckpoints(s: ChangeState, now: Date): ChangeState {
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
const emergencyDraft = (): ChangeState => draft({ class: 'emergency', requestedWindow: null, itsmTicket: '' }, 'CHG-E');
const breakGlassOp: ChangeOperation = {
  type: 'break-glass',
  by: eng,
  approver: { id: onCall.id, name: onCall.name, role: 'on-call-manager' },
  method: 'phone',
  reason: 'Filler jammed, line down',
};

/** The break-glass approver signs afterwards with their own password; the responder writes the emergency report. */
const confirmOp: ChangeOperation = { type: 'confirm-break-glass', by: onCall };
const reportOp: ChangeOperation = {
  type: 'emergency-report',
  by: eng,
  rootCause: 'Worn photo-eye on the filler infeed',
  lessonsLearned: 'Keep a spare photo-eye at the line',
  permanentFix: 'CR-0042',
};

/** A normal change touching a safety tag (so safety-critical), approved by the CAB's accountable roles and executed up to its after-snapshot. */
function safetyAfter(): ChangeState {
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
function manuallyRolledBack(executing: ChangeState): ChangeState {
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
const proofOp = (differences: { tag: string; reason: string }[] = [], capturedAt = IN_SLOT.toISOString(), sha = 'd'): ChangeOperation => ({
  type: 'rollback-proof',
  by: eng,
  controllerId: 'plc-l09-filler',
  snapshot: { sha256: sha.repeat(64), capturedBy: eng.name, capturedAt },
  beforeSnapshotSha256: 'b'.repeat(64),
  differences,
  total: differences.length,
});

/** One sample state per status (and break-glass variants of the executed ones), reached by real transitions. */
function samples(): Record<string, ChangeState> {
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
function validOp(type: ChangeOperationType): ChangeOperation {
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

const all = samples();
const sample = (name: string): ChangeState => {
  const s = all[name];
  if (s === undefined) throw new Error(`no sample ${name}`);
  return s;
};

/** Every allowed pair, with the sample it starts from, when it happens and the state it must lead to. */
const ALLOWED_CASES: [ChangeStatus, ChangeOperationType, string, Date, ChangeStatus][] = [
  ['draft', 'edit', 'draft', NOW, 'draft'],
  ['draft', 'submit', 'draft', NOW, 'submitted'],
  ['draft', 'withdraw', 'draft', NOW, 'withdrawn'],
  ['draft', 'break-glass', 'emergency draft', NOW, 'in-execution'],
  ['submitted', 'withdraw', 'submitted', later(H), 'withdrawn'],
  ['submitted', 'approve', 'submitted', later(H), 'approved'],
  ['submitted', 'approve-with-conditions', 'submitted', later(H), 'approved'],
  ['submitted', 'reject', 'submitted', later(H), 'rejected'],
  ['submitted', 'defer', 'submitted', later(H), 'deferred'],
  ['submitted', 'break-glass', 'emergency submitted', later(H), 'in-execution'],
  ['approved', 'withdraw', 'approved', later(2 * H), 'withdrawn'],
  ['approved', 'schedule', 'approved', later(2 * H), 'scheduled'],
  ['deferred', 'edit', 'deferred', later(2 * H), 'draft'],
  ['deferred', 'submit', 'deferred', later(2 * H), 'submitted'],
  ['deferred', 'withdraw', 'deferred', later(2 * H), 'withdrawn'],
  ['scheduled', 'withdraw', 'scheduled', later(3 * H), 'withdrawn'],
  ['scheduled', 'schedule', 'scheduled', later(3 * H), 'scheduled'],
  ['scheduled', 'start-execution', 'scheduled', IN_SLOT, 'in-execution'],
  ['in-execution', 'rollback', 'in-execution', IN_SLOT, 'rolled-back'],
  ['in-execution', 'record-snapshot', 'in-execution', IN_SLOT, 'in-execution'],
  ['in-execution', 'checkpoint', 'in-execution', IN_SLOT, 'rolled-back'],
  ['in-execution', 'close', 'in-execution (checkpoints passed)', IN_SLOT, 'closed'],
  ['in-execution', 'explain', 'in-execution (unexpected row)', IN_SLOT, 'in-execution'],
  ['in-execution', 'retrospective-review', 'in-execution (break-glass, reported)', later(2 * H), 'in-execution'],
  ['in-execution', 'safety-sign-off', 'in-execution (safety, after-snapshot)', IN_SLOT, 'in-execution'],
  ['in-execution', 'confirm-break-glass', 'in-execution (break-glass)', later(H), 'in-execution'],
  ['in-execution', 'emergency-report', 'in-execution (break-glass)', later(H), 'in-execution'],
  ['in-execution', 'rollback-decision', 'in-execution', IN_SLOT, 'in-execution'],
  ['in-execution', 'window-decision', 'in-execution', AFTER_SLOT, 'rolled-back'],
  ['in-execution', 'tick-item', 'in-execution', IN_SLOT, 'in-execution'],
  ['rolled-back', 'close', 'rolled-back', IN_SLOT, 'closed'],
  ['rolled-back', 'retrospective-review', 'rolled-back (break-glass, reported)', later(2 * H), 'rolled-back'],
  ['rolled-back', 'confirm-break-glass', 'rolled-back (break-glass)', later(2 * H), 'rolled-back'],
  ['rolled-back', 'emergency-report', 'rolled-back (break-glass)', later(2 * H), 'rolled-back'],
  ['rolled-back', 'manual-rollback', 'rolled-back (before-snapshot)', IN_SLOT, 'rolled-back'],
  ['rolled-back', 'rollback-proof', 'rolled-back (manual rollback)', IN_SLOT, 'rolled-back'],
  ['rolled-back', 'explain', 'rolled-back (re-capture differs)', IN_SLOT, 'rolled-back'],
  ['closed', 'retrospective-review', 'closed (break-glass, reported)', later(2 * H), 'closed'],
  ['closed', 'confirm-break-glass', 'closed (break-glass)', later(2 * H), 'closed'],
  ['closed', 'emergency-report', 'closed (break-glass)', later(2 * H), 'closed'],
  ['closed', 'post-implementation-review', 'closed', later(2 * H), 'closed'],
];

function startOf(name: string): ChangeState {
  if (name === 'emergency draft') return emergencyDraft();
  if (name === 'emergency submitted') return submit(emergencyDraft(), ctx(NOW, [line('L02')]));
  return sample(name);
}

describe('change state machine: every state x every operation', () => {
  it('the allowed cases below are exactly the table', () => {
    const fromCases = CHANGE_STATUSES.map((s) => [
      s,
      ALLOWED_CASES.filter(([st]) => st === s)
        .map(([, op]) => op)
        .sort(),
    ]);
    expect(fromCases).toEqual(CHANGE_STATUSES.map((s) => [s, [...ALLOWED_OPERATIONS[s]].sort()]));
    expect(CHANGE_STATUSES).toHaveLength(10);
    expect(CHANGE_OPERATIONS).toHaveLength(25);
  });

  it.each(ALLOWED_CASES)('%s + %s (from the %s sample) -> %s', (status, op, from, now, expected) => {
    const state = startOf(from);
    expect(state.status).toBe(status);
    const lines = state.fields.class === 'emergency' ? [line('L02')] : [line('L09')];
    const next = must(transition(state, validOp(op), ctx(now, lines)));
    expect(next.status).toBe(expected);
    expect(next.id).toBe(state.id);
    expect(JSON.parse(JSON.stringify(next))).toEqual(next);
  });

  const refusedPairs = Object.keys(all).flatMap((name) =>
    CHANGE_OPERATIONS.filter((op) => !ALLOWED_OPERATIONS[sample(name).status].includes(op)).map((op) => [name, op] as const),
  );

  it('refuses every other pair (this many)', () => {
    expect(refusedPairs.length).toBe(
      Object.values(all).reduce((n, s) => n + CHANGE_OPERATIONS.length - ALLOWED_OPERATIONS[s.status].length, 0),
    );
    expect(refusedPairs.length).toBeGreaterThan(100);
  });

  it.each(refusedPairs)('%s + %s is an illegal transition', (name, op) => {
    const state = sample(name);
    const r = transition(state, validOp(op), ctx(later(2 * H)));
    const { rule, message } = refusal(r);
    expect(rule).toBe('illegal-transition');
    // Named by number and title, the state in words, never by the change's id alone.
    expect(message.startsWith(`Illegal transition: ${changeName(state)} is ${state.status.replace('-', ' ')}, so it cannot be `)).toBe(
      true,
    );
    if (!r.ok) {
      expect(r.error.code).toBe('change-illegal-transition');
      expect(r.error.details).toMatchObject({ rule: 'illegal-transition', status: state.status, operation: op });
      expect(r.error.hint).toMatch(/^(Possible now: |Nothing more can be done)/);
    }
  });

  it.each(['in-execution', 'rolled-back', 'closed'])('a %s change that did not break glass owes no retrospective review', (name) => {
    expect(refusal(transition(sample(name), validOp('retrospective-review'), ctx(later(2 * H))))).toMatchObject({
      rule: 'no-retrospective-due',
    });
  });

  it('offers the allowed operations for each state', () => {
    expect(allowedOperations(sample('draft'))).toEqual(['edit', 'submit', 'withdraw', 'break-glass']);
    expect(allowedOperations(sample('withdrawn'))).toEqual([]);
  });
});

describe('refusals name the rule', () => {
  it('approving a withdrawn change', () => {
    const withdrawn = must(transition(sample('submitted'), { type: 'withdraw', by: eng, reason: 'Superseded' }, ctx(later(H))));
    expect(refusal(transition(withdrawn, approveOp(), ctx(later(H))))).toEqual({
      rule: 'illegal-transition',
      message:
        'Illegal transition: change CR-0001 "Raise filler speed setpoint" is withdrawn, so it cannot be approved. A withdrawn change is final: file a new change.',
    });
  });

  it('segregation of duties: nobody approves their own change, even holding the approver role', () => {
    const engineerManager = { ...eng, roles: ['controls-engineer', 'plant-engineering-manager'] };
    const r = transition(sample('submitted'), { ...approveOp(engineerManager) }, ctx(later(H)));
    expect(refusal(r)).toEqual({
      rule: 'segregation-of-duties',
      message:
        'Segregation of duties: Erin Engineer filed change CR-0001 "Raise filler speed setpoint" and cannot approve it; nobody approves their own change.',
    });
    expect(
      refusal(
        transition(
          sample('submitted'),
          { type: 'reject', by: engineerManager, role: 'plant-engineering-manager', reason: 'x' },
          ctx(later(H)),
        ),
      ).rule,
    ).toBe('segregation-of-duties');
  });

  it('approving twice, and quorum counting on a tier-1 line (CAB, quorum 2, different roles)', () => {
    const s = submit(draft({ requestedWindow: TIER1_WINDOW }), ctx(NOW, [line('L02')]));
    expect(s.review?.evaluation.approvals.map((a) => [a.group, a.quorum])).toEqual([['cab', 2]]);
    expect(s.review?.evaluation.approvals[0]?.accountable).toEqual(['ot-security', 'quality-compliance']);
    const one = must(transition(s, approveOp(sec, 'ot-security'), ctx(later(H))));
    expect(one.status).toBe('submitted');
    expect(refusal(transition(one, approveOp(sec, 'ot-security'), ctx(later(H))))).toEqual({
      rule: 'approve-twice',
      message:
        'Approving twice: Sam Security already approved change CR-0001 "Raise filler speed setpoint" (as OT security, Wed 3 Jun 2026 11:00 CDT); a person approves a change once.',
    });
    // The CAB's accountable roles (OT security and quality) must both sign: any two of its roles are not enough.
    expect(refusal(transition(one, approveOp(pem), ctx(later(H))))).toEqual({
      rule: 'approval-does-not-count',
      message:
        'Quorum: an approval as Plant engineering manager would not count toward any approval change CR-0001 "Raise filler speed setpoint" still needs: Change Advisory Board ' +
        'still needs its accountable Quality / compliance, which leaves no place in its quorum for Plant engineering manager.',
    });
    expect(outstandingApprovals(one, policy)).toEqual([
      'Change Advisory Board (1 more approval, including Quality / compliance (accountable))',
    ]);
    const two = must(transition(one, approveOp(qa, 'quality-compliance'), ctx(later(2 * H))));
    expect(two.status).toBe('approved');
    expect(approvalProgressOf(two)?.requirements[0]?.counted.map((a) => a.by.name)).toEqual(['Sam Security', 'Quinn Quality']);
  });

  it('a signer must hold the role and the role must approve this change', () => {
    expect(refusal(transition(sample('submitted'), approveOp(sec, 'plant-engineering-manager'), ctx(later(H))))).toEqual({
      rule: 'role-not-held',
      message: 'Role not held: Sam Security does not hold the role Plant engineering manager (their roles: OT security).',
    });
    expect(refusal(transition(sample('submitted'), approveOp(supervisor, 'shift-supervisor'), ctx(later(H))))).toEqual({
      rule: 'not-an-approver',
      message:
        'Not an approver for this change: change CR-0001 "Raise filler speed setpoint" needs no approval from the role Shift supervisor; it needs: Single approver (1 of Plant engineering manager).',
    });
  });

  it('escalation: after the approval timeout the escalation role stands in for one missing approval, never before', () => {
    const s = submit(draft({ requestedWindow: TIER1_WINDOW }, 'CHG-3'), ctx(NOW, [line('L02')]));
    const one = must(transition(s, approveOp(sec, 'ot-security'), ctx(later(H))));
    expect(s.review?.evaluation.approvalTimeout).toMatchObject({ minutes: 72 * 60, escalateTo: ['plant-manager'] });
    expect(refusal(transition(one, approveOp(plantMgr, 'plant-manager'), ctx(later(71 * H))))).toEqual({
      rule: 'not-yet-escalated',
      message:
        'Not escalated yet: approvals of change CR-0003 "Raise filler speed setpoint" escalate to Plant manager only at Sat 6 Jun 2026 10:00 CDT (policy: approval timeout); ' +
        'until then Change Advisory Board needs 1 more approval, including Quality / compliance (accountable).',
    });
    // The escalation approver stands in for the missing accountable approver.
    const two = must(transition(one, approveOp(plantMgr, 'plant-manager'), ctx(later(73 * H))));
    expect(two.status).toBe('approved');
    expect(two.review?.approvals.at(-1)).toMatchObject({ by: { name: 'Priya Plant' }, role: 'plant-manager', inPlaceOf: 'cab' });
    expect(approvalProgressOf(two)?.requirements[0]?.counted.map((a) => a.by.name)).toEqual(['Sam Security', 'Priya Plant']);
    // The escalation replaces one approver, not a quorum: a second escalated approval is refused.
    const bothMissing = submit(draft({ requestedWindow: TIER1_WINDOW }, 'CHG-4'), ctx(NOW, [line('L02')]));
    const stood = must(transition(bothMissing, approveOp(plantMgr, 'plant-manager'), ctx(later(73 * H))));
    expect(stood.status).toBe('submitted');
    expect(refusal(transition(stood, approveOp({ ...vp, roles: ['plant-manager'] }, 'plant-manager'), ctx(later(74 * H))))).toMatchObject({
      rule: 'approval-does-not-count',
      message: expect.stringMatching(
        /an escalation approver already stands in for a missing approval of Change Advisory Board/,
      ) as unknown as string,
    });
    // Roles that are neither approvers nor the escalation role are still refused after the timeout, naming the accountable roles.
    expect(refusal(transition(one, approveOp(supervisor, 'shift-supervisor'), ctx(later(80 * H))))).toMatchObject({
      rule: 'not-an-approver',
      message: expect.stringMatching(
        /it needs: Change Advisory Board \(2 of Plant engineering manager, OT security, Quality \/ compliance, including OT security and Quality \/ compliance\)\.$/,
      ) as unknown as string,
    });
  });

  it('a person holding two roles counts once', () => {
    const s = submit(draft({ requestedWindow: TIER1_WINDOW }, 'CHG-2'), ctx(NOW, [line('L02')]));
    const one = must(transition(s, approveOp(PEOPLE.both, 'ot-security'), ctx(later(H))));
    expect(refusal(transition(one, approveOp(PEOPLE.both, 'plant-engineering-manager'), ctx(later(H)))).rule).toBe('approve-twice');
  });

  it('diff review where the tier requires it (tier 2)', () => {
    expect(
      refusal(transition(sample('submitted'), { type: 'approve', by: pem, role: 'plant-engineering-manager' }, ctx(later(H)))),
    ).toEqual({
      rule: 'diff-review-required',
      message:
        'Diff review required: Line L09 is tier 2: mandatory diff review (policy: tier 2 lines): confirm that you reviewed the proposed diff before approving.',
    });
  });

  it('approved with conditions: the conditions travel with the change and must be confirmed at the start', () => {
    expect(
      refusal(
        transition(
          sample('submitted'),
          { type: 'approve-with-conditions', by: pem, role: 'plant-engineering-manager', conditions: [' '], diffReviewed: true },
          ctx(later(H)),
        ),
      ).rule,
    ).toBe('conditions-required');
    const approved = must(transition(sample('submitted'), validOp('approve-with-conditions'), ctx(later(H))));
    expect(approved.status === 'approved' && approved.conditions).toEqual(['Operator at the filler']);
    expect(statusLabel(approved)).toBe('approved (with conditions)');
    const scheduled = must(transition(approved, validOp('schedule'), ctx(later(2 * H))));
    expect(refusal(transition(scheduled, { type: 'start-execution', by: eng }, ctx(IN_SLOT)))).toEqual({
      rule: 'conditions-unconfirmed',
      message:
        'Conditions not confirmed: change CR-0001 "Raise filler speed setpoint" was approved with conditions (Operator at the filler); confirm they are met before starting.',
    });
    expect(must(transition(scheduled, { type: 'start-execution', by: eng, conditionsMet: true }, ctx(IN_SLOT))).status).toBe(
      'in-execution',
    );
  });

  it('rejections and deferrals need a reason; a deferred change is edited or resubmitted', () => {
    expect(
      refusal(transition(sample('submitted'), { type: 'reject', by: pem, role: 'plant-engineering-manager', reason: '' }, ctx(later(H))))
        .rule,
    ).toBe('reason-required');
    expect(
      refusal(transition(sample('submitted'), { type: 'defer', by: pem, role: 'plant-engineering-manager', reason: '  ' }, ctx(later(H))))
        .rule,
    ).toBe('reason-required');
    const deferred = sample('deferred');
    expect(deferred.status === 'deferred' && deferred.decision.reason).toBe('Next CAB');
    const resubmitted = must(transition(deferred, { type: 'submit', by: eng }, ctx(later(2 * H))));
    expect(resubmitted.review?.approvals).toEqual([]);
    expect(resubmitted.review?.submittedAt).toBe(later(2 * H).toISOString());
  });

  it('only the requester edits, submits and withdraws', () => {
    for (const op of [validOp('edit'), { type: 'submit', by: eng2 } as const, { type: 'withdraw', by: eng2, reason: 'x' } as const]) {
      const r = transition(sample('draft'), { ...op, by: eng2 }, ctx(NOW));
      expect(refusal(r)).toMatchObject({
        rule: 'requester-only',
        message: expect.stringMatching(/^Requester only: only the requester \(Erin Engineer\) can/) as unknown as string,
      });
    }
    expect(refusal(transition(sample('draft'), { type: 'withdraw', by: eng, reason: '' }, ctx(NOW))).rule).toBe('reason-required');
  });

  it('an edit that breaks a field is refused', () => {
    expect(refusal(transition(sample('draft'), { type: 'edit', by: eng, fields: { title: 'x'.repeat(201) } }, ctx(NOW)))).toMatchObject({
      rule: 'invalid-fields',
      message: expect.stringMatching(/^Invalid fields: title: /) as unknown as string,
    });
  });
});

describe('submit: required fields per class and the policy', () => {
  it('names the missing fields and the policy rule', () => {
    const d = draft({ testPlan: '', itsmTicket: ' ' });
    expect(refusal(transition(d, { type: 'submit', by: eng }, ctx(NOW)))).toEqual({
      rule: 'required-fields',
      message:
        'Required fields: normal changes need the test plan and ITSM ticket reference before they go ahead; change CR-0001 "Raise filler speed setpoint" lacks them (policy: normal changes, required fields).',
    });
  });

  it('a safety-critical change needs the MOC reference', () => {
    const r = transition(draft({ class: 'safety-critical' }), { type: 'submit', by: eng }, ctx(NOW));
    expect(refusal(r).message).toMatch(/safety-critical changes need the MOC reference before they go ahead/);
  });

  it('an emergency change needs only what the emergency class lists', () => {
    const d = draft({
      class: 'emergency',
      rollbackPlan: '',
      testPlan: '',
      proposedChange: null,
      requestedWindow: null,
      itsmTicket: '',
      impactAssessment: null,
    });
    expect(must(transition(d, { type: 'submit', by: eng }, ctx(NOW))).status).toBe('submitted');
    expect(refusal(transition(draft({ class: 'emergency', justification: '' }), { type: 'submit', by: eng }, ctx(NOW))).rule).toBe(
      'required-fields',
    );
  });

  it('a class is required', () => {
    expect(refusal(transition(draft({ class: null }), { type: 'submit', by: eng }, ctx(NOW))).rule).toBe('class-required');
  });

  it('policy blockers refuse the submit (a standard change above the low band)', () => {
    const d = draft({ class: 'standard', impactAssessment: { summary: 'Wider', impact: 3, probability: 3, safetyImpact: 'none' } });
    expect(refusal(transition(d, { type: 'submit', by: eng }, ctx(NOW)))).toMatchObject({
      rule: 'policy-blockers',
      message: expect.stringMatching(/file it as a normal change/) as unknown as string,
    });
  });

  it('a requested window inside the notice period is refused with the reason', () => {
    const d = draft({ requestedWindow: { start: '2026-06-04T03:30:00.000Z', end: '2026-06-04T04:30:00.000Z' } });
    expect(refusal(transition(d, { type: 'submit', by: eng }, ctx(NOW)))).toEqual({
      rule: 'notice',
      message:
        'Notice period: Line L09 is tier 2: 24 h notice (policy: tier 2 lines). The requested window starts Wed 3 Jun 2026 22:30 CDT, ' +
        'before the earliest allowed start Thu 4 Jun 2026 10:00 CDT.',
    });
  });

  it('freezes the evaluation into the change', () => {
    const s = sample('submitted');
    expect(s.review?.evaluation).toMatchObject({
      class: 'normal',
      cab: false,
      earliestStart: '2026-06-04T15:00:00.000Z',
      policyRevision: 3,
    });
  });
});

describe('scheduling: notice, windows, blackouts and overrides', () => {
  const approved = sample('approved');

  it('refuses a slot before the notice is over', () => {
    const r = transition(
      approved,
      { type: 'schedule', by: eng, start: '2026-06-04T03:30:00Z', end: '2026-06-04T04:00:00Z' },
      ctx(later(2 * H)),
    );
    expect(refusal(r)).toEqual({
      rule: 'notice',
      message:
        'Notice period: Line L09 is tier 2: 24 h notice (policy: tier 2 lines). The earliest start is Thu 4 Jun 2026 10:00 CDT; the slot starts Wed 3 Jun 2026 22:30 CDT.',
    });
  });

  it('refuses a slot in the past or ending before it starts', () => {
    expect(
      refusal(
        transition(approved, { type: 'schedule', by: eng, start: '2026-06-01T00:00:00Z', end: '2026-06-01T01:00:00Z' }, ctx(later(2 * H))),
      ).rule,
    ).toBe('slot-invalid');
    expect(refusal(transition(approved, { type: 'schedule', by: eng, start: SLOT.end, end: SLOT.start }, ctx(later(2 * H)))).rule).toBe(
      'slot-invalid',
    );
  });

  const outside = { start: '2026-06-05T15:00:00Z', end: '2026-06-05T16:00:00Z' }; // Friday 10:00-11:00 CDT: production

  it('refuses a slot outside every window, naming who could override', () => {
    expect(refusal(transition(approved, { type: 'schedule', by: eng, ...outside }, ctx(later(2 * H))))).toEqual({
      rule: 'outside-window',
      message:
        'Change window: Fri 5 Jun 2026 10:00 CDT to Fri 5 Jun 2026 11:00 CDT is not inside a change window for normal changes on line L09 ' +
        '(policy: change windows); an override needs the signature of Plant manager.',
    });
  });

  it('accepts a signed override by the plant manager and keeps it for the start', () => {
    const override = { by: plantMgr, role: 'plant-manager', rule: 'outside-window' as const, reason: 'Supplier on site only on Friday' };
    const scheduled = must(transition(approved, { type: 'schedule', by: eng, ...outside, overrides: [override] }, ctx(later(2 * H))));
    expect(scheduled.status === 'scheduled' && scheduled.slot.overrides).toEqual([
      {
        by: { id: plantMgr.id, name: plantMgr.name },
        role: 'plant-manager',
        rule: 'outside-window',
        blackout: null,
        reason: 'Supplier on site only on Friday',
        at: later(2 * H).toISOString(),
      },
    ]);
    const started = must(transition(scheduled, { type: 'start-execution', by: eng }, ctx(new Date('2026-06-05T15:05:00Z'))));
    expect(started.status === 'in-execution' && started.execution.overrides.map((o) => o.rule)).toEqual(['outside-window']);
  });

  it('refuses overrides signed by the wrong people', () => {
    const by = (who: typeof plantMgr, role = 'plant-manager') =>
      transition(
        approved,
        { type: 'schedule', by: eng, ...outside, overrides: [{ by: who, role, rule: 'outside-window', reason: 'r' }] },
        ctx(later(2 * H)),
      );
    expect(refusal(by(vp, 'vp-operations'))).toMatchObject({
      rule: 'override-invalid',
      message: 'Invalid override: VP operations cannot override this window rule; the policy names Plant manager.',
    });
    expect(refusal(by(pem))).toMatchObject({
      rule: 'override-invalid',
      message: 'Invalid override: Pat Manager does not hold the role Plant manager.',
    });
    expect(refusal(by({ ...eng, roles: ['plant-manager'] }))).toMatchObject({
      rule: 'override-invalid',
      message: expect.stringMatching(/cannot override for their own change/) as unknown as string,
    });
  });

  it('a blackout without override cannot be signed away', () => {
    // A change submitted in December for the year-end freeze: Sunday 20 December is a window, but frozen.
    const december = new Date('2026-12-14T15:00:00Z');
    const s = must(
      transition(
        submit(draft({ requestedWindow: { start: '2026-12-20T16:00:00.000Z', end: '2026-12-20T17:00:00.000Z' } }), ctx(december)),
        approveOp(),
        ctx(december),
      ),
    );
    const r = transition(
      s,
      {
        type: 'schedule',
        by: eng,
        start: '2026-12-20T16:00:00Z',
        end: '2026-12-20T17:00:00Z',
        overrides: [{ by: vp, role: 'vp-operations', rule: 'blackout', blackout: 'year-end-freeze', reason: 'Please' }],
      },
      ctx(december),
    );
    expect(refusal(r)).toEqual({
      rule: 'blackout',
      message:
        'Blackout: blackout "year-end-freeze" (Tue 15 Dec 2026 00:00 CST to Wed 6 Jan 2027 00:00 CST) blocks normal changes on line L09: ' +
        'Year-end production freeze in effect. (policy: blackout 1); the policy allows no override of this blackout.',
    });
  });

  it('a blackout with override roles can be signed away by one of them', () => {
    const peak = loadPolicyYaml(
      readFileSync(new URL('../../../resources/policy/default-policy.yaml', import.meta.url), 'utf8').replace(
        '\nsignatures:',
        '\n  - name: q4-peak\n    type: one-off\n    start: 2026-06-01\n    end: 2026-06-30\n    blockedClasses: [normal]\n    message: Peak production.\n    override: { approverRoles: [vp-operations] }\n\nsignatures:',
      ),
      'peak.yaml',
    );
    const c = (now: Date): TransitionContext => ({ ...ctx(now), policy: peak });
    const blocked = transition(approved, validOp('schedule'), c(later(2 * H)));
    expect(refusal(blocked)).toMatchObject({
      rule: 'blackout',
      message: expect.stringMatching(/blackout "q4-peak" .* an override needs the signature of VP operations\.$/) as unknown as string,
    });
    const signed = must(
      transition(
        approved,
        {
          type: 'schedule',
          by: eng,
          ...SLOT,
          overrides: [{ by: vp, role: 'vp-operations', rule: 'blackout', blackout: 'q4-peak', reason: 'Quality fix' }],
        },
        c(later(2 * H)),
      ),
    );
    expect(signed.status).toBe('scheduled');
    // The override recorded at scheduling still holds at the start.
    expect(must(transition(signed, { type: 'start-execution', by: eng }, c(IN_SLOT))).status).toBe('in-execution');
  });

  it('re-checks blackouts at the start: one declared after scheduling stops the work', () => {
    const standdown = loadPolicyYaml(
      readFileSync(new URL('../../../resources/policy/default-policy.yaml', import.meta.url), 'utf8').replace(
        '\nsignatures:',
        '\n  - name: safety-standdown\n    type: one-off\n    start: 2026-06-04T12:00\n    end: 2026-06-06T00:00\n    blockedClasses: [standard, normal, emergency, safety-critical]\n    message: Safety standdown after the incident.\n\nsignatures:',
      ),
      'standdown.yaml',
    );
    expect(
      refusal(transition(sample('scheduled'), { type: 'start-execution', by: eng }, { ...ctx(IN_SLOT), policy: standdown })).rule,
    ).toBe('blackout');
  });

  it('re-checks windows at the start: a window withdrawn from the policy needs an override signed then', () => {
    const text = readFileSync(new URL('../../../resources/policy/default-policy.yaml', import.meta.url), 'utf8');
    const noNights = loadPolicyYaml(
      text.replace(
        '      - { days: [mon, tue, wed, thu, fri, sat], start: "22:00", end: "06:00" }',
        '      - { days: [sat], start: "22:00", end: "06:00" }',
      ),
      'no-nights.yaml',
    );
    const c = { ...ctx(IN_SLOT), policy: noNights };
    expect(refusal(transition(sample('scheduled'), { type: 'start-execution', by: eng }, c))).toMatchObject({
      rule: 'outside-window',
      message: expect.stringMatching(
        /^Change window: Thu 4 Jun 2026 22:35 CDT to Thu 4 Jun 2026 23:30 CDT is not inside a change window/,
      ) as unknown as string,
    });
    const override = { by: plantMgr, role: 'plant-manager', rule: 'outside-window' as const, reason: 'Night shift agreed' };
    const started = must(transition(sample('scheduled'), { type: 'start-execution', by: eng, overrides: [override] }, c));
    expect(started.status === 'in-execution' && started.execution.overrides.map((o) => [o.rule, o.by.name])).toEqual([
      ['outside-window', 'Priya Plant'],
    ]);
  });

  it('refuses to start outside the scheduled slot', () => {
    expect(refusal(transition(sample('scheduled'), { type: 'start-execution', by: eng }, ctx(new Date('2026-06-05T03:29:00Z'))))).toEqual({
      rule: 'outside-slot',
      message:
        'Outside the scheduled slot: change CR-0001 "Raise filler speed setpoint" is scheduled from Thu 4 Jun 2026 22:30 CDT to Thu 4 Jun 2026 23:30 CDT; it is now Thu 4 Jun 2026 22:29 CDT.',
    });
    expect(refusal(transition(sample('scheduled'), { type: 'start-execution', by: eng }, ctx(new Date(SLOT.end)))).rule).toBe(
      'outside-slot',
    );
  });
});

describe('dual control and staging (safety-critical change on a tier-3 line)', () => {
  const scFields = {
    class: 'safety-critical' as const,
    mocReference: 'MOC-77',
    requestedWindow: { start: '2026-06-21T05:00:00.000Z', end: '2026-06-21T07:00:00.000Z' },
  };
  const submitted = submit(draft(scFields, 'CHG-S'), ctx(NOW, [line('L20')]));
  // In the review order: technical, safety / PHA, then the CAB with both its accountable roles.
  const approvals: [typeof pem, string][] = [
    [pem, 'plant-engineering-manager'],
    [process, 'process-safety'],
    [safety, 'safety-manager'],
    [sec, 'ot-security'],
    [qa, 'quality-compliance'],
  ];
  const approved = approvals.reduce((s, [who, role]) => must(transition(s, approveOp(who, role), ctx(later(H)))), submitted);
  // Sunday 21 June 00:00-02:00 CDT: after the 14 days of notice, in the Sunday window.
  const scheduled = must(transition(approved, { type: 'schedule', by: eng, ...scFields.requestedWindow }, ctx(later(2 * H))));
  const inSlot = new Date('2026-06-21T05:10:00Z');

  it('needs the technical review, process safety, the safety manager and the CAB, five different people', () => {
    expect(approvalProgressOf(submitted)?.requirements.map((p) => [p.requirement.group, p.requirement.step?.name])).toEqual([
      ['technical-review', 'Technical review'],
      ['process-safety', 'Safety / PHA review'],
      ['safety-manager', 'Safety / PHA review'],
      ['cab', 'CAB approval'],
    ]);
    expect(approved.status).toBe('approved');
    expect(approvalProgressOf(approved)).toMatchObject({ distinctApprovers: 5, dualControlMet: true, complete: true });
  });

  it('refuses to start without a witness, or with the executor as their own witness', () => {
    const start = (extra: Partial<Extract<ChangeOperation, { type: 'start-execution' }>>) =>
      transition(scheduled, { type: 'start-execution', by: eng, stagingRecord: 'STG-9', ...extra }, ctx(inSlot, [line('L20')]));
    expect(refusal(start({}))).toEqual({
      rule: 'dual-control',
      message:
        'Dual control: Safety-critical changes need dual control: two different people approve, and a second person witnesses the execution ' +
        '(policy: safety-critical changes, dual control): name the second person who witnesses the work.',
    });
    expect(refusal(start({ witness: eng }))).toEqual({
      rule: 'dual-control',
      message: 'Dual control: dual control needs two different people; Erin Engineer cannot be their own witness.',
    });
    const started = must(start({ witness: supervisor }));
    expect(started.status === 'in-execution' && [started.execution.witness, started.execution.stagingRecord]).toEqual([
      { id: supervisor.id, name: supervisor.name },
      'STG-9',
    ]);
  });

  it('refuses to start without the staging record', () => {
    expect(refusal(transition(scheduled, { type: 'start-execution', by: eng, witness: supervisor }, ctx(inSlot)))).toEqual({
      rule: 'staging-required',
      message:
        'Staging required: Safety-critical changes need a staging deploy (policy: safety-critical changes, staging deploy): the start must refer to the staging validation record.',
    });
  });
});

describe('emergency break-glass and the retrospective review', () => {
  const c = (now: Date): TransitionContext => ctx(now, [line('L02')]);
  const executing = sample('in-execution (break-glass)');

  it('records the break-glass approval and starts the work before approval', () => {
    expect(executing.status).toBe('in-execution');
    if (executing.status !== 'in-execution') return;
    expect(executing.approvedAt).toBeNull();
    expect(executing.execution.breakGlass).toEqual({
      approver: { id: onCall.id, name: onCall.name, role: 'on-call-manager' },
      method: 'phone',
      reason: 'Filler jammed, line down',
      at: NOW.toISOString(),
      recordedBy: { id: eng.id, name: eng.name },
      approverSignedAt: null,
    });
    expect(executing.execution.retrospective).toMatchObject({ dueAt: later(24 * H).toISOString(), completedAt: null });
    expect(executing.execution.retrospective?.requirements.map((r) => [r.group, r.quorum])).toEqual([['cab', 2]]);
    expect(statusLabel(executing)).toBe('in execution (break-glass)');
  });

  it('is due within 24 h and overdue after', () => {
    expect(retrospectiveStatus(executing, later(23 * H))).toEqual({ status: 'due', dueAt: later(24 * H).toISOString(), minutesLeft: 60 });
    expect(retrospectiveStatus(executing, later(24 * H))).toMatchObject({ status: 'due', minutesLeft: 0 });
    expect(retrospectiveStatus(executing, later(26 * H))).toEqual({
      status: 'overdue',
      dueAt: later(24 * H).toISOString(),
      overdueMinutes: 120,
    });
    expect(retrospectiveStatus(sample('in-execution'), later(26 * H))).toEqual({ status: 'not-required' });
  });

  it('is complete with the CAB quorum, and says whether it was late', () => {
    const closed = sample('closed (break-glass, reported)');
    const review = (s: ChangeState, who: typeof pem, role: string, at: Date): TransitionResult =>
      transition(s, { type: 'retrospective-review', by: who, role, comment: 'Justified' }, c(at));
    const one = must(review(closed, sec, 'ot-security', later(20 * H)));
    expect(retrospectiveStatus(one, later(20 * H))).toMatchObject({ status: 'due' });
    expect(refusal(review(one, sec, 'ot-security', later(21 * H))).rule).toBe('approve-twice');
    const notCounting = refusal(review(one, pem2, 'plant-engineering-manager', later(21 * H)));
    expect(notCounting.rule).toBe('approval-does-not-count');
    // What is missing is named as reviews, not approvals.
    expect(notCounting.message).toMatch(/: 1 more review, including Quality \/ compliance \(accountable\)\.$/);
    const done = must(review(one, qa, 'quality-compliance', later(30 * H)));
    expect(retrospectiveStatus(done, later(40 * H))).toEqual({
      status: 'done',
      dueAt: later(24 * H).toISOString(),
      completedAt: later(30 * H).toISOString(),
      late: true,
    });
    expect(refusal(review(done, pem, 'plant-engineering-manager', later(31 * H))).rule).toBe('retrospective-done');
    expect(done.status).toBe('closed');
  });

  it('nobody reviews their own emergency', () => {
    const requesterManager = { ...eng, roles: ['plant-engineering-manager'] };
    expect(
      refusal(
        transition(
          executing,
          { type: 'retrospective-review', by: requesterManager, role: 'plant-engineering-manager', comment: 'ok' },
          c(later(H)),
        ),
      ).rule,
    ).toBe('segregation-of-duties');
    expect(
      refusal(
        transition(
          sample('in-execution (break-glass, reported)'),
          { type: 'retrospective-review', by: sec, role: 'ot-security', comment: '' },
          c(later(H)),
        ),
      ).rule,
    ).toBe('reason-required');
  });

  it('only classes with a break-glass path may use it', () => {
    expect(refusal(transition(sample('draft'), breakGlassOp, ctx(NOW)))).toEqual({
      rule: 'break-glass-not-allowed',
      message:
        'No break-glass path: normal changes have no break-glass path (policy: normal changes); only emergency changes may start before approval.',
    });
  });

  it('refuses a break-glass approver of the wrong role, the requester, or no reason', () => {
    const d = emergencyDraft();
    const op = (
      approver: { id?: string; name: string; role: string },
      extra: Partial<Extract<ChangeOperation, { type: 'break-glass' }>> = {},
    ): ChangeOperation => ({ ...breakGlassOp, approver, ...extra }) as ChangeOperation;
    expect(refusal(transition(d, op({ id: sec.id, name: sec.name, role: 'ot-security' }), c(NOW)))).toEqual({
      rule: 'break-glass-approver',
      message:
        'Break-glass approver: Sam Security approved as OT security, but break-glass needs On-call manager, Shift supervisor, Plant manager (policy: emergency changes, break-glass, who may approve).',
    });
    expect(refusal(transition(d, op({ name: 'erin engineer', role: 'shift-supervisor' }), c(NOW))).rule).toBe('segregation-of-duties');
    expect(
      refusal(transition(d, op({ id: supervisor.id, name: supervisor.name, role: 'shift-supervisor' }, { reason: ' ' }), c(NOW))).rule,
    ).toBe('reason-required');
    expect(
      refusal(transition(d, op({ name: supervisor.name, role: 'shift-supervisor' }, { method: 'email' as 'phone' }), c(NOW))).rule,
    ).toBe('break-glass-approver');
    expect(refusal(transition(draft({ class: 'emergency', title: '' }), breakGlassOp, c(NOW))).rule).toBe('required-fields');
  });

  it('a blackout that blocks emergencies (safety standdown) stops break-glass too', () => {
    const standdown = loadPolicyYaml(
      readFileSync(new URL('../../../resources/policy/default-policy.yaml', import.meta.url), 'utf8').replace(
        '\nsignatures:',
        '\n  - name: safety-standdown\n    type: one-off\n    start: 2026-06-03\n    end: 2026-06-03\n    blockedClasses: [standard, normal, emergency, safety-critical]\n    message: Safety standdown.\n\nsignatures:',
      ),
      'standdown.yaml',
    );
    expect(refusal(transition(emergencyDraft(), breakGlassOp, { ...c(NOW), policy: standdown }))).toMatchObject({
      rule: 'blackout',
      message: expect.stringMatching(/safety-standdown.*allows no override/) as unknown as string,
    });
  });

  it('keeps approvals given before break-glass', () => {
    const s = submit(emergencyDraft(), c(NOW));
    const withOne = transition(s, { type: 'approve', by: supervisor, role: 'shift-supervisor' }, c(later(H)));
    // One emergency approval completes the emergency quorum, so the change is approved rather than broken open.
    expect(must(withOne).status).toBe('approved');
  });
});

describe('approval timeout and escalation', () => {
  it('waits for the class timeout, then escalates', () => {
    const s = sample('submitted');
    expect(approvalTimeoutStatus(s, later(71 * H))).toEqual({
      status: 'waiting',
      dueAt: later(72 * H).toISOString(),
      escalateTo: ['plant-manager'],
    });
    expect(approvalTimeoutStatus(s, later(73 * H))).toEqual({
      status: 'escalated',
      dueAt: later(72 * H).toISOString(),
      escalateTo: ['plant-manager'],
      overdueMinutes: 60,
    });
    expect(approvalTimeoutStatus(sample('approved'), later(100 * H))).toEqual({ status: 'not-waiting' });
  });
});

describe('a change as data', () => {
  it('starts as a draft with no review', () => {
    expect(newChange('CHG-9', { id: 'p', name: 'P' }, emptyChangeRequest(), NOW)).toEqual({
      id: 'CHG-9',
      requester: { id: 'p', name: 'P' },
      createdAt: NOW.toISOString(),
      fields: emptyChangeRequest(),
      status: 'draft',
      review: null,
    });
  });

  it('keeps the change number given at filing through every state', () => {
    const states = Object.entries(all);
    expect(states.length).toBeGreaterThan(8);
    for (const [name, state] of states)
      expect([name, state.number]).toEqual([name, state.id === 'CHG-1' ? 'CR-0001' : `CR-000${state.id.slice(4)}`]);
    expect(changeName(sample('closed'))).toBe('change CR-0001 "Raise filler speed setpoint"');
    expect(changeName(newChange('0192abcd-ffff', eng, emptyChangeRequest(), NOW))).toBe('change #0192abcd');
  });

  it('the same operations on the same state give the same result (pure)', () => {
    const a = transition(sample('submitted'), approveOp(), ctx(later(H)));
    const b = transition(sample('submitted'), approveOp(), ctx(later(H)));
    expect(a).toEqual(b);
    expect(sample('submitted').status).toBe('submitted');
  });

  it('uses only the policy given in the context', () => {
    const strict: Policy = {
      ...policy,
      classes: {
        ...policy.classes,
        normal: { ...policy.classes.normal, requiredFields: [...policy.classes.normal.requiredFields, 'mocReference'] },
      },
    };
    expect(refusal(transition(draft(), { type: 'submit', by: eng }, { ...ctx(NOW), policy: strict })).message).toMatch(/MOC reference/);
  });
});

describe('go/no-go checkpoints at the cabinet, signed by a shift supervisor', () => {
  const executing = (): ChangeState => must(transition(sample('in-execution'), snapshotOp('before'), ctx(IN_SLOT)));
  const records = (s: ChangeState) =>
    s.status === 'in-execution' || s.status === 'rolled-back' || s.status === 'closed' ? (s.execution.checkpoints ?? []) : [];

  it("the shipped checkpoints are the change guide's four, in order, with their decisions", () => {
    expect(CHECKPOINTS.checkpoints.map((c) => [c.name, c.decisions.map((d) => d.label)])).toEqual([
      ['Pre-execution verification', ['GO', 'NO-GO']],
      ['Mid-change assessment', ['CONTINUE', 'ROLLBACK']],
      ['Pre-cutover verification', ['CUTOVER', 'ROLLBACK']],
      ['Post-change validation', ['CLOSE', 'EXTENDED MONITORING', 'ROLLBACK']],
    ]);
  });

  it('nobody signs the checkpoints of their own change; only the checkpoint role signs', () => {
    expect(
      refusal(
        transition(
          executing(),
          checkpointOp('pre-execution', 'go', { by: { ...eng, roles: [...eng.roles, 'shift-supervisor'] } }),
          ctx(IN_SLOT),
        ),
      ),
    ).toEqual({
      rule: 'segregation-of-duties',
      message:
        'Segregation of duties: Erin Engineer filed change CR-0001 "Raise filler speed setpoint" and cannot sign its checkpoints; nobody go/no-go signs their own change.',
    });
    expect(
      refusal(transition(executing(), checkpointOp('pre-execution', 'go', { by: pem, role: 'plant-engineering-manager' }), ctx(IN_SLOT))),
    ).toEqual({
      rule: 'role-not-held',
      message:
        'Role not held: checkpoint decisions are signed as Shift supervisor; Pat Manager holds Plant engineering manager and signed as Plant engineering manager.',
    });
  });

  it('the witness of the start does not sign its checkpoints either', () => {
    // The witness is recorded when dual control applies (safety-critical changes); here set on the executing sample.
    const started = executing();
    if (started.status !== 'in-execution') throw new Error('unreachable');
    const s: ChangeState = { ...started, execution: { ...started.execution, witness: { id: supervisor.id, name: supervisor.name } } };
    expect(refusal(transition(s, checkpointOp('pre-execution', 'go'), ctx(IN_SLOT)))).toMatchObject({
      rule: 'segregation-of-duties',
      message: expect.stringMatching(/Sid Supervisor witnesses change CR-0001 "Raise filler speed setpoint"/) as unknown as string,
    });
  });

  it('checkpoints are signed in order, and a GO needs every item confirmed', () => {
    expect(refusal(transition(executing(), checkpointOp('mid-change', 'continue'), ctx(IN_SLOT)))).toEqual({
      rule: 'checkpoint-order',
      message:
        'Checkpoint order: the checkpoint due on change CR-0001 "Raise filler speed setpoint" is Pre-execution verification; Mid-change assessment cannot be signed now (checkpoints are signed in order: ' +
        'Pre-execution verification, Mid-change assessment, Pre-cutover verification, Post-change validation).',
    });
    const items = CHECKPOINTS.checkpoints[0]!.items;
    expect(refusal(transition(executing(), checkpointOp('pre-execution', 'go', { confirmed: items.slice(1) }), ctx(IN_SLOT)))).toEqual({
      rule: 'checklist-incomplete',
      message:
        'Checklist incomplete: GO at Pre-execution verification needs every item confirmed; not confirmed: Backup completed and verified (signed before-snapshot).',
    });
    const go = must(transition(executing(), checkpointOp('pre-execution', 'go'), ctx(IN_SLOT)));
    expect(records(go)).toEqual([
      expect.objectContaining({
        checkpoint: 'pre-execution',
        label: 'GO',
        effect: 'proceed',
        by: { id: supervisor.id, name: supervisor.name },
        role: 'shift-supervisor',
      }),
    ]);
    expect(records(go)[0]!.items.every((i) => i.confirmed)).toBe(true);
    expect(refusal(transition(go, checkpointOp('pre-execution', 'go'), ctx(IN_SLOT))).rule).toBe('checkpoint-order');
  });

  it('NO-GO before anything changed ends the execution as rolled back, with the comment; the comment is required', () => {
    expect(refusal(transition(executing(), checkpointOp('pre-execution', 'no-go', { confirmed: [] }), ctx(IN_SLOT))).rule).toBe(
      'reason-required',
    );
    const stopped = must(
      transition(executing(), checkpointOp('pre-execution', 'no-go', { confirmed: [], comment: 'Operators not briefed' }), ctx(IN_SLOT)),
    );
    expect(stopped.status).toBe('rolled-back');
    if (stopped.status !== 'rolled-back') throw new Error('unreachable');
    expect(stopped.rollback.reason).toBe('NO-GO at Pre-execution verification, before anything was changed: Operators not briefed');
    expect(must(transition(stopped, { type: 'close', by: eng }, ctx(IN_SLOT))).status).toBe('closed');
  });

  it('ROLLBACK mid-change rolls the change back; EXTENDED MONITORING keeps the last checkpoint open until CLOSE', () => {
    const go = must(transition(executing(), checkpointOp('pre-execution', 'go'), ctx(IN_SLOT)));
    expect(
      must(transition(go, checkpointOp('mid-change', 'rollback', { confirmed: [], comment: 'Filler faults on restart' }), ctx(IN_SLOT)))
        .status,
    ).toBe('rolled-back');
    let s = must(transition(go, checkpointOp('mid-change', 'continue'), ctx(IN_SLOT)));
    s = must(transition(s, checkpointOp('pre-cutover', 'cutover'), ctx(IN_SLOT)));
    expect(refusal(transition(s, { type: 'close', by: eng }, ctx(IN_SLOT)))).toEqual({
      rule: 'checkpoints-open',
      message:
        'Checkpoints open: change CR-0001 "Raise filler speed setpoint" is closed as completed only after Post-change validation decides CLOSE; due now: Post-change validation.',
    });
    s = must(
      transition(
        s,
        checkpointOp('post-change', 'extended-monitoring', { confirmed: [], comment: 'Watch reject rate for one shift' }),
        ctx(IN_SLOT),
      ),
    );
    expect(s.status).toBe('in-execution');
    expect(refusal(transition(s, { type: 'close', by: eng }, ctx(IN_SLOT))).rule).toBe('checkpoints-open');
    expect(
      refusal(
        transition(
          s,
          checkpointOp('post-change', 'close'),
          ctx(IN_SLOT, [line('L09')], { controllerNames: { 'plc-l09-filler': 'PLC-L09-FILLER' } }),
        ),
      ),
    ).toEqual({
      rule: 'snapshots-missing',
      message:
        'Snapshots missing: CLOSE at Post-change validation needs a signed after-snapshot of every target controller; missing: PLC-L09-FILLER.',
    });
    s = must(transition(s, snapshotOp('after'), ctx(IN_SLOT)));
    s = must(transition(s, checkpointOp('post-change', 'close'), ctx(IN_SLOT)));
    expect(records(s).map((r) => r.label)).toEqual(['GO', 'CONTINUE', 'CUTOVER', 'EXTENDED MONITORING', 'CLOSE']);
    expect(refusal(transition(s, snapshotOp('after'), ctx(IN_SLOT)))).toMatchObject({
      rule: 'snapshot-order',
      message: expect.stringMatching(/after-snapshots the supervisor's CLOSE was signed on cannot be replaced/) as unknown as string,
    });
    expect(refusal(transition(s, checkpointOp('post-change', 'close'), ctx(IN_SLOT)))).toMatchObject({
      rule: 'checkpoint-order',
      message: expect.stringMatching(/no checkpoint of change CR-0001 "Raise filler speed setpoint" is open any more/) as unknown as string,
    });
    expect(must(transition(s, { type: 'close', by: eng }, ctx(IN_SLOT))).status).toBe('closed');
  });
});

describe('before- and after-snapshots recorded on the change', () => {
  it('GO needs the before-snapshot; a before-snapshot after the first checkpoint and an after-snapshot before GO are refused', () => {
    const s = sample('in-execution');
    expect(refusal(transition(s, checkpointOp('pre-execution', 'go'), ctx(IN_SLOT))).rule).toBe('snapshots-missing');
    expect(refusal(transition(s, snapshotOp('after'), ctx(IN_SLOT)))).toMatchObject({
      rule: 'snapshot-order',
      message: expect.stringMatching(/only once Pre-execution verification let the work go on/) as unknown as string,
    });
    expect(refusal(transition(s, snapshotOp('before', 'plc-other'), ctx(IN_SLOT)))).toEqual({
      rule: 'snapshot-invalid',
      message: 'Snapshot not for this change: plc-other is not a target controller of change CR-0001 "Raise filler speed setpoint".',
    });
    const old = snapshotOp('before');
    if (old.type !== 'record-snapshot') throw new Error('unreachable');
    expect(refusal(transition(s, { ...old, snapshot: { ...old.snapshot, capturedAt: NOW.toISOString() } }, ctx(IN_SLOT)))).toMatchObject({
      rule: 'snapshot-order',
      message: expect.stringMatching(/was captured Wed 3 Jun 2026 10:00 CDT, before the execution started/) as unknown as string,
    });
    const before = must(transition(s, snapshotOp('before'), ctx(IN_SLOT)));
    const go = must(transition(before, checkpointOp('pre-execution', 'go'), ctx(later(60 * H))));
    expect(refusal(transition(go, snapshotOp('after'), ctx(later(61 * H)))).message).toMatch(
      /before Pre-execution verification let the work go on/,
    );
    expect(refusal(transition(go, snapshotOp('before'), ctx(IN_SLOT))).rule).toBe('snapshot-order');
    const goNow = must(transition(before, checkpointOp('pre-execution', 'go'), ctx(IN_SLOT)));
    const after = must(transition(goNow, snapshotOp('after'), ctx(IN_SLOT)));
    if (after.status !== 'in-execution') throw new Error('unreachable');
    expect(after.execution.snapshots?.map((x) => [x.phase, x.by.name, x.verification?.matches ?? null])).toEqual([
      ['before', eng.name, null],
      ['after', eng.name, true],
    ]);
  });
});

describe('the change-window timer during execution', () => {
  it('runs to the end of the slot, warns at 30 and 15 minutes, then says by how much the work overran', () => {
    const s = sample('in-execution');
    const end = Date.parse(SLOT.end);
    const at = (minutesBeforeEnd: number) => windowTimer(s, new Date(end - minutesBeforeEnd * 60_000));
    expect(at(45)).toEqual({ status: 'running', endsAt: SLOT.end, minutesLeft: 45 });
    expect(at(30).status).toBe('warn-30');
    expect(at(16).status).toBe('warn-30');
    expect(at(15).status).toBe('warn-15');
    expect(at(0.5)).toEqual({ status: 'warn-15', endsAt: SLOT.end, minutesLeft: 1 });
    expect(at(-7)).toEqual({ status: 'over', endsAt: SLOT.end, overMinutes: 7 });
    expect(windowTimer(sample('in-execution (break-glass)'), IN_SLOT)).toEqual({ status: 'no-slot' });
    expect(windowTimer(sample('scheduled'), IN_SLOT)).toEqual({ status: 'no-slot' });
  });
});

describe('unexpected and missing after-diff rows block CLOSE until explained and countersigned', () => {
  const open = () => sample('in-execution (unexpected row)');

  it('refuses the post-change CLOSE and the close naming the unexplained rows; a rollback is still allowed', () => {
    const r = transition(open(), checkpointOp('post-change', 'close'), ctx(IN_SLOT));
    expect(refusal(r)).toEqual({
      rule: 'unexplained-differences',
      message:
        'Unexplained differences: CLOSE at Post-change validation needs every row of the after-diff that the proposal did not foresee explained; not explained: plc-l09-filler Recipe (unexpected: Changed from 7 to 9, not proposed.).',
    });
    if (!r.ok) {
      expect(r.error.hint).toBe('Explain each row (signed by you and countersigned by a shift supervisor), or roll the change back.');
      expect(r.error.details).toMatchObject({ rows: [{ controllerId: 'plc-l09-filler', tag: 'Recipe', status: 'unexpected' }] });
    }
    const named = transition(
      open(),
      checkpointOp('post-change', 'close'),
      ctx(IN_SLOT, [line('L09')], { controllerNames: { 'plc-l09-filler': 'PLC-L09-FILLER' } }),
    );
    expect(refusal(named).message).toContain('not explained: PLC-L09-FILLER Recipe (unexpected');
    expect(must(transition(open(), { type: 'rollback', by: eng, reason: 'Recipe changed by mistake' }, ctx(IN_SLOT))).status).toBe(
      'rolled-back',
    );
  });

  it('refuses explanations by someone other than the engineer, countersigned by someone on the change or without the role, of rows not listed, or empty', () => {
    expect(refusal(transition(open(), explainOp({ by: pem }), ctx(IN_SLOT))).rule).toBe('explanation-invalid');
    const own = refusal(transition(open(), explainOp({ countersigner: { ...eng, roles: ['shift-supervisor'] } }), ctx(IN_SLOT)));
    expect(own).toEqual({
      rule: 'segregation-of-duties',
      message: `Segregation of duties: ${eng.name} filed change CR-0001 "Raise filler speed setpoint" and cannot countersign its explanations; nobody countersigns their own change.`,
    });
    expect(refusal(transition(open(), explainOp({ countersigner: pem, role: 'shift-supervisor' }), ctx(IN_SLOT))).rule).toBe(
      'role-not-held',
    );
    expect(
      refusal(
        transition(
          open(),
          explainOp({ explanations: [{ controllerId: 'plc-l09-filler', tag: 'SpeedSP', text: 'as proposed' }] }),
          ctx(IN_SLOT),
        ),
      ).message,
    ).toBe(
      'Explanation not accepted: plc-l09-filler SpeedSP is not an unexplained unexpected or missing row of change CR-0001 "Raise filler speed setpoint"\'s latest after-snapshot; still to explain: plc-l09-filler Recipe.',
    );
    expect(
      refusal(
        transition(open(), explainOp({ explanations: [{ controllerId: 'plc-l09-filler', tag: 'Recipe', text: '  ' }] }), ctx(IN_SLOT)),
      ).rule,
    ).toBe('reason-required');
    expect(refusal(transition(open(), explainOp({ explanations: [] }), ctx(IN_SLOT))).rule).toBe('explanation-invalid');
  });

  it('once explained, CLOSE is signed; the explanation is kept with both people; a row cannot be explained twice', () => {
    const explained = must(transition(open(), explainOp(), ctx(IN_SLOT)));
    if (explained.status !== 'in-execution') throw new Error('not executing');
    expect(explained.execution.explanations).toEqual([
      {
        controllerId: 'plc-l09-filler',
        snapshotSha256: 'c'.repeat(64),
        tag: 'Recipe',
        status: 'unexpected',
        text: 'Recipe 9 selected by the operator for the next order; not part of the change.',
        by: { id: eng.id, name: eng.name },
        countersignedBy: { id: supervisor.id, name: supervisor.name },
        at: IN_SLOT.toISOString(),
      },
    ]);
    expect(refusal(transition(explained, explainOp(), ctx(IN_SLOT))).rule).toBe('explanation-invalid');
    const closed = must(
      transition(must(transition(explained, checkpointOp('post-change', 'close'), ctx(IN_SLOT))), { type: 'close', by: eng }, ctx(IN_SLOT)),
    );
    expect(closed.status).toBe('closed');
  });
});

describe('break-glass: only the responder list carries out emergency work', () => {
  it('refuses someone outside the responder list, naming the list and the policy path', () => {
    const r = transition(
      emergencyDraft(),
      { ...breakGlassOp, by: { ...eng, roles: ['quality-compliance'] } } as ChangeOperation,
      ctx(NOW, [line('L02')]),
    );
    const { rule, message } = refusal(r);
    expect(rule).toBe('break-glass-responder');
    expect(message).toMatch(
      /^Not on the responder list: .* holds Quality .*; only the responder list \(Controls engineer; policy classes\.emergency\.breakGlass\.responders\) may carry out an emergency change under break-glass\.$/,
    );
    if (!r.ok) expect(r.error.hint).toBe('Call a responder on the list to carry out the emergency work.');
    expect(must(transition(emergencyDraft(), breakGlassOp, ctx(NOW, [line('L02')]))).status).toBe('in-execution');
  });
});

describe('safety-critical changes: review order, the safety sign-off before CLOSE', () => {
  const scFields = {
    class: 'safety-critical' as const,
    mocReference: 'MOC-77',
    requestedWindow: { start: '2026-06-21T05:00:00.000Z', end: '2026-06-21T07:00:00.000Z' },
  };
  const submitted = submit(draft(scFields, 'CHG-7'), ctx(NOW, [line('L20')]));

  it('refuses a later step before the earlier one is signed, naming the step that waits', () => {
    expect(refusal(transition(submitted, approveOp(safety, 'safety-manager'), ctx(later(H), [line('L20')])))).toEqual({
      rule: 'review-order',
      message:
        'Review order: an approval as Safety manager belongs to Safety / PHA review, but Technical review is not signed yet (Technical review: 1 more approval, as Plant engineering manager or Controls engineer); ' +
        'a safety-critical change is reviewed in order: Technical review, then Safety / PHA review, then CAB approval.',
    });
    const technical = must(transition(submitted, approveOp(eng2, 'controls-engineer'), ctx(later(H), [line('L20')])));
    expect(refusal(transition(technical, approveOp(sec, 'ot-security'), ctx(later(H), [line('L20')]))).rule).toBe('review-order');
    expect(must(transition(technical, approveOp(safety, 'safety-manager'), ctx(later(H), [line('L20')]))).status).toBe('submitted');
  });

  it('CLOSE waits for the safety manager, who is not on the change and confirms every item of the safety checklist', () => {
    const after = sample('in-execution (safety, after-snapshot)');
    const safe = (now: Date): TransitionContext => ({ ...ctx(now), plant: { lines: [line('L09')], touchesSafetyTag: true } });
    expect(refusal(transition(after, checkpointOp('post-change', 'close'), safe(IN_SLOT)))).toEqual({
      rule: 'safety-sign-off-missing',
      message:
        'Safety sign-off missing: CLOSE of change CR-0009 "Raise filler speed setpoint" waits: the Safety manager has not signed the post-change safety checklist of this safety-critical change.',
    });
    const checklist = [...policy.safetyReview!.checklist];
    expect(
      refusal(transition(after, { type: 'safety-sign-off', by: supervisor, role: 'shift-supervisor', confirmed: checklist }, safe(IN_SLOT)))
        .rule,
    ).toBe('role-not-held');
    expect(
      refusal(
        transition(
          after,
          { type: 'safety-sign-off', by: { ...eng, roles: ['safety-manager'] }, role: 'safety-manager', confirmed: checklist },
          safe(IN_SLOT),
        ),
      ).rule,
    ).toBe('segregation-of-duties');
    expect(
      refusal(
        transition(after, { type: 'safety-sign-off', by: safety, role: 'safety-manager', confirmed: checklist.slice(1) }, safe(IN_SLOT)),
      ),
    ).toMatchObject({
      rule: 'checklist-incomplete',
      message: expect.stringContaining('not confirmed: Safety interlocks checked and working') as unknown as string,
    });
    const signed = must(
      transition(after, { type: 'safety-sign-off', by: safety, role: 'safety-manager', confirmed: checklist }, safe(IN_SLOT)),
    );
    expect(must(transition(signed, checkpointOp('post-change', 'close'), safe(IN_SLOT))).status).toBe('in-execution');
    // A sign-off on not-safety-critical work is refused as meaningless.
    expect(
      refusal(
        transition(
          sample('in-execution'),
          { type: 'safety-sign-off', by: safety, role: 'safety-manager', confirmed: checklist },
          ctx(IN_SLOT),
        ),
      ).rule,
    ).toBe('safety-sign-off-invalid');
  });

  it('a shift supervisor cannot sign the checkpoints of a change they filed', () => {
    const own = newChange('CHG-8', supervisor, fields(), NOW, 'CR-0008');
    let s = must(transition(own, { type: 'submit', by: supervisor }, ctx(NOW)));
    s = must(transition(s, approveOp(), ctx(later(H))));
    s = must(transition(s, { type: 'schedule', by: supervisor, ...SLOT }, ctx(later(2 * H))));
    s = must(transition(s, { type: 'start-execution', by: eng }, ctx(IN_SLOT)));
    s = must(transition(s, snapshotOp('before'), ctx(IN_SLOT)));
    expect(refusal(transition(s, checkpointOp('pre-execution', 'go'), ctx(IN_SLOT)))).toEqual({
      rule: 'segregation-of-duties',
      message:
        'Segregation of duties: Sid Supervisor filed change CR-0008 "Raise filler speed setpoint" and cannot sign its checkpoints; nobody go/no-go signs their own change.',
    });
  });
});

describe('break-glass that proves who approved, and a retrospective review that can reject', () => {
  const c = (now: Date): TransitionContext => ctx(now, [line('L02')]);

  it("refuses an approver who is not on the list of break-glass approvers (their certificate's roles decide)", () => {
    expect(
      refusal(
        transition(
          emergencyDraft(),
          { ...breakGlassOp, approver: { id: qa.id, name: qa.name, role: 'on-call-manager', roles: qa.roles } } as ChangeOperation,
          c(NOW),
        ),
      ),
    ).toEqual({
      rule: 'break-glass-approver',
      message:
        'Break-glass approver: Quinn Quality holds Quality / compliance and is not on the list of break-glass approvers (On-call manager, Shift supervisor, Plant manager; policy classes.emergency.breakGlass.approverRoles).',
    });
  });

  it('the approver signs later, only themselves; the review waits for their signature and the emergency report', () => {
    const executing = sample('in-execution (break-glass)');
    expect(refusal(transition(executing, validOp('retrospective-review'), c(later(H)))).rule).toBe('break-glass-unconfirmed');
    expect(refusal(transition(executing, { type: 'confirm-break-glass', by: plantMgr }, c(later(H))))).toMatchObject({
      rule: 'break-glass-approver',
    });
    const confirmed = must(transition(executing, confirmOp, c(later(H))));
    expect(confirmed.status === 'in-execution' && confirmed.execution.breakGlass?.approverSignedAt).toBe(later(H).toISOString());
    expect(refusal(transition(confirmed, confirmOp, c(later(H)))).rule).toBe('break-glass-approver');
    expect(refusal(transition(confirmed, validOp('retrospective-review'), c(later(H)))).rule).toBe('emergency-report-missing');
    expect(refusal(transition(confirmed, { ...reportOp, lessonsLearned: ' ' } as ChangeOperation, c(later(H))))).toMatchObject({
      rule: 'report-invalid',
      message: expect.stringContaining('lessons learned') as unknown as string,
    });
    expect(refusal(transition(confirmed, { ...reportOp, by: sec } as ChangeOperation, c(later(H)))).rule).toBe('report-invalid');
  });

  it('refuses a reviewer who was on the change (the break-glass approver)', () => {
    const approverOnCab = { ...onCall, roles: ['on-call-manager', 'ot-security'] };
    const ready = sample('in-execution (break-glass, reported)');
    expect(
      refusal(transition(ready, { type: 'retrospective-review', by: approverOnCab, role: 'ot-security', comment: 'Fine' }, c(later(2 * H))))
        .rule,
    ).toBe('segregation-of-duties');
  });

  it('a rejection rolls back a change still being executed, or names the corrective change it opens', () => {
    const ready = sample('in-execution (break-glass, reported)');
    const reject = (over: Partial<Extract<ChangeOperation, { type: 'retrospective-review' }>>): TransitionResult =>
      transition(
        ready,
        {
          type: 'retrospective-review',
          by: sec,
          role: 'ot-security',
          comment: 'Speed raised without a torque check',
          verdict: 'reject',
          ...over,
        },
        c(later(2 * H)),
      );
    expect(refusal(reject({}))).toMatchObject({ rule: 'follow-up-required' });
    const rolled = must(reject({ followUp: 'rollback' }));
    expect(rolled.status).toBe('rolled-back');
    expect(rolled.status === 'rolled-back' && [rolled.rollback.reason, rolled.execution.retrospective?.rejection?.followUp]).toEqual([
      'The retrospective review rejected the emergency work: Speed raised without a torque check',
      { kind: 'rollback', changeId: null },
    ]);
    expect(refusal(reject({ followUp: 'corrective-change' })).rule).toBe('follow-up-required');
    const corrective = must(reject({ followUp: 'corrective-change', followUpChangeId: 'CHG-FIX' }));
    expect(corrective.status === 'in-execution' && corrective.execution.retrospective).toMatchObject({
      completedAt: later(2 * H).toISOString(),
      rejection: { followUp: { kind: 'corrective-change', changeId: 'CHG-FIX' } },
    });
  });
});

describe("rollback guidance: the change guide's decision matrix, and the manual procedure", () => {
  it("decides in the matrix's order, the time left deciding last", () => {
    const a = (safetyImpact: boolean, productionCritical: boolean, workaroundAvailable: boolean) => ({
      safetyImpact,
      productionCritical,
      workaroundAvailable,
    });
    expect(rollbackOutcome(a(true, true, true), 300)).toBe('immediate-rollback');
    expect(rollbackOutcome(a(false, true, true), 300)).toBe('expedited-rollback');
    expect(rollbackOutcome(a(false, false, true), 10)).toBe('document-and-continue');
    expect(rollbackOutcome(a(false, false, false), 121)).toBe('troubleshoot');
    expect(rollbackOutcome(a(false, false, false), 120)).toBe('planned-rollback');
    expect(rollbackOutcome(a(false, false, false), null)).toBe('planned-rollback');
  });

  it('records the answers with the minutes left in the slot', () => {
    const s = must(
      transition(
        sample('in-execution'),
        { type: 'rollback-decision', by: eng, answers: { safetyImpact: false, productionCritical: false, workaroundAvailable: false } },
        ctx(IN_SLOT),
      ),
    );
    // The slot ends 04:30Z; at 03:35Z 55 minutes are left: a planned rollback.
    expect(s.status === 'in-execution' && s.execution.rollbackDecisions).toEqual([
      {
        by: { id: eng.id, name: eng.name },
        at: IN_SLOT.toISOString(),
        answers: { safetyImpact: false, productionCritical: false, workaroundAvailable: false },
        minutesLeft: 55,
        outcome: 'planned-rollback',
        comment: '',
      },
    ]);
  });

  it('a manual rollback needs a before-snapshot, the file written back and every step confirmed', () => {
    const op = validOp('manual-rollback') as Extract<ChangeOperation, { type: 'manual-rollback' }>;
    expect(refusal(transition(sample('rolled-back'), op, ctx(IN_SLOT))).rule).toBe('manual-rollback-invalid');
    const rolled = sample('rolled-back (before-snapshot)');
    expect(refusal(transition(rolled, { ...op, reference: '' }, ctx(IN_SLOT))).rule).toBe('manual-rollback-invalid');
    expect(refusal(transition(rolled, { ...op, confirmed: op.confirmed.slice(0, 2) }, ctx(IN_SLOT))).rule).toBe('checklist-incomplete');
  });
});

describe('the post-implementation review after CLOSE', () => {
  it('is due for a completed normal change, by a reviewer not on it, and names the new baselines', () => {
    const closed = sample('closed');
    expect(postImplementationReviewStatus(closed, later(2 * H))).toMatchObject({
      status: 'due',
      reviewerRoles: ['plant-engineering-manager'],
    });
    const op = validOp('post-implementation-review') as Extract<ChangeOperation, { type: 'post-implementation-review' }>;
    expect(refusal(transition(closed, { ...op, by: { ...eng, roles: ['plant-engineering-manager'] } }, ctx(later(2 * H)))).rule).toBe(
      'segregation-of-duties',
    );
    expect(refusal(transition(closed, { ...op, baselines: [] }, ctx(later(2 * H)))).rule).toBe('pir-invalid');
    expect(refusal(transition(closed, { ...op, findings: '' }, ctx(later(2 * H)))).rule).toBe('reason-required');
    const reviewed = must(transition(closed, op, ctx(later(2 * H))));
    expect(postImplementationReviewStatus(reviewed, later(2 * H))).toMatchObject({
      status: 'done',
      record: { by: { name: pem2.name }, baselines: [{ controllerId: 'plc-l09-filler', snapshotSha256: 'a'.repeat(64) }] },
    });
    expect(refusal(transition(reviewed, op, ctx(later(3 * H)))).rule).toBe('pir-not-due');
    expect(postImplementationReviewStatus(closed, later(130 * H)).status).toBe('overdue');
    // Emergency changes owe none under the default policy.
    expect(postImplementationReviewStatus(sample('closed (break-glass)'), later(2 * H)).status).toBe('not-required');
  });
});

describe('the execution clock: the mid-change checkpoint at 50 % of the window, the decision at its end', () => {
  const executing = (): ChangeState => sample('in-execution');
  const decide = (over: Partial<Extract<ChangeOperation, { type: 'window-decision' }>> = {}): ChangeOperation => ({
    type: 'window-decision',
    by: supervisor,
    role: 'shift-supervisor',
    decision: 'complete',
    comment: 'Ten minutes of testing left',
    ...over,
  });

  it('the mid-change assessment falls due at half of the slot (04:00Z for 03:30-04:30), not before', () => {
    const before = executionClock(executing(), CHECKPOINTS, new Date('2026-06-05T03:59:00Z'));
    expect(before.due).toEqual([
      { checkpoint: 'mid-change', name: 'Mid-change assessment', dueAt: '2026-06-05T04:00:00.000Z', status: 'upcoming' },
    ]);
    expect(executionClock(executing(), CHECKPOINTS, new Date('2026-06-05T04:00:00Z')).due[0]!.status).toBe('due');
    expect(dueAtInSlot({ start: '2026-06-05T03:30:00.000Z', end: '2026-06-05T07:30:00.000Z' }, 0.5)).toBe('2026-06-05T05:30:00.000Z');
  });

  it('a signed mid-change assessment is done; the window end asks for a decision only once the slot is over', () => {
    let s = must(transition(executing(), snapshotOp('before'), ctx(IN_SLOT)));
    s = must(transition(s, checkpointOp('pre-execution', 'go'), ctx(IN_SLOT)));
    s = must(transition(s, checkpointOp('mid-change', 'continue'), ctx(IN_SLOT)));
    const clock = executionClock(s, CHECKPOINTS, AFTER_SLOT);
    expect(clock.due[0]!.status).toBe('done');
    expect(clock.windowEnd).toEqual({ endsAt: SLOT.end, status: 'decision-due', decision: null });
    expect(executionClock(s, CHECKPOINTS, IN_SLOT).windowEnd!.status).toBe('open');
  });

  it('refuses the decision while the window is open, naming when it ends', () => {
    const r = refusal(transition(executing(), decide(), ctx(IN_SLOT)));
    expect(r.rule).toBe('window-open');
    expect(r.message).toContain('the decision to complete or roll back is taken once it has ended');
  });

  it('records "complete" (the work goes on, the checkpoints continue) and refuses a second decision', () => {
    const s = must(transition(executing(), decide(), ctx(AFTER_SLOT)));
    expect(s.status).toBe('in-execution');
    if (s.status !== 'in-execution') throw new Error('not executing');
    expect(s.execution.windowDecision).toMatchObject({
      decision: 'complete',
      by: { id: supervisor.id },
      windowEnd: SLOT.end,
      comment: 'Ten minutes of testing left',
    });
    expect(executionClock(s, CHECKPOINTS, AFTER_SLOT).windowEnd!.status).toBe('decided');
    const again = refusal(transition(s, decide({ decision: 'rollback' }), ctx(later(3 * 86_400_000))));
    expect(again.rule).toBe('window-decided');
  });

  it('"rollback" rolls the change back with the reason on the record', () => {
    const s = must(transition(executing(), decide({ decision: 'rollback', comment: 'Filler still faulting' }), ctx(AFTER_SLOT)));
    expect(s.status).toBe('rolled-back');
    if (s.status !== 'rolled-back') throw new Error('not rolled back');
    expect(s.rollback.reason).toBe('Rolled back at the end of the window: Filler still faulting');
  });

  it('refuses the executor, a non-supervisor, a blank comment, and a break-glass change without a slot', () => {
    expect(refusal(transition(executing(), decide({ by: eng }), ctx(AFTER_SLOT))).rule).toBe('segregation-of-duties');
    expect(refusal(transition(executing(), decide({ by: pem, role: 'plant-engineering-manager' }), ctx(AFTER_SLOT))).rule).toBe(
      'role-not-held',
    );
    expect(refusal(transition(executing(), decide({ comment: '  ' }), ctx(AFTER_SLOT))).rule).toBe('reason-required');
    expect(refusal(transition(sample('in-execution (break-glass)'), decide(), ctx(later(3 * 86_400_000)))).rule).toBe('no-window');
    expect(executionClock(sample('in-execution (break-glass)'), CHECKPOINTS, AFTER_SLOT)).toEqual({ due: [], windowEnd: null });
  });
});
