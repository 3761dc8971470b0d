/**
 * `baseline capture`'s side of the capture server (capture-server.ts): when this build's server runs, a capture
 * without a data directory, signer or attachments is handed to it and its answers are printed here; otherwise (no
 * server, a server that died, the TypeScript sources, Windows) the capture runs in this process as before. Loaded
 * before the capture's own modules and small for that reason: handing a capture over costs Node's start and a
 * connection, not the capture code's load.
 */
import { statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { CLI_BUILD } from './cli-build.ts';
import type { CliIo } from './cli-usage.ts';
import { captureSocketPath, NOT_SERVED, readLines, type CaptureServerMessage, type CaptureServerRequest } from './capture-socket.ts';

type Flags = CaptureServerRequest['flags'];

/** Whether a capture with these options may go to the server: nothing recorded, signed or attached. */
function servable(flags: Flags, env: NodeJS.ProcessEnv): boolean {
  const recorded = (env['BASELINE_HOME'] ?? '') !== '';
  return !recorded && NOT_SERVED.every((f) => flags[f] === undefined) && process.platform !== 'win32';
}

/**
 * Hands the capture to this build's capture server and returns its exit code, or null when no server takes it
 * (then the caller captures in this process; nothing was read from the controller).
 */
export async function captureViaServer(flags: Flags, io: CliIo & { isTty: boolean }, env = process.env): Promise<number | null> {
  if (CLI_BUILD === null || !servable(flags, env)) return null;
  const socketPath = captureSocketPath(CLI_BUILD, env);
  // Only a server of this user's own: a socket someone else made there is not handed the capture.
  let owner: number;
  try {
    owner = statSync(socketPath).uid;
  } catch {
    return null; // no server
  }
  if (owner !== process.getuid?.()) return null;
  // Paths as this shell means them: the server runs elsewhere (a serial port is a path too, a pty link perhaps).
  const absolute: Flags = { ...flags };
  for (const name of ['profile', 'out', 'serial'] as const) {
    const value = flags[name];
    if (typeof value === 'string') absolute[name] = resolve(value);
  }
  const request: CaptureServerRequest = { build: CLI_BUILD, flags: absolute, isTty: io.isTty };
  return new Promise<number | null>((done, fail) => {
    const conn = createConnection(socketPath);
    let connected = false;
    let busy = false;
    let exit: number | null = null;
    const onSigint = () => conn.write(JSON.stringify({ cancel: true }) + '\n');
    conn.once('connect', () => {
      connected = true;
      process.once('SIGINT', onSigint);
      conn.write(JSON.stringify(request) + '\n');
    });
    const onData = readLines((m) => {
      const msg = m as CaptureServerMessage;
      if ('out' in msg) io.out(msg.out);
      else if ('err' in msg) io.err(msg.err);
      else if ('exit' in msg) exit = msg.exit;
      else if ('busy' in msg) busy = true;
    });
    conn.on('data', (chunk: Buffer) => {
      try {
        onData(chunk);
      } catch {
        conn.destroy(); // not the server's protocol: reported below as a server that stopped
      }
    });
    conn.on('error', () => undefined); // a refused connection ends in 'close' below
    conn.once('close', () => {
      process.removeListener('SIGINT', onSigint);
      // A socket left by a server that was killed, or a server busy with another capture: capture here.
      if (!connected || busy) done(null);
      else if (exit !== null) done(exit);
      else
        fail(
          new BaselineError(
            'capture-server-lost',
            `The capture server at ${socketPath} stopped before the capture ended.`,
            'Capture again: without a server `baseline capture` runs in its own process. Look at the server for what happened.',
          ),
        );
    });
  });
}
