/**
 * Logix atomic data types: CIP elementary type codes (CIP Vol 1 Appendix C-6.1), sizes, and the little-endian
 * value codec. Structures (UDTs and the predefined STRING) travel as the abbreviated structure type 0x02A0
 * followed by the structure handle (Appendix C-6.2; Logix 1756-PM020 "Read Tag Service").
 */
import { BaselineError } from '../../../../src-shared/common/errors.ts';

/** Atomic types a simulated Logix tag or member may have; DWORD is how Logix stores BOOL arrays (32 bits per element). */
export type AtomicTypeName = 'BOOL' | 'SINT' | 'INT' | 'DINT' | 'LINT' | 'REAL' | 'LREAL' | 'DWORD';

/** Code and size of one atomic type. */
export interface AtomicTypeInfo {
  name: AtomicTypeName;
  code: number;
  size: number;
}

/** The atomic types by name (codes from CIP Vol 1 Table C-6.1). */
export const ATOMIC_TYPES: Readonly<Record<AtomicTypeName, AtomicTypeInfo>> = {
  BOOL: { name: 'BOOL', code: 0xc1, size: 1 },
  SINT: { name: 'SINT', code: 0xc2, size: 1 },
  INT: { name: 'INT', code: 0xc3, size: 2 },
  DINT: { name: 'DINT', code: 0xc4, size: 4 },
  LINT: { name: 'LINT', code: 0xc5, size: 8 },
  REAL: { name: 'REAL', code: 0xca, size: 4 },
  LREAL: { name: 'LREAL', code: 0xcb, size: 8 },
  DWORD: { name: 'DWORD', code: 0xd3, size: 4 },
};

/** The abbreviated structure type code (0xA0 with length 0x02, read as a UINT), followed by the structure handle. */
export const STRUCT_TYPE_CODE = 0x02a0;

/** The atomic type with this CIP code, if any. */
export function atomicByCode(code: number): AtomicTypeInfo | undefined {
  return Object.values(ATOMIC_TYPES).find((t) => t.code === code);
}

/** True for the names of atomic types (case-insensitive). */
export function isAtomicTypeName(name: string): name is AtomicTypeName {
  return Object.hasOwn(ATOMIC_TYPES, name.toUpperCase());
}

const INT_RANGES: Partial<Record<AtomicTypeName, [number, number]>> = {
  SINT: [-0x80, 0x7f],
  INT: [-0x8000, 0x7fff],
  DINT: [-0x80000000, 0x7fffffff],
  DWORD: [-0x80000000, 0xffffffff],
};

function badValue(type: AtomicTypeName, value: unknown, why: string): BaselineError {
  return new BaselineError(
    'logix-sim-value',
    `${JSON.stringify(typeof value === 'bigint' ? value.toString() : value)} is not a ${type} value: ${why}.`,
    "Give BOOL true/false, integers within the type's range (LINT as a number, a decimal string or a bigint), and numbers for REAL and LREAL.",
  );
}

/** Writes one atomic value at `offset`; refuses values of the wrong kind or out of range. */
export function writeAtomic(type: AtomicTypeName, value: unknown, buf: Buffer, offset: number): void {
  switch (type) {
    case 'BOOL':
      if (typeof value !== 'boolean' && value !== 0 && value !== 1) throw badValue(type, value, 'use true or false');
      buf.writeUInt8(value === true || value === 1 ? 1 : 0, offset);
      return;
    case 'SINT':
    case 'INT':
    case 'DINT':
    case 'DWORD': {
      const [min, max] = INT_RANGES[type] as [number, number];
      if (typeof value !== 'number' || !Number.isInteger(value)) throw badValue(type, value, 'not an integer');
      if (value < min || value > max) throw badValue(type, value, `outside ${min}..${max}`);
      if (type === 'SINT') buf.writeInt8(value, offset);
      else if (type === 'INT') buf.writeInt16LE(value, offset);
      else buf.writeUInt32LE(value >>> 0, offset);
      return;
    }
    case 'LINT': {
      let big: bigint;
      try {
        if (typeof value === 'bigint') big = value;
        else if (typeof value === 'number' && Number.isSafeInteger(value)) big = BigInt(value);
        else if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) big = BigInt(value.trim());
        else throw badValue(type, value, 'not a whole number');
      } catch (err) {
        if (err instanceof BaselineError) throw err;
        throw badValue(type, value, 'not a whole number');
      }
      if (big < -(2n ** 63n) || big >= 2n ** 63n) throw badValue(type, value, 'outside the 64-bit signed range');
      buf.writeBigInt64LE(big, offset);
      return;
    }
    case 'REAL':
    case 'LREAL':
      if (typeof value !== 'number') throw badValue(type, value, 'not a number');
      if (type === 'REAL') buf.writeFloatLE(value, offset);
      else buf.writeDoubleLE(value, offset);
      return;
  }
}

/** Reads one atomic value at `offset` (BOOL as boolean, LINT as bigint, DWORD as an unsigned number). */
export function readAtomic(type: AtomicTypeName, buf: Buffer, offset: number): boolean | number | bigint {
  switch (type) {
    case 'BOOL':
      return buf.readUInt8(offset) !== 0;
    case 'SINT':
      return buf.readInt8(offset);
    case 'INT':
      return buf.readInt16LE(offset);
    case 'DINT':
      return buf.readInt32LE(offset);
    case 'DWORD':
      return buf.readUInt32LE(offset);
    case 'LINT':
      return buf.readBigInt64LE(offset);
    case 'REAL':
      return buf.readFloatLE(offset);
    case 'LREAL':
      return buf.readDoubleLE(offset);
  }
}
