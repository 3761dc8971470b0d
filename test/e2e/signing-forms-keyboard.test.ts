/**
 * Every signature by keyboard. All signing forms share the signer fields (who signs, then their password asked at
 * every signature), so each one is walked the same way: Tab goes through its fields top to bottom with the focus
 * visible at every stop, the password is the last field before the button that signs, the signer is chosen with the
 * arrow keys, and Enter in the password field signs. The change's own decision form is walked in
 * signing-forms.test.ts; this file walks the others: a go/no-go checkpoint, the emergency report (one of the change's
 * reviews, which share one signed form), signing a capture as evidence, approving a baseline, a roster entry, a line of
 * the plant model, and adopting a policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator } from '../helpers/change-fixture.ts';

const [eng, pem, , , sky] = RACI;
const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** One signing form: how to open it, what to fill before the signature, who signs, and how its signature shows. */
interface SigningCase {
  name: string;
  /** Opens the form on its screen and returns it. */
  open(page: Page): Promise<Locator>;
  /** Fills what the signature needs besides the signer and the password. */
  prepare(form: Locator, page: Page): Promise<void>;
  signerLabel: string;
  signer: { employeeId: string; password: string };
  button: string;
  /** True once the signature is recorded and shows. */
  signed(page: Page, form: Locator): Promise<boolean>;
}

const CASES: SigningCase[] = [
  {
    name: 'a go/no-go checkpoint (shift supervisor)',
    async open(page) {
      await page.getByRole('button', { name: 'Changes', exact: true }).click();
      await page.getByRole('button', { name: /Filler jammed: raise speed setpoint/ }).click();
      const form = page.getByRole('form', { name: 'Checkpoint: Pre-execution verification' });
      await form.waitFor();
      return form;
    },
    async prepare(form) {
      const boxes = form.getByRole('checkbox');
      for (let i = 0; i < (await boxes.count()); i++) await boxes.nth(i).check();
      await form.getByRole('radio', { name: 'GO', exact: true }).check();
    },
    signerLabel: 'Shift supervisor',
    signer: sky,
    button: 'Sign checkpoint decision',
    signed: async (page) => (await page.getByTestId('checkpoint-decision').count()) > 0,
  },
  {
    name: "the emergency report (the change's reviews)",
    async open(page) {
      return page.getByRole('form', { name: 'Emergency report' });
    },
    async prepare(form) {
      await form.getByLabel('Root cause').fill('Worn infeed belt starved the filler.');
      await form.getByLabel('Lessons learned').fill('Check the belt at every shift handover.');
      await form.getByLabel(/^Permanent fix/).fill('CR to replace the belt with the new conveyor.');
    },
    signerLabel: 'Signed by',
    signer: eng,
    button: 'Sign the report',
    signed: async (page) => (await page.getByTestId('emergency-report').count()) === 1,
  },
  {
    name: 'a capture signed as evidence (Controllers)',
    async open(page) {
      await page.getByRole('button', { name: 'Controllers', exact: true }).click();
      await page.getByRole('button', { name: /PLC-L01-FILLER/ }).click();
      await page.getByRole('button', { name: 'Capture now' }).click();
      await page.getByRole('button', { name: 'Sign as evidence…' }).click({ timeout: 30_000 });
      return page.getByRole('form', { name: 'Sign capture' });
    },
    async prepare() {
      /* the statement only */
    },
    signerLabel: 'Signer',
    signer: eng,
    button: 'Sign',
    signed: async (_page, form) => (await form.count()) === 0,
  },
  {
    name: 'a baseline approval (Controllers)',
    async open(page) {
      await page.getByRole('button', { name: 'Approve latest signed snapshot as baseline…' }).click();
      return page.getByRole('form', { name: 'Approve baseline' });
    },
    async prepare() {
      /* the statement only */
    },
    signerLabel: 'Signer',
    signer: pem,
    button: 'Sign and approve',
    signed: async (page) => /approved by Pat Manager/.test(await page.getByTestId('baseline-state').innerText()),
  },
  {
    name: 'a roster entry (People)',
    async open(page) {
      await page.getByRole('button', { name: 'People', exact: true }).click();
      await page.getByRole('button', { name: 'Add to the roster…' }).click();
      return page.getByRole('form', { name: 'Edit a roster entry' });
    },
    async prepare(form) {
      await form.getByLabel('Employee id').fill('T900');
      await form.getByLabel('Full name').fill('Toni Tester');
      await form.getByRole('checkbox', { name: 'Controls engineer', exact: true }).check();
      await form.getByLabel('Reason').fill('joins the night shift');
    },
    signerLabel: 'Signed by',
    signer: pem,
    button: 'Sign and save',
    signed: async (page) => (await page.locator('tr[data-roster="T900"]').count()) === 1,
  },
  {
    name: 'a line of the plant model (Plant)',
    async open(page) {
      await page.getByRole('button', { name: 'Plant', exact: true }).click();
      await page.getByRole('button', { name: 'Edit line L03' }).click();
      return page.getByRole('form', { name: 'Edit a line' });
    },
    async prepare(form) {
      await form.getByLabel('Name').fill('Packaging line 3 (bottles)');
      await form.getByLabel('Reason').fill('line renamed after the bottle changeover');
    },
    signerLabel: 'Signed by',
    signer: pem,
    button: 'Sign and save',
    signed: async (page) =>
      (await page.getByRole('table', { name: 'Lines', exact: true }).innerText()).includes('Packaging line 3 (bottles)'),
  },
  {
    name: 'adopting a policy (Plant)',
    async open(page) {
      return page.getByRole('form', { name: 'Adopt a policy' });
    },
    async prepare(form) {
      const yaml = readFileSync(root('resources/policy/default-policy.yaml'), 'utf8').replace(/^revision: \d+$/m, 'revision: 7');
      await form
        .getByLabel('Policy YAML')
        .setInputFiles({ name: 'plant-policy.yaml', mimeType: 'application/yaml', buffer: Buffer.from(yaml) });
    },
    signerLabel: 'Adopted by',
    signer: pem,
    button: 'Sign and adopt',
    signed: async (page) => /revision 7/.test(await page.getByTestId('policy-in-force').innerText()),
  },
];

/** Where keyboard focus is: a name for it, where it sits, whether it is in `form`, and whether the focus shows. */
function focusStop(page: Page, form: Locator) {
  return form.evaluate((f) => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return { name: '(nothing)', x: 0, y: 0, inForm: false, visible: false };
    const label = el.closest('label');
    const name =
      el instanceof HTMLButtonElement
        ? `button ${el.innerText.trim()}`
        : el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')
          ? `${el.type} ${label?.innerText.trim() ?? ''}`
          : (label?.childNodes[0]?.textContent ?? el.getAttribute('aria-label') ?? el.tagName).trim();
    const r = el.getBoundingClientRect();
    const origin = f.getBoundingClientRect(); // positions within the form: the same whichever container scrolls as focus moves
    const style = getComputedStyle(el);
    return {
      name,
      x: Math.round(r.left - origin.left),
      y: Math.round(r.top - origin.top),
      inForm: f.contains(el),
      visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    };
  });
}

describe('Every signing form by keyboard: Tab order top to bottom, the focus visible, the signer chosen by arrow keys, Enter signs', () => {
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
      await emergencyFillerChange(app, controllerId);
    } finally {
      app.close();
    }
    mkdirSync('test-results', { recursive: true });
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'America/Chicago' }, errors);
    page = ui.page;
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s',
    async (_name, c) => {
      const form = await c.open(page);
      await form.waitFor();
      await c.prepare(form, page);
      // The select's accessible name is its label followed by the option shown ("Signer choose…").
      const signer = form.getByRole('combobox', { name: new RegExp(`^${c.signerLabel}\\b`) });

      // The signer, chosen with the arrow keys; Tab then reaches the password.
      await signer.focus();
      for (let i = 0; i < 20 && (await signer.inputValue()) !== c.signer.employeeId; i++) await page.keyboard.press('ArrowDown');
      expect(await signer.inputValue()).toBe(c.signer.employeeId);
      for (let i = 0; i < 5 && (await focusStop(page, form)).name !== 'Password'; i++) await page.keyboard.press('Tab');
      expect((await focusStop(page, form)).name).toBe('Password');
      await page.keyboard.type(c.signer.password);

      // Tab from the form's first field to the button that signs: top to bottom, never leaving the form, focus shown.
      await form.locator('input:not([type=hidden]), select, textarea, button').first().focus();
      const stops = [await focusStop(page, form)];
      for (let i = 0; i < 40 && stops.at(-1)!.name !== `button ${c.button}`; i++) {
        await page.keyboard.press('Tab');
        stops.push(await focusStop(page, form));
      }
      const names = stops.map((s) => s.name);
      expect(names.at(-1), names.join(' → ')).toBe(`button ${c.button}`);
      expect(
        stops.every((s) => s.inForm),
        names.join(' → '),
      ).toBe(true);
      expect(names.at(-2)).toBe('Password');
      expect(names.indexOf(c.signerLabel)).toBeGreaterThanOrEqual(0);
      expect(names.indexOf(c.signerLabel)).toBeLessThan(names.indexOf('Password'));
      for (const [i, s] of stops.entries()) {
        if (i === 0) continue;
        const prev = stops[i - 1]!;
        // Reading order: further down, or on the same row further right.
        expect(
          s.y > prev.y + 8 || (Math.abs(s.y - prev.y) <= 8 && s.x > prev.x),
          `${prev.name} (${prev.x},${prev.y}) → ${s.name} (${s.x},${s.y})`,
        ).toBe(true);
        expect(s.visible, `focus not visible on ${s.name}`).toBe(true);
      }
      await page.screenshot({ path: join('test-results', `signing-keyboard-${CASES.indexOf(c) + 1}.png`) });

      // Back to the password (one Shift+Tab from the button) and Enter signs.
      await page.keyboard.press('Shift+Tab');
      expect((await focusStop(page, form)).name).toBe('Password');
      await page.keyboard.press('Enter');
      await expect
        .poll(async () => (await c.signed(page, form)) || (await form.getByRole('alert').allInnerTexts()).join(' '), { timeout: 20_000 })
        .toBe(true);
    },
    60_000,
  );

  it('raised no uncaught error in the page', () => {
    expect(errors).toEqual([]);
  });
});
