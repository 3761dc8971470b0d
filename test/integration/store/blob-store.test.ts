import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { BlobStore } from '../../../src-main/store/blob-store.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { tempHome } from '../../helpers/temp-home.ts';

describe('content-addressed blob store', () => {
  let t: ReturnType<typeof tempHome>;
  let blobs: BlobStore;
  beforeEach(() => {
    t = tempHome();
    blobs = new BlobStore(t.home);
  });
  afterEach(() => t.cleanup());

  it('stores bytes under their SHA-256 and returns them intact; storing twice is harmless', () => {
    const bytes = Buffer.from('DB1,REAL0 = 42.5\n');
    const hash = blobs.put(bytes);
    expect(hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(blobs.put(bytes)).toBe(hash);
    expect(blobs.get(hash).equals(bytes)).toBe(true);
    expect(readFileSync(join(t.home, 'blobs', hash.slice(0, 2), hash.slice(2))).equals(bytes)).toBe(true);
    // no temp files left behind by the atomic write
    expect(readdirSync(join(t.home, 'blobs', hash.slice(0, 2))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses bytes that no longer match their hash and leaves the damaged file for inspection', () => {
    const hash = blobs.put(Buffer.from('before-snapshot'));
    const path = join(t.home, 'blobs', hash.slice(0, 2), hash.slice(2));
    writeFileSync(path, 'before-snapshoT');
    let caught: unknown;
    try {
      blobs.get(hash);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BaselineError);
    expect((caught as BaselineError).code).toBe('blob-corrupt');
    expect((caught as BaselineError).hint).toMatch(/Do not use it as evidence/);
    expect(readFileSync(path, 'utf8')).toBe('before-snapshoT');
    expect(blobs.audit()).toEqual([{ hash, size: 15, intact: false }]);
    // putting the right bytes again repairs it
    blobs.put(Buffer.from('before-snapshot'));
    expect(blobs.get(hash).toString()).toBe('before-snapshot');
  });

  it('says clearly when a blob is missing or a hash is malformed', () => {
    expect(() => blobs.get('a'.repeat(64))).toThrow(/missing/);
    expect(() => blobs.get('../../etc/passwd')).toThrow(/not a SHA-256 hash/);
  });
});
