/**
 * The loopback web host: serves the built renderer and the typed API over a WebSocket, for a browser
 * (`npm start` where Electron is absent, `npm run web`) and for end-to-end tests. It binds to loopback only and admits a WebSocket only with the
 * random per-run token and from its own origin, so other local users' pages cannot drive it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import sirv from 'sirv';
import { WebSocketServer, type WebSocket } from 'ws';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { MAX_WS_MESSAGE_BYTES, type Envelope, type WsCall, type WsMessage } from '../../src-shared/common/api/transport.ts';
import type { EventHub } from '../services/event-hub.ts';

/** Content-Security-Policy of every page the host serves (the same policy the Electron window enforces). */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** A running web host. */
export interface WebHost {
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Where and what to serve. */
export interface WebHostOptions {
  /** Where calls go: an `ApiRouter`, or a `HostedApp` (which can switch data directories). */
  router: { call(op: unknown, request: unknown): Promise<Envelope<unknown>> };
  hub: EventHub;
  rendererDir: string;
  host?: string;
  port?: number;
  /** Fixed token (tests); a fresh random one otherwise. */
  token?: string;
  /** Told of each connection closed for a bad frame or a socket error (default: one line on standard error). */
  onConnectionError?: (err: Error) => void;
}

function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host === 'localhost';
}

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function rejectUpgrade(socket: Duplex, status: number, code: string, message: string, hint: string): void {
  const body = JSON.stringify({ code, message, hint });
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Starts the web host; resolves once it listens. */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) {
    throw new BaselineError(
      'web-host-not-loopback',
      `The web host may only listen on a loopback address, not ${host}.`,
      'Use 127.0.0.1 (the default). The web host has no user authentication and must never be reachable from the network.',
    );
  }
  if (!existsSync(join(options.rendererDir, 'index.html'))) {
    throw new BaselineError(
      'renderer-not-built',
      `The user interface has not been built (${options.rendererDir}/index.html is missing).`,
      'Run `npm run build:renderer` (or `npm start`, which builds it when needed).',
    );
  }
  const token = options.token ?? randomBytes(24).toString('base64url');
  const serveStatic = sirv(options.rendererDir, { etag: true, single: true, dev: false });
  let port = 0;
  const server: Server = createServer((req, res) => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(port));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    serveStatic(req, res, () => {
      res.statusCode = 404;
      res.end('Not found');
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES });
  const reportError =
    options.onConnectionError ??
    ((err: Error) => {
      process.stderr.write(`baseline web: closed one connection: ${err.message}\n`);
    });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node's HTTP server stops watching a socket once it is upgraded: an error on it (a client resetting the
    // connection mid-handshake) would otherwise be unhandled and end the whole host.
    socket.on('error', (err) => {
      reportError(err);
      socket.destroy();
    });
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (url.pathname !== '/api') {
      rejectUpgrade(socket, 404, 'not-found', `No WebSocket endpoint at ${url.pathname}.`, 'Connect to /api.');
      return;
    }
    const expectedOrigin = `http://${host}:${port}`;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== expectedOrigin && origin !== `http://localhost:${port}`) {
      rejectUpgrade(
        socket,
        403,
        'wrong-origin',
        `WebSocket connections are accepted only from ${expectedOrigin}, not ${origin}.`,
        'Open Baseline through the URL the web host printed.',
      );
      return;
    }
    if (!sameToken(url.searchParams.get('token'), token)) {
      rejectUpgrade(
        socket,
        401,
        'bad-token',
        url.searchParams.has('token') ? 'The access token is wrong.' : 'The access token is missing.',
        'Open the exact URL printed by `npm start` or `npm run web` (it carries a fresh token each run).',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const unsubscribe = options.hub.subscribe((event, payload) => {
    const frame = JSON.stringify({ kind: 'event', event, payload } satisfies WsMessage);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // A bad frame (over-size, invalid UTF-8, unmasked, unknown opcode, RSV bits, a stray continuation) makes `ws`
    // close this one connection with the RFC 6455 status code naming the fault (1009, 1007, 1002) and then emit
    // 'error'; without this listener that error would end the process.
    ws.on('error', (err) => reportError(err));
    const reply = (message: WsMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    ws.on('message', (data, isBinary) => {
      let call: WsCall;
      try {
        if (isBinary) throw new Error('binary');
        call = JSON.parse(data.toString()) as WsCall;
        if (call?.kind !== 'call' || typeof call.id !== 'number') throw new Error('not a call');
      } catch {
        reply({
          kind: 'reply',
          id: -1,
          envelope: {
            ok: false,
            error: {
              code: 'malformed-message',
              message: 'The message is not a JSON call frame.',
              hint: 'Send a text frame {"kind":"call","id":<number>,"op":"…","request":{…}}.',
            },
          },
        });
        return;
      }
      options.router
        .call(call.op, call.request)
        .then((envelope) => reply({ kind: 'reply', id: call.id, envelope }))
        .catch((err: unknown) => {
          reportError(err instanceof Error ? err : new Error(String(err)));
          reply({
            kind: 'reply',
            id: call.id,
            envelope: {
              ok: false,
              error: {
                code: 'internal',
                message: 'Baseline could not send the answer to this call.',
                hint: 'Try again; if it recurs, report it with the operation name.',
              },
            },
          });
        });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://${host}:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    port,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
