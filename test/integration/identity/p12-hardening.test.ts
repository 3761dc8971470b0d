/**
 * Keystores built to hurt: a .p12 asking for 20,000,000 key-derivation iterations is refused before any derivation
 * runs, wherever the count sits (the MAC, or a key bag when there is no MAC); and a CLI run whose standard input
 * ends before the password says so instead of reporting an internal error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import forge from 'node-forge';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { MAX_KDF_ITERATIONS } from '../../../src-shared/node/kdf-iteration-cap.ts';
import { openP12 } from '../../../src-shared/node/pki.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const BIN = fileURLToPath(new URL('../../../bin/baseline.js', import.meta.url));

function cli(args: string[], stdin: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: stdin, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Rewrites every INTEGER equal to `from` (the iteration counts) to `to`, without deriving anything; descends into
 * OCTET STRINGs that hold DER (PKCS#12 wraps its SafeContents that way).
 */
function rewriteIntegers(node: forge.asn1.Asn1, from: number, to: number): void {
  const { Class, Type } = forge.asn1;
  if (
    node.tagClass === Class.UNIVERSAL &&
    node.type === Type.INTEGER &&
    typeof node.value === 'string' &&
    forge.util.bytesToHex(node.value) === from.toString(16).padStart(4, '0')
  ) {
    node.value = forge.asn1.integerToDer(to).getBytes();
    return;
  }
  if (node.tagClass === Class.UNIVERSAL && node.type === Type.OCTETSTRING && typeof node.value === 'string' && node.value.length > 2) {
    try {
      const inner = forge.asn1.fromDer(node.value, true);
      rewriteIntegers(inner, from, to);
      node.value = forge.asn1.toDer(inner).getBytes();
    } catch {
      // Not DER: a salt or a digest.
    }
    return;
  }
  if (Array.isArray(node.value)) for (const child of node.value) rewriteIntegers(child, from, to);
}

/** A real keystore made with 2,049 iterations, then told to use `iterations` (with or without a MAC). */
function keystoreAsking(iterations: number, useMac: boolean): Buffer {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 1024, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2027-01-01T00:00:00Z');
  cert.setSubject([{ name: 'commonName', value: 'Mallory' }]);
  cert.setIssuer([{ name: 'commonName', value: 'Mallory' }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const asn1 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert], 'pw-2049', { algorithm: 'aes256', count: 2049, useMac });
  // Every count becomes `iterations`: the MAC's and the key bag's (the MAC then no longer matches, which only
  // shows after its derivation has run).
  if (iterations !== 2049) rewriteIntegers(asn1, 2049, iterations);
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

describe('keystore and prompt attacks', () => {
  const t = tempHome();
  let app: BaselineApp;
  beforeAll(() => {
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    app.close();
  });
  afterAll(() => t.cleanup());

  it('`people import` of a .p12 asking for 20,000,000 PBKDF2 iterations is refused at once with the limit named', () => {
    const file = join(t.home, 'slow.p12');
    writeFileSync(file, keystoreAsking(20_000_000, true));
    const r = cli(['people', 'import', '--p12', file, '--home', t.home], 'pw-2049\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The keystore asks for 20,000,000 key-derivation iterations; Baseline accepts at most 1,000,000.');
    expect(r.stderr).toMatch(/what to do: Export the keystore again/);
    expect(r.stderr).not.toMatch(/internal/i);
  });

  it('a count hidden in a key bag (no MAC to check first) is refused too; one within the cap still opens', () => {
    const hidden = keystoreAsking(MAX_KDF_ITERATIONS + 1, false);
    let caught: unknown;
    try {
      openP12(hidden, 'pw-2049');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BaselineError);
    expect((caught as BaselineError).code).toBe('p12-too-many-iterations');
    expect(openP12(keystoreAsking(2049, true), 'pw-2049').certPem).toContain('BEGIN CERTIFICATE');
  });

  it('a command that needs a password, with standard input ended, says so instead of an internal error', () => {
    const file = join(t.home, 'any.p12');
    writeFileSync(file, keystoreAsking(2049, true));
    const r = cli(['people', 'import', '--p12', file, '--home', t.home], '');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No answer for "Password of .*any\.p12:": standard input ended before the password/);
    expect(r.stderr).toMatch(/what to do: Run the command in a terminal/);
    expect(r.stderr).not.toMatch(/internal/i);
  });
});
