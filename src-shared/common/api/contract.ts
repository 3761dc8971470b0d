/**
 * The typed API: every operation the renderer (or any client) may call, and every event the main process
 * pushes, declared once. Transports (Electron IPC, loopback WebSocket, in-process) carry exactly these;
 * every request is validated with these schemas at the main-process boundary.
 */
import { z } from 'zod';
import { ActorSchema } from '../journal-event.ts';
import { ControllerTargetSchema } from '../capture/controller-target.ts';
import type { CaptureDocument } from '../capture/capture-document.ts';
import type { DocumentDiff } from '../diff/document-diff.ts';
import { ChangeRequestFieldsSchema } from '../workflow/change-request.ts';
import type { ChangeEvaluation, RequestEvaluation } from '../workflow/change-evaluation.ts';
import type { ProposalView } from '../diff/proposal-view.ts';
import type { ApprovalTimeoutStatus, ChangeState, RetrospectiveStatus } from '../workflow/change-state.ts';
import type { ApprovalProgress } from '../workflow/approval-progress.ts';
import type { LineCalendar } from '../workflow/change-windows.ts';
import type { ErrorData } from '../errors.ts';
import type { Checkpoint, CheckpointRecord } from '../workflow/checkpoints.ts';
import { KPI_OPERATIONS } from './kpi-contract.ts';
import { CHANGE_CAPTURE_OPERATIONS } from './change-capture-contract.ts';

const JsonSchema: z.ZodType<unknown> = z.unknown();

/** Reachability of the central sync server, as the main process sees it. */
export const ConnectivitySchema = z.object({
  state: z.enum(['online', 'offline', 'not-configured']),
  server: z.string().nullable(),
  checkedAt: z.string().nullable(),
  detail: z.string(),
});
/** Reachability of the central sync server. */
export type Connectivity = z.infer<typeof ConnectivitySchema>;

/** Where sync with the central server stands, in words a person understands (the header shows it). */
export const SyncStatusSchema = z.object({
  /** not-enrolled: no server; idle: last sync fine; syncing; offline: server unreachable; refused: the server or this laptop refused something. */
  state: z.enum(['not-enrolled', 'idle', 'syncing', 'offline', 'refused']),
  server: z.string().nullable(),
  /** This laptop's events the server has not acknowledged yet. */
  waiting: z.number().int().nonnegative(),
  acknowledgedSeq: z.number().int().nonnegative(),
  lastAttemptAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastError: z.object({ code: z.string(), message: z.string(), hint: z.string() }).nullable(),
  /** Events sent so far of those waiting when this sync began (null when not syncing). */
  progress: z.object({ sent: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).nullable(),
  /** This laptop's clock minus the server's at the last push (ms); null before the first. */
  clockOffsetMs: z.number().nullable(),
  /** Decisions recorded two ways on laptops that could not see each other, for a person to resolve. */
  conflicts: z.array(z.object({ id: z.string(), kind: z.string(), changeId: z.string().nullable(), title: z.string(), message: z.string(), hint: z.string() })),
});

/** A sync conflict with the records in conflict and its signed resolution (src-shared/common/sync/journal-conflicts.ts). */
export const SyncConflictSchema = z.object({
  id: z.string(),
  kind: z.string(),
  changeId: z.string().nullable(),
  controllerId: z.string().nullable(),
  title: z.string(),
  message: z.string(),
  hint: z.string(),
  records: z.array(z.object({ eventId: z.string(), device: z.string(), seq: z.number(), at: z.string(), by: z.string(), what: z.string() })),
  options: z.array(z.string()),
  resolution: z.object({ eventId: z.string(), device: z.string(), at: z.string(), by: z.string(), decision: z.string(), reason: z.string() }).nullable(),
});
/** Where evidence backup to removable media stands (sync by file, air-gapped plants). */
export const BackupStatusSchema = z.object({
  folder: z.string().nullable(),
  lastBackupAt: z.string().nullable(),
  lastBackupFile: z.string().nullable(),
  /** This laptop's events neither backed up nor acknowledged by the server. */
  notBackedUp: z.number(),
  lastError: z.object({ code: z.string(), message: z.string(), hint: z.string() }).nullable(),
  openableByServer: z.boolean(),
});

/** Where sync stands. */
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

const EventProblemSchema = z.object({
  device: z.string(),
  seq: z.number(),
  kind: z.enum(['unreadable', 'hash-mismatch', 'signature-invalid', 'person-signature-invalid', 'chain-broken', 'seq-gap', 'unknown-device', 'key-mismatch', 'device-uncertified', 'signer-revoked', 'device-revoked']),
  message: z.string(),
});

/** One journal event as the Audit view shows it, with its verification state. */
export const EventViewSchema = z.object({
  rowid: z.number(),
  id: z.string(),
  device: z.string(),
  seq: z.union([z.number(), z.string()]),
  type: z.string(),
  actor: ActorSchema.nullable(),
  at: z.string(),
  hash: z.string(),
  prev: z.string(),
  payload: JsonSchema,
  verification: z.discriminatedUnion('state', [
    z.object({ state: z.literal('verified') }),
    z.object({ state: z.literal('failed'), problems: z.array(EventProblemSchema) }),
  ]),
});
/** One value a restore writes. */
const RestoreWriteSchema = z.object({ tag: z.string().min(1), value: z.union([z.number(), z.boolean(), z.string()]) }).strict();

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
  result: { complete: boolean; outcomes: { tag: string; status: 'written-verified' | 'write-failed' | 'readback-mismatch' | 'not-attempted'; expectedRaw: string; readBackRaw: string | null; error?: string }[] };
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

/** A person on the roster, as the People screen shows and edits it. */
const RosterEntryView = z.object({ employeeId: z.string(), name: z.string(), roles: z.array(z.string()), site: z.string().nullable(), active: z.boolean() }).strict();

/** One journal event as shown to people. */
export type EventView = z.infer<typeof EventViewSchema>;

/** Whole-journal verification result. */
export const VerifyReportSchema = z.object({
  ok: z.boolean(),
  events: z.number(),
  failedEvents: z.number(),
  devices: z.number(),
  firstProblem: EventProblemSchema.nullable(),
  problems: z.array(EventProblemSchema),
  projections: z.array(z.object({ table: z.string(), missing: z.number(), unexpected: z.number(), changed: z.number(), rows: z.array(z.string()) })),
  checkedAt: z.string(),
  summary: z.string(),
});

const Empty = z.object({}).strict();
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash (64 lowercase hex digits)');

/** A stored capture profile. */
export const ProfileViewSchema = z.object({
  sha256: z.string(), name: z.string(), protocol: z.enum(['modbus', 's7', 'logix']), tags: z.number(), importedAt: z.string(),
});
/** A stored capture profile. */
export type ProfileView = z.infer<typeof ProfileViewSchema>;

/** The facts of one recorded capture. */
export const CaptureSummarySchema = z.object({
  captureSha256: z.string(), at: z.string(), complete: z.boolean(), tags: z.number(), good: z.number(), bad: z.number(),
  requests: z.number(), minimumRequests: z.number(), actor: z.string(),
});
/** The facts of one recorded capture. */
export type CaptureSummary = z.infer<typeof CaptureSummarySchema>;

/** A registered controller with its profile and last capture. */
export const ControllerViewSchema = z.object({
  id: z.string(), name: z.string(), description: z.string(), target: ControllerTargetSchema,
  profile: ProfileViewSchema.nullable(), lastCapture: CaptureSummarySchema.nullable(),
});
/** A registered controller. */
export type ControllerView = z.infer<typeof ControllerViewSchema>;

const Password = z.string().min(1).max(1024);

/** The longest profile CSV `profiles.import` accepts, in characters (10 MB); the CLI holds files to the same size. */
export const PROFILE_CSV_MAX_CHARS = 10_000_000;
/** The longest policy, plant or roster file the API accepts, in characters (2 MB). */
export const TEXT_FILE_MAX_CHARS = 2_000_000;

/** The largest evidence pack `evidence.verify` accepts, in bytes (40 MiB; its base64 text, 4 characters per 3 bytes, fits one web host message). */
export const EVIDENCE_PACK_MAX_BYTES = 40 * 1024 * 1024;
/** The same bound as base64 characters. */
export const EVIDENCE_PACK_MAX_BASE64_CHARS = Math.ceil(EVIDENCE_PACK_MAX_BYTES / 3) * 4;

/** The verdict on an evidence pack, as the Audit screen shows it. */
export const PackVerdictViewSchema = z.object({
  ok: z.boolean(), fileName: z.string(), changeId: z.string().nullable(), number: z.string().nullable(), title: z.string().nullable(), status: z.string().nullable(),
  manifestSha256: z.string().nullable(),
  counts: z.object({ members: z.number(), events: z.number(), signatures: z.number(), snapshots: z.number(), approvals: z.number(), checkpoints: z.number() }),
  signers: z.array(z.object({ name: z.string(), employeeId: z.string(), roles: z.array(z.string()), meaning: z.string(), at: z.string() })),
  checks: z.array(z.string()),
  failures: z.array(z.object({ member: z.string(), record: z.string().nullable(), reason: z.string() })),
  trustedCas: z.array(z.string()),
});
/** The verdict on an evidence pack. */
export type PackVerdictView = z.infer<typeof PackVerdictViewSchema>;

/** An override approver's signature: their id, password, role, which rule it overrides and why. */
const OverrideRequestSchema = z.object({
  employeeId: z.string().min(1), password: Password, role: z.string().min(1), rule: z.enum(['outside-window', 'blackout']),
  blackout: z.string().min(1).max(200).optional(), reason: z.string().min(1).max(2000),
}).strict();

/** A person enrolled on this laptop. */
export const PersonViewSchema = z.object({
  fingerprint: z.string(), employeeId: z.string(), name: z.string(), roles: z.array(z.string()), source: z.string(),
  enrolledAt: z.string(), lockedUntil: z.string().nullable(), revoked: z.boolean(),
});
/** A person enrolled on this laptop. */
export type PersonView = z.infer<typeof PersonViewSchema>;

/** A signed snapshot of a controller. */
export const SnapshotViewSchema = z.object({
  sha256: z.string(), controllerId: z.string().nullable(), controller: z.string(), signer: z.string(), at: z.string(),
});
/** A signed snapshot of a controller. */
export type SnapshotView = z.infer<typeof SnapshotViewSchema>;

/** Every operation: name -> request schema, response schema. Names are `domain.verb`. */
export const OPERATIONS = {
  'app.info': {
    request: Empty,
    response: z.object({
      appVersion: z.string(),
      deviceId: z.string(),
      deviceName: z.string(),
      home: z.string(),
      transport: z.enum(['electron', 'web', 'cli', 'in-process']),
      keyProtection: z.enum(['os-keychain', 'passphrase', 'file-permissions']),
      schemaVersion: z.number(),
      /** A demo data directory: every screen says DEMO. */
      demo: z.boolean(),
    }),
  },
  'connectivity.get': { request: Empty, response: ConnectivitySchema },
  'sync.status': { request: Empty, response: SyncStatusSchema },
  'sync.now': { request: Empty, response: SyncStatusSchema },
  'sync.conflicts': {
    request: z.object({ changeId: z.string().optional() }).strict(),
    response: z.object({ conflicts: z.array(SyncConflictSchema) }),
  },
  'sync.resolveConflict': {
    request: z.object({
      conflictId: z.string().min(1),
      decision: z.string().trim().min(1, 'choose or type the decision').max(500),
      reason: z.string().trim().min(10, 'give the reason in a sentence (at least 10 characters)').max(2000),
      employeeId: z.string().min(1, 'choose who signs'),
      password: z.string().min(1, 'type the signer\'s password'),
    }).strict(),
    response: SyncConflictSchema,
  },
  'sync.enrol': {
    request: z.object({
      serverUrl: z.string().trim().url('type the server address as https://host:port'),
      code: z.string().trim().min(4, 'type the enrolment code the administrator gave you').max(64),
      caFingerprint: z.string().trim().toLowerCase().regex(/^[0-9a-f]{64}$/, 'the plant CA fingerprint is 64 hex digits (shown with the code)').nullable().default(null),
    }).strict(),
    response: SyncStatusSchema,
  },
  /** Sync by file (air-gapped plants): this laptop's unacknowledged events and content as an encrypted bundle to carry to the server. */
  'sync.bundle.export': {
    request: Empty,
    response: z.object({ fileName: z.string(), bundleBase64: z.string(), events: z.number(), blobs: z.number() }),
  },
  /** A file from the server: its acknowledgement of a bundle, or a bundle for this laptop (approvals, people, plant). */
  'sync.bundle.import': {
    request: z.object({ fileName: z.string().max(500), fileBase64: z.string() }).strict(),
    response: z.object({ nothingChanged: z.boolean(), message: z.string() }),
  },
  /** Evidence backup: where it goes and where it stands. */
  'sync.backup.status': { request: Empty, response: BackupStatusSchema },
  'sync.backup.setFolder': { request: z.object({ folder: z.string().trim().min(1).max(1000).nullable() }).strict(), response: BackupStatusSchema },
  'journal.list': {
    request: z.object({
      limit: z.number().int().min(1).max(1000).default(200),
      beforeRowid: z.number().int().positive().optional(),
    }).strict(),
    response: z.object({
      total: z.number(),
      events: z.array(EventViewSchema),
      nextBeforeRowid: z.number().nullable(),
    }),
  },
  'journal.verify': { request: Empty, response: VerifyReportSchema },
  'profiles.list': { request: Empty, response: z.object({ profiles: z.array(ProfileViewSchema) }) },
  'profiles.import': {
    request: z.object({
      name: z.string().trim().min(1).max(120),
      protocol: z.enum(['modbus', 's7', 'logix']),
      csv: z.string().max(PROFILE_CSV_MAX_CHARS, 'a profile file may be at most 10 MB'),
    }).strict(),
    response: ProfileViewSchema,
  },
  'profiles.get': {
    request: z.object({ sha256: Sha256 }).strict(),
    response: z.object({
      sha256: z.string(), name: z.string(), protocol: z.enum(['modbus', 's7', 'logix']),
      tags: z.array(z.object({ tag: z.string(), address: z.string(), type: z.string(), class: z.enum(['config', 'live']), safety: z.boolean(), writable: z.boolean(), description: z.string() })),
    }),
  },
  'controllers.setProfile': {
    request: z.object({ controllerId: z.string().min(1), profileSha256: Sha256 }).strict(),
    response: ControllerViewSchema,
  },
  'controllers.list': { request: Empty, response: z.object({ controllers: z.array(ControllerViewSchema) }) },
  'controllers.register': {
    request: z.object({
      name: z.string().trim().min(1).max(120),
      target: ControllerTargetSchema,
      profileSha256: Sha256.nullable(),
    }).strict(),
    response: ControllerViewSchema,
  },
  'controllers.captures': {
    request: z.object({ controllerId: z.string().min(1) }).strict(),
    response: z.object({ captures: z.array(CaptureSummarySchema) }),
  },
  'capture.start': {
    request: z.object({ controllerId: z.string().min(1) }).strict(),
    response: z.object({ captureId: z.string() }),
  },
  'capture.cancel': {
    request: z.object({ captureId: z.string().min(1) }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  'captures.get': {
    request: z.object({ captureSha256: Sha256 }).strict(),
    response: z.custom<CaptureDocument>(),
  },
  'captures.diff': {
    request: z.object({ beforeSha256: Sha256, afterSha256: Sha256, force: z.boolean().default(false) }).strict(),
    response: z.custom<DocumentDiff>(),
  },
  'controllers.browse': {
    request: z.object({ target: ControllerTargetSchema }).strict(),
    response: z.object({ tags: z.array(z.object({ address: z.string(), type: z.string() })), skipped: z.array(z.object({ address: z.string(), reason: z.string() })) }),
  },
  'baselines.get': {
    request: z.object({ controllerId: z.string().min(1) }).strict(),
    response: z.object({
      history: z.array(z.object({ version: z.number(), snapshotSha256: z.string(), approvedBy: z.string(), approvedAt: z.string() })),
      unauthorizedChanges: z.array(z.object({
        id: z.string(), openedAt: z.string(), closedAt: z.string().nullable(), closedBy: z.string().nullable(), explanation: z.string().nullable(),
        differences: z.array(z.object({ tag: z.string(), kind: z.string(), before: z.string(), after: z.string(), safety: z.boolean() })), moreDifferences: z.number(),
      })),
    }),
  },
  'baselines.approve': {
    request: z.object({ controllerId: z.string().min(1), snapshotSha256: Sha256, employeeId: z.string().min(1), password: Password }).strict(),
    response: z.object({ version: z.number() }),
  },
  'drift.check': {
    request: z.object({ controllerId: z.string().min(1) }).strict(),
    response: z.object({ drifted: z.boolean(), configDifferences: z.number(), unauthorizedChangeId: z.string().nullable(), baselineVersion: z.number() }),
  },
  'drift.clocks': {
    request: Empty,
    response: z.object({
      at: z.string(), checkEveryMinutes: z.number(), baselineAfterChangeMinutes: z.number(),
      controllers: z.array(z.object({
        controllerId: z.string(), controller: z.string(), baselineVersion: z.number().nullable(), lastCheckAt: z.string().nullable(),
        dueAt: z.string().nullable(), status: z.enum(['no-baseline', 'ok', 'due']), daysOverdue: z.number(),
      })),
      followUps: z.array(z.object({
        changeId: z.string(), title: z.string(), controllerId: z.string(), controller: z.string(), closedAt: z.string(), dueAt: z.string(),
        afterSnapshotSha256: z.string().nullable(), status: z.enum(['pending', 'overdue']),
      })),
      /** The app's background drift clock: whether it runs here, and its last run. */
      background: z.object({
        running: z.boolean(),
        lastRunAt: z.string().nullable(),
        lastRunChecked: z.number(),
        lastRunProblems: z.array(z.object({ controller: z.string(), message: z.string() })),
      }),
    }),
  },
  'unauthorized.close': {
    request: z.object({ id: z.string().min(1), explanation: z.string().min(1).max(4000), employeeId: z.string().min(1), password: Password }).strict(),
    response: z.object({ closedAt: z.string().nullable() }),
  },
  'policy.get': {
    request: Empty,
    response: z.object({ name: z.string(), revision: z.number(), sha256: z.string(), source: z.string(), adoptedBy: z.string().nullable(), adoptedAt: z.string().nullable(), timeZone: z.string() }),
  },
  'policy.adopt': {
    request: z.object({ yaml: z.string().max(TEXT_FILE_MAX_CHARS), source: z.string().min(1).max(200), employeeId: z.string().min(1), password: Password }).strict(),
    response: z.object({ revision: z.number(), name: z.string() }),
  },
  'plant.get': {
    request: Empty,
    response: z.object({
      sites: z.array(z.object({ id: z.string(), name: z.string() })),
      lines: z.array(z.object({ id: z.string(), name: z.string(), tier: z.number(), site: z.string() })),
      controllerLines: z.record(z.string(), z.string()), safetyControllers: z.array(z.string()),
    }),
  },
  'plant.import': {
    request: z.object({ text: z.string().max(TEXT_FILE_MAX_CHARS), source: z.string().min(1).max(200), employeeId: z.string().min(1), password: Password }).strict(),
    response: z.object({ sites: z.number(), lines: z.number() }),
  },
  'plant.setSite': {
    request: z.object({ site: z.object({ id: z.string(), name: z.string() }).strict(), reason: z.string().max(2000), employeeId: z.string().min(1), password: Password }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'plant.setLine': {
    request: z.object({
      line: z.object({ id: z.string(), name: z.string(), tier: z.number().int(), site: z.string() }).strict(),
      reason: z.string().max(2000), employeeId: z.string().min(1), password: Password,
    }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'plant.removeLine': {
    request: z.object({ lineId: z.string().min(1), reason: z.string().max(2000), employeeId: z.string().min(1), password: Password }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'controllers.setSafety': {
    request: z.object({ controllerId: z.string().min(1), safety: z.boolean(), reason: z.string().max(2000), employeeId: z.string().min(1), password: Password }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'controllers.assignLine': {
    request: z.object({ controllerId: z.string().min(1), lineId: z.string().min(1), reason: z.string().max(2000), employeeId: z.string().min(1), password: Password }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },

  'changes.list': {
    request: Empty,
    response: z.object({ changes: z.array(z.object({ id: z.string(), number: z.string(), status: z.string(), outcome: z.string().nullable(), title: z.string(), class: z.string().nullable(), requester: z.string(), people: z.array(z.string()), lines: z.array(z.string()), createdAt: z.string(), updatedAt: z.string() })) }),
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
      timeline: z.array(z.object({ at: z.string(), operation: z.string(), by: z.string(), summary: z.string(), signed: z.boolean(), seq: z.number() })),
      /** The go/no-go checkpoints of an executed change: the set, the decisions signed, the one due next. Null before execution. */
      checkpoints: z.custom<CheckpointView | null>(),
      /** Why the checkpoints cannot be shown (the checkpoint file is missing or malformed); null when they can. */
      checkpointsError: z.string().nullable(),
      /** How the change ended: completed, rolled back, rolled back and restored, failed (null while it is going on). */
      outcome: z.string().nullable(),
      /** Restores of the rolled-back change's controllers: the decision, the writes, the proof. */
      restores: z.array(z.object({
        controllerId: z.string(), decisionId: z.string(), authorizedBy: z.string(), authorizedAt: z.string(), reason: z.string(), writes: z.number(),
        /** When writing started; each value written so far (journalled one by one); whether the writing never reported its end (the app stopped mid-restore). */
        startedAt: z.string().nullable(),
        steps: z.array(z.object({ tag: z.string(), status: z.enum(['written-verified', 'write-failed', 'readback-mismatch']), at: z.string() })),
        interrupted: z.boolean(),
        inFlight: z.string().nullable(),
        written: z.object({ verified: z.number(), failed: z.number(), complete: z.boolean(), at: z.string() }).nullable(),
        verified: z.object({ matchesBefore: z.boolean(), remaining: z.number(), at: z.string() }).nullable(),
      })),
      /** The proposed tag values as a diff against the controller as it is now (null: no proposed diff). */
      proposal: z.custom<ProposalView | null>(),
      /** What the policy requires of the change: frozen at submit, else evaluated now (null: no class chosen yet). */
      evaluation: z.custom<ChangeEvaluation | null>(),
      /** Whether `evaluation` is the one frozen at submit (true) or a live one for a request not yet submitted. */
      evaluationFrozen: z.boolean(),
      /** The required fields the request still lacks, by their labels (empty once complete). */
      missingFields: z.array(z.string()),
      /** The target controllers with their signed snapshots (newest first), to record as before- or after-snapshots. */
      targets: z.array(z.object({
        controllerId: z.string(), name: z.string(), snapshots: z.array(SnapshotViewSchema),
        baseline: z.object({ version: z.number(), snapshotSha256: z.string() }).nullable(),
      })),
    }),
  },
  'changes.act': {
    // override: the override approver's own signature for work outside a window or inside a blackout
    request: z.object({
      id: z.string().min(1), employeeId: z.string().min(1), password: Password,
      action: z.discriminatedUnion('type', [
        z.object({ type: z.literal('submit') }).strict(),
        z.object({ type: z.literal('withdraw'), reason: z.string().min(1).max(2000) }).strict(),
        z.object({ type: z.literal('approve'), role: z.string().min(1), comment: z.string().max(2000).optional(), diffReviewed: z.boolean().optional() }).strict(),
        z.object({ type: z.literal('approve-with-conditions'), role: z.string().min(1), conditions: z.array(z.string().min(1).max(500)).min(1), comment: z.string().max(2000).optional(), diffReviewed: z.boolean().optional() }).strict(),
        z.object({ type: z.literal('reject'), role: z.string().min(1), reason: z.string().min(1).max(2000) }).strict(),
        z.object({ type: z.literal('defer'), role: z.string().min(1), reason: z.string().min(1).max(2000) }).strict(),
        z.object({ type: z.literal('schedule'), start: z.string().datetime(), end: z.string().datetime(), override: OverrideRequestSchema.optional() }).strict(),
        z.object({ type: z.literal('break-glass'), approverName: z.string().min(1).max(120), approverRole: z.string().min(1), method: z.enum(['in-person', 'phone', 'radio']), reason: z.string().min(1).max(2000) }).strict(),
        z.object({ type: z.literal('start-execution'), stagingRecord: z.string().max(500).optional(), conditionsMet: z.boolean().optional(), witnessEmployeeId: z.string().min(1).optional(), witnessPassword: Password.optional(), override: OverrideRequestSchema.optional() }).strict(),
        z.object({ type: z.literal('record-snapshot'), phase: z.enum(['before', 'after']), controllerId: z.string().min(1), snapshotSha256: Sha256 }).strict(),
        z.object({ type: z.literal('window-decision'), role: z.string().min(1).optional(), decision: z.enum(['complete', 'rollback']), comment: z.string().max(2000) }).strict(),
        z.object({
          type: z.literal('checkpoint'), role: z.string().min(1), checkpoint: z.string().min(1), decision: z.string().min(1),
          confirmed: z.array(z.string().max(300)).max(50), comment: z.string().max(2000).optional(),
          notes: z.array(z.object({ item: z.string().min(1).max(300), note: z.string().max(2000) }).strict()).max(50).optional(),
        }).strict(),
        z.object({
          type: z.literal('explain'), explanations: z.array(z.object({ controllerId: z.string().min(1), tag: z.string().min(1).max(300), text: z.string().max(2000) }).strict()).min(1).max(50),
          supervisorEmployeeId: z.string().min(1), supervisorPassword: Password, supervisorRole: z.string().min(1).optional(),
        }).strict(),
        z.object({ type: z.literal('rollback'), reason: z.string().min(1).max(2000) }).strict(),
        z.object({ type: z.literal('close'), comment: z.string().max(2000).optional() }).strict(),
        z.object({ type: z.literal('retrospective-review'), role: z.string().min(1), comment: z.string().min(1).max(2000) }).strict(),
      ]),
    }).strict(),
    response: z.object({ status: z.string() }),
  },
  'changes.approveBaseline': {
    request: z.object({ changeId: z.string().min(1), controllerId: z.string().min(1), employeeId: z.string().min(1), password: Password }).strict(),
    response: z.object({ version: z.number() }),
  },
  'restore.preview': {
    request: z.object({ changeId: z.string().min(1), controllerId: z.string().min(1) }).strict(),
    response: z.custom<RestorePreviewView>(),
  },
  'restore.authorize': {
    request: z.object({
      changeId: z.string().min(1), controllerId: z.string().min(1), writes: z.array(RestoreWriteSchema).min(1).max(10_000), reason: z.string().max(2000), employeeId: z.string().min(1), password: Password,
    }).strict(),
    response: z.object({ decisionId: z.string() }),
  },
  'restore.run': {
    request: z.object({
      changeId: z.string().min(1), controllerId: z.string().min(1), writes: z.array(RestoreWriteSchema).min(1).max(10_000), decisionId: z.string().min(1), confirmation: z.string().max(200),
    }).strict(),
    response: z.custom<RestoreOutcomeView>(),
  },
  'changes.windows': {
    request: Empty,
    response: z.object({ windows: z.array(z.object({ id: z.string(), title: z.string(), status: z.string(), start: z.string(), end: z.string(), lines: z.array(z.string()) })) }),
  },
  'windows.calendar': {
    request: z.object({ from: z.string().datetime(), days: z.number().int().min(1).max(62).default(7) }).strict(),
    response: z.object({ timeZone: z.string(), lines: z.custom<LineCalendar[]>() }),
  },
  'people.list': {
    request: Empty,
    response: z.object({
      people: z.array(PersonViewSchema), cas: z.array(z.object({ fingerprint: z.string(), name: z.string(), source: z.string() })), hasLocalCa: z.boolean(),
      /** The plant's roles (the roster's vocabulary), with their labels. */
      roles: z.array(z.object({ id: z.string(), label: z.string() })),
      /** Which roles may give each signature outside the change workflow (the change workflow's come with the change). */
      signatureRoles: z.object({ baseline: z.array(z.string()), plantEngineering: z.array(z.string()), restore: z.array(z.string()) }),
      roster: z.array(RosterEntryView),
      sites: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
  },
  'people.importRoster': {
    request: z.object({ text: z.string().max(TEXT_FILE_MAX_CHARS), source: z.string().min(1).max(200), employeeId: z.string().min(1), password: Password }).strict(),
    response: z.object({ people: z.number() }),
  },
  'people.setRosterEntry': {
    request: z.object({ entry: RosterEntryView, reason: z.string().max(2000), employeeId: z.string().min(1), password: Password }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'people.revoke': {
    request: z.object({ employeeId: z.string().min(1), reason: z.string().trim().min(1, 'say why, for the record').max(2000), caPassword: Password }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'people.createCa': {
    request: z.object({ name: z.string().trim().min(1).max(120), caPassword: Password }).strict(),
    response: z.object({ fingerprint: z.string() }),
  },
  'people.enrol': {
    request: z.object({
      name: z.string().trim().min(1).max(120),
      employeeId: z.string().trim().min(1).max(40),
      roles: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'role names are lower-case words joined by hyphens')).min(1),
      password: Password,
      caPassword: Password,
    }).strict(),
    response: PersonViewSchema,
  },
  'snapshots.sign': {
    request: z.object({ controllerId: z.string().min(1), captureSha256: Sha256, employeeId: z.string().min(1), password: Password }).strict(),
    response: SnapshotViewSchema,
  },
  'evidence.verify': {
    request: z.object({
      fileName: z.string().min(1).max(255),
      packBase64: z.string().max(EVIDENCE_PACK_MAX_BASE64_CHARS, 'an evidence pack may be at most 40 MiB').regex(/^[A-Za-z0-9+/]*={0,2}$/, 'the pack must be sent as base64'),
    }).strict(),
    response: PackVerdictViewSchema,
  },
  'evidence.export': {
    request: z.object({ changeId: z.string().min(1) }).strict(),
    response: z.object({ fileName: z.string(), zipBase64: z.string(), manifestSha256: z.string(), members: z.number() }),
  },
  'snapshots.list': {
    request: z.object({ controllerId: z.string().min(1) }).strict(),
    response: z.object({ snapshots: z.array(SnapshotViewSchema) }),
  },
  /** The first-run checklist ("Set up my plant"): each step ticked from what this data directory holds. */
  'setup.status': {
    request: Empty,
    response: z.object({
      steps: z.array(z.object({
        id: z.enum(['ca', 'administrator', 'plant', 'roster', 'controller', 'capture']), label: z.string(), done: z.boolean(), detail: z.string(),
        view: z.enum(['controllers', 'changes', 'windows', 'plant', 'people', 'audit']),
      })),
      complete: z.boolean(),
    }),
  },
  /** The demo people and their demo passwords (a demo data directory only). */
  'demo.people': {
    request: Empty,
    response: z.object({ caPassword: z.string(), people: z.array(z.object({ name: z.string(), employeeId: z.string(), roles: z.array(z.string()), password: z.string() })) }),
  },
  /** Leaves this (empty) data directory for a throw-away demo plant, served by the same host. */
  'demo.explore': { request: Empty, response: z.object({ home: z.string() }) },
  /** Demo only: sets the change's proposed values on its simulated controller, as the engineer's download would. */
  'demo.applyProposed': {
    request: z.object({ changeId: z.string().min(1) }).strict(),
    response: z.object({ controller: z.string(), tags: z.array(z.string()) }),
  },
  ...KPI_OPERATIONS,
  ...CHANGE_CAPTURE_OPERATIONS,
} as const;

/** Events the main process pushes to every client. */
export const PUSHED_EVENTS = {
  'connectivity.changed': ConnectivitySchema,
  'sync.status': SyncStatusSchema,
  'journal.appended': z.object({ id: z.string(), device: z.string(), seq: z.number(), type: z.string() }),
  'capture.progress': z.object({ captureId: z.string(), controllerId: z.string(), done: z.number(), total: z.number(), detail: z.string() }),
  'capture.finished': z.object({
    captureId: z.string(), controllerId: z.string(), captureSha256: z.string().nullable(), complete: z.boolean(),
    tags: z.number(), good: z.number(), bad: z.number(), failure: z.custom<ErrorData>().nullable(),
    /** Set when the capture was started from a change's screen. */
    change: z.object({ changeId: z.string(), phase: z.enum(['before', 'after']) }).optional(),
  }),
} as const;

/** Operation names. */
export type OperationName = keyof typeof OPERATIONS;
/** What a caller passes for an operation (defaults may be omitted). */
export type OperationRequest<N extends OperationName> = z.input<(typeof OPERATIONS)[N]['request']>;
/** What a handler receives after validation (defaults filled in). */
export type ValidRequest<N extends OperationName> = z.output<(typeof OPERATIONS)[N]['request']>;
/** What an operation returns. */
export type OperationResponse<N extends OperationName> = z.output<(typeof OPERATIONS)[N]['response']>;
/** Pushed event names. */
export type PushedEventName = keyof typeof PUSHED_EVENTS;
/** A pushed event's payload. */
export type PushedEventPayload<E extends PushedEventName> = z.output<(typeof PUSHED_EVENTS)[E]>;

/** True when a string names an operation. */
export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(OPERATIONS, name);
}
