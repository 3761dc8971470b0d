/** Starts `baseline web` as a real child process and reads the URL it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src-main/host/cli.ts', import.meta.url));
const RENDERER = fileURLToPath(new URL('../../dist-renderer/index.html', import.meta.url));

/** A running `baseline web`. */
export interface WebHostProcess {
  url: string;
  origin: string;
  port: number;
  token: string;
  /** The process's exit code, or null while it runs. */
  exitCode(): number | null;
  /** What it wrote to standard error so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Runs `baseline web --home DIR` and waits for its "open:" line. */
export function startWebHostProcess(home: string, extraArgs: string[] = []): Promise<WebHostProcess> {
  if (!existsSync(RENDERER)) {
    throw new Error('The renderer is not built: run `npm run build:renderer` (npm test does it before the browser tests).');
  }
  const child: ChildProcess = spawn(process.execPath, [CLI, 'web', '--home', home, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let started = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baseline web did not start: ${out}${err}`)), 20_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`baseline web exited with ${code}: ${out}${err}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = started ? null : /open: (http:\/\/127\.0\.0\.1:(\d+))\/#token=(\S+)/.exec(out);
      if (m) {
        started = true;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        let exited: number | null = null;
        child.on('exit', (code, signal) => {
          exited = code ?? (signal ? 128 : 1);
        });
        resolve({
          url: m[0].slice('open: '.length),
          origin: m[1]!,
          port: Number(m[2]),
          token: m[3]!,
          exitCode: () => exited,
          stderr: () => err,
          stop: () =>
            new Promise((done) => {
              if (exited !== null) {
                done();
                return;
              }
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}
