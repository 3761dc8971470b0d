import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, captureAndSign, normalChangeFields, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';

describe('change requests through the state machine, with e-signatures, on the 24-line plant', () => {
  const t = tempHome();
  let app: BaselineApp;
  let controllerId: string;
  const [eng, pem, sec] = RACI;

  beforeAll(() => {
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    controllerId = setUpPlant(app);
  }, 60_000);
  afterAll(() => {
    app.close();
    t.cleanup();
  });

  it('a tier-1 normal change needs the CAB (quorum 2), 48 h notice and staging, each with its reason', () => {
    const e = app.changes.evaluate(normalChangeFields(controllerId, new Date()) as never);
    expect(e.missingFields).toEqual([]);
    const ev = e.evaluation!;
    expect(ev.approvals.map((a) => [a.group, a.quorum])).toContainEqual(['cab', 2]);
    expect(ev.summary.join(' ')).toMatch(/L01/);
    expect(ev.staging.required).toBe(true);
  });

  it("files, submits (signed), refuses the requester's own approval, and is approved by two CAB members", () => {
    const draft = app.changes.create(eng.employeeId, normalChangeFields(controllerId, new Date()), app.actor());
    expect(draft.status).toBe('draft');
    expect(() => app.changes.act(draft.id, eng.employeeId, 'wrong-password', { type: 'submit' }, app.actor())).toThrow(/password/);
    expect(app.changes.act(draft.id, eng.employeeId, eng.password, { type: 'submit' }, app.actor()).status).toBe('submitted');
    expect(() =>
      app.changes.act(draft.id, eng.employeeId, eng.password, { type: 'approve', role: 'controls-engineer' }, app.actor()),
    ).toThrow(/Segregation of duties|Role not held|Not an approver/);
    expect(
      app.changes.act(
        draft.id,
        RACI[3].employeeId,
        RACI[3].password,
        { type: 'approve', role: 'quality-compliance', diffReviewed: true },
        app.actor(),
      ).status,
    ).toBe('submitted');
    expect(() =>
      app.changes.act(
        draft.id,
        RACI[3].employeeId,
        RACI[3].password,
        { type: 'approve', role: 'quality-compliance', diffReviewed: true },
        app.actor(),
      ),
    ).toThrow(/twice|already/i);
    const approved = app.changes.act(
      draft.id,
      sec.employeeId,
      sec.password,
      { type: 'approve', role: 'ot-security', diffReviewed: true },
      app.actor(),
    );
    expect(approved.status).toBe('approved');
    const timeline = app.changes.timeline(draft.id);
    expect(timeline.map((x) => [x.operation, x.signed])).toEqual([
      ['create', false],
      ['submit', true],
      ['approve', true],
      ['approve', true],
    ]);
    expect(() =>
      app.changes.act(draft.id, eng.employeeId, eng.password, { type: 'withdraw', reason: 'too late' }, app.actor()),
    ).not.toThrow();
    expect(app.journalService.verifyQuietly().ok).toBe(true);
  });

  it('a controller marked a safety system escalates a change on a tier-3 line to the CAB; unmarked, same-shift rules apply', () => {
    app.plantModel.assignLine(controllerId, 'L20', 'moved to the tier-3 line', { employeeId: pem.employeeId, password: pem.password });
    const fields = {
      ...normalChangeFields(controllerId, new Date()),
      proposedChange: { kind: 'diff', controllerId, changes: [{ tag: 'Line1_SpeedSP', to: 14 }] },
    };
    const plain = app.changes.evaluate(fields as never).evaluation!;
    expect(plain.approvals.map((a) => a.group)).not.toContain('cab');
    app.plantModel.setControllerSafety(controllerId, true, 'burner management system', {
      employeeId: pem.employeeId,
      password: pem.password,
    });
    const safety = app.changes.evaluate(fields as never).evaluation!;
    expect(safety.approvals.map((a) => a.group)).toContain('cab');
    expect(safety.summary.join(' ')).toMatch(/safety controller PLC-L01-FILLER/);
    app.plantModel.setControllerSafety(controllerId, false, 'not a safety system after all', {
      employeeId: pem.employeeId,
      password: pem.password,
    });
    app.plantModel.assignLine(controllerId, 'L01', 'back on line 1', { employeeId: pem.employeeId, password: pem.password });
  });

  it('projections rebuild to the same change register', async () => {
    const before = app.changes.list();
    app.journal.rebuildProjections();
    expect(app.changes.list()).toEqual(before);
  });
});

describe('emergency fast path: break-glass now, retrospective CAB review within 24 h', () => {
  const t = tempHome();
  let now = new Date('2026-11-23T03:00:00Z');
  let app: BaselineApp;
  let controllerId: string;
  const [eng, , sec] = RACI;
  beforeAll(() => {
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: () => now });
    controllerId = setUpPlant(app);
  }, 60_000);
  afterAll(() => {
    app.close();
    t.cleanup();
  });

  it('records the break-glass approval (who, how, why), shows the review due, then overdue, then done late', async () => {
    const { approvalTimeoutStatus, retrospectiveStatus } = await import('../../../src-shared/common/workflow/change-deadlines.ts');
    const c = app.changes.create(
      eng.employeeId,
      {
        title: 'Filler jammed: raise torque limit',
        description: 'Torque limit trips every 2 minutes; line down.',
        justification: 'Line L01 stopped; product at risk.',
        class: 'emergency',
        targetControllers: [controllerId],
      },
      app.actor(),
    );
    const started = app.changes.act(
      c.id,
      eng.employeeId,
      eng.password,
      {
        type: 'break-glass',
        approverEmployeeId: 'SV500',
        approverPassword: 'sky-password-1',
        approverRole: 'shift-supervisor',
        method: 'phone',
        reason: 'Line down at 03:00; torque limit too low after motor swap.',
      },
      app.actor(),
    );
    expect(started.status).toBe('in-execution');
    expect(retrospectiveStatus(started, now)).toMatchObject({ status: 'due' });
    now = new Date(now.getTime() + 25 * 3600_000);
    expect(retrospectiveStatus(app.changes.get(c.id), now)).toMatchObject({ status: 'overdue', overdueMinutes: 60 });
    // The review waits for the emergency report.
    expect(() =>
      app.changes.act(
        c.id,
        sec.employeeId,
        sec.password,
        { type: 'retrospective-review', role: 'ot-security', comment: 'No security impact.' },
        app.actor(),
      ),
    ).toThrow(/Emergency report missing/);
    app.changes.act(
      c.id,
      eng.employeeId,
      eng.password,
      {
        type: 'emergency-report',
        rootCause: "Torque limit left at the old motor's value after the swap",
        lessonsLearned: 'Motor swaps carry a parameter check',
        permanentFix: 'MOC-2300',
      },
      app.actor(),
    );
    app.changes.act(
      c.id,
      RACI[3].employeeId,
      RACI[3].password,
      { type: 'retrospective-review', role: 'quality-compliance', comment: 'Justified; permanent fix under MOC-2300.' },
      app.actor(),
    );
    const reviewed = app.changes.act(
      c.id,
      sec.employeeId,
      sec.password,
      { type: 'retrospective-review', role: 'ot-security', comment: 'No security impact.' },
      app.actor(),
    );
    expect(retrospectiveStatus(reviewed, now)).toMatchObject({ status: 'done', late: true });
    expect(approvalTimeoutStatus(reviewed, now)).toEqual({ status: 'not-waiting' });
    expect(app.changes.timeline(c.id).map((x) => x.operation)).toEqual([
      'create',
      'break-glass',
      'emergency-report',
      'retrospective-review',
      'retrospective-review',
    ]);
  });

  it('a person whose certificate was revoked cannot sign a decision', () => {
    const c = app.changes.create(eng.employeeId, normalChangeFields(controllerId, now), app.actor());
    app.changes.act(c.id, eng.employeeId, eng.password, { type: 'submit' }, app.actor());
    app.identity.revoke(app.identity.personByEmployeeId(RACI[3].employeeId).fingerprint, 'left the company', app.actor());
    expect(() =>
      app.changes.act(
        c.id,
        RACI[3].employeeId,
        RACI[3].password,
        { type: 'approve', role: 'quality-compliance', diffReviewed: true },
        app.actor(),
      ),
    ).toThrow(/no valid certificate|revoked/);
  });
});

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

describe("a slot outside every change window needs a plant manager's own override signature", () => {
  const t = tempHome();
  const now = new Date('2026-11-23T15:00:00Z'); // Monday 09:00 in Chicago
  let app: BaselineApp;
  let controllerId: string;
  const [eng, pem, sec] = RACI;
  const boss = { name: 'Morgan Plant', employeeId: 'P500', roles: ['plant-manager'], password: 'morgan-password-1' };

  beforeAll(() => {
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: () => now });
    controllerId = setUpPlant(app);
    app.identity.enrol(boss, 'plant-ca-secret-1', app.actor());
  }, 60_000);
  afterAll(() => {
    app.close();
    t.cleanup();
  });

  it("refuses the daytime slot naming the rule, refuses an override by the wrong person, accepts the plant manager's", () => {
    const c = app.changes.create(eng.employeeId, normalChangeFields(controllerId, now), app.actor());
    app.changes.act(c.id, eng.employeeId, eng.password, { type: 'submit' }, app.actor());
    app.changes.act(
      c.id,
      RACI[3].employeeId,
      RACI[3].password,
      { type: 'approve', role: 'quality-compliance', diffReviewed: true },
      app.actor(),
    );
    app.changes.act(c.id, sec.employeeId, sec.password, { type: 'approve', role: 'ot-security', diffReviewed: true }, app.actor());
    // Thursday 12:00-13:00 in Chicago: production hours, outside every window.
    const slot = { start: '2026-11-26T18:00:00.000Z', end: '2026-11-26T19:00:00.000Z' };
    expect(() => app.changes.act(c.id, eng.employeeId, eng.password, { type: 'schedule', ...slot }, app.actor())).toThrow(
      /12:00 CST .* is not inside a change window .*; an override needs the signature of Plant manager/,
    );
    const reason = 'Line L01 is down for the motor swap anyway';
    expect(() =>
      app.changes.act(
        c.id,
        eng.employeeId,
        eng.password,
        {
          type: 'schedule',
          ...slot,
          override: {
            employeeId: pem.employeeId,
            password: pem.password,
            role: 'plant-engineering-manager',
            rule: 'outside-window',
            reason,
          },
        },
        app.actor(),
      ),
    ).toThrow(/cannot override/);
    expect(() =>
      app.changes.act(
        c.id,
        eng.employeeId,
        eng.password,
        {
          type: 'schedule',
          ...slot,
          override: { employeeId: boss.employeeId, password: 'wrong', role: 'plant-manager', rule: 'outside-window', reason },
        },
        app.actor(),
      ),
    ).toThrow(/password/);
    const scheduled = app.changes.act(
      c.id,
      eng.employeeId,
      eng.password,
      {
        type: 'schedule',
        ...slot,
        override: { employeeId: boss.employeeId, password: boss.password, role: 'plant-manager', rule: 'outside-window', reason },
      },
      app.actor(),
    );
    expect(scheduled.status).toBe('scheduled');
    if (scheduled.status !== 'scheduled') throw new Error('unreachable');
    expect(scheduled.slot.overrides).toMatchObject([{ by: { name: boss.name }, role: 'plant-manager', rule: 'outside-window', reason }]);
    const event = app.journal.page(1)[0]!;
    const payload = JSON.parse(event.payload) as {
      signature: { signer: { name: string } };
      cosignatures: { signer: { name: string }; meaning: string }[];
    };
    expect(payload.signature.signer.name).toBe(eng.name);
    expect(payload.cosignatures.map((x) => [x.signer.name, x.meaning])).toEqual([[boss.name, 'approved']]);
    expect(app.journalService.verifyQuietly().ok).toBe(true);
  });
});

describe('approval timeout: the escalation approver signs in place of a missing CAB member once the timeout has passed', () => {
  const t = tempHome();
  let now = new Date('2026-11-23T15:00:00Z');
  let app: BaselineApp;
  let controllerId: string;
  const [eng] = RACI;
  const boss = { name: 'Morgan Plant', employeeId: 'P500', roles: ['plant-manager'], password: 'morgan-password-1' };

  beforeAll(() => {
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: () => now });
    controllerId = setUpPlant(app);
    app.identity.enrol(boss, 'plant-ca-secret-1', app.actor());
  }, 60_000);
  afterAll(() => {
    app.close();
    t.cleanup();
  });

  it('refuses the plant manager before the 72 h timeout, accepts them after it, and records whom they stood in for', () => {
    const c = app.changes.create(eng.employeeId, normalChangeFields(controllerId, new Date(now.getTime() + 4 * 86_400_000)), app.actor());
    app.changes.act(c.id, eng.employeeId, eng.password, { type: 'submit' }, app.actor());
    app.changes.act(
      c.id,
      RACI[3].employeeId,
      RACI[3].password,
      { type: 'approve', role: 'quality-compliance', diffReviewed: true },
      app.actor(),
    );
    expect(() =>
      app.changes.act(c.id, boss.employeeId, boss.password, { type: 'approve', role: 'plant-manager', diffReviewed: true }, app.actor()),
    ).toThrow(/Not escalated yet: approvals of change .* escalate to Plant manager only at /);
    now = new Date(now.getTime() + 73 * 3600_000);
    const approved = app.changes.act(
      c.id,
      boss.employeeId,
      boss.password,
      { type: 'approve', role: 'plant-manager', diffReviewed: true, comment: 'Quality is on leave; approving as backup' },
      app.actor(),
    );
    expect(approved.status).toBe('approved');
    expect(approved.review?.approvals.at(-1)).toMatchObject({ by: { id: boss.employeeId }, role: 'plant-manager', inPlaceOf: 'cab' });
    expect(app.changes.timeline(c.id).map((x) => x.operation)).toEqual(['create', 'submit', 'approve', 'approve']);
    expect(app.journalService.verifyQuietly().ok).toBe(true);
  });
});
