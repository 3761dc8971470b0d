/**
 * Modbus addresses in capture profiles: `hr:<n>`, `ir:<n>`, `co:<n>`, `di:<n>` with 0-based protocol offsets
 * (the number that goes on the wire, not the 4xxxx "reference number"), and `hr:<n>.<bit>` / `ir:<n>.<bit>` for one
 * bit of a register.
 *
 * Tables and function codes follow the Modbus Application Protocol Specification V1.1b3 §4.3 and §6.1-6.4:
 * coils (FC 1) and discrete inputs (FC 2) hold bits, holding registers (FC 3) and input registers (FC 4) hold 16-bit
 * words; every table has offsets 0..65535. 32-bit values take two consecutive registers.
 */
import { normaliseType, type AddressProblem, type AddressResult } from './address-result.ts';

/** A Modbus data table: holding registers, input registers, coils, discrete inputs. */
export type ModbusTable = 'hr' | 'ir' | 'co' | 'di';

/** The value types a Modbus profile tag may have. */
export type ModbusType = 'BOOL' | 'INT16' | 'UINT16' | 'INT32' | 'UINT32' | 'FLOAT32';

/** Every Modbus value type, in the order error messages list them. */
export const MODBUS_TYPES: readonly ModbusType[] = ['BOOL', 'INT16', 'UINT16', 'INT32', 'UINT32', 'FLOAT32'];

/** The highest offset in any Modbus table (the PDU carries a 16-bit address). */
export const MODBUS_MAX_OFFSET = 65535;

/** A parsed Modbus address: which table, which offset, how many registers (or bits) the tag's type takes. */
export interface ModbusAddress {
  protocol: 'modbus';
  table: ModbusTable;
  /** 0-based offset of the first register or bit. */
  offset: number;
  /** Bit 0..15 of the register for `hr:<n>.<bit>` / `ir:<n>.<bit>` (bit 0 is the least significant); null otherwise. */
  bit: number | null;
  type: ModbusType;
  /** Registers (hr/ir) or bits (co/di) the tag occupies from `offset`. */
  count: number;
}

/** True for the bit tables (coils and discrete inputs). */
export function isModbusBitTable(table: ModbusTable): boolean {
  return table === 'co' || table === 'di';
}

/** Registers one value of a register type occupies. */
export function modbusRegisterCount(type: ModbusType): number {
  return type === 'INT32' || type === 'UINT32' || type === 'FLOAT32' ? 2 : 1;
}

const ADDRESS = /^(hr|ir|co|di):(\d{1,6})(?:\.(\d{1,3}))?$/i;

const TABLE_NAMES: Record<ModbusTable, string> = {
  hr: 'holding register',
  ir: 'input register',
  co: 'coil',
  di: 'discrete input',
};

/** Parses a Modbus address and checks it against the tag's type; returns every problem found. */
export function parseModbusAddress(address: string, type: string): AddressResult<ModbusAddress> {
  const typeName = normaliseType(type);
  const text = address.trim();
  const knownType = (MODBUS_TYPES as readonly string[]).includes(typeName) ? (typeName as ModbusType) : null;
  const problems: AddressProblem[] = [];
  if (knownType === null) {
    problems.push({
      column: 'type',
      message: typeName === '' ? 'The type is empty.' : `Unknown Modbus type "${type.trim()}"; use one of ${MODBUS_TYPES.join(', ')}.`,
    });
  }
  const m = ADDRESS.exec(text);
  if (m === null) {
    problems.push({
      column: 'address',
      message:
        text === ''
          ? 'The address is empty.'
          : `"${text}" is not a Modbus address; write hr:<n>, ir:<n>, co:<n> or di:<n> with a 0-based offset (for example hr:100), or hr:<n>.<bit> for one bit of a register.`,
    });
    return { ok: false, problems };
  }
  const table = (m[1] ?? '').toLowerCase() as ModbusTable;
  const offset = Number(m[2]);
  const bit = m[3] === undefined ? null : Number(m[3]);
  if (offset > MODBUS_MAX_OFFSET) {
    problems.push({ column: 'address', message: `Offset ${offset} in "${text}" is beyond the last Modbus offset ${MODBUS_MAX_OFFSET}.` });
  }
  if (bit !== null && isModbusBitTable(table)) {
    problems.push({
      column: 'address',
      message: `"${text}": a ${TABLE_NAMES[table]} is a single bit and has no bit number; write ${table}:${offset}.`,
    });
  } else if (bit !== null && bit > 15) {
    problems.push({ column: 'address', message: `Bit ${bit} in "${text}" does not exist: a register has bits 0 to 15.` });
  }
  if (knownType !== null && problems.length === 0) {
    if (isModbusBitTable(table) && knownType !== 'BOOL') {
      problems.push({
        column: 'type',
        message: `"${text}" is a ${TABLE_NAMES[table]}, which holds one bit: its type must be BOOL, not ${knownType}.`,
      });
    } else if (!isModbusBitTable(table) && knownType === 'BOOL' && bit === null) {
      problems.push({
        column: 'address',
        message: `BOOL in a ${TABLE_NAMES[table]} needs a bit number: write ${table}:${offset}.<bit> with bit 0 to 15.`,
      });
    } else if (bit !== null && knownType !== 'BOOL') {
      problems.push({ column: 'type', message: `"${text}" names one bit of a register: its type must be BOOL, not ${knownType}.` });
    } else if (!isModbusBitTable(table) && offset + modbusRegisterCount(knownType) - 1 > MODBUS_MAX_OFFSET) {
      problems.push({
        column: 'address',
        message: `${knownType} at "${text}" needs registers ${offset} and ${offset + 1}, but the last register is ${MODBUS_MAX_OFFSET}.`,
      });
    }
  }
  if (problems.length > 0 || knownType === null) return { ok: false, problems };
  const count = isModbusBitTable(table) || bit !== null ? 1 : modbusRegisterCount(knownType);
  return { ok: true, address: { protocol: 'modbus', table, offset, bit, type: knownType, count } };
}

/** Canonical text of a parsed Modbus address (lower-case table, no leading zeros). */
export function formatModbusAddress(a: ModbusAddress): string {
  return a.bit === null ? `${a.table}:${a.offset}` : `${a.table}:${a.offset}.${a.bit}`;
}
