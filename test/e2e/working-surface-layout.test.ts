import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, normalChangeFields, setUpPlant } from '../helpers/change-fixture.ts';

const [eng] = RACI;

describe('The working surface at 1366x768: layout, lists by line, keyboard', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const controllerId = setUpPlant(app);
      // A second controller on no line, for the grouping.
      app.controllers.register(
        'PLC-SPARE',
        { protocol: 'modbus-tcp', host: '127.0.0.1', port: 5021, unitId: 1, wordOrder: 'high-first' },
        null,
        app.actor(),
      );
      const c = app.changes.create(eng.employeeId, normalChangeFields(controllerId, new Date()), app.actor());
      app.changes.act(c.id, eng.employeeId, eng.password, { type: 'submit' }, app.actor());
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'UTC' }, errors);
    page = ui.page;
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  it('the proposed diff fits the change detail: the FLAGS column is on screen, nothing scrolls sideways', async () => {
    await page.getByRole('button', { name: 'Changes' }).click();
    await page.getByRole('button', { name: /Raise filler speed/ }).click();
    const table = page.getByRole('table', { name: 'Proposed diff: before and after' });
    await table.waitFor();
    const flags = table.getByRole('columnheader', { name: 'Flags' });
    const box = (await flags.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(1366);
    const overflow = await table.evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join('test-results', 'surface-change-detail.png') });
  });

  it('keyboard focus is visible', async () => {
    const register = page.getByRole('list', { name: 'Change register' }).getByRole('button').first();
    await register.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el ? getComputedStyle(el).outlineStyle : 'none';
    });
    expect(outline).not.toBe('none');
  });

  it('People: enrolment folds away once people are enrolled; its form shows the password rule; role boxes sit beside their names', async () => {
    await page.getByRole('button', { name: 'People' }).click();
    await page.locator('tr[data-employee="E100"]').waitFor();
    expect(await page.getByRole('form', { name: 'Enrol person' }).count()).toBe(0);
    await page.screenshot({ path: join('test-results', 'surface-people.png') });
    await page.getByRole('button', { name: 'Enrol a person…' }).click();
    const enrol = page.getByRole('form', { name: 'Enrol person' });
    expect(await enrol.getByTestId('password-rule').innerText()).toMatch(/at least 8 characters/);
    const box = enrol.getByRole('checkbox', { name: 'Controls engineer', exact: true });
    const label = box.locator('..');
    const [b, l] = [(await box.boundingBox())!, (await label.boundingBox())!];
    // The box is on the label's own line, at its left, and the label is no taller than one line of text.
    expect(l.height).toBeLessThan(30);
    expect(Math.abs(b.y + b.height / 2 - (l.y + l.height / 2))).toBeLessThan(4);
    expect(b.x - l.x).toBeLessThan(4);
    await enrol.getByRole('button', { name: 'Close' }).click();
    expect(await page.getByRole('form', { name: 'Enrol person' }).count()).toBe(0);
  });

  it('Controllers: grouped by line, filtered by line, found by search', async () => {
    await page.getByRole('button', { name: 'Controllers' }).click();
    const list = page.getByRole('list', { name: 'Registered controllers' });
    await list.getByRole('region', { name: /^L01 / }).waitFor();
    expect(await list.getByRole('region', { name: /^L01 / }).innerText()).toContain('PLC-L01-FILLER');
    expect(await list.getByRole('region', { name: 'Not on a line' }).innerText()).toContain('PLC-SPARE');
    await page.getByLabel('Filter controllers by line').selectOption('L01');
    expect(await list.innerText()).not.toContain('PLC-SPARE');
    await page.getByLabel('Filter controllers by line').selectOption('');
    await page.getByLabel('Search controllers').fill('spare');
    expect(await list.innerText()).toContain('PLC-SPARE');
    expect(await list.innerText()).not.toContain('PLC-L01-FILLER');
    await page.getByLabel('Search controllers').fill('no such controller');
    expect(await list.innerText()).toContain('No controller matches.');
    await page.getByLabel('Search controllers').fill('');
    await page.screenshot({ path: join('test-results', 'surface-controllers.png') });
  });

  it('Windows at 1366x768', async () => {
    await page.getByRole('button', { name: 'Windows' }).click();
    await page.locator('[data-testid=calendar-row]').first().waitFor();
    await page.screenshot({ path: join('test-results', 'surface-windows.png') });
    expect(errors).toEqual([]);
  });
});
