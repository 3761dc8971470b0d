/**
 * Exact value comparison for diffs: when two readings of a tag are "the same", and when a reading is "the value
 * a change proposed".
 *
 * Readings are compared by their raw bytes when both sides have them, so REAL -0 and 0, or two NaNs with different
 * payloads, are different readings even though their JSON forms look alike. Two types are compared by value
 * instead, because their raw bytes hold more than the value: an S7 BOOL's raw is the whole byte around the bit
 * (a neighbouring bit would show as a change), and an S7 STRING's raw is its full declared length (bytes past the
 * current length are leftovers the PLC never shows).
 */
import { canonicalJson, type JsonValue } from '../canonical-json.ts';
import type { DiffableValue } from './diffable-document.ts';

/** Types whose raw bytes may include bytes that are not part of the value; compared by value. */
const RAW_BLIND_TYPES: ReadonlySet<string> = new Set(['BOOL', 'STRING']);
/** IEEE 754 single-precision types. */
const FLOAT32_TYPES: ReadonlySet<string> = new Set(['REAL', 'FLOAT32']);
/** IEEE 754 double-precision types. */
const FLOAT64_TYPES: ReadonlySet<string> = new Set(['LREAL', 'FLOAT64']);
/** 64-bit integer types, whose JSON form is a decimal string. */
const INT64_TYPES: ReadonlySet<string> = new Set(['LINT', 'ULINT', 'INT64', 'UINT64']);

/** True for single-precision floating-point types (REAL, FLOAT32). */
export function isFloat32Type(type: string): boolean {
  return FLOAT32_TYPES.has(type);
}

/** True for floating-point types of either width. */
export function isFloatType(type: string): boolean {
  return FLOAT32_TYPES.has(type) || FLOAT64_TYPES.has(type);
}

/** True for 64-bit integer types. */
export function isInt64Type(type: string): boolean {
  return INT64_TYPES.has(type);
}

/** Exact JSON equality: numbers by `Object.is` (so -0 is not 0), objects and arrays by canonical form. */
export function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (a === b) return true;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') return canonicalJson(a) === canonicalJson(b);
  return false;
}

/**
 * Two good readings of the same type are the same: raw bytes when both have them, and always the JSON value too.
 *
 * The value is compared even when the bytes match: the two come from one decoder, so they can only disagree when a
 * file was edited, and a file whose value was changed but whose raw bytes were kept must not read as identical.
 */
export function sameReading(before: DiffableValue, after: DiffableValue): boolean {
  const a = before.raw;
  const b = after.raw;
  if (a !== null && b !== null && !RAW_BLIND_TYPES.has(after.type)) {
    if (a !== b && a.toLowerCase() !== b.toLowerCase()) return false;
    // Same bytes: the values must agree as written in a file (-0 is written 0; the bytes already told them apart).
    return canonicalJson(before.value) === canonicalJson(after.value);
  }
  return sameJson(before.value, after.value);
}

function asNumber(v: JsonValue): number | null {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity' || v === '+Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  return null;
}

function asBigInt(v: JsonValue): bigint | null {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : null;
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return BigInt(v);
  return null;
}

/**
 * Whether a reading holds the value a proposal names, for a tag of this type.
 *
 * A person writes `0.1` for a REAL; the PLC holds the nearest single-precision value, which reads back as
 * 0.10000000149011612. So REAL proposals are rounded to single precision before the exact comparison (and -0
 * still differs from 0). 64-bit integers may be proposed as numbers or decimal strings; they are compared as
 * integers, never through a double.
 */
export function matchesProposed(type: string, actual: JsonValue, proposed: JsonValue): boolean {
  if (FLOAT32_TYPES.has(type) || FLOAT64_TYPES.has(type)) {
    const a = asNumber(actual);
    const p = asNumber(proposed);
    if (a !== null && p !== null) return FLOAT32_TYPES.has(type) ? Object.is(Math.fround(a), Math.fround(p)) : Object.is(a, p);
  }
  if (INT64_TYPES.has(type)) {
    const a = asBigInt(actual);
    const p = asBigInt(proposed);
    if (a !== null && p !== null) return a === p;
  }
  return sameJson(actual, proposed);
}
