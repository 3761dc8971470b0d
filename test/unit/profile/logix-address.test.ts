import { describe, expect, it } from 'vitest';
import stEthernetIp from 'st-ethernet-ip';
import { formatLogixAddress, parseLogixAddress } from '../../../src-shared/common/profile/logix-address.ts';
import { logixReadRequestBytes } from '../../../src-main/devices/logix/logix-plan.ts';

describe('Logix tag addresses', () => {
  it.each([
    ['Line1_SpeedSP', [{ kind: 'symbol', name: 'Line1_SpeedSP' }], 16],
    [
      'Program:MainProgram.Limit',
      [
        { kind: 'symbol', name: 'Program:MainProgram' },
        { kind: 'symbol', name: 'Limit' },
      ],
      22 + 8,
    ],
    [
      'Arr[3]',
      [
        { kind: 'symbol', name: 'Arr' },
        { kind: 'element', index: 3 },
      ],
      6 + 2,
    ],
    [
      'Arr[1,2]',
      [
        { kind: 'symbol', name: 'Arr' },
        { kind: 'element', index: 1 },
        { kind: 'element', index: 2 },
      ],
      6 + 2 + 2,
    ],
    [
      'Arr[1,2,3]',
      [
        { kind: 'symbol', name: 'Arr' },
        { kind: 'element', index: 1 },
        { kind: 'element', index: 2 },
        { kind: 'element', index: 3 },
      ],
      12,
    ],
    [
      'Arr[300]',
      [
        { kind: 'symbol', name: 'Arr' },
        { kind: 'element', index: 300 },
      ],
      6 + 4,
    ],
    [
      'Arr[70000]',
      [
        { kind: 'symbol', name: 'Arr' },
        { kind: 'element', index: 70000 },
      ],
      6 + 6,
    ],
    [
      'Recipe.Temp',
      [
        { kind: 'symbol', name: 'Recipe' },
        { kind: 'symbol', name: 'Temp' },
      ],
      8 + 6,
    ],
    [
      'Recipe.Steps[2].Time',
      [
        { kind: 'symbol', name: 'Recipe' },
        { kind: 'symbol', name: 'Steps' },
        { kind: 'element', index: 2 },
        { kind: 'symbol', name: 'Time' },
      ],
      8 + 8 + 2 + 6,
    ],
    ['_x', [{ kind: 'symbol', name: '_x' }], 4],
    [`A${'b'.repeat(39)}`, [{ kind: 'symbol', name: `A${'b'.repeat(39)}` }], 42],
  ] as const)('%s', (address, segments, epathBytes) => {
    const r = parseLogixAddress(address, 'DINT');
    expect(r).toEqual({ ok: true, address: expect.objectContaining({ protocol: 'logix', segments, epathBytes, type: 'DINT' }) as unknown });
    if (r.ok) expect(formatLogixAddress(r.address)).toBe(address);
  });

  it('spells the program prefix as Studio 5000 does', () => {
    const r = parseLogixAddress('PROGRAM:Main.Tag', 'INT');
    expect(r.ok && formatLogixAddress(r.address)).toBe('Program:Main.Tag');
    expect(r.ok && r.address.program).toBe('Main');
  });

  it('marks an indexed BOOL as a BOOL array element', () => {
    const element = parseLogixAddress('Flags[40]', 'BOOL');
    const member = parseLogixAddress('Timer1.DN', 'BOOL');
    expect(element.ok && element.address.boolArrayElement).toBe(true);
    expect(member.ok && member.address.boolArrayElement).toBe(false);
  });

  it.each([
    ['1Tag', /starts with a digit/],
    ['Tag-1', /characters other than letters/],
    ['Tag 1', /contains spaces/],
    ['Tag__1', /two underscores in a row/],
    ['Tag_', /ends with an underscore/],
    [`A${'b'.repeat(40)}`, /41 characters long; names have at most 40/],
    ['Recipe..Temp', /a name is empty/],
    ['Recipe.', /a name is empty/],
    ['Arr[', /closing "\]"/],
    ['Arr[x]', /not an array index/],
    ['Arr[1,2,3,4]', /at most 3 dimensions/],
    ['Recipe.Steps[1,2]', /one-dimensional/],
    ['Arr[1]x', /unexpected "x"/],
    ['MyDint.5', /reads bit 5 of an integer/],
    ['Program:Main', /names a program but no tag/],
    ['Program:1Main.Tag', /program name .*starts with a digit/],
    ['Local:1:I.Data', /characters other than letters/],
    ['', /empty/],
  ])('refuses %s', (address, message) => {
    const r = parseLogixAddress(address, 'DINT');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.message).toMatch(message);
  });

  it('refuses unknown types in the type column', () => {
    const r = parseLogixAddress('Tag', 'UDINT');
    expect(r.ok ? null : r.problems).toEqual([
      { column: 'type', message: expect.stringMatching(/Unknown Logix type "UDINT"/) as unknown as string },
    ]);
  });

  // An independent encoder: st-ethernet-ip (the driver library) builds the Read Tag request for the same name.
  it.each([
    'Line1_SpeedSP',
    'Program:MainProgram.Limit',
    'Arr[3]',
    'Arr[1,2]',
    'Arr[300]',
    'Arr[70000]',
    'Recipe.Temp',
    'Recipe.Steps[2].Time',
    'abc',
    'ab',
  ])("request size of %s matches st-ethernet-ip's encoding", (name) => {
    const r = parseLogixAddress(name, 'DINT');
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const tag = new stEthernetIp.Tag(name);
    expect(r.address.epathBytes).toBe(tag.path.length);
    expect(logixReadRequestBytes(r.address)).toBe(tag.generateReadMessageRequest().length);
  });
});
