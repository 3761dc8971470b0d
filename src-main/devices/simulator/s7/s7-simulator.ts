/**
 * Baseline's simulated S7 CPU (a product feature: staging and validation, training, the demo plant; and the
 * peer of our own tests). Pure TypeScript on node:net, listening on 127.0.0.1 only: ISO-on-TCP (RFC 1006 +
 * COTP class 0), Setup Communication, Read Var / Write Var on data blocks and the I, Q, M areas, and SZL
 * 0x0011 / 0x001C with a configurable identity. node-snap7's server is native and for tests only, hence this.
 *
 * The protocol work is in s7-sim-session.ts (no sockets); this file owns the listener, one session per
 * connection, the shared memory and the request counts. Misbehaviour (delay, drop, garbage…) comes from the
 * fault proxy in front of it (../fault-proxy.ts).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { BaselineError } from '../../../../src-shared/common/errors.ts';
import { TpktSplitter } from '../../s7/s7comm/iso-on-tcp.ts';
import {
  COMPONENT_FIELDS,
  COMPONENT_RECORD_LENGTH,
  MODULE_RECORD_LENGTH,
  SZL_COMPONENT_IDENTIFICATION,
  SZL_MODULE_IDENTIFICATION,
  encodeComponentRawRecord,
  encodeComponentTextRecord,
  encodeModuleIdentificationRecord,
  encodeSzlList,
  versionWords,
} from '../../s7/s7comm/szl-records.ts';
import { S7Memory, type S7AreaName, type S7Areas } from './s7-memory.ts';
import { S7SimSession, emptyRequestCounts, type S7RequestCounts, type S7SimCpu } from './s7-sim-session.ts';

export type { S7Areas, S7AreaName } from './s7-memory.ts';
export type { S7RequestCounts } from './s7-sim-session.ts';

/** What the simulated CPU says about itself in SZL 0x0011 and 0x001C. */
export interface S7SimIdentity {
  /** Order number (MLFB), at most 20 characters. */
  orderNumber: string;
  /** Module type name, at most 32 characters. */
  moduleTypeName: string;
  /** Serial number, at most 24 characters. */
  serialNumber: string;
  /** Name of the automation system, at most 24 characters. */
  plcName: string;
  /** Module name, at most 24 characters. */
  moduleName: string;
  /** Firmware version "V<major>.<minor>.<patch>", each number 0..255. */
  firmware: string;
}

/** The identity a simulator has unless told otherwise: plainly a simulator, in a real CPU's formats. */
export const DEFAULT_S7_SIM_IDENTITY: S7SimIdentity = {
  orderNumber: 'BASELINE-S7-SIM',
  moduleTypeName: 'Baseline S7 simulator',
  serialNumber: 'SIM-00000001',
  plcName: 'BASELINE-SIM',
  moduleName: 'Baseline simulated CPU',
  firmware: 'V1.0.0',
};

/** Options of a simulated S7 CPU. */
export interface S7SimulatorOptions {
  areas: S7Areas;
  /** TCP port on 127.0.0.1; 0 or absent lets the OS choose (read it back from `port`). */
  port?: number;
  /** The CPU's maximum PDU length (default 480, like an S7-400 or S7-1200); a client gets min(its request, this). */
  pduSize?: number;
  /** Parallel jobs (AmQ) the CPU grants at most (default 8). */
  maxParallelJobs?: number;
  /** Identity answered in SZL 0x0011 / 0x001C; missing fields take DEFAULT_S7_SIM_IDENTITY's. */
  identity?: Partial<S7SimIdentity>;
}

/** A running simulated S7 CPU. */
export interface S7Simulator {
  readonly port: number;
  /** S7 requests served so far, by kind (a snapshot). */
  readonly requests: S7RequestCounts;
  /** Client connections open now. */
  readonly connections: number;
  /** The live bytes of an area (what clients read and write), or undefined when the CPU has no such area/DB. */
  area(area: S7AreaName, db?: number): Uint8Array | undefined;
  close(): Promise<void>;
}

function badOption(message: string, hint: string, details: Record<string, unknown>): BaselineError {
  return new BaselineError('simulator-bad-option', message, hint, details);
}

/** Builds the SZL lists of an identity: 0x0011 / 0x001C (all records) and 0x0111 / 0x011C (one record by index). */
export function identitySzlLists(id: S7SimIdentity): Map<number, Uint8Array> {
  const fw = versionWords(id.firmware);
  if (!fw)
    throw badOption(
      `Firmware "${id.firmware}" is not a version like V1.2.3.`,
      'Give the firmware as V<major>.<minor>.<patch>, each 0..255.',
      { firmware: id.firmware },
    );
  const limits: [keyof S7SimIdentity, number][] = [
    ['orderNumber', 20],
    ['moduleTypeName', 32],
    ['serialNumber', 24],
    ['plcName', 24],
    ['moduleName', 24],
  ];
  for (const [key, max] of limits) {
    const value = id[key];
    if (value.length > max || !/^[\x20-\x7e]*$/.test(value)) {
      throw badOption(
        `The simulator's ${key} "${value}" does not fit its S7 field (at most ${max} printable ASCII characters).`,
        'Shorten it.',
        { [key]: value, max },
      );
    }
  }
  const modules = [
    encodeModuleIdentificationRecord({ index: 0x0001, orderNumber: id.orderNumber, moduleType: 0, ausbg: 1, ausbe: 1 }),
    encodeModuleIdentificationRecord({ index: 0x0006, orderNumber: id.orderNumber, moduleType: 0, ausbg: 1, ausbe: 1 }),
    encodeModuleIdentificationRecord({ index: 0x0007, orderNumber: '', moduleType: 0, ausbg: fw.ausbg, ausbe: fw.ausbe }),
  ];
  const components = [
    encodeComponentTextRecord(COMPONENT_FIELDS.plcName.index, id.plcName),
    encodeComponentTextRecord(COMPONENT_FIELDS.moduleName.index, id.moduleName),
    encodeComponentTextRecord(COMPONENT_FIELDS.plantDesignation.index, ''),
    encodeComponentTextRecord(COMPONENT_FIELDS.copyright.index, 'Baseline S7 simulator'),
    encodeComponentTextRecord(COMPONENT_FIELDS.serialNumber.index, id.serialNumber),
    encodeComponentTextRecord(COMPONENT_FIELDS.moduleTypeName.index, id.moduleTypeName),
    encodeComponentTextRecord(COMPONENT_FIELDS.memoryCardSerial.index, ''),
    encodeComponentRawRecord(0x0009, new Uint8Array(32)),
    encodeComponentRawRecord(0x000a, new Uint8Array(32)),
    encodeComponentTextRecord(COMPONENT_FIELDS.locationDesignation.index, ''),
  ];
  const key = (szlId: number, index: number) => (szlId << 16) | index;
  const lists = new Map<number, Uint8Array>();
  lists.set(key(SZL_MODULE_IDENTIFICATION, 0), encodeSzlList(SZL_MODULE_IDENTIFICATION, 0, MODULE_RECORD_LENGTH, modules));
  lists.set(key(SZL_COMPONENT_IDENTIFICATION, 0), encodeSzlList(SZL_COMPONENT_IDENTIFICATION, 0, COMPONENT_RECORD_LENGTH, components));
  // Partial lists "one record, selected by index" (SZL-ID 0x0111 / 0x011C).
  for (const rec of modules) {
    const index = ((rec[0] as number) << 8) | (rec[1] as number);
    lists.set(key(0x0111, index), encodeSzlList(0x0111, index, MODULE_RECORD_LENGTH, [rec]));
  }
  for (const rec of components) {
    const index = ((rec[0] as number) << 8) | (rec[1] as number);
    lists.set(key(0x011c, index), encodeSzlList(0x011c, index, COMPONENT_RECORD_LENGTH, [rec]));
  }
  return lists;
}

/** Starts a simulated S7 CPU on 127.0.0.1. */
export async function startS7Simulator(options: S7SimulatorOptions): Promise<S7Simulator> {
  const pduSize = options.pduSize ?? 480;
  if (!Number.isInteger(pduSize) || pduSize < 64 || pduSize > 960) {
    throw badOption(
      `PDU size ${pduSize} is not one the simulator offers (64..960).`,
      'Use 240 (S7-300), 480 (S7-400/1200) or 960 (S7-1500).',
      { pduSize },
    );
  }
  const maxAmq = options.maxParallelJobs ?? 8;
  if (!Number.isInteger(maxAmq) || maxAmq < 1 || maxAmq > 255)
    throw badOption(`${maxAmq} parallel jobs is not 1..255.`, 'Use a small number such as 1 to 8.', { maxParallelJobs: maxAmq });
  const memory = new S7Memory(options.areas);
  const cpu: S7SimCpu = {
    memory,
    pduSize,
    maxAmq,
    szl: identitySzlLists({ ...DEFAULT_S7_SIM_IDENTITY, ...options.identity }),
    counts: emptyRequestCounts(),
  };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const splitter = new TpktSplitter();
    const session = new S7SimSession(cpu);
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = splitter.push(chunk);
      } catch {
        socket.destroy(); // not TPKT: a CPU drops the connection
        return;
      }
      for (const frame of frames) {
        const out = session.handle(frame);
        for (const reply of out.replies) socket.write(reply);
        if (out.close) {
          socket.end();
          return;
        }
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: Error) =>
      reject(
        new BaselineError(
          'simulator-start',
          `The S7 simulator could not start: ${err.message}.`,
          'Choose another port (--port), or 0 to let the system choose.',
        ),
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    get requests() {
      return { ...cpu.counts };
    },
    get connections() {
      return sockets.size;
    },
    area: (area, db) => memory.area(area, db),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
