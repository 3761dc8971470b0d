/**
 * ISO-on-TCP framing as S7 uses it: TPKT (RFC 1006 §6) around COTP TPDUs of ISO 8073 transport class 0
 * (connection request CR, connection confirm CC, disconnect request DR, error ER, data DT). Pure encode/decode
 * plus a splitter that cuts a TCP byte stream into TPKT frames; no sockets here.
 *
 * S7 addresses the CPU through the called TSAP: first byte the connection type (1 = PG, 2 = OP, 3 = S7 basic),
 * second byte rack * 32 + slot.
 */
import { BaselineError } from '../../../../src-shared/common/errors.ts';
import { ByteReader, ByteWriter, concatBytes, malformedFrame } from './s7-wire.ts';

/** TPKT version (RFC 1006 §6: always 3). */
export const TPKT_VERSION = 0x03;
/** TPKT header: version, reserved, 16-bit length of the whole frame. */
export const TPKT_HEADER_LENGTH = 4;
/** Smallest TPKT frame carrying a COTP TPDU (TPKT header + a 3-byte DT header). */
export const TPKT_MIN_LENGTH = 7;

/** COTP TPDU codes (ISO 8073 §13.1, high nibble of the second header byte). */
export const COTP_CODES = { CR: 0xe0, CC: 0xd0, DR: 0x80, ER: 0x70, DT: 0xf0 } as const;

/** COTP parameter codes in CR/CC (ISO 8073 §13.3.4). */
export const COTP_PARAMS = { tpduSize: 0xc0, callingTsap: 0xc1, calledTsap: 0xc2 } as const;

/** Parameters of a connection request or confirm. */
export interface CotpConnectParams {
  /** TPDU size code (0x07 = 128 … 0x0a = 1024 … 0x0d = 8192 bytes); absent if not sent. */
  tpduSize?: number;
  callingTsap?: Uint8Array;
  calledTsap?: Uint8Array;
}

/** A COTP TPDU of transport class 0. */
export type CotpTpdu =
  | { type: 'CR' | 'CC'; dstRef: number; srcRef: number; classOption: number; params: CotpConnectParams }
  | { type: 'DR'; dstRef: number; srcRef: number; reason: number }
  | { type: 'ER'; dstRef: number; cause: number }
  | { type: 'DT'; eot: boolean; data: Uint8Array };

/** The called TSAP that addresses a CPU by rack and slot (first byte the connection type: 1 = PG). */
export function s7Tsap(rack: number, slot: number, connectionType = 0x01): Uint8Array {
  if (!Number.isInteger(rack) || !Number.isInteger(slot) || rack < 0 || rack > 7 || slot < 0 || slot > 31) {
    throw new BaselineError(
      's7-bad-rack-slot',
      `Rack ${rack} slot ${slot} is not an S7 CPU position (rack 0..7, slot 0..31).`,
      'Use the rack and slot from the hardware configuration (S7-300/400: usually rack 0 slot 2; S7-1200/1500: rack 0 slot 1).',
      { rack, slot },
    );
  }
  return Uint8Array.of(connectionType & 0xff, rack * 32 + slot);
}

/** Wraps a COTP TPDU in a TPKT header (RFC 1006 §6). */
export function encodeTpkt(tpdu: Uint8Array): Uint8Array {
  const length = TPKT_HEADER_LENGTH + tpdu.length;
  if (length > 0xffff) throw malformedFrame('TPKT', `a frame of ${length} bytes does not fit the 16-bit length`);
  return concatBytes([new ByteWriter().u8(TPKT_VERSION).u8(0).u16(length).done(), tpdu]);
}

/** The COTP TPDU inside one whole TPKT frame; refuses a wrong version or a length that disagrees with the bytes. */
export function decodeTpkt(frame: Uint8Array): Uint8Array {
  const r = new ByteReader(frame, 'TPKT header');
  const version = r.u8('the version');
  if (version !== TPKT_VERSION) throw malformedFrame('TPKT header', `version ${version}, expected 3 (RFC 1006)`, { version });
  r.skip(1, 'the reserved byte');
  const length = r.u16('the length');
  if (length < TPKT_MIN_LENGTH)
    throw malformedFrame('TPKT header', `length ${length} is below the minimum of ${TPKT_MIN_LENGTH}`, { length });
  if (length !== frame.length)
    throw malformedFrame('TPKT header', `the header says ${length} bytes, the frame has ${frame.length}`, { length, got: frame.length });
  return frame.subarray(TPKT_HEADER_LENGTH);
}

/** Cuts a TCP byte stream into whole TPKT frames (RFC 1006 §6); bytes of an unfinished frame wait for more. */
export class TpktSplitter {
  private pending: Uint8Array = new Uint8Array(0);

  /** Adds received bytes; returns the frames they complete. Throws a BaselineError when the stream is not TPKT. */
  push(chunk: Uint8Array): Uint8Array[] {
    this.pending = this.pending.length === 0 ? Uint8Array.from(chunk) : concatBytes([this.pending, chunk]);
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.pending.length < TPKT_HEADER_LENGTH) break;
      const version = this.pending[0] as number;
      if (version !== TPKT_VERSION) throw malformedFrame('TPKT header', `version ${version}, expected 3 (RFC 1006)`, { version });
      const length = ((this.pending[2] as number) << 8) | (this.pending[3] as number);
      if (length < TPKT_MIN_LENGTH)
        throw malformedFrame('TPKT header', `length ${length} is below the minimum of ${TPKT_MIN_LENGTH}`, { length });
      if (this.pending.length < length) break;
      frames.push(this.pending.slice(0, length));
      this.pending = this.pending.slice(length);
    }
    return frames;
  }

  /** Bytes received that do not yet make a whole frame. */
  get buffered(): number {
    return this.pending.length;
  }
}

function encodeConnectParams(p: CotpConnectParams): Uint8Array {
  const w = new ByteWriter();
  if (p.tpduSize !== undefined) w.u8(COTP_PARAMS.tpduSize).u8(1).u8(p.tpduSize);
  if (p.callingTsap) w.u8(COTP_PARAMS.callingTsap).u8(p.callingTsap.length).bytes(p.callingTsap);
  if (p.calledTsap) w.u8(COTP_PARAMS.calledTsap).u8(p.calledTsap.length).bytes(p.calledTsap);
  return w.done();
}

/** Encodes a COTP TPDU (ISO 8073 §13: the length indicator counts the header bytes after itself). */
export function encodeCotp(tpdu: CotpTpdu): Uint8Array {
  switch (tpdu.type) {
    case 'CR':
    case 'CC': {
      const params = encodeConnectParams(tpdu.params);
      const header = new ByteWriter().u8(COTP_CODES[tpdu.type]).u16(tpdu.dstRef).u16(tpdu.srcRef).u8(tpdu.classOption).bytes(params).done();
      return concatBytes([Uint8Array.of(header.length), header]);
    }
    case 'DR':
      return new ByteWriter().u8(6).u8(COTP_CODES.DR).u16(tpdu.dstRef).u16(tpdu.srcRef).u8(tpdu.reason).done();
    case 'ER':
      return new ByteWriter().u8(4).u8(COTP_CODES.ER).u16(tpdu.dstRef).u8(tpdu.cause).done();
    case 'DT':
      // Class 0 DT: LI 2, code 0xF0, then EOT (bit 8) and TPDU number 0 (ISO 8073 §13.7).
      return concatBytes([Uint8Array.of(2, COTP_CODES.DT, tpdu.eot ? 0x80 : 0x00), tpdu.data]);
  }
}

function decodeConnectParams(r: ByteReader, end: number): CotpConnectParams {
  const params: CotpConnectParams = {};
  while (r.position < end) {
    const code = r.u8('a parameter code');
    const len = r.u8('a parameter length');
    if (r.position + len > end) throw malformedFrame('COTP header', `parameter 0x${code.toString(16)} runs past the header`, { code, len });
    const value = r.take(len, `parameter 0x${code.toString(16)}`);
    if (code === COTP_PARAMS.tpduSize && len === 1) params.tpduSize = value[0] as number;
    else if (code === COTP_PARAMS.callingTsap) params.callingTsap = Uint8Array.from(value);
    else if (code === COTP_PARAMS.calledTsap) params.calledTsap = Uint8Array.from(value);
    // Other parameters (checksum, version, additional options) are not used by S7 class 0 and are skipped.
  }
  return params;
}

/** Decodes a COTP TPDU of class 0; refuses other codes and headers that run past the bytes. */
export function decodeCotp(bytes: Uint8Array): CotpTpdu {
  const r = new ByteReader(bytes, 'COTP header');
  const li = r.u8('the length indicator');
  if (li + 1 > bytes.length)
    throw malformedFrame('COTP header', `the length indicator says ${li} header bytes, only ${bytes.length - 1} follow`, { li });
  if (li < 2) throw malformedFrame('COTP header', `length indicator ${li} is too short for any TPDU`, { li });
  const end = 1 + li;
  const code = r.u8('the TPDU code') & 0xf0;
  const fixed: Record<number, number> = { [COTP_CODES.CR]: 6, [COTP_CODES.CC]: 6, [COTP_CODES.DR]: 6, [COTP_CODES.ER]: 4 };
  const minLi = fixed[code];
  if (minLi !== undefined && li < minLi)
    throw malformedFrame('COTP header', `length indicator ${li} is shorter than the fixed part of TPDU 0x${code.toString(16)} (${minLi})`, {
      li,
      code,
    });
  switch (code) {
    case COTP_CODES.CR:
    case COTP_CODES.CC: {
      const type = code === COTP_CODES.CR ? 'CR' : 'CC';
      const dstRef = r.u16('the destination reference');
      const srcRef = r.u16('the source reference');
      const classOption = r.u8('the class and option');
      return { type, dstRef, srcRef, classOption, params: decodeConnectParams(r, end) };
    }
    case COTP_CODES.DR: {
      const dstRef = r.u16('the destination reference');
      const srcRef = r.u16('the source reference');
      const reason = r.u8('the disconnect reason');
      return { type: 'DR', dstRef, srcRef, reason };
    }
    case COTP_CODES.ER: {
      const dstRef = r.u16('the destination reference');
      const cause = r.u8('the reject cause');
      return { type: 'ER', dstRef, cause };
    }
    case COTP_CODES.DT: {
      const nr = r.u8('the TPDU number');
      if (li !== 2) throw malformedFrame('COTP header', `a class 0 DT header has length indicator 2, not ${li}`, { li });
      return { type: 'DT', eot: (nr & 0x80) !== 0, data: bytes.subarray(end) };
    }
    default:
      throw malformedFrame('COTP header', `TPDU code 0x${code.toString(16)} is not one S7 uses (CR, CC, DR, ER, DT)`, { code });
  }
}

/** TPKT + COTP in one step: the bytes to put on the wire for a TPDU. */
export function encodeIsoFrame(tpdu: CotpTpdu): Uint8Array {
  return encodeTpkt(encodeCotp(tpdu));
}

/** TPKT + COTP in one step: the TPDU in one whole frame. */
export function decodeIsoFrame(frame: Uint8Array): CotpTpdu {
  return decodeCotp(decodeTpkt(frame));
}
