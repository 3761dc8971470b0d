/**
 * Issue #15, item 2, tolerances: over the Modbus simulator, with the line-1 profile declaring a tolerance of ±0.5 on
 * the flow (a live value). A flow that moved within it is no finding; outside it, it is a row CLOSE refuses until the
 * engineer explains it and a shift supervisor countersigns. A malformed tolerance is refused at import, nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, captureAndSign, emergencyFillerChange, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';

describe('live values against their declared tolerance at CLOSE', () => {
  const t = tempHome();
  let app: BaselineApp;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  let changeId: string;
  let controllerId: string;
  const [eng, , , , sky] = RACI;
  const items = (id: string) => app.policy.checkpoints().checkpoints.find((c) => c.id === id)!.items;
  const checkpoint = (id: string, decision: string) =>
    app.changes.act(
      changeId,
      sky.employeeId,
      sky.password,
      { type: 'checkpoint', role: 'shift-supervisor', checkpoint: id, decision, confirmed: items(id) },
      app.actor(),
    );
  const recordAfter = async () =>
    app.changes.act(
      changeId,
      eng.employeeId,
      eng.password,
      { type: 'record-snapshot', phase: 'after', controllerId, snapshotSha256: await captureAndSign(app, controllerId, eng) },
      app.actor(),
    );
  const lastAfter = (s: ChangeState) => ('execution' in s ? (s.execution.snapshots ?? []) : []).filter((x) => x.phase === 'after').at(-1)!;

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    controllerId = setUpPlant(app, line1.sim.port, 'test/fixtures/profiles-capture/modbus-line1-tolerance.csv');
    changeId = await emergencyFillerChange(app, controllerId);
    checkpoint('pre-execution', 'go');
    checkpoint('mid-change', 'continue');
    checkpoint('pre-cutover', 'cutover');
  }, 60_000);
  afterAll(async () => {
    app.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it("the snapshot carries each live tag's tolerance from the profile, signed with its value", () => {
    const before = (
      'execution' in app.changes.get(changeId)
        ? (app.changes.get(changeId) as Extract<ChangeState, { status: 'in-execution' }>).execution.snapshots!
        : []
    )[0]!;
    const doc = app.baselines.verifiedSnapshot(before.snapshotSha256).file.document;
    expect(doc.values.find((v) => v.tag === 'Line1_Flow')).toMatchObject({ value: 3.25, class: 'live', tolerance: { absolute: 0.5 } });
    expect(doc.values.find((v) => v.tag === 'Line1_SpeedSP')).not.toHaveProperty('tolerance');
  });

  it('a flow that moved within ±0.5 is no finding: the after-snapshot matches the proposal', async () => {
    line1.set({ Line1_SpeedSP: 14, Line1_Flow: 3.625 });
    const v = lastAfter(await recordAfter()).verification!;
    expect(v.findings.map((f) => [f.tag, f.status])).toEqual([['Line1_SpeedSP', 'approved']]);
    expect(v.matches).toBe(true);
  }, 30_000);

  it('outside ±0.5 the flow is an unexpected row with the reason, and CLOSE is refused naming it; nothing recorded', async () => {
    line1.set({ Line1_SpeedSP: 14, Line1_Flow: 4 });
    const v = lastAfter(await recordAfter()).verification!;
    expect(v.matches).toBe(false);
    expect(v.findings.filter((f) => f.status !== 'approved')).toEqual([
      {
        tag: 'Line1_Flow',
        status: 'unexpected',
        reason: 'Live value moved from 3.25 to 4 (by 0.75), outside its declared tolerance ±0.5 (at most 0.5 here).',
      },
    ]);
    const before = app.changes.timeline(changeId).length;
    expect(() => checkpoint('post-change', 'close')).toThrow(
      /not explained: PLC-L01-FILLER Line1_Flow \(unexpected: Live value moved from 3.25 to 4 \(by 0.75\), outside its declared tolerance ±0.5/,
    );
    expect(app.changes.timeline(changeId)).toHaveLength(before);
  }, 30_000);

  it('explained by the engineer and countersigned by the supervisor, CLOSE is signed', () => {
    app.changes.act(
      changeId,
      eng.employeeId,
      eng.password,
      {
        type: 'explain',
        explanations: [
          { controllerId, tag: 'Line1_Flow', text: 'Flow rises with the higher line speed; 4.0 l/min is the design flow at 14 m/min.' },
        ],
        supervisorEmployeeId: sky.employeeId,
        supervisorPassword: sky.password,
      },
      app.actor(),
    );
    const closed = checkpoint('post-change', 'close');
    expect('execution' in closed && closed.execution.checkpoints!.at(-1)!.effect).toBe('close');
  });

  it('a negative, non-numeric tolerance, or one on a config tag, is refused with what to do; no profile is stored', () => {
    const count = app.profiles.list().length;
    const csv =
      'tag,address,type,class,tolerance,tolerance_pct\nLine1_Flow,ir:0,FLOAT32,live,-0.5,\nLine1_SpeedSP,hr:0,FLOAT32,config,0.1,\nLine1_Count,hr:10,UINT32,live,,lots\n';
    let err: { code?: string; message?: string; hint?: string } = {};
    try {
      app.profiles.import('bad tolerances', 'modbus', csv, app.actor());
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.code).toBe('profile-invalid');
    expect(err.message).toBe(
      'The profile cannot be imported: 3 problems (line 2, tolerance: The tolerance -0.5 of Line1_Flow is negative; a tolerance is a band either side of the before value, 0 or more.; ' +
        'line 3, tolerance: Line1_SpeedSP is a config tag; a tolerance is declared only on live tags (process values that move on their own): a config value must not change unless proposed.; ' +
        'line 4, tolerance_pct: The tolerance "lots" of Line1_Count is not a number; give it as a plain number of percent, e.g. 2.).',
    );
    expect(err.hint).toBe('Correct the listed lines in the CSV file and import it again; nothing was imported.');
    expect(app.profiles.list()).toHaveLength(count);
  });
});
