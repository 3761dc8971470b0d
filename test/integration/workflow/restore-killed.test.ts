import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { startFaultProxy, type FaultProxy } from '../../../src-main/devices/simulator/fault-proxy.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator, signGo, signRollback } from '../../helpers/change-fixture.ts';

const CHILD = fileURLToPath(new URL('../../helpers/restore-child.ts', import.meta.url));

describe('the app killed during a restore: on restart the change shows which values were written and verified, and the rollback continues', () => {
  const t = tempHome();
  let proxy: FaultProxy;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  let controllerId: string;
  let changeId: string;
  let decisionId: string;
  let writes: { tag: string; value: number | boolean | string }[];
  let previewCaptureSha256: string;
  const printed: string[] = [];
  const [, , , , sky] = RACI;
  const open = () => BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    proxy = await startFaultProxy(line1.sim.port);
    const app = open();
    try {
      controllerId = setUpPlant(app, proxy.port);
      changeId = await emergencyFillerChange(app, controllerId);
      signGo(app, changeId);
      // The download changed four writable values; then the supervisor rolls back.
      line1.set({ Line1_SpeedSP: 14, Line1_Dwell: 900, Line1_Recipe: 9, Line1_Enable: false });
      signRollback(app, changeId);
      const preview = await app.changeRestores.preview(changeId, controllerId, app.actor());
      writes = preview.writes.map(({ tag, value }) => ({ tag, value }));
      previewCaptureSha256 = preview.captureSha256;
      decisionId = app.changeRestores.authorize(
        changeId,
        controllerId,
        writes,
        'Roll back after filler faults',
        sky.employeeId,
        sky.password,
        app.actor(),
      );
    } finally {
      app.close();
    }
  }, 90_000);
  afterAll(async () => {
    await proxy?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it('kills the Baseline process (SIGKILL) after the first value was written and read back', async () => {
    expect(writes.map((w) => w.tag)).toEqual(['Line1_SpeedSP', 'Line1_Dwell', 'Line1_Recipe', 'Line1_Enable']);
    // Every reply of the controller arrives 300 ms late, so the restore takes seconds and the kill lands mid-way.
    proxy.setFault({ kind: 'delay', ms: 300 });
    const child = spawn(
      process.execPath,
      [CHILD, t.home, changeId, controllerId, decisionId, JSON.stringify(writes), previewCaptureSha256],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no value was written: ${err}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\n').filter(Boolean)) printed.push(line);
        if (printed.some((l) => l.startsWith('written '))) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(printed).not.toContain('done');
  }, 90_000);

  it('on restart the change shows exactly the values written and verified, the restore as cut short, and the outcome as failed', async () => {
    proxy.setFault({ kind: 'none' });
    const app = open();
    try {
      const [r] = app.changes.restores(changeId);
      expect(r).toMatchObject({ decisionId, writes: 4, interrupted: true, written: null, verified: null });
      expect(r!.startedAt).not.toBeNull();
      const reported = printed.filter((l) => l.startsWith('written ')).map((l) => l.split(' ')[1]);
      // What the process reported before it died is on the record, in order, each written and read back; no more than
      // the device process could have reported, and fewer than all four.
      expect(r!.steps.map((s) => s.tag).slice(0, reported.length)).toEqual(reported);
      expect(r!.steps.every((s) => s.status === 'written-verified')).toBe(true);
      expect(r!.steps.length).toBeLessThan(4);
      expect(r!.steps.map((s) => s.tag)).toEqual(writes.slice(0, r!.steps.length).map((w) => w.tag));
      const tl = app.changes.timeline(changeId).map((x) => x.summary);
      expect(tl).toContain('wrote Line1_SpeedSP to PLC-L01-FILLER and read it back equal');
      expect(tl.some((s) => s.startsWith('wrote ') && s.includes('value(s)'))).toBe(false);
      expect(app.changes.list().find((c) => c.id === changeId)!.outcome).toBe('failed');
      // The value being written when the process died is named as in flight: its outcome is unknown (the device
      // process may have written it after the last outcome reached the journal).
      expect(r!.inFlight).toBe(writes[r!.steps.length]!.tag);
      // Reading the controller again: every recorded value is there; of the rest, only the one in flight may be.
      const preview = (await app.changeRestores.preview(changeId, controllerId, app.actor())).writes.map((w) => w.tag);
      const after = writes.slice(r!.steps.length + 1).map((w) => w.tag);
      expect([after, [r!.inFlight, ...after]]).toContainEqual(preview);
    } finally {
      app.close();
    }
  }, 60_000);

  it('the rollback continues: the used decision is refused, a new one for what is left restores the before-snapshot', async () => {
    const app = open();
    try {
      await expect(
        app.changeRestores.run(changeId, controllerId, writes, decisionId, 'PLC-L01-FILLER', app.actor(), previewCaptureSha256),
      ).rejects.toThrow(/the decision was already used/);
      const preview = await app.changeRestores.preview(changeId, controllerId, app.actor());
      const rest = preview.writes.map(({ tag, value }) => ({ tag, value }));
      const second = app.changeRestores.authorize(
        changeId,
        controllerId,
        rest,
        'Finish the restore cut short when the laptop was killed',
        sky.employeeId,
        sky.password,
        app.actor(),
      );
      const outcome = await app.changeRestores.run(
        changeId,
        controllerId,
        rest,
        second,
        'PLC-L01-FILLER',
        app.actor(),
        preview.captureSha256,
      );
      expect(outcome.matchesBefore).toBe(true);
      expect(app.changes.list().find((c) => c.id === changeId)!.outcome).toBe('rolled back and restored');
      const records = app.changes.restores(changeId);
      expect(records.map((x) => [x.interrupted, x.inFlight, x.steps.length])).toEqual([
        [true, records[0]!.inFlight, records[0]!.steps.length],
        [false, null, rest.length],
      ]);
      expect(records[0]!.steps.length + rest.length).toBeLessThanOrEqual(4);
    } finally {
      app.close();
    }
  }, 60_000);
});
