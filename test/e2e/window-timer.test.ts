import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, normalChangeFields, setUpPlant } from '../helpers/change-fixture.ts';

const [eng, , sec] = RACI;
// Thursday 26 Nov 2026, 23:00-24:00 in Chicago (CST): inside the night window, after the tier-1 48 h notice.
const SLOT = { start: '2026-11-27T05:00:00.000Z', end: '2026-11-27T06:00:00.000Z' };

describe('Change-window timer in Chromium: the time left in the slot, warnings at 30 and 15 minutes, then overrun', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    // The change is approved, scheduled and started at the times the workflow needs (the app's clock is set for that).
    let now = new Date('2026-11-23T15:00:00Z');
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: () => now });
    try {
      const controllerId = setUpPlant(app);
      const c = app.changes.create(eng.employeeId, normalChangeFields(controllerId, now), app.actor());
      app.changes.act(c.id, eng.employeeId, eng.password, { type: 'submit' }, app.actor());
      app.changes.act(
        c.id,
        RACI[3].employeeId,
        RACI[3].password,
        { type: 'approve', role: 'quality-compliance', diffReviewed: true },
        app.actor(),
      );
      app.changes.act(c.id, sec.employeeId, sec.password, { type: 'approve', role: 'ot-security', diffReviewed: true }, app.actor());
      app.changes.act(c.id, eng.employeeId, eng.password, { type: 'schedule', ...SLOT }, app.actor());
      now = new Date('2026-11-27T05:05:00Z');
      app.changes.act(
        c.id,
        eng.employeeId,
        eng.password,
        { type: 'start-execution', stagingRecord: 'STG-17', witnessEmployeeId: sec.employeeId, witnessPassword: sec.password },
        app.actor(),
      );
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1400, height: 900 } }, errors);
    page = ui.page;
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  it("shows the time left, the 30- and 15-minute warnings and the overrun as the page's clock moves", async () => {
    await page.clock.setFixedTime(new Date('2026-11-27T05:20:00Z'));
    await page.reload();
    await page.getByRole('button', { name: 'Changes' }).click();
    await page.getByRole('button', { name: /Raise filler speed setpoint/ }).click();
    const timer = page.getByTestId('window-timer');
    await expect.poll(() => timer.innerText()).toMatch(/^40 min left in the change window/);
    for (const [at, text] of [
      ['2026-11-27T05:35:00Z', /^30-minute warning: 25 min left/],
      ['2026-11-27T05:50:00Z', /^15-minute warning: 10 min left/],
      ['2026-11-27T06:12:00Z', /The change window ended at .*, 12 min ago/],
      ['2026-11-28T08:30:00Z', /The change window ended at .*, 26 h 30 min ago/],
    ] as const) {
      await page.clock.setFixedTime(new Date(at));
      await page.reload();
      await page.getByRole('button', { name: 'Changes' }).click();
      await page.getByRole('button', { name: /Raise filler speed setpoint/ }).click();
      await expect.poll(() => timer.innerText()).toMatch(text);
    }
    expect(errors).toEqual([]);
  });
});
