/**
 * RFC 8785 (JSON Canonicalization Scheme) serialisation: the byte form every hash and signature covers.
 *
 * We use the `canonicalize` package (the reference implementation by one of the RFC's authors) and only add
 * the refusals JCS leaves to the caller: values JSON cannot represent must not silently vanish from signed data.
 */
import canonicalize from 'canonicalize';
import { BaselineError } from './errors.ts';

/** JSON value types that may appear in signed documents. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The path of the value being checked, as keys from the root: built into text only for an error message. */
type PathKeys = (string | number)[];

function pathText(keys: PathKeys): string {
  let text = '$';
  for (const k of keys) text += typeof k === 'number' ? `[${k}]` : `.${k}`;
  return text;
}

function check(value: unknown, keys: PathKeys): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new BaselineError(
        'canonical-json',
        `Value at ${pathText(keys)} is ${value}, which JSON cannot represent.`,
        'Store non-finite numbers as strings (for example "NaN") before signing.',
      );
    }
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      keys.push(i);
      check(value[i], keys);
      keys.pop();
    }
    return;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new BaselineError(
        'canonical-json',
        `Value at ${pathText(keys)} is not a plain object.`,
        'Convert it to plain JSON data (strings, numbers, arrays, objects) before signing.',
      );
    }
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined) {
        throw new BaselineError(
          'canonical-json',
          `Field ${pathText(keys)}.${k} is undefined.`,
          'Omit the field or set it to null before signing.',
        );
      }
      keys.push(k);
      check(v, keys);
      keys.pop();
    }
    return;
  }
  throw new BaselineError(
    'canonical-json',
    `Value at ${pathText(keys)} has type ${typeof value}, which JSON cannot represent.`,
    'Only strings, numbers, booleans, null, arrays and plain objects can be signed.',
  );
}

/** Canonical JSON text of a value (RFC 8785); throws BaselineError for values JSON cannot carry. */
export function canonicalJson(value: unknown): string {
  check(value, []);
  const text = canonicalize(value);
  if (text === undefined) {
    throw new BaselineError('canonical-json', 'Nothing to canonicalise: the value is undefined.', 'Pass a JSON value.');
  }
  return text;
}
