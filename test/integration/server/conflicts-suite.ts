/**
 * Sync conflicts beyond "withdrawn while executed" (ARCHITECTURE §8), on one server and two laptops that work
 * offline at the same time: two decisions for the same go/no-go checkpoint, the same baseline version approved on
 * both, and a person locked out on one while signing on the other. Each is flagged on the server and on both laptops
 * with the same id, nothing is dropped, and a person resolves it with a signed `conflict.resolved` event that
 * reaches every side. Also: a laptop's own `ca.trusted` event never widens another laptop's trust.
 * Run on SQLite (conflicts-sqlite.test.ts) and PostgreSQL (conflicts-postgres.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import type { RunningServer } from '../../../src-server/server-cli.ts';
import { serverConflicts } from '../../../src-server/sync-operations.ts';
import { createCa, issuePerson, toP12 } from '../../../src-shared/node/pki.ts';
import { certificateFingerprint } from '../../../src-shared/node/pki.ts';
import { RACI, captureAndSign, normalChangeFields, setUpPlant } from '../../helpers/change-fixture.ts';
import { enrolCode, startTwoLaptopRig, type ServerTarget, type TwoLaptopRig } from '../../helpers/sync-fixture.ts';

/** Defines the conflict scenarios for one database. */
export function defineConflictSuite(name: string, target: () => ServerTarget): void {
  describe(`sync conflicts on two laptops and one server (${name}): flagged everywhere, resolved by a signature`, () => {
    let now = new Date('2026-12-07T15:00:00Z');
    const clock = () => now;
    let rig: TwoLaptopRig;
    let server: RunningServer;
    let a: BaselineApp;
    let b: BaselineApp;
    let line1: TwoLaptopRig['line1'];
    const [eng, pem, sec] = RACI;
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

    it(
      'flags two checkpoint decisions, two baseline approvals and a lockout against a signature on every side, and a signed resolution reaches all',
      { timeout: 240_000 },
      async () => {
        await a.sync.enrol(server.url, await enrolCode(server), server.pki.caFingerprint, a.actor());
        await b.sync.enrol(server.url, await enrolCode(server), server.pki.caFingerprint, b.actor());
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
        now = new Date('2026-12-11T05:05:00Z');
        a.changes.act(
          change.id,
          eng.employeeId,
          eng.password,
          { type: 'start-execution', stagingRecord: 'STG-21', witnessEmployeeId: sec.employeeId, witnessPassword: sec.password },
          a.actor(),
        );
        a.changes.act(
          change.id,
          eng.employeeId,
          eng.password,
          { type: 'record-snapshot', phase: 'before', controllerId, snapshotSha256: await captureAndSign(a, controllerId, eng) },
          a.actor(),
        );
        a.baselines.approve(controllerId, await captureAndSign(a, controllerId, eng), pem.employeeId, pem.password, a.actor());
        expect((await a.sync.syncNow()).lastError).toBeNull();
        expect((await b.sync.syncNow()).lastError).toBeNull();
        expect(b.changes.get(change.id).status).toBe('in-execution');
        for (const p of [eng, pem, sec, sky]) {
          const person = a.identity.personByEmployeeId(p.employeeId);
          b.identity.importP12(a.identity.exportP12(person.fingerprint), p.password, b.actor());
        }

        // Both laptops now work without syncing. The same checkpoint is decided on each: GO on A, NO-GO on B.
        now = new Date('2026-12-11T05:10:00Z');
        const items = a.policy.checkpoints().checkpoints.find((x) => x.id === 'pre-execution')!.items;
        a.changes.act(
          change.id,
          sky.employeeId,
          sky.password,
          { type: 'checkpoint', role: 'shift-supervisor', checkpoint: 'pre-execution', decision: 'go', confirmed: items },
          a.actor(),
        );
        b.changes.act(
          change.id,
          sky.employeeId,
          sky.password,
          {
            type: 'checkpoint',
            role: 'shift-supervisor',
            checkpoint: 'pre-execution',
            decision: 'no-go',
            confirmed: [],
            comment: 'Guard door interlock not confirmed',
          },
          b.actor(),
        );
        // The same next baseline version of the filler is approved on both.
        const onA = a.baselines.approve(controllerId, await captureAndSign(a, controllerId, eng), pem.employeeId, pem.password, a.actor());
        const onB = b.baselines.approve(controllerId, await captureAndSign(b, controllerId, eng), pem.employeeId, pem.password, b.actor());
        expect(onA.version).toBe(2);
        expect(onB.version).toBe(2);
        // Sam types wrong passwords on A until signing is locked there; minutes later Sam signs an approval on B.
        for (let i = 0; i < 3; i++)
          expect(() => a.identity.sign(sec.employeeId, 'not-sams-password', 'approved', '0'.repeat(64))).toThrow(/password/i);
        expect(() => a.identity.sign(sec.employeeId, sec.password, 'approved', '0'.repeat(64))).toThrow(
          expect.objectContaining({ code: 'identity-locked' }),
        );
        now = new Date('2026-12-11T05:12:00Z');
        const other = b.changes.create(
          eng.employeeId,
          { ...normalChangeFields(controllerId, now), title: 'Lower reject threshold' },
          b.actor(),
        );
        b.changes.act(other.id, eng.employeeId, eng.password, { type: 'submit' }, b.actor());
        b.changes.act(other.id, sec.employeeId, sec.password, { type: 'approve', role: 'ot-security', diffReviewed: true }, b.actor());

        // Everyone syncs: A, B, then A again (to see B's records).
        now = new Date('2026-12-11T06:30:00Z');
        expect((await a.sync.syncNow()).lastError).toBeNull();
        expect((await b.sync.syncNow()).lastError).toBeNull();
        expect((await a.sync.syncNow()).lastError).toBeNull();

        const kinds = ['checkpoint-decided-twice', 'baseline-approved-twice', 'locked-out-while-signing'];
        const onServer = await serverConflicts(server.store);
        const listA = a.conflicts.list();
        const listB = b.conflicts.list();
        expect(onServer.map((c) => c.kind).sort()).toEqual([...kinds].sort());
        expect(listA.map((c) => c.id).sort()).toEqual(onServer.map((c) => c.id).sort());
        expect(listB.map((c) => c.id).sort()).toEqual(onServer.map((c) => c.id).sort());
        for (const status of [a.sync.status(), b.sync.status()])
          expect(status.conflicts.map((c) => c.kind).sort()).toEqual([...kinds].sort());
        const checkpoint = listA.find((c) => c.kind === 'checkpoint-decided-twice')!;
        expect(checkpoint.changeId).toBe(change.id);
        expect(checkpoint.message).toMatch(
          /pre-execution checkpoint .* decided twice .*Sky Supervisor signed GO .*Sky Supervisor signed NO-GO/,
        );
        expect(checkpoint.records.map((r) => r.device).sort()).toEqual([a.deviceKey.deviceId, b.deviceKey.deviceId].sort());
        const baseline = listB.find((c) => c.kind === 'baseline-approved-twice')!;
        expect(baseline.message).toMatch(/Baseline version 2 of controller .* approved twice/);
        const lockout = listA.find((c) => c.kind === 'locked-out-while-signing')!;
        expect(lockout.changeId).toBe(other.id);
        expect(lockout.message).toMatch(/Sam Security was locked out of signing on one laptop .* but signed "approved" on another laptop/);
        // Nothing was dropped: both checkpoint decisions and both approvals are in both journals, and both journals verify.
        for (const app of [a, b]) {
          expect(app.changes.timeline(change.id).filter((x) => x.operation === 'checkpoint')).toHaveLength(2);
          expect(app.journal.verifyAll()).toMatchObject({ ok: true, devices: 2 });
        }

        // A controls engineer cannot resolve a conflict; the plant engineering manager can, on B, with a decision and a reason.
        expect(() =>
          b.conflicts.resolve(
            checkpoint.id,
            checkpoint.options[1]!,
            'The crew stopped at the interlock; no download was made.',
            eng,
            b.actor(),
          ),
        ).toThrow(expect.objectContaining({ code: 'role-not-held' }));
        expect(() => b.conflicts.resolve('checkpoint-decided-twice:nothing', 'x', 'no such conflict here', pem, b.actor())).toThrow(
          expect.objectContaining({ code: 'conflict-unknown' }),
        );
        const resolved = b.conflicts.resolve(
          checkpoint.id,
          checkpoint.options[1]!,
          'The crew stopped at the interlock; no download was made.',
          pem,
          b.actor(),
        );
        expect(resolved.resolution).toMatchObject({ by: 'Pat Manager', decision: checkpoint.options[1], device: b.deviceKey.deviceId });
        expect(() => b.conflicts.resolve(checkpoint.id, checkpoint.options[0]!, 'Changed my mind about this one', pem, b.actor())).toThrow(
          expect.objectContaining({ code: 'conflict-already-resolved' }),
        );
        expect((await b.sync.syncNow()).lastError).toBeNull();
        expect((await a.sync.syncNow()).lastError).toBeNull();
        for (const list of [a.conflicts.list(change.id), (await serverConflicts(server.store)).filter((c) => c.changeId === change.id)]) {
          expect(list.find((c) => c.id === checkpoint.id)!.resolution).toMatchObject({
            by: 'Pat Manager',
            reason: 'The crew stopped at the interlock; no download was made.',
          });
        }
        expect(
          a.sync
            .status()
            .conflicts.map((c) => c.kind)
            .sort(),
        ).toEqual(['baseline-approved-twice', 'locked-out-while-signing']);
        expect(a.journal.verifyAll().ok).toBe(true);
      },
    );

    it(
      "never lets another laptop's ca.trusted event widen this laptop's trust (only the CA the server holds counts)",
      { timeout: 60_000 },
      async () => {
        // B (enrolled and certified) records trust in a CA of its own making, as a first use would, and syncs it.
        const rogue = createCa('Rogue CA', 1, new Date(Date.now() - 3_600_000));
        const fingerprint = certificateFingerprint(rogue.certPem);
        b.journal.append('ca.trusted', { name: 'Rogue CA', certificatePem: rogue.certPem, fingerprint, source: 'imported' }, b.actor());
        expect((await b.sync.syncNow()).lastError).toBeNull();
        expect((await a.sync.syncNow()).lastError).toBeNull();
        // A holds B's event as evidence, but trusts only what its own journal decided: the plant CA the server holds.
        expect([...a.journal.rowsForVerification()].some((r) => r.type === 'ca.trusted' && r.device === b.deviceKey.deviceId)).toBe(true);
        expect(a.identity.cas().map((c) => c.fingerprint)).toEqual([server.pki.caFingerprint]);
        const mallory = issuePerson(
          rogue,
          { name: 'Mallory', employeeId: 'X999', roles: ['plant-engineering-manager'] },
          1,
          new Date(Date.now() - 3_600_000),
        );
        expect(() =>
          a.identity.importP12(
            toP12(mallory.keyPem, mallory.certPem, [rogue.certPem], 'mallory-password-1', 'Mallory'),
            'mallory-password-1',
            a.actor(),
          ),
        ).toThrow(expect.objectContaining({ code: 'p12-untrusted' }));
        expect(a.journal.verifyAll().ok).toBe(true);
        a.journal.rebuildProjections();
        expect(a.identity.cas().map((c) => c.fingerprint)).toEqual([server.pki.caFingerprint]);
      },
    );
  });
}
