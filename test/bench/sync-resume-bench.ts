// Resume after a cut at 50 % (issue #13): the three-week backlog of sync-bench.ts (1,000 events, 200 captures
// of 10,000 tags, 20 distinct documents) and a single 48 MB blob, each sent to a fresh loopback server through
// the fault-injecting proxy, which cuts the connection when half of the bytes a full sync needs have passed.
// The next sync's bytes are then counted. Bytes are HTTP bytes (heads and bodies) as the proxy forwards them.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { BaselineApp as App } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { enrolCode, startTestServer } from '../helpers/sync-fixture.ts';
import { tempHome } from '../helpers/temp-home.ts';

const TAGS = 10_000;

function snapshotDocument(version: number): Buffer {
  const values = [];
  for (let i = 0; i < TAGS; i++)
    values.push({ tag: `Line1_Tag${i}`, address: `HR${i}`, type: 'REAL', value: i % 97 === 0 ? i + version : i * 0.5, quality: 'good' });
  return Buffer.from(canonicalJson({ schema: 'baseline.capture/1', controller: { id: 'PLC-L01-FILLER', name: 'PLC-L01-FILLER' }, values }));
}

const DOCS = Array.from({ length: 20 }, (_, v) => snapshotDocument(v));
const BIG = randomBytes(48 * 1024 * 1024);

function capture(app: App, profileSha256: string, doc: Buffer): void {
  app.journal.append(
    'capture.recorded',
    {
      controllerId: null,
      controller: 'PLC-L01-FILLER',
      protocol: 'modbus-tcp',
      profileSha256,
      captureSha256: app.blobs.put(doc),
      complete: true,
      tags: TAGS,
      good: TAGS,
      bad: 0,
      requests: 96,
      minimumRequests: 96,
    },
    app.actor(),
  );
}

function fill(app: App, kind: 'backlog' | 'one large blob'): void {
  const profileSha256 = app.profiles.import(
    'line1',
    'modbus',
    readFileSync(new URL('../fixtures/profiles-capture/modbus-line1.csv', import.meta.url), 'utf8'),
    app.actor(),
  ).sha256;
  if (kind === 'one large blob') {
    capture(app, profileSha256, BIG);
    return;
  }
  for (let i = 0; i < 200; i++) capture(app, profileSha256, DOCS[Math.floor(i / 10)]!);
  const own = () => [...app.journal.rowsForVerification()].filter((r) => r.device === app.deviceKey.deviceId).length;
  while (own() < 1000) app.journal.append('journal.verified', { ok: true, eventsChecked: 1, problems: 0, firstProblem: null }, app.actor());
}

/** One run: a fresh server and laptop; cut at `cutFraction` of `total` bytes (null: no cut, measure the total). */
async function run(
  kind: 'backlog' | 'one large blob',
  total: number | null,
): Promise<{ total: number; beforeCut: number; resumed: number; ms: number }> {
  const server = await startTestServer({ postgresUrl: null });
  const { pki } = server.server;
  const proxy = await startFaultProxy(server.server.url, { keyPem: pki.serverKeyPem, certPem: pki.serverCertPem, caPem: pki.caCertPem });
  const { home, cleanup } = tempHome('baseline-laptop-');
  const app = App.open({
    home,
    transport: 'in-process',
    keyProtection: filePermissionsProtection,
    sync: { background: false, timeoutMs: 120_000 },
  });
  try {
    await app.sync.enrol(proxy.url, await enrolCode(server.server), pki.caFingerprint, app.actor());
    fill(app, kind);
    proxy.resetCounters();
    if (total === null) {
      const t0 = performance.now();
      const s = await app.sync.syncNow();
      if (s.lastError) throw new Error(s.lastError.message);
      return { total: proxy.bytesUp, beforeCut: 0, resumed: 0, ms: performance.now() - t0 };
    }
    const cut = proxy.cutAtBytesUp(Math.floor(total / 2));
    const broken = await app.sync.syncNow();
    await cut;
    if (broken.lastError?.code !== 'server-unreachable')
      throw new Error(`the cut did not break the sync: ${JSON.stringify(broken.lastError)}`);
    const beforeCut = proxy.bytesUp;
    proxy.resetCounters();
    const t0 = performance.now();
    const s = await app.sync.syncNow();
    if (s.lastError) throw new Error(s.lastError.message);
    const held = (await server.server.store.deviceEvents(app.deviceKey.deviceId)).length;
    const own = [...app.journal.rowsForVerification()].filter((r) => r.device === app.deviceKey.deviceId).length;
    if (held !== own) throw new Error(`server holds ${held} events, laptop ${own}`);
    return { total, beforeCut, resumed: proxy.bytesUp, ms: performance.now() - t0 };
  } finally {
    app.close();
    cleanup();
    await proxy.close();
    await server.stop();
  }
}

console.log('| what is synced | full sync, MB | cut after, MB | resume sends, MB | resume / full | resume s |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const kind of ['backlog', 'one large blob'] as const) {
  const full = await run(kind, null);
  const cut = await run(kind, full.total);
  const mb = (n: number) => (n / 1e6).toFixed(1);
  console.log(
    `| ${kind === 'backlog' ? '1,000 events, 200 captures (20 distinct)' : 'one 48 MB blob'} | ${mb(full.total)} | ${mb(cut.beforeCut)} | ${mb(cut.resumed)} | ${((100 * cut.resumed) / full.total).toFixed(1)} % | ${(cut.ms / 1000).toFixed(2)} |`,
  );
}
process.exit(0);
