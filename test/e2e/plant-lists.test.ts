import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createDemoPlant } from '../../src-main/services/demo-plant.ts';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';

const PAT = { employeeId: 'M200', password: 'demo-pat1' };

describe('Plant-scale lists in Chromium on the 24-line demo plant: line capture, controller edit and retirement, global search, proposal tags, Audit filters', () => {
  const t = tempHome('baseline-lists-e2e-');
  const home = join(t.home, 'demo');
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];
  let openDraft = '';
  // Two controllers on line 2 that accept the connection and never answer: their capture lasts until it is cancelled.
  let silent: Server;
  const held: Socket[] = [];

  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    await createDemoPlant({ home, keyProtection: filePermissionsProtection });
    silent = createServer((sock) => {
      held.push(sock);
      sock.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    const app = BaselineApp.open({ home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      // A labeler on line 1 that nothing answers (a closed loopback port), and an open draft targeting the case packer.
      const filler = app.controllers.list().find((c) => c.name === 'PLC-L01-FILLER')!;
      const labeler = app.controllers.register(
        'PLC-L01-LABELER',
        { protocol: 'modbus-tcp', host: '127.0.0.1', port: 1, unitId: 1, wordOrder: 'high-first' },
        filler.profile!.sha256,
        app.actor(),
      );
      app.plantModel.assignLine(labeler.id, 'L01', 'labeler of line 1', PAT);
      for (const name of ['PLC-L02-CAPPER', 'PLC-L02-SEALER']) {
        const c = app.controllers.register(
          name,
          { protocol: 'modbus-tcp', host: '127.0.0.1', port: silentPort, unitId: 1, wordOrder: 'high-first' },
          filler.profile!.sha256,
          app.actor(),
        );
        app.plantModel.assignLine(c.id, 'L02', `${name} on line 2`, PAT);
      }
      const casePacker = app.controllers.list().find((c) => c.name === 'PLC-L18-CASEPACKER')!;
      const draft = app.changes.create(
        'E101',
        { title: 'Case packer carton guide', targetControllers: [casePacker.id] } as never,
        app.actor(),
      );
      openDraft = app.changes.get(draft.id).number!;
    } finally {
      app.close();
    }
    ui = await openAppPage(home, { viewport: { width: 1366, height: 768 }, timezoneId: 'Europe/Berlin' }, errors);
    page = ui.page;
    await page.getByRole('button', { name: 'Controllers', exact: true }).click();
  }, 240_000);
  afterAll(async () => {
    await ui?.close();
    for (const sock of held) sock.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    t.cleanup();
  });

  it('captures every controller of line 1 in one action: the filler is captured, the unreachable labeler is reported, and the rest goes on', async () => {
    const list = page.getByRole('list', { name: 'Registered controllers' });
    await expect
      .poll(() => list.innerText())
      .toMatch(/L01 .*tier 1[\s\S]*PLC-L01-FILLER[\s\S]*PLC-L01-LABELER[\s\S]*L05[\s\S]*PLC-L05-CAPPER[\s\S]*L18[\s\S]*PLC-L18-CASEPACKER/);
    await page.getByRole('button', { name: 'Capture all controllers of line L01' }).click();
    const outcome = page.getByTestId('line-capture-L01');
    await outcome.waitFor({ timeout: 60_000 });
    expect(await outcome.locator('[data-controller="PLC-L01-FILLER"]').getAttribute('data-status')).toBe('captured');
    expect(await outcome.locator('[data-controller="PLC-L01-LABELER"]').getAttribute('data-status')).toBe('incomplete');
    expect(await outcome.innerText()).toMatch(/1 of 2 controllers of line L01 captured completely/);
    await page.screenshot({ path: join('test-results', 'controllers-lines-1366.png') });
    expect(errors).toEqual([]);
  }, 90_000);

  it('a line capture can be cancelled: the controller being read and the one not yet read are marked cancelled, never evidence', async () => {
    await page.getByRole('button', { name: 'Capture all controllers of line L02' }).click();
    const cancel = page.getByRole('button', { name: 'Cancel the capture of line L02' });
    await cancel.waitFor();
    await page.waitForTimeout(1_000); // the first controller's capture is under way
    await cancel.click();
    const outcome = page.getByTestId('line-capture-L02');
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.locator('[data-controller="PLC-L02-CAPPER"]').getAttribute('data-status')).toBe('cancelled');
    expect(await outcome.locator('[data-controller="PLC-L02-SEALER"]').getAttribute('data-status')).toBe('cancelled');
    expect(await outcome.innerText()).toMatch(/0 of 2 controllers of line L02 captured completely/);
    expect(await outcome.locator('[data-controller="PLC-L02-CAPPER"]').innerText()).toMatch(
      /cancelled \(not evidence\).*Cancelled mid-way.*never evidence/,
    );
    expect(await outcome.locator('[data-controller="PLC-L02-SEALER"]').innerText()).toMatch(/cancelled \(not evidence\).*Not captured/);
    // The capture cut off by the cancel is kept as incomplete; the labeler was never read.
    const entry = (name: string) =>
      page.getByRole('list', { name: 'Registered controllers' }).locator('button.list-item').filter({ hasText: name });
    await expect.poll(() => entry('PLC-L02-CAPPER').innerText()).toMatch(/incomplete/);
    expect(await entry('PLC-L02-SEALER').innerText()).toMatch(/never captured/);
    expect(await page.getByRole('button', { name: 'Capture all controllers of line L02' }).isEnabled()).toBe(true);
    await outcome.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'controllers-line-cancelled-1366.png') });
    expect(errors).toEqual([]);
  }, 60_000);

  it('edits the labeler (signed by plant engineering, with a reason), and refuses to retire a controller an open change targets', async () => {
    await page.getByRole('button', { name: /PLC-L01-LABELER/ }).click();
    await page.getByRole('button', { name: 'Edit controller…' }).click();
    const form = page.getByRole('form', { name: 'Edit PLC-L01-LABELER' });
    await form.getByLabel('Port').fill('1502');
    await form.getByLabel('Signed by').selectOption(PAT.employeeId);
    await form.getByLabel('Password', { exact: true }).fill(PAT.password);
    await form.getByRole('button', { name: 'Sign and save' }).click();
    await expect.poll(() => form.getByRole('alert').innerText()).toMatch(/An edit of a controller needs a reason[\s\S]*What to do:/);
    await form.getByLabel('Reason').fill('the labeler answers on port 1502');
    await form.getByLabel('Password', { exact: true }).fill(PAT.password);
    await form.getByRole('button', { name: 'Sign and save' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Controller PLC-L01-LABELER' }).innerText()).toMatch(/127\.0\.0\.1:1502/);

    await page.getByRole('button', { name: /PLC-L18-CASEPACKER/ }).click();
    await page.getByRole('button', { name: 'Retire…' }).click();
    const retire = page.getByRole('form', { name: 'Retire PLC-L18-CASEPACKER' });
    await retire.getByLabel('Reason').fill('line 18 rebuilt');
    await retire.getByLabel('Signed by').selectOption(PAT.employeeId);
    await retire.getByLabel('Password', { exact: true }).fill(PAT.password);
    await retire.getByRole('button', { name: 'Sign and retire' }).click();
    await expect.poll(() => retire.getByRole('alert').innerText()).toContain(`${openDraft} "Case packer carton guide" (draft)`);
    expect(
      (await page.getByRole('list', { name: 'Registered controllers' }).locator('button.list-item').allInnerTexts()).join('\n'),
    ).toContain('PLC-L18-CASEPACKER');
    await retire.getByRole('button', { name: 'Cancel' }).click();

    // The labeler, which no open change targets, is retired and leaves the list and the change editor's targets.
    await page.getByRole('button', { name: /PLC-L01-LABELER/ }).click();
    await page.getByRole('button', { name: 'Retire…' }).click();
    const retireLabeler = page.getByRole('form', { name: 'Retire PLC-L01-LABELER' });
    await retireLabeler.getByLabel('Reason').fill('labeler replaced by a print-and-apply unit');
    await retireLabeler.getByLabel('Signed by').selectOption(PAT.employeeId);
    await retireLabeler.getByLabel('Password', { exact: true }).fill(PAT.password);
    await retireLabeler.getByRole('button', { name: 'Sign and retire' }).click();
    const entries = () => page.getByRole('list', { name: 'Registered controllers' }).locator('button.list-item').allInnerTexts();
    await expect.poll(async () => (await entries()).join('\n')).not.toContain('PLC-L01-LABELER');
    expect((await entries()).join('\n')).toContain('PLC-L01-FILLER');
    expect(errors).toEqual([]);
  }, 60_000);

  it('the header search finds a change by CR number, a tag of a profile and a person, and each hit opens its screen', async () => {
    const search = page.getByLabel('Search everything');
    await search.fill('speedsp');
    const results = page.getByRole('region', { name: 'Search results' });
    await expect.poll(() => results.innerText()).toMatch(/Tags[\s\S]*Filler_SpeedSP[\s\S]*on PLC-L01-FILLER/);
    await page.screenshot({ path: join('test-results', 'search-results-1366.png') });
    await results.getByRole('button', { name: /^Filler_SpeedSP on PLC-L01-FILLER/ }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Controller PLC-L01-FILLER' }).count()).toBe(1);
    await expect.poll(() => page.getByLabel('Search tags').inputValue()).toBe('Filler_SpeedSP');
    await expect.poll(() => page.getByTestId('capture-values').locator('tbody tr').count()).toBe(1);

    await search.fill('CR-0001');
    await results.getByRole('button', { name: /^CR-0001 / }).click();
    await expect.poll(() => page.getByTestId('detail-number').innerText()).toBe('CR-0001');

    await search.fill('robin');
    await results.getByRole('button', { name: /^Robin Safety/ }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'People' }).count()).toBe(1);
    // The person is brought into view and marked; the built-in admin role reads in words.
    const alexInView = () =>
      page.locator('tr[data-employee="A900"]').evaluate((el) => {
        const r = el.getBoundingClientRect();
        const view = el.closest('main')!.getBoundingClientRect();
        return r.top >= view.top && r.bottom <= view.bottom;
      });
    await page.locator('main.content').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(alexInView).toBe(false);
    await search.fill('alex');
    await results.getByRole('button', { name: /^Alex Admin/ }).click();
    const alex = page.locator('tr[data-employee="A900"]');
    await expect.poll(() => alex.getAttribute('class')).toBe('focused');
    expect(await alex.getAttribute('aria-current')).toBe('true');
    expect(await page.locator('tr.focused').count()).toBe(2); // enrolled, and on the roster
    expect(await alex.innerText()).toContain('Baseline administrator');
    expect(await page.getByRole('table', { name: 'People' }).innerText()).not.toMatch(/\badmin\b/);
    await expect.poll(alexInView).toBe(true);
    await page.screenshot({ path: join('test-results', 'people-search-focus-1366.png') });
    // A retired controller is not found any more.
    await search.fill('LABELER');
    await expect.poll(() => results.innerText()).toMatch(/Nothing matches/);
    await search.press('Escape');
    expect(errors).toEqual([]);
  }, 60_000);

  it("a proposed change picks several tags from the filler's profile with their current values filled in, and the saved diff shows them", async () => {
    await page.getByRole('button', { name: 'Changes', exact: true }).click();
    await page.getByRole('button', { name: 'New change…' }).click();
    const editor = page.getByRole('region', { name: 'Change request editor' });
    await editor.getByLabel('Requester').selectOption('E100');
    await editor.getByLabel('Class').selectOption('normal');
    await editor.getByLabel('Title').fill('Filler speed and fill volume for the 1.5 l bottle');
    expect(await editor.getByText('PLC-L01-LABELER').count()).toBe(0);
    await editor.getByRole('checkbox', { name: /PLC-L01-FILLER/ }).check();
    await editor.getByRole('button', { name: 'Pick tags from the profile…' }).click();
    const choices = editor.getByTestId('tag-choices');
    await expect.poll(() => choices.innerText()).toMatch(/latest signed snapshot \(captured by Erin Engineer\)/);
    await choices.getByRole('checkbox', { name: /^Filler_SpeedSP / }).check();
    const second = choices.locator('label[data-tag]').filter({ hasNotText: 'Filler_SpeedSP' }).first();
    const secondTag = (await second.getAttribute('data-tag'))!;
    await second.getByRole('checkbox').check();
    await editor.getByRole('button', { name: 'Done picking' }).click();
    const rows = editor.getByTestId('proposed-rows');
    expect(await rows.locator('tr[data-tag="Filler_SpeedSP"] td').nth(2).innerText()).toBe('14');
    await editor.getByLabel('New value of Filler_SpeedSP').fill('15');
    await editor.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => page.getByTestId('change-status').innerText(), { timeout: 15_000 }).toBe('draft');
    const proposal = page.getByTestId('proposal');
    await expect.poll(() => proposal.locator('[data-testid="diff-row"][data-tag="Filler_SpeedSP"]').innerText()).toMatch(/14[\s\S]*15/);
    // The second tag kept its current value as the new one: proposed unchanged, still in the request.
    expect(await proposal.innerText()).toContain(secondTag);
    // Each row's kind reads whole in its column at 1366x768 (an unchanged row too, not "unchanged …").
    const clipped = await proposal
      .locator('[data-testid="diff-row"] .diff-kind')
      .evaluateAll((els) => els.filter((e) => e.parentElement!.scrollWidth > e.parentElement!.clientWidth).map((e) => e.textContent));
    expect(clipped).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);

  it('the register as a plant sees it (states and outcomes), and it stays beside a long change detail while the detail scrolls', async () => {
    await page.getByRole('button', { name: 'Changes', exact: true }).click();
    const register = page.getByRole('list', { name: 'Change register' });
    await expect.poll(() => register.getByTestId('register-state').count()).toBeGreaterThan(4);
    const states = new Set(await register.getByTestId('register-state').allInnerTexts());
    expect(states.size).toBeGreaterThanOrEqual(3);
    expect([...states].join('|')).toMatch(/completed/);
    await page.screenshot({ path: join('test-results', 'surface-register.png') });
    await register
      .getByRole('button', { name: /Raise filler speed setpoint/ })
      .first()
      .click();
    await expect.poll(() => page.getByTestId('detail-number').innerText()).toBe('CR-0001');
    // Scrolled to the end of the change: the register is still on screen beside it.
    await page.locator('main.content').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(() => page.locator('main.content').evaluate((el) => el.scrollTop)).toBeGreaterThan(300);
    const first = register.getByRole('button').first();
    const box = (await first.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(44);
    expect(box.y + box.height).toBeLessThanOrEqual(768);
    await page.screenshot({ path: join('test-results', 'surface-change-detail-scrolled-1366.png') });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: join('test-results', 'surface-change-detail-scrolled-1920.png') });
    await page.locator('main.content').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: join('test-results', 'surface-change-detail-1920.png') });
    for (const [view, file] of [
      ['People', 'surface-people-1920.png'],
      ['Windows', 'surface-windows-1920.png'],
    ] as const) {
      await page.getByRole('button', { name: view, exact: true }).click();
      await page.waitForTimeout(1_000);
      await page.screenshot({ path: join('test-results', file) });
    }
    await page.setViewportSize({ width: 1366, height: 768 });
    expect(errors).toEqual([]);
  }, 60_000);

  it('the Audit trail is filtered by who signed, by change number, by event type and by plant date', async () => {
    await page.getByRole('button', { name: 'Audit trail' }).click();
    const filters = page.getByRole('form', { name: 'Filter the audit trail' });
    await expect.poll(() => filters.getByLabel('Signed by').locator('option').count()).toBeGreaterThan(5);
    await filters.getByLabel('Signed by').selectOption(PAT.employeeId);
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.getByTestId('journal-counts').innerText()).toMatch(/matching events shown/);
    const signers = await page.getByTestId('event-signers').allInnerTexts();
    expect(signers.length).toBeGreaterThan(3);
    for (const s of signers) expect(s).toContain('Pat Manager (M200)');
    // Pat's signatures include the labeler's edit and retirement recorded from this browser session.
    const types = await page.getByTestId('event-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    expect(types).toEqual(expect.arrayContaining(['controller.edited', 'controller.retired', 'baseline.approved']));

    await filters.getByLabel('Signed by').selectOption('');
    await filters.getByLabel('Change number').fill('CR-0001');
    await filters.getByLabel('Event type').selectOption('change.updated');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect
      .poll(async () => [
        ...new Set(await page.getByTestId('event-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')))),
      ])
      .toEqual(['change.updated']);
    const n = await page.getByTestId('event-row').count();
    expect(n).toBeGreaterThan(5);

    await filters.getByLabel('Change number').fill('CR-0999');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.getByRole('alert').first().innerText()).toMatch(/There is no change CR-0999/);

    await filters.getByLabel('Change number').fill('');
    await filters.getByLabel('Event type').selectOption('');
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    await filters.getByLabel('From date').fill(tomorrow);
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.getByTestId('journal-counts').innerText()).toMatch(/^0 of 0 matching events/);
    await filters.getByRole('button', { name: 'Show all' }).click();
    await expect.poll(() => page.getByTestId('event-row').count()).toBeGreaterThan(50);
    expect(errors).toEqual([]);
  }, 60_000);
});
