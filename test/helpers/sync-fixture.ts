/**
 * A central server and enrolled laptops for sync tests: the server in-process (or as a real child process that
 * a test can kill), on 127.0.0.1 with a port the OS picks; laptops are real data directories.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { createEnrolCode } from '../../src-server/sync-operations.ts';
import { startServer, type RunningServer } from '../../src-server/server-cli.ts';
import { openServerDatabase } from '../../src-server/store/server-database.ts';
import { SyncStore } from '../../src-server/store/sync-store.ts';
import { prepareServerHome, defaultServerNames } from '../../src-server/server-home.ts';
import { tempHome } from './temp-home.ts';
import { startLine1Simulator } from './change-fixture.ts';
import { join } from 'node:path';
import { mkdirSync, readFileSync } from 'node:fs';
import { openP12 } from '../../src-shared/node/pki.ts';
import { writeFileAtomic } from '../../src-shared/node/atomic-file.ts';

/** Where the server keeps its data: SQLite in its home, or a PostgreSQL database. */
export interface ServerTarget {
  postgresUrl: string | null;
  /** A fresh, empty PostgreSQL database (for a second server that must not share the first one's data). */
  freshDatabase?: (name: string) => Promise<string>;
}

/** Starts an in-process server on a fresh data directory. */
export async function startTestServer(
  target: ServerTarget = { postgresUrl: null },
  extra: { enrolPerMinute?: number; clock?: () => Date; prepare?: (serverHome: string) => void } = {},
) {
  const { home, cleanup } = tempHome('baseline-server-');
  const { prepare, ...options } = extra;
  // `prepare` runs on the server's data directory before it starts (e.g. giving it the plant CA: plantCaForServer).
  prepare?.(home);
  const server = await startServer({
    home,
    port: 0,
    host: '127.0.0.1',
    postgresUrl: target.postgresUrl,
    names: ['localhost', '127.0.0.1'],
    logger: false,
    ...options,
  });
  return {
    server,
    home,
    async stop() {
      await server.close();
      cleanup();
    },
  };
}

/** A new enrolment code on a running server. */
export async function enrolCode(server: RunningServer, ttlMs = 3_600_000, now = new Date()): Promise<string> {
  return (await createEnrolCode(server.store, ttlMs, now)).code;
}

/** Opens a laptop data directory without background sync (tests call syncNow). */
export function openLaptop(home: string, clock?: () => Date): BaselineApp {
  return BaselineApp.open({
    home,
    transport: 'in-process',
    keyProtection: filePermissionsProtection,
    sync: { background: false, timeoutMs: 5_000 },
    ...(clock ? { clock } : {}),
  });
}

/** A new laptop enrolled with the server (on the clock given, else the real one). */
export async function enrolledLaptop(server: RunningServer, clock?: () => Date) {
  const { home, cleanup } = tempHome('baseline-laptop-');
  const app = openLaptop(home, clock);
  await app.sync.enrol(server.url, await enrolCode(server), server.pki.caFingerprint, app.actor());
  return {
    app,
    home,
    cleanup: () => {
      app.close();
      cleanup();
    },
  };
}

const BIN = fileURLToPath(new URL('../../bin/baseline.js', import.meta.url));

/** The server as a real child process (`baseline server`), so a test can kill it with SIGKILL. */
export function startServerProcess(
  home: string,
  port: number,
  postgresUrl: string | null,
): Promise<{ child: ChildProcess; url: string; kill(signal?: NodeJS.Signals): Promise<void> }> {
  const args = [
    BIN,
    'server',
    '--home',
    home,
    '--port',
    String(port),
    '--name',
    'localhost',
    ...(postgresUrl ? ['--db', postgresUrl] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baseline server did not start: ${err}`)), 20_000);
    child.on('exit', (code) => reject(new Error(`baseline server exited with ${code}: ${err}`)));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          url: m[1]!,
          kill: (signal = 'SIGKILL') =>
            new Promise((done) => {
              child.removeAllListeners('exit');
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill(signal);
            }),
        });
      }
    });
    child.stdout.on('data', () => undefined);
  });
}

/** Opens a server data directory's store directly (for a server run as a child process). */
export async function openServerStore(home: string, postgresUrl: string | null) {
  prepareServerHome(home, defaultServerNames());
  const database = await openServerDatabase(postgresUrl ? { postgresUrl } : { sqlitePath: join(home, 'server.db') });
  return { store: new SyncStore(database), close: () => database.close() };
}

/**
 * Creates the plant CA on a laptop and gives it to a server data directory before the server's first start (as a
 * plant puts its CA in the server's pki folder), so the server's CA is the one that issued people's certificates.
 */
export function plantCaForServer(app: BaselineApp, laptopHome: string, serverHome: string, caPassword = 'plant-ca-secret-1'): void {
  app.identity.createCa('Plant CA', caPassword, app.actor());
  const { keyPem, certPem } = openP12(readFileSync(join(laptopHome, 'keys', 'plant-ca.p12')), caPassword);
  mkdirSync(join(serverHome, 'pki'), { recursive: true, mode: 0o700 });
  writeFileAtomic(join(serverHome, 'pki', 'plant-ca.key.pem'), keyPem, 0o600);
  writeFileAtomic(join(serverHome, 'pki', 'plant-ca.pem'), certPem, 0o644);
}

/** One server, laptops A and B on a clock the test sets, the line-1 simulator, and the plant CA the server holds. */
export interface TwoLaptopRig {
  a: BaselineApp;
  b: BaselineApp;
  /** The running server (a test that restarts it on the same port assigns the new one here, so `close` stops it). */
  server: RunningServer;
  line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  serverHome: string;
  homeA: string;
  homeB: string;
  /** Starts the server again on its data directory (port 0: any). */
  startServer(port: number): Promise<RunningServer>;
  close(): Promise<void>;
}

/**
 * The set-up the two-laptop, conflict, revocation and clock suites share. The plant CA is made on laptop A a day
 * before the real date (so it and the server's TLS certificate are valid for the real clock TLS uses) and given to
 * the server before its first start; then the laptops' clock is set to `start`, the story's own time.
 */
export async function startTwoLaptopRig(
  target: ServerTarget,
  setNow: (at: Date) => void,
  clock: () => Date,
  start: Date,
): Promise<TwoLaptopRig> {
  const temps = [tempHome('baseline-server-'), tempHome('baseline-laptop-a-'), tempHome('baseline-laptop-b-')];
  const [serverHome, homeA, homeB] = temps.map((t) => t.home) as [string, string, string];
  const line1 = await startLine1Simulator();
  const a = openLaptop(homeA, clock);
  const b = openLaptop(homeB, clock);
  setNow(new Date(Date.now() - 86_400_000));
  plantCaForServer(a, homeA, serverHome);
  setNow(start);
  const startOn = (port: number) =>
    startServer({
      home: serverHome,
      port,
      host: '127.0.0.1',
      postgresUrl: target.postgresUrl,
      names: ['localhost', '127.0.0.1'],
      logger: false,
    });
  const rig: TwoLaptopRig = {
    a,
    b,
    server: await startOn(0),
    line1,
    serverHome,
    homeA,
    homeB,
    startServer: startOn,
    async close() {
      a.close();
      b.close();
      await rig.server.close().catch(() => undefined);
      await line1.sim.close();
      for (const t of temps) t.cleanup();
    },
  };
  return rig;
}

/** Enrols laptops A and B of a rig with its server. */
export async function enrolBoth(rig: TwoLaptopRig): Promise<void> {
  for (const app of [rig.a, rig.b])
    await app.sync.enrol(rig.server.url, await enrolCode(rig.server), rig.server.pki.caFingerprint, app.actor());
}
