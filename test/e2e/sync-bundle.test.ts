import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportDeviceBundle, importDeviceBundle, serverBundleKey } from '../../src-server/bundle-import.ts';
import { startServer } from '../../src-server/server-cli.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { enrolCode, openLaptop, openServerStore } from '../helpers/sync-fixture.ts';
import { tempHome } from '../helpers/temp-home.ts';

const SHOTS = 'test-results';

describe('sync by file in Chromium: "Export bundle" next to "Sync now", the acknowledgement and the server\'s bundle imported back', () => {
  const serverHome = tempHome('baseline-server-');
  const laptop = tempHome('baseline-laptop-');
  const media = tempHome('baseline-usb-');
  let app: AppPage;
  let deviceId = '';
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Enrolment is the only network this laptop sees; then the server stops listening.
    const server = await startServer({ home: serverHome.home, port: 0, host: '127.0.0.1', postgresUrl: null, names: ['localhost', '127.0.0.1'], logger: false });
    const enrolling = openLaptop(laptop.home);
    await enrolling.sync.enrol(server.url, await enrolCode(server), server.pki.caFingerprint, enrolling.actor());
    enrolling.bundles.setServerCertificate(serverBundleKey(serverHome.home, server.pki).certPem);
    deviceId = enrolling.deviceKey.deviceId;
    enrolling.close();
    await server.close();
    app = await openAppPage(laptop.home, { viewport: { width: 1366, height: 768 } }, errors);
  });
  afterAll(async () => {
    await app?.close();
    for (const t of [serverHome, laptop, media]) t.cleanup();
  });

  it('exports a bundle, records the server\'s acknowledgement, imports the server\'s bundle, and names a damaged file', async () => {
    const { page } = app;
    const label = page.getByTestId('sync-label');
    await expect.poll(() => label.textContent(), { timeout: 20_000 }).toMatch(/\d+ events? waiting/);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export bundle' }).click();
    const saved = join(media.home, (await download).suggestedFilename());
    await (await download).saveAs(saved);
    expect(saved).toMatch(/\.baseline-bundle$/);
    await expect.poll(() => page.getByTestId('sync-bundle-result').textContent()).toMatch(/events and \d+ content files, encrypted to the server/);

    // At the server (no network): import, write the acknowledgement and a bundle for this laptop.
    const { store, close } = await openServerStore(serverHome.home, null);
    const pki = (await import('../../src-server/server-home.ts')).prepareServerHome(serverHome.home, ['localhost']);
    try {
      const imported = await importDeviceBundle({ home: serverHome.home, store, pki, bytes: readFileSync(saved) });
      expect(imported.refusal).toBeNull();
      writeFileSync(join(media.home, 'bundle.ack'), imported.ack);
      writeFileSync(join(media.home, 'for-laptop.baseline-bundle'), (await exportDeviceBundle({ home: serverHome.home, store, pki, deviceId })).bytes);
    } finally {
      await close();
    }

    await page.getByTestId('sync-bundle-file').setInputFiles(join(media.home, 'bundle.ack'));
    await expect.poll(() => page.getByTestId('sync-bundle-result').textContent(), { timeout: 20_000 }).toMatch(/The server holds this laptop's events up to seq \d+/);
    await page.screenshot({ path: join(SHOTS, 'sync-bundle-ack.png') });
    await page.getByTestId('sync-bundle-file').setInputFiles(join(media.home, 'for-laptop.baseline-bundle'));
    await expect.poll(() => page.getByTestId('sync-bundle-result').textContent(), { timeout: 20_000 }).toMatch(/Nothing changed|Imported \d+ events/);

    // A damaged copy: refused, in words, naming where. The envelope (CMS, AES-CBC) usually fails to decrypt; when the
    // flipped last byte still leaves valid padding, the signed zip inside is found damaged instead.
    const damaged = readFileSync(join(media.home, 'for-laptop.baseline-bundle'));
    damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 1;
    writeFileSync(join(media.home, 'damaged.baseline-bundle'), damaged);
    await page.getByTestId('sync-bundle-file').setInputFiles(join(media.home, 'damaged.baseline-bundle'));
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 20_000 }).toMatch(/(does not decrypt: its encrypted content was altered or damaged \(member \(envelope\)\).*What to do: Copy the file again|The bundle is damaged in member \(pack\).*What to do: The file was altered or damaged)/);
    await page.screenshot({ path: join(SHOTS, 'sync-bundle-damaged.png') });
    await page.getByTestId('sync-bundles').getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
