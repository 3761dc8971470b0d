/**
 * The API contract's change part (one file per domain; contract.ts joins them into OPERATIONS).
 * Change requests: the register, the editor's live evaluation, the detail, every signed action, restores.
 */
import * as z from 'zod';
import { ChangeRequestFieldsSchema } from '../workflow/change-request.ts';
import type { ProposalView } from '../diff/proposal-view.ts';
import type { ApprovalProgress } from '../workflow/approval-progress.ts';
import { SignedActionSchema } from '../workflow/signed-actions.ts';
import type { ChangeEvaluation, RequestEvaluation } from '../workflow/change-evaluation.ts';
import type { ChangeState } from '../workflow/change-state.ts';
import type { ApprovalTimeoutStatus, RetrospectiveStatus } from '../workflow/change-deadlines.ts';
import type { Checkpoint, CheckpointRecord } from '../workflow/checkpoints.ts';
import { Empty, Password } from './contract-primitives.ts';
import { SnapshotViewSchema } from './snapshot-contract.ts';

/** One value a restore writes. */
export const RestoreWriteSchema = z.object({ tag: z.string().min(1), value: z.union([z.number(), z.boolean(), z.string()]) }).strict();

/** What a restore of a rolled-back change would write (nothing is written by the preview). */
export interface RestorePreviewView {
  controllerId: string;
  controller: string;
  beforeSnapshotSha256: string;
  captureSha256: string;
  writes: { tag: string; now: string; restoreTo: string; value: number | boolean | string; safety: boolean }[];
  manual: { tag: string; now: string; before: string; why: string }[];
}

/** What a restore wrote, read back, and whether the controller now matches the before-snapshot. */
export interface RestoreOutcomeView {
  result: {
    complete: boolean;
    outcomes: {
      tag: string;
      status: 'written-verified' | 'write-failed' | 'readback-mismatch' | 'not-attempted';
      expectedRaw: string;
      readBackRaw: string | null;
      error?: string;
    }[];
  };
  captureSha256: string;
  matchesBefore: boolean;
  remaining: { tag: string; now: string; before: string }[];
}

/** The checkpoints of an executed change, as the change detail shows them. */
export interface CheckpointView {
  signerRoles: string[];
  checkpoints: Checkpoint[];
  records: CheckpointRecord[];
  /** The id of the checkpoint due next (null: none is open). */
  next: string | null;
  /** Whether the change may be closed as completed. */
  closable: boolean;
}

/** The change operations: name -> request and response schemas. */
export const CHANGE_OPERATIONS = {
  'changes.list': {
    request: Empty,
    response: z.object({
      changes: z.array(
        z.object({
          id: z.string(),
          number: z.string(),
          status: z.string(),
          /** The state as the change's detail names it ("in execution (break-glass)"). */
          statusLabel: z.string(),
          outcome: z.string().nullable(),
          title: z.string(),
          class: z.string().nullable(),
          requester: z.string(),
          people: z.array(z.string()),
          lines: z.array(z.string()),
          createdAt: z.string(),
          updatedAt: z.string(),
        }),
      ),
    }),
  },
  'changes.evaluate': {
    request: z.object({ fields: ChangeRequestFieldsSchema }).strict(),
    response: z.custom<RequestEvaluation>(),
  },
  'changes.create': {
    request: z.object({ requesterId: z.string().min(1), fields: ChangeRequestFieldsSchema }).strict(),
    response: z.object({ id: z.string() }),
  },
  'changes.edit': {
    request: z.object({ id: z.string().min(1), employeeId: z.string().min(1), fields: ChangeRequestFieldsSchema }).strict(),
    response: z.object({ status: z.string() }),
  },
  'changes.get': {
    request: z.object({ id: z.string().min(1) }).strict(),
    response: z.object({
      state: z.custom<ChangeState>(),
      statusLabel: z.string(),
      allowed: z.array(z.string()),
      progress: z.custom<ApprovalProgress | null>(),
      outstanding: z.array(z.string()),
      approvalTimeout: z.custom<ApprovalTimeoutStatus>(),
      retrospective: z.custom<RetrospectiveStatus>(),
      timeline: z.array(
        z.object({ at: z.string(), operation: z.string(), by: z.string(), summary: z.string(), signed: z.boolean(), seq: z.number() }),
      ),
      /** The go/no-go checkpoints of an executed change: the set, the decisions signed, the one due next. Null before execution. */
      checkpoints: z.custom<CheckpointView | null>(),
      /** Why the checkpoints cannot be shown (the checkpoint file is missing or malformed); null when they can. */
      checkpointsError: z.string().nullable(),
      /** How the change ended: completed, rolled back, rolled back and restored, failed (null while it is going on). */
      outcome: z.string().nullable(),
      /** Restores of the rolled-back change's controllers: the decision, the writes, the proof. */
      restores: z.array(
        z.object({
          controllerId: z.string(),
          decisionId: z.string(),
          authorizedBy: z.string(),
          authorizedAt: z.string(),
          reason: z.string(),
          writes: z.number(),
          /** When writing started; each value written so far (journalled one by one); whether the writing never reported its end (the app stopped mid-restore), and then the value that was being written. */
          startedAt: z.string().nullable(),
          steps: z.array(
            z.object({ tag: z.string(), status: z.enum(['written-verified', 'write-failed', 'readback-mismatch']), at: z.string() }),
          ),
          interrupted: z.boolean(),
          inFlight: z.string().nullable(),
          written: z.object({ verified: z.number(), failed: z.number(), complete: z.boolean(), at: z.string() }).nullable(),
          verified: z.object({ matchesBefore: z.boolean(), remaining: z.number(), at: z.string() }).nullable(),
        }),
      ),
      /** The proposed tag values as a diff against the controller as it is now (null: no proposed diff). */
      proposal: z.custom<ProposalView | null>(),
      /** What the policy requires of the change: frozen at submit, else evaluated now (null: no class chosen yet). */
      evaluation: z.custom<ChangeEvaluation | null>(),
      /** Whether `evaluation` is the one frozen at submit (true) or a live one for a request not yet submitted. */
      evaluationFrozen: z.boolean(),
      /** The required fields the request still lacks, by their labels (empty once complete). */
      missingFields: z.array(z.string()),
      /** The target controllers with their signed snapshots (newest first), to record as before- or after-snapshots. */
      targets: z.array(
        z.object({
          controllerId: z.string(),
          name: z.string(),
          snapshots: z.array(SnapshotViewSchema),
          baseline: z.object({ version: z.number(), snapshotSha256: z.string() }).nullable(),
        }),
      ),
    }),
  },
  'changes.act': {
    // every signed action is declared once, in src-shared/common/workflow/signed-actions.ts
    request: z
      .object({
        id: z.string().min(1),
        employeeId: z.string().min(1),
        password: Password,
        action: SignedActionSchema,
      })
      .strict(),
    response: z.object({ status: z.string() }),
  },
  'changes.approveBaseline': {
    request: z
      .object({ changeId: z.string().min(1), controllerId: z.string().min(1), employeeId: z.string().min(1), password: Password })
      .strict(),
    response: z.object({ version: z.number() }),
  },
  'restore.preview': {
    request: z.object({ changeId: z.string().min(1), controllerId: z.string().min(1) }).strict(),
    response: z.custom<RestorePreviewView>(),
  },
  'restore.authorize': {
    request: z
      .object({
        changeId: z.string().min(1),
        controllerId: z.string().min(1),
        writes: z.array(RestoreWriteSchema).min(1).max(10_000),
        reason: z.string().max(2000),
        employeeId: z.string().min(1),
        password: Password,
      })
      .strict(),
    response: z.object({ decisionId: z.string() }),
  },
  'restore.run': {
    request: z
      .object({
        changeId: z.string().min(1),
        controllerId: z.string().min(1),
        writes: z.array(RestoreWriteSchema).min(1).max(10_000),
        decisionId: z.string().min(1),
        confirmation: z.string().max(200),
        /** The capture the confirmed preview read (`captureSha256`): the controller must still hold what it showed. */
        previewCaptureSha256: z.string().regex(/^[0-9a-f]{64}$/, 'the captureSha256 of the preview'),
      })
      .strict(),
    response: z.custom<RestoreOutcomeView>(),
  },
  'changes.windows': {
    request: Empty,
    response: z.object({
      windows: z.array(
        z.object({
          id: z.string(),
          number: z.string(),
          title: z.string(),
          status: z.string(),
          start: z.string(),
          end: z.string(),
          lines: z.array(z.string()),
        }),
      ),
    }),
  },
} as const;
