// The change service on the 24-line plant: a plant manager's window override, and escalation after the approval timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, normalChangeFields, setUpPlant } from '../../helpers/change-fixture.ts';

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
