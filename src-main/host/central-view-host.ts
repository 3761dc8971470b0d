/**
 * The central view (issue #13): the same renderer the laptops run, served read-only over HTTPS to people who
 * present their certificate from the plant CA, showing the change register, every change's full record and the
 * Audit trail across all laptops.
 *
 * Where the data comes from: a read-only replica of the server's store. The central view is a data directory
 * enrolled with the server like a laptop that only pulls (never pushes): it receives every laptop's signed events
 * in the server's order, checks each chain and signature as a laptop does, and its projections (the register,
 * the records, the trail) are the laptops' own code, so the central view shows exactly what a laptop would.
 * (The server program itself never imports the laptop's code; ARCHITECTURE §1.)
 *
 * Who may look: TLS client authentication with a person's X.509 certificate from the plant CA (the same
 * certificate in the same PKCS#12 keystore they sign with on the laptops), checked at every request against the
 * CAs and revocations the replica holds. People already have these certificates and keystores, so nothing new
 * is issued; a signed-login protocol would need the keystore password typed into a web page.
 *
 * What they may do: the read-only operations (READ_ONLY_OPERATIONS); every other call is refused by name.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import sirv from 'sirv';
import { WebSocketServer, type WebSocket } from 'ws';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { READ_ONLY_OPERATIONS } from '../../src-shared/common/api/read-only-operations.ts';
import { MAX_WS_MESSAGE_BYTES, type Envelope, type WsCall, type WsMessage } from '../../src-shared/common/api/transport.ts';
import { certificateProblem, subjectOf } from '../../src-shared/node/pki.ts';
import { BaselineApp } from '../services/baseline-app.ts';
import { ApiRouter, appHandlers } from '../services/api-router.ts';
import { filePermissionsProtection } from '../services/data-directory-reader.ts';

/** How to run the central view. */
export interface CentralViewOptions {
  /** The replica's data directory (created and enrolled on first start). */
  home: string;
  /** First start: the server address, a one-time enrolment code and the plant CA fingerprint printed with it. */
  enrol?: { serverUrl: string; code: string; caFingerprint: string };
  /** The HTTPS certificate and key people's browsers see (e.g. the server's, issued by the plant CA). */
  tls: { certPem: string; keyPem: string };
  rendererDir: string;
  host?: string;
  port?: number;
  /** How often the replica pulls from the server (ms); default 30 s. */
  pullIntervalMs?: number;
  /** Told of each person who opens a connection and each refusal (default: one line on standard error). */
  log?: (line: string) => void;
}

/** A running central view. */
export interface CentralView {
  readonly url: string;
  readonly port: number;
  readonly app: BaselineApp;
  /** Pulls from the server now (the timer does it too). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/** Who is looking, from their TLS client certificate; or why they may not. */
export type Viewer = { ok: true; name: string; employeeId: string; fingerprint: string } | { ok: false; reason: string };

/** Checks the certificate a browser presented against the CAs and revocations the replica holds. */
export function viewerOf(socket: TLSSocket, app: BaselineApp, at: Date): Viewer {
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.raw) return { ok: false, reason: 'No certificate was presented.' };
  const pem = new X509Certificate(peer.raw).toString();
  const trust = app.identity.trust();
  const problem = certificateProblem(pem, trust.caPems, trust.revokedFingerprints, at);
  if (problem) return { ok: false, reason: `The certificate presented cannot be accepted: ${problem}.` };
  const s = subjectOf(pem);
  if (!s.employeeId) return { ok: false, reason: "The certificate presented is not a person's certificate (it names no employee)." };
  return { ok: true, name: s.name, employeeId: s.employeeId, fingerprint: s.fingerprint };
}

const READ_ONLY_HINT =
  'The central view only shows what the laptops recorded. Make, sign and record changes in Baseline on a laptop; they appear here after it syncs.';

/** Content-Security-Policy of the central view's pages: the web host's, with the secure WebSocket of this origin. */
function contentSecurityPolicy(origin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${origin.replace(/^https:/, 'wss:')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

function refusePage(res: ServerResponse, reason: string): void {
  res.statusCode = 401;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(
    `Baseline central view: ${reason}\n\nWhat to do: open this page in a browser holding your Baseline certificate from the plant CA ` +
      '(import your keystore, the .p12 file from the People screen, into the browser), or ask plant engineering to issue or renew it.\n',
  );
}

/** Opens (and on first start enrols) the replica, pulls once, and serves the renderer over HTTPS. */
export async function startCentralView(options: CentralViewOptions): Promise<CentralView> {
  if (!existsSync(join(options.rendererDir, 'index.html'))) {
    throw new BaselineError(
      'renderer-not-built',
      `The user interface has not been built (${options.rendererDir}/index.html is missing).`,
      'Run `npm run build:renderer`.',
    );
  }
  const log =
    options.log ??
    ((line: string) => {
      process.stderr.write(`baseline central-view: ${line}\n`);
    });
  const app = BaselineApp.open({
    home: options.home,
    transport: 'web',
    keyProtection: filePermissionsProtection,
    sync: { background: true, pullOnly: true, intervalMs: options.pullIntervalMs ?? 30_000, timeoutMs: 60_000 },
  });
  try {
    if (app.sync.status().state === 'not-enrolled') {
      if (!options.enrol) {
        throw new BaselineError(
          'central-view-not-enrolled',
          "The central view's data directory is not enrolled with the server.",
          'Start it once with --server URL --code CODE --fingerprint SHA256 (a code from `baseline server enrol-code`).',
        );
      }
      await app.sync.enrol(options.enrol.serverUrl, options.enrol.code, options.enrol.caFingerprint, app.actor());
    }
    const first = await app.sync.syncNow();
    if (first.lastError)
      log(`first pull failed (${first.lastError.message}); showing what this replica holds and retrying in the background`);
  } catch (err) {
    app.close();
    throw err;
  }

  // The Audit trail shows the plant's records: the laptops' events, not this replica's own housekeeping (its genesis,
  // enrolment, the revocations it recorded on pull), which would read as if a plant device had recorded them.
  const router = new ApiRouter({
    ...appHandlers(app),
    'journal.list': (req) => app.journalService.list(req.limit, req.beforeRowid, app.deviceKey.deviceId),
  });
  const readOnly = {
    call(op: unknown, request: unknown): Promise<Envelope<unknown>> {
      if (typeof op === 'string' && !READ_ONLY_OPERATIONS.has(op as never)) {
        return Promise.resolve({
          ok: false,
          error: {
            code: 'central-view-read-only',
            message: `The central view is read-only: "${op}" records or changes something, which is done on a laptop.`,
            hint: READ_ONLY_HINT,
          },
        });
      }
      // The renderer learns here that it is the central view: it says so and offers no write.
      if (op === 'app.info') {
        return router.call(op, request).then((e) =>
          e.ok
            ? {
                ok: true as const,
                value: {
                  ...(e.value as object),
                  centralView: true,
                  readOnly: { message: 'Central view: what the laptops recorded and synced, across the plant.', hint: READ_ONLY_HINT },
                },
              }
            : e,
        );
      }
      return router.call(op, request);
    },
  };

  const host = options.host ?? '127.0.0.1';
  let origin = '';
  const serveStatic = sirv(options.rendererDir, { etag: true, single: true, dev: false });
  const trust = app.identity.trust();
  const server: Server = createServer(
    {
      cert: options.tls.certPem,
      key: options.tls.keyPem,
      requestCert: true,
      rejectUnauthorized: false,
      ...(trust.caPems.length ? { ca: trust.caPems } : {}),
    },
    (req, res) => {
      const viewer = viewerOf(req.socket as TLSSocket, app, new Date());
      if (!viewer.ok) {
        log(`refused ${req.method} ${req.url}: ${viewer.reason}`);
        refusePage(res, viewer.reason);
        return;
      }
      res.setHeader('Content-Security-Policy', contentSecurityPolicy(origin));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Strict-Transport-Security', 'max-age=31536000');
      serveStatic(req, res, () => {
        res.statusCode = 404;
        res.end('Not found');
      });
    },
  );

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const reject = (status: number, code: string, message: string, hint: string) => {
      const body = JSON.stringify({ code, message, hint });
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    const viewer = viewerOf(req.socket as TLSSocket, app, new Date());
    if (!viewer.ok)
      return reject(
        401,
        'certificate-required',
        viewer.reason,
        'Open the central view in a browser holding your certificate from the plant CA.',
      );
    if (new URL(req.url ?? '/', origin).pathname !== '/api')
      return reject(404, 'not-found', 'No WebSocket endpoint here.', 'Connect to /api.');
    if (req.headers.origin !== undefined && req.headers.origin !== origin) {
      return reject(
        403,
        'wrong-origin',
        `WebSocket connections are accepted only from ${origin}.`,
        'Open the central view at its own address.',
      );
    }
    log(`${viewer.name} (${viewer.employeeId}) opened the central view`);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const unsubscribe = app.hub.subscribe((event, payload) => {
    const frame = JSON.stringify({ kind: 'event', event, payload } satisfies WsMessage);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });
  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => undefined);
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
      void readOnly.call(call.op, call.request).then((envelope) => reply({ kind: 'reply', id: call.id, envelope }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  origin = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: `${origin}/`,
    port,
    app,
    async refresh() {
      await app.sync.syncNow();
    },
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.sync.stop();
      await app.closeWhenIdle();
    },
  };
}
