import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startWebHostProcess } from '../helpers/web-host-process.ts';
import { tempHome } from '../helpers/temp-home.ts';

const SHOTS = 'test-results';

describe('Audit view in Chromium, served by `baseline web`', () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function openPage(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1360, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(url);
    (page as Page & { errors?: string[] }).errors = errors;
    return page;
  }

  async function openAudit(url: string): Promise<Page> {
    const page = await openPage(url);
    await page.getByRole('button', { name: 'Audit trail' }).click();
    return page;
  }

  it('shows the device-created event verified, verifies the whole journal, and records that', async () => {
    const t = tempHome();
    const host = await startWebHostProcess(t.home);
    try {
      const page = await openAudit(host.url);
      const created = page.locator('[data-testid=event-row][data-type="device.created"]');
      await created.waitFor();
      expect(await created.getAttribute('data-verification')).toBe('verified');
      await expect.poll(() => created.locator('.badge').innerText()).toContain('Verified');
      expect(await page.getByTestId('connectivity').getAttribute('data-state')).toBe('not-configured');
      expect(await page.locator('.device').innerText()).toContain('web host');

      await page.getByRole('button', { name: 'Verify whole journal' }).click();
      const result = page.getByTestId('verify-result');
      await result.waitFor();
      expect(await result.innerText()).toMatch(/^Journal intact: 2 events from 1 device/);
      const recorded = page.locator('[data-testid=event-row][data-type="journal.verified"]');
      await recorded.waitFor();
      expect(await recorded.getAttribute('data-verification')).toBe('verified');

      await created.click();
      await page.getByRole('complementary', { name: 'Event detail' }).waitFor();
      expect(await page.locator('.detail pre').innerText()).toContain('BEGIN PUBLIC KEY');

      await page.screenshot({ path: join(SHOTS, 'audit-view.png'), fullPage: false });
      expect((page as Page & { errors?: string[] }).errors).toEqual([]);
      await page.close();
    } finally {
      await host.stop();
      t.cleanup();
    }
  });

  it('marks a tampered event as failed and the whole-journal check names its seq', async () => {
    const t = tempHome();
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    app.close();
    execFileSync('sqlite3', [
      join(t.home, 'baseline.db'),
      'DROP TRIGGER events_no_update; UPDATE events SET payload = replace(payload, \'"in-process"\', \'"electron"\') WHERE seq = 2;',
    ]);
    const host = await startWebHostProcess(t.home);
    try {
      const page = await openAudit(host.url);
      const bad = page.locator('[data-testid=event-row][data-verification="failed"]');
      await bad.waitFor();
      expect(await bad.getAttribute('data-type')).toBe('app.started');
      expect(await bad.locator('.badge').innerText()).toContain('hash-mismatch');
      await page.getByRole('button', { name: 'Verify whole journal' }).click();
      const result = page.getByTestId('verify-result');
      await result.waitFor();
      expect(await result.innerText()).toMatch(/Journal FAILED verification: .* first bad event: seq 2 /);
      await page.screenshot({ path: join(SHOTS, 'audit-view-tampered.png') });
      await page.close();
    } finally {
      await host.stop();
      t.cleanup();
    }
  });

  it('without its token the page says how to get in instead of showing data', async () => {
    const t = tempHome();
    const host = await startWebHostProcess(t.home);
    try {
      const page = await openPage(host.origin + '/');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toMatch(/Cannot reach Baseline[\s\S]*without its access token/);
      expect(await page.locator('[data-testid=event-row]').count()).toBe(0);
      const wrong = await openPage(host.origin + '/#token=not-the-token');
      await wrong.getByRole('alert').waitFor();
      expect(await wrong.getByRole('alert').innerText()).toMatch(/refused the connection/);
      await page.close();
      await wrong.close();
    } finally {
      await host.stop();
      t.cleanup();
    }
  });
});
