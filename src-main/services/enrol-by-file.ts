/**
 * Enrolment by file, for a laptop with no network path to the central server (docs/air-gap.md): the laptop writes
 * the request online enrolment would send, the administrator imports it on the server, and the laptop imports the
 * signed response, checked as online enrolment checks the server's answer. The laptop's side; the bundle service
 * (sync-bundle-service.ts) gives it the bundle key and the acknowledged position.
 */
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { SYNC_PROTOCOL, enrolmentStatement } from '../../src-shared/common/sync/sync-protocol.ts';
import { anyCertificateFingerprint, checkDeviceCertificate } from '../../src-shared/node/plant-certificates.ts';
import { serverBundleCertificateProblem } from '../../src-shared/node/sync-bundle/bundle-content.ts';
import { readEnrolResponseFile, writeEnrolRequestFile } from '../../src-shared/node/sync-bundle/enrol-file.ts';
import type { DeviceKey } from '../store/device-key-store.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { SyncRepository } from '../store/sync-repository.ts';
import type { IdentityService } from './identity-service.ts';
import type { EnrolmentFile } from './sync-enrolment.ts';
import type { SyncService } from './sync-service.ts';

/** What enrolling by file needs from the laptop. */
export interface EnrolByFileContext {
  journal: JournalRepository;
  repo: SyncRepository;
  deviceKey: DeviceKey;
  sync: SyncService;
  identity: IdentityService;
  clock: () => Date;
  /** This laptop's bundle certificate (the server encrypts its bundles to it). */
  bundleCertificatePem: () => string;
  /** The device certificate this laptop holds (null: not enrolled). */
  deviceCertificate: () => string | null;
  acknowledgedSeq: () => number;
  /** Records the server's bundle certificate (it signed the response). */
  learnServerCertificate: (certPem: string) => void;
}

/** What importing a response did. */
export interface EnrolImportResult {
  nothingChanged: boolean;
  message: string;
  acknowledgedSeq: number;
}

/**
 * Writes an enrolment request file for a laptop with no network path to the server: the request online
 * enrolment sends (the one-time code, this device's identity and key, proof it holds the key) and its bundle
 * certificate. `caFingerprint` is the plant CA fingerprint the administrator gave with the code; the response
 * is checked against it (or against a CA this laptop already trusts, when null).
 */
export function writeEnrolRequest(
  ctx: EnrolByFileContext,
  code: string,
  caFingerprint: string | null,
): { fileName: string; bytes: Buffer } {
  const trimmed = code.trim();
  if (trimmed.length < 4)
    throw new BaselineError(
      'enrol-code-missing',
      'Type the one-time enrolment code the administrator gave you.',
      'The administrator prints it with `baseline server enrol-code`.',
    );
  const fp =
    caFingerprint === null
      ? null
      : caFingerprint
          .trim()
          .toLowerCase()
          .replace(/[^0-9a-f]/g, '');
  if (fp !== null && fp.length !== 64) {
    throw new BaselineError(
      'enrol-fingerprint-invalid',
      'The plant CA fingerprint must be 64 hexadecimal digits (SHA-256).',
      'Copy it exactly as `baseline server enrol-code` printed it.',
    );
  }
  if (fp === null && ctx.identity.trust().caPems.length === 0) {
    throw new BaselineError(
      'enrol-fingerprint-missing',
      "This laptop trusts no plant CA yet, so it needs the CA fingerprint to check the server's answer.",
      'Type the fingerprint printed with the enrolment code.',
    );
  }
  const key = ctx.deviceKey;
  const request = {
    protocol: SYNC_PROTOCOL as typeof SYNC_PROTOCOL,
    code: trimmed,
    deviceId: key.deviceId,
    deviceName: key.name,
    publicKeyPem: key.publicKeyPem,
    proof: key.sign(enrolmentStatement({ code: trimmed, deviceId: key.deviceId, publicKeyPem: key.publicKeyPem })),
  };
  ctx.repo.set('enrol-file-ca', fp ?? '');
  const bytes = writeEnrolRequestFile(request, ctx.bundleCertificatePem(), (t) => key.sign(t), ctx.clock());
  return { fileName: `baseline-enrol-request-${key.name.replace(/[^A-Za-z0-9._-]+/g, '-')}.json`, bytes };
}

/** Imports the server's enrolment response: checks it as online enrolment checks the server's answer, then records the enrolment. */
export function importEnrolResponse(ctx: EnrolByFileContext, bytes: Buffer, actor: Actor): EnrolImportResult {
  const { body, signerCertificatePem } = readEnrolResponseFile(bytes);
  const own = ctx.deviceKey.deviceId;
  if (body.deviceId !== own) {
    throw new BaselineError(
      'enrol-response-other-device',
      `This enrolment response is for device ${body.deviceName} (${body.deviceId}), not this laptop (${ctx.deviceKey.name}, ${own}).`,
      "Carry it to the laptop it names, and import this laptop's own response; nothing was recorded.",
    );
  }
  const caPem = body.caCertificatePem;
  const fingerprint = anyCertificateFingerprint(caPem);
  const expected = ctx.repo.get('enrol-file-ca') || null;
  const trusted = ctx.identity.trust().caPems.some((p) => anyCertificateFingerprint(p) === fingerprint);
  if (fingerprint !== body.caFingerprint || (expected !== null ? expected !== fingerprint : !trusted)) {
    throw new BaselineError(
      'server-ca-mismatch',
      expected === null
        ? `The response's plant CA (fingerprint ${fingerprint.slice(0, 16)}…) is not one this laptop trusts.`
        : `The response's plant CA has fingerprint ${fingerprint.slice(0, 16)}…, not the ${expected.slice(0, 16)}… given with the code: it may not come from your plant's server.`,
      'Check the fingerprint printed with the enrolment code and write the request again; nothing was recorded.',
      { fingerprint },
    );
  }
  const signerProblem = serverBundleCertificateProblem(signerCertificatePem, [caPem], ctx.clock());
  if (signerProblem)
    throw new BaselineError(
      'enrol-response-signer-untrusted',
      `The response was not signed by this plant's server: ${signerProblem}.`,
      'Nothing was recorded; ask the administrator to import the request again.',
    );
  const check = checkDeviceCertificate(
    body.deviceCertificatePem,
    { deviceId: own, publicKeyPem: ctx.deviceKey.publicKeyPem },
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
  const current = ctx.sync.enrolmentCa();
  if (current && ctx.deviceCertificate() === body.deviceCertificatePem) {
    return {
      nothingChanged: true,
      acknowledgedSeq: ctx.acknowledgedSeq(),
      message: 'Nothing changed: this laptop already holds this enrolment.',
    };
  }
  if (!trusted) ctx.identity.trustCa(caPem, null, actor);
  ctx.journal.append(
    'device.certified',
    {
      deviceId: own,
      certificatePem: body.deviceCertificatePem,
      certificateFingerprint: check.facts.fingerprint,
      caFingerprint: fingerprint,
      server: 'by file',
    },
    actor,
  );
  const file: EnrolmentFile = {
    format: 'baseline.sync-enrolment/1',
    serverUrl: null,
    serverId: body.serverId,
    caCertificatePem: caPem,
    caFingerprint: fingerprint,
    deviceCertificatePem: body.deviceCertificatePem,
    token: null,
    enrolledAt: ctx.clock().toISOString(),
  };
  ctx.sync.adoptEnrolment(file);
  ctx.learnServerCertificate(signerCertificatePem);
  ctx.repo.set('enrol-file-ca', '');
  return {
    nothingChanged: false,
    acknowledgedSeq: ctx.acknowledgedSeq(),
    message: `Enrolled by file with the plant's server (CA ${fingerprint.slice(0, 16)}…): this laptop now syncs by bundles.`,
  };
}
