import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBaseline } from '../../helpers/cli.ts';
import { simulate } from '../../helpers/simulate-cli.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/profiles-capture/${name}`, import.meta.url));

describe('baseline capture / simulate (CLI)', () => {
  const t = tempHome();
  let sim: { port: number; child: ChildProcess };
  beforeAll(async () => {
    sim = await simulate([
      '--protocol',
      'modbus-tcp',
      '--profile',
      fixture('modbus-line1.csv'),
      '--values',
      fixture('modbus-line1-values.json'),
    ]);
  });
  afterAll(() => {
    sim?.child.kill('SIGTERM');
    t.cleanup();
  });

  it('captures every tag: exit 0, a JSON summary line, the document on disk, recorded in the journal', () => {
    const out = join(t.home, 'capture.json');
    const r = runBaseline([
      'capture',
      '--protocol',
      'modbus-tcp',
      '--host',
      '127.0.0.1',
      '--port',
      String(sim.port),
      '--profile',
      fixture('modbus-line1.csv'),
      '--out',
      out,
      '--home',
      join(t.home, 'store'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(summary).toMatchObject({ tags: 9, good: 9, bad: 0, complete: true });
    for (const k of ['requests', 'minimumRequests', 'durationMs']) expect(typeof summary[k]).toBe('number');
    const file = JSON.parse(readFileSync(out, 'utf8')) as {
      schema: string;
      signatures: unknown[];
      document: { values: { tag: string; value: unknown }[] };
    };
    expect(file.schema).toBe('baseline.snapshot/1');
    expect(file.signatures).toEqual([]);
    expect(file.document.values.find((v) => v.tag === 'Line1_Count')?.value).toBe(4_000_000_000);
    const verdict = runBaseline(['snapshot', 'verify', out, '--home', join(t.home, 'store')]);
    expect(verdict.code).toBe(1);
    expect(verdict.stdout).toMatch(/^UNSIGNED \(not evidence\)/);
    const list = runBaseline(['journal', 'list', '--json', '--home', join(t.home, 'store')]);
    expect((JSON.parse(list.stdout) as { events: { type: string }[] }).events.map((e) => e.type).slice(0, 2)).toEqual([
      'capture.recorded',
      'profile.imported',
    ]);
    expect(runBaseline(['journal', 'verify', '--home', join(t.home, 'store')]).code).toBe(0);
  });

  it('exit 2 when some tags are bad, naming them', () => {
    const profile = join(t.home, 'partial.csv');
    writeFileSync(profile, 'tag,address,type\nSpeed,hr:0,FLOAT32\nMissing,hr:900,UINT16\n');
    const r = runBaseline([
      'capture',
      '--protocol',
      'modbus-tcp',
      '--host',
      '127.0.0.1',
      '--port',
      String(sim.port),
      '--profile',
      profile,
      '--out',
      join(t.home, 'p.json'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad: Missing \(hr:900\): .*ILLEGAL DATA ADDRESS/);
    expect(JSON.parse(r.stdout)).toMatchObject({ tags: 2, good: 1, bad: 1, complete: false });
  });

  it('exit 1 when nothing could be captured (connection refused)', () => {
    const r = runBaseline([
      'capture',
      '--protocol',
      'modbus-tcp',
      '--host',
      '127.0.0.1',
      '--port',
      '1',
      '--profile',
      fixture('modbus-line1.csv'),
      '--out',
      join(t.home, 'x.json'),
      '--timeout',
      '300',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/connecting: connection refused/);
    expect(r.stderr).toMatch(/what to do:/);
  });

  it.each([
    ['a bad address', 'tag,address,type\nA,hr:x,UINT16\n', /line 2, address/],
    ['an unknown type', 'tag,address,type\nA,hr:1,DOUBLE\n', /line 2, type/],
    ['a duplicate tag', 'tag,address,type\nA,hr:1,UINT16\nA,hr:2,UINT16\n', /line 3, tag/],
  ])('refuses a profile with %s, naming line and column, and captures nothing', (_name, csv, pattern) => {
    const profile = join(t.home, 'bad.csv');
    writeFileSync(profile, csv);
    const r = runBaseline([
      'capture',
      '--protocol',
      'modbus-tcp',
      '--host',
      '127.0.0.1',
      '--port',
      String(sim.port),
      '--profile',
      profile,
      '--out',
      join(t.home, 'bad.json'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).toMatch(/nothing was imported/);
  });

  it('wrong usage: missing host, unknown protocol', () => {
    expect(runBaseline(['capture', '--protocol', 'modbus-tcp', '--profile', fixture('modbus-line1.csv'), '--out', 'x.json']).code).toBe(2);
    const r = runBaseline([
      'capture',
      '--protocol',
      'profinet',
      '--host',
      '127.0.0.1',
      '--profile',
      fixture('modbus-line1.csv'),
      '--out',
      'x.json',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/controller settings/);
  });

  it('a 19 MB profile CSV is refused by its size before it is read, with the 10 MB limit named (capture and simulate)', () => {
    // Valid rows, so that reading it would be the slow, memory-hungry path the limit avoids.
    const row = 'Line9_Station_Setpoint_00000,hr:0,UINT16,config,false,false,Station setpoint on packaging line 9 (case erector group)\n';
    const big = join(t.home, 'huge-profile.csv');
    writeFileSync(big, 'tag,address,type,class,safety,writable,description\n' + row.repeat(Math.ceil(19_000_000 / row.length)));
    for (const args of [
      ['capture', '--protocol', 'modbus-tcp', '--host', '127.0.0.1', '--port', '1', '--profile', big, '--out', join(t.home, 'never.json')],
      ['simulate', '--protocol', 'modbus-tcp', '--profile', big],
    ]) {
      const r = runBaseline(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/The profile file .*huge-profile\.csv is 19\.0 MB; Baseline reads at most 10\.0 MB\./);
      expect(r.stderr).toMatch(/what to do: A capture profile may be at most 10 MB/);
    }
  });
});

describe('baseline simulate --protocol s7 | logix, captured by the CLI', () => {
  const t = tempHome();
  afterAll(() => t.cleanup());

  it.each([
    ['s7', 's7-press.csv', 's7-press-values.json', { Press_ForceSP: 250.75, Press_Recipe: 'STEEL2', Press_GuardOK: true, Press_Mode: 258 }],
    ['logix', 'logix-mixer.csv', null, { Mixer_Count: 0, Recipe_Temp: 0 }],
  ] as const)('%s: the simulator serves the profile, the capture reads it, with identity', async (protocol, profile, values, expected) => {
    const sim = await simulate(['--protocol', protocol, '--profile', fixture(profile), ...(values ? ['--values', fixture(values)] : [])]);
    try {
      const out = join(t.home, `${protocol}.json`);
      const r = runBaseline([
        'capture',
        '--protocol',
        protocol,
        '--host',
        '127.0.0.1',
        '--port',
        String(sim.port),
        '--profile',
        fixture(profile),
        '--out',
        out,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const file = JSON.parse(readFileSync(out, 'utf8')) as {
        document: { identity: Record<string, string>; values: { tag: string; value: unknown }[] };
      };
      const got = Object.fromEntries(file.document.values.map((v) => [v.tag, v.value]));
      expect(got).toMatchObject(expected);
      expect(Object.keys(file.document.identity).length).toBeGreaterThan(0);
    } finally {
      sim.child.kill('SIGTERM');
    }
  });
});
