import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { openStore } from '../../../src-main/store/database.ts';
import { UNREADABLE_LOCK_GRACE_MS } from '../../../src-main/store/store-lock.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { runBaseline } from '../../helpers/cli.ts';

function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function expectRefusal(fn: () => unknown, code: string): BaselineError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BaselineError);
    const e = err as BaselineError;
    expect(e.code).toBe(code);
    expect(e.hint.length).toBeGreaterThan(10);
    return e;
  }
  throw new Error(`expected refusal ${code}`);
}

describe('the store refuses files it must not open, and leaves them untouched', () => {
  let t: ReturnType<typeof tempHome>;
  let db: string;
  beforeEach(() => {
    t = tempHome();
    db = join(t.home, 'baseline.db');
  });
  afterEach(() => t.cleanup());
  const open = () => BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });

  it('a file that is not SQLite at all (corrupt or foreign)', () => {
    writeFileSync(db, randomBytes(8192));
    const before = fileHash(db);
    const e = expectRefusal(open, 'store-not-database');
    expect(e.message).toContain('not an SQLite database');
    expect(fileHash(db)).toBe(before);
    expect(existsSync(join(t.home, 'device-key.json'))).toBe(false);
    expect(existsSync(join(t.home, 'baseline.lock'))).toBe(false);
  });

  it('an SQLite database of another program', () => {
    const other = new Database(db);
    other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);');
    other.close();
    const before = fileHash(db);
    const e = expectRefusal(open, 'store-foreign');
    expect(e.message).toContain('not a Baseline store');
    expect(fileHash(db)).toBe(before);
  });

  it('a store written by a newer Baseline', () => {
    open().close();
    const raw = new Database(db);
    raw.pragma('user_version = 99');
    raw.close();
    const before = fileHash(db);
    const e = expectRefusal(open, 'store-newer');
    expect(e.message).toMatch(/schema 99/);
    expect(fileHash(db)).toBe(before);
    expect(runBaseline(['journal', 'verify', '--home', t.home]).stderr).toMatch(/newer Baseline/);
  });

  it('a store whose pages are damaged', () => {
    const app = open();
    for (let i = 0; i < 300; i++)
      app.journal.append('journal.verified', { ok: true, eventsChecked: i, problems: 0, firstProblem: null }, app.actor());
    app.close();
    const bytes = readFileSync(db);
    const pageSize = bytes.readUInt16BE(16);
    // Overwrite the middle of page 3 onwards (b-tree pages of the journal) with garbage.
    randomBytes(pageSize * 2).copy(bytes, pageSize * 2 + 100);
    writeFileSync(db, bytes);
    const before = fileHash(db);
    const e = expectRefusal(open, 'store-corrupt');
    expect(e.hint).toMatch(/backup/);
    expect(fileHash(db)).toBe(before);
  });

  it('a second instance on the same data directory, from another process', async () => {
    const app = open();
    try {
      const child = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `
        import { BaselineApp } from ${JSON.stringify(new URL('../../../src-main/services/baseline-app.ts', import.meta.url).href)};
        import { filePermissionsProtection } from ${JSON.stringify(new URL('../../../src-main/store/device-key-store.ts', import.meta.url).href)};
        try { BaselineApp.open({ home: ${JSON.stringify(t.home)}, transport: 'web', keyProtection: filePermissionsProtection }); console.log('OPENED'); }
        catch (e) { console.log(e.code + ': ' + e.message); }
      `,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await new Promise((r) => child.on('close', r));
      expect(out).toMatch(/^store-locked: The data directory .* is already in use by Baseline \(in-process app, process \d+/);
      expect(app.journalService.verifyQuietly().ok).toBe(true);
    } finally {
      app.close();
    }
    expect(existsSync(join(t.home, 'baseline.lock'))).toBe(false);
  });

  it('a lock left by a process that died is taken over', () => {
    open().close();
    const host = JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: 'x', purpose: 'crashed app' });
    writeFileSync(join(t.home, 'baseline.lock'), host);
    const app = open();
    expect(app.journal.count()).toBe(3);
    app.close();
  });

  it('an empty lock file (a process between creating its lock and writing its pid) is respected until the grace period passes', () => {
    open().close();
    const lock = join(t.home, 'baseline.lock');
    writeFileSync(lock, '');
    let refused: unknown;
    try {
      open().close();
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(BaselineError);
    expect((refused as BaselineError).code).toBe('store-locked');
    expect((refused as BaselineError).message).toMatch(/is being opened by another Baseline process/);
    expect(readFileSync(lock, 'utf8')).toBe('');
    // Older than the grace period: left by a crash at that moment, and taken over.
    const old = new Date(Date.now() - UNREADABLE_LOCK_GRACE_MS - 5_000);
    utimesSync(lock, old, old);
    const app = open();
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: process.pid });
    app.close();
  });

  it('read-only commands need no lock and refuse a missing store clearly', () => {
    const r = runBaseline(['journal', 'verify', '--home', join(t.home, 'nowhere')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('There is no Baseline store in');
    expect(r.stderr).toContain('what to do:');
    expect(() => openStore({ home: join(t.home, 'nowhere'), readOnly: true })).toThrow(BaselineError);
  });
});
