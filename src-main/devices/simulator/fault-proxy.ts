/**
 * A TCP proxy that sits in front of a simulated controller and misbehaves on request: the fault injector
 * of every protocol's simulator (staging drills, training, and our own fault tests).
 *
 * Faults act on the replies the real simulator sends back, so the same proxy serves Modbus TCP, S7 and
 * EtherNet/IP. Listens on loopback only.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { BaselineError } from '../../../src-shared/common/errors.ts';

/** How replies are mangled. */
export type Fault =
  | { kind: 'none' }
  | { kind: 'delay'; ms: number } // every reply arrives late
  | { kind: 'drop' } // requests are accepted, replies never come
  | { kind: 'garbage' } // each reply's bytes are replaced by random bytes of the same length
  | { kind: 'truncate' } // the first reply is cut in half and the connection closed
  | { kind: 'close' } // the connection is closed as soon as a request arrives
  | { kind: 'refuse-after'; replies: number } // good replies, then garbage from the given count on
  | { kind: 'drop-after'; replies: number } // good replies (e.g. the connection set-up), then silence
  // good replies (counted over every connection from when the fault is set), then the connection is cut and every
  // later one is cut at its first request: a cable pulled mid-capture or mid-restore
  | { kind: 'cut-after'; replies: number }
  // good replies, then replies whose first `keep` bytes (framing: TPKT+COTP is 7, MBAP is 7, the
  // EtherNet/IP encapsulation header 24) stay intact and the rest is random: a well-framed, malformed PDU
  | { kind: 'scramble'; keep: number; after: number };

/** Parses `--fault` values: none, delay:MS, drop, garbage, truncate, close, refuse-after:N, drop-after:N, cut-after:N, scramble:KEEP:AFTER. */
export function parseFault(text: string): Fault {
  const [kind, arg] = text.split(':');
  switch (kind) {
    case 'none':
    case 'drop':
    case 'garbage':
    case 'truncate':
    case 'close':
      return { kind } as Fault;
    case 'delay': {
      const ms = Number(arg);
      if (Number.isInteger(ms) && ms >= 0) return { kind: 'delay', ms };
      break;
    }
    case 'refuse-after': {
      const n = Number(arg);
      if (Number.isInteger(n) && n >= 0) return { kind: 'refuse-after', replies: n };
      break;
    }
    case 'drop-after':
    case 'cut-after': {
      const n = Number(arg);
      if (Number.isInteger(n) && n >= 0) return { kind: kind as 'drop-after' | 'cut-after', replies: n };
      break;
    }
    case 'scramble': {
      const [, keepText, afterText] = text.split(':');
      const keep = Number(keepText);
      const after = Number(afterText ?? 0);
      if (Number.isInteger(keep) && keep >= 0 && Number.isInteger(after) && after >= 0) return { kind: 'scramble', keep, after };
      break;
    }
    default:
      break;
  }
  throw new BaselineError(
    'bad-fault',
    `"${text}" is not a fault this simulator knows.`,
    'Use one of: none, delay:<ms>, drop, garbage, truncate, close, refuse-after:<replies>, drop-after:<replies>, cut-after:<replies>, scramble:<keep-bytes>:<after-replies>.',
  );
}

/** A running proxy; `setFault` changes behaviour for new and open connections alike. */
export interface FaultProxy {
  readonly port: number;
  setFault(fault: Fault): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 forwarding to `targetPort` on 127.0.0.1. */
export async function startFaultProxy(targetPort: number, initial: Fault = { kind: 'none' }, listenPort = 0): Promise<FaultProxy> {
  let fault = initial;
  let repliesOverall = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    let replies = 0;
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('data', (chunk) => {
      if (fault.kind === 'close' || (fault.kind === 'cut-after' && repliesOverall >= fault.replies)) {
        end();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      replies++;
      repliesOverall++;
      const f = fault;
      switch (f.kind) {
        case 'none':
          client.write(chunk);
          break;
        case 'delay':
          setTimeout(() => {
            if (!client.destroyed) client.write(chunk);
          }, f.ms);
          break;
        case 'drop':
          break;
        case 'garbage':
          client.write(randomBytes(chunk.length));
          break;
        case 'truncate':
          client.end(chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2))));
          upstream.destroy();
          break;
        case 'refuse-after':
          client.write(replies > f.replies ? randomBytes(chunk.length) : chunk);
          break;
        case 'drop-after':
          if (replies <= f.replies) client.write(chunk);
          break;
        case 'cut-after':
          if (repliesOverall <= f.replies) client.write(chunk);
          else end();
          break;
        case 'scramble':
          if (replies > f.after && chunk.length > f.keep) {
            const out = Buffer.from(chunk);
            randomBytes(chunk.length - f.keep).copy(out, f.keep);
            client.write(out);
          } else {
            client.write(chunk);
          }
          break;
        case 'close':
          end();
          break;
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    setFault(next) {
      fault = next;
      repliesOverall = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
