// Emergency changes: break-glass, who may carry it out and approve it, the retrospective review, and approval time-outs with escalation.
import { describe, expect, it } from 'vitest';
import { statusLabel, type ChangeOperation, type ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { approvalTimeoutStatus, retrospectiveStatus } from '../../../src-shared/common/workflow/change-deadlines.ts';
import { transition, type TransitionContext, type TransitionResult } from '../../../src-shared/common/workflow/change-transition.ts';
import { loadPolicyYaml } from '../../../src-shared/common/workflow/policy-yaml.ts';
import { readFileSync } from 'node:fs';
import { line } from './packaging-plant.ts';
import {
  H,
  NOW,
  breakGlassOp,
  confirmOp,
  ctx,
  draft,
  emergencyDraft,
  eng,
  later,
  must,
  onCall,
  pem,
  pem2,
  plantMgr,
  qa,
  refusal,
  reportOp,
  sample,
  sec,
  submit,
  supervisor,
  validOp,
} from './change-transition-fixture.ts';

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
