/**
 * Certificates the plant CA issues to machines (ARCHITECTURE §8 "Trust"): a device certificate that binds a
 * laptop's Ed25519 journal key to its device id, and the central server's TLS certificate. People's
 * certificates stay in pki.ts.
 *
 * node-forge builds X.509 only around RSA keys, so a device certificate is assembled from forge's own ASN.1
 * parts: forge lays out the to-be-signed certificate, the Ed25519 SubjectPublicKeyInfo (DER from node:crypto)
 * replaces its key, and node:crypto signs it with the CA's RSA key. Reading and verifying use node:crypto's
 * X509Certificate, which understands Ed25519 keys.
 */
import forge from 'node-forge';
import { caCertificateProblem } from './pki.ts';
import { X509Certificate, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/** The subject attribute that carries a device id (LDAP `uid`, OID 0.9.2342.19200300.100.1.1). */
const UID_OID = '0.9.2342.19200300.100.1.1';
/** Organisational unit every device certificate carries, so a person's certificate is never mistaken for one. */
export const DEVICE_OU = 'Baseline device';

function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function derToPem(der: string, type: string): string {
  return forge.pem.encode({ type, body: der }).replace(/\r\n/g, '\n');
}

/** SHA-256 fingerprint (hex of the DER) of any certificate, RSA or Ed25519. */
export function anyCertificateFingerprint(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
}

/**
 * Issues a device certificate: subject CN = device name, UID = device id, OU = "Baseline device"; its public
 * key is the device's Ed25519 journal key; signed by the plant CA (SHA-256 with RSA).
 */
export function issueDeviceCertificate(
  ca: { certPem: string; keyPem: string },
  device: { deviceId: string; name: string; publicKeyPem: string },
  years = 5,
  now = new Date(),
): string {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  // forge lays out the TBS only around an RSA key: the CA's stands in and is replaced below.
  cert.publicKey = caCert.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(Math.min(now.getTime() + years * 365.25 * 86_400_000, caCert.validity.notAfter.getTime()));
  cert.setSubject([
    { name: 'commonName', value: device.name },
    { type: UID_OID, value: device.deviceId },
    { name: 'organizationalUnitName', value: DEVICE_OU },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
  ]);
  const sigOid = forge.pki.oids['sha256WithRSAEncryption']!;
  cert.siginfo.algorithmOid = sigOid;
  cert.signatureOid = sigOid;
  // getTBSCertificate is public in node-forge but missing from its type definitions.
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  const spkiDer = createPublicKey(device.publicKeyPem).export({ type: 'spki', format: 'der' });
  const fields = tbs.value as forge.asn1.Asn1[];
  // TBSCertificate (RFC 5280 §4.1): [0] version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, [3] extensions
  fields[6] = forge.asn1.fromDer(forge.util.createBuffer(spkiDer.toString('binary')));
  const tbsDer = forge.asn1.toDer(tbs).getBytes();
  const signature = sign('sha256', Buffer.from(tbsDer, 'binary'), createPrivateKey(ca.keyPem));
  const { asn1 } = forge;
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(sigOid).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, String.fromCharCode(0) + signature.toString('binary')),
  ]);
  return derToPem(asn1.toDer(certificate).getBytes(), 'CERTIFICATE');
}

/** What a device certificate says, once read. */
export interface DeviceCertificateFacts {
  deviceId: string;
  name: string;
  fingerprint: string;
  notBefore: string;
  notAfter: string;
  issuerFingerprint: string | null;
}

function subjectField(subject: string, key: string): string | null {
  for (const line of subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && line.slice(0, eq) === key) return line.slice(eq + 1);
  }
  return null;
}

/**
 * Checks a device certificate for a device id and journal key against the plant CAs: issued by one of them, in
 * date at `at`, not revoked, naming this device and binding exactly this key. Returns the reason it fails,
 * or the certificate's facts.
 */
export function checkDeviceCertificate(
  certPem: string,
  expected: { deviceId: string; publicKeyPem: string },
  caPems: readonly string[],
  revokedFingerprints: ReadonlySet<string>,
  at: Date,
): { ok: true; facts: DeviceCertificateFacts } | { ok: false; reason: string } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return { ok: false, reason: 'the device certificate cannot be read' };
  }
  const fingerprint = createHash('sha256').update(cert.raw).digest('hex');
  if (revokedFingerprints.has(fingerprint)) return { ok: false, reason: 'the device certificate has been revoked' };
  if (subjectField(cert.subject, 'OU') !== DEVICE_OU) return { ok: false, reason: 'the certificate is not a Baseline device certificate' };
  const deviceId = subjectField(cert.subject, 'UID');
  if (deviceId !== expected.deviceId)
    return { ok: false, reason: `the device certificate names device ${deviceId ?? '(none)'}, not ${expected.deviceId}` };
  let keyMatches: boolean;
  try {
    keyMatches = cert.publicKey
      .export({ type: 'spki', format: 'der' })
      .equals(createPublicKey(expected.publicKeyPem).export({ type: 'spki', format: 'der' }));
  } catch {
    keyMatches = false;
  }
  if (!keyMatches)
    return { ok: false, reason: "the device certificate binds a different key than the one that signs this device's journal" };
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (at < notBefore || at > notAfter) {
    return {
      ok: false,
      reason: `the device certificate was not valid at ${at.toISOString()} (valid ${notBefore.toISOString()} to ${notAfter.toISOString()})`,
    };
  }
  for (const caPem of caPems) {
    let ca: X509Certificate;
    try {
      ca = new X509Certificate(caPem);
    } catch {
      continue;
    }
    if (cert.checkIssued(ca) && cert.verify(ca.publicKey)) {
      // An issuer that is not a CA (basicConstraints cA:true, keyUsage keyCertSign) certifies nothing.
      let caProblem: string | null;
      try {
        caProblem = caCertificateProblem(forge.pki.certificateFromPem(caPem));
      } catch {
        caProblem = 'it cannot be read';
      }
      if (caProblem) continue;
      return {
        ok: true,
        facts: {
          deviceId,
          name: subjectField(cert.subject, 'CN') ?? deviceId,
          fingerprint,
          notBefore: notBefore.toISOString(),
          notAfter: notAfter.toISOString(),
          issuerFingerprint: createHash('sha256').update(ca.raw).digest('hex'),
        },
      };
    }
  }
  return { ok: false, reason: 'the device certificate was not issued by a trusted plant CA' };
}

/**
 * Issues the central server's TLS certificate and key (RSA 2048), signed by the plant CA. `names` become its
 * subjectAltNames: IP addresses as iPAddress entries, anything else as dNSName.
 */
export function issueServerCertificate(
  ca: { certPem: string; keyPem: string },
  names: readonly string[],
  years = 2,
  now = new Date(),
): { certPem: string; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(Math.min(now.getTime() + years * 365.25 * 86_400_000, caCert.validity.notAfter.getTime()));
  cert.setSubject([
    { name: 'commonName', value: names[0] ?? 'localhost' },
    { name: 'organizationName', value: 'Baseline central server' },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  const isIp = (n: string) => /^[0-9.]+$/.test(n) || n.includes(':');
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names.map((n) => (isIp(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
