/**
 * `baseline capture-server`: keeps one capture process warm for a session of repeated captures (a turnaround's
 * before- and after-captures, a drift round over a line's controllers). While it runs, `baseline capture` without a
 * data directory hands its capture to it over a Unix socket and prints what it answers: the capture runs in a process
 * whose code is already loaded and compiled, so a capture costs the controller's answers and little else.
 *
 * What it may do is what `baseline capture` may do, for the same user: read controllers (it never writes), read
 * profile files and write capture files. It records nothing and signs nothing: a capture with a data directory, a
 * signer or attached files runs in its own process as before. The socket lies in the user's cache folder (0700) and
 * is itself 0600, so only that user's programs reach it; it is named by the build, so a rebuilt `baseline` never
 * talks to an older server. It runs one capture at a time: a client that comes while one runs captures in its own
 * process. It stops after `idleMs` without a capture, or on Ctrl+C (cancelling the one running).
 * Not on Windows (no Unix sockets there): `baseline capture` runs in its own process.
 */
import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { CLI_BUILD } from './cli-build.ts';
import { reportError, type CliIo } from './cli-usage.ts';
import { captureCommand } from './cli-capture.ts';
import { captureSocketPath, NOT_SERVED, readLines, type CaptureServerMessage, type CaptureServerRequest } from './capture-socket.ts';

/** Whether something answers on the socket (a running server) or not (no file, or a server that died: a stale file). */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** The socket this build's server uses; refuses where there is none (the TypeScript sources, Windows). */
export function serverSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32')
    throw new BaselineError(
      'capture-server-unavailable',
      'The capture server needs Unix sockets, which Windows does not offer here.',
      'Run `baseline capture` on its own: each capture starts its own process.',
    );
  if (CLI_BUILD === null)
    throw new BaselineError(
      'capture-server-unavailable',
      'The capture server runs from the built `baseline` only, and this one runs from its TypeScript sources.',
      'Build it with `npm run build:cli` (npm install does it too), then start the server again.',
    );
  const path = captureSocketPath(CLI_BUILD, env);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH)
    throw new BaselineError(
      'capture-server-path-too-long',
      `The capture server's socket would be ${path}, longer than the ${MAX_SOCKET_PATH} bytes a Unix socket's path may have.`,
      'Set BASELINE_CACHE_DIR to a shorter folder (for example ~/.cache/baseline) for the server and its captures.',
    );
  return path;
}

/** The longest Unix socket path every supported OS accepts (Linux 107, macOS 103). */
const MAX_SOCKET_PATH = 103;

/**
 * Serves captures on this build's socket until `idleMs` pass without one or `stop` aborts; resolves when it has
 * stopped (its socket removed). `io` gets one line per capture served.
 */
export async function serveCaptures(options: { idleMs: number; io: CliIo; stop?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<void> {
  const env = options.env ?? process.env;
  const socketPath = serverSocketPath(env);
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 });
  if ((statSync(dirname(socketPath)).mode & 0o022) !== 0)
    throw new BaselineError(
      'capture-server-folder-shared',
      `The folder ${dirname(socketPath)} may be written by other users, who could put their own server in its place.`,
      'Make it private (chmod 700), or set BASELINE_CACHE_DIR to a folder only you may write.',
    );
  if (existsSync(socketPath)) {
    if (await answers(socketPath))
      throw new BaselineError(
        'capture-server-running',
        `A capture server of this build already serves on ${socketPath}.`,
        'Use it (`baseline capture` finds it), or stop it with Ctrl+C where it runs.',
      );
    rmSync(socketPath, { force: true }); // left by a server that was killed
  }
  // One capture at a time: a client that comes while one runs is told so and captures in its own process, so
  // captures started side by side still run side by side. `running` is the running capture's cancel.
  let running: AbortController | null = null;
  let idle: NodeJS.Timeout | null = null;
  const server = createServer((conn) => {
    if (running) {
      // Its request is read and dropped, so that the client's hang-up arrives and the connection closes.
      conn.on('error', () => undefined); // its own trouble only: the capture that runs is another client's
      conn.resume();
      conn.end(JSON.stringify({ busy: true } satisfies CaptureServerMessage) + '\n');
      return;
    }
    const ac = new AbortController();
    conn.on('error', () => ac.abort()); // the client gone mid-answer (killed, its terminal closed)
    running = ac;
    rearm();
    void serveOne(conn, ac, options.io, env).finally(() => {
      running = null;
      rearm();
    });
  });
  const stopped = new Promise<void>((resolve) => server.once('close', () => resolve()));
  // Stopping cancels the running capture (its client is told, as after Ctrl+C) and takes no new one.
  let stopping = false;
  const stop = () => {
    stopping = true;
    if (idle) clearTimeout(idle);
    running?.abort();
    server.close();
  };
  /** Restarts the idle countdown (none while a capture runs, nor once stopping). */
  function rearm(): void {
    if (idle) clearTimeout(idle);
    idle = running === null && !stopping ? setTimeout(stop, options.idleMs) : null;
  }
  // Made private to this user from the start (no moment at which others may connect), and kept so.
  const umask = process.umask(0o077);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
  } finally {
    process.umask(umask);
  }
  chmodSync(socketPath, 0o600);
  if (options.stop?.aborted) stop();
  else options.stop?.addEventListener('abort', stop, { once: true });
  rearm();
  options.io.out(
    `Serving captures on ${socketPath}, one at a time; stops after ${options.idleMs / 60_000} minutes without one, or on Ctrl+C.\n`,
  );
  // Closing removes the socket file at once (a server started after it keeps its own).
  await stopped;
  options.io.out('The capture server stopped.\n');
}

/** The longest --idle: Node's timers wait at most 2^31 - 1 ms (about 24.8 days). */
export const MAX_IDLE_MINUTES = Math.floor((2 ** 31 - 1) / 60_000);

/** How long a client has to send its request once connected. */
const REQUEST_DEADLINE_MS = 5_000;

/** Runs one client's capture: its output streamed back as it comes, then its exit code. `ac` cancels it. */
async function serveOne(conn: Socket, ac: AbortController, log: CliIo, env: NodeJS.ProcessEnv): Promise<void> {
  const send = (m: CaptureServerMessage) => {
    if (!conn.destroyed) conn.write(JSON.stringify(m) + '\n');
  };
  const request = await new Promise<CaptureServerRequest | null>((resolve) => {
    const deadline = setTimeout(() => resolve(null), REQUEST_DEADLINE_MS);
    const done = (r: CaptureServerRequest | null) => {
      clearTimeout(deadline);
      resolve(r);
    };
    const onData = readLines((m) => {
      const msg = m as Partial<CaptureServerRequest> & { cancel?: boolean };
      if (msg.cancel) ac.abort();
      else done(msg as CaptureServerRequest);
    });
    conn.on('data', (chunk: Buffer) => {
      try {
        onData(chunk);
      } catch {
        done(null); // not this protocol
      }
    });
    conn.once('close', () => {
      ac.abort(); // the client is gone (Ctrl+C): the capture stops as it would have there
      done(null);
    });
  });
  if (request === null || request.build !== CLI_BUILD || typeof request.flags !== 'object' || request.flags === null) {
    conn.destroy();
    return;
  }
  const io = { out: (text: string) => send({ out: text }), err: (text: string) => send({ err: text }), isTty: request.isTty === true };
  let code: number;
  try {
    const refused = NOT_SERVED.filter((f) => request.flags[f] !== undefined);
    if (refused.length > 0)
      throw new BaselineError(
        'usage',
        `The capture server records nothing, signs nothing and stores no files (${refused.map((f) => `--${f}`).join(', ')} given).`,
        'Run that capture with `baseline capture` while no server runs, or the server sends it back: the client does so itself.',
      );
    // The client's capture records nothing: not in a data directory the server's own environment may name either.
    code = await captureCommand(request.flags, io, { signal: ac.signal, env: { ...env, BASELINE_HOME: undefined } });
  } catch (err) {
    code = reportError(err, io);
  }
  send({ exit: code });
  conn.end();
  log.out(`captured to ${String(request.flags['out'] ?? '(no file)')}: exit ${code}\n`);
}
