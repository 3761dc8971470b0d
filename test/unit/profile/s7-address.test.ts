import { describe, expect, it } from 'vitest';
import { parseS7Address, type S7Address } from '../../../src-shared/common/profile/s7-address.ts';

type Expected = Omit<S7Address, 'protocol'>;
const loc = (
  area: S7Address['area'],
  db: number,
  start: number,
  type: S7Address['type'],
  length: number,
  bit: number | null = null,
  maxLength: number | null = null,
): Expected => ({ area, db, start, bit, length, type, maxLength });

describe('S7 addresses (nodes7 syntax)', () => {
  it.each([
    ['DB1,REAL0', 'REAL', loc('DB', 1, 0, 'REAL', 4)],
    ['DB1,R4', 'REAL', loc('DB', 1, 4, 'REAL', 4)],
    ['DB1,INT4', 'INT', loc('DB', 1, 4, 'INT', 2)],
    ['DB1,I6', 'INT', loc('DB', 1, 6, 'INT', 2)],
    ['DB1,DINT8', 'DINT', loc('DB', 1, 8, 'DINT', 4)],
    ['DB1,DI12', 'DINT', loc('DB', 1, 12, 'DINT', 4)],
    ['DB1,X8.0', 'BOOL', loc('DB', 1, 8, 'BOOL', 1, 0)],
    ['DB1,X8.7', 'BOOL', loc('DB', 1, 8, 'BOOL', 1, 7)],
    ['DB1,S20.10', 'STRING', loc('DB', 1, 20, 'STRING', 12, null, 10)],
    ['DB1,STRING20.254', 'STRING', loc('DB', 1, 20, 'STRING', 256, null, 254)],
    ['DB1,BYTE3', 'BYTE', loc('DB', 1, 3, 'BYTE', 1)],
    ['DB1,B3', 'BYTE', loc('DB', 1, 3, 'BYTE', 1)],
    ['DB1,WORD6', 'WORD', loc('DB', 1, 6, 'WORD', 2)],
    ['DB1,W6', 'WORD', loc('DB', 1, 6, 'WORD', 2)],
    ['DB1,DWORD10', 'DWORD', loc('DB', 1, 10, 'DWORD', 4)],
    ['DB1,DW10', 'DWORD', loc('DB', 1, 10, 'DWORD', 4)],
    ['DB1,CHAR5', 'CHAR', loc('DB', 1, 5, 'CHAR', 1)],
    ['DB1,C5', 'CHAR', loc('DB', 1, 5, 'CHAR', 1)],
    ['DB1,LREAL16', 'LREAL', loc('DB', 1, 16, 'LREAL', 8)],
    ['DB1,LR16', 'LREAL', loc('DB', 1, 16, 'LREAL', 8)],
    ['DB1,LINT24', 'LINT', loc('DB', 1, 24, 'LINT', 8)],
    ['DB65535,LI0', 'LINT', loc('DB', 65535, 0, 'LINT', 8)],
    ['db2,real0', 'real', loc('DB', 2, 0, 'REAL', 4)],
    ['MW10', 'WORD', loc('M', 0, 10, 'WORD', 2)],
    ['MB3', 'BYTE', loc('M', 0, 3, 'BYTE', 1)],
    ['MC3', 'CHAR', loc('M', 0, 3, 'CHAR', 1)],
    ['MI6', 'INT', loc('M', 0, 6, 'INT', 2)],
    ['MD4', 'DWORD', loc('M', 0, 4, 'DWORD', 4)],
    ['MDI4', 'DINT', loc('M', 0, 4, 'DINT', 4)],
    ['MR8', 'REAL', loc('M', 0, 8, 'REAL', 4)],
    ['MLR8', 'LREAL', loc('M', 0, 8, 'LREAL', 8)],
    ['MLI8', 'LINT', loc('M', 0, 8, 'LINT', 8)],
    ['M0.1', 'BOOL', loc('M', 0, 0, 'BOOL', 1, 1)],
    ['I0.0', 'BOOL', loc('I', 0, 0, 'BOOL', 1, 0)],
    ['E0.0', 'BOOL', loc('I', 0, 0, 'BOOL', 1, 0)],
    ['Q0.1', 'BOOL', loc('Q', 0, 0, 'BOOL', 1, 1)],
    ['A0.1', 'BOOL', loc('Q', 0, 0, 'BOOL', 1, 1)],
    ['IW4', 'WORD', loc('I', 0, 4, 'WORD', 2)],
    ['EW4', 'WORD', loc('I', 0, 4, 'WORD', 2)],
    ['ID8', 'DWORD', loc('I', 0, 8, 'DWORD', 4)],
    ['IR8', 'REAL', loc('I', 0, 8, 'REAL', 4)],
    ['QW2', 'WORD', loc('Q', 0, 2, 'WORD', 2)],
    ['AW2', 'WORD', loc('Q', 0, 2, 'WORD', 2)],
    ['QB7', 'BYTE', loc('Q', 0, 7, 'BYTE', 1)],
    ['QDI4', 'DINT', loc('Q', 0, 4, 'DINT', 4)],
  ] as const)('%s as %s', (address, type, expected) => {
    expect(parseS7Address(address, type)).toEqual({ ok: true, address: { protocol: 's7', ...expected } });
  });

  it.each([
    ['DB1,REAL0', 'INT', 'type', /holds a REAL .* the type says INT/],
    ['MD4', 'DINT', 'type', /holds a DWORD/],
    ['DB1,X8', 'BOOL', 'address', /needs the bit number/],
    ['DB1,X8.8', 'BOOL', 'address', /bits 0 to 7/],
    ['M0.9', 'BOOL', 'address', /bits 0 to 7/],
    ['M0', 'BOOL', 'address', /needs the bit number/],
    ['DB1,X8.0.16', 'BOOL', 'address', /bit array/],
    ['DB1,S20', 'STRING', 'address', /needs its maximum length/],
    ['DB1,S20.255', 'STRING', 'address', /1 to 254 characters/],
    ['DB1,S20.0', 'STRING', 'address', /1 to 254 characters/],
    ['DB1,S20.10.3', 'STRING', 'address', /array of strings/],
    ['DB1,REAL0.10', 'REAL', 'address', /array of 10 values/],
    ['MW10.2', 'WORD', 'address', /array of 2 values/],
    ['DB0,INT0', 'INT', 'address', /numbered 1 to 65535/],
    ['DB70000,INT0', 'INT', 'address', /numbered 1 to 65535/],
    ['DB1,FOO0', 'INT', 'address', /"FOO" is not an S7 data type/],
    ['DB1,DTL0', 'INT', 'address', /DTL data type is not supported/],
    ['DB1,INT2097151', 'INT', 'address', /beyond the last addressable S7 byte/],
    ['DB1INT0', 'INT', 'address', /not an S7 address/],
    ['DB1', 'INT', 'address', /needs a comma/],
    ['PIW256', 'WORD', 'address', /Peripheral I\/O cannot be captured/],
    ['T5', 'WORD', 'address', /Timers cannot be captured/],
    ['C5', 'WORD', 'address', /Counters cannot be captured/],
    ['XW5', 'WORD', 'address', /not an S7 address/],
    ['DB1,REAL 0', 'REAL', 'address', /not an S7 address/],
    ['', 'REAL', 'address', /empty/],
    ['MW10', 'UINT', 'type', /Unknown S7 type "UINT"/],
  ] as const)('refuses %s as %s (%s column)', (address, type, column, message) => {
    const r = parseS7Address(address, type);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]?.column).toBe(column);
    expect(r.problems[0]?.message).toMatch(message);
  });
});
