import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../../src-shared/common/api/contract.ts';
import { syncStatusWords } from '../../../src-shared/common/sync/sync-status-words.ts';

const base: SyncStatus = {
  state: 'idle',
  server: 'https://baseline.plant.local:8443',
  waiting: 0,
  acknowledgedSeq: 40,
  lastAttemptAt: null,
  lastSuccessAt: null,
  lastError: null,
  progress: null,
  conflicts: [],
  clockOffsetMs: 0,
  clockSkewLimitMs: 5 * 60_000,
  clockFlags: [],
};

describe("the words of the header's sync status", () => {
  it("says what waits, what is moving and what went wrong, in a person's words", () => {
    expect(syncStatusWords({ ...base, state: 'not-enrolled' }).label).toBe('Offline (no sync server)');
    expect(syncStatusWords({ ...base, waiting: 3 }).label).toBe('Online · 3 events waiting');
    expect(syncStatusWords({ ...base, state: 'syncing', progress: { sent: 500, total: 1600, bytesSent: 0 } }).label).toBe(
      'Syncing 500 of 1,600 events',
    );
    expect(syncStatusWords({ ...base, state: 'syncing', progress: { sent: 500, total: 1600, bytesSent: 13_002_342 } }).label).toBe(
      'Syncing 500 of 1,600 events · 12.4 MB sent',
    );
    expect(syncStatusWords({ ...base, state: 'syncing', progress: { sent: 0, total: 2, bytesSent: 300_000 } }).label).toBe(
      'Syncing 0 of 2 events · 293 kB sent',
    );
    const offline = syncStatusWords({
      ...base,
      state: 'offline',
      waiting: 1,
      lastError: {
        code: 'server-unreachable',
        message: 'The sync server at https://x is not answering (connection refused).',
        hint: 'Keep working.',
      },
    });
    expect(offline.label).toBe('Offline · 1 event waiting');
    expect(offline.detail).toMatch(
      /^The sync server at https:\/\/x is not answering \(connection refused\)\. Keep working\. Not synced yet\./,
    );
    const refused = syncStatusWords({
      ...base,
      state: 'refused',
      waiting: 2,
      lastError: { code: 'journal-forked', message: 'The server refused: restored from a backup.', hint: 'Ask the administrator.' },
    });
    expect(refused).toMatchObject({ label: 'Sync refused · 2 events waiting' });
    expect(refused.detail).toMatch(/What to do: Ask the administrator\./);
  });

  it("warns when the laptop's clock is off by more than five minutes, and only then", () => {
    expect(syncStatusWords({ ...base, clockOffsetMs: 4 * 60_000 }).detail).not.toMatch(/clock/);
    expect(syncStatusWords({ ...base, clockOffsetMs: -12 * 60_000 }).detail).toMatch(
      /This laptop's clock is 12 minutes behind the server's/,
    );
    expect(syncStatusWords({ ...base, clockOffsetMs: 3 * 86_400_000 }).detail).toMatch(/72 hours ahead of the server's/);
  });

  it('takes the limit from the policy, and names the laptops whose events the server flagged', () => {
    expect(syncStatusWords({ ...base, clockOffsetMs: 8 * 60_000, clockSkewLimitMs: 10 * 60_000 }).detail).not.toMatch(/clock/);
    expect(syncStatusWords({ ...base, clockOffsetMs: 8 * 60_000, clockSkewLimitMs: 2 * 60_000 }).detail).toMatch(
      /8 minutes ahead of the server's \(the policy allows 2 min\)/,
    );
    const words =
      "The clock of laptop Laptop A was 7 min ahead of the server's when it pushed at 2026-12-04T10:00:00.000Z (3 events flagged); event times may be wrong by that much.";
    const flagged = syncStatusWords({
      ...base,
      clockFlags: [
        { device: 'dev-a', deviceName: 'Laptop A', events: 3, lastReceivedAt: '2026-12-04T10:00:00.000Z', lastOffsetMs: 7 * 60_000, words },
      ],
    });
    expect(flagged.detail).toContain(`Clock flags: ${words}`);
  });
});
