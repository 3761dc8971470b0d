/**
 * What sync bundles carry, declared once for the laptop and the server: a laptop's events as a push carries
 * them, the server's as a pull returns them, and the signed acknowledgement the server writes after an import.
 */
import * as z from 'zod';
import { BaselineError } from '../../common/errors.ts';
import { PulledEventSchema, WireEventSchema } from '../../common/sync/sync-protocol.ts';
import { ClockAttestationSchema } from '../../common/sync/clock-flags.ts';
import { certificateProblem, signWithKey, verifyWithCertificate } from '../pki.ts';
import { X509Certificate } from 'node:crypto';

/** Organisational unit of the server's bundle certificate (issued by the plant CA). */
export const SERVER_BUNDLE_OU = 'Baseline server bundles';
/** Organisational unit of a laptop's self-signed bundle certificate (its authenticity is the device's signature). */
export const DEVICE_BUNDLE_OU = 'Baseline device bundles';

/** Member `events.json` of a laptop's bundle: exactly the items a push sends. */
export const DeviceEventsSchema = z.array(
  z.object({ event: WireEventSchema, blobs: z.array(z.string().regex(/^[0-9a-f]{64}$/)) }).strict(),
);

/** Member `events.json` of a server's bundle: exactly what pulls return. */
export const ServerEventsSchema = z
  .object({
    events: z.array(PulledEventSchema),
    devices: z.array(z.object({ deviceId: z.string(), name: z.string(), publicKeyPem: z.string(), certificatePem: z.string() }).strict()),
    /** The plant CA's clock flags of the pushes the bundle covers, as online pull gives them (absent in older bundles). */
    clockFlags: z.array(ClockAttestationSchema).max(100_000).optional(),
  })
  .strict();

/**
 * Member `journal.json` of an evidence backup: the other devices' events the laptop held (approvals, people,
 * plant) and the stored order of every event, so a restore rebuilds the same store.
 */
export const BackupJournalSchema = z
  .object({
    others: z.array(z.object({ order: z.number().int(), event: WireEventSchema }).strict()),
    ownOrder: z.array(z.tuple([z.number().int(), z.number().int()])),
    /** The clock flags the laptop held (the plant CA's signed statements), so a restored laptop shows them again (absent in older backups). */
    clockFlags: z.array(ClockAttestationSchema).max(100_000).optional(),
  })
  .strict();

/** Member name of a blob. */
export function blobMember(sha256: string): string {
  return `blobs/${sha256}`;
}

/** The acknowledgement the server writes after importing a laptop's bundle. */
export const AckSchema = z
  .object({
    format: z.literal('baseline.sync-ack/1'),
    bundleId: z.string(),
    plantCaFingerprint: z.string(),
    serverId: z.string(),
    deviceId: z.string(),
    acknowledgedSeq: z.number().int().nonnegative(),
    acknowledgedHash: z.string().nullable(),
    accepted: z.number().int().nonnegative(),
    duplicates: z.number().int().nonnegative(),
    refusal: z.object({ code: z.string(), message: z.string(), hint: z.string() }).nullable(),
    writtenAt: z.string(),
  })
  .strict();
/** The acknowledgement. */
export type Ack = z.infer<typeof AckSchema>;

/** The acknowledgement file: the ack as signed text, its signature, and the server's bundle certificate. */
const AckFileSchema = z.object({ ack: z.string(), signature: z.string(), signerCertificatePem: z.string() }).strict();

/** Writes an acknowledgement file signed with the server's bundle key. */
export function writeAckFile(ack: Ack, key: { certPem: string; keyPem: string }): Buffer {
  const text = JSON.stringify(ack);
  return Buffer.from(
    JSON.stringify({ ack: text, signature: signWithKey(key.keyPem, text), signerCertificatePem: key.certPem }, null, 1) + '\n',
  );
}

/** Why a certificate is not the plant's server bundle certificate, or null. */
export function serverBundleCertificateProblem(certPem: string, caPems: string[], at: Date): string | null {
  const p = certificateProblem(certPem, caPems, new Set(), at);
  if (p) return p.replace(/signer certificate/g, "server's bundle certificate");
  try {
    const subject = new X509Certificate(certPem).subject;
    if (!subject.split('\n').includes(`OU=${SERVER_BUNDLE_OU}`))
      return "the certificate is not a server bundle certificate (a person's or another machine's)";
  } catch {
    return "the server's bundle certificate cannot be read";
  }
  return null;
}

/** Reads and checks an acknowledgement file against the plant CA; returns the ack and the server's bundle certificate. */
export function readAckFile(bytes: Buffer, caPems: string[], at: Date): { ack: Ack; signerCertificatePem: string } {
  let file: z.infer<typeof AckFileSchema>;
  let ack: Ack;
  try {
    file = AckFileSchema.parse(JSON.parse(bytes.toString('utf8')));
    ack = AckSchema.parse(JSON.parse(file.ack));
  } catch {
    throw new BaselineError(
      'ack-unreadable',
      'The file is not a Baseline acknowledgement (or it was cut off or altered).',
      'Choose the .ack file `baseline server import` wrote next to the bundle; nothing was recorded.',
    );
  }
  const problem = serverBundleCertificateProblem(file.signerCertificatePem, caPems, at);
  if (problem)
    throw new BaselineError(
      'ack-signer-untrusted',
      `The acknowledgement was not written by this plant's server: ${problem}.`,
      "Import acknowledgements only from your plant's server; nothing was recorded.",
    );
  if (!verifyWithCertificate(file.signerCertificatePem, file.ack, file.signature)) {
    throw new BaselineError(
      'ack-altered',
      "The acknowledgement's signature does not match its content: it was altered after the server wrote it.",
      'Copy the .ack file again from the drive; nothing was recorded.',
    );
  }
  return { ack, signerCertificatePem: file.signerCertificatePem };
}
