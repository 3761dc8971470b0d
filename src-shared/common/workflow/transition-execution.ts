/**
 * Transitions during and after the work: go/no-go checkpoints, before- and after-snapshots, rollback and close.
 * The reviews of the work (explanations of unforeseen after-diff rows, the retrospective review of break-glass
 * work) are in transition-review.ts.
 */
import {
  changeName,
  unexplainedRows,
  type ChangeOperation,
  type Execution,
  type ChangeState,
  type SnapshotRecord,
} from './change-state.ts';
import { checkpointProgress, type CheckpointRecord } from './checkpoints.ts';
import { requiredUnticked } from './checklists.ts';
import { roleName } from './policy-schema.ts';
import { formatLocal } from './time-zone.ts';
import { type TransitionContext, type TransitionResult, refuse, ref, blank, unreachable } from './transition-rules.ts';
import { safetySignOffMissing } from './safety-review.ts';
import { ruled } from './rule-outcome.ts';
import { unprovenRollbacks } from './rollback-proof.ts';

export function rollback(state: ChangeState, op: Extract<ChangeOperation, { type: 'rollback' }>, ctx: TransitionContext): TransitionResult {
  if (state.status !== 'in-execution') return unreachable(state, op);
  if (blank(op.reason)) return refuse(state, op, 'reason-required', 'a rollback needs a reason for the record.', 'Say what went wrong.');
  return {
    ok: true,
    next: { ...state, status: 'rolled-back', rollback: { by: ref(op.by), at: ctx.now.toISOString(), reason: op.reason.trim() } },
  };
}

/**
 * A go/no-go checkpoint decision, signed by a holder of a checkpoint role who neither filed nor carries out the
 * change: checkpoints in their order, every checklist item confirmed for a decision that lets the work go on.
 */
export function checkpoint(
  state: ChangeState,
  op: Extract<ChangeOperation, { type: 'checkpoint' }>,
  ctx: TransitionContext,
): TransitionResult {
  if (state.status !== 'in-execution') return unreachable(state, op);
  const set = ctx.checkpoints;
  const { policy, now } = ctx;
  const part =
    op.by.id === state.requester.id
      ? 'filed'
      : op.by.id === state.execution.executor.id
        ? 'carries out'
        : op.by.id === state.execution.witness?.id
          ? 'witnesses'
          : null;
  if (part !== null) {
    return refuse(
      state,
      op,
      'segregation-of-duties',
      `${op.by.name} ${part} ${changeName(state)} and cannot sign its checkpoints; nobody go/no-go signs their own change.`,
      `Ask a ${set.signerRoles.map((r) => roleName(policy, r)).join(' or ')} who is not on the change to sign.`,
    );
  }
  if (!set.signerRoles.includes(op.role) || !op.by.roles.includes(op.role)) {
    return refuse(
      state,
      op,
      'role-not-held',
      `checkpoint decisions are signed as ${set.signerRoles.map((r) => roleName(policy, r)).join(' or ')}; ${op.by.name} holds ${op.by.roles.map((r) => roleName(policy, r)).join(', ') || 'no role'}${set.signerRoles.includes(op.role) ? '' : ` and signed as ${roleName(policy, op.role)}`}.`,
      'A shift supervisor signs the checkpoints.',
    );
  }
  const records = state.execution.checkpoints ?? [];
  const { next } = checkpointProgress(set, records);
  const target = set.checkpoints.find((c) => c.id === op.checkpoint);
  if (target === undefined || next === null || target.id !== next.id) {
    const asked = target?.name ?? op.checkpoint;
    return refuse(
      state,
      op,
      'checkpoint-order',
      next === null
        ? `no checkpoint of ${changeName(state)} is open any more (${asked} was asked for).`
        : `the checkpoint due on ${changeName(state)} is ${next.name}; ${asked} cannot be signed now (checkpoints are signed in order: ${set.checkpoints.map((c) => c.name).join(', ')}).`,
      next === null ? 'Close the change, or roll it back.' : `Sign ${next.name} first.`,
    );
  }
  const decision = target.decisions.find((d) => d.id === op.decision);
  if (decision === undefined) {
    return refuse(
      state,
      op,
      'checkpoint-order',
      `${target.name} has no decision "${op.decision}"; its decisions are ${target.decisions.map((d) => d.label).join(', ')}.`,
      'Pick one of its decisions.',
    );
  }
  const confirmed = new Set(op.confirmed.map((c) => c.trim()));
  const missing = target.items.filter((i) => !confirmed.has(i));
  if ((decision.effect === 'proceed' || decision.effect === 'close') && missing.length > 0) {
    return refuse(
      state,
      op,
      'checklist-incomplete',
      `${decision.label} at ${target.name} needs every item confirmed; not confirmed: ${missing.join('; ')}.`,
      `Confirm them, or decide ${target.decisions
        .filter((d) => d.effect !== 'proceed' && d.effect !== 'close')
        .map((d) => d.label)
        .join(' or ')}.`,
    );
  }
  if (decision.effect === 'proceed' || decision.effect === 'close') {
    const unticked = ctx.checklists === undefined ? [] : requiredUnticked(ctx.checklists, state, target.id, state.execution.ticks ?? []);
    if (unticked.length > 0) {
      return refuse(
        state,
        op,
        'checklist-incomplete',
        `${decision.label} at ${target.name} needs every item of its required checklists ticked; not ticked: ${unticked.map((u) => `${u.template}: ${u.items.join('; ')}`).join('. ')}.`,
        'Tick them in the Checklists panel (with a note or a photo where it helps), then sign again.',
        { unticked },
      );
    }
  }
  const needed =
    decision.effect === 'proceed' && target.id === set.checkpoints[0]!.id ? 'before' : decision.effect === 'close' ? 'after' : null;
  if (needed !== null) {
    const have = new Set((state.execution.snapshots ?? []).filter((x) => x.phase === needed).map((x) => x.controllerId));
    const lacking = state.fields.targetControllers.filter((c) => !have.has(c));
    if (lacking.length > 0) {
      return refuse(
        state,
        op,
        'snapshots-missing',
        `${decision.label} at ${target.name} needs a signed ${needed}-snapshot of every target controller; missing: ${lacking.map((c) => ctx.controllerNames?.[c] ?? c).join(', ')}.`,
        `Capture ${lacking.length === 1 ? 'it' : 'them'}, sign the capture as evidence, and record it on the change as the ${needed}-snapshot.`,
        { phase: needed, controllers: lacking },
      );
    }
  }
  if (decision.effect === 'close') {
    const blocked = unexplainedRefusal(state, op, ctx, `${decision.label} at ${target.name}`) ?? safetyRefusal(state, op, ctx);
    if (blocked !== null) return blocked;
  }
  const comment = op.comment?.trim() ?? '';
  if ((decision.effect === 'stop' || decision.effect === 'rollback' || decision.effect === 'monitor') && comment === '') {
    return refuse(
      state,
      op,
      'reason-required',
      `${decision.label} at ${target.name} needs a comment for the record.`,
      'Say what was seen and why.',
    );
  }
  const notes = new Map((op.notes ?? []).map((n) => [n.item.trim(), n.note.trim()] as const).filter(([, n]) => n !== ''));
  const stray = [...notes.keys()].filter((i) => !target.items.includes(i));
  if (stray.length > 0) {
    return refuse(
      state,
      op,
      'invalid-fields',
      `a note names ${stray.map((i) => `"${i}"`).join(', ')}, which ${stray.length === 1 ? 'is' : 'are'} not on the ${target.name} checklist.`,
      "Write notes against the checklist's own items.",
    );
  }
  const record: CheckpointRecord = {
    checkpoint: target.id,
    name: target.name,
    decision: decision.id,
    label: decision.label,
    effect: decision.effect,
    by: ref(op.by),
    role: op.role,
    at: now.toISOString(),
    items: target.items.map((text) => ({ text, confirmed: confirmed.has(text), ...(notes.has(text) ? { note: notes.get(text)! } : {}) })),
    comment,
  };
  const execution = { ...state.execution, checkpoints: [...records, record] };
  if (decision.effect === 'stop' || decision.effect === 'rollback') {
    const reason =
      decision.effect === 'stop'
        ? `${decision.label} at ${target.name}, before anything was changed: ${comment}`
        : `${decision.label} at ${target.name}: ${comment}`;
    return { ok: true, next: { ...state, execution, status: 'rolled-back', rollback: { by: ref(op.by), at: now.toISOString(), reason } } };
  }
  return { ok: true, next: { ...state, execution } };
}

/**
 * Records a signed snapshot of a target controller as its state before the work (only before the first checkpoint
 * is signed) or after it (only once the first checkpoint let the work go on, and after a before-snapshot).
 */
export function recordSnapshot(
  state: ChangeState,
  op: Extract<ChangeOperation, { type: 'record-snapshot' }>,
  ctx: TransitionContext,
): TransitionResult {
  if (state.status !== 'in-execution') return unreachable(state, op);
  const name = ctx.controllerNames?.[op.controllerId] ?? op.controllerId;
  if (!state.fields.targetControllers.includes(op.controllerId)) {
    return refuse(
      state,
      op,
      'snapshot-invalid',
      `${name} is not a target controller of ${changeName(state)}.`,
      'Record snapshots of the controllers the change targets.',
    );
  }
  const checkpoints = state.execution.checkpoints ?? [];
  const snapshots = state.execution.snapshots ?? [];
  if (checkpointProgress(ctx.checkpoints, checkpoints).closable) {
    return refuse(
      state,
      op,
      'snapshot-order',
      `the checkpoints of ${changeName(state)} are closed: the after-snapshots the supervisor's CLOSE was signed on cannot be replaced.`,
      'Close the change; a later capture belongs to a new change or a drift check.',
    );
  }
  if (op.phase === 'before' && checkpoints.length > 0) {
    return refuse(
      state,
      op,
      'snapshot-order',
      `the before-snapshot of ${name} is recorded before the first checkpoint; ${checkpoints[0]!.name} was already decided.`,
      'Record it as an after-snapshot, or roll the change back.',
    );
  }
  const capturedAt = Date.parse(op.snapshot.capturedAt);
  const zone = ctx.policy.plant.timeZone;
  if (op.phase === 'before' && !(capturedAt >= Date.parse(state.execution.startedAt))) {
    return refuse(
      state,
      op,
      'snapshot-order',
      `the snapshot of ${name} was captured ${formatLocal(capturedAt, zone)}, before the execution started (${formatLocal(Date.parse(state.execution.startedAt), zone)}); a before-snapshot shows the controller as the work begins.`,
      'Capture the controller now, sign the capture, and record that.',
    );
  }
  if (op.phase === 'after') {
    const first = ctx.checkpoints.checkpoints[0]!;
    const go = checkpoints.find((c) => c.checkpoint === first.id && c.effect === 'proceed');
    if (go !== undefined && !(capturedAt >= Date.parse(go.at))) {
      return refuse(
        state,
        op,
        'snapshot-order',
        `the snapshot of ${name} was captured ${formatLocal(capturedAt, zone)}, before ${first.name} let the work go on (${formatLocal(Date.parse(go.at), zone)}); an after-snapshot shows the controller after the work.`,
        'Capture the controller now, sign the capture, and record that.',
      );
    }
    if (!checkpoints.some((c) => c.checkpoint === first.id && c.effect === 'proceed')) {
      return refuse(
        state,
        op,
        'snapshot-order',
        `an after-snapshot of ${name} is recorded only once ${first.name} let the work go on.`,
        `Have the shift supervisor sign ${first.name} first.`,
      );
    }
    if (!snapshots.some((x) => x.phase === 'before' && x.controllerId === op.controllerId)) {
      return refuse(
        state,
        op,
        'snapshot-order',
        `${name} has no before-snapshot on ${changeName(state)} to compare the after-snapshot with.`,
        'Record its before-snapshot first.',
      );
    }
  }
  const record: SnapshotRecord = {
    phase: op.phase,
    controllerId: op.controllerId,
    snapshotSha256: op.snapshot.sha256,
    capturedBy: op.snapshot.capturedBy,
    capturedAt: op.snapshot.capturedAt,
    by: ref(op.by),
    at: ctx.now.toISOString(),
    verification: op.phase === 'after' ? op.verification : null,
  };
  return { ok: true, next: { ...state, execution: { ...state.execution, snapshots: [...snapshots, record] } } };
}

export function close(state: ChangeState, op: Extract<ChangeOperation, { type: 'close' }>, ctx: TransitionContext): TransitionResult {
  const closure = { by: ref(op.by), at: ctx.now.toISOString(), comment: op.comment?.trim() ?? '' };
  if (state.status === 'in-execution') {
    const { next, closable } = checkpointProgress(ctx.checkpoints, state.execution.checkpoints ?? []);
    if (!closable) {
      const last = ctx.checkpoints.checkpoints.at(-1)!;
      return refuse(
        state,
        op,
        'checkpoints-open',
        `${changeName(state)} is closed as completed only after ${last.name} decides ${last.decisions.find((d) => d.effect === 'close')!.label}; due now: ${next?.name ?? '(none)'}.`,
        'Have the shift supervisor sign the remaining checkpoints, or roll the change back.',
      );
    }
    const blocked = unexplainedRefusal(state, op, ctx, 'closing as completed') ?? safetyRefusal(state, op, ctx);
    if (blocked !== null) return blocked;
    return { ok: true, next: { ...state, status: 'closed', rollback: null, closure: { ...closure, outcome: 'completed' } } };
  }
  if (state.status === 'rolled-back') {
    const unproven = unprovenRollbacks(state, (id) => ctx.controllerNames?.[id] ?? id);
    if (unproven !== null) return ruled(state, op, unproven);
    return { ok: true, next: { ...state, status: 'closed', closure: { ...closure, outcome: 'rolled-back' } } };
  }
  return unreachable(state, op);
}

/** The refusal while a safety-critical change lacks the safety manager's sign-off on its current after-snapshots. */
function safetyRefusal(
  state: Extract<ChangeState, { status: 'in-execution' }>,
  op: ChangeOperation,
  ctx: TransitionContext,
): TransitionResult | null {
  const missing = safetySignOffMissing(state, ctx.policy);
  return missing === null
    ? null
    : refuse(state, op, 'safety-sign-off-missing', `CLOSE of ${changeName(state)} waits: ${missing.text}`, missing.hint);
}

/** The refusal while after-diff rows are unexpected or missing and unexplained (null when none are). */
function unexplainedRefusal(
  state: ChangeState & { execution: Execution },
  op: ChangeOperation,
  ctx: TransitionContext,
  what: string,
): TransitionResult | null {
  const { rows, unlisted } = unexplainedRows(state.execution, state.fields.targetControllers);
  if (rows.length === 0 && unlisted === 0) return null;
  const name = (c: string) => ctx.controllerNames?.[c] ?? c;
  const listed = rows.map((r) => `${name(r.controllerId)} ${r.tag} (${r.status}: ${r.reason})`);
  return refuse(
    state,
    op,
    'unexplained-differences',
    `${what} needs every row of the after-diff that the proposal did not foresee explained; not explained: ${listed.join('; ')}${unlisted > 0 ? `${listed.length > 0 ? '; and ' : ''}${unlisted} more row(s) beyond the 50 kept on the record` : ''}.`,
    unlisted > 0
      ? 'Too many differences to explain one by one: roll the change back.'
      : 'Explain each row (signed by you and countersigned by a shift supervisor), or roll the change back.',
    { rows: rows.map((r) => ({ controllerId: r.controllerId, tag: r.tag, status: r.status })), unlisted },
  );
}
