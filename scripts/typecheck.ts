// Type-checks every layer with its own tsconfig: the layer configs are what make the compiler refuse a
// Node import in src-shared/common or src-renderer (see docs/architecture.md).
import { spawnSync } from 'node:child_process';

const projects = ['src-shared/common', 'src-shared/node', 'src-main', 'src-renderer', '.'];
let failed = 0;
for (const p of projects) {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', p, '--pretty'], { stdio: 'inherit' });
  const ok = r.status === 0;
  if (!ok) failed++;
  console.log(`typecheck ${p}: ${ok ? 'ok' : 'FAILED'}`);
}
process.exitCode = failed === 0 ? 0 : 1;
