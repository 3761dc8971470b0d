import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBaseline } from '../../helpers/cli.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/diff/${name}`, import.meta.url));

describe('baseline diff A B', () => {
  const t = tempHome();
  afterAll(() => t.cleanup());
  const wrap = (capturePath: string, name: string) => {
    const doc = JSON.parse(readFileSync(capturePath, 'utf8')) as Record<string, unknown>;
    const file = join(t.home, name);
    writeFileSync(file, JSON.stringify({ schema: 'baseline.snapshot/1', document: { ...doc, schema: 'baseline.snapshot/1', artefacts: [] }, signatures: [] }));
    return file;
  };

  it('exit 3 with the differences when the snapshots differ; 0 when identical', () => {
    const before = wrap(fixture('before.capture.json'), 'before.json');
    const after = wrap(fixture('after.capture.json'), 'after.json');
    const r = runBaseline(['diff', before, after]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^config: \d+ changed, \d+ added, \d+ removed/m);
    expect(r.stdout).toMatch(/Different\.\n$/);
    const same = runBaseline(['diff', before, before]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/Identical\.\n$/);
    const json = runBaseline(['diff', before, after, '--json']);
    expect(json.code).toBe(3);
    expect((JSON.parse(json.stdout) as { summary: { drift: boolean } }).summary.drift).toBe(true);
  });

  it('refuses two different controllers unless --force, and says so', () => {
    const before = wrap(fixture('before.capture.json'), 'b2.json');
    const doc = JSON.parse(readFileSync(fixture('after.capture.json'), 'utf8')) as { controller: { description: string; target: { host?: string } } };
    doc.controller.target.host = '127.0.0.99';
    doc.controller.description = 'another controller';
    const otherPath = join(t.home, 'other.capture.json');
    writeFileSync(otherPath, JSON.stringify(doc));
    const other = wrap(otherPath, 'other.json');
    const refused = runBaseline(['diff', before, other]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--force/);
    const forced = runBaseline(['diff', before, other, '--force']);
    expect(forced.code).toBe(3);
    expect(forced.stdout).toMatch(/FORCED: different controllers/);
  });

  it('a truncated file or an unknown schema is a clear error (exit 1)', () => {
    const before = wrap(fixture('before.capture.json'), 'b3.json');
    const truncated = join(t.home, 'truncated.json');
    writeFileSync(truncated, readFileSync(before).subarray(0, 100));
    expect(runBaseline(['diff', before, truncated]).stderr).toMatch(/not complete JSON/);
    const future = join(t.home, 'future.json');
    writeFileSync(future, JSON.stringify({ schema: 'baseline.snapshot/7', document: { schema: 'baseline.snapshot/7' } }));
    const r = runBaseline(['diff', before, future]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/schema "baseline.snapshot\/7"/);
  });
});
