// `npm start`: opens Baseline on any machine. Where the Electron program files exist it builds the shell and opens
// the desktop window; otherwise (ELECTRON_SKIP_BINARY_DOWNLOAD, no internet when npm install ran, CI) it serves the
// app from the loopback web host on the desktop app's own data directory, prints the URL, opens the default
// browser when there is one, and serves until Ctrl+C (SIGINT or SIGTERM; exit 0 then).
//
//   npm start [-- --web] [-- OPTIONS]
//     --web       the web host even where Electron exists
//     OPTIONS     passed on as they are: to `baseline web` (--home DIR, --port N, --server URL, and what that command
//                 accepts) or after the app path to Electron
//
// The renderer is rebuilt only when its inputs changed since the last build (scripts/renderer-build.ts).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRendererBuilt } from './renderer-build.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What `npm start` was asked for: `--web` is its own; everything else goes on to the app. */
export interface StartArgs {
  forceWeb: boolean;
  appArgs: string[];
}

export function parseStartArgs(argv: string[]): StartArgs {
  return { forceWeb: argv.includes('--web'), appArgs: argv.filter((a) => a !== '--web') };
}

/** The Electron executable, found as the `electron` package finds it (ELECTRON_OVERRIDE_DIST_PATH included); null when absent. */
function electronBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  const dir = join(root, 'node_modules/electron');
  const pathFile = join(dir, 'path.txt');
  const name = existsSync(pathFile)
    ? readFileSync(pathFile, 'utf8').trim()
    : process.platform === 'win32'
      ? 'electron.exe'
      : process.platform === 'darwin'
        ? 'Electron.app/Contents/MacOS/Electron'
        : 'electron';
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (!override && !existsSync(pathFile)) return null;
  const bin = override ? join(override, name) : join(dir, 'dist', name);
  return existsSync(bin) ? bin : null;
}

/** Whether a default browser may be opened: never in CI or tests, never without a display. */
function mayOpenBrowser(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['CI'] || env['BASELINE_NO_BROWSER']) return false;
  if (process.platform === 'win32' || process.platform === 'darwin') return true;
  return Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}

/** Opens the URL in the default browser; says nothing and changes nothing when there is none. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {
      /* no opener on this machine: the printed URL is enough */
    });
    child.unref();
  } catch {
    // as above
  }
}

async function startWeb(appArgs: string[], why: string | null): Promise<number> {
  if (why) console.log(why);
  const { runCli } = await import('../src-main/host/cli.ts');
  let opened = false;
  return runCli(['web', ...appArgs], {
    out: (text: string) => {
      process.stdout.write(text);
      const url = /open: (http:\/\/\S+)/.exec(text)?.[1];
      if (url && !opened && mayOpenBrowser()) {
        opened = true;
        openBrowser(url);
      }
    },
    err: (text: string) => process.stderr.write(text),
  });
}

async function main(): Promise<number> {
  const { forceWeb, appArgs } = parseStartArgs(process.argv.slice(2));
  ensureRendererBuilt();
  const bin = forceWeb ? null : electronBinary();
  if (!bin) {
    return startWeb(
      appArgs,
      forceWeb
        ? null
        : 'The Electron program files are not installed on this machine, so Baseline opens in your browser instead ' +
            '(same data directory as the desktop app). For the desktop window: `node node_modules/electron/install.js`, then `npm start` again.',
    );
  }
  const shell = spawnSync(process.execPath, [join(root, 'scripts/build-electron.ts')], { stdio: 'inherit', cwd: root });
  if (shell.status !== 0) return shell.status ?? 1;
  const r = spawnSync(bin, [root, ...appArgs], { stdio: 'inherit' });
  return r.status ?? 0;
}

if (import.meta.main) {
  process.exit(await main());
}
