import { describe, expect, it } from 'vitest';
import { parseLogixAddress, type LogixAddress } from '../../../src-shared/common/profile/logix-address.ts';
import {
  logixMinimumRequests,
  logixReadReplyBytes,
  logixReadRequestBytes,
  planLogix,
  resolveLogixLimits,
  type LogixLimits,
  type LogixPlan,
} from '../../../src-main/devices/logix/logix-plan.ts';
import type { PlannedTag } from '../../../src-main/devices/planned-tag.ts';
import { pick, randomInt, seededRandom, type Random } from './seeded-random.ts';

type Tag = PlannedTag<LogixAddress>;

function tag(name: string, address: string, type: string): Tag {
  const r = parseLogixAddress(address, type);
  if (!r.ok) throw new Error(`${address}: ${JSON.stringify(r.problems)}`);
  return { tag: name, location: r.address };
}

// Multiple Service Packet sizes recomputed from CIP Vol 1: request header 6 + count 2 + (offset 2 + service)
// per service; reply header 4 + count 2 + (offset 2 + reply) per service; both within packetSize - overhead.
function checkPlan(plan: LogixPlan, tags: readonly Tag[]): void {
  const room = plan.limits.packetSize - plan.limits.transportOverhead;
  const seen = new Set<string>();
  for (const read of plan.reads) {
    const n = read.services.length;
    expect(read.requestBytes).toBe(6 + 2 + read.services.reduce((s, x) => s + 2 + x.requestBytes, 0));
    expect(read.replyBytes).toBe(4 + 2 + read.services.reduce((s, x) => s + 2 + x.replyBytes, 0));
    expect(read.requestBytes).toBeLessThanOrEqual(room);
    expect(read.replyBytes).toBeLessThanOrEqual(room);
    let offset = 2 + 2 * n;
    for (const s of read.services) {
      expect(s.replyOffset).toBe(offset);
      expect(s.valueOffset).toBe(offset + 4 + (s.type === 'STRING' ? 4 : 2));
      offset += s.replyBytes;
      for (const t of s.tags) {
        expect(seen.has(t)).toBe(false);
        seen.add(t);
      }
    }
  }
  expect(seen.size).toBe(tags.length);
}

// Exact minimum number of packets by dynamic programming over subsets of services (n <= 10).
function bruteForceMinimum(tags: readonly Tag[], l: LogixLimits): number {
  const room = l.packetSize - l.transportOverhead;
  const a = tags.map((t) => logixReadRequestBytes(t.location) + 2);
  const b = tags.map((t) => logixReadReplyBytes(t.location) + 2);
  const n = tags.length;
  const dp = new Array<number>(1 << n).fill(Infinity);
  dp[0] = 0;
  const fits = (m: number): boolean => {
    let ra = 8;
    let rb = 6;
    for (let i = 0; i < n; i++)
      if (m & (1 << i)) {
        ra += a[i] as number;
        rb += b[i] as number;
      }
    return ra <= room && rb <= room;
  };
  for (let m = 1; m < 1 << n; m++) {
    const low = m & -m;
    for (let s = m; s > 0; s = (s - 1) & m) if (s & low && fits(s)) dp[m] = Math.min(dp[m] as number, (dp[m ^ s] as number) + 1);
  }
  return dp[(1 << n) - 1] as number;
}

const NAMES = ['Speed', 'Temperature_Setpoint', 'Valve', 'Pump_Run_Hours_Total', 'X', 'Level_HiHi_Alarm_Limit'];

function randomTags(random: Random, n: number): Tag[] {
  return Array.from({ length: n }, (_, i) => {
    const name = `${pick(random, NAMES)}${i}`;
    const form = randomInt(random, 0, 3);
    const address =
      form === 0
        ? name
        : form === 1
          ? `Program:Main.${name}`
          : form === 2
            ? `${name}[${randomInt(random, 0, 400)}]`
            : `${name}.Member_${randomInt(random, 0, 9)}`;
    return tag(`t${i}`, address, pick(random, ['BOOL', 'SINT', 'INT', 'DINT', 'LINT', 'REAL', 'LREAL', 'STRING']));
  });
}

describe('Logix planner: CIP sizes', () => {
  it.each([
    ['BOOL', 7],
    ['SINT', 7],
    ['INT', 8],
    ['DINT', 10],
    ['LINT', 14],
    ['REAL', 10],
    ['LREAL', 14],
    ['STRING', 96],
  ] as const)('a %s Read Tag reply is %d bytes', (type, bytes) => {
    expect(logixReadReplyBytes(tag('t', 'Tag', type).location)).toBe(bytes);
  });

  it('a BOOL array element answers with its 32-bit word', () => {
    expect(logixReadReplyBytes(tag('t', 'Flags[33]', 'BOOL').location)).toBe(4 + 2 + 4);
  });

  it('fills a 500-byte connection to exactly its request room (490 bytes of services) and no further', () => {
    // "T1000": symbol 2 + 5 + pad 1 = 8 bytes, Read Tag request 12, plus its 2-byte offset = 14; 35 * 14 = 490.
    const tags = (n: number): Tag[] => Array.from({ length: n }, (_, i) => tag(`t${i}`, `T${1000 + i}`, 'SINT'));
    const full = planLogix(tags(35));
    expect(full.reads.map((r) => [r.services.length, r.requestBytes])).toEqual([[35, 498]]);
    checkPlan(full, tags(35));
    expect(
      planLogix(tags(36))
        .reads.map((r) => r.services.length)
        .sort(),
    ).toEqual([1, 35]);
    expect(planLogix(tags(36)).minimumRequests).toBe(2);
  });

  it('fills to exactly the reply room when replies are the limit', () => {
    // STRING replies take 96 + 2; a 504-byte connection leaves 504 - 2 - 6 = 496 = 5 * 98 + 6 ... so 5 per packet.
    const strings = (n: number): Tag[] => Array.from({ length: n }, (_, i) => tag(`s${i}`, `S${i}`, 'STRING'));
    const p = planLogix(strings(12));
    expect(p.reads.map((r) => r.services.length)).toEqual([5, 5, 2]);
    expect(p.reads[0]?.replyBytes).toBe(4 + 2 + 5 * 98);
    expect(p.minimumRequests).toBe(3);
    // With packetSize 498 the room is 490 = 5 * 98 exactly: still 5 per packet.
    expect(planLogix(strings(10), { packetSize: 4 + 2 + 5 * 98 + 2 }).reads.map((r) => r.services.length)).toEqual([5, 5]);
    expect(planLogix(strings(10), { packetSize: 4 + 2 + 5 * 98 + 1 }).reads.length).toBe(3);
  });

  it('packs far more per packet with a Large Forward Open', () => {
    const tags = Array.from({ length: 1000 }, (_, i) => tag(`t${i}`, `Line1_Tag${i}`, 'REAL'));
    const small = planLogix(tags);
    const large = planLogix(tags, { packetSize: 4002 });
    checkPlan(small, tags);
    checkPlan(large, tags);
    expect(large.requests).toBeLessThanOrEqual(small.requests / 7);
    // 990 of the services take 20 bytes, so a 490-byte packet holds 24 of them and wastes 10 bytes: 42 packets, while
    // the byte-count bound says 41. The plan is therefore reported as not proven optimal rather than claimed to be.
    expect([small.requests, small.minimumRequests, small.provenOptimal]).toEqual([42, 41, false]);
    expect(large.requests).toBe(large.minimumRequests);
  });

  it('mixes STRING-heavy and name-heavy services instead of packing them apart', () => {
    const tags = [
      ...Array.from({ length: 100 }, (_, i) => tag(`s${i}`, `Msg${i}`, 'STRING')),
      ...Array.from({ length: 900 }, (_, i) => tag(`r${i}`, `Process_Value_${i}`, 'REAL')),
    ];
    const p = planLogix(tags);
    checkPlan(p, tags);
    expect(p.heuristic).toBe('mixed-first-fit');
    expect(p.requests / p.minimumRequests).toBeLessThanOrEqual(1.05);
  });

  it('reads a path once for several profile tags (Logix names are case-insensitive)', () => {
    const tags = [tag('a', 'Speed', 'REAL'), tag('b', 'speed', 'REAL'), tag('c', 'Other', 'REAL')];
    const p = planLogix(tags);
    checkPlan(p, tags);
    expect(p.reads[0]?.services.map((s) => [s.path, s.tags])).toEqual([
      ['Speed', ['a', 'b']],
      ['Other', ['c']],
    ]);
  });

  it('refuses a service that cannot fit any packet, and bad limits', () => {
    expect(() => planLogix([tag('s', 'Text', 'STRING')], { packetSize: 100 })).toThrow(/more than a 100-byte connection carries/);
    expect(() => resolveLogixLimits({ packetSize: 10 })).toThrow(/packetSize is 10/);
    expect(() => planLogix([tag('a', 'A', 'INT'), tag('a', 'B', 'INT')])).toThrow(/appears twice/);
  });

  it('plans nothing for no tags', () => {
    expect(planLogix([])).toMatchObject({ reads: [], requests: 0, minimumRequests: 0, provenOptimal: true });
  });
});

describe('Logix planner: against the exact minimum', () => {
  it('is valid, never below the bound, and close to the exact minimum on 300 small random inputs', () => {
    const random = seededRandom(2718);
    let optimal = 0;
    const rounds = 300;
    for (let round = 0; round < rounds; round++) {
      const tags = randomTags(random, randomInt(random, 1, 10));
      const limits = resolveLogixLimits({ packetSize: randomInt(random, 110, 260) });
      let plan: LogixPlan;
      try {
        plan = planLogix(tags, limits);
      } catch {
        continue; // a service too large for this packet size: refused, tested above
      }
      checkPlan(plan, tags);
      const exact = bruteForceMinimum(tags, limits);
      expect(logixMinimumRequests(tags, limits), `round ${round}: bound`).toBeLessThanOrEqual(exact);
      expect(plan.requests, `round ${round}`).toBeGreaterThanOrEqual(exact);
      expect(plan.requests - exact, `round ${round}`).toBeLessThanOrEqual(1);
      if (plan.provenOptimal) expect(plan.requests).toBe(exact);
      if (plan.requests === exact) optimal++;
    }
    // Measured with this seed: 297 of 300 plans are exactly minimal, the other 3 take one packet more.
    expect(optimal / rounds).toBeGreaterThanOrEqual(0.95);
  });
});
