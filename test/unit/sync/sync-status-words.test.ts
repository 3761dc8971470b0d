import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../../src-shared/common/api/contract.ts';
import { syncStatusWords } from '../../../src-shared/common/sync/sync-status-words.ts';

const base: SyncStatus = {
  state: 'idle', server: 'https://baseline.plant.local:8443', waiting: 0, acknowledgedSeq: 40, lastAttemptAt: null, lastSuccessAt: null,
  lastError: null, progress: null, conflicts: [], clockOffsetMs: 0,
};

describe('the words of the header\'s sync status', () => {
  it('says what waits, what is moving and what went wrong, in a person\'s words', () => {
    expect(syncStatusWords({ ...base, state: 'not-enrolled' }).label).toBe('Offline (no sync server)');
    expect(syncStatusWords({ ...base, waiting: 3 }).label).toBe('Online · 3 events waiting');
    expect(syncStatusWords({ ...base, state: 'syncing', progress: { sent: 500, total: 1600 } }).label).toBe('Syncing 500 of 1,600 events');
    const offline = syncStatusWords({ ...base, state: 'offline', waiting: 1, lastError: { code: 'server-unreachable', message: 'The sync server at https://x is not answering (connection refused).', hint: 'Keep working.' } });
    expect(offline.label).toBe('Offline · 1 event waiting');
    expect(offline.detail).toMatch(/^The sync server at https:\/\/x is not answering \(connection refused\)\. Keep working\. Not synced yet\./);
    const refused = syncStatusWords({ ...base, state: 'refused', waiting: 2, lastError: { code: 'journal-forked', message: 'The server refused: restored from a backup.', hint: 'Ask the administrator.' } });
    expect(refused).toMatchObject({ label: 'Sync refused · 2 events waiting' });
    expect(refused.detail).toMatch(/What to do: Ask the administrator\./);
  });

  it('warns when the laptop\'s clock is off by more than five minutes, and only then', () => {
    expect(syncStatusWords({ ...base, clockOffsetMs: 4 * 60_000 }).detail).not.toMatch(/clock/);
    expect(syncStatusWords({ ...base, clockOffsetMs: -12 * 60_000 }).detail).toMatch(/This laptop's clock is 12 minutes behind the server's/);
    expect(syncStatusWords({ ...base, clockOffsetMs: 3 * 86_400_000 }).detail).toMatch(/72 hours ahead of the server's/);
  });
});
