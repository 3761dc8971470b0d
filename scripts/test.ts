// `npm test`: every check in order (typecheck, lint with the layer rules, import cycles, Electronegativity, renderer build,
// vitest unit + integration + e2e), then one closing line CI can read: "N passed, N failed".
// Static checks count as one test each; vitest's totals come from its JSON report.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const npx = (bin: string) => `node_modules/.bin/${bin}`;
let passed = 0;
let failed = 0;

function step(name: string, cmd: string, args: string[]): boolean {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  const ok = r.status === 0;
  console.log(`--- ${name}: ${ok ? 'ok' : 'FAILED'}`);
  return ok;
}

for (const [name, cmd, args] of [
  ['typecheck (every layer)', process.execPath, ['scripts/typecheck.ts']],
  ['lint (layer rules)', npx('eslint'), ['--max-warnings', '0', '.']],
  ['formatting (prettier --check)', npx('prettier'), ['--check', '.']],
  ['import cycles (dependency-cruiser)', process.execPath, ['scripts/check-cycles.ts']],
  ['electronegativity (Electron security)', process.execPath, ['scripts/electronegativity.ts']],
] as const) {
  if (step(name, cmd, [...args])) passed++;
  else failed++;
}

if (!step('build renderer', process.execPath, ['scripts/renderer-build.ts'])) failed++;
// The CLI tests run `baseline` as users do: from its bundle (bin/baseline.js falls back to the sources without it).
if (!step('build CLI bundle', process.execPath, ['scripts/build-cli.ts'])) failed++;

mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
rmSync(report, { force: true });
step('vitest (unit, integration, e2e)', npx('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
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

console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
