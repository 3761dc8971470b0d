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

function check(value: unknown, path: string): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new BaselineError('canonical-json', `Value at ${path} is ${value}, which JSON cannot represent.`,
        'Store non-finite numbers as strings (for example "NaN") before signing.');
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => check(item, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new BaselineError('canonical-json', `Value at ${path} is not a plain object.`,
        'Convert it to plain JSON data (strings, numbers, arrays, objects) before signing.');
    }
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) {
        throw new BaselineError('canonical-json', `Field ${path}.${k} is undefined.`,
          'Omit the field or set it to null before signing.');
      }
      check(v, `${path}.${k}`);
    }
    return;
  }
  throw new BaselineError('canonical-json', `Value at ${path} has type ${typeof value}, which JSON cannot represent.`,
    'Only strings, numbers, booleans, null, arrays and plain objects can be signed.');
}

/** Canonical JSON text of a value (RFC 8785); throws BaselineError for values JSON cannot carry. */
export function canonicalJson(value: unknown): string {
  check(value, '$');
  const text = canonicalize(value);
  if (text === undefined) {
    throw new BaselineError('canonical-json', 'Nothing to canonicalise: the value is undefined.', 'Pass a JSON value.');
  }
  return text;
}
