/**
 * How the desktop window loads its page: from `app://baseline/…`, a privileged custom scheme served from the
 * bundled renderer folder, instead of `file://` (which would give the page the whole file system as its origin).
 * Kept free of Electron imports so the path resolution and the policy are tested in plain Node.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** The scheme and host of the desktop page. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'baseline';
/** The URL the desktop window opens. */
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * The Content-Security-Policy of the desktop page: only the app's own files, no network at all (the page talks to
 * the main process over IPC, so unlike the web host's policy it allows no WebSocket).
 */
export const DESKTOP_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

/**
 * The file under `root` an `app://baseline/…` request names, or null when it names none: another scheme or host,
 * a malformed escape, a NUL byte, or a path that leaves `root` (`..`, encoded `%2e%2e` or `%2f`, backslashes,
 * absolute paths). `/` is the index page.
 */
export function resolveAppRequest(requestUrl: string, root: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  if (path === '/' || path === '') path = '/index.html';
  const base = resolve(root);
  const file = resolve(join(base, path));
  const rel = relative(base, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return file;
}
