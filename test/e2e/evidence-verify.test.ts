/**
 * Issue #14, the offline verifier in the app: an evidence pack dropped on (or picked on) the Audit screen is checked
 * against the plant CA this laptop trusts. A good pack passes with its change, signers and checks; the same pack
 * with one flipped byte fails naming the member. The change's detail exports the pack the browser saves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { writeZip } from '../../src-shared/node/evidence/pack-zip.ts';
import { verifyPack } from '../../src-shared/node/evidence/pack-verifier.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { setUpPlant, startLine1Simulator } from '../helpers/change-fixture.ts';
import { completedFillerChange, testClock } from '../helpers/completed-change.ts';
import { packMembers } from '../helpers/pack-tamper.ts';
import { tempHome } from '../helpers/temp-home.ts';

const SHOTS = 'test-results';
const FLIPPED = 'policy/policy.yaml';

describe('verifying an evidence pack on the Audit screen, in Chromium', () => {
  const t = tempHome();
  const errors: string[] = [];
  let ui: AppPage;
  let page: Page;
  let pack: Buffer;
  let tampered: Buffer;
  let changeId: string;
  let caPem: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const line1 = await startLine1Simulator();
    const clock = testClock();
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: clock.now });
    try {
      const controllerId = setUpPlant(app, line1.sim.port);
      changeId = await completedFillerChange(app, controllerId, clock, line1);
      pack = (await app.evidence.export(changeId, app.actor())).zip;
      caPem = app.identity.trust().caPems[0]!;
    } finally {
      app.close();
      await line1.sim.close();
    }
    // One flipped byte in one member, re-zipped by the zip library (the container stays sound; the member does not).
    const members = await packMembers(pack);
    const policy = Buffer.from(members.get(FLIPPED)!);
    policy[10] = policy[10]! ^ 0x01;
    members.set(FLIPPED, policy);
    tampered = await writeZip([...members]);

    ui = await openAppPage(t.home, { viewport: { width: 1366, height: 768 }, timezoneId: 'America/Chicago' }, errors);
    page = ui.page;
    await page.getByRole('button', { name: 'Audit trail' }).click();
  }, 180_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  it('a good pack chosen with the file picker passes, with the change, its signers and what was checked', async () => {
    await page.getByLabel('Choose an evidence pack').setInputFiles({ name: `${changeId}.zip`, mimeType: 'application/zip', buffer: pack });
    const verdict = page.getByTestId('pack-verdict');
    await verdict.waitFor({ timeout: 60_000 });
    expect(await verdict.getAttribute('data-ok')).toBe('true');
    const text = await verdict.innerText();
    expect(text).toContain(`Evidence pack verified: ${changeId}.zip`);
    expect(text).toContain('“Raise filler speed setpoint to 14 m/min” (closed)');
    expect(text).toContain('2 approvals, 4 checkpoints');
    expect(text).toContain('Plant CA');
    const signers = await page.getByTestId('pack-signers').locator('tbody tr').allInnerTexts();
    expect(signers.length).toBeGreaterThanOrEqual(14);
    expect(signers.some((r) => r.includes('Pat Manager') && r.includes('Plant engineering manager'))).toBe(true);
    expect(signers.filter((r) => r.includes('Sky Supervisor')).length).toBe(4);
    expect(text).toContain('every journal event: canonical text, hash, device signature and chain link');
    await page.screenshot({ path: join(SHOTS, 'evidence-verify-pass.png') });
    await verdict.screenshot({ path: join(SHOTS, 'evidence-verify-pass-verdict.png') });
  }, 120_000);

  it('the same pack with one flipped byte, dropped on the drop zone, fails naming the member', async () => {
    await page.getByTestId('pack-drop-zone').evaluate(async (zone, b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'tampered.zip', { type: 'application/zip' }));
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, tampered.toString('base64'));
    const verdict = page.locator('[data-testid=pack-verdict][data-ok=false]');
    await verdict.waitFor({ timeout: 60_000 });
    expect(await verdict.innerText()).toMatch(
      new RegExp(`^Evidence pack NOT verified: tampered\\.zip \\(change ${changeId}\\): \\d+ failures?`),
    );
    const failures = await page.getByTestId('pack-failure').allInnerTexts();
    expect(failures.length).toBeGreaterThanOrEqual(1);
    // The flipped member is named, with why: its SHA-256 is not the one SHA256SUMS lists.
    expect(failures.some((f) => f.startsWith(FLIPPED) && /SHA-256 is not the one SHA256SUMS lists \(changed after export\)/.test(f))).toBe(
      true,
    );
    expect(failures.every((f) => f.startsWith(FLIPPED))).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'evidence-verify-fail.png') });
  }, 120_000);

  it('"Export evidence pack" on the change\'s detail saves a pack that verifies against the plant CA', async () => {
    await page.getByRole('button', { name: 'Changes' }).click();
    await page
      .getByRole('button', { name: /Raise filler speed setpoint to 14 m\/min/ })
      .first()
      .click();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      page.getByRole('button', { name: 'Export evidence pack' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${changeId}.zip`);
    const saved = readFileSync((await download.path())!);
    const verdict = await verifyPack(saved, { caPems: [caPem] });
    expect(verdict.failures).toEqual([]);
    expect(verdict).toMatchObject({ ok: true, changeId, status: 'closed' });
    await page.getByTestId('export-pack-result').waitFor();
    expect(await page.getByTestId('export-pack-result').innerText()).toMatch(/manifest\.json SHA-256 [0-9a-f]{64}/);
    await page.screenshot({ path: join(SHOTS, 'evidence-export-button.png') });
    expect(errors).toEqual([]);
  }, 120_000);
});
