/**
 * The Modbus driver (TCP and RTU through modbus-serial, modbus-connection.ts): identity by FC 43/14 on the
 * session's own connection, reads by the Modbus plan (modbus-plan.ts: blocks of up to 125 registers / 2,000
 * bits, small gaps bridged), decoded locally (modbus-codec.ts); writes of holding registers (FC 16) and coils
 * (FC 15), read back. A read the device refuses (exception) marks only its tags bad; a lost connection stops the
 * read and marks the rest bad.
 */
import { planModbus, type ModbusRead, type ModbusTagSlot } from './modbus-plan.ts';
import { decodeModbusRead, encodeModbusRegisters } from './modbus-codec.ts';
import type { ModbusProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import type { ModbusAddress } from '../../../src-shared/common/profile/modbus-address.ts';
import { toJsonValue, type CapturedValue } from '../../../src-shared/common/capture/capture-result.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import type { JobContext } from '../process/device-messages.ts';
import type { ConnectRequest, Driver, DriverSession, PlanReadResult, PreparedWrite } from '../driver.ts';
import { ModbusConnection, modbusTargetOf, type ModbusControllerTarget } from './modbus-connection.ts';

const CONNECTION_LOST = new Set(['device-timeout', 'device-closed', 'device-cancelled', 'device-refused', 'device-unreachable']);

/** Splits a read into runs of tags with no unread gap between them (for devices that refuse gaps). */
export function gapFreeRuns(read: ModbusRead): ModbusRead[] {
  const slots = [...read.tags].sort((a, b) => a.offset - b.offset);
  const runs: ModbusRead[] = [];
  let current: ModbusTagSlot[] = [];
  let end = -1;
  const flush = () => {
    if (current.length === 0) return;
    const first = current[0]!.offset;
    runs.push({ ...read, start: read.start + first, count: end - first, tags: current.map((t) => ({ ...t, offset: t.offset - first })) });
    current = [];
    end = -1;
  };
  for (const slot of slots) {
    if (current.length > 0 && slot.offset > end) flush();
    current.push(slot);
    end = Math.max(end, slot.offset + slot.count);
  }
  flush();
  return runs;
}

function wordsHex(words: readonly number[]): string {
  return words.map((w) => w.toString(16).padStart(4, '0')).join('');
}

/** Big-endian bytes of 16-bit registers (as a capture's `raw` shows them). */
function wordsToBytes(words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 2);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

function refuse(message: string, hint: string): never {
  throw new BaselineError('restore-refused', message, `${hint} Nothing was written.`);
}

class ModbusSession implements DriverSession<ModbusProfile> {
  private readonly conn: ModbusConnection;
  private readonly target: ModbusControllerTarget;
  private identityRequests = 0;

  constructor(conn: ModbusConnection, target: ModbusControllerTarget) {
    this.conn = conn;
    this.target = target;
  }

  get controller(): string {
    return this.conn.controller;
  }

  async identity() {
    // identity() answers null instead of throwing, so a device without FC 43 is still captured.
    const id = await this.conn.identity();
    this.identityRequests = this.conn.requestCount;
    return { identity: id ? ({ ...id } as Record<string, string>) : null, requests: this.identityRequests };
  }

  async readPlan(profile: ModbusProfile, ctx: JobContext): Promise<PlanReadResult> {
    const { conn, target } = this;
    const plan = planModbus(profile.tags);
    const values = new Map<string, CapturedValue>();
    const total = profile.tags.length;
    let failure: BaselineError | null = null;
    let gapsRefused = false;
    const readOne = async (read: ModbusRead): Promise<void> => {
      const data = await conn.read(read.table, read.start, read.count, ctx.signal);
      const decoded = decodeModbusRead(read, data, { wordOrder: target.wordOrder });
      for (const slot of read.tags) {
        const raw =
          read.functionCode <= 2
            ? (data as boolean[])[slot.offset]
              ? '1'
              : '0'
            : wordsHex((data as number[]).slice(slot.offset, slot.offset + slot.count));
        const v = decoded.get(slot.tag);
        values.set(
          slot.tag,
          v === undefined
            ? { tag: slot.tag, value: null, raw, quality: 'bad', error: 'not decoded' }
            : { tag: slot.tag, value: toJsonValue(v), raw, quality: 'good' },
        );
      }
    };
    const markBad = (read: ModbusRead, e: BaselineError) => {
      for (const slot of read.tags) values.set(slot.tag, { tag: slot.tag, value: null, raw: null, quality: 'bad', error: e.message });
    };
    const readRuns = async (read: ModbusRead): Promise<void> => {
      for (const run of gapFreeRuns(read)) {
        if (failure) break;
        try {
          await readOne(run);
        } catch (inner) {
          const ie = inner instanceof BaselineError ? inner : new BaselineError('capture-failed', String(inner), 'Retry the capture.');
          if (CONNECTION_LOST.has(ie.code)) failure = ie;
          markBad(run, ie);
        }
      }
    };
    for (const read of plan.reads) {
      if (failure) break;
      if (gapsRefused) {
        await readRuns(read);
        ctx.progress({ done: values.size, total, detail: `${read.table}:${read.start}+${read.count}` });
        continue;
      }
      try {
        await readOne(read);
      } catch (err) {
        const e = err instanceof BaselineError ? err : new BaselineError('capture-failed', String(err), 'Retry the capture.');
        if (CONNECTION_LOST.has(e.code)) {
          failure = e;
          markBad(read, e);
        } else if (e.details?.['exceptionCode'] === 2 && gapFreeRuns(read).length > 1) {
          // The planner bridged small gaps; this device refuses to read unmapped registers inside them
          // (ILLEGAL DATA ADDRESS). From here on read gap-free runs only: more requests, all counted.
          gapsRefused = true;
          await readRuns(read);
        } else {
          markBad(read, e);
        }
      }
      ctx.progress({ done: values.size, total, detail: `${read.table}:${read.start}+${read.count}` });
    }
    const out = profile.tags.map(
      (t) =>
        values.get(t.tag) ?? {
          tag: t.tag,
          value: null,
          raw: null,
          quality: 'bad' as const,
          error: failure ? `not read: ${failure.message}` : 'not read',
        },
    );
    return {
      values: out,
      requests: conn.requestCount - this.identityRequests,
      plannedRequests: plan.requests,
      minimumRequests: plan.minimumRequests,
      negotiated: { maxRegisters: plan.limits.maxRegisters, maxBits: plan.limits.maxBits, gapReadsRefused: gapsRefused ? 1 : 0 },
      failure,
    };
  }

  async write(w: PreparedWrite): Promise<void> {
    const a = w.tag.location as ModbusAddress;
    if (a.table === 'co') {
      await this.conn.write('co', a.offset, [w.value as boolean]);
      return;
    }
    const words: number[] = [];
    for (let k = 0; k < w.bytes.length; k += 2) words.push((w.bytes[k]! << 8) | w.bytes[k + 1]!);
    await this.conn.write('hr', a.offset, words);
  }

  async readBack(w: PreparedWrite): Promise<Uint8Array> {
    // Not cancelled with the job: a value already written is read back and checked, whatever came after.
    const a = w.tag.location as ModbusAddress;
    if (a.table === 'co') return Uint8Array.of((await this.conn.read('co', a.offset, 1, null))[0] ? 1 : 0);
    return wordsToBytes((await this.conn.read('hr', a.offset, a.count, null)) as number[]);
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

/** Modbus TCP and RTU. */
export const modbusDriver: Driver<ModbusControllerTarget, ModbusProfile> = {
  protocol: 'modbus',
  browses: false,
  encodeWrite(tag, value) {
    const a = tag.location;
    if (a.table === 'ir' || a.table === 'di')
      refuse(
        `Tag ${tag.tag} is an ${a.table === 'ir' ? 'input register' : 'discrete input'}, which Modbus cannot write.`,
        'Remove it from the restore.',
      );
    if (a.type === 'BOOL' && a.bit !== null)
      refuse(
        `Tag ${tag.tag} is one bit of a register; writing it would rewrite the other 15 bits the controller may be changing.`,
        'Restore the whole register as a UINT16 tag instead.',
      );
    if (a.type === 'BOOL') {
      if (typeof value !== 'boolean') refuse(`Tag ${tag.tag} is BOOL but the value is ${JSON.stringify(value)}.`, 'Give true or false.');
      return Uint8Array.of(value ? 1 : 0);
    }
    if (typeof value !== 'number') refuse(`Tag ${tag.tag} is ${a.type} but the value is ${JSON.stringify(value)}.`, 'Give a number.');
    return wordsToBytes(encodeModbusRegisters(a.type, value));
  },
  async connect(req: ConnectRequest<ModbusControllerTarget>) {
    return new ModbusSession(await ModbusConnection.open(modbusTargetOf(req.target, req.options), req.signal), req.target);
  },
};
