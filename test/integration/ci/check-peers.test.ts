import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// CI's test-peer check (.ci/check-peers, run by .ci/run before anything else): every peer is imported or run,
// and one made missing on purpose (a Python module shadowed by one that fails to import, a command shadowed by
// a stand-in that is "not found") is named, with its Debian package, and fails the check.
const checkPeers = resolve('.ci/check-peers');
const ciRun = resolve('.ci/run');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baseline-peers-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A Python module of that name that fails to import, as when its package is not installed. */
function shadowPythonModule(name: string): void {
  writeFileSync(join(dir, `${name}.py`), `raise ModuleNotFoundError("No module named '${name}'", name="${name}")\n`);
}

/** An executable stand-in in `dir` (put first on PATH). */
function standIn(name: string, script: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\n${script}\n`);
  chmodSync(join(dir, name), 0o755);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('.ci/check-peers', () => {
  it('passes on this machine, each peer checked by importing or running it', () => {
    const r = run(checkPeers, []);
    expect(r.stderr).not.toMatch(/Test peers missing/);
    expect(r.status).toBe(0);
    for (const peer of [
      'python3 module pymodbus.server',
      'python3 module serial',
      'python3 module serial_asyncio',
      'chromium',
      'sqlite3 command',
      'socat command',
      'pdftoppm command',
      'pdftotext command',
      'unzip command',
      'openssl command',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^ok +${peer.replace('.', '\\.')}`, 'm'));
    }
  });

  it('names a Python module that does not import (serial_asyncio), and pymodbus.server that needs it, and fails', () => {
    shadowPythonModule('serial_asyncio');
    const r = run(checkPeers, [], { PYTHONPATH: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^MISSING +python3 module serial_asyncio: ModuleNotFoundError: No module named 'serial_asyncio'/m);
    expect(r.stdout).toMatch(/^MISSING +python3 module pymodbus\.server: .*serial_asyncio/m);
    expect(r.stdout).toMatch(/^ok +python3 module serial$/m);
    expect(r.stderr).toMatch(/Test peers missing: .*python3 module serial_asyncio/);
    expect(r.stderr).toMatch(/apt-get install .*python3-serial-asyncio/);
    // --packages lists what to install for exactly the missing peers.
    const p = run(checkPeers, ['--packages'], { PYTHONPATH: dir });
    expect(p.status).toBe(0);
    expect(p.stdout.trim().split('\n').sort()).toEqual(['python3-pymodbus', 'python3-serial-asyncio']);
  });

  it('names a command that is not there (socat) and fails', () => {
    standIn('socat', 'echo "socat: command not found" >&2; exit 127');
    const r = run(checkPeers, [], { PATH: `${dir}:${process.env['PATH'] ?? ''}` });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^MISSING +socat command: socat: command not found/m);
    expect(r.stderr).toMatch(/Test peers missing: socat command\. Install them \(apt-get install socat\)/);
  });

  it('names every Python module when the interpreter itself is missing', () => {
    const r = run(checkPeers, [], { PYTHON: join(dir, 'no-python3') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Test peers missing: python3 module pymodbus\.server, python3 module serial, python3 module serial_asyncio\./);
  });
});

describe('.ci/run', () => {
  it('stops at the start, naming a peer still missing after the install, before npm runs', () => {
    shadowPythonModule('serial');
    const log = join(dir, 'calls.log');
    standIn('apt-get', `echo "apt-get $*" >> ${log}; exit 0`); // installs nothing: the peer stays missing
    standIn('npm', `echo "npm $*" >> ${log}; exit 99`);
    const r = run('bash', [ciRun], { PATH: `${dir}:${process.env['PATH'] ?? ''}`, PYTHONPATH: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/Installing Debian packages: .*python3-serial\b/);
    expect(r.stderr).toMatch(/Test peers missing: .*python3 module serial\b/);
    const calls = existsSync(log) ? readFileSync(log, 'utf8') : '';
    expect(calls).toMatch(/^apt-get install .*python3-serial\b/m);
    expect(calls).not.toMatch(/^npm /m);
  });
});
