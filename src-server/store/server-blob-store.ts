/**
 * The server's content-addressed blob files (`blobs/ab/cdef…` in the server data directory, like a laptop's),
 * checked against their hash before they are written and when they are read.
 *
 * On paper for a multi-plant company: S3-compatible object storage with object lock (docs/scaling.md).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { writeFileAtomic } from '../../src-shared/node/atomic-file.ts';
import { isSha256Hex, sha256Hex } from '../../src-shared/node/hash.ts';

/** Blob bytes on the server's disk. */
export class ServerBlobStore {
  private readonly root: string;

  constructor(home: string) {
    this.root = join(home, 'blobs');
  }

  private pathOf(hash: string): string {
    if (!isSha256Hex(hash))
      throw new BaselineError(
        'blob-bad-hash',
        `"${hash}" is not a SHA-256 hash.`,
        'Name blobs by their SHA-256 (64 lowercase hex digits).',
      );
    return join(this.root, hash.slice(0, 2), hash.slice(2));
  }

  /** Stores bytes under the hash they were sent as; refuses bytes that do not hash to it. Idempotent. */
  put(claimed: string, bytes: Uint8Array): { stored: 'new' | 'already-held' } {
    const path = this.pathOf(claimed);
    const actual = sha256Hex(bytes);
    if (actual !== claimed) {
      throw new BaselineError(
        'blob-hash-mismatch',
        `The content sent as ${claimed.slice(0, 12)}… hashes to ${actual.slice(0, 12)}… (${bytes.length} bytes): it was damaged on the way or on the laptop.`,
        "Nothing was stored. Run `baseline journal verify` on the laptop and sync again; if it repeats, the laptop's copy is damaged.",
        { claimed, actual, size: bytes.length },
      );
    }
    if (existsSync(path) && sha256Hex(readFileSync(path)) === claimed) return { stored: 'already-held' };
    mkdirSync(join(this.root, claimed.slice(0, 2)), { recursive: true, mode: 0o700 });
    writeFileAtomic(path, bytes, 0o600);
    return { stored: 'new' };
  }

  /** A blob's bytes after checking them, or null when absent. */
  get(hash: string): Buffer | null {
    const path = this.pathOf(hash);
    if (!existsSync(path)) return null;
    const bytes = readFileSync(path);
    if (sha256Hex(bytes) !== hash) {
      throw new BaselineError(
        'blob-corrupt',
        `The server's copy of ${hash.slice(0, 12)}… is damaged.`,
        "Restore the server's blob folder from its backup; the laptop that recorded it still holds it.",
      );
    }
    return bytes;
  }
}
