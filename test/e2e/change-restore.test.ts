import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator, signGo, signRollback } from '../helpers/change-fixture.ts';

const [eng, , , , sky] = RACI;

describe('Restore in Chromium: a rolled-back change is restored to its before-snapshot, previewed, signed, typed, proved', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const controllerId = setUpPlant(app, line1.sim.port);
      const id = await emergencyFillerChange(app, controllerId);
      signGo(app, id);
      line1.set({ Line1_SpeedSP: 14, Line1_Recipe: 9 });
      signRollback(app, id);
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1500, height: 1200 } }, errors);
    page = ui.page;
    await page.getByRole('button', { name: 'Changes' }).click();
    await page.getByRole('button', { name: /Filler jammed: raise speed setpoint/ }).click();
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it("previews the two writes, takes the supervisor's signature, writes only after the name is typed, and proves the result", async () => {
    expect(await page.getByTestId('change-status').innerText()).toBe('rolled back');
    expect(await page.getByRole('region', { name: 'Before and after' }).count()).toBe(1);
    const panel = page.getByRole('region', { name: 'Restore the before-snapshot' });
    await panel.getByRole('button', { name: 'Preview the restore' }).click();
    const table = panel.getByRole('table', { name: 'Values to write' });
    await table.waitFor();
    expect(await table.locator('tbody tr').allInnerTexts()).toEqual(['Line1_SpeedSP\t14\t12.5', 'Line1_Recipe\t9\t7']);
    expect(line1.sim.image.hr[20]).toBe(9); // the preview wrote nothing

    const sign = panel.getByRole('form', { name: 'Sign the restore decision' });
    await sign.getByLabel('Reason').fill('ROLLBACK at mid-change: filler faults on restart');
    // Offered: the shift supervisor, not the engineer who filed and carried out the change.
    expect(await sign.getByLabel('Shift supervisor').locator('option').allInnerTexts()).toEqual([
      'choose…',
      `${sky.name} (${sky.employeeId})`,
    ]);
    await sign.getByLabel('Shift supervisor').selectOption(sky.employeeId);
    await sign.getByLabel('Password', { exact: true }).fill(sky.password);
    await sign.getByRole('button', { name: 'Sign the decision to write 2 values' }).click();

    const confirm = panel.getByRole('form', { name: 'Confirm the restore' });
    const write = confirm.getByRole('button', { name: 'Write 2 values to PLC-L01-FILLER' });
    await confirm.getByLabel('Type PLC-L01-FILLER to confirm').fill('PLC-L01');
    expect(await write.isDisabled()).toBe(true);
    await confirm.getByLabel('Type PLC-L01-FILLER to confirm').fill('PLC-L01-FILLER');
    await write.click();
    const outcome = panel.getByTestId('restore-outcome');
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.innerText()).toMatch(
      /Line1_SpeedSP\s+written and verified[\s\S]*Line1_Recipe\s+written and verified[\s\S]*the controller matches the before-snapshot/,
    );
    expect(line1.sim.image.hr[20]).toBe(7);
    await page.screenshot({ path: join('test-results', 'change-restore.png'), fullPage: true });
    await page.getByRole('button', { name: 'Audit trail' }).click();
    await expect.poll(() => page.locator('tr[data-type="restore.verified"]').count()).toBe(1);
    expect(await page.locator('tr[data-type="restore.executed"]').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('after Close the change keeps its story: outcome on the register and the detail, the restore record, every event on the timeline with names', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.getByRole('button', { name: 'Changes' }).click();
    await page.getByRole('button', { name: /Filler jammed: raise speed setpoint/ }).click();
    const form = page.getByRole('form', { name: 'Sign a decision' });
    await form.getByLabel('Decision').selectOption({ label: 'Close' });
    await form.getByLabel('Signer').selectOption(eng.employeeId);
    await form.getByLabel('Password').fill(eng.password);
    await form.getByRole('button', { name: 'Sign' }).click();
    await expect.poll(() => page.getByTestId('change-status').innerText()).toBe('closed');
    expect(await page.getByTestId('change-outcome').innerText()).toBe('rolled back and restored');
    await expect.poll(() => page.getByTestId('register-state').first().innerText()).toBe('rolled back and restored');
    expect(await page.getByTestId('restore-record').innerText()).toMatch(
      /PLC-L01-FILLER: 2 value\(s\) authorized by Sky Supervisor, .*2 written and read back\. The controller matches the before-snapshot\./,
    );
    const timeline = await page.getByRole('region', { name: 'Timeline' }).innerText();
    expect(timeline).toMatch(/Sky Supervisor authorized writing 2 value\(s\) back to PLC-L01-FILLER: ROLLBACK at mid-change/);
    expect(timeline).toMatch(/wrote 2 of 2 value\(s\) to PLC-L01-FILLER, each read back/);
    expect(timeline).toMatch(/read PLC-L01-FILLER again: it matches the before-snapshot/);
    expect(timeline).toMatch(/captured PLC-L01-FILLER \(complete\)/);
    await page.getByRole('list', { name: 'Change register' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'register.png') });
    expect(errors).toEqual([]);
  });
});
