/**
 * Transitions before the work: editing and submitting a request, withdrawing it, approving (with or without
 * conditions), rejecting and deferring it; who may sign which (segregation of duties, roles, quorum, diff review).
 */
import { countApprovals, wouldCount, type ApprovalRecord } from './approval-progress.ts';
import { evaluateRequest, type ChangeEvaluation } from './change-evaluation.ts';
import { ChangeRequestFieldsSchema, describeFields } from './change-request.ts';
import { changeName, type ChangeOperation, type ChangeState, type Review } from './change-state.ts';
import { approvalTimeoutStatus } from './change-deadlines.ts';
import { groupName, roleName, type Policy } from './policy-schema.ts';
import { formatLocal } from './time-zone.ts';
import { type TransitionContext, type TransitionResult, numbered, refuse, ref, blank, unreachable } from './transition-rules.ts';
import { policyCitation } from './policy-citation.ts';
import { reviewStepBlock } from './safety-review.ts';

function requesterOnly(state: ChangeState, op: ChangeOperation): TransitionResult | null {
  if (op.by.id === state.requester.id) return null;
  return refuse(
    state,
    op,
    'requester-only',
    `only the requester (${state.requester.name}) can ${op.type} ${changeName(state)}; ${op.by.name} is not the requester.`,
    'Ask the requester, or file your own change.',
  );
}

export function edit(state: ChangeState, op: Extract<ChangeOperation, { type: 'edit' }>): TransitionResult {
  if (state.status !== 'draft' && state.status !== 'deferred') return unreachable(state, op);
  const notRequester = requesterOnly(state, op);
  if (notRequester !== null) return notRequester;
  const parsed = ChangeRequestFieldsSchema.safeParse({ ...state.fields, ...op.fields });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(
      state,
      op,
      'invalid-fields',
      `${issue?.path.join('.') ?? 'a field'}: ${issue?.message ?? 'invalid'}.`,
      'Correct the field and save again.',
    );
  }
  const { review: _review, decision: _decision, ...common } = state.status === 'deferred' ? state : { ...state, decision: null };
  return { ok: true, next: { ...common, fields: parsed.data, status: 'draft', review: null } };
}

export function submit(state: ChangeState, op: Extract<ChangeOperation, { type: 'submit' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'draft' && state.status !== 'deferred') return unreachable(state, op);
  const notRequester = requesterOnly(state, op);
  if (notRequester !== null) return notRequester;
  const checked = readyToGo(state, op, ctx);
  if (!checked.ok) return checked.refusal;
  const evaluation = checked.evaluation;
  const requested = state.fields.requestedWindow;
  if (requested !== null && Date.parse(requested.start) < Date.parse(evaluation.earliestStart)) {
    return refuse(
      state,
      op,
      'notice',
      `${evaluation.notice.reasons.join('; ')}. The requested window starts ${formatLocal(Date.parse(requested.start), ctx.policy.plant.timeZone)}, ` +
        `before the earliest allowed start ${formatLocal(Date.parse(evaluation.earliestStart), ctx.policy.plant.timeZone)}.`,
      'Request a later window (or, for a real emergency, use the emergency class).',
      { earliestStart: evaluation.earliestStart },
    );
  }
  const { review: _review, decision: _decision, ...common } = state.status === 'deferred' ? state : { ...state, decision: null };
  return { ok: true, next: { ...common, status: 'submitted', review: { submittedAt: ctx.now.toISOString(), evaluation, approvals: [] } } };
}

/** Class chosen, required fields present, no policy blockers: the evaluation a submit or break-glass freezes. */
export function readyToGo(
  state: ChangeState,
  op: ChangeOperation,
  ctx: TransitionContext,
): { ok: true; evaluation: ChangeEvaluation } | { ok: false; refusal: TransitionResult } {
  const r = evaluateRequest(ctx.policy, state.fields, ctx.plant, ctx.now);
  if (r.classMissing || r.evaluation === null) {
    return {
      ok: false,
      refusal: refuse(
        state,
        op,
        'class-required',
        `${changeName(state)} has no change class; the class decides approvals, notice and required fields.`,
        'Choose standard, normal, emergency or safety-critical.',
      ),
    };
  }
  const cls = r.evaluation.class;
  if (r.missingFields.length > 0) {
    return {
      ok: false,
      refusal: refuse(
        state,
        op,
        'required-fields',
        `${cls} changes need the ${describeFields(r.missingFields)} before they go ahead; ${changeName(state)} lacks ${r.missingFields.length === 1 ? 'it' : 'them'} (${policyCitation(`classes.${cls}.requiredFields`)}).`,
        'Fill in the listed fields and try again.',
        { missingFields: r.missingFields },
      ),
    };
  }
  if (r.evaluation.blockers.length > 0) {
    return {
      ok: false,
      refusal: refuse(
        state,
        op,
        'policy-blockers',
        r.evaluation.blockers.join(' '),
        'Change the request as the policy says and try again.',
        { blockers: r.evaluation.blockers },
      ),
    };
  }
  return { ok: true, evaluation: r.evaluation };
}

export function withdraw(state: ChangeState, op: Extract<ChangeOperation, { type: 'withdraw' }>, ctx: TransitionContext): TransitionResult {
  if (
    state.status !== 'draft' &&
    state.status !== 'submitted' &&
    state.status !== 'deferred' &&
    state.status !== 'approved' &&
    state.status !== 'scheduled'
  ) {
    return unreachable(state, op);
  }
  const notRequester = requesterOnly(state, op);
  if (notRequester !== null) return notRequester;
  if (blank(op.reason))
    return refuse(state, op, 'reason-required', 'a withdrawal needs a reason for the record.', 'Say why the change is withdrawn.');
  const { id, requester, createdAt, fields, review } = state;
  return {
    ok: true,
    next: {
      id,
      ...numbered(state),
      requester,
      createdAt,
      fields,
      review,
      status: 'withdrawn',
      withdrawal: { by: ref(op.by), at: ctx.now.toISOString(), reason: op.reason.trim(), from: state.status },
    },
  };
}

/** Checks who signs as which role: not the requester, a role they hold, a role this change's approvals include. */
export function signerChecks(
  state: ChangeState,
  op: ChangeOperation & { role: string },
  policy: Policy,
  requirements: ChangeEvaluation['approvals'],
  what: string,
  escalationRoles: readonly string[] = [],
): TransitionResult | null {
  if (op.by.id === state.requester.id) {
    return refuse(
      state,
      op,
      'segregation-of-duties',
      `${op.by.name} filed ${changeName(state)} and cannot ${what} it; nobody ${what}s their own change.`,
      'Ask another approver to sign.',
    );
  }
  if (!op.by.roles.includes(op.role)) {
    return refuse(
      state,
      op,
      'role-not-held',
      `${op.by.name} does not hold the role ${roleName(policy, op.role)} (their roles: ${op.by.roles.map((r) => roleName(policy, r)).join(', ') || 'none'}).`,
      'Sign as a role your certificate carries.',
    );
  }
  if (!requirements.some((r) => r.roles.includes(op.role)) && !escalationRoles.includes(op.role)) {
    const needs = requirements
      .map(
        (r) =>
          `${r.name} (${r.quorum} of ${r.roles.map((x) => roleName(policy, x)).join(', ')}${r.accountable?.length ? `, including ${r.accountable.map((x) => roleName(policy, x)).join(' and ')}` : ''})`,
      )
      .join('; ');
    return refuse(
      state,
      op,
      'not-an-approver',
      `${changeName(state)} needs no approval from the role ${roleName(policy, op.role)}; it needs: ${needs}.`,
      'Only the roles the policy names for this change can sign it.',
    );
  }
  return null;
}

export function approve(
  state: ChangeState,
  op: Extract<ChangeOperation, { type: 'approve' | 'approve-with-conditions' }>,
  ctx: TransitionContext,
  conditions: readonly string[],
): TransitionResult {
  if (state.status !== 'submitted') return unreachable(state, op);
  const { policy, now } = ctx;
  const e = state.review.evaluation;
  const escalateTo = e.approvalTimeout.escalateTo;
  const signer = signerChecks(state, op, policy, e.approvals, 'approve', escalateTo);
  if (signer !== null) return signer;
  const earlier = state.review.approvals.find((a) => a.by.id === op.by.id);
  if (earlier !== undefined) {
    return refuse(
      state,
      op,
      'approve-twice',
      `${op.by.name} already approved ${changeName(state)} (as ${roleName(policy, earlier.role)}, ${formatLocal(Date.parse(earlier.at), policy.plant.timeZone)}); a person approves a change once.`,
      'Another approver must give the missing approvals.',
    );
  }
  const label = (r: string): string => roleName(policy, r);
  const progress = countApprovals(e.approvals, state.review.approvals, e.dualControl.required, label);
  // An escalation approver (the class's approvalTimeout.escalateTo) stands in for one missing approval, and only
  // once the timeout has passed: the change guide's backup approver, never an automatic bypass.
  let inPlaceOf: string | undefined;
  if (wouldCount(progress, op.role).length === 0 && escalateTo.includes(op.role)) {
    const timeout = approvalTimeoutStatus(state, now);
    const open = progress.requirements.find((p) => !p.satisfied);
    if (timeout.status !== 'escalated') {
      const at = timeout.status === 'waiting' ? formatLocal(Date.parse(timeout.dueAt), policy.plant.timeZone) : '?';
      return refuse(
        state,
        op,
        'not-yet-escalated',
        `approvals of ${changeName(state)} escalate to ${escalateTo.map(label).join(' or ')} only at ${at} (policy: approval timeout); until then ${open ? `${groupName(policy, open.requirement.group)} needs ${open.missing}` : 'the named approvers sign'}.`,
        'Wait for the timeout, or ask the approvers the policy names.',
      );
    }
    if (open !== undefined) {
      const free = progress.requirements.find((p) => !p.satisfied && !p.counted.some((c) => c.inPlaceOf !== undefined));
      if (free === undefined) {
        return refuse(
          state,
          op,
          'approval-does-not-count',
          `an escalation approver already stands in for a missing approval of ${groupName(policy, open.requirement.group)} on ${changeName(state)}; an escalation replaces one approver, not a quorum.`,
          `The remaining approvals must come from the roles listed: ${open.missing}.`,
        );
      }
      inPlaceOf = free.requirement.group;
    }
  }
  const outOfOrder = inPlaceOf === undefined ? reviewStepBlock(e, progress, op.role, label) : null;
  if (outOfOrder !== null) return refuse(state, op, 'review-order', outOfOrder.text, outOfOrder.hint);
  if (inPlaceOf === undefined && wouldCount(progress, op.role).length === 0) {
    const relevant = progress.requirements.filter((p) => p.requirement.roles.includes(op.role));
    const why = relevant
      .map((p) => {
        if (p.satisfied) return `${p.requirement.name} is already met`;
        const same = p.counted.find((c) => c.role === op.role);
        const accountable = (p.requirement.accountable ?? []).filter((r) => !p.counted.some((c) => c.role === r));
        if (same === undefined && accountable.length > 0) {
          return `${p.requirement.name} still needs its accountable ${accountable.map(label).join(' and ')}, which leave${accountable.length === 1 ? 's' : ''} no place in its quorum for ${label(op.role)}`;
        }
        return `${p.requirement.name} already has an approval as ${label(op.role)} (${same?.by.name ?? '?'}) and its quorum needs different roles: still ${p.missing}`;
      })
      .join('; ');
    return refuse(
      state,
      op,
      'approval-does-not-count',
      `an approval as ${label(op.role)} would not count toward any approval ${changeName(state)} still needs: ${why || 'every approval is already given'}.`,
      'The remaining approvals must come from the roles listed.',
    );
  }
  if (e.diffReview.required && op.diffReviewed !== true) {
    return refuse(
      state,
      op,
      'diff-review-required',
      `${e.diffReview.reasons.join('; ')}: confirm that you reviewed the proposed diff before approving.`,
      'Open the proposed diff, review it, and approve again confirming the review.',
    );
  }
  const cleaned = conditions.map((c) => c.trim()).filter((c) => c !== '');
  if (op.type === 'approve-with-conditions' && cleaned.length === 0) {
    return refuse(
      state,
      op,
      'conditions-required',
      'an approval with conditions needs at least one condition.',
      'Write the conditions, or approve without conditions.',
    );
  }
  const record: ApprovalRecord = {
    by: ref(op.by),
    role: op.role,
    meaning: op.type === 'approve' ? 'approved' : 'approved-with-conditions',
    at: now.toISOString(),
    comment: op.comment?.trim() ?? '',
    conditions: cleaned,
    diffReviewed: op.diffReviewed === true,
    ...(inPlaceOf !== undefined ? { inPlaceOf } : {}),
  };
  const review: Review = { ...state.review, approvals: [...state.review.approvals, record] };
  const after = countApprovals(e.approvals, review.approvals, e.dualControl.required);
  if (!after.complete) return { ok: true, next: { ...state, review } };
  return {
    ok: true,
    next: {
      ...state,
      review,
      status: 'approved',
      approvedAt: now.toISOString(),
      conditions: review.approvals.flatMap((a) => a.conditions),
    },
  };
}

export function decide(
  state: ChangeState,
  op: Extract<ChangeOperation, { type: 'reject' | 'defer' }>,
  ctx: TransitionContext,
): TransitionResult {
  if (state.status !== 'submitted') return unreachable(state, op);
  const signer = signerChecks(state, op, ctx.policy, state.review.evaluation.approvals, op.type);
  if (signer !== null) return signer;
  if (blank(op.reason)) {
    return refuse(
      state,
      op,
      'reason-required',
      `a ${op.type === 'reject' ? 'rejection' : 'deferral'} needs a reason the requester can act on.`,
      'Write the reason and sign again.',
    );
  }
  const decision = { by: ref(op.by), role: op.role, at: ctx.now.toISOString(), reason: op.reason.trim() };
  const status = op.type === 'reject' ? ('rejected' as const) : ('deferred' as const);
  return { ok: true, next: { ...state, status, decision } };
}
