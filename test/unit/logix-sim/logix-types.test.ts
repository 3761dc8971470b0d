/** Atomic value codec and UDT layout / Template object encoding. */
import { describe, expect, it } from 'vitest';
import { readAtomic, writeAtomic, type AtomicTypeName } from '../../../src-main/devices/simulator/logix/logix-types.ts';
import {
  atomicType,
  definitionWords,
  layoutTemplate,
  stringTemplate,
  typeField,
  type DataType,
} from '../../../src-main/devices/simulator/logix/logix-templates.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';

describe('atomic values (little-endian, CIP Vol 1 C-6.1)', () => {
  const cases: Array<[AtomicTypeName, unknown, string, unknown]> = [
    ['BOOL', true, '01', true],
    ['SINT', -2, 'fe', -2],
    ['INT', -300, 'd4fe', -300],
    ['DINT', 0x12345678, '78563412', 0x12345678],
    ['LINT', '-9007199254740993', 'ffffffffffffdfff', -9007199254740993n], // 2^64 - 2^53 - 1, little-endian
    ['REAL', 12.5, '00004841', 12.5],
    ['LREAL', 0.1, '9a9999999999b93f', 0.1],
    ['DWORD', 0xffffffff, 'ffffffff', 0xffffffff],
  ];
  for (const [type, value, bytes, back] of cases) {
    it(`${type} ${String(value)}`, () => {
      const buf = Buffer.alloc(bytes.length / 2);
      writeAtomic(type, value, buf, 0);
      expect(buf.toString('hex')).toBe(bytes);
      expect(readAtomic(type, buf, 0)).toEqual(back);
    });
  }

  it('refuses values of the wrong kind or out of range', () => {
    const bad: Array<[AtomicTypeName, unknown]> = [
      ['SINT', 128],
      ['INT', 1.5],
      ['DINT', '3'],
      ['BOOL', 'yes'],
      ['LINT', 2n ** 63n],
      ['LINT', 1.5],
      ['REAL', '1'],
    ];
    for (const [type, value] of bad)
      expect(() => writeAtomic(type, value, Buffer.alloc(8), 0), `${type} ${String(value)}`).toThrow(BaselineError);
  });
});

describe('UDT layout and Template object', () => {
  const resolve = (name: string): DataType => {
    if (name === 'STRING') return { kind: 'struct', template: stringTemplate() };
    return atomicType(name as 'DINT');
  };

  it('the predefined STRING: LEN DINT @0, DATA SINT[82] @4, 88 bytes, handle 0x0FCE', () => {
    const s = stringTemplate();
    expect({ size: s.size, handle: s.handle, id: s.instanceId, words: definitionWords(s) }).toEqual({
      size: 88,
      handle: 0x0fce,
      id: 0x0fce,
      words: 14,
    });
    expect(typeField({ kind: 'struct', template: s }).toString('hex')).toBe('a002ce0f');
  });

  it('aligns members to their size, packs BOOLs into a hidden SINT, and rounds the size to the alignment', () => {
    const t = layoutTemplate(
      {
        name: 'Mix',
        members: [
          { name: 'A', type: 'BOOL' },
          { name: 'B', type: 'BOOL' },
          { name: 'S', type: 'SINT' },
          { name: 'I', type: 'INT' },
          { name: 'L', type: 'LINT' },
          { name: 'C', type: 'BOOL' },
          { name: 'R', type: 'REAL', dims: 3 },
          { name: 'Bits', type: 'BOOL', dims: 40 },
          { name: 'Name', type: 'STRING' },
        ],
      },
      0x123,
      resolve,
    );
    const at = Object.fromEntries(t.members.map((m) => [m.name, [m.offset, m.bit ?? null, m.arrayLength, m.hidden]]));
    expect(at).toEqual({
      ZZZZZZZZZZMix0: [0, null, 0, true],
      A: [0, 0, 0, false],
      B: [0, 1, 0, false],
      S: [1, null, 0, false],
      I: [2, null, 0, false],
      L: [8, null, 0, false],
      ZZZZZZZZZZMix1: [16, null, 0, true],
      C: [16, 0, 0, false],
      R: [20, null, 3, false],
      Bits: [32, null, 2, false],
      Name: [40, null, 0, false],
    });
    expect(t.size).toBe(128); // 40 + 88 = 128, a multiple of 8 (the LINT's alignment)
    expect(t.alignment).toBe(8);
    // Definition: per member info, type (0x2000 = array), offset; then names.
    const member = (i: number) => [
      t.definition.readUInt16LE(i * 8),
      t.definition.readUInt16LE(i * 8 + 2),
      t.definition.readUInt32LE(i * 8 + 4),
    ];
    expect(member(1)).toEqual([0, 0xc1, 0]); // A: bit 0
    expect(member(2)).toEqual([1, 0xc1, 0]); // B: bit 1
    expect(member(8)).toEqual([3, 0x20ca, 20]); // R: REAL[3]
    expect(member(9)).toEqual([2, 0x20d3, 32]); // Bits: DWORD[2]
    expect(member(10)).toEqual([0, 0x8fce, 40]); // Name: STRING
    expect(
      t.definition
        .subarray(t.members.length * 8)
        .toString('latin1')
        .split('\0')
        .slice(0, 3),
    ).toEqual(['Mix', 'ZZZZZZZZZZMix0', 'A']);
    expect(definitionWords(t) * 4 - 23).toBeGreaterThanOrEqual(t.definition.length);
  });

  it('refuses duplicate and empty member lists', () => {
    expect(() =>
      layoutTemplate(
        {
          name: 'D',
          members: [
            { name: 'A', type: 'DINT' },
            { name: 'a', type: 'DINT' },
          ],
        },
        1,
        resolve,
      ),
    ).toThrow(/twice/);
    expect(() => layoutTemplate({ name: 'E', members: [] }, 1, resolve)).toThrow(/no members/);
  });
});
