/**
 * S7 value encoding and decoding: big-endian integers, IEEE 754 REAL (binary32) and LREAL (binary64), and the
 * S7 STRING layout (byte 0 maximum length, byte 1 actual length, then the characters, one byte each; decoded as
 * ISO 8859-1, which maps every byte to one character). Also decodes whole plans from the bytes of their items.
 */
import { BaselineError } from '../../../src-shared/common/errors.ts';
import type { S7Address } from '../../../src-shared/common/profile/s7-address.ts';
import type { S7Plan } from './s7-plan.ts';

/** A decoded S7 value: BOOL boolean; LINT bigint (beyond 2^53); CHAR and STRING strings; every other type a number. */
export type S7Value = boolean | number | bigint | string;

/** What decoding needs of an address. */
export type S7ValueShape = Pick<S7Address, 'type' | 'bit' | 'maxLength' | 'length'>;

/** The outcome of decoding a plan: values read, and for each tag that could not be decoded, why. */
export interface S7DecodeResult {
  values: Map<string, S7Value>;
  bad: Map<string, string>;
}

/** Decodes one value from `bytes` at `offset` (the value's first byte). Throws BaselineError for malformed strings. */
export function decodeS7Value(a: S7ValueShape, bytes: Uint8Array, offset = 0): S7Value {
  if (offset < 0 || offset + a.length > bytes.length) {
    throw new BaselineError(
      'capture-reply-short',
      `The reply has ${bytes.length} bytes; a ${a.type} at byte ${offset} needs ${a.length}.`,
      'The controller answered with less data than asked for; retry the capture.',
      { offset, length: a.length, got: bytes.length },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, a.length);
  switch (a.type) {
    case 'BOOL':
      return ((view.getUint8(0) >> (a.bit ?? 0)) & 1) === 1;
    case 'BYTE':
      return view.getUint8(0);
    case 'CHAR':
      return String.fromCharCode(view.getUint8(0));
    case 'WORD':
      return view.getUint16(0);
    case 'INT':
      return view.getInt16(0);
    case 'DWORD':
      return view.getUint32(0);
    case 'DINT':
      return view.getInt32(0);
    case 'REAL':
      return view.getFloat32(0);
    case 'LREAL':
      return view.getFloat64(0);
    case 'LINT':
      return view.getBigInt64(0);
    case 'STRING': {
      const declared = a.maxLength ?? a.length - 2;
      const actual = view.getUint8(1);
      if (actual > declared || actual > view.getUint8(0)) {
        throw new BaselineError(
          's7-string-invalid',
          `The string's header says ${actual} characters, more than its maximum (${view.getUint8(0)} in the controller, ${declared} in the profile).`,
          "Check that the profile gives the string's declared length (S<byte>.<length>) as in the data block.",
          { actual, declared, max: view.getUint8(0) },
        );
      }
      let out = '';
      for (let i = 0; i < actual; i++) out += String.fromCharCode(view.getUint8(2 + i));
      return out;
    }
  }
}

function bad(a: S7ValueShape, value: unknown, why: string): BaselineError {
  return new BaselineError(
    'value-out-of-range',
    `${String(value)} cannot be written as ${a.type}: ${why}.`,
    'Correct the value to write; nothing was written.',
    { type: a.type, value: String(value) },
  );
}

function checkInt(a: S7ValueShape, value: S7Value, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw bad(a, value, `it takes whole numbers from ${min} to ${max}`);
  return value;
}

/**
 * Encodes a value into the bytes of its address (`length` bytes). BOOL gives one byte holding 1 or 0, which is the
 * data of an S7 bit write (transport size BIT); a STRING is padded with zeros to its maximum length.
 */
export function encodeS7Value(a: S7ValueShape, value: S7Value): Uint8Array {
  const out = new Uint8Array(a.length);
  const view = new DataView(out.buffer);
  switch (a.type) {
    case 'BOOL':
      if (typeof value !== 'boolean') throw bad(a, value, 'it takes true or false');
      view.setUint8(0, value ? 1 : 0);
      break;
    case 'BYTE':
      view.setUint8(0, checkInt(a, value, 0, 0xff));
      break;
    case 'WORD':
      view.setUint16(0, checkInt(a, value, 0, 0xffff));
      break;
    case 'INT':
      view.setInt16(0, checkInt(a, value, -0x8000, 0x7fff));
      break;
    case 'DWORD':
      view.setUint32(0, checkInt(a, value, 0, 0xffffffff));
      break;
    case 'DINT':
      view.setInt32(0, checkInt(a, value, -0x80000000, 0x7fffffff));
      break;
    case 'REAL':
    case 'LREAL':
      if (typeof value !== 'number') throw bad(a, value, 'it takes numbers');
      if (a.type === 'REAL') view.setFloat32(0, value);
      else view.setFloat64(0, value);
      break;
    case 'LINT':
      if (typeof value !== 'bigint' || value < -(2n ** 63n) || value >= 2n ** 63n)
        throw bad(a, value, 'it takes 64-bit whole numbers (as bigint)');
      view.setBigInt64(0, value);
      break;
    case 'CHAR':
    case 'STRING': {
      const max = a.type === 'CHAR' ? 1 : (a.maxLength ?? a.length - 2);
      if (typeof value !== 'string') throw bad(a, value, 'it takes text');
      if (a.type === 'CHAR' && value.length !== 1) throw bad(a, value, 'it takes exactly one character');
      if (value.length > max) throw bad(a, value, `it holds at most ${max} characters`);
      for (let i = 0; i < value.length; i++) {
        if (value.charCodeAt(i) > 0xff) throw bad(a, value, `"${value.charAt(i)}" is not a one-byte (ISO 8859-1) character`);
      }
      const base = a.type === 'CHAR' ? 0 : 2;
      if (a.type === 'STRING') {
        view.setUint8(0, max);
        view.setUint8(1, value.length);
      }
      for (let i = 0; i < value.length; i++) view.setUint8(base + i, value.charCodeAt(i));
      break;
    }
  }
  return out;
}

/**
 * Decodes every tag of a plan from the data of its items: `itemData[read][item]` holds the bytes one item returned,
 * or undefined when that item (or the whole request) failed. Tags whose bytes are missing or malformed are listed in
 * `bad` with the reason; the others in `values`.
 */
export function decodeS7Plan(plan: S7Plan, itemData: readonly (readonly (Uint8Array | undefined)[] | undefined)[]): S7DecodeResult {
  const values = new Map<string, S7Value>();
  const badTags = new Map<string, string>();
  for (const t of plan.tags) {
    const bytes = new Uint8Array(t.location.length);
    let missing: string | null = t.pieces.length === 0 ? 'the plan has no read for it' : null;
    for (const p of t.pieces) {
      const data = itemData[p.read]?.[p.item];
      if (data === undefined) {
        missing = `request ${p.read + 1}, item ${p.item + 1} returned no data`;
        break;
      }
      if (data.length < p.itemOffset + p.length) {
        missing = `request ${p.read + 1}, item ${p.item + 1} returned ${data.length} bytes, fewer than planned`;
        break;
      }
      bytes.set(data.subarray(p.itemOffset, p.itemOffset + p.length), p.tagOffset);
    }
    if (missing !== null) {
      badTags.set(t.tag, missing);
      continue;
    }
    try {
      values.set(t.tag, decodeS7Value(t.location, bytes, 0));
    } catch (err) {
      badTags.set(t.tag, err instanceof Error ? err.message : String(err));
    }
  }
  return { values, bad: badTags };
}

/** Decodes the tags lying wholly inside one item from that item's bytes (split tags need decodeS7Plan). */
export function decodeS7Item(plan: S7Plan, read: number, item: number, data: Uint8Array): Map<string, S7Value> {
  const values = new Map<string, S7Value>();
  const spec = plan.reads[read]?.items[item];
  if (spec === undefined) return values;
  const byTag = new Map(plan.tags.map((t) => [t.tag, t]));
  for (const slot of spec.tags) {
    const t = byTag.get(slot.tag);
    if (t === undefined || slot.tagOffset !== 0 || slot.length !== t.location.length) continue;
    values.set(slot.tag, decodeS7Value(t.location, data, slot.itemOffset));
  }
  return values;
}
