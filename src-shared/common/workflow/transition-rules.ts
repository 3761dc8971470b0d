/**
 * What every change transition shares: its context, its result, the rules a refusal can name and how a
 * refusal reads ("Segregation of duties: ..."). The transitions themselves are in change-transition.ts and the
 * transition-*.ts files beside it.
 */
import type { ErrorData } from '../errors.ts';
import type { PlantFacts } from './change-evaluation.ts';
import { changeName, type ChangeOperation, type ChangeOperationType, type ChangeState } from './change-state.ts';
import type { CheckpointSet } from './checkpoints.ts';
import type { ChecklistTemplates } from './checklists.ts';
import type { Policy } from './policy-schema.ts';
import type { PersonRef } from './workflow-terms.ts';

/** What a transition needs besides the state and the operation. */
export interface TransitionContext {
  now: Date;
  /** The policy in force now (submit freezes its requirements into the change). */
  policy: Policy;
  /** The plant model's facts about the change (lines and tiers, safety tags touched); read at submit and break-glass. */
  plant: PlantFacts;
  /** The go/no-go checkpoints of an execution, with their checklists. */
  checkpoints: CheckpointSet;
  /** The checklist templates in force (read only by ticks and checkpoint decisions; absent: none, nothing to tick). */
  checklists?: ChecklistTemplates;
  /** Controller names by id, for messages (ids are shown when a name is missing). */
  controllerNames?: Readonly<Record<string, string>>;
}

/** The rules a refusal can name. */
export type RefusalRule =
  | 'illegal-transition'
  | 'requester-only'
  | 'segregation-of-duties'
  | 'approve-twice'
  | 'role-not-held'
  | 'not-an-approver'
  | 'approval-does-not-count'
  | 'diff-review-required'
  | 'reason-required'
  | 'conditions-required'
  | 'class-required'
  | 'required-fields'
  | 'policy-blockers'
  | 'invalid-fields'
  | 'notice'
  | 'slot-invalid'
  | 'outside-window'
  | 'blackout'
  | 'override-invalid'
  | 'outside-slot'
  | 'dual-control'
  | 'conditions-unconfirmed'
  | 'staging-required'
  | 'break-glass-not-allowed'
  | 'break-glass-approver'
  | 'no-retrospective-due'
  | 'retrospective-done'
  | 'not-yet-escalated'
  | 'checkpoint-order'
  | 'checklist-incomplete'
  | 'checkpoints-open'
  | 'snapshot-invalid'
  | 'snapshot-order'
  | 'snapshots-missing'
  | 'unexplained-differences'
  | 'explanation-invalid'
  | 'break-glass-responder'
  | 'window-open'
  | 'window-decided'
  | 'no-window'
  | 'review-order'
  | 'safety-sign-off-missing'
  | 'safety-sign-off-invalid'
  | 'break-glass-unconfirmed'
  | 'emergency-report-missing'
  | 'report-invalid'
  | 'follow-up-required'
  | 'pir-not-due'
  | 'pir-invalid'
  | 'rollback-guidance-invalid'
  | 'manual-rollback-invalid'
  | 'rollback-proof-invalid'
  | 'rollback-unproven'
  | 'tick-invalid';

/** The outcome of a transition: the next state, or a refusal naming the rule. */
export type TransitionResult = { ok: true; next: ChangeState } | { ok: false; rule: RefusalRule; error: ErrorData };

/** The title each refusal starts with. */
export const RULE_TITLES: Readonly<Record<RefusalRule, string>> = {
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
  'review-order': 'Review order',
  'safety-sign-off-missing': 'Safety sign-off missing',
  'safety-sign-off-invalid': 'No safety sign-off',
  'break-glass-unconfirmed': 'Break-glass approval not signed',
  'emergency-report-missing': 'Emergency report missing',
  'report-invalid': 'Emergency report not accepted',
  'follow-up-required': 'Follow-up required',
  'pir-not-due': 'No post-implementation review due',
  'pir-invalid': 'Post-implementation review not accepted',
  'rollback-guidance-invalid': 'Rollback decision not accepted',
  'manual-rollback-invalid': 'Manual rollback not accepted',
  'tick-invalid': 'Checklist tick not accepted',
  'rollback-proof-invalid': 'Re-capture not accepted as proof',
  'rollback-unproven': 'Rollback not proven',
};

/** Each operation in the past tense, for refusals. */
export const OPERATION_PAST: Readonly<Record<ChangeOperationType, string>> = {
  edit: 'edited',
  submit: 'submitted',
  withdraw: 'withdrawn',
  approve: 'approved',
  'approve-with-conditions': 'approved with conditions',
  reject: 'rejected',
  defer: 'deferred',
  schedule: 'scheduled',
  'break-glass': 'started under break-glass',
  'start-execution': 'started',
  'record-snapshot': 'given a snapshot',
  checkpoint: 'given a checkpoint decision',
  explain: 'given explanations of its after-diff',
  'window-decision': 'given a decision at the end of its window',
  rollback: 'rolled back',
  close: 'closed',
  'retrospective-review': 'given a retrospective review',
  'safety-sign-off': 'given a safety sign-off',
  'confirm-break-glass': "given the break-glass approver's signature",
  'emergency-report': 'given an emergency report',
  'rollback-decision': 'given a rollback decision',
  'manual-rollback': 'given a manual rollback',
  'post-implementation-review': 'given a post-implementation review',
  'tick-item': 'given a checklist tick',
  'rollback-proof': 'given a re-capture proof of a manual rollback',
};

/** The change's number, kept by every state built afresh from the fields it carries over. */
export function numbered(state: ChangeState): { number?: string } {
  return state.number === undefined ? {} : { number: state.number };
}

/** A refusal naming the rule, what is wrong and what to do. */
export function refuse(
  state: ChangeState,
  op: ChangeOperation,
  rule: RefusalRule,
  text: string,
  hint: string,
  details: Record<string, unknown> = {},
): TransitionResult {
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

/** A person as the record keeps them (id and name). */
export const ref = (p: PersonRef): PersonRef => ({ id: p.id, name: p.name });
/** Whether an optional text was left empty. */
export const blank = (s: string | undefined): boolean => s === undefined || s.trim() === '';

/** A state the table allowed but the operation's own function does not handle: a defect, reported as data. */
export function unreachable(state: ChangeState, op: ChangeOperation): TransitionResult {
  return refuse(
    state,
    op,
    'illegal-transition',
    `${changeName(state)} is ${state.status}, so it cannot be ${OPERATION_PAST[op.type]}.`,
    'This is a defect in Baseline; report it.',
  );
}
