import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLogixSimulator, type LogixSimulator } from '../../src-main/devices/simulator/logix/logix-simulator.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';

describe('Browse a Logix controller into a profile, then capture it (Chromium)', () => {
  const t = tempHome();
  let ui: AppPage;
  let sim: LogixSimulator;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    sim = await startLogixSimulator({
      udts: [
        {
          name: 'RecipeType',
          members: [
            { name: 'Temp', type: 'REAL' },
            { name: 'Batch', type: 'DINT' },
          ],
        },
      ],
      tags: [
        { name: 'Mixer_SpeedSP', type: 'REAL', value: 1450.5 },
        { name: 'Mixer_Count', type: 'DINT', value: 42 },
        { name: 'Recipe', type: 'RecipeType', value: { Temp: 72.5, Batch: 7 } },
        { name: 'Trend', type: 'REAL', dims: 8 },
      ],
    });
    ui = await openAppPage(t.home, { viewport: { width: 1400, height: 900 } }, errors);
    page = ui.page;
    // An empty data directory opens on "Get started": go to the Controllers screen.
    await page.getByRole('button', { name: 'Controllers' }).click();
  });
  afterAll(async () => {
    await ui?.close();
    await sim?.close();
    t.cleanup();
  });

  it('lists the tags, leaves out the unchecked one, and the captured values match the controller', async () => {
    await page.getByRole('button', { name: 'Import profile…' }).click();
    await page.getByRole('button', { name: 'Browse a Logix controller' }).click();
    const form = page.getByRole('form', { name: 'Browse Logix controller' });
    await form.getByLabel('Address').fill('127.0.0.1');
    await form.getByLabel('Port').fill(String(sim.port));
    await form.getByRole('button', { name: 'Browse tags' }).click();
    const list = page.getByRole('list', { name: 'Browsed tags' });
    await list.waitFor();
    expect(await list.innerText()).toMatch(/Mixer_SpeedSP[\s\S]*Recipe\.Temp/);
    expect(await page.locator('.browse-result').innerText()).toMatch(/1 skipped/);
    await list.getByRole('checkbox', { name: /Mixer_Count/ }).uncheck();
    await page.getByLabel('Profile name').fill('Mixer');
    await page.getByRole('button', { name: 'Import 3 tags as a profile' }).click();
    // The import form closes once the profile is stored; opening the next form before then would be closed by it.
    await form.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Add controller…' }).click();
    const add = page.getByRole('form', { name: 'Add controller' });
    await add.getByLabel('Name').fill('PLC-MIXER');
    await add.getByLabel('Protocol').selectOption('logix');
    await add.getByLabel('Address').fill('127.0.0.1');
    await add.getByLabel('Port').fill(String(sim.port));
    expect(await add.getByLabel('CPU slot').inputValue()).toBe('0'); // a ControlLogix CPU in slot 0 is the default
    await add.getByLabel('Capture profile').selectOption({ label: 'Mixer (3 tags)' });
    await add.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('button', { name: 'Capture now' }).click();
    const table = page.getByTestId('capture-values');
    await table.waitFor();
    expect(await table.locator('tr[data-tag="Mixer_SpeedSP"] td.num').innerText()).toBe('1450.5');
    expect(await table.locator('tr[data-tag="Recipe_Temp"] td.num').innerText()).toBe('72.5');
    expect(await table.locator('tr[data-tag="Mixer_Count"]').count()).toBe(0);
    expect(await page.getByRole('definition').filter({ hasText: '1756-L83E/B' }).count()).toBe(1);
    await page.screenshot({ path: join('test-results', 'logix-browse.png') });
  });

  it('raised no uncaught error in the page', () => {
    expect(errors).toEqual([]);
  });
});
