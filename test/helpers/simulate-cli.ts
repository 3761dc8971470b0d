// `baseline simulate` as a child process, as the CLI tests start it: a separate process, so the test can wait on
// the CLI under test while the simulator answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/baseline.js', import.meta.url));

/** Runs `baseline simulate ARGS` and resolves with its port once it prints it (rejects if it exits first). */
export function simulate(args: string[]): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'simulate', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`simulate exited ${code}: ${out}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        child.removeAllListeners('exit');
        resolve({ port: Number(m[1]), child });
      }
    });
  });
}
