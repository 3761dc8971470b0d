// Sync benchmark (issue #13): a three-week turnaround backlog on one laptop (1,000 events, 200 snapshots of 10,000
// tags, most unchanged between captures) synced to a loopback server, on SQLite and on PostgreSQL 15. Target: < 10 s.
// Prints bytes sent against the content's nominal size (identical snapshots are stored and sent once).
// Run: node test/bench/sync-bench.ts   (or npm run bench; prints a Markdown table)
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { enrolledLaptop, startTestServer } from '../helpers/sync-fixture.ts';

const EVENTS = 1_000;
const SNAPSHOTS = 200;
const TAGS = 10_000;
const DISTINCT = 20; // a controller changes on one capture in ten

function snapshotDocument(version: number): Buffer {
  const values = [];
  for (let i = 0; i < TAGS; i++) values.push({ tag: `Line1_Tag${i}`, address: `HR${i}`, type: 'REAL', value: i % 97 === 0 ? i + version : i * 0.5, quality: 'good' });
  return Buffer.from(canonicalJson({ schema: 'baseline.capture/1', controller: { id: 'PLC-L01-FILLER', name: 'PLC-L01-FILLER' }, values }));
}

async function run(database: 'SQLite' | 'PostgreSQL', postgresUrl: string | null) {
  const server = await startTestServer({ postgresUrl });
  const laptop = await enrolledLaptop(server.server);
  const { app } = laptop;
  const profileSha256 = app.profiles.import('line1', 'modbus', readFileSync(new URL('../fixtures/profiles-capture/modbus-line1.csv', import.meta.url), 'utf8'), app.actor()).sha256;
  let nominal = 0;
  const docs = Array.from({ length: DISTINCT }, (_, v) => snapshotDocument(v));
  for (let i = 0; i < SNAPSHOTS; i++) {
    const doc = docs[Math.floor(i / (SNAPSHOTS / DISTINCT))]!;
    nominal += doc.length;
    const captureSha256 = app.blobs.put(doc);
    app.journal.append('capture.recorded', {
      controllerId: null, controller: 'PLC-L01-FILLER', protocol: 'modbus-tcp', profileSha256, captureSha256, complete: true,
      tags: TAGS, good: TAGS, bad: 0, requests: 96, minimumRequests: 96,
    }, app.actor());
  }
  const own = () => [...app.journal.rowsForVerification()].filter((r) => r.device === app.deviceKey.deviceId).length;
  while (own() < EVENTS) app.journal.append('journal.verified', { ok: true, eventsChecked: 1, problems: 0, firstProblem: null }, app.actor());
  const events = own();
  const t0 = performance.now();
  const status = await app.sync.syncNow();
  const ms = performance.now() - t0;
  if (status.lastError) throw new Error(status.lastError.message);
  const held = (await server.server.store.deviceEvents(app.deviceKey.deviceId)).length;
  const sent = app.sync.bytesSent();
  laptop.cleanup();
  await server.stop();
  return { database, events, held, snapshots: SNAPSHOTS, distinct: DISTINCT, nominalMb: nominal / 1e6, sentMb: sent / 1e6, ms };
}

const rows = [await run('SQLite', null)];
const cluster = await startTestPostgres();
try {
  rows.push(await run('PostgreSQL', await cluster.newDatabase('baseline_bench')));
} finally {
  cluster.stop();
}
console.log('| server database | events | stored on server | snapshots (distinct) | content, nominal MB | bytes sent, MB | sync s |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.database} | ${r.events} | ${r.held} | ${r.snapshots} (${r.distinct}) | ${r.nominalMb.toFixed(1)} | ${r.sentMb.toFixed(1)} | ${(r.ms / 1000).toFixed(2)} |`);
}
process.exit(0);
