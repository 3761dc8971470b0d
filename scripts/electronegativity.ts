// Runs Electronegativity (Doyensec's Electron security checker) over the Electron shell and the page it
// loads, and fails on any finding. Electronegativity itself always exits 0, so we read its SARIF output.
// A finding we accept must be suppressed in the source with `eng-disable <CHECK>` and a comment saying why.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// Arguments (tests use them to scan a deliberately insecure fixture): [shell folder] [page html] [work folder]
const [appDir = 'src-main/app', pageHtml = 'src-renderer/index.html', work = 'test-results/electronegativity'] = process.argv.slice(2);
const input = join(work, 'input');
const sarif = join(work, 'results.sarif');
rmSync(work, { recursive: true, force: true });
mkdirSync(input, { recursive: true });
cpSync(appDir, join(input, 'app'), { recursive: true });
cpSync(pageHtml, join(input, 'index.html'));

const electronVersion = (JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')) as { version: string }).version;
const r = spawnSync(
  process.execPath,
  [
    '-r',
    './scripts/electronegativity-offline.cjs',
    'node_modules/@doyensec/electronegativity/dist/index.js',
    '-i',
    input,
    '-o',
    sarif,
    '-e',
    electronVersion,
    '-r',
    // Needs Electron's release list from the internet to say anything; Electron upgrades are tracked by hand.
    '-x',
    'AvailableSecurityFixesGlobalCheck',
  ],
  { encoding: 'utf8' },
);
if (r.status !== 0) {
  console.error(r.stdout, r.stderr);
  console.error('Electronegativity did not run to completion.');
  process.exit(1);
}
let report: {
  runs?: {
    results?: {
      ruleId: string;
      message: { text: string };
      locations?: { physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }[];
    }[];
  }[];
};
try {
  report = JSON.parse(readFileSync(sarif, 'utf8'));
} catch {
  console.error(`Electronegativity wrote no readable SARIF report at ${sarif}.`);
  process.exit(1);
}
const results = report.runs?.flatMap((run) => run.results ?? []) ?? [];
for (const f of results) {
  const loc = f.locations?.[0]?.physicalLocation;
  console.error(`  ${f.ruleId} at ${loc?.artifactLocation?.uri ?? '?'}:${loc?.region?.startLine ?? '?'}: ${f.message.text}`);
}
console.log(`Electronegativity (Electron ${electronVersion}): ${results.length} unsuppressed finding${results.length === 1 ? '' : 's'}.`);
process.exitCode = results.length === 0 ? 0 : 1;
