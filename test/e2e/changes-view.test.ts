import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';
import { RACI, setUpPlant } from '../helpers/change-fixture.ts';

const [eng, pem, sec, quinn] = RACI;
const boss = { name: 'Morgan Plant', employeeId: 'P500', roles: ['plant-manager'], password: 'morgan-password-1' };

/** `YYYY-MM-DDTHH:MM` for a datetime-local input (read in plant time). */
function localInput(d: Date): string {
  return d.toISOString().slice(0, 16);
}

describe('Changes in Chromium: an engineer files a normal change, the CAB approves with quorum 2 and both accountable roles', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      setUpPlant(app);
      app.identity.enrol(boss, 'plant-ca-secret-1', app.actor());
    } finally {
      app.close();
    }
    ui = await openAppPage(t.home, { viewport: { width: 1500, height: 1000 }, timezoneId: 'UTC' }, errors);
    page = ui.page;
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  async function sign(employeeId: string, decision: string, password: string, role?: string): Promise<void> {
    const form = page.getByRole('form', { name: 'Sign a decision' });
    await form.getByLabel('Decision').selectOption({ label: decision });
    await form.getByLabel('Signer').selectOption(employeeId);
    if (role) await form.getByLabel('As role').selectOption(role);
    if (decision === 'Approve') {
      await page.getByTestId('proposal').scrollIntoViewIfNeeded(); // the approval waits until the proposal has been on screen
      await form.getByRole('checkbox', { name: /reviewed the proposed diff/ }).check();
    }
    await form.getByLabel('Password').fill(password);
    await form.getByRole('button', { name: 'Sign' }).click();
  }

  it('the editor shows what the policy requires while the request is written, then saves the draft', async () => {
    await page.getByRole('button', { name: 'Changes' }).click();
    await page.getByRole('button', { name: 'New change…' }).click();
    const editor = page.getByRole('region', { name: 'Change request editor' });
    await editor.getByLabel('Requester').selectOption(eng.employeeId);
    await editor.getByLabel('Class').selectOption('normal');
    await editor.getByLabel('Title').fill('Raise filler speed setpoint to 14 m/min');
    await editor.getByLabel('Description').fill('Increase Line1_SpeedSP from 12.5 to 14.0.');
    await editor.getByLabel('Justification').fill('Throughput target; motor upgraded under MOC-2291.');
    await editor.getByRole('checkbox', { name: /PLC-L01-FILLER \(line L01, tier 1\)/ }).check();
    await editor.getByLabel('Impact assessment').fill('L01 stops for 10 minutes during the download.');
    await editor.getByLabel('Rollback plan').fill('Restore Line1_SpeedSP = 12.5 from the before-snapshot.');
    await editor.getByLabel('Test plan').fill('Run 30 minutes at 14 m/min.');
    await editor.getByRole('button', { name: 'Pick tags from the profile…' }).click();
    await editor.getByLabel('Find tags').fill('Line1_SpeedSP');
    await editor.getByRole('checkbox', { name: /^Line1_SpeedSP / }).check();
    await editor.getByRole('button', { name: 'Done picking' }).click();
    await editor.getByLabel('New value of Line1_SpeedSP').fill('14');
    const start = new Date(Date.now() + 3 * 86_400_000);
    start.setUTCHours(23, 0, 0, 0);
    await editor.getByLabel('Window start').fill(localInput(start));
    await editor.getByLabel('Window end').fill(localInput(new Date(start.getTime() + 2 * 3600_000)));
    await editor.getByLabel('ITSM ticket').fill('CHG0042311');
    await editor.getByLabel('MOC reference').fill('MOC-2291');
    const requirements = page.getByTestId('requirements');
    await expect
      .poll(() => requirements.innerText())
      .toMatch(
        /Change Advisory Board: 2 of Plant engineering manager, OT security, Quality \/ compliance, including OT security and Quality \/ compliance \(accountable\)\./,
      );
    expect(await requirements.innerText()).toMatch(/48 h/);
    await page.screenshot({ path: join('test-results', 'changes-editor.png') });
    await editor.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => page.getByTestId('change-status').innerText()).toBe('draft');
  });

  it('the requester reopens the draft, edits it, and the edit is on the timeline', async () => {
    await page.getByRole('button', { name: 'Edit request…' }).click();
    const editor = page.getByRole('region', { name: 'Change request editor' });
    expect(await editor.getByLabel('Title').inputValue()).toBe('Raise filler speed setpoint to 14 m/min');
    expect(await editor.getByLabel('New value of Line1_SpeedSP').inputValue()).toBe('14');
    await editor.getByLabel('Test plan').fill('Run 30 minutes at 14 m/min; reject rate below 0.5%.');
    await editor.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Timeline' }).innerText()).toMatch(/edited the request/);
    expect(await page.getByRole('region', { name: 'Change request editor' }).count()).toBe(0);
  });

  it('the requester submits (signed); they are not offered as an approver; the CAB waits for its accountable roles, then approves', async () => {
    await sign(eng.employeeId, 'Submit for approval', eng.password);
    await expect.poll(() => page.getByTestId('change-status').innerText()).toBe('submitted');
    const form = page.getByRole('form', { name: 'Sign a decision' });
    await form.getByLabel('Decision').selectOption({ label: 'Approve' });
    // The CAB's roles, not the requester, and not the plant manager (the escalation role, before the approval timeout).
    const offered = await form.getByLabel('Signer').locator('option').allInnerTexts();
    expect(offered.sort()).toEqual(
      ['choose…', `${pem.name} (${pem.employeeId})`, `${quinn.name} (${quinn.employeeId})`, `${sec.name} (${sec.employeeId})`].sort(),
    );
    // The RACI: OT security and quality are accountable for a CAB approval, so both sign it; any two of the three do not.
    const requirement = page.getByTestId('approval-requirement').first();
    expect(await requirement.innerText()).toMatch(
      /Change Advisory Board: 0 of 2 — 2 more approvals, including OT security and Quality \/ compliance \(accountable\)/,
    );
    await sign(sec.employeeId, 'Approve', sec.password, 'ot-security');
    await expect
      .poll(() => requirement.innerText())
      .toMatch(
        /Change Advisory Board: 1 of 2 \(Sam Security as OT security\) — 1 more approval, including Quality \/ compliance \(accountable\)/,
      );
    // The plant engineering manager would make two, but the quorum's last place is quality's: refused, naming the role.
    await sign(pem.employeeId, 'Approve', pem.password, 'plant-engineering-manager');
    await expect
      .poll(() => form.getByRole('alert').innerText())
      .toMatch(
        /Change Advisory Board still needs its accountable Quality \/ compliance, which leaves no place in its quorum for Plant engineering manager/,
      );
    expect(await page.getByTestId('change-status').innerText()).toBe('submitted');
    expect(await requirement.innerText()).toMatch(/1 of 2 .* including Quality \/ compliance \(accountable\)/);
    await page.getByRole('region', { name: 'Approvals' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join('test-results', 'changes-waiting-accountable.png') });
    await sign(quinn.employeeId, 'Approve', quinn.password, 'quality-compliance');
    await expect.poll(() => page.getByTestId('change-status').innerText()).toBe('approved');
    expect(await requirement.innerText()).toMatch(
      /Change Advisory Board: 2 of 2 \(Sam Security as OT security, Quinn Quality as Quality \/ compliance\) ✓/,
    );
    expect(await page.getByRole('region', { name: 'Timeline' }).innerText()).toMatch(/Sam Security approved as OT security \(e-signed\)/);
    await page.screenshot({ path: join('test-results', 'changes-approved.png') });
  });

  let scheduledSlotText = '';
  it('a daytime slot is refused until the plant manager signs an override; starting before the slot is refused', async () => {
    // The first Tuesday 12:00 in the plant's time zone at least 3 days out (after the 48 h notice), outside the
    // year-end freeze: production hours, outside every change window.
    let slot = DateTime.now().setZone('America/Chicago').plus({ days: 3 }).set({ hour: 12, minute: 0, second: 0, millisecond: 0 });
    while (slot.weekday !== 2 || (slot.month === 12 && slot.day >= 15) || (slot.month === 1 && slot.day <= 5))
      slot = slot.plus({ days: 1 });
    const form = page.getByRole('form', { name: 'Sign a decision' });
    await form.getByLabel('Decision').selectOption({ label: 'Schedule in a slot' });
    await form.getByLabel('Signer').selectOption(eng.employeeId);
    // Slots are typed in plant time.
    await form.getByLabel('Slot start').fill(slot.toFormat("yyyy-LL-dd'T'HH:mm"));
    await form.getByLabel('Slot end').fill(slot.plus({ hours: 1 }).toFormat("yyyy-LL-dd'T'HH:mm"));
    await form.getByLabel('Password', { exact: true }).fill(eng.password);
    await form.getByRole('button', { name: 'Sign' }).click();
    const windowRefusal = form.getByRole('alert');
    await windowRefusal.waitFor();
    expect(await windowRefusal.innerText()).toMatch(/not inside a change window .*an override needs the signature of Plant manager/);
    // The refusal writes plant time as every screen does: the abbreviation in force then (CST or CDT), not the zone's IANA name.
    const abbrev = slot.setLocale('en-US').offsetNameShort!;
    expect(abbrev).toMatch(/^C[SD]T$/);
    expect(await windowRefusal.innerText()).toContain(`${slot.setLocale('en-GB').toFormat('ccc d LLL yyyy HH:mm')} ${abbrev} to `);
    expect(await windowRefusal.innerText()).not.toContain('America/Chicago');
    await form.getByLabel('Override by').selectOption(boss.employeeId);
    await form.getByLabel('Override role').selectOption('plant-manager');
    await form.getByLabel('Override reason').fill('L01 is stopped all Tuesday for the motor swap.');
    await form.getByLabel("Override approver's password").fill(boss.password);
    await form.getByLabel('Password', { exact: true }).fill(eng.password);
    await page.screenshot({ path: join('test-results', 'changes-override.png') });
    await form.getByRole('button', { name: 'Sign' }).click();
    await expect.poll(() => page.getByTestId('change-status').innerText()).toBe('scheduled');
    expect(await page.getByRole('region', { name: 'Timeline' }).innerText()).toMatch(
      /override \(outside every change window\) by Morgan Plant \(P500\) as Plant manager/,
    );
    // The timeline writes the slot in plant time with the same abbreviation as the times beside it.
    const plantText = (d: DateTime) => `${d.setLocale('en-GB').toFormat('ccc d LLL yyyy HH:mm')} ${abbrev}`;
    const timelineText = await page.getByRole('region', { name: 'Timeline' }).innerText();
    expect(timelineText).toContain(`scheduled ${plantText(slot)} – ${plantText(slot.plus({ hours: 1 }))}`);
    expect(timelineText).not.toContain('America/Chicago');
    scheduledSlotText = `${slot.toFormat('HH:mm')} – ${slot.plus({ hours: 1 }).toFormat('HH:mm')}`;
    await form.getByLabel('Decision').selectOption({ label: 'Start execution (go)' });
    await form.getByLabel('Signer').selectOption(eng.employeeId);
    await form.getByLabel('Password', { exact: true }).fill(eng.password);
    await form.getByRole('button', { name: 'Sign' }).click();
    const refusal = form.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/is scheduled from .* it is now [\s\S]*What to do: Wait for the slot to begin/);
    expect(await page.getByTestId('change-status').innerText()).toBe('scheduled');
  });

  it('the register filters by line and by "mine" (requested or decided by a person)', async () => {
    const register = page.getByRole('list', { name: 'Change register' });
    const rows = () => register.getByRole('button').count();
    expect(await rows()).toBe(1);
    await page.getByLabel('Filter by line').selectOption('L02');
    await expect.poll(rows).toBe(0);
    await page.getByLabel('Filter by line').selectOption('L01');
    await expect.poll(rows).toBe(1);
    await page.getByLabel('Mine: requested or decided by').selectOption(pem.employeeId); // Pat's approval was refused: he decided nothing here
    await expect.poll(rows).toBe(0);
    await page.getByLabel('Mine: requested or decided by').selectOption(sec.employeeId); // Sam approved it
    await expect.poll(rows).toBe(1);
    await page.getByLabel('Mine: requested or decided by').selectOption('');
    await page.getByLabel('Filter by line').selectOption('');
  });

  it("the windows calendar shows the change's window on its line, with the line's windows", async () => {
    await page.getByRole('button', { name: 'Windows' }).click();
    await page.getByLabel('Line').selectOption('L01');
    const requested = page.getByTestId('requested-window');
    await requested.waitFor();
    // Scheduled: the calendar shows the booked slot (one hour), not the two hours the request asked for.
    expect(await requested.innerText()).toMatch(/CR-\d{4} Raise filler speed setpoint to 14 m\/min \(scheduled\): .* on L01/);
    expect(await requested.innerText()).toContain(scheduledSlotText);
    const line = page.locator('[data-testid=calendar-line][data-line="L01"]');
    await line.waitFor();
    expect(await line.innerText()).toMatch(/tier 1/);
    await page.screenshot({ path: join('test-results', 'windows-calendar.png') });
    expect(errors).toEqual([]);
  });
});
