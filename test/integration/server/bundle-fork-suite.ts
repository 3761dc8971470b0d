/**
 * A laptop restored from an old copy of its data directory syncs by file (bundle-fork-sqlite.test.ts,
 * bundle-fork-postgres.test.ts): its bundle forks from the chain the server already holds for it. The bundle path
 * refuses it as online push does (sync-suite.ts: "refuses and flags a laptop restored from an old backup"): the same
 * words, a refusal row in the server's record, the device flagged for the central view, and the acknowledgement
 * carries the refusal back, so the laptop shows it rather than only "events it never sent".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { importDeviceBundle, serverBundleKey } from '../../../src-server/bundle-import.ts';
import { enrolledLaptop, openLaptop, startTestServer, type ServerTarget } from '../../helpers/sync-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';

/** Events that need no person: journal verification records. */
function appendFiller(app: BaselineApp, n: number): void {
  for (let i = 0; i < n; i++)
    app.journal.append('journal.verified', { ok: true, eventsChecked: i, problems: 0, firstProblem: null }, app.actor());
}

/** Defines the suite for one database. `target()` is read when the suite starts (PostgreSQL starts in beforeAll). */
export function defineBundleForkSuite(name: string, target: () => ServerTarget): void {
  describe(`a forked laptop's bundle is refused and flagged as online push refuses it (${name})`, () => {
    let srv: Awaited<ReturnType<typeof startTestServer>>;
    const usb = tempHome('baseline-usb-');
    const cleanups: (() => void)[] = [];
    const file = (n: string) => join(usb.home, n);
    const importFile = (n: string) =>
      importDeviceBundle({ home: srv.home, store: srv.server.store, pki: srv.server.pki, bytes: readFileSync(file(n)) });

    beforeAll(async () => {
      srv = await startTestServer(target());
    }, 60_000);
    afterAll(async () => {
      for (const c of cleanups.reverse()) c();
      await srv?.stop();
      usb.cleanup();
    });

    /** A laptop that syncs by file, its first bundle acknowledged, and a copy of its data directory made then. */
    async function laptopAndOldCopy() {
      const laptop = await enrolledLaptop(srv.server);
      cleanups.push(laptop.cleanup);
      laptop.app.bundles.setServerCertificate(serverBundleKey(srv.home, srv.server.pki).certPem);
      laptop.app.bundles.bundleKey(); // made before the copy: both copies hold the same one
      appendFiller(laptop.app, 3);
      const tag = laptop.app.deviceKey.deviceId.slice(0, 8);
      await laptop.app.bundles.exportBundle(file(`${tag}-0.baseline-bundle`));
      const first = await importFile(`${tag}-0.baseline-bundle`);
      expect(first.refusal).toBeNull();
      laptop.app.bundles.importAck(first.ack);
      // The copy: the data directory as it was now (the app closed to copy it cleanly).
      laptop.app.close();
      const copy = tempHome('baseline-laptop-copy-');
      cleanups.push(copy.cleanup);
      cpSync(laptop.home, copy.home, { recursive: true });
      const current = openLaptop(laptop.home);
      cleanups.push(() => current.close());
      return { current, copyHome: copy.home, tag, deviceId: current.deviceKey.deviceId };
    }

    it(
      "an older bundle from a laptop restored from an old copy: refused with online push's words, recorded, flagged, and shown on the laptop",
      { timeout: 90_000 },
      async () => {
        const { current, copyHome, tag, deviceId } = await laptopAndOldCopy();
        // The laptop goes on; its newer events reach the server by file.
        appendFiller(current, 6);
        await current.bundles.exportBundle(file(`${tag}-current.baseline-bundle`));
        const newer = await importFile(`${tag}-current.baseline-bundle`);
        expect(newer.refusal).toBeNull();
        const held = await srv.server.store.deviceEvents(deviceId);

        // The old copy is opened and records two events of its own: its bundle ends before what the server holds.
        const restored = openLaptop(copyHome);
        cleanups.push(() => restored.close());
        appendFiller(restored, 2);
        const head = restored.sync.status().acknowledgedSeq + restored.sync.status().waiting;
        expect(head).toBeLessThan(newer.acknowledgedSeq);
        await restored.bundles.exportBundle(file(`${tag}-restored.baseline-bundle`));
        const forked = await importFile(`${tag}-restored.baseline-bundle`);

        // The words online push gives a journal that ends with a different event than the server holds.
        const words = `This laptop's journal ends at event ${head} with a different event than the server holds: it was restored from a backup or replaced.`;
        expect(forked.refusal).toMatchObject({ code: 'journal-forked', message: words });
        expect(forked.refusal?.hint).toMatch(/^Nothing was overwritten on the server\. Stop using this laptop for changes/);
        expect(forked.message).toContain(words);
        // Nothing overwritten; the refusal in the server's record; the device flagged for the central view.
        expect(await srv.server.store.deviceEvents(deviceId)).toEqual(held);
        expect((await srv.server.store.refusals(deviceId)).map((r) => [r.code, r.message])).toContainEqual(['journal-forked', words]);
        expect((await srv.server.store.device(deviceId))!.flagged).toBe(words);

        // The acknowledgement carries the refusal back: the restored laptop shows it in those words.
        const ackBefore = restored.sync.status().acknowledgedSeq;
        expect(() => restored.bundles.importAck(forked.ack)).toThrow(
          expect.objectContaining({ code: 'journal-forked', message: `The server refused part of the bundle: ${words}` }),
        );
        expect(restored.sync.status().acknowledgedSeq).toBe(ackBefore);

        // Once flagged, the device stays refused until someone looks at it, as after an online push.
        appendFiller(current, 1);
        await current.bundles.exportBundle(file(`${tag}-after.baseline-bundle`));
        expect((await importFile(`${tag}-after.baseline-bundle`)).refusal).toMatchObject({ code: 'device-flagged' });
      },
    );

    it(
      'a bundle from a copy that recorded as many events as the server holds, each different: refused event by event with online words, recorded and flagged',
      { timeout: 90_000 },
      async () => {
        const { current, copyHome, tag, deviceId } = await laptopAndOldCopy();
        const twin = openLaptop(copyHome);
        cleanups.push(() => twin.close());
        for (const app of [current, twin]) appendFiller(app, 2);
        await current.bundles.exportBundle(file(`${tag}-first.baseline-bundle`));
        await twin.bundles.exportBundle(file(`${tag}-twin.baseline-bundle`));
        const first = await importFile(`${tag}-first.baseline-bundle`);
        expect(first.refusal).toBeNull();
        const forked = await importFile(`${tag}-twin.baseline-bundle`);
        const seq = Number(/^Event seq (\d+) /.exec(forked.refusal?.message ?? '')?.[1]);
        const words = `Event seq ${seq} differs from the event ${seq} the server already acknowledged for this laptop: its journal was restored from a backup or altered.`;
        expect(forked.refusal).toMatchObject({ code: 'journal-forked', message: words });
        expect(forked.accepted).toBe(0);
        expect((await srv.server.store.refusals(deviceId)).map((r) => [r.code, r.message])).toContainEqual(['journal-forked', words]);
        expect((await srv.server.store.device(deviceId))!.flagged).toBe(words);
        expect(() => twin.bundles.importAck(forked.ack)).toThrow(
          expect.objectContaining({ code: 'journal-forked', message: `The server refused part of the bundle: ${words}` }),
        );
      },
    );
  });
}
