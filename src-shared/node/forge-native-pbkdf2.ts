/**
 * PBKDF2 for node-forge's keystore code through Node's own (OpenSSL) implementation. Forge already does this when it
 * is given the digest by name, but its PKCS#12 and PKCS#8 code (PBES2) hands it a digest object, and then forge runs
 * PBKDF2 in JavaScript: about 85 % of opening a keystore (20,000 iterations of HMAC-SHA256, some 0.15-0.2 s on a
 * 2-core laptop), paid at every signature. Here a digest object of a known algorithm is passed on by its name, so forge
 * takes its native path: the same function of the same inputs, the same bytes out, about ten times faster.
 *
 * Only where both give the same key: forge's native path reads the password and salt as bytes (Latin-1), while its
 * JavaScript path would read a character above U+00FF differently. A password with such a character stays on forge's
 * JavaScript path, so every keystore written before opens exactly as it did. Imported before the iteration cap
 * (kdf-iteration-cap.ts), which then guards this function too.
 */
import forge from 'node-forge';

/** Digests Node's PBKDF2 computes, by forge's algorithm names (which are Node's names for them). */
const NATIVE = new Set(['md5', 'sha1', 'sha256', 'sha384', 'sha512']);

type Pbkdf2 = (p: string, s: string, c: number, dkLen: number, md?: unknown, callback?: unknown) => unknown;

/** True when every character of `text` is a byte (what forge's native path reads). */
function bytesOnly(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

const pkcs5 = (forge as unknown as { pkcs5: { pbkdf2: Pbkdf2 } }).pkcs5;
const forgePbkdf2 = pkcs5.pbkdf2;

/** forge's pbkdf2 with a known digest object turned into its name, for the inputs where that changes nothing but speed. */
export const nativePbkdf2: Pbkdf2 = function (this: unknown, p, s, c, dkLen, md, callback) {
  const algorithm = typeof md === 'object' && md !== null ? (md as { algorithm?: unknown }).algorithm : undefined;
  if (typeof algorithm === 'string' && NATIVE.has(algorithm) && bytesOnly(p) && bytesOnly(s))
    return forgePbkdf2.call(this, p, s, c, dkLen, algorithm, callback);
  return forgePbkdf2.call(this, p, s, c, dkLen, md, callback);
};

/** forge's own function, for tests comparing the two. */
export const forgeOwnPbkdf2: Pbkdf2 = forgePbkdf2;

pkcs5.pbkdf2 = nativePbkdf2;
(forge as unknown as { pbkdf2: Pbkdf2 }).pbkdf2 = nativePbkdf2;
