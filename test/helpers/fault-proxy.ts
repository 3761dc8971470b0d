/**
 * A fault-injecting proxy on loopback between a laptop and the central server, built on Node's `net`/`tls`.
 *
 * It terminates TLS with the server's own certificate (issued by the plant CA, so the laptop's check passes) and
 * opens its own TLS connection to the server, so it sees each HTTP request on the wire and can cut the TCP
 * connection at a named step of the sync protocol: before a request's head, in the middle of its body, after the
 * server received it but before its answer reached the laptop (the acknowledgement lost), or in the middle of the
 * answer. Everything else passes byte for byte. It counts the bytes each way (after TLS: what HTTP carried).
 */
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';

/** Where in a request's life the connection is cut. */
export type CutPoint =
  | 'request-head'
  | 'request-mid-body'
  | 'before-response'
  | 'response-mid-body'
  /** Forward part of the body, then hold the connection open and silent (for killing the server mid-body). */
  | 'hold-mid-body';

/** A cut to make once: the next request matching `method` and `path`. */
export interface CutRule {
  method: string;
  path: RegExp;
  at: CutPoint;
  /** For 'request-mid-body': the fraction of the body to forward before cutting (default 0.5). */
  fraction?: number;
}

/** A running proxy. */
export interface FaultProxy {
  url: string;
  port: number;
  /** Arms a cut; resolves when it has been made. */
  cut(rule: CutRule): Promise<{ method: string; path: string }>;
  /** Cuts the connection carrying the request byte number `n` (counted like `bytesUp`); resolves when cut. */
  cutAtBytesUp(n: number): Promise<void>;
  /** Request bytes forwarded to the server (heads and bodies), since start or the last reset. */
  readonly bytesUp: number;
  readonly bytesDown: number;
  /** Requests seen, as "METHOD /path". */
  readonly requests: string[];
  resetCounters(): void;
  close(): Promise<void>;
}

interface Armed {
  rule: CutRule;
  done: (hit: { method: string; path: string }) => void;
}

/** Starts the proxy in front of `target` (an https://127.0.0.1:port server). */
export async function startFaultProxy(target: string, tls: { keyPem: string; certPem: string; caPem: string }): Promise<FaultProxy> {
  const upstreamUrl = new URL(target);
  const armed: Armed[] = [];
  const sockets = new Set<TLSSocket>();
  const requests: string[] = [];
  let bytesUp = 0;
  let bytesDown = 0;
  let byteCut: { at: number; done: () => void } | null = null;

  const takeRule = (method: string, path: string): Armed | null => {
    const i = armed.findIndex((a) => a.rule.method === method && a.rule.path.test(path));
    return i < 0 ? null : armed.splice(i, 1)[0]!;
  };

  const server = createTlsServer({ key: tls.keyPem, cert: tls.certPem }, (client) => {
    const upstream = tlsConnect({ host: upstreamUrl.hostname, port: Number(upstreamUrl.port), ca: [tls.caPem], servername: 'localhost' });
    sockets.add(client);
    sockets.add(upstream);
    // A cut: the laptop's connection dies at once; what the proxy already handed to the server's connection is
    // delivered before it closes (as on a real network, bytes that left are not taken back).
    const cutBoth = () => {
      client.destroy();
      upstream.end();
      setTimeout(() => upstream.destroy(), 2_000).unref();
    };
    client.on('close', () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);

    // Requests from the laptop: parsed head by head (Node's client sends Content-Length, never pipelines).
    let pending = Buffer.alloc(0);
    let bodyLeft = 0;
    let midBodyCutAt = -1; // bytes of the current body still to forward before cutting
    let hold = false;
    // The request whose answer is awaited, and what to do with that answer.
    let answer: { hit: Armed; method: string; path: string } | null = null;
    let responseHead: { length: number; seen: number } | null = null;
    let responseBuffer = Buffer.alloc(0);

    let stopped = false;
    const forwardUp = (chunk: Buffer) => {
      if (byteCut && bytesUp + chunk.length >= byteCut.at) {
        const take = Math.max(0, byteCut.at - bytesUp);
        upstream.write(chunk.subarray(0, take));
        bytesUp += take;
        byteCut.done();
        byteCut = null;
        stopped = true;
        client.pause();
        setTimeout(cutBoth, 50);
        return;
      }
      bytesUp += chunk.length;
      // Backpressure: read no faster than the server takes, so counted bytes are bytes on their way.
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => {
          if (!stopped) client.resume();
        });
      }
    };

    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length > 0 && !stopped) {
        if (bodyLeft > 0) {
          const part = pending.subarray(0, Math.min(bodyLeft, pending.length));
          if (midBodyCutAt >= 0 && part.length >= midBodyCutAt) {
            forwardUp(part.subarray(0, midBodyCutAt));
            // Give the server a moment to read what arrived, then cut (or stay silent).
            if (!hold) setTimeout(cutBoth, 50);
            stopped = true;
            pending = Buffer.alloc(0);
            client.pause();
            return;
          }
          if (midBodyCutAt >= 0) midBodyCutAt -= part.length;
          forwardUp(part);
          bodyLeft -= part.length;
          pending = pending.subarray(part.length);
          continue;
        }
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end + 4);
        const [requestLine, ...headerLines] = head.toString('latin1').split('\r\n');
        const [method = '', path = ''] = (requestLine ?? '').split(' ');
        const lengthLine = headerLines.find((l) => /^content-length:/i.test(l));
        const length = lengthLine ? Number(lengthLine.split(':')[1]) : 0;
        requests.push(`${method} ${path}`);
        const hit = takeRule(method, path);
        if (hit?.rule.at === 'request-head') {
          hit.done({ method, path });
          cutBoth();
          return;
        }
        forwardUp(head);
        pending = pending.subarray(head.length);
        bodyLeft = length;
        midBodyCutAt = -1;
        if (hit?.rule.at === 'request-mid-body' || hit?.rule.at === 'hold-mid-body') {
          hold = hit.rule.at === 'hold-mid-body';
          midBodyCutAt = Math.floor(length * (hit.rule.fraction ?? 0.5));
          hit.done({ method, path });
        } else if (hit) {
          answer = { hit, method, path };
          responseHead = null;
          responseBuffer = Buffer.alloc(0);
        }
      }
    });

    upstream.on('data', (chunk: Buffer) => {
      if (!answer) {
        bytesDown += chunk.length;
        client.write(chunk);
        return;
      }
      const { hit, method, path } = answer;
      if (hit.rule.at === 'before-response') {
        // The server has answered: it processed the request. The laptop never hears of it.
        answer = null;
        hit.done({ method, path });
        cutBoth();
        return;
      }
      // response-mid-body: forward the head and half of the body, then cut.
      responseBuffer = Buffer.concat([responseBuffer, chunk]);
      if (!responseHead) {
        const end = responseBuffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /content-length:\s*(\d+)/i.exec(responseBuffer.subarray(0, end).toString('latin1'));
        responseHead = { length: end + 4 + Math.floor(Number(m?.[1] ?? '0') / 2), seen: 0 };
      }
      if (responseBuffer.length >= responseHead.length) {
        const part = responseBuffer.subarray(0, responseHead.length);
        bytesDown += part.length;
        client.write(part);
        answer = null;
        hit.done({ method, path });
        setTimeout(cutBoth, 50);
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    cut: (rule) => new Promise((done) => armed.push({ rule, done })),
    cutAtBytesUp: (n) =>
      new Promise((done) => {
        byteCut = { at: n, done };
      }),
    get bytesUp() {
      return bytesUp;
    },
    get bytesDown() {
      return bytesDown;
    },
    requests,
    resetCounters() {
      bytesUp = 0;
      bytesDown = 0;
      requests.length = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
