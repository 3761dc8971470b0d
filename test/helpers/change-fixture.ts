/** A plant with people, a tier-1 controller and a filled-in normal change, for workflow tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BaselineApp } from '../../src-main/services/baseline-app.ts';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** The people of seed 004's RACI, with the default policy's roles, and the shift supervisor who signs checkpoints. */
export const RACI = [
  { name: 'Erin Engineer', employeeId: 'E100', roles: ['controls-engineer'], password: 'erin-password-1' },
  { name: 'Pat Manager', employeeId: 'M200', roles: ['plant-engineering-manager'], password: 'pat-password-1' },
  { name: 'Sam Security', employeeId: 'S300', roles: ['ot-security'], password: 'sam-password-1' },
  { name: 'Quinn Quality', employeeId: 'Q400', roles: ['quality-compliance'], password: 'quinn-password-1' },
  { name: 'Sky Supervisor', employeeId: 'SV500', roles: ['shift-supervisor'], password: 'sky-password-1' },
] as const;

/** Sets up CA, people, the demo plant, and a controller on tier-1 line L01; returns its id. */
export function setUpPlant(app: BaselineApp): string {
  const actor = app.actor();
  app.identity.createCa('Plant CA', 'plant-ca-secret-1', actor);
  for (const p of RACI) app.identity.enrol({ name: p.name, employeeId: p.employeeId, roles: [...p.roles], password: p.password }, 'plant-ca-secret-1', actor);
  app.plantModel.importPlant(readFileSync(root('resources/plant/demo-plant.yaml'), 'utf8'), 'demo-plant.yaml', { employeeId: 'M200', password: 'pat-password-1' });
  const profile = app.profiles.import('line1', 'modbus', readFileSync(root('test/fixtures/profiles-capture/modbus-line1.csv'), 'utf8'), actor);
  const c = app.controllers.register('PLC-L01-FILLER', { protocol: 'modbus-tcp', host: '127.0.0.1', port: 5020, unitId: 1, wordOrder: 'high-first' }, profile.sha256, actor);
  app.plantModel.assignLine(c.id, 'L01', actor);
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
