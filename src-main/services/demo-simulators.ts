/**
 * The demo plant's controllers: one simulated controller per line tier, one per protocol (Modbus TCP, S7, Logix),
 * started by the program that serves a demo data directory, on 127.0.0.1 with ports chosen by the OS, and stopped
 * with it. Their tag values are kept in the data directory (`demo/simulators.json`), so a change made to a simulated
 * controller (the demo's stand-in for the engineer's download) is still there at the next start.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import type { ControllerTarget } from '../../src-shared/common/capture/controller-target.ts';
import { importProfileCsv } from '../../src-shared/common/profile/profile-csv.ts';
import type { LogixProfile, ModbusProfile, S7Profile } from '../../src-shared/common/profile/capture-profile.ts';
import { writeFileAtomic } from '../store/atomic-file.ts';
import { startModbusSimulator, type ModbusSimulator } from '../devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../devices/simulator/modbus-profile-image.ts';
import { startS7Simulator, type S7Simulator } from '../devices/simulator/s7/s7-simulator.ts';
import { s7AreasFromProfile } from '../devices/simulator/s7-profile-areas.ts';
import { startLogixSimulator, type LogixSimulator } from '../devices/simulator/logix/logix-simulator.ts';
import type { ControllerService } from './controller-service.ts';

/** One demo controller: where it sits in the 24-line packaging plant, its protocol and its files in resources/demo. */
export interface DemoControllerSpec {
  name: string;
  line: string;
  /** What it does on its line (the reason recorded when plant engineering puts it there). */
  role: string;
  protocol: 'modbus-tcp' | 's7' | 'logix';
  profileName: string;
  profileFile: string;
  valuesFile: string;
}

/** A tier-1 filler on Modbus TCP, a tier-2 capper on S7, a tier-3 case packer on Logix. */
export const DEMO_CONTROLLERS: readonly DemoControllerSpec[] = [
  {
    name: 'PLC-L01-FILLER',
    line: 'L01',
    role: 'filler of packaging line 1',
    protocol: 'modbus-tcp',
    profileName: 'filler (Modbus)',
    profileFile: 'filler-modbus.csv',
    valuesFile: 'filler-values.json',
  },
  {
    name: 'PLC-L05-CAPPER',
    line: 'L05',
    role: 'capper of packaging line 5',
    protocol: 's7',
    profileName: 'capper (S7)',
    profileFile: 'capper-s7.csv',
    valuesFile: 'capper-values.json',
  },
  {
    name: 'PLC-L18-CASEPACKER',
    line: 'L18',
    role: 'case packer of packaging line 18',
    protocol: 'logix',
    profileName: 'case packer (Logix)',
    profileFile: 'casepacker-logix.csv',
    valuesFile: 'casepacker-values.json',
  },
];

/** Where a demo controller listens now, as a controller target. */
export function demoTarget(spec: DemoControllerSpec, port: number): ControllerTarget {
  return spec.protocol === 'modbus-tcp'
    ? { protocol: 'modbus-tcp', host: '127.0.0.1', port, unitId: 1, wordOrder: 'high-first' }
    : spec.protocol === 's7'
      ? { protocol: 's7', host: '127.0.0.1', port, rack: 0, slot: 1 }
      : { protocol: 'logix', host: '127.0.0.1', port, slot: 0 };
}

type Values = Record<string, unknown>;
type Running =
  | { kind: 'modbus-tcp'; sim: ModbusSimulator; profile: ModbusProfile }
  | { kind: 's7'; sim: S7Simulator; profile: S7Profile }
  | { kind: 'logix'; sim: LogixSimulator; profile: LogixProfile };

/** The running simulated controllers of one demo data directory. */
export class DemoSimulators {
  private readonly running = new Map<string, Running>();
  private readonly values: Record<string, Values>;
  private readonly file: string;

  private constructor(file: string, values: Record<string, Values>) {
    this.file = file;
    this.values = values;
  }

  /** Starts every demo controller with its stored values (or the shipped ones on the first start). */
  static async start(home: string, resourcesDir: string): Promise<DemoSimulators> {
    const dir = join(resourcesDir, 'demo');
    const file = join(home, 'demo', 'simulators.json');
    let stored: Record<string, Values> = {};
    if (existsSync(file)) {
      try {
        stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Values>;
      } catch {
        throw new BaselineError(
          'demo-simulators-unreadable',
          `${file} is not readable JSON.`,
          'Delete it to start the demo controllers with their shipped values.',
        );
      }
    }
    const values: Record<string, Values> = {};
    for (const spec of DEMO_CONTROLLERS)
      values[spec.name] = stored[spec.name] ?? (JSON.parse(readFileSync(join(dir, spec.valuesFile), 'utf8')) as Values);
    const sims = new DemoSimulators(file, values);
    try {
      for (const spec of DEMO_CONTROLLERS) {
        const csv = readFileSync(join(dir, spec.profileFile));
        const v = values[spec.name]!;
        if (spec.protocol === 'modbus-tcp') {
          const profile = importProfileCsv(csv, 'modbus') as ModbusProfile;
          const sim = await startModbusSimulator({
            image: modbusImageFromProfile(profile, v),
            unitId: 1,
            identity: {
              vendorName: 'Baseline',
              productCode: 'SIM-MODBUS',
              revision: '1.0',
              productName: 'Baseline simulated controller (demo)',
            },
          });
          sims.running.set(spec.name, { kind: 'modbus-tcp', sim, profile });
        } else if (spec.protocol === 's7') {
          const profile = importProfileCsv(csv, 's7') as S7Profile;
          sims.running.set(spec.name, { kind: 's7', sim: await startS7Simulator({ areas: s7AreasFromProfile(profile, v) }), profile });
        } else {
          const profile = importProfileCsv(csv, 'logix') as LogixProfile;
          const sim = await startLogixSimulator({
            tags: profile.tags.map((t) => ({
              name: t.address,
              type: t.type,
              writable: t.writable,
              ...(v[t.tag] !== undefined ? { value: v[t.tag] as never } : {}),
            })),
          });
          sims.running.set(spec.name, { kind: 'logix', sim, profile });
        }
      }
    } catch (err) {
      await sims.close();
      throw err;
    }
    return sims;
  }

  /** The port a demo controller listens on now. */
  port(name: string): number {
    const r = this.running.get(name);
    if (!r)
      throw new BaselineError(
        'demo-controller-unknown',
        `${name} is not one of the demo plant's simulated controllers.`,
        `They are ${DEMO_CONTROLLERS.map((c) => c.name).join(', ')}.`,
      );
    return r.sim.port;
  }

  /** Points each registered demo controller at the port its simulator listens on now (an event when it moved). */
  repoint(controllers: ControllerService, actor: Actor): void {
    for (const spec of DEMO_CONTROLLERS) {
      const c = controllers.list().find((x) => x.name === spec.name);
      if (!c) continue;
      const target = demoTarget(spec, this.port(spec.name));
      if (JSON.stringify(c.target) !== JSON.stringify(target)) controllers.setTarget(c.id, target, actor);
    }
  }

  /**
   * Sets tags on a simulated controller, as the engineer's programming software would when downloading a change
   * (Baseline itself never writes except through a signed restore). Keeps the values for the next start.
   */
  write(name: string, changes: Values): void {
    const r = this.running.get(name);
    if (!r)
      throw new BaselineError(
        'demo-controller-unknown',
        `${name} is not one of the demo plant's simulated controllers.`,
        `They are ${DEMO_CONTROLLERS.map((c) => c.name).join(', ')}.`,
      );
    const unknown = Object.keys(changes).filter((k) => !r.profile.tags.some((t) => t.tag === k));
    if (unknown.length > 0)
      throw new BaselineError('demo-tag-unknown', `${name} has no tag ${unknown.join(', ')}.`, 'Use the tag names of its capture profile.');
    const next = { ...this.values[name], ...changes };
    if (r.kind === 'modbus-tcp') {
      const image = modbusImageFromProfile(r.profile, next);
      r.sim.image.hr.set(image.hr);
      r.sim.image.ir.set(image.ir);
      r.sim.image.co.set(image.co);
      r.sim.image.di.set(image.di);
    } else if (r.kind === 's7') {
      const areas = s7AreasFromProfile(r.profile, next);
      for (const [db, bytes] of Object.entries(areas.dbs)) r.sim.area('DB', Number(db))?.set(bytes);
      if (areas.m) r.sim.area('M')?.set(areas.m);
    } else {
      for (const [tag, value] of Object.entries(changes)) r.sim.setTag(r.profile.tags.find((t) => t.tag === tag)!.address, value);
    }
    this.values[name] = next;
    mkdirSync(join(this.file, '..'), { recursive: true });
    writeFileAtomic(this.file, JSON.stringify(this.values, null, 2) + '\n', 0o600);
  }

  /** Stops every simulated controller. */
  async close(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((r) => r.sim.close()));
  }
}
