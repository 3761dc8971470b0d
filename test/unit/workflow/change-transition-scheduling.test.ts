// Submitting and scheduling a change: required fields per class, notice, windows, blackouts, overrides, dual control and staging.
import { describe, expect, it } from 'vitest';
import { approvalProgressOf, type ChangeOperation } from '../../../src-shared/common/workflow/change-state.ts';
import { transition, type TransitionContext } from '../../../src-shared/common/workflow/change-transition.ts';
import { loadPolicyYaml } from '../../../src-shared/common/workflow/policy-yaml.ts';
import { readFileSync } from 'node:fs';
import { line } from './packaging-plant.ts';
import {
  H,
  IN_SLOT,
  NOW,
  SLOT,
  approveOp,
  ctx,
  draft,
  eng,
  later,
  must,
  pem,
  plantMgr,
  process,
  qa,
  refusal,
  safety,
  sample,
  sec,
  submit,
  supervisor,
  validOp,
  vp,
} from './change-transition-fixture.ts';

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
