/**
 * The Logix (CIP) capture planner: one Read Tag service (0x4C) per tag, packed into Multiple Service Packet
 * requests (service 0x0A to the Message Router, class 0x02 instance 1) that fit the connection's packet size both
 * ways: the request, and the reply the controller will send.
 *
 * Sizes (CIP Vol 1 §2-4 Message Router request/response format, Appendix Multiple Service Packet; Logix 5000
 * Controllers Data Access, 1756-PM020, Read Tag Service):
 * - Read Tag request: service (1) + request path size in words (1) + request path (EPATH, see logix-address.ts)
 *   + element count (2).
 * - Read Tag reply: reply service (1) + reserved (1) + general status (1) + additional status size (1) + type
 *   (2 for atomic types; 4 for structures: 0x02A0 and the structure handle) + data. BOOL 1, SINT 1, INT 2, DINT 4,
 *   LINT 8, REAL 4, LREAL 8 data bytes; the predefined STRING is a structure of 88 bytes (LEN DINT + DATA SINT[82],
 *   padded to 4-byte alignment). An element of a BOOL array answers with its 32-bit word (type 0xD3, 4 bytes).
 * - Multiple Service Packet request: service (1) + path size (1) + path 20 02 24 01 (4) + service count (2) +
 *   2-byte offset per service; reply: the 4-byte reply header + count (2) + 2-byte offset per service.
 * - `packetSize` is the connection size of the Forward Open (500 is the usual small one, 4002 the Large Forward
 *   Open maximum); `transportOverhead` (default 2) is the sequence count a connected (class 3) message carries inside
 *   that size. Multiple Service Packet replies can only be sent whole, so a reply that would not fit is a failed read.
 *
 * Packing is two-dimensional bin packing (each service has a request and a reply size), NP-hard in general. The
 * planner runs two heuristics and keeps the better plan: first-fit decreasing by the larger relative size, and
 * first-fit over a proportionally mixed order (each kind of service spread evenly through the sequence). FFD alone
 * does badly on mixed sets: STRINGs fill the reply side of their packets while their request side stays three
 * quarters empty, and the many small REAL/DINT reads that could fill it then need packets of their own. The mixed
 * order gives every packet the set's average composition, so both sides fill together. Realistic tags are small
 * next to a packet (20-60 bytes against about 490), so a first-fit packet is left with less than one service's
 * worth of room, which keeps such sets within a few percent of the lower bound `logixMinimumRequests` computes:
 * the larger of total request bytes / request room and total reply bytes / reply room (and the number of services
 * too large for two to share a packet). The plan reports `provenOptimal` only when it meets that bound.
 */
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { formatLogixAddress, type LogixAddress, type LogixType } from '../../../src-shared/common/profile/logix-address.ts';
import { checkLimit, checkUniqueTags, type PlannedTag, type PlanSummary } from '../planned-tag.ts';

/** The sizes a Logix plan must respect. */
export interface LogixLimits {
  /** The Forward Open connection size in bytes (500 standard, up to 4002 with a Large Forward Open). */
  packetSize: number;
  /** Bytes of the connection size the transport itself uses (2: the class 3 sequence count). */
  transportOverhead: number;
}

/** Default Logix limits: a standard Forward Open of 500 bytes, connected messaging. */
export const LOGIX_DEFAULT_LIMITS: LogixLimits = { packetSize: 500, transportOverhead: 2 };

/** Byte counts of the CIP framing the planner uses (see the module comment). */
export const CIP_FRAMING = {
  readTagRequestHeader: 2,
  readTagElementCount: 2,
  replyHeader: 4,
  atomicTypeCode: 2,
  structureTypeCode: 4,
  multipleServiceRequestHeader: 6,
  multipleServiceReplyHeader: 4,
  multipleServiceCount: 2,
  multipleServiceOffset: 2,
} as const;

/** Data bytes of one value of each type in a Read Tag reply. */
export const LOGIX_DATA_BYTES: Record<LogixType, number> = { BOOL: 1, SINT: 1, INT: 2, DINT: 4, LINT: 8, REAL: 4, LREAL: 8, STRING: 88 };

/** CIP data type codes of the reply (STRING: the structure marker; its 2-byte handle follows on the wire). */
export const LOGIX_TYPE_CODES: Record<LogixType, number> = {
  BOOL: 0xc1,
  SINT: 0xc2,
  INT: 0xc3,
  DINT: 0xc4,
  LINT: 0xc5,
  REAL: 0xca,
  LREAL: 0xcb,
  STRING: 0x02a0,
};

/** Bytes of the Read Tag service request for this address. */
export function logixReadRequestBytes(a: LogixAddress): number {
  return CIP_FRAMING.readTagRequestHeader + a.epathBytes + CIP_FRAMING.readTagElementCount;
}

/** Bytes of the type field in the reply (2 for atomic types, 4 for structures). */
export function logixReplyTypeBytes(a: Pick<LogixAddress, 'type'>): number {
  return a.type === 'STRING' ? CIP_FRAMING.structureTypeCode : CIP_FRAMING.atomicTypeCode;
}

/** Data bytes in the reply (a BOOL array element answers with its 32-bit word). */
export function logixReplyDataBytes(a: Pick<LogixAddress, 'type' | 'boolArrayElement'>): number {
  return a.boolArrayElement ? 4 : LOGIX_DATA_BYTES[a.type];
}

/** Bytes of the Read Tag service reply for this address. */
export function logixReadReplyBytes(a: Pick<LogixAddress, 'type' | 'boolArrayElement'>): number {
  return CIP_FRAMING.replyHeader + logixReplyTypeBytes(a) + logixReplyDataBytes(a);
}

/** One Read Tag service in a packet: the path it reads, the profile tags that share it, and where its reply sits. */
export interface LogixService {
  path: string;
  type: LogixType;
  tags: string[];
  requestBytes: number;
  replyBytes: number;
  /** Offset of this service's reply from the start of the Multiple Service Packet reply data (its count field). */
  replyOffset: number;
  /** Offset of the value's first data byte, same origin. */
  valueOffset: number;
}

/** One Multiple Service Packet request. */
export interface LogixRead {
  services: LogixService[];
  /** Message Router request bytes (header, count, offsets, services). */
  requestBytes: number;
  /** Expected Message Router reply bytes. */
  replyBytes: number;
}

/** A Logix capture plan. */
export interface LogixPlan extends PlanSummary {
  protocol: 'logix';
  limits: LogixLimits;
  reads: LogixRead[];
  /** Which packing heuristic produced `reads`. */
  heuristic: 'first-fit-decreasing' | 'mixed-first-fit';
}

/** Fills in and checks Logix limits. */
export function resolveLogixLimits(limits: Partial<LogixLimits> = {}): LogixLimits {
  const l = { ...LOGIX_DEFAULT_LIMITS, ...limits };
  checkLimit('packetSize', l.packetSize, 64, 65535);
  checkLimit('transportOverhead', l.transportOverhead, 0, 32);
  return l;
}

interface Item {
  path: string;
  type: LogixType;
  tags: string[];
  request: number; // service request bytes
  reply: number; // service reply bytes
  a: number; // request room it takes, offset included
  b: number; // reply room it takes, offset included
}

function capacities(l: LogixLimits): { A: number; B: number } {
  const room = l.packetSize - l.transportOverhead;
  return {
    A: room - CIP_FRAMING.multipleServiceRequestHeader - CIP_FRAMING.multipleServiceCount,
    B: room - CIP_FRAMING.multipleServiceReplyHeader - CIP_FRAMING.multipleServiceCount,
  };
}

// One service per distinct path and type (Logix names are case-insensitive, so `Speed` and `speed` are one read).
function items(tags: readonly PlannedTag<LogixAddress>[]): Item[] {
  const byKey = new Map<string, Item>();
  for (const t of tags) {
    const path = formatLogixAddress(t.location);
    const key = `${path.toLowerCase()}|${t.location.type}`;
    const existing = byKey.get(key);
    if (existing !== undefined) {
      existing.tags.push(t.tag);
      continue;
    }
    const request = logixReadRequestBytes(t.location);
    const reply = logixReadReplyBytes(t.location);
    byKey.set(key, {
      path,
      type: t.location.type,
      tags: [t.tag],
      request,
      reply,
      a: request + CIP_FRAMING.multipleServiceOffset,
      b: reply + CIP_FRAMING.multipleServiceOffset,
    });
  }
  return [...byKey.values()];
}

/** A proven lower bound on the Multiple Service Packet requests any packing within these limits needs. */
export function logixMinimumRequests(tags: readonly PlannedTag<LogixAddress>[], limits: Partial<LogixLimits> = {}): number {
  return lowerBound(items(tags), capacities(resolveLogixLimits(limits)));
}

function lowerBound(list: readonly Item[], { A, B }: { A: number; B: number }): number {
  if (list.length === 0) return 0;
  const sumA = list.reduce((s, i) => s + i.a, 0);
  const sumB = list.reduce((s, i) => s + i.b, 0);
  const bigA = list.filter((i) => i.a * 2 > A).length;
  const bigB = list.filter((i) => i.b * 2 > B).length;
  return Math.max(Math.ceil(sumA / A), Math.ceil(sumB / B), bigA, bigB);
}

interface Bin {
  ra: number;
  rb: number;
  items: Item[];
}

function firstFit(order: readonly Item[], A: number, B: number): Bin[] {
  const bins: Bin[] = [];
  const minA = order.reduce((m, i) => Math.min(m, i.a), Infinity);
  const minB = order.reduce((m, i) => Math.min(m, i.b), Infinity);
  let firstOpen = 0; // bins before this one cannot take even the smallest service
  for (const item of order) {
    let placed = false;
    for (let k = firstOpen; k < bins.length; k++) {
      const bin = bins[k] as Bin;
      if (item.a <= bin.ra && item.b <= bin.rb) {
        bin.ra -= item.a;
        bin.rb -= item.b;
        bin.items.push(item);
        placed = true;
        break;
      }
    }
    if (!placed) bins.push({ ra: A - item.a, rb: B - item.b, items: [item] });
    while (firstOpen < bins.length && ((bins[firstOpen] as Bin).ra < minA || (bins[firstOpen] as Bin).rb < minB)) firstOpen++;
  }
  return bins;
}

function decreasingOrder(list: readonly Item[], A: number, B: number): Item[] {
  return [...list].sort((x, y) => Math.max(y.a / A, y.b / B) - Math.max(x.a / A, x.b / B) || y.a + y.b - (x.a + x.b));
}

// Each kind of service (same request and reply size) spread evenly through the order: the i-th of n items of a
// kind gets position (i + 0.5) / n.
function mixedOrder(list: readonly Item[]): Item[] {
  const kinds = new Map<string, Item[]>();
  for (const i of list) {
    const key = `${i.a}:${i.b}`;
    const k = kinds.get(key) ?? [];
    k.push(i);
    kinds.set(key, k);
  }
  const keyed: { item: Item; pos: number; kind: string }[] = [];
  for (const [kind, members] of kinds) members.forEach((item, i) => keyed.push({ item, pos: (i + 0.5) / members.length, kind }));
  keyed.sort((x, y) => x.pos - y.pos || (x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : 0));
  return keyed.map((k) => k.item);
}

function toRead(bin: Bin): LogixRead {
  const n = bin.items.length;
  let offset = CIP_FRAMING.multipleServiceCount + CIP_FRAMING.multipleServiceOffset * n;
  const services: LogixService[] = bin.items.map((i) => {
    const s: LogixService = {
      path: i.path,
      type: i.type,
      tags: i.tags,
      requestBytes: i.request,
      replyBytes: i.reply,
      replyOffset: offset,
      valueOffset: offset + CIP_FRAMING.replyHeader + logixReplyTypeBytes(i),
    };
    offset += i.reply;
    return s;
  });
  return {
    services,
    requestBytes: CIP_FRAMING.multipleServiceRequestHeader + CIP_FRAMING.multipleServiceCount + bin.items.reduce((s, i) => s + i.a, 0),
    replyBytes: CIP_FRAMING.multipleServiceReplyHeader + CIP_FRAMING.multipleServiceCount + bin.items.reduce((s, i) => s + i.b, 0),
  };
}

/** Plans the reads for a set of Logix tags: Read Tag services packed into as few Multiple Service Packets as found. */
export function planLogix(tags: readonly PlannedTag<LogixAddress>[], limits: Partial<LogixLimits> = {}): LogixPlan {
  const l = resolveLogixLimits(limits);
  checkUniqueTags(tags);
  const { A, B } = capacities(l);
  const list = items(tags);
  for (const i of list) {
    if (i.a > A || i.b > B) {
      throw new BaselineError(
        'capture-plan-limits',
        `Reading "${i.path}" needs ${i.request} request bytes and ${i.reply} reply bytes, more than a ${l.packetSize}-byte connection carries.`,
        'Use a larger connection size (Large Forward Open) or a shorter tag path.',
        { path: i.path, packetSize: l.packetSize },
      );
    }
  }
  const minimumRequests = lowerBound(list, { A, B });
  if (list.length === 0)
    return {
      protocol: 'logix',
      limits: l,
      reads: [],
      heuristic: 'first-fit-decreasing',
      requests: 0,
      minimumRequests,
      provenOptimal: true,
    };
  const ffd = firstFit(decreasingOrder(list, A, B), A, B);
  const mixed = ffd.length === minimumRequests ? null : firstFit(mixedOrder(list), A, B);
  const useMixed = mixed !== null && mixed.length < ffd.length;
  const bins = useMixed ? mixed : ffd;
  const reads = bins.map(toRead);
  return {
    protocol: 'logix',
    limits: l,
    reads,
    heuristic: useMixed ? 'mixed-first-fit' : 'first-fit-decreasing',
    requests: reads.length,
    minimumRequests,
    provenOptimal: reads.length === minimumRequests,
  };
}
