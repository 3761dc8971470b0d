/**
 * The Electron shell, and the only code that imports 'electron': one window, locked down (context
 * isolation, sandbox, no Node in the page, strict CSP, no navigation, no new windows, no permissions),
 * and one IPC handler per API operation that checks its sender before calling the same router every
 * transport uses. Everything else runs in plain Node (src-main/services).
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  net,
  protocol,
  safeStorage,
  session,
  utilityProcess,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_PAGE_URL, APP_SCHEME, DESKTOP_CSP, resolveAppRequest } from './app-protocol.ts';
import { appMenuTemplate } from './app-menu.ts';
import { OPERATIONS } from '../../src-shared/common/api/contract.ts';
import { toErrorData } from '../../src-shared/common/errors.ts';
import { HostedApp, createThrowawayDemo } from '../host/hosted-app.ts';
import { isTrustedSender } from './ipc-trust.ts';
import type { SpawnDeviceProcess } from '../devices/process/device-supervisor.ts';
import type { FromDevice } from '../devices/process/device-messages.ts';
import { filePermissionsProtection, type KeyProtection } from '../store/device-key-store.ts';

const rendererRoot = () => join(app.getAppPath(), 'dist-renderer');

/** Serves `app://baseline/…` from the bundled renderer, with the desktop CSP; anything outside it is a 404. */
async function serveAppRequest(request: Request): Promise<Response> {
  const file = resolveAppRequest(request.url, rendererRoot());
  if (!file) return new Response('Not found', { status: 404 });
  try {
    const res = await net.fetch(pathToFileURL(file).href);
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', DESKTOP_CSP);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}

/** safeStorage (DPAPI, Keychain, libsecret/kwallet) protects the device key; Linux without a keyring falls back, stated in docs/security.md. */
function osKeyProtection(): KeyProtection {
  const weak = process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
  if (!safeStorage.isEncryptionAvailable() || weak) return filePermissionsProtection;
  return {
    kind: 'os-keychain',
    seal: (pem) => safeStorage.encryptString(pem).toString('base64'),
    open: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}

/** Drivers run in an Electron utilityProcess (ARCHITECTURE §5): a crash there costs one capture, not the app. */
const spawnUtilityDeviceProcess: SpawnDeviceProcess = () => {
  const child = utilityProcess.fork(join(app.getAppPath(), 'dist-electron', 'device-worker.cjs'), [], {
    serviceName: 'Baseline device process',
  });
  return {
    send: (m) => child.postMessage(m),
    onMessage: (l) => {
      child.on('message', (m: unknown) => l(m as FromDevice));
    },
    onExit: (l) => {
      child.on('exit', (code: number) => l(code, null));
    },
    kill: () => {
      child.kill();
    },
  };
};

let mainWindow: BrowserWindow | null = null;

/** IPC is accepted only from our own window's top frame showing our own page (see ipc-trust.ts). */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return (
    frame !== null &&
    isTrustedSender({
      senderId: event.sender.id,
      windowContentsId: mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents.id : null,
      fromMainFrame: frame === event.sender.mainFrame,
      frameUrl: frame.url,
      appPageUrl: APP_PAGE_URL,
    })
  );
}

function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  if (app.isPackaged) contents.on('devtools-opened', () => contents.closeDevTools());
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Baseline',
    show: false,
    webPreferences: {
      // Our preload is required: it is the one bridge to the main process (window.baseline: invoke + on,
      // nothing else), it runs sandboxed with context isolation, and every call it forwards is
      // sender-checked and schema-validated in main.
      preload: join(app.getAppPath(), 'dist-electron', 'preload.cjs'), // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
      devTools: !app.isPackaged,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_PAGE_URL);
  return win;
}

function start(): void {
  // Before ready, as Electron requires: app:// is a standard, secure origin of its own (not file://).
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('web-contents-created', (_e, contents) => lockDown(contents));

  void app.whenReady().then(async () => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      // The desktop policy (DESKTOP_CSP, also set by the app:// handler), written out so Electronegativity evaluates it.
      // Its evaluator warns that script-src 'self' is risky where a site hosts JSONP or user uploads; the app
      // loads only its own bundled files, so that warning is suppressed at the end of the call.
      // Electronegativity reads the suppression from the line it reports, so Prettier leaves this call on one line.
      // prettier-ignore
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': ["default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'"] } }); // eng-disable CSP_GLOBAL_CHECK
    });
    protocol.handle(APP_SCHEME, serveAppRequest);
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(app.isPackaged)));

    let baseline: HostedApp;
    try {
      const options = {
        home: app.getPath('userData'),
        transport: 'electron' as const,
        keyProtection: osKeyProtection(),
        spawnDevice: spawnUtilityDeviceProcess,
        resourcesDir: join(app.getAppPath(), 'resources'),
        serverUrl: process.env['BASELINE_SERVER_URL'] ?? null,
      };
      // `--demo` (npm start -- --demo): a throw-away demo plant instead of this laptop's data directory.
      const demo = process.argv.includes('--demo');
      baseline = await HostedApp.open(demo ? { ...options, home: await createThrowawayDemo(options) } : options, demo);
    } catch (err) {
      const e = toErrorData(err);
      dialog.showErrorBox('Baseline cannot open its data', `${e.message}\n\nWhat to do: ${e.hint}`);
      app.quit();
      return;
    }
    const router = baseline;
    for (const op of Object.keys(OPERATIONS)) {
      ipcMain.handle(`baseline:${op}`, (event, request: unknown) => {
        if (!trustedSender(event)) {
          return {
            ok: false,
            error: { code: 'untrusted-sender', message: 'This request did not come from the Baseline window.', hint: 'Nothing was done.' },
          };
        }
        return router.call(op, request);
      });
    }
    baseline.hub.subscribe((name, payload) => {
      if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send('baseline:event', name, payload);
    });
    mainWindow = createWindow();
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
    app.on('window-all-closed', () => app.quit());
    // Stopping the demo's simulators and deleting a throw-away demo directory finish before the process exits.
    let closing = false;
    app.on('will-quit', (e) => {
      if (closing) return;
      closing = true;
      e.preventDefault();
      void baseline.close().finally(() => app.exit(0));
    });
  });
}

start();
