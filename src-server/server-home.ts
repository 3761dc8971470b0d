/**
 * The server's data directory: its SQLite database (unless PostgreSQL is named), blob files, and the plant CA
 * with the server's TLS certificate.
 *
 *   server.db              SQLite store (embedded default)
 *   blobs/ab/cdef…         content-addressed blobs
 *   pki/plant-ca.pem       the plant CA certificate (laptops check the server against it)
 *   pki/plant-ca.key.pem   the plant CA key, readable only by the server's user (0600)
 *   pki/server.pem|.key.pem the server's TLS certificate, issued by the plant CA for its names
 *
 * The CA key is protected by file permissions only, like a laptop's device key outside Electron
 * (docs/security.md); a plant that already runs a CA puts its certificate and key here before first start.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createCa } from '../src-shared/node/pki.ts';
import { anyCertificateFingerprint, issueServerCertificate } from '../src-shared/node/plant-certificates.ts';
import { writeFileAtomic } from '../src-shared/node/atomic-file.ts';

/** The server's key material, read from its data directory. */
export interface ServerPki {
  caCertPem: string;
  caKeyPem: string;
  caFingerprint: string;
  serverCertPem: string;
  serverKeyPem: string;
}

/** Names the server certificate carries by default: loopback and this machine's name. */
export function defaultServerNames(): string[] {
  return ['localhost', '127.0.0.1', '::1', hostname()];
}

/** Creates the data directory, the plant CA (first start) and a server certificate for `names` (when missing, expiring or for other names). */
export function prepareServerHome(home: string, names: readonly string[], now = new Date()): ServerPki {
  const pki = join(home, 'pki');
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  const caCert = join(pki, 'plant-ca.pem');
  const caKey = join(pki, 'plant-ca.key.pem');
  if (!existsSync(caCert) || !existsSync(caKey)) {
    const ca = createCa('Baseline plant CA', 10, now);
    writeFileAtomic(caKey, ca.keyPem, 0o600);
    writeFileAtomic(caCert, ca.certPem, 0o644);
  }
  const ca = { certPem: readFileSync(caCert, 'utf8'), keyPem: readFileSync(caKey, 'utf8') };
  const serverCert = join(pki, 'server.pem');
  const serverKey = join(pki, 'server.key.pem');
  if (!serverCertificateFits(serverCert, serverKey, ca.certPem, names, now)) {
    const issued = issueServerCertificate(ca, names, 2, now);
    writeFileAtomic(serverKey, issued.keyPem, 0o600);
    writeFileAtomic(serverCert, issued.certPem, 0o644);
  }
  return {
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    caFingerprint: anyCertificateFingerprint(ca.certPem),
    serverCertPem: readFileSync(serverCert, 'utf8'),
    serverKeyPem: readFileSync(serverKey, 'utf8'),
  };
}

function serverCertificateFits(certPath: string, keyPath: string, caPem: string, names: readonly string[], now: Date): boolean {
  if (!existsSync(certPath) || !existsSync(keyPath)) return false;
  try {
    const cert = new X509Certificate(readFileSync(certPath));
    const ca = new X509Certificate(caPem);
    if (!cert.verify(ca.publicKey)) return false;
    if (new Date(cert.validTo).getTime() - now.getTime() < 30 * 86_400_000) return false;
    return names.every((n) => (/^[0-9.]+$/.test(n) || n.includes(':') ? cert.checkIP(n) !== undefined : cert.checkHost(n) !== undefined));
  } catch {
    return false;
  }
}
