import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBaseline } from '../../helpers/cli.ts';
import { simulate } from '../../helpers/simulate-cli.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/profiles-capture/${name}`, import.meta.url));

// `baseline capture` runs its driver in its own process (process/in-process-device.ts), not in a device process.
// st-ethernet-ip throws from its socket handler on a truncated reply: in this path that must fail the capture with
// the reason, as the device process does, and never kill the CLI with a stack trace or keep a partial result.
describe('baseline capture: a protocol library crash in the in-process driver', () => {
  const t = tempHome();
  let sim: { port: number; child: ChildProcess };
  beforeAll(async () => {
    sim = await simulate(['--protocol', 'logix', '--profile', fixture('logix-mixer.csv'), '--fault', 'truncate']);
  }, 60_000);
  afterAll(() => {
    sim?.child.kill('SIGTERM');
    t.cleanup();
  });

  it('is a clear error (exit 1, the reason and what to do, no stack trace); the file and the journal hold no value and no signature', () => {
    const out = join(t.home, 'crashed.json');
    const store = join(t.home, 'store');
    const r = runBaseline([
      'capture',
      '--protocol',
      'logix',
      '--host',
      '127.0.0.1',
      '--port',
      String(sim.port),
      '--slot',
      '0',
      '--profile',
      fixture('logix-mixer.csv'),
      '--out',
      out,
      '--timeout',
      '1000',
      '--retries',
      '0',
      '--home',
      store,
      '--signer',
      'E-100',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^baseline: The controller connection failed: the protocol library failed on an unexpected reply \(The value of "offset" is out of range/m,
    );
    // The driver ran inside the CLI: the advice is to run the command again, not that a device process restarted.
    expect(r.stderr).toMatch(/what to do: Nothing from the failed read was kept; run the command again\./);
    expect(r.stderr).not.toMatch(/device process/i);
    expect(r.stderr).toMatch(/the capture is incomplete, so it was not signed/);
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(r.stderr).not.toMatch(/node:internal|Uncaught|internal error/i);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ tags: 10, good: 0, bad: 10, complete: false, signed: false });

    const file = JSON.parse(readFileSync(out, 'utf8')) as {
      signatures: unknown[];
      document: { complete: boolean; values: { quality: string; value: unknown; raw: unknown }[] };
    };
    expect(file.signatures).toEqual([]);
    expect(file.document.complete).toBe(false);
    expect(file.document.values).toHaveLength(10);
    expect(file.document.values.every((v) => v.quality === 'bad' && v.value === null && v.raw === null)).toBe(true);
    const verdict = runBaseline(['snapshot', 'verify', out, '--home', store]);
    expect(verdict.code).toBe(1);
    expect(verdict.stdout).toMatch(/^INVALID: .*\n {2}- the capture is incomplete \(some tags have no good value\): never valid evidence/);

    const list = JSON.parse(runBaseline(['journal', 'list', '--json', '--home', store]).stdout) as {
      events: { type: string; payload: string }[];
    };
    const recorded = list.events.filter((e) => e.type === 'capture.recorded').map((e) => JSON.parse(e.payload) as Record<string, unknown>);
    expect(recorded).toEqual([expect.objectContaining({ complete: false, good: 0, bad: 10 })]);
    expect(list.events.some((e) => e.type.startsWith('snapshot.'))).toBe(false);
    expect(runBaseline(['journal', 'verify', '--home', store]).code).toBe(0);
  }, 120_000);
});
