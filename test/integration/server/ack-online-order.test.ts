/**
 * Online push and acknowledgements by file, mixed (a real server on SQLite over loopback, a real laptop data
 * directory, real bundle and .ack files): the server's answer to an online push is an acknowledgement too, and
 * counts when a later-imported `.ack` file is judged. An `.ack` file the server wrote before it answered the push is
 * older, changes nothing, and its refusal does not come back; one it wrote after (a server restored from a backup
 * since) is the server's news and is shown, also on a laptop that has only ever synced online.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { importDeviceBundle, serverBundleKey } from '../../../src-server/bundle-import.ts';
import { startServer, type RunningServer } from '../../../src-server/server-cli.ts';
import { enrolCode, openLaptop } from '../../helpers/sync-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';

/**
 * A server on loopback, a laptop enrolled with it online, a stick, and the server's backup folder. The server's clock
 * moves a second each time it is read (from two minutes before the real time, well within the clock skew limit), so
 * every answer and acknowledgement of the server has a time of its own and a test knows the next one.
 */
async function rig() {
  const temps = [
    tempHome('baseline-server-'),
    tempHome('baseline-server-backup-'),
    tempHome('baseline-laptop-'),
    tempHome('baseline-usb-'),
  ];
  const [serverHome, backupHome, laptopHome, usb] = temps.map((t) => t.home) as [string, string, string, string];
  let serverMs = Date.now() - 120_000;
  const clock = () => new Date((serverMs += 1000));
  const start = (port: number) =>
    startServer({ home: serverHome, port, host: '127.0.0.1', postgresUrl: null, names: ['localhost', '127.0.0.1'], logger: false, clock });
  let server: RunningServer = await start(0);
  const app: BaselineApp = openLaptop(laptopHome);
  await app.sync.enrol(server.url, await enrolCode(server), server.pki.caFingerprint, app.actor());
  app.bundles.setServerCertificate(serverBundleKey(serverHome, server.pki).certPem);
  const file = (name: string) => join(usb, name);
  const serverFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('server.db'));
  /**
   * Stops the server, copies its database files from `from` to `to` (replacing those there), starts it again on its
   * port. While it is stopped the laptop's sync finds it unreachable, as its background sync would.
   */
  const copyDatabase = async (from: string, to: string) => {
    const port = server.port;
    await server.close();
    expect((await app.sync.syncNow()).state).toBe('offline');
    for (const f of serverFiles(to)) rmSync(join(to, f));
    for (const f of serverFiles(from)) copyFileSync(join(from, f), join(to, f));
    server = await start(port);
  };
  return {
    app,
    file,
    /** The time the server's clock will give when it is next read. */
    nextServerTime: () => new Date(serverMs + 1000),
    /** The server's database is backed up (the server stopped for it). */
    backUpServer: () => copyDatabase(serverHome, backupHome),
    /** The server is restored from that backup: it holds less of this laptop's chain than it acknowledged. */
    restoreServer: () => copyDatabase(backupHome, serverHome),
    /**
     * Imports a laptop bundle on the server and writes its .ack next to it, as `baseline server import` does: now by
     * the server's clock, or at the time given.
     */
    async importOnServer(name: string, now = clock()) {
      const r = await importDeviceBundle({ home: serverHome, store: server.store, pki: server.pki, bytes: readFileSync(file(name)), now });
      writeFileSync(file(`${name}.ack`), r.ack);
      return r;
    },
    record(n: number) {
      for (let i = 0; i < n; i++)
        app.journal.append('journal.verified', { ok: true, eventsChecked: i, problems: 0, firstProblem: null }, app.actor());
    },
    importAck: (name: string) => app.bundles.importAck(readFileSync(file(`${name}.ack`))),
    async syncNow() {
      const status = await app.sync.syncNow();
      expect(status.lastError).toBeNull();
      return status;
    },
    async close() {
      app.close();
      await server.close();
      for (const t of temps) t.cleanup();
    },
  };
}

describe('an online push, then acknowledgements by file (SQLite)', () => {
  let r: Awaited<ReturnType<typeof rig>> | null = null;
  afterEach(async () => {
    await r?.close();
    r = null;
  });
  const older = (seq: number, since: number) =>
    `Nothing changed: this acknowledgement is older than one already recorded: it says the server held this laptop's events up to seq ${seq}, and the server has since acknowledged up to ${since}. The refusal it carried (seq-gap) no longer stands.`;

  it(
    'an acknowledgement the server wrote before it answered an online push changes nothing, though it is newer than the last one by file',
    { timeout: 90_000 },
    async () => {
      r = await rig();
      const { app } = r;
      // The laptop's first events reach the server by file, and the acknowledgement comes back.
      r.record(2);
      await app.bundles.exportBundle(r.file('b-0.baseline-bundle'));
      expect((await r.importOnServer('b-0.baseline-bundle')).refusal).toBeNull();
      const byFile = r.importAck('b-0.baseline-bundle');
      expect(byFile.nothingChanged).toBe(false);
      // Then online: the server is backed up, the laptop pushes, and the server is restored from the backup.
      await r.backUpServer();
      r.record(3);
      const pushed = await r.syncNow();
      expect(pushed).toMatchObject({ waiting: 0 });
      expect(pushed.acknowledgedSeq).toBeGreaterThan(byFile.acknowledgedSeq);
      await r.restoreServer();
      // Offline again: the laptop's next bundle starts after the position the server acknowledged online, and the
      // restored server refuses it, twice (two sticks). The second acknowledgement is dated half a second after the
      // server's next answer to the sync state, and so before its answer to the push that follows it (two sticks
      // imported on another desk while the laptop syncs).
      r.record(1);
      await app.bundles.exportBundle(r.file('b-1.baseline-bundle'));
      const gap = await r.importOnServer('b-1.baseline-bundle');
      expect(gap.refusal).toMatchObject({ code: 'seq-gap' });
      expect(gap.acknowledgedSeq).toBe(byFile.acknowledgedSeq);
      copyFileSync(r.file('b-1.baseline-bundle'), r.file('b-1-again.baseline-bundle'));
      const stateTime = r.nextServerTime();
      const between = new Date(stateTime.getTime() + 500);
      expect((await r.importOnServer('b-1-again.baseline-bundle', between)).refusal).toMatchObject({ code: 'seq-gap' });
      // The first stick's refusal is the server's news (it wrote it after its online answer): shown, and the
      // laptop's position moves back to where the server's copy ends.
      expect(() => r!.importAck('b-1.baseline-bundle')).toThrow(expect.objectContaining({ code: 'seq-gap' }));
      expect(app.sync.status().acknowledgedSeq).toBe(gap.acknowledgedSeq);

      // Online: the server answers the sync state at `stateTime` (its first read of the clock in a sync), then the
      // push fills the gap (answered a second or more later), and the server acknowledges everything.
      expect(r.nextServerTime()).toEqual(stateTime);
      const filled = await r.syncNow();
      expect(r.nextServerTime().getTime()).toBeGreaterThan(stateTime.getTime() + 1000);
      const head = filled.acknowledgedSeq;
      expect(filled.waiting).toBe(0);
      expect(head).toBeGreaterThan(pushed.acknowledgedSeq);

      // The second stick comes back now. The server wrote it after the first one (the newest acknowledgement by file
      // the laptop recorded) and after it answered the sync state, but before it answered the online push: it is
      // older, changes nothing, and its refusal no longer stands. The laptop does not move back and send again.
      const late = r.importAck('b-1-again.baseline-bundle');
      expect(late).toMatchObject({ nothingChanged: true, acknowledgedSeq: head });
      expect(late.message).toBe(older(gap.acknowledgedSeq, head));
      expect(app.sync.status()).toMatchObject({ acknowledgedSeq: head, waiting: 0 });
      expect(r.importAck('b-1.baseline-bundle')).toMatchObject({ nothingChanged: true, acknowledgedSeq: head });
      expect(await r.syncNow()).toMatchObject({ acknowledgedSeq: head, waiting: 0 });
    },
  );

  it(
    'on a laptop that only ever synced online, a refusal the server wrote after its last online answer is shown; after the next push it changes nothing',
    { timeout: 90_000 },
    async () => {
      r = await rig();
      const { app } = r;
      r.record(2);
      const first = await r.syncNow();
      await r.backUpServer();
      r.record(3);
      const pushed = await r.syncNow();
      expect(pushed.acknowledgedSeq).toBeGreaterThan(first.acknowledgedSeq);
      await r.restoreServer();
      r.record(1);
      await app.bundles.exportBundle(r.file('b-1.baseline-bundle'));
      const gap = await r.importOnServer('b-1.baseline-bundle');
      expect(gap.refusal).toMatchObject({ code: 'seq-gap' });
      expect(gap.acknowledgedSeq).toBe(first.acknowledgedSeq);

      // The laptop recorded no acknowledgement by file, but the server's online answer is one: the refusal was
      // written after it, so it is the server's news even though it says less.
      expect(() => r!.importAck('b-1.baseline-bundle')).toThrow(
        expect.objectContaining({
          code: 'seq-gap',
          message: expect.stringContaining(
            `holds this laptop's events only up to seq ${gap.acknowledgedSeq}, not up to ${pushed.acknowledgedSeq} as it acknowledged before`,
          ),
        }),
      );
      expect(app.sync.status().acknowledgedSeq).toBe(gap.acknowledgedSeq);
      // The next push fills the gap; the same stick found again changes nothing.
      const filled = await r.syncNow();
      expect(filled.waiting).toBe(0);
      expect(filled.acknowledgedSeq).toBeGreaterThan(pushed.acknowledgedSeq);
      const again = r.importAck('b-1.baseline-bundle');
      expect(again).toMatchObject({ nothingChanged: true, acknowledgedSeq: filled.acknowledgedSeq });
      expect(again.message).toBe(older(gap.acknowledgedSeq, filled.acknowledgedSeq));
    },
  );
});
