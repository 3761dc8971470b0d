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

describe('People in Chromium: the roster from CSV, enrolment from the roster, roles that differ, revocation', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const actor = app.actor();
      app.identity.createCa('Plant CA', 'plant-ca-secret-1', actor);
      app.identity.enrol(
        { name: 'Pat Manager', employeeId: 'M200', roles: ['plant-engineering-manager'], password: 'pat-password-1' },
        'plant-ca-secret-1',
        actor,
      );
      app.plantModel.importPlant(readFileSync(root('resources/plant/demo-plant.yaml'), 'utf8'), 'demo-plant.yaml', {
        employeeId: 'M200',
        password: 'pat-password-1',
      });
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1400, height: 1000 } }, errors);
    page = ui.page;
    await page.getByRole('button', { name: 'People' }).click();
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  const row = (employeeId: string) => page.locator(`tr[data-roster="${employeeId}"]`);

  it("a roster with an unknown role is refused by line and column; the good one imports with the manager's signature", async () => {
    const form = page.getByRole('form', { name: 'Import the people roster' });
    const roster = readFileSync(root('test/fixtures/roster/packaging-roster.csv'), 'utf8');
    await form
      .getByLabel('Roster CSV')
      .setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(roster.replace(',ot-security,', ',security,')) });
    await form.getByLabel('Signed by').selectOption('M200');
    await form.getByLabel('Password', { exact: true }).fill('pat-password-1');
    await form.getByRole('button', { name: 'Sign and import' }).click();
    await expect.poll(() => form.getByRole('alert').innerText()).toMatch(/roster\.csv line 5, roles: unknown role security/);
    await form.getByLabel('Roster CSV').setInputFiles(root('test/fixtures/roster/packaging-roster.csv'));
    await form.getByLabel('Password', { exact: true }).fill('pat-password-1');
    await form.getByRole('button', { name: 'Sign and import' }).click();
    await expect.poll(() => page.locator('tr[data-roster]').count()).toBe(7);
    expect(await row('M200').innerText()).toMatch(/enrolled/);
    expect(await row('SV500').innerText()).toMatch(/Shift supervisor, Controls engineer\s+Midwest packaging plant\s+awaiting enrolment/);
  });

  it('enrolling from the roster fills in name, id and roles; the supervisor types their own password', async () => {
    await page.getByRole('button', { name: 'Enrol Sky Supervisor' }).click();
    const enrol = page.getByRole('form', { name: 'Enrol person' });
    expect(await enrol.getByLabel('Full name').inputValue()).toBe('Sky Supervisor');
    expect(await enrol.getByLabel('Employee id').inputValue()).toBe('SV500');
    expect(await enrol.getByRole('checkbox', { name: 'Shift supervisor' }).isChecked()).toBe(true);
    expect(await enrol.getByRole('checkbox', { name: 'Plant manager' }).isChecked()).toBe(false);
    await enrol.getByLabel('Their password').fill('sky-password-1');
    await enrol.getByLabel('Repeat it').fill('sky-password-1');
    await enrol.getByLabel('CA password').fill('plant-ca-secret-1');
    await enrol.getByRole('button', { name: 'Enrol' }).click();
    await expect.poll(() => row('SV500').innerText()).toMatch(/enrolled/);
    expect(await page.locator('tr[data-employee="SV500"]').innerText()).toMatch(/Shift supervisor, Controls engineer/);
  });

  it('a roles change on the roster shows the certificate differs; revoking it (CA password) leaves the person to be enrolled again', async () => {
    await page.getByRole('button', { name: 'Edit the roster entry of Sky Supervisor' }).click();
    const editor = page.getByRole('form', { name: 'Edit a roster entry' });
    await editor.getByRole('checkbox', { name: 'Controls engineer' }).uncheck();
    await editor.getByLabel('Reason').fill('supervises only from January');
    await editor.getByLabel('Signed by').selectOption('M200');
    await editor.getByLabel('Password', { exact: true }).fill('pat-password-1');
    await editor.getByRole('button', { name: 'Sign and save' }).click();
    await expect
      .poll(() => row('SV500').innerText())
      .toMatch(/certificate carries Shift supervisor, Controls engineer: revoke and enrol again/);

    await page.getByRole('button', { name: "Revoke Sky Supervisor's certificate" }).click();
    const revoke = page.getByRole('form', { name: "Revoke Sky Supervisor's certificate" });
    await revoke.getByLabel('Reason').fill('roles changed: reissue');
    await revoke.getByLabel('CA password').fill('wrong-ca-password');
    await revoke.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => revoke.getByRole('alert').innerText()).toMatch(/password is wrong/);
    await revoke.getByLabel('CA password').fill('plant-ca-secret-1');
    await revoke.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => row('SV500').innerText()).toMatch(/certificate revoked: enrol again to sign/);
    expect(await page.locator('tr[data-employee="SV500"]').innerText()).toMatch(/revoked/);
    await page.screenshot({ path: join('test-results', 'people-roster.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
