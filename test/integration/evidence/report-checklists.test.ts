/**
 * report.pdf lists the checklists run during a change (real data directory, real pack, real PDF read back with
 * pdftotext from poppler-utils): each checklist with who closed it, every item ticked or not, by whom with their
 * employee id, when in plant time with its zone, the note and earlier ticks, and each attached file by name, size and
 * SHA-256.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { sha256Hex } from '../../../src-shared/node/hash.ts';
import { verifyPack } from '../../../src-shared/node/evidence/pack-verifier.ts';
import { plantTime } from '../../../src-shared/node/evidence/report-pdf.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';
import { packMembers } from '../../helpers/pack-tamper.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const PHOTO = Buffer.from('\x89PNG\r\n\x1a\n backup checksum screen of the filler PLC, 05:12', 'binary');
const RECORD = Buffer.from('access test record: break-glass account BG-01 logged in and out at 05:20\n');
const CHECKSUMS = 'Backup integrity verified (checksums)';
const BREAK_GLASS = 'Break-glass account verified';

describe('report.pdf shows the checklists of the change', () => {
  const t = tempHome();
  const dir = mkdtempSync(join(tmpdir(), 'baseline-report-'));
  let text: string;
  let tickedAt: string;

  beforeAll(async () => {
    const line1 = await startLine1Simulator();
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const changeId = await emergencyFillerChange(app, setUpPlant(app, line1.sim.port));
      const [eng, , , , sky] = RACI;
      const tick = (item: string, ticked: boolean, extra: { note?: string; name?: string; bytes?: Buffer } = {}) =>
        app.checklists.tick(
          changeId,
          eng.employeeId,
          {
            template: 'rollback-plan',
            item,
            ticked,
            ...(extra.note ? { note: extra.note } : {}),
            ...(extra.bytes ? { attachments: [{ name: extra.name!, mediaType: 'application/octet-stream', bytes: extra.bytes }] } : {}),
          },
          app.actor(),
        );
      tick(CHECKSUMS, true, { note: 'Checksums match the backup server', name: 'checksum screen.png', bytes: PHOTO });
      tick(BREAK_GLASS, true);
      tick(BREAK_GLASS, false);
      tick(BREAK_GLASS, true, { note: 'Logged in again after the password reset', name: 'access-test.txt', bytes: RECORD });
      const state = app.changes.get(changeId);
      tickedAt = 'execution' in state ? state.execution.ticks!.at(-1)!.at : '';
      const checklist = app.policy.checkpoints().checkpoints[0]!.items;
      app.changes.act(
        changeId,
        sky.employeeId,
        sky.password,
        { type: 'checkpoint', role: 'shift-supervisor', checkpoint: 'pre-execution', decision: 'go', confirmed: checklist },
        app.actor(),
      );
      const { zip } = await app.evidence.export(changeId, app.actor());
      // The pack with the new section still verifies but for the retrospective review the emergency change owes.
      const v = await verifyPack(zip, { caPems: app.identity.trust().caPems });
      expect(v.failures.map((f) => f.reason)).toEqual([expect.stringMatching(/^the emergency change's retrospective review is not done/)]);
      writeFileSync(join(dir, 'report.pdf'), (await packMembers(zip)).get('report.pdf')!);
      text = execFileSync('pdftotext', ['-layout', join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
    } finally {
      app.close();
      await line1.sim.close();
    }
  }, 90_000);
  afterAll(() => {
    t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names each checklist, how many items were ticked, and the checkpoint decision that closed it', () => {
    expect(text).toContain('Checklists (ticked during the execution)');
    expect(text).toContain('Rollback plan verification: 2 of 19 item(s) ticked');
    expect(text).toMatch(
      /Closed by the Pre-execution[^\n]*checkpoint: GO by Sky Supervisor \(SV500\), \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} C[SD]T \(UTC-0[56]:00\)/,
    );
    // The post-change checklists apply to the change but their checkpoint is not decided yet.
    expect(text).toMatch(/Post-change functional tests: 0 of \d+ item\(s\) ticked/);
    expect(text).toContain('Open: its checkpoint (post-change) has not been decided.');
  });

  it('lists every item ticked or not, by whom (name and id), when in plant time with the zone, and the note', () => {
    const when = plantTime(tickedAt, 'America/Chicago');
    expect(when).toMatch(/ C[SD]T \(UTC-0[56]:00\)$/);
    expect(text).toMatch(new RegExp(`${CHECKSUMS.replace(/[()]/g, '\\$&')}\\s+ticked\\s+Erin Engineer \\(E100\\)`));
    expect(text).toMatch(/Checksums match the backup\s+(C[SD]T \(UTC-0[56]:00\)\s+)?server\n/);
    expect(text).toMatch(/Rollback procedure documented\s+not ticked\s+-\s+-\s+-/);
    expect(text).toMatch(/Break-glass account verified\s+ticked\s+Erin Engineer \(E100\)/);
    expect(text).toContain(when.slice(0, 19));
    // The earlier tick and untick of the item are there too.
    expect(text).toMatch(/Earlier: ticked by Erin\s/);
    expect(text.replace(/\s+/g, ' ')).toMatch(/unticked by Erin Engineer \(E100\) \d{4}-\d{2}-\d{2}/);
  });

  it('lists each attached file by name, size and SHA-256', () => {
    // Each file's name and size beside its whole SHA-256, on one line.
    expect(text).toMatch(new RegExp(`checksum screen\\.png, ${PHOTO.length} bytes\\s+${sha256Hex(PHOTO)}\n`));
    expect(text).toMatch(new RegExp(`access-test\\.txt, ${RECORD.length} bytes\\s+${sha256Hex(RECORD)}\n`));
    expect(text).toContain(`to "${CHECKSUMS}", ticked`);
  });

  it('renders the page as a person reads it (PNG kept for a look when BASELINE_KEEP_REPORT_PNG is set)', () => {
    const page = text.split('\f').findIndex((p) => p.includes('Checklists (ticked during the execution)')) + 1;
    expect(page).toBeGreaterThan(0);
    const keep = process.env['BASELINE_KEEP_REPORT_PNG'];
    const out = join(keep ?? dir, 'checklists');
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', String(page), '-l', String(page + 1), join(dir, 'report.pdf'), out]);
  });
});
