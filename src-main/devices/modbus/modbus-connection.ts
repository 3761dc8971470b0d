/**
 * Modbus TCP and RTU through `modbus-serial`: one connection, block reads/writes with a timeout always set
 * (the library has none by default), bounded retries with backoff, cancellation, exception codes by name,
 * and device identification (FC 43 / MEI 14) where the device answers it.
 */
import modbusSerial from 'modbus-serial';
import { deviceError, sleep, untilCancelled } from '../device-error.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import type { CaptureOptions, ControllerTarget } from '../../../src-shared/common/capture/controller-target.ts';

// modbus-serial is CommonJS with `module.exports.default = module.exports`; under NodeNext its typings
// describe the module object, so take the class from `.default`, which is the same function at run time.
const ModbusRTU = modbusSerial.default;
type ModbusClient = InstanceType<typeof ModbusRTU>;

/** Where and how to reach a Modbus device. */
export type ModbusTarget =
  | { transport: 'tcp'; host: string; port: number; unitId: number; timeoutMs: number; retries: number }
  | { transport: 'rtu'; serialPath: string; baudRate: number; unitId: number; timeoutMs: number; retries: number };

/** The four Modbus data tables. */
export type ModbusControllerTarget = Extract<ControllerTarget, { protocol: 'modbus-tcp' | 'modbus-rtu' }>;

/** The connection settings for modbus-serial. */
export function modbusTargetOf(t: ModbusControllerTarget, o: CaptureOptions): ModbusTarget {
  return t.protocol === 'modbus-tcp'
    ? { transport: 'tcp', host: t.host, port: t.port, unitId: t.unitId, timeoutMs: o.timeoutMs, retries: o.retries }
    : { transport: 'rtu', serialPath: t.serialPath, baudRate: t.baudRate, unitId: t.unitId, timeoutMs: o.timeoutMs, retries: o.retries };
}

export type ModbusTable = 'hr' | 'ir' | 'co' | 'di';

/** Exception codes (Modbus Application Protocol v1.1b3 §7). */
export const MODBUS_EXCEPTIONS: Record<number, string> = {
  1: 'ILLEGAL FUNCTION',
  2: 'ILLEGAL DATA ADDRESS',
  3: 'ILLEGAL DATA VALUE',
  4: 'SERVER DEVICE FAILURE',
  5: 'ACKNOWLEDGE',
  6: 'SERVER DEVICE BUSY',
  8: 'MEMORY PARITY ERROR',
  10: 'GATEWAY PATH UNAVAILABLE',
  11: 'GATEWAY TARGET DEVICE FAILED TO RESPOND',
};

/** Device identification objects (FC 43/14, basic and regular categories). */
export interface ModbusIdentity {
  vendorName?: string;
  productCode?: string;
  revision?: string;
  vendorUrl?: string;
  productName?: string;
  modelName?: string;
}

const ID_NAMES: Record<number, keyof ModbusIdentity> = {
  0: 'vendorName',
  1: 'productCode',
  2: 'revision',
  3: 'vendorUrl',
  4: 'productName',
  5: 'modelName',
};

function describeTarget(t: ModbusTarget): string {
  return t.transport === 'tcp'
    ? `Modbus TCP ${t.host}:${t.port} unit ${t.unitId}`
    : `Modbus RTU ${t.serialPath} @${t.baudRate} unit ${t.unitId}`;
}

/** Maps a modbus-serial / socket error to a device error. */
export function mapModbusError(err: unknown, controller: string, what: string): BaselineError {
  if (err instanceof BaselineError) return err;
  const e = err as { message?: string; code?: string; errno?: string; modbusCode?: number; name?: string };
  const msg = e?.message ?? String(err);
  if (typeof e?.modbusCode === 'number') {
    const name = MODBUS_EXCEPTIONS[e.modbusCode] ?? 'UNKNOWN EXCEPTION';
    return deviceError('protocol', controller, what, `the device answered exception ${e.modbusCode} (${name})`, {
      exceptionCode: e.modbusCode,
      exception: name,
    });
  }
  // modbus-serial labels its own "Port Not Open" and "Bad Client Address" errors with errno ECONNREFUSED, so the
  // message decides first: a controller that closed the connection (or cut a reply short) is not a refused port.
  if (/Port Not Open/i.test(msg)) {
    return deviceError(
      'closed',
      controller,
      what,
      what === 'connecting' ? 'the connection closed while it was being opened' : 'the connection is no longer open: the device closed it',
    );
  }
  if (/Bad Client Address/i.test(msg))
    return deviceError('protocol', controller, what, 'the unit id is not a valid Modbus address (0-255 over TCP, 1-247 over RTU)');
  // serialport's own words when the port cannot be opened (it sets no code): a missing device, a file that is not a
  // serial port, or no permission.
  if (/cannot open|No such file or directory|Permission denied/i.test(msg) && what === 'connecting')
    return deviceError('no-port', controller, what, `the serial port cannot be opened (${msg.replace(/^Error: /, '')})`);
  if (/Inappropriate ioctl/i.test(msg) && what === 'connecting')
    return deviceError('no-port', controller, what, 'that path is not a serial port');
  const code = e?.code ?? e?.errno ?? '';
  if (code === 'ECONNREFUSED') return deviceError('refused', controller, what, 'connection refused');
  if (['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL'].includes(code))
    return deviceError('unreachable', controller, what, `host unreachable (${code})`);
  if (code === 'ECONNRESET' || code === 'EPIPE' || /Port Not Open|closed/i.test(msg))
    return deviceError('closed', controller, what, 'the connection was closed by the device');
  if (code === 'ETIMEDOUT' || /Timed out|TimedOut/i.test(msg) || e?.name === 'TransactionTimedOutError')
    return deviceError('timeout', controller, what, 'no answer within the timeout');
  if (/CRC|length|Data length|unexpected/i.test(msg)) return deviceError('malformed', controller, what, `malformed reply (${msg})`);
  return deviceError('malformed', controller, what, msg);
}

/** An open Modbus connection. */
export class ModbusConnection {
  readonly controller: string;
  private readonly client: ModbusClient;
  private readonly target: ModbusTarget;
  private requests = 0;
  /** The job's cancel (Ctrl+C, the Cancel button): a request waiting for its answer stops waiting when it fires. */
  private readonly signal: AbortSignal | undefined;

  private constructor(client: ModbusClient, target: ModbusTarget, signal: AbortSignal | undefined) {
    this.client = client;
    this.target = target;
    this.controller = describeTarget(target);
    this.signal = signal;
  }

  /** `request` until the job is cancelled (`untilCancelled`): a device that does not answer is not waited out. */
  private untilCancelled<T>(request: Promise<T>, what: string, signal: AbortSignal | undefined): Promise<T> {
    return untilCancelled(request, signal, () => deviceError('cancelled', this.controller, what, 'cancelled'));
  }

  /** Number of Modbus requests sent on this connection (retries included). */
  get requestCount(): number {
    return this.requests;
  }

  /** Opens the connection, with the connect attempt bounded by the timeout. */
  static async open(target: ModbusTarget, signal?: AbortSignal): Promise<ModbusConnection> {
    const client = new ModbusRTU();
    const controller = describeTarget(target);
    const connect =
      target.transport === 'tcp'
        ? client.connectTCP(target.host, { port: target.port })
        : client.connectRTUBuffered(target.serialPath, { baudRate: target.baudRate });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(deviceError('timeout', controller, 'connecting', `no connection within ${target.timeoutMs} ms`)),
        target.timeoutMs,
      );
    });
    try {
      await untilCancelled(Promise.race([connect, timeout]), signal, () => deviceError('cancelled', controller, 'connecting', 'cancelled'));
    } catch (err) {
      try {
        client.destroy(() => undefined);
      } catch {
        /* already gone */
      }
      throw mapModbusError(err, controller, 'connecting');
    } finally {
      clearTimeout(timer);
    }
    client.setID(target.unitId);
    client.setTimeout(target.timeoutMs);
    return new ModbusConnection(client, target, signal);
  }

  private async withRetries<T>(what: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    let attempt = 0;
    for (;;) {
      if (signal?.aborted) throw deviceError('cancelled', this.controller, what, 'cancelled');
      this.requests++;
      try {
        return await this.untilCancelled(fn(), what, signal);
      } catch (err) {
        if (signal?.aborted) throw deviceError('cancelled', this.controller, what, 'cancelled');
        let mapped = mapModbusError(err, this.controller, what);
        let kind = (mapped.details?.['kind'] as string | undefined) ?? '';
        if (kind === 'timeout' && !this.client.isOpen) {
          // The library reports a peer that hung up mid-reply as a timeout; say what happened.
          mapped = deviceError('closed', this.controller, what, 'the device closed the connection before answering');
          kind = 'closed';
        }
        // An exception reply is the device's answer and retrying cannot change it, except SERVER DEVICE BUSY
        // (6), which asks the client to try again later (Modbus Application Protocol §7). Timeouts and garbage may pass.
        const retryable = kind === 'timeout' || kind === 'malformed' || mapped.details?.['exceptionCode'] === 6;
        if (!retryable || attempt >= this.target.retries || !this.client.isOpen) throw mapped;
        attempt++;
        await sleep(Math.min(1000, 50 * 2 ** attempt), signal).catch(() => {
          throw deviceError('cancelled', this.controller, what, 'cancelled');
        });
      }
    }
  }

  /**
   * Reads `count` registers (hr/ir, 16-bit words) or bits (co/di) from `start`. `signal` defaults to the job's cancel;
   * null reads even after a cancel (a restore's read-back of a value already written must still be checked).
   */
  async read(
    table: ModbusTable,
    start: number,
    count: number,
    signal: AbortSignal | null = this.signal ?? null,
  ): Promise<number[] | boolean[]> {
    const what = `reading ${table}:${start}..${start + count - 1}`;
    return this.withRetries(what, signal ?? undefined, async () => {
      switch (table) {
        case 'hr':
          return (await this.client.readHoldingRegisters(start, count)).data;
        case 'ir':
          return (await this.client.readInputRegisters(start, count)).data;
        case 'co':
          return (await this.client.readCoils(start, count)).data.slice(0, count);
        case 'di':
          return (await this.client.readDiscreteInputs(start, count)).data.slice(0, count);
      }
    });
  }

  /** Writes holding registers (FC 16) or coils (FC 15). Never retried: a write must not be repeated blindly. */
  async write(table: 'hr' | 'co', start: number, values: number[] | boolean[]): Promise<void> {
    const what = `writing ${table}:${start}..${start + values.length - 1}`;
    this.requests++;
    try {
      if (table === 'hr') await this.client.writeRegisters(start, values as number[]);
      else await this.client.writeCoils(start, values as boolean[]);
    } catch (err) {
      throw mapModbusError(err, this.controller, what);
    }
  }

  /** Reads device identification (FC 43/14, basic then regular); null when the device does not support it. */
  async identity(): Promise<ModbusIdentity | null> {
    const out: ModbusIdentity = {};
    try {
      this.requests++;
      const basic = await this.untilCancelled(this.client.readDeviceIdentification(1, 0), 'reading the device identification', this.signal);
      for (const [k, v] of Object.entries(basic.data ?? {})) {
        const name = ID_NAMES[Number(k)];
        if (name) out[name] = String(v);
      }
    } catch {
      return null;
    }
    return Object.keys(out).length ? out : null;
  }

  /** Closes the connection; never waits more than a second (a peer that already hung up never confirms). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        try {
          this.client.destroy(() => undefined);
        } catch {
          /* already gone */
        }
        resolve();
      }, 1000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      try {
        if (this.client.isOpen) this.client.close(done);
        else this.client.destroy(done);
      } catch {
        done();
      }
    });
  }
}
