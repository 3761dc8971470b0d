import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

// The Electron binary cannot be downloaded on these machines, so this is the one place we stand in for it:
// the real esbuild bundles are loaded in plain Node with a stub `electron` module that records what the shell
// asks of it. It proves the bundles load (no module-load crash, e.g. from import.meta in CommonJS), that the
// preload exposes exactly window.baseline = { invoke, on }, and that the window is created locked down.
const STUB = String.raw`
const Module = require('module');
const calls = [];
const orig = Module._load;
let exposed = null;
const handlers = {};
const electron = {
  contextBridge: { exposeInMainWorld: (name, api) => { exposed = { name, keys: Object.keys(api).sort() }; } },
  ipcRenderer: { invoke: async () => ({ ok: true, value: 1 }), on() {}, removeListener() {} },
  app: {
    isPackaged: true,
    requestSingleInstanceLock: () => true, on() {}, quit() {}, getAppPath: () => process.cwd(), getPath: () => process.env.HOME_DIR,
    whenReady: () => Promise.resolve(),
  },
  session: { defaultSession: { webRequest: { onHeadersReceived() { calls.push('csp'); } }, setPermissionRequestHandler() { calls.push('perm-request'); }, setPermissionCheckHandler() { calls.push('perm-check'); } } },
  Menu: { setApplicationMenu() {}, buildFromTemplate: (t) => { calls.push(['menu', JSON.stringify(t)]); return {}; } },
  protocol: { registerSchemesAsPrivileged: (s) => calls.push(['schemes', s]), handle: (scheme) => calls.push('protocol:' + scheme) },
  net: { fetch: async () => { throw new Error('not in this test'); } },
  safeStorage: { isEncryptionAvailable: () => false, getSelectedStorageBackend: () => 'basic_text' },
  ipcMain: { handle: (ch) => { handlers[ch] = true; } },
  dialog: { showErrorBox: (t, m) => calls.push('error:' + m) },
  utilityProcess: { fork() { throw new Error('not in this test'); } },
  BrowserWindow: class { constructor(o) { calls.push(['window', o.webPreferences]); this.webContents = { id: 1 }; } once() {} on() {} loadFile(f) { calls.push(['loadFile', f]); return Promise.resolve(); } loadURL(u) { calls.push(['loadURL', u]); return Promise.resolve(); } isDestroyed() { return false; } },
};
Module._load = function (r) { if (r === 'electron') return electron; return orig.apply(this, arguments); };
require(process.env.BUNDLE);
setTimeout(() => { console.log(JSON.stringify({ exposed, calls, handlers: Object.keys(handlers).sort() })); process.exit(0); }, 500);
`;

function load(bundle: string, home: string): { exposed: { name: string; keys: string[] } | null; calls: unknown[]; handlers: string[] } {
  const r = spawnSync(process.execPath, ['-e', STUB], {
    encoding: 'utf8',
    env: { ...process.env, BUNDLE: bundle, HOME_DIR: home },
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`bundle ${bundle} failed to load: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

describe('Electron bundles (Electron itself stubbed: the binary is not available here)', () => {
  beforeAll(() => {
    const r = spawnSync(process.execPath, ['scripts/build-electron.ts'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
  }, 60_000);

  it('the preload exposes exactly window.baseline with invoke and on', () => {
    expect(load(`${process.cwd()}/dist-electron/preload.cjs`, '/tmp').exposed).toEqual({ name: 'baseline', keys: ['invoke', 'on'] });
  });

  it('the main process starts, registers one handler per operation and opens a locked-down window', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const home = mkdtempSync(`${tmpdir()}/baseline-electron-`);
    const out = load(`${process.cwd()}/dist-electron/main.cjs`, home);
    expect(out.calls).toContain('csp');
    expect(out.calls).toContain('perm-request');
    const { OPERATIONS } = await import('../../../src-shared/common/api/contract.ts');
    expect(out.handlers).toEqual(
      Object.keys(OPERATIONS)
        .map((op) => `baseline:${op}`)
        .sort(),
    );
    const window = out.calls.find((c) => Array.isArray(c) && c[0] === 'window') as [string, Record<string, unknown>];
    expect(window[1]).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    // Packaged: no developer tools, the page from app:// (registered as privileged before ready), never file://.
    expect(window[1]).toMatchObject({ devTools: false });
    expect(out.calls).toContainEqual(['schemes', [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]]);
    expect(out.calls).toContain('protocol:app');
    expect(out.calls).toContainEqual(['loadURL', 'app://baseline/index.html']);
    expect(out.calls.some((c) => Array.isArray(c) && c[0] === 'loadFile')).toBe(false);
    const menu = out.calls.find((c) => Array.isArray(c) && c[0] === 'menu') as [string, string];
    expect(menu[1]).not.toMatch(/toggleDevTools|reload/i);
  }, 30_000);
});
