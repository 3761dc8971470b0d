// `baseline capture-server` (src-main/host/capture-server.ts) with a bundle of the CLI built for this test: while it
// runs, `baseline capture` without a data directory hands it the capture and prints its answers; the document is the
// one a capture in its own process writes. Errors read the same; a capture that records, a killed server's socket and
// the TypeScript sources all capture in their own process; a second server refuses; an idle server stops; Ctrl+C at
// the client stops the capture at the server. Peers on 127.0.0.1 only.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { buildTestBundle, type TestBundle } from '../../helpers/cli-bundle.ts';
import { runBaselineAsync } from '../../helpers/cli.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import {
  emptyModbusImage,
  setModbusWords,
  startModbusSimulator,
  type ModbusSimulator,
} from '../../../src-main/devices/simulator/modbus-simulator.ts';

const TAGS = 300;

/** A peer that accepts connections and never answers: a capture from it waits until cancelled. */
async function silentPeer(): Promise<{ port: number; held: Socket[]; close(): void }> {
  const held: Socket[] = [];
  const server: Server = createServer((s) => held.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    held,
    close: () => {
      for (const s of held) s.destroy();
      server.close();
    },
  };
}

/** Sends one raw line to the server's socket; resolves with every message it answers until it hangs up. */
function rawRequest(socketPath: string, line: string | null): Promise<unknown[]> {
  return new Promise((resolve) => {
    const conn = createConnection(socketPath);
    let text = '';
    conn.on('connect', () => {
      if (line !== null) conn.write(line + '\n');
    });
    conn.on('data', (d: Buffer) => (text += d.toString()));
    conn.on('error', () => undefined);
    conn.on('close', () =>
      resolve(
        text
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as unknown),
      ),
    );
  });
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number>;
}

describe('baseline capture-server', () => {
  const t = tempHome('baseline-capture-server-');
  const cacheDir = join(t.home, 'cache');
  const env = { BASELINE_CACHE_DIR: cacheDir };
  const profile = join(t.home, 'registers.csv');
  let sim: ModbusSimulator;
  let bundle: TestBundle;
  let n = 0;
  const servers: Running[] = [];

  /** Starts a server from the bundle; resolves once it says where it serves (or why it does not). */
  async function startServer(args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<Running> {
    const child = bundle.spawn(['capture-server', ...args], { ...env, ...extraEnv });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    const running = { child, output: () => output, exited };
    servers.push(running);
    await expect.poll(() => output, { timeout: 20_000 }).toMatch(/Serving captures on|baseline:/);
    return running;
  }

  const captureArgs = (out: string, port = sim.port) => [
    'capture',
    '--protocol',
    'modbus-tcp',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--profile',
    profile,
    '--out',
    out,
  ];
  const outFile = () => join(t.home, `capture-${n++}.json`);
  const document = (file: string) =>
    (JSON.parse(readFileSync(file, 'utf8')) as { document: { profile: unknown; values: unknown[]; complete: boolean } }).document;
  const sockets = () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith('.sock')) : []);

  beforeAll(async () => {
    bundle = await buildTestBundle('capture-server-test');
    const image = emptyModbusImage();
    setModbusWords(
      image,
      'hr',
      0,
      Array.from({ length: TAGS }, (_, i) => (i * 3) % 65536),
    );
    sim = await startModbusSimulator({ image, unitId: 1 });
    writeFileSync(profile, 'tag,address,type\n' + Array.from({ length: TAGS }, (_, i) => `HR_${i},hr:${i},UINT16\n`).join(''));
  }, 60_000);
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  });
  afterAll(async () => {
    await sim?.close();
    bundle?.remove();
    t.cleanup();
  });

  it('serves a capture: the same document and summary as a capture in its own process, written where the client said', async () => {
    const alone = outFile();
    const own = await bundle.run(captureArgs(alone), env);
    expect(own.code).toBe(0);
    const server = await startServer();
    expect(sockets()).toHaveLength(1);
    // A relative --out is the client's: the server writes the file where the client's shell means it.
    const served = await bundle.run(captureArgs(`capture-served.json`), env, t.home);
    expect(served.stderr).toBe('');
    expect(served.code).toBe(0);
    const summary = JSON.parse(served.stdout) as { tags: number; good: number; complete: boolean; out: string };
    expect(summary).toMatchObject({ tags: TAGS, good: TAGS, complete: true });
    expect(server.output()).toContain(`captured to ${summary.out}: exit 0`);
    expect(summary.out).toBe(join(t.home, 'capture-served.json'));
    const a = document(alone);
    const b = document(summary.out);
    expect(b.profile).toEqual(a.profile);
    expect(b.values).toEqual(a.values);
    expect(b.values[5]).toMatchObject({ tag: 'HR_5', value: 15, quality: 'good' });
  });

  it("resolves a relative serial port against the client's folder, as the profile and the output file", async () => {
    const server = await startServer();
    const r = await bundle.run(
      ['capture', '--protocol', 'modbus-rtu', '--serial', 'ttyNONE', '--baud', '9600', '--profile', profile, '--out', 'rtu.json'],
      env,
      t.home,
    );
    expect(r.code).toBe(1);
    expect(server.output()).toContain(`captured to ${join(t.home, 'rtu.json')}: exit 1`);
    expect(r.stderr).toContain(`cannot open ${join(t.home, 'ttyNONE')}`);
  });

  it('says what went wrong as a capture in its own process does, with the same exit code', async () => {
    const missing = join(t.home, 'no-such.csv');
    const args = captureArgs(outFile()).map((a) => (a === profile ? missing : a));
    const own = await bundle.run(args, env);
    const noOut = captureArgs(outFile()).slice(0, -2);
    const ownUsage = await bundle.run(noOut, env);
    const server = await startServer();
    const served = await bundle.run(args, env);
    expect(served.code).toBe(1);
    expect(served.stderr).toBe(own.stderr);
    expect(served.stderr).toContain('no-such.csv cannot be read');
    const servedUsage = await bundle.run(noOut, env);
    expect(servedUsage.code).toBe(2);
    expect(servedUsage.stderr).toBe(ownUsage.stderr);
    expect(server.output().match(/captured to/g)).toHaveLength(2);
  });

  it('leaves a capture that records in a data directory to its own process', async () => {
    const server = await startServer();
    const r = await bundle.run([...captureArgs(outFile()), '--home', join(t.home, 'data')], env);
    expect(r.code).toBe(0);
    expect(existsSync(join(t.home, 'data', 'baseline.db'))).toBe(true);
    expect(server.output()).not.toContain('captured to');
  });

  it("records nothing in a data directory the server's own environment names (BASELINE_HOME)", async () => {
    const serversHome = join(t.home, 'servers-data');
    const server = await startServer([], { BASELINE_HOME: serversHome });
    const r = await bundle.run(captureArgs(outFile()), env);
    expect(r.code).toBe(0);
    expect(server.output()).toContain('captured to');
    expect(existsSync(join(serversHome, 'baseline.db'))).toBe(false);
  });

  it('refuses to serve from a folder other users may write (they could put their own server there)', async () => {
    mkdirSync(cacheDir, { recursive: true });
    chmodSync(cacheDir, 0o777);
    try {
      const server = await startServer();
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain('may be written by other users');
      expect(sockets()).toEqual([]);
    } finally {
      chmodSync(cacheDir, 0o700);
    }
  });

  it('captures in its own process when the server was killed, and a new server takes over the stale socket', async () => {
    const killed = await startServer();
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(sockets()).toHaveLength(1);
    const r = await bundle.run(captureArgs(outFile()), env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ good: TAGS });
    const next = await startServer();
    expect(next.output()).toContain('Serving captures on');
    const served = await bundle.run(captureArgs(outFile()), env);
    expect(served.code).toBe(0);
    expect(next.output()).toContain('captured to');
  });

  it('refuses to start a second server of the same build', async () => {
    await startServer();
    const second = await startServer();
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('A capture server of this build already serves on');
  });

  it('stops after its idle time and removes its socket', async () => {
    const server = await startServer(['--idle', '0.02']);
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('The capture server stopped.');
    expect(sockets()).toEqual([]);
  });

  it('refuses to run from the TypeScript sources', async () => {
    const r = await runBaselineAsync(['capture-server'], { ...env, BASELINE_CLI_FROM_SOURCES: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('runs from the built `baseline` only');
  });

  it('stops the capture at the server when the client is interrupted (Ctrl+C)', async () => {
    const silent = await silentPeer();
    const held = silent.held;
    try {
      const server = await startServer();
      const port = silent.port;
      const client = bundle.spawn([...captureArgs(outFile(), port), '--timeout', '20000', '--retries', '0'], env);
      let stderr = '';
      client.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const ended = new Promise<number>((resolve) => client.on('close', (code) => resolve(code ?? -1)));
      await expect.poll(() => held.length, { timeout: 20_000 }).toBeGreaterThan(0);
      const started = Date.now();
      client.kill('SIGINT');
      expect(await ended).toBe(1);
      expect(Date.now() - started).toBeLessThan(10_000);
      await expect.poll(() => server.output(), { timeout: 10_000 }).toMatch(/captured to .*: exit 1/);
      expect(stderr).toMatch(/cancel/i);
    } finally {
      silent.close();
    }
  });

  it('sends a capture that comes while another runs back to its own process, so captures side by side stay side by side', async () => {
    const silent = await silentPeer();
    try {
      const server = await startServer();
      const waiting = bundle.spawn([...captureArgs(outFile(), silent.port), '--timeout', '20000', '--retries', '0'], env);
      const waited = new Promise<number>((resolve) => waiting.on('close', (code) => resolve(code ?? -1)));
      await expect.poll(() => silent.held.length, { timeout: 20_000 }).toBeGreaterThan(0);
      const beside = outFile();
      const r = await bundle.run(captureArgs(beside), env);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ good: TAGS, out: beside });
      expect(server.output()).not.toContain(beside);
      // Stopping the server cancels the capture it runs: its client says so and ends, and the server exits.
      server.child.kill('SIGTERM');
      expect(await waited).toBe(1);
      expect(await server.exited).toBe(0);
      expect(server.output()).toMatch(/captured to .*: exit 1[\s\S]*The capture server stopped/);
      expect(sockets()).toEqual([]);
    } finally {
      silent.close();
    }
  });

  it('does not wait for ever on a client that connects and sends nothing', async () => {
    const server = await startServer();
    const socketPath = join(cacheDir, sockets()[0]!);
    const silentClient = rawRequest(socketPath, null);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Meanwhile a capture is sent back to its own process; after the deadline (5 s) the server serves again.
    expect((await bundle.run(captureArgs(outFile()), env)).code).toBe(0);
    expect(await silentClient).toEqual([]);
    const out = outFile();
    expect((await bundle.run(captureArgs(out), env)).code).toBe(0);
    expect(server.output()).toContain(`captured to ${out}: exit 0`);
  }, 30_000);

  it('itself refuses a request to record, sign or attach (whatever program sends it)', async () => {
    await startServer();
    const socketPath = join(cacheDir, sockets()[0]!);
    const flags = { protocol: 'modbus-tcp', host: '127.0.0.1', port: String(sim.port), profile, out: outFile(), home: join(t.home, 'x') };
    // Another build's name is refused without a word; this build's gets the reason and exit 2 (wrong usage).
    expect(await rawRequest(socketPath, JSON.stringify({ build: 'another', flags, isTty: false }))).toEqual([]);
    const answer = await rawRequest(socketPath, JSON.stringify({ build: bundle.build, flags, isTty: false }));
    expect(answer.at(-1)).toEqual({ exit: 2 });
    expect(JSON.stringify(answer)).toContain('The capture server records nothing, signs nothing and stores no files (--home given)');
    expect(existsSync(join(t.home, 'x'))).toBe(false);
    expect(existsSync(flags.out)).toBe(false);
  });

  it('refuses an idle time longer than its timers can wait', async () => {
    const r = await bundle.run(['capture-server', '--idle', '100000'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--idle must be a number of minutes above 0 and at most 35791');
  });
});
