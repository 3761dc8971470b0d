/**
 * A normal change to the line-1 filler carried all the way through, over the Modbus simulator: filed, approved by
 * the CAB (OT security and quality, its accountable roles), scheduled in the night window, started with a witness, snapshotted before and after (real captures,
 * signed), four checkpoints signed by the shift supervisor, closed, and its post-implementation review signed by
 * the plant engineering manager, approving the after-snapshot as the new baseline. For evidence tests.
 */
import type { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { RACI, captureAndSign, normalChangeFields } from './change-fixture.ts';

/** A clock the test moves: start Monday 2026-11-23 09:00 Chicago. */
export function testClock(): { now: () => Date; set(iso: string): void } {
  let now = new Date('2026-11-23T15:00:00Z');
  return {
    now: () => now,
    set: (iso) => {
      now = new Date(iso);
    },
  };
}

/** Runs the change from draft to closed with a new baseline; returns its id. */
export async function completedFillerChange(
  app: BaselineApp,
  controllerId: string,
  clock: ReturnType<typeof testClock>,
  line1: { set(values: Record<string, unknown>): void },
): Promise<string> {
  const [eng, pem, sec, quinn, sky] = RACI;
  const c = app.changes.create(eng.employeeId, normalChangeFields(controllerId, clock.now()), app.actor());
  app.changes.act(c.id, eng.employeeId, eng.password, { type: 'submit' }, app.actor());
  app.changes.act(
    c.id,
    quinn.employeeId,
    quinn.password,
    {
      type: 'approve-with-conditions',
      role: 'quality-compliance',
      conditions: ['Operator on the line during the download'],
      diffReviewed: true,
    },
    app.actor(),
  );
  app.changes.act(c.id, sec.employeeId, sec.password, { type: 'approve', role: 'ot-security', diffReviewed: true }, app.actor());
  app.changes.act(
    c.id,
    eng.employeeId,
    eng.password,
    { type: 'schedule', start: '2026-11-27T05:00:00.000Z', end: '2026-11-27T06:00:00.000Z' },
    app.actor(),
  );
  clock.set('2026-11-27T05:10:00Z');
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
  );
  const checklist = (id: string) => app.policy.checkpoints().checkpoints.find((x) => x.id === id)!.items;
  const checkpoint = (id: string, decision: string) =>
    app.changes.act(
      c.id,
      sky.employeeId,
      sky.password,
      { type: 'checkpoint', role: 'shift-supervisor', checkpoint: id, decision, confirmed: checklist(id) },
      app.actor(),
    );
  const record = async (phase: 'before' | 'after') =>
    app.changes.act(
      c.id,
      eng.employeeId,
      eng.password,
      { type: 'record-snapshot', phase, controllerId, snapshotSha256: await captureAndSign(app, controllerId, eng) },
      app.actor(),
    );
  await record('before');
  checkpoint('pre-execution', 'go');
  line1.set({ Line1_SpeedSP: 14 });
  checkpoint('mid-change', 'continue');
  checkpoint('pre-cutover', 'cutover');
  await record('after');
  checkpoint('post-change', 'close');
  app.changes.act(c.id, eng.employeeId, eng.password, { type: 'close', comment: 'Ran 30 min at 14 m/min' }, app.actor());
  // The post-implementation review by the plant engineering manager approves the after-snapshot as the new baseline.
  app.changes.act(
    c.id,
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
  return c.id;
}
