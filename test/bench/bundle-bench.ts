// Sync-by-file benchmark (air-gapped plants): the sync benchmark's three-week turnaround backlog on one laptop (1,000
// events, 200 snapshots of 10,000 tags, 20 distinct) exported to an encrypted bundle, imported on the server (SQLite
// and PostgreSQL 15) with the checks of online push, and the acknowledgement imported on the laptop. Target: < 15 s.
// Run: node test/bench/bundle-bench.ts   (or npm run bench; prints a Markdown table)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { importDeviceBundle, serverBundleKey } from '../../src-server/bundle-import.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { enrolledLaptop, startTestServer } from '../helpers/sync-fixture.ts';
import { recordTurnaroundBacklog } from '../helpers/turnaround-backlog.ts';

async function run(database: 'SQLite' | 'PostgreSQL', postgresUrl: string | null) {
  const server = await startTestServer({ postgresUrl });
  const laptop = await enrolledLaptop(server.server);
  const { app } = laptop;
  const { events } = recordTurnaroundBacklog(app);
  app.bundles.setServerCertificate(serverBundleKey(server.home, server.server.pki).certPem);
  const media = mkdtempSync(join(tmpdir(), 'baseline-bench-usb-'));
  const file = join(media, 'backlog.baseline-bundle');

  const t0 = performance.now();
  const exported = await app.bundles.exportBundle(file);
  const t1 = performance.now();
  const imported = await importDeviceBundle({
    home: server.home,
    store: server.server.store,
    pki: server.server.pki,
    bytes: readFileSync(file),
  });
  const t2 = performance.now();
  app.bundles.importAck(imported.ack);
  const t3 = performance.now();
  if (imported.refusal) throw new Error(imported.refusal.message);
  if (app.sync.status().waiting !== 0) throw new Error(`${app.sync.status().waiting} events still waiting after the acknowledgement`);
  const held = (await server.server.store.deviceEvents(app.deviceKey.deviceId)).length;
  rmSync(media, { recursive: true, force: true });
  laptop.cleanup();
  await server.stop();
  return {
    database,
    events,
    held,
    blobs: exported.blobs,
    mb: exported.bytes / 1e6,
    exportMs: t1 - t0,
    importMs: t2 - t1,
    openMs: imported.timings.openMs,
    ingestMs: imported.timings.ingestMs,
    ackMs: t3 - t2,
    totalMs: t3 - t0,
  };
}

const rows = [await run('SQLite', null)];
const cluster = await startTestPostgres();
try {
  rows.push(await run('PostgreSQL', await cluster.newDatabase('baseline_bundle_bench')));
} finally {
  cluster.stop();
}
console.log(
  '| server database | events | stored on server | content files | bundle MB | export s | server import s (open + ingest) | ack s | total s (target < 15) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.database} | ${r.events} | ${r.held} | ${r.blobs} | ${r.mb.toFixed(1)} | ${(r.exportMs / 1000).toFixed(2)} | ${(r.importMs / 1000).toFixed(2)} (${(r.openMs / 1000).toFixed(2)} + ${(r.ingestMs / 1000).toFixed(2)}) | ${(r.ackMs / 1000).toFixed(2)} | ${(r.totalMs / 1000).toFixed(2)} |`,
  );
}
process.exit(0);
