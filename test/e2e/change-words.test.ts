import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, normalChangeFields, setUpPlant } from '../helpers/change-fixture.ts';

const [eng, pem, sec] = RACI;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('Words and numbers for people: change numbers, field labels, names, plain words', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];
  let refusal = '';

  beforeAll(async () => {
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const controllerId = setUpPlant(app);
      const first = app.changes.create(eng.employeeId, normalChangeFields(controllerId, new Date()), app.actor());
      app.changes.act(first.id, eng.employeeId, eng.password, { type: 'submit' }, app.actor());
      app.changes.act(
        first.id,
        sec.employeeId,
        sec.password,
        { type: 'approve-with-conditions', role: 'ot-security', conditions: ['Remote access stays off'], diffReviewed: true },
        app.actor(),
      );
      // A second change, filed without its window and ticket: the plant's next number, and the fields it lacks.
      app.changes.create(
        eng.employeeId,
        {
          ...normalChangeFields(controllerId, new Date()),
          title: 'Replace the capper torque limit',
          requestedWindow: null,
          itsmTicket: '',
        },
        app.actor(),
      );
      // A refusal names the change by number and title, never by its id.
      try {
        app.changes.act(
          first.id,
          eng.employeeId,
          eng.password,
          { type: 'approve', role: 'controls-engineer', diffReviewed: true },
          app.actor(),
        );
      } catch (e) {
        refusal = e instanceof BaselineError ? e.message : String(e);
      }
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'UTC' }, errors);
    page = ui.page;
    await page.getByRole('button', { name: 'Changes' }).click();
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  it('refusals name the change by its number and title', () => {
    expect(refusal).toContain('change CR-0001 "Raise filler speed setpoint to 14 m/min"');
    expect(refusal).not.toMatch(UUID);
  });

  it('the register numbers the changes per plant in filing order', async () => {
    const register = page.getByRole('list', { name: 'Change register' });
    await register.getByTestId('change-number').first().waitFor();
    const rows = await register.getByRole('button').allInnerTexts();
    expect(rows.find((r) => r.includes('Raise filler speed'))).toMatch(/^CR-0001 Raise filler speed/);
    expect(rows.find((r) => r.includes('capper torque'))).toMatch(/^CR-0002 Replace the capper torque limit/);
  });

  it('the detail shows the number, the policy in words, names and plain decisions on the timeline', async () => {
    await page.getByRole('button', { name: /Raise filler speed/ }).click();
    expect(await page.getByTestId('detail-number').innerText()).toBe('CR-0001');
    const doc = page.getByRole('article', { name: 'Change request' });
    const risk = await doc.getByTestId('doc-risk').innerText();
    expect(risk).toMatch(/risk band 1 \(score 1–4\)/);
    expect(risk).not.toContain('risk.bands[');
    const timeline = await page.getByRole('region', { name: 'Timeline' }).innerText();
    expect(timeline).toContain('filed change CR-0001 "Raise filler speed setpoint to 14 m/min"');
    expect(timeline).toMatch(/Sam Security approved with conditions as OT security: Remote access stays off/);
    expect(timeline).not.toMatch(/approve-with-conditions|ot-security/);
    expect(timeline).not.toMatch(UUID);
    void pem;
  });

  it("a draft lists what it lacks by the form's labels, not by field keys", async () => {
    await page.getByRole('button', { name: /capper torque/ }).click();
    expect(await page.getByTestId('detail-number').innerText()).toBe('CR-0002');
    const missing = await page
      .getByRole('article', { name: 'Change request' })
      .getByText('Missing before submit')
      .locator('..')
      .innerText();
    expect(missing).toMatch(/Requested window, ITSM ticket reference/);
    expect(missing).not.toMatch(/requestedWindow|itsmTicket/);
    expect(errors).toEqual([]);
  });
});
