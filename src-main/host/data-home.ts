/** Where a data directory is: --home, else BASELINE_HOME, else the desktop app's own (Electron userData). */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The folder the desktop app uses on this OS (Electron's userData for productName "Baseline"). */
export function desktopDataHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Baseline');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Baseline');
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'Baseline');
}

/** The folder for this user's caches of Baseline (BASELINE_CACHE_DIR, else the OS's per-user cache folder). */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env['BASELINE_CACHE_DIR']) return env['BASELINE_CACHE_DIR'];
  if (platform === 'win32') return join(env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), 'Baseline', 'Cache');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'Baseline');
  return join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'baseline');
}

/** The data directory a command works on. */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env['BASELINE_HOME'] ?? desktopDataHome(env);
}
