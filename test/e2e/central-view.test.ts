/**
 * The central view in Chromium: a change made on a laptop and synced to the server is visible, read-only, over
 * HTTPS to a person presenting their certificate from the plant CA: the register, the change's record and the
 * Audit trail with the laptop's events. Without a certificate nothing is served; every write is refused by name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import type { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { startCentralView, type CentralView } from '../../src-main/host/central-view-host.ts';
import { openP12 } from '../../src-shared/node/pki.ts';
import { launchChromium } from '../helpers/browser.ts';
import { RACI, normalChangeFields, setUpPlant } from '../helpers/change-fixture.ts';
import { enrolCode, openLaptop, plantCaForServer, startTestServer } from '../helpers/sync-fixture.ts';
import { tempHome } from '../helpers/temp-home.ts';

const SHOTS = 'test-results';
const RENDERER = fileURLToPath(new URL('../../dist-renderer', import.meta.url));

describe('the central view in Chromium: a change synced from a laptop, read-only, for a person with a plant-CA certificate', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let laptop: BaselineApp;
  let view: CentralView;
  let browser: Browser;
  const homes: (() => void)[] = [];
  const log: string[] = [];
  const errors: string[] = [];
  let erin: { certPem: string; keyPem: string };
  let changeId = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const l = tempHome('baseline-laptop-');
    homes.push(l.cleanup);
    laptop = openLaptop(l.home);
    // The plant CA that issues people's certificates is the server's: laptops and the view trust only the CA it holds.
    server = await startTestServer({ postgresUrl: null }, { prepare: (serverHome) => plantCaForServer(laptop, l.home, serverHome) });
    await laptop.sync.enrol(server.server.url, await enrolCode(server.server), server.server.pki.caFingerprint, laptop.actor());
    const controllerId = setUpPlant(laptop);
    changeId = laptop.changes.create('E100', normalChangeFields(controllerId, new Date()), laptop.actor()).id;
    expect((await laptop.sync.syncNow()).lastError).toBeNull();
    const person = laptop.identity.personByEmployeeId('E100');
    erin = openP12(laptop.identity.exportP12(person.fingerprint), RACI[0].password);

    const v = tempHome('baseline-central-view-');
    homes.push(v.cleanup);
    view = await startCentralView({
      home: v.home,
      rendererDir: RENDERER,
      log: (line) => log.push(line),
      pullIntervalMs: 600_000,
      enrol: { serverUrl: server.server.url, code: await enrolCode(server.server), caFingerprint: server.server.pki.caFingerprint },
      tls: { certPem: server.server.pki.serverCertPem, keyPem: server.server.pki.serverKeyPem },
    });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await view?.close();
    laptop?.close();
    await server?.stop();
    for (const c of homes) c();
  });

  async function personPage() {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      ignoreHTTPSErrors: true,
      clientCertificates: [{ origin: new URL(view.url).origin, cert: Buffer.from(erin.certPem), key: Buffer.from(erin.keyPem) }],
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    return page;
  }

  it("serves nothing without a person's certificate, and says why", async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(view.url, { ca: server.server.pki.caCertPem }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatch(/No certificate was presented/);
    expect(answer.body).toMatch(/What to do: .*certificate from the plant CA/);
  });

  it('refuses a person whose certificate was revoked on a laptop, once the revocation has synced', { timeout: 60_000 }, async () => {
    const sam = openP12(laptop.identity.exportP12(laptop.identity.personByEmployeeId('S300').fingerprint), RACI[2].password);
    const get = () =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(view.url, { ca: server.server.pki.caCertPem, cert: sam.certPem, key: sam.keyPem }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => {
            body += d.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    expect((await get()).status).toBe(200);
    laptop.identity.revokeWithCa('S300', 'Left the plant', 'plant-ca-secret-1', laptop.actor());
    expect((await laptop.sync.syncNow()).lastError).toBeNull();
    await view.refresh();
    const refused = await get();
    expect(refused.status).toBe(401);
    expect(refused.body).toMatch(/revoked/i);
  });

  it(
    "shows the register, the change's full record and the Audit trail across laptops; every write is refused",
    { timeout: 120_000 },
    async () => {
      const page = await personPage();
      await page.goto(view.url);
      // The renderer knows it is the central view: it says so, and offers no write (no Sync now, no New change).
      await expect.poll(() => page.getByTestId('read-only-badge').textContent(), { timeout: 20_000 }).toBe('Central view — read-only');
      expect(await page.getByRole('button', { name: 'Sync now' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Changes' }).click();
      const title = 'Raise filler speed setpoint to 14 m/min';
      await expect.poll(() => page.getByText(title).count(), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(await page.getByRole('button', { name: 'New change…' }).isVisible()).toBe(false);
      await page.screenshot({ path: join(SHOTS, 'central-view-register.png') });
      await page.getByText(title).first().click();
      await expect.poll(() => page.getByText('CHG0042311').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(await page.getByRole('button', { name: 'Export evidence pack' }).isVisible()).toBe(false);
      expect(await page.locator('form:visible').count()).toBe(0);
      await page.screenshot({ path: join(SHOTS, 'central-view-change.png') });
      await page.getByRole('button', { name: 'Controllers' }).click();
      await expect.poll(() => page.getByText('PLC-L01-FILLER').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(await page.getByRole('button', { name: 'Add controller…' }).isVisible()).toBe(false);
      expect(await page.locator('[data-write]:visible').count()).toBe(0);

      // Nothing to set up here: no "Get started" screen.
      expect(await page.getByRole('navigation', { name: 'Screens' }).innerText()).not.toContain('Get started');
      await page.getByRole('button', { name: 'Audit trail' }).click();
      expect(await page.getByRole('main').innerText()).toContain('Every change the laptops recorded is an event');
      // The laptop's signed events, pulled through the server and verified by the central view's replica.
      const rows = page.locator('[data-testid="event-row"]');
      await expect.poll(() => rows.and(page.locator('[data-type="change.updated"]')).count(), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(await rows.and(page.locator('[data-type="person.enrolled"]')).count()).toBe(RACI.length);
      expect(await rows.and(page.locator('[data-verification="failed"]')).count()).toBe(0);
      // Only the plant's records: none of the replica's own housekeeping (its genesis, its enrolment) shows as a plant event.
      expect(await rows.and(page.locator(`[data-device="${view.app.deviceKey.deviceId}"]`)).count()).toBe(0);
      expect(await rows.and(page.locator('[data-type="device.certified"]')).count()).toBe(1); // the laptop's, not the replica's
      expect(await page.locator('[data-testid="event-row"]').count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(SHOTS, 'central-view-audit.png') });
      expect(log.some((l) => /Erin Engineer \(E100\) opened the central view/.test(l))).toBe(true);

      // A write, sent by the browser over the central view's own connection: refused by name.
      const refused = await page.evaluate(
        async (origin) =>
          new Promise<unknown>((resolve) => {
            const ws = new WebSocket(`${origin.replace('https:', 'wss:')}/api`);
            ws.onmessage = (m) => {
              resolve(JSON.parse(String(m.data)));
              ws.close();
            };
            ws.onopen = () => ws.send(JSON.stringify({ kind: 'call', id: 1, op: 'changes.act', request: {} }));
          }),
        new URL(view.url).origin,
      );
      expect(refused).toMatchObject({
        kind: 'reply',
        id: 1,
        envelope: {
          ok: false,
          error: {
            code: 'central-view-read-only',
            message: expect.stringContaining('"changes.act"'),
            hint: expect.stringContaining('on a laptop'),
          },
        },
      });

      // A change made on the laptop afterwards appears once it has synced and the central view has pulled.
      const later = laptop.changes.create(
        'E100',
        {
          ...normalChangeFields(laptop.changes.get(changeId).fields.targetControllers[0]!, new Date()),
          title: 'Add a low-level alarm to the filler bowl',
        },
        laptop.actor(),
      );
      expect(later.id).not.toBe(changeId);
      expect((await laptop.sync.syncNow()).lastError).toBeNull();
      await view.refresh();
      await page.reload();
      await page.getByRole('button', { name: 'Changes' }).click();
      await expect.poll(() => page.getByText('Add a low-level alarm to the filler bowl').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    },
  );
});
