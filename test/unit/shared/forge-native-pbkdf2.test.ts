import { pbkdf2Sync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { forgeOwnPbkdf2, nativePbkdf2 } from '../../../src-shared/node/forge-native-pbkdf2.ts';
import { openP12, toP12 } from '../../../src-shared/node/pki.ts';

type Md = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';
const mdObject = (name: Md) => (forge.md as unknown as Record<Md, { create(): unknown }>)[name].create();
/** A random string of byte-sized characters (what forge's native path reads as Latin-1). */
const latin1 = (n: number) => randomBytes(n).toString('binary');
const pkcs5 = (forge as unknown as { pkcs5: { pbkdf2: unknown } }).pkcs5;

describe("forge's PBKDF2 through Node's: the same key, byte for byte", () => {
  it("gives forge's own JavaScript result for every digest, password and salt (300 generated cases)", () => {
    const digests: Md[] = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'];
    for (let i = 0; i < 300; i++) {
      const md = digests[i % digests.length]!;
      const [p, s] = [latin1(i % 41), latin1((i * 7) % 33)];
      const [c, dkLen] = [1 + ((i * 13) % 40), 1 + ((i * 11) % 80)];
      const ours = nativePbkdf2(p, s, c, dkLen, mdObject(md));
      expect(ours).toBe(forgeOwnPbkdf2(p, s, c, dkLen, mdObject(md)));
      // And it is Node's (OpenSSL's) result, which is what makes it fast.
      expect(ours).toBe(pbkdf2Sync(Buffer.from(p, 'binary'), Buffer.from(s, 'binary'), c, dkLen, md).toString('binary'));
    }
  });

  it("keeps a password with a character above U+00FF on forge's JavaScript path, whose key Node's would not give", () => {
    const [p, s] = ['Kennwort-€-ü', latin1(16)];
    const ours = nativePbkdf2(p, s, 2000, 32, mdObject('sha256'));
    expect(ours).toBe(forgeOwnPbkdf2(p, s, 2000, 32, mdObject('sha256')));
    expect(ours).not.toBe(pbkdf2Sync(Buffer.from(p, 'binary'), Buffer.from(s, 'binary'), 2000, 32, 'sha256').toString('binary'));
  });

  it('opens keystores written with forge’s JavaScript PBKDF2 (every keystore made before), with either kind of password', () => {
    const keys = forge.pki.rsa.generateKeyPair({ bits: 1024, e: 0x10001 });
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
    cert.validity.notAfter = new Date('2036-01-01T00:00:00Z');
    cert.setSubject([{ name: 'commonName', value: 'Erin Engineer' }]);
    cert.setIssuer([{ name: 'commonName', value: 'Erin Engineer' }]);
    cert.sign(keys.privateKey, forge.md.sha256.create());
    const [keyPem, certPem] = [forge.pki.privateKeyToPem(keys.privateKey), forge.pki.certificateToPem(cert)];
    for (const password of ['correct horse battery staple', 'Kennwort-€-ü']) {
      const ours = pkcs5.pbkdf2;
      pkcs5.pbkdf2 = forgeOwnPbkdf2;
      let before: Buffer;
      try {
        before = toP12(keyPem, certPem, [], password, 'Erin Engineer');
      } finally {
        pkcs5.pbkdf2 = ours;
      }
      expect(openP12(before, password).keyPem).toBe(keyPem);
      expect(() => openP12(before, `${password}x`)).toThrow(expect.objectContaining({ code: 'wrong-password' }));
      // And one written now opens the same way.
      expect(openP12(toP12(keyPem, certPem, [], password, 'Erin Engineer'), password).certPem).toBe(certPem);
    }
  });
});
