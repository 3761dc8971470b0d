// What `baseline` loads at start (issue #12, item 7): `--version` and `--help` load the entry alone (no package,
// no command module), and a Modbus capture without a data directory loads its driver in this process and none of
// the app's heavy parts (the store, the server, the PDF writer, the other protocols' libraries). Behaviour, not
// timing: the start-up figures are measured by test/bench/cli-start-bench.ts. Run both as users run it (the
// bundle when it is built and current, else the sources) and from the sources.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBaselineAsync } from '../../helpers/cli.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import {
  emptyModbusImage,
  setModbusWords,
  startModbusSimulator,
  type ModbusSimulator,
} from '../../../src-main/devices/simulator/modbus-simulator.ts';

const HOOK = fileURLToPath(new URL('../../helpers/module-log.ts', import.meta.url));
const HEAVY = [
  'better-sqlite3',
  'kysely',
  'fastify',
  'pdfkit',
  'node-forge',
  'yazl',
  'yauzl',
  'pg',
  'ws',
  'st-ethernet-ip',
  'nodes7',
  'node-snap7',
  'diff',
];

/** The package a node_modules URL belongs to, or null for a project file or a built-in. */
function packageOf(url: string): string | null {
  const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return m ? m[1]! : null;
}

describe.each([
  ['as users run it', {}],
  ['from the TypeScript sources', { BASELINE_CLI_FROM_SOURCES: '1' }],
] as const)('baseline start-up loads only what the command needs (%s)', (_how, env) => {
  const t = tempHome();
  let sim: ModbusSimulator;
  let n = 0;

  /** Runs `baseline ...args` with the module log; returns its result and the URLs it loaded. */
  async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string; loaded: string[] }> {
    const log = join(t.home, `modules-${n++}.json`);
    const r = await runBaselineAsync(args, { ...env, BASELINE_MODULE_LOG: log, NODE_OPTIONS: `--import=${HOOK}` });
    return { ...r, loaded: JSON.parse(readFileSync(log, 'utf8')) as string[] };
  }

  beforeAll(async () => {
    const image = emptyModbusImage();
    setModbusWords(
      image,
      'hr',
      0,
      Array.from({ length: 250 }, (_, i) => i),
    );
    sim = await startModbusSimulator({ image, unitId: 1 });
  });
  afterAll(async () => {
    await sim?.close();
    t.cleanup();
  });

  it.each([['--version'], ['--help']])('`baseline %s` loads no package and no command module', async (flag) => {
    const r = await run([flag]);
    expect(r.code).toBe(0);
    expect(r.loaded.map(packageOf).filter((p) => p !== null)).toEqual([]);
    const own = r.loaded.filter((u) => u.startsWith('file:') && !u.endsWith('/test/helpers/module-log.ts'));
    expect(own.some((u) => /\/host\/cli-[a-z-]+\.ts$/.test(u) && !u.endsWith('/cli-usage.ts'))).toBe(false);
    expect(own.some((u) => /\/(store|services|devices)\//.test(u))).toBe(false);
    // The entry, the version and the usage error: a handful of files, not the app (sources) or the chunks (bundle).
    expect(own.length).toBeLessThanOrEqual(8);
  });

  it('a Modbus capture without --home runs its driver in this process and loads none of the heavy parts', async () => {
    const profile = join(t.home, 'profile.csv');
    writeFileSync(profile, 'tag,address,type\n' + Array.from({ length: 250 }, (_, i) => `HR_${i},hr:${i},UINT16\n`).join(''));
    const r = await run([
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
      join(t.home, 'cap.json'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ tags: 250, good: 250, complete: true });
    const packages = new Set(r.loaded.map(packageOf).filter((p) => p !== null));
    expect([...packages].filter((p) => HEAVY.includes(p))).toEqual([]);
    if (r.loaded.some((u) => u.includes('/dist/cli/'))) {
      // The bundle carries modbus-serial, its serial ports loaded only when used (scripts/build-cli.ts): a TCP
      // capture loads neither serialport nor its native binding.
      expect([...packages].filter((p) => p === 'serialport' || p.startsWith('@serialport/'))).toEqual([]);
    } else {
      // From the sources modbus-serial loads as it is (and, with it, serialport).
      expect(packages.has('modbus-serial')).toBe(true);
    }
    // No device process: the capture ran here, so no worker module; no data directory, so no store or services.
    expect(r.loaded.filter((u) => /device-worker|\/store\/|baseline-app|better-sqlite3/.test(u))).toEqual([]);
  });
});
