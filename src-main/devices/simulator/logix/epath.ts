/**
 * Padded EPATH encode/decode (CIP Vol 1 Appendix C-1): port segments, logical segments (class, instance,
 * member, connection point, attribute; 8/16/32-bit), the electronic key, simple data segments and ANSI extended
 * symbolic segments (0x91). Logix addresses array elements with logical member segments (0x28/0x29/0x2A).
 */
import { CipGeneralStatus, CipStatusError } from './cip-status.ts';

/** Logical segment types (Vol 1 C-1.4.2, bits 4-2 of the segment byte). */
export type LogicalType = 'class' | 'instance' | 'member' | 'connection-point' | 'attribute' | 'special' | 'service';

const LOGICAL_TYPES: readonly LogicalType[] = ['class', 'instance', 'member', 'connection-point', 'attribute', 'special', 'service'];

/** One decoded path segment. */
export type EpathSegment =
  | { kind: 'port'; port: number; link: Buffer }
  | { kind: 'logical'; type: LogicalType; value: number }
  | { kind: 'key'; vendorId: number; deviceType: number; productCode: number; major: number; minor: number; compatibility: boolean }
  | { kind: 'symbolic'; name: string }
  | { kind: 'data'; data: Buffer };

/** A path segment error (general status 0x04) with the reason. */
function segmentError(reason: string): CipStatusError {
  return new CipStatusError(CipGeneralStatus.PathSegmentError, [], `Path segment error: ${reason}`);
}

/** Decodes a padded EPATH (every segment starts on an even offset). */
export function decodeEpath(path: Buffer): EpathSegment[] {
  const segments: EpathSegment[] = [];
  let pos = 0;
  const need = (n: number, what: string) => {
    if (pos + n > path.length) throw segmentError(`${what} at byte ${pos} runs past the end of the path`);
  };
  while (pos < path.length) {
    const seg = path[pos] as number;
    const segType = seg >> 5;
    if (segType === 0) {
      // Port segment (C-1.4.1): bit 4 extended link address size, bits 3-0 port (15 = 16-bit port follows).
      let p = pos + 1;
      let linkSize = 1;
      if (seg & 0x10) {
        need(2, 'port segment');
        linkSize = path[p] as number;
        p += 1;
      }
      let port = seg & 0x0f;
      if (port === 0x0f) {
        if (p + 2 > path.length) throw segmentError('extended port id runs past the end of the path');
        port = path.readUInt16LE(p);
        p += 2;
      }
      if (p + linkSize > path.length) throw segmentError('port link address runs past the end of the path');
      const link = Buffer.from(path.subarray(p, p + linkSize));
      p += linkSize;
      if ((p - pos) % 2 === 1) p += 1;
      segments.push({ kind: 'port', port, link });
      pos = p;
    } else if (segType === 1) {
      // Logical segment (C-1.4.2): bits 4-2 type, bits 1-0 format (8-bit, 16-bit, 32-bit; padded).
      const type = LOGICAL_TYPES[(seg >> 2) & 0x07];
      const format = seg & 0x03;
      if (type === undefined) throw segmentError(`reserved logical type in segment 0x${seg.toString(16)}`);
      if (type === 'special') {
        // Electronic key (C-1.4.2.2): 0x34, key format 4, vendor, device type, product code, major (bit 7 =
        // compatibility), minor.
        if (seg !== 0x34) throw segmentError(`unsupported special segment 0x${seg.toString(16)}`);
        need(10, 'electronic key');
        if (path[pos + 1] !== 4) throw segmentError(`electronic key format ${path[pos + 1]} is not 4`);
        const majorByte = path[pos + 8] as number;
        segments.push({
          kind: 'key',
          vendorId: path.readUInt16LE(pos + 2),
          deviceType: path.readUInt16LE(pos + 4),
          productCode: path.readUInt16LE(pos + 6),
          major: majorByte & 0x7f,
          minor: path[pos + 9] as number,
          compatibility: (majorByte & 0x80) !== 0,
        });
        pos += 10;
      } else if (format === 0) {
        need(2, 'logical segment');
        segments.push({ kind: 'logical', type, value: path[pos + 1] as number });
        pos += 2;
      } else if (format === 1) {
        need(4, '16-bit logical segment');
        segments.push({ kind: 'logical', type, value: path.readUInt16LE(pos + 2) });
        pos += 4;
      } else if (format === 2) {
        need(6, '32-bit logical segment');
        segments.push({ kind: 'logical', type, value: path.readUInt32LE(pos + 2) });
        pos += 6;
      } else {
        throw segmentError(`reserved logical format in segment 0x${seg.toString(16)}`);
      }
    } else if (seg === 0x80) {
      // Simple data segment (C-1.4.5): 0x80, size in words, data.
      need(2, 'data segment');
      const words = path[pos + 1] as number;
      need(2 + words * 2, 'data segment');
      segments.push({ kind: 'data', data: Buffer.from(path.subarray(pos + 2, pos + 2 + words * 2)) });
      pos += 2 + words * 2;
    } else if (seg === 0x91) {
      // ANSI extended symbolic segment (C-1.4.5.2): 0x91, length, characters, pad byte when the length is odd.
      need(2, 'symbolic segment');
      const length = path[pos + 1] as number;
      if (length === 0) throw segmentError('empty symbolic segment');
      need(2 + length, 'symbolic segment');
      const name = path.toString('latin1', pos + 2, pos + 2 + length);
      segments.push({ kind: 'symbolic', name });
      pos += 2 + length + (length % 2);
    } else {
      throw segmentError(`unsupported segment type 0x${seg.toString(16).padStart(2, '0')} at byte ${pos}`);
    }
  }
  if (pos > path.length) throw segmentError("the last segment's pad byte is missing");
  return segments;
}

/** Encodes segments as a padded EPATH (logical values take the smallest format that fits). */
export function encodeEpath(segments: readonly EpathSegment[]): Buffer {
  const parts: Buffer[] = [];
  for (const s of segments) {
    switch (s.kind) {
      case 'port': {
        const extended = s.link.length > 1;
        const bigPort = s.port >= 0x0f;
        const head = [(extended ? 0x10 : 0) | (bigPort ? 0x0f : s.port)];
        if (extended) head.push(s.link.length);
        const portBytes = bigPort ? [s.port & 0xff, s.port >> 8] : [];
        let seg = Buffer.concat([Buffer.from(head), Buffer.from(portBytes), s.link]);
        if (seg.length % 2 === 1) seg = Buffer.concat([seg, Buffer.alloc(1)]);
        parts.push(seg);
        break;
      }
      case 'logical': {
        const typeBits = LOGICAL_TYPES.indexOf(s.type) << 2;
        if (s.value <= 0xff) {
          parts.push(Buffer.from([0x20 | typeBits, s.value]));
        } else if (s.value <= 0xffff) {
          const b = Buffer.from([0x21 | typeBits, 0, 0, 0]);
          b.writeUInt16LE(s.value, 2);
          parts.push(b);
        } else {
          const b = Buffer.from([0x22 | typeBits, 0, 0, 0, 0, 0]);
          b.writeUInt32LE(s.value >>> 0, 2);
          parts.push(b);
        }
        break;
      }
      case 'key': {
        const b = Buffer.alloc(10);
        b.writeUInt8(0x34, 0);
        b.writeUInt8(4, 1);
        b.writeUInt16LE(s.vendorId, 2);
        b.writeUInt16LE(s.deviceType, 4);
        b.writeUInt16LE(s.productCode, 6);
        b.writeUInt8((s.compatibility ? 0x80 : 0) | (s.major & 0x7f), 8);
        b.writeUInt8(s.minor, 9);
        parts.push(b);
        break;
      }
      case 'symbolic': {
        const name = Buffer.from(s.name, 'latin1');
        parts.push(Buffer.from([0x91, name.length]), name);
        if (name.length % 2 === 1) parts.push(Buffer.alloc(1));
        break;
      }
      case 'data': {
        const data = s.data.length % 2 === 1 ? Buffer.concat([s.data, Buffer.alloc(1)]) : s.data;
        parts.push(Buffer.from([0x80, data.length / 2]), data);
        break;
      }
    }
  }
  return Buffer.concat(parts);
}

/** Shorthand for a logical segment. */
export function logical(type: LogicalType, value: number): EpathSegment {
  return { kind: 'logical', type, value };
}

/** The class and instance a path addresses when it is a plain logical object path (`class, instance[, attribute]`). */
export function objectAddress(segments: readonly EpathSegment[]): { classId: number; instance: number; attribute?: number } | null {
  const [c, i, a, ...rest] = segments;
  if (c?.kind !== 'logical' || c.type !== 'class' || rest.length > 0) return null;
  if (i === undefined) return { classId: c.value, instance: 0 };
  if (i.kind !== 'logical' || i.type !== 'instance') return null;
  if (a === undefined) return { classId: c.value, instance: i.value };
  if (a.kind !== 'logical' || a.type !== 'attribute') return null;
  return { classId: c.value, instance: i.value, attribute: a.value };
}
