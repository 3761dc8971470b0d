/**
 * The CIP-010 drift clock against real Modbus TCP simulators and a real store: `baseline drift --due` (a jump host's
 * scheduler) contacts only the controllers whose check is due, and the app's background timer runs a due check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import type { DueRun } from '../../../src-main/services/baseline-service.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { startModbusSimulator, type ModbusSimulator } from '../../../src-main/devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../../../src-main/devices/simulator/modbus-profile-image.ts';
import { importProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import type { ModbusProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { runBaselineAsync } from '../../helpers/cli.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/profiles-capture/${name}`, import.meta.url));
const DAY = 86_400_000;

describe('CIP-010 drift clock: baseline drift --due and the background timer', () => {
  const t = tempHome();
  const sims: Record<'A' | 'B' | 'C', ModbusSimulator | null> = { A: null, B: null, C: null };
  const ids: Record<string, string> = {};
  const started = Date.now();

  beforeAll(async () => {
    const csv = readFileSync(fixture('modbus-line1.csv'), 'utf8');
    const profile = importProfileCsv(csv, 'modbus') as ModbusProfile;
    const values = JSON.parse(readFileSync(fixture('modbus-line1-values.json'), 'utf8')) as Record<string, unknown>;
    for (const k of ['A', 'B', 'C'] as const)
      sims[k] = await startModbusSimulator({ image: modbusImageFromProfile(profile, values), unitId: 1 });
    // Everything is set up 40 days ago: three controllers with approved baselines, none checked since.
    const past = BaselineApp.open({
      home: t.home,
      transport: 'in-process',
      keyProtection: filePermissionsProtection,
      clock: () => new Date(started - 40 * DAY),
    });
    try {
      const actor = past.actor();
      past.identity.createCa('Plant 7 CA', 'plant-ca-secret-1', actor);
      past.identity.enrol(
        { name: 'Ana Ruiz', employeeId: 'E1', roles: ['engineer'], password: 'engineer-pass-1' },
        'plant-ca-secret-1',
        actor,
      );
      past.identity.enrol(
        { name: 'Raj Patel', employeeId: 'A1', roles: ['approver'], password: 'approver-pass-1' },
        'plant-ca-secret-1',
        actor,
      );
      const stored = past.profiles.import('line1', 'modbus', csv, actor);
      for (const k of ['A', 'B', 'C'] as const) {
        const target = {
          protocol: 'modbus-tcp' as const,
          host: '127.0.0.1',
          port: sims[k]!.port,
          unitId: 1,
          wordOrder: 'high-first' as const,
        };
        const id = past.controllers.register(`PLC-${k}`, target, stored.sha256, actor).id;
        ids[k] = id;
        const capture = await past.captures.capture(
          { controllerId: id, target, profile, profileName: 'line1', options: { timeoutMs: 1000, retries: 0 } },
          actor,
        );
        const { sha256 } = past.snapshots.sign(capture, 'E1', 'engineer-pass-1', id, actor);
        past.baselines.approve(id, sha256, 'A1', 'approver-pass-1', actor);
      }
    } finally {
      past.close();
    }
    // PLC-B was checked yesterday, so it is not due.
    const yesterday = BaselineApp.open({
      home: t.home,
      transport: 'in-process',
      keyProtection: filePermissionsProtection,
      clock: () => new Date(started - DAY),
    });
    try {
      expect((await yesterday.baselines.checkDrift(ids['B']!, yesterday.actor())).drifted).toBe(false);
    } finally {
      yesterday.close();
    }
    // PLC-C is switched off.
    await sims.C!.close();
    sims.C = null;
  }, 120_000);
  afterAll(async () => {
    for (const s of Object.values(sims)) await s?.close();
    t.cleanup();
  });

  it('the clocks: A and C are due (never checked, baseline 40 days old), B is not', () => {
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      const report = app.baselines.clocks();
      expect(report.controllers.map((c) => [c.controller, c.status, c.daysOverdue])).toEqual([
        ['PLC-A', 'due', 5],
        ['PLC-C', 'due', 5],
        ['PLC-B', 'ok', 0],
      ]);
    } finally {
      app.close();
    }
  });

  it('--due checks only the due controllers: A is checked clean, C is reported unreachable (exit 4), B is never contacted', async () => {
    const before = { A: sims.A!.requests, B: sims.B!.requests };
    const r = await runBaselineAsync(['drift', '--due', '--home', t.home]);
    expect(r.stdout).toMatch(/^ok +PLC-A \(baseline v1\): 0 configuration differences\n1 other controller was not due\.\n$/);
    expect(r.stderr).toMatch(
      /^baseline: PLC-C: UNREACHABLE, its check is still due: PLC-C could not be captured, so drift was not checked: .*connection refused/,
    );
    expect(r.code).toBe(4);
    expect(sims.A!.requests).toBeGreaterThan(before.A);
    expect(sims.B!.requests).toBe(before.B);
  });

  it('a second --due run leaves A alone (checked now) and still reports C as unreachable', async () => {
    const before = sims.A!.requests;
    const again = await runBaselineAsync(['drift', '--due', '--home', t.home, '--json']);
    expect(again.code).toBe(4);
    const run = JSON.parse(again.stdout) as DueRun;
    expect(run.checked).toEqual([]);
    expect(run.errors.map((e) => [e.controller, e.unreachable, e.error.code])).toEqual([['PLC-C', true, 'drift-capture-failed']]);
    expect(run.notDue).toBe(2);
    expect(sims.A!.requests).toBe(before);
  });

  it('usage: --due with --all is refused (exit 2) and nothing is checked', async () => {
    const before = sims.A!.requests + sims.B!.requests;
    const r = await runBaselineAsync(['drift', '--due', '--all', '--home', t.home]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/only one of --controller, --all and --due/);
    expect(sims.A!.requests + sims.B!.requests).toBe(before);
  });

  it('the background timer, 36 days on, runs the now-due check of B (drift found and recorded) and stops on close', async () => {
    sims.B!.image.hr[20] = 9; // Line1_Recipe changed in PLC-B without a change record
    const later = new Date(started + 36 * DAY);
    const app = BaselineApp.open({
      home: t.home,
      transport: 'in-process',
      keyProtection: filePermissionsProtection,
      clock: () => later,
      driftCheckIntervalMs: 50,
    });
    const beforeB = sims.B!.requests;
    try {
      expect(app.baselines.clocks().controllers.find((c) => c.controller === 'PLC-B')?.status).toBe('due');
      app.startBackground();
      // The clock runs every 50 ms: wait until a run has checked B (a later run then finds it no longer due).
      const deadline = Date.now() + 30_000;
      const bChecked = () => app.baselines.clocks().controllers.find((c) => c.controller === 'PLC-B')?.status === 'ok';
      while ((!bChecked() || app.driftScheduler.status().lastRun === null) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const run = app.driftScheduler.status().lastRun;
      expect(run?.errors.map((e) => e.controller)).toEqual(['PLC-C']);
      expect(sims.B!.requests).toBeGreaterThan(beforeB);
      const checks = app.baselines.clocks().controllers.find((c) => c.controller === 'PLC-B');
      expect(checks).toMatchObject({ status: 'ok', lastCheckAt: later.toISOString() });
      expect(
        app.baselines
          .unauthorizedChanges(ids['B'])
          .filter((u) => u.closedAt === null)
          .map((u) => u.differences.map((d) => d.tag)),
      ).toEqual([['Line1_Recipe']]);
      expect(app.baselines.unauthorizedChanges(ids['B']).filter((u) => u.closedAt === null)).toHaveLength(1);
    } finally {
      await app.closeWhenIdle();
    }
    expect(app.driftScheduler.status().running).toBe(false);
  }, 60_000);
});
