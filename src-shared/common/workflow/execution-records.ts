/**
 * The records an executing change keeps (ARCHITECTURE §6): how the work started (overrides, break-glass, the
 * retrospective review it owes), the snapshots recorded before and after with their verification, the
 * explanations of unforeseen rows, the safety sign-off, the emergency report, the rollback decision matrix's
 * answers, manual rollbacks, the window decision and the post-implementation review. Each is signed by the
 * person it names. change-state.ts composes them into the change's states.
 */
import type { ApprovalRecord } from './approval-progress.ts';
import type { ApprovalRequirement } from './change-evaluation.ts';
import type { CheckpointRecord } from './checkpoints.ts';
import type { TickRecord } from './checklists.ts';
import type { RollbackProofRecord } from './rollback-proof-record.ts';
import type { PersonRef } from './workflow-terms.ts';

/** How a break-glass approval was given (the change guide's "approval method"). */
export const BREAK_GLASS_METHODS = ['in-person', 'phone', 'radio'] as const;

/** How a break-glass approval was given. */
export type BreakGlassMethod = (typeof BREAK_GLASS_METHODS)[number];

/** How each method reads after "approved" ("approved in person", "approved by phone"). */
export const BREAK_GLASS_METHOD_WORDS: Readonly<Record<BreakGlassMethod, string>> = {
  'in-person': 'in person',
  phone: 'by phone',
  radio: 'by radio',
};

/** The words for a recorded method (a method this version does not know reads as itself). */
export function breakGlassMethodWords(method: string): string {
  return (BREAK_GLASS_METHOD_WORDS as Readonly<Record<string, string>>)[method] ?? `by ${method}`;
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
