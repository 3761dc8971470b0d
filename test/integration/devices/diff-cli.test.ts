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
    writeFileSync(
      file,
      JSON.stringify({ schema: 'baseline.snapshot/1', document: { ...doc, schema: 'baseline.snapshot/1', artefacts: [] }, signatures: [] }),
    );
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
    const doc = JSON.parse(readFileSync(fixture('after.capture.json'), 'utf8')) as {
      controller: { description: string; target: { host?: string } };
    };
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

  type Snap = {
    schema: string;
    document: Record<string, unknown> & { values: Record<string, unknown>[]; controller: unknown };
    signatures: unknown[];
  };
  const load = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Snap;
  const cases: [string, (s: Snap) => unknown, RegExp][] = [
    ['the file is null', () => null, /holds null, not a snapshot/],
    [
      'values is missing',
      (s) => {
        delete (s.document as Record<string, unknown>)['values'];
        return s;
      },
      /document\.values: .*received undefined/,
    ],
    ['values is null', (s) => ({ ...s, document: { ...s.document, values: null } }), /document\.values: .*received null/],
    [
      'controller is missing',
      (s) => {
        delete (s.document as Record<string, unknown>)['controller'];
        return s;
      },
      /document\.controller: .*received undefined/,
    ],
    ['controller is null', (s) => ({ ...s, document: { ...s.document, controller: null } }), /document\.controller: .*received null/],
    [
      'a row is null',
      (s) => ({ ...s, document: { ...s.document, values: [null, ...s.document.values.slice(1)] } }),
      /document\.values\.0: .*received null/,
    ],
    [
      'a tag is not a string',
      (s) => {
        s.document.values[2]!['tag'] = 42;
        return s;
      },
      /document\.values\.2\.tag: .*expected string, received number/,
    ],
    [
      'a raw is not a string',
      (s) => {
        s.document.values[1]!['raw'] = 1095237632;
        return s;
      },
      /document\.values\.1\.raw: .*expected string, received number/,
    ],
    ['the document is null', (s) => ({ ...s, document: null }), /has schema "baseline\.snapshot\/1"|document: .*received null/],
  ];
  it.each(cases)('a malformed input (%s) is refused naming the file and the field, not an internal error', (_name, mangle, reason) => {
    const good = wrap(fixture('before.capture.json'), 'good.json');
    const bad = join(t.home, 'malformed.json');
    writeFileSync(bad, JSON.stringify(mangle(load(good))));
    const r = runBaseline(['diff', good, bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`baseline: ${bad}`);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).not.toMatch(/internal/i);
  });

  it('a value edited with its raw bytes kept is a difference, not "Identical"', () => {
    const before = wrap(fixture('before.capture.json'), 'raw-kept-before.json');
    const edited = load(before);
    const row = edited.document.values.find((v) => v['tag'] === 'Line1_SpeedSP')!;
    expect(row['raw']).toBe('41480000');
    row['value'] = 99.5;
    const after = join(t.home, 'raw-kept-after.json');
    writeFileSync(after, JSON.stringify(edited));
    const r = runBaseline(['diff', before, after]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/changed\s+Line1_SpeedSP\s+12\.5 -> 99\.5/);
    expect(r.stdout).toMatch(/Different\.\n$/);
  });

  it('says for each input whether it is signed and valid, unsigned, or a bare capture', () => {
    const snapshot = wrap(fixture('before.capture.json'), 'unsigned.json');
    const r = runBaseline(['diff', snapshot, fixture('before.capture.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${snapshot}: unsigned: not evidence\n`);
    expect(r.stdout).toContain(`${fixture('before.capture.json')}: a bare capture document: unsigned, not evidence\n`);
    const json = runBaseline(['diff', snapshot, snapshot, '--json']);
    expect((JSON.parse(json.stdout) as { verification: { state: string }[] }).verification.map((v) => v.state)).toEqual([
      'unsigned',
      'unsigned',
    ]);
  });
});
