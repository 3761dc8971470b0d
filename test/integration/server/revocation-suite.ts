/**
 * Revocation travels by sync: `baseline server revoke-person|revoke-device` on the server (signed with the plant
 * CA's key) reaches every laptop at its next pull; afterwards what that person or device signs is refused on the
 * server and the laptops, with the reason named on both sides. Run on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { runServerCli, type RunningServer } from '../../../src-server/server-cli.ts';
import { RACI, normalChangeFields, setUpPlant } from '../../helpers/change-fixture.ts';
import { enrolCode, startTwoLaptopRig, type ServerTarget, type TwoLaptopRig } from '../../helpers/sync-fixture.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      out: (t: string) => {
        out.push(t);
      },
      err: (t: string) => {
        err.push(t);
      },
    },
    out,
    err,
  };
}

/** Defines the revocation scenario for one database. */
export function defineRevocationSuite(name: string, target: () => ServerTarget): void {
  describe(`revocation by sync (${name})`, () => {
    // The laptops' clock runs with the real one (the server stamps revocations with the real time).
    let now = new Date();
    const clock = () => now;
    let rig: TwoLaptopRig;
    let server: RunningServer;
    let a: BaselineApp;
    let b: BaselineApp;
    let line1: TwoLaptopRig['line1'];
    const [eng, , sec] = RACI;
    const db = () => (target().postgresUrl ? ['--db', target().postgresUrl!] : []);

    beforeAll(async () => {
      rig = await startTwoLaptopRig(
        target(),
        (at) => {
          now = at;
        },
        clock,
        new Date(),
      );
      ({ a, b, server, line1 } = rig);
    }, 60_000);
    afterAll(async () => {
      await rig?.close();
    });

    it(
      'revokes a person and a device on the server; every laptop learns it by pull; later signatures are refused with the reason',
      { timeout: 180_000 },
      async () => {
        await a.sync.enrol(server.url, await enrolCode(server), server.pki.caFingerprint, a.actor());
        await b.sync.enrol(server.url, await enrolCode(server), server.pki.caFingerprint, b.actor());
        const controllerId = setUpPlant(a, line1.sim.port);
        expect((await a.sync.syncNow()).lastError).toBeNull();
        expect((await b.sync.syncNow()).lastError).toBeNull();
        for (const p of [eng, sec])
          b.identity.importP12(a.identity.exportP12(a.identity.personByEmployeeId(p.employeeId).fingerprint), p.password, b.actor());

        // Wrong usage is named; then Sam is revoked centrally.
        const bad = capture();
        expect(await runServerCli(['revoke-person', 'S300', '--home', rig.serverHome, ...db()], bad.io)).toBe(2);
        expect(bad.err.join('')).toMatch(/needs the employee id .* and --reason/);
        const unknown = capture();
        expect(
          await runServerCli(['revoke-person', 'NOBODY', '--reason', 'left the plant', '--home', rig.serverHome, ...db()], unknown.io),
        ).toBe(1);
        expect(unknown.err.join('')).toMatch(/No certificate of employee "NOBODY"/);
        const out = capture();
        expect(
          await runServerCli(['revoke-person', 'S300', '--reason', 'Badge and keystore lost', '--home', rig.serverHome, ...db()], out.io),
        ).toBe(0);
        expect(out.out.join('')).toMatch(/Revoked person Sam Security \([0-9a-f]{64}\) at .*: Badge and keystore lost/);

        // B has not synced since: offline, Sam approves a change there after the revocation.
        now = new Date(Date.now() + 60_000);
        const change = b.changes.create(eng.employeeId, normalChangeFields(controllerId, now), b.actor());
        b.changes.act(change.id, eng.employeeId, eng.password, { type: 'submit' }, b.actor());
        b.changes.act(change.id, sec.employeeId, sec.password, { type: 'approve', role: 'ot-security', diffReviewed: true }, b.actor());
        const refused = await b.sync.syncNow();
        expect(refused.state).toBe('refused');
        expect(refused.lastError).toMatchObject({ code: 'event-signer-revoked' });
        expect(refused.lastError!.message).toMatch(
          /signature by Sam Security made at .* after Sam Security was revoked centrally at .* \(Badge and keystore lost\)/,
        );
        expect((await server.store.refusals(b.deviceKey.deviceId)).map((r) => r.code)).toContain('event-signer-revoked');
        // The refused push still pulled the revocation: B now refuses Sam's signature itself, naming the revocation.
        expect([...b.journal.rowsForVerification()].filter((r) => r.type === 'revocation.synced')).toHaveLength(1);
        expect(() => b.identity.sign(sec.employeeId, sec.password, 'approved', '0'.repeat(64))).toThrow(/no valid certificate/);
        // The events before the refused one are on the server; nothing after it.
        const onServer = await server.store.deviceEvents(b.deviceKey.deviceId);
        expect(onServer.some((e) => e.type === 'change.updated' && e.payload.includes('"operation":"submit"'))).toBe(true);
        expect(onServer.some((e) => e.type === 'change.updated' && e.payload.includes('"operation":"approve"'))).toBe(false);

        // A learns it at its next sync, checked against the plant CA, and Sam can no longer sign there either.
        const fingerprint = a.identity.personByEmployeeId(sec.employeeId).fingerprint;
        expect((await a.sync.syncNow()).lastError).toBeNull();
        expect(a.identity.trust().revokedFingerprints.has(fingerprint)).toBe(true);
        expect(() => a.identity.sign(sec.employeeId, sec.password, 'approved', '0'.repeat(64))).toThrow(/no valid certificate/);
        expect(a.journal.verifyAll().ok).toBe(true);

        // The device: B is revoked; its next sync is refused with the reason, and A records B's revocation.
        const dev = capture();
        expect(
          await runServerCli(
            ['revoke-device', b.deviceKey.deviceId, '--reason', 'Laptop stolen from the van', '--home', rig.serverHome, ...db()],
            dev.io,
          ),
        ).toBe(0);
        const gone = await b.sync.syncNow();
        expect(gone.lastError).toMatchObject({ code: 'device-revoked' });
        expect(gone.lastError!.message).toMatch(/was revoked centrally at .* \(Laptop stolen from the van\)/);
        expect((await server.store.refusals(b.deviceKey.deviceId)).map((r) => r.code)).toContain('device-revoked');
        expect((await a.sync.syncNow()).lastError).toBeNull();
        const revs = [...a.journal.rowsForVerification()]
          .filter((r) => r.type === 'revocation.synced')
          .map((r) => JSON.parse(r.payload) as { kind: string; subject: string });
        expect(revs.map((r) => r.kind).sort()).toEqual(['device', 'person']);
        expect(revs.find((r) => r.kind === 'device')!.subject).toBe(b.deviceKey.deviceId);
      },
    );
  });
}
