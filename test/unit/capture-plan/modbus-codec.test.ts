import { describe, expect, it } from 'vitest';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { parseModbusAddress, type ModbusAddress, type ModbusType } from '../../../src-shared/common/profile/modbus-address.ts';
import {
  decodeModbusRead,
  decodeModbusRegisters,
  encodeModbusRegisters,
  type ModbusValue,
} from '../../../src-main/devices/modbus/modbus-codec.ts';
import { planModbus } from '../../../src-main/devices/modbus/modbus-plan.ts';
import type { PlannedTag } from '../../../src-main/devices/planned-tag.ts';
import { pick, randomInt, seededRandom } from './seeded-random.ts';

const f32bits = (value: number): number => {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, value);
  return v.getUint32(0);
};
const fromBits = (bits: number): number => {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, bits);
  return v.getFloat32(0);
};

describe('Modbus values', () => {
  it.each([
    ['INT16', 0, [0]],
    ['INT16', -1, [0xffff]],
    ['INT16', -32768, [0x8000]],
    ['INT16', 32767, [0x7fff]],
    ['UINT16', 65535, [0xffff]],
    ['UINT16', 1, [1]],
    ['INT32', -1, [0xffff, 0xffff]],
    ['INT32', -2147483648, [0x8000, 0]],
    ['INT32', 2147483647, [0x7fff, 0xffff]],
    ['INT32', 123456789, [0x075b, 0xcd15]],
    ['UINT32', 4294967295, [0xffff, 0xffff]],
    ['UINT32', 65536, [1, 0]],
    ['FLOAT32', 1.5, [0x3fc0, 0]],
    ['FLOAT32', -2, [0xc000, 0]],
  ] as const)('%s %d is registers %j high word first and decodes back', (type, value, registers) => {
    expect(encodeModbusRegisters(type, value)).toEqual(registers);
    expect(decodeModbusRegisters(type, registers, 0)).toBe(value);
  });

  it('swaps the words when the controller puts the low word first', () => {
    expect(encodeModbusRegisters('INT32', 123456789, { wordOrder: 'low-first' })).toEqual([0xcd15, 0x075b]);
    expect(decodeModbusRegisters('INT32', [0xcd15, 0x075b], 0, null, { wordOrder: 'low-first' })).toBe(123456789);
    expect(decodeModbusRegisters('FLOAT32', [0, 0x3fc0], 0, null, { wordOrder: 'low-first' })).toBe(1.5);
    expect(encodeModbusRegisters('INT16', -2, { wordOrder: 'low-first' })).toEqual([0xfffe]);
  });

  // Bit-for-bit: NaN with payload, negative zero, the smallest and largest denormals, infinities.
  it.each([
    0x7fc00000, 0x7fc12345, 0xffc00001, 0x80000000, 0x00000000, 0x00000001, 0x007fffff, 0x80000001, 0x7f800000, 0xff800000, 0x7f7fffff,
  ])('FLOAT32 bits %s survive encode and decode in both word orders', (bits) => {
    for (const wordOrder of ['high-first', 'low-first'] as const) {
      const registers = [bits >>> 16, bits & 0xffff];
      const wire = wordOrder === 'high-first' ? registers : [registers[1] as number, registers[0] as number];
      const value = decodeModbusRegisters('FLOAT32', wire, 0, null, { wordOrder }) as number;
      expect(f32bits(value)).toBe(bits);
      expect(Object.is(value, fromBits(bits))).toBe(true);
      expect(encodeModbusRegisters('FLOAT32', value, { wordOrder })).toEqual(wire);
    }
  });

  it('decodes a signalling NaN as NaN (JavaScript quiets its payload: only the quiet bit changes)', () => {
    const value = decodeModbusRegisters('FLOAT32', [0x7f80, 0x0001], 0) as number;
    expect(Number.isNaN(value)).toBe(true);
    expect(f32bits(value) & ~0x00400000).toBe(0x7f800001);
  });

  it('decodes register bits, bit 0 least significant', () => {
    expect([0, 1, 14, 15].map((b) => decodeModbusRegisters('BOOL', [0x8001], 0, b))).toEqual([true, false, false, true]);
  });

  it.each([
    ['INT16', 32768],
    ['INT16', -32769],
    ['INT16', 1.5],
    ['UINT16', -1],
    ['UINT16', 65536],
    ['INT32', 2147483648],
    ['UINT32', -1],
    ['UINT32', 4294967296],
  ] as const)('refuses to encode %s %d', (type, value) => {
    expect(() => encodeModbusRegisters(type, value)).toThrow(BaselineError);
  });

  it('refuses a reply that is too short or not made of 16-bit registers', () => {
    const [read] = planModbus([{ tag: 'a', location: parseOk('hr:0', 'INT32') }]).reads;
    if (read === undefined) throw new Error('no read');
    expect(() => decodeModbusRead(read, [1])).toThrow(/carries only 1/);
    expect(() => decodeModbusRead(read, [1, 70000])).toThrow(/not a 16-bit value/);
  });
});

function parseOk(address: string, type: string): ModbusAddress {
  const r = parseModbusAddress(address, type);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.address;
}

describe('Modbus plan decoding: plan, read from a simulated device, decode, compare', () => {
  it('gets back every value written to random register maps (both word orders)', () => {
    const random = seededRandom(99);
    for (let round = 0; round < 50; round++) {
      const wordOrder = pick(random, ['high-first', 'low-first'] as const);
      const tables = {
        hr: new Array<number>(65536).fill(0),
        ir: new Array<number>(65536).fill(0),
        co: new Array<boolean>(65536).fill(false),
        di: new Array<boolean>(65536).fill(false),
      };
      const expected = new Map<string, ModbusValue>();
      const tags: PlannedTag<ModbusAddress>[] = [];
      const usedRegisters = new Set<string>();
      for (let i = 0; i < 80; i++) {
        const table = pick(random, ['hr', 'ir', 'co', 'di'] as const);
        const offset = randomInt(random, 0, 600);
        if (table === 'co' || table === 'di') {
          if (usedRegisters.has(`${table}${offset}`)) continue;
          usedRegisters.add(`${table}${offset}`);
          const v = random() < 0.5;
          tables[table][offset] = v;
          tags.push({ tag: `t${i}`, location: parseOk(`${table}:${offset}`, 'BOOL') });
          expected.set(`t${i}`, v);
          continue;
        }
        const type = pick(random, ['INT16', 'UINT16', 'INT32', 'UINT32', 'FLOAT32'] as ModbusType[]) as Exclude<ModbusType, 'BOOL'>;
        const count = type === 'INT16' || type === 'UINT16' ? 1 : 2;
        if (usedRegisters.has(`${table}${offset}`) || usedRegisters.has(`${table}${offset + 1}`)) continue;
        for (let k = 0; k < count; k++) usedRegisters.add(`${table}${offset + k}`);
        const value =
          type === 'INT16'
            ? randomInt(random, -32768, 32767)
            : type === 'UINT16'
              ? randomInt(random, 0, 65535)
              : type === 'INT32'
                ? randomInt(random, -2147483648, 2147483647)
                : type === 'UINT32'
                  ? randomInt(random, 0, 4294967295)
                  : fromBits(randomInt(random, 0, 4294967295));
        encodeModbusRegisters(type, value, { wordOrder }).forEach((r, k) => {
          tables[table][offset + k] = r;
        });
        tags.push({ tag: `t${i}`, location: parseOk(`${table}:${offset}`, type) });
        expected.set(`t${i}`, value);
      }
      const plan = planModbus(tags);
      const got = new Map<string, ModbusValue>();
      for (const read of plan.reads) {
        const data = tables[read.table].slice(read.start, read.start + read.count);
        for (const [k, v] of decodeModbusRead(read, data as number[] | boolean[], { wordOrder })) got.set(k, v);
      }
      expect(got.size).toBe(expected.size);
      for (const [k, v] of expected)
        expect(Object.is(got.get(k), v) || (Number.isNaN(v as number) && Number.isNaN(got.get(k) as number)), `${k} round ${round}`).toBe(
          true,
        );
    }
  });
});
