import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import type { WsMessage } from '../../../src-shared/common/api/transport.ts';
import { desktopDataHome } from '../../../src-main/host/data-home.ts';

// `npm start` where the Electron program files do not exist (ELECTRON_OVERRIDE_DIST_PATH, which the `electron`
// package itself honours, points at an empty folder): it serves the real app from the web host on the desktop
// app's data directory, answers the API over the WebSocket with the printed token, opens the default browser only
// when there is one and it may, and exits 0 on Ctrl+C.
const START = resolve('scripts/start.ts');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baseline-start-'));
  mkdirSync(join(dir, 'no-electron'));
  mkdirSync(join(dir, 'bin'));
  // A stand-in for the desktop's "open in the default browser" command: it records the URL it was given.
  writeFileSync(join(dir, 'bin', 'xdg-open'), `#!/bin/sh\necho "$@" >> ${join(dir, 'browser.log')}\n`);
  chmodSync(join(dir, 'bin', 'xdg-open'), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  url: string;
  origin: string;
  token: string;
  output: () => string;
  exit: Promise<number | null>;
}

function start(env: NodeJS.ProcessEnv): Promise<Started> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv['BASELINE_HOME'];
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const child = spawn(process.execPath, [START], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no URL: ${out}`)), 90_000);
    void exit.then((code) => reject(new Error(`npm start exited with ${code}: ${out}`)));
    const poll = setInterval(() => {
      const m = /open: (http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/.exec(out);
      if (m) {
        clearInterval(poll);
        clearTimeout(timer);
        resolveStart({ child, url: m[0].slice('open: '.length), origin: m[1]!, token: m[2]!, output: () => out, exit });
      }
    }, 50);
  });
}

function appInfo(origin: string, token: string): Promise<WsMessage> {
  return new Promise((resolveCall, reject) => {
    const ws = new WebSocket(`${origin.replace('http:', 'ws:')}/api?token=${encodeURIComponent(token)}`, { origin });
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ kind: 'call', id: 1, op: 'app.info', request: {} })));
    ws.on('message', (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString()) as WsMessage;
      if (m.kind === 'reply' && m.id === 1) {
        ws.close();
        resolveCall(m);
      }
    });
  });
}

describe('npm start where the Electron program files exist', () => {
  it('builds the shell and runs Electron on the app, passing the options on (a stand-in electron records them)', async () => {
    mkdirSync(join(dir, 'electron-dist'));
    writeFileSync(join(dir, 'electron-dist', 'electron'), `#!/bin/sh\necho "$@" >> ${join(dir, 'electron.log')}\n`);
    chmodSync(join(dir, 'electron-dist', 'electron'), 0o755);
    const child = spawn(process.execPath, [START, '--some-option', 'x'], {
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'electron-dist'), BASELINE_NO_BROWSER: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect(code, out).toBe(0);
    expect(out).not.toMatch(/web host/);
    expect(readFileSync(join(dir, 'electron.log'), 'utf8').trim()).toBe(`${resolve('.')} --some-option x`);
    expect(existsSync(resolve('dist-electron/main.cjs'))).toBe(true);
  }, 120_000);
});

describe('npm start without the Electron program files', () => {
  it('serves the app from the web host on the desktop data directory, and exits 0 on Ctrl+C', async () => {
    const env = {
      ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'no-electron'),
      XDG_CONFIG_HOME: join(dir, 'config'),
      BASELINE_NO_BROWSER: '1',
      DISPLAY: ':0',
      PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}`,
    };
    const s = await start(env);
    const home = desktopDataHome(env, 'linux');
    expect(s.output()).toMatch(/Electron program files are not installed on this machine, so Baseline opens in your browser/);
    expect(s.output()).toContain(`data directory: ${home}`);

    const page = await fetch(`${s.origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await page.text()).toMatch(/<script type="module"[^>]* src="\.\/assets\/[^"]+\.js"/);

    const reply = await appInfo(s.origin, s.token);
    expect(reply).toMatchObject({ kind: 'reply', id: 1, envelope: { ok: true, value: { home, transport: 'web' } } });
    expect(existsSync(join(home, 'baseline.db'))).toBe(true);

    s.child.kill('SIGINT');
    expect(await s.exit).toBe(0);
    // BASELINE_NO_BROWSER: the browser was not opened, though there is a display and an opener.
    expect(existsSync(join(dir, 'browser.log'))).toBe(false);
  }, 120_000);

  it('opens the default browser at the printed URL when there is a display, and exits 0 on SIGTERM', async () => {
    const s = await start({
      ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'no-electron'),
      BASELINE_HOME: undefined,
      XDG_CONFIG_HOME: join(dir, 'config'),
      CI: undefined,
      BASELINE_NO_BROWSER: undefined,
      DISPLAY: ':0',
      PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}`,
    });
    const log = join(dir, 'browser.log');
    for (let i = 0; i < 100 && !existsSync(log); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(log, 'utf8').trim()).toBe(s.url);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
  }, 120_000);
});
