/**
 * `baseline journal verify` re-hashes every checklist attachment's stored bytes (real data directory, real blob
 * files): a file altered or removed after its tick fails the check, named by change, checklist, item and file name,
 * with what to do; untouched, the journal verifies. The Audit screen's whole-journal check says the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import type { JournalVerifyReport } from '../../../src-shared/common/journal-event.ts';
import { sha256Hex } from '../../../src-shared/node/hash.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';
import { runBaseline } from '../../helpers/cli.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const PHOTO = Buffer.from('\x89PNG\r\n\x1a\n backup checksum screen of the filler PLC, 05:12', 'binary');
const RECORD = Buffer.from('access test record: break-glass account BG-01 logged in and out at 05:20\n');
const CHECKSUMS = 'Backup integrity verified (checksums)';
const BREAK_GLASS = 'Break-glass account verified';

describe('journal verify re-hashes checklist attachments', () => {
  const t = tempHome();
  const blob = (bytes: Buffer) => {
    const sha = sha256Hex(bytes);
    return join(t.home, 'blobs', sha.slice(0, 2), sha.slice(2));
  };
  const open = () => BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
  const verify = (...extra: string[]) => runBaseline(['journal', 'verify', '--home', t.home, ...extra]);

  beforeAll(async () => {
    const line1 = await startLine1Simulator();
    const app = open();
    try {
      const changeId = await emergencyFillerChange(app, setUpPlant(app, line1.sim.port));
      const [eng] = RACI;
      const tick = (item: string, name: string, bytes: Buffer) =>
        app.checklists.tick(
          changeId,
          eng.employeeId,
          { template: 'rollback-plan', item, ticked: true, attachments: [{ name, mediaType: 'application/octet-stream', bytes }] },
          app.actor(),
        );
      tick(CHECKSUMS, 'checksum screen.png', PHOTO);
      tick(BREAK_GLASS, 'access-test.txt', RECORD);
    } finally {
      app.close();
      await line1.sim.close();
    }
  }, 60_000);
  afterAll(() => t.cleanup());

  it('untouched: the journal verifies, attachments included', () => {
    const r = verify();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Journal intact: .*; every checklist attachment's bytes match the hash its tick recorded\.\n$/);
  }, 60_000);

  it('an attachment altered in the blob store fails, named by change, checklist, item and file, with what to do', () => {
    const path = blob(PHOTO);
    writeFileSync(path, Buffer.from('\x89PNG\r\n\x1a\n a different screen', 'binary'));
    const r = verify();
    expect(r.code).toBe(1);
    const sha = sha256Hex(PHOTO);
    expect(r.stdout).toMatch(/^Journal FAILED verification: its \d+ events and every table verify, but 1 checklist attachment/);
    expect(r.stdout).toContain(
      `1 checklist attachment is missing or altered: CR-0001 "Filler jammed: raise speed setpoint", checklist "Rollback plan verification", item "${CHECKSUMS}": the attached file "checksum screen.png" was altered after it was attached: its bytes (blobs/${sha.slice(0, 2)}/${sha.slice(2)}) hash to `,
    );
    expect(r.stdout).toContain(`Put the original file back as blobs/${sha.slice(0, 2)}/${sha.slice(2)}: it must hash to ${sha}`);
  }, 60_000);

  it('a second one removed is listed too, as missing; --json gives each finding', () => {
    rmSync(blob(RECORD));
    const r = verify();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /\n {2}also: CR-0001 "Filler jammed: raise speed setpoint", checklist "Rollback plan verification", item "Break-glass account verified": the attached file "access-test.txt" is missing from this data directory \(blobs\/[0-9a-f]{2}\/[0-9a-f]{62}\)\. Put the original file back/,
    );
    const json = JSON.parse(verify('--json').stdout) as JournalVerifyReport;
    expect(json.ok).toBe(false);
    expect(json.problems).toEqual([]);
    expect(json.attachments!.map((a) => [a.number, a.checklist, a.item, a.name, a.problem])).toEqual([
      ['CR-0001', 'Rollback plan verification', CHECKSUMS, 'checksum screen.png', 'altered'],
      ['CR-0001', 'Rollback plan verification', BREAK_GLASS, 'access-test.txt', 'missing'],
    ]);
  }, 60_000);

  it("the Audit screen's whole-journal check fails the same way and records it; with the files put back it passes", () => {
    const app = open();
    try {
      const report = app.journalService.verifyAndRecord(app.actor());
      expect(report.ok).toBe(false);
      expect(report.summary).toMatch(
        /2 checklist attachments are missing or altered: CR-0001 .*"checksum screen\.png" was altered .*\(and 1 more\)\. Put the original file back/,
      );
      const recorded = JSON.parse(app.journal.page(1)[0]!.payload) as { ok: boolean; firstProblem: string };
      expect(recorded).toMatchObject({
        ok: false,
        firstProblem: `checklist attachment altered: CR-0001, ${CHECKSUMS}, checksum screen.png`,
      });
      writeFileSync(blob(PHOTO), PHOTO);
      writeFileSync(blob(RECORD), RECORD);
      expect(app.journalService.verifyAndRecord(app.actor()).ok).toBe(true);
    } finally {
      app.close();
    }
    expect(readFileSync(blob(PHOTO)).equals(PHOTO)).toBe(true);
    expect(verify().code).toBe(0);
  }, 60_000);
});
