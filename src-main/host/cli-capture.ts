/**
 * `baseline capture` and `baseline simulate`: the controller commands of the CLI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { importProfileCsv } from '../../src-shared/common/profile/profile-csv.ts';
import { PROFILE_CSV_MAX_CHARS } from '../../src-shared/common/api/contract.ts';
import { readBoundedFile } from './bounded-file.ts';
import type { ModbusProfile } from '../../src-shared/common/profile/capture-profile.ts';
import { CaptureOptionsSchema, ControllerTargetSchema, profileProtocolOf, type ControllerTarget } from '../../src-shared/common/capture/controller-target.ts';
import { DeviceSupervisor } from '../devices/process/device-supervisor.ts';
import { CaptureService } from '../services/capture-service.ts';
import { SnapshotService } from '../services/snapshot-service.ts';
import type { Artefact } from '../../src-shared/common/snapshot/snapshot.ts';
import { mediaTypeOf } from '../../src-shared/common/diff/artefact-diff.ts';
import { askSecret } from './secret-prompt.ts';
import { BaselineApp, osUserActor } from '../services/baseline-app.ts';
import { protectionFromEnv } from '../store/device-key-store.ts';
import { startModbusSimulator } from '../devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../devices/simulator/modbus-profile-image.ts';
import { parseFault, startFaultProxy } from '../devices/simulator/fault-proxy.ts';
import { startLogixSimulator } from '../devices/simulator/logix/logix-simulator.ts';
import { startS7Simulator } from '../devices/simulator/s7/s7-simulator.ts';
import { s7AreasFromProfile } from '../devices/simulator/s7-profile-areas.ts';

/** Output sinks. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTty: boolean;
}

type Flags = Record<string, string | boolean | string[] | undefined>;

function num(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new BaselineError('usage', `--${name} must be a whole number, not ${String(v)}.`, 'Run `baseline --help`.');
  return n;
}

function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** Builds and validates the controller target from CLI flags. */
export function targetFromFlags(flags: Flags): ControllerTarget {
  const protocol = str(flags, 'protocol');
  const raw: Record<string, unknown> = { protocol };
  if (protocol === 'modbus-rtu') {
    raw['serialPath'] = str(flags, 'serial');
    raw['baudRate'] = num(flags, 'baud');
  } else {
    raw['host'] = str(flags, 'host');
    raw['port'] = num(flags, 'port');
  }
  if (protocol?.startsWith('modbus')) raw['unitId'] = num(flags, 'unit');
  if (protocol === 's7') {
    raw['rack'] = num(flags, 'rack');
    raw['slot'] = num(flags, 'slot');
  }
  if (protocol === 'logix') raw['slot'] = num(flags, 'slot');
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  const parsed = ControllerTargetSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'protocol'}: ${i.message}`).join('; ');
    throw new BaselineError('usage', `The controller settings are incomplete or wrong (${issues}).`,
      'Give --protocol modbus-tcp|modbus-rtu|s7|logix and --host (or --serial for RTU); see `baseline --help`.');
  }
  return parsed.data;
}

function readProfile(path: string | undefined, protocol: 'modbus' | 's7' | 'logix') {
  if (!path) throw new BaselineError('usage', 'No capture profile was given.', 'Pass --profile FILE.csv (header tag,address,type,class,safety,writable,description).');
  // The same limit as the API's profiles.import, checked before the file is read.
  const bytes = readBoundedFile(path, PROFILE_CSV_MAX_CHARS, {
    code: 'profile', noun: 'profile file',
    hint: 'A capture profile may be at most 10 MB: split the controller\'s tags into several profiles, or drop descriptions you do not need.',
  });
  return importProfileCsv(bytes, protocol);
}

/** `baseline capture`: exit 0 all tags good, 2 some bad, 1 nothing captured. */
export async function captureCommand(flags: Flags, io: Io): Promise<number> {
  const target = targetFromFlags(flags);
  const profilePath = str(flags, 'profile');
  const profile = readProfile(profilePath, profileProtocolOf(target));
  const out = str(flags, 'out');
  if (!out) throw new BaselineError('usage', 'No output file was given.', 'Pass --out FILE.json for the capture document.');
  const options = CaptureOptionsSchema.parse({ ...(num(flags, 'timeout') !== undefined ? { timeoutMs: num(flags, 'timeout') } : {}), ...(num(flags, 'retries') !== undefined ? { retries: num(flags, 'retries') } : {}) });
  const homeGiven = str(flags, 'home') ?? process.env['BASELINE_HOME'];
  const app = homeGiven ? BaselineApp.open({ home: homeGiven, transport: 'cli', keyProtection: protectionFromEnv() }) : null;
  const devices = new DeviceSupervisor();
  try {
    // Attachments are checked and stored before touching the controller, so a bad path costs no capture.
    const attach = (flags['attach'] as string[] | undefined) ?? [];
    if (attach.length > 0 && !app) throw new BaselineError('usage', 'Attached files are stored in the data directory, and none was given.', 'Pass --home DIR (or set BASELINE_HOME).');
    const artefacts: Artefact[] = attach.map((path) => {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch {
        throw new BaselineError('artefact-unreadable', `The file to attach ${path} cannot be read.`, 'Check the path.');
      }
      return { name: basename(path), sha256: app!.blobs.put(bytes), size: bytes.length, mediaType: mediaTypeOf(path) };
    });
    const service = new CaptureService(devices, app ? { journal: app.journal, blobs: app.blobs } : null);
    const ac = new AbortController();
    const onSigint = () => ac.abort();
    process.once('SIGINT', onSigint);
    const doc = await service.capture({ target, profile, profileName: basename(profilePath!), options }, app?.actor() ?? osUserActor(), {
      signal: ac.signal,
      onProgress: (p) => { if (io.isTty) io.err(`\rcapturing ${p.done}/${p.total} tags (${p.detail})   `); },
    });
    process.removeListener('SIGINT', onSigint);
    if (io.isTty) io.err('\n');
    const signer = str(flags, 'signer');
    let file = SnapshotService.unsigned(doc, artefacts);
    if (signer) {
      if (!app) throw new BaselineError('usage', 'Signing needs the data directory that holds the signer\'s keystore.', 'Pass --home DIR (or set BASELINE_HOME).');
      if (doc.complete) {
        const person = app.identity.personByEmployeeId(signer);
        file = app.snapshots.sign(doc, signer, await askSecret(`Password of ${person.name} to sign "captured by": `), null, app.actor(), artefacts).file;
      } else {
        io.err('baseline: the capture is incomplete, so it was not signed (an incomplete capture is never evidence).\n');
      }
    }
    writeFileSync(resolve(out), JSON.stringify(file, null, 2) + '\n');
    if (doc.failure) io.err(`baseline: ${doc.failure.message}\n  what to do: ${doc.failure.hint}\n`);
    for (const v of doc.values.filter((x) => x.quality === 'bad').slice(0, 10)) io.err(`  bad: ${v.tag} (${v.address}): ${v.error ?? ''}\n`);
    const { tags, good, bad, requests, minimumRequests, durationMs } = doc.stats;
    io.out(JSON.stringify({ tags, good, bad, requests, minimumRequests, durationMs, complete: doc.complete, signed: file.signatures.length > 0, out: resolve(out) }) + '\n');
    return good === tags && doc.complete ? 0 : good === 0 ? 1 : 2;
  } finally {
    devices.close();
    app?.close();
  }
}

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
      throw new BaselineError('simulator-values', `The values file ${valuesPath} is not readable JSON.`, 'Give a JSON object of tag name to value.');
    }
  }
  const faultText = str(flags, 'fault');
  // exception:N is a Modbus answer (the device itself replies with exception N); the rest are transport faults.
  const exceptionCode = faultText?.startsWith('exception:') ? Number(faultText.slice('exception:'.length)) : null;
  if (exceptionCode !== null && (protocol !== 'modbus-tcp' || !Number.isInteger(exceptionCode) || exceptionCode < 1 || exceptionCode > 255)) {
    throw new BaselineError('bad-fault', `"${faultText}" is not a fault this simulator knows.`, 'exception:<code> (1-255) works with --protocol modbus-tcp only.');
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
    if (unknown.length) throw new BaselineError('simulator-values', `The values file names tags the profile does not have: ${unknown.slice(0, 5).join(', ')}.`, 'Use the tag names of the profile (first CSV column).');
    server = await startLogixSimulator({
      port: fault ? 0 : port,
      tags: profile.tags.map((t) => ({ name: t.address, type: t.type, writable: t.writable, ...(values[t.tag] !== undefined ? { value: values[t.tag] as never } : {}) })),
    });
    label = 'Logix (EtherNet/IP)';
  } else {
    const image = modbusImageFromProfile(profile as ModbusProfile, values);
    server = await startModbusSimulator({ image, unitId: num(flags, 'unit') ?? 1, port: fault ? 0 : port, exception: exceptionCode,
      identity: { vendorName: 'Baseline', productCode: 'SIM-MODBUS', revision: '1.0', productName: 'Baseline simulated controller' } });
    label = `Modbus TCP unit ${num(flags, 'unit') ?? 1}`;
  }
  const proxy = fault ? await startFaultProxy(server.port, fault, port) : null;
  io.out(`Simulated ${label} controller on 127.0.0.1:${proxy?.port ?? server.port}, ${profile.tags.length} tags${faultText ? `, fault ${faultText}` : ''}. Ctrl+C stops it.\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await proxy?.close();
  await server.close();
  return 0;
}
