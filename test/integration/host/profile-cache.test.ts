// The CLI's profile cache (src-main/host/profile-cache.ts) on real files in a temporary folder: the same CSV bytes
// are checked once per build, and what the cache returns always carries the hash of the profile it holds. A torn,
// edited or foreign entry is checked again and replaced; a folder that cannot be written costs the cache only.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../../src-shared/common/canonical-json.ts';
import { importProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import { sha256Hex } from '../../../src-shared/node/hash.ts';
import { canonicalProfile, PROFILE_CACHE_ENTRIES, ProfileCache } from '../../../src-main/host/profile-cache.ts';
import { userCacheDir } from '../../../src-main/host/data-home.ts';
import { tempHome } from '../../helpers/temp-home.ts';

/** A Modbus profile of `n` holding registers starting at `first`. */
function csv(n: number, first = 0): Buffer {
  const rows = Array.from({ length: n }, (_, i) => `HR_${first + i},hr:${first + i},UINT16,config`);
  return Buffer.from(['tag,address,type,class', ...rows].join('\n') + '\n');
}

const homes: { cleanup(): void }[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) h.cleanup();
});

/** A cache in a fresh folder, with the folder's entries. */
function freshCache(build = 'build-a') {
  const t = tempHome('baseline-profile-cache-');
  homes.push(t);
  const dir = join(t.home, 'profiles');
  // Each load by a new cache, as each `baseline capture` process makes one: what these tests look at is the folder.
  const cache = { load: (csv: Buffer, protocol: 'modbus') => new ProfileCache(dir, build).load(csv, protocol) };
  return { dir, cache, entries: () => (existsSync(dir) ? readdirSync(dir).sort() : []) };
}

describe('profile cache', () => {
  it('checks a CSV once: the first load writes one entry, a second load returns the same profile, JSON and hash', () => {
    const { cache, entries, dir } = freshCache();
    const bytes = csv(500);
    const expected = canonicalProfile(importProfileCsv(bytes, 'modbus'));
    const first = cache.load(bytes, 'modbus');
    expect(first.sha256).toBe(expected.sha256);
    expect(first.json).toBe(expected.json);
    expect(entries()).toHaveLength(1);
    // Private to the user (docs/security.md): the folder 0700, the entry 0600.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, entries()[0]!)).mode & 0o777).toBe(0o600);
    const entry = readFileSync(join(dir, entries()[0]!), 'utf8');
    expect(JSON.parse(entry.slice(0, entry.indexOf('\n')))).toMatchObject({
      format: 1,
      build: 'build-a',
      protocol: 'modbus',
      csvSha256: sha256Hex(bytes),
      profileSha256: expected.sha256,
      tags: 500,
    });
    const second = cache.load(bytes, 'modbus');
    expect(second.sha256).toBe(expected.sha256);
    expect(canonicalJson(second.profile)).toBe(expected.json);
    expect(second.profile.tags[7]!.location).toEqual(expected.profile.tags[7]!.location);
    expect(entries()).toHaveLength(1);
  });

  it('uses an entry without reading the CSV again: an entry whose header and hash agree is taken as it is', () => {
    // This is what makes a repeated capture fast, and it is why an entry is used only when its JSON hashes to
    // the profile hash it records: the capture document then names exactly the profile that was read.
    const { cache, entries, dir } = freshCache();
    const bytes = csv(20);
    cache.load(bytes, 'modbus');
    const file = join(dir, entries()[0]!);
    const header = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!) as Record<string, unknown>;
    const other = canonicalProfile(importProfileCsv(csv(3, 100), 'modbus'));
    writeFileSync(file, `${JSON.stringify({ ...header, profileSha256: other.sha256, tags: 3 })}\n${other.json}`);
    const loaded = cache.load(bytes, 'modbus');
    expect(loaded.sha256).toBe(other.sha256);
    expect(loaded.profile.tags.map((t) => t.tag)).toEqual(['HR_100', 'HR_101', 'HR_102']);
  });

  it.each([
    ['torn (cut in the middle)', (text: string) => text.slice(0, Math.floor(text.length / 2))],
    ['edited (one address changed, the recorded hash kept)', (text: string) => text.replace('"offset":5,', '"offset":6,')],
    ['without its header line', (text: string) => text.slice(text.indexOf('\n') + 1)],
    ['from another protocol', (text: string) => text.replace('"protocol":"modbus","csvSha256"', '"protocol":"s7","csvSha256"')],
    ['with a tag count that differs from its profile', (text: string) => text.replace('"tags":20}', '"tags":21}')],
    ['empty', () => ''],
  ])('checks the CSV again and replaces an entry that is %s', (_what, damage) => {
    const { cache, entries, dir } = freshCache();
    const bytes = csv(20);
    const expected = canonicalProfile(importProfileCsv(bytes, 'modbus'));
    cache.load(bytes, 'modbus');
    const file = join(dir, entries()[0]!);
    const whole = readFileSync(file, 'utf8');
    const damaged = damage(whole);
    expect(damaged).not.toBe(whole);
    writeFileSync(file, damaged);
    const loaded = cache.load(bytes, 'modbus');
    expect(loaded.sha256).toBe(expected.sha256);
    expect(canonicalJson(loaded.profile)).toBe(expected.json);
    expect(readFileSync(file, 'utf8')).toBe(whole);
  });

  it("keeps each build's checks apart: another build neither uses nor replaces this build's entry", () => {
    const { dir, cache, entries } = freshCache('build-a');
    const bytes = csv(10);
    cache.load(bytes, 'modbus');
    const [a] = entries();
    const before = readFileSync(join(dir, a!), 'utf8');
    new ProfileCache(dir, 'build-b').load(bytes, 'modbus');
    expect(entries()).toHaveLength(2);
    expect(readFileSync(join(dir, a!), 'utf8')).toBe(before);
    const b = entries().find((e) => e !== a)!;
    expect(b).toBe(`${sha256Hex(`build-b\nmodbus\n${sha256Hex(bytes)}`)}.json`);
    expect(readFileSync(join(dir, b), 'utf8')).toContain('"build":"build-b"');
    // build-a's entry copied over build-b's (holding another profile) is not taken by build-b.
    const other = canonicalProfile(importProfileCsv(csv(3, 100), 'modbus'));
    const header = JSON.parse(before.split('\n')[0]!) as Record<string, unknown>;
    writeFileSync(join(dir, b), `${JSON.stringify({ ...header, profileSha256: other.sha256, tags: 3 })}\n${other.json}`);
    expect(new ProfileCache(dir, 'build-b').load(bytes, 'modbus').profile.tags).toHaveLength(10);
  });

  it('keeps no entry for a profile with problems: the same error as without a cache, every time', () => {
    const { cache, entries } = freshCache();
    const bad = Buffer.from('tag,address,type\nA,hr:1,UINT16\nA,hr:2,UINT16\n');
    for (let i = 0; i < 2; i++) expect(() => cache.load(bad, 'modbus')).toThrow(/already defined on line 2/);
    expect(entries()).toEqual([]);
  });

  it('captures without a cache when its folder cannot be made: a file stands where the folder should be', () => {
    const t = tempHome('baseline-profile-cache-');
    homes.push(t);
    const blocked = join(t.home, 'profiles');
    writeFileSync(blocked, 'not a folder');
    const bytes = csv(10);
    const loaded = new ProfileCache(blocked, 'build-a').load(bytes, 'modbus');
    expect(loaded.sha256).toBe(canonicalProfile(importProfileCsv(bytes, 'modbus')).sha256);
    expect(readFileSync(blocked, 'utf8')).toBe('not a folder');
    expect(readdirSync(t.home)).toEqual(['profiles']);
  });

  it(`keeps the ${PROFILE_CACHE_ENTRIES} most recently used entries`, () => {
    const { dir, cache, entries } = freshCache();
    const firstBytes = csv(2, 0);
    cache.load(firstBytes, 'modbus');
    const firstEntry = entries()[0]!;
    const secondBytes = csv(2, 10);
    cache.load(secondBytes, 'modbus');
    const secondEntry = entries().find((e) => e !== firstEntry)!;
    // Both made long ago; the first is used again now, so the second is the least recently used.
    const old = new Date(Date.now() - 3_600_000);
    for (const e of [firstEntry, secondEntry]) utimesSync(join(dir, e), old, old);
    cache.load(firstBytes, 'modbus');
    for (let i = 0; i < PROFILE_CACHE_ENTRIES - 1; i++) cache.load(csv(2, 100 + 10 * i), 'modbus');
    expect(entries()).toHaveLength(PROFILE_CACHE_ENTRIES);
    expect(entries()).toContain(firstEntry);
    expect(entries()).not.toContain(secondEntry);
  });
});

describe('a cache that loads again in the same process (the capture server)', () => {
  it('holds what it loaded: the same profile again without the folder, while other bytes are checked anew', () => {
    const { dir, entries } = freshCache();
    const cache = new ProfileCache(dir, 'build-a');
    const bytes = csv(30);
    const first = cache.load(bytes, 'modbus');
    for (const e of entries()) writeFileSync(join(dir, e), 'damaged');
    expect(cache.load(bytes, 'modbus')).toBe(first);
    const other = cache.load(csv(30, 1), 'modbus');
    expect(other.sha256).not.toBe(first.sha256);
    expect(other.profile.tags[0]!.tag).toBe('HR_1');
  });
});

describe('the cache folder', () => {
  it('is BASELINE_CACHE_DIR when set, else the per-user cache folder of the OS', () => {
    expect(userCacheDir({ BASELINE_CACHE_DIR: '/tmp/x' }, 'linux')).toBe('/tmp/x');
    expect(userCacheDir({ XDG_CACHE_HOME: '/home/a/.cache' }, 'linux')).toBe('/home/a/.cache/baseline');
    expect(userCacheDir({ LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, 'win32')).toBe(
      join('C:\\Users\\a\\AppData\\Local', 'Baseline', 'Cache'),
    );
    expect(userCacheDir({}, 'darwin')).toMatch(/Library\/Caches\/Baseline$/);
  });
});
