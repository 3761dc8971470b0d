/**
 * Enrolment with the central server (ARCHITECTURE §8), online: the file enrolment leaves on the laptop, and the
 * online exchange (the plant CA fetched and checked against the fingerprint the administrator gave, or a CA this
 * laptop already trusts; the one-time code sent with proof of the device key; the device certificate checked and
 * recorded). Enrolment by file is enrol-by-file.ts; the sync service adopts what either gives.
 */
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { EnrolResponseSchema, SYNC_PROTOCOL, enrolmentStatement } from '../../src-shared/common/sync/sync-protocol.ts';
import { anyCertificateFingerprint, checkDeviceCertificate } from '../../src-shared/node/plant-certificates.ts';
import type { DeviceKey } from '../store/device-key-store.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { IdentityService } from './identity-service.ts';
import { SyncHttpClient } from './sync-http-client.ts';

/** File of the enrolment in the data directory (holds the access token: readable only by its owner). */
export const ENROLMENT_FILE = 'sync-enrolment.json';

/** What enrolment left on this laptop. */
export interface EnrolmentFile {
  format: 'baseline.sync-enrolment/1';
  /** null when enrolled by file (no network path to the server): sync only by bundles. */
  serverUrl: string | null;
  serverId: string;
  caCertificatePem: string;
  caFingerprint: string;
  deviceCertificatePem: string;
  /** null when enrolled by file: the response carries no access token. */
  token: string | null;
  enrolledAt: string;
}

/** What online enrolment needs. */
export interface OnlineEnrolDeps {
  journal: JournalRepository;
  deviceKey: DeviceKey;
  identity: IdentityService;
  timeoutMs?: number;
  clock: () => Date;
}

/**
 * Enrols this laptop with a server: fetches the plant CA and checks it against the fingerprint the
 * administrator gave (or a CA this laptop already trusts), sends the one-time code with proof of the device
 * key, and records the device certificate in the journal.
 */
export async function enrolOnline(
  ctx: OnlineEnrolDeps,
  serverUrl: string,
  code: string,
  caFingerprint: string | null,
  actor: Actor,
): Promise<EnrolmentFile> {
  const probe = new SyncHttpClient(serverUrl, null, null, ctx.timeoutMs);
  let caPem: string;
  try {
    const ca = (await probe.call('GET', '/ca')) as { caCertificatePem?: unknown };
    if (typeof ca?.caCertificatePem !== 'string')
      throw new BaselineError(
        'server-answer-unreadable',
        `${serverUrl} did not send a plant CA certificate.`,
        'Check that the address points to a Baseline server.',
      );
    caPem = ca.caCertificatePem;
  } finally {
    probe.close();
  }
  const fingerprint = anyCertificateFingerprint(caPem);
  const trusted = ctx.identity.trust().caPems.some((p) => anyCertificateFingerprint(p) === fingerprint);
  if (caFingerprint === null ? !trusted : caFingerprint !== fingerprint) {
    throw new BaselineError(
      'server-ca-mismatch',
      caFingerprint === null
        ? `The server's plant CA (fingerprint ${fingerprint.slice(0, 16)}…) is not one this laptop trusts, and no fingerprint was given to check it.`
        : `The server's plant CA has fingerprint ${fingerprint.slice(0, 16)}…, not the ${caFingerprint.slice(0, 16)}… you were given: this may not be your plant's server.`,
      'Check the server address and the fingerprint printed with the enrolment code. Nothing was sent to the server.',
      { fingerprint },
    );
  }
  const key = ctx.deviceKey;
  const client = new SyncHttpClient(serverUrl, caPem, null, ctx.timeoutMs);
  let response;
  try {
    const body = {
      protocol: SYNC_PROTOCOL,
      code,
      deviceId: key.deviceId,
      deviceName: key.name,
      publicKeyPem: key.publicKeyPem,
      proof: key.sign(enrolmentStatement({ code, deviceId: key.deviceId, publicKeyPem: key.publicKeyPem })),
    };
    response = EnrolResponseSchema.parse(await client.call('POST', '/enrol', body));
  } finally {
    client.close();
  }
  const check = checkDeviceCertificate(
    response.deviceCertificatePem,
    { deviceId: key.deviceId, publicKeyPem: key.publicKeyPem },
    [caPem],
    new Set(),
    ctx.clock(),
  );
  if (!check.ok)
    throw new BaselineError(
      'device-certificate-invalid',
      `The server issued a device certificate this laptop cannot accept: ${check.reason}.`,
      'Tell the administrator; this laptop was not enrolled.',
    );
  const file: EnrolmentFile = {
    format: 'baseline.sync-enrolment/1',
    serverUrl: new URL(serverUrl).origin,
    serverId: response.serverId,
    caCertificatePem: caPem,
    caFingerprint: fingerprint,
    deviceCertificatePem: response.deviceCertificatePem,
    token: response.token,
    enrolledAt: ctx.clock().toISOString(),
  };
  if (!trusted) ctx.identity.trustCa(caPem, null, actor);
  ctx.journal.append(
    'device.certified',
    {
      deviceId: key.deviceId,
      certificatePem: response.deviceCertificatePem,
      certificateFingerprint: check.facts.fingerprint,
      caFingerprint: fingerprint,
      server: new URL(serverUrl).origin,
    },
    actor,
  );
  return file;
}
