/**
 * Where the capture server of this build listens, and the messages it exchanges with `baseline capture`: one JSON
 * object per line. The client sends the capture's options (its paths made absolute) and may send a cancel; the
 * server answers with the capture's output as it comes and its exit code. Kept small: the client loads it at start.
 */
import { join } from 'node:path';
import { userCacheDir } from './data-home.ts';

/** What `baseline capture` sends: its options, whether its stderr is a terminal (progress), and its build. */
export interface CaptureServerRequest {
  build: string;
  flags: Record<string, string | boolean | string[] | undefined>;
  isTty: boolean;
}

/** What the server sends back: output as it comes, then the exit code; or, busy with another capture, only that. */
export type CaptureServerMessage = { out: string } | { err: string } | { exit: number } | { busy: true };

/** Options of a capture the server never takes: it records in no data directory, signs nothing, stores no files. */
export const NOT_SERVED = ['home', 'signer', 'attach'] as const;

/** The server's socket for a build: in the user's cache folder (private to the user), named by the build. */
export function captureSocketPath(build: string, env: NodeJS.ProcessEnv = process.env): string {
  // A Unix socket's path may hold about 100 bytes: the build's time and the start of its random part name it.
  return join(userCacheDir(env), `capture-${build.slice(0, 22)}.sock`);
}

/** Calls `onMessage` with each complete line's JSON as the bytes arrive. */
export function readLines(onMessage: (message: unknown) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    for (let cut = pending.indexOf('\n'); cut >= 0; cut = pending.indexOf('\n')) {
      const line = pending.slice(0, cut);
      pending = pending.slice(cut + 1);
      if (line.trim() !== '') onMessage(JSON.parse(line));
    }
  };
}
