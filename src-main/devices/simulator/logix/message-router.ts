/**
 * CIP Message Router request and reply formats (CIP Vol 1 §2-4, Tables 2-4.1 and 2-4.2) and the Multiple Service
 * Packet service (0x0A, Vol 1 Appendix ). Pure encode/decode.
 */
import { CipGeneralStatus, CipStatusError } from './cip-status.ts';

/** CIP service codes the simulated Logix controller knows (Vol 1 Appendix A; Logix services from 1756-PM020). */
export const CipService = {
  GetAttributeAll: 0x01,
  GetAttributeList: 0x03,
  MultipleServicePacket: 0x0a,
  GetAttributeSingle: 0x0e,
  SetAttributeSingle: 0x10,
  ReadTag: 0x4c,
  WriteTag: 0x4d,
  /** Logix Read-Modify-Write Tag on a tag path; Forward Close (also 0x4E) on the Connection Manager. */
  ReadModifyWriteTag: 0x4e,
  ForwardClose: 0x4e,
  /** Logix Read Tag Fragmented on a tag path; Unconnected Send (also 0x52) on the Connection Manager. */
  ReadTagFragmented: 0x52,
  UnconnectedSend: 0x52,
  WriteTagFragmented: 0x53,
  ForwardOpen: 0x54,
  GetInstanceAttributeList: 0x55,
  LargeForwardOpen: 0x5b,
} as const;

/** Bit set in a reply's service code (Vol 1 Table 2-4.2). */
export const REPLY_FLAG = 0x80;

/** A Message Router request: service USINT, path size USINT (words), padded EPATH, data (Vol 1 Table 2-4.1). */
export interface CipRequest {
  service: number;
  path: Buffer;
  data: Buffer;
}

/** A Message Router reply (Vol 1 Table 2-4.2); `service` is the request's code, encoded with the reply bit. */
export interface CipReply {
  service: number;
  generalStatus: number;
  extendedStatus: readonly number[];
  data: Buffer;
}

/** Encodes a request; the path must have an even length (padded EPATH). */
export function encodeCipRequest(req: CipRequest): Buffer {
  if (req.path.length % 2 !== 0) throw new RangeError('A padded EPATH has an even length.');
  return Buffer.concat([Buffer.from([req.service, req.path.length / 2]), req.path, req.data]);
}

/** Decodes a request; a missing header is 0x13 (not enough data), a path longer than the message 0x26 (path size invalid). */
export function decodeCipRequest(buf: Buffer): CipRequest {
  if (buf.length < 2) throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], 'A CIP request is at least 2 bytes');
  const pathBytes = (buf[1] as number) * 2;
  if (2 + pathBytes > buf.length) {
    throw new CipStatusError(
      CipGeneralStatus.PathSizeInvalid,
      [],
      `The request path of ${pathBytes} bytes runs past the end of the request`,
    );
  }
  return { service: buf[0] as number, path: Buffer.from(buf.subarray(2, 2 + pathBytes)), data: Buffer.from(buf.subarray(2 + pathBytes)) };
}

/** Encodes a reply: service|0x80, reserved 0, general status, extended status size (words), extended status, data. */
export function encodeCipReply(reply: CipReply): Buffer {
  const head = Buffer.alloc(4 + reply.extendedStatus.length * 2);
  head.writeUInt8((reply.service | REPLY_FLAG) & 0xff, 0);
  head.writeUInt8(0, 1);
  head.writeUInt8(reply.generalStatus, 2);
  head.writeUInt8(reply.extendedStatus.length, 3);
  reply.extendedStatus.forEach((e, i) => head.writeUInt16LE(e, 4 + i * 2));
  return Buffer.concat([head, reply.data]);
}

/** Decodes a reply (the inverse of `encodeCipReply`); `service` comes back without the reply bit. */
export function decodeCipReply(buf: Buffer): CipReply {
  if (buf.length < 4) throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], 'A CIP reply is at least 4 bytes');
  const extWords = buf[3] as number;
  if (4 + extWords * 2 > buf.length)
    throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], 'The extended status runs past the end of the reply');
  const extendedStatus: number[] = [];
  for (let i = 0; i < extWords; i++) extendedStatus.push(buf.readUInt16LE(4 + i * 2));
  return {
    service: (buf[0] as number) & ~REPLY_FLAG & 0xff,
    generalStatus: buf[2] as number,
    extendedStatus,
    data: Buffer.from(buf.subarray(4 + extWords * 2)),
  };
}

/** Size in bytes of an encoded reply header with `extendedWords` extended status words. */
export function replyHeaderLength(extendedWords = 0): number {
  return 4 + extendedWords * 2;
}

/**
 * Encodes Multiple Service Packet data (request or reply alike): number of services UINT, offsets UINT[] measured
 * from the start of the number-of-services field, then the services back to back (Vol 1 ).
 */
export function encodeMultipleService(messages: readonly Buffer[]): Buffer {
  const head = Buffer.alloc(2 + messages.length * 2);
  head.writeUInt16LE(messages.length, 0);
  let offset = head.length;
  messages.forEach((m, i) => {
    head.writeUInt16LE(offset, 2 + i * 2);
    offset += m.length;
  });
  return Buffer.concat([head, ...messages]);
}

/** Decodes Multiple Service Packet data into its services; bad counts or offsets are 0x13 / 0x03. */
export function decodeMultipleService(data: Buffer): Buffer[] {
  if (data.length < 2)
    throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], 'A Multiple Service Packet starts with a service count');
  const count = data.readUInt16LE(0);
  if (count === 0)
    throw new CipStatusError(CipGeneralStatus.InvalidParameterValue, [], 'A Multiple Service Packet holds at least one service');
  if (2 + count * 2 > data.length)
    throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], `The offsets of ${count} services run past the end of the packet`);
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) offsets.push(data.readUInt16LE(2 + i * 2));
  const messages: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const start = offsets[i] as number;
    const end = i + 1 < count ? (offsets[i + 1] as number) : data.length;
    if (start < 2 + count * 2 || end > data.length || end < start) {
      throw new CipStatusError(
        CipGeneralStatus.InvalidParameterValue,
        [],
        `Service ${i + 1} of the Multiple Service Packet has a bad offset (${start})`,
      );
    }
    messages.push(Buffer.from(data.subarray(start, end)));
  }
  return messages;
}
