/**
 * The steps the Chromium walks share on the demo plant: the demo people, filing the case packer's speed change in the
 * editor, signing decisions in "Sign a decision" (the CAB's accountable roles, OT security and quality, approve),
 * booking the slot and starting with a witness, the shift supervisor's checkpoints, and the post-implementation review
 * signed on the Reviews panel, which approves the after-snapshots as the new baselines.
 */
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { SIGNED_ACTIONS, actionFieldLabels } from '../../src-shared/common/workflow/signed-actions.ts';

/** A demo person who signs: employee id and the demo password (src-main/services/demo-plant.ts). */
export interface DemoSigner {
  employeeId: string;
  password: string;
}

/** The demo people the walks sign as. */
export const DEMO = {
  ERIN: { employeeId: 'E100', password: 'demo-erin' },
  ELI: { employeeId: 'E101', password: 'demo-eli1' },
  PAT: { employeeId: 'M200', password: 'demo-pat1' },
  SAM: { employeeId: 'S300', password: 'demo-sam1' },
  QUINN: { employeeId: 'Q400', password: 'demo-quinn' },
  SKY: { employeeId: 'SV500', password: 'demo-sky1' },
} as const satisfies Record<string, DemoSigner>;

/** `YYYY-MM-DDTHH:MM` in the demo plant's time (America/Chicago): windows and slots are typed in plant time. */
export const localInput = (d: Date): string => DateTime.fromJSDate(d).setZone('America/Chicago').toFormat("yyyy-MM-dd'T'HH:mm");

/** Fills the signing form's extra fields (a role, a slot, a witness). */
export type FormExtra = (form: Locator) => Promise<unknown>;

/** Clicks "Explore the demo plant" on the first screen and waits for the DEMO plant and its history. */
export async function openDemoPlant(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Explore the demo plant' }).click();
  await page.getByRole('note', { name: 'Demo plant' }).waitFor({ timeout: 120_000 });
  await expect
    .poll(() => page.getByRole('button', { name: /Raise filler speed setpoint to 14 m\/min/ }).count(), { timeout: 15_000 })
    .toBe(1);
}

/**
 * Signs a decision in the change's "Sign a decision" form and waits for the status to become `status` (or the form's
 * refusal, which then fails the expectation with its text).
 */
export async function signDecision(
  page: Page,
  who: DemoSigner,
  decision: string,
  status: string,
  extra: FormExtra = async () => undefined,
): Promise<void> {
  const form = page.getByRole('form', { name: 'Sign a decision' });
  // The decision first: the signer list then offers exactly the people that decision allows.
  await form.getByLabel('Decision').selectOption({ label: decision });
  await form.getByLabel('Signer').selectOption(who.employeeId);
  await extra(form);
  const reviewed = form.getByRole('checkbox', { name: /reviewed the proposed diff/ });
  if (await reviewed.count()) {
    // Nobody approves what they have not been shown: the proposal is brought on screen, then the box is ticked.
    await page.getByTestId('proposal').scrollIntoViewIfNeeded();
    await form.getByTestId('sign-gate').waitFor({ state: 'detached' });
    await reviewed.check();
  }
  await form.getByLabel('Password', { exact: true }).fill(who.password);
  await form.getByRole('button', { name: 'Sign', exact: true }).click();
  const outcome = async () =>
    (await form.getByRole('alert').count()) > 0
      ? await form.getByRole('alert').innerText()
      : await page.getByTestId('change-status').innerText();
  // A journal refresh landing while the form is filled can reset it and leave Sign disabled (a known race): fill it again.
  for (let attempt = 0; attempt < 2; attempt++) {
    const deadline = Date.now() + 6_000;
    while (Date.now() < deadline && (await outcome()) !== status) await new Promise((r) => setTimeout(r, 250));
    if ((await outcome()) === status || (await form.getByRole('alert').count()) > 0) break;
    await form.getByLabel('Decision').selectOption({ label: decision });
    await form.getByLabel('Signer').selectOption(who.employeeId);
    await extra(form);
    await form.getByLabel('Password', { exact: true }).fill(who.password);
    const button = form.getByRole('button', { name: 'Sign', exact: true });
    if (await button.isEnabled()) await button.click();
  }
  await expect.poll(outcome, { timeout: 15_000 }).toBe(status);
}

/** Fills a checkpoint's form with every item confirmed and signs `decision` as the demo's shift supervisor. */
export async function signCheckpoint(page: Page, name: string, decision: string, who: DemoSigner = DEMO.SKY): Promise<void> {
  const decided = await page.getByTestId('checkpoint-decision').count();
  const form = page.getByRole('form', { name: `Checkpoint: ${name}` });
  for (const box of await form.getByRole('checkbox').all()) await box.check();
  await form.getByRole('radio', { name: decision, exact: true }).check();
  await form.getByLabel('Shift supervisor').selectOption(who.employeeId);
  expect(await form.getByTestId('demo-password').innerText()).toBe(`DEMO password: ${who.password}`);
  await form.getByLabel('Password', { exact: true }).fill(who.password);
  await form.getByRole('button', { name: 'Sign checkpoint decision' }).click();
  await expect
    .poll(
      async () =>
        (await form.getByRole('alert').count()) > 0
          ? await form.getByRole('alert').innerText()
          : await page.getByTestId('checkpoint-decision').count(),
      { timeout: 15_000 },
    )
    .toBe(decided + 1);
}

/**
 * Files the case packer's speed change (18 to 20 cases/min, tier-3 line L18; impact 3 makes it a medium risk, so the
 * CAB approves) as Erin in the change editor, the tag picked from the profile, and saves the draft.
 */
export async function fileCasePackerChange(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: 'New change…' }).click();
  const editor = page.getByRole('region', { name: 'Change request editor' });
  await editor.getByLabel('Requester').selectOption(DEMO.ERIN.employeeId);
  await editor.getByLabel('Class').selectOption('normal');
  await editor.getByLabel('Title').fill(title);
  await editor.getByLabel('Description').fill('Raise CasePacker_SpeedSP from 18 to 20 to follow the faster filler.');
  await editor.getByLabel('Justification').fill('Line 18 starves the palletiser at 18 cases/min.');
  await editor.getByRole('checkbox', { name: /PLC-L18-CASEPACKER \(line L18, tier 3\)/ }).check();
  await editor.getByLabel('Impact assessment').fill('Line 18 stops for five minutes.');
  await editor.getByLabel('Impact (1-5)').fill('3');
  await editor.getByLabel('Rollback plan').fill('Restore CasePacker_SpeedSP = 18 from the before-snapshot.');
  await editor.getByLabel('Test plan').fill('Run one pallet at 20 cases/min.');
  // The tag is picked from the case packer's profile, its current value (from the latest signed snapshot) filled in.
  await editor.getByRole('button', { name: 'Pick tags from the profile…' }).click();
  await editor.getByLabel('Find tags').fill('CasePacker_SpeedSP');
  await editor.getByRole('checkbox', { name: /^CasePacker_SpeedSP / }).check();
  await editor.getByRole('button', { name: 'Done picking' }).click();
  await editor.getByLabel('New value of CasePacker_SpeedSP').fill('20');
  const now = Date.now();
  await editor.getByLabel('Window start').fill(localInput(new Date(now + 5 * 60_000)));
  await editor.getByLabel('Window end').fill(localInput(new Date(now + 3 * 3600_000)));
  await editor.getByLabel('ITSM ticket').fill('CHG0050001');
  await editor.getByRole('button', { name: 'Save draft' }).click();
  await expect.poll(() => page.getByTestId('change-status').innerText(), { timeout: 15_000 }).toBe('draft');
}

/**
 * Submits the draft and has the CAB approve it: OT security first (the requirement then waits for quality, named as
 * the accountable role), then quality / compliance.
 */
export async function submitAndApproveByCab(page: Page): Promise<void> {
  await signDecision(page, DEMO.ERIN, 'Submit for approval', 'submitted');
  expect(await page.getByTestId('approval-requirement').first().innerText()).toMatch(
    /Change Advisory Board: 0 of 2 — 2 more approvals, including OT security and Quality \/ compliance \(accountable\)/,
  );
  await signDecision(page, DEMO.SAM, 'Approve', 'submitted', (f) =>
    f.getByLabel(actionFieldLabels('approve').role!).selectOption('ot-security'),
  );
  // The status stays "submitted": the requirement line shows the approval once the detail has reloaded.
  await expect
    .poll(() => page.getByTestId('approval-requirement').first().innerText(), { timeout: 15_000 })
    .toMatch(
      /Change Advisory Board: 1 of 2 \(Sam Security as OT security\) — 1 more approval, including Quality \/ compliance \(accountable\)/,
    );
  await signDecision(page, DEMO.QUINN, 'Approve', 'approved', (f) =>
    f.getByLabel(actionFieldLabels('approve').role!).selectOption('quality-compliance'),
  );
}

/** Books a one-hour slot from the next whole minute, waits for it, and starts execution with Eli as the witness. */
export async function scheduleAndStart(page: Page): Promise<void> {
  // The slot starts at the next whole minute (the inputs count minutes); the engineer waits for it.
  const slotStart = new Date(Math.ceil((Date.now() + 20_000) / 60_000) * 60_000);
  await signDecision(page, DEMO.ERIN, SIGNED_ACTIONS.schedule.title, 'scheduled', async (f) => {
    await f.getByLabel('Slot start').fill(localInput(slotStart));
    await f.getByLabel('Slot end').fill(localInput(new Date(slotStart.getTime() + 3600_000)));
  });
  await new Promise((r) => setTimeout(r, Math.max(0, slotStart.getTime() - Date.now() + 1000)));
  await signDecision(page, DEMO.ERIN, SIGNED_ACTIONS['start-execution'].title, 'in execution', async (f) => {
    // The witness block and its password, labelled as the signed-actions table names them.
    const witness = SIGNED_ACTIONS['start-execution'].cosigners[0]!;
    await f.getByRole('combobox', { name: witness.label, exact: true }).selectOption(DEMO.ELI.employeeId);
    await f.getByLabel(actionFieldLabels('start-execution')[witness.passwordField]!).fill(DEMO.ELI.password);
  });
  expect(await page.getByRole('region', { name: 'Timeline' }).innerText()).toMatch(
    /started execution, witnessed by [A-Z][a-z]+ [A-Z][a-z]+ \(E101\)/,
  );
}

/** The Reviews panel's post-implementation review form of a closed change. */
export function reviewForm(page: Page): Locator {
  return page.getByRole('region', { name: 'Reviews' }).getByRole('form', { name: /^Post-implementation review/ });
}

/**
 * Signs the post-implementation review on the Reviews panel as `who` (objectives met, findings, lessons learned);
 * resolves with the form's refusal, or '' once the review is recorded.
 */
export async function signReview(
  page: Page,
  who: DemoSigner,
  findings = 'Line 18 ran a full pallet at 20 cases/min; no jams.',
): Promise<string> {
  const form = reviewForm(page);
  const alert = form.getByRole('alert');
  const earlier = (await alert.count()) > 0 ? await alert.innerText() : '';
  await form.getByLabel('Signed by').selectOption(who.employeeId);
  await form.getByRole('checkbox', { name: 'Objectives met' }).check();
  await form.getByLabel('Findings').fill(findings);
  await form.getByLabel('Lessons learned').fill('Pick the tag from the profile; the simulator run caught nothing new.');
  await form.getByLabel('Password', { exact: true }).fill(who.password);
  await form.getByRole('button', { name: 'Sign the review and the new baselines' }).click();
  let refusal = '';
  // Done: the review shows and its form is gone. Refused: the form's alert, other than one left from an earlier try.
  await expect
    .poll(
      async () => {
        if ((await page.getByTestId('pir').count()) > 0) return true;
        const now = (await alert.count()) > 0 ? await alert.innerText() : '';
        if (now !== '' && now !== earlier) refusal = now;
        return refusal !== '';
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  return refusal;
}

/** How many signed snapshots the Controllers screen lists for the open controller. */
async function signedSnapshotCount(page: Page): Promise<number> {
  const list = page.getByTestId('signed-snapshots');
  if ((await list.count()) === 0) return 0;
  return ((await list.innerText()).match(/captured by /g) ?? []).length;
}

/**
 * Signs the capture on screen (Controllers) as evidence, then records that very snapshot on the change as its
 * before- or after-snapshot. The journal refreshes lists a moment after each signature, so the walk waits until the
 * controller lists one more signed snapshot and the change's "Signed snapshot" list offers it (newest first) before
 * choosing; choosing the first entry at once could pick an earlier capture.
 */
export async function signCaptureAndRecord(
  page: Page,
  o: { changeTitle: RegExp; phase: 'before' | 'after'; signer: DemoSigner },
): Promise<void> {
  const before = await signedSnapshotCount(page);
  await page.getByRole('button', { name: 'Sign as evidence…' }).click();
  const dialog = page.getByRole('form', { name: 'Sign capture' });
  await dialog.getByLabel('Signer').selectOption(o.signer.employeeId);
  await dialog.getByLabel('Password').fill(o.signer.password);
  await dialog.getByRole('button', { name: 'Sign' }).click();
  await dialog.waitFor({ state: 'detached' });
  await expect.poll(() => signedSnapshotCount(page), { timeout: 15_000 }).toBe(before + 1);
  await page.getByRole('button', { name: 'Changes' }).click();
  await page.getByRole('button', { name: o.changeTitle }).click();
  const rec = page.getByRole('form', { name: 'Record a snapshot' });
  await rec.getByLabel('Record as').selectOption(o.phase);
  const list = rec.getByLabel('Signed snapshot');
  // The placeholder ("choose…") and then every signed snapshot of the controller, newest first.
  await expect.poll(() => list.locator('option').count(), { timeout: 15_000 }).toBe(before + 2);
  await list.selectOption({ index: 1 });
  await rec.getByLabel('Recorded by').selectOption(o.signer.employeeId);
  await rec.getByLabel('Password', { exact: true }).fill(o.signer.password);
  await rec.getByRole('button', { name: 'Sign and record' }).click();
}
