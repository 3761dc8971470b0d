import { readFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import Papa from 'papaparse';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { setUpPlant, startLine1Simulator } from '../helpers/change-fixture.ts';
import { buildKpiHistory } from '../helpers/kpi-history.ts';

describe('KPI screen in Chromium on a store with three months of changes', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];
  const cspViolations: string[] = [];

  beforeAll(async () => {
    // The history is driven through the real services (change workflow, captures over the Modbus simulator, drift check).
    const line1 = await startLine1Simulator();
    let now = new Date('2026-09-01T15:00:00Z');
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: () => now });
    try {
      const controllerId = setUpPlant(app, line1.sim.port);
      await buildKpiHistory(app, controllerId, line1, (d) => {
        now = d;
      });
    } finally {
      app.close();
      await line1.sim.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'America/Chicago' }, errors);
    page = ui.page;
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.reload();
  }, 180_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  it('draws every KPI chart with the figures of the history, without a CSP violation', async () => {
    await page.getByRole('button', { name: 'KPIs' }).click();
    await page.getByRole('heading', { name: 'Change KPIs' }).waitFor();
    for (const kpi of [
      'documented-approver',
      'before-after-signature',
      'lead-time',
      'rollback',
      'emergency',
      'overdue-retrospective',
      'unauthorized-drift',
    ]) {
      await page.getByTestId(`kpi-chart-${kpi}`).locator('svg.recharts-surface').first().waitFor();
    }
    // Figures of the whole period (all lines), worked out from the history in test/helpers/kpi-history.ts.
    const figure = (k: string) => page.getByTestId(`kpi-figure-${k}`).innerText();
    expect(await figure('documented-approver')).toBe('67%'); // 2 of 3 executions
    expect(await figure('before-after-signature')).toBe('100%');
    expect(await figure('rollback')).toBe('50%'); // 1 of 2 ended
    expect(await figure('emergency')).toBe('33%');
    expect(await figure('overdue-retrospective')).toBe('1');
    expect(await figure('unauthorized-drift')).toBe('1');
    // A bar for every month with something to measure (a 0% month as a sliver), none for a month with nothing.
    const bars = (k: string) => page.getByTestId(`kpi-chart-${k}`).locator('path.recharts-rectangle');
    await expect.poll(() => bars('rollback').count()).toBe(2); // September 0 of 1, October 1 of 1
    await expect.poll(() => bars('documented-approver').count()).toBe(3); // September 1/1, October 0/1, November 1/1
    const [sep, oct] = [await bars('rollback').nth(0).boundingBox(), await bars('rollback').nth(1).boundingBox()];
    expect(sep?.height ?? 99).toBeLessThan(5);
    expect(oct?.height ?? 0).toBeGreaterThan(50);
    // Lead time: one curve per class measured (normal and emergency), and the medians in the legend area.
    await expect.poll(() => page.getByTestId('kpi-chart-lead-time').locator('path.recharts-line-curve').count()).toBe(2);
    const lead = page.getByRole('region', { name: 'Lead time by class (median, days)' });
    expect(await lead.locator('[data-class="normal"]').innerText()).toMatch(/normal median 0\.9 d · 2 changes · trend -0\.4 d\/month/);
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/kpi-view.png' });
    const texts = await page.getByTestId('kpi-chart-rollback').locator('svg text').allTextContents();
    expect(texts.filter((x) => /^[A-Z][a-z]{2} \d{4}$/.test(x)).slice(0, 3)).toEqual(['Sep 2026', 'Oct 2026', 'Nov 2026']);
    // Each month with something to measure is labelled counted/population: September 0/1, October 1/1.
    expect(texts.filter((x) => /^\d+\/\d+$/.test(x))).toEqual(['0/1', '1/1']);
    const byLine = page.getByRole('table', { name: 'KPIs by line' });
    await byLine.scrollIntoViewIfNeeded();
    // Per line: every change of the history is on L20, so its row has the plant's figures.
    expect(await byLine.locator('tbody tr').first().locator('td').allInnerTexts()).toEqual(['L20', '67%', '100%', '50%', '33%', '1', '1']);
    await page.screenshot({ path: 'test-results/kpi-view-lower.png' });
    expect(cspViolations).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a bar opens the changes behind it, and they open in the Changes register', async () => {
    await page.getByTestId('kpi-chart-emergency').locator('path.recharts-rectangle').nth(1).click(); // October
    const drill = page.getByRole('region', { name: 'Changes behind the figure' });
    await expect.poll(() => drill.locator('h2').innerText()).toBe('Emergency-change rate · all lines · Oct 2026');
    expect(await drill.locator('li').allInnerTexts()).toEqual([
      expect.stringMatching(/^Filler jammed: raise speed setpoint · emergency · closed · L20 · counted/),
    ]);
    // A point of the lead-time chart opens that month's changes with their lead times (September: 30 h 01 min = 1.3 d).
    await page.getByTestId('kpi-chart-lead-time').locator('circle.kpi-dot').first().click();
    await expect.poll(() => drill.locator('h2').innerText()).toBe('Lead time by class (median, days) · all lines · Sep 2026');
    expect(await drill.locator('li').allInnerTexts()).toEqual([
      expect.stringMatching(/^Raise filler speed setpoint to 14 m\/min · normal · closed · L20 · 1\.3 d$/),
    ]);
    // The whole-period rollback figure: two executions ended, one rolled back.
    await page.getByRole('region', { name: 'Rollback rate' }).getByRole('button', { name: '1 of 2 changes' }).click();
    expect(await drill.locator('li').allInnerTexts()).toEqual([
      expect.stringMatching(/^Raise filler speed setpoint to 14 m\/min · normal · closed · L20 · not counted/),
      expect.stringMatching(/^Filler jammed: raise speed setpoint · emergency · closed · L20 · counted/),
    ]);
    await drill.getByRole('button', { name: 'Show these 2 in the Changes register' }).click();
    await page.getByRole('heading', { name: 'Changes', exact: true }).waitFor();
    expect(await page.getByRole('status').textContent()).toMatch(/Showing the 2 changes behind\s*Rollback rate · all lines · whole period/);
    const register = page.getByRole('list', { name: 'Change register' });
    expect(await register.locator('li strong').allInnerTexts()).toEqual([
      'CR-0002 Filler jammed: raise speed setpoint',
      'CR-0001 Raise filler speed setpoint to 14 m/min',
    ]);
    await page.getByRole('button', { name: 'Show all' }).click();
    expect(await register.locator('li strong').count()).toBe(3);
  });

  it('exports a KPI series and the register as CSV files', async () => {
    await page.getByRole('button', { name: 'KPIs' }).click();
    const card = page.getByRole('region', { name: 'Rollback rate' });
    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('baseline-kpi-rollback-all-lines.csv');
    const rows = (Papa.parse(readFileSync(await download.path(), 'utf8'), {}) as { data: string[][] }).data;
    expect(rows[0]).toEqual(['kpi', 'month', 'line', 'class', 'numerator', 'denominator', 'rate', 'counted_ids', 'population_ids']);
    expect(rows.find((r) => r[1] === '2026-10')?.slice(0, 7)).toEqual(['rollback', '2026-10', 'all', '', '1', '1', '1.0000']);
    const [reg] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export register (CSV)' }).click()]);
    const register = (Papa.parse(readFileSync(await reg.path(), 'utf8'), {}) as { data: string[][] }).data.filter((r) => r.length > 1);
    expect(register[0]?.slice(0, 4)).toEqual(['id', 'title', 'class', 'status']);
    expect(
      register
        .slice(1)
        .map((r) => r[1])
        .sort(),
    ).toEqual(['Filler jammed: raise speed setpoint', 'Raise filler speed setpoint to 14 m/min', 'Tune reject gate timing']);
    expect(errors).toEqual([]);
  });
});
