/**
 * A data directory rebuilt from evidence backups (`baseline restore`) opened in the app (web host in Chromium): it
 * opens read-only, says on every screen what it is and what to do, shows the journal, and never signs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { restoreFromBackups } from '../../src-main/services/bundle-restore.ts';
import { backupFilesIn } from '../../src-main/services/sync-bundle-service.ts';
import { serverBundleKey } from '../../src-server/bundle-import.ts';
import { createEnrolCode } from '../../src-server/sync-operations.ts';
import { enrolFromFile } from '../../src-server/enrol-file.ts';
import { prepareServerHome, defaultServerNames } from '../../src-server/server-home.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { openLaptop, openServerStore } from '../helpers/sync-fixture.ts';
import { tempHome } from '../helpers/temp-home.ts';

const SHOTS = 'test-results';

describe('a data directory rebuilt from backups, opened in the app', () => {
  const serverHome = tempHome('baseline-server-');
  const lost = tempHome('baseline-lost-laptop-');
  const media = tempHome('baseline-usb-');
  const rebuilt = tempHome('baseline-rebuilt-');
  const target = join(rebuilt.home, 'laptop');
  let app: AppPage;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // A laptop enrolled by file writes an evidence backup, then is lost; the administrator rebuilds its store.
    const laptop = openLaptop(lost.home);
    const srv = await openServerStore(serverHome.home, null);
    const pki = prepareServerHome(serverHome.home, defaultServerNames());
    try {
      const { code } = await createEnrolCode(srv.store, 3_600_000);
      const { response } = await enrolFromFile({
        home: serverHome.home,
        store: srv.store,
        pki,
        bytes: laptop.bundles.enrolRequest(code, pki.caFingerprint).bytes,
      });
      laptop.bundles.importEnrolResponse(response, laptop.actor());
    } finally {
      await srv.close();
    }
    mkdirSync(join(media.home, 'backups'));
    laptop.backup.setFolder(join(media.home, 'backups'));
    await laptop.backup.soon();
    laptop.close();
    const r = await restoreFromBackups(backupFilesIn(join(media.home, 'backups')), target, [serverBundleKey(serverHome.home, pki)]);
    expect(r.verified).toBe(true);
    app = await openAppPage(target, { viewport: { width: 1366, height: 768 } }, errors);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    for (const t of [serverHome, lost, media, rebuilt]) t.cleanup();
  });

  it('opens read-only with a banner naming the situation and what to do; the audit trail reads and verifies', async () => {
    const { page } = app;
    const banner = page.getByRole('alert', { name: 'Read-only data directory' });
    await expect
      .poll(() => banner.textContent(), { timeout: 20_000 })
      .toMatch(/READ-ONLY.*rebuilt from evidence backups .* it can be read and verified, but it cannot sign/);
    expect(await banner.textContent()).toMatch(/enrol this laptop as a new device/);
    expect(await page.getByRole('button', { name: 'Enrol by file…' }).count()).toBe(0); // it cannot sign an enrolment
    await page.getByRole('button', { name: 'Audit trail' }).click();
    await expect.poll(() => page.getByText('device.certified').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'restored-read-only.png') });
    expect(errors).toEqual([]);
  });
});
