// `npm run check:cycles` (also a step of `npm test`): no import circles, type-only imports included, checked by
// dependency-cruiser with .dependency-cruiser.cjs. Arguments name the folders to check (default: every source
// and test folder); exit 0 when there is no circle, 1 with each circle listed otherwise.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const folders = process.argv.slice(2);
const targets = folders.length > 0 ? folders : ['src-main', 'src-renderer', 'src-shared', 'src-server', 'test', 'scripts', 'bin'];
const r = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs'),
    '--config',
    join(root, '.dependency-cruiser.cjs'),
    '--output-type',
    'err',
    ...targets,
  ],
  { stdio: 'inherit', cwd: folders.length > 0 ? process.cwd() : root },
);
process.exit(r.status ?? 1);
