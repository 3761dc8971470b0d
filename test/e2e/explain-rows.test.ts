/**
 * Issue #15, item 2 on screen: an after-diff row nobody proposed (the recipe) blocks CLOSE, named in the refusal; the
 * engineer explains it and a shift supervisor countersigns on the change detail; then CLOSE is signed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, captureAndSign, emergencyFillerChange, setUpPlant, startLine1Simulator } from '../helpers/change-fixture.ts';
import { SIGNED_ACTIONS, actionFieldLabels } from '../../src-shared/common/workflow/signed-actions.ts';

const [eng, , , , sky] = RACI;

describe('Unexplained after-diff rows in Chromium: refused CLOSE, explanation countersigned, CLOSE', () => {
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
      const changeId = await emergencyFillerChange(app, controllerId);
      const items = (id: string) => app.policy.checkpoints().checkpoints.find((c) => c.id === id)!.items;
      const cp = (id: string, decision: string) =>
        app.changes.act(
          changeId,
          sky.employeeId,
          sky.password,
          { type: 'checkpoint', role: 'shift-supervisor', checkpoint: id, decision, confirmed: items(id) },
          app.actor(),
        );
      cp('pre-execution', 'go');
      line1.set({ Line1_SpeedSP: 14, Line1_Recipe: 9 });
      cp('mid-change', 'continue');
      cp('pre-cutover', 'cutover');
      app.changes.act(
        changeId,
        eng.employeeId,
        eng.password,
        { type: 'record-snapshot', phase: 'after', controllerId, snapshotSha256: await captureAndSign(app, controllerId, eng) },
        app.actor(),
      );
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

  /** Confirms every item of the post-change checklist (again, until all hold after the detail's reloads), decides CLOSE and signs. */
  async function signClose() {
    const form = page.getByRole('form', { name: 'Checkpoint: Post-change validation' });
    await form.waitFor();
    await expect
      .poll(async () => {
        const boxes = await form.getByRole('checkbox').all();
        for (const box of boxes) if (!(await box.isChecked())) await box.check();
        await form.getByRole('radio', { name: 'CLOSE', exact: true }).check();
        const all = await Promise.all(boxes.map((b) => b.isChecked()));
        return boxes.length > 0 && all.every(Boolean);
      })
      .toBe(true);
    await form.getByLabel('Shift supervisor').selectOption(sky.employeeId);
    await form.getByLabel('Password', { exact: true }).fill(sky.password);
    await form.getByRole('button', { name: 'Sign checkpoint decision' }).click();
    return form;
  }

  it('CLOSE is refused naming the recipe row; explained and countersigned, CLOSE is signed', async () => {
    const close = await signClose();
    await expect
      .poll(() => close.getByRole('alert').innerText())
      .toMatch(
        /Unexplained differences: CLOSE at Post-change validation needs every row .* not explained: PLC-L01-FILLER Line1_Recipe \(unexpected/,
      );

    const form = page.getByRole('form', { name: 'Explain the differences' });
    await form
      .getByLabel('Explanation of Line1_Recipe')
      .fill('The operator selected recipe 9 for the next order during the stop (shift log entry 14).');
    await form.getByLabel('Explained by (engineer)').selectOption(eng.employeeId);
    await form.getByLabel('Password', { exact: true }).fill(eng.password);
    const offered = await form.getByLabel(SIGNED_ACTIONS.explain.cosigners[0]!.label).locator('option').allInnerTexts();
    expect(offered).toEqual(['choose…', 'Sky Supervisor (SV500)']);
    await form.getByLabel(SIGNED_ACTIONS.explain.cosigners[0]!.label).selectOption(sky.employeeId);
    await form.getByLabel(actionFieldLabels('explain').supervisorPassword!).fill(sky.password);
    await form.getByRole('button', { name: 'Sign the explanations' }).click();
    const explained = page.getByRole('list', { name: 'Explained rows' });
    await expect
      .poll(() => explained.innerText())
      .toMatch(
        /unexpected PLC-L01-FILLER Line1_Recipe: The operator selected recipe 9 .* \(explained by Erin Engineer, countersigned by Sky Supervisor\)/,
      );
    await page.getByRole('region', { name: 'Unexpected differences' }).screenshot({ path: join('test-results', 'explain-rows.png') });

    await signClose();
    await expect.poll(() => page.getByText('All checkpoints passed: the change can be closed.').count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Timeline' }).innerText()).toMatch(
      /Erin Engineer explained PLC-L01-FILLER Line1_Recipe: The operator selected recipe 9 .*; countersigned by Sky Supervisor \(e-signed\)/,
    );
    expect(errors).toEqual([]);
  }, 90_000);
});
