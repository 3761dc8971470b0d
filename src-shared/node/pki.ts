/**
 * People's keys (ARCHITECTURE §3, issue #4): the plant CA, user certificates and password-protected PKCS#12
 * keystores, built with node-forge (X.509, PKCS#12) and node:crypto (fast RSA key generation and signing).
 *
 * A person's key is only ever unlocked for one signature at a time (21 CFR 11.200): callers pass the password,
 * get the signature, and no key material outlives the call.
 */
import forge from 'node-forge';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { BaselineError } from '../common/errors.ts';
import './kdf-iteration-cap.ts';

/**
 * A role a person holds: a role name of the plant policy (the OT change framework's RACI: controls-engineer, shift-supervisor,
 * plant-engineering-manager, ot-security, quality-compliance…) or one of Baseline's built-in ones.
 */
export type Role = string;

/** Roles Baseline itself knows, whatever the policy: signing evidence, approving baselines, authorizing restores. */
export const BUILT_IN_ROLES = ['engineer', 'supervisor', 'approver', 'compliance', 'admin'] as const;

/** Who a certificate names. */
export interface PersonSubject {
  name: string;
  employeeId: string;
  roles: Role[];
}

/** OID under which Baseline records a person's roles in their certificate (private arc, text value). */
export const ROLES_OID = '1.3.6.1.4.1.55555.1.1';

// PBKDF2 iterations: node-forge is pure JavaScript, so 20,000 costs ~0.2 s per unlock here (OpenSSL's default is
// 2,048); every signature unlocks the keystore once, so this is the delay a person sees at each signing.
const PBE = { algorithm: 'aes256', count: 20_000, saltSize: 16 } as const;

function newRsaKey(): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function serial(): string {
  // Positive 16-byte serial (RFC 5280 §4.1.2.2): clear the top bit.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

/** SHA-256 fingerprint of a certificate (hex of the DER). */
export function certificateFingerprint(certPem: string): string {
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(certPem))).getBytes();
  return createHash('sha256').update(Buffer.from(der, 'binary')).digest('hex');
}

/** A plant CA: its certificate and its private key (PEM), to be kept password-protected. */
export function createCa(name: string, years = 10, now = new Date()): { certPem: string; keyPem: string } {
  const key = newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + years * 365.25 * 86_400_000);
  const attrs = [
    { name: 'commonName', value: name },
    { name: 'organizationName', value: 'Baseline plant CA' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(key.privatePem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.privatePem };
}

/** Issues a person's certificate and key, signed by the CA. */
export function issuePerson(
  ca: { certPem: string; keyPem: string },
  who: PersonSubject,
  years = 3,
  now = new Date(),
): { certPem: string; keyPem: string } {
  const key = newRsaKey();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(Math.min(now.getTime() + years * 365.25 * 86_400_000, caCert.validity.notAfter.getTime()));
  cert.setSubject([
    { name: 'commonName', value: who.name },
    { type: '2.5.4.5', value: who.employeeId }, // serialNumber attribute: the employee id
    { name: 'organizationalUnitName', value: who.roles.join(',') },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    {
      id: ROLES_OID,
      value: forge.asn1.toDer(forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.UTF8, false, who.roles.join(','))).getBytes(),
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.privatePem };
}

/** Packs key + certificate (+ chain) into a password-protected PKCS#12 (AES-256, PBKDF2). */
export function toP12(keyPem: string, certPem: string, chainPems: string[], password: string, friendlyName: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(keyPem),
    [forge.pki.certificateFromPem(certPem), ...chainPems.map((p) => forge.pki.certificateFromPem(p))],
    password,
    { ...PBE, friendlyName, generateLocalKeyId: true },
  );
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** Opens a PKCS#12: its key and certificates. Wrong password and non-PKCS#12 input are told apart. */
export function openP12(bytes: Uint8Array, password: string): { keyPem: string; certPem: string; chainPems: string[] } {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')));
  } catch {
    throw new BaselineError(
      'p12-not-pkcs12',
      'The file is not a PKCS#12 keystore (.p12/.pfx).',
      'Choose the .p12 file exported from Baseline or issued by the plant CA.',
    );
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (err) {
    if (err instanceof BaselineError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    if (/MAC could not be verified|Invalid password|decrypt/i.test(msg)) {
      throw new BaselineError(
        'wrong-password',
        'The password is wrong.',
        'Type the password again; repeated wrong passwords lock signing on this laptop for a while.',
      );
    }
    throw new BaselineError(
      'p12-not-pkcs12',
      `The file is not a readable PKCS#12 keystore (${msg}).`,
      'Choose the .p12 file exported from Baseline or issued by the plant CA.',
    );
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids['pkcs8ShroudedKeyBag']! })[forge.pki.oids['pkcs8ShroudedKeyBag']!] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids['keyBag']! })[forge.pki.oids['keyBag']!] ?? []),
  ];
  const certBags = p12.getBags({ bagType: forge.pki.oids['certBag']! })[forge.pki.oids['certBag']!] ?? [];
  const key = keyBags[0]?.key;
  if (!key)
    throw new BaselineError(
      'p12-no-key',
      'The keystore holds no private key.',
      "Use a keystore with the person's key, not only a certificate.",
    );
  const keyPem = forge.pki.privateKeyToPem(key);
  const publicPem = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'pem' }).toString();
  const certs = certBags.map((b) => b.cert).filter((c): c is forge.pki.Certificate => c !== undefined && c !== null);
  const own = certs.find((c) => forge.pki.publicKeyToPem(c.publicKey).replace(/\r/g, '') === publicPem.replace(/\r/g, ''));
  if (!own)
    throw new BaselineError(
      'p12-no-certificate',
      'The keystore holds no certificate for its key.',
      'Use the keystore issued by the plant CA.',
    );
  return {
    keyPem,
    certPem: forge.pki.certificateToPem(own),
    chainPems: certs.filter((c) => c !== own).map((c) => forge.pki.certificateToPem(c)),
  };
}

/** The person a certificate names. */
export function subjectOf(certPem: string): PersonSubject & { fingerprint: string; notAfter: string; serial: string } {
  const cert = forge.pki.certificateFromPem(certPem);
  const cn = cert.subject.getField('CN')?.value as string | undefined;
  const id = cert.subject.attributes.find((a) => a.type === '2.5.4.5')?.value as string | undefined;
  const ou = cert.subject.getField('OU')?.value as string | undefined;
  return {
    name: cn ?? '(no name)',
    employeeId: id ?? '(no id)',
    roles: (ou ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r !== ''),
    fingerprint: certificateFingerprint(certPem),
    notAfter: cert.validity.notAfter.toISOString(),
    serial: cert.serialNumber,
  };
}

/** Signs text with a PEM private key (RSASSA-PKCS1-v1_5, SHA-256); base64. */
export function signWithKey(keyPem: string, text: string): string {
  return sign('sha256', Buffer.from(text, 'utf8'), createPrivateKey(keyPem)).toString('base64');
}

/** Verifies a signature made by signWithKey against a certificate's public key. */
export function verifyWithCertificate(certPem: string, text: string, signatureB64: string): boolean {
  try {
    return verify('sha256', Buffer.from(text, 'utf8'), createPublicKey(certPem), Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Why a certificate cannot act as a CA, or null when it can: RFC 5280 §4.2.1.9 and §4.2.1.3 require a certificate
 * that signs others to say basicConstraints cA:true and keyUsage keyCertSign. A person's certificate says neither,
 * so holding a person's key never makes anyone an issuer.
 */
export function caCertificateProblem(cert: forge.pki.Certificate): string | null {
  const bc = cert.getExtension('basicConstraints') as { cA?: boolean } | null;
  if (!bc) return 'it has no basicConstraints extension marking it a CA (an end-entity certificate)';
  if (bc.cA !== true) return 'its basicConstraints says cA:false (it belongs to a person or a machine, not a CA)';
  const ku = cert.getExtension('keyUsage') as { keyCertSign?: boolean } | null;
  if (!ku) return 'it has no keyUsage extension allowing it to sign certificates (keyCertSign)';
  if (ku.keyCertSign !== true) return 'its keyUsage does not allow signing certificates (keyCertSign)';
  return null;
}

/** Why a certificate is not trusted, or null when it chains to one of the CAs, is in date and not revoked. */
export function certificateProblem(certPem: string, caPems: string[], revokedFingerprints: ReadonlySet<string>, at: Date): string | null {
  let cert: forge.pki.Certificate;
  try {
    cert = forge.pki.certificateFromPem(certPem);
  } catch {
    return 'the signer certificate cannot be read';
  }
  const fingerprint = certificateFingerprint(certPem);
  if (revokedFingerprints.has(fingerprint)) return 'the signer certificate has been revoked';
  if (at < cert.validity.notBefore || at > cert.validity.notAfter) {
    return `the signer certificate was not valid at ${at.toISOString()} (valid ${cert.validity.notBefore.toISOString()} to ${cert.validity.notAfter.toISOString()})`;
  }
  const issuers = caPems
    .map((p) => forge.pki.certificateFromPem(p))
    .filter((ca) => {
      try {
        return ca.verify(cert);
      } catch {
        return false;
      }
    });
  if (issuers.length === 0) return 'the signer certificate was not issued by a trusted plant CA';
  // An issuer that is not a CA (a person's certificate trusted by mistake, or a table edited) issues nothing valid.
  const asCa = issuers.map((ca) => ({ ca, problem: caCertificateProblem(ca) }));
  if (!asCa.some((x) => x.problem === null)) {
    const bad = asCa[0]!;
    return `the signer certificate was issued by "${String(bad.ca.subject.getField('CN')?.value ?? '?')}", which cannot issue certificates: ${bad.problem}`;
  }
  return null;
}
