/**
 * Content-addressed blob store: large content (snapshot documents, attached project files) stored by its
 * SHA-256 under `blobs/ab/cdef…`, written atomically and checked against its name on every read.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { isSha256Hex, sha256Hex } from '../../src-shared/node/hash.ts';
import { writeFileAtomic } from './atomic-file.ts';

/** Stores and returns bytes by their SHA-256. */
export class BlobStore {
  private readonly root: string;

  constructor(home: string) {
    this.root = join(home, 'blobs');
  }

  private pathOf(hash: string): string {
    if (!isSha256Hex(hash)) {
      throw new BaselineError(
        'blob-bad-hash',
        `"${hash}" is not a SHA-256 hash (64 lowercase hex digits).`,
        'Reference blobs by the hash the store returned.',
      );
    }
    return join(this.root, hash.slice(0, 2), hash.slice(2));
  }

  /** Stores bytes (idempotent) and returns their SHA-256. */
  put(bytes: Uint8Array): string {
    const hash = sha256Hex(bytes);
    const path = this.pathOf(hash);
    if (existsSync(path) && this.intact(path, hash)) return hash;
    mkdirSync(join(this.root, hash.slice(0, 2)), { recursive: true, mode: 0o700 });
    writeFileAtomic(path, bytes, 0o600);
    return hash;
  }

  /** Whether a blob is stored (not whether it is intact; `get` checks that). */
  has(hash: string): boolean {
    return existsSync(this.pathOf(hash));
  }

  /** Returns a blob's bytes after checking them against their hash. */
  get(hash: string): Buffer {
    const path = this.pathOf(hash);
    if (!existsSync(path)) {
      throw new BaselineError(
        'blob-missing',
        `Stored content ${hash.slice(0, 12)}… is missing from ${this.root}.`,
        'Sync with the central server to fetch it again, or restore the data directory from a backup.',
        { hash },
      );
    }
    const bytes = readFileSync(path);
    const actual = sha256Hex(bytes);
    if (actual !== hash) {
      throw new BaselineError(
        'blob-corrupt',
        `Stored content ${hash.slice(0, 12)}… is damaged: its bytes now hash to ${actual.slice(0, 12)}… (file ${path}).`,
        'Do not use it as evidence. Fetch it again from the central server or restore it from a backup; the damaged file was left in place for inspection.',
        { hash, actual, path },
      );
    }
    return bytes;
  }

  /** A blob's bytes exactly as stored, unchecked (null: not stored), for verifiers that name what a damaged blob belongs to. */
  raw(hash: string): Buffer | null {
    const path = this.pathOf(hash);
    return existsSync(path) ? readFileSync(path) : null;
  }

  /** Lists every stored hash and whether its bytes still match it. */
  audit(): { hash: string; size: number; intact: boolean }[] {
    if (!existsSync(this.root)) return [];
    const out: { hash: string; size: number; intact: boolean }[] = [];
    for (const dir of readdirSync(this.root).sort()) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      for (const rest of readdirSync(join(this.root, dir)).sort()) {
        const hash = dir + rest;
        if (!isSha256Hex(hash)) continue;
        const path = join(this.root, dir, rest);
        out.push({ hash, size: statSync(path).size, intact: this.intact(path, hash) });
      }
    }
    return out;
  }

  private intact(path: string, hash: string): boolean {
    return sha256Hex(readFileSync(path)) === hash;
  }
}
