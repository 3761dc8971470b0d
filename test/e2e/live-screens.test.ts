import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator } from '../helpers/change-fixture.ts';

const [eng, pem] = RACI;

describe('Screens stay current: what one screen records appears on the others without a reload', () => {
  const t = tempHome();
  let ui: AppPage;
  let changes: Page; // the change detail, left open
  let controllers: Page; // the Controllers screen, in a second window on the same host
  const errors: string[] = [];
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      await emergencyFillerChange(app, setUpPlant(app, line1.sim.port));
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'UTC' }, errors);
    changes = ui.page;
    controllers = await changes
      .context()
      .browser()!
      .newPage({ viewport: { width: 1366, height: 768 }, timezoneId: 'UTC' });
    controllers.on('pageerror', (e) => errors.push(e.message));
    await controllers.goto(ui.host.url);
    await changes.getByRole('button', { name: 'Changes' }).click();
    await changes.getByRole('button', { name: /Filler jammed: raise speed setpoint/ }).click();
    await controllers.getByRole('button', { name: /PLC-L01-FILLER/ }).click();
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it("a snapshot signed on Controllers appears in the open change's snapshot list", async () => {
    const choices = () => changes.getByRole('form', { name: 'Record a snapshot' }).getByLabel('Signed snapshot').locator('option').count();
    await expect.poll(choices).toBe(2); // "choose…" and the before-snapshot
    line1.set({ Line1_SpeedSP: 14 });
    await controllers.getByRole('button', { name: 'Capture now' }).click();
    await expect
      .poll(() => controllers.getByTestId('capture-values').locator('tr[data-tag="Line1_SpeedSP"] td.num').innerText())
      .toBe('14');
    await controllers.getByRole('button', { name: 'Sign as evidence…' }).click();
    const dialog = controllers.getByRole('form', { name: 'Sign capture' });
    await dialog.getByLabel('Signer').selectOption(eng.employeeId);
    await dialog.getByLabel('Password').fill(eng.password);
    await dialog.getByRole('button', { name: 'Sign' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(choices).toBe(3);
  });

  it('a baseline approved in one window shows on the Controllers screen of the other', async () => {
    await changes.getByRole('button', { name: 'Controllers' }).click();
    await changes.getByRole('button', { name: /PLC-L01-FILLER/ }).click();
    await expect.poll(() => changes.getByTestId('baseline-state').innerText()).toMatch(/No approved baseline yet/);
    await controllers.getByRole('button', { name: 'Approve latest signed snapshot as baseline…' }).click();
    const approve = controllers.getByRole('form', { name: 'Approve baseline' });
    await approve.getByLabel('Signer').selectOption(pem.employeeId);
    await approve.getByLabel('Password').fill(pem.password);
    await approve.getByRole('button', { name: 'Sign and approve' }).click();
    await expect.poll(() => controllers.getByTestId('baseline-state').innerText()).toMatch(/Baseline v1/);
    await expect.poll(() => changes.getByTestId('baseline-state').innerText()).toMatch(/Baseline v1, approved by Pat Manager/);
    expect(errors).toEqual([]);
  });
});
