/**
 * Which IPC senders the main process trusts (GitHub Desktop's trusted-sender idea): only the top frame of
 * our own window, showing our own page. Kept free of Electron imports so it is tested in plain Node.
 */

/** What main knows about one IPC message's sender. */
export interface SenderFacts {
  /** webContents id of the sender, and of our window (null when the window is gone). */
  senderId: number;
  windowContentsId: number | null;
  /** Whether the message came from the sender's top frame (not an iframe). */
  fromMainFrame: boolean;
  /** URL of the sending frame. */
  frameUrl: string;
  /** file:// URL of our bundled index.html. */
  appPageUrl: string;
}

/** True only for our own window's top frame showing our own page (any #fragment allowed). */
export function isTrustedSender(f: SenderFacts): boolean {
  if (f.windowContentsId === null || f.senderId !== f.windowContentsId || !f.fromMainFrame) return false;
  let url: URL;
  try {
    url = new URL(f.frameUrl);
  } catch {
    return false;
  }
  url.hash = '';
  return url.href === f.appPageUrl;
}
