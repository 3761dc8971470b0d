/** A plant with people, a tier-1 controller and a filled-in normal change, for workflow tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { startModbusSimulator, type ModbusSimulator } from '../../src-main/devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../../src-main/devices/simulator/modbus-profile-image.ts';
import { importProfileCsv } from '../../src-shared/common/profile/profile-csv.ts';
import type { ModbusProfile } from '../../src-shared/common/profile/capture-profile.ts';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** The people of the OT change framework's RACI, with the default policy's roles, and the shift supervisor who signs checkpoints. */
export const RACI = [
  { name: 'Erin Engineer', employeeId: 'E100', roles: ['controls-engineer'], password: 'erin-password-1' },
  { name: 'Pat Manager', employeeId: 'M200', roles: ['plant-engineering-manager'], password: 'pat-password-1' },
  { name: 'Sam Security', employeeId: 'S300', roles: ['ot-security'], password: 'sam-password-1' },
  { name: 'Quinn Quality', employeeId: 'Q400', roles: ['quality-compliance'], password: 'quinn-password-1' },
  { name: 'Sky Supervisor', employeeId: 'SV500', roles: ['shift-supervisor'], password: 'sky-password-1' },
] as const;

/**
 * Sets up CA, people, the demo plant, and a controller on tier-1 line L01 (Modbus TCP on 127.0.0.1:`port`, captured
 * with `profileFile`, by default the line-1 profile); returns its id.
 */
export function setUpPlant(app: BaselineApp, port = 5020, profileFile = 'test/fixtures/profiles-capture/modbus-line1.csv'): string {
  const actor = app.actor();
  // A plant CA made beforehand (and given to the central server: `plantCaForServer`) is used as it is.
  if (!app.identity.cas().some((c) => c.source === 'created-here')) app.identity.createCa('Plant CA', 'plant-ca-secret-1', actor);
  for (const p of RACI)
    app.identity.enrol({ name: p.name, employeeId: p.employeeId, roles: [...p.roles], password: p.password }, 'plant-ca-secret-1', actor);
  app.plantModel.importPlant(readFileSync(root('resources/plant/demo-plant.yaml'), 'utf8'), 'demo-plant.yaml', {
    employeeId: 'M200',
    password: 'pat-password-1',
  });
  const profile = app.profiles.import('line1', 'modbus', readFileSync(root(profileFile), 'utf8'), actor);
  const c = app.controllers.register(
    'PLC-L01-FILLER',
    { protocol: 'modbus-tcp', host: '127.0.0.1', port, unitId: 1, wordOrder: 'high-first' },
    profile.sha256,
    actor,
  );
  app.plantModel.assignLine(c.id, 'L01', 'filler of line 1', { employeeId: 'M200', password: 'pat-password-1' });
  return c.id;
}

/** Every field a normal change needs, with a window after the 48 h notice. */
export function normalChangeFields(controllerId: string, now: Date) {
  const start = new Date(now.getTime() + 3 * 86_400_000);
  return {
    title: 'Raise filler speed setpoint to 14 m/min',
    description: 'Increase Line1_SpeedSP from 12.5 to 14.0 after the new conveyor motor.',
    justification: 'Throughput target for Q1; motor upgraded under MOC-2291.',
    class: 'normal',
    targetControllers: [controllerId],
    impactAssessment: { summary: 'Line L01 stops for 10 minutes during the download.', impact: 2, probability: 2, safetyImpact: 'none' },
    rollbackPlan: 'Restore Line1_SpeedSP = 12.5 from the before-snapshot.',
    testPlan: 'Run 30 minutes at 14 m/min, check reject rate below 0.5%.',
    proposedChange: { kind: 'diff', controllerId, changes: [{ tag: 'Line1_SpeedSP', from: 12.5, to: 14 }] },
    requestedWindow: { start: start.toISOString(), end: new Date(start.getTime() + 2 * 3600_000).toISOString() },
    itsmTicket: 'CHG0042311',
    mocReference: 'MOC-2291',
  };
}

/** The line-1 Modbus simulator (test/fixtures/profiles-capture), on a free loopback port, with its values. */
export async function startLine1Simulator(): Promise<{ sim: ModbusSimulator; set(values: Record<string, unknown>): void }> {
  const profile = importProfileCsv(readFileSync(root('test/fixtures/profiles-capture/modbus-line1.csv')), 'modbus') as ModbusProfile;
  const base = JSON.parse(readFileSync(root('test/fixtures/profiles-capture/modbus-line1-values.json'), 'utf8')) as Record<string, unknown>;
  const sim = await startModbusSimulator({ image: modbusImageFromProfile(profile, base), unitId: 1 });
  return {
    sim,
    /** Changes tag values the way an engineer's download would (the rest keep their fixture values). */
    set(values) {
      const next = modbusImageFromProfile(profile, { ...base, ...values });
      sim.image.hr.set(next.hr);
      sim.image.co.set(next.co);
      sim.image.ir.set(next.ir);
    },
  };
}

/** Captures a registered controller over the network and signs the capture as `signer`; returns the snapshot's SHA-256. */
export async function captureAndSign(
  app: BaselineApp,
  controllerId: string,
  signer: { employeeId: string; password: string },
): Promise<string> {
  const controller = app.controllers.get(controllerId);
  const profile = app.profiles.load(controller.profile!.sha256);
  const capture = await app.captures.capture(
    { controllerId, target: controller.target, profile, profileName: controller.profile!.name, options: { timeoutMs: 1000, retries: 0 } },
    app.actor(),
  );
  return app.snapshots.sign(capture, signer.employeeId, signer.password, controllerId, app.actor()).sha256;
}

/**
 * An emergency change to the filler (raise Line1_SpeedSP from 12.5 to 14), started under break-glass, with a real
 * signed capture of the controller recorded as its before-snapshot; returns the change's id.
 */
export async function emergencyFillerChange(app: BaselineApp, controllerId: string): Promise<string> {
  const [eng] = RACI;
  const c = app.changes.create(
    eng.employeeId,
    {
      title: 'Filler jammed: raise speed setpoint',
      description: 'Filler starves at 12.5 m/min; line down.',
      justification: 'Line L01 stopped.',
      class: 'emergency',
      targetControllers: [controllerId],
      proposedChange: { kind: 'diff', controllerId, changes: [{ tag: 'Line1_SpeedSP', from: 12.5, to: 14 }] },
    },
    app.actor(),
  );
  app.changes.act(
    c.id,
    eng.employeeId,
    eng.password,
    {
      type: 'break-glass',
      approverEmployeeId: 'SV500',
      approverPassword: 'sky-password-1',
      approverRole: 'shift-supervisor',
      method: 'phone',
      reason: 'Line down',
    },
    app.actor(),
  );
  app.changes.act(
    c.id,
    eng.employeeId,
    eng.password,
    { type: 'record-snapshot', phase: 'before', controllerId, snapshotSha256: await captureAndSign(app, controllerId, eng) },
    app.actor(),
  );
  return c.id;
}

/** The shift supervisor (Sky) signs GO at the pre-execution checkpoint, every checklist item confirmed. */
export function signGo(app: BaselineApp, changeId: string): void {
  const sky = RACI[4];
  app.changes.act(
    changeId,
    sky.employeeId,
    sky.password,
    {
      type: 'checkpoint',
      role: 'shift-supervisor',
      checkpoint: 'pre-execution',
      decision: 'go',
      confirmed: app.policy.checkpoints().checkpoints[0]!.items,
    },
    app.actor(),
  );
}

/** The shift supervisor (Sky) signs ROLLBACK at the mid-change checkpoint. */
export function signRollback(app: BaselineApp, changeId: string, comment = 'Filler faults on restart'): void {
  const sky = RACI[4];
  app.changes.act(
    changeId,
    sky.employeeId,
    sky.password,
    { type: 'checkpoint', role: 'shift-supervisor', checkpoint: 'mid-change', decision: 'rollback', confirmed: [], comment },
    app.actor(),
  );
}
