/**
 * Ten laptops syncing at once against one server (the small version of the 100-laptop load benchmark,
 * test/bench/sync-load-bench.ts): every chain arrives once and whole, and every laptop then holds every other's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolledLaptop, startTestServer } from '../../helpers/sync-fixture.ts';

describe('ten laptops at once', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const laptops: Awaited<ReturnType<typeof enrolledLaptop>>[] = [];

  beforeAll(async () => {
    server = await startTestServer({ postgresUrl: null }, { enrolPerMinute: 1000 });
    for (let i = 0; i < 10; i++) laptops.push(await enrolledLaptop(server.server));
  }, 120_000);
  afterAll(async () => {
    for (const l of laptops) l.cleanup();
    await server?.stop();
  });

  it(
    "push at the same moment: nothing lost, nothing doubled; a second round brings everyone everyone else's events",
    { timeout: 120_000 },
    async () => {
      for (const [i, { app }] of laptops.entries()) {
        for (let n = 0; n < 10 + i; n++)
          app.journal.append('journal.verified', { ok: true, eventsChecked: n, problems: 0, firstProblem: null }, app.actor());
      }
      const first = await Promise.all(laptops.map(({ app }) => app.sync.syncNow()));
      expect(first.map((s) => s.lastError)).toEqual(laptops.map(() => null));
      const own = (app: (typeof laptops)[number]['app']) =>
        [...app.journal.rowsForVerification()].filter((r) => r.device === app.deviceKey.deviceId);
      for (const { app } of laptops) expect(await server.server.store.deviceEvents(app.deviceKey.deviceId)).toEqual(own(app));
      const total = laptops.reduce((sum, { app }) => sum + own(app).length, 0);
      expect(await server.server.store.eventCount()).toBe(total);

      const second = await Promise.all(laptops.map(({ app }) => app.sync.syncNow()));
      expect(second.map((s) => s.lastError)).toEqual(laptops.map(() => null));
      for (const { app } of laptops) {
        const held = [...app.journal.rowsForVerification()];
        expect(held).toHaveLength(total);
        for (const other of laptops) expect(held.filter((r) => r.device === other.app.deviceKey.deviceId)).toEqual(own(other.app));
      }
    },
  );
});
