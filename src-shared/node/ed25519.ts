/**
 * Ed25519 signatures for device keys (node:crypto). Devices sign every journal event without asking anyone,
 * so the key must be fast and small; people's signatures use X.509/PKCS#12 (see the identity service).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/** A freshly generated Ed25519 key pair in PEM (SPKI public, PKCS#8 private). */
export function generateEd25519(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Signs UTF-8 text with an Ed25519 private key; returns base64. */
export function signText(privateKey: KeyObject, text: string): string {
  return sign(null, Buffer.from(text, 'utf8'), privateKey).toString('base64');
}

/** Verifies a base64 Ed25519 signature over UTF-8 text; false (never throws) on any malformed input. */
export function verifyText(publicKey: KeyObject, text: string, signatureB64: string): boolean {
  try {
    const sig = Buffer.from(signatureB64, 'base64');
    if (sig.length !== 64) return false;
    return verify(null, Buffer.from(text, 'utf8'), publicKey, sig);
  } catch {
    return false;
  }
}

/** Parses a PEM public key, or returns null when it is not one. */
export function publicKeyFromPem(pem: string): KeyObject | null {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/** Parses a PEM private key (optionally passphrase-encrypted PKCS#8). Throws on a wrong passphrase. */
export function privateKeyFromPem(pem: string, passphrase?: string): KeyObject {
  return passphrase === undefined ? createPrivateKey(pem) : createPrivateKey({ key: pem, passphrase });
}
