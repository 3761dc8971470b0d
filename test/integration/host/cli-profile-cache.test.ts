// `baseline capture` and its profile cache, end to end: a bundle of the CLI built for this test (as users run it;
// the TypeScript sources keep no cache) captures from the Modbus simulator on 127.0.0.1. The second capture of the
// same profile file takes the checked profile from the cache and records the same profile hash and values; a
// damaged entry is checked again; the sources write no entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTestBundle, type TestBundle } from '../../helpers/cli-bundle.ts';
import { importProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import { canonicalProfile } from '../../../src-main/host/profile-cache.ts';
import { runBaselineAsync } from '../../helpers/cli.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import {
  emptyModbusImage,
  setModbusWords,
  startModbusSimulator,
  type ModbusSimulator,
} from '../../../src-main/devices/simulator/modbus-simulator.ts';

const TAGS = 600;

interface CaptureFile {
  document: { profile: { name: string; sha256: string; tags: number }; values: { tag: string; value: unknown; quality: string }[] };
}

describe('baseline capture with the profile cache', () => {
  const t = tempHome('baseline-cli-profile-cache-');
  const cacheDir = join(t.home, 'cache');
  const profile = join(t.home, 'registers.csv');
  let sim: ModbusSimulator;
  let bundle: TestBundle;
  let n = 0;

  /** One capture by the bundle (or by bin/baseline.js from the sources); its summary and document. */
  async function capture(how: 'bundle' | 'sources', env: NodeJS.ProcessEnv = { BASELINE_CACHE_DIR: cacheDir }) {
    const out = join(t.home, `capture-${n++}.json`);
    const args = ['capture', '--protocol', 'modbus-tcp', '--host', '127.0.0.1', '--port', String(sim.port), '--profile', profile];
    const r =
      how === 'bundle'
        ? await bundle.run([...args, '--out', out], env)
        : await runBaselineAsync([...args, '--out', out], { ...env, BASELINE_CLI_FROM_SOURCES: '1' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ tags: TAGS, good: TAGS, complete: true });
    return JSON.parse(readFileSync(out, 'utf8')) as CaptureFile;
  }
  const entries = (dir = cacheDir) => (existsSync(join(dir, 'profiles')) ? readdirSync(join(dir, 'profiles')) : []);

  beforeAll(async () => {
    bundle = await buildTestBundle('cli-profile-cache-test');
    const image = emptyModbusImage();
    setModbusWords(
      image,
      'hr',
      0,
      Array.from({ length: TAGS }, (_, i) => (i * 7) % 65536),
    );
    sim = await startModbusSimulator({ image, unitId: 1 });
    writeFileSync(profile, 'tag,address,type\n' + Array.from({ length: TAGS }, (_, i) => `HR_${i},hr:${i},UINT16\n`).join(''));
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
    bundle?.remove();
    t.cleanup();
  });

  it('checks the profile once; the second capture records the same profile hash and the same values', async () => {
    const expected = canonicalProfile(importProfileCsv(readFileSync(profile), 'modbus')).sha256;
    const first = await capture('bundle');
    expect(entries()).toHaveLength(1);
    const entry = join(cacheDir, 'profiles', entries()[0]!);
    const written = readFileSync(entry, 'utf8');
    const second = await capture('bundle');
    expect(readFileSync(entry, 'utf8')).toBe(written);
    for (const doc of [first, second]) {
      expect(doc.document.profile).toMatchObject({ name: 'registers.csv', sha256: expected, tags: TAGS });
      expect(doc.document.values[17]).toMatchObject({ tag: 'HR_17', value: 119, quality: 'good' });
    }
    expect(second.document.values).toEqual(first.document.values);
  });

  it('checks the profile again when its cache entry was edited, and records the hash of the CSV as it is', async () => {
    const expected = canonicalProfile(importProfileCsv(readFileSync(profile), 'modbus')).sha256;
    await capture('bundle');
    const entry = join(cacheDir, 'profiles', entries()[0]!);
    const whole = readFileSync(entry, 'utf8');
    // Tag HR_3 pointed at register 4: the entry's JSON no longer hashes to the profile hash in its header.
    writeFileSync(entry, whole.replace('"offset":3,', '"offset":4,'));
    const doc = await capture('bundle');
    expect(doc.document.profile.sha256).toBe(expected);
    expect(doc.document.values[3]).toMatchObject({ tag: 'HR_3', value: 21 });
    expect(readFileSync(entry, 'utf8')).toBe(whole);
  });

  it('keeps no cache when it runs from the TypeScript sources', async () => {
    const sourcesCache = join(t.home, 'sources-cache');
    const doc = await capture('sources', { BASELINE_CACHE_DIR: sourcesCache });
    expect(doc.document.profile.tags).toBe(TAGS);
    expect(entries(sourcesCache)).toEqual([]);
  });
});
