/**
 * report.pdf reads as an auditor reads the change (format 4 on): every role by the name the change's policy gives it
 * ("Shift supervisor", not "shift-supervisor"), and a break-glass approval with how it was given in words ("given in
 * person", not "by in-person"). The packs are real exports of changes run over the Modbus simulator; the report is
 * read back with Debian's pdftotext (poppler-utils). A pack of this version relabelled format 3 is held to format 3's
 * wording, so its report is named as not the one its signed members give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { PACK_FORMAT } from '../../../src-shared/node/evidence/pack-format.ts';
import { verifyPack } from '../../../src-shared/node/evidence/pack-verifier.ts';
import { packMembers, rezipConsistently } from '../../helpers/pack-tamper.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, captureAndSign, normalChangeFields, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';
import { completedFillerChange, testClock } from '../../helpers/completed-change.ts';

/** The default policy's role ids of the people these changes name: none may appear in the report. */
const ROLE_IDS = [
  'controls-engineer',
  'plant-engineering-manager',
  'ot-security',
  'quality-compliance',
  'shift-supervisor',
  'plant-manager',
];

/** The report's text, lines joined and words broken at a hyphen at the end of a line put back together. */
async function reportText(zip: Buffer): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'report-wording-'));
  try {
    writeFileSync(join(dir, 'report.pdf'), (await packMembers(zip)).get('report.pdf')!);
    const text = execFileSync('pdftotext', [join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
    return text.replace(/-\s*\n\s*/g, '-').replace(/\s+/g, ' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('report.pdf names roles and break-glass methods in words', () => {
  const t = tempHome();
  const clock = testClock();
  let app: BaselineApp;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  let controllerId: string;
  let caPems: string[];
  const [eng, , sec, quinn] = RACI;
  const boss = { name: 'Morgan Plant', employeeId: 'P500', roles: ['plant-manager'], password: 'morgan-password-1' };

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: clock.now });
    controllerId = setUpPlant(app, line1.sim.port);
    app.identity.enrol(boss, 'plant-ca-secret-1', app.actor());
    caPems = app.identity.trust().caPems;
  }, 120_000);
  afterAll(async () => {
    app.close();
    await line1.sim.close();
    t.cleanup();
  });

  it('a completed change: signers, approval groups, counted approvals and checkpoints by role name', async () => {
    const changeId = await completedFillerChange(app, controllerId, clock, line1);
    const { zip } = await app.evidence.export(changeId, app.actor());
    const v = await verifyPack(zip, { caPems });
    expect({ ok: v.ok, failures: v.failures, format: v.format }).toEqual({ ok: true, failures: [], format: PACK_FORMAT });
    const text = await reportText(zip);
    expect(text).toContain('Erin Engineer (E100) Controls engineer');
    expect(text).toContain('Plant engineering manager, OT security, Quality / compliance');
    expect(text).toContain('Quinn Quality as Quality / compliance');
    expect(text).toContain('Sam Security as OT security');
    expect(text).toMatch(/Pre-execution verification: GO by Sky Supervisor \(Shift supervisor\)/);
    expect(text).toContain('Quinn Quality: Quality / compliance, Sam Security: OT security');
    for (const id of ROLE_IDS) expect(text).not.toContain(id);

    // The same pack relabelled format 3 (every hash made to agree) is held to format 3's wording: role ids.
    const members = await packMembers(zip);
    const manifest = JSON.parse(members.get('manifest.json')!.toString('utf8')) as { format: string };
    members.set('manifest.json', Buffer.from(JSON.stringify({ ...manifest, format: 'baseline.evidence-pack/3' }, null, 2) + '\n'));
    const asThree = await verifyPack(await rezipConsistently(members), { caPems });
    expect(asThree.format).toBe('baseline.evidence-pack/3');
    expect(new Set(asThree.failures.map((f) => f.member))).toEqual(new Set(['report.pdf', 'crosswalk.json']));
  }, 120_000);

  it('a break-glass start says how the approval was given; an override names the signer by role name', async () => {
    clock.set('2026-11-30T15:00:00Z');
    const c = app.changes.create(
      eng.employeeId,
      {
        title: 'Filler jammed: raise speed setpoint',
        description: 'Filler starves at 12.5 m/min; line down.',
        justification: 'Line L01 stopped.',
        class: 'emergency',
        targetControllers: [controllerId],
        proposedChange: { kind: 'diff', controllerId, changes: [{ tag: 'Line1_SpeedSP', from: 12.5, to: 14 }] },
      },
      app.actor(),
    );
    app.changes.act(
      c.id,
      eng.employeeId,
      eng.password,
      {
        type: 'break-glass',
        approverEmployeeId: 'SV500',
        approverPassword: 'sky-password-1',
        approverRole: 'shift-supervisor',
        method: 'in-person',
        reason: 'Line down',
      },
      app.actor(),
    );
    app.changes.act(
      c.id,
      eng.employeeId,
      eng.password,
      { type: 'record-snapshot', phase: 'before', controllerId, snapshotSha256: await captureAndSign(app, controllerId, eng) },
      app.actor(),
    );
    const glass = await reportText((await app.evidence.export(c.id, app.actor())).zip);
    expect(glass).toMatch(/Break-glass: approved by Sky Supervisor as Shift supervisor, given in person, 2026-11-30 09:00:00 CST/);
    expect(glass).not.toContain('in-person');
    for (const id of ROLE_IDS) expect(glass).not.toContain(id);

    // A normal change booked in production hours: the plant manager's override.
    const n = app.changes.create(eng.employeeId, normalChangeFields(controllerId, clock.now()), app.actor());
    app.changes.act(n.id, eng.employeeId, eng.password, { type: 'submit' }, app.actor());
    app.changes.act(
      n.id,
      quinn.employeeId,
      quinn.password,
      { type: 'approve', role: 'quality-compliance', diffReviewed: true },
      app.actor(),
    );
    app.changes.act(n.id, sec.employeeId, sec.password, { type: 'approve', role: 'ot-security', diffReviewed: true }, app.actor());
    app.changes.act(
      n.id,
      eng.employeeId,
      eng.password,
      {
        type: 'schedule',
        start: '2026-12-03T18:00:00.000Z',
        end: '2026-12-03T19:00:00.000Z',
        override: {
          employeeId: boss.employeeId,
          password: boss.password,
          role: 'plant-manager',
          rule: 'outside-window',
          reason: 'Motor swap',
        },
      },
      app.actor(),
    );
    const { zip } = await app.evidence.export(n.id, app.actor());
    expect((await verifyPack(zip, { caPems })).failures).toEqual([]);
    const override = await reportText(zip);
    expect(override).toContain('Morgan Plant as Plant manager');
    for (const id of ROLE_IDS) expect(override).not.toContain(id);
  }, 120_000);
});
