/**
 * The plant CA password cannot be guessed at machine speed (issue #10, section 3): wrong CA passwords through
 * `people.enrol` and `people.revoke` lock the CA as wrong passwords lock a person, and every attempt is journalled.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { ApiRouter, appHandlers } from '../../../src-main/services/api-router.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const CA_PASSWORD = 'plant-ca-secret-1';

describe('plant CA password lockout', () => {
  let t: ReturnType<typeof tempHome>;
  let now: Date;
  let app: BaselineApp;
  let router: ApiRouter;
  beforeEach(() => {
    t = tempHome();
    now = new Date('2026-12-04T08:00:00Z');
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: () => now });
    app.identity.createCa('Plant 7 CA', CA_PASSWORD, app.actor());
    app.identity.enrol(
      { name: 'Sam Okafor', employeeId: 'S77', roles: ['supervisor'], password: 'night-shift-77' },
      CA_PASSWORD,
      app.actor(),
    );
    router = new ApiRouter(appHandlers(app));
  });
  afterEach(() => {
    app.close();
    t.cleanup();
  });

  const enrolMallory = (caPassword: string) =>
    router.call('people.enrol', {
      name: 'Mallory',
      employeeId: 'M666',
      roles: ['plant-engineering-manager'],
      password: 'mallory-pass-1',
      caPassword,
    });
  const revokeSam = (caPassword: string) => router.call('people.revoke', { employeeId: 'S77', reason: 'guessing', caPassword });

  it('30 wrong CA passwords in a row: locked after 3, every attempt journalled, then even the right one is refused until the lock ends', async () => {
    const codes: string[] = [];
    const messages: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await (i % 2 === 0 ? enrolMallory(`guess-number-${i}`) : revokeSam(`guess-number-${i}`));
      if (r.ok) throw new Error(`wrong CA password ${i} was accepted`);
      codes.push(r.error.code);
      messages.push(r.error.message);
    }
    expect(codes.slice(0, 2)).toEqual(['wrong-password', 'wrong-password']);
    expect(messages[0]).toBe('The plant CA password is wrong (1 of 3 attempts).');
    expect(codes.slice(2)).toEqual(Array(28).fill('ca-locked'));
    expect(messages[2]).toBe(
      'Wrong plant CA password 3 times: the plant CA "Plant 7 CA" is locked on this laptop until 2026-12-04T08:30:00.000Z.',
    );
    expect(messages[29]).toMatch(/locked on this laptop until 2026-12-04T08:30:00.000Z after repeated wrong CA passwords/);

    // The right password during the lock enrols nobody and revokes nothing.
    const right = await enrolMallory(CA_PASSWORD);
    expect(right).toMatchObject({ ok: false, error: { code: 'ca-locked' } });
    expect(app.identity.people().map((p) => p.name)).toEqual(['Sam Okafor']);
    expect(app.identity.personByEmployeeId('S77').revoked).toBe(false);

    const events = [...app.journal.events()];
    const failed = events.filter((e) => e.type === 'ca.unlock-failed').map((e) => e.payload as { operation: string; reason: string });
    expect(failed).toHaveLength(31);
    expect(failed.filter((f) => f.reason === 'wrong-password')).toHaveLength(3);
    expect(failed.filter((f) => f.reason === 'locked')).toHaveLength(28);
    expect(new Set(failed.map((f) => f.operation))).toEqual(new Set(['enrol', 'revoke']));
    expect(events.filter((e) => e.type === 'ca.locked')).toHaveLength(1);
    expect(app.journalService.verifyQuietly().ok).toBe(true);

    // After the lock time the right password works again.
    now = new Date('2026-12-04T08:31:00Z');
    expect(await enrolMallory(CA_PASSWORD)).toMatchObject({ ok: true, value: { name: 'Mallory' } });
  }, 120_000);

  it('the lock survives a restart and a rebuild: it is in the journal, not only in memory', async () => {
    for (let i = 0; i < 3; i++) await revokeSam('not-the-password');
    app.close();
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: () => now });
    app.journal.rebuildProjections();
    router = new ApiRouter(appHandlers(app));
    expect(await revokeSam(CA_PASSWORD)).toMatchObject({ ok: false, error: { code: 'ca-locked' } });
  }, 60_000);
});
