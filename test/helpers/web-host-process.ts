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
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baseline web did not start: ${out}${err}`)), 20_000);
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('exit', (code) => reject(new Error(`baseline web exited with ${code}: ${out}${err}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open: (http:\/\/127\.0\.0\.1:\d+)\/#token=\S+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[0].slice('open: '.length),
          origin: m[1]!,
          stop: () => new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
        });
      }
    });
  });
}
