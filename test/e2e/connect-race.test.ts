/**
 * A screen opened while the app is still connecting loads its data once the connection is ready. The page's
 * WebSocket is held at Playwright's route for a moment after the page loads, and the engineer opens Changes in
 * that moment: the change's signing form must still offer its signers (the people list), not an empty list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, normalChangeFields, setUpPlant } from '../helpers/change-fixture.ts';

const [eng] = RACI;

describe('a screen opened before the connection is ready', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];
  let release: () => void = () => undefined;

  beforeAll(async () => {
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      app.changes.create(eng.employeeId, normalChangeFields(setUpPlant(app), new Date()), app.actor());
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'UTC' }, errors);
    page = ui.page;
    await page.routeWebSocket(/\/api/, async (ws) => {
      await new Promise<void>((go) => (release = go));
      ws.connectToServer();
    });
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  it('Changes opened while connecting lists the people who may sign', async () => {
    await page.reload();
    await page.getByRole('button', { name: 'Changes' }).click();
    release();
    await page.getByRole('button', { name: /Raise filler speed setpoint/ }).click();
    const form = page.getByRole('form', { name: 'Sign a decision' });
    await form.getByLabel('Decision').selectOption({ label: 'Submit for approval' });
    await form.getByLabel('Signer').selectOption(eng.employeeId, { timeout: 10_000 });
    expect(await form.getByLabel('Signer').inputValue()).toBe(eng.employeeId);
    expect(errors).toEqual([]);
  });
});
