import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { startLine1Simulator } from '../helpers/change-fixture.ts';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

describe('"Set up my plant" in Chromium: the first-run checklist ticks each step as it is done on its screen', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 } }, errors);
    page = ui.page;
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  /** The checklist as the first screen shows it: which steps are ticked. */
  async function ticked(): Promise<string[]> {
    await page.getByRole('button', { name: 'Get started', exact: true }).click();
    await page.getByRole('region', { name: 'Set up my plant' }).waitFor();
    await expect.poll(() => page.getByTestId('setup-step').count()).toBe(6);
    const steps = await page.getByTestId('setup-step').all();
    const out: string[] = [];
    for (const s of steps) if ((await s.getAttribute('data-done')) === 'yes') out.push((await s.getByRole('button').innerText()).trim());
    return out;
  }

  /** Waits until the checklist shows exactly `expected` ticked (it re-reads the data directory each time it opens). */
  async function expectTicked(expected: string[]): Promise<void> {
    await expect.poll(ticked, { timeout: 15_000 }).toEqual(expected);
  }

  it('starts with nothing ticked; each step links to its screen', async () => {
    await page.getByRole('heading', { name: 'Welcome to Baseline' }).waitFor();
    await expectTicked([]);
    await page.getByRole('button', { name: 'Import the plant', exact: true }).click();
    await page.getByRole('form', { name: 'Import the plant model' }).waitFor();
  });

  it('ticks the CA, the administrator, the plant, the roster, the controller and its capture, in turn', async () => {
    await page.getByRole('button', { name: 'Get started', exact: true }).click();
    await page.getByRole('button', { name: 'Create or import the plant CA', exact: true }).click();
    const ca = page.getByRole('form', { name: 'Create plant CA' });
    await ca.getByLabel('CA name').fill('Midwest plant CA');
    await ca.getByLabel('CA password').fill('plant-ca-secret-1');
    await ca.getByRole('button', { name: 'Create CA' }).click();
    await page.getByRole('form', { name: 'Enrol person' }).waitFor();
    await expectTicked(['Create or import the plant CA']);

    await page.getByRole('button', { name: 'Enrol yourself as the first administrator', exact: true }).click();
    const enrol = page.getByRole('form', { name: 'Enrol person' });
    await enrol.getByLabel('Full name').fill('Pat Manager');
    await enrol.getByLabel('Employee id').fill('M200');
    await enrol.getByRole('checkbox', { name: 'Plant engineering manager' }).check();
    await enrol.getByLabel('Their password').fill('pat-password-1');
    await enrol.getByLabel('Repeat it').fill('pat-password-1');
    await enrol.getByLabel('CA password').fill('plant-ca-secret-1');
    await enrol.getByRole('button', { name: 'Enrol' }).click();
    await page.locator('tr[data-employee="M200"]').waitFor();
    await expectTicked(['Create or import the plant CA', 'Enrol yourself as the first administrator']);

    await page.getByRole('button', { name: 'Import the plant', exact: true }).click();
    const plant = page.getByRole('form', { name: 'Import the plant model' });
    await plant.getByLabel('Plant file (YAML or lines CSV)').setInputFiles(root('resources/plant/demo-plant.yaml'));
    await plant.getByLabel('Signed by').selectOption('M200');
    await plant.getByLabel('Password', { exact: true }).fill('pat-password-1');
    await plant.getByRole('button', { name: 'Sign and import' }).click();
    await expect.poll(() => plant.getByRole('status').innerText(), { timeout: 15_000 }).toBe('Imported demo-plant.yaml.');
    await expectTicked(['Create or import the plant CA', 'Enrol yourself as the first administrator', 'Import the plant']);

    await page.getByRole('button', { name: 'Import the people roster', exact: true }).click();
    const roster = page.getByRole('form', { name: 'Import the people roster' });
    await roster.getByLabel('Roster CSV').setInputFiles(root('test/fixtures/roster/packaging-roster.csv'));
    await roster.getByLabel('Signed by').selectOption('M200');
    await roster.getByLabel('Password', { exact: true }).fill('pat-password-1');
    await roster.getByRole('button', { name: 'Sign and import' }).click();
    await expect.poll(() => roster.getByRole('status').innerText(), { timeout: 15_000 }).toMatch(/^Imported packaging-roster\.csv/);
    await expectTicked([
      'Create or import the plant CA',
      'Enrol yourself as the first administrator',
      'Import the plant',
      'Import the people roster',
    ]);

    await page.getByRole('button', { name: 'Add the first controller', exact: true }).click();
    await page.getByRole('button', { name: 'Import profile…', exact: true }).click();
    const profile = page.getByRole('form', { name: 'Import capture profile' });
    await profile.locator('input[type=file]').setInputFiles(root('test/fixtures/profiles-capture/modbus-line1.csv'));
    await profile.getByLabel('Name').fill('Line 1');
    await profile.getByRole('button', { name: 'Import' }).click();
    // The import form closes when the import is done; opening the next form before that races its close.
    await profile.waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByRole('button', { name: 'Add controller…', exact: true }).click();
    const add = page.getByRole('form', { name: 'Add controller' });
    await add.getByLabel('Name').fill('PLC-L01-FILLER');
    await add.getByLabel('Address').fill('127.0.0.1');
    await add.getByLabel('Port').fill(String(line1.sim.port));
    await add.getByLabel('Capture profile').selectOption({ label: 'Line 1 (9 tags)' });
    await add.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('region', { name: 'Controller PLC-L01-FILLER' }).waitFor();
    await expectTicked([
      'Create or import the plant CA',
      'Enrol yourself as the first administrator',
      'Import the plant',
      'Import the people roster',
      'Add the first controller',
    ]);
    expect(await page.getByRole('button', { name: 'Explore the demo plant', exact: true }).count()).toBe(0); // no longer an empty data directory

    await page.getByRole('button', { name: 'Capture it', exact: true }).click();
    await page.getByRole('button', { name: /PLC-L01-FILLER/ }).click();
    await page.getByRole('button', { name: 'Capture now', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('capture-values').locator('tr[data-tag="Line1_SpeedSP"] td.num').innerText(), { timeout: 20_000 })
      .toBe('12.5');
    await expectTicked([
      'Create or import the plant CA',
      'Enrol yourself as the first administrator',
      'Import the plant',
      'Import the people roster',
      'Add the first controller',
      'Capture it',
    ]);
    expect(await page.getByRole('region', { name: 'Set up my plant' }).getByRole('status').innerText()).toMatch(/Your plant is set up/);
    expect(errors).toEqual([]);
  }, 240_000);
});
