/**
 * The states of a change request (ARCHITECTURE §6) as one tagged union, the operations on it, and the facts
 * derived from a state at a given time (approval progress, approval timeout, retrospective review due or
 * overdue). Every transition is decided in change-transition.ts; this module only describes.
 *
 *   draft -> submitted -> approved -> scheduled -> in-execution -> closed (after the last checkpoint's CLOSE)
 *                      -> rejected                              -> rolled-back -> closed (rollback, ROLLBACK, NO-GO)
 *                      -> deferred -> draft / submitted
 *   draft, submitted -> in-execution (emergency break-glass; retrospective review due within 24 h)
 *   draft, submitted, deferred, approved, scheduled -> withdrawn
 */
import { countApprovals, type ApprovalProgress, type ApprovalRecord } from './approval-progress.ts';
import type { ChangeRequestFields } from './change-request.ts';
import type { ApprovalRequirement, ChangeEvaluation } from './change-evaluation.ts';
import type { Participant, PersonRef } from './workflow-terms.ts';
import type { CheckpointRecord } from './checkpoints.ts';
import type { AttachmentRef, TickRecord } from './checklists.ts';
import type { RollbackProofRecord } from './rollback-proof-record.ts';

/** Every state a change can be in. */
export const CHANGE_STATUSES = [
  'draft', 'submitted', 'approved', 'rejected', 'deferred', 'withdrawn', 'scheduled', 'in-execution', 'rolled-back', 'closed',
] as const;

/** A state of a change. */
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

/** Every operation on a change. */
export const CHANGE_OPERATIONS = [
  'edit', 'submit', 'withdraw', 'approve', 'approve-with-conditions', 'reject', 'defer', 'schedule', 'break-glass',
  'start-execution', 'record-snapshot', 'checkpoint', 'explain', 'window-decision', 'rollback', 'close', 'retrospective-review',
  'safety-sign-off', 'confirm-break-glass', 'emergency-report', 'rollback-decision', 'manual-rollback', 'post-implementation-review', 'rollback-proof', 'tick-item',
] as const;

/** An operation's name. */
export type ChangeOperationType = (typeof CHANGE_OPERATIONS)[number];

/** How a break-glass approval was given (the change guide's "approval method"). */
export const BREAK_GLASS_METHODS = ['in-person', 'phone', 'radio'] as const;

/** How a break-glass approval was given. */
export type BreakGlassMethod = (typeof BREAK_GLASS_METHODS)[number];

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

/** A signed override of a window or blackout rule. */
export interface OverrideRecord {
  by: PersonRef;
  role: string;
  rule: 'outside-window' | 'blackout';
  /** The blackout's name (rule `blackout`), else null. */
  blackout: string | null;
  reason: string;
  at: string;
}

/** The slot a change is booked into. */
export interface ScheduledSlot {
  start: string;
  end: string;
  by: PersonRef;
  at: string;
  overrides: OverrideRecord[];
}

/** The recorded break-glass approval that let an emergency change start before approval. */
export interface BreakGlassRecord {
  approver: { id: string | null; name: string; role: string };
  /**
   * When the approver signed with their own password: at break-glass on this laptop, or later (confirm-break-glass,
   * possibly on another laptop and synced); null while their signature is owed. Absent on records from before approvers signed.
   */
  approverSignedAt?: string | null;
  method: BreakGlassMethod;
  reason: string;
  at: string;
  recordedBy: PersonRef;
}

/** The retrospective review a break-glass execution owes. */
export interface Retrospective {
  dueAt: string;
  requirements: ApprovalRequirement[];
  reviews: ApprovalRecord[];
  completedAt: string | null;
  /** A review that rejected the emergency work, and the follow-up it opened (absent: not rejected). */
  rejection?: RetrospectiveRejection;
}

/** A rejecting retrospective review: who, why, and the follow-up it opened (a rollback or a corrective change). */
export interface RetrospectiveRejection {
  by: PersonRef;
  role: string;
  at: string;
  reason: string;
  followUp: { kind: FollowUpKind; changeId: string | null };
}

/** What a rejected emergency change is followed by. */
export type FollowUpKind = 'rollback' | 'corrective-change';

/** Who started the work, when, and under which permissions. */
export interface Execution {
  startedAt: string;
  executor: PersonRef;
  /** The second person under dual control (null when not required). */
  witness: PersonRef | null;
  /** The staging validation record the start referred to (null when staging was not required). */
  stagingRecord: string | null;
  overrides: OverrideRecord[];
  breakGlass: BreakGlassRecord | null;
  retrospective: Retrospective | null;
  /** Go/no-go checkpoint decisions, in the order signed (absent in changes executed before checkpoints existed). */
  checkpoints?: CheckpointRecord[];
  /** Ticks of the checklist templates' items (note, attachments, by whom, when), in the order recorded (absent: none yet). */
  ticks?: TickRecord[];
  /** Signed before- and after-snapshots of the target controllers, in the order recorded (a later one of the same phase and controller supersedes). */
  snapshots?: SnapshotRecord[];
  /** Explanations of after-diff rows the proposal did not foresee (unexpected or missing), signed by the engineer and countersigned by a supervisor. */
  explanations?: ExplanationRecord[];
  /** The safety manager's sign-off of the post-change safety checklist (safety-critical changes; before CLOSE). */
  safetySignOff?: SafetySignOffRecord;
  /** The emergency report of a break-glass change (root cause, lessons learned, permanent fix). */
  emergencyReport?: EmergencyReportRecord;
  /** Answers to the change guide's rollback decision matrix, each signed, in order. */
  rollbackDecisions?: RollbackDecisionRecord[];
  /** Guided manual rollbacks of what cannot be written over the wire (logic, firmware), each signed. */
  manualRollbacks?: ManualRollbackRecord[];
  /** The decision signed when the change window ended with the work still going on (absent until then). */
  windowDecision?: WindowDecisionRecord;
}

/** A signed sign-off of the post-change safety checklist, for the after-snapshots it was given on. */
export interface SafetySignOffRecord {
  by: PersonRef;
  role: string;
  at: string;
  items: { text: string; confirmed: boolean }[];
  comment: string;
  /** The after-snapshots signed off (a later after-snapshot needs a new sign-off). */
  afterSnapshots: string[];
}

/** The emergency change report the change guide asks for within 24 hours. */
export interface EmergencyReportRecord {
  by: PersonRef;
  at: string;
  rootCause: string;
  contributingFactors: string;
  lessonsLearned: string;
  /** The permanent fix: a change number or ticket, or why none is needed. */
  permanentFix: string;
}

/** One walk through the rollback decision matrix: the answers, the time left, and what the matrix says. */
export interface RollbackDecisionRecord {
  by: PersonRef;
  at: string;
  answers: { safetyImpact: boolean; productionCritical: boolean; workaroundAvailable: boolean };
  /** Minutes left in the slot when answered (null: no slot, as under break-glass). */
  minutesLeft: number | null;
  outcome: string;
  comment: string;
}

/** A signed manual rollback of a controller's logic or firmware, done with the vendor's tool. */
export interface ManualRollbackRecord {
  controllerId: string;
  kind: 'logic' | 'firmware' | 'other';
  /** The backup or vendor file written back. */
  reference: string;
  steps: { text: string; confirmed: boolean }[];
  by: PersonRef;
  at: string;
  /** The re-capture that proves the rollback (rollback-proof.ts); absent until the controller was read again. */
  proof?: RollbackProofRecord;
}

/** The post-implementation review: findings, and the after-snapshots it approved as the new baselines. */
export interface PostImplementationReviewRecord {
  by: PersonRef;
  role: string;
  at: string;
  objectivesMet: boolean;
  findings: string;
  lessonsLearned: string;
  baselines: { controllerId: string; snapshotSha256: string }[];
}

/** The decisions the app asks for at the end of the window. */
export const WINDOW_DECISIONS = ['complete', 'rollback'] as const;

/** Complete the work after the window (recorded, checkpoints continue), or roll the change back. */
export type WindowDecision = (typeof WINDOW_DECISIONS)[number];

/** The signed decision taken when the change window ended with the work still going on. */
export interface WindowDecisionRecord {
  decision: WindowDecision;
  by: { id: string; name: string };
  role: string;
  at: string;
  /** When the slot ended (what the decision answered). */
  windowEnd: string;
  comment: string;
}

/** One explained row of an after-snapshot's comparison with the proposed diff. */
export interface ExplanationRecord {
  controllerId: string;
  /** The after-snapshot whose row is explained (a new after-snapshot needs its own explanations). */
  snapshotSha256: string;
  tag: string;
  status: 'unexpected' | 'missing';
  text: string;
  by: PersonRef;
  countersignedBy: PersonRef;
  at: string;
}

/** A row of the latest after-snapshot of a target controller that is unexpected or missing and not yet explained. */
export interface UnexplainedRow {
  controllerId: string;
  snapshotSha256: string;
  tag: string;
  status: 'unexpected' | 'missing';
  reason: string;
}

/**
 * The rows that block CLOSE: of each target controller's latest after-snapshot, the unexpected and missing findings
 * without an explanation for that snapshot; `unlisted` counts rows beyond the findings kept on the record (over 50).
 */
export function unexplainedRows(execution: Execution, targets: readonly string[]): { rows: UnexplainedRow[]; unlisted: number } {
  const rows: UnexplainedRow[] = [];
  let unlisted = 0;
  const explained = execution.explanations ?? [];
  for (const controllerId of targets) {
    const after = (execution.snapshots ?? []).filter((x) => x.phase === 'after' && x.controllerId === controllerId).at(-1);
    const v = after?.verification;
    if (!after || !v) continue;
    const listed = v.findings.filter((f): f is typeof f & { status: 'unexpected' | 'missing' } => f.status !== 'approved');
    unlisted += Math.max(0, v.counts.unexpected + v.counts.missing - listed.length);
    for (const f of listed) {
      if (!explained.some((e) => e.controllerId === controllerId && e.snapshotSha256 === after.snapshotSha256 && e.tag === f.tag)) {
        rows.push({ controllerId, snapshotSha256: after.snapshotSha256, tag: f.tag, status: f.status, reason: f.reason });
      }
    }
  }
  return { rows, unlisted };
}

/** What an after-snapshot shows against the before-snapshot and the proposed change (proposed-diff.ts). */
export interface ExecutionVerification {
  /** The proposal compared: the request's proposed diff for this controller, or none (a work instruction, or another controller). */
  proposal: 'diff' | 'none';
  /** Every configuration difference was proposed and every proposed change happened. */
  matches: boolean;
  counts: { approved: number; unexpected: number; missing: number };
  /** Unexpected and missing findings first, then approved ones; at most 50. */
  findings: { tag: string; status: 'approved' | 'unexpected' | 'missing'; reason: string }[];
  configDifferences: number;
}

/** A signed snapshot recorded on the change as its controller's state before or after the work. */
export interface SnapshotRecord {
  phase: 'before' | 'after';
  controllerId: string;
  snapshotSha256: string;
  /** Who signed the snapshot "captured by", and when. */
  capturedBy: string;
  capturedAt: string;
  by: PersonRef;
  at: string;
  /** For an after-snapshot: the comparison with the before-snapshot and the proposal (null for a before-snapshot). */
  verification: ExecutionVerification | null;
}

/** A rollback: who, when, why. */
export interface RollbackRecord {
  by: PersonRef;
  at: string;
  reason: string;
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
  | (ChangeCommon & { status: 'withdrawn'; review: Review | null; withdrawal: { by: PersonRef; at: string; reason: string; from: ChangeStatus } })
  | (ChangeCommon & Approved & { status: 'scheduled'; slot: ScheduledSlot })
  | (ChangeCommon & Executed & { status: 'in-execution' })
  | (ChangeCommon & Executed & { status: 'rolled-back'; rollback: RollbackRecord })
  | (ChangeCommon & Executed & { status: 'closed'; rollback: RollbackRecord | null; closure: { by: PersonRef; at: string; outcome: 'completed' | 'rolled-back'; comment: string }; postImplementationReview?: PostImplementationReviewRecord });

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
    type: 'break-glass'; by: Participant; approver: { id?: string; name: string; role: string; roles?: string[] }; method: BreakGlassMethod; reason: string;
    /** Whether the approver signed with their own password now (false or absent: their signature is owed). */
    approverSigned?: boolean;
    witness?: Participant; overrides?: OverrideSignature[];
  }
  | { type: 'start-execution'; by: Participant; witness?: Participant; conditionsMet?: boolean; stagingRecord?: string; overrides?: OverrideSignature[] }
  | {
    type: 'record-snapshot'; by: Participant; phase: 'before' | 'after'; controllerId: string;
    snapshot: { sha256: string; capturedBy: string; capturedAt: string }; verification: ExecutionVerification | null;
  }
  | { type: 'checkpoint'; by: Participant; role: string; checkpoint: string; decision: string; confirmed: string[]; comment?: string; notes?: { item: string; note: string }[] }
  | { type: 'tick-item'; by: Participant; template: string; item: string; ticked: boolean; note?: string; attachments?: AttachmentRef[] }
  | { type: 'explain'; by: Participant; countersigner: Participant; role: string; explanations: { controllerId: string; tag: string; text: string }[] }
  | { type: 'window-decision'; by: Participant; role: string; decision: WindowDecision; comment: string }
  | { type: 'rollback'; by: Participant; reason: string }
  | { type: 'close'; by: Participant; comment?: string }
  | {
    type: 'retrospective-review'; by: Participant; role: string; comment: string;
    /** Absent: accept. A rejection names its follow-up; the service gives the new change's id for a corrective change. */
    verdict?: 'accept' | 'reject'; followUp?: FollowUpKind; followUpChangeId?: string;
  }
  | { type: 'safety-sign-off'; by: Participant; role: string; confirmed: string[]; comment?: string }
  | { type: 'confirm-break-glass'; by: Participant }
  | { type: 'emergency-report'; by: Participant; rootCause: string; contributingFactors?: string; lessonsLearned: string; permanentFix: string }
  | { type: 'rollback-decision'; by: Participant; answers: { safetyImpact: boolean; productionCritical: boolean; workaroundAvailable: boolean }; comment?: string }
  | { type: 'manual-rollback'; by: Participant; controllerId: string; kind: 'logic' | 'firmware' | 'other'; reference: string; confirmed: string[] }
  | { type: 'rollback-proof'; by: Participant; controllerId: string; snapshot: { sha256: string; capturedBy: string; capturedAt: string }; beforeSnapshotSha256: string; differences: { tag: string; reason: string }[]; total: number }
  | {
    type: 'post-implementation-review'; by: Participant; role: string; objectivesMet: boolean; findings: string; lessonsLearned: string;
    baselines: { controllerId: string; snapshotSha256: string }[];
  };

/** A new draft. */
export function newChange(id: string, requester: PersonRef, fields: ChangeRequestFields, now: Date, number?: string): ChangeState {
  return { id, ...(number ? { number } : {}), requester: { id: requester.id, name: requester.name }, createdAt: now.toISOString(), fields, status: 'draft', review: null };
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
  if ((state.status === 'approved' || state.status === 'scheduled') && state.conditions.length > 0) return `${state.status} (with conditions)`;
  if (state.status === 'in-execution' && state.execution.breakGlass !== null) return 'in execution (break-glass)';
  return state.status.replace('-', ' ');
}

/** The approvals so far against what the policy required at submission (null before submission). */
export function approvalProgressOf(state: ChangeState, roleLabel?: (role: string) => string): ApprovalProgress | null {
  if (state.review === null) return null;
  const e = state.review.evaluation;
  return countApprovals(e.approvals, state.review.approvals, e.dualControl.required, roleLabel);
}

/** Whether approvals are overdue for a submitted change, and whom they escalate to. */
export type ApprovalTimeoutStatus =
  | { status: 'not-waiting' }
  | { status: 'waiting'; dueAt: string; escalateTo: string[] }
  | { status: 'escalated'; dueAt: string; escalateTo: string[]; overdueMinutes: number };

/** The approval timeout of a change at `now` (escalated once the class's timeout has passed since submission). */
export function approvalTimeoutStatus(state: ChangeState, now: Date): ApprovalTimeoutStatus {
  if (state.status !== 'submitted') return { status: 'not-waiting' };
  const t = state.review.evaluation.approvalTimeout;
  const due = Date.parse(state.review.submittedAt) + t.minutes * 60_000;
  const dueAt = new Date(due).toISOString();
  if (now.getTime() < due) return { status: 'waiting', dueAt, escalateTo: t.escalateTo };
  return { status: 'escalated', dueAt, escalateTo: t.escalateTo, overdueMinutes: Math.floor((now.getTime() - due) / 60_000) };
}

/** Where a break-glass change's retrospective review stands at `now`. */
export type RetrospectiveStatus =
  | { status: 'not-required' }
  | { status: 'due'; dueAt: string; minutesLeft: number }
  | { status: 'overdue'; dueAt: string; overdueMinutes: number }
  | { status: 'done'; dueAt: string; completedAt: string; late: boolean };

/** The retrospective review of a change at `now`: due within the policy's time after break-glass, overdue after. */
export function retrospectiveStatus(state: ChangeState, now: Date): RetrospectiveStatus {
  if (state.status !== 'in-execution' && state.status !== 'rolled-back' && state.status !== 'closed') return { status: 'not-required' };
  const r = state.execution.retrospective;
  if (r === null) return { status: 'not-required' };
  const due = Date.parse(r.dueAt);
  if (r.completedAt !== null) return { status: 'done', dueAt: r.dueAt, completedAt: r.completedAt, late: Date.parse(r.completedAt) > due };
  const t = now.getTime();
  if (t <= due) return { status: 'due', dueAt: r.dueAt, minutesLeft: Math.floor((due - t) / 60_000) };
  return { status: 'overdue', dueAt: r.dueAt, overdueMinutes: Math.floor((t - due) / 60_000) };
}

/** Where an execution stands against the end of its slot (ARCHITECTURE §6: warnings at 30 and 15 minutes). */
export type WindowTimer =
  | { status: 'no-slot' }
  | { status: 'running' | 'warn-30' | 'warn-15'; endsAt: string; minutesLeft: number }
  | { status: 'over'; endsAt: string; overMinutes: number };

/** The change-window timer of a change in execution at `now` (a break-glass execution has no slot). */
export function windowTimer(state: ChangeState, now: Date): WindowTimer {
  if (state.status !== 'in-execution' || state.slot === null) return { status: 'no-slot' };
  const end = Date.parse(state.slot.end);
  const ms = end - now.getTime();
  if (ms <= 0) return { status: 'over', endsAt: state.slot.end, overMinutes: Math.floor(-ms / 60_000) };
  const minutesLeft = Math.ceil(ms / 60_000);
  return { status: minutesLeft <= 15 ? 'warn-15' : minutesLeft <= 30 ? 'warn-30' : 'running', endsAt: state.slot.end, minutesLeft };
}
