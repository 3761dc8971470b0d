/**
 * A ceiling on the key-derivation work a keystore may ask for. A PKCS#12 file names its own PBKDF2 and PKCS#12-KDF
 * iteration counts (for its MAC and for each encrypted part); node-forge runs whatever it reads, in JavaScript, so a
 * file asking for 20,000,000 iterations ties the program up for minutes. The cap is checked before each derivation.
 *
 * Why 1,000,000: it is above every count a real keystore uses (OpenSSL and Windows write 2,048 and 2,000, Baseline
 * 20,000, and OWASP's 2023 advice for PBKDF2-HMAC-SHA256 is 600,000) while bounding one derivation to about 11 s of
 * forge's PBKDF2-SHA256 on a 2-core laptop. The guard sits on forge's three derivation functions rather than on a
 * walk of the file, so counts inside encrypted parts (read only after an outer layer is decrypted) are held too.
 */
import forge from 'node-forge';
import { BaselineError } from '../common/errors.ts';
// First: forge's PBKDF2 through Node's, which the guard below then wraps.
import './forge-native-pbkdf2.ts';

/** The most iterations one key derivation may take. */
export const MAX_KDF_ITERATIONS = 1_000_000;

function refuse(count: number): never {
  throw new BaselineError(
    'p12-too-many-iterations',
    `The keystore asks for ${count.toLocaleString('en-US')} key-derivation iterations; Baseline accepts at most ${MAX_KDF_ITERATIONS.toLocaleString('en-US')}.`,
    'Export the keystore again with an ordinary iteration count (OpenSSL: `openssl pkcs12 -export -iter 20000 -maciter`), or ask the plant CA holder for a new one.',
  );
}

type Fn = (...args: unknown[]) => unknown;
const guarded = new WeakSet<Fn>();

/** Wraps `holder[name]` so that its argument at `countIndex` is checked first (once per function). */
function guard(holder: Record<string, unknown>, name: string, countIndex: number): void {
  const original = holder[name] as Fn | undefined;
  if (typeof original !== 'function' || guarded.has(original)) return;
  const wrapped: Fn = function (this: unknown, ...args: unknown[]) {
    const count = args[countIndex];
    if (typeof count !== 'number' || !(count <= MAX_KDF_ITERATIONS)) refuse(Number(count));
    return original.apply(this, args);
  };
  guarded.add(wrapped);
  holder[name] = wrapped;
}

const f = forge as unknown as { pkcs5: Record<string, unknown>; pbe: Record<string, unknown>; pkcs12: Record<string, unknown> };
guard(f.pkcs5, 'pbkdf2', 2);
guard(f.pbe, 'generatePkcs12Key', 3);
guard(f.pkcs12, 'generateKey', 3);
