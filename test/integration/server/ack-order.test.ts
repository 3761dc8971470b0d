/**
 * The server's acknowledgements imported on a laptop out of the order they were written (a real server on SQLite, a
 * real laptop data directory, real bundle and .ack files): an acknowledgement that carried a refusal, found on a
 * stick after a newer one that the server took everything, changes nothing and does not bring the old refusal back.
 * Which acknowledgement is newer is judged by what the server acknowledged (its acknowledged position), not by the
 * laptop's clock; an acknowledgement that holds less but that the server wrote later is the server's news (here: it
 * was restored from a backup) and is shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { runCli } from '../../../src-main/host/cli.ts';
import { importDeviceBundle, serverBundleKey } from '../../../src-server/bundle-import.ts';
import { startServer } from '../../../src-server/server-cli.ts';
import { defaultServerNames, prepareServerHome } from '../../../src-server/server-home.ts';
import { enrolCode, openLaptop, openServerStore } from '../../helpers/sync-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';

describe('acknowledgements imported on the laptop out of order (SQLite)', () => {
  const serverHome = tempHome('baseline-server-');
  const serverBackup = tempHome('baseline-server-backup-');
  const laptopHome = tempHome('baseline-laptop-');
  const usb = tempHome('baseline-usb-');
  const file = (name: string) => join(usb.home, name);
  let app: BaselineApp;
  let server: Awaited<ReturnType<typeof openServerStore>> | null = null;
  const pki = () => prepareServerHome(serverHome.home, defaultServerNames());
  const serverFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('server.db'));
  /** Imports a laptop bundle on the server and writes its .ack next to it, as `baseline server import` does. */
  const importOnServer = async (name: string) => {
    const r = await importDeviceBundle({ home: serverHome.home, store: server!.store, pki: pki(), bytes: readFileSync(file(name)) });
    writeFileSync(file(`${name}.ack`), r.ack);
    return r;
  };
  const record = (n: number) => {
    for (let i = 0; i < n; i++)
      app.journal.append('journal.verified', { ok: true, eventsChecked: i, problems: 0, firstProblem: null }, app.actor());
  };
  const importAck = (name: string) => app.bundles.importAck(readFileSync(file(`${name}.ack`)));

  beforeAll(async () => {
    // Enrolled once over loopback; from then on everything travels by file.
    const online = await startServer({
      home: serverHome.home,
      port: 0,
      host: '127.0.0.1',
      postgresUrl: null,
      names: ['localhost', '127.0.0.1'],
      logger: false,
    });
    app = openLaptop(laptopHome.home);
    try {
      await app.sync.enrol(online.url, await enrolCode(online), online.pki.caFingerprint, app.actor());
    } finally {
      await online.close();
    }
    app.bundles.setServerCertificate(serverBundleKey(serverHome.home, pki()).certPem);
    server = await openServerStore(serverHome.home, null);
  }, 60_000);
  afterAll(async () => {
    app?.close();
    await server?.close();
    for (const t of [serverHome, serverBackup, laptopHome, usb]) t.cleanup();
  });

  it(
    'an acknowledgement that carried a refusal, imported after a newer one, changes nothing and says it is older; one the server wrote later is shown',
    { timeout: 90_000 },
    async () => {
      record(2);
      await app.bundles.exportBundle(file('b-1.baseline-bundle'));
      expect((await importOnServer('b-1.baseline-bundle')).refusal).toBeNull();
      expect(importAck('b-1.baseline-bundle').nothingChanged).toBe(false);

      // The server's database is backed up (the server stopped for it) …
      await server!.close();
      for (const f of serverFiles(serverHome.home)) copyFileSync(join(serverHome.home, f), join(serverBackup.home, f));
      server = await openServerStore(serverHome.home, null);
      record(3);
      await app.bundles.exportBundle(file('b-2.baseline-bundle'));
      expect((await importOnServer('b-2.baseline-bundle')).refusal).toBeNull();
      const acknowledgedBeforeRestore = importAck('b-2.baseline-bundle').acknowledgedSeq;

      // … and restored from that backup: the server holds fewer of this laptop's events than it acknowledged.
      await server!.close();
      for (const f of serverFiles(serverHome.home)) rmSync(join(serverHome.home, f));
      for (const f of serverFiles(serverBackup.home)) copyFileSync(join(serverBackup.home, f), join(serverHome.home, f));
      server = await openServerStore(serverHome.home, null);
      // The laptop's next bundle starts where it was acknowledged: the server refuses it, twice (two sticks).
      record(1);
      await app.bundles.exportBundle(file('b-3.baseline-bundle'));
      const gap = await importOnServer('b-3.baseline-bundle');
      expect(gap.refusal).toMatchObject({ code: 'seq-gap' });
      expect(gap.acknowledgedSeq).toBeLessThan(acknowledgedBeforeRestore);
      copyFileSync(file('b-3.baseline-bundle'), file('b-3-again.baseline-bundle'));
      expect((await importOnServer('b-3-again.baseline-bundle')).refusal).toMatchObject({ code: 'seq-gap' });

      // That refusal holds less than the laptop recorded, but the server wrote it after everything the laptop
      // recorded: it is the server's news and is shown, and the laptop's position moves back to where the server's
      // copy ends, so that the next bundle fills the gap.
      expect(() => importAck('b-3.baseline-bundle')).toThrow(
        expect.objectContaining({
          code: 'seq-gap',
          message: expect.stringMatching(/holds this laptop's events only up to seq \d+, not up to \d+ .*restored from a backup\.$/),
          hint: expect.stringMatching(/^Export a bundle again and take it to the server: it starts after seq \d+/),
        }),
      );
      expect(app.sync.status().acknowledgedSeq).toBe(gap.acknowledgedSeq);
      // The acknowledgement from before the restore, found again: it says more than the newer one, and changes nothing.
      const stale = importAck('b-2.baseline-bundle');
      expect(stale).toMatchObject({ nothingChanged: true, acknowledgedSeq: gap.acknowledgedSeq });
      expect(stale.message).toMatch(new RegExp(`and the server has since acknowledged up to ${gap.acknowledgedSeq}\\.$`));

      // The next bundle, as the app's "Export bundle" writes it (not `--all`): the server takes what it lacked.
      await app.bundles.exportBundle(file('b-4.baseline-bundle'));
      const full = await importOnServer('b-4.baseline-bundle');
      expect(full.refusal).toBeNull();
      expect(full.accepted).toBeGreaterThan(0);
      const newest = importAck('b-4.baseline-bundle');
      expect(newest).toMatchObject({ nothingChanged: false, acknowledgedSeq: full.acknowledgedSeq });
      expect(app.sync.status().waiting).toBe(0);

      // The second stick's acknowledgement turns up now: its refusal was superseded. It changes nothing and says so.
      const late = importAck('b-3-again.baseline-bundle');
      expect(late.nothingChanged).toBe(true);
      expect(late.acknowledgedSeq).toBe(full.acknowledgedSeq);
      expect(late.message).toMatch(
        new RegExp(
          `^Nothing changed: this acknowledgement is older than one already recorded: it says the server held this laptop's events up to seq ${gap.acknowledgedSeq}, and the server has since acknowledged up to ${full.acknowledgedSeq}\\. The refusal it carried \\(seq-gap\\) no longer stands\\.$`,
        ),
      );
      expect(app.sync.status()).toMatchObject({ acknowledgedSeq: full.acknowledgedSeq, waiting: 0 });
      // The first one again, from the command line: exit 0, the same words.
      app.close();
      const out: string[] = [];
      const io = { out: (t: string) => void out.push(t), err: (t: string) => void out.push(t) };
      expect(await runCli(['sync', 'import-ack', file('b-3.baseline-bundle.ack'), '--home', laptopHome.home], io), out.join('')).toBe(0);
      expect(out.join('')).toMatch(
        /^Nothing changed: this acknowledgement is older than one already recorded: .* \(seq-gap\) no longer stands\.\n$/,
      );
      app = openLaptop(laptopHome.home);
      expect(app.sync.status().acknowledgedSeq).toBe(full.acknowledgedSeq);
      expect(existsSync(file('b-3.baseline-bundle.ack'))).toBe(true);
    },
  );
});
