/** Message Router request/reply (CIP Vol 1 Tables 2-4.1, 2-4.2) and Multiple Service Packet codecs. */
import { describe, expect, it } from 'vitest';
import eip from 'st-ethernet-ip';
import {
  decodeCipReply,
  decodeCipRequest,
  decodeMultipleService,
  encodeCipReply,
  encodeCipRequest,
  encodeMultipleService,
} from '../../../src-main/devices/simulator/logix/message-router.ts';
import { CipStatusError, describeCipStatus } from '../../../src-main/devices/simulator/logix/cip-status.ts';
import { loadExchange } from './hex-fixture.ts';

const { MessageRouter } = eip.EthernetIP.CIP;

function statusOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof CipStatusError) return err.generalStatus;
    throw err;
  }
  throw new Error('expected a CIP error');
}

describe('Message Router request and reply', () => {
  it('encodes requests as st-ethernet-ip does and decodes them back', () => {
    const path = Buffer.from('20062401', 'hex');
    const req = { service: 0x52, path, data: Buffer.from('abcde') };
    expect(encodeCipRequest(req).toString('hex')).toBe(MessageRouter.build(0x52, path, Buffer.from('abcde')).toString('hex'));
    expect(decodeCipRequest(encodeCipRequest(req))).toEqual(req);
  });

  it('encodes replies with the reply bit, reserved byte, status and extended status words that st-ethernet-ip parses', () => {
    const bytes = encodeCipReply({ service: 0x4c, generalStatus: 0xff, extendedStatus: [0x2105], data: Buffer.from([9]) });
    expect(bytes.toString('hex')).toBe('cc00ff01052109');
    expect(MessageRouter.parse(bytes)).toMatchObject({
      service: 0xcc,
      generalStatusCode: 0xff,
      extendedStatusLength: 1,
      extendedStatus: [0x2105],
      data: Buffer.from([9]),
    });
    expect(decodeCipReply(bytes)).toEqual({ service: 0x4c, generalStatus: 0xff, extendedStatus: [0x2105], data: Buffer.from([9]) });
  });

  it('refuses a request shorter than its header (0x13) or whose path runs past the end (0x26)', () => {
    expect(statusOf(() => decodeCipRequest(Buffer.from([0x4c])))).toBe(0x13);
    expect(statusOf(() => decodeCipRequest(Buffer.from('4c0591', 'hex')))).toBe(0x26);
  });

  it('names statuses for messages', () => {
    expect(describeCipStatus(0x04, [0])).toBe('0x04/0x0000 (Path segment error)');
    expect(describeCipStatus(0xff, [0x2107])).toBe('0xFF/0x2107 (General error (see extended status))');
  });
});

describe('Multiple Service Packet', () => {
  it('splits the fixture request into its two Read Tags and rebuilds it', () => {
    const { request, reply } = loadExchange('multiple-service-read.hex');
    const data = decodeCipRequest(request).data;
    const services = decodeMultipleService(data);
    expect(services.map((s) => s.toString('hex'))).toEqual(['4c0491055370656564000100', '4c049105436f756e74000100']);
    expect(encodeMultipleService(services).toString('hex')).toBe(data.toString('hex'));
    expect(decodeMultipleService(decodeCipReply(reply).data).map((r) => decodeCipReply(r).data.toString('hex'))).toEqual([
      'ca0000004841',
      'c4002a000000',
    ]);
  });

  it('refuses empty packets (0x03), missing offsets (0x13) and offsets outside the packet (0x03)', () => {
    expect(statusOf(() => decodeMultipleService(Buffer.from('0000', 'hex')))).toBe(0x03);
    expect(statusOf(() => decodeMultipleService(Buffer.from('030006', 'hex')))).toBe(0x13);
    expect(statusOf(() => decodeMultipleService(Buffer.from('01000900', 'hex')))).toBe(0x03);
    expect(statusOf(() => decodeMultipleService(Buffer.from('020006000400aabbccdd', 'hex')))).toBe(0x03);
  });
});
