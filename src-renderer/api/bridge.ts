/**
 * The only code that touches `window.baseline`: picks the transport the renderer runs on. Under Electron the
 * preload provides the bridge; in a browser it is the loopback web host's WebSocket, with the token from
 * the URL fragment (never sent in an HTTP request).
 */
import { createApiClient } from '../../src-shared/common/api/api-client.ts';
import {
  describeWsClose,
  MAX_WS_MESSAGE_BYTES,
  type BaselineApi,
  type BaselineBridge,
  type Envelope,
  type WsMessage,
} from '../../src-shared/common/api/transport.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';

declare global {
  interface Window {
    baseline?: BaselineBridge;
  }
}

/** Connects to the loopback web host that served this page. */
function connectWebSocket(): Promise<BaselineBridge> {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  // Over HTTPS (the central view) the browser's client certificate identifies the person; no token.
  const secure = location.protocol === 'https:';
  if (!token && !secure) {
    return Promise.reject(
      new Error('This page was opened without its access token. Open the exact URL printed by `npm start` or `npm run web`.'),
    );
  }
  const url = `${secure ? 'wss' : 'ws'}://${location.host}/api${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const pending = new Map<number, (e: Envelope<unknown>) => void>();
    const listeners = new Map<string, Set<(payload: unknown) => void>>();
    let nextId = 1;
    let opened = false;
    let lost: ErrorData = {
      code: 'disconnected',
      message: 'The connection to Baseline was lost.',
      hint: 'Reload this page to reconnect; if that fails, restart `npm start` (or `npm run web`) and open its new URL.',
    };
    ws.onopen = () => {
      opened = true;
      resolve({
        invoke(op, request) {
          if (ws.readyState !== WebSocket.OPEN) return Promise.resolve({ ok: false, error: lost });
          const id = nextId++;
          const frame = JSON.stringify({ kind: 'call', id, op, request });
          // Refused here rather than sent: the host would close the whole connection for an over-size message.
          if (frame.length > MAX_WS_MESSAGE_BYTES / 3 && new TextEncoder().encode(frame).length > MAX_WS_MESSAGE_BYTES) {
            return Promise.resolve({
              ok: false,
              error: {
                code: 'request-too-large',
                message: `This request is larger than the Baseline host accepts (${MAX_WS_MESSAGE_BYTES / 1024 / 1024} MiB).`,
                hint: 'Use a smaller file: profiles may be at most 10 MB, policy, plant and roster files 2 MB.',
              },
            });
          }
          return new Promise((done) => {
            pending.set(id, done);
            ws.send(frame);
          });
        },
        on(event, listener) {
          const set = listeners.get(event) ?? new Set();
          set.add(listener);
          listeners.set(event, set);
          return () => set.delete(listener);
        },
      });
    };
    ws.onmessage = (msg) => {
      const frame = JSON.parse(String(msg.data)) as WsMessage;
      if (frame.kind === 'reply') {
        pending.get(frame.id)?.(frame.envelope);
        pending.delete(frame.id);
      } else {
        for (const l of listeners.get(frame.event) ?? []) l(frame.payload);
      }
    };
    ws.onclose = (event) => {
      lost = { code: 'disconnected', ...describeWsClose(event.code, event.reason) };
      for (const done of pending.values()) done({ ok: false, error: lost });
      pending.clear();
      for (const l of listeners.get('bridge.closed') ?? []) l(lost);
      if (!opened)
        reject(
          new Error(
            'The web host refused the connection: the access token is wrong or from an earlier run. Open the URL printed by `npm start` or `npm run web`.',
          ),
        );
    };
  });
}

/** The typed API over whichever transport is present. */
export async function connectApi(): Promise<BaselineApi & { onClosed(fn: (error: ErrorData) => void): void }> {
  const bridge = window.baseline ?? (await connectWebSocket());
  const client = createApiClient(bridge);
  return { ...client, onClosed: (fn) => void bridge.on('bridge.closed', (payload) => fn(payload as ErrorData)) };
}
