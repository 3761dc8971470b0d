/**
 * Connection Manager object (class 0x06) service data, pure encode/decode (CIP Vol 1 §3-5.5): Forward Open (0x54)
 * and Large Forward Open (0x5B) requests and replies, Forward Close (0x4E), and Unconnected Send (0x52).
 */
import { CipGeneralStatus, CipStatusError } from './cip-status.ts';

/** Connection Manager class id (Vol 1 §3-5). */
export const CONNECTION_MANAGER_CLASS = 0x06;

/** Network connection parameters, decoded from the 16-bit (Forward Open) or 32-bit (Large Forward Open) word (Vol 1 §3-5.5.1.1). */
export interface NetworkConnectionParameters {
  size: number;
  variable: boolean;
  priority: number;
  type: number;
  redundantOwner: boolean;
}

/** A Forward Open / Large Forward Open request (Vol 1 Table 3-5.16). */
export interface ForwardOpenRequest {
  large: boolean;
  priorityTimeTick: number;
  timeoutTicks: number;
  otConnectionId: number;
  toConnectionId: number;
  connectionSerial: number;
  originatorVendorId: number;
  originatorSerial: number;
  timeoutMultiplier: number;
  otRpi: number;
  otParameters: NetworkConnectionParameters;
  toRpi: number;
  toParameters: NetworkConnectionParameters;
  transportTrigger: number;
  /** The connection path (padded EPATH, without its size byte). */
  path: Buffer;
}

/** Decodes 16-bit (bits 0-8 size, 9 variable, 10-11 priority, 13-14 type, 15 owner) or 32-bit (0-15, 25, 26-27, 29-30, 31) parameters. */
export function decodeConnectionParameters(word: number, large: boolean): NetworkConnectionParameters {
  const shift = large ? 16 : 0;
  return {
    size: large ? word & 0xffff : word & 0x01ff,
    variable: ((word >>> (9 + shift)) & 1) === 1,
    priority: (word >>> (10 + shift)) & 0x03,
    type: (word >>> (13 + shift)) & 0x03,
    redundantOwner: ((word >>> (15 + shift)) & 1) === 1,
  };
}

/** Encodes network connection parameters (inverse of `decodeConnectionParameters`). */
export function encodeConnectionParameters(p: NetworkConnectionParameters, large: boolean): number {
  const shift = large ? 16 : 0;
  const flags = ((p.variable ? 1 : 0) << 9) | ((p.priority & 3) << 10) | ((p.type & 3) << 13) | ((p.redundantOwner ? 1 : 0) << 15);
  return ((flags << shift) | (large ? p.size & 0xffff : p.size & 0x01ff)) >>> 0;
}

/** Decodes Forward Open (`large` false) or Large Forward Open (`large` true) request data. */
export function decodeForwardOpen(data: Buffer, large: boolean): ForwardOpenRequest {
  const paramBytes = large ? 4 : 2;
  const fixed = 32 + 2 * paramBytes; // up to and including the connection path size byte
  if (data.length < fixed)
    throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], `Forward Open data is at least ${fixed} bytes; got ${data.length}`);
  let p = 0;
  const priorityTimeTick = data.readUInt8(p);
  p += 1;
  const timeoutTicks = data.readUInt8(p);
  p += 1;
  const otConnectionId = data.readUInt32LE(p);
  p += 4;
  const toConnectionId = data.readUInt32LE(p);
  p += 4;
  const connectionSerial = data.readUInt16LE(p);
  p += 2;
  const originatorVendorId = data.readUInt16LE(p);
  p += 2;
  const originatorSerial = data.readUInt32LE(p);
  p += 4;
  const timeoutMultiplier = data.readUInt8(p);
  p += 4; // multiplier + 3 reserved octets
  const otRpi = data.readUInt32LE(p);
  p += 4;
  const otWord = large ? data.readUInt32LE(p) : data.readUInt16LE(p);
  p += paramBytes;
  const toRpi = data.readUInt32LE(p);
  p += 4;
  const toWord = large ? data.readUInt32LE(p) : data.readUInt16LE(p);
  p += paramBytes;
  const transportTrigger = data.readUInt8(p);
  p += 1;
  const pathWords = data.readUInt8(p);
  p += 1;
  if (p + pathWords * 2 > data.length) {
    throw new CipStatusError(
      CipGeneralStatus.PathSizeInvalid,
      [],
      `The connection path of ${pathWords} words runs past the end of the Forward Open`,
    );
  }
  return {
    large,
    priorityTimeTick,
    timeoutTicks,
    otConnectionId,
    toConnectionId,
    connectionSerial,
    originatorVendorId,
    originatorSerial,
    timeoutMultiplier,
    otRpi,
    otParameters: decodeConnectionParameters(otWord, large),
    toRpi,
    toParameters: decodeConnectionParameters(toWord, large),
    transportTrigger,
    path: Buffer.from(data.subarray(p, p + pathWords * 2)),
  };
}

/** Encodes Forward Open / Large Forward Open request data (the inverse of `decodeForwardOpen`). */
export function encodeForwardOpen(r: ForwardOpenRequest): Buffer {
  const paramBytes = r.large ? 4 : 2;
  const out = Buffer.alloc(32 + 2 * paramBytes + r.path.length);
  let p = 0;
  out.writeUInt8(r.priorityTimeTick, p);
  p += 1;
  out.writeUInt8(r.timeoutTicks, p);
  p += 1;
  out.writeUInt32LE(r.otConnectionId >>> 0, p);
  p += 4;
  out.writeUInt32LE(r.toConnectionId >>> 0, p);
  p += 4;
  out.writeUInt16LE(r.connectionSerial, p);
  p += 2;
  out.writeUInt16LE(r.originatorVendorId, p);
  p += 2;
  out.writeUInt32LE(r.originatorSerial >>> 0, p);
  p += 4;
  out.writeUInt8(r.timeoutMultiplier, p);
  p += 4;
  out.writeUInt32LE(r.otRpi >>> 0, p);
  p += 4;
  const ot = encodeConnectionParameters(r.otParameters, r.large);
  if (r.large) out.writeUInt32LE(ot, p);
  else out.writeUInt16LE(ot, p);
  p += paramBytes;
  out.writeUInt32LE(r.toRpi >>> 0, p);
  p += 4;
  const to = encodeConnectionParameters(r.toParameters, r.large);
  if (r.large) out.writeUInt32LE(to, p);
  else out.writeUInt16LE(to, p);
  p += paramBytes;
  out.writeUInt8(r.transportTrigger, p);
  p += 1;
  out.writeUInt8(r.path.length / 2, p);
  p += 1;
  r.path.copy(out, p);
  return out;
}

/** A successful Forward Open reply (Vol 1 Table 3-5.17). */
export interface ForwardOpenReply {
  otConnectionId: number;
  toConnectionId: number;
  connectionSerial: number;
  originatorVendorId: number;
  originatorSerial: number;
  /** Actual packet intervals, microseconds. */
  otApi: number;
  toApi: number;
}

/** Encodes a successful Forward Open reply: ids, triad, APIs, application reply size 0, reserved. */
export function encodeForwardOpenReply(r: ForwardOpenReply): Buffer {
  const out = Buffer.alloc(26);
  out.writeUInt32LE(r.otConnectionId >>> 0, 0);
  out.writeUInt32LE(r.toConnectionId >>> 0, 4);
  out.writeUInt16LE(r.connectionSerial, 8);
  out.writeUInt16LE(r.originatorVendorId, 10);
  out.writeUInt32LE(r.originatorSerial >>> 0, 12);
  out.writeUInt32LE(r.otApi >>> 0, 16);
  out.writeUInt32LE(r.toApi >>> 0, 20);
  out.writeUInt8(0, 24); // application reply size (words)
  out.writeUInt8(0, 25); // reserved
  return out;
}

/** The connection triad that names a connection (Vol 1 §3-5.5.1.2): serial, originator vendor, originator serial. */
export interface ConnectionTriad {
  connectionSerial: number;
  originatorVendorId: number;
  originatorSerial: number;
}

/** Encodes the data of a failed Forward Open or Forward Close (Vol 1 Tables 3-5.18, 3-5.21): triad, remaining path size, reserved. */
export function encodeConnectionFailureData(t: ConnectionTriad, remainingPathWords = 0): Buffer {
  const out = Buffer.alloc(10);
  out.writeUInt16LE(t.connectionSerial, 0);
  out.writeUInt16LE(t.originatorVendorId, 2);
  out.writeUInt32LE(t.originatorSerial >>> 0, 4);
  out.writeUInt8(remainingPathWords, 8);
  return out;
}

/** A Forward Close request (Vol 1 Table 3-5.19). */
export interface ForwardCloseRequest extends ConnectionTriad {
  priorityTimeTick: number;
  timeoutTicks: number;
  path: Buffer;
}

/** Decodes Forward Close data: tick, ticks, triad, path size USINT, reserved USINT, path. */
export function decodeForwardClose(data: Buffer): ForwardCloseRequest {
  if (data.length < 12)
    throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], `Forward Close data is at least 12 bytes; got ${data.length}`);
  const pathWords = data.readUInt8(10);
  if (12 + pathWords * 2 > data.length) {
    throw new CipStatusError(
      CipGeneralStatus.PathSizeInvalid,
      [],
      `The connection path of ${pathWords} words runs past the end of the Forward Close`,
    );
  }
  return {
    priorityTimeTick: data.readUInt8(0),
    timeoutTicks: data.readUInt8(1),
    connectionSerial: data.readUInt16LE(2),
    originatorVendorId: data.readUInt16LE(4),
    originatorSerial: data.readUInt32LE(6),
    path: Buffer.from(data.subarray(12, 12 + pathWords * 2)),
  };
}

/** Encodes a successful Forward Close reply (Vol 1 Table 3-5.20): triad, application reply size 0, reserved. */
export function encodeForwardCloseReply(t: ConnectionTriad): Buffer {
  return encodeConnectionFailureData(t, 0);
}

/** An Unconnected Send request (Vol 1 §3-5.5.4, Table 3-5.22). */
export interface UnconnectedSendRequest {
  priorityTimeTick: number;
  timeoutTicks: number;
  /** The embedded Message Router request. */
  message: Buffer;
  /** The route path (padded EPATH, without its size byte). */
  routePath: Buffer;
}

/** Decodes Unconnected Send data: tick, ticks, message size UINT, message, pad if odd, route path size USINT, reserved, route path. */
export function decodeUnconnectedSend(data: Buffer): UnconnectedSendRequest {
  if (data.length < 4) throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], 'Unconnected Send data is at least 4 bytes');
  const size = data.readUInt16LE(2);
  let p = 4 + size + (size % 2);
  if (p + 2 > data.length)
    throw new CipStatusError(
      CipGeneralStatus.NotEnoughData,
      [],
      `The embedded request of ${size} bytes runs past the end of the Unconnected Send`,
    );
  const message = Buffer.from(data.subarray(4, 4 + size));
  const routeWords = data.readUInt8(p);
  p += 2;
  if (p + routeWords * 2 > data.length) {
    throw new CipStatusError(
      CipGeneralStatus.PathSizeInvalid,
      [],
      `The route path of ${routeWords} words runs past the end of the Unconnected Send`,
    );
  }
  return {
    priorityTimeTick: data.readUInt8(0),
    timeoutTicks: data.readUInt8(1),
    message,
    routePath: Buffer.from(data.subarray(p, p + routeWords * 2)),
  };
}

/** Encodes Unconnected Send data (inverse of `decodeUnconnectedSend`). */
export function encodeUnconnectedSend(r: UnconnectedSendRequest): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt8(r.priorityTimeTick, 0);
  head.writeUInt8(r.timeoutTicks, 1);
  head.writeUInt16LE(r.message.length, 2);
  const pad = r.message.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0);
  return Buffer.concat([head, r.message, pad, Buffer.from([r.routePath.length / 2, 0]), r.routePath]);
}
