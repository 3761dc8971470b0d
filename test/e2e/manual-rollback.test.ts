/**
 * Issue #15 in Chromium: (item 6) a rolled-back change's logic rolled back by hand: the guided procedure signed on the
 * change screen, the controller captured again from there, the proof shown with the difference left, explained and
 * countersigned; (item 2) a live value's declared tolerance and why it is outside, in the diff viewer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { MANUAL_ROLLBACK_STEPS } from '../../src-shared/common/workflow/rollback-guidance.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator, signGo, signRollback } from '../helpers/change-fixture.ts';
import { signatureCovers } from '../../src-shared/common/workflow/signed-action-words.ts';
import { SIGNED_ACTIONS, actionFieldLabels } from '../../src-shared/common/workflow/signed-actions.ts';

/** The countersigning supervisor's label, from the signed-actions table. */
const COUNTERSIGNER = SIGNED_ACTIONS.explain.cosigners[0]!.label;

const [eng, , , , sky] = RACI;

describe('Manual rollback in Chromium: procedure, re-capture from the change screen, proof; live tolerances in the diff viewer', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const controllerId = setUpPlant(app, line1.sim.port, 'test/fixtures/profiles-capture/modbus-line1-tolerance.csv');
      const id = await emergencyFillerChange(app, controllerId);
      signGo(app, id);
      line1.set({ Line1_SpeedSP: 14, Line1_Recipe: 9, Line1_Flow: 4 });
      signRollback(app, id, 'New logic faults the filler on restart');
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 } }, errors);
    page = ui.page;
    await page.getByRole('button', { name: 'Changes' }).click();
    await page.getByRole('button', { name: /Filler jammed: raise speed setpoint/ }).click();
  }, 90_000);
  afterAll(async () => {
    await ui?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it('signs the procedure, re-captures from the change screen, shows the proof, and takes the countersigned explanation', async () => {
    const panel = page.getByRole('region', { name: 'Manual rollback' });
    const form = panel.getByRole('form', { name: 'Manual rollback procedure' });
    // What the signature covers and the field labels, as the signed-actions table words them.
    expect(await form.getByTestId('signature-covers').innerText()).toBe(`Your signature covers ${signatureCovers('manual-rollback')}`);
    expect(await form.getByTestId('signature-covers').innerText()).toMatch(/What was written back, Backup or vendor file, Steps confirmed/);
    await form.getByLabel(actionFieldLabels('manual-rollback').reference!).fill('filler-before.L5X (backup share, checksum matched)');
    for (const step of MANUAL_ROLLBACK_STEPS) await form.getByLabel(step).check();
    await form.getByLabel('Rolled back by (engineer)').selectOption(eng.employeeId);
    await form.getByLabel('Password', { exact: true }).fill(eng.password);
    await form.getByRole('button', { name: 'Sign the manual rollback' }).click();
    const proof = panel.getByTestId('rollback-proof');
    await expect
      .poll(() => proof.innerText())
      .toBe('Not proven yet: PLC-L01-FILLER has not been captured again since the procedure was signed.');

    // The vendor tool put the logic back; the recipe stayed at 9 (and the flow moves on its own).
    line1.set({ Line1_Recipe: 9, Line1_Flow: 3.5 });
    await panel.getByRole('button', { name: 'Capture PLC-L01-FILLER again (proof)' }).click();
    const sign = panel.getByRole('form', { name: 'Sign the re-capture' });
    await sign.waitFor({ timeout: 30_000 });
    await sign.getByLabel('Captured and recorded by').selectOption(eng.employeeId);
    await sign.getByLabel('Password', { exact: true }).fill(eng.password);
    await sign.getByRole('button', { name: 'Sign and compare with the before-snapshot' }).click();
    await expect.poll(() => proof.getAttribute('data-status')).toBe('differences');
    expect(await proof.innerText()).toMatch(/still differs from the before-snapshot in 1 value\(s\)/);
    expect(await panel.getByRole('list', { name: 'Differences of the re-capture of PLC-L01-FILLER' }).innerText()).toBe(
      'Line1_Recipe: Changed from 7 to 9.',
    );

    const explain = panel.getByRole('form', { name: 'Explain the re-capture of PLC-L01-FILLER' });
    await explain
      .getByLabel('Explanation of Line1_Recipe')
      .fill('Recipe 9 was selected by the operator for the next order; kept on purpose (shift log 14).');
    await explain.getByLabel('Explained by (engineer)').selectOption(eng.employeeId);
    await explain.getByLabel('Password', { exact: true }).fill(eng.password);
    expect(await explain.getByLabel(COUNTERSIGNER).locator('option').allInnerTexts()).toEqual([
      'choose…',
      `${sky.name} (${sky.employeeId})`,
    ]);
    await explain.getByLabel(COUNTERSIGNER).selectOption(sky.employeeId);
    await explain.getByLabel(actionFieldLabels('explain').supervisorPassword!).fill(sky.password);
    await explain.getByRole('button', { name: 'Sign the explanations' }).click();
    await expect.poll(() => proof.getAttribute('data-status')).toBe('proven');
    expect(await proof.innerText()).toMatch(
      /its differences are explained and countersigned: the rollback is done\.[\s\S]*Explained: Recipe 9 was selected .* \(by Erin Engineer, countersigned by Sky Supervisor\)/,
    );
    await expect.poll(() => page.getByTestId('change-outcome').innerText()).toBe('rolled back and restored');
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'manual-rollback-proof.png') });
    await panel.screenshot({ path: join('test-results', 'manual-rollback-panel.png') });
    expect(errors).toEqual([]);
  }, 120_000);

  it("the diff viewer shows the live flow's declared tolerance and the verdict with its reason", async () => {
    await page.getByRole('button', { name: 'Controllers' }).click();
    await page
      .getByRole('button', { name: /PLC-L01-FILLER/ })
      .first()
      .click();
    // The latest capture (the re-capture: flow 3.5) against the before-capture (flow 3.25): within ±0.5.
    const compare = page.getByLabel('Compare with');
    await compare.waitFor();
    const options = await compare.locator('option').all();
    await compare.selectOption({ index: options.length - 1 });
    const flow = page.locator('[data-testid=diff-row][data-tag="Line1_Flow"]');
    await flow.waitFor();
    const badge = flow.locator('[data-tolerance]');
    expect(await badge.innerText()).toBe('live ±0.5 · within');
    expect(await badge.getAttribute('title')).toBe('Live value moved from 3.25 to 3.5 (by 0.25), within its declared tolerance ±0.5.');
    await flow.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'diff-live-tolerance.png') });
    expect(errors).toEqual([]);
  }, 60_000);
});
