import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEnrolCode } from '../../src-server/sync-operations.ts';
import { anyCertificateFingerprint } from '../../src-shared/node/plant-certificates.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { openLaptop, openServerStore, startServerProcess } from '../helpers/sync-fixture.ts';
import { tempHome } from '../helpers/temp-home.ts';

const SHOTS = 'test-results';

describe('the header\'s sync status in Chromium: synced, offline with events waiting, synced again after "Sync now"', () => {
  const serverHome = tempHome('baseline-server-');
  const laptop = tempHome('baseline-laptop-');
  let server: Awaited<ReturnType<typeof startServerProcess>>;
  let app: AppPage;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startServerProcess(serverHome.home, 0, null);
    const { store, close } = await openServerStore(serverHome.home, null);
    const { code } = await createEnrolCode(store, 600_000);
    await close();
    const enrolling = openLaptop(laptop.home);
    await enrolling.sync.enrol(
      server.url,
      code,
      anyCertificateFingerprint(readFileSync(join(serverHome.home, 'pki', 'plant-ca.pem'), 'utf8')),
      enrolling.actor(),
    );
    enrolling.close();
    app = await openAppPage(laptop.home, { viewport: { width: 1366, height: 768 } }, errors);
  });
  afterAll(async () => {
    await app?.close();
    await server?.kill('SIGTERM');
    serverHome.cleanup();
    laptop.cleanup();
  });

  it('goes offline when the server dies, counts what waits, and shows it synced once the server is back', async () => {
    const { page } = app;
    const label = page.getByTestId('sync-label');
    await expect.poll(() => label.textContent(), { timeout: 20_000 }).toMatch(/^Synced \d\d:\d\d$/);
    await page.screenshot({ path: join(SHOTS, 'sync-status-synced.png') });

    const port = Number(new URL(server.url).port);
    await server.kill();
    // A new event while the server is gone: a journal verification from the Audit trail.
    await page.getByRole('button', { name: 'Audit trail' }).click();
    await page.getByRole('button', { name: 'Verify whole journal' }).click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-state'), { timeout: 20_000 }).toBe('offline');
    await expect.poll(() => label.textContent()).toMatch(/^Offline · \d+ events? waiting$/);
    const detail = await page.getByTestId('sync-status').locator('.visually-hidden').textContent();
    expect(detail).toMatch(/is not answering .* Keep working: everything is kept on this laptop/);
    await page.screenshot({ path: join(SHOTS, 'sync-status-offline.png') });

    server = await startServerProcess(serverHome.home, port, null);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => label.textContent(), { timeout: 20_000 }).toMatch(/^Synced \d\d:\d\d$/);
    expect(errors).toEqual([]);
  });
});
