import { describe, expect, it } from 'vitest';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { parseS7Address, type S7Address } from '../../../src-shared/common/profile/s7-address.ts';
import {
  planS7,
  resolveS7Limits,
  s7MaxItemBytes,
  s7MaxItemsPerRequest,
  s7MinimumRequests,
  type S7Limits,
  type S7Plan,
} from '../../../src-main/devices/s7/s7-plan.ts';
import type { PlannedTag } from '../../../src-main/devices/planned-tag.ts';
import { pick, randomInt, seededRandom, type Random } from './seeded-random.ts';

type Tag = PlannedTag<S7Address>;

function tag(name: string, address: string, type: string): Tag {
  const r = parseS7Address(address, type);
  if (!r.ok) throw new Error(`${address}: ${JSON.stringify(r.problems)}`);
  return { tag: name, location: r.address };
}

const itemCost = (len: number): number => 4 + len + (len % 2);

// Everything a plan promises, recomputed from the framing rules: sizes within the PDU, items within the limit,
// every tag's bytes covered exactly once by its pieces, no tag split unless it is larger than one item.
function checkPlan(plan: S7Plan, tags: readonly Tag[]): void {
  const l = plan.limits;
  const maxItems = s7MaxItemsPerRequest(l);
  for (const read of plan.reads) {
    expect(read.items.length).toBeGreaterThan(0);
    expect(read.items.length).toBeLessThanOrEqual(maxItems);
    expect(read.requestBytes).toBe(12 + 12 * read.items.length);
    expect(read.replyBytes).toBe(14 + read.items.reduce((s, i) => s + itemCost(i.length), 0));
    expect(read.requestBytes).toBeLessThanOrEqual(l.pduSize);
    expect(read.replyBytes).toBeLessThanOrEqual(l.pduSize);
    for (const item of read.items) expect(item.length).toBeLessThanOrEqual(s7MaxItemBytes(l.pduSize));
  }
  expect(plan.tags.map((t) => t.tag)).toEqual(tags.map((t) => t.tag));
  for (const t of plan.tags) {
    const covered = new Array<number>(t.location.length).fill(0);
    for (const p of t.pieces) {
      const item = plan.reads[p.read]?.items[p.item];
      if (item === undefined) throw new Error(`${t.tag}: piece points nowhere`);
      expect([item.area, item.db]).toEqual([t.location.area, t.location.db]);
      expect(item.start + p.itemOffset).toBe(t.location.start + p.tagOffset);
      expect(p.itemOffset + p.length).toBeLessThanOrEqual(item.length);
      for (let k = p.tagOffset; k < p.tagOffset + p.length; k++) covered[k] = (covered[k] ?? 0) + 1;
    }
    expect(
      covered.every((c) => c === 1),
      `${t.tag} bytes covered once`,
    ).toBe(true);
    if (t.location.length <= s7MaxItemBytes(l.pduSize)) expect(t.pieces).toHaveLength(1);
  }
}

// The exact minimum within the planner's model, by brute force: every way of cutting each area/DB's tags into
// items (cuts only between tags), then the fewest requests those items fit in (subset dynamic programming).
function bruteForceMinimum(tags: readonly Tag[], l: S7Limits): number {
  const groups = new Map<string, [number, number][]>();
  for (const t of tags) {
    const key = `${t.location.area}${t.location.db}`;
    const list = groups.get(key) ?? [];
    list.push([t.location.start, t.location.start + t.location.length]);
    groups.set(key, list);
  }
  const atomLists = [...groups.values()].map((spans) => {
    spans.sort((a, b) => a[0] - b[0]);
    const atoms: [number, number][] = [];
    for (const [s, e] of spans) {
      const last = atoms[atoms.length - 1];
      if (last !== undefined && s < last[1]) last[1] = Math.max(last[1], e);
      else atoms.push([s, e]);
    }
    return atoms;
  });
  const maxItems = s7MaxItemsPerRequest(l);
  const binsFor = (items: number[]): number => {
    const n = items.length;
    const fits = new Array<boolean>(1 << n).fill(false);
    for (let m = 1; m < 1 << n; m++) {
      let count = 0;
      let reply = 14;
      for (let i = 0; i < n; i++)
        if (m & (1 << i)) {
          count++;
          reply += itemCost(items[i] as number);
        }
      fits[m] = count <= maxItems && 12 + 12 * count <= l.pduSize && reply <= l.pduSize;
    }
    const dp = new Array<number>(1 << n).fill(Infinity);
    dp[0] = 0;
    for (let m = 1; m < 1 << n; m++) {
      const low = m & -m;
      for (let s = m; s > 0; s = (s - 1) & m) if (s & low && fits[s]) dp[m] = Math.min(dp[m] as number, (dp[m ^ s] as number) + 1);
    }
    return dp[(1 << n) - 1] as number;
  };
  let best = Infinity;
  const choose = (g: number, items: number[]): void => {
    if (g === atomLists.length) {
      if (items.every((len) => len <= s7MaxItemBytes(l.pduSize))) best = Math.min(best, binsFor(items));
      return;
    }
    const atoms = atomLists[g] as [number, number][];
    for (let cuts = 0; cuts < 1 << (atoms.length - 1); cuts++) {
      const here: number[] = [];
      let start = (atoms[0] as [number, number])[0];
      atoms.forEach(([, end], i) => {
        if (i === atoms.length - 1 || cuts & (1 << i)) {
          here.push(end - start);
          start = (atoms[i + 1] ?? [0])[0];
        }
      });
      choose(g + 1, [...items, ...here]);
    }
  };
  choose(0, []);
  return best;
}

function randomSmallTags(random: Random, n: number): Tag[] {
  const tags: Tag[] = [];
  for (let i = 0; i < n; i++) {
    const area = pick(random, ['DB1,', 'DB2,', 'M'] as const);
    const offset = randomInt(random, 0, 40);
    const [kind, type] = pick(random, [
      ['X', 'BOOL'],
      ['INT', 'INT'],
      ['REAL', 'REAL'],
      ['S', 'STRING'],
    ] as const);
    if (area === 'M')
      tags.push(tag(`t${i}`, kind === 'X' ? `M${offset}.${randomInt(random, 0, 7)}` : `MW${offset}`, kind === 'X' ? 'BOOL' : 'WORD'));
    else
      tags.push(
        tag(
          `t${i}`,
          kind === 'X' ? `${area}X${offset}.${randomInt(random, 0, 7)}` : kind === 'S' ? `${area}S${offset}.4` : `${area}${kind}${offset}`,
          type,
        ),
      );
  }
  return tags;
}

describe('S7 planner: framing arithmetic', () => {
  it('derives item size and item count from the PDU', () => {
    expect(s7MaxItemBytes(240)).toBe(222);
    expect(s7MaxItemBytes(480)).toBe(462);
    expect(s7MaxItemBytes(960)).toBe(942);
    expect(s7MaxItemsPerRequest(resolveS7Limits({ pduSize: 240 }))).toBe(19); // 12 + 12 * 19 = 240
    expect(s7MaxItemsPerRequest(resolveS7Limits({ pduSize: 480 }))).toBe(20); // the configured limit binds
    expect(s7MaxItemsPerRequest(resolveS7Limits({ pduSize: 960, maxItems: 30 }))).toBe(30);
  });

  it('reads 222 bytes in one request at PDU 240, and 223 in two', () => {
    const bytes = (n: number): Tag[] => Array.from({ length: n }, (_, i) => tag(`b${i}`, `DB1,BYTE${i}`, 'BYTE'));
    const one = planS7(bytes(222));
    expect(one.reads.map((r) => [r.items.length, r.replyBytes])).toEqual([[1, 240]]);
    expect(one.reads[0]?.items[0]).toMatchObject({ area: 'DB', areaCode: 0x84, db: 1, start: 0, length: 222 });
    const two = planS7(bytes(223));
    expect(two.requests).toBe(2);
    expect(two.minimumRequests).toBe(2);
    checkPlan(two, bytes(223));
  });

  it('puts at most 19 items in a request at PDU 240 and at most maxItems at PDU 960', () => {
    const scattered = Array.from({ length: 25 }, (_, i) => tag(`i${i}`, `DB${i + 1},INT0`, 'INT'));
    expect(planS7(scattered).reads.map((r) => r.items.length)).toEqual([19, 6]);
    expect(planS7(scattered, { pduSize: 960 }).reads.map((r) => r.items.length)).toEqual([20, 5]);
    expect(planS7(scattered, { pduSize: 960, maxItems: 25 }).reads.map((r) => r.items.length)).toEqual([25]);
    expect(planS7(scattered).minimumRequests).toBe(2);
  });

  it('lets small ranges of different areas share one request as separate items', () => {
    const p = planS7([
      tag('a', 'DB1,INT0', 'INT'),
      tag('b', 'DB2,REAL4', 'REAL'),
      tag('c', 'MW10', 'WORD'),
      tag('d', 'I0.0', 'BOOL'),
      tag('e', 'QB3', 'BYTE'),
    ]);
    expect(p.requests).toBe(1);
    expect(p.reads[0]?.items.map((i) => [i.area, i.areaCode, i.db, i.start, i.length])).toEqual([
      ['I', 0x81, 0, 0, 1],
      ['Q', 0x82, 0, 3, 1],
      ['M', 0x83, 0, 10, 2],
      ['DB', 0x84, 1, 0, 2],
      ['DB', 0x84, 2, 4, 4],
    ]);
    expect(p.provenOptimal).toBe(true);
  });

  it('reads across a small gap and leaves a large one when the reply is the limit', () => {
    const small = planS7([tag('a', 'DB1,INT0', 'INT'), tag('b', 'DB1,INT4', 'INT')]);
    expect(small.reads[0]?.items.map((i) => [i.start, i.length])).toEqual([[0, 6]]);
    const large = planS7([tag('a', 'DB1,INT0', 'INT'), tag('b', 'DB1,INT1000', 'INT')]);
    expect(large.reads[0]?.items.map((i) => [i.start, i.length])).toEqual([
      [0, 2],
      [1000, 2],
    ]);
  });

  it('bridges larger gaps when the item limit is what binds', () => {
    // 40 INTs 10 bytes apart: as separate items they need 3 requests (19 items each); bridged, 2 ranges of ~200 bytes.
    const tags = Array.from({ length: 40 }, (_, i) => tag(`i${i}`, `DB1,INT${i * 10}`, 'INT'));
    const p = planS7(tags);
    checkPlan(p, tags);
    expect(p.requests).toBe(2);
    expect(p.minimumRequests).toBe(2);
    expect(planS7(tags, { maxGap: 4 }).requests).toBe(3); // not allowed to bridge
  });

  it('splits only a tag larger than one item, and decodes it whole (STRING[254] at PDU 240)', () => {
    const tags = [tag('long', 'DB1,S0.254', 'STRING'), tag('after', 'DB1,INT256', 'INT')];
    const p = planS7(tags);
    checkPlan(p, tags);
    expect(p.tags[0]?.pieces.length).toBe(2);
    expect(p.tags[1]?.pieces.length).toBe(1);
  });

  it.each([
    [{ pduSize: 20 }, /pduSize is 20/],
    [{ pduSize: 70000 }, /pduSize is 70000/],
    [{ maxItems: 0 }, /maxItems is 0/],
    [{ maxGap: -1 }, /maxGap is -1/],
  ])('refuses limits %j', (limits, message) => {
    expect(() => planS7([tag('a', 'MW0', 'WORD')], limits)).toThrow(message);
  });

  it('refuses two tags with one name', () => {
    expect(() => planS7([tag('a', 'MW0', 'WORD'), tag('a', 'MW2', 'WORD')])).toThrow(BaselineError);
  });

  it('plans nothing for no tags', () => {
    expect(planS7([])).toMatchObject({ reads: [], requests: 0, minimumRequests: 0, provenOptimal: true });
  });
});

describe('S7 planner: against the exact minimum', () => {
  it('is valid, never below the bound, and within one request of the brute-force minimum on 300 small random inputs', () => {
    const random = seededRandom(4242);
    let optimal = 0;
    let extra = 0;
    const rounds = 300;
    for (let round = 0; round < rounds; round++) {
      const tags = randomSmallTags(random, randomInt(random, 1, 7));
      const limits = resolveS7Limits({ pduSize: pick(random, [40, 48, 64]), maxItems: randomInt(random, 1, 4) });
      const plan = planS7(tags, limits);
      checkPlan(plan, tags);
      const exact = bruteForceMinimum(tags, limits);
      expect(s7MinimumRequests(tags, limits), `round ${round}: bound`).toBeLessThanOrEqual(exact);
      expect(plan.requests, `round ${round}: plan`).toBeGreaterThanOrEqual(exact);
      expect(plan.requests - exact, `round ${round}`).toBeLessThanOrEqual(1);
      if (plan.requests === exact) optimal++;
      extra += plan.requests - exact;
      if (plan.provenOptimal) expect(plan.requests).toBe(exact);
    }
    // Measured with this seed: 299 of 300 plans are exactly minimal, the other one takes one request more.
    expect(optimal / rounds).toBeGreaterThanOrEqual(0.95);
    expect(extra).toBe(rounds - optimal);
  });
});
