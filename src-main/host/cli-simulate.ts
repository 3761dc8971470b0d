/**
 * `baseline simulate`: a simulated controller (Modbus TCP, S7 or Logix) on 127.0.0.1, with optional faults.
 */
import { readFileSync } from 'node:fs';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { ModbusProfile } from '../../src-shared/common/profile/capture-profile.ts';
import { startModbusSimulator } from '../devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../devices/simulator/modbus-profile-image.ts';
import { parseFault, startFaultProxy } from '../devices/simulator/fault-proxy.ts';
import { startLogixSimulator } from '../devices/simulator/logix/logix-simulator.ts';
import { startS7Simulator } from '../devices/simulator/s7/s7-simulator.ts';
import { s7AreasFromProfile } from '../devices/simulator/s7-profile-areas.ts';
import { num, readProfile, str, type Flags, type Io } from './cli-capture.ts';

/** `baseline simulate`: serves a simulated controller until interrupted. */
export async function simulateCommand(flags: Flags, io: Io): Promise<number> {
  const protocol = str(flags, 'protocol');
  if (protocol !== 'modbus-tcp' && protocol !== 'logix' && protocol !== 's7') {
    throw new BaselineError('usage', `Cannot simulate "${protocol ?? '(no protocol)'}".`, 'Use --protocol modbus-tcp, s7 or logix.');
  }
  const profile = readProfile(str(flags, 'profile'), protocol === 'logix' ? 'logix' : protocol === 's7' ? 's7' : 'modbus');
  const valuesPath = str(flags, 'values');
  let values: Record<string, unknown> = {};
  if (valuesPath) {
    try {
      values = JSON.parse(readFileSync(valuesPath, 'utf8')) as Record<string, unknown>;
    } catch {
      throw new BaselineError(
        'simulator-values',
        `The values file ${valuesPath} is not readable JSON.`,
        'Give a JSON object of tag name to value.',
      );
    }
  }
  const faultText = str(flags, 'fault');
  // exception:N is a Modbus answer (the device itself replies with exception N); the rest are transport faults.
  const exceptionCode = faultText?.startsWith('exception:') ? Number(faultText.slice('exception:'.length)) : null;
  if (
    exceptionCode !== null &&
    (protocol !== 'modbus-tcp' || !Number.isInteger(exceptionCode) || exceptionCode < 1 || exceptionCode > 255)
  ) {
    throw new BaselineError(
      'bad-fault',
      `"${faultText}" is not a fault this simulator knows.`,
      'exception:<code> (1-255) works with --protocol modbus-tcp only.',
    );
  }
  const fault = faultText && exceptionCode === null ? parseFault(faultText) : null;
  const port = num(flags, 'port') ?? 0;
  let server: { port: number; close(): Promise<void> };
  let label: string;
  if (profile.protocol === 's7') {
    server = await startS7Simulator({ areas: s7AreasFromProfile(profile, values), port: fault ? 0 : port });
    label = 'Siemens S7';
  } else if (profile.protocol === 'logix') {
    const unknown = Object.keys(values).filter((k) => !profile.tags.some((t) => t.tag === k));
    if (unknown.length)
      throw new BaselineError(
        'simulator-values',
        `The values file names tags the profile does not have: ${unknown.slice(0, 5).join(', ')}.`,
        'Use the tag names of the profile (first CSV column).',
      );
    server = await startLogixSimulator({
      port: fault ? 0 : port,
      tags: profile.tags.map((t) => ({
        name: t.address,
        type: t.type,
        writable: t.writable,
        ...(values[t.tag] !== undefined ? { value: values[t.tag] as never } : {}),
      })),
    });
    label = 'Logix (EtherNet/IP)';
  } else {
    const image = modbusImageFromProfile(profile as ModbusProfile, values);
    server = await startModbusSimulator({
      image,
      unitId: num(flags, 'unit') ?? 1,
      port: fault ? 0 : port,
      exception: exceptionCode,
      identity: { vendorName: 'Baseline', productCode: 'SIM-MODBUS', revision: '1.0', productName: 'Baseline simulated controller' },
    });
    label = `Modbus TCP unit ${num(flags, 'unit') ?? 1}`;
  }
  const proxy = fault ? await startFaultProxy(server.port, fault, port) : null;
  io.out(
    `Simulated ${label} controller on 127.0.0.1:${proxy?.port ?? server.port}, ${profile.tags.length} tags${faultText ? `, fault ${faultText}` : ''}. Ctrl+C stops it.\n`,
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await proxy?.close();
  await server.close();
  return 0;
}
