import { describe, expect, it } from 'vitest';
import {
  TpktSplitter,
  decodeCotp,
  decodeIsoFrame,
  decodeTpkt,
  encodeCotp,
  encodeIsoFrame,
  encodeTpkt,
  s7Tsap,
} from '../../../src-main/devices/s7/s7comm/iso-on-tcp.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { bytes, exchange, hex } from './hex-fixture.ts';

function refusal(fn: () => unknown): BaselineError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BaselineError);
    return err as BaselineError;
  }
  throw new Error('expected a refusal');
}

describe('TPKT (RFC 1006) and COTP (ISO 8073 class 0)', () => {
  it("decodes nodes7's connection request and Snap7's connection confirm", () => {
    const { request, reply } = exchange('cotp-connect.hex', 0);
    expect(decodeIsoFrame(request)).toEqual({
      type: 'CR',
      dstRef: 0,
      srcRef: 1,
      classOption: 0,
      params: { tpduSize: 0x0a, callingTsap: Uint8Array.of(0x01, 0x00), calledTsap: Uint8Array.of(0x01, 0x01) },
    });
    expect(decodeIsoFrame(reply)).toEqual({
      type: 'CC',
      dstRef: 1,
      srcRef: 1,
      classOption: 0,
      params: { tpduSize: 0x0a, callingTsap: Uint8Array.of(0x01, 0x00), calledTsap: Uint8Array.of(0x01, 0x01) },
    });
  });

  it('encodes the same bytes it decodes (round trip of both fixture frames)', () => {
    const { request, reply } = exchange('cotp-connect.hex', 0);
    expect(hex(encodeIsoFrame(decodeIsoFrame(request)))).toBe(hex(request));
    expect(hex(encodeIsoFrame(decodeIsoFrame(reply)))).toBe(hex(reply));
  });

  it('builds the called TSAP from rack and slot (connection type 1, rack * 32 + slot)', () => {
    expect(s7Tsap(0, 1)).toEqual(Uint8Array.of(0x01, 0x01));
    expect(s7Tsap(0, 2)).toEqual(Uint8Array.of(0x01, 0x02));
    expect(s7Tsap(1, 3)).toEqual(Uint8Array.of(0x01, 0x23));
    expect(s7Tsap(7, 31, 0x03)).toEqual(Uint8Array.of(0x03, 0xff));
    expect(refusal(() => s7Tsap(8, 0)).code).toBe('s7-bad-rack-slot');
    expect(refusal(() => s7Tsap(0, 32)).code).toBe('s7-bad-rack-slot');
  });

  it('frames data TPDUs (DT with EOT) and disconnect requests', () => {
    const dt = encodeIsoFrame({ type: 'DT', eot: true, data: Uint8Array.of(0x32, 0x01) });
    expect(hex(dt)).toBe('03 00 00 09 02 f0 80 32 01');
    expect(decodeIsoFrame(dt)).toEqual({ type: 'DT', eot: true, data: Uint8Array.of(0x32, 0x01) });
    expect(decodeIsoFrame(encodeIsoFrame({ type: 'DT', eot: false, data: Uint8Array.of(1) }))).toMatchObject({ type: 'DT', eot: false });
    const dr = encodeCotp({ type: 'DR', dstRef: 1, srcRef: 2, reason: 0x80 });
    expect(hex(dr)).toBe('06 80 00 01 00 02 80');
    expect(decodeCotp(dr)).toEqual({ type: 'DR', dstRef: 1, srcRef: 2, reason: 0x80 });
  });

  it('splits a TCP stream into frames: one frame in pieces, two frames in one chunk', () => {
    const { request, reply } = exchange('cotp-connect.hex', 0);
    const s = new TpktSplitter();
    expect(s.push(request.subarray(0, 3))).toEqual([]);
    expect(s.push(request.subarray(3, 10))).toEqual([]);
    expect(s.buffered).toBe(10);
    const both = new Uint8Array([...request.subarray(10), ...reply]);
    const frames = s.push(both);
    expect(frames.map(hex)).toEqual([hex(request), hex(reply)]);
    expect(s.buffered).toBe(0);
  });

  it('refuses a short TPKT (header says more bytes than the frame has), with a clear BaselineError', () => {
    const { request } = exchange('cotp-connect.hex', 0);
    const e = refusal(() => decodeTpkt(request.subarray(0, 12)));
    expect(e.code).toBe('s7-frame-malformed');
    expect(e.message).toMatch(/TPKT header: the header says 22 bytes, the frame has 12/);
    expect(refusal(() => decodeTpkt(request.subarray(0, 2))).message).toMatch(/ends before the length/);
  });

  it('refuses a wrong TPKT version and an impossible length, also in the stream splitter', () => {
    expect(refusal(() => decodeTpkt(bytes('04 00 00 07 02 f0 80'))).message).toMatch(/version 4, expected 3/);
    expect(refusal(() => decodeTpkt(bytes('03 00 00 04'))).message).toMatch(/length 4 is below the minimum of 7/);
    expect(refusal(() => new TpktSplitter().push(bytes('47 45 54 20 2f 20 48 54 54 50'))).message).toMatch(/version 71/); // "GET / HTTP"
    expect(refusal(() => new TpktSplitter().push(bytes('03 00 00 02'))).code).toBe('s7-frame-malformed');
  });

  it('refuses COTP headers that run past the bytes, unknown TPDU codes and a class 0 DT with a wrong length indicator', () => {
    expect(refusal(() => decodeCotp(bytes('11 e0 00 00'))).message).toMatch(/length indicator says 17 header bytes, only 3 follow/);
    expect(refusal(() => decodeCotp(bytes('02 e0 00'))).message).toMatch(/shorter than the fixed part/);
    expect(refusal(() => decodeCotp(bytes('02 10 80'))).message).toMatch(/TPDU code 0x10 is not one S7 uses/);
    expect(refusal(() => decodeCotp(bytes('03 f0 80 00'))).message).toMatch(/DT header has length indicator 2, not 3/);
    expect(refusal(() => decodeCotp(bytes('08 e0 00 00 00 01 00 c1 05 01'))).message).toMatch(/parameter 0xc1 runs past the header/);
    expect(refusal(() => decodeCotp(new Uint8Array(0))).message).toMatch(/ends before the length indicator/);
  });

  it('refuses a TPDU larger than a TPKT length can say', () => {
    expect(refusal(() => encodeTpkt(new Uint8Array(0x10000))).code).toBe('s7-frame-malformed');
  });
});
