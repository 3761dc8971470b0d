/**
 * Air-gapped plants (sync by file on removable media, evidence backups), run against a server on SQLite and on
 * PostgreSQL (air-gap-sqlite.test.ts, air-gap-postgres.test.ts).
 *
 * Laptop A (the office's) enrols once over loopback; then the server stops listening. Laptop B, at the cabinet, is
 * never online at all: it enrols by file (request, the server's checks of the one-time code, signed response), and
 * everything travels as files: laptop A's approvals reach laptop B by bundle, B executes the change at the cabinet with an evidence backup written
 * at every checkpoint signature, B's evidence goes to the server by bundle and is stored there exactly as online
 * sync stores it, and the acknowledgement comes back. Then: refusals (a flipped byte names its member), and a
 * restore of B's backups into an empty data directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { backupFilesIn } from '../../../src-main/services/sync-bundle-service.ts';
import { restoreFromBackups } from '../../../src-main/services/bundle-restore.ts';
import { runCli } from '../../../src-main/host/cli.ts';
import { openStore } from '../../../src-main/store/database.ts';
import { runServerCli, startServer, type RunningServer } from '../../../src-server/server-cli.ts';
import { serverBundleKey } from '../../../src-server/bundle-import.ts';
import { enrolFromFile } from '../../../src-server/enrol-file.ts';
import { prepareServerHome, defaultServerNames } from '../../../src-server/server-home.ts';
import { verifyJournalRows } from '../../../src-shared/node/journal-verifier.ts';
import { sha256Hex } from '../../../src-shared/node/hash.ts';
import { RACI, captureAndSign, normalChangeFields, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';
import { enrolCode, openLaptop, openServerStore, plantCaForServer, type ServerTarget } from '../../helpers/sync-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { expectBundleRefusals, io, mountSmallDrive } from './air-gap-refusals.ts';

/** Defines the air-gap suite for one database. */
export function defineAirGapSuite(name: string, target: () => ServerTarget): void {
  describe(`air-gapped plant: sync by file and evidence backups (${name})`, () => {
    let now = new Date('2026-12-07T15:00:00Z');
    const clock = () => now;
    const serverHome = tempHome('baseline-server-');
    const homeA = tempHome('baseline-laptop-a-');
    const homeB = tempHome('baseline-laptop-b-');
    const media = tempHome('baseline-usb-');
    const restored = tempHome('baseline-restored-');
    const homeC = tempHome('baseline-laptop-c-');
    let server: RunningServer;
    let a: BaselineApp;
    let b: BaselineApp;
    let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
    let changeId = '';
    let port = 0;
    const [eng, , sec] = RACI;
    const sky = RACI[4];
    const usb = (f: string) => join(media.home, f);
    const db = () => (target().postgresUrl ? ['--db', target().postgresUrl!] : []);
    const serverCli = async (...args: string[]) => {
      const c = io();
      const code = await runServerCli([...args, '--home', serverHome.home, ...db()], c.io);
      return { code, text: c.text() };
    };
    const serverBundleKeyPair = () => serverBundleKey(serverHome.home, prepareServerHome(serverHome.home, defaultServerNames()));

    beforeAll(async () => {
      line1 = await startLine1Simulator();
      a = openLaptop(homeA.home, clock);
      b = openLaptop(homeB.home, clock);
      // The plant CA that issues people's certificates is the server's: laptops trust only the CA the server holds.
      // (Made a day before today's real date, so the server's TLS certificate is valid for the real clock TLS uses.)
      const story = now;
      now = new Date(Date.now() - 86_400_000);
      plantCaForServer(a, homeA.home, serverHome.home);
      now = story;
      server = await startServer({
        home: serverHome.home,
        port: 0,
        host: '127.0.0.1',
        postgresUrl: target().postgresUrl,
        names: ['localhost', '127.0.0.1'],
        logger: false,
      });
      // The only network laptop A ever sees: enrolment, once. Laptop B never sees one.
      await a.sync.enrol(server.url, await enrolCode(server), server.pki.caFingerprint, a.actor());
      port = server.port;
      await server.close();
    }, 60_000);
    afterAll(async () => {
      a?.close();
      b?.close();
      await line1?.sim.close();
      for (const t of [serverHome, homeA, homeB, homeC, media, restored]) t.cleanup();
    });

    it(
      "a laptop that was never online enrols by file, with the code checks of online enrolment; wrong and used codes, another device's and a tampered response are refused",
      { timeout: 60_000 },
      async () => {
        expect(b.sync.status().state).toBe('not-enrolled');
        const issued = await serverCli('enrol-code');
        expect(issued.code).toBe(0);
        const code = /Enrolment code: (\S+)/.exec(issued.text)![1]!;
        const fingerprint = /fingerprint \(SHA-256\): ([0-9a-f]{64})/.exec(issued.text)![1]!;
        // A mistyped code: refused by the server, nothing enrolled.
        writeFileSync(usb('b-wrong.json'), b.bundles.enrolRequest('ZZZZ-ZZZZ-ZZZZ', fingerprint).bytes);
        const wrong = await serverCli('enrol-file', usb('b-wrong.json'));
        expect(wrong.code).toBe(1);
        expect(wrong.text).toMatch(/The enrolment code is not one this server issued/);
        expect(existsSync(usb('b-wrong.json.response'))).toBe(false);
        // The right code, written from B's command line (the app closed: one program at a time holds a data directory).
        b.close();
        const req = io();
        expect(
          await runCli(
            ['sync', 'enrol-request', '--code', code, '--fingerprint', fingerprint, '--out', usb('b-enrol.json'), '--home', homeB.home],
            req.io,
          ),
          req.text(),
        ).toBe(0);
        expect(req.text()).toMatch(/Wrote the enrolment request/);
        b = openLaptop(homeB.home, clock);
        const enrolled = await serverCli('enrol-file', usb('b-enrol.json'));
        expect(enrolled.text).toMatch(/Enrolled .* by file/);
        expect(enrolled.code).toBe(0);
        // The same code from another laptop: used.
        const c = openLaptop(homeC.home, clock);
        try {
          writeFileSync(usb('c-enrol.json'), c.bundles.enrolRequest(code, fingerprint).bytes);
          const used = await serverCli('enrol-file', usb('c-enrol.json'));
          expect(used.code).toBe(1);
          expect(used.text).toMatch(/already used; each code enrols one laptop once/);
          // B's response carried to C: refused, naming the device it is for.
          expect(() => c.bundles.importEnrolResponse(readFileSync(usb('b-enrol.json.response')), c.actor())).toThrow(
            /This enrolment response is for device .*, not this laptop/,
          );
          expect(c.sync.status().state).toBe('not-enrolled');
        } finally {
          c.close();
        }
        // Guessing codes by file is slowed as online enrolment is (refused codes in the last minute).
        const srv = await openServerStore(serverHome.home, target().postgresUrl);
        try {
          const pki = prepareServerHome(serverHome.home, defaultServerNames());
          await expect(
            enrolFromFile({ home: serverHome.home, store: srv.store, pki, bytes: readFileSync(usb('c-enrol.json')), failuresPerMinute: 2 }),
          ).rejects.toMatchObject({ code: 'rate-limited' });
        } finally {
          await srv.close();
        }
        // A response altered on the stick (the device certificate swapped for another's text): refused, nothing recorded.
        const response = readFileSync(usb('b-enrol.json.response'), 'utf8');
        const file = JSON.parse(response) as { response: string };
        const tampered = JSON.stringify({
          ...(JSON.parse(response) as object),
          response: file.response.replace('"serverId":"', '"serverId":"x'),
        });
        expect(() => b.bundles.importEnrolResponse(Buffer.from(tampered), b.actor())).toThrow(/was altered after the server wrote it/);
        expect(b.sync.status().state).toBe('not-enrolled');
        // The real response, from B's command line.
        b.close();
        const resp = io();
        expect(await runCli(['sync', 'enrol-response', usb('b-enrol.json.response'), '--home', homeB.home], resp.io), resp.text()).toBe(0);
        expect(resp.text()).toMatch(/Enrolled by file with the plant's server/);
        b = openLaptop(homeB.home, clock);
        expect(b.sync.enrolmentCa()?.caFingerprint).toBe(fingerprint);
        expect(b.bundles.serverCertificate()).not.toBeNull();
        expect(b.sync.status().state).not.toBe('not-enrolled');
        expect(b.bundles.importEnrolResponse(readFileSync(usb('b-enrol.json.response')), b.actor()).message).toMatch(/Nothing changed/);
        // It has no network path: "Sync now" says so rather than trying one.
        await expect(b.sync.syncNow()).resolves.toMatchObject({ lastError: { code: 'sync-by-file-only' } });
      },
    );

    it(
      'approvals travel to the cabinet by file, the executed change travels back, verified and byte-identical, and the acknowledgement returns',
      { timeout: 240_000 },
      async () => {
        // The administrator hands out the server's bundle certificate once (on the same stick).
        expect((await serverCli('bundle-cert', '--out', usb('server-bundle.pem'))).code).toBe(0);

        // Laptop A (the CAB's): plant, people, a normal change approved and scheduled; its events go to the server by file.
        const controllerId = setUpPlant(a, line1.sim.port);
        const change = a.changes.create(eng.employeeId, normalChangeFields(controllerId, now), a.actor());
        changeId = change.id;
        a.changes.act(change.id, eng.employeeId, eng.password, { type: 'submit' }, a.actor());
        a.changes.act(
          change.id,
          RACI[3].employeeId,
          RACI[3].password,
          { type: 'approve', role: 'quality-compliance', diffReviewed: true },
          a.actor(),
        );
        a.changes.act(change.id, sec.employeeId, sec.password, { type: 'approve', role: 'ot-security', diffReviewed: true }, a.actor());
        a.changes.act(
          change.id,
          eng.employeeId,
          eng.password,
          { type: 'schedule', start: '2026-12-11T05:00:00.000Z', end: '2026-12-11T06:00:00.000Z' },
          a.actor(),
        );
        // On A, from the command line (the app closed: one program at a time holds a data directory).
        a.close();
        const aOut = io();
        expect(
          await runCli(
            ['sync', 'export', '--out', usb('a-1.baseline-bundle'), '--to', usb('server-bundle.pem'), '--home', homeA.home],
            aOut.io,
          ),
          aOut.text(),
        ).toBe(0);
        expect(aOut.text()).toMatch(/Wrote .*a-1\.baseline-bundle: \d+ events \(seq 1 to \d+\) and \d+ content files/);
        const imported = await serverCli('import', usb('a-1.baseline-bundle'));
        expect(imported.text).toMatch(/Imported \d+ events and \d+ content files/);
        expect(imported.code).toBe(0);
        const ackOut = io();
        expect(await runCli(['sync', 'import-ack', usb('a-1.baseline-bundle.ack'), '--home', homeA.home], ackOut.io), ackOut.text()).toBe(
          0,
        );
        // the CLI's own app.started, recorded after the export, is the one still waiting
        expect(ackOut.text()).toMatch(/The server holds this laptop's events up to seq \d+; 1 still waits to be sent/);
        // `sync import` tells an acknowledgement from a bundle by its content, as the app does: the same file again.
        const againOut = io();
        expect(await runCli(['sync', 'import', usb('a-1.baseline-bundle.ack'), '--home', homeA.home], againOut.io), againOut.text()).toBe(
          0,
        );
        expect(againOut.text()).toMatch(/Nothing changed: the server's acknowledgement .* was already recorded/);
        a = openLaptop(homeA.home, clock);

        // Laptop B (at the cabinet) sends its first bundle (it carries B's bundle certificate), then takes the server's bundle home.
        b.bundles.setServerCertificate(readFileSync(usb('server-bundle.pem'), 'utf8'));
        await b.bundles.exportBundle(usb('b-0.baseline-bundle'));
        expect((await serverCli('import', usb('b-0.baseline-bundle'))).code).toBe(0);
        expect(b.bundles.importAck(readFileSync(usb('b-0.baseline-bundle.ack'))).nothingChanged).toBe(false);
        expect((await serverCli('export', '--device', b.deviceKey.deviceId, '--out', usb('for-b.baseline-bundle'))).code).toBe(0);
        const intoB = await b.bundles.importBundle(readFileSync(usb('for-b.baseline-bundle')));
        expect(intoB.nothingChanged).toBe(false);
        const onB = b.changes.get(change.id);
        expect(onB.status).toBe('scheduled');
        expect(JSON.stringify(onB)).toContain(RACI[3].name);
        expect(JSON.stringify(onB)).toContain(sec.name);
        expect(b.journal.verifyAll()).toMatchObject({ ok: true, devices: 2 });
        // The same bundle again changes nothing and says so.
        const again = await b.bundles.importBundle(readFileSync(usb('for-b.baseline-bundle')));
        expect(again).toMatchObject({ nothingChanged: true });
        expect(again.message).toMatch(/Nothing changed/);
        for (const p of [eng, sec, sky]) {
          const person = a.identity.personByEmployeeId(p.employeeId);
          b.identity.importP12(a.identity.exportP12(person.fingerprint), p.password, b.actor());
        }

        // B executes at the cabinet with evidence backup on: a backup after every checkpoint signature and at the close.
        mkdirSync(usb('backups'));
        b.backup.setFolder(usb('backups'));
        now = new Date('2026-12-11T05:10:00Z');
        const act = (by: { employeeId: string; password: string }, action: Parameters<BaselineApp['changes']['act']>[3]) =>
          b.changes.act(change.id, by.employeeId, by.password, action, b.actor());
        const checklist = (id: string) => b.policy.checkpoints().checkpoints.find((x) => x.id === id)!.items;
        act(eng, { type: 'start-execution', stagingRecord: 'STG-21', witnessEmployeeId: sec.employeeId, witnessPassword: sec.password });
        act(eng, { type: 'record-snapshot', phase: 'before', controllerId, snapshotSha256: await captureAndSign(b, controllerId, eng) });
        act(sky, {
          type: 'checkpoint',
          role: 'shift-supervisor',
          checkpoint: 'pre-execution',
          decision: 'go',
          confirmed: checklist('pre-execution'),
        });
        await expect.poll(() => backupFilesIn(usb('backups')).length).toBe(1);
        line1.set({ Line1_SpeedSP: 14 });
        act(sky, {
          type: 'checkpoint',
          role: 'shift-supervisor',
          checkpoint: 'mid-change',
          decision: 'continue',
          confirmed: checklist('mid-change'),
        });
        await expect.poll(() => b.backup.status().notBackedUp).toBe(0);
        // The drive is pulled out: the next signature stands, the failure is shown, and the backup is retried.
        b.backup.retryMs = 200;
        rmSync(usb('backups'), { recursive: true });
        writeFileSync(usb('backups'), 'not a folder'); // then a file sits where the folder was
        const signed = act(sky, {
          type: 'checkpoint',
          role: 'shift-supervisor',
          checkpoint: 'pre-cutover',
          decision: 'cutover',
          confirmed: checklist('pre-cutover'),
        });
        expect(signed.status).toBe('in-execution');
        await expect.poll(() => b.backup.status().lastError?.code).toMatch(/backup-folder-missing|backup-target-read-only/);
        expect(b.backup.status().notBackedUp).toBeGreaterThan(0);
        expect(JSON.stringify(b.changes.get(change.id))).toContain('pre-cutover');
        rmSync(usb('backups'));
        mkdirSync(usb('backups'));
        await expect.poll(() => b.backup.status().lastError, { timeout: 10_000 }).toBeNull();
        expect(b.backup.status().notBackedUp).toBe(0);
        // A real small drive (a 1 MB tmpfs mounted here) that fills up, then is write-protected: each signature stands,
        // the failure is shown, and the backup is written once there is room again / the drive is writable again.
        const drive = usb('small-drive');
        mkdirSync(drive);
        mountSmallDrive(drive);
        try {
          b.backup.setFolder(drive);
          expect(() => writeFileSync(join(drive, 'filler'), Buffer.alloc(2 * 1024 * 1024))).toThrow(/ENOSPC/);
          act(eng, { type: 'record-snapshot', phase: 'after', controllerId, snapshotSha256: await captureAndSign(b, controllerId, eng) });
          const postChange = act(sky, {
            type: 'checkpoint',
            role: 'shift-supervisor',
            checkpoint: 'post-change',
            decision: 'close',
            confirmed: checklist('post-change'),
          });
          expect(JSON.stringify(postChange)).toContain('post-change');
          await expect.poll(() => b.backup.status().lastError?.code).toBe('backup-target-full');
          expect(b.backup.status().lastError?.message).toMatch(/is full: the evidence backup was not written/);
          expect(b.backup.status().notBackedUp).toBeGreaterThan(0);
          expect(b.changes.get(change.id).status).toBe('in-execution');
          rmSync(join(drive, 'filler'));
          await expect.poll(() => b.backup.status().lastError, { timeout: 10_000 }).toBeNull();
          expect(b.backup.status().notBackedUp).toBe(0);
          // The write-protect switch: the drive is remounted read-only; the close stands and its backup waits.
          execFileSync('mount', ['-o', 'remount,ro', drive]);
          expect(act(eng, { type: 'close', comment: 'Ran 30 min at 14 m/min' }).status).toBe('closed');
          await expect.poll(() => b.backup.status().lastError?.code).toBe('backup-target-read-only');
          expect(b.backup.status().lastError?.message).toMatch(/EROFS, read-only or no permission/);
          expect(b.changes.get(change.id).status).toBe('closed');
          execFileSync('mount', ['-o', 'remount,rw', drive]);
          await expect.poll(() => b.backup.status().lastError, { timeout: 10_000 }).toBeNull();
          await expect.poll(() => b.backup.status().notBackedUp).toBe(0);
          // The small drive's backups join the others on the stick.
          for (const f of backupFilesIn(drive)) copyFileSync(f, join(usb('backups'), basename(f)));
          b.backup.setFolder(usb('backups'));
        } finally {
          execFileSync('umount', [drive]);
        }
        expect(b.backup.status().lastBackupAt).toBe(now.toISOString());

        // B's evidence travels by file; the server verifies it through the push path and stores it as B holds it.
        const exported = await b.bundles.exportBundle(usb('b-1.baseline-bundle'));
        expect(exported.events).toBeGreaterThan(10);
        expect(exported.blobs).toBeGreaterThanOrEqual(2);
        expect(readFileSync(usb('b-1.baseline-bundle')).includes(Buffer.from('Line1_SpeedSP'))).toBe(false); // encrypted
        const imp = await serverCli('import', usb('b-1.baseline-bundle'));
        expect(imp.code).toBe(0);
        const srv = await openServerStore(serverHome.home, target().postgresUrl);
        try {
          const bRows = [...b.journal.rowsForVerification()].filter((r) => r.device === b.deviceKey.deviceId);
          expect(await srv.store.deviceEvents(b.deviceKey.deviceId)).toEqual(bRows);
          expect(
            verifyJournalRows(await srv.store.deviceEvents(b.deviceKey.deviceId), {
              localDevice: { id: b.deviceKey.deviceId, publicKeyPem: b.deviceKey.publicKeyPem },
            }).ok,
          ).toBe(true);
          const snapshots = bRows
            .filter((r) => r.type === 'snapshot.captured')
            .map((r) => (JSON.parse(r.payload) as { fileSha256: string }).fileSha256);
          expect(snapshots).toHaveLength(2);
          for (const h of snapshots) {
            const onServer = readFileSync(join(serverHome.home, 'blobs', h.slice(0, 2), h.slice(2)));
            expect(sha256Hex(onServer)).toBe(h);
            expect(onServer.equals(b.blobs.get(h))).toBe(true);
          }
        } finally {
          await srv.close();
        }
        // The acknowledgement travels back: B's count of events waiting drops to nothing, as after an online push.
        expect(b.sync.status().waiting).toBeGreaterThan(10);
        const ack = b.bundles.importAck(readFileSync(usb('b-1.baseline-bundle.ack')));
        expect(ack.nothingChanged).toBe(false);
        expect(b.sync.status().waiting).toBe(0);
        expect(b.bundles.importAck(readFileSync(usb('b-1.baseline-bundle.ack'))).message).toMatch(/Nothing changed/);
        // The same bundle imported twice, and an older one after it, change nothing and say so.
        const twice = await serverCli('import', usb('b-1.baseline-bundle'));
        expect(twice).toMatchObject({ code: 0 });
        expect(twice.text).toMatch(/Nothing changed: the server already holds every event in this bundle/);
        expect((await serverCli('import', usb('b-0.baseline-bundle'))).text).toMatch(/Nothing changed/);

        // A learns of the execution by file too.
        await a.bundles.exportBundle(usb('a-2.baseline-bundle'));
        expect((await serverCli('import', usb('a-2.baseline-bundle'))).code).toBe(0);
        expect((await serverCli('export', '--device', a.deviceKey.deviceId, '--out', usb('for-a.baseline-bundle'))).code).toBe(0);
        await a.bundles.importBundle(readFileSync(usb('for-a.baseline-bundle')));
        expect(a.changes.get(change.id).status).toBe('closed');
        expect(a.journal.verifyAll()).toMatchObject({ ok: true, devices: 2 });

        a.bundles.importAck(readFileSync(usb('a-2.baseline-bundle.ack')));

        // When a network appears for A (enrolled online), online sync agrees with what the files did: nothing to push
        // again, nothing refused.
        const back = await startServer({
          home: serverHome.home,
          port,
          host: '127.0.0.1',
          postgresUrl: target().postgresUrl,
          names: ['localhost', '127.0.0.1'],
          logger: false,
        });
        try {
          const before = await back.store.eventCount();
          const status = await a.sync.syncNow();
          expect(status.lastError).toBeNull();
          expect(status.waiting).toBe(0);
          expect(await back.store.eventCount()).toBe(before + 0);
          expect(await back.store.refusals(a.deviceKey.deviceId)).toEqual([]);
        } finally {
          await back.close();
        }
      },
    );

    it(
      "refuses a flipped byte naming the member, a truncated bundle, one encrypted to someone else, another plant's, and an acknowledgement for events never sent",
      { timeout: 120_000 },
      () => expectBundleRefusals({ serverHome: serverHome.home, postgresUrl: target().postgresUrl, a, b, usb, eng, now }),
    );

    it(
      "restores B's evidence backups into an empty data directory: the journal verifies and shows the same change",
      { timeout: 60_000 },
      async () => {
        const files = backupFilesIn(usb('backups'));
        expect(files.length).toBeGreaterThanOrEqual(2);
        const key = serverBundleKeyPair();
        // Wrong folder: not empty.
        await expect(restoreFromBackups(files, homeA.home, [key])).rejects.toMatchObject({ code: 'restore-home-not-empty' });
        // The laptop is gone: the administrator opens its backups with the server's bundle key.
        const target = join(restored.home, 'b');
        const out = io();
        const code = await runCli(
          [
            'restore',
            ...files,
            '--home',
            target,
            '--key',
            join(serverHome.home, 'pki', 'bundle.key.pem'),
            '--cert',
            join(serverHome.home, 'pki', 'bundle.pem'),
          ],
          out.io,
        );
        expect(out.text()).toMatch(/Journal verified/);
        expect(code).toBe(0);
        expect(await runCli(['journal', 'verify', '--home', target], io().io)).toBe(0);
        const store = openStore({ home: target, readOnly: true });
        try {
          const row = store.db.prepare('SELECT status FROM changes WHERE id = ?').get(changeId) as { status: string } | undefined;
          expect(row?.status).toBe('closed');
          // Every event up to the last backup (its name carries the seq it reached), exactly as B holds them.
          const lastSeq = Number(/-(\d{8})-[^/]*$/.exec(files.at(-1)!)![1]);
          const rows = store.db
            .prepare('SELECT id, device, seq, prev, type, payload, actor, at, hash, sig FROM events WHERE device = ? ORDER BY seq')
            .all(b.deviceKey.deviceId);
          expect(rows).toEqual(
            [...b.journal.rowsForVerification()].filter((r) => r.device === b.deviceKey.deviceId && Number(r.seq) <= lastSeq),
          );
        } finally {
          store.close();
        }
        // Opened in the app, the rebuilt directory says what it is and opens read-only: it reads and verifies, never signs.
        const count = () => {
          const st = openStore({ home: target, readOnly: true });
          try {
            return (st.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
          } finally {
            st.close();
          }
        };
        const before = count();
        const opened = openLaptop(target, clock);
        try {
          expect(opened.info().readOnly?.message).toMatch(
            /rebuilt from evidence backups .* it can be read and verified, but it cannot sign/,
          );
          expect(opened.info().readOnly?.hint).toMatch(/enrol this laptop as a new device/);
          expect(opened.changes.get(changeId).status).toBe('closed');
          expect(opened.journal.verifyAll()).toMatchObject({ ok: true });
          expect(() =>
            opened.journal.append('journal.verified', { ok: true, eventsChecked: 1, problems: 0, firstProblem: null }, opened.actor()),
          ).toThrow(expect.objectContaining({ code: 'data-directory-restored' }));
        } finally {
          opened.close();
        }
        expect(count()).toBe(before);
        expect(existsSync(join(target, 'blobs'))).toBe(true);
      },
    );
  });
}
