/**
 * The sync suite, run against a server on SQLite and on PostgreSQL (sync-sqlite.test.ts, sync-postgres.test.ts):
 * enrolment, push and pull over HTTPS on loopback, and every refusal with its reason on both sides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:https';
import { createCa } from '../../../src-shared/node/pki.ts';
import { SyncHttpClient } from '../../../src-main/services/sync-http-client.ts';
import { ENROLMENT_FILE } from '../../../src-main/services/sync-service.ts';
import { SYNC_PROTOCOL } from '../../../src-shared/common/sync/sync-protocol.ts';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import {
  enrolCode,
  enrolledLaptop,
  openLaptop,
  startServerProcess,
  startTestServer,
  openServerStore,
  type ServerTarget,
} from '../../helpers/sync-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { syncStatusWords } from '../../../src-shared/common/sync/sync-status-words.ts';
import type { SyncStatus } from '../../../src-shared/common/api/contract.ts';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** An event that needs no person: a journal verification record. */
function appendFiller(app: BaselineApp, n: number): void {
  for (let i = 0; i < n; i++)
    app.journal.append('journal.verified', { ok: true, eventsChecked: i, problems: 0, firstProblem: null }, app.actor());
}

function tokenOf(home: string): string {
  return (JSON.parse(readFileSync(join(home, ENROLMENT_FILE), 'utf8')) as { token: string }).token;
}

/** A client speaking as an enrolled laptop, for requests the app would never send. */
function rawClient(server: TestServer, home: string): SyncHttpClient {
  return new SyncHttpClient(server.server.url, server.server.pki.caCertPem, tokenOf(home));
}

/** Defines the suite for one database. `target()` is read when the suite starts (PostgreSQL starts in beforeAll). */
export function defineSyncSuite(name: string, target: () => ServerTarget): void {
  describe(`sync with the central server (${name})`, () => {
    let server: TestServer;
    const cleanups: (() => void)[] = [];

    beforeAll(async () => {
      server = await startTestServer(target(), { enrolPerMinute: 1000 });
    });
    afterAll(async () => {
      for (const c of cleanups) c();
      await server?.stop();
    });

    async function laptop() {
      const l = await enrolledLaptop(server.server);
      cleanups.push(l.cleanup);
      return l;
    }

    it('answers /health over HTTPS with a certificate the plant CA issued, and a laptop trusting another CA refuses it', async () => {
      const good = new SyncHttpClient(server.server.url, server.server.pki.caCertPem, null);
      const health = (await good.call('GET', '/health')) as { status: string; database: string };
      expect(health.status).toBe('ok');
      expect(health.database).toBe(target().postgresUrl ? 'postgres' : 'sqlite');
      good.close();
      const other = new SyncHttpClient(server.server.url, createCa('Someone else').certPem, null);
      await expect(other.call('GET', '/health')).rejects.toMatchObject({ code: 'server-certificate-untrusted' });
      other.close();
    });

    it('shows progress during a large push: events sent of the total, and bytes sent while a large blob is still leaving', async () => {
      const { app } = await laptop();
      const profile = app.profiles.import(
        'line1',
        'modbus',
        readFileSync(new URL('../../fixtures/profiles-capture/modbus-line1.csv', import.meta.url), 'utf8'),
        app.actor(),
      ).sha256;
      // One 6 MB capture (sent by resumable upload, in 1 MiB pieces) and filler events.
      const big = Buffer.alloc(6 * 1024 * 1024, 7);
      app.journal.append(
        'capture.recorded',
        {
          controllerId: null,
          controller: 'PLC-L01-FILLER',
          protocol: 'modbus-tcp',
          profileSha256: profile,
          captureSha256: app.blobs.put(big),
          complete: true,
          tags: 1,
          good: 1,
          bad: 0,
          requests: 1,
          minimumRequests: 1,
        },
        app.actor(),
      );
      appendFiller(app, 20);
      const seen: SyncStatus[] = [];
      const off = app.hub.subscribe((event, payload) => {
        if (event === 'sync.status') seen.push(payload as SyncStatus);
      });
      const done = await app.sync.syncNow();
      off();
      expect(done.lastError).toBeNull();
      const pushing = seen.filter((s) => s.state === 'syncing' && s.progress !== null);
      const total = pushing[0]!.progress!.total;
      expect(total).toBeGreaterThanOrEqual(21);
      // While the blob leaves, the bytes move before any event is acknowledged, and the header says so.
      const midBlob = pushing.filter((s) => s.progress!.sent === 0 && s.progress!.bytesSent > 0 && s.progress!.bytesSent < big.length);
      expect(midBlob.length).toBeGreaterThan(0);
      expect(syncStatusWords(midBlob[0]!).label).toMatch(new RegExp(`^Syncing 0 of ${total} events · \\d+(\\.\\d)? (kB|MB) sent$`));
      // Then the events: all of them, with at least the blob's bytes sent.
      const last = pushing.at(-1)!.progress!;
      expect(last.sent).toBe(total);
      expect(last.bytesSent).toBeGreaterThanOrEqual(big.length);
      expect(done.progress).toBeNull();
    });

    it('syncs in the background shortly after a new event, without anyone pressing "Sync now"', async () => {
      const { home, cleanup } = tempHome('baseline-laptop-');
      const app = BaselineApp.open({
        home,
        transport: 'in-process',
        keyProtection: filePermissionsProtection,
        sync: { background: true, afterEventMs: 100, intervalMs: 600_000 },
      });
      cleanups.push(() => {
        app.close();
        cleanup();
      });
      await app.sync.enrol(server.server.url, await enrolCode(server.server), server.server.pki.caFingerprint, app.actor());
      appendFiller(app, 3);
      const own = () => [...app.journal.rowsForVerification()].filter((r) => r.device === app.deviceKey.deviceId).length;
      await expect
        .poll(async () => (await server.server.store.deviceEvents(app.deviceKey.deviceId)).length, { timeout: 10_000 })
        .toBe(own());
      await expect.poll(() => app.sync.status().waiting).toBe(0);
    });

    it('enrols a laptop once with a one-time code: its certificate binds its journal key and is recorded in its journal', async () => {
      const { app } = await laptop();
      const certified = [...app.journal.events()].filter((e) => e.type === 'device.certified');
      expect(certified).toHaveLength(1);
      expect((certified[0]!.payload as { caFingerprint: string }).caFingerprint).toBe(server.server.pki.caFingerprint);
      const device = await server.server.store.device(app.deviceKey.deviceId);
      expect(device?.public_key_pem.trim()).toBe(app.deviceKey.publicKeyPem.trim());
      expect(app.sync.status().state).not.toBe('not-enrolled');
    });

    it('refuses a wrong code, a used code and an expired code, naming which, on both sides', async () => {
      const { home, cleanup } = tempHome('baseline-laptop-');
      const app = openLaptop(home);
      cleanups.push(() => {
        app.close();
        cleanup();
      });
      const url = server.server.url;
      const fp = server.server.pki.caFingerprint;
      await expect(app.sync.enrol(url, 'AAAA-BBBB-CCCC', fp, app.actor())).rejects.toMatchObject({ code: 'enrol-code-wrong' });
      const code = await enrolCode(server.server);
      const other = await laptop();
      expect(other.app.sync.status().state).not.toBe('not-enrolled');
      const used = await enrolCode(server.server);
      const third = openLaptop(tempHome('baseline-laptop-').home);
      cleanups.push(() => third.close());
      await third.sync.enrol(url, used, fp, third.actor());
      await expect(app.sync.enrol(url, used, fp, app.actor())).rejects.toMatchObject({ code: 'enrol-code-used' });
      const expired = await enrolCode(server.server, 1_000, new Date(Date.now() - 60_000));
      await expect(app.sync.enrol(url, expired, fp, app.actor())).rejects.toMatchObject({ code: 'enrol-code-expired' });
      await expect(app.sync.enrol(url, code, 'f'.repeat(64), app.actor())).rejects.toMatchObject({ code: 'server-ca-mismatch' });
      const refusals = (await server.server.store.refusals(app.deviceKey.deviceId)).map((r) => r.code);
      expect(refusals).toEqual(['enrol-code-wrong', 'enrol-code-used', 'enrol-code-expired']);
      expect(app.sync.status().state).toBe('not-enrolled');
      // The good code was never spent by the refused attempts: it still enrols.
      await app.sync.enrol(url, code, fp, app.actor());
      expect(app.sync.status().state).not.toBe('not-enrolled');
    });

    it('pushes events and their content; the server holds them byte-identical; the same batch twice is harmless', async () => {
      const { app, home } = await laptop();
      appendFiller(app, 30);
      const status = await app.sync.syncNow();
      expect(status.lastError).toBeNull();
      expect(status.waiting).toBe(0);
      const local = [...app.journal.rowsForVerification()].filter((r) => r.device === app.deviceKey.deviceId);
      const held = await server.server.store.deviceEvents(app.deviceKey.deviceId);
      expect(held).toEqual(local);
      expect(status.acknowledgedSeq).toBe(local.length);

      // Resend the last five events as a laptop that lost the acknowledgement would.
      const client = rawClient(server, home);
      const asked = Date.now();
      const again = (await client.call('POST', '/sync/push', {
        protocol: SYNC_PROTOCOL,
        deviceTime: new Date().toISOString(),
        head: { seq: local.length, hash: local[local.length - 1]!.hash },
        events: local.slice(-5).map((event) => ({ event, blobs: [] })),
      })) as { accepted: number; duplicates: number; acknowledgedSeq: number; serverTime: string };
      client.close();
      expect(again).toMatchObject({ accepted: 0, duplicates: 5, acknowledgedSeq: local.length });
      // The answer is an acknowledgement with the server's time of answering (ordered against ones by file).
      expect(Date.parse(again.serverTime)).toBeGreaterThanOrEqual(asked);
      expect(Date.parse(again.serverTime)).toBeLessThanOrEqual(Date.now());
      expect(await server.server.store.deviceEvents(app.deviceKey.deviceId)).toHaveLength(local.length);
    });

    it('refuses an event with a bad signature or a broken chain link, keeps what came before, and the laptop names it', async () => {
      const { app, home } = await laptop();
      await app.sync.syncNow();
      appendFiller(app, 3);
      const own = [...app.journal.rowsForVerification()].filter((r) => r.device === app.deviceKey.deviceId);
      const acked = (await server.server.store.device(app.deviceKey.deviceId))!.acked_seq;
      const pending = own.filter((r) => Number(r.seq) > acked);
      const client = rawClient(server, home);
      const head = { seq: own.length, hash: own[own.length - 1]!.hash };
      const badSig = { ...pending[1]!, sig: Buffer.alloc(64, 7).toString('base64') };
      const r1 = await client.send('POST', '/sync/push', {
        protocol: SYNC_PROTOCOL,
        deviceTime: new Date().toISOString(),
        head,
        events: [pending[0], badSig].map((event) => ({ event, blobs: [] })),
      });
      expect(r1.status).toBe(422);
      expect(r1.json).toMatchObject({
        error: { code: 'event-signature-invalid' },
        acknowledgedSeq: acked + 1,
        serverTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      expect((r1.json as { error: { message: string } }).error.message).toContain(`seq ${acked + 2}`);

      const broken = { ...pending[2]!, prev: 'ab'.repeat(32) };
      const r2 = await client.send('POST', '/sync/push', {
        protocol: SYNC_PROTOCOL,
        deviceTime: new Date().toISOString(),
        head,
        events: [pending[1], broken].map((event) => ({ event, blobs: [] })),
      });
      expect(r2.json).toMatchObject({ error: { code: 'event-chain-broken' }, acknowledgedSeq: acked + 2 });
      client.close();
      const codes = (await server.server.store.refusals(app.deviceKey.deviceId)).map((r) => r.code);
      expect(codes).toEqual(['event-signature-invalid', 'event-chain-broken']);
      // The laptop's own (intact) events then go through.
      const status = await app.sync.syncNow();
      expect(status.lastError).toBeNull();
      expect(await server.server.store.deviceEvents(app.deviceKey.deviceId)).toEqual(
        own.concat([...app.journal.rowsForVerification()].filter((r) => r.device === app.deviceKey.deviceId).slice(own.length)),
      );
    });

    it('refuses blob bytes that do not match their hash, and stores nothing under that hash', async () => {
      const { app, home } = await laptop();
      const client = rawClient(server, home);
      const claimed = 'a'.repeat(64);
      const res = await client.send('PUT', `/blobs/${claimed}`, Buffer.from('not the content that hash names'));
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({ error: { code: 'blob-hash-mismatch' } });
      expect(((await client.call('POST', '/blobs/missing', { hashes: [claimed] })) as { missing: string[] }).missing).toEqual([claimed]);
      client.close();
      expect((await server.server.store.refusals(app.deviceKey.deviceId)).map((r) => r.code)).toContain('blob-hash-mismatch');
    });

    it('refuses an oversized request and a malformed one with a reason, and requests without a token', async () => {
      const { home } = await laptop();
      const client = rawClient(server, home);
      const big = await client.send('POST', '/sync/push', { protocol: SYNC_PROTOCOL, padding: 'x'.repeat(17 * 1024 * 1024) });
      expect(big.status).toBe(413);
      expect(big.json).toMatchObject({ error: { code: 'request-too-large' } });
      const malformed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          new URL('/sync/push', server.server.url),
          {
            method: 'POST',
            ca: server.server.pki.caCertPem,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenOf(home)}` },
          },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => {
              body += d.toString();
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end('{"protocol": "baseline.sync/1", "events": [');
      });
      expect(malformed.status).toBe(400);
      expect(JSON.parse(malformed.body)).toMatchObject({ error: { code: 'request-malformed' } });
      const wrongShape = await client.send('POST', '/sync/push', {
        protocol: SYNC_PROTOCOL,
        deviceTime: 'now',
        head: { seq: -1, hash: null },
        events: 'none',
      });
      expect(wrongShape.status).toBe(400);
      expect((wrongShape.json as { error: { message: string } }).error.message).toMatch(/head\.seq|events/);
      client.close();
      const anonymous = new SyncHttpClient(server.server.url, server.server.pki.caCertPem, null);
      await expect(anonymous.call('GET', '/sync/state')).rejects.toMatchObject({ code: 'device-not-enrolled' });
      anonymous.close();
    });

    it('records the clock offset at every push and flags events whose device time is implausible (future, skewed, set back)', async () => {
      const home = tempHome('baseline-laptop-');
      cleanups.push(home.cleanup);
      let now = new Date();
      const app = openLaptop(home.home, () => now);
      cleanups.push(() => app.close());
      await app.sync.enrol(server.server.url, await enrolCode(server.server), server.server.pki.caFingerprint, app.actor());
      await app.sync.syncNow();
      expect(await server.server.store.clockFlags(app.deviceKey.deviceId)).toEqual([]);
      // The laptop's clock runs two hours ahead, then is set back to an hour behind.
      now = new Date(Date.now() + 2 * 3_600_000);
      appendFiller(app, 2);
      expect((await app.sync.syncNow()).lastError).toBeNull();
      now = new Date(Date.now() - 3_600_000);
      appendFiller(app, 1);
      expect((await app.sync.syncNow()).lastError).toBeNull();
      const flags = await server.server.store.clockFlags(app.deviceKey.deviceId);
      const byKind = (k: string) => flags.filter((f) => f.kind === k).map((f) => f.seq);
      expect(byKind('in-the-future')).toHaveLength(2);
      expect(byKind('clock-skew').length).toBeGreaterThanOrEqual(3);
      expect(byKind('before-previous')).toHaveLength(1);
      expect(flags.find((f) => f.kind === 'before-previous')!.message).toMatch(/before the device's previous event .* clock was set back/);
      expect((await server.server.store.clockOffsets(app.deviceKey.deviceId)).length).toBeGreaterThanOrEqual(3);
      // The same flags over HTTPS for anyone enrolled.
      const client = new SyncHttpClient(server.server.url, server.server.pki.caCertPem, tokenOf(home.home));
      try {
        const body = (await client.call('GET', `/sync/clock-flags?device=${app.deviceKey.deviceId}`)) as {
          flags: unknown[];
          offsets: unknown[];
        };
        expect(body.flags).toHaveLength(flags.length);
        expect(body.offsets.length).toBeGreaterThanOrEqual(3);
      } finally {
        client.close();
      }
    });

    it('refuses and flags a laptop restored from an old backup (its seq went back); nothing on the server is overwritten', async () => {
      const { app, home } = await laptop();
      appendFiller(app, 5);
      await app.sync.syncNow();
      // The backup: the data directory as it was at this point (the app is closed to copy it cleanly).
      app.close();
      const backup = tempHome('baseline-backup-');
      cleanups.push(backup.cleanup);
      cpSync(home, backup.home, { recursive: true });
      const reopened = openLaptop(home);
      cleanups.push(() => reopened.close());
      appendFiller(reopened, 10);
      await reopened.sync.syncNow();
      reopened.close();
      const before = await server.server.store.deviceEvents(app.deviceKey.deviceId);

      const restored = openLaptop(backup.home);
      cleanups.push(() => restored.close());
      appendFiller(restored, 2);
      const status = await restored.sync.syncNow();
      expect(status.state).toBe('refused');
      expect(status.lastError?.code).toBe('journal-forked');
      expect(status.lastError?.message).toMatch(/restored from a backup or replaced/);
      expect(await server.server.store.deviceEvents(app.deviceKey.deviceId)).toEqual(before);
      const device = await server.server.store.device(app.deviceKey.deviceId);
      expect(device?.flagged).toMatch(/restored from a backup/);
      // Once flagged, the device stays refused until someone looks at it.
      const again = await restored.sync.syncNow();
      expect(again.lastError?.code).toBe('device-flagged');
    });

    /** The database of a server run as a child process: its own, empty one. */
    async function ownDatabase(name: string): Promise<string | null> {
      const t = target();
      return t.postgresUrl && t.freshDatabase ? t.freshDatabase(name) : null;
    }

    it(
      'says "offline" in plain words when the server is unreachable, keeps counting what waits, and syncs when it is back',
      { timeout: 60_000 },
      async () => {
        const { home, cleanup } = tempHome('baseline-server-proc-');
        cleanups.push(cleanup);
        const db = await ownDatabase('baseline_offline');
        // A real server process on a port we then free again, so the laptop's address stays the same.
        const first = await startServerProcess(home, 0, db);
        const port = Number(new URL(first.url).port);
        const lap = tempHome('baseline-laptop-');
        const app = openLaptop(lap.home);
        cleanups.push(() => {
          app.close();
          lap.cleanup();
        });
        const { store, close } = await openServerStore(home, db);
        const code = (await (await import('../../../src-server/sync-operations.ts')).createEnrolCode(store, 60_000)).code;
        await close();
        const fp = (await import('../../../src-shared/node/plant-certificates.ts')).anyCertificateFingerprint(
          readFileSync(join(home, 'pki', 'plant-ca.pem'), 'utf8'),
        );
        await app.sync.enrol(first.url, code, fp, app.actor());
        await first.kill();
        appendFiller(app, 4);
        const offline = await app.sync.syncNow();
        expect(offline.state).toBe('offline');
        expect(offline.lastError?.message).toMatch(/is not answering|cannot be reached|closed the connection/);
        expect(offline.lastError?.hint).toMatch(/Keep working/);
        expect(offline.waiting).toBeGreaterThanOrEqual(4);
        const second = await startServerProcess(home, port, db);
        try {
          const online = await app.sync.syncNow();
          expect(online.lastError).toBeNull();
          expect(online.state).toBe('idle');
          expect(online.waiting).toBe(0);
          expect(online.lastSuccessAt).not.toBeNull();
        } finally {
          await second.kill('SIGTERM');
        }
      },
    );

    it('resumes a push cut by killing the server mid-push: nothing lost, nothing stored twice', { timeout: 120_000 }, async () => {
      const { home, cleanup } = tempHome('baseline-server-proc-');
      cleanups.push(cleanup);
      const db = await ownDatabase('baseline_killed');
      const first = await startServerProcess(home, 0, db);
      const port = Number(new URL(first.url).port);
      const { store, close } = await openServerStore(home, db);
      const code = (await (await import('../../../src-server/sync-operations.ts')).createEnrolCode(store, 60_000)).code;
      const lap = tempHome('baseline-laptop-');
      const app = openLaptop(lap.home);
      cleanups.push(() => {
        app.close();
        lap.cleanup();
      });
      const fp = (await import('../../../src-shared/node/plant-certificates.ts')).anyCertificateFingerprint(
        readFileSync(join(home, 'pki', 'plant-ca.pem'), 'utf8'),
      );
      await app.sync.enrol(first.url, code, fp, app.actor());
      appendFiller(app, 1600); // four batches
      let killed: Promise<void> | null = null;
      const unsubscribe = app.hub.subscribe((event, payload) => {
        const p = payload as { progress: { sent: number } | null };
        if (event === 'sync.status' && p.progress && p.progress.sent >= 500 && !killed) killed = first.kill();
      });
      const cut = await app.sync.syncNow();
      unsubscribe();
      await killed;
      expect(cut.lastError?.code).toBe('server-unreachable');
      const partial = (await store.deviceEvents(app.deviceKey.deviceId)).length;
      expect(partial).toBeGreaterThanOrEqual(500);
      expect(partial).toBeLessThan(1600);
      const second = await startServerProcess(home, port, db);
      try {
        const done = await app.sync.syncNow();
        expect(done.lastError).toBeNull();
        const local = [...app.journal.rowsForVerification()].filter((r) => r.device === app.deviceKey.deviceId);
        const held = await store.deviceEvents(app.deviceKey.deviceId);
        expect(held).toEqual(local);
        expect(new Set(held.map((e) => e.seq)).size).toBe(held.length);
      } finally {
        await second.kill('SIGTERM');
        await close();
      }
    });
  });
}
