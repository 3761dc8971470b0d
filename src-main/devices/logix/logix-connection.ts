/**
 * The Logix connection through `st-ethernet-ip`, shared by capture, browse and restore: a serialised connect
 * (the library has no port option and always dials its EIP_PORT constant, so the constant is pointed at the
 * target's port for the moment of connecting), a bounded wait on every step, and the wire bytes of a value.
 */
import { createRequire } from 'node:module';
import eip from 'st-ethernet-ip';
import type { LogixType } from '../../../src-shared/common/profile/logix-address.ts';
import type { ControllerTarget } from '../../../src-shared/common/capture/controller-target.ts';
import { toHex } from '../../../src-shared/common/capture/capture-result.ts';
import { deviceError } from '../device-error.ts';
import { probeTcp } from '../tcp-probe.ts';

const { Controller } = eip;
type PlcController = InstanceType<typeof Controller>;
// Loaded on first use: the Electron main bundle (CommonJS, where import.meta is empty) reaches this module only
// for its helpers, never for a connection, which runs in the device process.
let eipConfigLoaded: { EIP_PORT: number } | null = null;
function eipConfig(): { EIP_PORT: number } {
  eipConfigLoaded ??= createRequire(import.meta.url)('st-ethernet-ip/dist/config.js') as { EIP_PORT: number };
  return eipConfigLoaded;
}

let connectLock: Promise<unknown> = Promise.resolve();

/** Races a promise against a timer; the timer's error wins when it fires first. */
export function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** "Logix host:port slot n". */
export function describeLogix(t: Extract<ControllerTarget, { protocol: 'logix' }>): string {
  return `Logix ${t.host}:${t.port} slot ${t.slot}`;
}

/** Connects (serialised: the library's port is a process-wide constant) with a bounded wait. */
export async function connectLogix(
  target: Extract<ControllerTarget, { protocol: 'logix' }>,
  timeoutMs: number,
  browse: boolean,
): Promise<PlcController> {
  const controller = describeLogix(target);
  await probeTcp(target.host, target.port, timeoutMs, controller);
  const run = connectLock.then(async () => {
    eipConfig().EIP_PORT = target.port;
    const plc = new Controller(true);
    plc.timeout_sp = timeoutMs;
    plc.on('error', () => {
      /* socket errors surface as rejected calls */
    });
    try {
      await withTimeout(plc.connect(target.host, target.slot, false), timeoutMs * 3, () =>
        deviceError('timeout', controller, 'connecting', `no EtherNet/IP session within ${timeoutMs * 3} ms`),
      );
      await withTimeout(plc.readControllerProps(), timeoutMs, () =>
        deviceError('timeout', controller, 'reading the controller identity', 'no answer within the timeout'),
      );
      // The tag-list browse (and the templates it fetches) is only needed to decode STRING and structures.
      if (browse) {
        await withTimeout(plc.getControllerTagList(plc.state.tagList), timeoutMs * 20, () =>
          deviceError('timeout', controller, 'browsing the tag list', 'no complete answer within the timeout'),
        );
      }
    } catch (err) {
      plc.destroy();
      const e = err as { code?: string; message?: string; generalStatusCode?: number };
      if (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(e.message ?? ''))
        throw deviceError('refused', controller, 'connecting', 'connection refused');
      if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH')
        throw deviceError('unreachable', controller, 'connecting', `host unreachable (${e.code})`);
      if (typeof e.generalStatusCode === 'number')
        throw deviceError(
          'protocol',
          controller,
          'connecting',
          `the controller answered CIP status 0x${e.generalStatusCode.toString(16)} (check the slot)`,
        );
      if (err instanceof Error && 'hint' in err) throw err;
      throw deviceError('protocol', controller, 'connecting', e.message ?? String(err));
    }
    return plc;
  });
  connectLock = run.catch(() => undefined);
  return run;
}

/** Little-endian wire bytes of a decoded atomic value (CIP encodes little-endian). */
export function logixRaw(type: LogixType, value: unknown): string | null {
  const b = Buffer.alloc(8);
  switch (type) {
    case 'BOOL':
      return value ? '01' : '00';
    case 'SINT':
      b.writeInt8(Number(value));
      return toHex(b.subarray(0, 1));
    case 'INT':
      b.writeInt16LE(Number(value));
      return toHex(b.subarray(0, 2));
    case 'DINT':
      b.writeInt32LE(Number(value));
      return toHex(b.subarray(0, 4));
    case 'LINT':
      b.writeBigInt64LE(BigInt(value as bigint));
      return toHex(b);
    case 'REAL':
      b.writeFloatLE(Number(value));
      return toHex(b.subarray(0, 4));
    case 'LREAL':
      b.writeDoubleLE(Number(value));
      return toHex(b);
    case 'STRING':
      return toHex(Buffer.from(String(value), 'latin1'));
  }
}
