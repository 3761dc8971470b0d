import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src-shared/common/canonical-json.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and drops white space', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], '\u00e9': 2, A: { z: 0, y: 1 } })).toBe(
      '{"A":{"y":1,"z":0},"a":[true,null,"x"],"b":1,"\u00e9":2}',
    );
  });

  it('serialises numbers as ECMAScript does (RFC 8785 §3.2.2.3 examples)', () => {
    // The RFC's own example literal has more digits than a double holds; that rounding is what it tests.
    // eslint-disable-next-line no-loss-of-precision
    expect(canonicalJson([1e21, 1e-7, 0.1 + 0.2, -0, 333333333.33333329, 4.5])).toBe(
      '[1e+21,1e-7,0.30000000000000004,0,333333333.3333333,4.5]',
    );
  });

  it('escapes strings minimally', () => {
    expect(canonicalJson('\u0001\n"\\\u20ac')).toBe('"\\u0001\\n\\"\\\\\u20ac"');
  });

  it.each([
    ['NaN', { v: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['undefined field', { a: undefined }],
    ['a Date', { d: new Date(0) }],
    ['a function', { f: () => 1 }],
  ])('refuses %s instead of silently dropping it from signed data', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(BaselineError);
  });
});
