/**
 * The S7 driver: identity by SZL 0x0011 / 0x001C on a short connection of our own (s7comm/s7-identity.ts; nodes7
 * has none), then the session's nodes7 connection (s7-connection.ts: the CPU grants a PDU size), reads by the S7
 * plan for that PDU (s7-plan.ts: byte ranges packed into requests), each planned request sent as one nodes7 read
 * of its items and every tag decoded locally (s7-codec.ts); writes of byte ranges and single bits, read back. An
 * item the CPU refuses marks only its tags bad; a lost connection is reopened for the retry, and the read stops
 * when that fails too.
 */
import { planS7 } from './s7-plan.ts';
import { decodeS7Plan, encodeS7Value, type S7Value } from './s7-codec.ts';
import type { S7Profile } from '../../../src-shared/common/profile/capture-profile.ts';
import type { S7Address } from '../../../src-shared/common/profile/s7-address.ts';
import type { ControllerTarget } from '../../../src-shared/common/capture/controller-target.ts';
import { toHex, toJsonValue, type CapturedValue } from '../../../src-shared/common/capture/capture-result.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import type { JobContext } from '../process/device-messages.ts';
import type { ConnectRequest, Driver, DriverIdentity, DriverSession, PlanReadResult, PreparedWrite } from '../driver.ts';
import { deviceError, withRetries } from '../device-error.ts';
import { S7Connection, type S7Range, type S7Target } from './s7-connection.ts';
import { readS7Identity } from './s7comm/s7-identity.ts';

/** S7 requests carry at most this many items (a CPU limit; nodes7 does not enforce it). */
export const S7_MAX_ITEMS = 20;

type S7ControllerTarget = Extract<ControllerTarget, { protocol: 's7' }>;

function rangeOf(a: S7Address): S7Range {
  return { area: a.area, db: a.area === 'DB' ? a.db : null, start: a.start, length: a.length };
}

class S7Session implements DriverSession<S7Profile> {
  /** S7 jobs sent on connections this session already replaced. */
  private requestsOnEarlierConnections = 0;
  private conn: S7Connection;
  private readonly s7target: S7Target;
  private readonly retries: number;
  private readonly identityRead: { identity: Record<string, string> | null; note: string | null };

  constructor(
    conn: S7Connection,
    s7target: S7Target,
    retries: number,
    identityRead: { identity: Record<string, string> | null; note: string | null },
  ) {
    this.conn = conn;
    this.s7target = s7target;
    this.retries = retries;
    this.identityRead = identityRead;
  }

  get controller(): string {
    return this.conn.controller;
  }

  identity(): Promise<DriverIdentity> {
    let { identity } = this.identityRead;
    if (identity === null && this.identityRead.note) identity = { identityUnavailable: this.identityRead.note };
    return Promise.resolve({ identity, requests: identity && !identity['identityUnavailable'] ? 2 : 0 });
  }

  async readPlan(profile: S7Profile, ctx: JobContext): Promise<PlanReadResult> {
    let failure: BaselineError | null = null;
    const itemData: (Uint8Array | undefined)[][] = [];
    const itemErrors = new Map<string, string>();
    // nodes7 caps one item at 4 * floor((PDU - 18) / 4) bytes (it keeps 4-byte values whole) and splits larger
    // items into two requests; plan for that item size so each planned request goes out as exactly one.
    const plannedPdu = 18 + 4 * Math.floor((this.conn.pduSize - 18) / 4);
    const plan = planS7(profile.tags, { pduSize: plannedPdu, maxItems: S7_MAX_ITEMS });
    let done = 0;
    for (const [r, read] of plan.reads.entries()) {
      if (ctx.signal.aborted) {
        failure = deviceError('cancelled', this.conn.controller, 'capturing', 'cancelled');
        break;
      }
      try {
        const results = await withRetries(this.retries, ctx.signal, async () => {
          if (this.conn.broken) {
            // nodes7 reset the connection after a timeout: retry on a fresh one (jobs on the old one still count).
            this.requestsOnEarlierConnections += this.conn.requestCount;
            await this.conn.close();
            this.conn = await S7Connection.open(this.s7target);
          }
          return this.conn.readRanges(
            read.items.map((i) => ({ area: i.area, db: i.area === 'DB' ? i.db : null, start: i.start, length: i.length })),
          );
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
      ctx.progress({
        done: Math.min(done, profile.tags.length),
        total: profile.tags.length,
        detail: `request ${r + 1} of ${plan.reads.length}`,
      });
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
      const error = itemErrors.get(t.tag) ?? (failure ? `not read: ${failure.message}` : (decoded.bad.get(t.tag) ?? 'not read'));
      return { tag: t.tag, value: null, raw: null, quality: 'bad', error };
    });
    return {
      values,
      requests: this.requestsOnEarlierConnections + this.conn.requestCount,
      plannedRequests: plan.requests,
      minimumRequests: plan.minimumRequests,
      negotiated: { pduSize: this.conn.pduSize, maxItems: S7_MAX_ITEMS },
      failure,
    };
  }

  write(w: PreparedWrite): Promise<void> {
    const a = w.tag.location as S7Address;
    return a.type === 'BOOL' ? this.conn.writeBit(rangeOf(a), a.bit ?? 0, w.value as boolean) : this.conn.writeRange(rangeOf(a), w.bytes);
  }

  async readBack(w: PreparedWrite): Promise<Uint8Array> {
    const a = w.tag.location as S7Address;
    const [r] = await this.conn.readRanges([rangeOf(a)]);
    if (!r?.ok) throw new Error(r ? r.error : 'no reply');
    return a.type === 'BOOL' ? Uint8Array.of((r.bytes[0]! >> (a.bit ?? 0)) & 1) : r.bytes;
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

/** Siemens S7 (S7-300/400/1200/1500 with PUT/GET) through nodes7. */
export const s7Driver: Driver<S7ControllerTarget, S7Profile> = {
  protocol: 's7',
  browses: false,
  encodeWrite(tag, value) {
    const a = tag.location;
    const v = a.type === 'LINT' && typeof value === 'string' ? BigInt(value) : value;
    return encodeS7Value(a, v as S7Value);
  },
  async connect(req: ConnectRequest<S7ControllerTarget>) {
    const { target, options } = req;
    const s7target: S7Target = { host: target.host, port: target.port, rack: target.rack, slot: target.slot, timeoutMs: options.timeoutMs };
    // nodes7 has no identity read: SZL 0x0011 / 0x001C on a short connection of our own (s7comm/s7-identity.ts).
    // A CPU that refuses them still gets captured; the document then has no identity.
    const identityRead: { identity: Record<string, string> | null; note: string | null } = { identity: null, note: null };
    if (req.identity) {
      try {
        const id = await readS7Identity(s7target);
        identityRead.identity = Object.fromEntries(Object.entries(id).filter(([, v]) => typeof v === 'string' && v !== '')) as Record<
          string,
          string
        >;
      } catch (err) {
        identityRead.note = err instanceof Error ? err.message : String(err);
        if (err instanceof BaselineError && ['device-refused', 'device-unreachable'].includes(err.code)) throw err;
      }
    }
    return new S7Session(await S7Connection.open(s7target), s7target, options.retries, identityRead);
  },
};
