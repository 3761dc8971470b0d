/**
 * How diff values are shown to people: short, exact enough to tell two values apart, with the raw bytes one
 * hover away.
 *
 * A REAL read as 0.1 is held as the single-precision value 0.100000001490116119384765625; showing all those digits
 * is noise, so single-precision values print as the shortest decimal that reads back to the same float32 (0.1).
 * Doubles print as JavaScript does (shortest round-trip). -0 prints as "-0", because the diff tells it from 0.
 */
import type { JsonValue } from '../canonical-json.ts';
import type { DiffableValue } from './diffable-document.ts';
import { isFloat32Type, isFloatType, isInt64Type } from './value-equality.ts';

/** Shortest decimal text that reads back to the same single-precision value. */
export function formatFloat32(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(n, -0)) return '-0';
  const target = Math.fround(n);
  for (let p = 1; p <= 9; p++) {
    const shortest = Number(target.toPrecision(p));
    if (Math.fround(shortest) === target) return String(shortest);
  }
  return String(target);
}

/** A number as its type shows it: float32 shortest round-trip for REAL/FLOAT32, JavaScript's shortest otherwise. */
export function formatNumber(type: string, n: number): string {
  if (isFloat32Type(type)) return formatFloat32(n);
  if (Object.is(n, -0)) return '-0';
  return String(n);
}

/** A JSON value as its type shows it (strings of text types quoted; numbers-as-strings bare). */
export function formatJsonValue(type: string, value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return formatNumber(type, value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') {
    // 64-bit integers and NaN/±Infinity travel as strings; they are numbers to the reader.
    if (isInt64Type(type) || (isFloatType(type) && /^[+-]?(NaN|Infinity)$/.test(value))) return value;
    return JSON.stringify(value);
  }
  return JSON.stringify(value);
}

/**
 * The text of one side of a diff row: '' when the tag is absent there, '(bad)' for a bad reading.
 *
 * JSON has no -0 (canonical JSON writes it as 0), so a float read as -0 arrives as 0 with raw bytes that are not
 * all zero. Zero has exactly two IEEE 754 encodings, so any non-zero byte means -0, whatever the byte order.
 */
export function formatDiffValue(v: DiffableValue | null): string {
  if (v === null) return '';
  if (v.quality === 'bad') return '(bad)';
  if (v.value === 0 && v.raw !== null && isFloatType(v.type) && /[1-9a-f]/i.test(v.raw)) return '-0';
  return formatJsonValue(v.type, v.value);
}

/** Tooltip text for one side of a diff row: raw hex, and the exact stored number where the display rounded it. */
export function diffValueTitle(v: DiffableValue | null): string {
  if (v === null) return 'Not in this document';
  if (v.quality === 'bad') return `Bad reading${v.error ? `: ${v.error}` : ''}`;
  const parts: string[] = [];
  if (v.raw !== null) parts.push(`raw ${v.raw}`);
  if (typeof v.value === 'number' && !Object.is(v.value, -0) && formatNumber(v.type, v.value) !== String(v.value))
    parts.push(`stored ${String(v.value)}`);
  return parts.join(' · ');
}
