/**
 * Issue #15, item 3 in Chromium: on the change screen an engineer ticks a checklist item with a note and a photo;
 * the shift supervisor signs GO over it; the item then shows who ticked it and when, the note and the attachment
 * (who attached it, when), and its checklist is closed to further ticks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator } from '../helpers/change-fixture.ts';

const [eng, , , , sky] = RACI;
const ITEM = 'Backup integrity verified (checksums)';

describe('Checklist runner in Chromium: tick with a note and a photo, sign the checkpoint, see who attached what and when', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
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
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 } }, errors);
    page = ui.page;
    await page.getByRole('button', { name: 'Changes' }).click();
    await page.getByRole('button', { name: /Filler jammed: raise speed setpoint/ }).click();
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it('ticks an item with a note and an attached photo, recording who and when', async () => {
    const panel = page.getByRole('region', { name: 'Checklists' });
    await expect.poll(() => panel.getByText('Rollback plan verification').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => panel.getByLabel('Ticked by').locator('option').count(), { timeout: 15_000 }).toBeGreaterThan(1);
    await panel.getByLabel('Ticked by').selectOption(eng.employeeId);
    const row = panel.locator(`[data-item="${ITEM}"]`);
    await row.getByRole('button', { name: 'Note or attach…' }).click();
    await row.getByLabel('Note').fill('Checksums match the backup server');
    await row.getByLabel(`Attach to ${ITEM}`).setInputFiles({
      name: 'checksum-screen.png',
      mimeType: 'image/png',
      buffer: Buffer.from('\x89PNG\r\n\x1a\n checksum screen', 'binary'),
    });
    await row.getByRole('button', { name: 'Tick with note and 1 file' }).click();
    await expect.poll(() => row.getByRole('checkbox', { name: ITEM }).isChecked(), { timeout: 15_000 }).toBe(true);
    await expect
      .poll(() => row.getByTestId('tick-by').innerText())
      .toMatch(/^Ticked by Erin Engineer \(E100\), \w{3} \d{1,2} \w{3} \d{4} \d{2}:\d{2} /);
    expect(await row.getByTestId('tick-note').innerText()).toBe('“Checksums match the backup server”');
    expect(await row.getByTestId('attachment').innerText()).toMatch(
      /^checksum-screen\.png \(\d+ B\) attached by Erin Engineer, \w{3} \d{1,2} \w{3} \d{4} \d{2}:\d{2} .* · [0-9a-f]{12}…$/,
    );
    // A plain tick from the box, without a note (the box shows the recorded state: it turns on once the tick is journalled).
    const other = panel.locator('[data-item="Rollback procedure documented"]');
    await other.getByRole('checkbox').click();
    await expect.poll(() => other.getByTestId('tick-by').count(), { timeout: 15_000 }).toBe(1);
  });

  it('the supervisor signs GO over the ticks: the attachment stays listed with who and when, and the checklist is closed', async () => {
    const form = page.getByRole('form', { name: 'Checkpoint: Pre-execution verification' });
    const boxes = form.getByRole('checkbox');
    for (let i = 0; i < (await boxes.count()); i++) await boxes.nth(i).check();
    await form.getByRole('radio', { name: 'GO', exact: true }).check();
    await form.getByLabel('Shift supervisor').selectOption(sky.employeeId);
    await form.getByLabel('Password', { exact: true }).fill(sky.password);
    await form.getByRole('button', { name: 'Sign checkpoint decision' }).click();
    await expect.poll(() => page.getByTestId('checkpoint-decision').count(), { timeout: 15_000 }).toBe(1);
    const panel = page.getByRole('region', { name: 'Checklists' });
    const template = panel.locator('details[data-template="rollback-plan"]');
    await expect
      .poll(() => template.locator('summary').innerText(), { timeout: 15_000 })
      .toMatch(/before Pre-execution verification · 2 of 19 ticked · closed by GO \(Sky Supervisor, /);
    await template.locator('summary').click();
    const row = panel.locator(`[data-item="${ITEM}"]`);
    expect(await row.getByRole('checkbox', { name: ITEM }).isDisabled()).toBe(true);
    expect(await row.getByTestId('attachment').innerText()).toMatch(/^checksum-screen\.png .* attached by Erin Engineer, /);
    expect(await page.getByRole('region', { name: 'Timeline' }).innerText()).toContain(
      `ticked "${ITEM}" (Rollback plan verification) with a note, attached checksum-screen.png`,
    );
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'checklist-runner.png') });
    expect(errors).toEqual([]);
  });

  it('the Plant screen shows the templates in force and offers a signed adoption', async () => {
    await page.getByRole('button', { name: 'Plant' }).click();
    const panel = page.getByRole('region', { name: 'Checklist templates' });
    await expect
      .poll(() => panel.getByTestId('checklists-in-force').innerText(), { timeout: 15_000 })
      .toMatch(/^Execution checklists \(the change guide\), revision 1 · the templates shipped with Baseline · [0-9a-f]{16}…$/);
    expect(await panel.getByRole('listitem').allInnerTexts()).toEqual([
      'Rollback plan verification: 19 items before the pre-execution checkpoint',
      'Post-change functional tests: 11 items before the post-change checkpoint',
      'Safety system (SIS) verification: 9 items before the post-change checkpoint, safety-critical changes only',
      'Performance validation: 8 items before the post-change checkpoint',
    ]);
    expect(
      await panel.getByRole('form', { name: 'Adopt checklist templates' }).getByRole('button', { name: 'Sign and adopt' }).isDisabled(),
    ).toBe(true);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'checklist-templates.png') });
  });
});
