import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, normalChangeFields, setUpPlant } from '../helpers/change-fixture.ts';

const LONG_TITLE =
  'Replace the case packer carton guide servo tuning and raise the filler speed setpoint to 14 m/min after the conveyor motor upgrade';

describe('Windows in plant time, with the browser in another zone (Tokyo; the plant is in Chicago)', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const controllerId = setUpPlant(app);
      // A change whose title is as long as plant titles get: its requested window on L01 must read whole in the calendar.
      app.changes.create(RACI[0].employeeId, { ...normalChangeFields(controllerId, new Date()), title: LONG_TITLE }, app.actor());
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

  it("the 22:00-06:00 night window reads 22:00 to 06:00 in plant time, labelled, with the reader's Tokyo time beside it", async () => {
    await page.getByRole('button', { name: 'Windows' }).click();
    await page.getByLabel('Line', { exact: true }).selectOption('L01');
    const night = page
      .locator('[data-testid=calendar-line][data-line="L01"] [data-testid=window]')
      .filter({ hasText: 'night-maintenance' })
      .first();
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
    expect(items.some((x) => /night-maintenance: 22:00–24:00 C[SD]T/.test(x))).toBe(true);
    expect(items.some((x) => /night-maintenance: 00:00–06:00 C[SD]T/.test(x))).toBe(true);
    expect(await row.getByRole('cell').count()).toBe(7);
    expect(await page.locator('[data-testid=calendar-row]').count()).toBe(24);
    await page.getByLabel('Days', { exact: true }).selectOption('31');
    await expect.poll(() => row.getByRole('cell').count()).toBe(31);
    // The month's narrow columns: the month's name over the first day and each 1st, the weekday's initial over the others.
    const heads = await page.locator('.calendar-day-head').allInnerTexts();
    expect(heads[0]).toMatch(/^[A-Z][a-z]{2}\n\d{1,2}$/);
    for (const h of heads) expect(h).toMatch(/^([A-Z][a-z]{2}\n1|[A-Z][a-z]{2}\n\d{1,2}|[MTWFS]\n\d{1,2})$/);
    expect(heads.filter((h) => /^[MTWFS]\n/.test(h)).length).toBeGreaterThan(25);
    await page.getByLabel('Line', { exact: true }).selectOption('L01');
    expect(await page.locator('[data-testid=calendar-row]').count()).toBe(1);
    // The list under the calendar shows the first 20 windows and says how many more the month holds.
    await expect
      .poll(() => page.locator('[data-testid=calendar-line][data-line="L01"] [data-testid=more-windows]').innerText())
      .toMatch(/^… and \d+ more windows in these days/);
    await page.screenshot({ path: join('test-results', 'surface-windows-month.png') });
    await page.getByLabel('Days', { exact: true }).selectOption('7');
    await page.getByLabel('Line', { exact: true }).selectOption('');
  });

  it('a long change title reads whole in the week: wrapped in its cell, not clipped, with the whole window in plant time on hover', async () => {
    const row = page.locator('[data-testid=calendar-row][data-line="L01"]');
    const slot = row.locator('[data-testid=calendar-slot]').first();
    await slot.waitFor();
    expect(await slot.innerText()).toMatch(new RegExp(`CR-\\d{4} ${LONG_TITLE} \\(draft\\)`)); // the change number leads
    const fits = await slot.evaluate((el) =>
      [el, el.querySelector('.calendar-name')!].every((e) => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight + 1),
    );
    expect(fits).toBe(true);
    // Its text is inside the cell, not cut at the cell's edge.
    const inside = await slot.evaluate((el) => {
      const a = el.getBoundingClientRect();
      const c = el.closest('[role=cell]')!.getBoundingClientRect();
      return a.left >= c.left && a.right <= c.right + 0.5;
    });
    expect(inside).toBe(true);
    expect(await slot.getAttribute('title')).toMatch(
      new RegExp(
        `^CR-\\d{4} ${LONG_TITLE} \\(draft\\): \\d\\d:\\d\\d–\\d\\d:\\d\\d C[SD]T; \\w{3} \\d{1,2} \\w{3} \\d{4} \\d\\d:\\d\\d – .*C[SD]T$`,
      ),
    );
    await slot.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'surface-windows-week-long-title.png') });
    // The month keeps the cells narrow: the slot is a bar whose title names it whole, with its window in plant time.
    await page.getByLabel('Days', { exact: true }).selectOption('31');
    await expect.poll(() => row.getByRole('cell').count()).toBe(31);
    expect(await row.locator('[data-testid=calendar-slot]').first().getAttribute('title')).toContain(`${LONG_TITLE} (draft)`);
    await page.getByLabel('Days', { exact: true }).selectOption('7');
    expect(errors).toEqual([]);
  });
});
