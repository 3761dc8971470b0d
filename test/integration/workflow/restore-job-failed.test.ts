import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { forkDeviceProcess, type DeviceProcessHandle } from '../../../src-main/devices/process/device-supervisor.ts';
import { startFaultProxy, type FaultProxy } from '../../../src-main/devices/simulator/fault-proxy.ts';
import { verifyPack } from '../../../src-shared/node/evidence/pack-verifier.ts';
import { packMembers } from '../../helpers/pack-tamper.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator, signGo, signRollback } from '../../helpers/change-fixture.ts';

type Outcome = { tag: string; status: string; expectedRaw: string; readBackRaw: string | null; error?: string };

/**
 * A restore that stops part-way must leave the truth per value: written and read back for those done, not attempted
 * for those never sent, outcome unknown only for the one in flight. Both ways a restore stops: the controller cuts the
 * connection (the job itself reports each value), and the job failing as a whole (the device process dies mid-write).
 */
describe('a restore stopped part-way records each value as it is: verified, in flight (unknown) or not attempted', () => {
  const t = tempHome();
  let app: BaselineApp;
  let proxy: FaultProxy;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  let controllerId: string;
  let changeId: string;
  const deviceProcesses: DeviceProcessHandle[] = [];
  const [, , , , sky] = RACI;

  /** Previews, has the supervisor sign exactly the listed values, and runs the restore; returns its error and record. */
  async function restoreWith(onStarted: () => void, onWritten: (tag: string) => void) {
    const preview = await app.changeRestores.preview(changeId, controllerId, app.actor());
    const writes = preview.writes.map(({ tag, value }) => ({ tag, value }));
    const decisionId = app.changeRestores.authorize(
      changeId,
      controllerId,
      writes,
      'Roll back after filler faults',
      sky.employeeId,
      sky.password,
      app.actor(),
    );
    const executed: Outcome[][] = [];
    const off = app.journal.onAppended((e) => {
      if (e.type === 'restore.started') onStarted();
      if (e.type === 'restore.executed') executed.push((e.payload as { outcomes: Outcome[] }).outcomes);
      if (e.type === 'restore.written') onWritten((e.payload as { tag: string }).tag);
    });
    const err = await app.changeRestores
      .run(changeId, controllerId, writes, decisionId, 'PLC-L01-FILLER', app.actor(), preview.captureSha256)
      .then(
        () => null,
        (e: unknown) => e as { code: string; message: string; hint: string },
      );
    off();
    proxy.setFault({ kind: 'none' });
    expect(executed).toHaveLength(1);
    const outcomes = executed[0]!;
    return { writes, err, outcomes: outcomes.map((o) => [o.tag, o.status, o.error ?? '']) };
  }

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    proxy = await startFaultProxy(line1.sim.port);
    app = BaselineApp.open({
      home: t.home,
      transport: 'in-process',
      keyProtection: filePermissionsProtection,
      spawnDevice: () => {
        const p = forkDeviceProcess();
        deviceProcesses.push(p);
        return p;
      },
    });
    controllerId = setUpPlant(app, proxy.port);
    changeId = await emergencyFillerChange(app, controllerId);
    signGo(app, changeId);
    line1.set({ Line1_SpeedSP: 14, Line1_Dwell: 900, Line1_Recipe: 9, Line1_Enable: false });
    signRollback(app, changeId);
  }, 90_000);
  afterAll(async () => {
    app?.close();
    await proxy?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it('the controller cuts the connection after the first value: that one verified, the next failed, the rest not attempted', async () => {
    // Each Modbus value is one write and one read-back: the controller answers those of the first value, then the
    // connection is cut (and every later one, at its first request).
    const r = await restoreWith(
      () => proxy.setFault({ kind: 'cut-after', replies: 2 }),
      () => undefined,
    );
    expect(r.writes.map((w) => w.tag)).toEqual(['Line1_SpeedSP', 'Line1_Dwell', 'Line1_Recipe', 'Line1_Enable']);
    expect(r.outcomes).toEqual([
      ['Line1_SpeedSP', 'written-verified', ''],
      ['Line1_Dwell', 'write-failed', expect.stringMatching(/writing hr:12\.\.13: (no answer|the device closed)/)],
      ['Line1_Recipe', 'not-attempted', ''],
      ['Line1_Enable', 'not-attempted', ''],
    ]);
    expect(r.err?.code).toBe('restore-unverified');
    expect(app.changes.restores(changeId)[0]!.inFlight).toBeNull();
  }, 90_000);

  it('the device process dies while the second value is being written: first verified, second unknown, the rest not attempted', async () => {
    // Every reply comes 1.5 s late, so the second write is on the wire when the device process is killed.
    const r = await restoreWith(
      () => proxy.setFault({ kind: 'delay', ms: 1500 }),
      (tag) => {
        if (tag === 'Line1_Dwell') setTimeout(() => deviceProcesses.at(-1)!.kill(), 500);
      },
    );
    expect(r.writes.map((w) => w.tag)).toEqual(['Line1_Dwell', 'Line1_Recipe', 'Line1_Enable']);
    expect(r.err?.code).toBe('restore-failed');
    expect(r.err?.message).toMatch(/Written and read back: Line1_Dwell\./);
    expect(r.err?.message).toMatch(/Outcome unknown \(being written when the restore failed\): Line1_Recipe\./);
    expect(r.err?.message).toMatch(/Not attempted: Line1_Enable\./);
    expect(r.outcomes).toEqual([
      ['Line1_Dwell', 'written-verified', ''],
      ['Line1_Recipe', 'write-failed', expect.stringMatching(/^outcome unknown, it was being written when the restore job failed: /)],
      ['Line1_Enable', 'not-attempted', ''],
    ]);
    const [, second] = app.changes.restores(changeId);
    expect(second!.written).toMatchObject({ verified: 1, failed: 2, complete: false });
    expect(second!.inFlight).toBe('Line1_Recipe');
  }, 90_000);

  it('the evidence pack reads each value the same way: verified, unknown, not attempted; the verifier agrees', async () => {
    const { zip } = await app.evidence.export(changeId, app.actor());
    const verdict = await verifyPack(zip, { caPems: app.identity.trust().caPems });
    expect(verdict.failures.map((f) => f.reason).filter((r) => /restore|written/.test(r))).toEqual([]);
    const members = await packMembers(zip);
    const dir = mkdtempSync(join(tmpdir(), 'baseline-report-'));
    try {
      writeFileSync(join(dir, 'report.pdf'), members.get('report.pdf')!);
      const text = execFileSync('pdftotext', ['-layout', join(dir, 'report.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
      expect(text).toContain('Outcome unknown (being written when the restore failed): Line1_Recipe.');
      expect(text).toContain('Not attempted: Line1_Enable.');
      expect(text).toContain('Not attempted: Line1_Recipe, Line1_Enable.');
      expect(text).not.toContain('Signed but not recorded as written');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
