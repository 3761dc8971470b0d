// Trust check benchmark (issue #10): what proving the tables against the signed journal costs on a journal of a few
// thousand events. Start-up does not pay it; the first read of trust (a signature, a snapshot verification, the People
// screen) does, and again only after another program has written to baseline.db.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';

const EVENTS = 5_000;
const RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const home = mkdtempSync(join(tmpdir(), 'baseline-trust-bench-'));
try {
  const setup = BaselineApp.open({ home, transport: 'in-process', keyProtection: filePermissionsProtection });
  const actor = setup.actor();
  setup.identity.createCa('Bench CA', 'bench-ca-password', actor);
  setup.store.db.transaction(() => {
    for (let i = setup.journal.count(); i < EVENTS; i++) {
      if (i % 3 === 0) setup.journal.append('journal.verified', { ok: true, eventsChecked: i, problems: 0, firstProblem: null }, actor);
      else
        setup.journal.append(
          'controller.registered',
          {
            id: `c${i % 400}`,
            name: `PLC-L${String(i % 24).padStart(2, '0')}-${i}`,
            target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: 502, unitId: 1, wordOrder: 'high-first' },
            profileSha256: null,
          },
          actor,
        );
    }
  })();
  setup.close();

  const open: number[] = [];
  const first: number[] = [];
  const cached: number[] = [];
  const afterForeignWrite: number[] = [];
  const fullVerify: number[] = [];
  let events = 0;
  for (let run = 0; run < RUNS; run++) {
    let t = performance.now();
    const app = BaselineApp.open({ home, transport: 'in-process', keyProtection: filePermissionsProtection });
    open.push(performance.now() - t);
    events = app.journal.count();
    t = performance.now();
    if (app.identity.cas().length !== 1) throw new Error('the bench CA is not trusted');
    first.push(performance.now() - t);
    t = performance.now();
    app.identity.trust();
    cached.push(performance.now() - t);
    // Another connection commits a change (to no table Baseline reads): the next read of trust proves the tables again.
    const other = new Database(join(home, 'baseline.db'));
    other.exec('CREATE TABLE bench_scratch (x); DROP TABLE bench_scratch;');
    other.close();
    t = performance.now();
    app.identity.trust();
    afterForeignWrite.push(performance.now() - t);
    t = performance.now();
    if (!app.journal.verifyAll().ok) throw new Error('the bench journal does not verify');
    fullVerify.push(performance.now() - t);
    app.close();
  }
  console.log(`\nTrust check on a journal of ${events} events (median of ${RUNS} runs)\n`);
  console.log('| step | median ms |');
  console.log('| --- | ---: |');
  console.log(`| open the app (start-up; no trust check) | ${median(open).toFixed(1)} |`);
  console.log(
    `| first read of trust: every hash and link, each chain's newest signature, replay, compare every table | ${median(first).toFixed(1)} |`,
  );
  console.log(`| later reads of trust (PRAGMA data_version unchanged) | ${median(cached).toFixed(2)} |`);
  console.log(`| read of trust after another program wrote to baseline.db | ${median(afterForeignWrite).toFixed(1)} |`);
  console.log(`| (apart) \`journal verify\`: every signature too, replay, compare | ${median(fullVerify).toFixed(1)} |`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
