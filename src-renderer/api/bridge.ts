/**
 * The only code that touches `window.baseline`: picks the transport the renderer runs on. Under Electron the
 * preload provides the bridge; in a browser it is the loopback web host's WebSocket, with the token from
 * the URL fragment (never sent in an HTTP request).
 */
import { createApiClient } from '../../src-shared/common/api/api-client.ts';
import type { BaselineApi, BaselineBridge, Envelope, WsMessage } from '../../src-shared/common/api/transport.ts';

declare global {
  interface Window {
    baseline?: BaselineBridge;
  }
}

/** Connects to the loopback web host that served this page. */
function connectWebSocket(): Promise<BaselineBridge> {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) {
    return Promise.reject(new Error('This page was opened without its access token. Open the exact URL printed by `npm start` or `npm run web`.'));
  }
  const url = `ws://${location.host}/api?token=${encodeURIComponent(token)}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const pending = new Map<number, (e: Envelope<unknown>) => void>();
    const listeners = new Map<string, Set<(payload: unknown) => void>>();
    let nextId = 1;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      resolve({
        invoke(op, request) {
          if (ws.readyState !== WebSocket.OPEN) {
            return Promise.resolve({ ok: false, error: { code: 'disconnected', message: 'The connection to Baseline was lost.', hint: 'Restart `npm start` (or `npm run web`) and open its new URL.' } });
          }
          const id = nextId++;
          return new Promise((done) => {
            pending.set(id, done);
            ws.send(JSON.stringify({ kind: 'call', id, op, request }));
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
    ws.onclose = () => {
      for (const done of pending.values()) {
        done({ ok: false, error: { code: 'disconnected', message: 'The connection to Baseline was lost.', hint: 'Restart `npm start` (or `npm run web`) and open its new URL.' } });
      }
      pending.clear();
      for (const l of listeners.get('bridge.closed') ?? []) l(null);
      if (!opened) reject(new Error('The web host refused the connection: the access token is wrong or from an earlier run. Open the URL printed by `npm start` or `npm run web`.'));
    };
  });
}

/** The typed API over whichever transport is present. */
export async function connectApi(): Promise<BaselineApi & { onClosed(fn: () => void): void }> {
  const bridge = window.baseline ?? (await connectWebSocket());
  const client = createApiClient(bridge);
  return { ...client, onClosed: (fn) => void bridge.on('bridge.closed', fn) };
}
