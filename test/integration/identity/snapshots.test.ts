import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { importProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import type { ModbusProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import type { CaptureDocument } from '../../../src-shared/common/capture/capture-document.ts';
import { canonicalJson } from '../../../src-shared/common/canonical-json.ts';
import { signatureStatement, snapshotDocumentOf, type SnapshotFile } from '../../../src-shared/common/snapshot/snapshot.ts';
import { verifySnapshotBytes } from '../../../src-shared/node/snapshot-verifier.ts';
import { createCa, issuePerson, certificateFingerprint, openP12, signWithKey, subjectOf } from '../../../src-shared/node/pki.ts';
import { sha256Hex } from '../../../src-shared/node/hash.ts';
import { startModbusSimulator, type ModbusSimulator } from '../../../src-main/devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../../../src-main/devices/simulator/modbus-profile-image.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { runBaseline } from '../../helpers/cli.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/profiles-capture/${name}`, import.meta.url));
const PASSWORD = 'torque-wrench-42';
const CA_PASSWORD = 'plant-ca-secret-1';

/** A tiny deterministic PRNG (mulberry32) so the tamper positions are the same every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("signed snapshots and people's keys", () => {
  const first = tempHome();
  const second = tempHome();
  let app: BaselineApp;
  let sim: ModbusSimulator;
  let capture: CaptureDocument;
  let snapshotPath: string;
  let caPem: string;

  beforeAll(async () => {
    app = BaselineApp.open({ home: first.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    const actor = app.actor();
    caPem = app.identity.createCa('Plant 7 CA', CA_PASSWORD, actor).certificatePem;
    app.identity.enrol({ name: 'Ana Ruiz', employeeId: 'E1042', roles: ['engineer'], password: PASSWORD }, CA_PASSWORD, actor);
    const profile = importProfileCsv(readFileSync(fixture('modbus-line1.csv')), 'modbus') as ModbusProfile;
    const values = JSON.parse(readFileSync(fixture('modbus-line1-values.json'), 'utf8')) as Record<string, unknown>;
    sim = await startModbusSimulator({ image: modbusImageFromProfile(profile, values), unitId: 1 });
    capture = await app.captures.capture(
      {
        target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: sim.port, unitId: 1, wordOrder: 'high-first' },
        profile,
        profileName: 'line1',
        options: { timeoutMs: 1000, retries: 0 },
      },
      actor,
    );
    const { file } = app.snapshots.sign(capture, 'E1042', PASSWORD, null, actor);
    snapshotPath = join(first.home, 'snapshot.json');
    writeFileSync(snapshotPath, JSON.stringify(file, null, 2) + '\n');
    writeFileSync(join(second.home, 'ca.pem'), caPem);
  });
  afterAll(async () => {
    app?.close();
    await sim?.close();
    first.cleanup();
    second.cleanup();
  });

  it('a snapshot is signed "captured by" the engineer and verifies offline on this laptop', () => {
    const v = verifySnapshotBytes(readFileSync(snapshotPath), app.identity.trust());
    expect(v).toMatchObject({
      valid: true,
      state: 'valid',
      signers: [{ name: 'Ana Ruiz', employeeId: 'E1042', meaning: 'captured by', valid: true }],
    });
    const r = runBaseline(['snapshot', 'verify', snapshotPath, '--home', first.home]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^VALID: .*Modbus TCP 127\.0\.0\.1:\d+ unit 1/);
  });

  it('verifies on a second data directory that holds only the CA certificate', () => {
    expect(runBaseline(['people', 'trust-ca', '--cert', join(second.home, 'ca.pem'), '--home', join(second.home, 'store')]).code).toBe(0);
    const r = runBaseline(['snapshot', 'verify', snapshotPath, '--home', join(second.home, 'store')]);
    expect(r.stdout).toMatch(/^VALID/);
    expect(r.code).toBe(0);
    // …and with the CA file alone, no data directory at all
    expect(
      runBaseline(['snapshot', 'verify', snapshotPath, '--ca', join(second.home, 'ca.pem')], { BASELINE_HOME: join(second.home, 'none') })
        .code,
    ).toBe(1);
    const caOnly = runBaseline([
      'snapshot',
      'verify',
      snapshotPath,
      '--ca',
      join(second.home, 'ca.pem'),
      '--home',
      join(second.home, 'store'),
    ]);
    expect(caOnly.code).toBe(0);
  });

  it('any single changed byte of the stored snapshot makes verification fail (300 positions, every region)', () => {
    const bytes = readFileSync(snapshotPath);
    const trust = app.identity.trust();
    const rnd = prng(42);
    const positions = new Set<number>([0, bytes.length - 2]);
    while (positions.size < 300) positions.add(Math.floor(rnd() * (bytes.length - 1)));
    for (const pos of positions) {
      const copy = Buffer.from(bytes);
      copy[pos] = copy[pos]! ^ 0x01;
      const v = verifySnapshotBytes(copy, trust);
      if (v.valid)
        throw new Error(
          `flipping byte ${pos} (${JSON.stringify(bytes.subarray(Math.max(0, pos - 20), pos + 20).toString())}) still verified`,
        );
    }
  });

  it.each([
    ['truncated', (b: Buffer) => b.subarray(0, b.length / 2), 'unreadable', /not complete JSON/],
    [
      'an unknown schema version',
      (b: Buffer) => Buffer.from(b.toString().replaceAll('baseline.snapshot/1', 'baseline.snapshot/9')),
      'invalid',
      /unknown schema "baseline.snapshot\/9"/,
    ],
    [
      'a missing signature',
      (b: Buffer) => Buffer.from(JSON.stringify({ ...JSON.parse(b.toString()), signatures: [] })),
      'unsigned',
      /unsigned/,
    ],
    [
      'a null signature',
      (b: Buffer) => Buffer.from(JSON.stringify({ ...JSON.parse(b.toString()), signatures: [null] })),
      'invalid',
      /signature 1 is malformed: signatures\.0: .*received null/,
    ],
    [
      'signatures that are null',
      (b: Buffer) => Buffer.from(JSON.stringify({ ...JSON.parse(b.toString()), signatures: null })),
      'invalid',
      /signatures: must be a list of signatures, not null/,
    ],
    [
      'a signature without its signer',
      (b: Buffer) => {
        const f = JSON.parse(b.toString()) as { signatures: Record<string, unknown>[] };
        return Buffer.from(JSON.stringify({ ...f, signatures: [{ ...f.signatures[0], signer: null }] }));
      },
      'invalid',
      /signature 1 is malformed: signatures\.0\.signer: /,
    ],
  ])('%s is refused with a clear reason', (_name, mangle, state, reason) => {
    const v = verifySnapshotBytes(mangle(readFileSync(snapshotPath)), app.identity.trust());
    expect(v.valid).toBe(false);
    expect(v.state).toBe(state);
    expect(v.problems.join(' ')).toMatch(reason);
  });

  it('`baseline diff` says whether each input is signed and valid, or how its signature fails', () => {
    const edited = JSON.parse(readFileSync(snapshotPath, 'utf8')) as { document: { values: { value: unknown }[] } };
    edited.document.values[0]!.value = 12345;
    const editedPath = join(first.home, 'edited-signed.json');
    writeFileSync(editedPath, JSON.stringify(edited));
    const r = runBaseline(['diff', snapshotPath, editedPath, '--home', first.home]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`${snapshotPath}: signed and valid (Ana Ruiz, captured by)\n`);
    expect(r.stdout).toMatch(
      new RegExp(`${editedPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: signature NOT valid: .*changed after it was signed`),
    );
  });

  it('`snapshot verify` of a file whose signatures are [null] says which signature is malformed, not an internal error', () => {
    const file = join(first.home, 'null-signature.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(snapshotPath, 'utf8')) as object), signatures: [null] }));
    const r = runBaseline(['snapshot', 'verify', file, '--home', first.home]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^INVALID: .*\n {2}- signature 1 is malformed: signatures\.0: /);
    expect(r.stdout + r.stderr).not.toMatch(/internal/i);
  });

  it('a signature by an unknown CA, a revoked or an expired certificate is invalid and says why', () => {
    const doc = snapshotDocumentOf(capture);
    const sha = sha256Hex(canonicalJson(doc));
    const signWith = (_ca: { certPem: string; keyPem: string }, person: { certPem: string; keyPem: string }, at: string): Buffer => {
      const s = subjectOf(person.certPem);
      const fingerprint = certificateFingerprint(person.certPem);
      const value = signWithKey(
        person.keyPem,
        canonicalJson(signatureStatement({ documentSha256: sha, meaning: 'captured by', at, signerFingerprint: fingerprint })),
      );
      const file: SnapshotFile = {
        schema: 'baseline.snapshot/1',
        document: doc,
        signatures: [
          {
            meaning: 'captured by',
            at,
            documentSha256: sha,
            algorithm: 'RSASSA-PKCS1-v1_5-SHA256',
            value,
            signer: { name: s.name, employeeId: s.employeeId, roles: s.roles, fingerprint, certificatePem: person.certPem },
          },
        ],
      };
      return Buffer.from(JSON.stringify(file));
    };
    const rogueCa = createCa('Rogue CA');
    const rogue = issuePerson(rogueCa, { name: 'Mallory', employeeId: 'X1', roles: ['engineer'] });
    expect(verifySnapshotBytes(signWith(rogueCa, rogue, new Date().toISOString()), app.identity.trust()).problems.join()).toMatch(
      /not issued by a trusted plant CA/,
    );

    const ana = app.identity.personByEmployeeId('E1042');
    // A certificate of the real plant CA that expired two years ago, used to sign today.
    const ca = openP12(readFileSync(join(first.home, 'keys', 'plant-ca.p12')), CA_PASSWORD);
    const old = issuePerson(
      { certPem: ca.certPem, keyPem: ca.keyPem },
      { name: 'Old Timer', employeeId: 'E0001', roles: ['engineer'] },
      1,
      new Date(Date.now() - 3 * 365 * 86_400_000),
    );
    const expired = verifySnapshotBytes(signWith(ca, old, new Date().toISOString()), app.identity.trust());
    expect(expired.valid).toBe(false);
    expect(expired.problems.join()).toMatch(/signer certificate was not valid at/);
    // The same signature made while the certificate was valid does verify: the check is the certificate, not the code.
    expect(
      verifySnapshotBytes(signWith(ca, old, new Date(Date.now() - 2.5 * 365 * 86_400_000).toISOString()), app.identity.trust()).valid,
    ).toBe(true);

    app.identity.revoke(ana.fingerprint, 'laptop stolen', app.actor());
    const r = runBaseline(['snapshot', 'verify', snapshotPath, '--home', first.home]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/INVALID[\s\S]*has been revoked/);
  });
});
