/**
 * Clock flags travel by file too (a real server on SQLite, real laptop data directories): laptop A's event that the
 * server flagged (its clock was set back) reaches laptop B, which syncs only by bundle, with the server's bundle, as
 * online pull gives it to A; A's evidence backup carries the flags it holds, and a laptop restored from it shows them
 * again. A flag the plant CA did not sign refuses the bundle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { backupFilesIn } from '../../../src-main/services/sync-bundle-service.ts';
import { restoreFromBackups } from '../../../src-main/services/bundle-restore.ts';
import { exportDeviceBundle, importDeviceBundle, serverBundleKey } from '../../../src-server/bundle-import.ts';
import { sealBundle, openBundle } from '../../../src-shared/node/sync-bundle/bundle-envelope.ts';
import { signWithKey } from '../../../src-shared/node/pki.ts';
import { setUpPlant } from '../../helpers/change-fixture.ts';
import { enrolBoth, openLaptop, startTwoLaptopRig, type TwoLaptopRig } from '../../helpers/sync-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';

describe('clock flags in server bundles and evidence backups (SQLite)', () => {
  let fixed: Date | null = null;
  const clock = () => fixed ?? new Date();
  let rig: TwoLaptopRig;
  let a: BaselineApp;
  let b: BaselineApp;
  const usb = tempHome('baseline-usb-');
  const restored = tempHome('baseline-restored-');

  beforeAll(async () => {
    rig = await startTwoLaptopRig(
      { postgresUrl: null },
      (at) => {
        fixed = at;
      },
      clock,
      new Date(),
    );
    fixed = null;
    ({ a, b } = rig);
    await enrolBoth(rig);
    setUpPlant(a, rig.line1.sim.port);
    // Online: A pushes; the server flags the plant CA's creation (A's clock was a day back then) and A pulls the flag.
    expect((await a.sync.syncNow()).lastError).toBeNull();
    expect(a.sync.clockFlags().map((f) => f.kind)).toEqual(['before-previous']);
  }, 90_000);
  afterAll(async () => {
    await rig?.close();
    usb.cleanup();
    restored.cleanup();
  });

  const server = () => ({ home: rig.serverHome, store: rig.server.store, pki: rig.server.pki });
  const file = (name: string) => join(usb.home, name);

  it("reach laptop B by the server's bundle, as A has them by online pull", async () => {
    expect(b.sync.clockFlags()).toEqual([]);
    b.bundles.setServerCertificate(serverBundleKey(rig.serverHome, rig.server.pki).certPem);
    await b.bundles.exportBundle(file('b-0.baseline-bundle'));
    await importDeviceBundle({ ...server(), bytes: readFileSync(file('b-0.baseline-bundle')) });
    const forB = await exportDeviceBundle({ ...server(), deviceId: b.deviceKey.deviceId });
    const opened = await b.bundles.importBundle(forB.bytes);
    expect(opened.nothingChanged).toBe(false);
    expect(b.sync.clockFlags()).toEqual(a.sync.clockFlags());
    expect(b.sync.clockFlags()[0]).toMatchObject({ device: a.deviceKey.deviceId, kind: 'before-previous' });
    expect(b.sync.status().clockFlags).toHaveLength(1);
  }, 60_000);

  it('a bundle whose clock flag the plant CA did not sign is refused, nothing recorded', async () => {
    const c = rig.server;
    const forB = await exportDeviceBundle({ ...server(), deviceId: b.deviceKey.deviceId, after: 0 });
    // A forger with the server's bundle key (not the plant CA's) rewrites the flag's statement and seals it again.
    const key = serverBundleKey(rig.serverHome, c.pki);
    const opened = await openBundle(forB.bytes, [b.bundles.bundleKey()]);
    const content = JSON.parse(opened.members.get('events.json')!.toString('utf8')) as {
      clockFlags: { id: string; statement: string; signature: string }[];
    };
    // A flag this laptop does not hold yet (a new id), with the plant CA's signature of another statement.
    const flag = content.clockFlags[0]!;
    const id = '01a24400-0000-7000-8000-000000000000';
    content.clockFlags[0] = { ...flag, id, statement: flag.statement.replaceAll(flag.id, id) };
    const members: [string, Buffer][] = [...opened.members]
      .filter(([name]) => !name.startsWith('manifest.'))
      .map(([name, bytes]) => [name, name === 'events.json' ? Buffer.from(JSON.stringify(content)) : bytes]);
    const { bytes } = await sealBundle({ ...opened.manifest, bundleId: 'forged' }, members, (text) => signWithKey(key.keyPem, text), [
      b.bundles.bundleKey().certPem,
    ]);
    await expect(b.bundles.importBundle(bytes)).rejects.toMatchObject({ code: 'clock-flags-signature-invalid' });
    expect(b.sync.clockFlags()).toEqual(a.sync.clockFlags());
  }, 60_000);

  it('a bundle carried for two days is not taken for a laptop clock two days behind: no clock-skew flag', async () => {
    // The bundle's time is when it was written, not the laptop's clock at import: what lies between is the trip.
    b.bundles.setServerCertificate(serverBundleKey(rig.serverHome, rig.server.pki).certPem);
    const before = (await rig.server.store.clockFlags(b.deviceKey.deviceId)).length;
    const offsets = await rig.server.store.clockOffsets(b.deviceKey.deviceId);
    b.profiles.import('written-before-the-bundle', 'modbus', 'tag,address,type\nT1,hr:1,UINT16\n', b.actor());
    await b.bundles.exportBundle(file('b-1.baseline-bundle'));
    const twoDaysLater = new Date(Date.now() + 2 * 24 * 3_600_000);
    const result = await importDeviceBundle({ ...server(), bytes: readFileSync(file('b-1.baseline-bundle')), now: twoDaysLater });
    expect(result.refusal).toBeNull();
    expect(result.accepted).toBeGreaterThan(0);
    expect((await rig.server.store.clockFlags(b.deviceKey.deviceId)).slice(before)).toEqual([]);
    // Nor is an offset of two days recorded for the laptop.
    expect(await rig.server.store.clockOffsets(b.deviceKey.deviceId)).toEqual(offsets);
  }, 60_000);

  it("laptop A's evidence backup carries its clock flags; the laptop restored from it shows them", async () => {
    mkdirSync(file('backups'));
    a.bundles.setServerCertificate(serverBundleKey(rig.serverHome, rig.server.pki).certPem);
    await a.bundles.exportBundle(join(usb.home, 'backups', 'baseline-backup-a.baseline-bundle'), { backup: true, all: true });
    const files = backupFilesIn(file('backups'));
    expect(files).toHaveLength(1);
    const target = join(restored.home, 'a');
    const result = await restoreFromBackups(files, target, [serverBundleKey(rig.serverHome, rig.server.pki)]);
    expect(result.deviceId).toBe(a.deviceKey.deviceId);
    const back = openLaptop(target);
    try {
      expect(back.sync.clockFlags()).toEqual(a.sync.clockFlags());
      expect(back.sync.clockFlags()[0]!.words).toMatch(/before that laptop's previous event: its clock was set back/);
    } finally {
      back.close();
    }
  }, 60_000);
});
