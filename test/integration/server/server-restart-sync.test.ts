// A laptop that synced keeps its HTTPS connection to the server open for the next sync. When the server restarts
// (an update, a reboot) that connection is dead: the first sync after must open a new one instead of reporting the
// server unreachable ("closed the connection") to the engineer who pressed Sync now.
import { afterEach, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src-server/server-cli.ts';
import { enrolCode, openLaptop } from '../../helpers/sync-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('syncs at the first attempt after the server restarted on its port', async () => {
  const serverHome = tempHome('baseline-server-');
  const laptopHome = tempHome('baseline-laptop-');
  cleanups.push(serverHome.cleanup, laptopHome.cleanup);
  const start = (port: number) =>
    startServer({ home: serverHome.home, port, host: '127.0.0.1', postgresUrl: null, names: ['localhost', '127.0.0.1'], logger: false });
  let server: RunningServer = await start(0);
  cleanups.push(() => server.close());
  const app: BaselineApp = openLaptop(laptopHome.home);
  cleanups.push(() => app.close());
  await app.sync.enrol(server.url, await enrolCode(server), server.pki.caFingerprint, app.actor());
  const first = await app.sync.syncNow();
  expect(first.state).not.toBe('offline');
  for (let restart = 0; restart < 3; restart++) {
    const port = server.port;
    await server.close();
    server = await start(port);
    const after = await app.sync.syncNow();
    expect(after.lastError ?? null).toBeNull();
    expect(after.state).toBe(first.state);
  }
});
