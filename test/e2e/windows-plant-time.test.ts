import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

describe('Windows in plant time, with the browser in another zone (Tokyo; the plant is in Chicago)', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      app.identity.createCa('Plant CA', 'plant-ca-secret-1', app.actor());
      app.identity.enrol({ name: 'Pat Manager', employeeId: 'M200', roles: ['plant-engineering-manager'], password: 'pat-password-1' }, 'plant-ca-secret-1', app.actor());
      app.plantModel.importPlant(readFileSync(root('resources/plant/demo-plant.yaml'), 'utf8'), 'demo-plant.yaml', { employeeId: 'M200', password: 'pat-password-1' });
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'Asia/Tokyo' }, errors);
    page = ui.page;
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  it('the 22:00-06:00 night window reads 22:00 to 06:00 in plant time, labelled, with the reader\'s Tokyo time beside it', async () => {
    await page.getByRole('button', { name: 'Windows' }).click();
    await page.getByLabel('Line', { exact: true }).selectOption('L01');
    const night = page.locator('[data-testid=calendar-line][data-line="L01"] [data-testid=window]').filter({ hasText: 'night-maintenance' }).first();
    await night.waitFor();
    const text = await night.innerText();
    // Plant time first, with its zone; Chicago 22:00 CST is 13:00 the next day in Tokyo (JST, UTC+9).
    expect(text).toMatch(/night-maintenance: \w{3} \d{1,2} \w{3} \d{4} 22:00 – \w{3} \d{1,2} \w{3} 06:00 C[SD]T/);
    expect(text).toMatch(/\(\w{3} \d{1,2} \w{3} 1[23]:00 – 2[01]:00 GMT\+9 your time\)/);
    await page.screenshot({ path: join('test-results', 'windows.png') });
    expect(errors).toEqual([]);
  });

  it('the calendar puts the night window on the plant days it covers, a week or a month per line', async () => {
    await page.getByLabel('Line', { exact: true }).selectOption('');
    const row = page.locator('[data-testid=calendar-row][data-line="L01"]');
    await row.waitFor();
    const items = await row.locator('[data-testid=calendar-window]').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
    // In plant time, whatever the browser's zone: the evening part on one day, the morning part on the next.
    expect(items.some((x) => /night-maintenance: 22:00–24:00 America\/Chicago/.test(x))).toBe(true);
    expect(items.some((x) => /night-maintenance: 00:00–06:00 America\/Chicago/.test(x))).toBe(true);
    expect(await row.getByRole('cell').count()).toBe(7);
    expect(await page.locator('[data-testid=calendar-row]').count()).toBe(24);
    await page.getByLabel('Days', { exact: true }).selectOption('31');
    await expect.poll(() => row.getByRole('cell').count()).toBe(31);
    await page.getByLabel('Line', { exact: true }).selectOption('L01');
    expect(await page.locator('[data-testid=calendar-row]').count()).toBe(1);
    await page.screenshot({ path: join('test-results', 'surface-windows-month.png') });
    await page.getByLabel('Days', { exact: true }).selectOption('7');
    await page.getByLabel('Line', { exact: true }).selectOption('');
  });
});
