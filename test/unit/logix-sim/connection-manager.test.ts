/** Connection Manager service data (CIP Vol 1 §3-5.5): Forward Open, Large Forward Open, Forward Close, Unconnected Send. */
import { describe, expect, it } from 'vitest';
import eip from 'st-ethernet-ip';
import {
  decodeConnectionParameters,
  decodeForwardClose,
  decodeForwardOpen,
  decodeUnconnectedSend,
  encodeConnectionParameters,
  encodeForwardOpen,
  encodeUnconnectedSend,
} from '../../../src-main/devices/simulator/logix/connection-manager.ts';
import { decodeCipRequest } from '../../../src-main/devices/simulator/logix/message-router.ts';
import { loadExchange } from './hex-fixture.ts';

const { CIP } = eip.EthernetIP;

describe('Connection Manager codecs', () => {
  it('decodes every field of the Forward Open fixture (Table 3-5.16)', () => {
    const fo = decodeForwardOpen(decodeCipRequest(loadExchange('forward-open.hex').request).data, false);
    expect(fo).toEqual({
      large: false,
      priorityTimeTick: 3,
      timeoutTicks: 125,
      otConnectionId: 0,
      toConnectionId: 0x11223344,
      connectionSerial: 0x42,
      originatorVendorId: 0x3333,
      originatorSerial: 0x1337,
      timeoutMultiplier: 7,
      otRpi: 30000,
      otParameters: { size: 500, variable: true, priority: 0, type: 2, redundantOwner: false },
      toRpi: 30000,
      toParameters: { size: 500, variable: true, priority: 0, type: 2, redundantOwner: false },
      transportTrigger: 0xa3,
      path: Buffer.from('010020022401', 'hex'),
    });
    expect(encodeForwardOpen(fo).toString('hex')).toBe(decodeCipRequest(loadExchange('forward-open.hex').request).data.toString('hex'));
  });

  it('packs network connection parameters in 16 bits (Forward Open) and 32 bits (Large Forward Open)', () => {
    const p = { size: 4000, variable: true, priority: 1, type: 2, redundantOwner: false };
    // variable bit 25, priority bits 26-27, type bits 29-30, size bits 0-15
    expect(encodeConnectionParameters(p, true).toString(16)).toBe('46000fa0');
    expect(decodeConnectionParameters(0x46000fa0, true)).toEqual(p);
    expect(encodeConnectionParameters({ ...p, size: 500 }, false).toString(16)).toBe('47f4');
    const large = {
      ...decodeForwardOpen(decodeCipRequest(loadExchange('forward-open.hex').request).data, false),
      large: true,
      otParameters: p,
      toParameters: p,
    };
    expect(decodeForwardOpen(encodeForwardOpen(large), true)).toEqual(large);
  });

  it('decodes Forward Close as st-ethernet-ip builds it (path size, reserved byte, path)', () => {
    const path = Buffer.from('010020022401', 'hex');
    const data = Buffer.concat([CIP.ConnectionManager.build_forwardClose(1000, 0x3333, 0x1337, 0x42), Buffer.from([3, 0]), path]);
    expect(decodeForwardClose(data)).toEqual({
      priorityTimeTick: 3,
      timeoutTicks: 125,
      connectionSerial: 0x42,
      originatorVendorId: 0x3333,
      originatorSerial: 0x1337,
      path,
    });
  });

  it('decodes Unconnected Send with the pad byte after an odd-length request, as st-ethernet-ip builds it', () => {
    const message = Buffer.from('4d03910354697900c200010005', 'hex'); // Write Tag "Tiy" SINT 5: 13 bytes
    expect(message.length % 2).toBe(1);
    const built = CIP.UnconnectedSend.build(message, CIP.EPATH.segments.PORT.build(1, 2), 2000);
    const req = decodeCipRequest(built);
    const us = decodeUnconnectedSend(req.data);
    expect(us).toEqual({ priorityTimeTick: 4, timeoutTicks: 125, message, routePath: Buffer.from('0102', 'hex') });
    expect(encodeUnconnectedSend(us).toString('hex')).toBe(req.data.toString('hex'));
  });
});
