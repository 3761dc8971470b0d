/**
 * The one place a change request moves between states (ARCHITECTURE §6, CONVENTIONS 8). `transition` takes a
 * state, an operation and the context (now, the policy in force, the plant facts) and returns the next state or
 * a refusal whose message starts with the rule it breaks ("Segregation of duties: ..."). It is pure: the
 * changes service records the operation as a journal event only when this function allows it.
 *
 * Which operations each state allows at all is the table ALLOWED_OPERATIONS; every other pair is refused as an
 * illegal transition. Inside an allowed pair the rules are: the requester alone edits, submits and withdraws;
 * required fields per class at submit and break-glass; nobody approves, reviews or overrides their own change;
 * a person approves once, as a role they hold, and only where it counts toward an unmet quorum; diff review
 * where the policy requires it; notice, windows and blackouts at scheduling and at the start (an override needs
 * the signature of a role the policy names); dual control needs a second, different person; staging evidence
 * where required; conditions confirmed before the start; break-glass only for classes the policy allows it.
 */
import { assertNever } from '../assert-never.ts';
import type { ErrorData } from '../errors.ts';
import { countApprovals, wouldCount, type ApprovalRecord } from './approval-progress.ts';
import { evaluateRequest, type ChangeEvaluation, type PlantFacts } from './change-evaluation.ts';
import { ChangeRequestFieldsSchema, describeFields } from './change-request.ts';
import {
  BREAK_GLASS_METHODS, approvalTimeoutStatus, changeName, unexplainedRows, type ChangeOperation, type Execution, type ExplanationRecord, type ChangeOperationType, type ChangeState, type ChangeStatus, type OverrideRecord,
  type OverrideSignature, type Review, type SnapshotRecord, type WindowDecisionRecord,
} from './change-state.ts';
import { slotProblems, type SlotProblem } from './change-windows.ts';
import { checkpointProgress, type CheckpointRecord, type CheckpointSet } from './checkpoints.ts';
import { groupName, roleName, type Policy } from './policy-schema.ts';
import { formatLocal } from './time-zone.ts';
import type { Participant, PersonRef } from './workflow-terms.ts';
import { policyCitation } from './policy-citation.ts';

/** What a transition needs besides the state and the operation. */
export interface TransitionContext {
  now: Date;
  /** The policy in force now (submit freezes its requirements into the change). */
  policy: Policy;
  /** The plant model's facts about the change (lines and tiers, safety tags touched); read at submit and break-glass. */
  plant: PlantFacts;
  /** The go/no-go checkpoints of an execution, with their checklists. */
  checkpoints: CheckpointSet;
  /** Controller names by id, for messages (ids are shown when a name is missing). */
  controllerNames?: Readonly<Record<string, string>>;
}

/** The rules a refusal can name. */
export type RefusalRule =
  | 'illegal-transition' | 'requester-only' | 'segregation-of-duties' | 'approve-twice' | 'role-not-held' | 'not-an-approver'
  | 'approval-does-not-count' | 'diff-review-required' | 'reason-required' | 'conditions-required' | 'class-required'
  | 'required-fields' | 'policy-blockers' | 'invalid-fields' | 'notice' | 'slot-invalid' | 'outside-window' | 'blackout'
  | 'override-invalid' | 'outside-slot' | 'dual-control' | 'conditions-unconfirmed' | 'staging-required'
  | 'break-glass-not-allowed' | 'break-glass-approver' | 'no-retrospective-due' | 'retrospective-done' | 'not-yet-escalated'
  | 'checkpoint-order' | 'checklist-incomplete' | 'checkpoints-open' | 'snapshot-invalid' | 'snapshot-order' | 'snapshots-missing'
  | 'unexplained-differences' | 'explanation-invalid' | 'break-glass-responder' | 'window-open' | 'window-decided' | 'no-window';

/** The outcome of a transition: the next state, or a refusal naming the rule. */
export type TransitionResult =
  | { ok: true; next: ChangeState }
  | { ok: false; rule: RefusalRule; error: ErrorData };

const RULE_TITLES: Readonly<Record<RefusalRule, string>> = {
  'illegal-transition': 'Illegal transition',
  'requester-only': 'Requester only',
  'segregation-of-duties': 'Segregation of duties',
  'approve-twice': 'Approving twice',
  'role-not-held': 'Role not held',
  'not-an-approver': 'Not an approver for this change',
  'approval-does-not-count': 'Quorum',
  'diff-review-required': 'Diff review required',
  'reason-required': 'Reason required',
  'conditions-required': 'Conditions required',
  'class-required': 'Change class required',
  'required-fields': 'Required fields',
  'policy-blockers': 'Policy',
  'invalid-fields': 'Invalid fields',
  notice: 'Notice period',
  'slot-invalid': 'Invalid slot',
  'outside-window': 'Change window',
  blackout: 'Blackout',
  'override-invalid': 'Invalid override',
  'outside-slot': 'Outside the scheduled slot',
  'dual-control': 'Dual control',
  'conditions-unconfirmed': 'Conditions not confirmed',
  'staging-required': 'Staging required',
  'break-glass-not-allowed': 'No break-glass path',
  'not-yet-escalated': 'Not escalated yet',
  'checkpoint-order': 'Checkpoint order',
  'checklist-incomplete': 'Checklist incomplete',
  'checkpoints-open': 'Checkpoints open',
  'snapshot-invalid': 'Snapshot not for this change',
  'snapshot-order': 'Snapshot order',
  'snapshots-missing': 'Snapshots missing',
  'break-glass-approver': 'Break-glass approver',
  'unexplained-differences': 'Unexplained differences',
  'explanation-invalid': 'Explanation not accepted',
  'break-glass-responder': 'Not on the responder list',
  'window-open': 'Change window still open',
  'window-decided': 'Window decision already taken',
  'no-window': 'No change window',
  'no-retrospective-due': 'No retrospective review due',
  'retrospective-done': 'Retrospective review complete',
};

/** Which operations each state allows at all; every other pair is an illegal transition. */
export const ALLOWED_OPERATIONS: Readonly<Record<ChangeStatus, readonly ChangeOperationType[]>> = {
  draft: ['edit', 'submit', 'withdraw', 'break-glass'],
  submitted: ['withdraw', 'approve', 'approve-with-conditions', 'reject', 'defer', 'break-glass'],
  approved: ['withdraw', 'schedule'],
  rejected: [],
  deferred: ['edit', 'submit', 'withdraw'],
  withdrawn: [],
  scheduled: ['withdraw', 'schedule', 'start-execution'],
  'in-execution': ['record-snapshot', 'checkpoint', 'explain', 'window-decision', 'rollback', 'close', 'retrospective-review'],
  'rolled-back': ['close', 'retrospective-review'],
  closed: ['retrospective-review'],
};

const STATUS_NOTES: Readonly<Record<ChangeStatus, string>> = {
  draft: 'It is still a draft: submit it for approval first.',
  submitted: 'It is waiting for approvals.',
  approved: 'It is approved: schedule it in a change window, or withdraw it.',
  rejected: 'A rejected change is final: file a new change to try again.',
  deferred: 'The decision on it was deferred: edit it, resubmit it or withdraw it.',
  withdrawn: 'A withdrawn change is final: file a new change.',
  scheduled: 'It is scheduled: start it inside its slot, reschedule it or withdraw it.',
  'in-execution': 'It is being executed: sign its checkpoints, roll it back, or close it after the last checkpoint.',
  'rolled-back': 'It was rolled back: close it.',
  closed: 'A closed change is final.',
};

const OPERATION_PAST: Readonly<Record<ChangeOperationType, string>> = {
  edit: 'edited', submit: 'submitted', withdraw: 'withdrawn', approve: 'approved', 'approve-with-conditions': 'approved with conditions',
  reject: 'rejected', defer: 'deferred', schedule: 'scheduled', 'break-glass': 'started under break-glass', 'start-execution': 'started',
  'record-snapshot': 'given a snapshot', checkpoint: 'given a checkpoint decision', explain: 'given explanations of its after-diff', 'window-decision': 'given a decision at the end of its window', rollback: 'rolled back', close: 'closed', 'retrospective-review': 'given a retrospective review',
};

/** The operations a state allows at all (the buttons the UI offers; rules may still refuse). */
export function allowedOperations(state: ChangeState): readonly ChangeOperationType[] {
  return ALLOWED_OPERATIONS[state.status];
}

/** The change's number, kept by every state built afresh from the fields it carries over. */
function numbered(state: ChangeState): { number?: string } {
  return state.number === undefined ? {} : { number: state.number };
}

function refuse(state: ChangeState, op: ChangeOperation, rule: RefusalRule, text: string, hint: string, details: Record<string, unknown> = {}): TransitionResult {
  return {
    ok: false,
    rule,
    error: {
      code: `change-${rule}`,
      message: `${RULE_TITLES[rule]}: ${text}`,
      hint,
      details: { rule, changeId: state.id, status: state.status, operation: op.type, ...details },
    },
  };
}

const ref = (p: PersonRef): PersonRef => ({ id: p.id, name: p.name });
const blank = (s: string | undefined): boolean => s === undefined || s.trim() === '';

/** Decides one operation on a change. */
export function transition(state: ChangeState, op: ChangeOperation, ctx: TransitionContext): TransitionResult {
  if (!ALLOWED_OPERATIONS[state.status].includes(op.type)) {
    const possible = ALLOWED_OPERATIONS[state.status];
    return refuse(state, op, 'illegal-transition',
      `${changeName(state)} is ${state.status.replace('-', ' ')}, so it cannot be ${OPERATION_PAST[op.type]}. ${STATUS_NOTES[state.status]}`,
      possible.length === 0 ? 'Nothing more can be done with this change.' : `Possible now: ${possible.map((o) => o.replace(/-/g, ' ')).join(', ')}.`);
  }
  switch (op.type) {
    case 'edit': return edit(state, op);
    case 'submit': return submit(state, op, ctx);
    case 'withdraw': return withdraw(state, op, ctx);
    case 'approve': return approve(state, op, ctx, []);
    case 'approve-with-conditions': return approve(state, op, ctx, op.conditions);
    case 'reject': return decide(state, op, ctx);
    case 'defer': return decide(state, op, ctx);
    case 'schedule': return schedule(state, op, ctx);
    case 'break-glass': return breakGlass(state, op, ctx);
    case 'start-execution': return startExecution(state, op, ctx);
    case 'record-snapshot': return recordSnapshot(state, op, ctx);
    case 'checkpoint': return checkpoint(state, op, ctx);
    case 'explain': return explain(state, op, ctx);
    case 'window-decision': return windowDecision(state, op, ctx);
    case 'rollback': return rollback(state, op, ctx);
    case 'close': return close(state, op, ctx);
    case 'retrospective-review': return retrospectiveReview(state, op, ctx);
    default: return assertNever(op, 'change operation');
  }
}

function requesterOnly(state: ChangeState, op: ChangeOperation): TransitionResult | null {
  if (op.by.id === state.requester.id) return null;
  return refuse(state, op, 'requester-only',
    `only the requester (${state.requester.name}) can ${op.type} ${changeName(state)}; ${op.by.name} is not the requester.`,
    'Ask the requester, or file your own change.');
}

function edit(state: ChangeState, op: Extract<ChangeOperation, { type: 'edit' }>): TransitionResult {
  if (state.status !== 'draft' && state.status !== 'deferred') return unreachable(state, op);
  const notRequester = requesterOnly(state, op);
  if (notRequester !== null) return notRequester;
  const parsed = ChangeRequestFieldsSchema.safeParse({ ...state.fields, ...op.fields });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(state, op, 'invalid-fields', `${issue?.path.join('.') ?? 'a field'}: ${issue?.message ?? 'invalid'}.`, 'Correct the field and save again.');
  }
  const { review: _review, decision: _decision, ...common } = state.status === 'deferred' ? state : { ...state, decision: null };
  return { ok: true, next: { ...common, fields: parsed.data, status: 'draft', review: null } };
}

function submit(state: ChangeState, op: Extract<ChangeOperation, { type: 'submit' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'draft' && state.status !== 'deferred') return unreachable(state, op);
  const notRequester = requesterOnly(state, op);
  if (notRequester !== null) return notRequester;
  const checked = readyToGo(state, op, ctx);
  if (!checked.ok) return checked.refusal;
  const evaluation = checked.evaluation;
  const requested = state.fields.requestedWindow;
  if (requested !== null && Date.parse(requested.start) < Date.parse(evaluation.earliestStart)) {
    return refuse(state, op, 'notice',
      `${evaluation.notice.reasons.join('; ')}. The requested window starts ${formatLocal(Date.parse(requested.start), ctx.policy.plant.timeZone)}, `
      + `before the earliest allowed start ${formatLocal(Date.parse(evaluation.earliestStart), ctx.policy.plant.timeZone)}.`,
      'Request a later window (or, for a real emergency, use the emergency class).', { earliestStart: evaluation.earliestStart });
  }
  const { review: _review, decision: _decision, ...common } = state.status === 'deferred' ? state : { ...state, decision: null };
  return { ok: true, next: { ...common, status: 'submitted', review: { submittedAt: ctx.now.toISOString(), evaluation, approvals: [] } } };
}

/** Class chosen, required fields present, no policy blockers: the evaluation a submit or break-glass freezes. */
function readyToGo(state: ChangeState, op: ChangeOperation, ctx: TransitionContext): { ok: true; evaluation: ChangeEvaluation } | { ok: false; refusal: TransitionResult } {
  const r = evaluateRequest(ctx.policy, state.fields, ctx.plant, ctx.now);
  if (r.classMissing || r.evaluation === null) {
    return { ok: false, refusal: refuse(state, op, 'class-required', `${changeName(state)} has no change class; the class decides approvals, notice and required fields.`, 'Choose standard, normal, emergency or safety-critical.') };
  }
  const cls = r.evaluation.class;
  if (r.missingFields.length > 0) {
    return {
      ok: false,
      refusal: refuse(state, op, 'required-fields',
        `${cls} changes need the ${describeFields(r.missingFields)} before they go ahead; ${changeName(state)} lacks ${r.missingFields.length === 1 ? 'it' : 'them'} (${policyCitation(`classes.${cls}.requiredFields`)}).`,
        'Fill in the listed fields and try again.', { missingFields: r.missingFields }),
    };
  }
  if (r.evaluation.blockers.length > 0) {
    return { ok: false, refusal: refuse(state, op, 'policy-blockers', r.evaluation.blockers.join(' '), 'Change the request as the policy says and try again.', { blockers: r.evaluation.blockers }) };
  }
  return { ok: true, evaluation: r.evaluation };
}

function withdraw(state: ChangeState, op: Extract<ChangeOperation, { type: 'withdraw' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'draft' && state.status !== 'submitted' && state.status !== 'deferred' && state.status !== 'approved' && state.status !== 'scheduled') {
    return unreachable(state, op);
  }
  const notRequester = requesterOnly(state, op);
  if (notRequester !== null) return notRequester;
  if (blank(op.reason)) return refuse(state, op, 'reason-required', 'a withdrawal needs a reason for the record.', 'Say why the change is withdrawn.');
  const { id, requester, createdAt, fields, review } = state;
  return {
    ok: true,
    next: { id, ...numbered(state), requester, createdAt, fields, review, status: 'withdrawn', withdrawal: { by: ref(op.by), at: ctx.now.toISOString(), reason: op.reason.trim(), from: state.status } },
  };
}

/** Checks who signs as which role: not the requester, a role they hold, a role this change's approvals include. */
function signerChecks(
  state: ChangeState, op: ChangeOperation & { role: string }, policy: Policy, requirements: ChangeEvaluation['approvals'], what: string,
  escalationRoles: readonly string[] = [],
): TransitionResult | null {
  if (op.by.id === state.requester.id) {
    return refuse(state, op, 'segregation-of-duties', `${op.by.name} filed ${changeName(state)} and cannot ${what} it; nobody ${what}s their own change.`,
      'Ask another approver to sign.');
  }
  if (!op.by.roles.includes(op.role)) {
    return refuse(state, op, 'role-not-held', `${op.by.name} does not hold the role ${roleName(policy, op.role)} (their roles: ${op.by.roles.map((r) => roleName(policy, r)).join(', ') || 'none'}).`,
      'Sign as a role your certificate carries.');
  }
  if (!requirements.some((r) => r.roles.includes(op.role)) && !escalationRoles.includes(op.role)) {
    const needs = requirements.map((r) => `${r.name} (${r.quorum} of ${r.roles.map((x) => roleName(policy, x)).join(', ')})`).join('; ');
    return refuse(state, op, 'not-an-approver', `${changeName(state)} needs no approval from the role ${roleName(policy, op.role)}; it needs: ${needs}.`,
      'Only the roles the policy names for this change can sign it.');
  }
  return null;
}

function approve(
  state: ChangeState, op: Extract<ChangeOperation, { type: 'approve' | 'approve-with-conditions' }>, ctx: TransitionContext, conditions: readonly string[],
): TransitionResult {
  if (state.status !== 'submitted') return unreachable(state, op);
  const { policy, now } = ctx;
  const e = state.review.evaluation;
  const escalateTo = e.approvalTimeout.escalateTo;
  const signer = signerChecks(state, op, policy, e.approvals, 'approve', escalateTo);
  if (signer !== null) return signer;
  const earlier = state.review.approvals.find((a) => a.by.id === op.by.id);
  if (earlier !== undefined) {
    return refuse(state, op, 'approve-twice',
      `${op.by.name} already approved ${changeName(state)} (as ${roleName(policy, earlier.role)}, ${formatLocal(Date.parse(earlier.at), policy.plant.timeZone)}); a person approves a change once.`,
      'Another approver must give the missing approvals.');
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
      return refuse(state, op, 'not-yet-escalated',
        `approvals of ${changeName(state)} escalate to ${escalateTo.map(label).join(' or ')} only at ${at} (policy: approval timeout); until then ${open ? `${groupName(policy, open.requirement.group)} needs ${open.missing}` : 'the named approvers sign'}.`,
        'Wait for the timeout, or ask the approvers the policy names.');
    }
    if (open !== undefined) {
      const free = progress.requirements.find((p) => !p.satisfied && !p.counted.some((c) => c.inPlaceOf !== undefined));
      if (free === undefined) {
        return refuse(state, op, 'approval-does-not-count', `an escalation approver already stands in for a missing approval of ${groupName(policy, open.requirement.group)} on ${changeName(state)}; an escalation replaces one approver, not a quorum.`,
          `The remaining approvals must come from the roles listed: ${open.missing}.`);
      }
      inPlaceOf = free.requirement.group;
    }
  }
  if (inPlaceOf === undefined && wouldCount(progress, op.role).length === 0) {
    const relevant = progress.requirements.filter((p) => p.requirement.roles.includes(op.role));
    const why = relevant.map((p) => {
      if (p.satisfied) return `${p.requirement.name} is already met`;
      const same = p.counted.find((c) => c.role === op.role);
      return `${p.requirement.name} already has an approval as ${label(op.role)} (${same?.by.name ?? '?'}) and its quorum needs different roles: still ${p.missing}`;
    }).join('; ');
    return refuse(state, op, 'approval-does-not-count', `an approval as ${label(op.role)} would not count toward any approval ${changeName(state)} still needs: ${why || 'every approval is already given'}.`,
      'The remaining approvals must come from the roles listed.');
  }
  if (e.diffReview.required && op.diffReviewed !== true) {
    return refuse(state, op, 'diff-review-required', `${e.diffReview.reasons.join('; ')}: confirm that you reviewed the proposed diff before approving.`,
      'Open the proposed diff, review it, and approve again confirming the review.');
  }
  const cleaned = conditions.map((c) => c.trim()).filter((c) => c !== '');
  if (op.type === 'approve-with-conditions' && cleaned.length === 0) {
    return refuse(state, op, 'conditions-required', 'an approval with conditions needs at least one condition.', 'Write the conditions, or approve without conditions.');
  }
  const record: ApprovalRecord = {
    by: ref(op.by), role: op.role, meaning: op.type === 'approve' ? 'approved' : 'approved-with-conditions', at: now.toISOString(),
    comment: op.comment?.trim() ?? '', conditions: cleaned, diffReviewed: op.diffReviewed === true, ...(inPlaceOf !== undefined ? { inPlaceOf } : {}),
  };
  const review: Review = { ...state.review, approvals: [...state.review.approvals, record] };
  const after = countApprovals(e.approvals, review.approvals, e.dualControl.required);
  if (!after.complete) return { ok: true, next: { ...state, review } };
  return {
    ok: true,
    next: { ...state, review, status: 'approved', approvedAt: now.toISOString(), conditions: review.approvals.flatMap((a) => a.conditions) },
  };
}

function decide(state: ChangeState, op: Extract<ChangeOperation, { type: 'reject' | 'defer' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'submitted') return unreachable(state, op);
  const signer = signerChecks(state, op, ctx.policy, state.review.evaluation.approvals, op.type);
  if (signer !== null) return signer;
  if (blank(op.reason)) {
    return refuse(state, op, 'reason-required', `a ${op.type === 'reject' ? 'rejection' : 'deferral'} needs a reason the requester can act on.`, 'Write the reason and sign again.');
  }
  const decision = { by: ref(op.by), role: op.role, at: ctx.now.toISOString(), reason: op.reason.trim() };
  const status = op.type === 'reject' ? 'rejected' as const : 'deferred' as const;
  return { ok: true, next: { ...state, status, decision } };
}

/**
 * Checks a period against windows and blackouts, letting valid override signatures lift what the policy lets
 * them lift. Returns the overrides used, or a refusal.
 */
function checkPeriod(
  state: ChangeState, op: ChangeOperation, ctx: TransitionContext, evaluation: ChangeEvaluation, period: { start: Date; end: Date },
  signatures: readonly OverrideSignature[], kept: readonly OverrideRecord[],
): { ok: true; used: OverrideRecord[] } | { ok: false; refusal: TransitionResult } {
  const problems = slotProblems(ctx.policy, evaluation.lines, evaluation.class, period);
  const used: OverrideRecord[] = [];
  const unresolved: SlotProblem[] = [];
  for (const problem of problems) {
    const matches = (o: { rule: string; blackout?: string | null }): boolean =>
      o.rule === problem.rule && (problem.rule !== 'blackout' || (o.blackout ?? null) === problem.blackout);
    const previous = kept.find(matches);
    if (previous !== undefined) { used.push(previous); continue; }
    const signature = signatures.find(matches);
    if (signature === undefined || problem.overrideRoles === null) { unresolved.push(problem); continue; }
    const invalid = overrideProblem(state, op, ctx.policy, signature, problem.overrideRoles);
    if (invalid !== null) return { ok: false, refusal: refuse(state, op, 'override-invalid', invalid, 'The override must be signed by another person holding one of the roles the policy names.') };
    used.push({
      by: ref(signature.by), role: signature.role, rule: problem.rule, blackout: problem.rule === 'blackout' ? problem.blackout : null,
      reason: signature.reason.trim(), at: ctx.now.toISOString(),
    });
  }
  const first = unresolved[0];
  if (first === undefined) return { ok: true, used };
  const text = unresolved.map((p) => p.message + (p.overrideRoles === null
    ? (p.rule === 'blackout' ? '; the policy allows no override of this blackout' : '; the policy allows no override of change windows')
    : `; an override needs the signature of ${p.overrideRoles.map((r) => roleName(ctx.policy, r)).join(' or ')}`)).join('. ');
  return { ok: false, refusal: refuse(state, op, first.rule, `${text}.`, 'Choose a time inside a change window and outside blackouts, or get the override signed.', { problems: unresolved }) };
}

function overrideProblem(state: ChangeState, op: ChangeOperation, policy: Policy, s: OverrideSignature, roles: readonly string[]): string | null {
  if (!roles.includes(s.role)) return `${roleName(policy, s.role)} cannot override this ${s.rule === 'blackout' ? 'blackout' : 'window rule'}; the policy names ${roles.map((r) => roleName(policy, r)).join(' or ')}.`;
  if (!s.by.roles.includes(s.role)) return `${s.by.name} does not hold the role ${roleName(policy, s.role)}.`;
  if (s.by.id === state.requester.id || s.by.id === op.by.id) return `${s.by.name} cannot override for their own change or their own work (segregation of duties).`;
  if (blank(s.reason)) return 'an override needs a reason for the record.';
  return null;
}

function schedule(state: ChangeState, op: Extract<ChangeOperation, { type: 'schedule' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'approved' && state.status !== 'scheduled') return unreachable(state, op);
  const start = Date.parse(op.start), end = Date.parse(op.end);
  const zone = ctx.policy.plant.timeZone;
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
    return refuse(state, op, 'slot-invalid', 'the slot needs a start and an end after it.', 'Give the start and end as ISO 8601 times.');
  }
  if (start < ctx.now.getTime()) return refuse(state, op, 'slot-invalid', `the slot starts in the past (${formatLocal(start, zone)}).`, 'Choose a slot that starts later.');
  const e = state.review.evaluation;
  if (start < Date.parse(e.earliestStart)) {
    return refuse(state, op, 'notice', `${e.notice.reasons.join('; ')}. The earliest start is ${formatLocal(Date.parse(e.earliestStart), zone)}; the slot starts ${formatLocal(start, zone)}.`,
      e.firstWindowStart === null ? 'Choose a later slot.' : `The first window after the notice opens ${formatLocal(Date.parse(e.firstWindowStart), zone)}.`,
      { earliestStart: e.earliestStart });
  }
  const checked = checkPeriod(state, op, ctx, e, { start: new Date(start), end: new Date(end) }, op.overrides ?? [], []);
  if (!checked.ok) return checked.refusal;
  const slot = { start: new Date(start).toISOString(), end: new Date(end).toISOString(), by: ref(op.by), at: ctx.now.toISOString(), overrides: checked.used };
  const { review, approvedAt, conditions, id, requester, createdAt, fields } = state;
  return { ok: true, next: { id, ...numbered(state), requester, createdAt, fields, review, approvedAt, conditions, status: 'scheduled', slot } };
}

function witnessCheck(state: ChangeState, op: ChangeOperation, evaluation: ChangeEvaluation, witness: Participant | undefined): TransitionResult | null {
  if (!evaluation.dualControl.required) return null;
  if (witness === undefined) {
    return refuse(state, op, 'dual-control', `${evaluation.dualControl.reasons.join('; ')}: name the second person who witnesses the work.`, 'Add a witness other than the person executing.');
  }
  if (witness.id === op.by.id) {
    return refuse(state, op, 'dual-control', `dual control needs two different people; ${op.by.name} cannot be their own witness.`, 'Add a witness other than the person executing.');
  }
  return null;
}

function startExecution(state: ChangeState, op: Extract<ChangeOperation, { type: 'start-execution' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'scheduled') return unreachable(state, op);
  const now = ctx.now.getTime();
  const zone = ctx.policy.plant.timeZone;
  const slotStart = Date.parse(state.slot.start), slotEnd = Date.parse(state.slot.end);
  if (now < slotStart || now >= slotEnd) {
    return refuse(state, op, 'outside-slot', `${changeName(state)} is scheduled from ${formatLocal(slotStart, zone)} to ${formatLocal(slotEnd, zone)}; it is now ${formatLocal(now, zone)}.`,
      now < slotStart ? 'Wait for the slot to begin, or reschedule.' : 'The slot is over: reschedule the change.');
  }
  const e = state.review.evaluation;
  if (state.conditions.length > 0 && op.conditionsMet !== true) {
    return refuse(state, op, 'conditions-unconfirmed', `${changeName(state)} was approved with conditions (${state.conditions.join('; ')}); confirm they are met before starting.`,
      'Check each condition and start again confirming them.');
  }
  if (e.staging.required && blank(op.stagingRecord)) {
    return refuse(state, op, 'staging-required', `${e.staging.reasons.join('; ')}: the start must refer to the staging validation record.`,
      'Deploy to the staging or simulated controller, record the validation against the test plan, and refer to it.');
  }
  const witness = witnessCheck(state, op, e, op.witness);
  if (witness !== null) return witness;
  const checked = checkPeriod(state, op, ctx, e, { start: ctx.now, end: new Date(slotEnd) }, op.overrides ?? [], state.slot.overrides);
  if (!checked.ok) return checked.refusal;
  const { review, approvedAt, conditions, slot, id, requester, createdAt, fields } = state;
  return {
    ok: true,
    next: {
      id, ...numbered(state), requester, createdAt, fields, review, approvedAt, conditions, slot, status: 'in-execution',
      execution: {
        startedAt: ctx.now.toISOString(), executor: ref(op.by), witness: op.witness === undefined || !e.dualControl.required ? null : ref(op.witness),
        stagingRecord: blank(op.stagingRecord) ? null : (op.stagingRecord ?? '').trim(), overrides: checked.used, breakGlass: null, retrospective: null,
      },
    },
  };
}

function samePerson(a: { id?: string | null; name: string }, b: PersonRef): boolean {
  if (a.id !== undefined && a.id !== null && a.id !== '') return a.id === b.id;
  return a.name.trim().toLowerCase() === b.name.trim().toLowerCase();
}

function breakGlass(state: ChangeState, op: Extract<ChangeOperation, { type: 'break-glass' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'draft' && state.status !== 'submitted') return unreachable(state, op);
  const { policy, now } = ctx;
  const cls = state.fields.class;
  const terms = cls === null ? undefined : policy.classes[cls].breakGlass;
  if (cls !== null && terms === undefined) {
    const allowed = Object.entries(policy.classes).filter(([, c]) => c.breakGlass !== undefined).map(([k]) => k);
    return refuse(state, op, 'break-glass-not-allowed', `${cls} changes have no break-glass path (${policyCitation(`classes.${cls}`)}); only ${allowed.join(', ') || 'no class'} changes may start before approval.`,
      'Get the approvals, or file the work as an emergency change if it is one.');
  }
  const checked = readyToGo(state, op, ctx);
  if (!checked.ok) return checked.refusal;
  const e = state.status === 'submitted' ? state.review.evaluation : checked.evaluation;
  const glass = e.breakGlass;
  if (glass === null || terms === undefined) return unreachable(state, op);
  if (glass.responders !== undefined && !op.by.roles.some((r) => glass.responders!.includes(r))) {
    return refuse(state, op, 'break-glass-responder', `${op.by.name} holds ${op.by.roles.map((r) => roleName(policy, r)).join(', ') || 'no role'}; only the responder list (${glass.responders.map((r) => roleName(policy, r)).join(', ')}; policy classes.${e.class}.breakGlass.responders) may carry out an emergency change under break-glass.`,
      'Call a responder on the list to carry out the emergency work.');
  }
  if (!glass.approverRoles.includes(op.approver.role)) {
    return refuse(state, op, 'break-glass-approver', `${op.approver.name} approved as ${roleName(policy, op.approver.role)}, but break-glass needs ${glass.approverRoles.map((r) => roleName(policy, r)).join(', ')} (${policyCitation(`classes.${e.class}.breakGlass.approverRoles`)}).`,
      'Reach one of the named approvers (in person, by phone or by radio) and record their approval.');
  }
  if (samePerson(op.approver, state.requester) || samePerson(op.approver, op.by)) {
    return refuse(state, op, 'segregation-of-duties', `${op.approver.name} cannot give the break-glass approval for their own change or their own work.`,
      'Another person must approve the emergency work.');
  }
  if (!(BREAK_GLASS_METHODS as readonly string[]).includes(op.method)) {
    return refuse(state, op, 'break-glass-approver', `"${String(op.method)}" is not a way to give a break-glass approval; it is ${BREAK_GLASS_METHODS.join(', ')}.`, 'Record how the approval was given.');
  }
  if (blank(op.reason)) return refuse(state, op, 'reason-required', 'break-glass needs the reason for the emergency.', 'Describe the emergency (what failed, what is at stake).');
  const witness = witnessCheck(state, op, e, op.witness);
  if (witness !== null) return witness;
  const period = checkPeriod(state, op, ctx, e, { start: now, end: now }, op.overrides ?? [], []);
  if (!period.ok) return period.refusal;
  const review: Review = state.status === 'submitted' ? state.review : { submittedAt: now.toISOString(), evaluation: e, approvals: [] };
  const { id, requester, createdAt, fields } = state;
  return {
    ok: true,
    next: {
      id, ...numbered(state), requester, createdAt, fields, review, approvedAt: null, conditions: [], slot: null, status: 'in-execution',
      execution: {
        startedAt: now.toISOString(), executor: ref(op.by), witness: op.witness === undefined || !e.dualControl.required ? null : ref(op.witness),
        stagingRecord: null, overrides: period.used,
        breakGlass: {
          approver: { id: op.approver.id ?? null, name: op.approver.name.trim(), role: op.approver.role }, method: op.method, reason: op.reason.trim(),
          at: now.toISOString(), recordedBy: ref(op.by),
        },
        retrospective: {
          dueAt: new Date(now.getTime() + glass.retrospectiveWithinMinutes * 60_000).toISOString(),
          requirements: glass.retrospectiveApprovals, reviews: [], completedAt: null,
        },
      },
    },
  };
}

function rollback(state: ChangeState, op: Extract<ChangeOperation, { type: 'rollback' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'in-execution') return unreachable(state, op);
  if (blank(op.reason)) return refuse(state, op, 'reason-required', 'a rollback needs a reason for the record.', 'Say what went wrong.');
  return { ok: true, next: { ...state, status: 'rolled-back', rollback: { by: ref(op.by), at: ctx.now.toISOString(), reason: op.reason.trim() } } };
}

/**
 * A go/no-go checkpoint decision, signed by a holder of a checkpoint role who neither filed nor carries out the
 * change: checkpoints in their order, every checklist item confirmed for a decision that lets the work go on.
 */
function checkpoint(state: ChangeState, op: Extract<ChangeOperation, { type: 'checkpoint' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'in-execution') return unreachable(state, op);
  const set = ctx.checkpoints;
  const { policy, now } = ctx;
  const part = op.by.id === state.requester.id ? 'filed' : op.by.id === state.execution.executor.id ? 'carries out' : op.by.id === state.execution.witness?.id ? 'witnesses' : null;
  if (part !== null) {
    return refuse(state, op, 'segregation-of-duties', `${op.by.name} ${part} ${changeName(state)} and cannot sign its checkpoints; nobody go/no-go signs their own change.`,
      `Ask a ${set.signerRoles.map((r) => roleName(policy, r)).join(' or ')} who is not on the change to sign.`);
  }
  if (!set.signerRoles.includes(op.role) || !op.by.roles.includes(op.role)) {
    return refuse(state, op, 'role-not-held', `checkpoint decisions are signed as ${set.signerRoles.map((r) => roleName(policy, r)).join(' or ')}; ${op.by.name} holds ${op.by.roles.map((r) => roleName(policy, r)).join(', ') || 'no role'}${set.signerRoles.includes(op.role) ? '' : ` and signed as ${roleName(policy, op.role)}`}.`,
      'A shift supervisor signs the checkpoints.');
  }
  const records = state.execution.checkpoints ?? [];
  const { next } = checkpointProgress(set, records);
  const target = set.checkpoints.find((c) => c.id === op.checkpoint);
  if (target === undefined || next === null || target.id !== next.id) {
    const asked = target?.name ?? op.checkpoint;
    return refuse(state, op, 'checkpoint-order', next === null
      ? `no checkpoint of ${changeName(state)} is open any more (${asked} was asked for).`
      : `the checkpoint due on ${changeName(state)} is ${next.name}; ${asked} cannot be signed now (checkpoints are signed in order: ${set.checkpoints.map((c) => c.name).join(', ')}).`,
    next === null ? 'Close the change, or roll it back.' : `Sign ${next.name} first.`);
  }
  const decision = target.decisions.find((d) => d.id === op.decision);
  if (decision === undefined) {
    return refuse(state, op, 'checkpoint-order', `${target.name} has no decision "${op.decision}"; its decisions are ${target.decisions.map((d) => d.label).join(', ')}.`, 'Pick one of its decisions.');
  }
  const confirmed = new Set(op.confirmed.map((c) => c.trim()));
  const missing = target.items.filter((i) => !confirmed.has(i));
  if ((decision.effect === 'proceed' || decision.effect === 'close') && missing.length > 0) {
    return refuse(state, op, 'checklist-incomplete', `${decision.label} at ${target.name} needs every item confirmed; not confirmed: ${missing.join('; ')}.`,
      `Confirm them, or decide ${target.decisions.filter((d) => d.effect !== 'proceed' && d.effect !== 'close').map((d) => d.label).join(' or ')}.`);
  }
  const needed = decision.effect === 'proceed' && target.id === set.checkpoints[0]!.id ? 'before' : decision.effect === 'close' ? 'after' : null;
  if (needed !== null) {
    const have = new Set((state.execution.snapshots ?? []).filter((x) => x.phase === needed).map((x) => x.controllerId));
    const lacking = state.fields.targetControllers.filter((c) => !have.has(c));
    if (lacking.length > 0) {
      return refuse(state, op, 'snapshots-missing', `${decision.label} at ${target.name} needs a signed ${needed}-snapshot of every target controller; missing: ${lacking.map((c) => ctx.controllerNames?.[c] ?? c).join(', ')}.`,
        `Capture ${lacking.length === 1 ? 'it' : 'them'}, sign the capture as evidence, and record it on the change as the ${needed}-snapshot.`, { phase: needed, controllers: lacking });
    }
  }
  if (decision.effect === 'close') {
    const blocked = unexplainedRefusal(state, op, ctx, `${decision.label} at ${target.name}`);
    if (blocked !== null) return blocked;
  }
  const comment = op.comment?.trim() ?? '';
  if ((decision.effect === 'stop' || decision.effect === 'rollback' || decision.effect === 'monitor') && comment === '') {
    return refuse(state, op, 'reason-required', `${decision.label} at ${target.name} needs a comment for the record.`, 'Say what was seen and why.');
  }
  const notes = new Map((op.notes ?? []).map((n) => [n.item.trim(), n.note.trim()] as const).filter(([, n]) => n !== ''));
  const stray = [...notes.keys()].filter((i) => !target.items.includes(i));
  if (stray.length > 0) {
    return refuse(state, op, 'invalid-fields', `a note names ${stray.map((i) => `"${i}"`).join(', ')}, which ${stray.length === 1 ? 'is' : 'are'} not on the ${target.name} checklist.`, 'Write notes against the checklist\'s own items.');
  }
  const record: CheckpointRecord = {
    checkpoint: target.id, name: target.name, decision: decision.id, label: decision.label, effect: decision.effect, by: ref(op.by), role: op.role,
    at: now.toISOString(), items: target.items.map((text) => ({ text, confirmed: confirmed.has(text), ...(notes.has(text) ? { note: notes.get(text)! } : {}) })), comment,
  };
  const execution = { ...state.execution, checkpoints: [...records, record] };
  if (decision.effect === 'stop' || decision.effect === 'rollback') {
    const reason = decision.effect === 'stop' ? `${decision.label} at ${target.name}, before anything was changed: ${comment}` : `${decision.label} at ${target.name}: ${comment}`;
    return { ok: true, next: { ...state, execution, status: 'rolled-back', rollback: { by: ref(op.by), at: now.toISOString(), reason } } };
  }
  return { ok: true, next: { ...state, execution } };
}

/**
 * Records a signed snapshot of a target controller as its state before the work (only before the first checkpoint
 * is signed) or after it (only once the first checkpoint let the work go on, and after a before-snapshot).
 */
function recordSnapshot(state: ChangeState, op: Extract<ChangeOperation, { type: 'record-snapshot' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'in-execution') return unreachable(state, op);
  const name = ctx.controllerNames?.[op.controllerId] ?? op.controllerId;
  if (!state.fields.targetControllers.includes(op.controllerId)) {
    return refuse(state, op, 'snapshot-invalid', `${name} is not a target controller of ${changeName(state)}.`, 'Record snapshots of the controllers the change targets.');
  }
  const checkpoints = state.execution.checkpoints ?? [];
  const snapshots = state.execution.snapshots ?? [];
  if (checkpointProgress(ctx.checkpoints, checkpoints).closable) {
    return refuse(state, op, 'snapshot-order', `the checkpoints of ${changeName(state)} are closed: the after-snapshots the supervisor's CLOSE was signed on cannot be replaced.`,
      'Close the change; a later capture belongs to a new change or a drift check.');
  }
  if (op.phase === 'before' && checkpoints.length > 0) {
    return refuse(state, op, 'snapshot-order', `the before-snapshot of ${name} is recorded before the first checkpoint; ${checkpoints[0]!.name} was already decided.`,
      'Record it as an after-snapshot, or roll the change back.');
  }
  const capturedAt = Date.parse(op.snapshot.capturedAt);
  const zone = ctx.policy.plant.timeZone;
  if (op.phase === 'before' && !(capturedAt >= Date.parse(state.execution.startedAt))) {
    return refuse(state, op, 'snapshot-order', `the snapshot of ${name} was captured ${formatLocal(capturedAt, zone)}, before the execution started (${formatLocal(Date.parse(state.execution.startedAt), zone)}); a before-snapshot shows the controller as the work begins.`,
      'Capture the controller now, sign the capture, and record that.');
  }
  if (op.phase === 'after') {
    const first = ctx.checkpoints.checkpoints[0]!;
    const go = checkpoints.find((c) => c.checkpoint === first.id && c.effect === 'proceed');
    if (go !== undefined && !(capturedAt >= Date.parse(go.at))) {
      return refuse(state, op, 'snapshot-order', `the snapshot of ${name} was captured ${formatLocal(capturedAt, zone)}, before ${first.name} let the work go on (${formatLocal(Date.parse(go.at), zone)}); an after-snapshot shows the controller after the work.`,
        'Capture the controller now, sign the capture, and record that.');
    }
    if (!checkpoints.some((c) => c.checkpoint === first.id && c.effect === 'proceed')) {
      return refuse(state, op, 'snapshot-order', `an after-snapshot of ${name} is recorded only once ${first.name} let the work go on.`, `Have the shift supervisor sign ${first.name} first.`);
    }
    if (!snapshots.some((x) => x.phase === 'before' && x.controllerId === op.controllerId)) {
      return refuse(state, op, 'snapshot-order', `${name} has no before-snapshot on ${changeName(state)} to compare the after-snapshot with.`, 'Record its before-snapshot first.');
    }
  }
  const record: SnapshotRecord = {
    phase: op.phase, controllerId: op.controllerId, snapshotSha256: op.snapshot.sha256, capturedBy: op.snapshot.capturedBy, capturedAt: op.snapshot.capturedAt,
    by: ref(op.by), at: ctx.now.toISOString(), verification: op.phase === 'after' ? op.verification : null,
  };
  return { ok: true, next: { ...state, execution: { ...state.execution, snapshots: [...snapshots, record] } } };
}

function close(state: ChangeState, op: Extract<ChangeOperation, { type: 'close' }>, ctx: TransitionContext): TransitionResult {
  const closure = { by: ref(op.by), at: ctx.now.toISOString(), comment: op.comment?.trim() ?? '' };
  if (state.status === 'in-execution') {
    const { next, closable } = checkpointProgress(ctx.checkpoints, state.execution.checkpoints ?? []);
    if (!closable) {
      const last = ctx.checkpoints.checkpoints.at(-1)!;
      return refuse(state, op, 'checkpoints-open', `${changeName(state)} is closed as completed only after ${last.name} decides ${last.decisions.find((d) => d.effect === 'close')!.label}; due now: ${next?.name ?? '(none)'}.`,
        'Have the shift supervisor sign the remaining checkpoints, or roll the change back.');
    }
    const blocked = unexplainedRefusal(state, op, ctx, 'closing as completed');
    if (blocked !== null) return blocked;
    return { ok: true, next: { ...state, status: 'closed', rollback: null, closure: { ...closure, outcome: 'completed' } } };
  }
  if (state.status === 'rolled-back') return { ok: true, next: { ...state, status: 'closed', closure: { ...closure, outcome: 'rolled-back' } } };
  return unreachable(state, op);
}

/** The refusal while after-diff rows are unexpected or missing and unexplained (null when none are). */
function unexplainedRefusal(state: ChangeState & { execution: Execution }, op: ChangeOperation, ctx: TransitionContext, what: string): TransitionResult | null {
  const { rows, unlisted } = unexplainedRows(state.execution, state.fields.targetControllers);
  if (rows.length === 0 && unlisted === 0) return null;
  const name = (c: string) => ctx.controllerNames?.[c] ?? c;
  const listed = rows.map((r) => `${name(r.controllerId)} ${r.tag} (${r.status}: ${r.reason})`);
  return refuse(state, op, 'unexplained-differences',
    `${what} needs every row of the after-diff that the proposal did not foresee explained; not explained: ${listed.join('; ')}${unlisted > 0 ? `${listed.length > 0 ? '; and ' : ''}${unlisted} more row(s) beyond the 50 kept on the record` : ''}.`,
    unlisted > 0 ? 'Too many differences to explain one by one: roll the change back.' : 'Explain each row (signed by you and countersigned by a shift supervisor), or roll the change back.',
    { rows: rows.map((r) => ({ controllerId: r.controllerId, tag: r.tag, status: r.status })), unlisted });
}

/**
 * Explanations of unexpected and missing after-diff rows: written and signed by the engineer carrying out the
 * change, countersigned by a holder of a checkpoint role who is not on the change; each names a row still unexplained.
 */
function explain(state: ChangeState, op: Extract<ChangeOperation, { type: 'explain' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'in-execution') return unreachable(state, op);
  const { policy, now } = ctx;
  const set = ctx.checkpoints;
  if (op.by.id !== state.execution.executor.id) {
    return refuse(state, op, 'explanation-invalid', `the engineer carrying out ${changeName(state)} (${state.execution.executor.name}) explains its after-diff; ${op.by.name} is not.`,
      'Ask the engineer who did the work to write and sign the explanations.');
  }
  const c = op.countersigner;
  const part = c.id === state.requester.id ? 'filed' : c.id === state.execution.executor.id ? 'carries out' : c.id === state.execution.witness?.id ? 'witnesses' : null;
  if (part !== null) {
    return refuse(state, op, 'segregation-of-duties', `${c.name} ${part} ${changeName(state)} and cannot countersign its explanations; nobody countersigns their own change.`,
      `Ask a ${set.signerRoles.map((r) => roleName(policy, r)).join(' or ')} who is not on the change to countersign.`);
  }
  if (!set.signerRoles.includes(op.role) || !c.roles.includes(op.role)) {
    return refuse(state, op, 'role-not-held', `explanations are countersigned as ${set.signerRoles.map((r) => roleName(policy, r)).join(' or ')}; ${c.name} holds ${c.roles.map((r) => roleName(policy, r)).join(', ') || 'no role'}.`,
      'A shift supervisor countersigns the explanations.');
  }
  if (op.explanations.length === 0) return refuse(state, op, 'explanation-invalid', 'no row was explained.', 'Write an explanation for each unexpected or missing row.');
  const open = unexplainedRows(state.execution, state.fields.targetControllers).rows;
  const name = (id: string) => ctx.controllerNames?.[id] ?? id;
  const records: ExplanationRecord[] = [];
  for (const x of op.explanations) {
    const row = open.find((r) => r.controllerId === x.controllerId && r.tag === x.tag);
    if (row === undefined || records.some((r) => r.controllerId === x.controllerId && r.tag === x.tag)) {
      return refuse(state, op, 'explanation-invalid', `${name(x.controllerId)} ${x.tag} is not an unexplained unexpected or missing row of ${changeName(state)}'s latest after-snapshot${open.length > 0 ? `; still to explain: ${open.map((r) => `${name(r.controllerId)} ${r.tag}`).join(', ')}` : ''}.`,
        'Explain only the rows the after-diff lists as unexpected or missing.');
    }
    if (blank(x.text)) return refuse(state, op, 'reason-required', `the explanation of ${name(x.controllerId)} ${x.tag} is empty.`, 'Write why the row differs from the proposal.');
    records.push({ controllerId: row.controllerId, snapshotSha256: row.snapshotSha256, tag: row.tag, status: row.status, text: x.text.trim(), by: ref(op.by), countersignedBy: ref(c), at: now.toISOString() });
  }
  return { ok: true, next: { ...state, execution: { ...state.execution, explanations: [...(state.execution.explanations ?? []), ...records] } } };
}

/**
 * The decision the app asks for when the change window ends with the work still going on: complete the work (the
 * checkpoints continue; the overrun is on the record) or roll the change back. Signed by a holder of a checkpoint role
 * who is not on the change, once, and only once the slot has ended.
 */
function windowDecision(state: ChangeState, op: Extract<ChangeOperation, { type: 'window-decision' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'in-execution') return unreachable(state, op);
  const { policy, now } = ctx;
  const set = ctx.checkpoints;
  const zone = policy.plant.timeZone;
  if (state.slot === null) {
    return refuse(state, op, 'no-window', `${changeName(state)} started without a booked slot (break-glass), so no window ends.`, 'Sign its checkpoints, roll it back, or close it.');
  }
  const end = Date.parse(state.slot.end);
  if (now.getTime() < end) {
    return refuse(state, op, 'window-open', `the window of ${changeName(state)} ends ${formatLocal(end, zone)}; the decision to complete or roll back is taken once it has ended.`,
      'Carry on with the work and its checkpoints; at the end of the window Baseline asks for the decision.');
  }
  const earlier = state.execution.windowDecision;
  if (earlier !== undefined) {
    return refuse(state, op, 'window-decided', `${earlier.by.name} already decided to ${earlier.decision === 'complete' ? 'complete the work' : 'roll back'} at the end of the window (${formatLocal(Date.parse(earlier.at), zone)}).`,
      'Carry on from that decision: sign the remaining checkpoints, or roll the change back.');
  }
  const part = op.by.id === state.requester.id ? 'filed' : op.by.id === state.execution.executor.id ? 'carries out' : op.by.id === state.execution.witness?.id ? 'witnesses' : null;
  if (part !== null) {
    return refuse(state, op, 'segregation-of-duties', `${op.by.name} ${part} ${changeName(state)} and cannot decide whether it goes on past its window.`,
      `Ask a ${set.signerRoles.map((r) => roleName(policy, r)).join(' or ')} who is not on the change to decide.`);
  }
  if (!set.signerRoles.includes(op.role) || !op.by.roles.includes(op.role)) {
    return refuse(state, op, 'role-not-held', `the decision at the end of the window is signed as ${set.signerRoles.map((r) => roleName(policy, r)).join(' or ')}; ${op.by.name} holds ${op.by.roles.map((r) => roleName(policy, r)).join(', ') || 'no role'}.`,
      'A shift supervisor decides.');
  }
  if (blank(op.comment)) {
    return refuse(state, op, 'reason-required', `the decision to ${op.decision === 'complete' ? 'complete the work after' : 'roll back at'} the end of the window needs a comment for the record.`,
      op.decision === 'complete' ? 'Say what is left and how long it will take.' : 'Say what was seen and why it is rolled back.');
  }
  const record: WindowDecisionRecord = { decision: op.decision, by: ref(op.by), role: op.role, at: now.toISOString(), windowEnd: state.slot.end, comment: op.comment.trim() };
  const execution = { ...state.execution, windowDecision: record };
  if (op.decision === 'rollback') {
    return { ok: true, next: { ...state, execution, status: 'rolled-back', rollback: { by: ref(op.by), at: now.toISOString(), reason: `Rolled back at the end of the window: ${record.comment}` } } };
  }
  return { ok: true, next: { ...state, execution } };
}

function retrospectiveReview(state: ChangeState, op: Extract<ChangeOperation, { type: 'retrospective-review' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'in-execution' && state.status !== 'rolled-back' && state.status !== 'closed') return unreachable(state, op);
  const { policy, now } = ctx;
  const r = state.execution.retrospective;
  const glass = state.execution.breakGlass;
  if (r === null || glass === null) {
    return refuse(state, op, 'no-retrospective-due', `${changeName(state)} did not start under break-glass, so no retrospective review is due.`, 'Retrospective reviews are for emergency break-glass changes.');
  }
  if (r.completedAt !== null) {
    return refuse(state, op, 'retrospective-done', `the retrospective review of ${changeName(state)} was completed ${formatLocal(Date.parse(r.completedAt), policy.plant.timeZone)}.`, 'Nothing more is needed.');
  }
  const signer = signerChecks(state, op, policy, r.requirements, 'review');
  if (signer !== null) return signer;
  if (samePerson(glass.approver, op.by) || op.by.id === state.execution.executor.id) {
    return refuse(state, op, 'segregation-of-duties', `${op.by.name} approved or carried out the break-glass work on ${changeName(state)} and cannot review it.`, 'Another CAB member must review it.');
  }
  if (r.reviews.some((x) => x.by.id === op.by.id)) {
    return refuse(state, op, 'approve-twice', `${op.by.name} already reviewed ${changeName(state)}; a person reviews a change once.`, 'Another reviewer must give the missing reviews.');
  }
  const label = (x: string): string => roleName(policy, x);
  const progress = countApprovals(r.requirements, r.reviews, false, label);
  if (wouldCount(progress, op.role).length === 0) {
    const missing = progress.requirements.filter((p) => !p.satisfied).map((p) => `${p.requirement.name}: ${p.missing}`).join('; ');
    return refuse(state, op, 'approval-does-not-count', `a review as ${label(op.role)} would not count: ${missing}.`, 'The remaining reviews must come from the roles listed.');
  }
  if (blank(op.comment)) return refuse(state, op, 'reason-required', 'a retrospective review needs its findings written down.', 'Write what the review found (root cause, follow-up).');
  const record: ApprovalRecord = { by: ref(op.by), role: op.role, meaning: 'reviewed', at: now.toISOString(), comment: op.comment.trim(), conditions: [], diffReviewed: false };
  const reviews = [...r.reviews, record];
  const done = countApprovals(r.requirements, reviews, false).complete;
  const retrospective = { ...r, reviews, completedAt: done ? now.toISOString() : null };
  return { ok: true, next: { ...state, execution: { ...state.execution, retrospective } } };
}

/** A state the table allowed but the operation's own function does not handle: a defect, reported as data. */
function unreachable(state: ChangeState, op: ChangeOperation): TransitionResult {
  return refuse(state, op, 'illegal-transition', `${changeName(state)} is ${state.status}, so it cannot be ${OPERATION_PAST[op.type]}.`, 'This is a defect in Baseline; report it.');
}

/** The group names a change still needs, for notifications: "Change Advisory Board (1 more approval, as ...)". */
export function outstandingApprovals(state: ChangeState, policy: Policy): string[] {
  if (state.status !== 'submitted') return [];
  const e = state.review.evaluation;
  return countApprovals(e.approvals, state.review.approvals, e.dualControl.required, (r) => roleName(policy, r)).requirements
    .filter((p) => !p.satisfied).map((p) => `${groupName(policy, p.requirement.group)} (${p.missing})`);
}
