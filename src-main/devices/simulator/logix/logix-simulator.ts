/**
 * Simulated Allen-Bradley Logix controller (ControlLogix/CompactLogix) speaking EtherNet/IP + CIP over TCP on
 * 127.0.0.1: the transport layer only. Bytes go through the framer (encapsulation.ts) to one LogixSession per
 * connection (logix-session.ts), which asks the LogixController (logix-controller.ts) for CIP replies over the
 * tag database (tag-database.ts). No npm package serves EtherNet/IP, so this one is ours. Misbehaviour (delay,
 * drop, garbage…) comes from the fault proxy in front of it (../fault-proxy.ts).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import { BaselineError } from '../../../../src-shared/common/errors.ts';
import { EncapsulationFramer, type DeviceIdentity } from './encapsulation.ts';
import { LogixController } from './logix-controller.ts';
import { LogixSession } from './logix-session.ts';
import { LogixTagDatabase, type LogixTagDatabaseSpec } from './tag-database.ts';

/** The identity the simulated controller reports (Identity object, CIP Vol 1 §5-2). */
export interface LogixIdentity {
  vendorId: number;
  deviceType: number;
  productCode: number;
  revision: { major: number; minor: number };
  serial: number;
  productName: string;
  /** Identity status word; bits 4-7 = 6 mean Run, 7 Program (what st-ethernet-ip decodes). Default 0x0060. */
  status?: number;
}

/** A 1756-L83E at firmware 33.11 in Run mode, serial 0x00C0FFEE. */
export const DEFAULT_LOGIX_IDENTITY: Readonly<LogixIdentity> = {
  vendorId: 1,
  deviceType: 0x0e,
  productCode: 166,
  revision: { major: 33, minor: 11 },
  serial: 0x00c0ffee,
  productName: '1756-L83E/B',
  status: 0x0060,
};

/** How to start a simulated controller: its tags (and UDTs), port (0 = chosen by the OS), identity and slot. */
export interface LogixSimulatorOptions extends LogixTagDatabaseSpec {
  port?: number;
  identity?: Partial<LogixIdentity>;
  /** Backplane slot the controller sits in (clients route to port 1, this slot). Default 0. */
  slot?: number;
}

/** A running simulated controller. */
export interface LogixSimulator {
  readonly port: number;
  /** CIP request messages answered so far (SendRRData + SendUnitData frames), for request-count checks. */
  readonly requests: number;
  /** CIP services executed (each service of a Multiple Service Packet counts once). */
  readonly services: number;
  /** Unexpected internal errors; each closed the connection it happened on. Empty unless there is a defect. */
  readonly errors: readonly Error[];
  readonly identity: DeviceIdentity;
  readonly database: LogixTagDatabase;
  /** Sets a tag, member, element or bit by its Studio 5000 name. */
  setTag(name: string, value: unknown): void;
  /** Reads a tag, member, element or bit by its Studio 5000 name (LINT as bigint, UDTs as objects). */
  getTag(name: string): unknown;
  close(): Promise<void>;
}

/** Starts a simulated Logix controller on 127.0.0.1. */
export async function startLogixSimulator(options: LogixSimulatorOptions): Promise<LogixSimulator> {
  const database = LogixTagDatabase.load(options);
  const given = options.identity ?? {};
  const identity: DeviceIdentity = {
    vendorId: given.vendorId ?? DEFAULT_LOGIX_IDENTITY.vendorId,
    deviceType: given.deviceType ?? DEFAULT_LOGIX_IDENTITY.deviceType,
    productCode: given.productCode ?? DEFAULT_LOGIX_IDENTITY.productCode,
    revision: given.revision ?? DEFAULT_LOGIX_IDENTITY.revision,
    serial: given.serial ?? DEFAULT_LOGIX_IDENTITY.serial,
    productName: given.productName ?? DEFAULT_LOGIX_IDENTITY.productName,
    status: given.status ?? DEFAULT_LOGIX_IDENTITY.status ?? 0x0060,
  };
  const controller = new LogixController({ database, identity, slot: options.slot ?? 0 });
  let requests = 0;
  const errors: Error[] = [];
  const sockets = new Set<Socket>();
  let port = 0;

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const framer = new EncapsulationFramer();
    const session = new LogixSession({
      controller,
      sessionHandle: randomInt(1, 0x7fffffff),
      connectionIds: () => randomInt(1, 0x7fffffff),
      localAddress: { ip: '127.0.0.1', port },
    });
    socket.on('data', (chunk) => {
      try {
        for (const frame of framer.push(chunk)) {
          const out = session.handleFrame(frame);
          if (out.cipRequest) requests += 1;
          for (const r of out.replies) socket.write(r);
          if (out.close) {
            socket.end();
            return;
          }
        }
      } catch (err) {
        errors.push(err instanceof Error ? err : new Error(String(err)));
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new BaselineError(
          'simulator-start',
          `The Logix simulator could not listen on 127.0.0.1:${options.port ?? 0}: ${err.code ?? err.message}.`,
          'Choose another port (--port), or 0 to let the system choose.',
        ),
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    get requests() {
      return requests;
    },
    get services() {
      return controller.services;
    },
    errors,
    identity,
    database,
    setTag: (name, value) => database.setValue(name, value),
    getTag: (name) => database.getValue(name),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
