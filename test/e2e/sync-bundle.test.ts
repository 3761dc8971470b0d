import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportDeviceBundle, importDeviceBundle } from '../../src-server/bundle-import.ts';
import { createEnrolCode } from '../../src-server/sync-operations.ts';
import { enrolFromFile } from '../../src-server/enrol-file.ts';
import { prepareServerHome } from '../../src-server/server-home.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { openServerStore } from '../helpers/sync-fixture.ts';
import { tempHome } from '../helpers/temp-home.ts';

const SHOTS = 'test-results';

/** Records, in the page, every state the progress indicator takes (its text), until read. */
async function watchProgress(page: AppPage['page']): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { progressSeen: string[] }).progressSeen = seen;
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="sync-bundle-progress"]');
      if (el) seen.push(`${el.getAttribute('aria-valuenow')}/${el.getAttribute('aria-valuemax')} ${el.textContent ?? ''}`);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

async function progressSeen(page: AppPage['page']): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
}

describe("sync by file in Chromium: a laptop never online enrols by file, exports with progress, imports the acknowledgement and the server's bundle, and sets its evidence backup folder", () => {
  const serverHome = tempHome('baseline-server-');
  const laptop = tempHome('baseline-laptop-');
  const media = tempHome('baseline-usb-');
  let app: AppPage;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    app = await openAppPage(laptop.home, { viewport: { width: 1366, height: 768 } }, errors);
  });
  afterAll(async () => {
    await app?.close();
    for (const t of [serverHome, laptop, media]) t.cleanup();
  });

  it("enrols by file from the top bar: request, the server's checks, response; a tampered response is refused in words", async () => {
    const { page } = app;
    // The server never listens: the administrator issues a code at its console.
    const { store, close } = await openServerStore(serverHome.home, null);
    const pki = prepareServerHome(serverHome.home, ['localhost']);
    const code = await createEnrolCode(store, 3_600_000)
      .then((c) => c.code)
      .finally(() => close());
    await page.getByRole('button', { name: 'Enrol by file…' }).click();
    await page.getByTestId('enrol-code').fill(code);
    await page.getByTestId('enrol-fingerprint').fill(pki.caFingerprint);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Write request' }).click();
    const request = join(media.home, (await download).suggestedFilename());
    await (await download).saveAs(request);
    await expect.poll(() => page.getByTestId('enrol-result').textContent()).toMatch(/Carry it to the server/);
    await page.screenshot({ path: join(SHOTS, 'enrol-by-file.png') });

    const srv = await openServerStore(serverHome.home, null);
    try {
      const r = await enrolFromFile({ home: serverHome.home, store: srv.store, pki, bytes: readFileSync(request) });
      writeFileSync(join(media.home, 'enrol.response'), r.response);
      // The same request again from another laptop's point of view is a used code; here: a tampered response.
      const tampered = JSON.parse(r.response.toString()) as { response: string };
      writeFileSync(
        join(media.home, 'tampered.response'),
        JSON.stringify({ ...tampered, response: tampered.response.replace('"serverId":"', '"serverId":"x') }),
      );
    } finally {
      await srv.close();
    }
    await page.getByTestId('enrol-response-file').setInputFiles(join(media.home, 'tampered.response'));
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/altered after the server wrote it/);
    await page.getByTestId('enrol-response-file').setInputFiles(join(media.home, 'enrol.response'));
    // Enrolled: the top bar now offers the bundle buttons.
    await expect.poll(() => page.getByRole('button', { name: 'Export bundle' }).count(), { timeout: 20_000 }).toBe(1);
  });

  it("exports a bundle with progress, records the server's acknowledgement, imports the server's bundle with progress, and names a damaged file", async () => {
    const { page } = app;
    const label = page.getByTestId('sync-label');
    await expect.poll(() => label.textContent(), { timeout: 20_000 }).toMatch(/^By file · \d+ events? waiting/);
    expect(await page.getByRole('button', { name: 'Sync now' }).count()).toBe(0); // no network path to offer

    await watchProgress(page);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export bundle' }).click();
    const saved = join(media.home, (await download).suggestedFilename());
    await (await download).saveAs(saved);
    expect(saved).toMatch(/\.baseline-bundle$/);
    await expect
      .poll(() => page.getByTestId('sync-bundle-result').textContent())
      .toMatch(/events and \d+ content files, encrypted to the server/);
    // The progress indication appeared with the main process's counts, and is gone now the export has ended.
    const exportSteps = await progressSeen(page);
    expect(
      exportSteps.some((t) => /^\d+\/\d+ \d+ of \d+/.test(t)),
      exportSteps.join('\n'),
    ).toBe(true);
    expect(
      exportSteps.some((t) => /written/.test(t)),
      exportSteps.join('\n'),
    ).toBe(true);
    expect(await page.getByTestId('sync-bundle-progress').count()).toBe(0);

    // At the server (no network): import, write the acknowledgement and a bundle for this laptop.
    const { store, close } = await openServerStore(serverHome.home, null);
    const pki = prepareServerHome(serverHome.home, ['localhost']);
    try {
      const imported = await importDeviceBundle({ home: serverHome.home, store, pki, bytes: readFileSync(saved) });
      expect(imported.refusal).toBeNull();
      writeFileSync(join(media.home, 'bundle.ack'), imported.ack);
      writeFileSync(
        join(media.home, 'for-laptop.baseline-bundle'),
        (await exportDeviceBundle({ home: serverHome.home, store, pki, deviceId: imported.deviceId })).bytes,
      );
    } finally {
      await close();
    }

    await page.getByTestId('sync-bundle-file').setInputFiles(join(media.home, 'bundle.ack'));
    await expect
      .poll(() => page.getByTestId('sync-bundle-result').textContent(), { timeout: 20_000 })
      .toMatch(/The server holds this laptop's events up to seq \d+/);
    await page.screenshot({ path: join(SHOTS, 'sync-bundle-ack.png') });
    await watchProgress(page);
    await page.getByTestId('sync-bundle-file').setInputFiles(join(media.home, 'for-laptop.baseline-bundle'));
    await expect
      .poll(() => page.getByTestId('sync-bundle-result').textContent(), { timeout: 20_000 })
      .toMatch(/Nothing changed|Imported \d+ events/);
    const importSteps = await progressSeen(page);
    expect(
      importSteps.some((t) => /decrypting and checking the bundle/.test(t)),
      importSteps.join('\n'),
    ).toBe(true);
    expect(
      importSteps.some((t) => /events checked and stored/.test(t)),
      importSteps.join('\n'),
    ).toBe(true);
    expect(await page.getByTestId('sync-bundle-progress').count()).toBe(0);
    // A damaged copy: refused, in words, naming where. The envelope (CMS, AES-CBC) usually fails to decrypt; when the
    // flipped last byte still leaves valid padding, the signed zip inside is found damaged instead.
    const damaged = readFileSync(join(media.home, 'for-laptop.baseline-bundle'));
    damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 1;
    writeFileSync(join(media.home, 'damaged.baseline-bundle'), damaged);
    await page.getByTestId('sync-bundle-file').setInputFiles(join(media.home, 'damaged.baseline-bundle'));
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 20_000 })
      .toMatch(
        /(does not decrypt: its encrypted content was altered or damaged \(member \(envelope\)\).*What to do: Copy the file again|The bundle is damaged in member \(pack\).*What to do: The file was altered or damaged)/,
      );
    await page.screenshot({ path: join(SHOTS, 'sync-bundle-damaged.png') });
    await page.getByTestId('sync-bundles').getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('chooses the evidence backup folder on screen: a missing folder, a relative path, a file and a read-only drive are refused; a real one is kept and its state shown', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Evidence backup…' }).click();
    const panel = page.getByTestId('backup-panel');
    await expect.poll(() => panel.getByTestId('backup-folder').textContent()).toBe('off');
    await expect.poll(() => panel.getByTestId('backup-last').textContent()).toBe('never');
    await expect.poll(() => panel.getByTestId('backup-pending').textContent()).toMatch(/^\d+ events?$/);
    const tryFolder = async (folder: string) => {
      await panel.getByTestId('backup-folder-input').fill(folder);
      await panel.getByRole('button', { name: 'Use this folder' }).click();
    };
    await tryFolder(join(media.home, 'not-there'));
    await expect.poll(() => panel.getByRole('alert').textContent()).toMatch(/There is no folder .*not-there.*Plug in the drive/);
    await tryFolder('usb-backup');
    await expect.poll(() => panel.getByRole('alert').textContent()).toMatch(/is not a full path to a folder/);
    writeFileSync(join(media.home, 'a-file'), 'x');
    await tryFolder(join(media.home, 'a-file'));
    await expect.poll(() => panel.getByRole('alert').textContent()).toMatch(/is a file, not a folder/);
    // A write-protected drive: a read-only tmpfs mounted here (the tests run as root, whom file modes do not stop).
    const locked = join(media.home, 'locked-drive');
    mkdirSync(locked);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', locked]);
    try {
      await tryFolder(locked);
      await expect.poll(() => panel.getByRole('alert').textContent()).toMatch(/cannot write to .*locked-drive \(EROFS\)/);
    } finally {
      execFileSync('umount', [locked]);
    }
    await expect.poll(() => panel.getByTestId('backup-folder').textContent()).toBe('off');
    const drive = join(media.home, 'backup-drive');
    mkdirSync(drive);
    await tryFolder(drive);
    await expect.poll(() => panel.getByTestId('backup-saved').textContent()).toBe(`Evidence backups now go to ${drive}.`);
    await expect.poll(() => panel.getByTestId('backup-folder').textContent()).toBe(drive);
    expect(await panel.getByRole('alert').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'backup-folder.png') });
    await panel.getByRole('button', { name: 'Turn off' }).click();
    await expect.poll(() => panel.getByTestId('backup-folder').textContent()).toBe('off');
    expect(errors).toEqual([]);
  });
});
