/**
 * The API contract's sync part (one file per domain; contract.ts joins them into OPERATIONS).
 * Sync with the central server, sync by file (air-gapped plants), evidence backup and sync conflicts.
 */
import * as z from 'zod';
import { Empty } from './contract-primitives.ts';

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
  /** Events sent so far of those waiting when this sync began, and request bytes sent in this push (null when not pushing). */
  progress: z
    .object({
      sent: z.number().int().nonnegative(),
      total: z.number().int().nonnegative(),
      bytesSent: z.number().int().nonnegative().default(0),
    })
    .nullable(),
  /** The policy's clock skew limit (ms): beyond it the header warns and the server flags this laptop's events. */
  clockSkewLimitMs: z.number().int().positive(),
  /** Laptops whose events the server flagged for an implausible clock (signed by the plant CA), most recent first. */
  clockFlags: z.array(
    z.object({
      device: z.string(),
      deviceName: z.string(),
      events: z.number().int(),
      lastReceivedAt: z.string(),
      lastOffsetMs: z.number().nullable(),
      words: z.string(),
    }),
  ),
  /** This laptop's clock minus the server's at the last push (ms); null before the first. */
  clockOffsetMs: z.number().nullable(),
  /** Decisions recorded two ways on laptops that could not see each other, for a person to resolve. */
  conflicts: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      changeId: z.string().nullable(),
      title: z.string(),
      message: z.string(),
      hint: z.string(),
    }),
  ),
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
  records: z.array(
    z.object({ eventId: z.string(), device: z.string(), seq: z.number(), at: z.string(), by: z.string(), what: z.string() }),
  ),
  options: z.array(z.string()),
  resolution: z
    .object({ eventId: z.string(), device: z.string(), at: z.string(), by: z.string(), decision: z.string(), reason: z.string() })
    .nullable(),
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

/** The sync operations: name -> request and response schemas. */
export const SYNC_OPERATIONS = {
  'sync.status': { request: Empty, response: SyncStatusSchema },
  'sync.now': { request: Empty, response: SyncStatusSchema },
  'sync.conflicts': {
    request: z.object({ changeId: z.string().optional() }).strict(),
    response: z.object({ conflicts: z.array(SyncConflictSchema) }),
  },
  'sync.clockFlags': {
    request: z.object({ changeId: z.string().min(1).max(100).optional() }).strict(),
    response: z.object({
      flags: z.array(
        z.object({
          attestationId: z.string(),
          device: z.string(),
          deviceName: z.string(),
          seq: z.number(),
          eventId: z.string(),
          kind: z.enum(['before-previous', 'in-the-future', 'clock-skew']),
          receivedAt: z.string(),
          offsetMs: z.number().nullable(),
          skewLimitMs: z.number(),
          words: z.string(),
        }),
      ),
    }),
  },
  'sync.resolveConflict': {
    request: z
      .object({
        conflictId: z.string().min(1),
        decision: z.string().trim().min(1, 'choose or type the decision').max(500),
        reason: z.string().trim().min(10, 'give the reason in a sentence (at least 10 characters)').max(2000),
        employeeId: z.string().min(1, 'choose who signs'),
        password: z.string().min(1, "type the signer's password"),
      })
      .strict(),
    response: SyncConflictSchema,
  },
  'sync.enrol': {
    request: z
      .object({
        serverUrl: z.string().trim().url('type the server address as https://host:port'),
        code: z.string().trim().min(4, 'type the enrolment code the administrator gave you').max(64),
        caFingerprint: z
          .string()
          .trim()
          .toLowerCase()
          .regex(/^[0-9a-f]{64}$/, 'the plant CA fingerprint is 64 hex digits (shown with the code)')
          .nullable()
          .default(null),
      })
      .strict(),
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
  /** Enrolment by file (no network path to the server ever): the request to carry to the server; its response is imported with sync.bundle.import. */
  'sync.enrolFile.request': {
    request: z
      .object({
        code: z.string().trim().min(4, 'type the enrolment code the administrator gave you').max(64),
        caFingerprint: z.string().trim().max(200).nullable(),
      })
      .strict(),
    response: z.object({ fileName: z.string(), requestBase64: z.string() }),
  },
  /** Evidence backup: where it goes and where it stands. */
  'sync.backup.status': { request: Empty, response: BackupStatusSchema },
  'sync.backup.setFolder': {
    request: z.object({ folder: z.string().trim().min(1).max(1000).nullable() }).strict(),
    response: BackupStatusSchema,
  },
} as const;
