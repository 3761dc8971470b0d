/**
 * Enrolment by file, for a plant with no network path to the server ever (docs/air-gap.md): the laptop writes a
 * request file (the same request online enrolment sends, plus its bundle certificate), the server answers with a
 * response file signed by its bundle key (the device certificate, the plant CA and the server's bundle
 * certificate). Neither file holds a secret the laptop or server could be impersonated with: the one-time code is
 * used up by the import, the response carries no access token, and the certificates are public.
 */
import * as z from 'zod';
import { BaselineError } from '../../common/errors.ts';
import { EnrolRequestSchema, type EnrolRequest } from '../../common/sync/sync-protocol.ts';
import { signWithKey, verifyWithCertificate } from '../pki.ts';

/** Format of the request file. */
export const ENROL_REQUEST_FORMAT = 'baseline.enrol-request/1';
/** Format of the response file. */
export const ENROL_RESPONSE_FORMAT = 'baseline.enrol-response/1';

/** The request file: online enrolment's request, and the laptop's bundle certificate signed by its device key. */
export const EnrolRequestFileSchema = z
  .object({
    format: z.literal(ENROL_REQUEST_FORMAT),
    request: EnrolRequestSchema,
    /** The laptop's bundle certificate (the server encrypts its bundles for the laptop to it). */
    bundleCertificatePem: z.string().startsWith('-----BEGIN CERTIFICATE-----').max(8000),
    /** The device key's signature over `bundleCertificateStatement(...)`. */
    bundleCertificateSignature: z.string().min(1).max(256),
    createdAt: z.string(),
  })
  .strict();
/** The request file. */
export type EnrolRequestFile = z.infer<typeof EnrolRequestFileSchema>;

/** The text a device signs to bind its bundle certificate to its device key. */
export function bundleCertificateStatement(deviceId: string, certPem: string): string {
  return JSON.stringify({ purpose: 'baseline.enrol-bundle-certificate/1', deviceId, certificatePem: certPem });
}

/** What the response says (signed as text). */
export const EnrolResponseBodySchema = z
  .object({
    format: z.literal(ENROL_RESPONSE_FORMAT),
    deviceId: z.string(),
    deviceName: z.string(),
    deviceCertificatePem: z.string(),
    caCertificatePem: z.string(),
    caFingerprint: z.string(),
    serverId: z.string(),
    writtenAt: z.string(),
  })
  .strict();
/** What the response says. */
export type EnrolResponseBody = z.infer<typeof EnrolResponseBodySchema>;

const EnrolResponseFileSchema = z.object({ response: z.string(), signature: z.string(), signerCertificatePem: z.string() }).strict();

/** Writes the request file. */
export function writeEnrolRequestFile(
  request: EnrolRequest,
  bundleCertificatePem: string,
  sign: (text: string) => string,
  now: Date,
): Buffer {
  const file: EnrolRequestFile = {
    format: ENROL_REQUEST_FORMAT,
    request,
    bundleCertificatePem,
    bundleCertificateSignature: sign(bundleCertificateStatement(request.deviceId, bundleCertificatePem)),
    createdAt: now.toISOString(),
  };
  return Buffer.from(JSON.stringify(file, null, 1) + '\n');
}

/** Reads a request file (its form only; the server checks the rest). */
export function readEnrolRequestFile(bytes: Buffer): EnrolRequestFile {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BaselineError(
      'enrol-request-unreadable',
      'The file is not a Baseline enrolment request (it is not JSON, or it was cut off).',
      'Use the file the laptop wrote with `baseline sync enrol-request` (or Sync > Enrol by file); nothing was enrolled.',
    );
  }
  const r = EnrolRequestFileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new BaselineError(
      'enrol-request-unreadable',
      `The file is not a Baseline enrolment request (${issue ? `${issue.path.join('.') || '(file)'}: ${issue.message}` : 'unknown form'}).`,
      'Use the file the laptop wrote with `baseline sync enrol-request`; nothing was enrolled.',
    );
  }
  return r.data;
}

/** Writes the response file, signed with the server's bundle key. */
export function writeEnrolResponseFile(body: EnrolResponseBody, key: { certPem: string; keyPem: string }): Buffer {
  const text = JSON.stringify(body);
  return Buffer.from(
    JSON.stringify({ response: text, signature: signWithKey(key.keyPem, text), signerCertificatePem: key.certPem }, null, 1) + '\n',
  );
}

/** Whether JSON file bytes look like an enrolment response (rather than an acknowledgement). */
export function isEnrolResponseFile(bytes: Buffer): boolean {
  try {
    const j = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    return typeof j === 'object' && j !== null && 'response' in j;
  } catch {
    return false;
  }
}

/**
 * Reads a response file and checks its signature against the certificate it carries; the caller checks that
 * certificate against the plant CA. A response altered anywhere is refused.
 */
export function readEnrolResponseFile(bytes: Buffer): { body: EnrolResponseBody; signerCertificatePem: string } {
  let file: z.infer<typeof EnrolResponseFileSchema>;
  let body: EnrolResponseBody;
  try {
    file = EnrolResponseFileSchema.parse(JSON.parse(bytes.toString('utf8')));
    body = EnrolResponseBodySchema.parse(JSON.parse(file.response));
  } catch {
    throw new BaselineError(
      'enrol-response-unreadable',
      'The file is not a Baseline enrolment response (or it was cut off or altered).',
      'Choose the response file `baseline server enrol-file` wrote; this laptop was not enrolled.',
    );
  }
  if (!verifyWithCertificate(file.signerCertificatePem, file.response, file.signature)) {
    throw new BaselineError(
      'enrol-response-altered',
      "The enrolment response's signature does not match its content: it was altered after the server wrote it.",
      'Copy the response file again from the drive, or ask the administrator to import the request again; this laptop was not enrolled.',
    );
  }
  return { body, signerCertificatePem: file.signerCertificatePem };
}
