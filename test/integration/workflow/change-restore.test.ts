import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator, signGo, signRollback } from '../../helpers/change-fixture.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPack } from '../../../src-shared/node/evidence/pack-verifier.ts';
import { packMembers, rezipConsistently } from '../../helpers/pack-tamper.ts';

describe("rolling a change back: preview, the supervisor's signed decision, typed confirmation, write, read back, proof", () => {
  const t = tempHome();
  let app: BaselineApp;
  let controllerId: string;
  let changeId: string;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  const [eng, , , , sky] = RACI;

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    controllerId = setUpPlant(app, line1.sim.port);
    changeId = await emergencyFillerChange(app, controllerId);
    signGo(app, changeId);
    // The download: the speed as proposed, the recipe (not proposed), and the temperature trip, which the profile marks read-only.
    line1.set({ Line1_SpeedSP: 14, Line1_Recipe: 9, Line1_MaxTemp: -35 });
  }, 60_000);
  afterAll(async () => {
    app.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it('refuses to preview a restore of a change that was not rolled back', async () => {
    await expect(app.changeRestores.preview(changeId, controllerId, app.actor())).rejects.toThrow(
      /is in execution; only a change that was rolled back is restored/,
    );
  });

  it('previews the writes back to the before-snapshot and what needs a manual procedure; writes nothing', async () => {
    signRollback(app, changeId);
    const p = await app.changeRestores.preview(changeId, controllerId, app.actor());
    expect(p.writes.map((w) => [w.tag, w.now, w.restoreTo, w.value])).toEqual([
      ['Line1_SpeedSP', '14', '12.5', 12.5],
      ['Line1_Recipe', '9', '7', 7],
    ]);
    expect(p.manual).toEqual([{ tag: 'Line1_MaxTemp', now: '-35', before: '-40', why: 'not writable in the capture profile' }]);
    expect((await app.changeRestores.preview(changeId, controllerId, app.actor())).writes).toHaveLength(2);
  });

  it("writes only after the supervisor signs exactly those values and the engineer types the controller's name; then proves the result", async () => {
    const p = await app.changeRestores.preview(changeId, controllerId, app.actor());
    const writes = p.writes.map(({ tag, value }) => ({ tag, value }));
    expect(() =>
      app.changeRestores.authorize(
        changeId,
        controllerId,
        writes,
        'Roll back after filler faults',
        eng.employeeId,
        eng.password,
        app.actor(),
      ),
    ).toThrow(/Erin Engineer is on change .* cannot authorize writing/);
    expect(() =>
      app.changeRestores.authorize(
        changeId,
        controllerId,
        [{ tag: 'Line1_SpeedSP', value: 99 }],
        'Roll back after filler faults',
        sky.employeeId,
        sky.password,
        app.actor(),
      ),
    ).toThrow(/writes only the before-snapshot's own values: Line1_SpeedSP would get 99, but its before value is 12.5/);
    expect(() =>
      app.changeRestores.authorize(
        changeId,
        controllerId,
        [{ tag: 'Line1_MaxTemp', value: -40 }],
        'Roll back after filler faults',
        sky.employeeId,
        sky.password,
        app.actor(),
      ),
    ).toThrow(/Line1_MaxTemp is not a writable configuration tag/);
    // A decision signed outside the change (the controller-level gate) for other values cannot be used through the change.
    const other = app.restores.authorize(
      controllerId,
      [{ tag: 'Line1_SpeedSP', value: 99 }],
      'maintenance test value',
      sky.employeeId,
      sky.password,
      app.actor(),
    );
    await expect(
      app.changeRestores.run(
        changeId,
        controllerId,
        [{ tag: 'Line1_SpeedSP', value: 99 }],
        other,
        'PLC-L01-FILLER',
        app.actor(),
        p.captureSha256,
      ),
    ).rejects.toThrow(/writes only the before-snapshot's own values/);
    const decisionId = app.changeRestores.authorize(
      changeId,
      controllerId,
      writes,
      'Roll back after filler faults',
      sky.employeeId,
      sky.password,
      app.actor(),
    );
    await expect(
      app.changeRestores.run(changeId, controllerId, writes, decisionId, 'PLC-L01', app.actor(), p.captureSha256),
    ).rejects.toThrow(/The confirmation "PLC-L01" is not the controller's name, so nothing was written/);
    await expect(
      app.changeRestores.run(
        changeId,
        controllerId,
        [{ tag: 'Line1_SpeedSP', value: 12.5 }],
        decisionId,
        'PLC-L01-FILLER',
        app.actor(),
        p.captureSha256,
      ),
    ).rejects.toThrow(/values differ from the ones the supervisor signed/);
    expect((await app.changeRestores.preview(changeId, controllerId, app.actor())).writes).toHaveLength(2);
    // Two runs at once with one decision (a double click): one writes, the other is refused before writing anything
    // (whichever reads the controller first writes; the other finds the decision used, or the controller changing).
    const settled = await Promise.allSettled([
      app.changeRestores.run(changeId, controllerId, writes, decisionId, 'PLC-L01-FILLER', app.actor(), p.captureSha256),
      app.changeRestores.run(changeId, controllerId, writes, decisionId, 'PLC-L01-FILLER', app.actor(), p.captureSha256),
    ]);
    const wrote = settled.filter((r) => r.status === 'fulfilled');
    expect(wrote).toHaveLength(1);
    const done = wrote[0]!.value;
    const twice = settled.find((r) => r.status === 'rejected');
    expect(twice).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringMatching(/already used|changed since the preview/) as unknown },
    });
    expect(done.result.outcomes.map((o) => [o.tag, o.status])).toEqual([
      ['Line1_SpeedSP', 'written-verified'],
      ['Line1_Recipe', 'written-verified'],
    ]);
    // The read-only tag is still different: the proof says so, and names it.
    expect(done.matchesBefore).toBe(false);
    expect(done.remaining).toEqual([{ tag: 'Line1_MaxTemp', now: '-35', before: '-40' }]);
    const proof = app.journal.page(10).find((e) => e.type === 'restore.verified')!;
    expect(app.journal.page(10).filter((e) => e.type === 'restore.started')).toHaveLength(1);
    expect(JSON.parse(proof.payload)).toMatchObject({ changeId, controllerId, decisionId, matchesBefore: false });
    await expect(
      app.changeRestores.run(changeId, controllerId, writes, decisionId, 'PLC-L01-FILLER', app.actor(), p.captureSha256),
    ).rejects.toThrow(/already used/);
    // Once the read-only tag is put back by hand, the controller matches the before-snapshot.
    line1.set({});
    expect(await app.changeRestores.preview(changeId, controllerId, app.actor())).toMatchObject({ writes: [], manual: [] });
    expect(app.journalService.verifyQuietly().ok).toBe(true);
    // The timeline holds the restore, step by step, with the change's decisions and captures.
    const ops = app.changes.timeline(changeId).map((e) => e.operation);
    expect(ops.filter((o) => o.startsWith('restore-'))).toEqual([
      'restore-authorized',
      'restore-started',
      'restore-written',
      'restore-written',
      'restore-executed',
      'restore-verified',
    ]);
    expect(ops.slice(0, 5)).toEqual(['create', 'break-glass', 'capture', 'snapshot-signed', 'record-snapshot']);
    expect(ops.filter((o) => o === 'capture').length).toBeGreaterThanOrEqual(3);
  });

  it('the evidence pack carries each value written and read back (restore.written), and the verifier checks them', async () => {
    const { zip } = await app.evidence.export(changeId, app.actor());
    const caPems = app.identity.trust().caPems;
    const verdict = await verifyPack(zip, { caPems });
    // The emergency change still owes its retrospective review: the only rule the pack finds broken.
    expect(verdict.failures.map((f) => f.reason)).toEqual([
      expect.stringMatching(/^the emergency change's retrospective review is not done/),
    ]);
    const members = await packMembers(zip);
    const written = [...members].filter(
      ([path, b]) => /^journal\/.*\.json$/.test(path) && b.toString('utf8').includes('"type":"restore.written"'),
    );
    expect(
      written
        .map(([, b]) => (JSON.parse(b.toString('utf8')) as { payload: { tag: string; status: string } }).payload)
        .map((p) => [p.tag, p.status]),
    ).toEqual([
      ['Line1_SpeedSP', 'written-verified'],
      ['Line1_Recipe', 'written-verified'],
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'baseline-report-'));
    try {
      writeFileSync(join(dir, 'report.pdf'), members.get('report.pdf')!);
      const text = execFileSync('pdftotext', ['-layout', join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
      expect(text).toContain('Restore writes and read-back, value by value');
      expect(text).toMatch(/Line1_Recipe\s+written-verified/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // A forger drops one written value from the pack and makes every hash list agree: the verifier names it.
    const [dropped] = written[1]!;
    members.delete(dropped);
    members.delete(dropped.replace(/\.json$/, '.sig'));
    const index = JSON.parse(members.get('journal/index.json')!.toString('utf8')) as { member: string }[];
    members.set(
      'journal/index.json',
      Buffer.from(
        JSON.stringify(
          index.filter((e) => e.member !== dropped),
          null,
          2,
        ) + '\n',
      ),
    );
    const forged = await verifyPack(await rezipConsistently(members), { caPems });
    expect(forged.ok).toBe(false);
    expect(forged.failures.map((f) => f.reason)).toContain(
      'the restore reports Line1_Recipe as written-verified, but the pack holds no restore.written event for it (the value-by-value record is missing)',
    );
  }, 60_000);
});
