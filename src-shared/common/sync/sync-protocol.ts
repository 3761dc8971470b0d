/**
 * The sync protocol between a laptop and the central server (ARCHITECTURE §8), declared once for both sides:
 * request and response bodies as zod schemas, validated on receipt by the server and by the laptop.
 *
 * Events travel as their stored rows (payload and actor as the canonical JSON text that was signed), so the
 * server and every other laptop hold them byte for byte as the recording laptop does.
 *
 *   GET  /health                      liveness, server time
 *   GET  /ca                          the plant CA certificate (public; the laptop checks its fingerprint)
 *   POST /enrol                       one-time code + device key -> device certificate + access token
 *   GET  /sync/state                  the server's acknowledged seq and hash for this device
 *   POST /blobs/missing               which of these hashes the server does not hold
 *   PUT  /blobs/<sha256>              blob bytes (idempotent; checked against the hash on receipt)
 *   GET  /blobs/<sha256>              blob bytes
 *   GET  /blobs/<sha256>/upload       how many bytes of a resumable upload the server holds
 *   PUT  /blobs/<sha256>/upload?offset=N&size=T
 *                                     blob bytes from offset N of T, appended to the server's partial file
 *                                     (large blobs: a cut upload resumes where the server's copy ends)
 *   POST /sync/push                   events after the acknowledged seq, with this laptop's journal head
 *   GET  /sync/pull?after=N&limit=M   other devices' events in the server's global order
 *   GET  /sync/conflicts              conflicts the server found across devices, with signed resolutions
 *   GET  /sync/clock-flags?device=D   events flagged for an implausible device time, and D's clock offsets
 */
import * as z from 'zod';
import { CentralRevocationSchema } from './central-revocation.ts';
import { ClockAttestationSchema } from './clock-flags.ts';

/**
 * Wire format version; a major change is refused by both sides with a clear error. Within a version the server may
 * add fields to its answers: a laptop ignores the ones it does not know (the answers' schemas strip them), so a
 * server updated before its laptops (which may be away for weeks) still syncs with them. What an older laptop must
 * not ignore changes the version. Requests stay strict (the server refuses fields it does not know), and so do the
 * signed events and attestations the answers carry.
 */
export const SYNC_PROTOCOL = 'baseline.sync/1';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash (64 lowercase hex digits)');

/** Most events one push or pull carries. */
export const MAX_BATCH_EVENTS = 500;
/** Largest request body the server reads for JSON requests (bytes). */
export const MAX_JSON_BODY = 16 * 1024 * 1024;
/** Largest blob the server accepts in one PUT (bytes). */
export const MAX_BLOB_BYTES = 64 * 1024 * 1024;

/** A journal event as stored: text columns exactly as signed. */
export const WireEventSchema = z
  .object({
    id: z.string().min(1).max(100),
    device: z.string().min(1).max(100),
    seq: z.number().int().positive(),
    prev: z.string().max(128),
    type: z.string().min(1).max(100),
    payload: z.string(),
    actor: z.string().max(10_000),
    at: z.string().max(64),
    hash: z.string().max(128),
    sig: z.string().max(256),
  })
  .strict();
/** A journal event as stored. */
export type WireEvent = z.infer<typeof WireEventSchema>;

/** Enrolment: the one-time code, the device's identity and its key, and proof it holds that key. */
export const EnrolRequestSchema = z
  .object({
    protocol: z.literal(SYNC_PROTOCOL),
    code: z.string().min(1).max(64),
    deviceId: z.string().min(1).max(100),
    deviceName: z.string().min(1).max(200),
    publicKeyPem: z.string().startsWith('-----BEGIN PUBLIC KEY-----').max(1000),
    /** The device key's signature over `enrolmentStatement(...)`: proves the laptop holds the key it asks to certify. */
    proof: z.string().min(1).max(256),
  })
  .strict();
/** Enrolment request. */
export type EnrolRequest = z.infer<typeof EnrolRequestSchema>;

/** The text a device signs to prove possession of its key at enrolment. */
export function enrolmentStatement(r: { code: string; deviceId: string; publicKeyPem: string }): string {
  return JSON.stringify({ purpose: 'baseline.enrol/1', code: r.code, deviceId: r.deviceId, publicKeyPem: r.publicKeyPem });
}

/** What an enrolled device receives. */
export const EnrolResponseSchema = z
  .object({
    deviceCertificatePem: z.string(),
    caCertificatePem: z.string(),
    caFingerprint: Sha256,
    /** Bearer token for every later request; the server keeps only its hash. */
    token: z.string().min(32),
    serverId: z.string(),
  })
  .strip();
/** What an enrolled device receives. */
export type EnrolResponse = z.infer<typeof EnrolResponseSchema>;

/** The server's view of one device's chain. */
export const SyncStateSchema = z
  .object({
    deviceId: z.string(),
    acknowledgedSeq: z.number().int().nonnegative(),
    acknowledgedHash: z.string().nullable(),
    serverTime: z.string(),
    /** Set when the server has flagged this device (restored from an old backup, forked chain): pushes are refused. */
    flagged: z.string().nullable(),
  })
  .strip();
/** The server's view of one device's chain. */
export type SyncState = z.infer<typeof SyncStateSchema>;

/** The last event a laptop's journal holds for its own device. */
export const JournalHeadSchema = z.object({ seq: z.number().int().nonnegative(), hash: z.string().max(128).nullable() }).strict();

/** A push: events after the server's acknowledged seq, each with the blobs it references. */
export const PushRequestSchema = z
  .object({
    protocol: z.literal(SYNC_PROTOCOL),
    /** The laptop's clock when it sent this (the server records the offset). */
    deviceTime: z.string().max(64),
    /** The laptop's own journal head: lets the server see a journal that went backwards (old backup). */
    head: JournalHeadSchema,
    events: z.array(z.object({ event: WireEventSchema, blobs: z.array(Sha256).max(1000) }).strict()).max(MAX_BATCH_EVENTS),
  })
  .strict();
/** A push. */
export type PushRequest = z.infer<typeof PushRequestSchema>;

/** What the server did with a push. */
export const PushResponseSchema = z
  .object({
    acknowledgedSeq: z.number().int().nonnegative(),
    accepted: z.number().int().nonnegative(),
    duplicates: z.number().int().nonnegative(),
    clockOffsetMs: z.number(),
    /**
     * The server's clock when it answered: the answer is an acknowledgement, ordered by this against the ones that
     * travel by file. A server from before this sends none (the laptop then takes the time of its sync state).
     */
    serverTime: z.iso.datetime().optional(),
  })
  .strip();
/** What the server did with a push. */
export type PushResponse = z.infer<typeof PushResponseSchema>;

/** One event in the server's global order. */
export const PulledEventSchema = z
  .object({ globalSeq: z.number().int().positive(), event: WireEventSchema, blobs: z.array(Sha256) })
  .strict();

/** A page of other devices' events, with the certificates of the devices they come from. */
export const PullResponseSchema = z
  .object({
    events: z.array(PulledEventSchema),
    devices: z.array(z.object({ deviceId: z.string(), name: z.string(), publicKeyPem: z.string(), certificatePem: z.string() }).strip()),
    /** Every central revocation, signed by the plant CA (laptops check and record the ones they lack). */
    revocations: z.array(CentralRevocationSchema).max(10_000).default([]),
    /** Clock flags of the pushes this page covers (this device's own included), each signed by the plant CA. */
    clockFlags: z.array(ClockAttestationSchema).max(10_000).default([]),
    /** The global seq to ask after next time. */
    cursor: z.number().int().nonnegative(),
    more: z.boolean(),
  })
  .strip();
/** A page of other devices' events. */
export type PullResponse = z.infer<typeof PullResponseSchema>;

/** Blobs at least this large are sent by resumable upload (smaller ones in one PUT). */
export const RESUMABLE_BLOB_BYTES = 256 * 1024;

/** Where a resumable upload stands: bytes the server holds of it, and whether the blob is complete and stored. */
export const BlobUploadStateSchema = z
  .object({
    sha256: Sha256,
    received: z.number().int().nonnegative(),
    complete: z.boolean(),
  })
  .strip();
/** Where a resumable upload stands. */
export type BlobUploadState = z.infer<typeof BlobUploadStateSchema>;

/** Which hashes a laptop asks about. */
export const MissingBlobsRequestSchema = z.object({ hashes: z.array(Sha256).max(10_000) }).strict();
/** Which of them the server lacks. */
export const MissingBlobsResponseSchema = z.object({ missing: z.array(Sha256) }).strip();

/** A refusal as it travels: the same `{code, message, hint}` as every other error, plus where the push stands. */
export const RefusalSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), hint: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
  acknowledgedSeq: z.number().int().nonnegative().optional(),
});
