import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { startFaultProxy, type FaultProxy } from '../../../src-main/devices/simulator/fault-proxy.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator, signGo, signRollback } from '../../helpers/change-fixture.ts';

describe('the controller changes under a restore: since the preview, or by falling silent half-way', () => {
  const t = tempHome();
  let app: BaselineApp;
  let proxy: FaultProxy;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  let controllerId: string;
  let changeId: string;
  const [, , , , sky] = RACI;

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    proxy = await startFaultProxy(line1.sim.port);
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    controllerId = setUpPlant(app, proxy.port);
    changeId = await emergencyFillerChange(app, controllerId);
    signGo(app, changeId);
    line1.set({ Line1_SpeedSP: 14, Line1_Dwell: 900, Line1_Recipe: 9 });
    signRollback(app, changeId);
  }, 60_000);
  afterAll(async () => {
    app?.close();
    await proxy?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it('refuses to write when the controller changed since the preview the engineer confirmed; nothing is written, the decision stays unused', async () => {
    const preview = await app.changeRestores.preview(changeId, controllerId, app.actor());
    const writes = preview.writes.map(({ tag, value }) => ({ tag, value }));
    expect(preview.writes.map((w) => [w.tag, w.now])).toEqual([
      ['Line1_SpeedSP', '14'],
      ['Line1_Dwell', '900'],
      ['Line1_Recipe', '9'],
    ]);
    const decisionId = app.changeRestores.authorize(
      changeId,
      controllerId,
      writes,
      'Roll back after filler faults',
      sky.employeeId,
      sky.password,
      app.actor(),
    );
    // A colleague puts the speed to 13 at the panel, and turns the filler off, after the preview was read.
    line1.set({ Line1_SpeedSP: 13, Line1_Dwell: 900, Line1_Recipe: 9, Line1_Enable: false });
    const err = await app.changeRestores
      .run(changeId, controllerId, writes, decisionId, 'PLC-L01-FILLER', app.actor(), preview.captureSha256)
      .then(
        () => null,
        (e: unknown) => e as { code: string; message: string; hint: string },
      );
    expect(err?.code).toBe('restore-stale-preview');
    expect(err?.message).toMatch(/PLC-L01-FILLER changed since the preview/);
    expect(err?.message).toMatch(/Line1_SpeedSP was 14, is 13 now/);
    expect(err?.message).toMatch(/Line1_Enable was true, is false now/);
    expect(err?.message).toMatch(/Nothing was written/);
    expect(err?.hint).toMatch(/Preview the restore again/);
    // Nothing was written and the decision was not taken into use.
    const [r] = app.changes.restores(changeId);
    expect(r).toMatchObject({ decisionId, startedAt: null, steps: [], written: null });
    const again = await app.changeRestores.preview(changeId, controllerId, app.actor());
    expect(again.writes.map((w) => [w.tag, w.now])).toEqual([
      ['Line1_SpeedSP', '13'],
      ['Line1_Dwell', '900'],
      ['Line1_Recipe', '9'],
      ['Line1_Enable', 'false'],
    ]);
    line1.set({ Line1_SpeedSP: 14, Line1_Dwell: 900, Line1_Recipe: 9 });
  }, 90_000);

  it('names each value written, the one that failed and those not attempted, and records the same', async () => {
    const preview = await app.changeRestores.preview(changeId, controllerId, app.actor());
    const writes = preview.writes.map(({ tag, value }) => ({ tag, value }));
    expect(writes.map((w) => w.tag)).toEqual(['Line1_SpeedSP', 'Line1_Dwell', 'Line1_Recipe']);
    const decisionId = app.changeRestores.authorize(
      changeId,
      controllerId,
      writes,
      'Roll back after filler faults',
      sky.employeeId,
      sky.password,
      app.actor(),
    );
    // The controller still holds what the preview showed when it is read just before writing. Once the restore has
    // started, each Modbus value is one write and one read-back: the controller answers those of the first value, then
    // falls silent on every connection (the read afterwards, to compare with the before-snapshot, gets no answer either).
    const off = app.journal.onAppended((e) => {
      if (e.type === 'restore.started') proxy.setFault({ kind: 'drop-after', replies: 2 });
    });
    const err = await app.changeRestores
      .run(changeId, controllerId, writes, decisionId, 'PLC-L01-FILLER', app.actor(), preview.captureSha256)
      .then(
        () => null,
        (e: unknown) => e as { code: string; message: string; hint: string },
      );
    off();
    expect(err?.code).toBe('restore-unverified');
    expect(err?.message).toMatch(/Written and read back: Line1_SpeedSP\./);
    expect(err?.message).toMatch(/Write failed: Line1_Dwell \([^)]*no answer/);
    expect(err?.message).toMatch(/Not attempted: Line1_Recipe\./);
    // One value was written: the words never say that nothing was.
    expect(err?.message).not.toMatch(/nothing can be compared or written/);
    expect(err?.hint).toMatch(/Preview the restore again/);
    // The journal records the same, value by value.
    const r = app.changes.restores(changeId).find((x) => x.decisionId === decisionId);
    expect(r!.steps.map((x) => [x.tag, x.status])).toEqual([
      ['Line1_SpeedSP', 'written-verified'],
      ['Line1_Dwell', 'write-failed'],
    ]);
    expect(r!.written).toMatchObject({ verified: 1, complete: false });
  }, 90_000);
});
