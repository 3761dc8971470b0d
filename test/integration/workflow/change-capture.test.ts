import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { startFaultProxy, type FaultProxy } from '../../../src-main/devices/simulator/fault-proxy.ts';
import type { BaselineError } from '../../../src-shared/common/errors.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, normalChangeFields, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';
import { testClock } from '../../helpers/completed-change.ts';

/** Runs a capture of the change to its end (the `capture.finished` event) and returns its SHA-256. */
function captureToEnd(
  app: BaselineApp,
  changeId: string,
  controllerId: string,
  phase: 'before' | 'after',
  cancelAfterMs?: number,
): Promise<{ captureSha256: string | null; progress: number }> {
  return new Promise((resolve) => {
    let progress = 0;
    let id = '';
    const off = app.hub.subscribe((event, payload) => {
      const p = payload as { captureId: string; captureSha256?: string | null };
      if (p.captureId !== id) return;
      if (event === 'capture.progress') progress++;
      if (event === 'capture.finished') {
        off();
        resolve({ captureSha256: p.captureSha256 ?? null, progress });
      }
    });
    id = app.changeCaptures.start(changeId, controllerId, phase, app.actor()).captureId;
    if (cancelAfterMs !== undefined) setTimeout(() => app.changeCaptures.cancel(id), cancelAfterMs);
  });
}

function refusal(fn: () => unknown): BaselineError {
  try {
    fn();
  } catch (err) {
    return err as BaselineError;
  }
  throw new Error('expected a refusal');
}

describe('captures from the change screen: a capture cut mid-way, cancelled or failed is never evidence; a retry is', () => {
  const t = tempHome();
  const clock = testClock();
  let app: BaselineApp;
  let proxy: FaultProxy;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  let controllerId: string;
  let changeId: string;
  const [eng, , sec, quinn, sky] = RACI;
  const go = () =>
    app.changes.act(
      changeId,
      sky.employeeId,
      sky.password,
      {
        type: 'checkpoint',
        role: 'shift-supervisor',
        checkpoint: 'pre-execution',
        decision: 'go',
        confirmed: app.policy.checkpoints().checkpoints[0]!.items,
      },
      app.actor(),
    );

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    // The controller is reached through a proxy that can cut the connection, like a cable pulled at the cabinet.
    proxy = await startFaultProxy(line1.sim.port);
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: clock.now });
    controllerId = setUpPlant(app, proxy.port);
    changeId = app.changes.create(eng.employeeId, normalChangeFields(controllerId, clock.now()), app.actor()).id;
    app.changes.act(changeId, eng.employeeId, eng.password, { type: 'submit' }, app.actor());
    app.changes.act(
      changeId,
      quinn.employeeId,
      quinn.password,
      { type: 'approve', role: 'quality-compliance', diffReviewed: true },
      app.actor(),
    );
    app.changes.act(changeId, sec.employeeId, sec.password, { type: 'approve', role: 'ot-security', diffReviewed: true }, app.actor());
    app.changes.act(
      changeId,
      eng.employeeId,
      eng.password,
      { type: 'schedule', start: '2026-11-27T05:00:00.000Z', end: '2026-11-27T06:00:00.000Z' },
      app.actor(),
    );
    clock.set('2026-11-27T05:10:00Z');
    app.changes.act(
      changeId,
      eng.employeeId,
      eng.password,
      { type: 'start-execution', stagingRecord: 'STG-17', witnessEmployeeId: sec.employeeId, witnessPassword: sec.password },
      app.actor(),
    );
  }, 60_000);
  afterAll(async () => {
    app.close();
    await proxy?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it('refuses an after-capture before the GO, and a capture of a controller the change does not target', () => {
    expect(refusal(() => app.changeCaptures.start(changeId, controllerId, 'after', app.actor())).message).toMatch(
      /An after-capture of PLC-L01-FILLER is taken once Pre-execution verification let the work go on/,
    );
    expect(refusal(() => app.changeCaptures.start(changeId, 'no-such-controller', 'before', app.actor())).code).toMatch(
      /controller-unknown|not-target/,
    );
  });

  it('a capture whose connection is cut mid-way is marked cut off, refused as the before-snapshot, and named when GO is refused', async () => {
    proxy.setFault({ kind: 'cut-after', replies: 2 });
    const { captureSha256 } = await captureToEnd(app, changeId, controllerId, 'before');
    expect(captureSha256).not.toBeNull();
    const [cut] = app.changeCaptures.list(changeId);
    expect(cut).toMatchObject({ captureSha256, controllerId, phase: 'before', recordedAs: null });
    expect(cut!.status).toBe('incomplete');
    expect(cut!.good).toBeGreaterThan(0);
    expect(cut!.good).toBeLessThan(cut!.tags);
    expect(cut!.failure?.message).toBeTruthy();

    const eventsBefore = app.journalService.list(500).total;
    const e = refusal(() => app.changeCaptures.record(changeId, captureSha256!, eng.employeeId, eng.password, app.actor()));
    expect(e.code).toBe('capture-not-evidence');
    expect(e.message).toMatch(
      new RegExp(
        `The before-capture of PLC-L01-FILLER taken .* was cut off mid-way \\(${cut!.good} of ${cut!.tags} tags read: .+\\)\\. A capture that is incomplete, cancelled or failed is never evidence, so it cannot be the before-snapshot of change CR-0001`,
      ),
    );
    expect(e.hint).toMatch(/Retry the capture from the change screen/);
    // Nothing was signed or recorded: no new event at all.
    expect(app.journalService.list(500).total).toBe(eventsBefore);
    const state = app.changes.get(changeId);
    expect(state.status === 'in-execution' ? (state.execution.snapshots ?? []) : null).toEqual([]);

    const g = refusal(go);
    expect(g.message).toMatch(
      /GO at Pre-execution verification needs a signed before-snapshot of every target controller; missing: PLC-L01-FILLER\. Note: the latest before-capture of PLC-L01-FILLER was cut off mid-way .* and is not evidence; retry it\./,
    );
  });

  it('a cancelled capture is marked cancelled and refused too', async () => {
    proxy.setFault({ kind: 'delay', ms: 400 });
    const { captureSha256 } = await captureToEnd(app, changeId, controllerId, 'before', 100);
    const cancelled = app.changeCaptures.list(changeId).find((c) => c.captureSha256 === captureSha256)!;
    expect(cancelled.status).toBe('cancelled');
    expect(refusal(() => app.changeCaptures.record(changeId, captureSha256!, eng.employeeId, eng.password, app.actor())).message).toMatch(
      /was cancelled \(\d of 9 tags read\)\. A capture that is incomplete, cancelled or failed is never evidence/,
    );
  });

  it('the retry over a sound connection is signed and recorded as the before-snapshot, and GO passes', async () => {
    proxy.setFault({ kind: 'none' });
    const { captureSha256, progress } = await captureToEnd(app, changeId, controllerId, 'before');
    expect(progress).toBeGreaterThan(0);
    const r = app.changeCaptures.record(changeId, captureSha256!, eng.employeeId, eng.password, app.actor());
    expect(r.status).toBe('in-execution');
    const list = app.changeCaptures.list(changeId);
    expect(list.map((c) => c.status)).toEqual(['incomplete', 'cancelled', 'complete']);
    expect(list[2]!.recordedAs).toBe(r.snapshotSha256);
    expect(refusal(() => app.changeCaptures.record(changeId, captureSha256!, eng.employeeId, eng.password, app.actor())).code).toBe(
      'change-capture-recorded',
    );
    go();
    // Before-captures end with the GO; the after-capture is next.
    expect(refusal(() => app.changeCaptures.start(changeId, controllerId, 'before', app.actor())).message).toMatch(
      /before-capture of PLC-L01-FILLER is taken before Pre-execution verification, which was already decided/,
    );
    const tl = app.changes.timeline(changeId).map((x) => x.summary);
    expect(tl.filter((s) => s.startsWith('captured PLC-L01-FILLER'))).toEqual([
      'captured PLC-L01-FILLER (incomplete)',
      'captured PLC-L01-FILLER (incomplete)',
      'captured PLC-L01-FILLER (complete)',
    ]);
  });
});
