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

describe('Plant in Chromium: import the plant model (signed), edit lines and sites, put a controller on a line', () => {
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
      app.identity.enrol(
        { name: 'Erin Engineer', employeeId: 'E100', roles: ['controls-engineer'], password: 'erin-password-1' },
        'plant-ca-secret-1',
        actor,
      );
      const profile = app.profiles.import(
        'line1',
        'modbus',
        readFileSync(root('test/fixtures/profiles-capture/modbus-line1.csv'), 'utf8'),
        actor,
      );
      app.controllers.register(
        'PLC-L07-PALLETISER',
        { protocol: 'modbus-tcp', host: '127.0.0.1', port: 5020, unitId: 1, wordOrder: 'high-first' },
        profile.sha256,
        actor,
      );
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1400, height: 900 } }, errors);
    page = ui.page;
    await page.getByRole('button', { name: 'Plant' }).click();
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  /** Fills the import form and signs it. */
  async function importPlant(file: Parameters<Page['setInputFiles']>[1], employeeId: string, password: string) {
    const form = page.getByRole('form', { name: 'Import the plant model' });
    await form.getByLabel('Plant file (YAML or lines CSV)').setInputFiles(file);
    await form.getByLabel('Signed by').selectOption(employeeId);
    await form.getByLabel('Password', { exact: true }).fill(password);
    await form.getByRole('button', { name: 'Sign and import' }).click();
    return form;
  }

  it('a malformed plant file, and an import by someone outside plant engineering, are refused with the problem and what to do', async () => {
    const form = await importPlant(
      { name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('site,site_name,line,line_name,tier\nnorth,North,L01,Filler,9\n') },
      'M200',
      'pat-password-1',
    );
    await expect.poll(() => form.getByRole('alert').innerText()).toMatch(/broken\.csv line 2, tier: "9" must be 1, 2 or 3/);
    expect(await form.getByRole('alert').innerText()).toMatch(/What to do:/);
    // Someone outside plant engineering is never offered as the signer (the service refuses them too: plant-model-service tests).
    const offered = await form
      .getByLabel('Signed by')
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(offered).toContain('M200');
    expect(offered).not.toContain('E100');
    expect(await page.getByText('Lines (0)').count()).toBe(1);
  });

  it("the 24-line demo plant imports with the manager's signature, and a controller put on L07 and marked a safety system stays so after a reload", async () => {
    const form = await importPlant(root('resources/plant/demo-plant.yaml'), 'M200', 'pat-password-1');
    await expect.poll(() => page.locator('tr[data-line]').count()).toBe(24);
    expect(await form.getByRole('status').innerText()).toBe('Imported demo-plant.yaml.');
    await page.getByLabel('Line of PLC-L07-PALLETISER').selectOption('L07');
    await page.getByLabel('PLC-L07-PALLETISER is a safety system').check();
    // Both are plant engineering's decisions: nothing is saved until someone with that role signs them.
    const sign = page.getByRole('form', { name: 'Sign the controller changes' });
    expect(await sign.innerText()).toMatch(/2 unsaved changes/);
    await sign.getByLabel('Reason').fill('palletiser commissioned on line 7; it carries the burner interlock');
    const signers = await sign
      .getByLabel('Signed by')
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(signers).toContain('M200');
    expect(signers).not.toContain('E100');
    await sign.getByLabel('Signed by').selectOption('M200');
    await sign.getByLabel('Password', { exact: true }).fill('pat-password-1');
    await sign.getByRole('button', { name: 'Sign and save' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved 2 changes.' }).count()).toBe(1);
    await page.reload();
    await page.getByRole('button', { name: 'Plant' }).click();
    await expect.poll(() => page.getByLabel('Line of PLC-L07-PALLETISER').inputValue()).toBe('L07');
    expect(await page.getByLabel('PLC-L07-PALLETISER is a safety system').isChecked()).toBe(true);
    await page.screenshot({ path: join('test-results', 'plant-view.png') });
  });

  it('plant engineering moves L07 to tier 1 with a signed reason, adds a site and a line on it, and cannot remove a line in use', async () => {
    await page.getByRole('button', { name: 'Edit line L07' }).click();
    let editor = page.getByRole('form', { name: 'Edit a line' });
    await editor.getByLabel('Tier').selectOption('1');
    await editor.getByLabel('Reason').fill('quarterly tier review: L07 now runs the premium SKU');
    await editor.getByLabel('Signed by').selectOption('M200');
    await editor.getByLabel('Password', { exact: true }).fill('pat-password-1');
    await editor.getByRole('button', { name: 'Sign and remove the line' }).click();
    await expect.poll(() => editor.getByRole('alert').innerText()).toMatch(/Line L07 still has 1 controller on it \(PLC-L07-PALLETISER\)/);
    await editor.getByLabel('Password', { exact: true }).fill('pat-password-1');
    await editor.getByRole('button', { name: 'Sign and save' }).click();
    await expect.poll(() => page.locator('tr[data-line="L07"] td').nth(3).innerText()).toBe('1');
    expect(await page.getByRole('form', { name: 'Edit a line' }).count()).toBe(0);

    const site = page.getByRole('form', { name: 'Add or rename a site' });
    await site.getByLabel('Site id').fill('labeler-annex');
    await site.getByLabel('Name').fill('Labeler annex');
    await site.getByLabel('Reason').fill('TwinCAT labeler retrofit');
    await site.getByLabel('Signed by').selectOption('M200');
    await site.getByLabel('Password', { exact: true }).fill('pat-password-1');
    await site.getByRole('button', { name: 'Sign and save' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Sites' }).locator('tbody tr').count()).toBe(2);

    await page.getByRole('button', { name: 'Add a line…' }).click();
    editor = page.getByRole('form', { name: 'Edit a line' });
    await editor.getByLabel('Line id').fill('L25');
    await editor.getByLabel('Name').fill('Labeler 1');
    await editor.getByLabel('Site').selectOption('labeler-annex');
    await editor.getByLabel('Tier').selectOption('3');
    await editor.getByLabel('Reason').fill('new labeler line commissioned');
    await editor.getByLabel('Signed by').selectOption('M200');
    await editor.getByLabel('Password', { exact: true }).fill('pat-password-1');
    await editor.getByRole('button', { name: 'Sign and save' }).click();
    await expect.poll(() => page.locator('tr[data-line="L25"]').innerText()).toMatch(/L25\s+Labeler 1\s+Labeler annex\s+3/);
    await page.getByRole('button', { name: 'Audit trail' }).click();
    await expect.poll(() => page.locator('tr[data-type="plant.line-set"]').count()).toBe(2);
    expect(await page.locator('tr[data-type="plant.site-set"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Plant' }).click();
    await page.screenshot({ path: join('test-results', 'plant-lines.png'), fullPage: true });
  });

  it('a plant engineering manager adopts the next policy revision with a signature; a malformed policy is refused by line', async () => {
    const policy = readFileSync(root('resources/policy/default-policy.yaml'), 'utf8');
    const shipped = Number(/^revision: (\d+)$/m.exec(policy)![1]);
    const raised = policy.replace(/^revision: \d+$/m, `revision: ${shipped + 1}`);
    const form = page.getByRole('form', { name: 'Adopt a policy' });
    expect(await page.getByTestId('policy-in-force').innerText()).toMatch(
      new RegExp(`revision ${shipped} .* the default shipped with Baseline`),
    );
    await form.getByLabel('Policy YAML').setInputFiles({
      name: 'broken-policy.yaml',
      mimeType: 'text/yaml',
      buffer: Buffer.from(raised.replace('timeZone: America/Chicago', 'timeZone: Mars/Olympus')),
    });
    await form.getByLabel('Adopted by').selectOption('M200');
    await form.getByLabel('Password').fill('pat-password-1');
    await form.getByRole('button', { name: 'Sign and adopt' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/broken-policy\.yaml cannot be used: .*line \d+/);
    await form.getByLabel('Policy YAML').setInputFiles({
      name: 'plant-policy-2027.yaml',
      mimeType: 'text/yaml',
      buffer: Buffer.from(raised.replace(/^name: .*$/m, 'name: Plant policy 2027')),
    });
    await form.getByLabel('Password').fill('pat-password-1');
    await form.getByRole('button', { name: 'Sign and adopt' }).click();
    await expect
      .poll(() => page.getByTestId('policy-in-force').innerText())
      .toMatch(new RegExp(`Plant policy 2027, revision ${shipped + 1} .* adopted by Pat Manager`));
    // The skew limit in words, and what a bundle carried on removable media can and cannot show of a laptop's clock.
    expect(await page.getByTestId('policy-clock-limit').innerText()).toMatch(
      /more than \d+ min off the central server's when it syncs online .* A sync bundle carried on removable media cannot show the laptop's clock/,
    );
    await page.screenshot({ path: join('test-results', 'plant-policy.png') });
    expect(errors).toEqual([]);
  });
});
