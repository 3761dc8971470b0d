// The change service on the 24-line plant: requests through the state machine with e-signatures, and the emergency fast path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, normalChangeFields, setUpPlant } from '../../helpers/change-fixture.ts';

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
