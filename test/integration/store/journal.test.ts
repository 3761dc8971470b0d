import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection, passphraseProtection } from '../../../src-main/store/device-key-store.ts';
import { PROJECTION_TABLES } from '../../../src-main/store/migrations.ts';
import { openStore } from '../../../src-main/store/database.ts';
import { JournalRepository } from '../../../src-main/store/journal-repository.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { runBaseline } from '../../helpers/cli.ts';

function sqlite(dbPath: string, sql: string): string {
  return execFileSync('sqlite3', [dbPath, sql], { encoding: 'utf8' });
}

/** Replaces one character of a text column with another, keeping the row otherwise unchanged (a one-byte flip). */
function flipByte(dbPath: string, column: string, seq: number): { restore: () => void } {
  const original = sqlite(dbPath, `SELECT hex(${column}) FROM events WHERE seq = ${seq};`).trim();
  const bytes = Buffer.from(original, 'hex');
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41; // 'A' <-> 'B': still valid UTF-8 text
  const hex = bytes.toString('hex');
  // A plain client can drop the append-only triggers; verification must still catch the edit.
  sqlite(dbPath, `DROP TRIGGER IF EXISTS events_no_update; UPDATE events SET ${column} = CAST(x'${hex}' AS TEXT) WHERE seq = ${seq};`);
  return { restore: () => sqlite(dbPath, `UPDATE events SET ${column} = CAST(x'${original}' AS TEXT) WHERE seq = ${seq};`) };
}

describe('signed journal on a real SQLite file', () => {
  let t: ReturnType<typeof tempHome>;
  beforeEach(() => {
    t = tempHome();
  });
  afterEach(() => t.cleanup());

  function openApp() {
    return BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
  }

  it('creates the device key at first start, records device.created once and app.started each start', () => {
    openApp().close();
    const app = openApp();
    const types = [...app.journal.events()].map((e) => `${e.seq}:${e.type}`);
    expect(types).toEqual(['1:device.created', '2:app.started', '3:app.started']);
    const keyFile = join(t.home, 'device-key.json');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(app.journalService.verifyQuietly()).toMatchObject({ ok: true, events: 3, devices: 1 });
    app.close();
  });

  it('chains each event to the previous hash with gapless seq and a UUIDv7 id', () => {
    const app = openApp();
    for (let i = 0; i < 3; i++) app.journalService.verifyAndRecord(app.actor());
    const events = [...app.journal.events()];
    events.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      if (i > 0) expect(e.prev).toBe(events[i - 1]!.hash);
    });
    expect(events[0]!.prev).toBe('0'.repeat(64));
    app.close();
  });

  it.each(['payload', 'actor', 'hash', 'sig', 'prev', 'type', 'at', 'id'])(
    'journal verify exits 1 naming the seq when one byte of %s is flipped, and 0 once restored',
    (column) => {
      const app = openApp();
      app.journalService.verifyAndRecord(app.actor());
      app.journalService.verifyAndRecord(app.actor());
      app.close();
      const db = join(t.home, 'baseline.db');
      expect(runBaseline(['journal', 'verify', '--home', t.home]).code).toBe(0);

      const tamper = flipByte(db, column, 3);
      const bad = runBaseline(['journal', 'verify', '--home', t.home]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/first bad event: seq 3 /);

      tamper.restore();
      const good = runBaseline(['journal', 'verify', '--home', t.home]);
      expect(good.code).toBe(0);
      expect(good.stdout).toMatch(/^Journal intact: 4 events from 1 device;/);
    },
  );

  it('names the seq when a seq number itself is altered', () => {
    openApp().close();
    const db = join(t.home, 'baseline.db');
    sqlite(db, 'DROP TRIGGER events_no_update; UPDATE events SET seq = 7 WHERE seq = 2;');
    const r = runBaseline(['journal', 'verify', '--home', t.home, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { firstProblem: { seq: number; kind: string } };
    expect(report.firstProblem.seq).toBe(7);
  });

  it('with seq 1 deleted, counts failed events correctly (never more than there are) and names the gap', () => {
    for (let i = 0; i < 4; i++) openApp().close();
    const db = join(t.home, 'baseline.db');
    sqlite(db, 'DROP TRIGGER IF EXISTS events_no_delete; DELETE FROM events WHERE seq = 1;');
    const left = Number(sqlite(db, 'SELECT count(*) FROM events;').trim());
    const r = runBaseline(['journal', 'verify', '--home', t.home]);
    expect(r.code).toBe(1);
    const m = /Journal FAILED verification: (\d+) of (\d+) events failed/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![2])).toBe(left);
    expect(Number(m![1])).toBeLessThanOrEqual(left);
    expect(r.stdout).toMatch(/events are missing: seq 1 is missing on device /);
    expect(r.stdout).toMatch(/seq 1 is missing \(deleted from the journal\?\): expected seq 1 but found 2/);
    // Two events deleted in the middle: the range is named.
    sqlite(db, 'DELETE FROM events WHERE seq IN (3, 4);');
    expect(runBaseline(['journal', 'verify', '--home', t.home]).stdout).toMatch(/seq 3 to 4 are missing on device /);
  });

  it('detects a journal replaced wholesale under the data directory (device key mismatch)', () => {
    openApp().close();
    const other = tempHome();
    try {
      BaselineApp.open({ home: other.home, transport: 'in-process', keyProtection: filePermissionsProtection }).close();
      rmSync(join(t.home, 'baseline.db'));
      execFileSync('cp', [join(other.home, 'baseline.db'), join(t.home, 'baseline.db')]);
      const r = runBaseline(['journal', 'verify', '--home', t.home]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('key-mismatch');
    } finally {
      other.cleanup();
    }
  });

  it('journal list shows the events newest first with their verification state', () => {
    openApp().close();
    const r = runBaseline(['journal', 'list', '--home', t.home, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { total: number; events: { seq: number; type: string; problems: unknown[] }[] };
    expect(out.total).toBe(2);
    expect(out.events.map((e) => [e.seq, e.type, e.problems.length])).toEqual([
      [2, 'app.started', 0],
      [1, 'device.created', 0],
    ]);
    const text = runBaseline(['journal', 'list', '--home', t.home]);
    expect(text.stdout).toMatch(/device\.created .* verified/);
  });

  it('rebuilding projections from the journal reproduces the same tables', () => {
    const app = openApp();
    app.journalService.verifyAndRecord(app.actor());
    app.close();
    openApp().close();
    const dump = () => {
      const db = new Database(join(t.home, 'baseline.db'), { readonly: true });
      const out = Object.fromEntries(PROJECTION_TABLES.map((tbl) => [tbl, db.prepare(`SELECT * FROM ${tbl} ORDER BY 1`).all()]));
      db.close();
      return out;
    };
    const before = dump();
    expect(before['app_sessions']).toHaveLength(2);
    expect(before['journal_verifications']).toHaveLength(1);
    expect(before['devices']).toHaveLength(1);
    sqlite(join(t.home, 'baseline.db'), "DELETE FROM app_sessions; UPDATE devices SET name = 'tampered';");
    expect(dump()).not.toEqual(before);
    const r = runBaseline(['journal', 'rebuild', '--home', t.home]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('from 4 journal events');
    expect(dump()).toEqual(before);
  });

  it('appends the event and its projection in one transaction: a failing projection stores neither', () => {
    const app = openApp();
    const before = app.journal.count();
    // A second device.created for the same device violates the devices primary key inside the projection.
    expect(() =>
      app.journal.append(
        'device.created',
        {
          name: 'again',
          publicKeyPem: app.deviceKey.publicKeyPem,
          keyProtection: 'file-permissions',
          appVersion: 'x',
        },
        app.actor(),
      ),
    ).toThrow();
    expect(app.journal.count()).toBe(before);
    expect(app.journalService.verifyQuietly().ok).toBe(true);
    app.close();
  });

  it('refuses an event whose payload does not match its type, recording nothing', () => {
    const app = openApp();
    const before = app.journal.count();
    expect(() => app.journal.append('journal.verified', { ok: 'yes' } as never, app.actor())).toThrow(
      /journal\.verified event's content is invalid/,
    );
    expect(app.journal.count()).toBe(before);
    app.close();
  });

  it('refuses to start when the device key file is gone but the journal exists, and changes nothing', () => {
    openApp().close();
    rmSync(join(t.home, 'device-key.json'));
    const db = readFileSync(join(t.home, 'baseline.db'));
    expect(() => openApp()).toThrow(/no device key/);
    expect(readFileSync(join(t.home, 'baseline.db')).equals(db)).toBe(true);
  });

  it('keeps the device key encrypted with a passphrase and refuses a wrong one', () => {
    BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: passphraseProtection('correct horse') }).close();
    const file = readFileSync(join(t.home, 'device-key.json'), 'utf8');
    expect(file).toContain('ENCRYPTED PRIVATE KEY');
    expect(() => BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: passphraseProtection('wrong') })).toThrow(
      /could not be unlocked/,
    );
    expect(() => BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection })).toThrow(
      /protected by "passphrase"/,
    );
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: passphraseProtection('correct horse') });
    expect(app.journalService.verifyQuietly().ok).toBe(true);
    app.close();
  });

  it('a read-only open never writes and cannot append', () => {
    openApp().close();
    const store = openStore({ home: t.home, readOnly: true });
    const repo = new JournalRepository(store.db, null);
    expect(() =>
      repo.append(
        'journal.verified',
        { ok: true, eventsChecked: 1, problems: 0, firstProblem: null },
        { kind: 'os-user', id: 'x', name: 'x' },
      ),
    ).toThrow(/read-only/);
    store.close();
  });
});
