/**
 * `baseline restore` from evidence backups written while the laptop's clock was wrong (a real server on SQLite, real
 * laptop data directories): the backups' own order, not the times the laptop's clock gave them, decides which one
 * holds the most.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { restoreFromBackups } from '../../../src-main/services/bundle-restore.ts';
import { serverBundleKey } from '../../../src-server/bundle-import.ts';
import { enrolBoth, startTwoLaptopRig, type TwoLaptopRig } from '../../helpers/sync-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';

describe('restore from backups written by a laptop whose clock was wrong (SQLite)', () => {
  let fixed: Date | null = null;
  const clock = () => fixed ?? new Date();
  let rig: TwoLaptopRig;
  let a: BaselineApp;
  let b: BaselineApp;
  const usb = tempHome('baseline-usb-');
  const restored = tempHome('baseline-restored-');
  const file = (name: string) => join(usb.home, name);
  let profile = 0;
  // One new event of laptop A: a profile of its own content (the same content is one profile, recorded once).
  const recordOnA = () => a.profiles.import(`profile-${++profile}`, 'modbus', `tag,address,type\nT${profile},hr:1,UINT16\n`, a.actor());

  beforeAll(async () => {
    rig = await startTwoLaptopRig({ postgresUrl: null }, (at) => (fixed = at), clock, new Date());
    fixed = null;
    ({ a, b } = rig);
    await enrolBoth(rig);
    b.bundles.setServerCertificate(serverBundleKey(rig.serverHome, rig.server.pki).certPem);
  }, 90_000);
  afterAll(async () => {
    await rig?.close();
    usb.cleanup();
    restored.cleanup();
  });

  it("the backup written last is restored with the other devices' events it held, though the laptop's clock dated an earlier one a year ahead", async () => {
    recordOnA();
    expect((await a.sync.syncNow()).lastError).toBeNull();
    expect((await b.sync.syncNow()).lastError).toBeNull();
    // Monday's backup, written while laptop B's clock stood a year ahead (a flat CMOS battery, then "fixed" by hand).
    fixed = new Date(Date.now() + 365 * 86_400_000);
    await b.bundles.exportBundle(file('baseline-backup-monday.baseline-bundle'), { backup: true });
    fixed = null;
    // Then laptop A's approval-like records reach B, and Tuesday's backup holds them too.
    recordOnA();
    recordOnA();
    expect((await a.sync.syncNow()).lastError).toBeNull();
    expect((await b.sync.syncNow()).lastError).toBeNull();
    await b.bundles.exportBundle(file('baseline-backup-tuesday.baseline-bundle'), { backup: true });

    const key = [serverBundleKey(rig.serverHome, rig.server.pki)];
    const tuesdayOnly = await restoreFromBackups([file('baseline-backup-tuesday.baseline-bundle')], join(restored.home, 'one'), key);
    const both = await restoreFromBackups(
      [file('baseline-backup-monday.baseline-bundle'), file('baseline-backup-tuesday.baseline-bundle')],
      join(restored.home, 'both'),
      key,
    );
    expect(tuesdayOnly.otherEvents).toBeGreaterThan(0);
    expect(both.otherEvents).toBe(tuesdayOnly.otherEvents);
    expect(both.verified).toBe(true);
  }, 60_000);
});
