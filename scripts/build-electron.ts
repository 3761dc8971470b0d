// Bundles the Electron shell: main process (CommonJS, native modules external) and the sandboxed preload
// (CommonJS, self-contained: a sandboxed preload cannot require our files).
import { build } from 'esbuild';

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
