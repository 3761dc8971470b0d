/**
 * Siemens S7 through `nodes7` (MIT): reads whole byte ranges (`DB1,BYTE0.200`, `MB0.16`…) that the capture
 * planner chose and hands the bytes back for local decoding, so the controller sees the fewest requests.
 *
 * nodes7 is callback-based, reconnects by itself and throws from socket handlers on malformed replies; this
 * wrapper gives it a bounded life (one capture), promise-based calls with timeouts, and counts the S7
 * read/write jobs it actually sends (function 0x04 / 0x05 in the S7 header).
 */
import NodeS7 from 'nodes7';
import { deviceError, type DeviceErrorKind } from '../device-error.ts';
import type { BaselineError } from '../../../src-shared/common/errors.ts';

/** Where and how to reach an S7 CPU. */
export interface S7Target {
  host: string;
  port: number;
  rack: number;
  slot: number;
  timeoutMs: number;
  /** PDU size asked for at connect (the CPU may grant less); nodes7 packs items into requests by it. */
  requestMaxPdu?: number;
}

/** A byte range of one memory area. */
export interface S7Range {
  area: 'DB' | 'M' | 'I' | 'Q';
  db: number | null;
  start: number;
  length: number;
}

/** nodes7's item syntax for a byte array over a range. */
export function s7RangeItem(r: S7Range): string {
  if (r.area === 'DB') return `DB${r.db ?? 0},BYTE${r.start}.${r.length}`;
  return `${r.area}B${r.start}.${r.length}`;
}

function describe(t: S7Target): string {
  return `S7 ${t.host}:${t.port} rack ${t.rack} slot ${t.slot}`;
}

function mapConnectError(err: { code?: string; message?: string }, controller: string): BaselineError {
  const code = err.code ?? '';
  if (!code && !err.message)
    return deviceError('closed', controller, 'connecting', 'the CPU closed the connection during connection setup');
  const kind: DeviceErrorKind =
    code === 'ECONNREFUSED'
      ? 'refused'
      : code === 'EUSERTIMEOUT' || code === 'ETIMEDOUT'
        ? 'timeout'
        : ['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND'].includes(code)
          ? 'unreachable'
          : code === 'ECONNRESET'
            ? 'closed'
            : 'protocol';
  const detail =
    kind === 'refused'
      ? 'connection refused'
      : kind === 'timeout'
        ? 'no answer within the timeout'
        : kind === 'protocol'
          ? `the CPU refused the connection (${err.message ?? code}); check rack and slot`
          : (err.message ?? code);
  return deviceError(kind, controller, 'connecting', detail);
}

/** An open S7 connection. */
export class S7Connection {
  readonly controller: string;
  private readonly client: NodeS7;
  private readonly timeoutMs: number;
  private jobs = 0;

  private constructor(client: NodeS7, target: S7Target) {
    this.client = client;
    this.controller = describe(target);
    this.timeoutMs = target.timeoutMs;
    this.hookSocket();
  }

  /**
   * Counts S7 jobs on the wire: TPKT(4) + COTP DT(3) + S7 job header(10), function code at offset 17. nodes7
   * opens a new socket when it reconnects, so this is called again before every exchange.
   */
  private hookSocket(): void {
    const socket = this.client.isoclient as (NodeS7['isoclient'] & { baselineCounted?: boolean }) | undefined;
    if (!socket || socket.baselineCounted) return;
    socket.baselineCounted = true;
    const write = socket.write.bind(socket);
    socket.write = (...args: unknown[]) => {
      const buf = args[0];
      if (Buffer.isBuffer(buf) && buf.length > 17 && buf[7] === 0x32 && buf[8] === 0x01 && (buf[17] === 0x04 || buf[17] === 0x05))
        this.jobs++;
      return write(...args);
    };
  }

  /** The connection was reset (nodes7 does that after a packet timeout): open a new one to go on. */
  get broken(): boolean {
    return this.client.isoConnectionState !== 4;
  }

  /** S7 read/write jobs sent so far. */
  get requestCount(): number {
    return this.jobs;
  }

  /** PDU size the CPU granted. */
  get pduSize(): number {
    return this.client.maxPDU;
  }

  /** Connects (ISO-on-TCP, COTP, PDU negotiation), bounded by the timeout. */
  static open(target: S7Target): Promise<S7Connection> {
    const controller = describe(target);
    const client = new NodeS7({ silent: true });
    if (target.requestMaxPdu !== undefined) client.requestMaxPDU = target.requestMaxPdu;
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        client.dropConnection(() => undefined);
        reject(deviceError('timeout', controller, 'connecting', `no S7 connection within ${target.timeoutMs} ms`));
      }, target.timeoutMs + 500);
      client.initiateConnection(
        { host: target.host, port: target.port, rack: target.rack, slot: target.slot, timeout: target.timeoutMs, doNotOptimize: true },
        (err) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (err) {
            client.dropConnection(() => undefined);
            reject(mapConnectError(err, controller));
            return;
          }
          client.setTranslationCB((tag) => tag);
          resolve(new S7Connection(client, target));
        },
      );
    });
  }

  /** Reads byte ranges; each result is the bytes, or the CPU's item error (e.g. "BAD 255" for a missing DB). */
  readRanges(ranges: S7Range[]): Promise<({ ok: true; bytes: Uint8Array } | { ok: false; error: string })[]> {
    const items = ranges.map(s7RangeItem);
    this.hookSocket();
    this.client.removeItems();
    this.client.addItems(items);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(deviceError('timeout', this.controller, `reading ${items.length} ranges`, 'no answer within the timeout')),
        this.timeoutMs * 2,
      );
      this.client.readAllItems((_anyBad, values) => {
        clearTimeout(timer);
        // nodes7 answers a timed-out request with bad qualities and resets the connection: that is a timeout,
        // not "the area does not exist".
        if (this.broken) {
          reject(
            deviceError(
              'timeout',
              this.controller,
              `reading ${items.length} range${items.length === 1 ? '' : 's'}`,
              `no answer within ${this.timeoutMs} ms`,
            ),
          );
          return;
        }
        resolve(
          items.map((item) => {
            const v = values[item];
            if (Array.isArray(v) && v.every((b) => typeof b === 'number'))
              return { ok: true as const, bytes: Uint8Array.from(v as number[]) };
            // nodes7 answers a one-byte array (`BYTE10.1`) with the plain number, not an array.
            if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255) return { ok: true as const, bytes: Uint8Array.of(v) };
            const quality = Array.isArray(v) ? String(v.find((q) => typeof q === 'string' && q.startsWith('BAD')) ?? v[0]) : String(v);
            return {
              ok: false as const,
              error: `${item}: no good value came back (${quality}: the area, DB or offset does not exist on the CPU, or its reply was malformed)`,
            };
          }),
        );
      });
    });
  }

  /** Writes bytes to one range (restore only), then the caller reads back to verify. */
  writeRange(range: S7Range, bytes: Uint8Array): Promise<void> {
    const item = s7RangeItem(range);
    this.hookSocket();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(deviceError('timeout', this.controller, `writing ${item}`, 'no answer within the timeout')),
        this.timeoutMs * 2,
      );
      this.client.writeItems(item, Array.from(bytes), (anyBad) => {
        clearTimeout(timer);
        if (anyBad) reject(deviceError('protocol', this.controller, `writing ${item}`, 'the CPU refused the write'));
        else resolve();
      });
    });
  }

  /** Writes one bit (restore of a BOOL): nodes7 item `DB1,X10.2` / `M0.1`, so the other bits of the byte stay. */
  writeBit(range: S7Range, bit: number, value: boolean): Promise<void> {
    const item = range.area === 'DB' ? `DB${range.db ?? 0},X${range.start}.${bit}` : `${range.area}${range.start}.${bit}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(deviceError('timeout', this.controller, `writing ${item}`, 'no answer within the timeout')),
        this.timeoutMs * 2,
      );
      this.client.writeItems(item, value, (anyBad) => {
        clearTimeout(timer);
        if (anyBad) reject(deviceError('protocol', this.controller, `writing ${item}`, 'the CPU refused the write'));
        else resolve();
      });
    });
  }

  /** Closes the connection. */
  close(): Promise<void> {
    return new Promise((resolve) => this.client.dropConnection(() => resolve()));
  }
}
