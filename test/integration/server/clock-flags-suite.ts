/**
 * Clock flags travel (ARCHITECTURE §8, clocks): a laptop whose clock runs 7 minutes ahead pushes; the server flags
 * its events (beyond the policy's 5-minute default), signs the flags with the plant CA's key, and both laptops
 * receive them on pull. Each shows them on the change's detail and in its sync status, and the change's evidence
 * pack carries them (checked by the pack verifier, listed in VERIFY.md and the verdict). A policy with a wider
 * limit, once it reaches the server, stops the flags. Run on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { syncStatusWords } from '../../../src-shared/common/sync/sync-status-words.ts';
import { formatVerdict, verifyPack } from '../../../src-shared/node/evidence/pack-verifier.ts';
import { RACI, normalChangeFields, setUpPlant } from '../../helpers/change-fixture.ts';
import { packMembers, rezipConsistently } from '../../helpers/pack-tamper.ts';
import { enrolBoth, startTwoLaptopRig, type ServerTarget, type TwoLaptopRig } from '../../helpers/sync-fixture.ts';

const MINUTE = 60_000;

/** Defines the clock-flag scenario for one database. */
export function defineClockFlagSuite(name: string, target: () => ServerTarget): void {
  describe(`clock flags reach every laptop, the change detail, the status and the evidence pack (${name})`, () => {
    // The laptops' clock: the real one shifted by `skew` (the clock seam every service reads), or a fixed time during set-up.
    let fixed: Date | null = null;
    let skew = 0;
    const clock = () => fixed ?? new Date(Date.now() + skew);
    let rig: TwoLaptopRig;
    let a: BaselineApp;
    let b: BaselineApp;
    const [eng, pem] = RACI;

    beforeAll(async () => {
      rig = await startTwoLaptopRig(
        target(),
        (at) => {
          fixed = at;
        },
        clock,
        new Date(),
      );
      fixed = null;
      ({ a, b } = rig);
    }, 60_000);
    afterAll(async () => {
      await rig?.close();
    });

    it(
      'flags a laptop 7 minutes ahead, on both laptops, beside the change and in its pack; a wider policy limit stops it',
      { timeout: 180_000 },
      async () => {
        await enrolBoth(rig);
        const controllerId = setUpPlant(a, rig.line1.sim.port);
        expect((await a.sync.syncNow()).lastError).toBeNull();
        expect((await b.sync.syncNow()).lastError).toBeNull();
        // The rig made the plant CA on A with its clock set a day back: the server rightly flags that one event as set back.
        expect(a.sync.clockFlags().map((f) => f.kind)).toEqual(['before-previous']);

        // Laptop A's clock runs 7 minutes ahead while a change is drafted and submitted on it.
        skew = 7 * MINUTE;
        const change = a.changes.create(eng.employeeId, normalChangeFields(controllerId, clock()), a.actor());
        a.changes.act(change.id, eng.employeeId, eng.password, { type: 'submit' }, a.actor());
        const pushed = await a.sync.syncNow();
        expect(pushed.lastError).toBeNull();
        // The flags are kept beside the journal, not recorded as new events: nothing new waits to be pushed.
        expect(pushed.waiting).toBe(0);
        skew = 0;
        expect((await b.sync.syncNow()).lastError).toBeNull();

        const name = a.deviceKey.name;
        for (const app of [a, b]) {
          const flags = app.sync.clockFlags(change.id);
          expect(flags.length).toBeGreaterThanOrEqual(2); // created and submitted
          expect(flags.every((f) => f.kind === 'clock-skew' && f.device === a.deviceKey.deviceId)).toBe(true);
          expect(flags[0]!.words).toMatch(
            new RegExp(
              `^The clock of laptop ${name} was 7 min ahead of the server's when it pushed event \\d+ \\(limit 5 min\\); event times may be wrong by that much\\.$`,
            ),
          );
          const status = app.sync.status();
          expect(status.clockFlags).toHaveLength(1);
          expect(status.clockFlags[0]).toMatchObject({ device: a.deviceKey.deviceId, deviceName: name });
          expect(status.clockFlags[0]!.events).toBeGreaterThanOrEqual(2);
          expect(syncStatusWords(status).detail).toMatch(
            new RegExp(`Clock flags: The clock of laptop ${name} was 7 min ahead of the server's when it pushed at `),
          );
        }
        // The flags are the server's, signed by the plant CA: byte for byte the same on both laptops.
        expect(b.sync.clockFlags(change.id)).toEqual(a.sync.clockFlags(change.id));

        // The evidence pack (written on B, which holds A's events) carries them; the verifier checks and lists them.
        const caPem = readFileSync(join(rig.serverHome, 'pki', 'plant-ca.pem'), 'utf8');
        const pack = await b.evidence.export(change.id, b.actor());
        const verdict = await verifyPack(pack.zip, { caPems: [caPem] });
        expect(verdict.failures).toEqual([]);
        // Every flagged event in the pack: the change's own, and the plant CA's trust event the rig dated a day back.
        expect(verdict.clockFlags.map((f) => f.eventId).sort()).toEqual(
          b.sync
            .clockFlags()
            .map((f) => f.eventId)
            .sort(),
        );
        expect(verdict.clockFlags.filter((f) => f.kind === 'clock-skew')).toHaveLength(b.sync.clockFlags(change.id).length);
        expect(formatVerdict(verdict)).toMatch(/Clock flag on journal\/.+\.json: The clock of laptop .* was 7 min ahead/);
        const members = await packMembers(pack.zip);
        const verifyMd = members.get('VERIFY.md')!.toString('utf8');
        expect(verifyMd).toContain('## Clock flags');
        expect(verifyMd).toMatch(
          /\n- `journal\/[^`]+\.json`: The clock of laptop .* was 7 min ahead of the server's .*\(statement in `clock\/attestations\/[^`]+\.json`\)/,
        );
        expect(JSON.parse(members.get('clock/flags.json')!.toString('utf8'))).toHaveLength(verdict.clockFlags.length);
        // A flag the plant CA did not sign is named by its member.
        const attestation = [...members.keys()].find((p) => p.startsWith('clock/attestations/'))!;
        const forged = JSON.parse(members.get(attestation)!.toString('utf8')) as { signature: string };
        forged.signature = Buffer.from('not the plant CA').toString('base64');
        members.set(attestation, Buffer.from(JSON.stringify(forged)));
        const bad = await verifyPack(await rezipConsistently(members), { caPems: [caPem] });
        expect(bad.failures).toContainEqual({
          member: attestation,
          record: null,
          reason: 'the clock flags are not signed by the plant CA you trust',
        });

        // The plant widens the limit to 10 minutes: once that policy reaches the server, a 7-minute clock is not flagged.
        const yaml =
          readFileSync(new URL('../../../resources/policy/default-policy.yaml', import.meta.url), 'utf8').replace(
            /^revision: (\d+)$/m,
            (_m, n: string) => `revision: ${Number(n) + 1}`,
          ) + '\nclocks:\n  skewLimit: 10m\n';
        a.policy.adopt(yaml, 'clocks-10m.yaml', pem.employeeId, pem.password, a.actor());
        expect(a.sync.status().clockSkewLimitMs).toBe(10 * MINUTE);
        expect((await a.sync.syncNow()).lastError).toBeNull();
        const before = a.sync.clockFlags().length;
        skew = 7 * MINUTE;
        a.changes.act(
          change.id,
          eng.employeeId,
          eng.password,
          { type: 'withdraw', reason: 'Clock test: withdrawn with a 7-minute clock under a 10-minute limit' },
          a.actor(),
        );
        expect((await a.sync.syncNow()).lastError).toBeNull();
        skew = 0;
        expect(a.sync.clockFlags()).toHaveLength(before);
        expect(syncStatusWords(a.sync.status()).detail).not.toMatch(/This laptop's clock is/);
      },
    );
  });
}
