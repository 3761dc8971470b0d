import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { importProfileCsv, parseProfileCsv, type ProfileCsvError } from '../../../src-shared/common/profile/profile-csv.ts';
import type { ProfileProtocol } from '../../../src-shared/common/profile/capture-profile.ts';

const fixture = (name: string): Uint8Array => readFileSync(new URL(`../../fixtures/profiles/${name}`, import.meta.url));

function errorsOf(input: string | Uint8Array, protocol: ProfileProtocol = 'modbus'): ProfileCsvError[] {
  const r = parseProfileCsv(input, protocol);
  if (r.ok) throw new Error('expected the profile to be refused');
  return r.errors;
}

const where = (errors: ProfileCsvError[]): [number, string | null][] => errors.map((e) => [e.line, e.column]);

describe('profile CSV import: good files', () => {
  it('reads a Modbus profile with a BOM, CRLF line ends, a blank line, reordered columns and a quoted comma', () => {
    const r = parseProfileCsv(fixture('modbus-good.csv'), 'modbus');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.profile.protocol).toBe('modbus');
    expect(r.profile.tags.map((t) => t.tag)).toEqual(['Line1_Speed', 'Run', 'Status', 'Fault', 'Count', 'Door', 'TempOffset']);
    const [speed, run, , fault, count, door] = r.profile.tags;
    expect(speed).toMatchObject({
      address: 'hr:100',
      type: 'FLOAT32',
      class: 'config',
      safety: true,
      writable: true,
      description: 'Line speed setpoint, m/min',
      location: { protocol: 'modbus', table: 'hr', offset: 100, bit: null, type: 'FLOAT32', count: 2 },
    });
    expect(run).toMatchObject({ class: 'live', safety: false, writable: true, location: { table: 'co', offset: 0, count: 1 } });
    expect(fault).toMatchObject({ type: 'BOOL', safety: false, writable: false, location: { table: 'ir', offset: 5, bit: 3 } });
    expect(count).toMatchObject({ class: 'config', location: { type: 'UINT32', count: 2 } });
    expect(door).toMatchObject({ safety: true, writable: false });
  });

  it('gives the same profile from text and from UTF-8 bytes', () => {
    const bytes = fixture('modbus-good.csv');
    expect(parseProfileCsv(new TextDecoder().decode(bytes), 'modbus')).toEqual(parseProfileCsv(bytes, 'modbus'));
  });

  it('reads an S7 profile in nodes7 syntax', () => {
    const r = parseProfileCsv(fixture('s7-good.csv'), 's7');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.profile.tags).toHaveLength(22);
    expect(r.profile.tags.find((t) => t.tag === 'Oven.Recipe')?.location).toEqual({
      protocol: 's7',
      area: 'DB',
      db: 1,
      start: 20,
      bit: null,
      length: 12,
      type: 'STRING',
      maxLength: 10,
    });
    expect(r.profile.tags.find((t) => t.tag === 'Output.Horn')?.location).toMatchObject({ area: 'Q', start: 0, bit: 2 });
  });

  it('reads a Logix profile with program scope, arrays and UDT members', () => {
    const r = parseProfileCsv(fixture('logix-good.csv'), 'logix');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.profile.tags.map((t) => t.address)).toEqual([
      'Line1_SpeedSP',
      'Program:MainProgram.Limit',
      'Arr[3]',
      'Arr[1,2]',
      'Recipe.Temp',
      'Recipe.Steps[2].Time',
      'Recipe.Name',
      '_Enable',
      'Small',
      'Big',
      'Precise',
    ]);
    expect(r.profile.tags[0]?.tag).toBe('Line1 speed SP');
  });

  it('counts lines inside quoted fields, so later errors name the right line', () => {
    const text = 'tag,address,type,description\nA,hr:1,INT16,"two\nlines"\nB,hr:x,INT16,\n';
    expect(where(errorsOf(text))).toEqual([[4, 'address']]);
  });

  it('accepts true/false/yes/no/1/0 in any case, and empty flags as false', () => {
    const text = 'tag,address,type,safety,writable\nA,hr:1,INT16,TRUE,No\nB,hr:2,INT16,yes,0\nC,hr:3,INT16,1,FALSE\nD,hr:4,INT16,,\n';
    const r = parseProfileCsv(text, 'modbus');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.profile.tags.map((t) => [t.safety, t.writable])).toEqual([
      [true, false],
      [true, false],
      [true, false],
      [false, false],
    ]);
  });
});

describe('profile CSV import: every problem, with line and column', () => {
  it('collects all problems of a bad Modbus file in one pass', () => {
    const errors = errorsOf(fixture('modbus-bad.csv'));
    expect(where(errors)).toEqual([
      [3, 'tag'], // duplicate
      [4, 'type'], // unknown type
      [5, 'address'], // malformed
      [6, 'address'], // 32-bit value past 65535
      [7, 'type'], // coil with a register type
      [8, 'address'], // bit 16
      [9, 'class'],
      [10, 'safety'],
      [10, 'writable'],
      [11, 'tag'], // empty name
      [12, null], // too many fields
      [13, 'address'], // offset beyond 65535
    ]);
    expect(errors[0]?.message).toMatch(/"Speed" is already defined on line 2/);
    expect(errors[1]?.message).toMatch(/Unknown Modbus type "INT64"/);
    expect(errors[3]?.message).toMatch(/needs registers 65535 and 65536/);
    expect(errors[10]?.message).toMatch(/8 fields but the header has 7/);
  });

  it('names a missing required column on the header line', () => {
    expect(errorsOf(fixture('missing-address.csv'))).toEqual([
      { line: 1, column: 'address', message: expect.stringMatching(/no "address" column/) as unknown as string },
    ]);
  });

  it('refuses unknown and repeated header columns', () => {
    const errors = errorsOf(fixture('bad-header.csv'));
    expect(where(errors)).toEqual([
      [1, 'adress'],
      [1, 'tag'],
    ]);
    expect(errors[0]?.message).toMatch(/Unknown column "adress"/);
    expect(errors[1]?.message).toMatch(/appears twice/);
  });

  it.each([
    ['empty.csv', /empty/],
    ['blank.csv', /empty/],
    ['header-only.csv', /header but no tags/],
  ])('refuses %s', (name, message) => {
    const errors = errorsOf(fixture(name));
    expect(where(errors)).toEqual([[1, null]]);
    expect(errors[0]?.message).toMatch(message);
  });

  it('reports broken quoting on the line where it starts', () => {
    const errors = errorsOf(fixture('bad-quotes.csv'));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.line === 2 && e.column === null)).toBe(true);
    expect(errors[0]?.message).toMatch(/quote/i);
  });

  it('refuses a file that is not UTF-8 and names the line with the bad byte', () => {
    const errors = errorsOf(fixture('not-utf8.csv'));
    expect(where(errors)).toEqual([[2, null]]);
    expect(errors[0]?.message).toMatch(/not UTF-8/);
  });

  it('names address problems of the profile protocol (an S7 file read as Logix)', () => {
    const errors = errorsOf(fixture('s7-good.csv'), 'logix');
    expect(errors.length).toBeGreaterThan(10);
    expect(errors.every((e) => e.column === 'address' || e.column === 'type')).toBe(true);
  });

  it('refuses control characters and over-long tag names', () => {
    const text = `tag,address,type\n"a\nb",hr:1,INT16\n${'x'.repeat(201)},hr:2,INT16\n`;
    expect(where(errorsOf(text))).toEqual([
      [2, 'tag'],
      [4, 'tag'],
    ]);
  });

  it('importProfileCsv throws one BaselineError listing every problem', () => {
    let thrown: unknown;
    try {
      importProfileCsv(fixture('modbus-bad.csv'), 'modbus');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(BaselineError);
    const e = thrown as BaselineError;
    expect(e.code).toBe('profile-invalid');
    expect(e.message).toMatch(/12 problems \(line 3, tag: .*; and 9 more\)/);
    expect(e.hint).toMatch(/nothing was imported/);
    expect((e.details?.['errors'] as unknown[]).length).toBe(12);
  });

  it('importProfileCsv returns the profile when the file is good', () => {
    expect(importProfileCsv(fixture('logix-good.csv'), 'logix').tags).toHaveLength(11);
  });
});
