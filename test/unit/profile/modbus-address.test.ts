import { describe, expect, it } from 'vitest';
import { formatModbusAddress, parseModbusAddress } from '../../../src-shared/common/profile/modbus-address.ts';

describe('Modbus addresses', () => {
  it.each([
    ['hr:0', 'INT16', { table: 'hr', offset: 0, bit: null, type: 'INT16', count: 1 }],
    ['hr:100', 'FLOAT32', { table: 'hr', offset: 100, bit: null, type: 'FLOAT32', count: 2 }],
    ['ir:7', 'uint32', { table: 'ir', offset: 7, bit: null, type: 'UINT32', count: 2 }],
    ['IR:7', 'INT32', { table: 'ir', offset: 7, bit: null, type: 'INT32', count: 2 }],
    ['co:0', 'BOOL', { table: 'co', offset: 0, bit: null, type: 'BOOL', count: 1 }],
    ['di:65535', 'BOOL', { table: 'di', offset: 65535, bit: null, type: 'BOOL', count: 1 }],
    ['hr:65535', 'UINT16', { table: 'hr', offset: 65535, bit: null, type: 'UINT16', count: 1 }],
    ['hr:65534', 'INT32', { table: 'hr', offset: 65534, bit: null, type: 'INT32', count: 2 }], // registers 65534 and 65535
    ['hr:12.15', 'BOOL', { table: 'hr', offset: 12, bit: 15, type: 'BOOL', count: 1 }],
    ['ir:3.0', 'BOOL', { table: 'ir', offset: 3, bit: 0, type: 'BOOL', count: 1 }],
    [' hr:5 ', ' int16 ', { table: 'hr', offset: 5, bit: null, type: 'INT16', count: 1 }],
  ] as const)('%s as %s', (address, type, expected) => {
    const r = parseModbusAddress(address, type);
    expect(r).toEqual({ ok: true, address: { protocol: 'modbus', ...expected } });
    if (r.ok) expect(formatModbusAddress(r.address)).toBe(address.trim().toLowerCase());
  });

  it.each([
    ['hr:65535', 'INT32', 'address', /needs registers 65535 and 65536/],
    ['hr:65535', 'FLOAT32', 'address', /last register is 65535/],
    ['hr:65536', 'UINT16', 'address', /beyond the last Modbus offset/],
    ['co:5', 'INT16', 'type', /holds one bit: its type must be BOOL/],
    ['di:5', 'FLOAT32', 'type', /must be BOOL/],
    ['hr:5', 'BOOL', 'address', /needs a bit number/],
    ['hr:5.16', 'BOOL', 'address', /bits 0 to 15/],
    ['hr:5.3', 'INT16', 'type', /one bit of a register: its type must be BOOL/],
    ['co:5.1', 'BOOL', 'address', /has no bit number/],
    ['40001', 'INT16', 'address', /not a Modbus address/],
    ['hr:-1', 'INT16', 'address', /not a Modbus address/],
    ['hr:1x', 'INT16', 'address', /not a Modbus address/],
    ['hr 5', 'INT16', 'address', /not a Modbus address/],
    ['', 'INT16', 'address', /empty/],
    ['hr:5', 'INT64', 'type', /Unknown Modbus type "INT64"/],
    ['hr:5', '', 'type', /type is empty/],
  ] as const)('refuses %s as %s (%s column)', (address, type, column, message) => {
    const r = parseModbusAddress(address, type);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.column).toBe(column);
    expect(r.problems[0]?.message).toMatch(message);
  });

  it('reports a bad address and an unknown type together', () => {
    const r = parseModbusAddress('xx:1', 'DOUBLE');
    expect(r.ok ? [] : r.problems.map((p) => p.column)).toEqual(['type', 'address']);
  });
});
