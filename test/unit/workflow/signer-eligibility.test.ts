import { describe, expect, it } from 'vitest';
import { emptyChangeRequest } from '../../../src-shared/common/workflow/change-request.ts';
import { newChange, type ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { transition } from '../../../src-shared/common/workflow/change-transition.ts';
import {
  breakGlassSigners,
  changeSigners,
  eligibleByRole,
  type SignerCandidate,
} from '../../../src-shared/common/workflow/signer-eligibility.ts';
import { PEOPLE, defaultCheckpoints, defaultPolicy, line } from './packaging-plant.ts';

const policy = defaultPolicy();
const NOW = new Date('2026-06-03T15:00:00Z');
const { eng, eng2, pem, sec, qa, plantMgr, super: supervisor } = PEOPLE;
const enrolled = (...ps: { id: string; name: string; roles: readonly string[] }[]): SignerCandidate[] =>
  ps.map((p) => ({ employeeId: p.id, name: p.name, roles: p.roles, revoked: false }));
const label = (r: string): string => policy.roles[r] ?? r;

function submitted(): ChangeState {
  const d = newChange(
    'CHG-1',
    eng,
    {
      ...emptyChangeRequest(),
      title: 'Raise filler speed',
      description: 'd',
      justification: 'j',
      class: 'normal',
      targetControllers: ['plc-l09'],
      impactAssessment: { summary: 's', impact: 1, probability: 2, safetyImpact: 'none' },
      rollbackPlan: 'r',
      testPlan: 't',
      proposedChange: { kind: 'work-instruction', text: 'w' },
      requestedWindow: { start: '2026-06-07T04:00:00.000Z', end: '2026-06-07T05:00:00.000Z' },
      itsmTicket: 'CHG1',
    },
    NOW,
  );
  const r = transition(
    d,
    { type: 'submit', by: eng },
    { now: NOW, policy, plant: { lines: [line('L01')], touchesSafetyTag: false }, checkpoints: defaultCheckpoints() },
  );
  if (!r.ok) throw new Error(r.error.message);
  return r.next;
}

describe('who may sign a decision on a change', () => {
  it('approvers: holders of the roles the change needs whose approval would count, never the requester, nobody twice, escalation roles only after the timeout', () => {
    const state = submitted();
    const people = enrolled(eng, pem, sec, qa, plantMgr, supervisor);
    // The CAB's quorum of two belongs to its accountable roles (OT security, quality): the plant engineering
    // manager's approval would not count, so he is not offered it; he may still reject or defer the change.
    expect(
      changeSigners(state, 'approve', people, label, NOW)
        .people.map((p) => p.employeeId)
        .sort(),
    ).toEqual([qa.id, sec.id].sort());
    expect(changeSigners(state, 'reject', people, label, NOW).people.map((p) => p.employeeId)).toContain(pem.id);
    expect(changeSigners(state, 'defer', people, label, NOW).people.map((p) => p.employeeId)).toContain(pem.id);
    const approved = {
      ...state,
      review: {
        ...state.review!,
        approvals: [
          {
            by: { id: sec.id, name: sec.name },
            role: 'ot-security',
            meaning: 'approved' as const,
            at: NOW.toISOString(),
            comment: '',
            conditions: [],
            diffReviewed: true,
          },
        ],
      },
    } as ChangeState;
    expect(
      changeSigners(approved, 'approve', people, label, NOW)
        .people.map((p) => p.employeeId)
        .sort(),
    ).toEqual([qa.id]);
    const muchLater = new Date(NOW.getTime() + 30 * 86_400_000);
    const escalateTo = state.review!.evaluation.approvalTimeout.escalateTo;
    expect(escalateTo.length).toBeGreaterThan(0);
    const after = changeSigners(state, 'approve', people, label, muchLater).people.flatMap((p) => p.roles);
    expect(escalateTo.some((r) => after.includes(r))).toBe(true);
  });

  it('says why nobody can sign: no holder enrolled, or every holder excluded', () => {
    const state = submitted();
    const onlyRequester = changeSigners(state, 'approve', enrolled(eng), label, NOW);
    expect(onlyRequester.people).toEqual([]);
    expect(onlyRequester.none).toMatch(/Nobody enrolled on this laptop holds OT security or Quality/);
    const selfApprover = { ...eng, roles: ['controls-engineer', 'ot-security'] };
    expect(changeSigners(state, 'approve', enrolled(selfApprover), label, NOW).none).toMatch(
      /Erin Engineer filed the change and cannot approve it/,
    );
    expect(changeSigners(state, 'withdraw', enrolled(pem), label, NOW).none).toMatch(/Only the requester, Erin Engineer/);
  });

  it('a role list offers exactly its holders, with the roles they may sign as', () => {
    const r = eligibleByRole(
      enrolled(eng, pem, { ...sec, roles: ['ot-security', 'plant-engineering-manager'] }),
      ['plant-engineering-manager'],
      label,
      'approve a baseline',
    );
    expect(r.people).toEqual([
      { employeeId: pem.id, name: pem.name, roles: ['plant-engineering-manager'] },
      { employeeId: sec.id, name: sec.name, roles: ['plant-engineering-manager'] },
    ]);
    expect(eligibleByRole([], ['plant-engineering-manager'], label, 'approve a baseline').none).toMatch(/Nobody is enrolled/);
  });

  it('the emergency path: responders break glass, the named approver and the responder sign their parts, reviews only where they count', () => {
    const ctx = { now: NOW, policy, plant: { lines: [line('L01')], touchesSafetyTag: false }, checkpoints: defaultCheckpoints() };
    const step = (s: ChangeState, op: Parameters<typeof transition>[1]): ChangeState => {
      const r = transition(s, op, ctx);
      if (!r.ok) throw new Error(r.error.message);
      return r.next;
    };
    const fields = {
      ...emptyChangeRequest(),
      title: 'Filler jammed',
      description: 'd',
      justification: 'j',
      class: 'emergency' as const,
      targetControllers: ['plc-l01'],
    };
    const draft = newChange('CHG-2', eng, fields, NOW);
    const people = enrolled(eng, eng2, pem, sec, qa, supervisor);
    const ids = (e: { people: { employeeId: string }[] }) => e.people.map((p) => p.employeeId).sort();
    // A draft has no frozen evaluation: the live one names the class's responders (controls engineers).
    const glass = policy.classes.emergency!.breakGlass!;
    const live = {
      breakGlass: {
        approverRoles: glass.approverRoles,
        responders: glass.responders!,
        retrospectiveWithinMinutes: 1440,
        retrospectiveApprovals: [],
        reason: '',
      },
    };
    expect(ids(changeSigners(draft, 'break-glass', people, label, NOW, live))).toEqual([eng.id, eng2.id].sort());

    const started = step(draft, {
      type: 'break-glass',
      by: eng,
      approver: { id: supervisor.id, name: supervisor.name, role: 'shift-supervisor', roles: [...supervisor.roles] },
      method: 'phone',
      reason: 'line down',
      approverSigned: false,
    });
    expect(ids(breakGlassSigners(started, 'confirm-break-glass', people))).toEqual([supervisor.id]);
    expect(ids(breakGlassSigners(started, 'emergency-report', people))).toEqual([eng.id]);
    expect(breakGlassSigners(started, 'confirm-break-glass', enrolled(eng)).none).toMatch(
      /^Only Sid Supervisor may sign the break-glass approval/,
    );
    expect(breakGlassSigners(submitted(), 'emergency-report', people).none).toMatch(/did not start under break-glass/);

    // The CAB's accountable roles only: the plant engineering manager's review would not count; never the responder or approver.
    expect(ids(changeSigners(started, 'retrospective-review', people, label, NOW))).toEqual([qa.id, sec.id].sort());
  });
});
