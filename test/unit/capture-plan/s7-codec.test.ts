import { describe, expect, it } from 'vitest';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { parseS7Address, type S7Address } from '../../../src-shared/common/profile/s7-address.ts';
import { decodeS7Item, decodeS7Plan, decodeS7Value, encodeS7Value, type S7Value } from '../../../src-main/devices/s7/s7-codec.ts';
import { planS7 } from '../../../src-main/devices/s7/s7-plan.ts';
import type { PlannedTag } from '../../../src-main/devices/planned-tag.ts';
import { pick, randomInt, seededRandom } from './seeded-random.ts';

function at(address: string, type: string): S7Address {
  const r = parseS7Address(address, type);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.address;
}

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const bytes = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

describe('S7 values', () => {
  it.each([
    ['DB1,BYTE0', 'BYTE', 255, 'ff'],
    ['DB1,CHAR0', 'CHAR', 'A', '41'],
    ['DB1,CHAR0', 'CHAR', '\u00e9', 'e9'],
    ['DB1,WORD0', 'WORD', 0xbeef, 'beef'],
    ['DB1,INT0', 'INT', -1, 'ffff'],
    ['DB1,INT0', 'INT', -32768, '8000'],
    ['DB1,INT0', 'INT', 32767, '7fff'],
    ['DB1,DWORD0', 'DWORD', 0xdeadbeef, 'deadbeef'],
    ['DB1,DINT0', 'DINT', -2147483648, '80000000'],
    ['DB1,DINT0', 'DINT', -2, 'fffffffe'],
    ['DB1,REAL0', 'REAL', 1.5, '3fc00000'],
    ['DB1,REAL0', 'REAL', -0, '80000000'],
    ['DB1,LREAL0', 'LREAL', -0.1, 'bfb999999999999a'],
    ['DB1,LINT0', 'LINT', -(2n ** 63n), '8000000000000000'],
    ['DB1,LINT0', 'LINT', 2n ** 63n - 1n, '7fffffffffffffff'],
    ['DB1,S0.4', 'STRING', 'ab', '04026162' + '0000'],
    ['DB1,S0.4', 'STRING', '', '0400' + '00000000'],
    ['DB1,S0.3', 'STRING', '\u00b0C!', '0303b04321'],
  ] as const)('%s %s %s is big-endian %s and decodes back', (address, type, value, wire) => {
    const a = at(address, type);
    expect(hex(encodeS7Value(a, value))).toBe(wire);
    expect(Object.is(decodeS7Value(a, bytes(wire)), value)).toBe(true);
  });

  it.each([0x7fc00000, 0x7fc12345, 0xffc00001, 0x80000000, 0x00000001, 0x007fffff, 0x80000001, 0x7f800000, 0xff800000])(
    'REAL bits %s survive decode and encode bit for bit',
    (bits) => {
      const wire = new Uint8Array(4);
      new DataView(wire.buffer).setUint32(0, bits);
      const value = decodeS7Value(at('DB1,REAL0', 'REAL'), wire) as number;
      expect(hex(encodeS7Value(at('DB1,REAL0', 'REAL'), value))).toBe(hex(wire));
    },
  );

  it('LREAL keeps -0, NaN payloads and denormals bit for bit', () => {
    for (const h of ['8000000000000000', '7ff8000000000123', '0000000000000001', '000fffffffffffff']) {
      const a = at('DB1,LREAL0', 'LREAL');
      expect(hex(encodeS7Value(a, decodeS7Value(a, bytes(h))))).toBe(h);
    }
  });

  it('decodes BOOL from its bit and encodes a bit write as 1 or 0', () => {
    expect([0, 1, 7].map((b) => decodeS7Value(at(`DB1,X0.${b}`, 'BOOL'), bytes('81')))).toEqual([true, false, true]);
    expect(hex(encodeS7Value(at('DB1,X0.3', 'BOOL'), true))).toBe('01');
  });

  it('decodes at an offset inside a larger buffer', () => {
    expect(decodeS7Value(at('DB1,INT0', 'INT'), bytes('00112233fffe'), 4)).toBe(-2);
  });

  it.each([
    ['the actual length exceeds the profile', 'DB1,S0.2', '0a03616263'.slice(0, 8)],
    ['the actual length exceeds the controller maximum', 'DB1,S0.4', '020300000000'],
  ])('refuses a string when %s', (_why, address, wire) => {
    expect(() => decodeS7Value(at(address, 'STRING'), bytes(wire))).toThrow(/string's header says/);
  });

  it('refuses a short buffer', () => {
    expect(() => decodeS7Value(at('DB1,DINT0', 'DINT'), bytes('0001'))).toThrow(/needs 4/);
  });

  it.each([
    ['DB1,INT0', 'INT', 40000],
    ['DB1,BYTE0', 'BYTE', 256],
    ['DB1,WORD0', 'WORD', -1],
    ['DB1,DINT0', 'DINT', 1.5],
    ['DB1,LINT0', 'LINT', 5],
    ['DB1,LINT0', 'LINT', 2n ** 63n],
    ['DB1,S0.2', 'STRING', 'abc'],
    ['DB1,S0.4', 'STRING', '\u20ac'],
    ['DB1,CHAR0', 'CHAR', 'ab'],
    ['DB1,X0.0', 'BOOL', 1],
    ['DB1,REAL0', 'REAL', '1'],
  ] as const)('refuses to encode %s %s %s', (address, type, value) => {
    expect(() => encodeS7Value(at(address, type), value as S7Value)).toThrow(BaselineError);
  });
});

describe('S7 plan decoding: plan, read from simulated memory, decode, compare', () => {
  // One byte array per area/DB stands in for the controller; executing a plan is slicing it per item.
  function execute(memory: Map<string, Uint8Array>, plan: ReturnType<typeof planS7>): Uint8Array[][] {
    return plan.reads.map((r) => r.items.map((i) => (memory.get(`${i.area}${i.db}`) as Uint8Array).slice(i.start, i.start + i.length)));
  }

  it('gets back every value of random layouts at PDU 240, 480 and 960', () => {
    const random = seededRandom(31337);
    for (let round = 0; round < 60; round++) {
      const memory = new Map<string, Uint8Array>();
      const expected = new Map<string, S7Value>();
      const tags: PlannedTag<S7Address>[] = [];
      const taken = new Map<string, Set<number>>();
      for (let i = 0; i < 120; i++) {
        const [area, prefix] = pick(random, [
          ['DB1', 'DB1,'],
          ['DB7', 'DB7,'],
          ['M0', 'M'],
          ['I0', 'I'],
          ['Q0', 'Q'],
        ] as const);
        const isDb = prefix.startsWith('DB');
        const kinds: readonly (readonly [string, S7Address['type']])[] = isDb
          ? [
              ['X', 'BOOL'],
              ['BYTE', 'BYTE'],
              ['CHAR', 'CHAR'],
              ['WORD', 'WORD'],
              ['INT', 'INT'],
              ['DWORD', 'DWORD'],
              ['DINT', 'DINT'],
              ['REAL', 'REAL'],
              ['LREAL', 'LREAL'],
              ['LINT', 'LINT'],
              ['S', 'STRING'],
            ]
          : [
              ['', 'BOOL'],
              ['B', 'BYTE'],
              ['W', 'WORD'],
              ['I', 'INT'],
              ['D', 'DWORD'],
              ['DI', 'DINT'],
              ['R', 'REAL'],
              ['LR', 'LREAL'],
            ];
        const [kind, type] = pick(random, kinds);
        const start = randomInt(random, 0, 1500);
        const maxLength = randomInt(random, 1, 254);
        const address =
          type === 'BOOL'
            ? `${prefix}${kind}${start}.${randomInt(random, 0, 7)}`
            : type === 'STRING'
              ? `${prefix}S${start}.${maxLength}`
              : `${prefix}${kind}${start}`;
        const a = at(address, type);
        const used = taken.get(area) ?? new Set<number>();
        const key = (b: number): number => (type === 'BOOL' ? b * 8 + (a.bit ?? 0) : b * 8);
        const span = Array.from({ length: a.length }, (_, k) => a.start + k);
        // Non-BOOL values must not share bytes with anything; BOOLs must not share a bit or a non-BOOL byte.
        if (
          span.some(
            (b) =>
              used.has(b * 8 + 8) || (type !== 'BOOL' && [...Array(8).keys()].some((bit) => used.has(b * 8 + bit))) || used.has(key(b)),
          )
        )
          continue;
        for (const b of span) {
          used.add(key(b));
          if (type !== 'BOOL') used.add(b * 8 + 8);
        }
        taken.set(area, used);
        const mem = memory.get(area) ?? new Uint8Array(2000);
        memory.set(area, mem);
        let value: S7Value;
        switch (type) {
          case 'BOOL':
            value = random() < 0.5;
            break;
          case 'BYTE':
            value = randomInt(random, 0, 255);
            break;
          case 'CHAR':
            value = String.fromCharCode(randomInt(random, 0, 255));
            break;
          case 'WORD':
            value = randomInt(random, 0, 65535);
            break;
          case 'INT':
            value = randomInt(random, -32768, 32767);
            break;
          case 'DWORD':
            value = randomInt(random, 0, 4294967295);
            break;
          case 'DINT':
            value = randomInt(random, -2147483648, 2147483647);
            break;
          case 'REAL':
            value = Math.fround((random() - 0.5) * 1e6);
            break;
          case 'LREAL':
            value = (random() - 0.5) * 1e12;
            break;
          case 'LINT':
            value = BigInt(randomInt(random, -1e9, 1e9)) * 1000003n;
            break;
          case 'STRING':
            value = Array.from({ length: randomInt(random, 0, maxLength) }, () => String.fromCharCode(randomInt(random, 32, 255))).join('');
            break;
        }
        if (type === 'BOOL') {
          const bit = a.bit ?? 0;
          mem[a.start] = ((mem[a.start] ?? 0) & ~(1 << bit)) | ((value ? 1 : 0) << bit);
        } else {
          mem.set(encodeS7Value(a, value), a.start);
        }
        tags.push({ tag: `t${i}`, location: a });
        expected.set(`t${i}`, value);
      }
      for (const pduSize of [240, 480, 960]) {
        const plan = planS7(tags, { pduSize });
        const { values, bad } = decodeS7Plan(plan, execute(memory, plan));
        expect(bad.size, `round ${round} pdu ${pduSize}: ${[...bad.values()].join('; ')}`).toBe(0);
        for (const [k, v] of expected) expect(values.get(k), `${k} round ${round} pdu ${pduSize}`).toEqual(v);
      }
    }
  });

  it('reassembles a string split across items and decodes single items too', () => {
    const tags: PlannedTag<S7Address>[] = [
      { tag: 'long', location: at('DB1,S0.254', 'STRING') },
      { tag: 'n', location: at('DB1,INT256', 'INT') },
    ];
    const memory = new Map([['DB1', new Uint8Array(300)]]);
    const text = 'x'.repeat(200) + '\u00e9'.repeat(54);
    (memory.get('DB1') as Uint8Array).set(encodeS7Value(tags[0]?.location as S7Address, text), 0);
    (memory.get('DB1') as Uint8Array).set(encodeS7Value(tags[1]?.location as S7Address, -7), 256);
    const plan = planS7(tags);
    const data = execute(memory, plan);
    expect(decodeS7Plan(plan, data).values).toEqual(
      new Map<string, S7Value>([
        ['long', text],
        ['n', -7],
      ]),
    );
    const intPiece = plan.tags[1]?.pieces[0];
    if (intPiece === undefined) throw new Error('no piece');
    expect(decodeS7Item(plan, intPiece.read, intPiece.item, data[intPiece.read]?.[intPiece.item] as Uint8Array).get('n')).toBe(-7);
  });

  it('marks tags of a failed item bad and decodes the rest', () => {
    const tags: PlannedTag<S7Address>[] = [
      { tag: 'a', location: at('DB1,INT0', 'INT') },
      { tag: 'b', location: at('DB2,INT0', 'INT') },
      { tag: 's', location: at('DB3,S0.4', 'STRING') },
    ];
    const plan = planS7(tags);
    expect(plan.reads).toHaveLength(1);
    const result = decodeS7Plan(plan, [[bytes('0005'), undefined, bytes('0409')]]);
    expect(result.values).toEqual(new Map([['a', 5]]));
    expect([...result.bad.keys()]).toEqual(['b', 's']);
    expect(result.bad.get('b')).toMatch(/returned no data/);
    expect(result.bad.get('s')).toMatch(/fewer than planned/);
    const malformed = decodeS7Plan(plan, [[bytes('0005'), bytes('0006'), bytes('040900000000')]]);
    expect(malformed.bad.get('s')).toMatch(/header says 9 characters/);
  });
});
