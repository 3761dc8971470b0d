import { describe, expect, it } from 'vitest';
import { emptyChangeRequest } from '../../../src-shared/common/workflow/change-request.ts';
import { evaluateChange, evaluateRequest, type ChangeFacts } from '../../../src-shared/common/workflow/change-evaluation.ts';
import { scoreRisk, type RiskAssessment } from '../../../src-shared/common/workflow/risk-score.ts';
import type { ChangeClass, LineFact } from '../../../src-shared/common/workflow/workflow-terms.ts';
import { PLANT_LINES, defaultPolicy, line, linesOfTier } from './packaging-plant.ts';

const policy = defaultPolicy();
// Wednesday 3 June 2026, 10:00 in Chicago (CDT, UTC-5): a production day.
const NOW = new Date('2026-06-03T15:00:00Z');
const LOW: RiskAssessment = { impact: 1, probability: 2, safetyImpact: 'none' }; // score 2: low band
const H = 3_600_000;

function evaluate(lines: LineFact[], extra: Partial<ChangeFacts> = {}, cls: ChangeClass = 'normal') {
  return evaluateChange(policy, { class: cls, lines, touchesSafetyTag: false, risk: LOW, ...extra }, NOW);
}

describe('the 24-line packaging plant', () => {
  it('has 3 tier-1, 14 tier-2 and 7 tier-3 lines', () => {
    expect(PLANT_LINES).toHaveLength(24);
    expect([linesOfTier(1).length, linesOfTier(2).length, linesOfTier(3).length]).toEqual([3, 14, 7]);
  });

  it.each(linesOfTier(1).map((l) => [l.id, l]))('tier-1 line %s: CAB, 48 h notice, staging', (id, l) => {
    const e = evaluate([l]);
    expect(e.cab).toBe(true);
    expect(e.approvals.map((a) => [a.group, a.quorum])).toEqual([['cab', 2]]);
    expect(e.notice).toMatchObject({ minutes: 48 * 60, sameShift: false });
    expect(Date.parse(e.earliestStart) - NOW.getTime()).toBe(48 * H);
    expect(e.staging.required).toBe(true);
    expect(e.diffReview.required).toBe(true);
    expect(e.summary).toEqual([
      `Line ${id} is tier 1: CAB approval, 48 h notice, staging and diff review (policy: normal changes; tier 1 lines).`,
    ]);
    expect(e.approvals[0]?.reasons).toEqual([
      `Line ${id} is tier 1: CAB approval (policy: tier 1 lines)`,
      'It also covers the Single approver requirement: Normal changes need single approver (policy: normal changes, approvals); ' +
        'Risk band low (score 2): single approver (policy: risk band 1 (score 1–4)) (policy: Change Advisory Board, the approvals it covers)',
    ]);
    expect(e.notice.reasons).toEqual([`Line ${id} is tier 1: 48 h notice (policy: tier 1 lines)`]);
    expect(e.staging.reasons).toEqual([`Line ${id} is tier 1: mandatory staging deploy (policy: tier 1 lines)`]);
    expect(e.blockers).toEqual([]);
    // Friday 10:00 CDT is the end of the notice; the first window after it is Friday night at 22:00 CDT.
    expect(e.firstWindowStart).toBe('2026-06-06T03:00:00.000Z');
  });

  it.each(linesOfTier(2).map((l) => [l.id, l]))('tier-2 line %s: single approver, 24 h notice, diff review', (id, l) => {
    const e = evaluate([l]);
    expect(e.cab).toBe(false);
    expect(e.approvals.map((a) => [a.group, a.quorum, a.roles])).toEqual([['single-approver', 1, ['plant-engineering-manager']]]);
    expect(e.notice).toMatchObject({ minutes: 24 * 60, sameShift: false });
    expect(e.staging.required).toBe(false);
    expect(e.diffReview).toEqual({ required: true, reasons: [`Line ${id} is tier 2: mandatory diff review (policy: tier 2 lines)`] });
    expect(e.summary).toEqual([
      `Line ${id} is tier 2: single approver, 24 h notice and diff review (policy: normal changes; tier 2 lines).`,
    ]);
    expect(e.approvals[0]?.reasons).toContain(`Line ${id} is tier 2: single approver (policy: tier 2 lines)`);
    expect(e.firstWindowStart).toBe('2026-06-05T03:00:00.000Z'); // Thursday 22:00 CDT
  });

  it.each(linesOfTier(3).map((l) => [l.id, l]))('tier-3 line %s: single approver, same-shift deploy', (id, l) => {
    const e = evaluate([l]);
    expect(e.cab).toBe(false);
    expect(e.approvals.map((a) => a.group)).toEqual(['single-approver']);
    expect(e.notice).toEqual({
      minutes: 0,
      sameShift: true,
      reasons: [`Line ${id} is tier 3: same-shift deploy permitted, no notice (policy: tier 3 lines)`],
    });
    expect(e.earliestStart).toBe(NOW.toISOString());
    expect(e.firstWindowStart).toBe(NOW.toISOString()); // tier-3 lines have an all-week window
    expect(e.staging.required).toBe(false);
    expect(e.diffReview.required).toBe(false);
    expect(e.summary).toEqual([
      `Line ${id} is tier 3: single approver and same-shift deploy permitted (policy: normal changes; tier 3 lines).`,
    ]);
  });

  it.each(linesOfTier(3).map((l) => [l.id, l]))('a safety tag on tier-3 line %s escalates to the CAB', (id, l) => {
    const e = evaluate([l], { touchesSafetyTag: true, safetyTags: ['Press.GuardBypass'] });
    expect(e.cab).toBe(true);
    expect(e.approvals.map((a) => [a.group, a.quorum])).toEqual([['cab', 2]]);
    expect(e.approvals[0]?.reasons[0]).toBe(
      'The change touches safety tag Press.GuardBypass: CAB approval whatever the line tier (policy: safety tags)',
    );
    expect(e.summary).toContain(
      'The change touches safety tag Press.GuardBypass: CAB approval whatever the line tier (policy: safety tags).',
    );
    expect(e.summary).toContain(
      `Line ${id} is tier 3: single approver and same-shift deploy permitted (policy: normal changes; tier 3 lines).`,
    );
    expect(e.notice.sameShift).toBe(true); // the tier still sets the notice
  });

  it('a safety tag escalates a standard change on a tier-2 line too', () => {
    const e = evaluate([line('L09')], { touchesSafetyTag: true }, 'standard');
    expect(e.cab).toBe(true);
    expect(e.approvals[0]?.reasons[0]).toBe(
      'The change touches a safety-flagged tag: CAB approval whatever the line tier (policy: safety tags)',
    );
  });

  it('takes the strictest tier across several lines and names the line that decides', () => {
    const e = evaluate([line('L20'), line('L02'), line('L11')]);
    expect(e.cab).toBe(true);
    expect(e.notice.minutes).toBe(48 * 60);
    expect(e.notice.reasons).toEqual(['Line L02 is tier 1: 48 h notice (policy: tier 1 lines)']);
    expect(e.staging.reasons).toEqual(['Line L02 is tier 1: mandatory staging deploy (policy: tier 1 lines)']);
    expect(e.diffReview.reasons).toEqual([
      'Line L02 is tier 1: mandatory diff review (policy: tier 1 lines)',
      'Line L11 is tier 2: mandatory diff review (policy: tier 2 lines)',
    ]);
    expect(e.summary.map((s) => s.slice(0, 22))).toEqual(['Line L02 is tier 1: CA', 'Line L11 is tier 2: si', 'Line L20 is tier 3: si']);
  });

  it('groups several lines of one tier in one sentence', () => {
    const e = evaluate(linesOfTier(1));
    expect(e.summary).toEqual([
      'Lines L01, L02, L03 are tier 1: CAB approval, 48 h notice, staging and diff review (policy: normal changes; tier 1 lines).',
    ]);
  });
});

describe('risk score and bands of the change guide', () => {
  it.each([
    [{ impact: 1, probability: 1, safetyImpact: 'none' }, 1, 'low'],
    [{ impact: 2, probability: 2, safetyImpact: 'none' }, 4, 'low'],
    [{ impact: 1, probability: 3, safetyImpact: 'low' }, 5, 'medium'],
    [{ impact: 3, probability: 3, safetyImpact: 'none' }, 9, 'medium'],
    [{ impact: 1, probability: 5, safetyImpact: 'medium' }, 10, 'high'],
    [{ impact: 1, probability: 5, safetyImpact: 'high' }, 15, 'high'],
    [{ impact: 4, probability: 4, safetyImpact: 'none' }, 16, 'critical'],
    [{ impact: 5, probability: 5, safetyImpact: 'high' }, 35, 'critical'],
  ] as const)('%o scores %i: %s', (a, score, band) => {
    const r = scoreRisk(policy, a);
    expect(r.ok && [r.risk.score, r.risk.band]).toEqual([score, band]);
  });

  it('explains the arithmetic', () => {
    const r = scoreRisk(policy, { impact: 3, probability: 2, safetyImpact: 'medium' });
    expect(r.ok && r.risk.reason).toBe('Risk score 3 x 2 + 5 (safety impact medium) = 11: high band (policy: risk band 3 (score 10–15))');
  });

  it('refuses values off the policy scale', () => {
    expect(scoreRisk(policy, { impact: 6, probability: 1, safetyImpact: 'none' })).toEqual({
      ok: false,
      problem: "The impact 6 is off the policy's scale of 1 to 5 (policy: impact scale).",
    });
    expect(scoreRisk(policy, { impact: 1, probability: 0, safetyImpact: 'none' }).ok).toBe(false);
    expect(scoreRisk(policy, { impact: 1.5, probability: 1, safetyImpact: 'none' }).ok).toBe(false);
  });

  it('a medium risk on a tier-2 line needs the CAB, with the band as the reason', () => {
    const e = evaluate([line('L05')], { risk: { impact: 3, probability: 2, safetyImpact: 'none' } });
    expect(e.cab).toBe(true);
    expect(e.approvals.map((a) => a.group)).toEqual(['cab']);
    expect(e.approvals[0]?.reasons[0]).toBe('Risk band medium (score 6): CAB approval (policy: risk band 2 (score 5–9))');
  });

  it('a high risk adds the safety manager; a critical one the VP of operations', () => {
    const high = evaluate([line('L05')], { risk: { impact: 3, probability: 3, safetyImpact: 'low' } });
    expect(high.approvals.map((a) => a.group)).toEqual(['cab', 'safety-manager']);
    const critical = evaluate([line('L05')], { risk: { impact: 4, probability: 4, safetyImpact: 'none' } });
    expect(critical.approvals.map((a) => a.group)).toEqual(['cab', 'safety-manager', 'vp-operations']);
    expect(critical.approvals[2]?.reasons).toEqual([
      'Risk band critical (score 16): VP operations approval (policy: risk band 4 (score 16 or more))',
    ]);
  });

  it('a standard change above the low band is blocked: file it as a normal change', () => {
    const e = evaluate([line('L05')], { risk: { impact: 3, probability: 2, safetyImpact: 'none' } }, 'standard');
    expect(e.blockers).toEqual([
      'Standard changes are for the low risk band or lower; this one scores 6 (medium): file it as a normal change (policy: standard changes, highest risk band).',
    ]);
  });

  it('without an assessment no band applies, and says so', () => {
    const e = evaluate([line('L05')], { risk: null });
    expect(e.risk).toBeNull();
    expect(e.notes).toContain("Risk not assessed yet: the risk band's approvals are not included (policy: risk scale).");
  });

  it('an off-scale assessment blocks the change', () => {
    const e = evaluate([line('L05')], { risk: { impact: 9, probability: 1, safetyImpact: 'none' } });
    expect(e.blockers).toEqual(["The impact 9 is off the policy's scale of 1 to 5 (policy: impact scale)."]);
  });

  it('notes a safety tag assessed as no safety impact', () => {
    const e = evaluate([line('L05')], { touchesSafetyTag: true });
    expect(e.notes).toContain(
      'The change touches safety-flagged tags but its safety impact is assessed as none: check the impact assessment.',
    );
  });
});

describe('classes', () => {
  it('emergency: fast path, break-glass terms, retrospective CAB review within 24 h', () => {
    const e = evaluate([line('L02')], { touchesSafetyTag: true }, 'emergency');
    expect(e.approvals.map((a) => [a.group, a.quorum])).toEqual([['emergency', 1]]);
    expect(e.cab).toBe(false);
    expect(e.notice).toMatchObject({ minutes: 0, sameShift: false });
    expect(e.notice.reasons).toEqual([
      'Emergency changes take the fast path: no notice, whatever the line tier (policy: emergency changes)',
    ]);
    expect(e.staging.required).toBe(false);
    expect(e.window.required).toBe(false);
    expect(e.breakGlass).toMatchObject({
      approverRoles: ['on-call-manager', 'shift-supervisor', 'plant-manager'],
      retrospectiveWithinMinutes: 24 * 60,
    });
    expect(e.breakGlass?.retrospectiveApprovals.map((a) => [a.group, a.quorum])).toEqual([['cab', 2]]);
    expect(e.breakGlass?.reason).toBe(
      'Emergency changes may start before approval with a recorded break-glass approval by On-call manager, Shift supervisor and Plant manager; ' +
        'the retrospective review is due within 24 h (policy: emergency changes, break-glass)',
    );
    expect(e.summary).toEqual([
      'Line L02 is tier 1, but emergency changes take the fast path: the tier adds nothing before execution (policy: emergency changes).',
    ]);
    expect(e.approvalTimeout).toEqual({
      minutes: 15,
      escalateTo: ['plant-manager'],
      reason: 'Approvals still missing 15 min after submission escalate to Plant manager (policy: emergency changes, approval timeout)',
    });
  });

  it('safety-critical: technical review, process safety, safety manager and CAB in order, dual control, staging and 14 days notice', () => {
    const e = evaluate([line('L20')], { risk: { impact: 2, probability: 2, safetyImpact: 'high' } }, 'safety-critical');
    expect(e.approvals.map((a) => [a.group, a.quorum, a.step?.index])).toEqual([
      ['technical-review', 1, 0],
      ['process-safety', 1, 1],
      ['safety-manager', 1, 1],
      ['cab', 2, 2],
    ]);
    expect(e.approvals.find((a) => a.group === 'cab')?.accountable).toEqual(['ot-security', 'quality-compliance']);
    expect(e.safety).toMatchObject({
      signOffRoles: ['safety-manager'],
      checklist: expect.arrayContaining(['Safety interlocks checked and working']) as unknown as string[],
    });
    expect(e.postImplementationReview).toMatchObject({ reviewerRoles: ['plant-engineering-manager'], withinMinutes: 72 * 60 });
    expect(e.dualControl).toEqual({
      required: true,
      reasons: [
        'Safety-critical changes need dual control: two different people approve, and a second person witnesses the execution (policy: safety-critical changes, dual control)',
      ],
    });
    expect(e.staging.reasons).toEqual(['Safety-critical changes need a staging deploy (policy: safety-critical changes, staging deploy)']);
    expect(e.notice).toMatchObject({
      minutes: 14 * 24 * 60,
      reasons: ['Safety-critical changes need 14 d notice (policy: safety-critical changes, notice)'],
    });
  });

  it('standard: pre-approved template, single approver on a tier-2 line', () => {
    const e = evaluate([line('L06')], {}, 'standard');
    expect(e.approvals.map((a) => a.group)).toEqual(['single-approver']);
    expect(e.approvalTimeout.minutes).toBe(24 * 60);
  });

  it('blocks a change on no line', () => {
    expect(evaluate([]).blockers).toEqual([
      'No line: the target controllers must be on lines of the plant model, whose tiers set notice, approvals and staging.',
    ]);
  });

  it('is plain data that survives JSON', () => {
    const e = evaluate([line('L01')]);
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
    expect(e).toMatchObject({ policyName: 'Default plant policy', policyRevision: 3, evaluatedAt: NOW.toISOString() });
  });
});

describe('evaluateRequest: what the editor shows before submit', () => {
  it('waits for a class', () => {
    expect(evaluateRequest(policy, emptyChangeRequest(), { lines: [line('L01')], touchesSafetyTag: false }, NOW)).toEqual({
      evaluation: null,
      missingFields: [],
      classMissing: true,
    });
  });

  it('lists the fields the class still needs and reads the risk from the impact assessment', () => {
    const fields = {
      ...emptyChangeRequest(),
      class: 'normal' as const,
      title: 'Raise filler speed',
      impactAssessment: { summary: 'Filler only', impact: 2, probability: 2, safetyImpact: 'none' as const },
    };
    const r = evaluateRequest(policy, fields, { lines: [line('L09')], touchesSafetyTag: false }, NOW);
    expect(r.missingFields).toEqual([
      'description',
      'justification',
      'targetControllers',
      'rollbackPlan',
      'testPlan',
      'proposedChange',
      'requestedWindow',
      'itsmTicket',
    ]);
    expect(r.evaluation?.risk?.score).toBe(4);
  });
});
