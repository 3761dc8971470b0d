/**
 * Transitions into the work: scheduling a slot (notice, windows, blackouts, overrides), starting execution
 * (slot, conditions, staging, dual control) and break-glass for emergencies.
 */
import type { ChangeEvaluation } from './change-evaluation.ts';
import {
  BREAK_GLASS_METHODS,
  changeName,
  type ChangeOperation,
  type ChangeState,
  type OverrideRecord,
  type OverrideSignature,
  type Review,
} from './change-state.ts';
import { slotProblems, type SlotProblem } from './change-windows.ts';
import { roleName, type Policy } from './policy-schema.ts';
import { formatLocal } from './time-zone.ts';
import type { Participant, PersonRef } from './workflow-terms.ts';
import { type TransitionContext, type TransitionResult, numbered, refuse, ref, blank, unreachable } from './transition-rules.ts';
import { readyToGo } from './transition-approval.ts';
import { policyCitation } from './policy-citation.ts';
import { breakGlassApproverProblem } from './emergency-review.ts';

/**
 * Checks a period against windows and blackouts, letting valid override signatures lift what the policy lets
 * them lift. Returns the overrides used, or a refusal.
 */
function checkPeriod(
  state: ChangeState,
  op: ChangeOperation,
  ctx: TransitionContext,
  evaluation: ChangeEvaluation,
  period: { start: Date; end: Date },
  signatures: readonly OverrideSignature[],
  kept: readonly OverrideRecord[],
): { ok: true; used: OverrideRecord[] } | { ok: false; refusal: TransitionResult } {
  const problems = slotProblems(ctx.policy, evaluation.lines, evaluation.class, period);
  const used: OverrideRecord[] = [];
  const unresolved: SlotProblem[] = [];
  for (const problem of problems) {
    const matches = (o: { rule: string; blackout?: string | null }): boolean =>
      o.rule === problem.rule && (problem.rule !== 'blackout' || (o.blackout ?? null) === problem.blackout);
    const previous = kept.find(matches);
    if (previous !== undefined) {
      used.push(previous);
      continue;
    }
    const signature = signatures.find(matches);
    if (signature === undefined || problem.overrideRoles === null) {
      unresolved.push(problem);
      continue;
    }
    const invalid = overrideProblem(state, op, ctx.policy, signature, problem.overrideRoles);
    if (invalid !== null)
      return {
        ok: false,
        refusal: refuse(
          state,
          op,
          'override-invalid',
          invalid,
          'The override must be signed by another person holding one of the roles the policy names.',
        ),
      };
    used.push({
      by: ref(signature.by),
      role: signature.role,
      rule: problem.rule,
      blackout: problem.rule === 'blackout' ? problem.blackout : null,
      reason: signature.reason.trim(),
      at: ctx.now.toISOString(),
    });
  }
  const first = unresolved[0];
  if (first === undefined) return { ok: true, used };
  const text = unresolved
    .map(
      (p) =>
        p.message +
        (p.overrideRoles === null
          ? p.rule === 'blackout'
            ? '; the policy allows no override of this blackout'
            : '; the policy allows no override of change windows'
          : `; an override needs the signature of ${p.overrideRoles.map((r) => roleName(ctx.policy, r)).join(' or ')}`),
    )
    .join('. ');
  return {
    ok: false,
    refusal: refuse(
      state,
      op,
      first.rule,
      `${text}.`,
      'Choose a time inside a change window and outside blackouts, or get the override signed.',
      { problems: unresolved },
    ),
  };
}

function overrideProblem(
  state: ChangeState,
  op: ChangeOperation,
  policy: Policy,
  s: OverrideSignature,
  roles: readonly string[],
): string | null {
  if (!roles.includes(s.role))
    return `${roleName(policy, s.role)} cannot override this ${s.rule === 'blackout' ? 'blackout' : 'window rule'}; the policy names ${roles.map((r) => roleName(policy, r)).join(' or ')}.`;
  if (!s.by.roles.includes(s.role)) return `${s.by.name} does not hold the role ${roleName(policy, s.role)}.`;
  if (s.by.id === state.requester.id || s.by.id === op.by.id)
    return `${s.by.name} cannot override for their own change or their own work (segregation of duties).`;
  if (blank(s.reason)) return 'an override needs a reason for the record.';
  return null;
}

export function schedule(state: ChangeState, op: Extract<ChangeOperation, { type: 'schedule' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'approved' && state.status !== 'scheduled') return unreachable(state, op);
  const start = Date.parse(op.start),
    end = Date.parse(op.end);
  const zone = ctx.policy.plant.timeZone;
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
    return refuse(state, op, 'slot-invalid', 'the slot needs a start and an end after it.', 'Give the start and end as ISO 8601 times.');
  }
  if (start < ctx.now.getTime())
    return refuse(
      state,
      op,
      'slot-invalid',
      `the slot starts in the past (${formatLocal(start, zone)}).`,
      'Choose a slot that starts later.',
    );
  const e = state.review.evaluation;
  if (start < Date.parse(e.earliestStart)) {
    return refuse(
      state,
      op,
      'notice',
      `${e.notice.reasons.join('; ')}. The earliest start is ${formatLocal(Date.parse(e.earliestStart), zone)}; the slot starts ${formatLocal(start, zone)}.`,
      e.firstWindowStart === null
        ? 'Choose a later slot.'
        : `The first window after the notice opens ${formatLocal(Date.parse(e.firstWindowStart), zone)}.`,
      { earliestStart: e.earliestStart },
    );
  }
  const checked = checkPeriod(state, op, ctx, e, { start: new Date(start), end: new Date(end) }, op.overrides ?? [], []);
  if (!checked.ok) return checked.refusal;
  const slot = {
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    by: ref(op.by),
    at: ctx.now.toISOString(),
    overrides: checked.used,
  };
  const { review, approvedAt, conditions, id, requester, createdAt, fields } = state;
  return {
    ok: true,
    next: { id, ...numbered(state), requester, createdAt, fields, review, approvedAt, conditions, status: 'scheduled', slot },
  };
}

function witnessCheck(
  state: ChangeState,
  op: ChangeOperation,
  evaluation: ChangeEvaluation,
  witness: Participant | undefined,
): TransitionResult | null {
  if (!evaluation.dualControl.required) return null;
  if (witness === undefined) {
    return refuse(
      state,
      op,
      'dual-control',
      `${evaluation.dualControl.reasons.join('; ')}: name the second person who witnesses the work.`,
      'Add a witness other than the person executing.',
    );
  }
  if (witness.id === op.by.id) {
    return refuse(
      state,
      op,
      'dual-control',
      `dual control needs two different people; ${op.by.name} cannot be their own witness.`,
      'Add a witness other than the person executing.',
    );
  }
  return null;
}

export function startExecution(
  state: ChangeState,
  op: Extract<ChangeOperation, { type: 'start-execution' }>,
  ctx: TransitionContext,
): TransitionResult {
  if (state.status !== 'scheduled') return unreachable(state, op);
  const now = ctx.now.getTime();
  const zone = ctx.policy.plant.timeZone;
  const slotStart = Date.parse(state.slot.start),
    slotEnd = Date.parse(state.slot.end);
  if (now < slotStart || now >= slotEnd) {
    return refuse(
      state,
      op,
      'outside-slot',
      `${changeName(state)} is scheduled from ${formatLocal(slotStart, zone)} to ${formatLocal(slotEnd, zone)}; it is now ${formatLocal(now, zone)}.`,
      now < slotStart ? 'Wait for the slot to begin, or reschedule.' : 'The slot is over: reschedule the change.',
    );
  }
  const e = state.review.evaluation;
  if (state.conditions.length > 0 && op.conditionsMet !== true) {
    return refuse(
      state,
      op,
      'conditions-unconfirmed',
      `${changeName(state)} was approved with conditions (${state.conditions.join('; ')}); confirm they are met before starting.`,
      'Check each condition and start again confirming them.',
    );
  }
  if (e.staging.required && blank(op.stagingRecord)) {
    return refuse(
      state,
      op,
      'staging-required',
      `${e.staging.reasons.join('; ')}: the start must refer to the staging validation record.`,
      'Deploy to the staging or simulated controller, record the validation against the test plan, and refer to it.',
    );
  }
  const witness = witnessCheck(state, op, e, op.witness);
  if (witness !== null) return witness;
  const checked = checkPeriod(state, op, ctx, e, { start: ctx.now, end: new Date(slotEnd) }, op.overrides ?? [], state.slot.overrides);
  if (!checked.ok) return checked.refusal;
  const { review, approvedAt, conditions, slot, id, requester, createdAt, fields } = state;
  return {
    ok: true,
    next: {
      id,
      ...numbered(state),
      requester,
      createdAt,
      fields,
      review,
      approvedAt,
      conditions,
      slot,
      status: 'in-execution',
      execution: {
        startedAt: ctx.now.toISOString(),
        executor: ref(op.by),
        witness: op.witness === undefined || op.witness.id === op.by.id ? null : ref(op.witness),
        stagingRecord: blank(op.stagingRecord) ? null : (op.stagingRecord ?? '').trim(),
        overrides: checked.used,
        breakGlass: null,
        retrospective: null,
      },
    },
  };
}

/** Whether a break-glass approver (named, maybe with an id) is this person. */
export function samePerson(a: { id?: string | null; name: string }, b: PersonRef): boolean {
  if (a.id !== undefined && a.id !== null && a.id !== '') return a.id === b.id;
  return a.name.trim().toLowerCase() === b.name.trim().toLowerCase();
}

export function breakGlass(
  state: ChangeState,
  op: Extract<ChangeOperation, { type: 'break-glass' }>,
  ctx: TransitionContext,
): TransitionResult {
  if (state.status !== 'draft' && state.status !== 'submitted') return unreachable(state, op);
  const { policy, now } = ctx;
  const cls = state.fields.class;
  const terms = cls === null ? undefined : policy.classes[cls].breakGlass;
  if (cls !== null && terms === undefined) {
    const allowed = Object.entries(policy.classes)
      .filter(([, c]) => c.breakGlass !== undefined)
      .map(([k]) => k);
    return refuse(
      state,
      op,
      'break-glass-not-allowed',
      `${cls} changes have no break-glass path (${policyCitation(`classes.${cls}`)}); only ${allowed.join(', ') || 'no class'} changes may start before approval.`,
      'Get the approvals, or file the work as an emergency change if it is one.',
    );
  }
  const checked = readyToGo(state, op, ctx);
  if (!checked.ok) return checked.refusal;
  const e = state.status === 'submitted' ? state.review.evaluation : checked.evaluation;
  const glass = e.breakGlass;
  if (glass === null || terms === undefined) return unreachable(state, op);
  if (glass.responders !== undefined && !op.by.roles.some((r) => glass.responders!.includes(r))) {
    return refuse(
      state,
      op,
      'break-glass-responder',
      `${op.by.name} holds ${op.by.roles.map((r) => roleName(policy, r)).join(', ') || 'no role'}; only the responder list (${glass.responders.map((r) => roleName(policy, r)).join(', ')}; policy classes.${e.class}.breakGlass.responders) may carry out an emergency change under break-glass.`,
      'Call a responder on the list to carry out the emergency work.',
    );
  }
  const notListed = breakGlassApproverProblem(op.approver, glass.approverRoles, policy, e.class);
  if (notListed !== null) return refuse(state, op, 'break-glass-approver', notListed.text, notListed.hint);
  if (!glass.approverRoles.includes(op.approver.role)) {
    return refuse(
      state,
      op,
      'break-glass-approver',
      `${op.approver.name} approved as ${roleName(policy, op.approver.role)}, but break-glass needs ${glass.approverRoles.map((r) => roleName(policy, r)).join(', ')} (${policyCitation(`classes.${e.class}.breakGlass.approverRoles`)}).`,
      'Reach one of the named approvers (in person, by phone or by radio) and record their approval.',
    );
  }
  if (samePerson(op.approver, state.requester) || samePerson(op.approver, op.by)) {
    return refuse(
      state,
      op,
      'segregation-of-duties',
      `${op.approver.name} cannot give the break-glass approval for their own change or their own work.`,
      'Another person must approve the emergency work.',
    );
  }
  if (!(BREAK_GLASS_METHODS as readonly string[]).includes(op.method)) {
    return refuse(
      state,
      op,
      'break-glass-approver',
      `"${String(op.method)}" is not a way to give a break-glass approval; it is ${BREAK_GLASS_METHODS.join(', ')}.`,
      'Record how the approval was given.',
    );
  }
  if (blank(op.reason))
    return refuse(
      state,
      op,
      'reason-required',
      'break-glass needs the reason for the emergency.',
      'Describe the emergency (what failed, what is at stake).',
    );
  const witness = witnessCheck(state, op, e, op.witness);
  if (witness !== null) return witness;
  const period = checkPeriod(state, op, ctx, e, { start: now, end: now }, op.overrides ?? [], []);
  if (!period.ok) return period.refusal;
  const review: Review = state.status === 'submitted' ? state.review : { submittedAt: now.toISOString(), evaluation: e, approvals: [] };
  const { id, requester, createdAt, fields } = state;
  return {
    ok: true,
    next: {
      id,
      ...numbered(state),
      requester,
      createdAt,
      fields,
      review,
      approvedAt: null,
      conditions: [],
      slot: null,
      status: 'in-execution',
      execution: {
        startedAt: now.toISOString(),
        executor: ref(op.by),
        witness: op.witness === undefined || op.witness.id === op.by.id ? null : ref(op.witness),
        stagingRecord: null,
        overrides: period.used,
        breakGlass: {
          approver: { id: op.approver.id ?? null, name: op.approver.name.trim(), role: op.approver.role },
          method: op.method,
          reason: op.reason.trim(),
          approverSignedAt: op.approverSigned === true ? now.toISOString() : null,
          at: now.toISOString(),
          recordedBy: ref(op.by),
        },
        retrospective: {
          dueAt: new Date(now.getTime() + glass.retrospectiveWithinMinutes * 60_000).toISOString(),
          requirements: glass.retrospectiveApprovals,
          reviews: [],
          completedAt: null,
        },
      },
    },
  };
}
