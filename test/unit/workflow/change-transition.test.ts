// The change state machine: every state against every operation, and refusals that name the rule.
import { describe, expect, it } from 'vitest';
import { changeName } from '../../../src-shared/common/workflow/change-state.ts';
import {
  CHANGE_OPERATIONS,
  CHANGE_STATUSES,
  approvalProgressOf,
  statusLabel,
  type ChangeOperationType,
  type ChangeState,
  type ChangeStatus,
} from '../../../src-shared/common/workflow/change-state.ts';
import {
  ALLOWED_OPERATIONS,
  allowedOperations,
  outstandingApprovals,
  transition,
} from '../../../src-shared/common/workflow/change-transition.ts';
import { PEOPLE, line } from './packaging-plant.ts';
import {
  AFTER_SLOT,
  H,
  IN_SLOT,
  NOW,
  TIER1_WINDOW,
  all,
  approveOp,
  ctx,
  draft,
  emergencyDraft,
  eng,
  eng2,
  later,
  must,
  pem,
  plantMgr,
  policy,
  qa,
  refusal,
  sample,
  sec,
  submit,
  supervisor,
  validOp,
  vp,
} from './change-transition-fixture.ts';

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
