import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBaselineAsync } from '../../helpers/cli.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { HostedApp } from '../../../src-main/host/hosted-app.ts';
import { createDemoPlant } from '../../../src-main/services/demo-plant.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { openStore } from '../../../src-main/store/database.ts';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';

/** The demo's changes as their states in the database. */
const changeStates = (store: ReturnType<typeof openStore>): ChangeState[] =>
  (store.db.prepare('SELECT state FROM changes').all() as { state: string }[]).map((r) => JSON.parse(r.state) as ChangeState);
/** A change's outcome in a few words: "normal closed completed", "normal rejected". */
const outcome = (c: ChangeState): string =>
  c.status === 'closed' ? `${c.fields.class} closed ${c.closure.outcome}` : `${c.fields.class} ${c.status}`;

describe('baseline demo create: a complete demo data directory made through the real services', () => {
  const t = tempHome('baseline-demo-test-');
  const home = join(t.home, 'demo');
  let created: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    created = await runBaselineAsync(['demo', 'create', '--home', home]);
  }, 120_000);
  afterAll(() => t.cleanup());

  it('writes the directory and says what it made; the journal verifies', async () => {
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(
      /Demo plant written to .* in \d+\.\d s: \d+ signed events, 3 controllers \(PLC-L01-FILLER, PLC-L05-CAPPER, PLC-L18-CASEPACKER\), 4 changes\./,
    );
    const verify = await runBaselineAsync(['journal', 'verify', '--home', home]);
    expect(verify.stdout).toMatch(/^Journal intact: \d+ events from 1 device/);
    expect(verify.code).toBe(0);
  });

  it('is marked DEMO in its first event (demo: true, the device named DEMO) and in the plant CA people sign under', () => {
    const store = openStore({ home, readOnly: true });
    try {
      const first = store.db.prepare('SELECT type, payload FROM events WHERE seq = 1').get() as { type: string; payload: string };
      expect(first.type).toBe('device.created');
      expect(JSON.parse(first.payload)).toMatchObject({ demo: true, name: expect.stringMatching(/^DEMO .*\(demo data, not evidence\)$/) });
      const ca = store.db.prepare(`SELECT payload FROM events WHERE type = 'ca.trusted'`).get() as { payload: string };
      expect(JSON.parse(ca.payload).name).toBe('Baseline DEMO plant CA (demo data, not evidence)');
      // The history: one change of each outcome, with business dates months back inside the change state.
      const changes = changeStates(store);
      expect(changes.map(outcome).sort()).toEqual([
        'emergency closed completed',
        'normal closed completed',
        'normal closed rolled-back',
        'normal rejected',
      ]);
      expect(Math.min(...changes.map((c) => Date.parse(c.createdAt)))).toBeLessThan(Date.now() - 80 * 86_400_000);
      expect((store.db.prepare('SELECT count(*) AS n FROM unauthorized_changes WHERE closed_at IS NULL').get() as { n: number }).n).toBe(1);
      expect((store.db.prepare('SELECT count(*) AS n FROM baselines').get() as { n: number }).n).toBe(5);
    } finally {
      store.close();
    }
  });

  it('served, its simulated controllers start on new ports, the controllers are re-pointed and capture; they stop on close', async () => {
    const hosted = await HostedApp.open({ home, transport: 'in-process', keyProtection: filePermissionsProtection });
    let ports: number[];
    try {
      expect(hosted.app.info().demo).toBe(true);
      const controllers = hosted.app.controllers.list();
      expect(controllers.map((c) => c.name).sort()).toEqual(['PLC-L01-FILLER', 'PLC-L05-CAPPER', 'PLC-L18-CASEPACKER']);
      ports = controllers.map((c) => ('port' in c.target ? (c.target.port ?? 0) : 0));
      expect(ports).toEqual(controllers.map((c) => hosted.simulators()!.port(c.name)));
      for (const c of controllers) {
        const capture = await hosted.app.captures.capture(
          {
            controllerId: c.id,
            target: c.target,
            profile: hosted.app.profiles.load(c.profile!.sha256),
            profileName: c.profile!.name,
            options: { timeoutMs: 2000, retries: 1 },
          },
          hosted.app.actor(),
        );
        expect({ name: c.name, complete: capture.complete, bad: capture.stats.bad }).toEqual({ name: c.name, complete: true, bad: 0 });
      }
      // The filler and the case packer match their baselines; the capper still has the unauthorized change.
      const drift = async (name: string) =>
        (await hosted.app.baselines.checkDrift(controllers.find((c) => c.name === name)!.id, hosted.app.actor())).drifted;
      expect([await drift('PLC-L01-FILLER'), await drift('PLC-L05-CAPPER'), await drift('PLC-L18-CASEPACKER')]).toEqual([
        false,
        true,
        false,
      ]);
    } finally {
      await hosted.close();
    }
    // Stopped with the host: nothing listens on those ports any more.
    const { connect } = await import('node:net');
    for (const port of ports) {
      await expect(
        new Promise((resolve, reject) => {
          const s = connect(port, '127.0.0.1', () => {
            s.destroy();
            resolve('open');
          });
          s.on('error', reject);
        }),
      ).rejects.toThrow(/ECONNREFUSED/);
    }
  }, 60_000);

  it('refuses a folder that is not empty, and writes nothing there', async () => {
    const full = join(t.home, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'notes.txt'), 'mine');
    const r = await runBaselineAsync(['demo', 'create', '--home', full]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not empty, so the demo plant cannot be written there\.\n {2}what to do: Give a new or empty folder/);
    expect(readFileSync(join(full, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

// The history is made back from "now", so each change's slot depends on the time of day it is made: at 21:34 plant time
// on a Friday, the filler's slot fell in the last 90 minutes of a Sunday window and was refused. Made at that instant,
// every change must still reach its outcome.
describe('the demo plant made at an awkward time of day (a window about to close when a slot is booked)', () => {
  const t = tempHome('baseline-demo-late-');
  afterAll(() => t.cleanup());

  it('books every slot whole inside a window and writes the four changes', async () => {
    const home = join(t.home, 'demo');
    const report = await createDemoPlant({ home, keyProtection: filePermissionsProtection, now: new Date('2026-12-05T03:34:00Z') });
    expect(report.changes).toBe(4);
    const store = openStore({ home, readOnly: true });
    try {
      expect(changeStates(store).map(outcome).sort()).toEqual([
        'emergency closed completed',
        'normal closed completed',
        'normal closed rolled-back',
        'normal rejected',
      ]);
    } finally {
      store.close();
    }
  }, 120_000);
});
