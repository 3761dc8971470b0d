import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { ApiRouter, appHandlers } from '../../../src-main/services/api-router.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { startWebHost, type WebHost } from '../../../src-main/host/web-host.ts';
import type { WsMessage } from '../../../src-shared/common/api/transport.ts';
import { tempHome } from '../../helpers/temp-home.ts';

/** Opens a WebSocket and resolves with it once open, or with the HTTP refusal (status and JSON body). */
function connect(
  url: string,
  origin?: string,
): Promise<{ ws: WebSocket } | { status: number; body: { code: string; message: string; hint: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.on('open', () => resolve({ ws }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) }));
    });
    ws.on('error', reject);
  });
}

function nextMessage(ws: WebSocket, filter: (m: WsMessage) => boolean): Promise<WsMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString()) as WsMessage;
      if (filter(m)) {
        ws.off('message', onMessage);
        resolve(m);
      }
    };
    ws.on('message', onMessage);
  });
}

async function call(ws: WebSocket, id: number, op: string, request: unknown): Promise<WsMessage> {
  const reply = nextMessage(ws, (m) => m.kind === 'reply' && m.id === id);
  ws.send(JSON.stringify({ kind: 'call', id, op, request }));
  return reply;
}

describe('loopback web host: the typed API over WebSocket', () => {
  const t = tempHome();
  let app: BaselineApp;
  let host: WebHost;
  let apiUrl: string;

  beforeAll(async () => {
    const rendererDir = mkdtempSync(join(tmpdir(), 'renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Baseline</title>');
    app = BaselineApp.open({ home: t.home, transport: 'web', keyProtection: filePermissionsProtection });
    host = await startWebHost({ router: new ApiRouter(appHandlers(app)), hub: app.hub, rendererDir });
    apiUrl = `ws://127.0.0.1:${host.port}/api`;
  });
  afterAll(async () => {
    await host.close();
    app.close();
    t.cleanup();
  });

  it('listens on 127.0.0.1 and serves the page with a strict Content-Security-Policy', async () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{32}$/);
    const res = await fetch(host.origin + '/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Baseline</title>');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
  });

  it('refuses a WebSocket without a token, with a wrong token, or from another origin', async () => {
    const missing = await connect(apiUrl, host.origin);
    expect(missing).toMatchObject({ status: 401, body: { code: 'bad-token', message: 'The access token is missing.' } });
    const wrong = await connect(`${apiUrl}?token=${'x'.repeat(32)}`, host.origin);
    expect(wrong).toMatchObject({ status: 401, body: { code: 'bad-token', message: 'The access token is wrong.' } });
    if ('body' in wrong) expect(wrong.body.hint).toContain('npm run web');
    const foreign = await connect(`${apiUrl}?token=${host.token}`, 'http://evil.example');
    expect(foreign).toMatchObject({ status: 403, body: { code: 'wrong-origin' } });
  });

  it('answers calls, refuses unknown operations and malformed payloads, and pushes events', async () => {
    const c = await connect(`${apiUrl}?token=${host.token}`, host.origin);
    if (!('ws' in c)) throw new Error(`refused: ${JSON.stringify(c)}`);
    const { ws } = c;
    try {
      const info = await call(ws, 1, 'app.info', {});
      expect(info).toMatchObject({
        kind: 'reply',
        id: 1,
        envelope: { ok: true, value: { transport: 'web', deviceId: app.deviceKey.deviceId } },
      });

      const unknown = await call(ws, 2, 'controllers.writeEverything', {});
      expect(unknown).toMatchObject({ envelope: { ok: false, error: { code: 'unknown-operation' } } });

      const malformed = await call(ws, 3, 'journal.list', { limit: -1 });
      expect(malformed).toMatchObject({ envelope: { ok: false, error: { code: 'invalid-request' } } });

      const garbage = nextMessage(ws, (m) => m.kind === 'reply' && m.id === -1);
      ws.send('this is not json');
      expect(await garbage).toMatchObject({ envelope: { ok: false, error: { code: 'malformed-message' } } });

      const before = app.journal.count();
      const pushed = nextMessage(ws, (m) => m.kind === 'event' && m.event === 'journal.appended');
      const verify = await call(ws, 4, 'journal.verify', {});
      expect(verify).toMatchObject({ envelope: { ok: true, value: { ok: true, events: before } } });
      expect(await pushed).toMatchObject({
        kind: 'event',
        event: 'journal.appended',
        payload: { type: 'journal.verified', seq: before + 1 },
      });

      const list = await call(ws, 5, 'journal.list', { limit: 2 });
      if (list.kind !== 'reply' || !list.envelope.ok) throw new Error('list failed');
      const value = list.envelope.value as { events: { type: string; verification: { state: string } }[]; nextBeforeRowid: number | null };
      expect(value.events.map((e) => [e.type, e.verification.state])).toEqual([
        ['journal.verified', 'verified'],
        ['app.started', 'verified'],
      ]);
      expect(value.nextBeforeRowid).not.toBeNull();
    } finally {
      ws.close();
    }
  });

  it('refuses to listen on a non-loopback address', async () => {
    await expect(
      startWebHost({ router: new ApiRouter(appHandlers(app)), hub: app.hub, rendererDir: tmpdir(), host: '0.0.0.0' }),
    ).rejects.toThrow(/loopback/);
  });
});
