import { afterAll, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { runServerCli } from '../../../src-server/server-cli.ts';
import { SyncHttpClient } from '../../../src-main/services/sync-http-client.ts';
import { openLaptop, startTestServer } from '../../helpers/sync-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      out: (t: string) => {
        out.push(t);
      },
      err: (t: string) => {
        err.push(t);
      },
    },
    out,
    err,
  };
}

describe('`baseline server` and its enrolment codes', () => {
  const home = tempHome('baseline-server-');
  afterAll(() => home.cleanup());

  it('refuses wrong usage with exit code 2 and says what to type', async () => {
    const a = capture();
    expect(await runServerCli(['--db', 'mysql://x', '--home', home.home], a.io)).toBe(2);
    expect(a.err.join('')).toMatch(/--db must be a PostgreSQL URL/);
    const b = capture();
    expect(await runServerCli(['--port', 'eighty', '--home', home.home], b.io)).toBe(2);
    expect(b.err.join('')).toMatch(/--port must be a port number/);
    const c = capture();
    expect(await runServerCli(['enrol-code', '--ttl', '0', '--home', home.home], c.io)).toBe(2);
    const d = capture();
    expect(await runServerCli(['launch'], d.io)).toBe(2);
    expect(d.err.join('')).toMatch(/unknown command "launch"/);
  });

  it('prints a one-time code with the plant CA fingerprint, then serves until told to stop', async () => {
    const a = capture();
    expect(await runServerCli(['enrol-code', '--home', home.home, '--ttl', '5'], a.io)).toBe(0);
    expect(a.out.join('')).toMatch(
      /Enrolment code: [2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\n {2}valid once, until .*\n {2}plant CA fingerprint \(SHA-256\): [0-9a-f]{64}/,
    );
    let stop!: () => void;
    const stopped = new Promise<void>((r) => {
      stop = r;
    });
    const b = capture();
    const running = runServerCli(['--home', home.home, '--port', '0'], b.io, stopped);
    await expect.poll(() => b.err.join('')).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+/);
    stop();
    expect(await running).toBe(0);
    expect(statSync(join(home.home, 'server.db')).mode & 0o777).toBe(0o600);
    expect(statSync(join(home.home, 'pki', 'plant-ca.key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(home.home).mode & 0o777).toBe(0o700);
  });

  it('limits enrolment attempts per address and says to wait', async () => {
    const server = await startTestServer({ postgresUrl: null }, { enrolPerMinute: 2 });
    const laptop = tempHome('baseline-laptop-');
    const app = openLaptop(laptop.home);
    try {
      const fp = server.server.pki.caFingerprint;
      for (let i = 0; i < 2; i++)
        await expect(app.sync.enrol(server.server.url, 'WRONG-CODE-000', fp, app.actor())).rejects.toMatchObject({
          code: 'enrol-code-wrong',
        });
      await expect(app.sync.enrol(server.server.url, 'WRONG-CODE-000', fp, app.actor())).rejects.toMatchObject({
        code: 'rate-limited',
        message: expect.stringMatching(/Too many enrolment attempts/),
      });
      const health = new SyncHttpClient(server.server.url, server.server.pki.caCertPem, null);
      expect(await health.call('GET', '/health')).toMatchObject({ status: 'ok' });
      health.close();
    } finally {
      app.close();
      laptop.cleanup();
      await server.stop();
    }
  });
});
