import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import {
  DEMO,
  fileCasePackerChange,
  openDemoPlant,
  scheduleAndStart,
  signCheckpoint,
  signDecision,
  signReview,
  submitAndApproveByCab,
} from '../helpers/e2e-change-walk.ts';

const { ERIN, PAT } = DEMO;
const TITLE = 'Case packer speed 18 to 20 cases/min (captured from the change)';

describe('A normal change walked in Chromium from approval to a new baseline, its captures started from the change screen over the simulators', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'UTC' }, errors);
    page = ui.page;
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  /**
   * Captures the case packer from the change's own screen (progress per controller, then what the capture is worth),
   * signs the complete capture as Erin and records it on the change in the same step.
   */
  async function captureFromChange(phase: 'before' | 'after') {
    const panel = page.getByRole('region', { name: 'Captures of the change' });
    await panel.getByRole('button', { name: `Capture PLC-L18-CASEPACKER (${phase})` }).click();
    const row = panel.getByTestId('change-capture-row');
    await expect
      .poll(
        () =>
          row
            .getByTestId('capture-status')
            .getAttribute('data-status')
            .catch(() => null),
        { timeout: 30_000 },
      )
      .toBe('complete');
    const form = panel.getByRole('form', { name: 'Sign and record a capture' });
    await form.getByLabel('Captured and recorded by').selectOption(ERIN.employeeId);
    await form.getByLabel('Password', { exact: true }).fill(ERIN.password);
    await form.getByRole('button', { name: `Sign and record as the ${phase}-snapshot` }).click();
    await expect
      .poll(
        async () =>
          (await form.getByRole('alert').count()) > 0
            ? await form.getByRole('alert').innerText()
            : await page.getByRole('region', { name: 'Timeline' }).innerText(),
        { timeout: 15_000 },
      )
      .toMatch(new RegExp(`recorded the ${phase}-snapshot of PLC-L18-CASEPACKER`));
  }

  it('opens the demo plant', async () => {
    await openDemoPlant(page);
  }, 180_000);

  it("filed, approved by the CAB's accountable roles, started with the witness, captured before and after from the change screen, four checkpoints, closed, reviewed with the new baseline", async () => {
    await fileCasePackerChange(page, TITLE);
    await submitAndApproveByCab(page);
    await scheduleAndStart(page);

    // The mid-change assessment falls due at half of the one-hour slot.
    const due = page.getByTestId('checkpoint-due');
    expect(await due.innerText()).toMatch(/^Mid-change assessment: due at .+ \(half of the window\)\.$/);
    expect(await due.getAttribute('data-status')).toBe('upcoming');
    // No after-capture before the GO: the change screen offers the before-capture.
    expect(await page.getByRole('region', { name: 'Captures of the change' }).getByRole('heading').innerText()).toBe(
      'Before-captures of the target controllers',
    );
    await captureFromChange('before');
    await page.getByRole('region', { name: 'Captures of the change' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'change-captures.png') });
    await signCheckpoint(page, 'Pre-execution verification', 'GO');
    await signCheckpoint(page, 'Mid-change assessment', 'CONTINUE');
    await signCheckpoint(page, 'Pre-cutover verification', 'CUTOVER');
    // The download, as the demo stands in for it: the proposed value set on the simulated case packer.
    await page.getByRole('button', { name: 'Set the proposed values on the simulator' }).click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Demo: the download' }).getByRole('status').innerText(), { timeout: 15_000 })
      .toBe('CasePacker_SpeedSP set on the simulated PLC-L18-CASEPACKER.');
    await expect
      .poll(() => page.getByRole('region', { name: 'Captures of the change' }).getByRole('heading').innerText(), { timeout: 15_000 })
      .toBe('After-captures of the target controllers');
    await captureFromChange('after');
    await expect
      .poll(() => page.getByTestId('verification').innerText(), { timeout: 15_000 })
      .toMatch(/matches the proposed diff\s+1 proposed change made/);
    const post = page.getByRole('form', { name: 'Checkpoint: Post-change validation' });
    await post.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'change-captures-post.png') });
    await signCheckpoint(page, 'Post-change validation', 'CLOSE');
    await expect.poll(() => page.getByText('All checkpoints passed: the change can be closed.').count(), { timeout: 15_000 }).toBe(1);

    await signDecision(page, ERIN, 'Close', 'closed');
    // The post-implementation review on the Reviews panel approves the after-snapshot as the new baseline.
    expect(await signReview(page, PAT)).toBe('');
    await expect.poll(() => page.getByTestId('baseline-state').innerText(), { timeout: 15_000 }).toMatch(/v\d+\s*the after-snapshot/);
    // Both snapshots came from captures taken on the change screen (the timeline lists them with the change).
    const timeline = await page.getByRole('region', { name: 'Timeline' }).innerText();
    expect(timeline).toMatch(
      /captured PLC-L18-CASEPACKER \(complete\)[\s\S]*recorded the before-snapshot[\s\S]*captured PLC-L18-CASEPACKER \(complete\)[\s\S]*recorded the after-snapshot/,
    );
    expect(errors).toEqual([]);
  }, 300_000);
});
