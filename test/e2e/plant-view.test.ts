import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startWebHostProcess, type WebHostProcess } from '../helpers/web-host-process.ts';
import { tempHome } from '../helpers/temp-home.ts';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

describe('Plant in Chromium: import the plant model and put a controller on a line', () => {
  const t = tempHome();
  let browser: Browser;
  let host: WebHostProcess;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const actor = app.actor();
      app.identity.createCa('Plant CA', 'plant-ca-secret-1', actor);
      app.identity.enrol({ name: 'Pat Manager', employeeId: 'M200', roles: ['plant-engineering-manager'], password: 'pat-password-1' }, 'plant-ca-secret-1', actor);
      const profile = app.profiles.import('line1', 'modbus', readFileSync(root('test/fixtures/profiles-capture/modbus-line1.csv'), 'utf8'), actor);
      app.controllers.register('PLC-L07-PALLETISER', { protocol: 'modbus-tcp', host: '127.0.0.1', port: 5020, unitId: 1, wordOrder: 'high-first' }, profile.sha256, actor);
    } finally {
      app.close();
    }
    host = await startWebHostProcess(t.home);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await page.getByRole('button', { name: 'Plant' }).click();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    t.cleanup();
  });

  it('a malformed plant file is refused with the problem and what to do', async () => {
    await page.getByLabel('Import plant YAML').setInputFiles({ name: 'broken.yaml', mimeType: 'text/yaml', buffer: Buffer.from('format: baseline.plant/1\nlines: [ {id: L01, tier: 9 ') });
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText()).toMatch(/not imported/);
    expect(await alert.innerText()).toMatch(/What to do:/);
    expect(await page.getByText('Lines (0)').count()).toBe(1);
  });

  it('the 24-line demo plant imports, and a controller put on L07 and marked a safety system stays so after a reload', async () => {
    await page.getByLabel('Import plant YAML').setInputFiles(root('resources/plant/demo-plant.yaml'));
    await expect.poll(() => page.locator('tr[data-line]').count()).toBe(24);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByLabel('Line of PLC-L07-PALLETISER').selectOption('L07');
    // A controlled checkbox: it shows the stored flag once the server has recorded it.
    await page.getByLabel('PLC-L07-PALLETISER is a safety system').click();
    await expect.poll(() => page.getByLabel('PLC-L07-PALLETISER is a safety system').isChecked()).toBe(true);
    await page.reload();
    await page.getByRole('button', { name: 'Plant' }).click();
    await expect.poll(() => page.getByLabel('Line of PLC-L07-PALLETISER').inputValue()).toBe('L07');
    expect(await page.getByLabel('PLC-L07-PALLETISER is a safety system').isChecked()).toBe(true);
    await page.screenshot({ path: join('test-results', 'plant-view.png') });
  });

  it('a plant engineering manager adopts policy revision 2 with a signature; a malformed policy is refused by line', async () => {
    const policy = readFileSync(root('resources/policy/default-policy.yaml'), 'utf8');
    const form = page.getByRole('form', { name: 'Adopt a policy' });
    expect(await page.getByTestId('policy-in-force').innerText()).toMatch(/revision 1 .* the default shipped with Baseline/);
    await form.getByLabel('Policy YAML').setInputFiles({ name: 'broken-policy.yaml', mimeType: 'text/yaml', buffer: Buffer.from(policy.replace(/^revision: 1$/m, 'revision: 2').replace('timeZone: America/Chicago', 'timeZone: Mars/Olympus')) });
    await form.getByLabel('Adopted by').selectOption('M200');
    await form.getByLabel('Password').fill('pat-password-1');
    await form.getByRole('button', { name: 'Sign and adopt' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/broken-policy\.yaml cannot be used: .*line \d+/);
    await form.getByLabel('Policy YAML').setInputFiles({ name: 'plant-policy-2027.yaml', mimeType: 'text/yaml', buffer: Buffer.from(policy.replace(/^revision: 1$/m, 'revision: 2').replace(/^name: .*$/m, 'name: Plant policy 2027')) });
    await form.getByLabel('Password').fill('pat-password-1');
    await form.getByRole('button', { name: 'Sign and adopt' }).click();
    await expect.poll(() => page.getByTestId('policy-in-force').innerText()).toMatch(/Plant policy 2027, revision 2 .* adopted by Pat Manager/);
    await page.screenshot({ path: join('test-results', 'plant-policy.png') });
    expect(errors).toEqual([]);
  });
});
