/**
 * The Modbus capture planner: coalesces a profile's addresses into the fewest read requests.
 *
 * Limits (Modbus Application Protocol Specification V1.1b3): Read Coils (FC 1) and Read Discrete Inputs (FC 2)
 * return 1..2000 bits (§6.1, §6.2); Read Holding Registers (FC 3) and Read Input Registers (FC 4) return 1..125
 * registers (§6.3, §6.4). A read may span unused registers, but only gaps of at most `maxGap*` unused registers or
 * bits: some devices answer "illegal data address" for unmapped registers, so the gap is a setting (0 = never read
 * an unused register).
 *
 * Algorithm. Per table, the tags' registers are split into clusters wherever more than maxGap unused registers lie
 * between them; no read may cross such a gap. Within a cluster the problem is covering intervals (one per tag; a
 * tag is never split, so 32-bit values are read in one piece) with windows of at most maxSpan registers. Sweeping
 * left to right and starting a new read at the first tag that does not fit the current one is optimal (exchange
 * argument: some read must cover the leftmost tag, and one starting exactly at that tag covers everything any other
 * read covering it could). `modbusMinimumRequests` proves it for every plan independently: it picks, right to left,
 * tags that pairwise cannot share a read; each needs its own request, so their number is a lower bound, and the
 * sweep's request count equals it.
 */
import type { ModbusAddress, ModbusTable, ModbusType } from '../../../src-shared/common/profile/modbus-address.ts';
import { isModbusBitTable } from '../../../src-shared/common/profile/modbus-address.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { checkLimit, checkUniqueTags, type PlannedTag, type PlanSummary } from '../planned-tag.ts';

/** The sizes a Modbus plan must respect. */
export interface ModbusLimits {
  /** Registers per FC 3/4 read: at most 125; lower for devices that accept less. */
  maxRegisters: number;
  /** Bits per FC 1/2 read: at most 2000. */
  maxBits: number;
  /** Unused registers a read may span between two tags (reading a few is cheaper than another request). */
  maxGapRegisters: number;
  /** Unused coils/discrete inputs a read may span between two tags. */
  maxGapBits: number;
}

/** The protocol's own maxima (spec §6.1-6.4). */
export const MODBUS_PROTOCOL_LIMITS = { maxRegisters: 125, maxBits: 2000 } as const;

/** Default limits: the protocol maxima, gaps of up to 8 registers or 64 bits merged. */
export const MODBUS_DEFAULT_LIMITS: ModbusLimits = { maxRegisters: 125, maxBits: 2000, maxGapRegisters: 8, maxGapBits: 64 };

/** Modbus read function code per table. */
export const MODBUS_READ_FUNCTION: Record<ModbusTable, 1 | 2 | 3 | 4> = { co: 1, di: 2, hr: 3, ir: 4 };

/** Where one tag sits in a read's reply. */
export interface ModbusTagSlot {
  tag: string;
  type: ModbusType;
  /** First register (or bit) of the tag, counted from the read's start. */
  offset: number;
  /** Registers (or bits) the tag takes. */
  count: number;
  /** Bit within the register for register-bit BOOLs; null otherwise. */
  bit: number | null;
}

/** One read request: a function code over a contiguous range, and the tags it carries. */
export interface ModbusRead {
  table: ModbusTable;
  functionCode: 1 | 2 | 3 | 4;
  /** First register or bit read (0-based protocol address). */
  start: number;
  /** Registers or bits read. */
  count: number;
  tags: ModbusTagSlot[];
}

/** A Modbus capture plan. */
export interface ModbusPlan extends PlanSummary {
  protocol: 'modbus';
  limits: ModbusLimits;
  reads: ModbusRead[];
}

const TABLE_ORDER: readonly ModbusTable[] = ['co', 'di', 'hr', 'ir'];

/** Fills in and checks Modbus limits; throws BaselineError for a limit the protocol does not allow. */
export function resolveModbusLimits(limits: Partial<ModbusLimits> = {}): ModbusLimits {
  const l = { ...MODBUS_DEFAULT_LIMITS, ...limits };
  checkLimit('maxRegisters', l.maxRegisters, 1, MODBUS_PROTOCOL_LIMITS.maxRegisters);
  checkLimit('maxBits', l.maxBits, 1, MODBUS_PROTOCOL_LIMITS.maxBits);
  checkLimit('maxGapRegisters', l.maxGapRegisters, 0, 65535);
  checkLimit('maxGapBits', l.maxGapBits, 0, 65535);
  return l;
}

interface Span {
  tag: string;
  start: number;
  end: number; // exclusive
  location: ModbusAddress;
}

function spansByTable(tags: readonly PlannedTag<ModbusAddress>[]): Map<ModbusTable, Span[]> {
  const byTable = new Map<ModbusTable, Span[]>();
  for (const t of tags) {
    const list = byTable.get(t.location.table) ?? [];
    list.push({ tag: t.tag, start: t.location.offset, end: t.location.offset + t.location.count, location: t.location });
    byTable.set(t.location.table, list);
  }
  return byTable;
}

function spanLimits(table: ModbusTable, limits: ModbusLimits): { maxSpan: number; maxGap: number } {
  return isModbusBitTable(table)
    ? { maxSpan: limits.maxBits, maxGap: limits.maxGapBits }
    : { maxSpan: limits.maxRegisters, maxGap: limits.maxGapRegisters };
}

/**
 * The fewest requests any plan within these limits needs, and the witness tags proving it: no two witnesses can
 * share a read (too far apart for one request, or separated by more than maxGap unused registers/bits).
 */
export function modbusMinimumRequests(
  tags: readonly PlannedTag<ModbusAddress>[],
  limits: Partial<ModbusLimits> = {},
): { minimumRequests: number; witnesses: string[] } {
  const l = resolveModbusLimits(limits);
  const witnesses: string[] = [];
  for (const [table, spans] of spansByTable(tags)) {
    const { maxSpan, maxGap } = spanLimits(table, l);
    // Clusters: runs of tags with no more than maxGap unused registers between them.
    const byStart = [...spans].sort((a, b) => a.start - b.start);
    const cluster = new Map<Span, number>();
    let id = 0;
    let reach = -Infinity;
    for (const s of byStart) {
      if (s.start - reach > maxGap) id++;
      cluster.set(s, id);
      reach = Math.max(reach, s.end);
    }
    // Right to left: the next witness is the tag ending last among those that cannot share a read with the last witness.
    const byEnd = [...spans].sort((a, b) => b.end - a.end || b.start - a.start);
    let w: Span | undefined;
    for (const s of byEnd) {
      if (w === undefined || cluster.get(s) !== cluster.get(w) || w.end - s.start > maxSpan) {
        w = s;
        witnesses.push(s.tag);
      }
    }
  }
  return { minimumRequests: witnesses.length, witnesses };
}

/** Plans the reads for a set of Modbus tags: fewest requests within the limits (proven, see the module comment). */
export function planModbus(tags: readonly PlannedTag<ModbusAddress>[], limits: Partial<ModbusLimits> = {}): ModbusPlan {
  const l = resolveModbusLimits(limits);
  checkUniqueTags(tags);
  const reads: ModbusRead[] = [];
  const byTable = spansByTable(tags);
  for (const table of TABLE_ORDER) {
    const spans = byTable.get(table);
    if (spans === undefined) continue;
    const { maxSpan, maxGap } = spanLimits(table, l);
    spans.sort((a, b) => a.start - b.start || a.end - b.end);
    let current: ModbusRead | null = null;
    let reach = -Infinity; // end of the furthest register any tag so far uses
    for (const s of spans) {
      if (s.end - s.start > maxSpan) {
        throw new BaselineError(
          'capture-plan-limits',
          `Tag "${s.tag}" needs ${s.end - s.start} registers, but a read may carry only ${maxSpan}.`,
          'Raise the registers-per-read setting to at least 2 for 32-bit values.',
          { tag: s.tag },
        );
      }
      const fits = current !== null && s.start - reach <= maxGap && s.end - current.start <= maxSpan;
      if (!fits || current === null) {
        current = { table, functionCode: MODBUS_READ_FUNCTION[table], start: s.start, count: 0, tags: [] };
        reads.push(current);
      }
      current.count = Math.max(current.count, s.end - current.start);
      current.tags.push({
        tag: s.tag,
        type: s.location.type,
        offset: s.start - current.start,
        count: s.end - s.start,
        bit: s.location.bit,
      });
      reach = Math.max(reach, s.end);
    }
  }
  const { minimumRequests } = modbusMinimumRequests(tags, l);
  return { protocol: 'modbus', limits: l, reads, requests: reads.length, minimumRequests, provenOptimal: reads.length === minimumRequests };
}
