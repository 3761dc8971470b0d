/**
 * The memory of a simulated S7 CPU: data blocks and the I, Q and M areas as byte arrays, and the execution of
 * one S7ANY item of a Read Var / Write Var job against them with the item return codes a CPU gives:
 * 0xFF success, 0x0A object does not exist (missing DB or area), 0x05 address out of range, 0x06 data type not
 * supported, 0x07 data type inconsistent (write data that does not match the item).
 *
 * The arrays are the caller's own (not copies): what a client writes shows in them at once, and values
 * planted in them are what the next read returns.
 */
import { BaselineError } from '../../../../src-shared/common/errors.ts';
import { S7_AREA_CODES } from '../../../../src-shared/common/profile/s7-address.ts';
import {
  DATA_TRANSPORT_SIZES,
  ITEM_ELEMENT_BYTES,
  ITEM_TRANSPORT_SIZES,
  S7_RETURN_CODES,
  lengthInBits,
  type S7AnyItem,
  type S7DataItem,
} from '../../s7/s7comm/s7-frames.ts';

/** The memory areas a simulated CPU has (areas left out do not exist: their items answer 0x0A). */
export interface S7Areas {
  /** Data blocks by number (1..65535). */
  dbs: Record<number, Uint8Array>;
  /** Markers (flags). */
  m?: Uint8Array;
  /** Process image of the inputs. */
  i?: Uint8Array;
  /** Process image of the outputs. */
  q?: Uint8Array;
}

/** An area as the profile names it. */
export type S7AreaName = 'DB' | 'M' | 'I' | 'Q';

function fail(returnCode: number): S7DataItem {
  return { returnCode, transportSize: DATA_TRANSPORT_SIZES.NULL, data: new Uint8Array(0) };
}

/** Where an item points in memory, or the return code that refuses it. */
type Located = { ok: true; bytes: Uint8Array; start: number; length: number; bit: number } | { ok: false; returnCode: number };

/** The simulated CPU's memory. */
export class S7Memory {
  private readonly areas: S7Areas;

  constructor(areas: S7Areas) {
    for (const key of Object.keys(areas.dbs)) {
      const n = Number(key);
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        throw new BaselineError(
          'simulator-bad-area',
          `DB${key} is not a data block number (1..65535).`,
          "Number the simulator's data blocks 1 to 65535.",
          { db: key },
        );
      }
    }
    this.areas = areas;
  }

  /** The live bytes of an area (DB by number), or undefined when the CPU does not have it. */
  area(area: S7AreaName, db?: number): Uint8Array | undefined {
    switch (area) {
      case 'DB':
        return db === undefined ? undefined : this.areas.dbs[db];
      case 'M':
        return this.areas.m;
      case 'I':
        return this.areas.i;
      case 'Q':
        return this.areas.q;
    }
  }

  private bytesOf(item: S7AnyItem): Uint8Array | undefined {
    switch (item.area) {
      case S7_AREA_CODES.DB:
        return this.areas.dbs[item.db];
      case S7_AREA_CODES.M:
        return this.areas.m;
      case S7_AREA_CODES.I:
        return this.areas.i;
      case S7_AREA_CODES.Q:
        return this.areas.q;
      default:
        return undefined; // peripheral I/O, instance DBs, timers, counters: not simulated
    }
  }

  private locate(item: S7AnyItem): Located {
    const bytes = this.bytesOf(item);
    if (!bytes) return { ok: false, returnCode: S7_RETURN_CODES.objectDoesNotExist };
    const start = item.bitAddress >> 3;
    const bit = item.bitAddress & 7;
    if (item.transportSize === ITEM_TRANSPORT_SIZES.BIT) {
      if (item.count !== 1) return { ok: false, returnCode: S7_RETURN_CODES.dataTypeNotSupported };
      if (start >= bytes.length) return { ok: false, returnCode: S7_RETURN_CODES.addressOutOfRange };
      return { ok: true, bytes, start, length: 1, bit };
    }
    const element = ITEM_ELEMENT_BYTES[item.transportSize];
    if (element === undefined) return { ok: false, returnCode: S7_RETURN_CODES.dataTypeNotSupported };
    const length = item.count * element;
    if (bit !== 0 || length === 0 || start + length > bytes.length) return { ok: false, returnCode: S7_RETURN_CODES.addressOutOfRange };
    return { ok: true, bytes, start, length, bit };
  }

  /** Executes one Read Var item: the data (transport size BIT or BYTE/WORD/DWORD) or the return code refusing it. */
  read(item: S7AnyItem): S7DataItem {
    const at = this.locate(item);
    if (!at.ok) return fail(at.returnCode);
    if (item.transportSize === ITEM_TRANSPORT_SIZES.BIT) {
      return {
        returnCode: S7_RETURN_CODES.success,
        transportSize: DATA_TRANSPORT_SIZES.BIT,
        data: Uint8Array.of(((at.bytes[at.start] as number) >> at.bit) & 1),
      };
    }
    return {
      returnCode: S7_RETURN_CODES.success,
      transportSize: DATA_TRANSPORT_SIZES.BYTE,
      data: at.bytes.slice(at.start, at.start + at.length),
    };
  }

  /** Executes one Write Var item; returns its return code. */
  write(item: S7AnyItem, value: S7DataItem): number {
    const at = this.locate(item);
    if (!at.ok) return at.returnCode;
    if (item.transportSize === ITEM_TRANSPORT_SIZES.BIT) {
      if (value.transportSize !== DATA_TRANSPORT_SIZES.BIT || value.data.length !== 1) return S7_RETURN_CODES.dataTypeInconsistent;
      const mask = 1 << at.bit;
      const old = at.bytes[at.start] as number;
      at.bytes[at.start] = (value.data[0] as number) & 1 ? old | mask : old & ~mask;
      return S7_RETURN_CODES.success;
    }
    const countable =
      lengthInBits(value.transportSize) ||
      value.transportSize === DATA_TRANSPORT_SIZES.OCTET_STRING ||
      value.transportSize === DATA_TRANSPORT_SIZES.DINT ||
      value.transportSize === DATA_TRANSPORT_SIZES.REAL;
    if (!countable || value.transportSize === DATA_TRANSPORT_SIZES.BIT || value.data.length !== at.length)
      return S7_RETURN_CODES.dataTypeInconsistent;
    at.bytes.set(value.data, at.start);
    return S7_RETURN_CODES.success;
  }
}
