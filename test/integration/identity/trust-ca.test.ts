/**
 * Only CA certificates are trusted as plant CAs, and trusting one is plant engineering's signed decision (issue #10,
 * section 4). The attacks run through the real `baseline people trust-ca` and `people import`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import forge from 'node-forge';
import { generateKeyPairSync } from 'node:crypto';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { certificateProblem, createCa, issuePerson, openP12, toP12 } from '../../../src-shared/node/pki.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const BIN = fileURLToPath(new URL('../../../bin/baseline.js', import.meta.url));
const CA_PASSWORD = 'plant-ca-secret-1';

function cli(args: string[], stdin = '') {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: stdin, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A self-signed certificate with no CA extensions at all (what `openssl req -x509` makes without a CA profile). */
function selfSignedNonCa(name: string): string {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: name }]);
  cert.setIssuer([{ name: 'commonName', value: name }]);
  cert.setExtensions([{ name: 'keyUsage', digitalSignature: true }]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

describe('people trust-ca trusts CA certificates only, as a signed decision of plant engineering', () => {
  const plant = tempHome();
  const fresh = tempHome();
  const files = tempHome();
  let caPem: string;
  let anaPem: string;
  let fakeManager: { certPem: string; keyPem: string };
  const file = (name: string, text: string | Buffer) => {
    const path = join(files.home, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(() => {
    const app = BaselineApp.open({ home: plant.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      caPem = app.identity.createCa('Plant 7 CA', CA_PASSWORD, app.actor()).certificatePem;
      const ana = app.identity.enrol(
        { name: 'Ana Ruiz', employeeId: 'E1042', roles: ['controls-engineer'], password: 'torque-wrench-42' },
        CA_PASSWORD,
        app.actor(),
      );
      app.identity.enrol(
        { name: 'Pat Manager', employeeId: 'M200', roles: ['plant-engineering-manager'], password: 'pat-password-1' },
        CA_PASSWORD,
        app.actor(),
      );
      anaPem = ana.certificatePem;
      // With the engineer's own key and certificate, a certificate for a made-up plant engineering manager.
      const anaKey = openP12(app.identity.exportP12(ana.fingerprint), 'torque-wrench-42');
      fakeManager = issuePerson(
        { certPem: anaKey.certPem, keyPem: anaKey.keyPem },
        { name: 'Pat Fake', employeeId: 'M999', roles: ['plant-engineering-manager'] },
      );
    } finally {
      app.close();
    }
    file('ca.pem', caPem);
  }, 60_000);
  afterAll(() => {
    plant.cleanup();
    fresh.cleanup();
    files.cleanup();
  });

  it.each([
    [
      "a person's own certificate",
      () => anaPem,
      /"Ana Ruiz" cannot be trusted as a plant CA: its basicConstraints says cA:false \(it belongs to a person or a machine, not a CA\)/,
    ],
    [
      'a self-signed certificate that is not a CA',
      () => selfSignedNonCa('Totally A CA'),
      /"Totally A CA" cannot be trusted as a plant CA: it has no basicConstraints extension marking it a CA/,
    ],
    [
      'an engineer-issued "plant engineering manager" certificate',
      () => fakeManager.certPem,
      /"Pat Fake" cannot be trusted as a plant CA: its basicConstraints says cA:false/,
    ],
  ])(
    'refuses %s, on a laptop that trusts no CA yet and on one that does',
    (_name, pem, message) => {
      const path = file(`cert-${Math.random().toString(16).slice(2)}.pem`, pem());
      for (const home of [join(fresh.home, 'store'), plant.home]) {
        const r = cli(['people', 'trust-ca', '--cert', path, '--signer', 'M200', '--home', home], 'pat-password-1\n');
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toMatch(/what to do: Import the plant CA's own certificate/);
      }
      expect(cli(['people', 'list', '--home', plant.home]).stdout).not.toMatch(/Pat Fake/);
    },
    60_000,
  );

  it('the made-up manager cannot be imported, and no verifier accepts a chain through a non-CA issuer', () => {
    const p12 = file('fake-manager.p12', toP12(fakeManager.keyPem, fakeManager.certPem, [anaPem, caPem], 'fake-pass-1', 'Pat Fake'));
    const r = cli(['people', 'import', '--p12', p12, '--home', plant.home], 'fake-pass-1\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/The keystore cannot be used here: the signer certificate was not issued by a trusted plant CA/);
    // Even with the engineer's certificate among the trust anchors (trusted by mistake before this check existed):
    expect(certificateProblem(fakeManager.certPem, [anaPem, caPem], new Set(), new Date())).toBe(
      'the signer certificate was issued by "Ana Ruiz", which cannot issue certificates: its basicConstraints says cA:false (it belongs to a person or a machine, not a CA)',
    );
    expect(certificateProblem(anaPem, [caPem], new Set(), new Date())).toBeNull();
  }, 60_000);

  it('the first CA of an empty laptop is taken as a first-use pin; a further CA needs a plant engineering signature, journalled', () => {
    const verifier = join(fresh.home, 'store');
    expect(cli(['people', 'trust-ca', '--cert', join(files.home, 'ca.pem'), '--home', verifier]).stdout).toMatch(
      /^Trusting plant CA "Plant 7 CA"/,
    );

    const second = file('plant9.pem', createCa('Plant 9 CA').certPem);
    const unsigned = cli(['people', 'trust-ca', '--cert', second, '--home', plant.home]);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toMatch(
      /This laptop already trusts "Plant 7 CA"; trusting "Plant 9 CA" as well is a decision of plant engineering/,
    );
    const byEngineer = cli(['people', 'trust-ca', '--cert', second, '--signer', 'E1042', '--home', plant.home], 'torque-wrench-42\n');
    expect(byEngineer.code).toBe(1);
    expect(byEngineer.stderr).toMatch(
      /Ana Ruiz holds controls-engineer; trusting the plant CA "Plant 9 CA" needs one of plant-engineering-manager, admin/,
    );
    const wrongPassword = cli(['people', 'trust-ca', '--cert', second, '--signer', 'M200', '--home', plant.home], 'not-pats-password\n');
    expect(wrongPassword.code).toBe(1);
    expect(wrongPassword.stderr).toMatch(/password for Pat Manager is wrong/);

    const signed = cli(['people', 'trust-ca', '--cert', second, '--signer', 'M200', '--home', plant.home], 'pat-password-1\n');
    expect(signed.stderr).toBe('');
    expect(signed.stdout).toMatch(
      /^Trusting plant CA "Plant 9 CA" \(SHA-256 [0-9a-f]{64}\), signed by Pat Manager for plant engineering\./,
    );
    expect(cli(['journal', 'verify', '--home', plant.home]).code).toBe(0);
    const app = BaselineApp.open({ home: plant.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const trusted = [...app.journal.events()]
        .filter((e) => e.type === 'ca.trusted')
        .map((e) => e.payload as { name: string; signature?: { meaning: string; signer: { name: string } } });
      expect(trusted.map((p) => [p.name, p.signature?.signer.name ?? null, p.signature?.meaning ?? null])).toEqual([
        ['Plant 7 CA', null, null],
        ['Plant 9 CA', 'Pat Manager', 'approved'],
      ]);
      expect(trusted[1]!.signature).toBeDefined();
      expect(readFileSync(second, 'utf8')).toContain('BEGIN CERTIFICATE');
    } finally {
      app.close();
    }
  }, 90_000);
});
