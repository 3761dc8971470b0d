/**
 * A plant-sized profile CSV through the browser and the web host's WebSocket: a 1.7 MB file imports (it used to
 * exceed the host's 1 MiB message cap and end the host), a file over the API's 10 MB limit is refused with that
 * limit named, and when the host does go away the page says so and what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';

/** A Modbus profile CSV of `rows` holding registers with long descriptions. */
function bigProfileCsv(rows: number): string {
  const lines = ['tag,address,type,class,safety,writable,description'];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `Line7_Station${String(i).padStart(5, '0')}_Setpoint,hr:${i},UINT16,config,false,false,"Station ${i} setpoint, packaging line 7 (case erector, sealer and labeller group)"`,
    );
  }
  return lines.join('\n') + '\n';
}

describe('a 1.7 MB profile CSV through the browser and the WebSocket', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 } }, errors);
    page = ui.page;
    // An empty data directory opens on "Get started"; the profile import is on Controllers.
    await page.getByRole('button', { name: 'Controllers' }).click();
  });
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  async function importFile(name: string, csv: string): Promise<void> {
    await page.getByRole('button', { name: 'Import profile…' }).click();
    const form = page.getByRole('form', { name: 'Import capture profile' });
    await form.locator('input[type=file]').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await form.getByLabel('Name').fill(name.replace(/\.csv$/, ''));
    await form.getByRole('button', { name: 'Import' }).click();
  }

  it('imports a 1.7 MB profile (15,000 tags) and the host stays up', async () => {
    const csv = bigProfileCsv(15_000);
    expect(Buffer.byteLength(csv)).toBeGreaterThan(1.7e6);
    await importFile('Line 7 stations.csv', csv);
    await page.getByRole('form', { name: 'Import capture profile' }).waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByRole('button', { name: 'Add controller…' }).click();
    const options = await page
      .getByRole('form', { name: 'Add controller' })
      .getByLabel('Capture profile')
      .locator('option')
      .allInnerTexts();
    expect(options).toContain('Line 7 stations (15000 tags)');
    await page.getByRole('form', { name: 'Add controller' }).getByRole('button', { name: 'Cancel' }).click();
    expect(ui.host.exitCode()).toBeNull();
    expect(errors).toEqual([]);
  });

  it('a profile over 10 MB is refused with the limit named; the connection stays open', async () => {
    const csv = bigProfileCsv(95_000);
    expect(csv.length).toBeGreaterThan(10_000_000);
    await importFile('Too big.csv', csv);
    const alert = page.getByRole('alert').filter({ hasText: '10 MB' });
    await alert.waitFor({ timeout: 30_000 });
    expect(await page.getByText('Connection lost').count()).toBe(0);
    expect(ui.host.exitCode()).toBeNull();
  });

  it('when the host stops, the page says the connection was lost and what to do', async () => {
    await ui.host.stop();
    const panel = page.getByRole('alert').filter({ hasText: 'Connection lost' });
    await panel.waitFor();
    expect(await panel.innerText()).toMatch(/Baseline host[\s\S]*What to do: (Reload this page|Start it again)/);
    await page.screenshot({ path: 'test-results/connection-lost.png' });
  });
});
