// `npm run bench`: every benchmark, one after another; each prints its own table. Not part of `npm test`
// (speed targets are measured here, not asserted in timed unit tests).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

let failed = 0;
for (const file of readdirSync('test/bench')
  .filter((f) => f.endsWith('-bench.ts'))
  .sort()) {
  console.log(`\n### ${file}`);
  const r = spawnSync(process.execPath, [`test/bench/${file}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
