/**
 * Attacks by someone who can write baseline.db but not the device key (issue #10, section 2): tables changed beside
 * the journal, a second device with the attacker's own key, and rows re-inserted to reorder history. Each is made
 * with the real sqlite3 client or better-sqlite3 on the real file, and checked with the real CLI and the app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { canonicalJson } from '../../../src-shared/common/canonical-json.ts';
import { GENESIS_PREV, eventHashInput, type EventBody } from '../../../src-shared/common/journal-event.ts';
import { signatureStatement, type SnapshotFile } from '../../../src-shared/common/snapshot/snapshot.ts';
import { generateEd25519, privateKeyFromPem, signText } from '../../../src-shared/node/ed25519.ts';
import { sha256Hex } from '../../../src-shared/node/hash.ts';
import { certificateFingerprint, createCa, issuePerson, openP12, signWithKey, subjectOf } from '../../../src-shared/node/pki.ts';
import { anyCertificateFingerprint, issueDeviceCertificate } from '../../../src-shared/node/plant-certificates.ts';
import { verifySnapshotBytes } from '../../../src-shared/node/snapshot-verifier.ts';
import { RACI, captureAndSign, normalChangeFields, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { runBaseline } from '../../helpers/cli.ts';

function sqlite(dbPath: string, sql: string): string {
  return execFileSync('sqlite3', [dbPath, sql], { encoding: 'utf8' });
}

function refusal(fn: () => unknown): BaselineError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BaselineError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('journal verify and the app trust only what the signed journal says', () => {
  const base = tempHome();
  const copies: ReturnType<typeof tempHome>[] = [];
  let sim: Awaited<ReturnType<typeof startLine1Simulator>>;
  let controllerId: string;
  let erinFingerprint: string;
  let snapshotPath: string;
  let rogueSnapshotPath: string;
  const rogueCa = createCa('Rogue CA');
  const [eng, , sec] = RACI;

  beforeAll(async () => {
    sim = await startLine1Simulator();
    const app = BaselineApp.open({ home: base.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      controllerId = setUpPlant(app, sim.sim.port);
      erinFingerprint = app.identity.personByEmployeeId(eng.employeeId).fingerprint;
      const sha = await captureAndSign(app, controllerId, eng);
      snapshotPath = join(base.home, 'erin-snapshot.json');
      writeFileSync(
        snapshotPath,
        app.blobs.get(app.store.db.prepare('SELECT file_sha256 FROM snapshots WHERE sha256 = ?').pluck().get(sha) as string),
      );
      // The same document signed by a person of a CA this plant never trusted.
      const file = JSON.parse(readFileSync(snapshotPath, 'utf8')) as SnapshotFile;
      const mallory = issuePerson(rogueCa, { name: 'Mallory', employeeId: 'X1', roles: ['controls-engineer'] });
      const s = subjectOf(mallory.certPem);
      const fingerprint = certificateFingerprint(mallory.certPem);
      const at = new Date().toISOString();
      const value = signWithKey(
        mallory.keyPem,
        canonicalJson(
          signatureStatement({
            documentSha256: file.signatures[0]!.documentSha256,
            meaning: 'captured by',
            at,
            signerFingerprint: fingerprint,
          }),
        ),
      );
      const rogue: SnapshotFile = {
        ...file,
        signatures: [
          {
            ...file.signatures[0]!,
            at,
            value,
            signer: { name: s.name, employeeId: s.employeeId, roles: s.roles, fingerprint, certificatePem: mallory.certPem },
          },
        ],
      };
      rogueSnapshotPath = join(base.home, 'rogue-snapshot.json');
      writeFileSync(rogueSnapshotPath, JSON.stringify(rogue));
    } finally {
      app.close();
    }
    expect(runBaseline(['snapshot', 'verify', snapshotPath, '--home', base.home]).code).toBe(0);
    expect(runBaseline(['snapshot', 'verify', rogueSnapshotPath, '--home', base.home]).code).toBe(1);
  }, 120_000);
  afterAll(async () => {
    await sim?.sim.close();
    for (const c of copies) c.cleanup();
    base.cleanup();
  });

  /** A fresh copy of the prepared data directory (CA, the plant's people, a controller, a signed snapshot). */
  function copyOfBase(): string {
    const t = tempHome();
    copies.push(t);
    cpSync(base.home, t.home, { recursive: true });
    return t.home;
  }

  const open = (home: string) => BaselineApp.open({ home, transport: 'in-process', keyProtection: filePermissionsProtection });

  it('DELETE FROM revocations: journal verify names the table and row, the revoked person still cannot sign, and their snapshot does not verify', async () => {
    const home = copyOfBase();
    let app = open(home);
    app.identity.revoke(erinFingerprint, 'laptop stolen', app.actor());
    await expect(captureAndSign(app, controllerId, eng)).rejects.toThrow(/Employee E100 has no valid certificate/);
    app.close();
    expect(runBaseline(['snapshot', 'verify', snapshotPath, '--home', home]).stdout).toMatch(/^INVALID[\s\S]*revoked/);

    sqlite(join(home, 'baseline.db'), 'DELETE FROM revocations;');

    const verify = runBaseline(['journal', 'verify', '--home', home]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/its \d+ events verify, but 1 table differs from the journal \(changed outside Baseline\): revocations/);
    expect(verify.stdout).toContain(`table revocations: 1 missing (missing fingerprint=${erinFingerprint.slice(0, 12)}…)`);

    app = open(home);
    try {
      const err = await captureAndSign(app, controllerId, eng).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BaselineError);
      expect((err as BaselineError).code).toBe('store-untrusted');
      expect((err as BaselineError).message).toMatch(/changed outside Baseline .*revocations: 1 missing/);
      expect(refusal(() => app.identity.trust()).code).toBe('store-untrusted');
    } finally {
      app.close();
    }
    const snapshot = runBaseline(['snapshot', 'verify', snapshotPath, '--home', home]);
    expect(snapshot.code).toBe(1);
    expect(snapshot.stdout).not.toMatch(/^VALID/);
    expect(snapshot.stderr).toMatch(/revocations: 1 missing[\s\S]*baseline journal rebuild/);

    // The journal still holds the revocation: a rebuild puts it back, and the snapshot is invalid again, for the right reason.
    expect(runBaseline(['journal', 'rebuild', '--home', home]).code).toBe(0);
    expect(runBaseline(['journal', 'verify', '--home', home]).code).toBe(0);
    expect(runBaseline(['snapshot', 'verify', snapshotPath, '--home', home]).stdout).toMatch(/^INVALID[\s\S]*has been revoked/);
  }, 60_000);

  it("INSERT INTO trusted_cas, even while the app runs: a foreign CA's snapshot does not verify, in the app or the CLI", () => {
    const home = copyOfBase();
    const app = open(home);
    try {
      // Trust was read (and proved) before the attack…
      expect(verifySnapshotBytes(readFileSync(rogueSnapshotPath), app.identity.trust()).valid).toBe(false);
      const pemText = rogueCa.certPem.replaceAll("'", "''");
      sqlite(
        join(home, 'baseline.db'),
        `INSERT INTO trusted_cas (fingerprint, name, certificate_pem, source, trusted_at) VALUES ('${certificateFingerprint(rogueCa.certPem)}', 'Rogue CA', '${pemText}', 'imported', '2026-01-01T00:00:00Z');`,
      );
      // …and the running app notices the other writer at its next read of trust.
      const err = refusal(() => verifySnapshotBytes(readFileSync(rogueSnapshotPath), app.identity.trust()));
      expect(err.code).toBe('store-untrusted');
      expect(err.message).toMatch(/trusted_cas: 1 not in the journal/);
      expect(err.hint).toMatch(/baseline journal rebuild/);
      expect(app.journalService.verifyAndRecord(app.actor())).toMatchObject({
        ok: false,
        projections: [{ table: 'trusted_cas', unexpected: 1 }],
      });
    } finally {
      app.close();
    }

    const snapshot = runBaseline(['snapshot', 'verify', rogueSnapshotPath, '--home', home]);
    expect(snapshot.code).toBe(1);
    expect(snapshot.stdout).not.toMatch(/^VALID/);
    expect(snapshot.stderr).toMatch(/trusted_cas: 1 not in the journal/);
    const verify = runBaseline(['journal', 'verify', '--home', home]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(
      `table trusted_cas: 1 not in the journal (not in the journal: fingerprint=${certificateFingerprint(rogueCa.certPem).slice(0, 12)}…)`,
    );
  }, 60_000);

  it("a second device with the attacker's own key and a ca.trusted for a foreign CA: verify fails naming it, and the CA is never trusted", () => {
    const home = copyOfBase();
    const attacker = generateEd25519();
    const key = privateKeyFromPem(attacker.privateKeyPem);
    const device = uuidv7();
    const db = new Database(join(home, 'baseline.db'));
    let prev = GENESIS_PREV;
    const insert = db.prepare(
      'INSERT INTO events (id, device, seq, prev, type, payload, actor, at, hash, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const events: [string, object][] = [
      [
        'device.created',
        { name: 'eng-laptop-2', publicKeyPem: attacker.publicKeyPem, keyProtection: 'file-permissions', appVersion: '0.1.0' },
      ],
      [
        'ca.trusted',
        { name: 'Rogue CA', certificatePem: rogueCa.certPem, fingerprint: certificateFingerprint(rogueCa.certPem), source: 'imported' },
      ],
    ];
    events.forEach(([type, payload], i) => {
      const body: EventBody = {
        id: uuidv7(),
        device,
        seq: i + 1,
        prev,
        type,
        payload: payload as never,
        actor: { kind: 'device', id: device, name: 'eng-laptop-2' },
        at: new Date().toISOString(),
      };
      const input = eventHashInput(body);
      const hash = sha256Hex(input);
      insert.run(
        body.id,
        device,
        body.seq,
        prev,
        type,
        canonicalJson(body.payload),
        canonicalJson(body.actor),
        body.at,
        hash,
        signText(key, input),
      );
      prev = hash;
    });
    db.close();

    const verify = runBaseline(['journal', 'verify', '--home', home]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(
      /\(device-uncertified\): device [0-9a-f-]+ \("eng-laptop-2"\) is not this data directory's own device .* no plant CA certifies its key, so its events do not count/,
    );
    const json = JSON.parse(runBaseline(['journal', 'verify', '--home', home, '--json']).stdout) as {
      devices: number;
      problems: { kind: string; device: string }[];
    };
    expect(json.devices).toBe(2);
    expect(json.problems.map((p) => [p.kind, p.device])).toEqual([
      ['device-uncertified', device],
      ['device-uncertified', device],
    ]);

    const rebuild = runBaseline(['journal', 'rebuild', '--home', home]);
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toMatch(/2 events of devices whose key is neither this data directory's own nor certified were left out/);
    const snapshot = runBaseline(['snapshot', 'verify', rogueSnapshotPath, '--home', home]);
    expect(snapshot.code).toBe(1);
    expect(snapshot.stdout).toMatch(/^INVALID[\s\S]*not issued by a trusted plant CA/);
    // The genuine snapshot still verifies: the foreign events are left out of trust, not a reason to refuse it.
    expect(runBaseline(['snapshot', 'verify', snapshotPath, '--home', home]).code).toBe(0);

    const app = open(home);
    try {
      expect(app.identity.cas().map((c) => c.name)).toEqual(['Plant CA']);
      expect(verifySnapshotBytes(readFileSync(rogueSnapshotPath), app.identity.trust()).valid).toBe(false);
      const page = app.journalService.list(200);
      const foreign = page.events.filter((e) => e.device === device);
      expect(foreign).toHaveLength(2);
      for (const e of foreign) expect(e.verification).toMatchObject({ state: 'failed', problems: [{ kind: 'device-uncertified' }] });
    } finally {
      app.close();
    }
  }, 60_000);

  it('a device certified by the trusted plant CA counts; one certified by a foreign CA, or with a certificate for another key, does not', () => {
    const home = copyOfBase();
    const plantCa = openP12(readFileSync(join(home, 'keys', 'plant-ca.p12')), 'plant-ca-secret-1');
    const db = new Database(join(home, 'baseline.db'));
    const insert = db.prepare(
      'INSERT INTO events (id, device, seq, prev, type, payload, actor, at, hash, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    /** Writes a device chain: genesis with `keys`' public key, then a device.certified carrying `certificatePem`, then a note. */
    const writeDevice = (
      name: string,
      keys: { publicKeyPem: string; privateKeyPem: string },
      certificate: (device: string) => string,
    ): string => {
      const device = uuidv7();
      const key = privateKeyFromPem(keys.privateKeyPem);
      const certificatePem = certificate(device);
      let prev = GENESIS_PREV;
      const events: [string, object][] = [
        ['device.created', { name, publicKeyPem: keys.publicKeyPem, keyProtection: 'file-permissions', appVersion: '0.1.0' }],
        [
          'device.certified',
          {
            deviceId: device,
            certificatePem,
            certificateFingerprint: anyCertificateFingerprint(certificatePem),
            caFingerprint: '0'.repeat(64),
            server: 'https://127.0.0.1:1',
          },
        ],
        ['app.started', { transport: 'in-process', appVersion: '0.1.0', platform: 'linux-x64', host: 'eng-laptop', pid: 1 }],
      ];
      events.forEach(([type, payload], i) => {
        const body: EventBody = {
          id: uuidv7(),
          device,
          seq: i + 1,
          prev,
          type,
          payload: payload as never,
          actor: { kind: 'device', id: device, name },
          at: new Date().toISOString(),
        };
        const input = eventHashInput(body);
        const hash = sha256Hex(input);
        insert.run(
          body.id,
          device,
          body.seq,
          prev,
          type,
          canonicalJson(body.payload),
          canonicalJson(body.actor),
          body.at,
          hash,
          signText(key, input),
        );
        prev = hash;
      });
      return device;
    };
    const genuineKeys = generateEd25519();
    const genuine = writeDevice('eng-laptop-3', genuineKeys, (id) =>
      issueDeviceCertificate(plantCa, { deviceId: id, name: 'eng-laptop-3', publicKeyPem: genuineKeys.publicKeyPem }),
    );
    const rogueKeys = generateEd25519();
    const rogue = writeDevice('eng-laptop-4', rogueKeys, (id) =>
      issueDeviceCertificate(rogueCa, { deviceId: id, name: 'eng-laptop-4', publicKeyPem: rogueKeys.publicKeyPem }),
    );
    // A genuine plant CA certificate, but for another key than the one that signs this chain (a copied certificate).
    const copiedKeys = generateEd25519();
    const copied = writeDevice('eng-laptop-5', copiedKeys, (id) =>
      issueDeviceCertificate(plantCa, { deviceId: id, name: 'eng-laptop-5', publicKeyPem: genuineKeys.publicKeyPem }),
    );
    db.close();

    const json = JSON.parse(runBaseline(['journal', 'verify', '--home', home, '--json']).stdout) as {
      devices: number;
      problems: { kind: string; device: string }[];
    };
    expect(json.devices).toBe(4);
    // The certified device's three events count; each of the two others' three events fails as uncertified.
    expect(json.problems.filter((p) => p.device === genuine)).toEqual([]);
    expect(json.problems.map((p) => [p.kind, p.device]).sort()).toEqual(
      [rogue, rogue, rogue, copied, copied, copied].map((d) => ['device-uncertified', d]).sort(),
    );
    // Rows written beside the app's tables: the rebuild replays the certified device's events and leaves out the rest.
    const rebuild = runBaseline(['journal', 'rebuild', '--home', home]);
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toMatch(/6 events of devices whose key is neither this data directory's own nor certified were left out/);

    const app = open(home);
    try {
      expect([...app.journal.certifiedDevices()]).toEqual([genuine]);
      // Trust reads succeed: the certified device's events are replayed and the tables equal the replay.
      expect(app.identity.cas().map((c) => c.name)).toEqual(['Plant CA']);
      const page = app.journalService.list(500);
      for (const e of page.events.filter((x) => x.device === genuine)) expect(e.verification).toMatchObject({ state: 'verified' });
      for (const e of page.events.filter((x) => x.device === rogue || x.device === copied))
        expect(e.verification).toMatchObject({ state: 'failed', problems: [{ kind: 'device-uncertified' }] });
    } finally {
      app.close();
    }
  }, 60_000);

  it('deleting an approval row and re-inserting it unchanged cannot reorder history: a withdrawn change stays withdrawn after rebuild', () => {
    const home = copyOfBase();
    let app = open(home);
    let changeId: string;
    try {
      const c = app.changes.create(eng.employeeId, normalChangeFields(controllerId, new Date()), app.actor());
      changeId = c.id;
      app.changes.act(c.id, eng.employeeId, eng.password, { type: 'submit' }, app.actor());
      app.changes.act(
        c.id,
        RACI[3].employeeId,
        RACI[3].password,
        { type: 'approve', role: 'quality-compliance', diffReviewed: true },
        app.actor(),
      );
      expect(
        app.changes.act(c.id, sec.employeeId, sec.password, { type: 'approve', role: 'ot-security', diffReviewed: true }, app.actor())
          .status,
      ).toBe('approved');
      expect(
        app.changes.act(c.id, eng.employeeId, eng.password, { type: 'withdraw', reason: 'motor not delivered' }, app.actor()).status,
      ).toBe('withdrawn');
    } finally {
      app.close();
    }
    const dbPath = join(home, 'baseline.db');
    const rowid = sqlite(
      dbPath,
      `SELECT rowid FROM events WHERE type = 'change.updated' AND json_extract(payload, '$.state.status') = 'approved' ORDER BY rowid DESC LIMIT 1;`,
    ).trim();
    expect(rowid).toMatch(/^\d+$/);
    sqlite(
      dbPath,
      `DROP TRIGGER events_no_delete; CREATE TEMP TABLE moved AS SELECT * FROM events WHERE rowid = ${rowid}; DELETE FROM events WHERE rowid = ${rowid}; INSERT INTO events SELECT * FROM moved;`,
    );
    expect(
      sqlite(dbPath, `SELECT max(rowid) > ${rowid} FROM events WHERE json_extract(payload, '$.state.status') = 'approved';`).trim(),
    ).toBe('1');

    // Nothing was altered: the journal and the tables still agree…
    expect(runBaseline(['journal', 'verify', '--home', home]).code).toBe(0);
    expect(runBaseline(['journal', 'rebuild', '--home', home]).code).toBe(0);
    // …and the rebuild replays by seq, so the approval stays before the withdrawal.
    app = open(home);
    try {
      expect(app.changes.get(changeId).status).toBe('withdrawn');
      expect(app.journalService.verifyQuietly().ok).toBe(true);
    } finally {
      app.close();
    }
  }, 90_000);
});
