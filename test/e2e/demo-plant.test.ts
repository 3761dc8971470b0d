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
  signCaptureAndRecord,
  signReview,
  submitAndApproveByCab,
} from '../helpers/e2e-change-walk.ts';

const { ERIN, PAT } = DEMO;
const TITLE = 'Case packer speed 18 to 20 cases/min';

describe('The demo plant in Chromium: from a fresh data directory, a newcomer walks a whole change to a new baseline', () => {
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

  /** Captures the case packer on the Controllers screen, signs the capture as Erin, and records it on the change. */
  async function captureAndRecord(phase: 'before' | 'after', speed: string) {
    await page.getByRole('button', { name: 'Controllers' }).click();
    await page.getByRole('button', { name: /PLC-L18-CASEPACKER/ }).click();
    await page.getByRole('button', { name: 'Capture now' }).click();
    await expect
      .poll(() => page.getByTestId('capture-values').locator('tr[data-tag="CasePacker_SpeedSP"] td.num').innerText(), { timeout: 20_000 })
      .toBe(speed);
    await signCaptureAndRecord(page, { changeTitle: new RegExp(TITLE), phase, signer: ERIN });
    const rec = page.getByRole('form', { name: 'Record a snapshot' });
    await expect
      .poll(
        async () =>
          (await rec.getByRole('alert').count()) > 0
            ? await rec.getByRole('alert').innerText()
            : await page.getByRole('region', { name: 'Timeline' }).innerText(),
        { timeout: 15_000 },
      )
      .toMatch(new RegExp(`recorded the ${phase}-snapshot of PLC-L18-CASEPACKER`));
  }

  it('the first screen of an empty data directory offers the demo plant or setting up my plant', async () => {
    await page.getByRole('heading', { name: 'Welcome to Baseline' }).waitFor();
    expect(await page.getByRole('button', { name: 'Explore the demo plant' }).isEnabled()).toBe(true);
    expect(await page.getByTestId('setup-step').allInnerTexts()).toEqual([
      expect.stringMatching(/^Create or import the plant CA/),
      expect.stringMatching(/^Enrol yourself as the first administrator/),
      expect.stringMatching(/^Import the plant/),
      expect.stringMatching(/^Import the people roster/),
      expect.stringMatching(/^Add the first controller/),
      expect.stringMatching(/^Capture it/),
    ]);
    expect(await page.getByRole('note', { name: 'Demo plant' }).count()).toBe(0);
    await page.screenshot({ path: join('test-results', 'first-screen.png') });
  });

  it('"Explore the demo plant" opens a DEMO plant with its history in the Changes register and the demo passwords at hand', async () => {
    await openDemoPlant(page);
    const register = await page.getByRole('main').innerText();
    for (const s of ['Capper torque 180 to 195 Ncm', 'Case packer jamming', 'Disable filler high-temperature trip'])
      expect(register).toContain(s);
    expect(await page.getByRole('navigation', { name: 'Screens' }).innerText()).not.toContain('Get started');
    await page.screenshot({ path: join('test-results', 'demo-changes-register.png') });
    await page.getByText('Demo people and passwords').click();
    expect(await page.getByRole('table', { name: 'Demo people' }).innerText()).toMatch(
      /Erin Engineer\s+E100\s+Controls engineer\s+demo-erin/,
    );
    await page.getByText('Demo people and passwords').click();
  }, 180_000);

  it("a change filed, approved by the CAB's accountable OT security and quality, started with the witness, four checkpoints, before/after captures, closed, reviewed with the new baseline", async () => {
    await fileCasePackerChange(page, TITLE);
    await submitAndApproveByCab(page);
    await scheduleAndStart(page);

    await captureAndRecord('before', '18');
    await signCheckpoint(page, 'Pre-execution verification', 'GO');
    await signCheckpoint(page, 'Mid-change assessment', 'CONTINUE');
    await signCheckpoint(page, 'Pre-cutover verification', 'CUTOVER');
    // The download, as the demo stands in for it: the proposed value set on the simulated case packer.
    await page.getByRole('button', { name: 'Set the proposed values on the simulator' }).click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Demo: the download' }).getByRole('status').innerText(), { timeout: 15_000 })
      .toBe('CasePacker_SpeedSP set on the simulated PLC-L18-CASEPACKER.');
    await captureAndRecord('after', '20');
    await expect
      .poll(() => page.getByTestId('verification').innerText(), { timeout: 15_000 })
      .toMatch(/matches the proposed diff\s+1 proposed change made/);
    const post = page.getByRole('form', { name: 'Checkpoint: Post-change validation' });
    await post.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'demo-checkpoint.png') });
    await signCheckpoint(page, 'Post-change validation', 'CLOSE');
    await expect.poll(() => page.getByText('All checkpoints passed: the change can be closed.').count(), { timeout: 15_000 }).toBe(1);

    await signDecision(page, ERIN, 'Close', 'closed');
    // A normal change owes its post-implementation review: signed on the Reviews panel by the plant engineering
    // manager (not on the change), it approves the after-snapshot as the new baseline; no separate baseline form.
    expect(await page.getByRole('form', { name: 'Approve the new baseline' }).count()).toBe(0);
    expect(await signReview(page, PAT)).toBe('');
    expect(await page.getByTestId('pir').innerText()).toBe('Post-implementation review by Pat Manager; new baseline approved.');
    await expect.poll(() => page.getByTestId('baseline-state').innerText(), { timeout: 15_000 }).toMatch(/v3\s*the after-snapshot/);
    expect(errors).toEqual([]);
  }, 300_000);
});
