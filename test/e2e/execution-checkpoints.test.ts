import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator } from '../helpers/change-fixture.ts';
import { signCaptureAndRecord } from '../helpers/e2e-change-walk.ts';
import { signatureCovers } from '../../src-shared/common/workflow/signed-action-words.ts';

const [eng, pem, , , sky] = RACI;

describe('Execution in Chromium: the shift supervisor signs the go/no-go checkpoints at the laptop, then the change closes', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];

  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const controllerId = setUpPlant(app, line1.sim.port);
      // An emergency change started under break-glass (in execution at once, whatever the clock says), with its before-snapshot.
      await emergencyFillerChange(app, controllerId);
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1500, height: 1200 } }, errors);
    page = ui.page;
    await page.getByRole('button', { name: 'Changes' }).click();
    await page.getByRole('button', { name: /Filler jammed: raise speed setpoint/ }).click();
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  /** Fills the checkpoint's form and signs; resolves when the decision is recorded (or refused, with the form's alert). */
  async function signCheckpoint(
    name: string,
    decision: string,
    employeeId: string,
    password: string,
    items: 'all' | 'none' | number,
    comment = '',
  ) {
    const decided = await page.getByTestId('checkpoint-decision').count();
    const form = page.getByRole('form', { name: `Checkpoint: ${name}` });
    const boxes = form.getByRole('checkbox');
    const count = await boxes.count();
    const n = items === 'all' ? count : items === 'none' ? 0 : items;
    for (let i = 0; i < count; i++) await boxes.nth(i).setChecked(i < n);
    await form.getByRole('radio', { name: decision, exact: true }).check();
    if (comment) await form.getByLabel('Comment').fill(comment);
    await form.getByLabel('Shift supervisor').selectOption(employeeId);
    await form.getByLabel('Password', { exact: true }).fill(password);
    await form.getByRole('button', { name: 'Sign checkpoint decision' }).click();
    // The detail reloads after a decision: wait for it, so the next form is filled in its final rendering.
    await expect
      .poll(async () => (await page.getByTestId('checkpoint-decision').count()) > decided || (await form.getByRole('alert').count()) > 0)
      .toBe(true);
    return form;
  }

  it('the engineer doing the work is not offered as a signer; a GO with an unconfirmed item is refused by name', async () => {
    // Offered: the shift supervisors, never the person who filed or carries out the change.
    // (The list fills once the people are loaded: polled, not read once.)
    const signers = page
      .getByRole('form', { name: 'Checkpoint: Pre-execution verification' })
      .getByLabel('Shift supervisor')
      .locator('option');
    await expect.poll(() => signers.allInnerTexts(), { timeout: 15_000 }).toEqual(['choose…', 'Sky Supervisor (SV500)']);
    const form = await signCheckpoint('Pre-execution verification', 'GO', sky.employeeId, sky.password, 'none');
    await expect
      .poll(() => form.getByRole('alert').innerText())
      .toMatch(
        /Checklist incomplete: GO at Pre-execution verification needs every item confirmed; not confirmed: Backup completed and verified/,
      );
    // What the signature covers, as the signed-actions table words it.
    expect(await form.getByTestId('signature-covers').innerText()).toBe(`Your signature covers ${signatureCovers('checkpoint')}`);
    expect(await form.getByTestId('signature-covers').innerText()).toMatch(
      /checklist ticks, notes and attached files, and every snapshot, diff/,
    );
    await form.screenshot({ path: join('test-results', 'execution-checkpoint-form.png') });
  });

  it('GO, CONTINUE, CUTOVER; the after-snapshot matches the proposed diff; CLOSE; the change is then closed by the engineer', async () => {
    await signCheckpoint('Pre-execution verification', 'GO', sky.employeeId, sky.password, 'all');
    await page.getByRole('form', { name: 'Checkpoint: Mid-change assessment' }).waitFor();
    await signCheckpoint('Mid-change assessment', 'CONTINUE', sky.employeeId, sky.password, 'all');
    await signCheckpoint('Pre-cutover verification', 'CUTOVER', sky.employeeId, sky.password, 'all');
    // CLOSE needs the after-snapshot: the engineer records the signed capture taken after the download.
    let form = await signCheckpoint('Post-change validation', 'CLOSE', sky.employeeId, sky.password, 'all');
    await expect
      .poll(() => form.getByRole('alert').innerText())
      .toMatch(
        /Snapshots missing: CLOSE at Post-change validation needs a signed after-snapshot of every target controller; missing: PLC-L01-FILLER/,
      );
    // The download (on the simulator), then the engineer captures the controller and signs the capture on the Controllers screen.
    line1.set({ Line1_SpeedSP: 14 });
    await page.getByRole('button', { name: 'Controllers' }).click();
    await page.getByRole('button', { name: /PLC-L01-FILLER/ }).click();
    await page.getByRole('button', { name: 'Capture now' }).click();
    await expect.poll(() => page.getByTestId('capture-values').locator('tr[data-tag="Line1_SpeedSP"] td.num').innerText()).toBe('14');
    await signCaptureAndRecord(page, { changeTitle: /Filler jammed: raise speed setpoint/, phase: 'after', signer: eng });
    await expect
      .poll(() => page.getByTestId('verification').innerText())
      .toMatch(/matches the proposed diff\s+1 proposed change made · 1 configuration difference/);
    // The change's own capture panel counts the snapshot recorded through the form, not "not captured yet".
    await expect
      .poll(() => page.getByRole('region', { name: 'Captures of the change' }).locator('tr[data-controller="PLC-L01-FILLER"]').innerText())
      .toMatch(/recorded .* the after-snapshot, recorded by Erin Engineer from a signed snapshot/);
    await signCheckpoint(
      'Post-change validation',
      'EXTENDED MONITORING',
      sky.employeeId,
      sky.password,
      'none',
      'Watch torque for one shift',
    );
    await expect.poll(() => page.getByTestId('checkpoint-decision').count()).toBe(4);
    await signCheckpoint('Post-change validation', 'CLOSE', sky.employeeId, sky.password, 'all');
    await expect.poll(() => page.getByText('All checkpoints passed: the change can be closed.').count()).toBe(1);
    expect(await page.getByTestId('checkpoint-decision').allInnerTexts()).toEqual([
      expect.stringMatching(/^GO Sky Supervisor \(Shift supervisor\), .* 5 of 5 items confirmed$/),
      expect.stringMatching(/^CONTINUE /),
      expect.stringMatching(/^CUTOVER /),
      expect.stringMatching(/^EXTENDED MONITORING .* 0 of 4 items confirmed · Watch torque for one shift$/),
      expect.stringMatching(/^CLOSE /),
    ]);
    await page.screenshot({ path: join('test-results', 'execution-checkpoints.png'), fullPage: true });
    form = page.getByRole('form', { name: 'Sign a decision' });
    await form.getByLabel('Decision').selectOption({ label: 'Close' });
    await form.getByLabel('Signer').selectOption(eng.employeeId);
    await form.getByLabel('Password').fill(eng.password);
    await form.getByRole('button', { name: 'Sign' }).click();
    await expect.poll(() => page.getByTestId('change-status').innerText()).toBe('closed');
    expect(await page.getByRole('region', { name: 'Timeline' }).innerText()).toMatch(
      /Sky Supervisor CLOSE at Post-change validation \(4 of 4 items confirmed\) \(e-signed\)/,
    );
    // The after-snapshot becomes the new baseline, approved by the plant engineering manager.
    const approve = page.getByRole('form', { name: 'Approve the new baseline' });
    await approve.getByLabel('Approved by').selectOption(pem.employeeId);
    await approve.getByLabel('Password', { exact: true }).fill(pem.password);
    await approve.getByRole('button', { name: 'Sign: approve as the new baseline' }).click();
    await expect.poll(() => page.getByTestId('baseline-state').innerText()).toMatch(/v1\s*the after-snapshot/);
    expect(await page.getByRole('form', { name: 'Approve the new baseline' }).count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
