/**
 * A real PostgreSQL 15 server (Debian's packages) for tests: a throw-away cluster in a temp folder, listening on
 * 127.0.0.1 only, on a port the OS picked, stopped and removed afterwards.
 *
 * PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to the `postgres` user
 * and its programs run through `runuser -u postgres --`. `.ci/run` installs the `postgresql` package.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Where Debian puts PostgreSQL 15's programs (override with BASELINE_PG_BIN). */
const PG_BIN = process.env['BASELINE_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

/** A running test cluster. */
export interface TestPostgres {
  /** URL of a fresh database in it. */
  newDatabase(name: string): Promise<string>;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function ids(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** Starts a cluster; fails with what to install when PostgreSQL 15 is missing. */
export async function startTestPostgres(): Promise<TestPostgres> {
  if (!existsSync(join(PG_BIN, 'initdb'))) {
    throw new Error(`PostgreSQL 15 is not installed (${PG_BIN}/initdb missing): apt-get install postgresql (CI: .ci/run does).`);
  }
  const owner = ids();
  const dir = mkdtempSync(join(tmpdir(), 'baseline-pg-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'socket');
  const run = (program: string, args: string[]) => {
    const cmd = owner ? 'runuser' : join(PG_BIN, program);
    const full = owner ? ['-u', 'postgres', '--', join(PG_BIN, program), ...args] : args;
    return execFileSync(cmd, full, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  };
  if (owner) chownSync(dir, owner.uid, owner.gid);
  execFileSync('mkdir', ['-p', socket]);
  if (owner) chownSync(socket, owner.uid, owner.gid);
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const logFile = join(dir, 'postgres.log');
  writeFileSync(logFile, '');
  if (owner) chownSync(logFile, owner.uid, owner.gid);
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    logFile,
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${socket} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  const base = `postgres://postgres@127.0.0.1:${port}`;
  return {
    async newDatabase(name: string) {
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/[^a-z0-9_]/g, '_')}"`);
      } finally {
        await client.end();
      }
      return `${base}/${name.replace(/[^a-z0-9_]/g, '_')}`;
    },
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
