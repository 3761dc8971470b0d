/**
 * Issue #15, item 7: break-glass that proves who approved. The approver is an enrolled person who signs with their
 * own password, at the time or later (and a person off the list of approvers is refused, nothing stored); the
 * retrospective review waits for that signature and the emergency report, refuses a reviewer who was on the change,
 * and a rejection files a corrective change linked to the emergency one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, setUpPlant } from '../../helpers/change-fixture.ts';

describe('break-glass signed by the approver, reviewed afterwards, rejected into a follow-up', () => {
  const t = tempHome();
  let app: BaselineApp;
  let controllerId: string;
  const [eng, , sec, qa, sky] = RACI;
  // An on-call manager who also sits on the CAB for OT security.
  const olga = { name: 'Olga On-Call', employeeId: 'OC600', roles: ['on-call-manager', 'ot-security'], password: 'olga-password-1' };
  const thrown = (f: () => unknown): { code?: string; message?: string } => {
    try {
      f();
    } catch (err) {
      return err as { code: string; message: string };
    }
    throw new Error('expected a refusal');
  };
  const emergency = (): string =>
    app.changes.create(
      eng.employeeId,
      {
        title: 'Filler jammed: raise torque limit',
        description: 'Torque limit trips every 2 minutes; line down.',
        justification: 'Line L01 stopped.',
        class: 'emergency',
        targetControllers: [controllerId],
      },
      app.actor(),
    ).id;
  const lastPayload = (): Record<string, unknown> => JSON.parse(app.journal.page(1)[0]!.payload) as Record<string, unknown>;

  beforeAll(() => {
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    controllerId = setUpPlant(app);
    app.identity.enrol({ ...olga, roles: [...olga.roles] }, 'plant-ca-secret-1', app.actor());
  }, 60_000);
  afterAll(() => {
    app.close();
    t.cleanup();
  });

  it('refuses an approver who is not on the list of break-glass approvers, and stores nothing', () => {
    const id = emergency();
    const before = app.journal.count();
    const e = thrown(() =>
      app.changes.act(
        id,
        eng.employeeId,
        eng.password,
        {
          type: 'break-glass',
          approverEmployeeId: qa.employeeId,
          approverPassword: qa.password,
          approverRole: 'on-call-manager',
          method: 'phone',
          reason: 'Line down',
        },
        app.actor(),
      ),
    );
    expect(e.code).toBe('change-break-glass-approver');
    expect(e.message).toMatch(
      /^Break-glass approver: Quinn Quality holds Quality \/ compliance and is not on the list of break-glass approvers/,
    );
    expect(app.journal.count()).toBe(before);
    expect(app.changes.get(id).status).toBe('draft');
  });

  it('the approver signs now with their own password: the event carries their signature', () => {
    const id = emergency();
    app.changes.act(
      id,
      eng.employeeId,
      eng.password,
      {
        type: 'break-glass',
        approverEmployeeId: sky.employeeId,
        approverPassword: sky.password,
        approverRole: 'shift-supervisor',
        method: 'in-person',
        reason: 'Line down',
      },
      app.actor(),
    );
    const p = lastPayload() as { cosignedAs: string[]; cosignatures: { signer: { employeeId: string } }[] };
    expect(p.cosignedAs).toEqual(['break-glass-approver']);
    expect(p.cosignatures[0]!.signer.employeeId).toBe(sky.employeeId);
    const state = app.changes.get(id) as Extract<ChangeState, { status: 'in-execution' }>;
    expect(state.execution.breakGlass?.approverSignedAt).not.toBeNull();
    // The method reads as words in the timeline ("in person", not the stored "in-person").
    expect(app.changes.timeline(id).at(-1)!.summary).toMatch(/ as Shift supervisor in person \(signed by the approver\): Line down$/);
    // A wrong password of the approver starts nothing.
    const other = emergency();
    expect(() =>
      app.changes.act(
        other,
        eng.employeeId,
        eng.password,
        {
          type: 'break-glass',
          approverEmployeeId: sky.employeeId,
          approverPassword: 'not-it',
          approverRole: 'shift-supervisor',
          method: 'in-person',
          reason: 'Line down',
        },
        app.actor(),
      ),
    ).toThrow(/password/);
    expect(app.changes.get(other).status).toBe('draft');
  });

  it('signs later; the review waits for it and the report, refuses the approver as reviewer, and a rejection files a linked corrective change', () => {
    const id = emergency();
    const started = app.changes.act(
      id,
      eng.employeeId,
      eng.password,
      {
        type: 'break-glass',
        approverEmployeeId: olga.employeeId,
        approverRole: 'on-call-manager',
        method: 'phone',
        reason: 'Line down at 03:00',
      },
      app.actor(),
    );
    expect(started.status === 'in-execution' && started.execution.breakGlass?.approverSignedAt).toBeNull();
    expect(app.changes.timeline(id).at(-1)!.summary).toMatch(
      /approved by Olga On-Call \(OC600\) as On-call manager by phone \(the approver's signature is owed\)/,
    );
    const review = {
      type: 'retrospective-review' as const,
      role: 'ot-security',
      comment: 'Torque limit raised without the motor data sheet',
    };
    expect(thrown(() => app.changes.act(id, sec.employeeId, sec.password, review, app.actor())).code).toBe(
      'change-break-glass-unconfirmed',
    );
    // Only the named approver signs it, with their own password.
    expect(thrown(() => app.changes.act(id, sky.employeeId, sky.password, { type: 'confirm-break-glass' }, app.actor())).code).toBe(
      'change-break-glass-approver',
    );
    app.changes.act(id, olga.employeeId, olga.password, { type: 'confirm-break-glass' }, app.actor());
    expect((lastPayload()['signature'] as { signer: { employeeId: string } }).signer.employeeId).toBe(olga.employeeId);
    expect(thrown(() => app.changes.act(id, sec.employeeId, sec.password, review, app.actor())).code).toBe(
      'change-emergency-report-missing',
    );
    app.changes.act(
      id,
      eng.employeeId,
      eng.password,
      {
        type: 'emergency-report',
        rootCause: "Torque limit left at the old motor's value",
        lessonsLearned: 'Motor swaps carry a parameter check',
        permanentFix: 'to be filed by the review',
      },
      app.actor(),
    );
    expect(thrown(() => app.changes.act(id, olga.employeeId, olga.password, review, app.actor())).code).toBe(
      'change-segregation-of-duties',
    );
    const before = app.changes.list().length;
    const rejected = app.changes.act(
      id,
      sec.employeeId,
      sec.password,
      { ...review, verdict: 'reject', followUp: 'corrective-change' },
      app.actor(),
    );
    const rejection = rejected.status === 'in-execution' ? rejected.execution.retrospective?.rejection : undefined;
    expect(rejection).toMatchObject({ by: { id: sec.employeeId }, followUp: { kind: 'corrective-change' } });
    expect(app.changes.list()).toHaveLength(before + 1);
    const followUp = app.changes.get(rejection!.followUp.changeId!);
    expect(followUp).toMatchObject({
      status: 'draft',
      requester: { id: sec.employeeId },
      followUpOf: { changeId: id, kind: 'corrective-change' },
      fields: { class: 'normal', targetControllers: [controllerId] },
    });
    expect(followUp.fields.title).toMatch(/^Correct CR-\d{4}: Filler jammed/);
    expect(app.journalService.verifyQuietly().ok).toBe(true);
  });
});
