// Bundles the Electron shell: main process (CommonJS, native modules external) and the sandboxed preload
// (CommonJS, self-contained: a sandboxed preload cannot require our files).
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node24', format: 'cjs', sourcemap: true, logLevel: 'warning' } as const;
await build({ ...common, entryPoints: ['src-main/app/main.ts'], outfile: 'dist-electron/main.cjs', external: ['electron', 'better-sqlite3'] });
await build({ ...common, entryPoints: ['src-main/app/preload.ts'], outfile: 'dist-electron/preload.cjs', external: ['electron'] });
console.log('Electron shell built into dist-electron/');
