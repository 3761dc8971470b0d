/**
 * The change screen's signer lists offer only the people the signed action's rule allows (signer-eligibility.ts and
 * the change detail's "on the change" lists): a witness is not offered a checkpoint, the window-end decision or the
 * post-implementation review, and the plant engineering manager is not offered a CAB approval whose places belong to
 * its accountable roles. The service stays the rule: signed through the change service anyway, each is refused with
 * why, as the screens used to show it when they offered these people.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, captureAndSign, normalChangeFields, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';
import { SAFETY_PEOPLE, SETUP_AT, bookedSafetyChange, enrolSafetyPeople } from '../../helpers/safety-change.ts';
import { testClock } from '../../helpers/completed-change.ts';
import { changeSigners } from '../../../src-shared/common/workflow/signer-eligibility.ts';

const [eng, pem, sec, quinn, sky] = RACI;
const nico = { name: 'Nico Nightshift', employeeId: 'SV501', roles: ['shift-supervisor'], password: 'nico-password-1' };
const paula = { name: 'Paula Planner', employeeId: 'M201', roles: ['plant-engineering-manager'], password: 'paula-password-1' };

describe('Signatures the signer lists no longer offer are still refused by the change service, with why', () => {
  const t = tempHome();
  let app: BaselineApp;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  const clock = testClock();
  let controllerId = '';

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    clock.set(SETUP_AT);
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: clock.now });
    controllerId = setUpPlant(app, line1.sim.port);
    app.identity.enrol(nico, 'plant-ca-secret-1', app.actor());
    app.identity.enrol(paula, 'plant-ca-secret-1', app.actor());
    enrolSafetyPeople(app);
  }, 60_000);
  afterAll(async () => {
    app?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  const people = () => app.identity.people().map((p) => ({ employeeId: p.employeeId, name: p.name, roles: p.roles, revoked: p.revoked }));

  it('the plant engineering manager is not offered a CAB approval that cannot count, and signing it anyway is refused', () => {
    clock.set('2026-11-05T15:00:00Z');
    const id = app.changes.create(eng.employeeId, normalChangeFields(controllerId, clock.now()), app.actor()).id;
    const act = (who: { employeeId: string; password: string }, action: Parameters<BaselineApp['changes']['act']>[3]) =>
      app.changes.act(id, who.employeeId, who.password, action, app.actor());
    act(eng, { type: 'submit' });
    const offered = () => changeSigners(app.changes.get(id), 'approve', people(), (r) => r, clock.now()).people.map((p) => p.employeeId);
    // The CAB's quorum of two belongs to its accountable roles (OT security and quality): the plant engineering manager's would not count.
    expect(offered()).toEqual(expect.arrayContaining([sec.employeeId, quinn.employeeId]));
    expect(offered()).not.toContain(pem.employeeId);
    act(sec, { type: 'approve', role: 'ot-security', diffReviewed: true });
    expect(offered()).not.toContain(pem.employeeId);
    expect(() => act(pem, { type: 'approve', role: 'plant-engineering-manager', diffReviewed: true })).toThrow(
      /Change Advisory Board still needs its accountable Quality \/ compliance, which leaves no place in its quorum for Plant engineering manager/,
    );
    expect(app.changes.get(id).status).toBe('submitted');
  });

  it('the witness of a safety-critical change is refused its checkpoint, its window-end decision and its post-implementation review', async () => {
    const change = bookedSafetyChange(app, controllerId, clock, 'Raise filler speed setpoint to 14 m/min', paula);
    change.start();
    const items = (cp: string) => app.policy.checkpoints().checkpoints.find((x) => x.id === cp)!.items;
    const checkpoint = (who: typeof sky, cp: string, decision: string) =>
      change.act(who, { type: 'checkpoint', role: 'shift-supervisor', checkpoint: cp, decision, confirmed: items(cp) });
    const before = await captureAndSign(app, controllerId, eng);
    change.act(eng, { type: 'record-snapshot', phase: 'before', controllerId, snapshotSha256: before });
    checkpoint(sky, 'pre-execution', 'go');
    line1.set({ Line1_SpeedSP: 14 });
    checkpoint(sky, 'mid-change', 'continue');

    // A second booked change witnessed by Nico (a shift supervisor): his checkpoint and, after the window, his decision are refused.
    const witnessed = bookedSafetyChange(app, controllerId, clock, 'Line 1 filler recipe default', nico);
    witnessed.start();
    expect(() =>
      witnessed.act(nico, {
        type: 'checkpoint',
        role: 'shift-supervisor',
        checkpoint: 'pre-execution',
        decision: 'go',
        confirmed: items('pre-execution'),
      }),
    ).toThrow(
      /Nico Nightshift witnesses change CR-\d+ "Line 1 filler recipe default" and cannot sign its checkpoints; nobody go\/no-go signs their own change\./,
    );
    clock.set('2026-11-27T06:30:00Z'); // the slot ended at 06:00 with the work still going on
    expect(() =>
      witnessed.act(nico, { type: 'window-decision', decision: 'complete', comment: 'Only the CLOSE checks are left.' }),
    ).toThrow(
      /Nico Nightshift witnesses change CR-\d+ "Line 1 filler recipe default" and cannot decide whether it goes on past its window\./,
    );
    witnessed.act(sky, { type: 'window-decision', decision: 'complete', comment: 'Only the CLOSE checks are left.' });

    // The first change, completed and closed: its witness Paula may not sign its post-implementation review.
    change.act(sky, { type: 'window-decision', decision: 'complete', comment: 'Cutover and close are left.' });
    checkpoint(sky, 'pre-cutover', 'cutover');
    const after = await captureAndSign(app, controllerId, eng);
    change.act(eng, { type: 'record-snapshot', phase: 'after', controllerId, snapshotSha256: after });
    change.act(SAFETY_PEOPLE.robin, {
      type: 'safety-sign-off',
      role: 'safety-manager',
      confirmed: [...app.policy.current().safetyReview!.checklist],
    });
    checkpoint(sky, 'post-change', 'close');
    change.act(eng, { type: 'close', comment: 'Ran 30 min at 14 m/min' });
    expect(() =>
      change.act(paula, {
        type: 'post-implementation-review',
        role: 'plant-engineering-manager',
        objectivesMet: true,
        findings: 'Speed at 14 m/min',
        lessonsLearned: 'none',
      }),
    ).toThrow(
      /Paula Planner witnesses change CR-\d+ "Raise filler speed setpoint to 14 m\/min" and cannot review it; the post-implementation review and the new baseline are signed by someone not on the change\./,
    );
  }, 120_000);
});
