// The change service on the 24-line plant: a scheduled start inside its slot, with conditions, staging, a witness, snapshots and checkpoints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, captureAndSign, normalChangeFields, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';

describe('scheduled start: inside the slot only, conditions confirmed, staging record kept, witness co-signs; snapshots and checkpoints', () => {
  const t = tempHome();
  let now = new Date('2026-11-23T15:00:00Z'); // Monday 09:00 in Chicago
  let app: BaselineApp;
  let controllerId: string;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  const [eng, pem, sec] = RACI;

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: () => now });
    controllerId = setUpPlant(app, line1.sim.port);
  }, 60_000);
  afterAll(async () => {
    app.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it('refuses to start before the slot or with unconfirmed conditions, then starts with them and closes', async () => {
    const c = app.changes.create(eng.employeeId, normalChangeFields(controllerId, now), app.actor());
    app.changes.act(c.id, eng.employeeId, eng.password, { type: 'submit' }, app.actor());
    app.changes.act(
      c.id,
      RACI[3].employeeId,
      RACI[3].password,
      {
        type: 'approve-with-conditions',
        role: 'quality-compliance',
        conditions: ['Operator on the line during the download'],
        diffReviewed: true,
      },
      app.actor(),
    );
    expect(
      app.changes.act(c.id, sec.employeeId, sec.password, { type: 'approve', role: 'ot-security', diffReviewed: true }, app.actor()).status,
    ).toBe('approved');
    // Thursday 23:00-24:00 in Chicago (CST, UTC-6): inside the night window, after the 48 h notice.
    const slot = { start: '2026-11-27T05:00:00.000Z', end: '2026-11-27T06:00:00.000Z' };
    expect(() =>
      app.changes.act(
        c.id,
        eng.employeeId,
        eng.password,
        { type: 'schedule', start: '2026-11-24T05:00:00.000Z', end: '2026-11-24T06:00:00.000Z' },
        app.actor(),
      ),
    ).toThrow(/notice|earliest start/i);
    expect(app.changes.act(c.id, eng.employeeId, eng.password, { type: 'schedule', ...slot }, app.actor()).status).toBe('scheduled');
    expect(() =>
      app.changes.act(
        c.id,
        eng.employeeId,
        eng.password,
        {
          type: 'start-execution',
          stagingRecord: 'STG-17',
          witnessEmployeeId: sec.employeeId,
          witnessPassword: sec.password,
          conditionsMet: true,
        },
        app.actor(),
      ),
    ).toThrow(/scheduled from .* it is now/);
    now = new Date('2026-11-27T05:10:00Z');
    expect(() =>
      app.changes.act(
        c.id,
        eng.employeeId,
        eng.password,
        { type: 'start-execution', stagingRecord: 'STG-17', witnessEmployeeId: sec.employeeId, witnessPassword: sec.password },
        app.actor(),
      ),
    ).toThrow(/approved with conditions \(Operator on the line during the download\)/);
    expect(() =>
      app.changes.act(
        c.id,
        eng.employeeId,
        eng.password,
        { type: 'start-execution', witnessEmployeeId: sec.employeeId, witnessPassword: sec.password, conditionsMet: true },
        app.actor(),
      ),
    ).toThrow(/staging/);
    expect(() =>
      app.changes.act(
        c.id,
        eng.employeeId,
        eng.password,
        { type: 'start-execution', stagingRecord: 'STG-17', witnessEmployeeId: sec.employeeId, conditionsMet: true },
        app.actor(),
      ),
    ).toThrow(/witness .* has not signed/);
    expect(() =>
      app.changes.act(
        c.id,
        eng.employeeId,
        eng.password,
        {
          type: 'start-execution',
          stagingRecord: 'STG-17',
          witnessEmployeeId: sec.employeeId,
          witnessPassword: 'wrong',
          conditionsMet: true,
        },
        app.actor(),
      ),
    ).toThrow(/password/);
    expect(app.changes.get(c.id).status).toBe('scheduled');
    const started = app.changes.act(
      c.id,
      eng.employeeId,
      eng.password,
      {
        type: 'start-execution',
        stagingRecord: 'STG-17',
        witnessEmployeeId: sec.employeeId,
        witnessPassword: sec.password,
        conditionsMet: true,
      },
      app.actor(),
    );
    const startEvent = app.journal.page(1)[0]!;
    expect(
      (JSON.parse(startEvent.payload) as { cosignatures: { signer: { name: string }; meaning: string }[] }).cosignatures.map((x) => [
        x.signer.name,
        x.meaning,
      ]),
    ).toEqual([[sec.name, 'reviewed']]);
    expect(started.status).toBe('in-execution');
    if (started.status !== 'in-execution') throw new Error('unreachable');
    expect(started.execution.stagingRecord).toBe('STG-17');
    expect(started.execution.executor.name).toBe(eng.name);
    // The checkpoints: signed by the shift supervisor (never by the engineer doing the work), in order, then close.
    const sky = RACI[4];
    const checklist = (id: string) => app.policy.checkpoints().checkpoints.find((x) => x.id === id)!.items;
    const checkpoint = (by: { employeeId: string; password: string }, id: string, decision: string) =>
      app.changes.act(
        c.id,
        by.employeeId,
        by.password,
        { type: 'checkpoint', role: 'shift-supervisor', checkpoint: id, decision, confirmed: checklist(id) },
        app.actor(),
      );
    const record = (phase: 'before' | 'after', snapshotSha256: string) =>
      app.changes.act(c.id, eng.employeeId, eng.password, { type: 'record-snapshot', phase, controllerId, snapshotSha256 }, app.actor());
    expect(() => app.changes.act(c.id, eng.employeeId, eng.password, { type: 'close', comment: 'done' }, app.actor())).toThrow(
      /Checkpoints open: .* only after Post-change validation decides CLOSE/,
    );
    expect(() => checkpoint(eng, 'pre-execution', 'go')).toThrow(/Segregation of duties: Erin Engineer filed change/);
    expect(() => checkpoint(sky, 'pre-execution', 'go')).toThrow(
      /Snapshots missing: GO at Pre-execution verification needs a signed before-snapshot of every target controller; missing: PLC-L01-FILLER/,
    );
    // Before: a real capture of the simulated filler over Modbus TCP, signed by the engineer, recorded on the change.
    const beforeSha = await captureAndSign(app, controllerId, eng);
    record('before', beforeSha);
    expect(() => checkpoint({ employeeId: sky.employeeId, password: 'wrong' }, 'pre-execution', 'go')).toThrow(/password/);
    checkpoint(sky, 'pre-execution', 'go');
    // The work: the speed setpoint goes to 14 as proposed, and (not proposed) the recipe to 9.
    line1.set({ Line1_SpeedSP: 14, Line1_Recipe: 9 });
    checkpoint(sky, 'mid-change', 'continue');
    checkpoint(sky, 'pre-cutover', 'cutover');
    const after = record('after', await captureAndSign(app, controllerId, eng));
    if (after.status !== 'in-execution') throw new Error('unreachable');
    expect(after.execution.snapshots?.at(-1)?.verification).toMatchObject({
      proposal: 'diff',
      matches: false,
      counts: { approved: 1, unexpected: 1, missing: 0 },
      configDifferences: 2,
      findings: [
        { tag: 'Line1_Recipe', status: 'unexpected' },
        { tag: 'Line1_SpeedSP', status: 'approved' },
      ],
    });
    // The unplanned recipe change is put back and the controller captured again: the after-snapshot now matches.
    line1.set({ Line1_SpeedSP: 14 });
    const again = record('after', await captureAndSign(app, controllerId, eng));
    if (again.status !== 'in-execution') throw new Error('unreachable');
    expect(again.execution.snapshots?.at(-1)?.verification).toMatchObject({
      matches: true,
      counts: { approved: 1, unexpected: 0, missing: 0 },
    });
    checkpoint(sky, 'post-change', 'close');
    const decisions = app.journal
      .page(40)
      .filter((e) => e.type === 'change.updated')
      .map((e) => JSON.parse(e.payload) as { operation: string; summary: string; signature: { meaning: string; signer: { name: string } } })
      .filter((d) => d.operation === 'checkpoint')
      .reverse();
    expect(decisions.map((d) => [d.summary, d.signature.meaning, d.signature.signer.name])).toEqual([
      ['GO at Pre-execution verification (5 of 5 items confirmed)', 'go', sky.name],
      ['CONTINUE at Mid-change assessment (4 of 4 items confirmed)', 'go', sky.name],
      ['CUTOVER at Pre-cutover verification (4 of 4 items confirmed)', 'go', sky.name],
      ['CLOSE at Post-change validation (4 of 4 items confirmed)', 'go', sky.name],
    ]);
    expect(() => app.changes.approveAfterAsBaseline(c.id, controllerId, pem.employeeId, pem.password, app.actor())).toThrow(
      /is in-execution; only a change closed as completed gives a new baseline/,
    );
    const closed = app.changes.act(c.id, eng.employeeId, eng.password, { type: 'close', comment: 'Ran 30 min at 14 m/min' }, app.actor());
    expect(closed.status).toBe('closed');
    // Step 6 of the OT change framework: the after-snapshot becomes the new baseline, approved by the post-implementation
    // review of someone not on the change; a normal change has no optional baseline approval beside it.
    expect(() => app.changes.approveAfterAsBaseline(c.id, controllerId, pem.employeeId, pem.password, app.actor())).toThrow(
      /its new baseline is approved by its post-implementation review/,
    );
    const review = {
      type: 'post-implementation-review' as const,
      role: 'plant-engineering-manager',
      objectivesMet: true,
      findings: 'At 14 m/min, rejects 0.3 %',
      lessonsLearned: 'None',
    };
    expect(() => app.changes.act(c.id, eng.employeeId, eng.password, { ...review, role: 'controls-engineer' }, app.actor())).toThrow(
      /Segregation of duties: Erin Engineer filed change .* cannot review it/,
    );
    app.changes.act(c.id, pem.employeeId, pem.password, review, app.actor());
    expect(JSON.parse(app.journal.page(1)[0]!.payload)).toMatchObject({ controllerId, version: 1, changeId: c.id });
    expect(app.baselines.current(controllerId)?.version).toBe(1);
    expect(() => app.changes.act(c.id, pem.employeeId, pem.password, review, app.actor())).toThrow(
      /No post-implementation review due: .*signed by Pat Manager/,
    );
    const all = app.changes.timeline(c.id);
    // The captures of the target controller during the execution are on the change's timeline too, with who took them.
    const captures = all.filter((x) => x.operation === 'capture');
    expect(captures.length).toBeGreaterThan(0);
    expect(captures[0]!.summary).toMatch(/^captured .* \(complete\)$/);
    const ops = all.filter((x) => x.operation !== 'capture');
    expect(ops.map((x) => x.operation)).toEqual([
      'create',
      'submit',
      'approve-with-conditions',
      'approve',
      'schedule',
      'start-execution',
      'snapshot-signed',
      'record-snapshot',
      'checkpoint',
      'checkpoint',
      'checkpoint',
      'snapshot-signed',
      'record-snapshot',
      'snapshot-signed',
      'record-snapshot',
      'checkpoint',
      'close',
      'post-implementation-review',
      'baseline-approved',
    ]);
    expect(ops.find((x) => x.operation === 'start-execution')!.summary).toMatch(/conditions confirmed met, staging record STG-17/);
    expect(app.journalService.verifyQuietly().ok).toBe(true);
  });
});
