// Closing a change: safety review order and sign-off, rollback guidance, the post-implementation review and the execution clock.
import { describe, expect, it } from 'vitest';
import { newChange, type ChangeOperation, type ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { transition, type TransitionContext } from '../../../src-shared/common/workflow/change-transition.ts';
import { dueAtInSlot, executionClock } from '../../../src-shared/common/workflow/execution-clock.ts';
import { rollbackOutcome, rollbackOutcomeWords } from '../../../src-shared/common/workflow/rollback-guidance.ts';
import { postImplementationReviewStatus } from '../../../src-shared/common/workflow/post-implementation-review.ts';
import { line } from './packaging-plant.ts';
import {
  AFTER_SLOT,
  CHECKPOINTS,
  H,
  IN_SLOT,
  NOW,
  SLOT,
  approveOp,
  checkpointOp,
  ctx,
  draft,
  eng,
  eng2,
  fields,
  later,
  must,
  pem,
  pem2,
  policy,
  refusal,
  safety,
  sample,
  sec,
  snapshotOp,
  submit,
  supervisor,
  validOp,
} from './change-transition-fixture.ts';

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

  it('says why a planned rollback: too little time, the window over, or no window (break-glass)', () => {
    expect(rollbackOutcomeWords('planned-rollback', 90).says).toBe('Too little time is left to troubleshoot: roll back as planned.');
    expect(rollbackOutcomeWords('planned-rollback', 0).says).toBe('The change window is over: roll back as planned.');
    expect(rollbackOutcomeWords('planned-rollback', null).says).toBe(
      'This change has no change window, so no time is set aside to troubleshoot: roll back as planned.',
    );
    expect(rollbackOutcomeWords('troubleshoot', 300).says).toBe('More than 2 hours are left in the window: troubleshoot, with a deadline.');
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
