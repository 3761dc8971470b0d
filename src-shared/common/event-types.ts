/**
 * Payload schemas of every journal event type. The journal refuses to append an event whose payload does
 * not match, so every stored event of a known type can be projected and read back.
 */
import * as z from 'zod';
import { ControllerTargetSchema } from './capture/controller-target.ts';
import { LineSchema, PlantSchema, SiteSchema } from './workflow/plant-model.ts';
import { RosterEntrySchema } from './workflow/people-roster.ts';

const Fingerprint = z.string().regex(/^[0-9a-f]{64}$/);

/** An e-signature inside an event payload (see src-shared/common/snapshot/snapshot.ts ESignature). */
const SignatureSchema = z
  .object({
    meaning: z.enum(['captured by', 'approved', 'rejected', 'reviewed', 'go', 'no-go', 'rollback', 'responsible']),
    signer: z
      .object({
        name: z.string(),
        employeeId: z.string(),
        roles: z.array(z.string()),
        fingerprint: Fingerprint,
        certificatePem: z.string(),
      })
      .strict(),
    at: z.string(),
    documentSha256: Fingerprint,
    algorithm: z.literal('RSASSA-PKCS1-v1_5-SHA256'),
    value: z.string(),
  })
  .strict();

/** A line as plant edits record it: its site always named. */
const SignedLine = LineSchema.required({ site: true });

/**
 * How `restore.executed` marks a value whose outcome is not known (it was being written when the restore job failed
 * as a whole; older records mark every value of such a restore so): its error begins with these words.
 */
export const UNKNOWN_OUTCOME = 'outcome unknown';

/** Whether a recorded restore value's error says its outcome is not known. */
export function isUnknownOutcome(error: string | undefined): boolean {
  return error?.startsWith(UNKNOWN_OUTCOME) === true;
}

/** Payloads by event type. */
export const EVENT_PAYLOADS = {
  /** A data directory's first event: the device announces the key that signs its chain. */
  'device.created': z
    .object({
      name: z.string().min(1),
      publicKeyPem: z.string().startsWith('-----BEGIN PUBLIC KEY-----'),
      keyProtection: z.enum(['os-keychain', 'passphrase', 'file-permissions']),
      appVersion: z.string(),
      /** Present (and true) only in a demo data directory: everything this device records is demo data, never evidence. */
      demo: z.literal(true).optional(),
    })
    .strict(),
  /** The app (desktop or web host) started on this data directory. */
  'app.started': z
    .object({
      transport: z.enum(['electron', 'web', 'cli', 'in-process']),
      appVersion: z.string(),
      platform: z.string(),
      host: z.string(),
      pid: z.number().int(),
    })
    .strict(),
  /** Someone ran a whole-journal verification from the app; the result is itself part of the record. */
  'journal.verified': z
    .object({
      ok: z.boolean(),
      eventsChecked: z.number().int().nonnegative(),
      problems: z.number().int().nonnegative(),
      firstProblem: z.string().nullable(),
    })
    .strict(),
  /** A capture profile (which tags to read, their types and flags) was stored; its canonical JSON is the blob. */
  'profile.imported': z
    .object({
      name: z.string().min(1),
      protocol: z.enum(['modbus', 's7', 'logix']),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      tags: z.number().int().nonnegative(),
    })
    .strict(),
  /** A controller was added to this laptop's list: how to reach it and which profile captures it. */
  'controller.registered': z
    .object({
      id: z.string().min(1),
      name: z.string().min(1).max(120),
      target: ControllerTargetSchema,
      profileSha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .nullable(),
    })
    .strict(),
  /** A controller was captured; the capture document is the blob. Incomplete captures are recorded too, marked so. */
  'capture.recorded': z
    .object({
      controllerId: z.string().nullable(),
      controller: z.string().min(1),
      protocol: z.enum(['modbus-tcp', 'modbus-rtu', 's7', 'logix']),
      profileSha256: z.string().regex(/^[0-9a-f]{64}$/),
      captureSha256: z.string().regex(/^[0-9a-f]{64}$/),
      complete: z.boolean(),
      tags: z.number().int().nonnegative(),
      good: z.number().int().nonnegative(),
      bad: z.number().int().nonnegative(),
      requests: z.number().int().nonnegative(),
      minimumRequests: z.number().int().nonnegative(),
      /** Started from a change's screen as its before- or after-capture of a target controller, or its re-capture after a manual rollback (absent otherwise). */
      change: z
        .object({ changeId: z.string().min(1), phase: z.enum(['before', 'after', 'rollback']) })
        .strict()
        .optional(),
      /** Why the capture is not complete: cancelled by the engineer, or the device's error (absent when complete, and on older events). */
      failure: z.object({ code: z.string(), message: z.string() }).strict().optional(),
    })
    .strict(),
  /**
   * A plant CA certificate is trusted on this laptop (created here, or imported for offline verification). An imported
   * CA is a decision of plant engineering, signed "approved" over `baseline.ca-trust/1`; only the first CA of a laptop
   * that trusts none yet (nobody here could sign) and a CA created here by its key holder carry no signature.
   */
  'ca.trusted': z
    .object({
      name: z.string().min(1),
      certificatePem: z.string().startsWith('-----BEGIN CERTIFICATE-----'),
      fingerprint: Fingerprint,
      source: z.enum(['created-here', 'imported']),
      signature: SignatureSchema.optional(),
    })
    .strict(),
  /** A wrong plant CA password was given (or any while the CA is locked): every attempt is recorded. */
  'ca.unlock-failed': z
    .object({
      fingerprint: Fingerprint,
      operation: z.enum(['enrol', 'revoke']),
      reason: z.enum(['wrong-password', 'locked']),
    })
    .strict(),
  /** Too many wrong plant CA passwords: the CA key cannot be used on this laptop until the given time. */
  'ca.locked': z.object({ fingerprint: Fingerprint, until: z.string(), failures: z.number().int().positive() }).strict(),
  /**
   * The plant CA certified this device's journal key (enrolment with the central server): the certificate binds
   * the key of this device's `device.created` event to its device id, so other laptops and auditors can trust it.
   */
  'device.certified': z
    .object({
      deviceId: z.string().min(1),
      certificatePem: z.string().startsWith('-----BEGIN CERTIFICATE-----'),
      certificateFingerprint: Fingerprint,
      caFingerprint: Fingerprint,
      server: z.string(),
    })
    .strict(),
  /** A person's certificate and keystore are on this laptop (issued by the local CA, or imported as .p12). */
  'person.enrolled': z
    .object({
      name: z.string().min(1),
      employeeId: z.string().min(1),
      roles: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).min(1),
      certificatePem: z.string().startsWith('-----BEGIN CERTIFICATE-----'),
      fingerprint: Fingerprint,
      source: z.enum(['issued-here', 'imported']),
    })
    .strict(),
  /** A signature was refused because the password was wrong (21 CFR 11.300(d): attempts are recorded). */
  'person.signing-failed': z.object({ fingerprint: Fingerprint, employeeId: z.string(), reason: z.enum(['wrong-password']) }).strict(),
  /** Too many wrong passwords: this person cannot sign on this laptop until the given time. */
  'person.locked': z
    .object({ fingerprint: Fingerprint, employeeId: z.string(), until: z.string(), failures: z.number().int().positive() })
    .strict(),
  /** A certificate is revoked: signatures by it no longer verify as valid. */
  'certificate.revoked': z.object({ fingerprint: Fingerprint, reason: z.string().min(1) }).strict(),
  /** A signed snapshot was made from a capture; the snapshot file is the blob. */
  'snapshot.captured': z
    .object({
      controllerId: z.string().nullable(),
      controller: z.string().min(1),
      snapshotSha256: Fingerprint,
      fileSha256: Fingerprint,
      complete: z.boolean(),
      signerFingerprint: Fingerprint,
      signer: z.string().min(1),
    })
    .strict(),
  /** An approver made a signed snapshot the controller's approved baseline (the next version). */
  'baseline.approved': z
    .object({
      controllerId: z.string().min(1),
      snapshotSha256: Fingerprint,
      version: z.number().int().positive(),
      approval: SignatureSchema,
      /** The completed change whose after-snapshot this is (step 6 of the OT change framework), when approved from the change. */
      changeId: z.string().min(1).optional(),
    })
    .strict(),
  /** A drift check compared a fresh capture with the approved baseline. */
  'drift.checked': z
    .object({
      controllerId: z.string().min(1),
      baselineSha256: Fingerprint,
      captureSha256: Fingerprint,
      drifted: z.boolean(),
      configDifferences: z.number().int().nonnegative(),
      identityChanges: z.number().int().nonnegative(),
      captureComplete: z.boolean(),
    })
    .strict(),
  /** Drift nobody explained yet: an unauthorized-change record to investigate (NERC CIP-010 R2). */
  'unauthorized-change.opened': z
    .object({
      id: z.string().min(1),
      controllerId: z.string().min(1),
      baselineSha256: Fingerprint,
      captureSha256: Fingerprint,
      differences: z.array(z.object({ tag: z.string(), kind: z.string(), before: z.string(), after: z.string(), safety: z.boolean() })),
      moreDifferences: z.number().int().nonnegative(),
    })
    .strict(),
  /** The investigation's conclusion, signed by the person responsible. */
  'unauthorized-change.closed': z
    .object({
      id: z.string().min(1),
      explanation: z.string().min(10),
      signature: SignatureSchema,
    })
    .strict(),
  /** A shift supervisor's signed decision allowing one restore: exactly these values to this controller. */
  'restore.authorized': z
    .object({
      id: z.string().min(1),
      /** The rolled-back change whose before-snapshot is restored (absent for restores recorded before changes carried it). */
      changeId: z.string().min(1).optional(),
      controllerId: z.string().min(1),
      writes: z.array(z.object({ tag: z.string(), value: z.union([z.number(), z.boolean(), z.string()]) }).strict()).min(1),
      writesSha256: Fingerprint,
      reason: z.string().min(5),
      signature: SignatureSchema,
    })
    .strict(),
  /** A restore ran under a decision: what was written and read back, what failed, what was not attempted. */
  'restore.executed': z
    .object({
      decisionId: z.string().min(1),
      changeId: z.string().min(1).optional(),
      controllerId: z.string().min(1),
      complete: z.boolean(),
      outcomes: z.array(
        z
          .object({
            tag: z.string(),
            status: z.enum(['written-verified', 'write-failed', 'readback-mismatch', 'not-attempted']),
            expectedRaw: z.string(),
            readBackRaw: z.string().nullable(),
            error: z.string().optional(),
          })
          .strict(),
      ),
    })
    .strict(),
  /** A restore decision was taken into use: recorded before the first write, so a decision can never be used twice. */
  'restore.started': z
    .object({ decisionId: z.string().min(1), changeId: z.string().min(1).optional(), controllerId: z.string().min(1) })
    .strict(),
  /**
   * One value of a running restore was written and read back (or failed): recorded as each write ends, so a restore
   * cut short (the app killed, the laptop off) still shows exactly which values reached the controller.
   */
  'restore.written': z
    .object({
      decisionId: z.string().min(1),
      changeId: z.string().min(1).optional(),
      controllerId: z.string().min(1),
      tag: z.string(),
      status: z.enum(['written-verified', 'write-failed', 'readback-mismatch']),
      expectedRaw: z.string(),
      readBackRaw: z.string().nullable(),
    })
    .strict(),
  /** After a restore of a rolled-back change, the controller was read again and compared with the change's before-snapshot. */
  'restore.verified': z
    .object({
      changeId: z.string().min(1),
      controllerId: z.string().min(1),
      decisionId: z.string().min(1),
      beforeSnapshotSha256: Fingerprint,
      captureSha256: Fingerprint,
      matchesBefore: z.boolean(),
      remaining: z.array(z.object({ tag: z.string(), now: z.string(), before: z.string() }).strict()).max(100),
    })
    .strict(),
  /**
   * The plant model (sites and lines with tiers) was imported or replaced, signed by plant engineering over the
   * file's SHA-256 and the model read from it (events recorded before imports were signed carry neither).
   */
  'plant.imported': z
    .object({ plant: PlantSchema, source: z.string().min(1), sha256: Fingerprint.optional(), signature: SignatureSchema.optional() })
    .strict(),
  /** Plant engineering added or renamed a site (`previous` null when added). */
  'plant.site-set': z
    .object({ site: SiteSchema, previous: SiteSchema.nullable(), reason: z.string().min(1), signature: SignatureSchema })
    .strict(),
  /** Plant engineering added a line or changed its name, site or tier (`previous` null when added). */
  'plant.line-set': z
    .object({ line: SignedLine, previous: SignedLine.nullable(), reason: z.string().min(1), signature: SignatureSchema })
    .strict(),
  /** Plant engineering removed a line no controller was on. */
  'plant.line-removed': z
    .object({ lineId: z.string().min(1), previous: SignedLine, reason: z.string().min(1), signature: SignatureSchema })
    .strict(),
  /** Plant engineering imported the people roster (who holds which RACI role); entries are added or replaced, never dropped. */
  'people.roster-imported': z
    .object({ entries: z.array(RosterEntrySchema).min(1), source: z.string().min(1), sha256: Fingerprint, signature: SignatureSchema })
    .strict(),
  /** Plant engineering added or changed one person's roster entry (`previous` null when added; `active: false` when they left). */
  'people.roster-set': z
    .object({ entry: RosterEntrySchema, previous: RosterEntrySchema.nullable(), reason: z.string().min(1), signature: SignatureSchema })
    .strict(),
  /**
   * A controller was placed on a line of the plant model (its tier then governs changes to it): signed by plant
   * engineering with a reason, or part of a signed plant import (events recorded before placements were signed carry
   * no signature).
   */
  'controller.line-assigned': z
    .object({
      controllerId: z.string().min(1),
      lineId: z.string().min(1),
      previous: z.string().nullable().optional(),
      reason: z.string().optional(),
      signature: SignatureSchema.optional(),
    })
    .strict(),
  /** Plant engineering marked a controller as a safety system (every change to it escalates like a safety tag), or unmarked it; signed like a placement. */
  'controller.safety-set': z
    .object({ controllerId: z.string().min(1), safety: z.boolean(), reason: z.string(), signature: SignatureSchema.optional() })
    .strict(),
  /**
   * Plant engineering corrected a registered controller (its name, address or capture profile), signed with a reason;
   * `previous` and `next` are the registration before and after, so the journal shows what was changed.
   */
  'controller.edited': z
    .object({
      controllerId: z.string().min(1),
      previous: z
        .object({
          name: z.string().min(1).max(120),
          target: ControllerTargetSchema,
          profileSha256: z
            .string()
            .regex(/^[0-9a-f]{64}$/)
            .nullable(),
        })
        .strict(),
      next: z
        .object({
          name: z.string().min(1).max(120),
          target: ControllerTargetSchema,
          profileSha256: z
            .string()
            .regex(/^[0-9a-f]{64}$/)
            .nullable(),
        })
        .strict(),
      reason: z.string().min(1),
      signature: SignatureSchema,
    })
    .strict(),
  /** Plant engineering retired a controller: it leaves lists and pickers; its captures, snapshots, baselines and changes stay. */
  'controller.retired': z
    .object({ controllerId: z.string().min(1), name: z.string().min(1), reason: z.string().min(1), signature: SignatureSchema })
    .strict(),
  /** The plant adopted a policy document (its full YAML text), signed by whoever adopted it. */
  'policy.adopted': z
    .object({
      revision: z.number().int(),
      name: z.string(),
      sha256: Fingerprint,
      yaml: z.string(),
      source: z.string(),
      signature: SignatureSchema,
    })
    .strict(),
  /** The plant adopted a revision of its checklist templates (the full YAML text), signed by whoever adopted it. */
  'checklists.adopted': z
    .object({
      revision: z.number().int(),
      name: z.string(),
      sha256: Fingerprint,
      yaml: z.string(),
      source: z.string(),
      signature: SignatureSchema,
    })
    .strict(),
  /** A change request was created or went through an operation; `state` is the state the operation produced. */
  'change.updated': z
    .object({
      changeId: z.string().min(1),
      operation: z.string().min(1),
      by: z.object({ id: z.string(), name: z.string() }).strict(),
      summary: z.string(),
      signature: SignatureSchema.nullable(),
      /** Co-signatures on the same decision: override approvers (outside a window, inside a blackout). */
      cosignatures: z.array(SignatureSchema).optional(),
      /** As what each co-signature was made (witness, override:outside-window, …), in order; absent before signed content shape 2. */
      cosignedAs: z.array(z.string()).optional(),
      /** The hashes the signatures relied on (checklist, snapshots, diffs, policy; change-signature.ts); absent before shape 2. */
      relied: z
        .object({
          checklistSha256: Fingerprint.nullable(),
          explanationsSha256: Fingerprint.nullable(),
          snapshots: z.array(z.object({ phase: z.string(), controllerId: z.string(), sha256: z.string() }).strict()),
          proposedSha256: Fingerprint.nullable(),
          afterDiffs: z.array(z.object({ controllerId: z.string(), sha256: Fingerprint }).strict()),
          proposalBaseSha256: z.string().nullable(),
          policy: z
            .object({
              revision: z.number().int(),
              sha256: z.string(),
              checkpointsSha256: z.string().nullable(),
              checklists: z.object({ revision: z.number().int(), sha256: Fingerprint }).strict().optional(),
            })
            .strict(),
        })
        .strict()
        .optional(),
      state: z.record(z.string(), z.unknown()),
    })
    .strict(),
  /** A revocation made on the central server reached this laptop: the plant CA's signed statement, as received. */
  'revocation.synced': z
    .object({
      id: z.string().min(1),
      kind: z.enum(['device', 'person']),
      subject: z.string().min(1),
      reason: z.string().min(1),
      revokedAt: z.string(),
      statement: z.string(),
      signature: z.string(),
    })
    .strict(),
  /**
   * A person resolved a sync conflict (two devices recorded contradicting decisions offline): names the conflict
   * (src-shared/common/sync/journal-conflicts.ts), the decision and the reason, signed "reviewed". Both records stay.
   */
  'conflict.resolved': z
    .object({
      conflictId: z.string().min(1).max(400),
      kind: z.string().min(1),
      changeId: z.string().nullable(),
      decision: z.string().min(1).max(500),
      reason: z.string().min(1).max(2000),
      signature: SignatureSchema,
    })
    .strict(),
} as const;

/** Known event type names. */
export type EventType = keyof typeof EVENT_PAYLOADS;

/** The payload type of an event type. */
export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_PAYLOADS)[T]>;

/** True for event types this build knows. */
export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_PAYLOADS, type);
}
