import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { startModbusSimulator, type ModbusSimulator } from '../../../src-main/devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../../../src-main/devices/simulator/modbus-profile-image.ts';
import { importProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import type { ModbusProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/profiles-capture/${name}`, import.meta.url));

describe('restore only under a signed, one-time decision for exactly those values', () => {
  const t = tempHome();
  let sim: ModbusSimulator;
  let app: BaselineApp;
  let now = new Date();
  let controllerId: string;

  beforeAll(async () => {
    const csv = readFileSync(fixture('modbus-line1.csv'), 'utf8');
    const profile = importProfileCsv(csv, 'modbus') as ModbusProfile;
    sim = await startModbusSimulator({ image: modbusImageFromProfile(profile, { Line1_SpeedSP: 12.5, Line1_Recipe: 7 }), unitId: 1 });
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: () => now });
    const actor = app.actor();
    app.identity.createCa('Plant 7 CA', 'plant-ca-secret-1', actor);
    app.identity.enrol(
      { name: 'Ana Ruiz', employeeId: 'E1', roles: ['engineer'], password: 'engineer-pass-1' },
      'plant-ca-secret-1',
      actor,
    );
    app.identity.enrol(
      { name: 'Sam Okafor', employeeId: 'S1', roles: ['supervisor'], password: 'supervisor-pass' },
      'plant-ca-secret-1',
      actor,
    );
    const stored = app.profiles.import('line1', 'modbus', csv, actor);
    controllerId = app.controllers.register(
      'PLC-L1',
      { protocol: 'modbus-tcp', host: '127.0.0.1', port: sim.port, unitId: 1, wordOrder: 'high-first' },
      stored.sha256,
      actor,
    ).id;
  });
  afterAll(async () => {
    app?.close();
    await sim?.close();
    t.cleanup();
  });

  const writes = [
    { tag: 'Line1_SpeedSP', value: 20.5 },
    { tag: 'Line1_Recipe', value: 3 },
  ];

  it('refuses without a decision, and only a supervisor can sign one', async () => {
    await expect(app.restores.restore(controllerId, writes, 'no-such-decision', app.actor())).rejects.toMatchObject({
      code: 'restore-no-decision',
    });
    expect(() => app.restores.authorize(controllerId, writes, 'roll back MOC-2291', 'E1', 'engineer-pass-1', app.actor())).toThrow(
      /not a shift supervisor/,
    );
    expect(sim.image.hr[20]).toBe(7);
  });

  it('refuses other values than the signed ones; writes exactly the signed ones once, each read back; a second use is refused', async () => {
    const id = app.restores.authorize(
      controllerId,
      writes,
      'roll back MOC-2291 after failed start-up',
      'S1',
      'supervisor-pass',
      app.actor(),
    );
    await expect(
      app.restores.restore(
        controllerId,
        [
          { tag: 'Line1_SpeedSP', value: 99 },
          { tag: 'Line1_Recipe', value: 3 },
        ],
        id,
        app.actor(),
      ),
    ).rejects.toThrow(/values differ from the ones the supervisor signed/);
    expect(sim.image.hr[20]).toBe(7);
    const result = await app.restores.restore(controllerId, writes, id, app.actor());
    expect(result.complete).toBe(true);
    expect([sim.image.hr[0], sim.image.hr[1], sim.image.hr[20]]).toEqual([0x41a4, 0, 3]);
    await expect(app.restores.restore(controllerId, writes, id, app.actor())).rejects.toThrow(/already used/);
    const types = [...app.journal.events()].map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['restore.authorized', 'restore.executed']));
    expect(app.journalService.verifyQuietly().ok).toBe(true);
  });

  it('refuses a decision that expired, or whose signer was revoked since', async () => {
    const old = app.restores.authorize(controllerId, writes, 'restore before lunch', 'S1', 'supervisor-pass', app.actor());
    now = new Date(now.getTime() + 9 * 3600_000);
    await expect(app.restores.restore(controllerId, writes, old, app.actor())).rejects.toThrow(/older than 8 hours/);
    const fresh = app.restores.authorize(controllerId, writes, 'restore after lunch', 'S1', 'supervisor-pass', app.actor());
    app.identity.revoke(app.identity.personByEmployeeId('S1').fingerprint, 'left the company', app.actor());
    await expect(app.restores.restore(controllerId, writes, fresh, app.actor())).rejects.toThrow(/revoked/);
  });
});
