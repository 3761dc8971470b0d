import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, normalChangeFields, setUpPlant } from '../helpers/change-fixture.ts';
import { actionFieldLabels } from '../../src-shared/common/workflow/signed-actions.ts';

const [eng, pem, sec, quinn] = RACI;

/** A description as long as real ones are: the proposal sits below the first screen at 1366x768. */
const DESCRIPTION = [
  'Increase Line1_SpeedSP from 12.5 to 14.0 m/min after the new conveyor motor was fitted under MOC-2291.',
  'The filler infeed was re-timed during the motor swap; the starwheel guard and the jam sensor were checked.',
  'Work sequence: put L01 in manual, download the new setpoint, run empty for five minutes, then with product.',
  'The packaging team lead is on the floor for the first hour to watch label registration at the higher speed.',
  'Quality takes fill-weight samples every ten minutes for the first hour (reject rate must stay below 0.5%).',
  'If the filler starves or jams more than twice in the first 30 minutes, the setpoint goes back to 12.5.',
  'Maintenance confirmed the motor current at 14 m/min is within the nameplate rating with 18% margin.',
  'No safety function, interlock or SIS tag is touched; the E-stop chain and guard switches stay as they are.',
].join('\n');

describe('The change detail is the document an approver signs (1366x768)', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const controllerId = setUpPlant(app);
      const c = app.changes.create(
        eng.employeeId,
        { ...normalChangeFields(controllerId, new Date()), description: DESCRIPTION },
        app.actor(),
      );
      app.changes.act(c.id, eng.employeeId, eng.password, { type: 'submit' }, app.actor());
      // An earlier approver attached a condition: the next approver must see it before signing.
      app.changes.create(
        eng.employeeId,
        { title: 'Replace the capper torque limit', class: 'normal', targetControllers: [controllerId] },
        app.actor(),
      );
      app.changes.act(
        c.id,
        sec.employeeId,
        sec.password,
        {
          type: 'approve-with-conditions',
          role: 'ot-security',
          conditions: ['Remote access to L01 stays disabled during the download'],
          diffReviewed: true,
        },
        app.actor(),
      );
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'UTC' }, errors);
    page = ui.page;
    await page.getByRole('button', { name: 'Changes' }).click();
    await page.getByRole('button', { name: /Raise filler speed setpoint/ }).click();
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  it('shows everything the signature covers: targets, proposed diff, window, risk and why, plans, ticket, conditions', async () => {
    const doc = page.getByRole('article', { name: 'Change request' });
    await doc.waitFor();
    expect(await doc.getByTestId('doc-targets').innerText()).toMatch(/PLC-L01-FILLER on line L01 .*tier 1/);
    const diff = doc.getByRole('table', { name: 'Proposed diff: before and after' });
    expect(await diff.innerText()).toMatch(/Line1_SpeedSP[\s\S]*12\.5[\s\S]*14/);
    expect(await doc.getByTestId('doc-window').innerText()).toMatch(/\d{2}:\d{2}/);
    expect(await doc.getByTestId('doc-risk').innerText()).toMatch(/Risk score 2 x 2/);
    expect(await doc.getByTestId('doc-rollback').innerText()).toContain('Restore Line1_SpeedSP = 12.5');
    expect(await doc.getByTestId('doc-ticket').innerText()).toContain('CHG0042311');
    expect(await doc.getByTestId('doc-requirements').innerText()).toMatch(
      /Change Advisory Board: 2 of Plant engineering manager, OT security, Quality \/ compliance, including OT security and Quality \/ compliance \(accountable\)/,
    );
    expect(await doc.getByTestId('doc-conditions').innerText()).toMatch(
      /Sam Security \(OT security\): Remote access to L01 stays disabled/,
    );
    // The document comes before the signing form.
    const docBox = (await doc.boundingBox())!;
    const formBox = (await page.getByRole('form', { name: 'Sign a decision' }).boundingBox())!;
    expect(docBox.y + docBox.height).toBeLessThanOrEqual(formBox.y);
  });

  it('the approval cannot be signed until the proposed diff has been on screen', async () => {
    const proposal = page.getByTestId('proposal');
    // The premise: at 1366x768 the proposal starts out below the first screen.
    const box = (await proposal.boundingBox())!;
    expect(box.y + box.height).toBeGreaterThan(768);
    const form = page.getByRole('form', { name: 'Sign a decision' });
    await form.getByLabel('Decision').selectOption({ label: 'Approve' });
    // Offered: the approvers the policy names for this change whose approval would count, minus its requester and
    // whoever approved already; not the plant engineering manager, the CAB's last place being quality's (accountable).
    const offered = await form.getByLabel('Signer').locator('option').allInnerTexts();
    expect(offered).not.toContain(`${pem.name} (${pem.employeeId})`);
    expect(offered).toContain(`${quinn.name} (${quinn.employeeId})`);
    expect(offered.join()).not.toContain(eng.employeeId);
    expect(offered.join()).not.toContain(sec.employeeId);
    // Quality, the CAB's other accountable role, approves after OT security.
    await form.getByLabel('Signer').selectOption(quinn.employeeId);
    await form.getByLabel(actionFieldLabels('approve').role!).selectOption('quality-compliance');
    await form.getByLabel('Password').fill(quinn.password);
    const gate = form.getByTestId('sign-gate');
    expect(await gate.isVisible()).toBe(true);
    expect(await form.getByRole('checkbox', { name: /reviewed the proposed diff/ }).isDisabled()).toBe(true);
    expect(await form.getByRole('button', { name: 'Sign' }).isDisabled()).toBe(true);
    await page.screenshot({ path: join('test-results', 'change-detail-gated.png') });

    await proposal.scrollIntoViewIfNeeded();
    await gate.waitFor({ state: 'detached' });
    await page.screenshot({ path: join('test-results', 'change-detail.png') });
    await form.getByRole('checkbox', { name: /reviewed the proposed diff/ }).check();
    await form.getByRole('button', { name: 'Sign' }).click();
    await expect
      .poll(
        async () => `${await page.getByTestId('change-status').innerText()} ${(await form.getByRole('alert').allInnerTexts()).join()}`,
        { timeout: 15_000 },
      )
      .toBe('approved (with conditions) ');
  });

  it('the signer chosen on one change is not kept when another change is opened', async () => {
    const form = page.getByRole('form', { name: 'Sign a decision' });
    await form.getByLabel('Decision').selectOption({ label: 'Withdraw' });
    // Only the requester may withdraw: the list offers exactly them.
    expect(await form.getByLabel('Signer').locator('option').allInnerTexts()).toEqual(['choose…', `${eng.name} (${eng.employeeId})`]);
    await form.getByLabel('Signer').selectOption(eng.employeeId);
    await page.getByRole('button', { name: /Replace the capper torque limit/ }).click();
    await expect.poll(() => page.getByRole('heading', { level: 2 }).innerText()).toMatch(/capper/);
    const next = page.getByRole('form', { name: 'Sign a decision' });
    expect(await next.getByLabel('Decision').inputValue()).toBe('');
    expect(await next.getByLabel('Signer').inputValue()).toBe('');
    expect(errors).toEqual([]);
  });
});
