/**
 * Laptops' bundles imported on the server out of the order they were written (a real server on SQLite, a real
 * laptop data directory): a stick forgotten in a bag for a week is imported after the laptop's newer bundles, and a
 * bundle dated a year ahead by a wrong clock is followed by ones dated right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cpSync, readFileSync } from 'node:fs';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { exportDeviceBundle, importDeviceBundle, serverBundleKey } from '../../../src-server/bundle-import.ts';
import { enrolledLaptop, openLaptop, startTestServer } from '../../helpers/sync-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';

describe('laptop bundles imported out of order (SQLite)', () => {
  let srv: Awaited<ReturnType<typeof startTestServer>>;
  let laptop: Awaited<ReturnType<typeof enrolledLaptop>>;
  let b: BaselineApp;
  const usb = tempHome('baseline-usb-');
  const file = (name: string) => join(usb.home, name);
  const server = () => ({ home: srv.home, store: srv.server.store, pki: srv.server.pki });
  const importFile = (name: string) => importDeviceBundle({ ...server(), bytes: readFileSync(file(name)) });
  let profile = 0;
  let clockAhead: Date | null = null;
  // One new event: a profile of its own content (the same content is one profile, recorded once).
  const record = () => b.profiles.import(`profile-${++profile}`, 'modbus', `tag,address,type\nT${profile},hr:1,UINT16\n`, b.actor());

  beforeAll(async () => {
    srv = await startTestServer();
    laptop = await enrolledLaptop(srv.server, () => clockAhead ?? new Date());
    b = laptop.app;
    b.bundles.setServerCertificate(serverBundleKey(srv.home, srv.server.pki).certPem);
    // Everything so far reaches the server by bundle and the acknowledgement comes back: nothing waits.
    await b.bundles.exportBundle(file('b-0.baseline-bundle'));
    const first = await importFile('b-0.baseline-bundle');
    expect(first.refusal).toBeNull();
    b.bundles.importAck(first.ack);
    expect(b.sync.status().waiting).toBe(0);
  }, 60_000);
  afterAll(async () => {
    laptop?.cleanup();
    await srv?.stop();
    usb.cleanup();
  });

  it('an older bundle with no new events, imported after a newer one, changes nothing and does not stop the laptop', async () => {
    // Monday: a bundle with nothing new (written to fetch the others' records), left in a bag.
    const monday = await b.bundles.exportBundle(file('b-monday.baseline-bundle'));
    expect(monday.events).toBe(0);
    // Tuesday: new records, a new bundle, imported first.
    record();
    await b.bundles.exportBundle(file('b-tuesday.baseline-bundle'));
    const tuesday = await importFile('b-tuesday.baseline-bundle');
    expect(tuesday.refusal).toBeNull();
    expect(tuesday.accepted).toBeGreaterThan(0);
    // Then Monday's stick turns up: it holds nothing the server lacks.
    const late = await importFile('b-monday.baseline-bundle');
    expect(late.refusal).toBeNull();
    expect(late.nothingChanged).toBe(true);
    expect(late.acknowledgedSeq).toBe(tuesday.acknowledgedSeq);
    expect((await srv.server.store.device(b.deviceKey.deviceId))!.flagged).toBeNull();
    // The laptop goes on syncing by file.
    record();
    await b.bundles.exportBundle(file('b-wednesday.baseline-bundle'));
    const wednesday = await importFile('b-wednesday.baseline-bundle');
    expect(wednesday.refusal).toBeNull();
    expect(wednesday.accepted).toBeGreaterThan(0);
  }, 60_000);

  it("a bundle written while the laptop's clock stood a year ahead does not freeze where the server thinks its pull stands", async () => {
    // Another laptop online, whose records reach this one by the server's bundles.
    const other = await enrolledLaptop(srv.server);
    try {
      expect((await other.app.sync.syncNow()).lastError).toBeNull();
      // A bundle written with the clock a year ahead (a flat CMOS battery), imported: the server answers with a bundle.
      clockAhead = new Date(Date.now() + 365 * 86_400_000);
      await b.bundles.exportBundle(file('b-ahead.baseline-bundle'));
      clockAhead = null;
      expect((await importFile('b-ahead.baseline-bundle')).refusal).toBeNull();
      const first = await exportDeviceBundle({ ...server(), deviceId: b.deviceKey.deviceId });
      expect(first.events).toBeGreaterThan(0);
      expect((await b.bundles.importBundle(first.bytes)).nothingChanged).toBe(false);
      // The clock set right, the next bundle says the laptop's pull now stands at the first answer's end:
      // the server's next answer starts there, not again from where the clock-ahead bundle said.
      await b.bundles.exportBundle(file('b-fixed.baseline-bundle'));
      expect((await importFile('b-fixed.baseline-bundle')).refusal).toBeNull();
      const second = await exportDeviceBundle({ ...server(), deviceId: b.deviceKey.deviceId });
      expect(second.after).toBe(first.cursor);
      expect(second.events).toBe(0);
    } finally {
      other.cleanup();
    }
  }, 60_000);

  it("a bundle from a copy of a laptop's data directory that went its own way is refused by name, with what to do", async () => {
    const original = await enrolledLaptop(srv.server);
    const copy = tempHome('baseline-laptop-copy-');
    let twin: BaselineApp | null = null;
    let first: BaselineApp | null = null;
    try {
      original.app.close();
      cpSync(original.home, copy.home, { recursive: true });
      first = openLaptop(original.home);
      twin = openLaptop(copy.home);
      for (const [app, name] of [
        [first, 'first'],
        [twin, 'twin'],
      ] as const) {
        app.bundles.setServerCertificate(serverBundleKey(srv.home, srv.server.pki).certPem);
        app.profiles.import(`written-on-the-${name}`, 'modbus', `tag,address,type\n${name},hr:1,UINT16\n`, app.actor());
        await app.bundles.exportBundle(file(`${name}.baseline-bundle`));
      }
      expect((await importFile('first.baseline-bundle')).refusal).toBeNull();
      const forked = await importFile('twin.baseline-bundle');
      expect(forked.refusal).toMatchObject({ code: 'journal-forked' });
      // Refused with online push's words, recorded, and the device flagged (bundle-fork-suite.ts goes further).
      expect(forked.message).toMatch(
        /^Refused part of the bundle: Event seq (\d+) differs from the event \1 the server already acknowledged for this laptop: its journal was restored from a backup or altered\. What to do: Nothing was overwritten on the server\. .* The server holds this laptop's events up to seq \d+; 0 were accepted from this bundle\.$/,
      );
      expect((await srv.server.store.device(first.deviceKey.deviceId))!.flagged).toBe(forked.refusal!.message);
    } finally {
      first?.close();
      twin?.close();
      copy.cleanup();
      original.cleanup();
    }
  }, 60_000);

  it("a server bundle whose acknowledgement an older copy of the laptop's data directory cannot match is refused before anything is stored", async () => {
    const original = await enrolledLaptop(srv.server);
    const other = await enrolledLaptop(srv.server);
    const copy = tempHome('baseline-laptop-old-');
    let current: BaselineApp | null = null;
    let old: BaselineApp | null = null;
    try {
      original.app.bundles.bundleKey(); // made before the copy: both copies open the server's bundles
      original.app.close();
      cpSync(original.home, copy.home, { recursive: true });
      // The laptop goes on (one more record, acknowledged by the server); another laptop's records reach the server.
      current = openLaptop(original.home);
      current.bundles.setServerCertificate(serverBundleKey(srv.home, srv.server.pki).certPem);
      current.profiles.import('after-the-copy', 'modbus', 'tag,address,type\nAfter,hr:1,UINT16\n', current.actor());
      await current.bundles.exportBundle(file('current.baseline-bundle'));
      expect((await importFile('current.baseline-bundle')).refusal).toBeNull();
      expect((await other.app.sync.syncNow()).lastError).toBeNull();
      const forLaptop = await exportDeviceBundle({ ...server(), deviceId: current.deviceKey.deviceId });
      expect(forLaptop.events).toBeGreaterThan(0);
      // The server's answer is opened on the older copy: it acknowledges an event the copy never recorded.
      old = openLaptop(copy.home);
      const before = old.journal.verifyAll();
      await expect(old.bundles.importBundle(forLaptop.bytes)).rejects.toMatchObject({
        code: 'ack-unknown-events',
        hint: expect.stringMatching(/^Nothing was recorded\./),
      });
      // True to its word: none of the other laptop's records was stored.
      expect(old.journal.verifyAll()).toMatchObject({ ok: true, events: before.events, devices: before.devices });
    } finally {
      current?.close();
      old?.close();
      copy.cleanup();
      other.cleanup();
      original.cleanup();
    }
  }, 60_000);
});
