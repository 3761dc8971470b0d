// 100 laptops syncing at once against one server (issue #13). The server runs in its own process (SQLite, then
// PostgreSQL 15), the laptops are real data directories in this process. Each round, N laptops each record 5
// new events (one with a 50 kB capture of their own) and all N call "Sync now" at the same moment: each pushes
// its events and content and pulls what the other laptops pushed before. Bounded: 2 rounds (10, then all 100),
// 110 syncs per database. BASELINE_LOAD_EVENTS and BASELINE_LOAD_FIRST change the events per sync and the first round;
// BASELINE_LOAD_DB=sqlite or =postgres runs one database only (each run takes minutes on a shared machine).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { createEnrolCode } from '../../src-server/sync-operations.ts';
import { anyCertificateFingerprint } from '../../src-shared/node/plant-certificates.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { openServerStore } from '../helpers/sync-fixture.ts';
import { tempHome } from '../helpers/temp-home.ts';

const LAPTOPS = 100;
const ROUNDS = [Number(process.env['BASELINE_LOAD_FIRST'] ?? 10), LAPTOPS];
const EVENTS_PER_SYNC = Number(process.env['BASELINE_LOAD_EVENTS'] ?? 5);
const PROFILE = readFileSync(new URL('../fixtures/profiles-capture/modbus-line1.csv', import.meta.url), 'utf8');

/** CPU seconds a process has used (Linux /proc: user + system ticks at 100 Hz). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function startChild(home: string, postgresUrl: string | null) {
  const child = spawn(
    process.execPath,
    [new URL('../helpers/server-child.ts', import.meta.url).pathname, home, ...(postgresUrl ? [postgresUrl] : [])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise<{ url: string; pid: number; stop(): Promise<void> }>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\S+)/.exec(out);
      if (m)
        resolve({
          url: m[1]!,
          pid: child.pid!,
          stop: () =>
            new Promise((done) => {
              child.removeAllListeners('exit');
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
    });
  });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function run(database: string, postgresUrl: string | null) {
  const serverHome = tempHome('baseline-load-server-');
  const server = await startChild(serverHome.home, postgresUrl);
  const { store, close } = await openServerStore(serverHome.home, postgresUrl);
  const fingerprint = anyCertificateFingerprint(readFileSync(join(serverHome.home, 'pki', 'plant-ca.pem'), 'utf8'));
  const laptops: { app: BaselineApp; cleanup: () => void; profile: string }[] = [];
  const rows: string[] = [];
  try {
    const t0 = performance.now();
    for (let i = 0; i < LAPTOPS; i++) {
      const { home, cleanup } = tempHome('baseline-load-laptop-');
      const app = BaselineApp.open({
        home,
        transport: 'in-process',
        keyProtection: filePermissionsProtection,
        sync: { background: false, timeoutMs: 300_000 },
      });
      const profile = app.profiles.import('line1', 'modbus', PROFILE, app.actor()).sha256;
      laptops.push({ app, cleanup, profile });
    }
    const codes = await Promise.all(laptops.map(() => createEnrolCode(store, 3_600_000)));
    const enrolStart = performance.now();
    await Promise.all(laptops.map((l, i) => l.app.sync.enrol(server.url, codes[i]!.code, fingerprint, l.app.actor())));
    const enrolMs = performance.now() - enrolStart;
    console.error(
      `${database}: ${LAPTOPS} laptops opened in ${((enrolStart - t0) / 1000).toFixed(1)} s, enrolled at once in ${(enrolMs / 1000).toFixed(1)} s`,
    );
    for (const n of ROUNDS) {
      const group = laptops.slice(0, n);
      for (const l of group) {
        l.app.journal.append(
          'capture.recorded',
          {
            controllerId: null,
            controller: 'PLC-L01-FILLER',
            protocol: 'modbus-tcp',
            profileSha256: l.profile,
            captureSha256: l.app.blobs.put(randomBytes(50_000)),
            complete: true,
            tags: 1,
            good: 1,
            bad: 0,
            requests: 1,
            minimumRequests: 1,
          },
          l.app.actor(),
        );
        for (let i = 1; i < EVENTS_PER_SYNC; i++)
          l.app.journal.append('journal.verified', { ok: true, eventsChecked: i, problems: 0, firstProblem: null }, l.app.actor());
      }
      const eventsBefore = await store.eventCount();
      const serverCpu0 = cpuSeconds(server.pid);
      const ownCpu0 = process.cpuUsage();
      const start = performance.now();
      const latencies: number[] = [];
      const pulled0 = group.map((l) => [...l.app.journal.rowsForVerification()].length);
      const results = await Promise.all(
        group.map(async (l) => {
          const s0 = performance.now();
          const status = await l.app.sync.syncNow();
          latencies.push(performance.now() - s0);
          return status;
        }),
      );
      const wall = (performance.now() - start) / 1000;
      const serverCpu = cpuSeconds(server.pid) - serverCpu0;
      const own = process.cpuUsage(ownCpu0);
      const failed = results.filter((r) => r.lastError !== null);
      for (const f of failed.slice(0, 3)) console.error(`${database}, ${n} at once: ${f.lastError!.code}: ${f.lastError!.message}`);
      const stored = (await store.eventCount()) - eventsBefore;
      const pulled = group.reduce((sum, l, i) => sum + [...l.app.journal.rowsForVerification()].length - pulled0[i]!, 0);
      latencies.sort((a, b) => a - b);
      rows.push(
        `| ${database} | ${n} | ${stored} | ${pulled} | ${failed.length}${failed.length ? ` (${failed[0]!.lastError!.code})` : ''} | ${wall.toFixed(1)} | ${(pct(latencies, 50) / 1000).toFixed(1)} / ${(pct(latencies, 95) / 1000).toFixed(1)} / ${(latencies[latencies.length - 1]! / 1000).toFixed(1)} | ${serverCpu.toFixed(1)} | ${((own.user + own.system) / 1e6).toFixed(1)} |`,
      );
      // Nothing lost, nothing doubled: each laptop's chain on the server is exactly its own.
      let mismatched = 0;
      for (const l of group) {
        const own = [...l.app.journal.rowsForVerification()].filter((r) => r.device === l.app.deviceKey.deviceId).length;
        const held = await store.deviceEvents(l.app.deviceKey.deviceId);
        if (held.length !== own || new Set(held.map((e) => e.seq)).size !== held.length) mismatched++;
      }
      rows[rows.length - 1] += ` ${mismatched} |`;
      console.log(rows[rows.length - 1]);
    }
  } finally {
    for (const l of laptops) l.cleanup();
    await close();
    await server.stop();
    serverHome.cleanup();
  }
  return rows;
}

console.log(
  '| server database | laptops at once | events stored | events pulled | failed | wall s | sync s p50 / p95 / max | server CPU s | laptops CPU s | laptops whose server chain differs |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
const only = process.env['BASELINE_LOAD_DB'];
if (only !== undefined && only !== 'sqlite' && only !== 'postgres')
  throw new Error(`BASELINE_LOAD_DB=${only}: use sqlite or postgres (or leave it unset for both).`);
if (only !== 'postgres') await run('SQLite', null);
if (only !== 'sqlite') {
  const cluster = await startTestPostgres();
  try {
    await run('PostgreSQL 15', await cluster.newDatabase('baseline_load'));
  } finally {
    cluster.stop();
  }
}
process.exit(0);
