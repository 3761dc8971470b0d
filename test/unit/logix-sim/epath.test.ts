/** EPATH segments (CIP Vol 1 Appendix C-1), checked against spec byte layouts and st-ethernet-ip's builders. */
import { describe, expect, it } from 'vitest';
import eip from 'st-ethernet-ip';
import { decodeEpath, encodeEpath, objectAddress, logical, type EpathSegment } from '../../../src-main/devices/simulator/logix/epath.ts';
import { CipStatusError } from '../../../src-main/devices/simulator/logix/cip-status.ts';

const { LOGICAL, DATA, PORT } = eip.EthernetIP.CIP.EPATH.segments;
const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function statusOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof CipStatusError) return err.generalStatus;
    throw err;
  }
  throw new Error('expected a CIP error');
}

describe('EPATH decode and encode', () => {
  const cases: Array<[string, string, EpathSegment[]]> = [
    ['8-bit class and instance (C-1.4.2)', '20 06 24 01', [logical('class', 6), logical('instance', 1)]],
    ['16-bit logical, padded', '21 00 34 12 25 00 ce 0f', [logical('class', 0x1234), logical('instance', 0x0fce)]],
    ['32-bit logical, padded', '26 00 78 56 34 12', [logical('instance', 0x12345678)]],
    ['attribute', '20 01 24 01 30 07', [logical('class', 1), logical('instance', 1), logical('attribute', 7)]],
    ['ANSI extended symbol, odd length padded (C-1.4.5.2)', '91 05 53 70 65 65 64 00', [{ kind: 'symbolic', name: 'Speed' }]],
    ['ANSI extended symbol, even length', '91 04 4e 6f 70 65', [{ kind: 'symbolic', name: 'Nope' }]],
    [
      'member (array element) segments 8/16/32-bit',
      '28 03 29 00 34 12 2a 00 78 56 34 12',
      [logical('member', 3), logical('member', 0x1234), logical('member', 0x12345678)],
    ],
    ['port 1 link 0 (C-1.4.1)', '01 00', [{ kind: 'port', port: 1, link: Buffer.from([0]) }]],
    [
      'port with an 11-byte link address, padded',
      '12 0b 31 32 37 2e 30 2e 30 2e 31 30 31 00',
      [{ kind: 'port', port: 2, link: Buffer.from('127.0.0.101') }],
    ],
    ['extended port id 300', '0f 2c 01 05', [{ kind: 'port', port: 300, link: Buffer.from([5]) }]],
    [
      'electronic key (C-1.4.2.2)',
      '34 04 01 00 0e 00 a6 00 a1 0b',
      [{ kind: 'key', vendorId: 1, deviceType: 14, productCode: 166, major: 33, minor: 11, compatibility: true }],
    ],
    ['simple data segment', '80 02 01 02 03 04', [{ kind: 'data', data: h('01020304') }]],
  ];
  for (const [name, bytes, segments] of cases) {
    it(`decodes and re-encodes ${name}`, () => {
      expect(decodeEpath(h(bytes))).toEqual(segments);
      expect(encodeEpath(segments).toString('hex')).toBe(h(bytes).toString('hex'));
    });
  }

  it('decodes what st-ethernet-ip builds for tags, program scope, elements and routes', () => {
    const path = Buffer.concat([
      DATA.build('Program:Main'),
      DATA.build('Recipe'),
      DATA.build('3'),
      DATA.build('Temp'),
      DATA.build('300'),
      DATA.build('70000'),
    ]);
    expect(decodeEpath(path)).toEqual([
      { kind: 'symbolic', name: 'Program:Main' },
      { kind: 'symbolic', name: 'Recipe' },
      logical('member', 3),
      { kind: 'symbolic', name: 'Temp' },
      logical('member', 300),
      logical('member', 70000),
    ]);
    expect(
      decodeEpath(Buffer.concat([LOGICAL.build(LOGICAL.types.ClassID, 0x6c), LOGICAL.build(LOGICAL.types.InstanceID, 0x0fce)])),
    ).toEqual([logical('class', 0x6c), logical('instance', 0x0fce)]);
    expect(decodeEpath(PORT.build(1, 3))).toEqual([{ kind: 'port', port: 1, link: Buffer.from([3]) }]);
    expect(decodeEpath(PORT.build(2, '127.0.0.5'))).toEqual([{ kind: 'port', port: 2, link: Buffer.from('127.0.0.5') }]);
  });

  it('finds the object a logical path addresses', () => {
    expect(objectAddress(decodeEpath(h('20 01 24 01')))).toEqual({ classId: 1, instance: 1 });
    expect(objectAddress(decodeEpath(h('20 8b 24 01 30 05')))).toEqual({ classId: 0x8b, instance: 1, attribute: 5 });
    expect(objectAddress(decodeEpath(h('91 04 4e 6f 70 65')))).toBeNull();
  });

  it('refuses malformed paths with 0x04 path segment error', () => {
    expect(statusOf(() => decodeEpath(h('91 09 41 42')))).toBe(0x04); // name runs past the end
    expect(statusOf(() => decodeEpath(h('91 03 41 42 43')))).toBe(0x04); // pad byte missing
    expect(statusOf(() => decodeEpath(h('21 00 34')))).toBe(0x04); // truncated 16-bit value
    expect(statusOf(() => decodeEpath(h('43 01')))).toBe(0x04); // network segment: not supported
    expect(statusOf(() => decodeEpath(h('91 00')))).toBe(0x04); // empty symbol
    expect(statusOf(() => decodeEpath(h('34 05 00 00 00 00 00 00 00 00')))).toBe(0x04); // key format 5
  });
});
