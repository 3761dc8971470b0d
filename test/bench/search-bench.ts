// Global search and filtered Audit trail on the 24-line demo plant (issue #11, plant-scale lists): the header's
// search (changes, controllers, tags of their profiles, people) and the Audit trail narrowed by signer and by
// change, each through the API router (each listed event is verified as it is shown, as the unfiltered list does) as the screens call them (median of RUNS after one warm-up; the tag names
// are read from the profiles once and kept). Target: every call under 50 ms, so the search answers while typing.
// Run: node test/bench/search-bench.ts   (or npm run bench; prints a Markdown table)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoPlant } from '../../src-main/services/demo-plant.ts';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { ApiRouter, appHandlers } from '../../src-main/services/api-router.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';

const RUNS = 21;
const TARGET_MS = 50;
const work = mkdtempSync(join(tmpdir(), 'baseline-search-bench-'));
const home = join(work, 'demo');

async function main(): Promise<void> {
  await createDemoPlant({ home, keyProtection: filePermissionsProtection });
  const app = BaselineApp.open({ home, transport: 'in-process', keyProtection: filePermissionsProtection });
  try {
    const router = new ApiRouter(appHandlers(app));
    const cases: [string, string, unknown][] = [
      ['search "CR-0001"', 'search.global', { query: 'CR-0001' }],
      ['search "speed" (changes, tags)', 'search.global', { query: 'speed' }],
      ['search "pat" (people)', 'search.global', { query: 'pat' }],
      ['Audit: signed by M200', 'journal.search', { signer: 'M200' }],
      ['Audit: change CR-0001', 'journal.search', { change: 'CR-0001' }],
      ['Audit unfiltered (journal.list, for comparison)', 'journal.list', {}],
    ];
    console.log(`Journal: ${app.journal.count()} events; ${app.plantModel.lines().length} lines; median of ${RUNS} runs.\n`);
    console.log('| call | median ms | max ms | within target |');
    console.log('|---|---|---|---|');
    let failed = false;
    for (const [label, op, req] of cases) {
      const first = await router.call(op, req);
      if (!first.ok) throw new Error(`${label}: ${first.error.message}`);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await router.call(op, req);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(RUNS / 2)]!;
      failed ||= median > TARGET_MS;
      console.log(
        `| ${label} | ${median.toFixed(2)} | ${times[RUNS - 1]!.toFixed(2)} | ${median <= TARGET_MS ? 'yes' : 'NO'} (< ${TARGET_MS} ms) |`,
      );
    }
    process.exitCode = failed ? 1 : 0;
  } finally {
    app.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
