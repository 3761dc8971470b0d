/**
 * The change's signing form by keyboard and through reloads. Tab walks its fields top to bottom and Enter in the
 * password field signs. And it keeps what a person chose while the change on screen reloads. The journal refresh can show a
 * signed decision's new state before the signature's own call has returned; whatever is chosen in that moment must
 * not be emptied when the call returns. The test holds the reply to `changes.act` at the WebSocket (the page's
 * own connection, routed by Playwright) so that moment lasts as long as the test needs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, normalChangeFields, setUpPlant } from '../helpers/change-fixture.ts';
import { actionFieldLabels } from '../../src-shared/common/workflow/signed-actions.ts';

/** The role field's label, from the signed-actions table. */
const ROLE = actionFieldLabels('reject').role!;

const [eng, , sec] = RACI;

describe("The change's signing form: by keyboard, and through a journal refresh of the change", () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];
  /** The WebSocket traffic as the test sees it: `changes.act` replies held while `hold`, `changes.get` replies counted. */
  const wire = {
    hold: false,
    held: [] as (string | Buffer)[],
    actIds: new Set<number>(),
    getIds: new Set<number>(),
    getReplies: 0,
    release: (): void => undefined,
  };

  beforeAll(async () => {
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const controllerId = setUpPlant(app);
      app.changes.create(eng.employeeId, normalChangeFields(controllerId, new Date()), app.actor());
      app.changes.create(eng.employeeId, { ...normalChangeFields(controllerId, new Date()), title: 'Signed by keyboard' }, app.actor());
    } finally {
      app.close();
    }
    mkdirSync('test-results', { recursive: true });
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'UTC' }, errors);
    page = ui.page;
    await page.routeWebSocket(/\/api/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        const frame = JSON.parse(String(m)) as { kind: string; id: number; op: string };
        if (frame.kind === 'call' && frame.op === 'changes.act') wire.actIds.add(frame.id);
        if (frame.kind === 'call' && frame.op === 'changes.get') wire.getIds.add(frame.id);
        server.send(m);
      });
      server.onMessage((m) => {
        const frame = JSON.parse(String(m)) as { kind: string; id: number };
        if (frame.kind === 'reply' && wire.hold && wire.actIds.has(frame.id)) {
          wire.held.push(m);
          return;
        }
        if (frame.kind === 'reply' && wire.getIds.has(frame.id)) wire.getReplies++;
        ws.send(m);
      });
      wire.release = () => {
        wire.hold = false;
        for (const m of wire.held.splice(0)) ws.send(m);
      };
    });
    // The route applies to connections opened from now on: load the page again (the token stays in the fragment).
    await page.reload();
    await page.getByRole('button', { name: 'Changes' }).click();
    await page.getByRole('button', { name: /Raise filler speed setpoint/ }).click();
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  it('a decision chosen while the previous signature is still returning is kept, and signs', async () => {
    const form = page.getByRole('form', { name: 'Sign a decision' });
    await form.getByLabel('Decision').selectOption({ label: 'Submit for approval' });
    await form.getByLabel('Signer').selectOption(eng.employeeId);
    await form.getByLabel('Password', { exact: true }).fill(eng.password);
    wire.hold = true;
    await form.getByRole('button', { name: 'Sign', exact: true }).click();
    // The journal refresh shows the submitted change while the signature's own reply is still held.
    await expect.poll(() => page.getByTestId('change-status').innerText(), { timeout: 15_000 }).toBe('submitted');
    expect(wire.held.length).toBe(1);

    // The next signer starts on the refreshed change; the held reply arrives meanwhile.
    const filling = (async () => {
      await form.getByLabel('Decision').selectOption({ label: 'Reject' });
      await form.getByLabel('Signer').selectOption(sec.employeeId);
      await form.getByLabel('Reason').fill('The window clashes with the filler overhaul.');
      await form.getByLabel('Password', { exact: true }).fill(sec.password);
    })();
    await page.waitForTimeout(1_000);
    const before = wire.getReplies;
    wire.release();
    await filling;
    // The signature's own reload of the change has come back and the form has settled.
    await expect.poll(() => wire.getReplies, { timeout: 15_000 }).toBeGreaterThan(before);
    await page.waitForTimeout(500);

    expect(await form.getByLabel('Decision').inputValue()).toBe('reject');
    expect(await form.getByLabel('Signer').inputValue()).toBe(sec.employeeId);
    expect(await form.getByLabel('Signer').isEnabled()).toBe(true);
    expect(await form.getByLabel(ROLE).inputValue()).toBe('ot-security');
    expect(await form.getByLabel('Reason').inputValue()).toBe('The window clashes with the filler overhaul.');
    expect(await form.getByLabel('Password', { exact: true }).inputValue()).toBe(sec.password);
    expect(await form.getByRole('button', { name: 'Sign', exact: true }).isEnabled()).toBe(true);
    await form.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'change-detail-signing.png') });

    await form.getByRole('button', { name: 'Sign', exact: true }).click();
    await expect
      .poll(
        async () => `${await page.getByTestId('change-status').innerText()} ${(await form.getByRole('alert').allInnerTexts()).join()}`,
        { timeout: 15_000 },
      )
      .toBe('rejected ');
  });

  /** The label of the focused field ("Decision", "Password"), or the focused button's text. */
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      if (el instanceof HTMLButtonElement) return `button ${el.innerText.trim()}`;
      return (el?.closest('label')?.childNodes[0]?.textContent ?? el?.tagName ?? '').trim();
    });

  it('Tab walks the form top to bottom and Enter in the password field signs (submit, then a rejection with role and reason)', async () => {
    await page.getByRole('button', { name: /Signed by keyboard/ }).click();
    await page.getByTestId('detail-number').filter({ hasText: 'CR-0002' }).waitFor();
    const form = page.getByRole('form', { name: 'Sign a decision' });
    await form.getByLabel('Decision').focus();
    await page.keyboard.press('ArrowDown'); // the first decision the change allows: submit
    expect(await form.getByLabel('Decision').inputValue()).toBe('submit');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Signer');
    await page.keyboard.press('ArrowDown');
    expect(await form.getByLabel('Signer').inputValue()).toBe(eng.employeeId);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Password');
    await page.keyboard.type(eng.password);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('change-status').innerText(), { timeout: 15_000 }).toBe('submitted');

    await form.getByLabel('Decision').selectOption({ label: 'Reject' });
    await form.getByLabel('Decision').focus();
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused());
      if (order.at(-1) === 'Signer') await form.getByLabel('Signer').selectOption(sec.employeeId);
      if (order.at(-1) === 'Reason') await page.keyboard.type('Clashes with the filler overhaul.');
    }
    // The labels are the signed-actions table's.
    expect(order).toEqual(['Signer', ROLE, actionFieldLabels('reject').reason, 'Password']);
    await page.keyboard.type(sec.password);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('button Sign');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('change-status').innerText(), { timeout: 15_000 }).toBe('rejected');
  });

  it('the focused field shows where the keyboard is (a visible outline)', async () => {
    await page.getByRole('button', { name: 'Changes' }).focus();
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement!);
      return `${style.outlineStyle} ${style.outlineWidth}`;
    });
    expect(outline).toMatch(/^solid [1-9]/);
  });

  it('raised no uncaught error in the page', () => {
    expect(errors).toEqual([]);
  });
});
