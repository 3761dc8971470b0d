/**
 * A raw WebSocket client over node:net for attacking the web host: it performs the RFC 6455 opening handshake by
 * hand and then writes whatever bytes a test wants, including frames no well-behaved library would send.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

/** One frame as written on the wire (RFC 6455 §5.2); every field may be wrong on purpose. */
export interface RawFrame {
  fin?: boolean;
  /** RSV1..RSV3 as a 3-bit number (0 for a valid frame without extensions). */
  rsv?: number;
  opcode: number;
  payload?: Buffer;
  /** Client frames must be masked (§5.3); false sends an unmasked frame. */
  masked?: boolean;
  /** The length written in the header, when it should differ from the payload's real length. */
  declaredLength?: number;
}

/** Encodes a frame. */
export function encodeFrame(frame: RawFrame): Buffer {
  const payload = frame.payload ?? Buffer.alloc(0);
  const masked = frame.masked ?? true;
  const length = frame.declaredLength ?? payload.length;
  const head: number[] = [((frame.fin ?? true) ? 0x80 : 0) | (((frame.rsv ?? 0) & 7) << 4) | (frame.opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (length < 126) head.push(maskBit | length);
  else if (length < 0x10000) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(length);
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(length));
  }
  if (!masked) return Buffer.concat([Buffer.from(head), ext, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

/** A text frame carrying a JSON call, as a browser would send it. */
export function callFrame(id: number, op: string, request: unknown): Buffer {
  return encodeFrame({ opcode: 1, payload: Buffer.from(JSON.stringify({ kind: 'call', id, op, request })) });
}

/** What the host sent back before the connection ended. */
export interface RawOutcome {
  /** The status code of the host's close frame (null: none arrived). */
  closeCode: number | null;
  closeReason: string;
  /** The text frames received. */
  texts: string[];
  /** Whether the TCP connection ended within the wait. */
  ended: boolean;
}

/** An upgraded raw connection. */
export interface RawConnection {
  socket: Socket;
  write(bytes: Buffer): void;
  /** Waits until the host sends a close frame or ends the connection (or `ms` pass), parsing its frames. */
  outcome(ms: number): Promise<RawOutcome>;
  destroy(): void;
}

function parseFrames(buf: Buffer, out: RawOutcome): void {
  let at = 0;
  while (at + 2 <= buf.length) {
    const opcode = buf[at]! & 0x0f;
    let len = buf[at + 1]! & 0x7f;
    let off = at + 2;
    if (len === 126) {
      if (off + 2 > buf.length) return;
      len = buf.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      if (off + 8 > buf.length) return;
      len = Number(buf.readBigUInt64BE(off));
      off += 8;
    }
    if (off + len > buf.length) return;
    const payload = buf.subarray(off, off + len);
    if (opcode === 1) out.texts.push(payload.toString('utf8'));
    if (opcode === 8) {
      out.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      out.closeReason = payload.subarray(2).toString('utf8');
    }
    at = off + len;
  }
}

/** Opens a TCP connection to the host and performs the WebSocket handshake with the right token and origin. */
export function rawUpgrade(port: number, token: string, origin = `http://127.0.0.1:${port}`): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let head = Buffer.alloc(0);
    let rest = Buffer.alloc(0);
    let upgraded = false;
    let ended = false;
    const changed = new Set<() => void>();
    const notify = () => {
      for (const f of [...changed]) f();
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no handshake answer within 5 s'));
    }, 5000);
    socket.on('error', () => {
      /* the host may reset a connection it refuses; the outcome says what happened */
    });
    socket.on('close', () => {
      ended = true;
      notify();
    });
    socket.on('data', (d: Buffer) => {
      if (upgraded) {
        rest = Buffer.concat([rest, d]);
        notify();
        return;
      }
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      const status = head.subarray(0, end).toString('latin1');
      if (!status.startsWith('HTTP/1.1 101')) {
        socket.destroy();
        reject(new Error(`handshake refused: ${status.split('\r\n')[0]}`));
        return;
      }
      upgraded = true;
      rest = head.subarray(end + 4);
      resolve({
        socket,
        write: (bytes) => {
          if (!socket.destroyed) socket.write(bytes);
        },
        destroy: () => socket.destroy(),
        outcome: (ms) =>
          new Promise((done) => {
            const parsed = (): RawOutcome => {
              const out: RawOutcome = { closeCode: null, closeReason: '', texts: [], ended };
              parseFrames(rest, out);
              return out;
            };
            const check = (force: boolean) => {
              const out = parsed();
              if (!force && out.closeCode === null && !out.ended) return;
              clearTimeout(wait);
              changed.delete(onChange);
              done(out);
            };
            const onChange = () => check(false);
            const wait = setTimeout(() => check(true), ms);
            changed.add(onChange);
            check(false);
          }),
      });
    });
    socket.on('connect', () => {
      socket.write(
        [
          `GET /api?token=${encodeURIComponent(token)} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          `Origin: ${origin}`,
          '',
          '',
        ].join('\r\n'),
      );
    });
  });
}
