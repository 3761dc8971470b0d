/** Debian's python3-pymodbus server (an implementation nobody on this project wrote) as a Modbus test peer. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../peers/pymodbus_server.py', import.meta.url));

/** Values served by the peer. */
export interface PymodbusValues {
  unit?: number;
  hr?: number[];
  ir?: number[];
  co?: boolean[];
  di?: boolean[];
  identity?: Record<string, string>;
}

/** A running pymodbus server. */
export interface PymodbusPeer {
  /** TCP port on 127.0.0.1, or the serial device for RTU. */
  port: number;
  device: string;
  stop(): void;
}

/** Starts pymodbus over TCP (OS-chosen port) or RTU (on `rtuDevice`, one end of a socat pty pair). */
export function startPymodbus(values: PymodbusValues, rtuDevice?: string): Promise<PymodbusPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'pymodbus-'));
  const file = join(dir, 'values.json');
  writeFileSync(file, JSON.stringify(values));
  const args = [SCRIPT, file, ...(rtuDevice ? ['--rtu', rtuDevice, '--baud', '19200'] : [])];
  const child: ChildProcess = spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pymodbus did not start: ${err}`)), 15_000);
    child.on('exit', (code) =>
      reject(new Error(`pymodbus exited with ${code}: ${err}. Is python3-pymodbus installed (apt-get install python3-pymodbus)?`)),
    );
    child.stdout?.on('data', (d: Buffer) => {
      const m = /READY (\S+)/.exec(d.toString());
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        port: Number(m[1]) || 0,
        device: m[1]!,
        stop: () => {
          child.kill('SIGKILL');
        },
      });
    });
  });
}
