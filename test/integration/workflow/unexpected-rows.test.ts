/**
 * Issue #15, item 2: rows of the after-diff that the proposed diff did not foresee (unexpected or missing) block
 * CLOSE until each is explained by the engineer and countersigned by a shift supervisor, or the change is rolled
 * back. Over the Modbus simulator: the download also changes the recipe, which nobody proposed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, captureAndSign, emergencyFillerChange, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';

describe('unexpected after-diff rows block CLOSE until explained and countersigned', () => {
  const t = tempHome();
  let app: BaselineApp;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  let changeId: string;
  let controllerId: string;
  const [eng, pem, , , sky] = RACI;
  const items = (id: string) => app.policy.checkpoints().checkpoints.find((c) => c.id === id)!.items;
  const checkpoint = (id: string, decision: string) =>
    app.changes.act(
      changeId,
      sky.employeeId,
      sky.password,
      { type: 'checkpoint', role: 'shift-supervisor', checkpoint: id, decision, confirmed: items(id) },
      app.actor(),
    );
  const thrown = (f: () => unknown): { code?: string; message?: string; hint?: string } => {
    try {
      f();
    } catch (err) {
      return err as { code: string; message: string; hint: string };
    }
    throw new Error('expected a refusal');
  };

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    controllerId = setUpPlant(app, line1.sim.port);
    changeId = await emergencyFillerChange(app, controllerId);
    checkpoint('pre-execution', 'go');
    line1.set({ Line1_SpeedSP: 14, Line1_Recipe: 9 });
    checkpoint('mid-change', 'continue');
    checkpoint('pre-cutover', 'cutover');
    app.changes.act(
      changeId,
      eng.employeeId,
      eng.password,
      { type: 'record-snapshot', phase: 'after', controllerId, snapshotSha256: await captureAndSign(app, controllerId, eng) },
      app.actor(),
    );
  }, 60_000);
  afterAll(async () => {
    app.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it('refuses CLOSE naming the unexplained row, and records nothing', () => {
    const before = app.changes.timeline(changeId).length;
    const e = thrown(() => checkpoint('post-change', 'close'));
    expect(e.code).toBe('change-unexplained-differences');
    expect(e.message).toMatch(
      /^Unexplained differences: CLOSE at Post-change validation needs every row of the after-diff that the proposal did not foresee explained; not explained: PLC-L01-FILLER Line1_Recipe \(unexpected: .*\)\.$/,
    );
    expect(e.hint).toBe('Explain each row (signed by you and countersigned by a shift supervisor), or roll the change back.');
    expect(app.changes.timeline(changeId)).toHaveLength(before);
  });

  it('refuses an explanation countersigned by someone who is no shift supervisor, or with a wrong password, or of a row that is as proposed', () => {
    const before = app.changes.timeline(changeId).length;
    const explain = (text: string, tag = 'Line1_Recipe', sup: { employeeId: string; password: string } = sky) =>
      app.changes.act(
        changeId,
        eng.employeeId,
        eng.password,
        {
          type: 'explain',
          explanations: [{ controllerId, tag, text }],
          supervisorEmployeeId: sup.employeeId,
          supervisorPassword: sup.password,
        },
        app.actor(),
      );
    expect(thrown(() => explain('Operator chose recipe 9', 'Line1_Recipe', pem))).toMatchObject({
      code: 'change-role-not-held',
      message: expect.stringMatching(/^Role not held: explanations are countersigned as shift supervisor; Pat Manager holds/i) as unknown,
    });
    expect(
      thrown(() => explain('Operator chose recipe 9', 'Line1_Recipe', { employeeId: sky.employeeId, password: 'wrong-password-9' })),
    ).toMatchObject({ code: 'wrong-password' });
    expect(thrown(() => explain('as proposed', 'Line1_SpeedSP'))).toMatchObject({
      code: 'change-explanation-invalid',
      message: expect.stringContaining('still to explain: PLC-L01-FILLER Line1_Recipe') as unknown,
    });
    expect(app.changes.timeline(changeId)).toHaveLength(before);
  });

  it('explained by the engineer and countersigned by the supervisor, CLOSE is signed over the explanations', () => {
    app.changes.act(
      changeId,
      eng.employeeId,
      eng.password,
      {
        type: 'explain',
        explanations: [
          {
            controllerId,
            tag: 'Line1_Recipe',
            text: 'The operator selected recipe 9 for the next order during the stop; confirmed with the shift log.',
          },
        ],
        supervisorEmployeeId: sky.employeeId,
        supervisorPassword: sky.password,
      },
      app.actor(),
    );
    const state = app.changes.get(changeId);
    if (state.status !== 'in-execution') throw new Error(state.status);
    expect(state.execution.explanations).toMatchObject([
      { controllerId, tag: 'Line1_Recipe', status: 'unexpected', by: { id: eng.employeeId }, countersignedBy: { id: sky.employeeId } },
    ]);
    const explained = app.journal.page(5).find((e) => e.type === 'change.updated')!;
    const p = JSON.parse(explained.payload) as {
      cosignedAs: string[];
      cosignatures: { signer: { employeeId: string } }[];
      relied: { explanationsSha256: string | null };
    };
    expect(p.cosignedAs).toEqual(['countersign']);
    expect(p.cosignatures[0]!.signer.employeeId).toBe(sky.employeeId);
    expect(p.relied.explanationsSha256).toMatch(/^[0-9a-f]{64}$/);
    checkpoint('post-change', 'close');
    app.changes.act(
      changeId,
      eng.employeeId,
      eng.password,
      { type: 'close', comment: 'Speed raised; recipe change explained' },
      app.actor(),
    );
    expect(app.changes.get(changeId).status).toBe('closed');
    expect(app.changes.timeline(changeId).map((e) => e.operation)).toContain('explain');
    expect(app.journalService.verifyQuietly()).toMatchObject({ ok: true });
  });

  it('the timeline shows every event of the change: decisions, captures, signed snapshots and the new baseline', () => {
    app.changes.approveAfterAsBaseline(changeId, controllerId, pem.employeeId, pem.password, app.actor());
    const timeline = app.changes.timeline(changeId);
    expect(timeline.map((e) => e.operation)).toEqual([
      'create',
      'break-glass',
      'capture',
      'snapshot-signed',
      'record-snapshot',
      'checkpoint',
      'checkpoint',
      'checkpoint',
      'capture',
      'snapshot-signed',
      'record-snapshot',
      'explain',
      'checkpoint',
      'close',
      'baseline-approved',
    ]);
    expect(timeline.find((e) => e.operation === 'snapshot-signed')).toMatchObject({
      by: 'Erin Engineer',
      signed: true,
      summary: expect.stringMatching(/^signed a snapshot of PLC-L01-FILLER "captured by"/) as unknown,
    });
    expect(timeline.at(-1)).toMatchObject({
      by: 'Pat Manager',
      signed: true,
      summary: 'approved the after-snapshot of PLC-L01-FILLER as its baseline v1',
    });
  });
});
