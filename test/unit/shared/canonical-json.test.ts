import { describe, expect, it } from 'vitest';
import canonicalize from 'canonicalize';
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

// canonicalJson writes most values with JSON.stringify and a sorted property list (the fast path), the rest with
// the `canonicalize` package: both must give canonicalize's bytes for every document.
describe('canonicalJson against the canonicalize package, over generated documents', () => {
  /** A small seeded generator (mulberry32): the same documents at every run. */
  function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const NUMBERS = [0, -0, 1, -1, 0.1, 0.1 + 0.2, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 2 ** 53, -(2 ** 31), 333333333.3333333, 4.5];
  const PIECES = [
    'a',
    'Z',
    'é',
    '€',
    '\u{1F600}',
    '\u{10FFFF}',
    '\n',
    '"',
    '\\',
    '\u0001',
    '\u007f',
    '\u2028',
    ' ',
    '1',
    '10',
    '2',
    '_',
    'ÿ',
    'ｶ',
  ];
  const KEYS = ['tag', 'address', 'type', 'class', 'a', 'B', 'b', '1', '10', '2', '', 'é', 'e\u0301', '\u{1F600}', 'ｶ', 'toJSON', 'value'];

  function generate(next: () => number) {
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
    const text = () => Array.from({ length: Math.floor(next() * 5) }, () => pick(PIECES)).join('');
    const number = () => (next() < 0.5 ? pick(NUMBERS) : (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20));
    // Few distinct keys (repeated rows, as in a profile) or many (as in a map by tag): both paths are taken.
    const manyKeys = next() < 0.3;
    const key = () => (manyKeys ? text() + String(Math.floor(next() * 1000)) : pick(KEYS));
    function value(depth: number): unknown {
      const r = next();
      if (depth > 2 || r < 0.45) {
        const p = next();
        return p < 0.1 ? null : p < 0.2 ? next() < 0.5 : p < 0.6 ? number() : text();
      }
      if (r < 0.7) return Array.from({ length: Math.floor(next() * 6) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 7); i > 0; i--) o[key()] = value(depth + 1);
      return o;
    }
    // A table of rows of the same keys in a random order, inside a random document.
    const rows = Array.from({ length: Math.floor(next() * 40) }, () => {
      const row: Record<string, unknown> = {};
      for (const k of [...KEYS].sort(() => next() - 0.5).slice(0, 6)) row[k] = value(3);
      return row;
    });
    return { rows, rest: value(0), [key()]: value(1) };
  }

  it('gives the same bytes for 1,000 documents (numbers, unicode, nesting, key order), by both paths', () => {
    // Counts the fast path's calls: JSON.stringify with a property list.
    // (A plain wrapper, not a vitest spy: canonicalize calls JSON.stringify for every value, and a spy records each.)
    const stringify = JSON.stringify;
    let withList = 0;
    JSON.stringify = ((v: unknown, list?: unknown, space?: string | number) => {
      if (Array.isArray(list)) withList++;
      return stringify(v, list as string[], space);
    }) as typeof JSON.stringify;
    try {
      for (let seed = 1; seed <= 1000; seed++) {
        const doc = generate(random(seed));
        const fast = canonicalJson(doc);
        if (fast !== canonicalize(doc)) expect(fast, `seed ${seed}`).toBe(canonicalize(doc));
      }
    } finally {
      JSON.stringify = stringify;
    }
    // Both paths ran: the fast one for most documents, canonicalize for those with many distinct keys.
    expect(withList).toBeGreaterThan(300);
    expect(withList).toBeLessThan(950);
  });

  it('gives the same bytes for what the fast path must leave to canonicalize', () => {
    const cases: unknown[] = [
      JSON.parse('{"__proto__":{"a":1},"b":[{"__proto__":2}]}'),
      [{ constructor: 1 }, { a: 2 }],
      [{ toString: 'x', a: 1 }, {}],
      Object.assign(Object.create(null) as object, { b: 1, a: { c: 2 } }),
      { 10: 'a', 2: 'b', 1: 'c', x: [{ 2: 0, 10: 1 }] },
      { '\u{1F600}': 1, '\uffff': 2, ｶ: 3 },
    ];
    for (const c of cases) expect(canonicalJson(c)).toBe(canonicalize(c));
    // A member that is not enumerable is left out, as canonicalize leaves it out.
    const hidden = { a: 1, b: { a: 2 } };
    Object.defineProperty(hidden.b, 'b', { value: 3, enumerable: false });
    expect(canonicalJson([hidden, { b: 1 }])).toBe(canonicalize([hidden, { b: 1 }]));
  });

  it('refuses a lone surrogate, in a value or a key, as canonicalize does', () => {
    expect(() => canonicalJson({ a: 'x\ud800' })).toThrow('Lone surrogate');
    expect(() => canonicalJson({ ['\udc00']: 1 })).toThrow('Lone surrogate');
  });
});
