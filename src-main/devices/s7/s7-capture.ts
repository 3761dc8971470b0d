/**
 * An S7 capture: connect (the CPU grants a PDU size), plan byte-range reads for that PDU (capture planner),
 * send each planned request as one nodes7 read of its items, decode every tag locally. An item the CPU
 * refuses marks only its tags bad; a lost connection stops the capture. Nothing is written here.
 */
import { planS7 } from '../../../src-shared/common/capture-plan/s7-plan.ts';
import { decodeS7Plan } from '../../../src-shared/common/capture-plan/s7-codec.ts';
import type { S7Profile } from '../../../src-shared/common/profile/capture-profile.ts';
import type { CaptureOptions, ControllerTarget } from '../../../src-shared/common/capture/controller-target.ts';
import { toHex, toJsonValue, type CaptureJobResult, type CapturedValue } from '../../../src-shared/common/capture/capture-result.ts';
import { BaselineError, toErrorData } from '../../../src-shared/common/errors.ts';
import type { JobContext } from '../process/device-messages.ts';
import { deviceError, withRetries } from '../device-error.ts';
import { S7Connection } from './s7-connection.ts';
import { readS7Identity } from './szl/s7-identity.ts';

/** S7 requests carry at most this many items (a CPU limit; nodes7 does not enforce it). */
export const S7_MAX_ITEMS = 20;

/** Runs an S7 capture. */
export async function captureS7(target: Extract<ControllerTarget, { protocol: 's7' }>, profile: S7Profile, options: CaptureOptions, ctx: JobContext): Promise<CaptureJobResult> {
  const started = performance.now();
  // nodes7 has no identity read: SZL 0x0011 / 0x001C on a short connection of our own (szl/s7-identity.ts).
  // A CPU that refuses them still gets captured; the document then has no identity.
  let identity: Record<string, string> | null = null;
  let identityNote: string | null = null;
  try {
    const id = await readS7Identity({ host: target.host, port: target.port, rack: target.rack, slot: target.slot, timeoutMs: options.timeoutMs });
    identity = Object.fromEntries(Object.entries(id).filter(([, v]) => typeof v === 'string' && v !== '')) as Record<string, string>;
  } catch (err) {
    identityNote = err instanceof Error ? err.message : String(err);
    if (err instanceof BaselineError && ['device-refused', 'device-unreachable'].includes(err.code)) throw err;
  }
  const s7target = { host: target.host, port: target.port, rack: target.rack, slot: target.slot, timeoutMs: options.timeoutMs };
  let conn = await S7Connection.open(s7target);
  let requestsOnEarlierConnections = 0;
  let failure: BaselineError | null = null;
  const itemData: (Uint8Array | undefined)[][] = [];
  const itemErrors = new Map<string, string>();
  // nodes7 caps one item at 4 * floor((PDU - 18) / 4) bytes (it keeps 4-byte values whole) and splits larger
  // items into two requests; plan for that item size so each planned request goes out as exactly one.
  const plannedPdu = 18 + 4 * Math.floor((conn.pduSize - 18) / 4);
  const plan = planS7(profile.tags, { pduSize: plannedPdu, maxItems: S7_MAX_ITEMS });
  try {
    let done = 0;
    for (const [r, read] of plan.reads.entries()) {
      if (ctx.signal.aborted) {
        failure = deviceError('cancelled', conn.controller, 'capturing', 'cancelled');
        break;
      }
      try {
        const results = await withRetries(options.retries, ctx.signal, async () => {
          if (conn.broken) {
            // nodes7 reset the connection after a timeout: retry on a fresh one (jobs on the old one still count).
            requestsOnEarlierConnections += conn.requestCount;
            await conn.close();
            conn = await S7Connection.open(s7target);
          }
          return conn.readRanges(read.items.map((i) => ({ area: i.area, db: i.area === 'DB' ? i.db : null, start: i.start, length: i.length })));
        });
        itemData[r] = results.map((res, i) => {
          if (res.ok) return res.bytes;
          for (const t of read.items[i]?.tags ?? []) itemErrors.set(t.tag, res.error);
          return undefined;
        });
      } catch (err) {
        failure = err instanceof BaselineError ? err : new BaselineError('capture-failed', String(err), 'Retry the capture.');
        break;
      }
      done += read.items.reduce((n, i) => n + i.tags.length, 0);
      ctx.progress({ done: Math.min(done, profile.tags.length), total: profile.tags.length, detail: `request ${r + 1} of ${plan.reads.length}` });
    }
  } finally {
    await conn.close();
  }
  const decoded = decodeS7Plan(plan, itemData);
  const rawOf = (tag: string): string | null => {
    const t = plan.tags.find((x) => x.tag === tag);
    if (!t) return null;
    const bytes = new Uint8Array(t.location.length);
    for (const p of t.pieces) {
      const data = itemData[p.read]?.[p.item];
      if (!data) return null;
      bytes.set(data.subarray(p.itemOffset, p.itemOffset + p.length), p.tagOffset);
    }
    return toHex(bytes);
  };
  const values: CapturedValue[] = profile.tags.map((t) => {
    const v = decoded.values.get(t.tag);
    if (v !== undefined) return { tag: t.tag, value: toJsonValue(v), raw: rawOf(t.tag), quality: 'good' };
    const error = itemErrors.get(t.tag) ?? (failure ? `not read: ${failure.message}` : decoded.bad.get(t.tag) ?? 'not read');
    return { tag: t.tag, value: null, raw: null, quality: 'bad', error };
  });
  if (identity === null && identityNote) identity = { identityUnavailable: identityNote };
  return {
    identity,
    values,
    requests: requestsOnEarlierConnections + conn.requestCount,
    identityRequests: identity && !identity['identityUnavailable'] ? 2 : 0,
    plannedRequests: plan.requests,
    minimumRequests: plan.minimumRequests,
    negotiated: { pduSize: conn.pduSize, maxItems: S7_MAX_ITEMS },
    durationMs: Math.round(performance.now() - started),
    complete: values.every((v) => v.quality === 'good'),
    failure: failure ? toErrorData(failure) : null,
  };
}
