/**
 * What the central server does for a device, whether the request came over HTTPS (server-app.ts) or in a bundle
 * carried on removable media (bundle-import.ts, enrol-file.ts): enrolment codes, enrolment, ingest of a push,
 * a pull page, and the conflicts across every device's records.
 */
import { createHash, randomBytes } from 'node:crypto';
import { BaselineError } from '../src-shared/common/errors.ts';
import { findJournalConflicts, type SyncConflict } from '../src-shared/common/sync/journal-conflicts.ts';
import {
  enrolmentStatement,
  type EnrolRequest,
  type EnrolResponse,
  type PullResponse,
  type PushRequest,
} from '../src-shared/common/sync/sync-protocol.ts';
import { arrivingRowProblems } from '../src-shared/node/chain-ingest.ts';
import { DEFAULT_CLOCK_SKEW_LIMIT_MS } from '../src-shared/common/sync/clock-flags.ts';
import { clockSkewLimitMs } from '../src-shared/common/workflow/policy-schema.ts';
import { loadPolicyYaml } from '../src-shared/common/workflow/policy-yaml.ts';
import { signWithKey } from '../src-shared/node/pki.ts';
import { publicKeyFromPem, verifyText } from '../src-shared/node/ed25519.ts';
import { anyCertificateFingerprint, checkDeviceCertificate, issueDeviceCertificate } from '../src-shared/node/plant-certificates.ts';
import { revokedSignerProblems } from '../src-shared/common/sync/central-revocation.ts';
import type { ServerPki } from './server-home.ts';
import type { DeviceRow, SyncStore } from './store/sync-store.ts';

/** A refusal the HTTP API answers with `status` (and bundle import reports with the same words). */
export function refusal(
  status: number,
  code: string,
  message: string,
  hint: string,
  details?: Record<string, unknown>,
): BaselineError & { statusCode: number } {
  return Object.assign(new BaselineError(code, message, hint, details), { statusCode: status });
}

/** sha256 hex of a secret (codes and tokens are stored only as hashes). */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Normalises a typed enrolment code: case, spaces and dashes do not matter. */
export function normaliseCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'; // no 0/O, 1/I

/** A new enrolment code: 12 characters (60 bits) in groups of four, easy to read out and type. */
export function newEnrolCode(): string {
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => CODE_ALPHABET[b % 32]!).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
}

/** Stores a new single-use enrolment code valid for `ttlMs`; returns it (the store keeps only its hash). */
export async function createEnrolCode(store: SyncStore, ttlMs: number, now = new Date()): Promise<{ code: string; expiresAt: string }> {
  const code = newEnrolCode();
  const expiresAt = new Date(now.getTime() + ttlMs);
  await store.addEnrolCode(secretHash(normaliseCode(code)), now, expiresAt);
  return { code, expiresAt: expiresAt.toISOString() };
}

/**
 * Enrols a device: checks its key and its proof of holding it, that the device keeps its key, and the one-time
 * code (known, unused, not expired), then issues its certificate and an access token. The one path for online
 * enrolment and for enrolment by file (src-server/enrol-file.ts); every refusal is recorded.
 */
export async function enrolDevice(
  store: SyncStore,
  pki: ServerPki,
  serverId: string,
  body: EnrolRequest,
  now: Date,
): Promise<EnrolResponse> {
  const key = publicKeyFromPem(body.publicKeyPem);
  if (!key)
    throw refusal(
      400,
      'enrol-key-invalid',
      'The device key sent for enrolment is not an Ed25519 public key.',
      'Enrol from the Baseline app, which sends its own journal key.',
    );
  if (!verifyText(key, enrolmentStatement(body), body.proof)) {
    throw refusal(
      400,
      'enrol-proof-invalid',
      'The laptop did not prove it holds the key it asks to have certified (signature invalid).',
      'Enrol from the Baseline app on the laptop itself.',
    );
  }
  const existing = await store.device(body.deviceId);
  if (existing && existing.public_key_pem.trim() !== body.publicKeyPem.trim()) {
    const err = refusal(
      409,
      'enrol-device-key-differs',
      `Device ${body.deviceId} is already enrolled with a different journal key.`,
      'A laptop keeps its key for life; if its data directory was replaced, give it a new data directory (a new device id) and enrol that.',
    );
    await store.recordRefusal(body.deviceId, now, err.toData());
    throw err;
  }
  const token = randomBytes(32).toString('base64url');
  const certificatePem = issueDeviceCertificate(
    { certPem: pki.caCertPem, keyPem: pki.caKeyPem },
    { deviceId: body.deviceId, name: body.deviceName, publicKeyPem: body.publicKeyPem },
    5,
    now,
  );
  const { use } = await store.useCodeAndEnrol(secretHash(normaliseCode(body.code)), now, body.deviceId, () => ({
    device_id: body.deviceId,
    name: body.deviceName,
    public_key_pem: body.publicKeyPem,
    certificate_pem: certificatePem,
    certificate_fingerprint: anyCertificateFingerprint(certificatePem),
    token_hash: secretHash(token),
    enrolled_at: now.toISOString(),
    acked_seq: existing?.acked_seq ?? 0,
    acked_hash: existing?.acked_hash ?? null,
    flagged: existing?.flagged ?? null,
    flagged_at: existing?.flagged_at ?? null,
    last_seen_at: now.toISOString(),
    clock_offset_ms: null,
  }));
  if (use !== 'ok') {
    const words = {
      unknown: [
        'enrol-code-wrong',
        'The enrolment code is not one this server issued.',
        'Check the code (letters and digits, dashes do not matter) or ask the administrator for a new one.',
      ],
      used: [
        'enrol-code-used',
        'The enrolment code was already used; each code enrols one laptop once.',
        'Ask the administrator for a new code (`baseline server enrol-code`).',
      ],
      expired: [
        'enrol-code-expired',
        'The enrolment code has expired.',
        'Ask the administrator for a new code (`baseline server enrol-code`).',
      ],
    }[use];
    const err = refusal(403, words[0]!, words[1]!, words[2]!);
    await store.recordRefusal(body.deviceId, now, err.toData());
    throw err;
  }
  return { deviceCertificatePem: certificatePem, caCertificatePem: pki.caCertPem, caFingerprint: pki.caFingerprint, token, serverId };
}

/**
 * Verifies and stores a device's pushed events: the one path for online push and for a sync bundle imported from
 * removable media (src-server/bundle-import.ts), so both are judged by the same rules.
 */
export async function ingestPush(
  store: SyncStore,
  device: DeviceRow,
  body: Pick<PushRequest, 'events' | 'head' | 'deviceTime'>,
  now: Date,
  pki: Pick<ServerPki, 'caKeyPem'>,
  via: 'push' | 'bundle' = 'push',
) {
  const key = publicKeyFromPem(device.public_key_pem)!;
  const revocations = await store.revocations();
  const clock = {
    skewLimitMs: await policySkewLimitMs(store),
    // A bundle's time is when it was written, not the laptop's clock at import (it may travel for days).
    liveDeviceTime: via === 'push',
    attest: (statement: string) => signWithKey(pki.caKeyPem, statement),
  };
  return store.ingest(
    device.device_id,
    body.events,
    body.head,
    body.deviceTime,
    now,
    (e, chain) => {
      const problems = arrivingRowProblems(e, key, chain);
      return problems.length > 0 ? problems : revokedSignerProblems(e, revocations);
    },
    clock,
    via,
  );
}

const skewLimits = new Map<string, number>();

/**
 * The skew limit of the policy in force across the plant (the newest `policy.adopted` the server holds; the shipped
 * default's 5 minutes before any). A policy the server cannot read keeps the default rather than stopping sync.
 */
export async function policySkewLimitMs(store: SyncStore): Promise<number> {
  const latest = await store.latestPolicy();
  if (!latest) return DEFAULT_CLOCK_SKEW_LIMIT_MS;
  let limit = skewLimits.get(latest.id);
  if (limit === undefined) {
    try {
      limit = clockSkewLimitMs(loadPolicyYaml(latest.yaml, 'policy.adopted'));
    } catch {
      limit = DEFAULT_CLOCK_SKEW_LIMIT_MS;
    }
    skewLimits.set(latest.id, limit);
  }
  return limit;
}

/** A page of other devices' events for a device, with their certificates: online pull and a server bundle give the same. */
export async function pullPage(store: SyncStore, deviceId: string, after: number, limit: number): Promise<PullResponse> {
  const page = await store.pull(deviceId, after, limit);
  const ids = [...new Set(page.events.map((e) => e.event.device))];
  const devices = (await Promise.all(ids.map((id) => store.device(id))))
    .filter((x): x is DeviceRow => x !== null)
    .map((x) => ({ deviceId: x.device_id, name: x.name, publicKeyPem: x.public_key_pem, certificatePem: x.certificate_pem }));
  // The clock flags of every push this page covers, the device's own included: the laptop that was off learns it too.
  const clockFlags = await store.clockAttestations(after, page.cursor);
  return { events: page.events, devices, revocations: await store.revocations(), clockFlags, cursor: page.cursor, more: page.more };
}

/** Conflicts across every device's records the server holds, with their signed resolutions. */
export async function serverConflicts(store: SyncStore): Promise<SyncConflict[]> {
  return findJournalConflicts(await store.conflictEvents());
}

/** Checks a device certificate the server issued against its own CA (used by the central view and tests). */
export function serverTrustsDevice(pki: ServerPki, device: DeviceRow, at: Date): string | null {
  const r = checkDeviceCertificate(
    device.certificate_pem,
    { deviceId: device.device_id, publicKeyPem: device.public_key_pem },
    [pki.caCertPem],
    new Set(),
    at,
  );
  return r.ok ? null : r.reason;
}
