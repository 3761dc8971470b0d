/**
 * The emergency path in Chromium, as the people at the plant sign it: the controls engineer starts the filler's
 * emergency change under break-glass, naming the shift supervisor who approved it by phone (who signs later, with
 * their own password); on the Reviews panel the supervisor signs that approval and the engineer writes the emergency
 * report; then the CAB's accountable roles (OT security, quality) give the retrospective review, which is done once
 * both have signed. Every form says what the signature covers, each signer list offers exactly the people the
 * signer rule allows, and a signature refused for a wrong password names the problem and records nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, setUpPlant, startLine1Simulator } from '../helpers/change-fixture.ts';
import { SIGNED_ACTIONS } from '../../src-shared/common/workflow/signed-actions.ts';
import { signatureCovers } from '../../src-shared/common/workflow/signed-action-words.ts';

const [eng, pem, sam, quinn, sky] = RACI;
const TITLE = 'Filler jammed: raise speed setpoint';
const option = (p: { name: string; employeeId: string }) => `${p.name} (${p.employeeId})`;

describe('An emergency change in Chromium: break-glass, the approver’s own signature, the emergency report, the retrospective review', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;

  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    line1 = await startLine1Simulator();
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const controllerId = setUpPlant(app, line1.sim.port);
      // The engineer files the emergency change (a draft); everything after is signed in the browser.
      app.changes.create(
        eng.employeeId,
        {
          title: TITLE,
          description: 'Filler starves at 12.5 m/min; line down.',
          justification: 'Line L01 stopped.',
          class: 'emergency',
          targetControllers: [controllerId],
          proposedChange: { kind: 'diff', controllerId, changes: [{ tag: 'Line1_SpeedSP', from: 12.5, to: 14 }] },
        },
        app.actor(),
      );
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'America/Chicago' }, errors);
    page = ui.page;
    await page.getByRole('button', { name: 'Changes' }).click();
    await page.getByRole('button', { name: new RegExp(TITLE) }).click();
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  const reviews = () => page.getByRole('region', { name: 'Reviews' });
  const timeline = () => page.getByRole('region', { name: 'Timeline' }).innerText();
  const entries = async () => (await timeline()).split('\n').filter((l) => l.includes(': ')).length;
  /** A signer list by its label (a select's accessible name is its label followed by the option shown). */
  const pick = (form: Locator, label: string) => form.getByRole('combobox', { name: new RegExp(`^${label}\\b`) });
  const signerOptions = (form: Locator, label: string) => pick(form, label).locator('option').allInnerTexts();

  /** Clicks the form's button and resolves with its refusal (other than one left from an earlier try), or '' once `done` holds. */
  async function signAndWait(form: Locator, button: string, done: () => Promise<boolean>): Promise<string> {
    const alert = form.getByRole('alert');
    // Read without waiting (the alert goes with its form once the signature is recorded), as text content: the same
    // words whether or not the alert is laid out at that moment.
    const alertText = () => alert.evaluateAll((els) => els.map((e) => e.textContent ?? '').join('\n'));
    const earlier = await alertText();
    await form.getByRole('button', { name: button, exact: true }).click();
    let refusal = '';
    await expect
      .poll(
        async () => {
          const now = await alertText();
          if (now !== '' && now !== earlier) refusal = now;
          return refusal !== '' || (await done());
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    return refusal;
  }

  /** Chooses a decision in "Sign a decision" and checks its who-signs and covers lines against the table. */
  async function chooseDecision(type: 'break-glass' | 'retrospective-review'): Promise<Locator> {
    const form = page.getByRole('form', { name: 'Sign a decision' });
    await form.getByLabel('Decision').selectOption({ label: SIGNED_ACTIONS[type].title });
    expect(await form.getByTestId('who-signs').innerText()).toBe(`Who signs: ${SIGNED_ACTIONS[type].signerText}.`);
    expect(await form.getByTestId('signature-covers').innerText()).toBe(`Your signature covers ${signatureCovers(type)}`);
    return form;
  }

  it('the engineer breaks glass: only a responder may sign, and the approver is one of the listed approver roles', async () => {
    await expect.poll(() => page.getByTestId('change-status').innerText(), { timeout: 15_000 }).toBe('draft');
    const form = await chooseDecision('break-glass');
    // The class's responder list is the controls engineers: Erin; nobody else is offered.
    expect(await signerOptions(form, 'Signer')).toEqual(['choose…', option(eng)]);
    await pick(form, 'Signer').selectOption(eng.employeeId);
    // Approvers: holders of the break-glass approver roles (the shift supervisor here), never the responder.
    const approver = SIGNED_ACTIONS['break-glass'].cosigners[0]!;
    expect(await signerOptions(form, approver.label)).toEqual(['choose…', option(sky)]);
    await pick(form, approver.label).selectOption(sky.employeeId);
    await form.getByLabel("Approver's role").selectOption('shift-supervisor');
    await form.getByLabel('How the approval was given').selectOption('phone');
    await form.getByLabel('Reason').fill('Line L01 down: the filler starves at 12.5 m/min.');
    // Sky approved by phone and signs later: the approver's password stays empty.
    await form.getByLabel('Password', { exact: true }).fill(eng.password);
    expect(
      await signAndWait(form, 'Sign', async () => (await page.getByTestId('change-status').innerText()) === 'in execution (break-glass)'),
    ).toBe('');
    await expect
      .poll(timeline, { timeout: 15_000 })
      .toMatch(
        /Erin Engineer started under break-glass, approved by Sky Supervisor \(SV500\) as Shift supervisor by phone \(the approver's signature is owed\): Line L01 down: the filler starves at 12\.5 m\/min\. \(e-signed\)/,
      );
    expect(await page.getByTestId('retrospective').innerText()).toMatch(/^Started under break-glass: retrospective CAB review due by /);
  });

  it('the approver signs the break-glass approval on the Reviews panel; a wrong password is refused and records nothing', async () => {
    const form = reviews().getByRole('form', { name: 'Sky Supervisor signs the break-glass approval' });
    await form.waitFor();
    expect(await form.getByTestId('who-signs').innerText()).toBe(`Who signs: ${SIGNED_ACTIONS['confirm-break-glass'].signerText}.`);
    expect(await form.getByTestId('signature-covers').innerText()).toBe(`Your signature covers ${signatureCovers('confirm-break-glass')}`);
    await form.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'emergency-reviews-approval.png') });
    // Only the approver named at break-glass signs in their own name.
    expect(await signerOptions(form, 'Signed by')).toEqual(['choose…', option(sky)]);

    const before = await entries();
    await pick(form, 'Signed by').selectOption(sky.employeeId);
    await form.getByLabel('Password', { exact: true }).fill('not-skys-password');
    const refusal = await signAndWait(form, 'Sign the approval', async () => false);
    expect(refusal).toMatch(/password/i);
    expect(refusal).toMatch(/Sky Supervisor|SV500/);
    // Nothing recorded: the form is still there, the timeline has no new entry, the review still waits for the approval.
    expect(await form.count()).toBe(1);
    expect(await entries()).toBe(before);
    expect(await timeline()).not.toMatch(/signed the break-glass approval/);

    await pick(form, 'Signed by').selectOption(sky.employeeId);
    await form.getByLabel('Password', { exact: true }).fill(sky.password);
    expect(await signAndWait(form, 'Sign the approval', async () => (await form.count()) === 0)).toBe('');
    await expect
      .poll(timeline, { timeout: 15_000 })
      .toMatch(/Sky Supervisor signed the break-glass approval with their own password \(e-signed\)/);
    // The Reviews panel keeps the approval in words; the retrospective review still waits for the report.
    expect(await reviews().getByTestId('break-glass-approval').innerText()).toMatch(
      /^Break-glass approval by Sky Supervisor as Shift supervisor \(given by phone\), signed with their own password /,
    );
    expect(await reviews().getByTestId('retrospective-progress').innerText()).toMatch(/It waits for the emergency report\.$/);
  });

  it('the engineer who carried out the work writes and signs the emergency report', async () => {
    const form = reviews().getByRole('form', { name: 'Emergency report' });
    expect(await form.getByTestId('who-signs').innerText()).toBe(`Who signs: ${SIGNED_ACTIONS['emergency-report'].signerText}.`);
    expect(await form.getByTestId('signature-covers').innerText()).toBe(`Your signature covers ${signatureCovers('emergency-report')}`);
    // The responder who carried out the work, not the approver or the CAB.
    expect(await signerOptions(form, 'Signed by')).toEqual(['choose…', option(eng)]);
    await form.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'emergency-reviews-report.png') });
    await form.getByLabel('Root cause').fill('Worn infeed belt starved the filler.');
    await form.getByLabel('Lessons learned').fill('Check the belt at every shift handover.');
    await form.getByLabel(/^Permanent fix/).fill('CHG0042399: replace the infeed belt.');
    await pick(form, 'Signed by').selectOption(eng.employeeId);
    await form.getByLabel('Password', { exact: true }).fill(eng.password);
    expect(await signAndWait(form, 'Sign the report', async () => (await page.getByTestId('emergency-report').count()) === 1)).toBe('');
    // The report on the Reviews panel, section by section under the table's labels (no contributing factors given).
    const report = page.getByTestId('emergency-report');
    expect(await report.locator('p').innerText()).toMatch(/^Emergency report by Erin Engineer, /);
    expect(await report.locator('dt').allInnerTexts()).toEqual(['Root cause', 'Lessons learned', 'Permanent fix']);
    expect(await report.locator('dd').allInnerTexts()).toEqual([
      'Worn infeed belt starved the filler.',
      'Check the belt at every shift handover.',
      'CHG0042399: replace the infeed belt.',
    ]);
    // The retrospective review no longer waits: the Reviews panel says who must give it and where.
    await expect
      .poll(() => reviews().getByTestId('retrospective-progress').innerText(), { timeout: 15_000 })
      .toBe(
        'Retrospective review (Change Advisory Board): none yet — 2 more reviews, including OT security and Quality / compliance (accountable). Signed in "Sign" below: Decision "Retrospective review".',
      );
    await expect.poll(timeline, { timeout: 15_000 }).toMatch(/Erin Engineer wrote the emergency report/);
  });

  it('OT security and quality give the retrospective review; nobody on the break-glass work is offered', async () => {
    const form = await chooseDecision('retrospective-review');
    await form.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'emergency-retrospective-form.png') });
    // The CAB's accountable roles; not Erin (carried out the work), not Sky (approved it), not Pat (would not count).
    expect((await signerOptions(form, 'Signer')).sort()).toEqual([option(quinn), option(sam), 'choose…']);
    expect(await signerOptions(form, 'Signer')).not.toContain(option(pem));

    await pick(form, 'Signer').selectOption(sam.employeeId);
    await form.getByLabel('Signing as').selectOption('ot-security');
    await form.getByRole('textbox', { name: 'Review' }).fill('Belt wear was the cause; the report is complete.');
    await form.getByLabel('Password', { exact: true }).fill(sam.password);
    expect(await signAndWait(form, 'Sign', async () => /reviewed afterwards as OT security/.test(await timeline()))).toBe('');
    expect(await timeline()).toMatch(
      /Sam Security reviewed afterwards as OT security: Belt wear was the cause; the report is complete\. \(e-signed\)/,
    );
    // One review of two: still due, and the Reviews panel says who reviewed and who is still needed.
    expect(await page.getByTestId('retrospective').innerText()).toMatch(/retrospective CAB review due by/);
    await expect
      .poll(() => reviews().getByTestId('retrospective-progress').innerText(), { timeout: 15_000 })
      .toMatch(
        /^Retrospective review \(Change Advisory Board\): Sam Security as OT security — 1 more review, including Quality \/ compliance \(accountable\)\./,
      );

    await chooseDecision('retrospective-review');
    expect(await signerOptions(form, 'Signer')).toEqual(['choose…', option(quinn)]);
    await pick(form, 'Signer').selectOption(quinn.employeeId);
    await form.getByLabel('Signing as').selectOption('quality-compliance');
    await form.getByRole('textbox', { name: 'Review' }).fill('Accepted; the permanent fix is filed.');
    await form.getByLabel('Password', { exact: true }).fill(quinn.password);
    expect(
      await signAndWait(form, 'Sign', async () => /^Retrospective review done/.test(await page.getByTestId('retrospective').innerText())),
    ).toBe('');
    expect(await timeline()).toMatch(
      /Quinn Quality reviewed afterwards as Quality \/ compliance: Accepted; the permanent fix is filed\. \(e-signed\)/,
    );
    expect(await page.getByTestId('change-status').innerText()).toBe('in execution (break-glass)');
    // The register names the state as the detail does.
    await expect.poll(() => page.getByTestId('register-state').allInnerTexts()).toEqual(['in execution (break-glass)']);
    expect(await reviews().getByTestId('retrospective-progress').innerText()).toBe(
      'Retrospective review (Change Advisory Board): Sam Security as OT security, Quinn Quality as Quality / compliance ✓',
    );
    await reviews().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'emergency-reviews-done.png') });
    expect(errors).toEqual([]);
  });
});
