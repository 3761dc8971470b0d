import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { captureAndSign, startLine1Simulator } from '../helpers/change-fixture.ts';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const pat = { name: 'Pat Manager', employeeId: 'M200', password: 'pat-password-1' };
const erin = { name: 'Erin Engineer', employeeId: 'E100', password: 'erin-password-1' };

describe('One vocabulary of roles: a plant set up from its roster approves a baseline (1366x768)', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const actor = app.actor();
      app.identity.createCa('Plant CA', 'plant-ca-secret-1', actor);
      app.identity.enrol({ ...pat, roles: ['plant-engineering-manager'] }, 'plant-ca-secret-1', actor);
      app.plantModel.importPlant(readFileSync(root('resources/plant/demo-plant.yaml'), 'utf8'), 'demo-plant.yaml', pat);
      // The roster, in the policy's roles only; people are enrolled with exactly their roster roles.
      const roster = app.plantModel.importRoster(
        'employee_id,name,roles\nM200,Pat Manager,plant-engineering-manager\nE100,Erin Engineer,controls-engineer\nQ400,Quinn Quality,quality-compliance\n',
        'roster.csv',
        pat,
      );
      const e = roster.find((r) => r.employeeId === erin.employeeId)!;
      app.identity.enrol({ name: e.name, employeeId: e.employeeId, roles: e.roles, password: erin.password }, 'plant-ca-secret-1', actor);
      const profile = app.profiles.import(
        'line1',
        'modbus',
        readFileSync(root('test/fixtures/profiles-capture/modbus-line1.csv'), 'utf8'),
        actor,
      );
      const c = app.controllers.register(
        'PLC-L01-FILLER',
        { protocol: 'modbus-tcp', host: '127.0.0.1', port: line1.sim.port, unitId: 1, wordOrder: 'high-first' },
        profile.sha256,
        actor,
      );
      // The only plant engineering manager captured this snapshot himself: nobody may approve it.
      await captureAndSign(app, c.id, pat);
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'UTC' }, errors);
    page = ui.page;
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it("People offers the roster's roles only, by their names", async () => {
    await page.getByRole('button', { name: 'People' }).click();
    // With people enrolled, enrolment is one button until it is needed.
    await page.getByRole('button', { name: 'Enrol a person…' }).click();
    const enrol = page.getByRole('form', { name: 'Enrol person' });
    await enrol.waitFor();
    const roles = await enrol
      .getByRole('group', { name: 'Roles' })
      .getByRole('checkbox')
      .evaluateAll((boxes) => boxes.map((b) => b.parentElement?.textContent?.trim() ?? ''));
    expect(roles).toContain('Plant engineering manager');
    expect(roles).toContain('Controls engineer');
    expect(roles).not.toContain('approver');
    expect(roles).not.toContain('engineer');
    expect(roles.some((r) => /Baseline\)/.test(r))).toBe(false);
    expect(await page.locator('tr[data-roster="E100"]').innerText()).toMatch(/Controls engineer/);
    await page.screenshot({ path: join('test-results', 'people.png') });
  });

  it("the baseline signer list says why nobody may approve, then offers the plant engineering manager for the engineer's snapshot", async () => {
    await page.getByRole('button', { name: 'Controllers' }).click();
    await page.getByRole('button', { name: /PLC-L01-FILLER/ }).click();
    await page.getByRole('button', { name: 'Approve latest signed snapshot as baseline…' }).click();
    let approve = page.getByRole('form', { name: 'Approve baseline' });
    expect(await approve.getByTestId('no-signer').innerText()).toMatch(/Nobody may approve a baseline: Pat Manager captured this snapshot/);
    expect(await approve.getByLabel('Signer').locator('option').allInnerTexts()).toEqual(['choose…']);
    await approve.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Capture now' }).click();
    // The values on screen are those of Pat's capture until the new one is recorded (the simulator still holds 12.5):
    // wait for the second capture in the history, or "Sign as evidence" would sign Pat's capture again.
    await page.getByLabel('Compare with').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('capture-values').locator('tr[data-tag="Line1_SpeedSP"] td.num').innerText()).toBe('12.5');
    await page.getByRole('button', { name: 'Sign as evidence…' }).click();
    const dialog = page.getByRole('form', { name: 'Sign capture' });
    await dialog.getByLabel('Signer').selectOption(erin.employeeId);
    await dialog.getByLabel('Password').fill(erin.password);
    await dialog.getByRole('button', { name: 'Sign' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Approve latest signed snapshot as baseline…' }).click();
    approve = page.getByRole('form', { name: 'Approve baseline' });
    // The snapshot list refreshes from the journal event of Erin's signature; that can take a moment under load.
    await expect
      .poll(() => approve.getByLabel('Signer').locator('option').allInnerTexts(), { timeout: 15_000 })
      .toEqual(['choose…', `${pat.name} (${pat.employeeId})`]);
    await approve.getByLabel('Signer').selectOption(pat.employeeId);
    await approve.getByLabel('Password').fill(pat.password);
    await approve.getByRole('button', { name: 'Sign and approve' }).click();
    await expect
      .poll(() => page.getByTestId('baseline-state').innerText(), { timeout: 15_000 })
      .toMatch(/Baseline v1, approved by Pat Manager/);
    expect(errors).toEqual([]);
  });
});
