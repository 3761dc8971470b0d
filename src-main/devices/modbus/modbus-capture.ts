/**
 * A Modbus capture: plan the profile's reads (capture planner), execute them on one connection, decode
 * every tag. A read the device refuses (exception) marks only its tags bad; a lost connection stops the
 * capture and marks the rest bad. Nothing is ever written here.
 */
import { planModbus, type ModbusRead, type ModbusTagSlot } from '../../../src-shared/common/capture-plan/modbus-plan.ts';
import { decodeModbusRead } from '../../../src-shared/common/capture-plan/modbus-codec.ts';
import type { ModbusProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import type { CaptureOptions } from '../../../src-shared/common/capture/controller-target.ts';
import { toJsonValue, type CaptureJobResult, type CapturedValue } from '../../../src-shared/common/capture/capture-result.ts';
import { BaselineError, toErrorData } from '../../../src-shared/common/errors.ts';
import type { JobContext } from '../process/device-messages.ts';
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

/** Runs a Modbus capture. */
export async function captureModbus(target: ModbusControllerTarget, profile: ModbusProfile, options: CaptureOptions, ctx: JobContext): Promise<CaptureJobResult> {
  const started = performance.now();
  const plan = planModbus(profile.tags);
  const values = new Map<string, CapturedValue>();
  const total = profile.tags.length;
  const conn = await ModbusConnection.open(modbusTargetOf(target, options), ctx.signal);
  let failure: BaselineError | null = null;
  let gapsRefused = false;
  // identity() answers null instead of throwing, so the connection is always closed below.
  const id = await conn.identity();
  const identity = id ? { ...id } as Record<string, string> : null;
  const identityRequests = conn.requestCount;
  try {
    const readOne = async (read: ModbusRead): Promise<void> => {
      const data = await conn.read(read.table, read.start, read.count, ctx.signal);
      const decoded = decodeModbusRead(read, data, { wordOrder: target.wordOrder });
      for (const slot of read.tags) {
        const raw = read.functionCode <= 2
          ? ((data as boolean[])[slot.offset] ? '1' : '0')
          : wordsHex((data as number[]).slice(slot.offset, slot.offset + slot.count));
        const v = decoded.get(slot.tag);
        values.set(slot.tag, v === undefined
          ? { tag: slot.tag, value: null, raw, quality: 'bad', error: 'not decoded' }
          : { tag: slot.tag, value: toJsonValue(v), raw, quality: 'good' });
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
  } finally {
    await conn.close();
  }
  const out = profile.tags.map((t) => values.get(t.tag)
    ?? { tag: t.tag, value: null, raw: null, quality: 'bad' as const, error: failure ? `not read: ${failure.message}` : 'not read' });
  return {
    identity,
    values: out,
    requests: conn.requestCount - identityRequests,
    identityRequests,
    plannedRequests: plan.requests,
    minimumRequests: plan.minimumRequests,
    negotiated: { maxRegisters: plan.limits.maxRegisters, maxBits: plan.limits.maxBits, gapReadsRefused: gapsRefused ? 1 : 0 },
    durationMs: Math.round(performance.now() - started),
    complete: out.every((v) => v.quality === 'good'),
    failure: failure ? toErrorData(failure) : null,
  };
}
