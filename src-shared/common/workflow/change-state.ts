/**
 * The states of a change request (ARCHITECTURE §6) as one tagged union, the operations on it, and how a change
 * is named and its approvals counted. The records of its execution are in execution-records.ts, the facts that
 * depend on the time (approval timeout, retrospective due, window timer) in change-deadlines.ts. Every transition
 * is decided in change-transition.ts; this module only describes.
 *
 *   draft -> submitted -> approved -> scheduled -> in-execution -> closed (after the last checkpoint's CLOSE)
 *                      -> rejected                              -> rolled-back -> closed (rollback, ROLLBACK, NO-GO)
 *                      -> deferred -> draft / submitted
 *   draft, submitted -> in-execution (emergency break-glass; retrospective review due within 24 h)
 *   draft, submitted, deferred, approved, scheduled -> withdrawn
 */
import { countApprovals, type ApprovalProgress, type ApprovalRecord } from './approval-progress.ts';
import type { ChangeRequestFields } from './change-request.ts';
import type { ChangeEvaluation } from './change-evaluation.ts';
import type { Participant, PersonRef } from './workflow-terms.ts';
import type { AttachmentRef } from './checklists.ts';
import type {
  BreakGlassMethod,
  ExecutionVerification,
  Execution,
  FollowUpKind,
  OverrideRecord,
  PostImplementationReviewRecord,
  RollbackRecord,
  WindowDecision,
} from './execution-records.ts';

// The records an executing change keeps are part of its state: its users import them from here too.
export * from './execution-records.ts';

/** Every state a change can be in. */
export const CHANGE_STATUSES = [
  'draft',
  'submitted',
  'approved',
  'rejected',
  'deferred',
  'withdrawn',
  'scheduled',
  'in-execution',
  'rolled-back',
  'closed',
] as const;

/** A state of a change. */
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

/** Every operation on a change. */
export const CHANGE_OPERATIONS = [
  'edit',
  'submit',
  'withdraw',
  'approve',
  'approve-with-conditions',
  'reject',
  'defer',
  'schedule',
  'break-glass',
  'start-execution',
  'record-snapshot',
  'checkpoint',
  'explain',
  'window-decision',
  'rollback',
  'close',
  'retrospective-review',
  'safety-sign-off',
  'confirm-break-glass',
  'emergency-report',
  'rollback-decision',
  'manual-rollback',
  'post-implementation-review',
  'rollback-proof',
  'tick-item',
] as const;

/** An operation's name. */
export type ChangeOperationType = (typeof CHANGE_OPERATIONS)[number];

/** The submitted request: when, what the policy required then (frozen), and the approvals so far. */
export interface Review {
  submittedAt: string;
  evaluation: ChangeEvaluation;
  approvals: ApprovalRecord[];
}

/** A signed rejection or deferral. */
export interface DecisionRecord {
  by: PersonRef;
  role: string;
  at: string;
  reason: string;
}

/** The slot a change is booked into. */
export interface ScheduledSlot {
  start: string;
  end: string;
  by: PersonRef;
  at: string;
  overrides: OverrideRecord[];
}

interface ChangeCommon {
  id: string;
  /** The plant's change number ("CR-0007"), given when the change is filed (absent on changes filed before numbers existed). */
  number?: string;
  requester: PersonRef;
  createdAt: string;
  fields: ChangeRequestFields;
  /** The change this one follows up (a rollback or corrective change opened by a rejecting retrospective review). */
  followUpOf?: { changeId: string; number: string; kind: FollowUpKind };
}

interface Approved {
  review: Review;
  approvedAt: string;
  /** Every condition attached by an approval with conditions (empty: approved without conditions). */
  conditions: string[];
}

interface Executed {
  review: Review;
  /** Null when the work started under break-glass before approval. */
  approvedAt: string | null;
  conditions: string[];
  slot: ScheduledSlot | null;
  execution: Execution;
}

/** A change request in one of its states. */
export type ChangeState =
  | (ChangeCommon & { status: 'draft'; review: null })
  | (ChangeCommon & { status: 'submitted'; review: Review })
  | (ChangeCommon & Approved & { status: 'approved' })
  | (ChangeCommon & { status: 'rejected'; review: Review; decision: DecisionRecord })
  | (ChangeCommon & { status: 'deferred'; review: Review; decision: DecisionRecord })
  | (ChangeCommon & {
      status: 'withdrawn';
      review: Review | null;
      withdrawal: { by: PersonRef; at: string; reason: string; from: ChangeStatus };
    })
  | (ChangeCommon & Approved & { status: 'scheduled'; slot: ScheduledSlot })
  | (ChangeCommon & Executed & { status: 'in-execution' })
  | (ChangeCommon & Executed & { status: 'rolled-back'; rollback: RollbackRecord })
  | (ChangeCommon &
      Executed & {
        status: 'closed';
        rollback: RollbackRecord | null;
        closure: { by: PersonRef; at: string; outcome: 'completed' | 'rolled-back'; comment: string };
        postImplementationReview?: PostImplementationReviewRecord;
      });

/** A signature allowing work outside a window or inside a blackout (the signer must hold `role`). */
export interface OverrideSignature {
  by: Participant;
  role: string;
  rule: 'outside-window' | 'blackout';
  blackout?: string;
  reason: string;
}

/** An operation on a change, with who does it and what it needs. */
export type ChangeOperation =
  | { type: 'edit'; by: Participant; fields: Partial<ChangeRequestFields> }
  | { type: 'submit'; by: Participant }
  | { type: 'withdraw'; by: Participant; reason: string }
  | { type: 'approve'; by: Participant; role: string; comment?: string; diffReviewed?: boolean }
  | { type: 'approve-with-conditions'; by: Participant; role: string; conditions: string[]; comment?: string; diffReviewed?: boolean }
  | { type: 'reject'; by: Participant; role: string; reason: string }
  | { type: 'defer'; by: Participant; role: string; reason: string }
  | { type: 'schedule'; by: Participant; start: string; end: string; overrides?: OverrideSignature[] }
  | {
      type: 'break-glass';
      by: Participant;
      approver: { id?: string; name: string; role: string; roles?: string[] };
      method: BreakGlassMethod;
      reason: string;
      /** Whether the approver signed with their own password now (false or absent: their signature is owed). */
      approverSigned?: boolean;
      witness?: Participant;
      overrides?: OverrideSignature[];
    }
  | {
      type: 'start-execution';
      by: Participant;
      witness?: Participant;
      conditionsMet?: boolean;
      stagingRecord?: string;
      overrides?: OverrideSignature[];
    }
  | {
      type: 'record-snapshot';
      by: Participant;
      phase: 'before' | 'after';
      controllerId: string;
      snapshot: { sha256: string; capturedBy: string; capturedAt: string };
      verification: ExecutionVerification | null;
    }
  | {
      type: 'checkpoint';
      by: Participant;
      role: string;
      checkpoint: string;
      decision: string;
      confirmed: string[];
      comment?: string;
      notes?: { item: string; note: string }[];
    }
  | { type: 'tick-item'; by: Participant; template: string; item: string; ticked: boolean; note?: string; attachments?: AttachmentRef[] }
  | {
      type: 'explain';
      by: Participant;
      countersigner: Participant;
      role: string;
      explanations: { controllerId: string; tag: string; text: string }[];
    }
  | { type: 'window-decision'; by: Participant; role: string; decision: WindowDecision; comment: string }
  | { type: 'rollback'; by: Participant; reason: string }
  | { type: 'close'; by: Participant; comment?: string }
  | {
      type: 'retrospective-review';
      by: Participant;
      role: string;
      comment: string;
      /** Absent: accept. A rejection names its follow-up; the service gives the new change's id for a corrective change. */
      verdict?: 'accept' | 'reject';
      followUp?: FollowUpKind;
      followUpChangeId?: string;
    }
  | { type: 'safety-sign-off'; by: Participant; role: string; confirmed: string[]; comment?: string }
  | { type: 'confirm-break-glass'; by: Participant }
  | {
      type: 'emergency-report';
      by: Participant;
      rootCause: string;
      contributingFactors?: string;
      lessonsLearned: string;
      permanentFix: string;
    }
  | {
      type: 'rollback-decision';
      by: Participant;
      answers: { safetyImpact: boolean; productionCritical: boolean; workaroundAvailable: boolean };
      comment?: string;
    }
  | {
      type: 'manual-rollback';
      by: Participant;
      controllerId: string;
      kind: 'logic' | 'firmware' | 'other';
      reference: string;
      confirmed: string[];
    }
  | {
      type: 'rollback-proof';
      by: Participant;
      controllerId: string;
      snapshot: { sha256: string; capturedBy: string; capturedAt: string };
      beforeSnapshotSha256: string;
      differences: { tag: string; reason: string }[];
      total: number;
    }
  | {
      type: 'post-implementation-review';
      by: Participant;
      role: string;
      objectivesMet: boolean;
      findings: string;
      lessonsLearned: string;
      baselines: { controllerId: string; snapshotSha256: string }[];
    };

/** A new draft. */
export function newChange(id: string, requester: PersonRef, fields: ChangeRequestFields, now: Date, number?: string): ChangeState {
  return {
    id,
    ...(number ? { number } : {}),
    requester: { id: requester.id, name: requester.name },
    createdAt: now.toISOString(),
    fields,
    status: 'draft',
    review: null,
  };
}

/** "CR-0007": the change number a plant gives in filing order. */
export function formatChangeNumber(n: number): string {
  return `CR-${String(n).padStart(4, '0')}`;
}

/** The sequence number inside "CR-0007" (7), or null for anything else. */
export function parseChangeNumber(text: string | null | undefined): number | null {
  const m = /^CR-(\d+)$/.exec(text ?? '');
  return m ? Number(m[1]) : null;
}

/** How people name a change: its number, or for a change filed before numbers existed the start of its id. */
export function changeNumber(state: { id: string; number?: string | undefined }): string {
  return state.number ?? `#${state.id.slice(0, 8)}`;
}

/** 'Change CR-0007 "Raise filler speed"': the same, opening a sentence. */
export function changeNameStart(state: Parameters<typeof changeName>[0]): string {
  const name = changeName(state);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** 'change CR-0007 "Raise filler speed"': the change named by number and title, for messages. */
export function changeName(state: { id: string; number?: string | undefined; fields?: { title: string } }): string {
  const title = state.fields?.title.trim() ?? '';
  return `change ${changeNumber(state)}${title ? ` "${title}"` : ''}`;
}

/** How the UI names a state: "approved with conditions" is an approved change with conditions. */
export function statusLabel(state: ChangeState): string {
  if ((state.status === 'approved' || state.status === 'scheduled') && state.conditions.length > 0)
    return `${state.status} (with conditions)`;
  if (state.status === 'in-execution' && state.execution.breakGlass !== null) return 'in execution (break-glass)';
  return state.status.replace('-', ' ');
}

/** The approvals so far against what the policy required at submission (null before submission). */
export function approvalProgressOf(state: ChangeState, roleLabel?: (role: string) => string): ApprovalProgress | null {
  if (state.review === null) return null;
  const e = state.review.evaluation;
  return countApprovals(e.approvals, state.review.approvals, e.dualControl.required, roleLabel);
}
