// `npm test`: every check (typecheck, lint with the layer rules, formatting, import cycles, Electronegativity, renderer
// build, CLI bundle build, vitest unit + integration + e2e), then one closing line CI can read: "N passed, N failed".
// Static checks count as one test each; vitest's totals come from its JSON report.
//
// The two builds come first (the browser and CLI tests need them). Then vitest and the static checks run at the same
// time: vitest's files wait on child processes, sockets and the browser much of the time, and the static checks (about
// 100 s of CPU, one after another) fill that time at a lower CPU priority, so they never hold a test back. Their output
// is kept and printed after vitest's, each under its own heading. docs/testing.md, "What the run costs", has the numbers.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';

const npx = (bin: string) => `node_modules/.bin/${bin}`;
let passed = 0;
let failed = 0;
const started = performance.now();
const seconds = (from: number) => `${((performance.now() - from) / 1000).toFixed(0)} s`;

function step(name: string, cmd: string, args: string[]): boolean {
  console.log(`\n=== ${name} ===`);
  const t = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  const ok = r.status === 0;
  console.log(`--- ${name}: ${ok ? 'ok' : 'FAILED'} (${seconds(t)})`);
  return ok;
}

/** Runs `cmd` with its output kept (not printed), at a lower CPU priority; resolves with that output and whether it passed. */
function quietStep(cmd: string, args: readonly string[]): Promise<{ ok: boolean; output: string; took: string }> {
  const t = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Niceness 10: the child's own children (tsc under the typecheck) inherit it when they start.
    if (child.pid !== undefined) setPriority(child.pid, 10);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolve({ ok: false, output: output + String(err), took: seconds(t) }));
    child.on('close', (code) => resolve({ ok: code === 0, output, took: seconds(t) }));
  });
}

if (!step('build renderer', process.execPath, ['scripts/renderer-build.ts'])) failed++;
// The CLI tests run `baseline` as users do: from its bundle (bin/baseline.js falls back to the sources without it).
if (!step('build CLI bundle', process.execPath, ['scripts/build-cli.ts'])) failed++;

const STATIC = [
  ['typecheck (every layer)', process.execPath, ['scripts/typecheck.ts']],
  ['lint (layer rules)', npx('eslint'), ['--max-warnings', '0', '.']],
  ['formatting (prettier --check)', npx('prettier'), ['--check', '.']],
  ['import cycles (dependency-cruiser)', process.execPath, ['scripts/check-cycles.ts']],
  ['electronegativity (Electron security)', process.execPath, ['scripts/electronegativity.ts']],
] as const;
const staticStarted = performance.now();
const staticResults = (async () => {
  const results: { name: string; ok: boolean; output: string; took: string }[] = [];
  for (const [name, cmd, args] of STATIC) results.push({ name, ...(await quietStep(cmd, args)) });
  return { results, took: seconds(staticStarted) };
})();

mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
rmSync(report, { force: true });
console.log(`\n=== vitest (unit, integration, e2e; the static checks run beside it, their output follows) ===`);
const vitestStarted = performance.now();
// The CLI bundle keeps checked capture profiles in the user's cache folder (src-main/host/profile-cache.ts): the
// tests get a folder of their own, removed afterwards.
const cacheDir = mkdtempSync(join(tmpdir(), 'baseline-test-cache-'));
process.env['BASELINE_CACHE_DIR'] = cacheDir;
await new Promise<void>((resolve) => {
  const child = spawn(npx('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { stdio: 'inherit' });
  child.on('error', () => resolve());
  child.on('close', () => resolve());
});
console.log(`--- vitest: ${seconds(vitestStarted)}`);
rmSync(cacheDir, { recursive: true, force: true });
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTotalTests: number;
    success: boolean;
  };
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A suite that fails to load has no failed tests but is not a success: count it.
  if (!r.success && r.numFailedTests === 0) failed++;
  if (r.numPendingTests > 0) {
    console.log(`${r.numPendingTests} tests were skipped or todo: not allowed`);
    failed += r.numPendingTests;
  }
} else {
  console.log('vitest wrote no report');
  failed++;
}

const { results, took } = await staticResults;
for (const { name, ok, output, took: stepTook } of results) {
  console.log(`\n=== ${name} ===`);
  process.stdout.write(output);
  console.log(`--- ${name}: ${ok ? 'ok' : 'FAILED'} (${stepTook})`);
  if (ok) passed++;
  else failed++;
}
console.log(`\nstatic checks: ${took} beside vitest; whole run: ${seconds(started)}`);

console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
