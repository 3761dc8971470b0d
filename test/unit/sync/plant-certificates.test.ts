import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { createCa } from '../../../src-shared/node/pki.ts';
import { generateEd25519 } from '../../../src-shared/node/ed25519.ts';
import {
  anyCertificateFingerprint,
  checkDeviceCertificate,
  issueDeviceCertificate,
  issueServerCertificate,
} from '../../../src-shared/node/plant-certificates.ts';

describe('certificates the plant CA issues to machines', () => {
  const ca = createCa('Plant CA', 10, new Date('2026-01-01T00:00:00Z'));
  const key = generateEd25519();
  const at = new Date('2026-06-01T00:00:00Z');
  const cert = issueDeviceCertificate(
    ca,
    { deviceId: 'dev-7', name: 'laptop-7', publicKeyPem: key.publicKeyPem },
    5,
    new Date('2026-02-01T00:00:00Z'),
  );

  it('binds a device id to its Ed25519 journal key, checked against the CA', () => {
    const r = checkDeviceCertificate(cert, { deviceId: 'dev-7', publicKeyPem: key.publicKeyPem }, [ca.certPem], new Set(), at);
    expect(r).toMatchObject({
      ok: true,
      facts: { deviceId: 'dev-7', name: 'laptop-7', issuerFingerprint: anyCertificateFingerprint(ca.certPem) },
    });
    expect(new X509Certificate(cert).publicKey.asymmetricKeyType).toBe('ed25519');
  });

  it('names what is wrong: another key, another device, another CA, revoked, out of date', () => {
    const reason = (r: ReturnType<typeof checkDeviceCertificate>) => (r.ok ? 'ok' : r.reason);
    expect(
      reason(
        checkDeviceCertificate(cert, { deviceId: 'dev-7', publicKeyPem: generateEd25519().publicKeyPem }, [ca.certPem], new Set(), at),
      ),
    ).toMatch(/binds a different key/);
    expect(
      reason(checkDeviceCertificate(cert, { deviceId: 'dev-8', publicKeyPem: key.publicKeyPem }, [ca.certPem], new Set(), at)),
    ).toMatch(/names device dev-7, not dev-8/);
    expect(
      reason(
        checkDeviceCertificate(cert, { deviceId: 'dev-7', publicKeyPem: key.publicKeyPem }, [createCa('Other').certPem], new Set(), at),
      ),
    ).toMatch(/not issued by a trusted plant CA/);
    expect(
      reason(
        checkDeviceCertificate(
          cert,
          { deviceId: 'dev-7', publicKeyPem: key.publicKeyPem },
          [ca.certPem],
          new Set([anyCertificateFingerprint(cert)]),
          at,
        ),
      ),
    ).toMatch(/revoked/);
    expect(
      reason(
        checkDeviceCertificate(
          cert,
          { deviceId: 'dev-7', publicKeyPem: key.publicKeyPem },
          [ca.certPem],
          new Set(),
          new Date('2025-01-01T00:00:00Z'),
        ),
      ),
    ).toMatch(/not valid at 2025-01-01/);
    const person = createCa('Not a device');
    expect(
      reason(checkDeviceCertificate(person.certPem, { deviceId: 'dev-7', publicKeyPem: key.publicKeyPem }, [ca.certPem], new Set(), at)),
    ).toMatch(/not a Baseline device certificate/);
  });

  it('issues the server a TLS certificate for its names', () => {
    const server = new X509Certificate(issueServerCertificate(ca, ['localhost', '127.0.0.1']).certPem);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
  });
});
