/**
 * The CLI's cache of checked capture profiles. `baseline capture` reads a profile CSV, checks every line and
 * canonicalises the result to name it by its SHA-256; for a 10,000-tag profile that is most of the command's own
 * work, and it gives the same answer every time the same file is captured with (the before- and after-capture of a
 * change, a drift check). So the outcome is kept: one file per profile, named by the hash of the CSV's bytes, the
 * protocol and the build of Baseline that checked it, holding a header line and the profile's canonical JSON.
 *
 * The cache never decides what is captured on its own: an entry is used only when its header names the same CSV
 * bytes, protocol and build, and the SHA-256 of its JSON is the profile hash it records, so the hash written into
 * the capture document is always the hash of the profile that was read. Any other entry (torn, edited, from another
 * build) is ignored and replaced. Only a bundled build caches (see `CLI_BUILD` in cli-build.ts); the TypeScript sources, which
 * change under a developer's hands, always check the CSV. A cache folder that cannot be made or written costs the
 * cache, never the capture.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import type { CaptureProfile, ProfileProtocol } from '../../src-shared/common/profile/capture-profile.ts';
import { importProfileCsv } from '../../src-shared/common/profile/profile-csv.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';

/** A checked profile with its canonical JSON and that JSON's SHA-256 (the profile hash a capture records). */
export interface CanonicalProfile {
  profile: CaptureProfile;
  json: string;
  sha256: string;
}

/** The first line of a cache entry: what the entry was made from. */
interface EntryHeader {
  format: 1;
  build: string;
  protocol: ProfileProtocol;
  csvSha256: string;
  profileSha256: string;
  tags: number;
}

/** Profiles a cache holds in memory (see `inMemory`). */
const IN_MEMORY = 4;

/** Entries kept; the least recently used beyond this are removed when a new one is written. */
export const PROFILE_CACHE_ENTRIES = 16;

/** Canonicalises a checked profile once: its JSON and hash. */
export function canonicalProfile(profile: CaptureProfile): CanonicalProfile {
  const json = canonicalJson(profile as unknown);
  return { profile, json, sha256: sha256Hex(json) };
}

/** A folder of checked profiles for one build of Baseline. */
export class ProfileCache {
  private readonly dir: string;
  private readonly build: string;
  /**
   * The profiles this cache loaded last, by entry: a process that captures again (the capture server) takes them
   * from memory. Keyed like the entries (the CSV's bytes, protocol and build), so never another file's profile.
   */
  private readonly inMemory = new Map<string, CanonicalProfile>();

  /** `dir`: the cache folder (made on first write); `build`: the build of Baseline whose checks it keeps. */
  constructor(dir: string, build: string) {
    this.dir = dir;
    this.build = build;
  }

  /** Checks a profile CSV for one protocol, or takes the outcome of an earlier check of the same bytes. */
  load(csv: Uint8Array, protocol: ProfileProtocol): CanonicalProfile {
    const csvSha256 = sha256Hex(csv);
    const file = join(this.dir, `${sha256Hex(`${this.build}\n${protocol}\n${csvSha256}`)}.json`);
    const held = this.inMemory.get(file);
    if (held) return held;
    const cached = this.read(file, { format: 1, build: this.build, protocol, csvSha256 });
    if (cached) return this.keep(file, cached);
    const checked = canonicalProfile(importProfileCsv(csv, protocol));
    this.write(
      file,
      { format: 1, build: this.build, protocol, csvSha256, profileSha256: checked.sha256, tags: checked.profile.tags.length },
      checked.json,
    );
    return this.keep(file, checked);
  }

  /** Holds a loaded profile in memory, the IN_MEMORY most recent ones. */
  private keep(file: string, profile: CanonicalProfile): CanonicalProfile {
    this.inMemory.delete(file);
    this.inMemory.set(file, profile);
    for (const old of this.inMemory.keys()) if (this.inMemory.size > IN_MEMORY) this.inMemory.delete(old);
    return profile;
  }

  /** The entry when it is whole and was made from these bytes by this build; null otherwise. */
  private read(file: string, expect: Omit<EntryHeader, 'profileSha256' | 'tags'>): CanonicalProfile | null {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      return null; // not cached yet
    }
    try {
      const cut = bytes.indexOf(0x0a);
      if (cut < 0) return null;
      const header = JSON.parse(bytes.toString('utf8', 0, cut)) as Partial<EntryHeader>;
      if (header.format !== expect.format || header.build !== expect.build) return null;
      if (header.protocol !== expect.protocol || header.csvSha256 !== expect.csvSha256) return null;
      // The JSON is hashed as the bytes it is stored as (UTF-8, as canonical JSON is hashed everywhere).
      const body = bytes.subarray(cut + 1);
      if (typeof header.profileSha256 !== 'string' || sha256Hex(body) !== header.profileSha256) return null;
      const json = body.toString('utf8');
      const profile = JSON.parse(json) as CaptureProfile;
      if (profile.protocol !== expect.protocol || !Array.isArray(profile.tags) || profile.tags.length !== header.tags) return null;
      touch(file);
      return { profile, json, sha256: header.profileSha256 };
    } catch {
      return null; // not JSON: torn or edited, checked again and replaced
    }
  }

  /** Keeps a checked profile (a temporary file renamed into place, so a reader never sees half of it). */
  private write(file: string, header: EntryHeader, json: string): void {
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileSync(tmp, `${JSON.stringify(header)}\n${json}`, { flag: 'wx', mode: 0o600 });
      renameSync(tmp, file);
    } catch {
      quietly(() => rmSync(tmp, { force: true })); // a folder that cannot be written: no cache, the capture goes on
      return;
    }
    quietly(() => this.prune()); // another capture pruning at the same moment may have removed an entry first
  }

  /** Removes the least recently used entries beyond PROFILE_CACHE_ENTRIES (and temporary files an exit left). */
  private prune(): void {
    const entries = readdirSync(this.dir)
      .filter((name) => name.endsWith('.json') || name.endsWith('.tmp'))
      .map((name) => ({ path: join(this.dir, name), tmp: name.endsWith('.tmp'), used: statSync(join(this.dir, name)).mtimeMs }));
    const stale = Date.now() - 60_000;
    for (const e of entries) if (e.tmp && e.used < stale) rmSync(e.path, { force: true });
    const kept = entries.filter((e) => !e.tmp).sort((a, b) => b.used - a.used);
    for (const e of kept.slice(PROFILE_CACHE_ENTRIES)) rmSync(e.path, { force: true });
  }
}

/** Marks an entry as just used (pruning keeps the most recently used); a read-only folder keeps it as it is. */
function touch(file: string): void {
  const now = new Date();
  quietly(() => utimesSync(file, now, now));
}

/** Runs a step the cache can do without: its failure changes nothing a capture depends on. */
function quietly(step: () => void): void {
  try {
    step();
  } catch {
    // the cache only: the profile was checked either way
  }
}
