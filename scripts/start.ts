// `npm start`: builds the renderer and the Electron shell, then launches Electron. Where the Electron
// program files are absent (ELECTRON_SKIP_BINARY_DOWNLOAD, or no internet when npm install ran) it tries the
// download once, and otherwise says in one sentence what to do instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function electronBinary(): string | null {
  const dir = 'node_modules/electron';
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'scripts/vite.config.ts', '--logLevel', 'warn']);
run(process.execPath, ['scripts/build-electron.ts']);

let bin = electronBinary();
if (!bin && !process.env['ELECTRON_SKIP_BINARY_DOWNLOAD'] && existsSync('node_modules/electron/install.js')) {
  console.log('The Electron program files are not installed yet; downloading them once…');
  spawnSync(process.execPath, ['node_modules/electron/install.js'], { stdio: 'inherit', timeout: 300_000 });
  bin = electronBinary();
}
if (!bin) {
  console.error('\nThe Electron program files are not installed on this machine (they could not be downloaded), so the desktop window cannot open: run `npm run web` to use Baseline in your browser instead.\n');
  process.exit(1);
}
const r = spawnSync(bin, ['.'], { stdio: 'inherit' });
process.exit(r.status ?? 0);
