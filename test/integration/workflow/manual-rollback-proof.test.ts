/**
 * Issue #15, item 6, over real SQLite and the Modbus simulator: a change rolled back, the filler's logic written back
 * by hand (the signed guided procedure), then the re-capture started from the change screen, signed and compared with
 * the before-snapshot. The change closes only once that proof matches, or its differences are explained and
 * countersigned; the evidence pack carries the re-capture and the verifier recomputes its comparison.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { MANUAL_ROLLBACK_STEPS } from '../../../src-shared/common/workflow/rollback-guidance.ts';
import { verifyPack } from '../../../src-shared/node/evidence/pack-verifier.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';

function recapture(app: BaselineApp, changeId: string, controllerId: string): Promise<string | null> {
  return new Promise((resolve) => {
    let id = '';
    const off = app.hub.subscribe((event, payload) => {
      const p = payload as { captureId: string; captureSha256?: string | null };
      if (p.captureId !== id || event !== 'capture.finished') return;
      off();
      resolve(p.captureSha256 ?? null);
    });
    id = app.changeCaptures.start(changeId, controllerId, 'rollback', app.actor()).captureId;
  });
}

function refusal(fn: () => unknown): { code?: string; message?: string; hint?: string } {
  try {
    fn();
  } catch (err) {
    return err as { code: string; message: string; hint: string };
  }
  throw new Error('expected a refusal');
}

describe('a manual rollback of logic ends in the re-capture proof', () => {
  const t = tempHome();
  let app: BaselineApp;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  let controllerId: string;
  let changeId: string;
  const [eng, , , , sky] = RACI;
  const manual = () => (app.changes.get(changeId) as Extract<ChangeState, { status: 'rolled-back' }>).execution.manualRollbacks!.at(-1)!;
  const close = () => app.changes.act(changeId, eng.employeeId, eng.password, { type: 'close', comment: 'Rolled back' }, app.actor());

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    controllerId = setUpPlant(app, line1.sim.port);
    changeId = await emergencyFillerChange(app, controllerId);
    const cp = (id: string, decision: string, comment?: string) =>
      app.changes.act(
        changeId,
        sky.employeeId,
        sky.password,
        {
          type: 'checkpoint',
          role: 'shift-supervisor',
          checkpoint: id,
          decision,
          confirmed: decision === 'go' ? app.policy.checkpoints().checkpoints[0]!.items : [],
          ...(comment ? { comment } : {}),
        },
        app.actor(),
      );
    cp('pre-execution', 'go');
    line1.set({ Line1_SpeedSP: 14, Line1_Recipe: 9 });
    cp('mid-change', 'rollback', 'New logic faults the filler on restart');
  }, 60_000);
  afterAll(async () => {
    app.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it('no re-capture can prove a rollback before the manual procedure is signed', () => {
    expect(refusal(() => app.changeCaptures.start(changeId, controllerId, 'rollback', app.actor()))).toMatchObject({
      code: 'change-capture-phase',
      message: expect.stringMatching(/^PLC-L01-FILLER has no signed manual rollback on change CR-0001/) as unknown,
      hint: 'Sign the manual rollback procedure for it first.',
    });
  });

  it('once the procedure is signed, the change does not close until the controller was captured again', () => {
    app.changes.act(
      changeId,
      eng.employeeId,
      eng.password,
      {
        type: 'manual-rollback',
        controllerId,
        kind: 'logic',
        reference: 'filler-before.L5X (backup share, checksum matched)',
        confirmed: [...MANUAL_ROLLBACK_STEPS],
      },
      app.actor(),
    );
    const before = app.changes.timeline(changeId).length;
    expect(refusal(close)).toMatchObject({
      code: 'change-rollback-unproven',
      message:
        'Rollback not proven: the manual rollback is not proven: PLC-L01-FILLER has not been captured again since its manual rollback.',
      hint: expect.stringMatching(/^Capture the controller again from the change screen/) as unknown,
    });
    expect(app.changes.timeline(changeId)).toHaveLength(before);
    expect(app.changes.list().find((c) => c.id === changeId)!.outcome).toBe('rolled back');
  });

  it('a re-capture that still differs is recorded with its differences, and CLOSE names them', async () => {
    line1.set({ Line1_Recipe: 9 }); // the backup put the speed back; the recipe was left at 9
    const sha = await recapture(app, changeId, controllerId);
    expect(app.changeCaptures.list(changeId).at(-1)).toMatchObject({ phase: 'rollback', status: 'complete', recordedAs: null });
    const { snapshotSha256 } = app.changeCaptures.record(changeId, sha!, eng.employeeId, eng.password, app.actor());
    expect(manual().proof).toMatchObject({
      snapshotSha256,
      matchesBefore: false,
      differences: [{ tag: 'Line1_Recipe', reason: 'Changed from 7 to 9.' }],
      unlisted: 0,
      capturedBy: 'Erin Engineer',
    });
    expect(app.changeCaptures.list(changeId).at(-1)!.recordedAs).toBe(snapshotSha256);
    expect(refusal(close).message).toBe(
      'Rollback not proven: the manual rollback is not proven: the re-capture of PLC-L01-FILLER still differs from the before-snapshot (Line1_Recipe) without a countersigned explanation.',
    );
  }, 30_000);

  it('after the recipe is put back, a second re-capture matches the before-snapshot: the rollback is done and the change closes', async () => {
    line1.set({});
    const sha = await recapture(app, changeId, controllerId);
    app.changeCaptures.record(changeId, sha!, eng.employeeId, eng.password, app.actor());
    expect(manual().proof).toMatchObject({ matchesBefore: true, differences: [], explanations: [] });
    expect(app.changes.list().find((c) => c.id === changeId)!.outcome).toBe('rolled back and restored');
    expect(app.changes.timeline(changeId).map((e) => e.summary)).toContain(
      `recorded the re-capture of PLC-L01-FILLER (${manual().proof!.snapshotSha256.slice(0, 12)}…) after its manual rollback: it matches the before-snapshot`,
    );
    expect(close().status).toBe('closed');
  }, 30_000);

  it('the evidence pack carries the re-capture and its verifier recomputes the comparison', async () => {
    const { zip } = await app.evidence.export(changeId, app.actor());
    const v = await verifyPack(zip, { caPems: app.identity.trust().caPems });
    // The emergency change still owes its retrospective review (the only rule the pack finds broken).
    expect(v.failures.map((f) => f.reason)).toEqual([expect.stringMatching(/^the emergency change's retrospective review is not done/)]);
    expect(v.context!.snapshots.has(manual().proof!.snapshotSha256)).toBe(true);
  }, 30_000);
});
