/**
 * Modbus value encoding and decoding for capture and restore: registers are 16-bit big-endian words (Modbus
 * Application Protocol Specification V1.1b3 §4.2); a 32-bit value spans two registers, high word first unless the
 * controller's settings say the words are swapped (`wordOrder: 'low-first'`). FLOAT32 is IEEE 754 binary32.
 */
import { BaselineError } from '../../../src-shared/common/errors.ts';
import type { ModbusType } from '../../../src-shared/common/profile/modbus-address.ts';
import type { ModbusRead } from './modbus-plan.ts';

/** Which register of a 32-bit value comes first. */
export type ModbusWordOrder = 'high-first' | 'low-first';

/** Decoding/encoding options (from the controller's settings). */
export interface ModbusCodecOptions {
  /** Default 'high-first' (the Modbus convention of big-endian everything). */
  wordOrder?: ModbusWordOrder;
}

/** A decoded Modbus value: BOOL is a boolean, every other type a number. */
export type ModbusValue = number | boolean;

function checkRegister(value: number | undefined, index: number): number {
  if (value === undefined || !Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new BaselineError(
      'capture-reply-invalid',
      `Register ${index} of the reply is ${String(value)}, not a 16-bit value.`,
      'The device or driver returned a malformed reply; retry the capture and check the device.',
      { index, value: String(value) },
    );
  }
  return value;
}

/** Decodes one register-table value starting at `offset` of `registers` (bit: for register-bit BOOLs). */
export function decodeModbusRegisters(
  type: ModbusType,
  registers: readonly number[],
  offset: number,
  bit: number | null = null,
  options: ModbusCodecOptions = {},
): ModbusValue {
  const first = checkRegister(registers[offset], offset);
  switch (type) {
    case 'BOOL':
      return ((first >> (bit ?? 0)) & 1) === 1;
    case 'UINT16':
      return first;
    case 'INT16':
      return first >= 0x8000 ? first - 0x10000 : first;
    case 'INT32':
    case 'UINT32':
    case 'FLOAT32': {
      const second = checkRegister(registers[offset + 1], offset + 1);
      const [hi, lo] = options.wordOrder === 'low-first' ? [second, first] : [first, second];
      const view = new DataView(new ArrayBuffer(4));
      view.setUint16(0, hi);
      view.setUint16(2, lo);
      return type === 'INT32' ? view.getInt32(0) : type === 'UINT32' ? view.getUint32(0) : view.getFloat32(0);
    }
  }
}

function badValue(type: ModbusType, value: unknown, range: string): BaselineError {
  return new BaselineError(
    'value-out-of-range',
    `${String(value)} cannot be written as ${type}: ${range}.`,
    'Correct the value to write; nothing was written.',
    { type, value: String(value) },
  );
}

/** Encodes a value of a register type into registers (one, or two in the configured word order). */
export function encodeModbusRegisters(type: Exclude<ModbusType, 'BOOL'>, value: number, options: ModbusCodecOptions = {}): number[] {
  const view = new DataView(new ArrayBuffer(4));
  switch (type) {
    case 'UINT16':
      if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw badValue(type, value, 'it takes whole numbers from 0 to 65535');
      return [value];
    case 'INT16':
      if (!Number.isInteger(value) || value < -0x8000 || value > 0x7fff)
        throw badValue(type, value, 'it takes whole numbers from -32768 to 32767');
      return [value & 0xffff];
    case 'INT32':
      if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff)
        throw badValue(type, value, 'it takes whole numbers from -2147483648 to 2147483647');
      view.setInt32(0, value);
      break;
    case 'UINT32':
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
        throw badValue(type, value, 'it takes whole numbers from 0 to 4294967295');
      view.setUint32(0, value);
      break;
    case 'FLOAT32':
      if (typeof value !== 'number') throw badValue(type, value, 'it takes numbers');
      view.setFloat32(0, value);
      break;
  }
  const hi = view.getUint16(0);
  const lo = view.getUint16(2);
  return options.wordOrder === 'low-first' ? [lo, hi] : [hi, lo];
}

/**
 * Decodes every tag of one read from its reply: registers (FC 3/4) as numbers 0..65535, or bits (FC 1/2) as
 * booleans or 0/1. Throws when the reply is shorter than the read.
 */
export function decodeModbusRead(
  read: ModbusRead,
  data: readonly number[] | readonly boolean[],
  options: ModbusCodecOptions = {},
): Map<string, ModbusValue> {
  if (data.length < read.count) {
    throw new BaselineError(
      'capture-reply-short',
      `The reply to a read of ${read.count} ${read.functionCode <= 2 ? 'bits' : 'registers'} from ${read.table}:${read.start} carries only ${data.length}.`,
      'The device answered with less data than asked for; retry the capture and check the device.',
      { table: read.table, start: read.start, count: read.count, got: data.length },
    );
  }
  const values = new Map<string, ModbusValue>();
  if (read.functionCode <= 2) {
    for (const slot of read.tags) {
      const bit = data[slot.offset];
      values.set(slot.tag, bit === true || bit === 1);
    }
    return values;
  }
  const registers = data as readonly number[];
  for (const slot of read.tags) values.set(slot.tag, decodeModbusRegisters(slot.type, registers, slot.offset, slot.bit, options));
  return values;
}
