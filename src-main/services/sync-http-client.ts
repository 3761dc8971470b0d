/**
 * The laptop's HTTPS client for the central server: every request checks the server's certificate against the
 * plant CA the laptop holds (never the operating system's CAs), and every failure becomes a BaselineError in
 * plain words (not reachable, wrong certificate, refused with the server's own reason).
 */
import { Agent, request as httpsRequest } from 'node:https';
import { BaselineError, isErrorData } from '../../src-shared/common/errors.ts';

/** How long one request may take before the laptop calls the server unreachable. */
const DEFAULT_TIMEOUT_MS = 15_000;
/** Request bodies larger than this are written (and counted as sent) in pieces of this size. */
const BODY_PIECE = 1024 * 1024;

/** A response: status and body (JSON parsed when the server sent JSON). */
export interface SyncHttpResponse {
  status: number;
  json: unknown;
  bytes: Buffer;
}

function networkError(serverUrl: string, err: NodeJS.ErrnoException): BaselineError {
  const code = err.code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME|HOSTNAME/i.test(code) || /certificate/i.test(err.message)) {
    return new BaselineError(
      'server-certificate-untrusted',
      `The server at ${serverUrl} did not present a certificate from this plant's CA (${err.message}).`,
      "Check the server address. If it is right, the server's certificate must be issued by the plant CA this laptop enrolled with; nothing was sent.",
      { code },
    );
  }
  const words: Record<string, string> = {
    ECONNREFUSED: 'is not answering (connection refused)',
    ECONNRESET: 'closed the connection',
    EPIPE: 'closed the connection',
    ETIMEDOUT: 'did not answer in time',
    ENOTFOUND: 'cannot be found (unknown host name)',
    EHOSTUNREACH: 'cannot be reached from this network',
    ENETUNREACH: 'cannot be reached from this network',
    'server-timeout': 'did not answer in time',
  };
  return new BaselineError(
    'server-unreachable',
    `The sync server at ${serverUrl} ${words[code] ?? `cannot be reached (${err.message})`}.`,
    'Keep working: everything is kept on this laptop and syncs when the server is reachable again.',
    { code },
  );
}

/** Talks HTTPS to one server, trusting only the given plant CA. */
export class SyncHttpClient {
  readonly serverUrl: string;
  private readonly agent: Agent;
  private readonly token: string | null;
  private readonly timeoutMs: number;
  /** Request body bytes sent so far by this client (benchmarks report bytes sent against content size). */
  bytesSent = 0;
  /** Called as request body bytes leave (large bodies in 1 MiB pieces): the sync status shows bytes sent during a push. */
  onBytesSent: (() => void) | null = null;

  private counted(n: number): void {
    this.bytesSent += n;
    this.onBytesSent?.();
  }

  /** `caPem` null: accept any certificate (only for fetching the CA before enrolment, then checked by fingerprint). */
  constructor(serverUrl: string, caPem: string | null, token: string | null, timeoutMs = DEFAULT_TIMEOUT_MS) {
    let url: URL;
    try {
      url = new URL(serverUrl);
    } catch {
      throw new BaselineError(
        'server-url-invalid',
        `"${serverUrl}" is not a server address.`,
        'Type it as https://host:port, for example https://baseline.plant.local:8443.',
      );
    }
    if (url.protocol !== 'https:') {
      throw new BaselineError(
        'server-url-invalid',
        `The server address must use https:, not ${url.protocol}.`,
        'Type it as https://host:port; sync never travels unencrypted.',
      );
    }
    this.serverUrl = url.origin;
    this.token = token;
    this.timeoutMs = timeoutMs;
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 4,
      ...(caPem === null ? { rejectUnauthorized: false } : { ca: [caPem], rejectUnauthorized: true }),
    });
  }

  /** Sends one request; resolves with any HTTP status, rejects only when no answer came. */
  send(method: string, path: string, body?: unknown): Promise<SyncHttpResponse> {
    const url = new URL(path, this.serverUrl);
    const raw = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (raw) {
      headers['content-type'] = Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json';
      headers['content-length'] = raw.length;
    }
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    return new Promise((resolveResponse, reject) => {
      const req = httpsRequest(url, { method, headers, agent: this.agent, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(networkError(this.serverUrl, err)));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          let json: unknown = null;
          if ((res.headers['content-type'] ?? '').includes('application/json')) {
            try {
              json = JSON.parse(bytes.toString('utf8'));
            } catch {
              json = null;
            }
          }
          resolveResponse({ status: res.statusCode ?? 0, json, bytes });
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'server-timeout' })));
      req.on('error', (err) => reject(networkError(this.serverUrl, err)));
      if (!raw) req.end();
      else if (raw.length <= BODY_PIECE) {
        this.counted(raw.length);
        req.end(raw);
      } else {
        // A large body leaves in pieces, each counted when written, so progress moves during a long upload.
        let offset = 0;
        const next = () => {
          while (offset < raw.length) {
            const piece = raw.subarray(offset, offset + BODY_PIECE);
            offset += piece.length;
            if (
              !req.write(piece, (err) => {
                if (!err) this.counted(piece.length);
              })
            ) {
              req.once('drain', next);
              return;
            }
          }
          req.end();
        };
        next();
      }
    });
  }

  /** Sends a request and returns its JSON body; a refusal becomes the server's own error (code, message, hint). */
  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.send(method, path, body);
    if (res.status >= 200 && res.status < 300) return res.json;
    throw this.refusal(res);
  }

  /** The error a non-2xx response stands for. */
  refusal(res: SyncHttpResponse): BaselineError {
    const error = (res.json as { error?: unknown } | null)?.error;
    if (isErrorData(error)) {
      return new BaselineError(error.code, `The server refused: ${error.message}`, error.hint, {
        ...(error.details ?? {}),
        status: res.status,
        ...((res.json as { acknowledgedSeq?: number }).acknowledgedSeq !== undefined
          ? { acknowledgedSeq: (res.json as { acknowledgedSeq: number }).acknowledgedSeq }
          : {}),
      });
    }
    return new BaselineError(
      'server-answer-unreadable',
      `The sync server answered HTTP ${res.status} without a reason Baseline can read.`,
      'Check that the address points to a Baseline server (not a proxy or another web site).',
      { status: res.status },
    );
  }

  /**
   * Closes the connections kept open for the next request. A sync calls it when it ends: a kept-alive connection
   * outlives the server behind it (a restart, its idle timeout), and the next sync's first request on it would fail
   * as if the server were unreachable. Within one sync the connections are kept (its requests follow each other).
   */
  closeIdle(): void {
    for (const sockets of Object.values(this.agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
  }

  /** Closes every connection. */
  close(): void {
    this.agent.destroy();
  }
}
