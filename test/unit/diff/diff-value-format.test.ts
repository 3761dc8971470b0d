import { describe, expect, it } from 'vitest';
import {
  diffValueTitle,
  formatDiffValue,
  formatFloat32,
  formatJsonValue,
  formatNumber,
} from '../../../src-shared/common/diff/diff-value-format.ts';
import { val } from './diff-helpers.ts';

describe('formatFloat32: shortest decimal that reads back to the same REAL', () => {
  it.each([
    [12.5, '12.5'],
    [Math.fround(0.1), '0.1'],
    [Math.fround(12.3), '12.3'],
    [12.500000000000002, '12.5'],
    [Math.fround(1 / 3), '0.33333334'],
    [16777216, '16777216'],
    [Math.fround(3.4028234663852886e38), '3.4028235e+38'],
    [Math.fround(1e-45), '1e-45'],
    [1200, '1200'],
    [-0, '-0'],
    [Number.NaN, 'NaN'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
  ])('%s -> %s', (n, text) => {
    expect(formatFloat32(n)).toBe(text);
    if (Number.isFinite(n)) expect(Math.fround(Number(text))).toBe(Math.fround(n));
  });
});

describe('formatting by type', () => {
  it('prints doubles as JavaScript does, and -0 as -0', () => {
    expect(formatNumber('LREAL', 0.1 + 0.2)).toBe('0.30000000000000004');
    expect(formatNumber('LREAL', -0)).toBe('-0');
    expect(formatNumber('DINT', -5)).toBe('-5');
  });

  it('prints 64-bit integers and float specials bare, text quoted', () => {
    expect(formatJsonValue('LINT', '9007199254740993')).toBe('9007199254740993');
    expect(formatJsonValue('REAL', 'NaN')).toBe('NaN');
    expect(formatJsonValue('STRING', 'NaN')).toBe('"NaN"');
    expect(formatJsonValue('STRING', 'a "b"')).toBe('"a \\"b\\""');
    expect(formatJsonValue('BOOL', false)).toBe('false');
    expect(formatJsonValue('DINT', null)).toBe('null');
  });

  it('shows one side of a row: absent, bad, or the value', () => {
    expect(formatDiffValue(null)).toBe('');
    expect(formatDiffValue(val('T', { quality: 'bad', value: null, raw: null }))).toBe('(bad)');
    expect(formatDiffValue(val('T', { type: 'REAL', value: Math.fround(0.1), raw: '3dcccccd' }))).toBe('0.1');
  });

  it('shows -0 that JSON carried as 0, from the raw bytes in any byte order', () => {
    expect(formatDiffValue(val('T', { type: 'REAL', value: 0, raw: '80000000' }))).toBe('-0');
    expect(formatDiffValue(val('T', { type: 'REAL', value: 0, raw: '00000080' }))).toBe('-0');
    expect(formatDiffValue(val('T', { type: 'LREAL', value: 0, raw: '8000000000000000' }))).toBe('-0');
    expect(formatDiffValue(val('T', { type: 'REAL', value: 0, raw: '00000000' }))).toBe('0');
    expect(formatDiffValue(val('T', { type: 'DINT', value: 0, raw: '00000000' }))).toBe('0');
  });

  it('puts the raw bytes and the exact stored number in the tooltip', () => {
    expect(diffValueTitle(val('T', { type: 'REAL', value: Math.fround(0.1), raw: '3dcccccd' }))).toBe(
      'raw 3dcccccd · stored 0.10000000149011612',
    );
    expect(diffValueTitle(val('T', { type: 'REAL', value: 12.5, raw: '41480000' }))).toBe('raw 41480000');
    expect(diffValueTitle(val('T', { type: 'REAL', value: 0, raw: '80000000' }))).toBe('raw 80000000');
    expect(diffValueTitle(val('T', { quality: 'bad', value: null, raw: null, error: 'timeout' }))).toBe('Bad reading: timeout');
    expect(diffValueTitle(null)).toBe('Not in this document');
  });
});
