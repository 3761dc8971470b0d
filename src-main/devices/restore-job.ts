/**
 * Restore: the only code that writes to a controller (ARCHITECTURE §5). It writes only tags the profile marks
 * writable, checks every value before writing anything, writes one tag at a time, reads each back and compares
 * the bytes, and stops at the first failure, reporting exactly what was written, what failed and what was
 * never attempted. The signed decision that allows a restore is checked by the caller in the main process.
 */
import { z } from 'zod';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { CaptureOptionsSchema, ControllerTargetSchema, profileProtocolOf } from '../../src-shared/common/capture/controller-target.ts';
import type { CaptureProfile, ProfileTag } from '../../src-shared/common/profile/capture-profile.ts';
import type { ModbusAddress } from '../../src-shared/common/profile/modbus-address.ts';
import type { S7Address } from '../../src-shared/common/profile/s7-address.ts';
import { encodeModbusRegisters } from '../../src-shared/common/capture-plan/modbus-codec.ts';
import { encodeS7Value, type S7Value } from '../../src-shared/common/capture-plan/s7-codec.ts';
import { toHex } from '../../src-shared/common/capture/capture-result.ts';
import { ModbusConnection, modbusTargetOf } from './modbus/modbus-connection.ts';
import { S7Connection } from './s7/s7-connection.ts';
import type { JobContext } from './job-context.ts';
import type { LogixAddress } from '../../src-shared/common/profile/logix-address.ts';
import eip from 'st-ethernet-ip';
import { connectLogix, describeLogix, logixRaw } from './logix/logix-connection.ts';
import { deviceError } from './device-error.ts';

const LogixTag = eip.Tag;

/** What happened to one requested write. */
export interface RestoreOutcome {
  tag: string;
  status: 'written-verified' | 'write-failed' | 'readback-mismatch' | 'not-attempted';
  /** The bytes that were to be written (hex), and what the controller held afterwards. */
  expectedRaw: string;
  readBackRaw: string | null;
  error?: string;
}

/** The result of a restore job. */
export interface RestoreResult {
  outcomes: RestoreOutcome[];
  /** Every requested value was written and read back equal. */
  complete: boolean;
}

export const RestoreJobSchema = z.object({
  target: ControllerTargetSchema,
  profile: z.object({ protocol: z.enum(['modbus', 's7', 'logix']), tags: z.array(z.object({ tag: z.string() }).passthrough()) }).passthrough(),
  writes: z.array(z.object({ tag: z.string().min(1), value: z.union([z.number(), z.boolean(), z.string()]) }).strict()).min(1).max(10_000),
  options: CaptureOptionsSchema.default({ timeoutMs: 2000, retries: 2 }),
});

interface PreparedWrite {
  tag: ProfileTag;
  value: number | boolean | string;
  bytes: Uint8Array;
}

function wordsToBytes(words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 2);
  words.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff; });
  return out;
}

function refuse(message: string, hint: string): never {
  throw new BaselineError('restore-refused', message, `${hint} Nothing was written.`);
}

/** Checks and encodes every write before any is sent; throws (nothing written) on the first problem. */
function prepare(profile: CaptureProfile, writes: { tag: string; value: number | boolean | string }[]): PreparedWrite[] {
  const byTag = new Map(profile.tags.map((t) => [t.tag, t as ProfileTag]));
  const seen = new Set<string>();
  return writes.map((w) => {
    const tag = byTag.get(w.tag);
    if (!tag) refuse(`Tag ${w.tag} is not in the controller's profile.`, 'Restore only tags the profile lists.');
    if (!tag.writable) refuse(`Tag ${w.tag} is not marked writable in the profile.`, 'Only tags marked writable can be restored; change the profile through its own review if this tag must be restorable.');
    if (seen.has(w.tag)) refuse(`Tag ${w.tag} appears twice in the restore.`, 'Give each tag one value.');
    seen.add(w.tag);
    try {
      if (profile.protocol === 'modbus') {
        const a = tag.location as ModbusAddress;
        if (a.table === 'ir' || a.table === 'di') refuse(`Tag ${w.tag} is an ${a.table === 'ir' ? 'input register' : 'discrete input'}, which Modbus cannot write.`, 'Remove it from the restore.');
        if (a.type === 'BOOL' && a.bit !== null) refuse(`Tag ${w.tag} is one bit of a register; writing it would rewrite the other 15 bits the controller may be changing.`, 'Restore the whole register as a UINT16 tag instead.');
        if (a.type === 'BOOL') {
          if (typeof w.value !== 'boolean') refuse(`Tag ${w.tag} is BOOL but the value is ${JSON.stringify(w.value)}.`, 'Give true or false.');
          return { tag, value: w.value, bytes: Uint8Array.of(w.value ? 1 : 0) };
        }
        if (typeof w.value !== 'number') refuse(`Tag ${w.tag} is ${a.type} but the value is ${JSON.stringify(w.value)}.`, 'Give a number.');
        return { tag, value: w.value, bytes: wordsToBytes(encodeModbusRegisters(a.type, w.value)) };
      }
      if (profile.protocol === 's7') {
        const a = tag.location as S7Address;
        const v = a.type === 'LINT' && typeof w.value === 'string' ? BigInt(w.value) : w.value;
        return { tag, value: w.value, bytes: encodeS7Value(a, v as S7Value) };
      }
    } catch (err) {
      if (err instanceof BaselineError) throw new BaselineError('restore-refused', err.message, `${err.hint} Nothing was written.`);
      throw err;
    }
    const a = tag.location as LogixAddress;
    const v = w.value;
    const int = (min: number, max: number) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) refuse(`Tag ${w.tag} is ${a.type} but the value is ${JSON.stringify(v)}.`, `Give a whole number from ${min} to ${max}.`);
    };
    switch (a.type) {
      case 'BOOL': if (typeof v !== 'boolean') refuse(`Tag ${w.tag} is BOOL but the value is ${JSON.stringify(v)}.`, 'Give true or false.'); break;
      case 'SINT': int(-128, 127); break;
      case 'INT': int(-32768, 32767); break;
      case 'DINT': int(-2147483648, 2147483647); break;
      case 'LINT':
        if (!(typeof v === 'string' && /^-?\d+$/.test(v)) && !(typeof v === 'number' && Number.isSafeInteger(v))) refuse(`Tag ${w.tag} is LINT but the value is ${JSON.stringify(v)}.`, 'Give a whole number (as a string beyond 2^53).');
        break;
      case 'REAL': if (typeof v !== 'number') refuse(`Tag ${w.tag} is REAL but the value is ${JSON.stringify(v)}.`, 'Give a number.'); break;
      case 'STRING': if (typeof v !== 'string' || v.length > 82) refuse(`Tag ${w.tag} is a STRING of at most 82 characters; the value is ${JSON.stringify(v)}.`, 'Give a shorter text.'); break;
      case 'LREAL': refuse(`Tag ${w.tag} is LREAL, which the EtherNet/IP library cannot write.`, 'Restore it with Studio 5000 as part of the guided procedure.');
    }
    const value = a.type === 'LINT' ? BigInt(v as string | number) : v;
    return { tag, value: v, bytes: Buffer.from(logixRaw(a.type, value)!, 'hex') };
  });
}

/** Runs a restore job in the device process. */
export async function restore(payload: unknown, ctx: JobContext): Promise<RestoreResult> {
  const job = RestoreJobSchema.parse(payload);
  const profile = job.profile as unknown as CaptureProfile;
  if (profile.protocol !== profileProtocolOf(job.target)) refuse(`The profile is for ${profile.protocol} but the controller speaks ${job.target.protocol}.`, 'Use the controller\'s own profile.');
  const prepared = prepare(profile, job.writes);
  const outcomes: RestoreOutcome[] = prepared.map((p) => ({ tag: p.tag.tag, status: 'not-attempted', expectedRaw: toHex(p.bytes), readBackRaw: null }));
  let stopped = false;
  const step = async (i: number, write: () => Promise<void>, readBack: () => Promise<Uint8Array>) => {
    const o = outcomes[i]!;
    try {
      await write();
    } catch (err) {
      o.status = 'write-failed';
      o.error = err instanceof Error ? err.message : String(err);
      stopped = true;
      return;
    }
    try {
      const back = toHex(await readBack());
      o.readBackRaw = back;
      o.status = back === o.expectedRaw ? 'written-verified' : 'readback-mismatch';
      if (o.status === 'readback-mismatch') {
        o.error = `wrote ${o.expectedRaw} but read back ${back}`;
        stopped = true;
      }
    } catch (err) {
      o.status = 'readback-mismatch';
      o.error = `written, but reading it back failed: ${err instanceof Error ? err.message : String(err)}`;
      stopped = true;
    }
  };
  // Each step's outcome goes to the main process as it ends, which journals it (restore.written): a restore cut short
  // by the app being killed still shows which values reached the controller and were read back.
  const report = (i: number) => {
    const o = outcomes[i]!;
    const status = o.status === 'not-attempted' ? null : o.status;
    ctx.progress({ done: i + 1, total: prepared.length, detail: o.tag, ...(status ? { written: { tag: o.tag, status, expectedRaw: o.expectedRaw, readBackRaw: o.readBackRaw } } : {}) });
  };
  const target = job.target;
  if (target.protocol === 'modbus-tcp' || target.protocol === 'modbus-rtu') {
    const conn = await ModbusConnection.open(modbusTargetOf(target, job.options), ctx.signal);
    try {
      for (const [i, p] of prepared.entries()) {
        if (stopped || ctx.signal.aborted) break;
        const a = p.tag.location as ModbusAddress;
        if (a.table === 'co') {
          await step(i, () => conn.write('co', a.offset, [p.value as boolean]), async () => Uint8Array.of((await conn.read('co', a.offset, 1))[0] ? 1 : 0));
        } else {
          const words: number[] = [];
          for (let k = 0; k < p.bytes.length; k += 2) words.push((p.bytes[k]! << 8) | p.bytes[k + 1]!);
          await step(i, () => conn.write('hr', a.offset, words), async () => wordsToBytes((await conn.read('hr', a.offset, a.count)) as number[]));
        }
        report(i);
      }
    } finally {
      await conn.close();
    }
  } else if (target.protocol === 'logix') {
    const plc = await connectLogix(target, job.options.timeoutMs, prepared.some((p) => p.tag.type === 'STRING'));
    try {
      for (const [i, p] of prepared.entries()) {
        if (stopped || ctx.signal.aborted) break;
        const a = p.tag.location as LogixAddress;
        const make = () => (a.type === 'STRING' ? plc.newTag(p.tag.address, undefined, false) : new LogixTag(p.tag.address));
        const value = a.type === 'LINT' ? BigInt(p.value as string | number) : p.value;
        await step(i, async () => {
          const tag = make();
          try {
            await plc.readTag(tag); // learns the tag's type, which the write needs
            // Structures (STRING) ignore writeTag's value argument; setting the tag's value works for every type.
            (tag as { value: unknown }).value = value;
            await plc.writeTag(tag);
          } catch (err) {
            const e = err as { generalStatusCode?: number; message?: string };
            throw deviceError('protocol', describeLogix(target), `writing ${p.tag.address}`,
              typeof e.generalStatusCode === 'number' ? `the controller answered CIP status 0x${e.generalStatusCode.toString(16).padStart(2, '0')}` : (e.message ?? String(err)));
          }
        }, async () => {
          const tag = make();
          await plc.readTag(tag);
          return Buffer.from(logixRaw(a.type, tag.value) ?? '', 'hex');
        });
        report(i);
      }
    } finally {
      await plc.disconnect().catch(() => plc.destroy());
    }
  } else if (target.protocol === 's7') {
    const conn = await S7Connection.open({ host: target.host, port: target.port, rack: target.rack, slot: target.slot, timeoutMs: job.options.timeoutMs });
    try {
      for (const [i, p] of prepared.entries()) {
        if (stopped || ctx.signal.aborted) break;
        const a = p.tag.location as S7Address;
        const range = { area: a.area, db: a.area === 'DB' ? a.db : null, start: a.start, length: a.length };
        const readBack = async () => {
          const [r] = await conn.readRanges([range]);
          if (!r?.ok) throw new Error(r ? r.error : 'no reply');
          return a.type === 'BOOL' ? Uint8Array.of((r.bytes[0]! >> (a.bit ?? 0)) & 1) : r.bytes;
        };
        await step(i, () => (a.type === 'BOOL' ? conn.writeBit(range, a.bit ?? 0, p.value as boolean) : conn.writeRange(range, p.bytes)), readBack);
        report(i);
      }
    } finally {
      await conn.close();
    }
  }
  return { outcomes, complete: outcomes.every((o) => o.status === 'written-verified') };
}
