import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { startModbusSimulator, type ModbusSimulator } from '../../../src-main/devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../../../src-main/devices/simulator/modbus-profile-image.ts';
import { importProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import type { ModbusProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import type { BaselineError } from '../../../src-shared/common/errors.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { runBaseline, runBaselineAsync } from '../../helpers/cli.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/profiles-capture/${name}`, import.meta.url));

describe('approved baselines and drift (NERC CIP-010 R2)', () => {
  const t = tempHome();
  let sim: ModbusSimulator;
  let controllerId: string;

  beforeAll(async () => {
    const csv = readFileSync(fixture('modbus-line1.csv'), 'utf8');
    const profile = importProfileCsv(csv, 'modbus') as ModbusProfile;
    sim = await startModbusSimulator({
      image: modbusImageFromProfile(
        profile,
        JSON.parse(readFileSync(fixture('modbus-line1-values.json'), 'utf8')) as Record<string, unknown>,
      ),
      unitId: 1,
    });
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const actor = app.actor();
      app.identity.createCa('Plant 7 CA', 'plant-ca-secret-1', actor);
      app.identity.enrol(
        { name: 'Ana Ruiz', employeeId: 'E1', roles: ['engineer'], password: 'engineer-pass-1' },
        'plant-ca-secret-1',
        actor,
      );
      app.identity.enrol(
        { name: 'Raj Patel', employeeId: 'A1', roles: ['approver'], password: 'approver-pass-1' },
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
      const capture = await app.captures.capture(
        {
          controllerId,
          target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: sim.port, unitId: 1, wordOrder: 'high-first' },
          profile,
          profileName: 'line1',
          options: { timeoutMs: 1000, retries: 0 },
        },
        actor,
      );
      const { sha256 } = app.snapshots.sign(capture, 'E1', 'engineer-pass-1', controllerId, actor);
      const selfApproval = (() => {
        try {
          app.baselines.approve(controllerId, sha256, 'E1', 'engineer-pass-1', actor);
        } catch (e) {
          return e as BaselineError;
        }
        return null;
      })();
      expect(selfApproval?.code).toBe('baseline-not-approver');
      expect(app.baselines.approve(controllerId, sha256, 'A1', 'approver-pass-1', actor).version).toBe(1);
    } finally {
      app.close();
    }
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
    t.cleanup();
  });

  it('no drift while the controller holds its baseline: exit 0; live values moving are not drift', async () => {
    sim.image.ir[0] = 0x4100; // Line1_Flow is a live tag: its value moves on its own
    const r = await runBaselineAsync(['drift', '--controller', 'PLC-L1', '--home', t.home]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ok +PLC-L1 \(baseline v1\): 0 configuration differences/);
    expect(r.code).toBe(0);
  });

  it('a setpoint tweaked in the controller is drift: exit 3, the tag named, an unauthorized-change record opened', async () => {
    sim.image.hr[20] = 9; // Line1_Recipe: 7 -> 9, nobody filed a change
    const r = await runBaselineAsync(['drift', '--all', '--home', t.home, '--json']);
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as {
      checked: { drifted: boolean; differences: { tag: string; before: string; after: string }[]; unauthorizedChangeId: string }[];
    };
    expect(out.checked[0]?.drifted).toBe(true);
    expect(out.checked[0]?.differences).toEqual([{ tag: 'Line1_Recipe', kind: 'changed', before: '7', after: '9', safety: false }]);
    expect(out.checked[0]?.unauthorizedChangeId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the record is closed only with a signed explanation; everything is in the verified journal', () => {
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const [open] = app.baselines.unauthorizedChanges(controllerId);
      expect(open?.closedAt).toBeNull();
      expect(() => app.baselines.closeUnauthorizedChange(open!.id, 'oops', 'A1', 'approver-pass-1', app.actor())).toThrow(/too short/);
      expect(() =>
        app.baselines.closeUnauthorizedChange(
          open!.id,
          'Night shift changed the recipe during troubleshooting; MOC-2291 filed.',
          'A1',
          'wrong-password',
          app.actor(),
        ),
      ).toThrow(/password/);
      const closed = app.baselines.closeUnauthorizedChange(
        open!.id,
        'Night shift changed the recipe during troubleshooting; MOC-2291 filed.',
        'A1',
        'approver-pass-1',
        app.actor(),
      );
      expect(closed).toMatchObject({ closedBy: 'Raj Patel', explanation: expect.stringContaining('MOC-2291') });
      expect(() =>
        app.baselines.closeUnauthorizedChange(open!.id, 'A second explanation for the same record.', 'A1', 'approver-pass-1', app.actor()),
      ).toThrow(/already closed/);
      const types = [...app.journal.events()].map((e) => e.type);
      expect(types).toEqual(
        expect.arrayContaining(['baseline.approved', 'drift.checked', 'unauthorized-change.opened', 'unauthorized-change.closed']),
      );
      expect(app.journalService.verifyQuietly().ok).toBe(true);
    } finally {
      app.close();
    }
  });

  it('errors: unknown controller (exit 1), no selection (usage, exit 2), unreachable controller (exit 1, nothing opened)', async () => {
    const unknown = runBaseline(['drift', '--controller', 'NOPE', '--home', t.home]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No controller "NOPE"/);
    expect(runBaseline(['drift', '--home', t.home]).code).toBe(2);
    await sim.close();
    const down = await runBaselineAsync(['drift', '--controller', 'PLC-L1', '--home', t.home]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/could not be captured, so drift was not checked: .*connection refused/);
  });
});
