import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import type { CaptureDocument } from '../../src-shared/common/capture/capture-document.ts';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { openAppPage, type AppPage } from '../helpers/app-page.ts';
import { tempHome } from '../helpers/temp-home.ts';

const N = 100_000;

/** A capture document of N UINT16 tags; `bump` changes every k-th value. */
function captureOf(profileSha: string, at: string, bump: number): CaptureDocument {
  const values = Array.from({ length: N }, (_, i) => {
    const table = i < 60_000 ? 'hr' : 'ir';
    const offset = i < 60_000 ? i : i - 60_000;
    const v = (i % 1000) + (bump > 0 && i % bump === 0 ? 1 : 0);
    return {
      tag: `T${String(i).padStart(6, '0')}`,
      address: `${table}:${offset}`,
      type: 'UINT16',
      class: 'config' as const,
      safety: i % 5000 === 0,
      writable: false,
      value: v,
      raw: v.toString(16).padStart(4, '0'),
      quality: 'good' as const,
    };
  });
  return {
    schema: 'baseline.capture/1',
    controller: {
      description: 'Modbus TCP 127.0.0.1:502 unit 1',
      target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: 502, unitId: 1, wordOrder: 'high-first' },
    },
    identity: null,
    profile: { name: 'big', sha256: profileSha, protocol: 'modbus', tags: N },
    values,
    complete: true,
    failure: null,
    stats: { tags: N, good: N, bad: 0, requests: 800, identityRequests: 0, plannedRequests: 800, minimumRequests: 800, durationMs: 1 },
    negotiated: {},
    capture: { by: { kind: 'os-user', id: 'x', name: 'x' }, at, workstation: 'x', appVersion: '0' },
  };
}

describe('100,000-row diff in Chromium', () => {
  const t = tempHome();
  let ui: AppPage;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    const csv = [
      'tag,address,type',
      ...Array.from({ length: N }, (_, i) => `T${String(i).padStart(6, '0')},${i < 60_000 ? `hr:${i}` : `ir:${i - 60_000}`},UINT16`),
    ].join('\n');
    const profile = app.profiles.import('big', 'modbus', csv, app.actor());
    const c = app.controllers.register(
      'PLC-BIG',
      { protocol: 'modbus-tcp', host: '127.0.0.1', port: 502, unitId: 1, wordOrder: 'high-first' },
      profile.sha256,
      app.actor(),
    );
    for (const [at, bump] of [
      ['2026-11-20T08:00:00.000Z', 0],
      ['2026-11-21T08:00:00.000Z', 100],
    ] as const) {
      const doc = captureOf(profile.sha256, at, bump);
      const sha = app.blobs.put(Buffer.from(canonicalJson(doc as unknown)));
      app.journal.append(
        'capture.recorded',
        {
          controllerId: c.id,
          controller: doc.controller.description,
          protocol: 'modbus-tcp',
          profileSha256: profile.sha256,
          captureSha256: sha,
          complete: true,
          tags: N,
          good: N,
          bad: 0,
          requests: 800,
          minimumRequests: 800,
        },
        app.actor(),
      );
    }
    app.close();
    ui = await openAppPage(t.home, { viewport: { width: 1400, height: 900 } }, errors);
    page = ui.page;
  }, 120_000);
  afterAll(async () => {
    await ui?.close();
    t.cleanup();
  });

  it('renders the diff virtualised, filters it, and scrolls to its last row', async () => {
    await page.getByRole('button', { name: /PLC-BIG/ }).click();
    await page.getByRole('combobox', { name: 'Compare with' }).selectOption({ index: 1 });
    const scroller = page.getByTestId('diff-scroll');
    await scroller.waitFor({ timeout: 60_000 });
    const rendered = await page.getByTestId('diff-row').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(200);
    const started = Date.now();
    await scroller.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    const last = page.locator('[data-testid=diff-row][data-tag="T099999"]');
    await last.waitFor({ timeout: 10_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    await page.screenshot({ path: join('test-results', 'diff-100k-end.png') });
    // changed-only filter: 1 in 100 values was bumped
    await page.getByRole('checkbox', { name: /changed only/i }).check();
    await scroller.evaluate((el) => {
      el.scrollTop = 0;
    });
    await page.locator('[data-testid=diff-row][data-tag="T000000"]').waitFor();
    expect(await page.locator('[data-testid=diff-row][data-tag="T000001"]').count()).toBe(0);
    await page.screenshot({ path: join('test-results', 'diff-100k-changed.png') });
  }, 120_000);

  it('raised no uncaught error in the page', () => {
    expect(errors).toEqual([]);
  });
});
