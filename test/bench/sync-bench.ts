// Sync benchmark (issue #13): a three-week turnaround backlog on one laptop (1,000 events, 200 snapshots of 10,000
// tags, most unchanged between captures) synced to a loopback server, on SQLite and on PostgreSQL 15. Target: < 10 s.
// Prints bytes sent against the content's nominal size (identical snapshots are stored and sent once).
// Run: node test/bench/sync-bench.ts   (or npm run bench; prints a Markdown table)
import { performance } from 'node:perf_hooks';
import { startTestPostgres } from '../helpers/postgres.ts';
import { enrolledLaptop, startTestServer } from '../helpers/sync-fixture.ts';
import { BACKLOG, recordTurnaroundBacklog } from '../helpers/turnaround-backlog.ts';

async function run(database: 'SQLite' | 'PostgreSQL', postgresUrl: string | null) {
  const server = await startTestServer({ postgresUrl });
  const laptop = await enrolledLaptop(server.server);
  const { app } = laptop;
  const { events, nominalBytes: nominal } = recordTurnaroundBacklog(app);
  const t0 = performance.now();
  const status = await app.sync.syncNow();
  const ms = performance.now() - t0;
  if (status.lastError) throw new Error(status.lastError.message);
  const held = (await server.server.store.deviceEvents(app.deviceKey.deviceId)).length;
  const sent = app.sync.bytesSent();
  laptop.cleanup();
  await server.stop();
  return {
    database,
    events,
    held,
    snapshots: BACKLOG.snapshots,
    distinct: BACKLOG.distinct,
    nominalMb: nominal / 1e6,
    sentMb: sent / 1e6,
    ms,
  };
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
  console.log(
    `| ${r.database} | ${r.events} | ${r.held} | ${r.snapshots} (${r.distinct}) | ${r.nominalMb.toFixed(1)} | ${r.sentMb.toFixed(1)} | ${(r.ms / 1000).toFixed(2)} |`,
  );
}
process.exit(0);
