/**
 * What each signed action (src-shared/common/workflow/signed-actions.ts) becomes in the change service: the change
 * operation the state machine checks, and the summary the record keeps. One entry per action in the table, which the
 * compiler checks; the meaning of the signature and the co-signers come from the table itself.
 */
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { SignatureMeaning } from '../../src-shared/common/snapshot/snapshot.ts';
import type { ChangeOperation, OverrideSignature } from '../../src-shared/common/workflow/change-state.ts';
import { REVIEW_DISPATCH } from './change-review-actions.ts';
import {
  SIGNED_ACTIONS,
  type OverrideRequest,
  type SignedAction,
  type SignedActionOf,
  type SignedActionType,
} from '../../src-shared/common/workflow/signed-actions.ts';
import { formatLocal } from '../../src-shared/common/workflow/time-zone.ts';

import type { ActionContext, ActionDispatch, Cosigner } from './change-action-types.ts';
import { breakGlassMethodWords } from '../../src-shared/common/workflow/execution-records.ts';
export type { ActionContext, ActionDispatch, Cosigner } from './change-action-types.ts';

const opt = <K extends string, V>(key: K, value: V | undefined | false | '' | null): { [P in K]?: V } =>
  (value === undefined || value === false || value === '' || value === null ? {} : { [key]: value }) as { [P in K]?: V };

function overridesOf(o: OverrideRequest | undefined, ctx: ActionContext): { overrides?: OverrideSignature[] } {
  if (!o) return {};
  return {
    overrides: [
      { by: ctx.participant(o.employeeId), role: o.role, rule: o.rule, ...(o.blackout ? { blackout: o.blackout } : {}), reason: o.reason },
    ],
  };
}

/** "approved with conditions as OT security: …": a decision signed in a role, with its reason, conditions or comment. */
function asRole(
  action: SignedActionOf<'approve' | 'approve-with-conditions' | 'reject' | 'defer' | 'retrospective-review'>,
  ctx: ActionContext,
): string {
  const said =
    'reason' in action
      ? `: ${action.reason}`
      : 'conditions' in action
        ? `: ${action.conditions.join('; ')}`
        : action.comment
          ? `: ${action.comment}`
          : '';
  return `${SIGNED_ACTIONS[action.type].words} as ${ctx.roleName(action.role)}${said}`;
}

/** The checkpoint and decision an action names, as the checkpoint file defines them. */
function checkpointOf(action: SignedActionOf<'checkpoint'>, ctx: ActionContext) {
  const c = ctx.checkpoints().checkpoints.find((x) => x.id === action.checkpoint);
  return { c, d: c?.decisions.find((x) => x.id === action.decision) };
}

/** Each signed action's operation and summary. */
const DISPATCH: { [K in SignedActionType]: ActionDispatch<K> } = {
  submit: { operation: (_a, { by }) => ({ type: 'submit', by }), summary: () => 'submitted for approval' },
  withdraw: { operation: (a, { by }) => ({ type: 'withdraw', by, reason: a.reason }), summary: (a) => `withdrew: ${a.reason}` },
  approve: {
    operation: (a, { by }) => ({
      type: 'approve',
      by,
      role: a.role,
      ...opt('comment', a.comment),
      ...opt('diffReviewed', a.diffReviewed && true),
    }),
    summary: asRole,
  },
  'approve-with-conditions': {
    operation: (a, { by }) => ({
      type: 'approve-with-conditions',
      by,
      role: a.role,
      conditions: a.conditions,
      ...opt('comment', a.comment),
      ...opt('diffReviewed', a.diffReviewed && true),
    }),
    summary: asRole,
  },
  reject: { operation: (a, { by }) => ({ type: 'reject', by, role: a.role, reason: a.reason }), summary: asRole },
  defer: { operation: (a, { by }) => ({ type: 'defer', by, role: a.role, reason: a.reason }), summary: asRole },
  schedule: {
    operation: (a, ctx) => ({ type: 'schedule', by: ctx.by, start: a.start, end: a.end, ...overridesOf(a.override, ctx) }),
    summary: (a, ctx) =>
      `scheduled ${formatLocal(Date.parse(a.start), ctx.timeZone())} – ${formatLocal(Date.parse(a.end), ctx.timeZone())}`,
  },
  'break-glass': {
    // The approver is the enrolled person named, with the roles their certificate carries; with their password they sign now.
    operation: (a, ctx) => {
      const approver = ctx.participant(a.approverEmployeeId);
      return {
        type: 'break-glass',
        by: ctx.by,
        approver: { id: approver.id, name: approver.name, role: a.approverRole, roles: [...approver.roles] },
        method: a.method,
        reason: a.reason,
        approverSigned: a.approverPassword !== undefined && a.approverPassword !== '',
      };
    },
    summary: (a, ctx) =>
      `started under break-glass, approved by ${ctx.nameWithId(a.approverEmployeeId)} as ${ctx.roleName(a.approverRole)} ${breakGlassMethodWords(a.method)}` +
      `${a.approverPassword ? ' (signed by the approver)' : " (the approver's signature is owed)"}: ${a.reason}`,
  },
  'start-execution': {
    operation: (a, ctx) => ({
      type: 'start-execution',
      by: ctx.by,
      ...opt('stagingRecord', a.stagingRecord),
      ...opt('conditionsMet', a.conditionsMet && true),
      ...(a.witnessEmployeeId ? { witness: ctx.participant(a.witnessEmployeeId) } : {}),
      ...overridesOf(a.override, ctx),
    }),
    summary: (a, ctx) =>
      `started execution${a.witnessEmployeeId ? `, witnessed by ${ctx.nameWithId(a.witnessEmployeeId)}` : ''}${a.conditionsMet ? ', conditions confirmed met' : ''}${a.stagingRecord ? `, staging record ${a.stagingRecord}` : ''}`,
  },
  'record-snapshot': {
    operation: (a, ctx) => ctx.snapshotOp(ctx.by, a),
    summary: (a, ctx) => `recorded the ${a.phase}-snapshot of ${ctx.controllerName(a.controllerId)} (${a.snapshotSha256.slice(0, 12)}…)`,
  },
  checkpoint: {
    operation: (a, { by }) => ({
      type: 'checkpoint',
      by,
      role: a.role,
      checkpoint: a.checkpoint,
      decision: a.decision,
      confirmed: a.confirmed,
      ...opt('comment', a.comment),
      ...opt('notes', a.notes),
    }),
    // "GO at Pre-execution verification (5 of 5 items confirmed): comment".
    summary: (a, ctx) => {
      const { c, d } = checkpointOf(a, ctx);
      const confirmed = c ? c.items.filter((i) => a.confirmed.includes(i)).length : 0;
      return `${d?.label ?? a.decision} at ${c?.name ?? a.checkpoint} (${confirmed} of ${c?.items.length ?? 0} items confirmed)${a.comment ? `: ${a.comment}` : ''}`;
    },
  },
  explain: {
    operation: (a, ctx) => ctx.explainOp(ctx.by, a),
    summary: (a, ctx) =>
      `explained ${a.explanations.map((x) => `${ctx.controllerName(x.controllerId)} ${x.tag}: ${x.text.trim()}`).join('; ')}; countersigned by ${ctx.participant(a.supervisorEmployeeId).name}`,
  },
  'window-decision': {
    operation: (a, ctx) => ({
      type: 'window-decision',
      by: ctx.by,
      role: a.role ?? ctx.by.roles.find((r) => ctx.checkpoints().signerRoles.includes(r)) ?? ctx.checkpoints().signerRoles[0]!,
      decision: a.decision,
      comment: a.comment,
    }),
    summary: (a) =>
      `decided at the end of the change window to ${a.decision === 'complete' ? 'complete the work' : 'roll back'}: ${a.comment.trim()}`,
  },
  rollback: { operation: (a, { by }) => ({ type: 'rollback', by, reason: a.reason }), summary: (a) => `rolled back: ${a.reason}` },
  'rollback-proof': {
    operation: (a, ctx) => ctx.rollbackProofOp(ctx.by, a),
    summary: (a, ctx) => {
      const op = ctx.rollbackProofOp(ctx.by, a) as Extract<ChangeOperation, { type: 'rollback-proof' }>;
      return (
        `recorded the re-capture of ${ctx.controllerName(a.controllerId)} (${a.snapshotSha256.slice(0, 12)}…) after its manual rollback: ` +
        (op.total === 0
          ? 'it matches the before-snapshot'
          : `${op.total} value(s) still differ from the before-snapshot (${op.differences
              .slice(0, 5)
              .map((d) => d.tag)
              .join(', ')}${op.total > 5 ? ', …' : ''})`)
      );
    },
  },
  close: {
    operation: (a, { by }) => ({ type: 'close', by, ...opt('comment', a.comment) }),
    summary: (a) => `closed${a.comment ? `: ${a.comment}` : ''}`,
  },
  'retrospective-review': {
    // A rejection whose follow-up is a new change gets that change's id now; the service files it once the rejection is signed.
    operation: (a, ctx) => {
      const base = { type: 'retrospective-review' as const, by: ctx.by, role: a.role, comment: a.comment };
      if (a.verdict !== 'reject') return base;
      const inPlace = a.followUp === 'rollback' && ctx.change().status === 'in-execution';
      return {
        ...base,
        verdict: 'reject',
        ...opt('followUp', a.followUp),
        ...(inPlace || !a.followUp ? {} : { followUpChangeId: ctx.newChangeId() }),
      };
    },
    summary: (a, ctx) =>
      a.verdict === 'reject'
        ? `rejected the emergency work as ${ctx.roleName(a.role)}, follow-up: ${a.followUp === 'rollback' ? 'rollback' : 'corrective change'}: ${a.comment}`
        : asRole(a, ctx),
  },
  ...REVIEW_DISPATCH,
};

/** What the signature of a checkpoint decision means: go, no-go, rollback, or reviewed (extended monitoring). */
function checkpointMeaning(action: SignedActionOf<'checkpoint'>, ctx: ActionContext): SignatureMeaning {
  const effect = checkpointOf(action, ctx).d?.effect;
  return effect === 'proceed' || effect === 'close' ? 'go' : effect === 'stop' ? 'no-go' : effect === 'rollback' ? 'rollback' : 'reviewed';
}

/** The co-signers an action names (table `cosigners`), each with the password they typed; a named one without a password is refused. */
function cosignersOf(action: SignedAction, ctx: ActionContext): Cosigner[] {
  const out: Cosigner[] = [];
  // Overrides first, then the others, as the record has always listed them.
  const specs = [...SIGNED_ACTIONS[action.type].cosigners].sort((a, b) => Number(b.as === 'override') - Number(a.as === 'override'));
  for (const spec of specs) {
    const holder = (spec.within === null ? action : (action as Record<string, unknown>)[spec.within]) as
      Record<string, unknown> | undefined;
    const employeeId = holder?.[spec.employeeIdField];
    if (typeof employeeId !== 'string' || employeeId === '') continue;
    const password = holder?.[spec.passwordField];
    if ((typeof password !== 'string' || password === '') && spec.required === 'now-or-later') continue;
    if (typeof password !== 'string' || password === '') {
      throw new BaselineError(
        `${spec.as}-signature`,
        `The ${spec.label.toLowerCase()} ${ctx.nameWithId(employeeId)} has not signed.`,
        spec.as === 'witness'
          ? 'The witness enters their own password to sign the start with you (dual control).'
          : `The ${spec.label.toLowerCase()} enters their own password to sign with you.`,
      );
    }
    out.push({
      employeeId,
      password,
      meaning: spec.meaning,
      as: spec.as === 'override' ? `override:${String(holder?.['rule'])}` : spec.as,
    });
  }
  return out;
}

/** The note an override adds to the summary: which rule, who, as what, why. */
function overrideNote(action: SignedAction, ctx: ActionContext): string {
  const o = 'override' in action ? action.override : undefined;
  if (!o) return '';
  return `; override (${o.rule === 'blackout' ? `inside the blackout${o.blackout ? ` ${o.blackout}` : ''}` : 'outside every change window'}) by ${ctx.nameWithId(o.employeeId)} as ${ctx.roleName(o.role)}: ${o.reason}`;
}

/** A signed action as the change service records it: the operation, its summary, the signature's meaning and the co-signers. */
export function dispatchAction(
  action: SignedAction,
  ctx: ActionContext,
): { op: ChangeOperation; summary: string; meaning: SignatureMeaning; cosigners: Cosigner[] } {
  const entry = DISPATCH[action.type] as ActionDispatch<SignedActionType>;
  const op = entry.operation(action, ctx);
  const summary = entry.summary(action, ctx) + overrideNote(action, ctx);
  const cosigners = cosignersOf(action, ctx);
  const spec = SIGNED_ACTIONS[action.type].meaning;
  const meaning =
    spec === 'checkpoint-decision'
      ? checkpointMeaning(action as SignedActionOf<'checkpoint'>, ctx)
      : spec === 'window-decision'
        ? (action as SignedActionOf<'window-decision'>).decision === 'rollback'
          ? 'rollback'
          : 'go'
        : spec;
  return { op, summary, meaning, cosigners };
}
