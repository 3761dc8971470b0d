// Bundles the Electron shell: main process (CommonJS, native modules external) and the sandboxed preload
// (CommonJS, self-contained: a sandboxed preload cannot require our files).
import { build as esbuild, type BuildOptions } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

// Each output file is written beside itself and renamed into place, so a program loading the shell while it is
// rebuilt (`npm start` and the Electron bundle test both build it, and the tests run two files at a time) reads the
// old file or the new one, never half of one.
async function build(options: BuildOptions): Promise<void> {
  const { outputFiles } = await esbuild({ ...options, write: false });
  for (const f of outputFiles) {
    mkdirSync(dirname(f.path), { recursive: true });
    const temp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(temp, f.contents);
    renameSync(temp, f.path);
  }
}

// import.meta is empty in CommonJS; the only use (forking the worker under plain Node) is never reached under
// Electron, which starts the device process with utilityProcess instead.
const common = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'silent' },
} as const;
// pdfkit stays external: its ES build finds its font and colour-profile files through import.meta.url, which is
// empty in CommonJS; its CommonJS build (what require('pdfkit') loads from node_modules) finds them beside itself.
await build({
  ...common,
  entryPoints: ['src-main/app/main.ts'],
  outfile: 'dist-electron/main.cjs',
  external: ['electron', 'better-sqlite3', 'pdfkit'],
});
await build({ ...common, entryPoints: ['src-main/app/preload.ts'], outfile: 'dist-electron/preload.cjs', external: ['electron'] });
// The device process (utilityProcess under Electron): drivers and their libraries; native modules stay external.
await build({
  ...common,
  entryPoints: ['src-main/devices/process/device-worker.ts'],
  outfile: 'dist-electron/device-worker.cjs',
  external: ['electron', 'better-sqlite3', '@serialport/bindings-cpp', 'serialport'],
});
console.log('Electron shell built into dist-electron/');
