import { describe, expect, it } from 'vitest';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { parseModbusAddress, type ModbusAddress, type ModbusTable } from '../../../src-shared/common/profile/modbus-address.ts';
import {
  modbusMinimumRequests,
  planModbus,
  resolveModbusLimits,
  type ModbusLimits,
  type ModbusPlan,
} from '../../../src-main/devices/modbus/modbus-plan.ts';
import type { PlannedTag } from '../../../src-main/devices/planned-tag.ts';
import { pick, randomInt, seededRandom, type Random } from './seeded-random.ts';

type Tag = PlannedTag<ModbusAddress>;

function tag(name: string, address: string, type: string): Tag {
  const r = parseModbusAddress(address, type);
  if (!r.ok) throw new Error(`${address}: ${JSON.stringify(r.problems)}`);
  return { tag: name, location: r.address };
}

const span = (t: Tag): [number, number] => [t.location.offset, t.location.offset + t.location.count];
const isBits = (table: ModbusTable): boolean => table === 'co' || table === 'di';

// The rules a read must keep, checked from first principles: span limit, and no run of more than maxGap
// registers/bits inside it that no tag uses.
function readIsValid(table: ModbusTable, start: number, end: number, all: readonly Tag[], l: ModbusLimits): boolean {
  const maxSpan = isBits(table) ? l.maxBits : l.maxRegisters;
  const maxGap = isBits(table) ? l.maxGapBits : l.maxGapRegisters;
  if (end - start > maxSpan) return false;
  const used = new Set<number>();
  for (const t of all) {
    if (t.location.table !== table) continue;
    const [s, e] = span(t);
    for (let r = s; r < e; r++) used.add(r);
  }
  let run = 0;
  for (let r = start; r < end; r++) {
    run = used.has(r) ? 0 : run + 1;
    if (run > maxGap) return false;
  }
  return true;
}

function checkPlan(plan: ModbusPlan, tags: readonly Tag[]): void {
  const byName = new Map(tags.map((t) => [t.tag, t]));
  const covered = new Set<string>();
  for (const read of plan.reads) {
    expect(readIsValid(read.table, read.start, read.start + read.count, tags, plan.limits)).toBe(true);
    expect(read.functionCode).toBe({ co: 1, di: 2, hr: 3, ir: 4 }[read.table]);
    for (const slot of read.tags) {
      const t = byName.get(slot.tag) as Tag;
      expect(t.location.table).toBe(read.table);
      expect(read.start + slot.offset).toBe(t.location.offset);
      expect(slot.offset + slot.count).toBeLessThanOrEqual(read.count);
      expect(covered.has(slot.tag)).toBe(false);
      covered.add(slot.tag);
    }
  }
  expect(covered.size).toBe(tags.length);
}

// Exact minimum by brute force over every partition of the tags into reads (each read spans its tags).
function bruteForceMinimum(tags: readonly Tag[], l: ModbusLimits): number {
  let best = Infinity;
  const blocks: Tag[][] = [];
  const valid = (block: Tag[]): boolean => {
    const table = (block[0] as Tag).location.table;
    if (block.some((t) => t.location.table !== table)) return false;
    const start = Math.min(...block.map((t) => span(t)[0]));
    const end = Math.max(...block.map((t) => span(t)[1]));
    return readIsValid(table, start, end, tags, l);
  };
  const assign = (i: number): void => {
    if (blocks.length >= best) return;
    if (i === tags.length) {
      best = blocks.length;
      return;
    }
    const t = tags[i] as Tag;
    for (const block of blocks) {
      block.push(t);
      if (valid(block)) assign(i + 1);
      block.pop();
    }
    blocks.push([t]);
    assign(i + 1);
    blocks.pop();
  };
  assign(0);
  return best;
}

// Witnesses must pairwise be unable to share any valid read.
function checkWitnesses(witnesses: readonly string[], tags: readonly Tag[], l: ModbusLimits): void {
  const byName = new Map(tags.map((t) => [t.tag, t]));
  for (let i = 0; i < witnesses.length; i++) {
    for (let j = i + 1; j < witnesses.length; j++) {
      const a = byName.get(witnesses[i] as string) as Tag;
      const b = byName.get(witnesses[j] as string) as Tag;
      if (a.location.table !== b.location.table) continue;
      const start = Math.min(span(a)[0], span(b)[0]);
      const end = Math.max(span(a)[1], span(b)[1]);
      expect(readIsValid(a.location.table, start, end, tags, l), `${a.tag} and ${b.tag} could share a read`).toBe(false);
    }
  }
}

function randomTags(random: Random, n: number, maxOffset: number): Tag[] {
  const tags: Tag[] = [];
  for (let i = 0; i < n; i++) {
    const table = pick(random, ['hr', 'hr', 'ir', 'co'] as const);
    const offset = randomInt(random, 0, maxOffset);
    if (table === 'co') tags.push(tag(`t${i}`, `co:${offset}`, 'BOOL'));
    else {
      const kind = randomInt(random, 0, 2);
      if (kind === 0) tags.push(tag(`t${i}`, `${table}:${offset}`, 'INT16'));
      else if (kind === 1) tags.push(tag(`t${i}`, `${table}:${offset}`, 'FLOAT32'));
      else tags.push(tag(`t${i}`, `${table}:${offset}.${randomInt(random, 0, 15)}`, 'BOOL'));
    }
  }
  return tags;
}

describe('Modbus planner: limits at their edges', () => {
  const wide = { maxGapRegisters: 1000, maxGapBits: 5000 };

  it('reads exactly 125 registers in one request, 126 in two', () => {
    const p125 = planModbus([tag('a', 'hr:0', 'INT16'), tag('b', 'hr:124', 'INT16')], wide);
    expect(p125.reads.map((r) => [r.start, r.count])).toEqual([[0, 125]]);
    const p126 = planModbus([tag('a', 'hr:0', 'INT16'), tag('b', 'hr:125', 'INT16')], wide);
    expect(p126.reads.map((r) => [r.start, r.count])).toEqual([
      [0, 1],
      [125, 1],
    ]);
    expect([p125.minimumRequests, p126.minimumRequests]).toEqual([1, 2]);
  });

  it('never splits a 32-bit value to squeeze it into a read', () => {
    const fits = planModbus([tag('a', 'hr:0', 'INT16'), tag('b', 'hr:123', 'FLOAT32')], wide);
    expect(fits.reads.map((r) => [r.start, r.count])).toEqual([[0, 125]]);
    const over = planModbus([tag('a', 'hr:0', 'INT16'), tag('b', 'hr:124', 'FLOAT32')], wide);
    expect(over.reads.map((r) => [r.start, r.count])).toEqual([
      [0, 1],
      [124, 2],
    ]);
  });

  it('reads 125 contiguous registers in one request and 126 in two', () => {
    const dense = (n: number): Tag[] => Array.from({ length: n }, (_, i) => tag(`r${i}`, `ir:${i}`, 'UINT16'));
    expect(planModbus(dense(125)).reads.map((r) => r.count)).toEqual([125]);
    expect(planModbus(dense(126)).reads.map((r) => r.count)).toEqual([125, 1]);
  });

  it('reads exactly 2000 coils in one request, 2001 in two', () => {
    const coils = (n: number): Tag[] => Array.from({ length: n }, (_, i) => tag(`c${i}`, `co:${i}`, 'BOOL'));
    expect(planModbus(coils(2000)).reads.map((r) => [r.functionCode, r.start, r.count])).toEqual([[1, 0, 2000]]);
    expect(planModbus(coils(2001)).reads.map((r) => [r.start, r.count])).toEqual([
      [0, 2000],
      [2000, 1],
    ]);
    expect(planModbus([tag('a', 'di:0', 'BOOL'), tag('b', 'di:1999', 'BOOL')], wide).reads.map((r) => r.count)).toEqual([2000]);
    expect(planModbus([tag('a', 'di:0', 'BOOL'), tag('b', 'di:2000', 'BOOL')], wide).requests).toBe(2);
  });

  it('reads the last registers of the table', () => {
    const p = planModbus([tag('a', 'hr:65534', 'INT32'), tag('b', 'hr:65533', 'INT16')]);
    expect(p.reads.map((r) => [r.start, r.count])).toEqual([[65533, 3]]);
  });

  it('merges gaps of up to maxGap unused registers and no more', () => {
    const at = (b: number, limits: Partial<ModbusLimits>): number =>
      planModbus([tag('a', 'hr:0', 'INT16'), tag('b', `hr:${b}`, 'INT16')], limits).requests;
    expect(at(9, {})).toBe(1); // 8 unused registers (1..8): the default gap
    expect(at(10, {})).toBe(2);
    expect(at(1, { maxGapRegisters: 0 })).toBe(1);
    expect(at(2, { maxGapRegisters: 0 })).toBe(2);
    const bits = (b: number): number => planModbus([tag('a', 'co:0', 'BOOL'), tag('b', `co:${b}`, 'BOOL')]).requests;
    expect([bits(65), bits(66)]).toEqual([1, 2]);
  });

  it('respects a device with a lower register limit', () => {
    const tags = Array.from({ length: 10 }, (_, i) => tag(`r${i}`, `hr:${i * 2}`, 'FLOAT32'));
    expect(planModbus(tags, { maxRegisters: 4 }).reads.map((r) => r.count)).toEqual([4, 4, 4, 4, 4]);
  });

  it('reads register bits with the register they are in', () => {
    const p = planModbus([tag('w', 'hr:5', 'UINT16'), tag('b0', 'hr:5.0', 'BOOL'), tag('b15', 'hr:5.15', 'BOOL')]);
    expect(p.reads).toHaveLength(1);
    expect(p.reads[0]?.tags.map((s) => [s.tag, s.offset, s.bit])).toEqual([
      ['w', 0, null],
      ['b0', 0, 0],
      ['b15', 0, 15],
    ]);
  });

  it('orders reads by function code and address, one table per read', () => {
    const p = planModbus([tag('h', 'hr:1', 'INT16'), tag('c', 'co:1', 'BOOL'), tag('i', 'ir:1', 'INT16'), tag('d', 'di:1', 'BOOL')]);
    expect(p.reads.map((r) => [r.table, r.functionCode])).toEqual([
      ['co', 1],
      ['di', 2],
      ['hr', 3],
      ['ir', 4],
    ]);
    expect(p).toMatchObject({ requests: 4, minimumRequests: 4, provenOptimal: true });
  });

  it('plans nothing for no tags', () => {
    expect(planModbus([])).toMatchObject({ reads: [], requests: 0, minimumRequests: 0, provenOptimal: true });
  });

  it.each([
    [{ maxRegisters: 126 }, /maxRegisters is 126/],
    [{ maxRegisters: 0 }, /maxRegisters is 0/],
    [{ maxBits: 2001 }, /maxBits is 2001/],
    [{ maxGapRegisters: -1 }, /maxGapRegisters is -1/],
    [{ maxGapBits: 1.5 }, /maxGapBits is 1.5/],
  ])('refuses limits the protocol does not allow: %j', (limits, message) => {
    expect(() => resolveModbusLimits(limits)).toThrow(message);
  });

  it('refuses a 32-bit tag when a read may carry only one register', () => {
    expect(() => planModbus([tag('f', 'hr:0', 'FLOAT32')], { maxRegisters: 1 })).toThrow(BaselineError);
  });

  it('refuses two tags with one name', () => {
    expect(() => planModbus([tag('a', 'hr:0', 'INT16'), tag('a', 'hr:1', 'INT16')])).toThrow(/appears twice/);
  });
});

describe('Modbus planner: optimality', () => {
  it('matches the brute-force minimum on 400 small random inputs', () => {
    const random = seededRandom(20240611);
    for (let round = 0; round < 400; round++) {
      const tags = randomTags(random, randomInt(random, 1, 8), 24);
      const limits = resolveModbusLimits({
        maxRegisters: randomInt(random, 2, 8),
        maxBits: randomInt(random, 1, 8),
        maxGapRegisters: randomInt(random, 0, 4),
        maxGapBits: randomInt(random, 0, 4),
      });
      const plan = planModbus(tags, limits);
      checkPlan(plan, tags);
      const exact = bruteForceMinimum(tags, limits);
      expect(plan.requests, `round ${round}`).toBe(exact);
      expect(plan.minimumRequests, `round ${round}`).toBe(exact);
    }
  });

  it('proves every plan optimal with witnesses that pairwise cannot share a read (300 medium random inputs)', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 300; round++) {
      const tags = randomTags(random, randomInt(random, 1, 60), 400);
      const limits = resolveModbusLimits({
        maxRegisters: randomInt(random, 2, 40),
        maxBits: randomInt(random, 1, 60),
        maxGapRegisters: randomInt(random, 0, 10),
        maxGapBits: randomInt(random, 0, 10),
      });
      const plan = planModbus(tags, limits);
      checkPlan(plan, tags);
      const { minimumRequests, witnesses } = modbusMinimumRequests(tags, limits);
      checkWitnesses(witnesses, tags, limits);
      expect(plan.requests).toBe(minimumRequests);
      expect(plan.provenOptimal).toBe(true);
    }
  });
});
