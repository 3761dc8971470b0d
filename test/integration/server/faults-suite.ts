/**
 * Faults on the wire and on the server, run against SQLite and PostgreSQL (faults-sqlite.test.ts,
 * faults-postgres.test.ts): a fault-injecting proxy on loopback cuts the connection at each step of the sync
 * protocol (enrolment, hello, blob check, blob upload mid-body, push mid-body, push acknowledgement, pull answer,
 * blob download); after each cut the next sync completes with nothing lost and nothing stored twice. The server
 * killed mid-blob resumes the upload where its partial file ends. Resumable uploads refuse bad offsets and sizes
 * with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { SyncHttpClient } from '../../../src-main/services/sync-http-client.ts';
import { ENROLMENT_FILE } from '../../../src-main/services/sync-service.ts';
import { createEnrolCode } from '../../../src-server/sync-operations.ts';
import { MAX_BLOB_BYTES } from '../../../src-shared/common/sync/sync-protocol.ts';
import { sha256Hex } from '../../../src-shared/node/hash.ts';
import { anyCertificateFingerprint } from '../../../src-shared/node/plant-certificates.ts';
import { startFaultProxy, type CutRule, type FaultProxy } from '../../helpers/fault-proxy.ts';
import {
  enrolCode,
  openLaptop,
  openServerStore,
  startServerProcess,
  startTestServer,
  type ServerTarget,
} from '../../helpers/sync-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

const PROFILE = new URL('../../fixtures/profiles-capture/modbus-line1.csv', import.meta.url);

/** Records a capture whose document is `bytes` (stored as a blob the event references). */
function recordCapture(app: BaselineApp, bytes: Buffer): string {
  const profileSha256 = app.profiles.import(
    `line1-${sha256Hex(bytes).slice(0, 6)}`,
    'modbus',
    readFileSync(PROFILE, 'utf8'),
    app.actor(),
  ).sha256;
  const captureSha256 = app.blobs.put(bytes);
  app.journal.append(
    'capture.recorded',
    {
      controllerId: null,
      controller: 'PLC-L01-FILLER',
      protocol: 'modbus-tcp',
      profileSha256,
      captureSha256,
      complete: true,
      tags: 1,
      good: 1,
      bad: 0,
      requests: 1,
      minimumRequests: 1,
    },
    app.actor(),
  );
  return captureSha256;
}

function appendFiller(app: BaselineApp, n: number): void {
  for (let i = 0; i < n; i++)
    app.journal.append('journal.verified', { ok: true, eventsChecked: i, problems: 0, firstProblem: null }, app.actor());
}

function ownRows(app: BaselineApp) {
  return [...app.journal.rowsForVerification()].filter((r) => r.device === app.deviceKey.deviceId);
}

/** Waits for an armed cut, failing with the rule when it was never reached. */
async function made(cut: Promise<unknown>, rule: CutRule): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the proxy never saw ${rule.method} ${rule.path} to cut at ${rule.at}`)), 10_000);
  });
  try {
    await Promise.race([cut, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Defines the suite for one database. */
export function defineFaultSuite(name: string, target: () => ServerTarget): void {
  describe(`sync faults (${name})`, () => {
    let server: TestServer;
    let proxy: FaultProxy;
    const cleanups: (() => void)[] = [];

    beforeAll(async () => {
      server = await startTestServer(target(), { enrolPerMinute: 1000 });
      const { pki } = server.server;
      proxy = await startFaultProxy(server.server.url, { keyPem: pki.serverKeyPem, certPem: pki.serverCertPem, caPem: pki.caCertPem });
    });
    afterAll(async () => {
      for (const c of cleanups) c();
      await proxy?.close();
      await server?.stop();
    });

    function laptop(): BaselineApp {
      const { home, cleanup } = tempHome('baseline-laptop-');
      const app = openLaptop(home);
      cleanups.push(() => {
        app.close();
        cleanup();
      });
      return app;
    }

    /** Everything this laptop recorded is on the server exactly once, byte for byte, with its content. */
    async function serverHoldsAllOf(app: BaselineApp): Promise<void> {
      const held = await server.server.store.deviceEvents(app.deviceKey.deviceId);
      expect(held).toEqual(ownRows(app));
      expect(new Set(held.map((e) => e.seq)).size).toBe(held.length);
      const hashes = [
        ...new Set(held.flatMap((e) => [...e.payload.matchAll(/"([0-9a-f]{64})"/g)].map((m) => m[1]!)).filter((h) => app.blobs.has(h))),
      ];
      expect(await server.server.store.missingBlobs(hashes)).toEqual([]);
    }

    it(
      'after a cut at each step of the protocol, the next sync completes with nothing lost and nothing doubled',
      { timeout: 120_000 },
      async () => {
        const a = laptop();
        const code = await enrolCode(server.server);
        const fp = server.server.pki.caFingerprint;

        // Enrolment cut while the request travels: nothing happened; the same code works.
        let rule: CutRule = { method: 'POST', path: /^\/enrol$/, at: 'request-mid-body' };
        let cut = proxy.cut(rule);
        await expect(a.sync.enrol(proxy.url, code, fp, a.actor())).rejects.toMatchObject({ code: 'server-unreachable' });
        await made(cut, rule);
        // Enrolment done on the server but its answer lost: the same laptop retrying with the same code is enrolled.
        rule = { method: 'POST', path: /^\/enrol$/, at: 'before-response' };
        cut = proxy.cut(rule);
        await expect(a.sync.enrol(proxy.url, code, fp, a.actor())).rejects.toMatchObject({ code: 'server-unreachable' });
        await made(cut, rule);
        expect(await server.server.store.device(a.deviceKey.deviceId)).not.toBeNull();
        await a.sync.enrol(proxy.url, code, fp, a.actor());
        expect([...a.journal.events()].filter((e) => e.type === 'device.certified')).toHaveLength(1);
        // Another laptop still cannot use that code.
        const intruder = laptop();
        await expect(intruder.sync.enrol(proxy.url, code, fp, intruder.actor())).rejects.toMatchObject({ code: 'enrol-code-used' });

        const small = randomBytes(40_000);
        const large = randomBytes(3 * 1024 * 1024);
        const steps: { rule: CutRule; before: () => void; check?: () => void }[] = [
          { rule: { method: 'GET', path: /^\/sync\/state$/, at: 'request-head' }, before: () => appendFiller(a, 3) },
          { rule: { method: 'GET', path: /^\/sync\/state$/, at: 'before-response' }, before: () => appendFiller(a, 2) },
          {
            rule: { method: 'POST', path: /^\/blobs\/missing$/, at: 'before-response' },
            before: () => {
              recordCapture(a, randomBytes(1000));
            },
          },
          {
            rule: { method: 'PUT', path: /^\/blobs\/[0-9a-f]{64}$/, at: 'request-mid-body' },
            before: () => {
              recordCapture(a, small);
            },
          },
          {
            rule: { method: 'PUT', path: /^\/blobs\/[0-9a-f]{64}\/upload\?/, at: 'request-mid-body' },
            before: () => {
              recordCapture(a, large);
            },
          },
          { rule: { method: 'POST', path: /^\/sync\/push$/, at: 'request-mid-body' }, before: () => appendFiller(a, 150) },
          { rule: { method: 'POST', path: /^\/sync\/push$/, at: 'before-response' }, before: () => appendFiller(a, 20) },
        ];
        for (const step of steps) {
          step.before();
          cut = proxy.cut(step.rule);
          const broken = await a.sync.syncNow();
          await made(cut, step.rule);
          expect(broken.lastError?.code, `${step.rule.method} ${step.rule.path} cut at ${step.rule.at}`).toBe('server-unreachable');
          expect(broken.lastError?.hint).toMatch(/Keep working/);
          proxy.resetCounters();
          const after = await a.sync.syncNow();
          expect(after.lastError, `${step.rule.method} ${step.rule.path} cut at ${step.rule.at}`).toBeNull();
          expect(after.waiting).toBe(0);
          if (step.rule.path.source.includes('upload')) {
            // The large blob resumed where the server's partial copy ended: far less than all of it went again.
            expect(proxy.bytesUp).toBeLessThan(large.length * 0.6);
            expect(proxy.bytesUp).toBeGreaterThan(large.length * 0.3);
          }
          await serverHoldsAllOf(a);
        }
        // The push cut mid-body stored nothing of that batch; the lost acknowledgement was recovered from /sync/state.
        expect((await server.server.store.refusals(a.deviceKey.deviceId)).map((r) => r.code)).not.toContain('journal-forked');

        // A second laptop pulls A's evidence through cuts in the answers.
        const b = laptop();
        await b.sync.enrol(proxy.url, await enrolCode(server.server), fp, b.actor());
        for (const r of [
          { method: 'GET', path: /^\/sync\/pull\?/, at: 'response-mid-body' },
          { method: 'GET', path: /^\/blobs\/[0-9a-f]{64}$/, at: 'response-mid-body' },
        ] satisfies CutRule[]) {
          cut = proxy.cut(r);
          const broken = await b.sync.syncNow();
          await made(cut, r);
          expect(broken.lastError?.code).toBe('server-unreachable');
        }
        const pulled = await b.sync.syncNow();
        expect(pulled.lastError).toBeNull();
        const fromA = [...b.journal.rowsForVerification()].filter((r) => r.device === a.deviceKey.deviceId);
        expect(fromA).toEqual(ownRows(a));
        for (const bytes of [small, large]) expect(b.blobs.get(sha256Hex(bytes)).equals(bytes)).toBe(true);
      },
    );

    it('refuses resumable uploads with a wrong offset, a size beyond the limit, more bytes than declared, or bytes that do not match, naming each', async () => {
      const app = laptop();
      await app.sync.enrol(server.server.url, await enrolCode(server.server), server.server.pki.caFingerprint, app.actor());
      const token = (JSON.parse(readFileSync(join(app.store.home, ENROLMENT_FILE), 'utf8')) as { token: string }).token;
      const client = new SyncHttpClient(server.server.url, server.server.pki.caCertPem, token);
      cleanups.push(() => client.close());
      const bytes = randomBytes(600_000);
      const hash = sha256Hex(bytes);
      const first = await client.send('PUT', `/blobs/${hash}/upload?offset=0&size=${bytes.length}`, bytes.subarray(0, 200_000));
      expect(first.json).toEqual({ sha256: hash, received: 200_000, complete: false });
      const wrong = await client.send('PUT', `/blobs/${hash}/upload?offset=100&size=${bytes.length}`, bytes.subarray(100));
      expect(wrong.status).toBe(409);
      expect(wrong.json).toMatchObject({
        error: { code: 'blob-offset-mismatch', message: expect.stringContaining('holds 200000 bytes') },
        received: 200_000,
      });
      const huge = await client.send('PUT', `/blobs/${hash}/upload?offset=200000&size=${MAX_BLOB_BYTES + 1}`, bytes.subarray(200_000));
      expect(huge.status).toBe(413);
      expect(huge.json).toMatchObject({ error: { code: 'blob-too-large' } });
      const malformed = await client.send('PUT', `/blobs/${hash}/upload?offset=-1&size=abc`, bytes.subarray(0, 10));
      expect(malformed.status).toBe(400);
      expect(malformed.json).toMatchObject({ error: { code: 'request-malformed', message: expect.stringContaining('offset=-1') } });
      const tooMany = await client.send('PUT', `/blobs/${hash}/upload?offset=200000&size=300000`, bytes.subarray(200_000));
      expect(tooMany.status).toBe(413);
      expect(tooMany.json).toMatchObject({ error: { code: 'blob-larger-than-declared' } });
      // The rest of a different blob under this hash: hashed at the end, refused, and the partial copy dropped.
      const other = randomBytes(600_000);
      const state = (await client.call('GET', `/blobs/${hash}/upload`)) as { received: number };
      const forged = await client.send(
        'PUT',
        `/blobs/${hash}/upload?offset=${state.received}&size=${bytes.length}`,
        other.subarray(state.received),
      );
      expect(forged.status).toBe(422);
      expect(forged.json).toMatchObject({ error: { code: 'blob-hash-mismatch' } });
      expect(await client.call('GET', `/blobs/${hash}/upload`)).toEqual({ sha256: hash, received: 0, complete: false });
      expect(await server.server.store.hasBlob(hash)).toBe(false);
      // The real bytes then go through, and a second upload of held content sends nothing more.
      const ok = await client.call('PUT', `/blobs/${hash}/upload?offset=0&size=${bytes.length}`, bytes);
      expect(ok).toEqual({ sha256: hash, received: bytes.length, complete: true });
      expect(await client.call('GET', `/blobs/${hash}/upload`)).toMatchObject({ complete: true });
    });

    it('asked where an upload stands while a cut attempt is still being written, the server answers once that attempt ends', async () => {
      const app = laptop();
      await app.sync.enrol(server.server.url, await enrolCode(server.server), server.server.pki.caFingerprint, app.actor());
      const token = (JSON.parse(readFileSync(join(app.store.home, ENROLMENT_FILE), 'utf8')) as { token: string }).token;
      const client = new SyncHttpClient(server.server.url, server.server.pki.caCertPem, token);
      cleanups.push(() => client.close());
      const bytes = randomBytes(600_000);
      const hash = sha256Hex(bytes);
      const partial = join(server.home, 'blob-uploads', hash);
      const held = () => (existsSync(partial) ? statSync(partial).size : 0);
      const until = async (ok: () => boolean) => {
        for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
        expect(ok()).toBe(true);
      };
      // An attempt whose body is still arriving (the laptop's connection is about to be cut).
      const url = new URL(`/blobs/${hash}/upload?offset=0&size=${bytes.length}`, server.server.url);
      const put = httpsRequest(url, {
        method: 'PUT',
        ca: server.server.pki.caCertPem,
        headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` },
      });
      put.on('error', () => undefined);
      put.write(bytes.subarray(0, 200_000));
      await until(() => held() >= 200_000);
      // The resuming laptop asks meanwhile: no answer while that attempt goes on.
      let answered = false;
      const asked = client.call('GET', `/blobs/${hash}/upload`).then((r) => {
        answered = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(false);
      put.write(bytes.subarray(200_000, 300_000));
      await until(() => held() >= 300_000);
      put.destroy(); // the cut
      // The answer counts every byte the cut attempt wrote, so the resumed upload sends only the rest.
      expect(await asked).toEqual({ sha256: hash, received: 300_000, complete: false });
    });

    it(
      'resumes a blob upload cut by killing the server mid-body: the partial copy survives, the rest is sent once',
      { timeout: 120_000 },
      async () => {
        const { home, cleanup } = tempHome('baseline-server-proc-');
        cleanups.push(cleanup);
        const t = target();
        const db = t.postgresUrl && t.freshDatabase ? await t.freshDatabase('baseline_killed_blob') : null;
        const first = await startServerProcess(home, 0, db);
        const port = Number(new URL(first.url).port);
        const pki = {
          keyPem: readFileSync(join(home, 'pki', 'server.key.pem'), 'utf8'),
          certPem: readFileSync(join(home, 'pki', 'server.pem'), 'utf8'),
          caPem: readFileSync(join(home, 'pki', 'plant-ca.pem'), 'utf8'),
        };
        const front = await startFaultProxy(first.url, pki);
        const { store, close } = await openServerStore(home, db);
        try {
          const app = laptop();
          await app.sync.enrol(front.url, (await createEnrolCode(store, 60_000)).code, anyCertificateFingerprint(pki.caPem), app.actor());
          const big = randomBytes(8 * 1024 * 1024);
          const hash = recordCapture(app, big);
          const rule: CutRule = { method: 'PUT', path: /\/upload\?/, at: 'hold-mid-body', fraction: 0.5 };
          const held = front.cut(rule);
          const syncing = app.sync.syncNow();
          await made(held, rule);
          const partial = join(home, 'blob-uploads', hash);
          await expect
            .poll(() => (existsSync(partial) ? statSync(partial).size : 0), { timeout: 10_000 })
            .toBeGreaterThan(big.length * 0.4);
          await first.kill('SIGKILL');
          const cutStatus = await syncing;
          expect(cutStatus.lastError?.code).toBe('server-unreachable');
          const kept = statSync(partial).size;
          const second = await startServerProcess(home, port, db);
          try {
            front.resetCounters();
            const done = await app.sync.syncNow();
            expect(done.lastError).toBeNull();
            expect(front.bytesUp).toBeLessThan(big.length - kept + 200_000);
            expect(await store.hasBlob(hash)).toBe(true);
            expect(existsSync(partial)).toBe(false);
            expect(readFileSync(join(home, 'blobs', hash.slice(0, 2), hash.slice(2))).equals(big)).toBe(true);
            const events = await store.deviceEvents(app.deviceKey.deviceId);
            expect(events).toEqual(ownRows(app));
          } finally {
            await second.kill('SIGTERM');
          }
        } finally {
          await front.close();
          await close();
        }
      },
    );
  });
}
