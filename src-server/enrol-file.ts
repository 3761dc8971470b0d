/**
 * Enrolment by file, the server's side (`baseline server enrol-file REQUEST`): a laptop in a zone with no network
 * path to the server is enrolled through `enrolDevice`, the very checks of online enrolment (its key and proof, the
 * one-time code known, unused and unexpired, a device keeping its key), and gets back a response file signed with
 * the server's bundle key. The laptop's bundle certificate, signed by its device key, is recorded so the server can
 * write bundles for it straight away.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BaselineError } from '../src-shared/common/errors.ts';
import { writeFileAtomic } from '../src-shared/node/atomic-file.ts';
import { publicKeyFromPem, verifyText } from '../src-shared/node/ed25519.ts';
import {
  bundleCertificateStatement,
  readEnrolRequestFile,
  writeEnrolResponseFile,
  ENROL_RESPONSE_FORMAT,
} from '../src-shared/node/sync-bundle/enrol-file.ts';
import { deviceFile, serverBundleKey, type BundleDeviceFile } from './bundle-import.ts';
import { enrolDevice } from './sync-operations.ts';
import type { ServerPki } from './server-home.ts';
import type { SyncStore } from './store/sync-store.ts';

/** Refused code attempts per minute before enrolment by file waits (the same number online enrolment allows per address). */
export const ENROL_FILE_FAILURES_PER_MINUTE = 10;

/** What an enrolment by file did. */
export interface EnrolFileResult {
  deviceId: string;
  deviceName: string;
  /** The signed response file's bytes (to carry back to the laptop). */
  response: Buffer;
  message: string;
}

/** Imports a laptop's enrolment request file; returns the response file to carry back. */
export async function enrolFromFile(o: {
  home: string;
  store: SyncStore;
  pki: ServerPki;
  bytes: Buffer;
  now?: Date;
  failuresPerMinute?: number;
}): Promise<EnrolFileResult> {
  const now = o.now ?? new Date();
  const file = readEnrolRequestFile(o.bytes);
  const req = file.request;
  const limit = o.failuresPerMinute ?? ENROL_FILE_FAILURES_PER_MINUTE;
  if ((await o.store.enrolCodeRefusalsSince(new Date(now.getTime() - 60_000))) >= limit) {
    throw new BaselineError(
      'rate-limited',
      `${limit} enrolment codes were refused in the last minute; the server takes no more for now.`,
      'Wait a minute and import the request again; ask for a new code if it keeps failing. Nothing was enrolled.',
    );
  }
  const key = publicKeyFromPem(req.publicKeyPem);
  if (key && !verifyText(key, bundleCertificateStatement(req.deviceId, file.bundleCertificatePem), file.bundleCertificateSignature)) {
    throw new BaselineError(
      'enrol-request-altered',
      "The request's bundle certificate is not signed by the device key it asks to have certified: the file was altered.",
      'Write the request again on the laptop; nothing was enrolled and the code was not used.',
    );
  }
  // A server that has never listened (a plant with no network at all) gets its id here, as at its first start.
  const serverId = await o.store.infoOnce('server-id', randomBytes(8).toString('hex'));
  await o.store.infoOnce('ca-fingerprint', o.pki.caFingerprint);
  const enrolled = await enrolDevice(o.store, o.pki, serverId, req, now);
  // Where this laptop's pull starts: it holds nothing of other devices yet.
  const path = deviceFile(o.home, req.deviceId);
  if (!existsSync(path)) {
    const known: BundleDeviceFile = {
      recipientCertificatePem: file.bundleCertificatePem,
      pullCursor: 0,
      lastBundleId: 'enrolment',
      lastBundleCreatedAt: file.createdAt,
    };
    mkdirSync(join(o.home, 'bundle-devices'), { recursive: true, mode: 0o700 });
    writeFileAtomic(path, JSON.stringify(known, null, 1) + '\n', 0o600);
  }
  const response = writeEnrolResponseFile(
    {
      format: ENROL_RESPONSE_FORMAT,
      deviceId: req.deviceId,
      deviceName: req.deviceName,
      deviceCertificatePem: enrolled.deviceCertificatePem,
      caCertificatePem: enrolled.caCertificatePem,
      caFingerprint: enrolled.caFingerprint,
      serverId,
      writtenAt: now.toISOString(),
    },
    serverBundleKey(o.home, o.pki),
  );
  return {
    deviceId: req.deviceId,
    deviceName: req.deviceName,
    response,
    message: `Enrolled ${req.deviceName} (device ${req.deviceId}) by file; its certificate is issued by the plant CA.`,
  };
}
