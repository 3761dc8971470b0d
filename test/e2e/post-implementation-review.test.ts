/**
 * Issue #15, item 8 on screen: after CLOSE a major (safety-critical) change owes its post-implementation review (the
 * shipped policy: normal and safety-critical changes; the demo and capture walks review normal ones). It is signed on the Reviews panel by a plant engineering manager who was not
 * on the change, and the same signature approves the after-snapshot as the controller's new baseline, which the
 * Controllers screen then shows. A plant engineering manager who witnessed the work is not offered it (the service's refusal, with why:
 * test/integration/workflow/signer-list-refusals.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, captureAndSign, setUpPlant, startLine1Simulator } from '../helpers/change-fixture.ts';
import { SAFETY_PEOPLE, SETUP_AT, bookedSafetyChange, enrolSafetyPeople } from '../helpers/safety-change.ts';
import { testClock } from '../helpers/completed-change.ts';
import { reviewForm, signReview } from '../helpers/e2e-change-walk.ts';
import { signatureCovers } from '../../src-shared/common/workflow/signed-action-words.ts';

const [eng, pem, , , sky] = RACI;
/** A second plant engineering manager, who witnesses the work of the safety-critical change (dual control: on the change). */
const paula = { name: 'Paula Planner', employeeId: 'M201', roles: ['plant-engineering-manager'], password: 'paula-password-1' };

describe('The post-implementation review in Chromium: signed by someone not on the change, it approves the new baseline', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    const line1 = await startLine1Simulator();
    const clock = testClock();
    clock.set(SETUP_AT); // certificates are valid from the plant's setup on
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: clock.now });
    try {
      const controllerId = setUpPlant(app, line1.sim.port);
      app.identity.enrol(paula, 'plant-ca-secret-1', app.actor());
      enrolSafetyPeople(app);
      const { act, start } = bookedSafetyChange(app, controllerId, clock, 'Raise filler speed setpoint to 14 m/min', paula);
      start();
      const items = (id: string) => app.policy.checkpoints().checkpoints.find((x) => x.id === id)!.items;
      const checkpoint = (id: string, decision: string) =>
        act(sky, { type: 'checkpoint', role: 'shift-supervisor', checkpoint: id, decision, confirmed: items(id) });
      act(eng, { type: 'record-snapshot', phase: 'before', controllerId, snapshotSha256: await captureAndSign(app, controllerId, eng) });
      checkpoint('pre-execution', 'go');
      line1.set({ Line1_SpeedSP: 14 });
      checkpoint('mid-change', 'continue');
      checkpoint('pre-cutover', 'cutover');
      act(eng, { type: 'record-snapshot', phase: 'after', controllerId, snapshotSha256: await captureAndSign(app, controllerId, eng) });
      const robin = SAFETY_PEOPLE.robin;
      act(robin, { type: 'safety-sign-off', role: 'safety-manager', confirmed: [...app.policy.current().safetyReview!.checklist] });
      checkpoint('post-change', 'close');
      act(eng, { type: 'close', comment: 'Ran 30 min at 14 m/min' });
    } finally {
      app.close();
      await line1.sim.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'America/Chicago' }, errors);
    page = ui.page;
    await page.getByRole('button', { name: 'Changes' }).click();
    await page.getByRole('button', { name: /Raise filler speed setpoint/ }).click();
  }, 120_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  it('the closed change asks for its review on the Reviews panel, not for a separate baseline approval', async () => {
    await expect.poll(() => page.getByTestId('change-status').innerText(), { timeout: 15_000 }).toBe('closed');
    const form = reviewForm(page);
    await form.waitFor();
    // Closed on 26 November with 72 hours to review: overdue from 30 November on.
    expect(await form.getByRole('heading').innerText()).toMatch(
      /^Post-implementation review \((due|OVERDUE)\): it approves the after-snapshots as the new baselines$/,
    );
    expect(await page.getByRole('form', { name: 'Approve the new baseline' }).count()).toBe(0);
    // What the signature covers is said above the signer.
    expect(await form.getByTestId('signature-covers').innerText()).toBe(
      `Your signature covers ${signatureCovers('post-implementation-review')}`,
    );
    // The reviewers the policy names (plant engineering managers) not on the change: not Paula, who witnessed the work.
    await expect
      .poll(() => form.getByLabel('Signed by').locator('option').allInnerTexts())
      .toEqual(['choose…', `${pem.name} (${pem.employeeId})`]);
    expect(await page.locator('[data-controller="PLC-L01-FILLER"] [data-testid="baseline-state"]').innerText()).toBe('none');
  });

  it("Pat signs the review; the after-snapshot is the filler's new baseline, on the change and on Controllers", async () => {
    expect(await signReview(page, pem, 'Speed at 14 m/min, reject rate 0.3 %')).toBe('');
    expect(await page.getByTestId('pir').innerText()).toBe('Post-implementation review by Pat Manager; new baseline approved.');
    expect(await reviewForm(page).count()).toBe(0);
    await expect
      .poll(() => page.locator('[data-controller="PLC-L01-FILLER"] [data-testid="baseline-state"]').innerText(), { timeout: 15_000 })
      .toMatch(/^v1\s*the after-snapshot$/);
    expect(await page.getByRole('region', { name: 'Timeline' }).innerText()).toMatch(/Pat Manager .*post-implementation review/i);
    await page.getByRole('region', { name: 'Reviews' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'pir-signed.png') });

    await page.getByRole('button', { name: 'Controllers' }).click();
    await page.getByRole('button', { name: /PLC-L01-FILLER/ }).click();
    const baseline = page.getByRole('region', { name: 'Baseline and drift' });
    await expect
      .poll(() => baseline.getByTestId('baseline-state').innerText(), { timeout: 15_000 })
      .toMatch(/^Baseline v1, approved by Pat Manager, /);
    await page.screenshot({ path: join('test-results', 'pir-controllers-baseline.png') });
    expect(errors).toEqual([]);
  });
});
