import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { ConnectivityService } from '../../../src-main/services/connectivity-service.ts';
import { EventHub } from '../../../src-main/services/event-hub.ts';

function healthServer(status: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/health' ? status : 404;
    res.end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` });
    }),
  );
}

describe('connectivity: online means the sync server answers', () => {
  const servers: Server[] = [];
  afterEach(() => servers.forEach((s) => s.close()));

  it('is "not-configured" without a server, and says everything stays on the laptop', async () => {
    const c = new ConnectivityService(new EventHub(), { serverUrl: null });
    expect((await c.probe()).state).toBe('not-configured');
    expect(c.current().detail).toMatch(/kept on this laptop/);
  });

  it('goes online when /health answers, offline when the server stops, and pushes each change', async () => {
    const { server, url } = await healthServer(200);
    servers.push(server);
    const hub = new EventHub();
    const seen: string[] = [];
    hub.subscribe((event, payload) => seen.push(`${event}:${(payload as { state: string }).state}`));
    const c = new ConnectivityService(hub, { serverUrl: url, timeoutMs: 1000 });
    expect((await c.probe()).state).toBe('online');
    await new Promise<void>((r) => server.close(() => r()));
    const off = await c.probe();
    expect(off.state).toBe('offline');
    expect(off.detail).toMatch(/not reachable; working offline/);
    expect(seen).toEqual(['connectivity.changed:online', 'connectivity.changed:offline']);
  });

  it('reports an unhealthy server as offline with its HTTP status', async () => {
    const { server, url } = await healthServer(503);
    servers.push(server);
    const c = new ConnectivityService(new EventHub(), { serverUrl: url, timeoutMs: 1000 });
    expect(await c.probe()).toMatchObject({ state: 'offline', detail: 'Sync server answered HTTP 503.' });
  });
});
