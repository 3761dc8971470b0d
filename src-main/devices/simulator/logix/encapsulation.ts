/**
 * EtherNet/IP encapsulation (CIP Vol 2, chapter 2), pure encode/decode: the 24-byte header, the byte-stream
 * framer that cuts TCP data into frames, the Common Packet Format items, and the command-specific data of
 * RegisterSession, SendRRData / SendUnitData, ListIdentity and ListServices. No sockets here.
 */
import { EncapsulationStatus, EnipFrameError } from './cip-status.ts';

/** Size of the encapsulation header (Vol 2 §2-3.1). */
export const ENCAPSULATION_HEADER_LENGTH = 24;

/** Largest command-specific data an encapsulation frame may carry (Vol 2 §2-3.1: 65511 bytes). */
export const ENCAPSULATION_MAX_DATA = 65511;

/** Encapsulation command codes (Vol 2 §2-3.2, Table 2-3.2). */
export const EncapsulationCommand = {
  Nop: 0x0000,
  ListServices: 0x0004,
  ListIdentity: 0x0063,
  ListInterfaces: 0x0064,
  RegisterSession: 0x0065,
  UnregisterSession: 0x0066,
  SendRRData: 0x006f,
  SendUnitData: 0x0070,
  IndicateStatus: 0x0072,
  Cancel: 0x0073,
} as const;

/** One encapsulation frame: header fields plus the command-specific data. */
export interface EncapsulationFrame {
  command: number;
  session: number;
  status: number;
  /** Sender context: 8 bytes the target echoes unchanged. */
  context: Buffer;
  options: number;
  data: Buffer;
}

/** Encodes a frame: command UINT, length UINT, session UDINT, status UDINT, context 8 bytes, options UDINT, data (Vol 2 Table 2-3.1). */
export function encodeEncapsulation(frame: EncapsulationFrame): Buffer {
  if (frame.context.length !== 8) throw new RangeError('The sender context is exactly 8 bytes.');
  const out = Buffer.alloc(ENCAPSULATION_HEADER_LENGTH + frame.data.length);
  out.writeUInt16LE(frame.command, 0);
  out.writeUInt16LE(frame.data.length, 2);
  out.writeUInt32LE(frame.session >>> 0, 4);
  out.writeUInt32LE(frame.status >>> 0, 8);
  frame.context.copy(out, 12);
  out.writeUInt32LE(frame.options >>> 0, 20);
  frame.data.copy(out, ENCAPSULATION_HEADER_LENGTH);
  return out;
}

/** Decodes exactly one frame; the buffer must hold the header and `length` bytes of data, nothing more. */
export function decodeEncapsulation(buf: Buffer): EncapsulationFrame {
  if (buf.length < ENCAPSULATION_HEADER_LENGTH) {
    throw new EnipFrameError(EncapsulationStatus.InvalidLength, `An encapsulation header is 24 bytes; got ${buf.length}.`);
  }
  const length = buf.readUInt16LE(2);
  if (buf.length !== ENCAPSULATION_HEADER_LENGTH + length) {
    throw new EnipFrameError(
      EncapsulationStatus.InvalidLength,
      `The header announces ${length} data bytes but ${buf.length - ENCAPSULATION_HEADER_LENGTH} follow.`,
    );
  }
  return {
    command: buf.readUInt16LE(0),
    session: buf.readUInt32LE(4),
    status: buf.readUInt32LE(8),
    context: Buffer.from(buf.subarray(12, 20)),
    options: buf.readUInt32LE(20),
    data: Buffer.from(buf.subarray(ENCAPSULATION_HEADER_LENGTH)),
  };
}

/**
 * Cuts a TCP byte stream into whole encapsulation frames (the framer of the pymodbus layering): data may arrive
 * split across reads or several frames in one read.
 */
export class EncapsulationFramer {
  private pending: Buffer = Buffer.alloc(0);

  /** Adds received bytes; returns every frame now complete, in order. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= ENCAPSULATION_HEADER_LENGTH) {
      const total = ENCAPSULATION_HEADER_LENGTH + this.pending.readUInt16LE(2);
      if (this.pending.length < total) break;
      frames.push(this.pending.subarray(0, total));
      this.pending = this.pending.subarray(total);
    }
    return frames;
  }

  /** Bytes received but not yet part of a whole frame. */
  get buffered(): number {
    return this.pending.length;
  }
}

/** Common Packet Format item type ids (Vol 2 §2-6, Table 2-6.3). */
export const CpfItemType = {
  NullAddress: 0x0000,
  ListIdentity: 0x000c,
  ConnectedAddress: 0x00a1,
  ConnectedData: 0x00b1,
  UnconnectedData: 0x00b2,
  ListServices: 0x0100,
  SockaddrO2T: 0x8000,
  SockaddrT2O: 0x8001,
  SequencedAddress: 0x8002,
} as const;

/** One Common Packet Format item. */
export interface CpfItem {
  type: number;
  data: Buffer;
}

/** Encodes CPF: item count UINT, then per item type id UINT, length UINT, data (Vol 2 §2-6.1). */
export function encodeCpf(items: readonly CpfItem[]): Buffer {
  const parts: Buffer[] = [u16(items.length)];
  for (const item of items) parts.push(u16(item.type), u16(item.data.length), item.data);
  return Buffer.concat(parts);
}

/** Decodes CPF; a count or length that runs past the end is incorrect data (status 0x0003). */
export function decodeCpf(buf: Buffer): CpfItem[] {
  if (buf.length < 2) throw new EnipFrameError(EncapsulationStatus.IncorrectData, 'The Common Packet Format has no item count.');
  const count = buf.readUInt16LE(0);
  const items: CpfItem[] = [];
  let pos = 2;
  for (let i = 0; i < count; i++) {
    if (pos + 4 > buf.length) throw new EnipFrameError(EncapsulationStatus.IncorrectData, `CPF item ${i + 1} of ${count} is missing.`);
    const type = buf.readUInt16LE(pos);
    const length = buf.readUInt16LE(pos + 2);
    pos += 4;
    if (pos + length > buf.length) {
      throw new EnipFrameError(
        EncapsulationStatus.IncorrectData,
        `CPF item ${i + 1} announces ${length} bytes but ${buf.length - pos} remain.`,
      );
    }
    items.push({ type, data: Buffer.from(buf.subarray(pos, pos + length)) });
    pos += length;
  }
  if (pos !== buf.length)
    throw new EnipFrameError(EncapsulationStatus.IncorrectData, `${buf.length - pos} bytes follow the last CPF item.`);
  return items;
}

/** Command-specific data of SendRRData / SendUnitData: interface handle UDINT, timeout UINT, CPF (Vol 2 §2-4.7, §2-4.8). */
export interface SendData {
  interfaceHandle: number;
  timeout: number;
  items: CpfItem[];
}

/** Encodes SendRRData / SendUnitData command-specific data. */
export function encodeSendData(send: SendData): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt32LE(send.interfaceHandle >>> 0, 0);
  head.writeUInt16LE(send.timeout, 4);
  return Buffer.concat([head, encodeCpf(send.items)]);
}

/** Decodes SendRRData / SendUnitData command-specific data. */
export function decodeSendData(buf: Buffer): SendData {
  if (buf.length < 8)
    throw new EnipFrameError(EncapsulationStatus.IncorrectData, `SendRRData/SendUnitData data is at least 8 bytes; got ${buf.length}.`);
  return { interfaceHandle: buf.readUInt32LE(0), timeout: buf.readUInt16LE(4), items: decodeCpf(buf.subarray(6)) };
}

/** RegisterSession command-specific data: protocol version UINT (1), options flags UINT (0) (Vol 2 §2-4.4). */
export interface RegisterSessionData {
  protocolVersion: number;
  optionFlags: number;
}

/** Encodes RegisterSession data. */
export function encodeRegisterSession(data: RegisterSessionData): Buffer {
  return Buffer.concat([u16(data.protocolVersion), u16(data.optionFlags)]);
}

/** Decodes RegisterSession data; any length but 4 is an invalid length (status 0x0065). */
export function decodeRegisterSession(buf: Buffer): RegisterSessionData {
  if (buf.length !== 4)
    throw new EnipFrameError(EncapsulationStatus.InvalidLength, `RegisterSession carries 4 data bytes; got ${buf.length}.`);
  return { protocolVersion: buf.readUInt16LE(0), optionFlags: buf.readUInt16LE(2) };
}

/** The identity a device announces (ListIdentity item and the Identity object, CIP Vol 1 §5-2). */
export interface DeviceIdentity {
  vendorId: number;
  deviceType: number;
  productCode: number;
  revision: { major: number; minor: number };
  status: number;
  serial: number;
  productName: string;
}

/**
 * Encodes the CIP Identity item of ListIdentity (Vol 2 §2-4.2.3, Table 2-4.4): protocol version, socket address
 * (big-endian sockaddr_in), then the Identity object's attributes 1-7 and the state.
 */
export function encodeListIdentityItem(identity: DeviceIdentity, address: { ip: string; port: number }, state = 0x03): Buffer {
  const sockaddr = Buffer.alloc(16);
  sockaddr.writeInt16BE(2, 0); // AF_INET
  sockaddr.writeUInt16BE(address.port, 2);
  const octets = address.ip.split('.').map(Number);
  for (let i = 0; i < 4; i++) sockaddr.writeUInt8(octets[i] ?? 0, 4 + i);
  return Buffer.concat([u16(1), sockaddr, encodeIdentityAttributes(identity), Buffer.from([state])]);
}

/**
 * Encodes Identity object instance attributes 1-7 in order (CIP Vol 1 §5-2.2): vendor UINT, device type UINT,
 * product code UINT, revision USINT major + USINT minor, status WORD, serial UDINT, product name SHORT_STRING.
 */
export function encodeIdentityAttributes(identity: DeviceIdentity): Buffer {
  const name = Buffer.from(identity.productName, 'latin1');
  const out = Buffer.alloc(15 + name.length);
  out.writeUInt16LE(identity.vendorId, 0);
  out.writeUInt16LE(identity.deviceType, 2);
  out.writeUInt16LE(identity.productCode, 4);
  out.writeUInt8(identity.revision.major, 6);
  out.writeUInt8(identity.revision.minor, 7);
  out.writeUInt16LE(identity.status, 8);
  out.writeUInt32LE(identity.serial >>> 0, 10);
  out.writeUInt8(name.length, 14);
  name.copy(out, 15);
  return out;
}

/**
 * Encodes the ListServices "Communications" item (Vol 2 §2-4.6.3, Table 2-4.9): version UINT 1, capability flags
 * (bit 5: CIP over TCP; bit 8: class 0/1 over UDP, not offered here), name 16 bytes NUL-padded.
 */
export function encodeListServicesItem(): Buffer {
  const name = Buffer.alloc(16);
  name.write('Communications', 'latin1');
  return Buffer.concat([u16(1), u16(0x0020), name]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
}
