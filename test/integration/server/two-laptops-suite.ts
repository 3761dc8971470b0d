/**
 * One server, two laptops (ARCHITECTURE §8, the "must show"): approvals made on laptop A reach laptop B;
 * B executes the change offline while A withdraws it; after both sync, the server and A hold B's evidence byte
 * for byte and verified, and the "withdrawn centrally while executed offline" conflict is flagged everywhere.
 * Run on SQLite (two-laptops-sqlite.test.ts) and PostgreSQL (two-laptops-postgres.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import type { RunningServer } from '../../../src-server/server-cli.ts';
import { serverConflicts } from '../../../src-server/sync-operations.ts';
import { verifyJournalRows } from '../../../src-shared/node/journal-verifier.ts';
import { sha256Hex } from '../../../src-shared/node/hash.ts';
import { syncStatusWords } from '../../../src-shared/common/sync/sync-status-words.ts';
import { RACI, captureAndSign, normalChangeFields, setUpPlant } from '../../helpers/change-fixture.ts';
import { enrolCode, startTwoLaptopRig, type ServerTarget, type TwoLaptopRig } from '../../helpers/sync-fixture.ts';

/** Defines the two-laptop scenario for one database. */
export function defineTwoLaptopSuite(name: string, target: () => ServerTarget): void {
  describe(`two laptops and one server (${name}): approvals travel, offline execution comes back, the conflict is flagged on both`, () => {
    // Monday 7 December 2026, 09:00 in Chicago; the slot is Thursday night's maintenance window, before the year-end freeze.
    let now = new Date('2026-12-07T15:00:00Z');
    const clock = () => now;
    let rig: TwoLaptopRig;
    let server: RunningServer;
    let a: BaselineApp;
    let b: BaselineApp;
    let line1: TwoLaptopRig['line1'];
    const [eng, , sec] = RACI;
    const sky = RACI[4];

    beforeAll(async () => {
      rig = await startTwoLaptopRig(
        target(),
        (at) => {
          now = at;
        },
        clock,
        now,
      );
      ({ a, b, server, line1 } = rig);
    }, 60_000);
    afterAll(async () => {
      await rig?.close();
    });

    it('runs the whole story', { timeout: 240_000 }, async () => {
      await a.sync.enrol(server.url, await enrolCode(server), server.pki.caFingerprint, a.actor());
      await b.sync.enrol(server.url, await enrolCode(server), server.pki.caFingerprint, b.actor());

      // Laptop A (the CAB's): plant, people, a normal change to the line-1 filler, approved by the CAB and scheduled.
      const controllerId = setUpPlant(a, line1.sim.port);
      const change = a.changes.create(eng.employeeId, normalChangeFields(controllerId, now), a.actor());
      a.changes.act(change.id, eng.employeeId, eng.password, { type: 'submit' }, a.actor());
      a.changes.act(
        change.id,
        RACI[3].employeeId,
        RACI[3].password,
        { type: 'approve', role: 'quality-compliance', diffReviewed: true },
        a.actor(),
      );
      a.changes.act(change.id, sec.employeeId, sec.password, { type: 'approve', role: 'ot-security', diffReviewed: true }, a.actor());
      a.changes.act(
        change.id,
        eng.employeeId,
        eng.password,
        { type: 'schedule', start: '2026-12-11T05:00:00.000Z', end: '2026-12-11T06:00:00.000Z' },
        a.actor(),
      );
      expect((await a.sync.syncNow()).lastError).toBeNull();

      // Laptop B (at the cabinet) pulls: the approvals made on A are there, signed, before B goes offline.
      const pulled = await b.sync.syncNow();
      expect(pulled.lastError).toBeNull();
      const onB = b.changes.get(change.id);
      expect(onB.status).toBe('scheduled');
      expect(JSON.stringify(onB)).toContain(RACI[3].name);
      expect(JSON.stringify(onB)).toContain(sec.name);
      expect(b.journal.verifyAll().ok).toBe(true);
      // The people who sign at the cabinet carry their keystores to B (their certificates came with the sync).
      for (const p of [eng, sec, sky]) {
        const person = a.identity.personByEmployeeId(p.employeeId);
        b.identity.importP12(a.identity.exportP12(person.fingerprint), p.password, b.actor());
      }

      // The server goes away: B is offline at the cabinet, and A too.
      const port = server.port;
      await server.close();

      // B executes the change offline, inside its slot: start, before-snapshot, four checkpoints, after-snapshot, close.
      now = new Date('2026-12-11T05:10:00Z');
      const act = (by: { employeeId: string; password: string }, action: Parameters<BaselineApp['changes']['act']>[3]) =>
        b.changes.act(change.id, by.employeeId, by.password, action, b.actor());
      const checklist = (id: string) => b.policy.checkpoints().checkpoints.find((x) => x.id === id)!.items;
      act(eng, { type: 'start-execution', stagingRecord: 'STG-21', witnessEmployeeId: sec.employeeId, witnessPassword: sec.password });
      act(eng, { type: 'record-snapshot', phase: 'before', controllerId, snapshotSha256: await captureAndSign(b, controllerId, eng) });
      act(sky, {
        type: 'checkpoint',
        role: 'shift-supervisor',
        checkpoint: 'pre-execution',
        decision: 'go',
        confirmed: checklist('pre-execution'),
      });
      line1.set({ Line1_SpeedSP: 14 });
      act(sky, {
        type: 'checkpoint',
        role: 'shift-supervisor',
        checkpoint: 'mid-change',
        decision: 'continue',
        confirmed: checklist('mid-change'),
      });
      act(sky, {
        type: 'checkpoint',
        role: 'shift-supervisor',
        checkpoint: 'pre-cutover',
        decision: 'cutover',
        confirmed: checklist('pre-cutover'),
      });
      act(eng, { type: 'record-snapshot', phase: 'after', controllerId, snapshotSha256: await captureAndSign(b, controllerId, eng) });
      act(sky, {
        type: 'checkpoint',
        role: 'shift-supervisor',
        checkpoint: 'post-change',
        decision: 'close',
        confirmed: checklist('post-change'),
      });
      expect(act(eng, { type: 'close', comment: 'Ran 30 min at 14 m/min' }).status).toBe('closed');
      const offline = await b.sync.syncNow();
      expect(offline.state).toBe('offline');
      expect(offline.waiting).toBeGreaterThan(10);

      // Meanwhile, centrally on A: the change is withdrawn (A cannot know B has executed it).
      now = new Date('2026-12-11T05:20:00Z');
      a.changes.act(
        change.id,
        eng.employeeId,
        eng.password,
        { type: 'withdraw', reason: 'CAB: postpone until the conveyor supplier confirms the motor rating' },
        a.actor(),
      );

      // The server comes back on the same address; B syncs its evidence, A syncs its withdrawal, then A pulls B's work.
      rig.server = server = await rig.startServer(port);
      now = new Date('2026-12-11T07:00:00Z');
      const bSynced = await b.sync.syncNow();
      expect(bSynced.lastError).toBeNull();
      expect(bSynced.waiting).toBe(0);
      expect((await a.sync.syncNow()).lastError).toBeNull();
      const bFinal = await b.sync.syncNow(); // B now also sees A's withdrawal
      const aFinal = a.sync.status();

      // B's evidence: the same rows on the server and on A as on B, byte for byte, and every chain verified.
      const bRows = [...b.journal.rowsForVerification()].filter((r) => r.device === b.deviceKey.deviceId);
      expect(await server.store.deviceEvents(b.deviceKey.deviceId)).toEqual(bRows);
      expect([...a.journal.rowsForVerification()].filter((r) => r.device === b.deviceKey.deviceId)).toEqual(bRows);
      const bPinned = { localDevice: { id: b.deviceKey.deviceId, publicKeyPem: b.deviceKey.publicKeyPem } };
      expect(verifyJournalRows(bRows, bPinned).ok).toBe(true);
      expect(verifyJournalRows(await server.store.deviceEvents(b.deviceKey.deviceId), bPinned).ok).toBe(true);
      // Each laptop counts the other's events because the plant CA it trusts certified the other's key.
      expect([...a.journal.certifiedDevices()]).toEqual([b.deviceKey.deviceId]);
      expect([...b.journal.certifiedDevices()]).toEqual([a.deviceKey.deviceId]);
      expect(a.journal.verifyAll()).toMatchObject({ ok: true, devices: 2 });
      expect(b.journal.verifyAll()).toMatchObject({ ok: true, devices: 2 });
      // The snapshots B captured: the same bytes in A's blob store and the server's, matching their hash.
      const snapshotBlobs = bRows
        .filter((r) => r.type === 'snapshot.captured')
        .map((r) => (JSON.parse(r.payload) as { fileSha256: string }).fileSha256);
      expect(snapshotBlobs).toHaveLength(2);
      for (const h of snapshotBlobs) {
        const onServer = readFileSync(join(rig.serverHome, 'blobs', h.slice(0, 2), h.slice(2)));
        expect(sha256Hex(onServer)).toBe(h);
        expect(a.blobs.get(h).equals(b.blobs.get(h))).toBe(true);
        expect(onServer.equals(b.blobs.get(h))).toBe(true);
      }

      // The conflict, flagged on B, on A and on the server; both laptops keep the executed record visible.
      for (const status of [bFinal, aFinal]) {
        expect(status.conflicts).toHaveLength(1);
        expect(status.conflicts[0]).toMatchObject({ kind: 'withdrawn-while-executed', changeId: change.id });
        expect(status.conflicts[0]!.message).toMatch(/withdrawn by Erin Engineer .* while Erin Engineer executed it \(start-execution\)/);
      }
      expect((await serverConflicts(server.store)).map((c) => c.kind)).toEqual(['withdrawn-while-executed']);
      expect(a.changes.get(change.id).status).toBe('closed');
      expect(b.changes.get(change.id).status).toBe('closed');
      expect(a.changes.timeline(change.id).map((x) => x.operation)).toContain('withdraw');
      // The clock offset of each sync is on record (the laptops' clocks are days ahead of the server's here).
      expect((await server.store.clockOffsets(b.deviceKey.deviceId)).length).toBeGreaterThanOrEqual(2);
      expect(bFinal.clockOffsetMs).toBeGreaterThan(86_400_000);
      expect(syncStatusWords(bFinal).detail).toMatch(/This laptop's clock is \d+ hours ahead of the server's/);
    });
  });
}
