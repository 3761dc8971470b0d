/** A connected pair of pseudo-terminals from socat: a serial line on one machine, for Modbus RTU tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Two linked serial device paths and the socat process joining them. */
export interface PtyPair {
  a: string;
  b: string;
  stop(): void;
}

/** Starts `socat pty pty` and waits until both links exist. */
export async function startPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'pty-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const child: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  child.on('error', () => undefined);
  for (let i = 0; i < 100 && !(existsSync(a) && existsSync(b)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(a) || !existsSync(b)) {
    child.kill();
    throw new Error('socat did not create the pty pair: is socat installed (apt-get install socat)?');
  }
  return {
    a,
    b,
    stop: () => {
      child.kill('SIGKILL');
    },
  };
}
