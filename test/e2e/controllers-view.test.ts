import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { importProfileCsv } from '../../src-shared/common/profile/profile-csv.ts';
import type { ModbusProfile } from '../../src-shared/common/profile/capture-profile.ts';
import { setModbusWords, startModbusSimulator, type ModbusSimulator } from '../../src-main/devices/simulator/modbus-simulator.ts';
import { encodeModbusRegisters } from '../../src-main/devices/modbus/modbus-codec.ts';
import { modbusImageFromProfile } from '../../src-main/devices/simulator/modbus-profile-image.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/profiles-capture/${name}`, import.meta.url));

describe('Controllers view in Chromium: import a profile, add a controller, capture it', () => {
  const t = tempHome();
  let ui: AppPage;
  let sim: ModbusSimulator;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const profile = importProfileCsv(readFileSync(fixture('modbus-line1.csv')), 'modbus') as ModbusProfile;
    const values = JSON.parse(readFileSync(fixture('modbus-line1-values.json'), 'utf8')) as Record<string, unknown>;
    sim = await startModbusSimulator({
      image: modbusImageFromProfile(profile, values),
      unitId: 1,
      identity: { vendorName: 'Baseline', productCode: 'SIM-MODBUS', revision: '1.0' },
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

  async function addController(name: string, port: number): Promise<void> {
    await page.getByRole('button', { name: 'Add controller…' }).click();
    const form = page.getByRole('form', { name: 'Add controller' });
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Address').fill('127.0.0.1');
    await form.getByLabel('Port').fill(String(port));
    await form.getByLabel('Capture profile').selectOption({ label: 'Line 1 (9 tags)' });
    await form.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('region', { name: `Controller ${name}` }).waitFor();
  }

  it('shows every problem of a bad profile file by line and column, and imports nothing', async () => {
    await page.getByRole('button', { name: 'Import profile…' }).click();
    const form = page.getByRole('form', { name: 'Import capture profile' });
    await form
      .locator('input[type=file]')
      .setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('tag,address,type\nA,hr:x,UINT16\nB,hr:1,DOUBLE\n') });
    await form.getByRole('button', { name: 'Import' }).click();
    const list = page.getByRole('list', { name: 'Problems in the profile file' });
    await list.waitFor();
    const text = await list.innerText();
    expect(text).toMatch(/line 2, address/);
    expect(text).toMatch(/line 3, type/);
    await form.getByRole('button', { name: 'Cancel' }).click();
  });

  it('imports the profile, adds the controller and captures it with progress; values match the simulator', async () => {
    await page.getByRole('button', { name: 'Import profile…' }).click();
    const form = page.getByRole('form', { name: 'Import capture profile' });
    await form.locator('input[type=file]').setInputFiles(fixture('modbus-line1.csv'));
    await form.getByLabel('Name').fill('Line 1');
    await form.getByRole('button', { name: 'Import' }).click();
    await form.waitFor({ state: 'detached' });

    await addController('PLC-L1', sim.port);
    await page.getByRole('button', { name: 'Capture now' }).click();
    const table = page.getByTestId('capture-values');
    await table.waitFor();
    const cell = (tag: string) => table.locator(`tr[data-tag="${tag}"] td.num`).innerText();
    expect(await cell('Line1_SpeedSP')).toBe('12.5');
    expect(await cell('Line1_MaxTemp')).toBe('-40');
    expect(await cell('Line1_Count')).toBe('4000000000');
    expect(await cell('Line1_Enable')).toBe('true');
    expect(await page.getByRole('definition').filter({ hasText: 'SIM-MODBUS' }).count()).toBe(1);
    expect(await page.getByTestId('capture-incomplete').count()).toBe(0);
    await page.screenshot({ path: join('test-results', 'controllers-view.png') });
  });

  it('a controller that does not answer gives an incomplete capture, marked as never usable as evidence', async () => {
    await addController('PLC-OFFLINE', 1);
    await page.getByRole('button', { name: 'Capture now' }).click();
    const banner = page.getByTestId('capture-incomplete');
    await banner.waitFor();
    expect(await banner.innerText()).toMatch(/Incomplete capture: 9 of 9 tags[\s\S]*never be used as evidence[\s\S]*connection refused/);
    await page.screenshot({ path: join('test-results', 'controllers-view-incomplete.png') });
    expect(errors).toEqual([]);
  });

  it('a supervisor signs the capture as evidence: wrong password refused and recorded, right password signs', async () => {
    await page.getByRole('button', { name: 'People' }).click();
    const ca = page.getByRole('form', { name: 'Create plant CA' });
    await ca.getByLabel('CA name').fill('Plant 7 CA');
    await ca.getByLabel('CA password').fill('plant-ca-secret-1');
    await ca.getByRole('button', { name: 'Create CA' }).click();
    const enrol = page.getByRole('form', { name: 'Enrol person' });
    await enrol.waitFor();
    await enrol.getByLabel('Full name').fill('Ana Ruiz');
    await enrol.getByLabel('Employee id').fill('E1042');
    await enrol.getByRole('checkbox', { name: 'Controls engineer', exact: true }).check();
    await enrol.getByLabel('Their password').fill('torque-wrench-42');
    await enrol.getByLabel('Repeat it').fill('torque-wrench-42');
    await enrol.getByLabel('CA password').fill('plant-ca-secret-1');
    await enrol.getByRole('button', { name: 'Enrol' }).click();
    await page.locator('tr[data-employee="E1042"]').waitFor();
    expect(await page.getByTestId('trusted-cas').innerText()).toMatch(/Plant 7 CA/);

    await page.getByRole('button', { name: 'Controllers' }).click();
    await page.getByRole('button', { name: /PLC-L1/ }).click();
    await page.getByRole('button', { name: 'Sign as evidence…' }).click();
    const dialog = page.getByRole('form', { name: 'Sign capture' });
    expect(await dialog.locator('.statement').innerText()).toMatch(/Ana Ruiz states that this snapshot was captured by them/);
    await dialog.getByLabel('Password').fill('not-my-password');
    await dialog.getByRole('button', { name: 'Sign' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await dialog.getByRole('alert').innerText()).toMatch(/password for Ana Ruiz is wrong \(1 of 3 attempts\)/);
    await dialog.getByLabel('Password').fill('torque-wrench-42');
    await dialog.getByRole('button', { name: 'Sign' }).click();
    await page.getByTestId('signed-snapshots').waitFor();
    expect(await page.getByTestId('signed-snapshots').innerText()).toMatch(/captured by Ana Ruiz/);
    await page.screenshot({ path: join('test-results', 'controllers-view-signed.png') });

    await page.getByRole('button', { name: 'Audit trail' }).click();
    await page.locator('[data-testid=event-row][data-type="snapshot.captured"]').waitFor();
    expect(await page.locator('[data-testid=event-row][data-type="person.signing-failed"]').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('an approver makes the signed snapshot the baseline; a tweaked setpoint is drift, recorded and closed with a signed explanation', async () => {
    await page.getByRole('button', { name: 'People' }).click();
    // With people enrolled, enrolment is one button until it is needed.
    await page.getByRole('button', { name: 'Enrol a person…' }).click();
    const enrol = page.getByRole('form', { name: 'Enrol person' });
    await enrol.getByLabel('Full name').fill('Raj Patel');
    await enrol.getByLabel('Employee id').fill('A1');
    await enrol.getByRole('checkbox', { name: 'Plant engineering manager', exact: true }).check();
    await enrol.getByLabel('Their password').fill('approver-pass-1');
    await enrol.getByLabel('Repeat it').fill('approver-pass-1');
    await enrol.getByLabel('CA password').fill('plant-ca-secret-1');
    await enrol.getByRole('button', { name: 'Enrol' }).click();
    await page.locator('tr[data-employee="A1"]').waitFor();

    await page.getByRole('button', { name: 'Controllers' }).click();
    await page.getByRole('button', { name: /PLC-L1/ }).click();
    await page.getByRole('button', { name: 'Approve latest signed snapshot as baseline…' }).click();
    const approve = page.getByRole('form', { name: 'Approve baseline' });
    await approve.getByLabel('Signer').selectOption('A1');
    await approve.getByLabel('Password').fill('approver-pass-1');
    await approve.getByRole('button', { name: 'Sign and approve' }).click();
    await expect.poll(() => page.getByTestId('baseline-state').innerText()).toMatch(/Baseline v1, approved by Raj Patel/);

    sim.image.hr[20] = 9; // Line1_Recipe 7 -> 9 behind everyone's back
    await page.getByRole('button', { name: 'Check drift now' }).click();
    await expect.poll(() => page.getByTestId('drift-result').innerText(), { timeout: 15_000 }).toMatch(/Drift: 1 configuration difference/);
    const record = page.getByTestId('unauthorized-change');
    await record.waitFor();
    expect(await record.innerText()).toMatch(/Line1_Recipe 7 → 9/);
    await expect.poll(() => page.locator('tr[data-tag="Line1_Recipe"] td.num').innerText()).toBe('9');
    await page.screenshot({ path: join('test-results', 'controllers-view-drift.png') });
    await record.getByRole('button', { name: 'Close with a signed explanation…' }).click();
    const close = page.getByRole('form', { name: 'Close unauthorized change' });
    await close.getByLabel(/Explanation/).fill('Night shift changed the recipe while troubleshooting; MOC-2291 filed.');
    await close.getByLabel('Signer').selectOption('A1');
    await close.getByLabel('Password').fill('approver-pass-1');
    await close.getByRole('button', { name: 'Sign and close' }).click();
    await record.waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  });

  it('edits the profile (flags) and saves it as a new version; the next capture carries the new flags', async () => {
    await page.getByRole('button', { name: /PLC-L1/ }).click();
    await page.getByRole('button', { name: 'Edit profile…' }).click();
    const editor = page.getByRole('region', { name: 'Profile editor' });
    await editor.getByRole('checkbox', { name: 'Safety of Line1_Recipe' }).check();
    await editor.getByRole('button', { name: 'Remove Line1_Flow' }).click();
    await editor.getByRole('button', { name: 'Save as new version' }).click();
    await editor.waitFor({ state: 'detached' });
    await expect
      .poll(() => page.getByRole('region', { name: 'Controller PLC-L1' }).locator('p.muted').first().innerText())
      .toMatch(/profile Line 1 \(edited [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d [A-Z][A-Za-z0-9+-]*\) \(8 tags\)/);
    await page.getByRole('button', { name: 'Capture now' }).click();
    await expect.poll(() => page.locator('tr[data-tag="Line1_Recipe"] .badge-warn').count()).toBe(1);
    expect(await page.locator('tr[data-tag="Line1_Flow"]').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("declares a live tag's tolerance in the editor: a wrong one is refused naming the tag, a right one is saved and captured", async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.getByRole('button', { name: 'Edit profile…' }).click();
    const editor = page.getByRole('region', { name: 'Profile editor' });
    // A config tag takes no tolerance: no fields, a dash.
    expect(await editor.getByLabel('Tolerance of Line1_SpeedSP', { exact: true }).count()).toBe(0);
    expect(await editor.locator('tr[data-profile-tag="Line1_MaxTemp"] td.tolerance-cell').innerText()).toBe('—');
    // The parts counter is a live value: a tolerance that is not a number is refused with the tag and what to do.
    await editor.getByLabel('Tolerance in percent of Line1_Count', { exact: true }).fill('lots');
    await editor.getByRole('button', { name: 'Save as new version' }).click();
    const problems = editor.getByRole('alert', { name: 'Tolerance problems' });
    await problems.waitFor();
    expect(await problems.innerText()).toMatch(
      /The tolerance "lots" of Line1_Count is not a number; give it as a plain number of percent, e\.g\. 2\./,
    );
    expect(await problems.innerText()).toMatch(/What to do: correct or clear each tolerance named.*Nothing was saved\./);
    expect(await editor.getByLabel('Tolerance in percent of Line1_Count', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await editor.isVisible()).toBe(true);
    await problems.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'profile-editor-tolerance-refused.png') });
    // Set right: ±100 parts, or 2 % of the count before.
    await editor.getByLabel('Tolerance of Line1_Count', { exact: true }).fill('100');
    await editor.getByLabel('Tolerance in percent of Line1_Count', { exact: true }).fill('2%');
    await expect.poll(() => problems.count()).toBe(0);
    await editor.locator('tr[data-profile-tag="Line1_Count"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'profile-editor-tolerance.png') });
    await editor.getByRole('button', { name: 'Save as new version' }).click();
    await editor.waitFor({ state: 'detached' });
    await page.setViewportSize({ width: 1400, height: 900 });
    // The saved version carries it: the editor of the new version shows it, and the next capture signs it with the value.
    await page.getByRole('button', { name: 'Edit profile…' }).click();
    expect(await editor.getByLabel('Tolerance of Line1_Count', { exact: true }).inputValue()).toBe('100');
    expect(await editor.getByLabel('Tolerance in percent of Line1_Count', { exact: true }).inputValue()).toBe('2');
    expect(await editor.getByLabel('Tolerance of Line1_Recipe', { exact: true }).count()).toBe(0);
    await editor.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Capture now' }).click();
    const count = page.locator('tr[data-tag="Line1_Count"]');
    await expect.poll(() => count.getByTestId('value-tolerance').count()).toBe(1);
    expect(await count.getByTestId('value-tolerance').innerText()).toBe('±100 or ±2 %');
    // The counter moves by 50 parts on its own; the next capture compared with this one shows it within its tolerance.
    setModbusWords(sim.image, 'hr', 10, encodeModbusRegisters('UINT32', 4_000_000_050, { wordOrder: 'high-first' }));
    await expect.poll(() => page.getByRole('button', { name: 'Capture now' }).isEnabled()).toBe(true);
    await page.getByRole('button', { name: 'Capture now' }).click();
    await expect.poll(() => page.locator('tr[data-tag="Line1_Count"] td.num').innerText()).toBe('4000000050');
    await page.getByRole('combobox', { name: 'Compare with' }).selectOption({ index: 1 });
    const row = page.locator('[data-tag="Line1_Count"]').filter({ has: page.locator('[data-tolerance]') });
    await row.waitFor();
    expect(await row.locator('[data-tolerance]').getAttribute('data-tolerance')).toBe('within');
    expect(await row.locator('[data-tolerance]').getAttribute('title')).toMatch(
      /moved from 4000000000 to 4000000050 \(by 50\), within its declared tolerance/,
    );
    expect(errors).toEqual([]);
  });
});
