/**
 * Three months of changes driven through the real services for the KPI tests (plant time America/Chicago):
 * September, a normal change on tier-3 line L20 completed with signed before/after snapshots over the Modbus
 * simulator, its post-implementation review approving the after-snapshot as the baseline; October, an emergency break-glass change rolled back and
 * closed, its retrospective review never done; November, an unauthorized setpoint change found by a drift check and
 * a normal change still in execution. The clock is the app's, moved by `setNow`.
 */
import type { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { RACI, captureAndSign, emergencyFillerChange, normalChangeFields } from './change-fixture.ts';

/** What the history made, for the tests' expectations. */
export interface KpiHistory {
  completed: string;
  emergency: string;
  inExecution: string;
  unauthorized: string;
}

const [eng, pem, , , sky] = RACI;
const H = 3_600_000;

/** A normal change filed, approved, booked and started at `start` (submitted `leadHours` before), with its before-snapshot. */
async function startNormal(
  app: BaselineApp,
  controllerId: string,
  start: Date,
  leadHours: number,
  setNow: (d: Date) => void,
  title: string,
): Promise<string> {
  const submittedAt = new Date(start.getTime() - leadHours * H);
  setNow(submittedAt);
  const c = app.changes.create(eng.employeeId, { ...normalChangeFields(controllerId, submittedAt), title }, app.actor());
  app.changes.act(c.id, eng.employeeId, eng.password, { type: 'submit' }, app.actor());
  app.changes.act(
    c.id,
    pem.employeeId,
    pem.password,
    { type: 'approve', role: 'plant-engineering-manager', diffReviewed: true },
    app.actor(),
  );
  app.changes.act(
    c.id,
    eng.employeeId,
    eng.password,
    { type: 'schedule', start: start.toISOString(), end: new Date(start.getTime() + 2 * H).toISOString() },
    app.actor(),
  );
  setNow(new Date(start.getTime() + 60_000));
  app.changes.act(c.id, eng.employeeId, eng.password, { type: 'start-execution' }, app.actor());
  app.changes.act(
    c.id,
    eng.employeeId,
    eng.password,
    { type: 'record-snapshot', phase: 'before', controllerId, snapshotSha256: await captureAndSign(app, controllerId, eng) },
    app.actor(),
  );
  return c.id;
}

/** Builds the history on a plant set up by change-fixture's setUpPlant (controller on the Modbus simulator). */
export async function buildKpiHistory(
  app: BaselineApp,
  controllerId: string,
  line1: { set(values: Record<string, unknown>): void },
  setNow: (d: Date) => void,
): Promise<KpiHistory> {
  app.plantModel.assignLine(controllerId, 'L20', 'the filler moved to the tier-3 line', {
    employeeId: pem.employeeId,
    password: pem.password,
  });
  const checklist = (id: string) => app.policy.checkpoints().checkpoints.find((x) => x.id === id)!.items;
  const checkpoint = (changeId: string, id: string, decision: string) =>
    app.changes.act(
      changeId,
      sky.employeeId,
      sky.password,
      { type: 'checkpoint', role: 'shift-supervisor', checkpoint: id, decision, confirmed: checklist(id) },
      app.actor(),
    );

  // September: submitted Tue 8 Sep 2026 14:00 CDT, started 30 hours later, completed.
  const completed = await startNormal(
    app,
    controllerId,
    new Date('2026-09-09T20:00:00Z'),
    30,
    setNow,
    'Raise filler speed setpoint to 14 m/min',
  );
  checkpoint(completed, 'pre-execution', 'go');
  line1.set({ Line1_SpeedSP: 14 });
  checkpoint(completed, 'mid-change', 'continue');
  checkpoint(completed, 'pre-cutover', 'cutover');
  app.changes.act(
    completed,
    eng.employeeId,
    eng.password,
    { type: 'record-snapshot', phase: 'after', controllerId, snapshotSha256: await captureAndSign(app, controllerId, eng) },
    app.actor(),
  );
  checkpoint(completed, 'post-change', 'close');
  app.changes.act(completed, eng.employeeId, eng.password, { type: 'close', comment: 'Ran 30 min at 14 m/min' }, app.actor());
  // The post-implementation review by the plant engineering manager approves the after-snapshot as the new baseline.
  app.changes.act(
    completed,
    pem.employeeId,
    pem.password,
    {
      type: 'post-implementation-review',
      role: 'plant-engineering-manager',
      objectivesMet: true,
      findings: 'Speed at 14 m/min, reject rate 0.3 %',
      lessonsLearned: 'None beyond the test plan',
    },
    app.actor(),
  );

  // October: break-glass at 03:00 CDT on Wed 14 Oct, rolled back an hour later and closed; nobody reviews it.
  setNow(new Date('2026-10-14T08:00:00Z'));
  const emergency = await emergencyFillerChange(app, controllerId);
  setNow(new Date('2026-10-14T09:00:00Z'));
  app.changes.act(emergency, eng.employeeId, eng.password, { type: 'rollback', reason: 'Filler still starves at 14 m/min' }, app.actor());
  app.changes.act(emergency, eng.employeeId, eng.password, { type: 'close', comment: 'Back on the old setpoint' }, app.actor());

  // November: someone sets the speed to 15 without a change; the drift check finds it.
  setNow(new Date('2026-11-05T15:00:00Z'));
  line1.set({ Line1_SpeedSP: 15 });
  const drift = await app.baselines.checkDrift(controllerId, app.actor());
  const unauthorized = drift.unauthorizedChangeId;
  if (!unauthorized) throw new Error('the drift check opened no unauthorized-change record');
  line1.set({ Line1_SpeedSP: 14 });

  // November: a normal change submitted 12 hours before its start, now in execution.
  const inExecution = await startNormal(app, controllerId, new Date('2026-11-10T16:00:00Z'), 12, setNow, 'Tune reject gate timing');
  setNow(new Date('2026-11-16T18:00:00Z'));
  return { completed, emergency, inExecution, unauthorized };
}
