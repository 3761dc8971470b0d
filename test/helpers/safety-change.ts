/**
 * A safety-critical change started over the services, for tests that need a witness on the change (dual control, which
 * the safety-critical class requires); the witness is then on the change like its requester and executor. Filed
 * by Erin on Thursday 5 November 2026, reviewed in the change guide's order (technical review, safety / PHA, the CAB
 * with both its accountable roles), booked in the night slot of Thursday 26 November after the 14 days of notice,
 * started there with the given witness and the staging record.
 */
import type { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { RACI, normalChangeFields } from './change-fixture.ts';
import type { testClock } from './completed-change.ts';

/** The people a safety-critical change needs besides the RACI: process safety and the safety manager. */
export const SAFETY_PEOPLE = {
  priya: { name: 'Priya Process', employeeId: 'PS800', roles: ['process-safety'], password: 'priya-password-1' },
  robin: { name: 'Robin Safety', employeeId: 'SF700', roles: ['safety-manager'], password: 'robin-password-1' },
} as const;

/** Thursday 26 Nov 2026, 23:00-24:00 in Chicago (CST): the night window, two weeks after filing. */
export const SAFETY_SLOT = { start: '2026-11-27T05:00:00.000Z', end: '2026-11-27T06:00:00.000Z' };

/** When to set up the plant (`setUpPlant`): before the filing, so that everyone's certificate is valid by then. */
export const SETUP_AT = '2026-11-05T14:00:00Z';

/** Someone who signs: employee id and password. */
type Signer = { employeeId: string; password: string };

/** Enrols the safety people (once per data directory, after `setUpPlant`). */
export function enrolSafetyPeople(app: BaselineApp): void {
  for (const p of Object.values(SAFETY_PEOPLE)) app.identity.enrol({ ...p, roles: [...p.roles] }, 'plant-ca-secret-1', app.actor());
}

/** A safety-critical change booked in its slot: its id, a way to sign decisions on it, and its start. */
export interface BookedSafetyChange {
  id: string;
  act(who: Signer, action: Parameters<BaselineApp['changes']['act']>[3]): void;
  /** Moves the clock to 05:05 in the slot and starts the work with the witness (dual control) and the staging record. */
  start(): void;
}

/** Files, reviews and books a safety-critical change to `controllerId` (the clock at 5 November); `start` starts it. */
export function bookedSafetyChange(
  app: BaselineApp,
  controllerId: string,
  clock: ReturnType<typeof testClock>,
  title: string,
  witness: Signer,
): BookedSafetyChange {
  const [eng, pem, sec, quinn] = RACI;
  const { priya, robin } = SAFETY_PEOPLE;
  clock.set('2026-11-05T15:00:00Z');
  const fields = { ...normalChangeFields(controllerId, clock.now()), title, class: 'safety-critical', requestedWindow: SAFETY_SLOT };
  const id = app.changes.create(eng.employeeId, fields, app.actor()).id;
  const act = (who: Signer, action: Parameters<BaselineApp['changes']['act']>[3]) => {
    app.changes.act(id, who.employeeId, who.password, action, app.actor());
  };
  act(eng, { type: 'submit' });
  for (const [who, role] of [
    [pem, 'plant-engineering-manager'],
    [priya, 'process-safety'],
    [robin, 'safety-manager'],
    [sec, 'ot-security'],
    [quinn, 'quality-compliance'],
  ] as const) {
    act(who, { type: 'approve', role, diffReviewed: true });
  }
  act(eng, { type: 'schedule', ...SAFETY_SLOT });
  return {
    id,
    act,
    start() {
      clock.set('2026-11-27T05:05:00Z');
      act(eng, {
        type: 'start-execution',
        stagingRecord: 'STG-17',
        witnessEmployeeId: witness.employeeId,
        witnessPassword: witness.password,
      });
    },
  };
}
