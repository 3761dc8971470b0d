/**
 * File permissions of a data directory (POSIX): the database and its -wal/-shm files, the blobs and the device key
 * are for this OS user only (0600, folders 0700), also when the directory existed before or an older version
 * created the files world-readable.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('data directory file modes (POSIX)', () => {
  let t: ReturnType<typeof tempHome>;
  let previousUmask: number;
  beforeEach(() => {
    t = tempHome();
    // The usual umask, under which files are created 0644 unless the code asks for less.
    previousUmask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(previousUmask);
    t.cleanup();
  });

  function openWithBlob(home: string): { blob: string; close(): void } {
    const app = BaselineApp.open({ home, transport: 'in-process', keyProtection: filePermissionsProtection });
    const hash = app.blobs.put(Buffer.from('a capture document'));
    return { blob: join(home, 'blobs', hash.slice(0, 2), hash.slice(2)), close: () => app.close() };
  }

  it('a new data directory is 0700 and baseline.db, -wal, -shm, blobs and the device key are 0600 (blob folders 0700)', () => {
    const home = join(t.home, 'data');
    const app = openWithBlob(home);
    try {
      expect(mode(home)).toBe('700');
      for (const f of ['baseline.db', 'baseline.db-wal', 'baseline.db-shm', 'device-key.json'])
        expect([f, mode(join(home, f))]).toEqual([f, '600']);
      expect(mode(join(home, 'blobs'))).toBe('700');
      expect(mode(join(app.blob, '..'))).toBe('700');
      expect(mode(app.blob)).toBe('600');
    } finally {
      app.close();
    }
  });

  it('an existing 0755 folder and a store left 0644 by an older version are tightened when opened', () => {
    const home = join(t.home, 'old');
    mkdirSync(home, { mode: 0o755 });
    openWithBlob(home).close();
    chmodSync(home, 0o755);
    chmodSync(join(home, 'baseline.db'), 0o644);
    const app = openWithBlob(home);
    try {
      expect(mode(home)).toBe('700');
      for (const f of ['baseline.db', 'baseline.db-wal', 'baseline.db-shm']) expect([f, mode(join(home, f))]).toEqual([f, '600']);
    } finally {
      app.close();
    }
  });
});
